/* QEMU's command line for a sandbox, from the (adapted) configuration:
 * the machine and accelerator, CPUs and memory, our kernel and initramfs
 * with a quiet command line, the agent's channel, the shared directory
 * (9p, or virtio-fs with virtiofsd), QMP, the console log, NICs. */
#ifndef KC_QEMU_H
#define KC_QEMU_H

#include <stdbool.h>
#include <stdint.h>

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

/* A host PCI device passed to the guest as vfio-pci (runtime/vfio.c
 * chooses them, qemu.c and vfio_plug.c place them). */
#define QEMU_VFIO_MAX 16
struct qemu_vfio {
	char host[16];		 /* its host address, "0000:03:00.0" */
	int group;		 /* its IOMMU group */
	char id[24];		 /* QEMU's id for it, "vfio-12-0" */
	char bus[32];		 /* where it went: a root port of its own, pci.0, a hot-plug bus */
	char pci_path[16];	 /* where the guest finds it: slots from the root bus, "05/00" */
	uint64_t mmio32, mmio64; /* its memory BARs (bytes) */
};

/* The memory windows a machine needs for its PCI devices (large BARs). */
struct qemu_mmio {
	/* each hot-plug root port reserves room for the largest device the
	 * host could pass (0: QEMU's default reservation) */
	uint64_t port_mmio32, port_mmio64;
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
	/* cold-plugged host devices: each on a root port of its own (q35) or pci.0 */
	const struct qemu_vfio *vfio;
	int nvfio;
	/* VM templates (factory.c): the memory file, written by the template
	 * (shared) or mapped copy-on-write by a VM that resumes its state
	 * (incoming); NULL: anonymous memory */
	const char *template_memory;
	bool template_incoming;
	struct qemu_mmio mmio;
};

/* argv (NULL-terminated, each malloc'd); free with strv_free. */
char **qemu_build_argv(const struct qemu_params *p);
/* The buses for hot-plug (NICs from kata-network) the command line gives:
 * Kata 1's default_bridges PCI bridges (SHPC) on the root bus, and on q35
 * Kata 2's pcie_root_port root ports; microvm has no PCI. */
void qemu_hotplug_buses(const struct qemu_config *q, unsigned *bridges, unsigned *ports);
/* The root port a cold-plugged device K sits on (q35). */
#define QEMU_VFIO_PORT "kata-vfio-port-"
/* QEMU's default 64-bit PCI window above RAM (q35; pc's is 2 GiB): what
 * is larger gets -global ...pci-hole64-size. */
#define QEMU_Q35_HOLE64 (32ULL << 30)
#define QEMU_PC_HOLE64	(2ULL << 30)

/* The guest kernel's command line (also shown by kata-env). */
void qemu_kernel_cmdline(const struct qemu_params *p, struct strbuf *out);

#endif
