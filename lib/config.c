/* The configuration schema and loader (see config.h). The key table is the
 * single description of the file format: the loader, kata-env and the
 * manual page all follow it. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_paths.h"
#include "strbuf.h"
#include "strutil.h"
#include "toml.h"
#include "xalloc.h"

#define K(sec, name, type, field)                                                                  \
	{                                                                                          \
		sec, #name, type, offsetof(struct kc_config, field)                                \
	}
#define Q(name, type) K("hypervisor.qemu", name, type, hypervisor.name)

const struct config_key config_keys[] = {
    Q(path, CFG_STRING),
    Q(kernel, CFG_STRING),
    Q(initrd, CFG_STRING),
    Q(image, CFG_STRING),
    Q(firmware, CFG_STRING),
    Q(machine_type, CFG_STRING),
    Q(machine_accelerators, CFG_STRING),
    Q(cpu_features, CFG_STRING),
    Q(kernel_params, CFG_STRING),
    Q(accel, CFG_STRING),
    Q(seccompsandbox, CFG_STRING),
    Q(rootless, CFG_BOOL),
    Q(default_vcpus, CFG_INT32),
    Q(default_maxvcpus, CFG_UINT32),
    Q(default_memory, CFG_UINT32),
    Q(memory_slots, CFG_UINT32),
    Q(memory_offset, CFG_UINT32),
    Q(default_bridges, CFG_UINT32),
    Q(block_device_driver, CFG_STRING),
    Q(block_device_cache_set, CFG_BOOL),
    Q(block_device_cache_direct, CFG_BOOL),
    Q(block_device_cache_noflush, CFG_BOOL),
    Q(disable_block_device_use, CFG_BOOL),
    Q(shared_fs, CFG_STRING),
    Q(virtio_fs_daemon, CFG_STRING),
    Q(virtio_fs_cache, CFG_STRING),
    Q(virtio_fs_cache_size, CFG_UINT32),
    Q(virtio_fs_extra_args, CFG_STRLIST),
    Q(msize_9p, CFG_UINT32),
    Q(entropy_source, CFG_STRING),
    Q(enable_iothreads, CFG_BOOL),
    Q(enable_mem_prealloc, CFG_BOOL),
    Q(enable_hugepages, CFG_BOOL),
    Q(enable_virtio_mem, CFG_BOOL),
    Q(file_mem_backend, CFG_STRING),
    Q(enable_swap, CFG_BOOL),
    Q(enable_debug, CFG_BOOL),
    Q(disable_nesting_checks, CFG_BOOL),
    Q(use_vsock, CFG_BOOL),
    Q(disable_image_nvdimm, CFG_BOOL),
    Q(hotplug_vfio_on_root_bus, CFG_BOOL),
    Q(pcie_root_port, CFG_UINT32),
    Q(disable_vhost_net, CFG_BOOL),
    Q(guest_hook_path, CFG_STRING),
    Q(enable_vhost_user_store, CFG_BOOL),
    Q(vhost_user_store_path, CFG_STRING),
    Q(jailer_path, CFG_STRING),
    Q(ctlpath, CFG_STRING),
    Q(enable_annotations, CFG_STRLIST),
    Q(valid_hypervisor_paths, CFG_STRLIST),
    Q(valid_virtio_fs_daemon_paths, CFG_STRLIST),
    Q(valid_file_mem_backends, CFG_STRLIST),
    K("agent.kata", enable_debug, CFG_BOOL, agent.enable_debug),
    K("agent.kata", enable_tracing, CFG_BOOL, agent.enable_tracing),
    K("agent.kata", trace_mode, CFG_STRING, agent.trace_mode),
    K("agent.kata", trace_type, CFG_STRING, agent.trace_type),
    K("agent.kata", kernel_modules, CFG_STRLIST, agent.kernel_modules),
    K("agent.kata", dial_timeout, CFG_UINT32, agent.dial_timeout),
    K("proxy.kata", path, CFG_STRING, proxy.path),
    K("proxy.kata", enable_debug, CFG_BOOL, proxy.enable_debug),
    K("shim.kata", path, CFG_STRING, shim.path),
    K("shim.kata", enable_debug, CFG_BOOL, shim.enable_debug),
    K("shim.kata", enable_tracing, CFG_BOOL, shim.enable_tracing),
    K("runtime", enable_debug, CFG_BOOL, runtime.enable_debug),
    K("runtime", enable_tracing, CFG_BOOL, runtime.enable_tracing),
    K("runtime", enable_pprof, CFG_BOOL, runtime.enable_pprof),
    K("runtime", disable_new_netns, CFG_BOOL, runtime.disable_new_netns),
    K("runtime", disable_guest_seccomp, CFG_BOOL, runtime.disable_guest_seccomp),
    K("runtime", sandbox_cgroup_only, CFG_BOOL, runtime.sandbox_cgroup_only),
    K("runtime", experimental, CFG_STRLIST, runtime.experimental),
    K("runtime", internetworking_model, CFG_STRING, runtime.internetworking_model),
    K("factory", enable_template, CFG_BOOL, factory.enable_template),
    K("factory", template_path, CFG_STRING, factory.template_path),
    K("factory", vm_cache_number, CFG_UINT32, factory.vm_cache_number),
    K("factory", vm_cache_endpoint, CFG_STRING, factory.vm_cache_endpoint),
    K("netmon", path, CFG_STRING, netmon.path),
    K("netmon", enable_debug, CFG_BOOL, netmon.enable_debug),
    K("netmon", enable_netmon, CFG_BOOL, netmon.enable_netmon),
};
const size_t n_config_keys = ARRAY_SIZE(config_keys);

/* Kata's own types for the component tables ([proxy.kata], ...). */
static const struct {
	const char *component, *supported, *known_others;
} components[] = {
    {"hypervisor", "qemu", "firecracker clh acrn"},
    {"agent", "kata", ""},
    {"proxy", "kata", ""},
    {"shim", "kata", ""},
};

static const char *const plain_sections[] = {"runtime", "factory", "netmon", NULL};

const struct config_key *config_key_find(const char *section, const char *name)
{
	for (size_t i = 0; i < n_config_keys; i++)
		if (!strcmp(config_keys[i].section, section) && !strcmp(config_keys[i].name, name))
			return &config_keys[i];
	return NULL;
}

const char *config_type_name(enum config_type t)
{
	switch (t) {
	case CFG_STRING: return "a string";
	case CFG_BOOL: return "a boolean (true or false)";
	case CFG_INT32: return "an integer";
	case CFG_UINT32: return "a non-negative integer";
	case CFG_STRLIST: return "an array of strings";
	}
	return "?";
}

void config_key_where(const struct kc_config *c, const char *section, const char *name, char *buf,
		      size_t len)
{
	const struct config_key *k = config_key_find(section, name);
	unsigned line = k && c->key_lines ? c->key_lines[k - config_keys] : 0;

	if (c->source && line)
		snprintf(buf, len, "%s:%u: ", c->source, line);
	else if (c->source)
		snprintf(buf, len, "%s: ", c->source);
	else
		buf[0] = '\0';
}

void strlist_add(struct strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 2) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
	l->v[l->n] = NULL;
}

void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

bool strlist_contains(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

static void set_string(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

void config_defaults(struct kc_config *c)
{
	memset(c, 0, sizeof(*c));
	struct qemu_config *h = &c->hypervisor;
	set_string(&h->path, "/usr/bin/" KC_QEMU_BINARY);
	set_string(&h->kernel, KC_GUESTDIR "/vmlinux.container");
	set_string(&h->initrd, KC_DEFAULT_INITRD);
	set_string(&h->image, "");
	set_string(&h->firmware, "");
	set_string(&h->machine_type, KC_MACHINE_TYPE);
	set_string(&h->machine_accelerators, "");
	set_string(&h->cpu_features, "");
	set_string(&h->kernel_params, "");
	set_string(&h->accel, "kvm");
	set_string(&h->seccompsandbox, QEMU_SECCOMP_SANDBOX_DEFAULT);
	set_string(&h->block_device_driver, "virtio-scsi");
	set_string(&h->entropy_source, "/dev/urandom");
	set_string(&h->shared_fs, "virtio-9p");
	set_string(&h->virtio_fs_daemon, "/usr/lib/qemu/virtiofsd");
	set_string(&h->virtio_fs_cache, "auto");
	set_string(&h->file_mem_backend, "");
	set_string(&h->guest_hook_path, "");
	set_string(&h->vhost_user_store_path, "/var/run/kata-containers/vhost-user");
	set_string(&h->jailer_path, "");
	set_string(&h->ctlpath, "");
	h->default_vcpus = CONFIG_DEFAULT_VCPUS;
	h->default_memory = CONFIG_DEFAULT_MEMORY_MIB;
	h->memory_slots = CONFIG_DEFAULT_MEMORY_SLOTS;
	h->default_bridges = CONFIG_DEFAULT_BRIDGES;
	h->msize_9p = CONFIG_DEFAULT_MSIZE_9P;
	h->virtio_fs_cache_size = CONFIG_DEFAULT_VIRTIOFS_DAX;
	set_string(&c->agent.trace_mode, "");
	set_string(&c->agent.trace_type, "");
	c->agent.dial_timeout = CONFIG_DEFAULT_DIAL_TIMEOUT;
	set_string(&c->proxy.path, KC_LIBEXECDIR "/kata-proxy");
	set_string(&c->shim.path, KC_LIBEXECDIR "/kata-shim");
	set_string(&c->netmon.path, KC_LIBEXECDIR "/kata-netmon");
	set_string(&c->runtime.internetworking_model, "tcfilter");
	c->runtime.disable_guest_seccomp = false;
	set_string(&c->factory.template_path, "/run/vc/vm/template");
	set_string(&c->factory.vm_cache_endpoint, "/var/run/kata-containers/cache.sock");
}

void config_free(struct kc_config *c)
{
	for (size_t i = 0; i < n_config_keys; i++) {
		void *field = (char *)c + config_keys[i].offset;
		if (config_keys[i].type == CFG_STRING)
			free(*(char **)field);
		else if (config_keys[i].type == CFG_STRLIST)
			strlist_free(field);
	}
	strlist_free(&c->warnings);
	strlist_free(&c->ignored);
	free(c->key_lines);
	free(c->source);
	memset(c, 0, sizeof(*c));
}

/* Assign one TOML value to its field; type errors name file:line and key. */
static int set_field(struct kc_config *c, const struct config_key *k, const struct toml_kv *kv,
		     const char *name, struct kc_error *err)
{
	const struct toml_value *v = kv->value;
	void *field = (char *)c + k->offset;
	const char *found = toml_type_name(v->type);

#define TYPE_ERROR()                                                                               \
	kc_error_set(err, 0, "%s:%u:%u: [%s] %s: expected %s, found %s %s", name, kv->line,        \
		     kv->col, k->section, k->name, config_type_name(k->type),                      \
		     v->type == TOML_ARRAY || v->type == TOML_INTEGER ? "an" : "a", found)

	switch (k->type) {
	case CFG_STRING:
		if (v->type != TOML_STRING)
			return TYPE_ERROR();
		if (memchr(v->u.s.ptr, '\0', v->u.s.len))
			return kc_error_set(err, 0,
					    "%s:%u:%u: [%s] %s: a NUL character is not allowed",
					    name, kv->line, kv->col, k->section, k->name);
		set_string(field, v->u.s.ptr);
		return 0;
	case CFG_BOOL:
		if (v->type != TOML_BOOLEAN)
			return TYPE_ERROR();
		*(bool *)field = v->u.b;
		return 0;
	case CFG_INT32:
	case CFG_UINT32:
		/* the VM cache's size may be left to the host (config.h) */
		if (field == &c->factory.vm_cache_number && v->type == TOML_STRING) {
			if (v->u.s.len != 4 || memcmp(v->u.s.ptr, "auto", 4))
				return kc_error_set(err, 0,
						    "%s:%u:%u: [%s] %s: expected a non-negative "
						    "integer or \"auto\", found \"%.*s\"",
						    name, kv->line, kv->col, k->section, k->name,
						    v->u.s.len > 64 ? 64 : (int)v->u.s.len,
						    v->u.s.ptr);
			c->factory.vm_cache_number = VM_CACHE_AUTO;
			return 0;
		}
		if (v->type != TOML_INTEGER)
			return TYPE_ERROR();
		if (k->type == CFG_UINT32 && (v->u.i < 0 || v->u.i > UINT32_MAX))
			return kc_error_set(
			    err, 0, "%s:%u:%u: [%s] %s: %lld is out of range (0 to %u)", name,
			    kv->line, kv->col, k->section, k->name, (long long)v->u.i, UINT32_MAX);
		if (k->type == CFG_INT32 && (v->u.i < INT32_MIN || v->u.i > INT32_MAX))
			return kc_error_set(err, 0, "%s:%u:%u: [%s] %s: %lld is out of range", name,
					    kv->line, kv->col, k->section, k->name,
					    (long long)v->u.i);
		if (k->type == CFG_UINT32)
			*(uint32_t *)field = (uint32_t)v->u.i;
		else
			*(int32_t *)field = (int32_t)v->u.i;
		return 0;
	case CFG_STRLIST: {
		if (v->type != TOML_ARRAY)
			return TYPE_ERROR();
		struct strlist *l = field;
		strlist_free(l);
		for (size_t i = 0; i < v->u.a.n; i++) {
			const struct toml_value *e = v->u.a.items[i];
			if (e->type != TOML_STRING || memchr(e->u.s.ptr, '\0', e->u.s.len))
				return kc_error_set(
				    err, 0,
				    "%s:%u:%u: [%s] %s: element %zu: expected a string, found %s",
				    name, e->line, e->col, k->section, k->name, i + 1,
				    toml_type_name(e->type));
			strlist_add(l, e->u.s.ptr);
		}
		return 0;
	}
	}
#undef TYPE_ERROR
	return 0;
}

static void warn(struct kc_config *c, const char *fmt, ...) _printf_(2, 3);
static void warn(struct kc_config *c, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0) {
		strlist_add(&c->warnings, s);
		free(s);
	}
	va_end(ap);
}

static int load_section(struct kc_config *c, const char *section, const struct toml_kv *table,
			const char *name, struct kc_error *err)
{
	const struct toml_value *t = table->value;

	if (t->type != TOML_TABLE)
		return kc_error_set(err, 0, "%s:%u:%u: [%s] must be a table, found %s", name,
				    table->line, table->col, section, toml_type_name(t->type));
	for (size_t i = 0; i < t->u.t.n; i++) {
		const struct toml_kv *kv = &t->u.t.kv[i];
		const struct config_key *k = config_key_find(section, kv->key);
		if (!k) {
			warn(c, "%s:%u: unknown key '%s' in [%s] (ignored)", name, kv->line,
			     kv->key, section);
			continue;
		}
		if (set_field(c, k, kv, name, err) < 0)
			return -1;
		if (!c->key_lines)
			c->key_lines = xcalloc(n_config_keys, sizeof(*c->key_lines));
		c->key_lines[k - config_keys] = kv->line;
	}
	return 0;
}

static int load_component(struct kc_config *c, size_t ci, const struct toml_kv *kv,
			  const char *name, struct kc_error *err)
{
	const struct toml_value *t = kv->value;
	char section[96];

	if (t->type != TOML_TABLE)
		return kc_error_set(err, 0, "%s:%u:%u: [%s] must be a table, found %s", name,
				    kv->line, kv->col, components[ci].component,
				    toml_type_name(t->type));
	for (size_t i = 0; i < t->u.t.n; i++) {
		const struct toml_kv *sub = &t->u.t.kv[i];
		if (strcmp(sub->key, components[ci].supported)) {
			if (word_list_contains(components[ci].known_others, sub->key))
				return kc_error_set(
				    err, 0, "%s:%u: [%s.%s]: this runtime supports only [%s.%s]",
				    name, sub->line, components[ci].component, sub->key,
				    components[ci].component, components[ci].supported);
			return kc_error_set(err, 0,
					    "%s:%u: [%s.%s]: unknown %s type (supported: %s)", name,
					    sub->line, components[ci].component, sub->key,
					    components[ci].component, components[ci].supported);
		}
		snprintf(section, sizeof(section), "%s.%s", components[ci].component, sub->key);
		if (load_section(c, section, sub, name, err) < 0)
			return -1;
	}
	return 0;
}

int config_load_text(struct kc_config *c, const char *text, size_t len, const char *name,
		     struct kc_error *err)
{
	struct toml_value *doc = toml_parse(text, len, name, err);
	int r = 0;

	if (!doc)
		return -1;
	if (!c->source)
		c->source = xstrdup(name);
	for (size_t i = 0; i < doc->u.t.n && r == 0; i++) {
		const struct toml_kv *kv = &doc->u.t.kv[i];
		bool known = false;
		for (size_t ci = 0; ci < ARRAY_SIZE(components); ci++)
			if (!strcmp(kv->key, components[ci].component)) {
				r = load_component(c, ci, kv, name, err);
				known = true;
			}
		for (size_t si = 0; plain_sections[si] && !known; si++)
			if (!strcmp(kv->key, plain_sections[si])) {
				r = load_section(c, plain_sections[si], kv, name, err);
				known = true;
			}
		if (!known)
			warn(c, "%s:%u: unknown %s '%s' (ignored)", name, kv->line,
			     kv->value->type == TOML_TABLE ? "section" : "key", kv->key);
	}
	toml_free(doc);
	return r;
}

/* Why a key has no effect in this runtime. */
static const struct {
	const char *section, *key, *why;
} ignored_keys[] = {
    {"hypervisor.qemu", "jailer_path", "a Firecracker setting"},
    {"hypervisor.qemu", "ctlpath", "a Cloud Hypervisor setting"},
    {"hypervisor.qemu", "memory_offset", "it sizes NVDIMM block devices, which are not used"},
#define NO_BLOCK                                                                                   \
	"container root filesystems reach the guest through the shared filesystem, never as "      \
	"block devices"
    {"hypervisor.qemu", "block_device_driver", NO_BLOCK},
    {"hypervisor.qemu", "block_device_cache_set", NO_BLOCK},
    {"hypervisor.qemu", "block_device_cache_direct", NO_BLOCK},
    {"hypervisor.qemu", "block_device_cache_noflush", NO_BLOCK},
    {"hypervisor.qemu", "disable_block_device_use", NO_BLOCK},
    {"hypervisor.qemu", "enable_iothreads",
     "iothreads serve virtio-scsi block devices, which are not used"},
#undef NO_BLOCK
    {"hypervisor.qemu", "virtio_fs_cache_size",
     "no DAX window is mapped; virtio_fs_cache sets virtiofsd's caching"},
    {"hypervisor.qemu", "enable_virtio_mem", "memory is hot-plugged as DIMMs (memory_slots)"},
    {"hypervisor.qemu", "file_mem_backend", "guest memory is anonymous, or a memfd with virtio-fs"},
    {"hypervisor.qemu", "enable_swap",
     "guest memory is never locked, so the host may always swap it"},
    {"hypervisor.qemu", "disable_nesting_checks",
     "the runtime changes nothing when it runs nested; kata-check reports nesting"},
    {"hypervisor.qemu", "disable_image_nvdimm",
     "no guest image is used: the guest boots an initrd"},
    {"hypervisor.qemu", "guest_hook_path",
     "the guest initrd holds no OCI hooks; the spec's hooks run on the host"},
    {"hypervisor.qemu", "enable_vhost_user_store", "vhost-user block devices are not used"},
    {"hypervisor.qemu", "vhost_user_store_path", "vhost-user block devices are not used"},
    {"agent.kata", "enable_tracing", "no OpenTracing in the agent; enable_debug gives its log"},
    {"agent.kata", "trace_mode", "no OpenTracing in the agent"},
    {"agent.kata", "trace_type", "no OpenTracing in the agent"},
    {"agent.kata", "kernel_modules",
     "guest modules load on demand: kata-agent is the guest kernel's modprobe"},
    {"shim.kata", "enable_tracing", "no OpenTracing in kata-shim"},
    {"runtime", "enable_tracing",
     "no OpenTracing in kata-runtime; --log with --debug gives its log"},
    {"runtime", "enable_pprof", "there is no Go runtime to profile"},
};

static bool field_is_default(const struct kc_config *c, const struct kc_config *d,
			     const struct config_key *k)
{
	const void *a = (const char *)c + k->offset, *b = (const char *)d + k->offset;
	switch (k->type) {
	case CFG_STRING: {
		const char *x = *(char *const *)a, *y = *(char *const *)b;
		return !strcmp(x ? x : "", y ? y : "");
	}
	case CFG_BOOL: return *(const bool *)a == *(const bool *)b;
	case CFG_INT32: return *(const int32_t *)a == *(const int32_t *)b;
	case CFG_UINT32: return *(const uint32_t *)a == *(const uint32_t *)b;
	case CFG_STRLIST: {
		const struct strlist *x = a, *y = b;
		if (x->n != y->n)
			return false;
		for (size_t i = 0; i < x->n; i++)
			if (strcmp(x->v[i], y->v[i]))
				return false;
		return true;
	}
	}
	return true;
}

void config_note_ignored(struct kc_config *c)
{
	struct kc_config d;

	strlist_free(&c->ignored);
	if (!c->key_lines)
		return;
	config_defaults(&d);
	for (size_t i = 0; i < ARRAY_SIZE(ignored_keys); i++) {
		const struct config_key *k =
		    config_key_find(ignored_keys[i].section, ignored_keys[i].key);
		if (!k || !c->key_lines[k - config_keys] || field_is_default(c, &d, k))
			continue;
		char where[512];
		config_key_where(c, k->section, k->name, where, sizeof(where));
		_cleanup_free_ char *s = xasprintf("%s[%s] %s: no effect here: %s", where,
						   k->section, k->name, ignored_keys[i].why);
		strlist_add(&c->ignored, s);
	}
	config_free(&d);
}
