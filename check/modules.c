/* Kernel modules: state from the host's /sys/module and /proc/modules,
 * the module database (modules.dep, modules.builtin, blacklists, options,
 * install commands) through libkmod, and the kernel config for what neither
 * can tell. Nothing is ever loaded.
 *
 * libkmod's kmod_module_get_initstate() reads the running machine's
 * /sys/module, which is wrong for a host root that is not "/", so the
 * loaded state is read here through the host root instead. */
#include "modules.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "kconfig.h"
#include "kmod_api.h"
#include "strbuf.h"
#include "strutil.h"

#define ARCH_ANY 0u
#define ARCH_BIT(a) (1u << (a))

static const struct module_spec {
	const char *name;
	const char *kconfig;
	unsigned arches; /* ARCH_ANY or a mask of ARCH_BIT() */
	const char *params[MODULE_PARAMS_MAX];
} module_specs[] = {
	{"kvm", "CONFIG_KVM", ARCH_ANY, {NULL}},
	{"kvm_intel", "CONFIG_KVM_INTEL", ARCH_BIT(ARCH_X86_64), {"nested", "unrestricted_guest", "ept"}},
	{"kvm_amd", "CONFIG_KVM_AMD", ARCH_BIT(ARCH_X86_64), {"nested", "sev", "npt"}},
	{"kvm_pvm", "CONFIG_KVM_PVM", ARCH_BIT(ARCH_X86_64), {NULL}},
	{"kvm_hv", "CONFIG_KVM_BOOK3S_64_HV", ARCH_BIT(ARCH_PPC64LE), {NULL}},
	{"vhost", "CONFIG_VHOST", ARCH_ANY, {NULL}},
	{"vhost_net", "CONFIG_VHOST_NET", ARCH_ANY, {NULL}},
	{"vhost_vsock", "CONFIG_VHOST_VSOCK", ARCH_ANY, {NULL}},
	{"vsock", "CONFIG_VSOCKETS", ARCH_ANY, {NULL}},
	{"tun", "CONFIG_TUN", ARCH_ANY, {NULL}},
	{"vfio", "CONFIG_VFIO", ARCH_ANY, {NULL}},
	{"vfio_pci", "CONFIG_VFIO_PCI", ARCH_ANY, {NULL}},
	{"vfio_iommu_type1", "CONFIG_VFIO_IOMMU_TYPE1", ARCH_ANY, {NULL}},
};

/* kmod's defaults (Debian keeps vendor files in /lib/modprobe.d). */
const char *const modprobe_config_dirs[] = {
	"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/lib/modprobe.d",
	NULL,
};

struct kmod_log_state {
	char first[160];
};

static void kmod_log_capture(void *data, int priority, const char *file _unused_,
			     int line _unused_, const char *fn _unused_, const char *format,
			     va_list args)
{
	struct kmod_log_state *st = data;

	if (priority > LOG_ERR || st->first[0])
		return;
	vsnprintf(st->first, sizeof(st->first), format, args);
	str_trim(st->first);
}

static void underscores(char *s)
{
	for (; *s; s++)
		if (*s == '-')
			*s = '_';
}

/* Names listed in /proc/modules, space-separated with a leading and
 * trailing space so " name " can be searched. */
static char *read_proc_modules(const struct host_root *root)
{
	_cleanup_free_ char *text = NULL;
	struct strbuf sb = STRBUF_INIT;
	char *cursor, *line;

	if (host_read_file(root, "/proc/modules", 4 * 1024 * 1024, &text, NULL) < 0)
		return NULL;
	strbuf_putc(&sb, ' ');
	cursor = text;
	while ((line = next_line(&cursor))) {
		char *sp = strchr(line, ' ');
		if (sp)
			*sp = '\0';
		underscores(line);
		if (*line) {
			strbuf_append(&sb, line);
			strbuf_putc(&sb, ' ');
		}
	}
	return strbuf_steal(&sb);
}

static bool proc_modules_has(const char *list, const char *name)
{
	char needle[40];

	if (!list)
		return false;
	snprintf(needle, sizeof(needle), " %s ", name);
	return strstr(list, needle) != NULL;
}

struct kmod_view {
	const struct kmod_api *k;
	struct kmod_ctx *ctx;
	bool usable;  /* indexes loaded */
	char *blacklist; /* " a b c " */
};

static void kmod_view_open(const struct host_root *root, struct modules_facts *mf,
			   struct kmod_view *kv, struct kmod_log_state *log)
{
	_cleanup_free_ char *dir = NULL;
	char *cfg[ARRAY_SIZE(modprobe_config_dirs)] = {NULL};
	struct strbuf bl = STRBUF_INIT;
	struct kmod_config_iter *it;
	int r;

	if (!mf->modules_dir_present) {
		snprintf(mf->kmod_error, sizeof(mf->kmod_error), "%s does not exist",
			 mf->modules_dir);
		return;
	}
	struct kc_error err = {0};
	kv->k = kmod_api_get(&err);
	if (!kv->k) {
		snprintf(mf->kmod_error, sizeof(mf->kmod_error), "%s", err.msg);
		return;
	}
	dir = host_path(root, mf->modules_dir);
	for (size_t i = 0; modprobe_config_dirs[i]; i++)
		cfg[i] = host_path(root, modprobe_config_dirs[i]);
	kv->ctx = kv->k->new_ctx(dir, (const char *const *)cfg);
	for (size_t i = 0; cfg[i]; i++)
		free(cfg[i]);
	if (!kv->ctx) {
		snprintf(mf->kmod_error, sizeof(mf->kmod_error), "libkmod could not start");
		return;
	}
	kv->k->set_log_fn(kv->ctx, kmod_log_capture, log);
	kv->k->set_log_priority(kv->ctx, LOG_ERR);
	r = kv->k->load_resources(kv->ctx);
	if (r < 0) {
		snprintf(mf->kmod_error, sizeof(mf->kmod_error),
			 "module index unreadable in %s (%s); run depmod", mf->modules_dir,
			 log->first[0] ? log->first : strerror(-r));
		return;
	}
	kv->usable = true;
	strbuf_putc(&bl, ' ');
	it = kv->k->config_get_blacklists(kv->ctx);
	while (it && kv->k->config_iter_next(it)) {
		char name[64];
		str_copy(name, sizeof(name), kv->k->config_iter_get_key(it));
		underscores(name);
		strbuf_appendf(&bl, "%s ", name);
	}
	if (it)
		kv->k->config_iter_free_iter(it);
	kv->blacklist = strbuf_steal(&bl);
}

static void kmod_view_close(struct kmod_view *kv)
{
	if (kv->ctx)
		kv->k->unref(kv->ctx);
	free(kv->blacklist);
}

/* What the module database says about one module. */
static void lookup_module(const struct host_root *root, const struct modules_facts *mf,
			  const struct kmod_view *kv, struct module_facts *m, bool *found,
			  bool *has_path, char *install, size_t install_len)
{
	struct kmod_list *list = NULL, *it;

	*found = *has_path = false;
	install[0] = '\0';
	const struct kmod_api *k = kv->k;
	if (!kv->usable || k->module_new_from_lookup(kv->ctx, m->name, &list) < 0)
		return;
	for (it = list; it; it = k->list_next(list, it)) {
		struct kmod_module *mod = k->module_get_module(it);
		char name[64];

		str_copy(name, sizeof(name), k->module_get_name(mod));
		underscores(name);
		if (!strcmp(name, m->name)) {
			const char *path = k->module_get_path(mod);
			const char *opts = k->module_get_options(mod);
			const char *cmd = k->module_get_install_commands(mod);
			*found = true;
			if (path) {
				/* libkmod gives dir/relative; keep the part under the modules dir */
				_cleanup_free_ char *dir = host_path(root, mf->modules_dir);
				size_t dl = strlen(dir);
				const char *rel = !strncmp(path, dir, dl) && path[dl] == '/'
							  ? path + dl + 1
							  : path;
				str_copy(m->path, sizeof(m->path), rel);
				*has_path = true;
			}
			if (opts)
				str_copy(m->options, sizeof(m->options), opts);
			if (cmd)
				str_copy(install, install_len, cmd);
		}
		k->module_unref(mod);
	}
	k->module_unref_list(list);
}

static void read_params(const struct host_root *root, const struct module_spec *spec,
			struct module_facts *m)
{
	for (int i = 0; i < MODULE_PARAMS_MAX && spec->params[i]; i++) {
		struct module_param_fact *p = &m->params[m->nparams++];
		char path[160];
		int r;

		str_copy(p->name, sizeof(p->name), spec->params[i]);
		snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", m->name, p->name);
		r = host_read_attr(root, path, p->value, sizeof(p->value));
		p->read_errno = r < 0 ? -r : 0;
		if (r < 0)
			p->value[0] = '\0';
	}
}

static void probe_one(const struct host_root *root, struct modules_facts *mf,
		      const struct kmod_view *kv, const char *proc_modules,
		      const struct module_spec *spec, char kconfig_value)
{
	struct module_facts *m = &mf->mods[mf->n++];
	char path[128], state[32], install[128];
	bool found, has_path;
	struct stat st;

	memset(m, 0, sizeof(*m));
	str_copy(m->name, sizeof(m->name), spec->name);
	str_copy(m->kconfig, sizeof(m->kconfig), spec->kconfig);
	m->kconfig_value = kconfig_value;
	m->refcnt = -1;
	m->blacklisted = kv->blacklist && proc_modules_has(kv->blacklist, m->name);

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", m->name);
	if (host_read_attr(root, path, state, sizeof(state)) == 0) {
		unsigned v;
		if (parse_uint(state, 10, &v) == 0)
			m->refcnt = (int)v;
	}
	lookup_module(root, mf, kv, m, &found, &has_path, install, sizeof(install));
	if (install[0] && (str_startswith(install, "/bin/true") ||
			   str_startswith(install, "/bin/false") ||
			   str_startswith(install, "/usr/bin/true") ||
			   str_startswith(install, "/usr/bin/false")))
		m->blacklisted = true; /* the usual way to make modprobe refuse a module */

	/* spec->name and a copy of the path: gcc cannot see that m->evidence
	 * does not overlap other members of m when they are snprintf arguments */
	char rel[sizeof(m->path)];
	str_copy(rel, sizeof(rel), m->path);
	snprintf(path, sizeof(path), "/sys/module/%s/initstate", spec->name);
	if (host_read_attr(root, path, state, sizeof(state)) == 0) {
		m->state = MOD_LOADED;
		snprintf(m->evidence, sizeof(m->evidence), "/sys/module/%s/initstate: %s", spec->name,
			 state);
	} else if (proc_modules_has(proc_modules, spec->name)) {
		m->state = MOD_LOADED;
		snprintf(m->evidence, sizeof(m->evidence), "listed in /proc/modules");
	} else if ((snprintf(path, sizeof(path), "/sys/module/%s", spec->name),
		    host_stat(root, path, &st, true) == 0 && S_ISDIR(st.st_mode))) {
		/* built-in modules with parameters appear here without initstate */
		m->state = MOD_BUILTIN;
		snprintf(m->evidence, sizeof(m->evidence), "/sys/module/%s without initstate",
			 spec->name);
	} else if (found && !has_path) {
		m->state = MOD_BUILTIN;
		snprintf(m->evidence, sizeof(m->evidence), "modules.builtin");
	} else if (kconfig_value == 'y') {
		m->state = MOD_BUILTIN;
		snprintf(m->evidence, sizeof(m->evidence), "%s=y", spec->kconfig);
	} else if (found && has_path) {
		char ko[512];
		snprintf(ko, sizeof(ko), "%s/%s", mf->modules_dir, rel);
		if (host_exists(root, ko)) {
			m->state = MOD_AVAILABLE;
			snprintf(m->evidence, sizeof(m->evidence), "modules.dep: %s", rel);
		} else {
			m->state = MOD_ABSENT;
			snprintf(m->evidence, sizeof(m->evidence),
				 "modules.dep names %s but the file is missing", rel);
		}
	} else if (kconfig_value == 'm' && mf->modules_dir_present && !kv->usable) {
		/* the .ko may well be there: only the index to find it is missing */
		m->state = MOD_UNKNOWN;
		snprintf(m->evidence, sizeof(m->evidence),
			 "%s=m, but the module database is unreadable", spec->kconfig);
	} else if (kconfig_value == 'm') {
		m->state = MOD_ABSENT;
		snprintf(m->evidence, sizeof(m->evidence),
			 "%s=m but the module is not installed in %s", spec->kconfig,
			 mf->modules_dir);
	} else if (kconfig_value == 'n') {
		m->state = MOD_ABSENT;
		snprintf(m->evidence, sizeof(m->evidence), "%s is not set in the kernel config",
			 spec->kconfig);
	} else if (kv->usable) {
		m->state = MOD_ABSENT;
		snprintf(m->evidence, sizeof(m->evidence),
			 "not loaded, not built in, not in modules.dep");
	} else {
		m->state = MOD_UNKNOWN;
		snprintf(m->evidence, sizeof(m->evidence),
			 "not loaded; no module index or kernel config to tell more");
	}
	if (m->state == MOD_LOADED || m->state == MOD_BUILTIN)
		read_params(root, spec, m);
}

void modules_probe(const struct host_root *root, const char *release, enum host_arch arch,
		   struct modules_facts *mf)
{
	struct kconfig_query q[ARRAY_SIZE(module_specs) + 1];
	struct kmod_log_state log = {{0}};
	struct kmod_view kv = {0};
	_cleanup_free_ char *proc_modules = NULL;
	struct stat st;
	size_t nq = 0;

	str_copy(mf->release, sizeof(mf->release), release);
	snprintf(mf->modules_dir, sizeof(mf->modules_dir), "/lib/modules/%s", release);
	mf->modules_dir_present = release[0] && host_stat(root, mf->modules_dir, &st, true) == 0 &&
				  S_ISDIR(st.st_mode);

	q[nq++] = (struct kconfig_query){"CONFIG_MODULES", 0};
	for (size_t i = 0; i < ARRAY_SIZE(module_specs); i++)
		q[nq++] = (struct kconfig_query){module_specs[i].kconfig, 0};
	if (kconfig_lookup(root, release, q, nq, mf->kernel_config, sizeof(mf->kernel_config)) < 0)
		mf->kernel_config[0] = '\0';
	mf->modules_support = q[0].value;

	kmod_view_open(root, mf, &kv, &log);
	proc_modules = read_proc_modules(root);

	for (size_t i = 0; i < ARRAY_SIZE(module_specs) && mf->n < MODULES_MAX; i++) {
		const struct module_spec *spec = &module_specs[i];
		if (spec->arches != ARCH_ANY && !(spec->arches & ARCH_BIT(arch)))
			continue;
		probe_one(root, mf, &kv, proc_modules, spec, q[i + 1].value);
	}
	kmod_view_close(&kv);
}
