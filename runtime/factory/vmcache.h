/* The VM cache (Kata 1's [factory] vm_cache_number, vm_cache_endpoint): a
 * daemon, started by `kata-runtime factory init`, keeps vm_cache_number
 * VMs booted - from the factory's template when enable_template is set,
 * else cold - and hands one to each create that asks, booting another in
 * its place. A create falls back to the template or a cold boot when the
 * cache is empty, gone, or holds VMs of another configuration.
 *
 * Its directory, VMCACHE_DIR/HASH (HASH of the endpoint), root's only:
 *   lock         held by the daemon for its life (one per endpoint)
 *   daemon.json  its pid, endpoint, size, configuration key
 *   daemon.log   its log when it runs in the background
 *   ID.json      one per VM it owns, written before the VM is booted:
 *                {"id", "state": "booting"|"ready", "from", "since",
 *                 "vm": sandbox_to_json once ready}
 * Each VM's directory is sandbox_vm_dir(that directory, ID).
 *
 * The hand-over is a rename: the daemon renames the VM's directory to the
 * sandbox's (RENAME_NOREPLACE; the create recorded that name before it
 * asked), then forgets the VM and answers. So at any instant a VM is the
 * cache's (its directory under the cache's name) or the sandbox's, and a
 * crash of either side leaves what `factory destroy` (the cache's) or
 * `delete --force` (the sandbox's) removes. A VM whose directory is no
 * longer the cache's is never touched by the cache: its QEMU's command
 * line still names the cache's path, which the sandbox has renamed.
 *
 * The protocol: one JSON line each way per connection on the endpoint, a
 * unix socket (0600):
 *   {"op": "take", "key": K, "dir": D}  -> {"vm": {...}} | {"error": "..."}
 *   {"op": "status"}                    -> vmcache_status()'s document
 * A create claims D before it asks: D.take in the cache's directory, which
 * it holds locked (flock) until it has the answer, then removes. The
 * daemon renames a VM only to a directory a live create claims: a take
 * naming any other name would leave a VM that nobody's delete and no
 * factory destroy would ever find. */
#ifndef KC_VMCACHE_H
#define KC_VMCACHE_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "rtconfig.h"
#include "sandbox.h"

#define VMCACHE_DIR KC_RUN_DIR "/.vmcache"
#define VMCACHE_MAX 64 /* vm_cache_number's bound */

/* The cache's directory for an endpoint (malloc'd). */
char *vmcache_dir(const char *endpoint);

/* Take a VM of configuration key for sandbox id under --root: 0 with *vm
 * (its record, sandbox_to_json's) and its directory renamed to the
 * sandbox's; -1 with err saying why there was none. A VM handed over
 * whose answer did not arrive is stopped here. */
int vmcache_take(const struct kc_config *cfg, const char *key, const char *root, const char *id,
		 json_t **vm, struct kc_error *err);

/* The cache for cfg's endpoint: the daemon's own account when it runs,
 * else {"running": false} with what a dead daemon left. */
json_t *vmcache_status(const struct kc_config *cfg);

/* Stop the daemon (SIGTERM: it stops its VMs), then remove whatever it or
 * a crash of it left: VMs still the cache's, records, socket, directory. */
int vmcache_destroy(const struct kc_config *cfg, struct kc_error *err);

/* Start the daemon: it listens on the endpoint, and returns (0) once it
 * does - in the background, its log in daemon.log - or (foreground)
 * serves until SIGTERM or SIGINT. -1 with err when it cannot start. */
int vmcache_serve(const struct rtconfig *rc, bool foreground, struct kc_error *err);

/* ---- shared by the daemon and the commands (vmcache_daemon.c) ---- */

/* Stop a VM the cache still owns - only if its directory is still the
 * cache's (never one handed over) - and remove its record. */
void vmcache_stop_vm(int cdir, const char *cache_dir, const char *id);
/* A record (NAME.json, daemon.json) as a JSON object; NULL when it is
 * missing, not a regular file, or not an object. */
json_t *vmcache_read_record(int cdir, const char *name);
/* The name of the claim on VM directory dir (vmcache.h), into buf. */
void vmcache_claim_name(const char *dir, char *buf, size_t size);
/* The VMs' records: ids of "*.json" but daemon.json (up to max). */
int vmcache_list_ids(int cdir, char (*ids)[64], int max);
/* One JSON line on a connection: sent whole, or received within
 * timeout_ms (NULL with err: timeout, end, too long, not JSON). */
int vmcache_send(int fd, const json_t *msg);
json_t *vmcache_recv(int fd, int timeout_ms, struct kc_error *err);

#endif
