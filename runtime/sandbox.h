/* A sandbox: one QEMU virtual machine with our guest, its kata-proxy, its
 * shared directory and network namespace, and the files that go with them
 * (in vm_dir: sockets, console and QEMU logs). Started by the create of
 * its first container; stopped, with everything it made, by the delete of
 * its last one or by delete --force. */
#ifndef KC_SANDBOX_H
#define KC_SANDBOX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "agent_client.h"
#include "error.h"
#include "rtconfig.h"
#include "timeouts.h"

#define KC_RUN_DIR "/run/kata-containers"
/* Beside --root's container ids (which never start with a dot): the VM
 * directories, KC_RUN_DIR/.vm/<16 hex digits>. */
#define KC_VM_DIRS	 ".vm"
#define AGENT_VSOCK_PORT 1024

struct sandbox {
	char *id;
	char *vm_dir, *shared_dir;
	char *netns;	    /* the namespace QEMU and the shims run in, or NULL */
	bool netns_created; /* ours to remove */
	unsigned vsock_cid; /* 0: the agent is on a virtio-serial port */
	uid_t qemu_uid;	    /* QEMU's own user (rootless), 0: root */
	pid_t qemu_pid, proxy_pid, virtiofsd_pid;
	uint64_t qemu_start, proxy_start, virtiofsd_start;
	unsigned vcpus, memory_mib;
	/* the hot-plug bridges and root ports QEMU was given (qemu.c) */
	unsigned hotplug_bridges, hotplug_ports;
	char accel[8];
	char machine[32];
	char started[64];
	char *proxy_path;
	char *cgroup; /* the pod's cgroup on the host (host_cgroup.h), or NULL */
};

enum netns_mode { NETNS_HOST, NETNS_NEW, NETNS_PATH };

/* A VM made from or for a template (factory.h): BUILD boots a template -
 * its memory the file, no sandbox in the guest yet; CLONE maps that file
 * copy-on-write and resumes the template's saved state (state_fd), its
 * NICs hot-plugged once it runs. */
enum template_role { TEMPLATE_NONE, TEMPLATE_BUILD, TEMPLATE_CLONE };
struct sandbox_template {
	enum template_role role;
	const char *memory; /* the template's memory file */
	int state_fd;	    /* CLONE: its saved device state */
};

/* A VM the cache (vmcache.h) booted before its sandbox existed and has
 * handed over: the cache renamed its VM directory (a sibling under
 * KC_RUN_DIR/.vm) to the sandbox's - the rename is the hand-over, so a
 * crash leaves the VM either the cache's or the sandbox's, never both's or
 * nobody's - and its record (sandbox_to_json) gives the VM's size. QEMU
 * keeps running; the sandbox gets its own kata-proxy, its cgroup, its
 * NICs (hot-plugged) and its share mounted in the guest. */
struct sandbox_cached {
	const json_t *vm;
};

struct qemu_nic;
struct qemu_vfio;
struct sandbox_params {
	const char *id, *root;	   /* the sandbox's id, --root */
	const struct rtconfig *rc; /* configuration, adapted to the report */
	unsigned vcpus, memory_mib;
	enum netns_mode netns_mode;
	const char *netns_path;	     /* NETNS_PATH */
	const struct qemu_nic *nics; /* taps plumbed in that namespace */
	int nnics;
	const struct qemu_vfio *vfio; /* host devices cold-plugged (vfio.h) */
	int nvfio;
	const struct sandbox_template *tmpl; /* NULL: a cold boot */
	const struct sandbox_cached *cached; /* a VM the cache hands over, or NULL */
	bool for_cache;	    /* booted for the cache: its share mounted, no container yet */
	const char *cgroup; /* host_cgroup_path() of the spec's cgroupsPath, or NULL */
	/* sandbox_start's own: the cgroup's cgroup.procs while it boots, which
	 * what it spawns joins */
	const int *cgroup_fds;
	int ncgroup;
};

/* Boot: the VM directory (made, never taken over), the namespace, the
 * share, QEMU, the proxy, the agent's sandbox. On failure everything made
 * is undone, sb is released, and err says why (with the end of the guest
 * console and QEMU's log for a boot that failed). */
int sandbox_start(struct sandbox *sb, const struct sandbox_params *p, struct kc_error *err);
/* A handle of the sandbox's VM directory (-errno). */
int sandbox_open_vm_dir(const struct sandbox *sb);
/* A handle of KC_RUN_DIR/.vm, made when create (-errno). */
int sandbox_open_vm_dirs(bool create);

/* The vCPUs QEMU makes room for (hot-plug when containers with limits
 * join): default_maxvcpus, or the host's online CPUs. */
unsigned sandbox_maxvcpus(const struct rtconfig *rc, unsigned vcpus);

/* QEMU's QMP socket in the sandbox's VM directory (malloc'd). */
char *sandbox_qmp_socket(const struct sandbox *sb);

/* Connect to the sandbox's proxy (handshake done). */
int sandbox_connect(const struct sandbox *sb, struct agent_client *ac, int timeout_ms,
		    struct kc_error *err);

/* Power off (agent, then QMP, then SIGKILL, each bounded), stop the proxy,
 * unmount the share, remove the netns we made and vm_dir. Works from any
 * state, including a QEMU or proxy that died. */
void sandbox_stop(struct sandbox *sb);

bool sandbox_vm_alive(const struct sandbox *sb);

json_t *sandbox_to_json(const struct sandbox *sb);
int sandbox_from_json(struct sandbox *sb, const json_t *j);
void sandbox_free(struct sandbox *sb);

/* The VM directory for a sandbox id under a --root: KC_RUN_DIR/.vm/HASH
 * (short: socket paths must fit in 108 bytes). */
char *sandbox_vm_dir(const char *root, const char *id);

#endif
