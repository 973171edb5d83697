/* Kernel modules: state from the host's /sys/module and /proc/modules,
 * the module database (modules.dep, modules.builtin, blacklists, options,
 * install commands) through libkmod, and the kernel config for what neither
 * can tell. Nothing is ever loaded.
 *
 * libkmod's kmod_module_get_initstate() reads the running machine's
 * /sys/module, which is wrong for a host root that is not "/", so the
 * loaded state is read here through the host root instead. */
#include "modules.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <syslog.h>

#include "kconfig.h"
#include "kmod_api.h"
#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

#define ARCH_ANY    0u
#define ARCH_BIT(a) (1u << (a))

static const struct module_spec {
	const char *name;
	const char *kconfig;
	unsigned arches;  /* ARCH_ANY or a mask of ARCH_BIT() */
	const char *dirs; /* where the kernel's build puts the .ko (space-separated) */
	const char *params[MODULE_PARAMS_MAX];
} module_specs[] = {
#define KVM_DIRS                                                                                   \
	"kernel/arch/x86/kvm kernel/arch/arm64/kvm kernel/arch/powerpc/kvm kernel/arch/s390/kvm"
    {"kvm", "CONFIG_KVM", ARCH_ANY, KVM_DIRS, {NULL}},
    {"kvm_intel",
     "CONFIG_KVM_INTEL",
     ARCH_BIT(ARCH_X86_64),
     KVM_DIRS,
     {"nested", "unrestricted_guest", "ept", "tdx"}},
    {"kvm_amd",
     "CONFIG_KVM_AMD",
     ARCH_BIT(ARCH_X86_64),
     KVM_DIRS,
     {"nested", "sev", "npt", "sev_es", "sev_snp"}},
    {"kvm_pvm", "CONFIG_KVM_PVM", ARCH_BIT(ARCH_X86_64), KVM_DIRS, {NULL}},
    {"kvm_hv", "CONFIG_KVM_BOOK3S_64_HV", ARCH_BIT(ARCH_PPC64LE), KVM_DIRS, {NULL}},
#undef KVM_DIRS
    {"vhost", "CONFIG_VHOST", ARCH_ANY, "kernel/drivers/vhost", {NULL}},
    {"vhost_net", "CONFIG_VHOST_NET", ARCH_ANY, "kernel/drivers/vhost", {NULL}},
    {"vhost_vsock", "CONFIG_VHOST_VSOCK", ARCH_ANY, "kernel/drivers/vhost", {NULL}},
    {"vsock", "CONFIG_VSOCKETS", ARCH_ANY, "kernel/net/vmw_vsock", {NULL}},
    /* other hypervisors' vsock transports: before Linux 5.5 only one host
     * transport could be registered, and these take the place first */
    {"vmw_vsock_vmci_transport",
     "CONFIG_VMWARE_VMCI_VSOCKETS",
     ARCH_BIT(ARCH_X86_64),
     "kernel/net/vmw_vsock",
     {NULL}},
    {"hv_sock", "CONFIG_HYPERV_VSOCKETS", ARCH_BIT(ARCH_X86_64), "kernel/net/vmw_vsock", {NULL}},
    {"tun", "CONFIG_TUN", ARCH_ANY, "kernel/drivers/net", {NULL}},
    {"vfio", "CONFIG_VFIO", ARCH_ANY, "kernel/drivers/vfio", {NULL}},
    {"vfio_pci", "CONFIG_VFIO_PCI", ARCH_ANY, "kernel/drivers/vfio/pci", {NULL}},
    {"vfio_iommu_type1", "CONFIG_VFIO_IOMMU_TYPE1", ARCH_ANY, "kernel/drivers/vfio", {NULL}},
};

/* kmod's defaults (Debian keeps vendor files in /lib/modprobe.d). */
const char *const modprobe_config_dirs[] = {
    "/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/lib/modprobe.d", NULL,
};

static int by_name(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '/'), *y = strrchr(*(char *const *)b, '/');
	return strcmp(x ? x + 1 : "", y ? y + 1 : "");
}

char **modprobe_config_files(void)
{
	size_t n = 0, cap = 16;
	char **v = xcalloc(cap, sizeof(char *));
	for (size_t d = 0; modprobe_config_dirs[d]; d++) {
		_cleanup_closedir_ DIR *dir = opendir(modprobe_config_dirs[d]);
		struct dirent *e;
		while (dir && (e = readdir(dir))) {
			size_t l = strlen(e->d_name);
			if (e->d_name[0] == '.' || l < 6 || strcmp(e->d_name + l - 5, ".conf"))
				continue;
			bool hidden = false;
			for (size_t i = 0; i < n && !hidden; i++)
				hidden = !strcmp(strrchr(v[i], '/') + 1, e->d_name);
			if (hidden)
				continue;
			char *path = xasprintf("%s/%s", modprobe_config_dirs[d], e->d_name);
			struct stat st;
			/* a name that is not a regular file still hides later ones (a
			 * symlink to /dev/null masks a vendor file); only files are read */
			if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
				char *masked = xasprintf("%s/%s", "/dev/null/masked", e->d_name);
				free(path);
				path = masked;
			}
			if (n + 2 > cap)
				v = xrealloc(v, (cap *= 2) * sizeof(char *));
			v[n++] = path;
		}
	}
	qsort(v, n, sizeof(char *), by_name);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strncmp(v[i], "/dev/null/masked/", 17))
			free(v[i]);
		else
			v[k++] = v[i];
	}
	v[k] = NULL;
	return v;
}

const char *modules_index_problem(const char *dir, char *buf, size_t len)
{
	static const char *const indexes[] = {
	    "modules.dep.bin",	   "modules.alias.bin",		"modules.symbols.bin",
	    "modules.builtin.bin", "modules.builtin.alias.bin", "modules.softdep",
	    "modules.devname",	   "modules.builtin.modinfo",	NULL};
	for (size_t i = 0; indexes[i]; i++) {
		char path[512];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, indexes[i]);
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			snprintf(buf, len, "%s is not a regular file: not read", path);
			return buf;
		}
	}
	return NULL;
}

struct kmod_log_state {
	char first[160];
};

static void kmod_log_capture(void *data, int priority, const char *file _unused_, int line _unused_,
			     const char *fn _unused_, const char *format, va_list args)
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

/* Everything libkmod says, as plain data: it is gathered in a child
 * confined to the host root (host_run_confined), where the module
 * directory and modprobe.d are plain paths. */
struct kmod_lookup {
	bool found, has_path;
	char path[sizeof(((struct module_facts *)0)->path)];
	char options[sizeof(((struct module_facts *)0)->options)];
	char install[128];
};

struct kmod_answers {
	bool usable; /* indexes loaded */
	/* a module file on disk that the index does not list (depmod not run
	 * since it was installed), relative to the modules directory */
	char unindexed[MODULES_MAX][sizeof(((struct module_facts *)0)->path)];
	char error[sizeof(((struct modules_facts *)0)->kmod_error)];
	char blacklist[1024]; /* " a b c " */
	struct kmod_lookup mods[MODULES_MAX];
};

struct kmod_questions {
	const struct kmod_api *k; /* loaded before the child starts */
	const char *modules_dir;  /* as the host root sees it */
	bool hide_proc;		  /* the root's /proc/cmdline is not a regular file */
	const char *names[MODULES_MAX];
	const char *dirs[MODULES_MAX];
	size_t n;
};

/* What the module database says about one module. */
static void lookup_module(const struct kmod_api *k, struct kmod_ctx *ctx, const char *modules_dir,
			  const char *want, struct kmod_lookup *out)
{
	struct kmod_list *list = NULL, *it;

	if (k->module_new_from_lookup(ctx, want, &list) < 0)
		return;
	for (it = list; it; it = k->list_next(list, it)) {
		struct kmod_module *mod = k->module_get_module(it);
		char name[64];

		str_copy(name, sizeof(name), k->module_get_name(mod));
		underscores(name);
		if (!strcmp(name, want)) {
			const char *path = k->module_get_path(mod);
			const char *opts = k->module_get_options(mod);
			const char *cmd = k->module_get_install_commands(mod);
			out->found = true;
			if (path) {
				/* libkmod gives dir/relative; keep the part under the modules dir
				 */
				size_t dl = strlen(modules_dir);
				const char *rel = !strncmp(path, modules_dir, dl) && path[dl] == '/'
						      ? path + dl + 1
						      : path;
				str_copy(out->path, sizeof(out->path), rel);
				out->has_path = true;
			}
			if (opts)
				str_copy(out->options, sizeof(out->options), opts);
			if (cmd)
				str_copy(out->install, sizeof(out->install), cmd);
		}
		k->module_unref(mod);
	}
	k->module_unref_list(list);
}

/* A wanted module the index missed: a file where the kernel's build puts
 * it, or where DKMS and vendors install modules (updates/, extra/), by
 * either spelling (kvm_intel, kvm-intel) and any compression. A few
 * stat()s per module, where walking a distribution's module tree would
 * cost milliseconds on every run. */
static void find_unindexed(const struct kmod_questions *q, struct kmod_answers *a)
{
	static const char *const suffixes[] = {".ko", ".ko.xz", ".ko.zst", ".ko.gz"};
	for (size_t i = 0; i < q->n; i++) {
		if (a->mods[i].found)
			continue;
		char dashed[64], dirs[256];
		str_copy(dashed, sizeof(dashed), q->names[i]);
		for (char *c = dashed; *c; c++)
			if (*c == '_')
				*c = '-';
		snprintf(dirs, sizeof(dirs), "%s updates updates/dkms extra", q->dirs[i]);
		char *save = NULL;
		for (char *d = strtok_r(dirs, " ", &save); d && !a->unindexed[i][0];
		     d = strtok_r(NULL, " ", &save))
			for (int dash = 0; dash < 2 && !a->unindexed[i][0]; dash++)
				for (size_t k = 0; k < ARRAY_SIZE(suffixes); k++) {
					char rel[sizeof(a->unindexed[0])], path[512];
					struct stat st;
					snprintf(rel, sizeof(rel), "%s/%s%s", d,
						 dash ? dashed : q->names[i], suffixes[k]);
					snprintf(path, sizeof(path), "%s/%s", q->modules_dir, rel);
					if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
						str_copy(a->unindexed[i], sizeof(a->unindexed[i]),
							 rel);
						break;
					}
				}
	}
}

/* In the confined child (or here, for the live host). */
static int kmod_ask(void *arg, void *result)
{
	const struct kmod_questions *q = arg;
	struct kmod_answers *a = result;
	const struct kmod_api *k = q->k;
	struct kmod_log_state log = {{0}};
	struct strbuf bl = STRBUF_INIT;

	if (modules_index_problem(q->modules_dir, a->error, sizeof(a->error)))
		return 0;
	/* libkmod reads /proc/cmdline for module options: a FIFO there
	 * would block it, so it finds an empty /proc instead (the confined
	 * child's mount namespace is its own) */
	if (q->hide_proc && mount("kc-empty", "/proc", "tmpfs",
				  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k") < 0) {
		snprintf(a->error, sizeof(a->error),
			 "/proc/cmdline is not a regular file, and could not be hidden from "
			 "libkmod (%s): the module database was not read",
			 strerror(errno));
		return 0;
	}
	char **conf = modprobe_config_files();
	struct kmod_ctx *ctx = k->new_ctx(q->modules_dir, (const char *const *)conf);
	for (char **c = conf; *c; c++)
		free(*c);
	free(conf);
	if (!ctx) {
		snprintf(a->error, sizeof(a->error), "libkmod could not start");
		return 0;
	}
	k->set_log_fn(ctx, kmod_log_capture, &log);
	k->set_log_priority(ctx, LOG_ERR);
	int r = k->load_resources(ctx);
	if (r < 0) {
		snprintf(a->error, sizeof(a->error),
			 "module index unreadable in %s (%s); run depmod", q->modules_dir,
			 log.first[0] ? log.first : strerror(-r));
		k->unref(ctx);
		return 0;
	}
	a->usable = true;
	strbuf_putc(&bl, ' ');
	struct kmod_config_iter *it = k->config_get_blacklists(ctx);
	while (it && k->config_iter_next(it)) {
		char name[64];
		str_copy(name, sizeof(name), k->config_iter_get_key(it));
		underscores(name);
		strbuf_appendf(&bl, "%s ", name);
	}
	if (it)
		k->config_iter_free_iter(it);
	str_copy(a->blacklist, sizeof(a->blacklist), bl.s);
	strbuf_release(&bl);
	for (size_t i = 0; i < q->n; i++)
		lookup_module(k, ctx, q->modules_dir, q->names[i], &a->mods[i]);
	k->unref(ctx);
	find_unindexed(q, a);
	return 0;
}

static void kmod_answers_get(const struct host_root *root, struct modules_facts *mf,
			     struct kmod_questions *q, struct kmod_answers *a)
{
	memset(a, 0, sizeof(*a));
	if (!mf->modules_dir_present) {
		snprintf(a->error, sizeof(a->error), "%s does not exist", mf->modules_dir);
		return;
	}
	_cleanup_error_ struct kc_error err = {0};
	q->k = kmod_api_get(&err);
	q->modules_dir = mf->modules_dir;
	struct stat st;
	q->hide_proc =
	    !root->live && host_stat(root, "/proc/cmdline", &st, true) == 0 && !S_ISREG(st.st_mode);
	if (!q->k || host_run_confined(root, kmod_ask, q, a, sizeof(*a), &err) < 0)
		snprintf(a->error, sizeof(a->error), "%s", kc_error_msg(&err));
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
		      const struct kmod_answers *a, const struct kmod_lookup *look,
		      const char *unindexed, const char *proc_modules,
		      const struct module_spec *spec, char kconfig_value)
{
	struct module_facts *m = &mf->mods[mf->n++];
	char path[128], state[32];
	bool found = look->found, has_path = look->has_path;
	const char *install = look->install;
	struct stat st;

	memset(m, 0, sizeof(*m));
	str_copy(m->name, sizeof(m->name), spec->name);
	str_copy(m->kconfig, sizeof(m->kconfig), spec->kconfig);
	m->kconfig_value = kconfig_value;
	m->refcnt = -1;
	m->blacklisted = a->usable && proc_modules_has(a->blacklist, m->name);

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", m->name);
	if (host_read_attr(root, path, state, sizeof(state)) == 0) {
		unsigned v;
		if (parse_uint(state, 10, &v) == 0)
			m->refcnt = (int)v;
	}
	str_copy(m->path, sizeof(m->path), look->path);
	str_copy(m->options, sizeof(m->options), look->options);
	if (install[0] &&
	    (str_startswith(install, "/bin/true") || str_startswith(install, "/bin/false") ||
	     str_startswith(install, "/usr/bin/true") || str_startswith(install, "/usr/bin/false")))
		m->blacklisted = true; /* the usual way to make modprobe refuse a module */

	/* spec->name and a copy of the path: gcc cannot see that m->evidence
	 * does not overlap other members of m when they are snprintf arguments */
	char rel[sizeof(m->path)];
	str_copy(rel, sizeof(rel), m->path);
	snprintf(path, sizeof(path), "/sys/module/%s/initstate", spec->name);
	if (host_read_attr(root, path, state, sizeof(state)) == 0) {
		m->state = MOD_LOADED;
		snprintf(m->evidence, sizeof(m->evidence), "/sys/module/%s/initstate: %s",
			 spec->name, state);
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
	} else if (unindexed[0]) {
		/* installed after the last depmod: modprobe cannot find it yet */
		m->state = MOD_AVAILABLE;
		m->unindexed = true;
		str_copy(m->path, sizeof(m->path), unindexed);
		snprintf(m->evidence, sizeof(m->evidence),
			 "%.100s is on disk, but modules.dep does not list it", unindexed);
	} else if (kconfig_value == 'm' && mf->modules_dir_present && !a->usable) {
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
	} else if (kconfig_value == '-' && (a->usable || !mf->modules_dir_present)) {
		/* no line at all: its dependencies are off, so it is not built */
		m->state = MOD_ABSENT;
		snprintf(m->evidence, sizeof(m->evidence),
			 "the kernel config has no %s line, so it is not built%s", spec->kconfig,
			 a->usable ? " (and no module file is installed)" : "");
	} else if (a->usable) {
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
	struct kmod_questions kq = {0};
	struct kmod_answers *ka = xcalloc(1, sizeof(*ka));
	const struct module_spec *specs[MODULES_MAX];
	_cleanup_free_ char *proc_modules = NULL;
	struct stat st;
	size_t nq = 0;

	str_copy(mf->release, sizeof(mf->release), release);
	snprintf(mf->modules_dir, sizeof(mf->modules_dir), "/lib/modules/%s", release);
	mf->modules_dir_present =
	    release[0] && host_stat(root, mf->modules_dir, &st, true) == 0 && S_ISDIR(st.st_mode);

	q[nq++] = (struct kconfig_query){"CONFIG_MODULES", 0};
	for (size_t i = 0; i < ARRAY_SIZE(module_specs); i++)
		q[nq++] = (struct kconfig_query){module_specs[i].kconfig, 0};
	if (kconfig_lookup(root, release, q, nq, mf->kernel_config, sizeof(mf->kernel_config)) < 0)
		mf->kernel_config[0] = '\0';
	mf->modules_support = q[0].value;

	char kconfig_values[MODULES_MAX];
	for (size_t i = 0; i < ARRAY_SIZE(module_specs) && kq.n < MODULES_MAX; i++) {
		const struct module_spec *spec = &module_specs[i];
		if (spec->arches != ARCH_ANY && !(spec->arches & ARCH_BIT(arch)))
			continue;
		kconfig_values[kq.n] = q[i + 1].value;
		specs[kq.n] = spec;
		kq.dirs[kq.n] = spec->dirs;
		kq.names[kq.n++] = spec->name;
	}
	kmod_answers_get(root, mf, &kq, ka);
	str_copy(mf->kmod_error, sizeof(mf->kmod_error), ka->error);
	proc_modules = read_proc_modules(root);
	for (size_t i = 0; i < kq.n; i++)
		probe_one(root, mf, ka, &ka->mods[i], ka->unindexed[i], proc_modules, specs[i],
			  kconfig_values[i]);
	free(ka);
}
