/* Configuration validation (see config_validate.h). */
#include "config_validate.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_paths.h"

#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

#define MIN_MEMORY_MIB 256
#define MAX_BRIDGES    5
#define MAX_QEMU_VCPUS 240 /* QEMU's limit for the machine types used */
#define MSIZE_9P_MIN   4096
#define MSIZE_9P_MAX   (1024 * 1024)

static const struct {
	const char *section, *key;
	const char *allowed; /* space-separated; "" entry means empty is allowed */
} value_sets[] = {
    {"hypervisor.qemu", "block_device_driver",
     "virtio-scsi virtio-blk virtio-mmio nvdimm virtio-blk-ccw"},
    {"hypervisor.qemu", "shared_fs", "virtio-9p virtio-fs"},
    {"hypervisor.qemu", "virtio_fs_cache", "none auto always"},
    {"hypervisor.qemu", "accel", "kvm tcg auto"},
    {"runtime", "internetworking_model", "tcfilter macvtap bridged none default"},
    {"agent.kata", "trace_mode", "dynamic static"},
    {"agent.kata", "trace_type", "isolated collated"},
};

/* Numbers with bounds of their own (beyond their type's): a value outside
 * is an error naming file:line and the key, never a silent wrap. */
static const struct {
	const char *section, *key;
	long long min, max;
	const char *unit;
} number_ranges[] = {
    {"agent.kata", "dial_timeout", 0, 3600, "seconds"},
    {"hypervisor.qemu", "default_memory", 0, 4 << 20, "MiB"},
    {"hypervisor.qemu", "memory_slots", 0, 256, "slots"},
    {"hypervisor.qemu", "memory_offset", 0, 4 << 20, "MiB"},
    {"hypervisor.qemu", "virtio_fs_cache_size", 0, 1 << 20, "MiB"},
    {"hypervisor.qemu", "pcie_root_port", 0, 32, "ports"},
    {"hypervisor.qemu", "default_vcpus", -(1 << 16), 1 << 16, "vCPUs"},
    {"hypervisor.qemu", "default_maxvcpus", 0, 1 << 16, "vCPUs"},
    {"hypervisor.qemu", "default_bridges", 0, 1 << 16, "bridges"},
    {"factory", "vm_cache_number", 0, 256, "VMs"},
};

static long long number_field(const struct kc_config *c, const struct config_key *k)
{
	const char *p = (const char *)c + k->offset;
	if (k->type == CFG_INT32)
		return *(const int32_t *)(const void *)p;
	return (long)*(const uint32_t *)(const void *)p;
}

static const char *string_field(const struct kc_config *c, const char *section, const char *key)
{
	const struct config_key *k = config_key_find(section, key);
	return k ? *(char *const *)((const char *)c + k->offset) : NULL;
}

static int value_error(const struct kc_config *c, const char *section, const char *key,
		       struct kc_error *err, const char *fmt, ...) _printf_(5, 6);
static int value_error(const struct kc_config *c, const char *section, const char *key,
		       struct kc_error *err, const char *fmt, ...)
{
	char where[512], msg[512];
	va_list ap;

	config_key_where(c, section, key, where, sizeof(where));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return kc_error_set(err, 0, "%s[%s] %s: %s", where, section, key, msg);
}

static void note(struct strlist *notes, const char *fmt, ...) _printf_(2, 3);
static void note(struct strlist *notes, const char *fmt, ...)
{
	va_list ap;
	char *s;
	if (!notes)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0) {
		strlist_add(notes, s);
		free(s);
	}
	va_end(ap);
}

/* Values that are wrong whatever the host: out of their set or range, or
 * combinations that cannot work. */
static int check_values(struct kc_config *c, struct kc_error *err)
{
	struct qemu_config *h = &c->hypervisor;

	for (size_t i = 0; i < ARRAY_SIZE(value_sets); i++) {
		const char *v = string_field(c, value_sets[i].section, value_sets[i].key);
		bool optional = !strcmp(value_sets[i].section, "agent.kata");
		if (!v || (optional && !*v) || word_list_contains(value_sets[i].allowed, v))
			continue;
		return value_error(c, value_sets[i].section, value_sets[i].key, err,
				   "'%s' is not one of: %s", v, value_sets[i].allowed);
	}
	for (size_t i = 0; i < ARRAY_SIZE(number_ranges); i++) {
		const struct config_key *k =
		    config_key_find(number_ranges[i].section, number_ranges[i].key);
		if (!k)
			continue;
		long long v = number_field(c, k);
		if (k->offset == offsetof(struct kc_config, factory.vm_cache_number) &&
		    c->factory.vm_cache_number == VM_CACHE_AUTO)
			continue; /* "auto" */
		if (v < number_ranges[i].min || v > number_ranges[i].max)
			return value_error(c, number_ranges[i].section, number_ranges[i].key, err,
					   "%lld is out of range (%lld to %lld %s)", v,
					   number_ranges[i].min, number_ranges[i].max,
					   number_ranges[i].unit);
	}
	/* as in Kata 1, the default initrd yields to an image the file names:
	 * only both set in the file is a conflict */
	const struct config_key *ki = config_key_find("hypervisor.qemu", "initrd"),
				*km = config_key_find("hypervisor.qemu", "image");
	bool initrd_set = c->key_lines && c->key_lines[ki - config_keys],
	     image_set = c->key_lines && c->key_lines[km - config_keys];
	if (h->image[0] && image_set && !initrd_set) {
		free(h->initrd);
		h->initrd = xstrdup("");
	}
	if (h->image[0] && h->initrd[0])
		return value_error(c, "hypervisor.qemu", "image", err,
				   "image and initrd are both set; set only one of them");
	if (h->image[0])
		return value_error(
		    c, "hypervisor.qemu", "image", err,
		    "a guest image (%s) is not supported: a Kata 1 rootfs image runs "
		    "Kata's gRPC agent, which this runtime does not speak; it boots "
		    "an initrd with its own agent: remove image and set initrd = "
		    "\"%s\"",
		    h->image, KC_DEFAULT_INITRD);
	if (!h->initrd[0]) /* and no image: that returned above */
		return value_error(c, "hypervisor.qemu", "initrd", err,
				   "neither image nor initrd is set; set one of them");
	if (h->rootless && strcmp(h->shared_fs, "virtio-fs"))
		return value_error(c, "hypervisor.qemu", "rootless", err,
				   "rootless = true needs shared_fs = \"virtio-fs\": with %s QEMU "
				   "serves the containers' "
				   "files itself, and must be root to",
				   h->shared_fs);
	if (!strcmp(h->shared_fs, "virtio-fs") && !h->virtio_fs_daemon[0])
		return value_error(c, "hypervisor.qemu", "virtio_fs_daemon", err,
				   "shared_fs = \"virtio-fs\" needs the path of virtiofsd");
	if (h->msize_9p && (h->msize_9p < MSIZE_9P_MIN || h->msize_9p > MSIZE_9P_MAX))
		return value_error(c, "hypervisor.qemu", "msize_9p", err,
				   "%u is out of range (%d to %d)", h->msize_9p, MSIZE_9P_MIN,
				   MSIZE_9P_MAX);
	if (c->runtime.disable_new_netns) {
		if (c->netmon.enable_netmon)
			return value_error(c, "runtime", "disable_new_netns", err,
					   "cannot be combined with [netmon] enable_netmon = true");
		if (!strcmp(c->runtime.internetworking_model, "bridged") ||
		    !strcmp(c->runtime.internetworking_model, "macvtap"))
			return value_error(c, "runtime", "disable_new_netns", err,
					   "works only with internetworking_model = \"none\" or "
					   "\"tcfilter\", not \"%s\"",
					   c->runtime.internetworking_model);
	}
	return 0;
}

/* Kata's normalisation: zeroes become defaults, sizes the host's limits. */
static void normalise(struct kc_config *c, unsigned host_cpus, struct strlist *notes)
{
	struct qemu_config *h = &c->hypervisor;

	if (h->default_vcpus < 0 || (host_cpus && (unsigned)h->default_vcpus > host_cpus)) {
		if (host_cpus) {
			note(notes, "default_vcpus %d -> %u (the host's CPUs)", h->default_vcpus,
			     host_cpus);
			h->default_vcpus = (int32_t)host_cpus;
		}
	} else if (h->default_vcpus == 0) {
		note(notes, "default_vcpus 0 -> %d (the default)", CONFIG_DEFAULT_VCPUS);
		h->default_vcpus = CONFIG_DEFAULT_VCPUS;
	}
	unsigned maxv = h->default_maxvcpus;
	if (host_cpus && (maxv == 0 || maxv > host_cpus))
		maxv = host_cpus;
	if (maxv > MAX_QEMU_VCPUS)
		maxv = MAX_QEMU_VCPUS;
	if (maxv && maxv != h->default_maxvcpus) {
		note(notes, "default_maxvcpus %u -> %u (%s)", h->default_maxvcpus, maxv,
		     maxv == MAX_QEMU_VCPUS ? "QEMU's limit" : "the host's CPUs");
		h->default_maxvcpus = maxv;
	}
	if (h->default_memory < MIN_MEMORY_MIB) {
		note(notes, "default_memory %u -> %u MiB (below the %u MiB minimum)",
		     h->default_memory, CONFIG_DEFAULT_MEMORY_MIB, MIN_MEMORY_MIB);
		h->default_memory = CONFIG_DEFAULT_MEMORY_MIB;
	}
	if (h->memory_slots == 0) {
		note(notes, "memory_slots 0 -> %d (the default)", CONFIG_DEFAULT_MEMORY_SLOTS);
		h->memory_slots = CONFIG_DEFAULT_MEMORY_SLOTS;
	}
	if (h->default_bridges == 0 || h->default_bridges > MAX_BRIDGES) {
		unsigned b = h->default_bridges ? MAX_BRIDGES : CONFIG_DEFAULT_BRIDGES;
		note(notes, "default_bridges %u -> %u (allowed: 1 to %d)", h->default_bridges, b,
		     MAX_BRIDGES);
		h->default_bridges = b;
	}
	if (h->msize_9p == 0) {
		note(notes, "msize_9p 0 -> %d (the default)", CONFIG_DEFAULT_MSIZE_9P);
		h->msize_9p = CONFIG_DEFAULT_MSIZE_9P;
	}
	if (c->agent.dial_timeout == 0) {
		note(notes, "dial_timeout 0 -> %d seconds (the default)",
		     CONFIG_DEFAULT_DIAL_TIMEOUT);
		c->agent.dial_timeout = CONFIG_DEFAULT_DIAL_TIMEOUT;
	}
}

int config_check_values(struct kc_config *c, unsigned host_cpus, struct strlist *notes,
			struct kc_error *err)
{
	if (check_values(c, err) < 0)
		return -1;
	config_note_ignored(c);
	for (size_t i = 0; i < c->runtime.experimental.n; i++)
		note(notes,
		     "[runtime] experimental: feature '%s' is not known to this runtime (ignored)",
		     c->runtime.experimental.v[i]);

	normalise(c, host_cpus, notes);
	return 0;
}

static bool glob_match(const struct strlist *patterns, const char *path)
{
	if (patterns->n == 0)
		return true;
	for (size_t i = 0; i < patterns->n; i++)
		if (fnmatch(patterns->v[i], path, FNM_PATHNAME) == 0)
			return true;
	return false;
}

static void check_one(const struct host_root *root, struct config_path *p)
{
	struct stat st;
	int r;

	p->error = 0;
	p->reason[0] = '\0';
	if (p->path[0] != '/') {
		p->error = EINVAL;
		snprintf(p->reason, sizeof(p->reason), "'%s' is not an absolute path", p->path);
		return;
	}
	r = host_stat(root, p->path, &st, true);
	if (r < 0) {
		struct stat lst;
		p->error = -r;
		if (r == -ENOENT && host_stat(root, p->path, &lst, false) == 0)
			snprintf(p->reason, sizeof(p->reason), "%s is a dangling symlink", p->path);
		else
			snprintf(p->reason, sizeof(p->reason), "%s: %s", p->path, strerror(-r));
		return;
	}
	if (!strcmp(p->key, "entropy_source")) {
		/* QEMU's rng-random reads any readable file or device */
		int fd =
		    S_ISDIR(st.st_mode) ? -EISDIR : host_open(root, p->path, O_RDONLY | O_NONBLOCK);
		if (fd < 0) {
			p->error = -fd;
			snprintf(p->reason, sizeof(p->reason), "%s cannot be read: %s", p->path,
				 strerror(-fd));
		} else {
			close(fd);
		}
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		p->error = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		snprintf(p->reason, sizeof(p->reason), "%s is %s", p->path,
			 S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
		return;
	}
	if (p->executable) {
		_cleanup_free_ char *full = host_path(root, p->path);
		if (!(st.st_mode & 0111) || faccessat(AT_FDCWD, full, X_OK, AT_EACCESS) < 0) {
			p->error = EACCES;
			snprintf(p->reason, sizeof(p->reason), "%s is not executable", p->path);
		}
	}
}

size_t config_check_paths(const struct kc_config *c, const struct host_root *root,
			  struct config_path *out, size_t max)
{
	const struct qemu_config *h = &c->hypervisor;
	size_t n = 0;

#define ADD(sec, k, w, p, x)                                                                       \
	do {                                                                                       \
		if (n < max)                                                                       \
			out[n++] = (struct config_path){                                           \
			    .section = sec, .key = k, .what = w, .path = p, .executable = x};      \
	} while (0)
	ADD("hypervisor.qemu", "path", "hypervisor binary", h->path, true);
	ADD("hypervisor.qemu", "kernel", "guest kernel", h->kernel, false);
	if (h->initrd[0])
		ADD("hypervisor.qemu", "initrd", "guest initrd", h->initrd, false);
	if (h->image[0])
		ADD("hypervisor.qemu", "image", "guest image", h->image, false);
	if (h->firmware[0])
		ADD("hypervisor.qemu", "firmware", "firmware", h->firmware, false);
	if (!strcmp(h->shared_fs, "virtio-fs"))
		ADD("hypervisor.qemu", "virtio_fs_daemon", "virtio-fs daemon", h->virtio_fs_daemon,
		    true);
	ADD("proxy.kata", "path", "proxy binary", c->proxy.path, true);
	ADD("shim.kata", "path", "shim binary", c->shim.path, true);
	if (c->netmon.enable_netmon)
		ADD("netmon", "path", "network monitor binary", c->netmon.path, true);
	ADD("hypervisor.qemu", "entropy_source", "entropy source", h->entropy_source, false);
#undef ADD
	for (size_t i = 0; i < n; i++) {
		struct config_path *p = &out[i];
		check_one(root, p);
		if (p->error)
			continue;
		const struct strlist *allowed =
		    !strcmp(p->key, "path") && !strcmp(p->section, "hypervisor.qemu")
			? &h->valid_hypervisor_paths
		    : !strcmp(p->key, "virtio_fs_daemon") ? &h->valid_virtio_fs_daemon_paths
							  : NULL;
		if (allowed && !glob_match(allowed, p->path)) {
			p->error = EPERM;
			snprintf(p->reason, sizeof(p->reason), "%s does not match valid_%s_paths",
				 p->path,
				 !strcmp(p->key, "path") ? "hypervisor" : "virtio_fs_daemon");
		}
	}
	return n;
}

int config_validate(struct kc_config *c, const struct host_root *root, unsigned host_cpus,
		    struct strlist *notes, struct kc_error *err)
{
	struct config_path paths[CONFIG_PATHS_MAX];

	if (config_check_values(c, host_cpus, notes, err) < 0)
		return -1;
	if (c->hypervisor.file_mem_backend[0] &&
	    !glob_match(&c->hypervisor.valid_file_mem_backends, c->hypervisor.file_mem_backend))
		return value_error(c, "hypervisor.qemu", "file_mem_backend", err,
				   "%s does not match valid_file_mem_backends",
				   c->hypervisor.file_mem_backend);
	size_t n = config_check_paths(c, root, paths, ARRAY_SIZE(paths));
	for (size_t i = 0; i < n; i++)
		if (paths[i].error)
			return value_error(c, paths[i].section, paths[i].key, err, "%s: %s",
					   paths[i].what, paths[i].reason);
	return 0;
}

const char *config_template_blocker(const struct kc_config *c)
{
	const struct qemu_config *q = &c->hypervisor;
	if (q->shared_fs && !strcmp(q->shared_fs, "virtio-fs"))
		return "shared_fs is virtio-fs: QEMU cannot save a vhost-user device's state";
	if (q->use_vsock)
		return "use_vsock: the guest's vsock CID would be the template's";
	if (q->enable_hugepages || q->enable_mem_prealloc)
		return "enable_hugepages or enable_mem_prealloc: a template's memory is a file "
		       "mapped copy-on-write";
	if (q->rootless)
		return "rootless: QEMU's own user cannot map the root-owned template";
	if (!q->machine_type || !strcmp(q->machine_type, "microvm"))
		return "microvm has no PCI bus to hot-plug the sandbox's NICs onto";
	return NULL;
}
