/* Kata 1's configuration.toml as typed C structs, with Kata's defaults.
 * Sections and keys keep Kata's names so existing files keep working;
 * additions are few and documented in configuration.toml(5) (marked
 * "ours" below). Loading checks types and allowed values; paths and host
 * limits are checked by config_validate() (config_validate.c). */
#ifndef KC_CONFIG_H
#define KC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct strlist {
	char **v; /* NULL-terminated */
	size_t n;
};

/* Kata's defaults for the numbers that a zero in the file also means
 * (config_defaults() sets them; normalisation turns a 0 into them). */
#define CONFIG_DEFAULT_VCPUS	    1
#define CONFIG_DEFAULT_MEMORY_MIB   2048
#define CONFIG_DEFAULT_MEMORY_SLOTS 10
#define CONFIG_DEFAULT_BRIDGES	    1
/* not Kata's 8192: the largest the guest's 9p virtio transport takes
 * (4 KiB x (128 - 3) ring entries; more is cut to it). bench_share.sh:
 * 200 MiB written to the rootfs 9540 ms at 8192, 610 ms at 512000 */
#define CONFIG_DEFAULT_MSIZE_9P	    512000
#define CONFIG_DEFAULT_DIAL_TIMEOUT 30	 /* seconds */
#define CONFIG_DEFAULT_VIRTIOFS_DAX 1024 /* MiB */

/* QEMU's own seccomp filter: no obsolete system calls, no privilege
 * changes, no new processes, no scheduler or resource control. */
#define QEMU_SECCOMP_SANDBOX_DEFAULT                                                               \
	"on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"

struct qemu_config {
	char *path, *kernel, *initrd, *image, *firmware;
	char *machine_type, *machine_accelerators, *cpu_features, *kernel_params;
	char *block_device_driver, *entropy_source, *shared_fs;
	char *virtio_fs_daemon, *virtio_fs_cache, *file_mem_backend, *guest_hook_path;
	char *vhost_user_store_path;
	char *jailer_path, *ctlpath; /* Kata 1 shares them with Firecracker and Cloud Hypervisor */
	char *accel;		     /* ours: kvm | tcg | auto */
	char *seccompsandbox;	     /* QEMU's -sandbox argument, "" for none (Kata 2's key) */
	struct strlist virtio_fs_extra_args, enable_annotations, valid_hypervisor_paths;
	struct strlist valid_virtio_fs_daemon_paths, valid_file_mem_backends;
	int32_t default_vcpus; /* < 0: all host CPUs */
	uint32_t default_maxvcpus, default_memory, memory_slots, memory_offset;
	uint32_t default_bridges, msize_9p, pcie_root_port, virtio_fs_cache_size;
	bool disable_block_device_use, enable_mem_prealloc, enable_hugepages, enable_virtio_mem;
	bool enable_swap, enable_debug, disable_nesting_checks, enable_iothreads, use_vsock;
	bool disable_image_nvdimm, hotplug_vfio_on_root_bus, disable_vhost_net;
	bool block_device_cache_set, block_device_cache_direct, block_device_cache_noflush;
	bool enable_vhost_user_store;
	bool rootless; /* QEMU as an unprivileged user (Kata 2's key; virtio-fs) */
};

struct agent_config {
	bool enable_debug, enable_tracing;
	char *trace_mode, *trace_type;
	struct strlist kernel_modules;
	uint32_t dial_timeout; /* ours: seconds to wait for the agent */
};

struct proxy_config {
	char *path;
	bool enable_debug;
};

struct shim_config {
	char *path;
	bool enable_debug, enable_tracing;
};

struct runtime_config {
	bool enable_debug, enable_tracing, disable_new_netns, disable_guest_seccomp;
	bool sandbox_cgroup_only, enable_pprof;
	struct strlist experimental;
	char *internetworking_model;
};

struct factory_config {
	bool enable_template;
	char *template_path, *vm_cache_endpoint;
	uint32_t vm_cache_number; /* VM_CACHE_AUTO: "auto" */
};
/* vm_cache_number = "auto": the cache's daemon sizes itself from the
 * host's CPUs and memory when it starts (rules_vm_cache_size). */
#define VM_CACHE_AUTO UINT32_MAX

struct netmon_config {
	char *path;
	bool enable_debug, enable_netmon;
};

struct kc_config {
	char *source; /* the file loaded; NULL for built-in defaults */
	struct qemu_config hypervisor;
	struct agent_config agent;
	struct proxy_config proxy;
	struct shim_config shim;
	struct runtime_config runtime;
	struct factory_config factory;
	struct netmon_config netmon;
	struct strlist warnings; /* "FILE:LINE: unknown key ..." */
	struct strlist ignored;	 /* "FILE:LINE: [section] key: no effect here: why" */
	unsigned *key_lines;	 /* per config_keys[] entry: line set, 0 = default */
};

/* Kata's defaults, for this build's architecture and install prefix. */
void config_defaults(struct kc_config *c);

/* Parse TOML text and apply it over the defaults. `name` appears in
 * messages. Wrong types and values are errors ("FILE:LINE:COL: key:
 * expected ..."); unknown keys are warnings in c->warnings. */
int config_load_text(struct kc_config *c, const char *text, size_t len, const char *name,
		     struct kc_error *err);

void config_free(struct kc_config *c);

/* Keys this runtime accepts but does not act on (Kata 1 files set them):
 * each one set to other than its default goes into c->ignored, saying
 * why. Called by config_check_values. */
void config_note_ignored(struct kc_config *c);

/* Documentation table: every key, for configuration.toml(5) and kata-env. */
enum config_type { CFG_STRING, CFG_BOOL, CFG_INT32, CFG_UINT32, CFG_STRLIST };

struct config_key {
	const char *section; /* "hypervisor.qemu", "runtime", ... */
	const char *name;
	enum config_type type;
	size_t offset; /* in struct kc_config */
};

extern const struct config_key config_keys[];
extern const size_t n_config_keys;

const struct config_key *config_key_find(const char *section, const char *name);
/* "FILE:LINE: " where the key was set, or "FILE: " / "" for a default. */
void config_key_where(const struct kc_config *c, const char *section, const char *name, char *buf,
		      size_t len);
const char *config_type_name(enum config_type t);

void strlist_add(struct strlist *l, const char *s);
void strlist_free(struct strlist *l);
bool strlist_contains(const struct strlist *l, const char *s);

#endif
