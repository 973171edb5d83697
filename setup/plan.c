/* Planning: one action per fixable report item, each naming the items it
 * fixes. What software cannot fix (no VT-x in the CPU, VT-x off in the
 * firmware, a kernel built without a module) is kept with its remedy. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci.h"
#include "setup.h"
#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

/* What the runtime needs, in load order; anything else is refused. */
static const char *const allowed_modules[] = {
    "kvm",   "kvm_intel", "kvm_amd", "kvm_hv",		 "vhost",    "vhost_net", "vhost_vsock",
    "vsock", "tun",	  "vfio",    "vfio_iommu_type1", "vfio_pci", NULL,
};

bool setup_module_allowed(const char *module)
{
	for (size_t i = 0; allowed_modules[i]; i++)
		if (!strcmp(allowed_modules[i], module))
			return true;
	return false;
}

static int module_rank(const char *module)
{
	for (int i = 0; allowed_modules[i]; i++)
		if (!strcmp(allowed_modules[i], module))
			return i;
	return 99;
}

struct action *plan_add(struct plan *p, enum action_kind kind, const char *target,
			const char *fixes)
{
	for (size_t i = 0; i < p->n; i++) {
		struct action *a = &p->a[i];
		if (a->kind != kind || strcmp(a->target, target))
			continue;
		if (fixes && *fixes && !word_list_contains(a->fixes, fixes)) {
			size_t l = strlen(a->fixes);
			snprintf(a->fixes + l, sizeof(a->fixes) - l, "%s%s", l ? " " : "", fixes);
		}
		return a;
	}
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->a = xrealloc(p->a, p->cap * sizeof(*p->a));
	}
	struct action *a = &p->a[p->n++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	str_copy(a->target, sizeof(a->target), target);
	str_copy(a->fixes, sizeof(a->fixes), fixes ? fixes : "");
	return a;
}

void action_result(struct action *a, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	free(a->result);
	a->result = text ? text : xstrdup("(out of memory)");
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->a[i].detail);
		free(p->a[i].result);
	}
	free(p->a);
	strlist_free(&p->unfixable);
	strlist_free(&p->notes);
	memset(p, 0, sizeof(*p));
}

const char *action_kind_name(enum action_kind k)
{
	switch (k) {
	case ACT_LOAD_MODULE: return "load-module";
	case ACT_MODULE_OPTIONS: return "module-options";
	case ACT_RELOAD_MODULE: return "reload-module";
	case ACT_PERSIST_MODULES: return "persist-modules";
	case ACT_INSTALL_CONFIG: return "install-config";
	case ACT_VFIO_BIND: return "vfio-bind";
	case ACT_VFIO_RELEASE: return "vfio-release";
	case ACT_REMOVE_FILE: return "remove-file";
	}
	return "?";
}

const char *action_status_name(enum action_status s)
{
	switch (s) {
	case ACT_PLANNED: return "planned";
	case ACT_DONE: return "done";
	case ACT_UNCHANGED: return "unchanged";
	case ACT_FAILED: return "failed";
	case ACT_SKIPPED: return "skipped";
	}
	return "?";
}

void action_describe(const struct action *a, char *buf, size_t len)
{
	switch (a->kind) {
	case ACT_LOAD_MODULE:
		snprintf(buf, len, "load kernel module %s%s%s", a->target, a->detail ? " " : "",
			 a->detail ? a->detail : "");
		break;
	case ACT_MODULE_OPTIONS:
		snprintf(buf, len, "write %s (%s)", a->target, a->detail ? a->detail : "");
		break;
	case ACT_RELOAD_MODULE:
		snprintf(buf, len, "reload kernel module %s to apply its options", a->target);
		break;
	case ACT_PERSIST_MODULES:
		snprintf(buf, len, "write %s (load at boot: %s)", a->target,
			 a->detail ? a->detail : "");
		break;
	case ACT_INSTALL_CONFIG:
		snprintf(buf, len, "install %s%s%s", a->target, a->detail ? " " : "",
			 a->detail ? a->detail : "");
		break;
	case ACT_VFIO_BIND:
		snprintf(buf, len, "bind PCI device %s to vfio-pci%s%s", a->target,
			 a->detail ? " " : "", a->detail ? a->detail : "");
		break;
	case ACT_VFIO_RELEASE:
		snprintf(buf, len, "give PCI device %s back to its driver", a->target);
		break;
	case ACT_REMOVE_FILE:
		snprintf(buf, len, "remove %s%s%s", a->target, a->detail ? " " : "",
			 a->detail ? a->detail : "");
		break;
	}
}

static void note(struct strlist *l, const char *fmt, ...) _printf_(2, 3);
static void note(struct strlist *l, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0) {
		strlist_add(l, s);
		free(s);
	}
	va_end(ap);
}

static int cmp_module_actions(const void *x, const void *y)
{
	const struct action *a = x, *b = y;
	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	if (a->kind == ACT_LOAD_MODULE)
		return module_rank(a->target) - module_rank(b->target);
	return 0;
}

static void plan_undo(struct plan *p, const struct host_root *root)
{
	static const char *const files[] = {SETUP_MODULES_LOAD, SETUP_MODPROBE, SETUP_CONFIG, NULL};
	for (size_t i = 0; files[i]; i++) {
		char backup[300];
		snprintf(backup, sizeof(backup), "%s%s", files[i], SETUP_BACKUP_SUFFIX);
		if (!setup_file_is_ours(root, files[i])) {
			if (host_exists(root, files[i]))
				note(&p->notes, "%s was not written by kata-setup: kept", files[i]);
			continue;
		}
		struct action *a = plan_add(p, ACT_REMOVE_FILE, files[i], "");
		if (host_exists(root, backup))
			a->detail = xasprintf("(restoring %s)", backup);
	}
}

int plan_build(struct plan *p, const struct setup_options *o, const struct host_root *root,
	       const struct host_facts *f, const struct report *r, struct kc_error *err)
{
	memset(p, 0, sizeof(*p));
	if (o->undo) {
		plan_undo(p, root);
		return 0;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct report_item *it = &r->items[i];
		if (it->level != LEVEL_WARN && it->level != LEVEL_FAIL)
			continue;
		switch (it->fix) {
		case FIX_LOAD_MODULE:
			if (!setup_module_allowed(it->fix_arg)) {
				note(&p->unfixable,
				     "%s: %s (kata-setup loads only the modules the runtime needs; "
				     "%s is not one)",
				     it->id, it->summary, it->fix_arg);
				break;
			}
			plan_add(p, ACT_LOAD_MODULE, it->fix_arg, it->id);
			break;
		case FIX_INSTALL_CONFIG:
			plan_add(p, ACT_INSTALL_CONFIG, SETUP_CONFIG, it->id);
			break;
		case FIX_VFIO_BIND:
			/* never bind a device nobody asked for */
			note(&p->unfixable, "%s: %s (remedy: %s)", it->id, it->summary,
			     it->remedy ? it->remedy : "");
			break;
		case FIX_NONE:
			note(&p->unfixable, "%s: %s%s%s%s", it->id, it->summary,
			     it->remedy ? " (remedy: " : "", it->remedy ? it->remedy : "",
			     it->remedy ? ")" : "");
			break;
		}
	}

	/* an existing configuration is kept unless --force */
	bool config_exists = host_exists(root, SETUP_CONFIG);
	bool config_planned = false;
	for (size_t i = 0; i < p->n; i++)
		config_planned |= p->a[i].kind == ACT_INSTALL_CONFIG;
	if (config_exists && !config_planned &&
	    (o->force || (o->accel && setup_file_is_ours(root, SETUP_CONFIG))))
		plan_add(p, ACT_INSTALL_CONFIG, SETUP_CONFIG, "config.file");
	else if (config_exists && o->accel && !o->force && !setup_file_is_ours(root, SETUP_CONFIG))
		note(&p->notes,
		     "--accel applies to the configuration kata-setup installs; %s is the "
		     "operator's: add --force to replace it",
		     SETUP_CONFIG);
	else if (config_exists && !setup_file_is_ours(root, SETUP_CONFIG))
		note(&p->notes,
		     "%s exists and was not written by kata-setup: kept (--force replaces it, "
		     "keeping a backup)",
		     SETUP_CONFIG);

	/* --nested: the option, and a reload when nothing uses the module */
	if (o->nested) {
		const char *vendor = NULL;
		for (const char *const *m = (const char *const[]){"kvm_intel", "kvm_amd", NULL}; *m;
		     m++)
			if (module_present(facts_module(f, *m)) ||
			    (facts_module(f, *m) && facts_module(f, *m)->state == MOD_AVAILABLE))
				vendor = vendor ? vendor : *m;
		if (!vendor)
			return kc_error_set(
			    err, 0,
			    "--nested: neither kvm_intel nor kvm_amd is available on this host");
		_cleanup_free_ char *content = setup_modprobe_content(f, o);
		if (!setup_file_unchanged(root, SETUP_MODPROBE, content)) {
			struct action *a = plan_add(p, ACT_MODULE_OPTIONS, SETUP_MODPROBE, "");
			a->detail = xasprintf("options %s nested=1", vendor);
		}
		const struct module_facts *m = facts_module(f, vendor);
		const struct module_param_fact *nested = facts_module_param(m, "nested");
		if (m->state == MOD_LOADED && (!nested || parse_kernel_bool(nested->value) != 1)) {
			if (m->refcnt > 0)
				note(&p->notes,
				     "%s is in use (%d user%s); the new options take effect after "
				     "`modprobe -r %s` or a reboot",
				     vendor, m->refcnt, m->refcnt == 1 ? "" : "s", vendor);
			else
				plan_add(p, ACT_RELOAD_MODULE, vendor, "");
		}
	}

	/* VFIO */
	for (size_t i = 0; i < o->vfio_bind.n; i++) {
		const char *bdf = o->vfio_bind.v[i];
		if (vfio_check_group(f, &o->vfio_bind, bdf, err) < 0)
			return -1;
		if (!module_present(facts_module(f, "vfio_pci")))
			plan_add(p, ACT_LOAD_MODULE, "vfio_pci", "");
		plan_add(p, ACT_VFIO_BIND, bdf, "");
	}
	for (size_t i = 0; i < o->vfio_release.n; i++)
		plan_add(p, ACT_VFIO_RELEASE, o->vfio_release.v[i], "");

	qsort(p->a, p->n, sizeof(*p->a), cmp_module_actions);

	return 0;
}

char *setup_modules_load_list(const char *content)
{
	struct strbuf sb = STRBUF_INIT;
	_cleanup_free_ char *copy = xstrdup(content);
	char *cur = copy, *line;
	while ((line = next_line(&cur)))
		if (*line && *line != '#')
			strbuf_appendf(&sb, "%s%s", sb.len ? " " : "", line);
	return strbuf_steal(&sb);
}

void plan_persist(struct plan *p, const struct host_root *root, const struct host_facts *f,
		  const struct setup_options *o)
{
	/* last: it lists what the (previewed) loads leave loaded */
	_cleanup_free_ char *content = setup_modules_load_content(f, p, o);
	if (content) {
		if (!setup_file_unchanged(root, SETUP_MODULES_LOAD, content)) {
			struct action *a = plan_add(p, ACT_PERSIST_MODULES, SETUP_MODULES_LOAD, "");
			a->detail = setup_modules_load_list(content);
		}
	}
}
