/* QEMU's command line for a sandbox, from the (adapted) configuration:
 * the machine and accelerator, CPUs and memory, our kernel and initramfs
 * with a quiet command line, the agent's channel, the shared directory
 * (9p, or virtio-fs with virtiofsd), QMP, the console log, NICs. */
#ifndef KC_QEMU_H
#define KC_QEMU_H

#include <stdbool.h>

#include "config.h"
#include "strbuf.h"

/* In the VM directory: what QEMU itself makes (its QMP and agent sockets,
 * the guest console), owned by QEMU's user when it runs unprivileged. */
#define QEMU_DIR "qemu"

struct qemu_nic {
	char tap[16];
	char mac[18];
	bool vhost;
	int fd, vhostfd; /* QEMU's descriptor numbers for the tap (and vhost-net) it is given; -1:
			    by name */
};

struct qemu_params {
	const struct kc_config *cfg;
	const char *accel;	      /* "kvm" or "tcg" */
	const char *name;	      /* sandbox id */
	const char *vm_dir;	      /* sockets and logs */
	const char *shared_dir;	      /* the directory shared with the guest */
	const char *virtiofsd_socket; /* virtio-fs only */
	unsigned vcpus, maxvcpus, memory_mib;
	unsigned host_memory_mib; /* for maxmem (memory hot-plug) */
	unsigned tsc_khz;	  /* the host's, from the report's facts (TCG) */
	unsigned vsock_cid;	  /* 0: virtio-serial */
	const struct qemu_nic *nics;
	int nnics;
};

/* argv (NULL-terminated, each malloc'd); free with strv_free. */
char **qemu_build_argv(const struct qemu_params *p);
/* The buses for hot-plug (NICs from kata-network) the command line gives:
 * Kata 1's default_bridges PCI bridges (SHPC) on the root bus, and on q35
 * Kata 2's pcie_root_port root ports; microvm has no PCI. */
void qemu_hotplug_buses(const struct qemu_config *q, unsigned *bridges, unsigned *ports);
/* The guest kernel's command line (also shown by kata-env). */
void qemu_kernel_cmdline(const struct qemu_params *p, struct strbuf *out);

#endif
