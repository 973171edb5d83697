/* The VM factory's templates (Kata 1's [factory] enable_template): one VM
 * booted to a ready agent with its memory in a file, paused, its device
 * state saved; each sandbox's VM then maps that file copy-on-write and
 * resumes the saved state instead of booting - the pages it has not
 * written (the kernel's, the agent's) are in the host's memory once.
 *
 * In template_path: KEY/memory, KEY/state, KEY/info.json, KEY naming what
 * the template was made from - QEMU's whole command line with the
 * per-VM paths left out, and the identity (device, inode, size,
 * modification time) of the kernel, the initrd, the firmware and QEMU's
 * binary - so that any change to them (the agent is in the initrd; a
 * saved state loads only into the QEMU that saved it) or to a setting
 * QEMU is given makes another key: a stale template is never used. A template is built in
 * .build and renamed into place; .lock serializes builders. */
#ifndef KC_FACTORY_H
#define KC_FACTORY_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "rtconfig.h"

#define FACTORY_KEY_LEN 16

struct factory_template {
	char key[FACTORY_KEY_LEN + 1];
	char *dir, *memory, *state; /* KEY's directory and files */
	unsigned vcpus, memory_mib; /* what a VM started from it has */
	double build_ms;	    /* when this call built it; 0 otherwise */
};

/* Whether VMs of this configuration can start from a template, and if not
 * why: virtio-fs (vhost-user devices cannot be migrated), vsock (the
 * guest's CID is in the state), host devices, hugepages or preallocation,
 * rootless QEMU, microvm. */
bool factory_usable(const struct kc_config *cfg, int nvfio, const char **why);

/* The template for rc's configuration: found, or (build) built now. -1
 * with err when there is none and it could not (or was not to) be built. */
int factory_template(const struct rtconfig *rc, bool build, struct factory_template *t,
		     struct kc_error *err);
void factory_template_free(struct factory_template *t);

/* The key of rc's configuration (KEY above): what a template or a cached
 * VM (vmcache.h) must have been made from to serve it. */
void factory_key(const struct rtconfig *rc, char key[FACTORY_KEY_LEN + 1]);

/* Start sb from rc's template (built now if build and it is missing or
 * stale), as sp says but with the template's size, which *vcpus and *mem
 * return: what sp asks for beyond it is the caller's to hot-plug. -1 with
 * err when there is no template or the VM did not start from it (nothing
 * left: the caller boots cold). */
struct sandbox;
struct sandbox_params;
int factory_start_clone(const struct rtconfig *rc, bool build, struct sandbox *sb,
			const struct sandbox_params *sp, struct kc_error *err);

/* The VM the factory has ready for sb, when the configuration enables it
 * and it can serve this sandbox: one its cache hands over, else a clone of
 * its template (built now if missing or stale). 0 when sb has it (with the
 * configuration's default size: the caller hot-plugs what sp asks beyond),
 * 1 when the factory gave none - nothing is left and the caller boots one
 * cold. What went wrong is logged, never an error: the factory only ever
 * makes a start faster. The front ends hand it to the core as struct rt's
 * prebuilt_vm. */
int factory_prebuilt_vm(const struct rtconfig *rc, struct sandbox *sb,
			const struct sandbox_params *sp, int nvfio);

/* What the factory holds (every template, which one the configuration
 * would use, their sizes), as JSON. */
json_t *factory_status(const struct rtconfig *rc);

/* Remove every template, a build a crash left (its VM too), the lock. */
int factory_destroy(const struct kc_config *cfg, struct kc_error *err);

#endif
