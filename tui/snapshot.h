/* What the dashboard shows, gathered in one go (off the input thread):
 * the host's facts, the active configuration, the report, and the
 * sandboxes kata-runtime is running. */
#ifndef KC_SNAPSHOT_H
#define KC_SNAPSHOT_H

#include <stdbool.h>
#include <time.h>

#include "assess.h"
#include "config_probe.h"
#include "facts.h"
#include "hostroot.h"
#include "report.h"

struct sandbox_row {
	char id[80];	     /* containerd's namespace/id for the shim v2's */
	char state_dir[600]; /* the state directory it was read from */
	char status[24];
	int containers;
	long qemu_pid; /* 0 unknown */
	bool qemu_alive;
	int vcpus;	   /* 0 unknown */
	long memory_mib;   /* 0 unknown */
	long uptime_s;	   /* -1 unknown */
	char problem[200]; /* "" or why the entry could not be read (jansson's 160 and a line) */
};

struct snapshot {
	struct assessment a; /* the host and the configuration, judged as every program does */
	struct sandbox_row *sandboxes;
	int nsandboxes;
	char sandbox_dir[512];
	char sandbox_error[256]; /* "" or why the directory could not be read */
	/* the VM cache's VMs (kata-runtime factory), apart from sandboxes:
	 * status "booting" or "ready", containers 0 */
	struct sandbox_row *cached;
	int ncached;
	int cache_daemons, cache_daemons_gone;
	time_t taken;
};

/* Probe, load the configuration, evaluate, read sandboxes. */
struct snapshot *snapshot_take(const struct host_root *root, const char *runtime_root);
void snapshot_free(struct snapshot *s);

/* Read kata-runtime's state directory, and the shim v2's per namespace
 * beneath it (DIR/.shimv2/NS), as sandboxes (sandboxes.c). */
void sandboxes_read(const struct host_root *root, const char *dir, struct snapshot *s);
/* The VM caches' VMs, from their records (KC_RUN_DIR/.vmcache/HASH/ID.json,
 * and daemon.json for whether the daemon still runs). */
void vmcache_read(const struct host_root *root, struct snapshot *s);

#endif
