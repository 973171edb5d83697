/* Carrying out a plan's actions (kata-setup, and the dashboard's fixes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_probe.h"
#include "probe.h"
#include "rules.h"
#include "setup.h"
#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

void setup_evaluate(struct setup_ctx *r)
{
	if (r->assessed)
		assessment_free(&r->a);
	assess(&r->root, NULL, &r->a);
	r->assessed = true;
}

/* Module load details for the plan: dependencies, or a refusal. */
void setup_preview_loads(struct setup_ctx *r, struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct action *a = &p->a[i];
		char loaded[256];
		_cleanup_error_ struct kc_error err = {0};
		if (a->kind != ACT_LOAD_MODULE)
			continue;
		if (module_load(&r->root, r->a.facts->modules.release, a->target, NULL, true,
				loaded, sizeof(loaded), &err) < 0) {
			a->status = ACT_SKIPPED;
			action_result(a, "%s", kc_error_msg(&err));
			continue;
		}
		if (loaded[0] && strcmp(loaded, a->target))
			a->detail = xasprintf("(loads %s)", loaded);
	}
}

static bool module_live(const struct setup_ctx *r, const char *module)
{
	char path[128], state[32];
	snprintf(path, sizeof(path), "/sys/module/%s/initstate", module);
	if (host_read_attr(&r->root, path, state, sizeof(state)) == 0)
		return true;
	snprintf(path, sizeof(path), "/sys/module/%s", module);
	return host_exists(&r->root, path); /* built in */
}

/* A module loaded, or unloaded and loaded again with new options: its
 * status and result set, 0; -1 with err when it failed. */
static int apply_module_action(struct setup_ctx *r, struct action *a, struct kc_error *err)
{
	char buf[256] = "";
	if (a->kind == ACT_LOAD_MODULE) {
		if (module_live(r, a->target)) {
			a->status = ACT_UNCHANGED;
			action_result(a, "already loaded");
			return 0;
		}
		if (module_load(&r->root, r->a.facts->modules.release, a->target, NULL, false, buf,
				sizeof(buf), err) < 0) {
			return -1;
		}
		if (!module_live(r, a->target)) {
			a->status = ACT_FAILED;
			action_result(a,
				      "%s is still not loaded (an install command in modprobe.d "
				      "replaced the load?)",
				      a->target);
			return 0;
		}
		a->status = ACT_DONE;
		action_result(a, "loaded %s", buf[0] ? buf : a->target);
		return 0;
	}
	if (module_unload(&r->root, r->a.facts->modules.release, a->target, err) < 0) {
		a->status = ACT_SKIPPED;
		action_result(a,
			      "%s; the new options take effect after `modprobe -r %s` or a reboot",
			      kc_error_msg(err), a->target);
		return 0;
	}
	if (module_load(&r->root, r->a.facts->modules.release, a->target, NULL, false, buf,
			sizeof(buf), err) < 0) {
		return -1;
	}
	a->status = ACT_DONE;
	action_result(a, "reloaded %s", a->target);
	return 0;
}

void setup_apply_action(struct setup_ctx *r, struct plan *p, struct action *a)
{
	_cleanup_error_ struct kc_error err = {0};
	char buf[256] = "";
	int w;

	switch (a->kind) {
	case ACT_MODULE_OPTIONS: {
		_cleanup_free_ char *content = setup_modprobe_content(r->a.facts, &r->o);
		w = setup_write_file(&r->root, a->target, content, &err);
		a->status = w < 0 ? ACT_FAILED : w ? ACT_DONE : ACT_UNCHANGED;
		break;
	}
	case ACT_LOAD_MODULE:
	case ACT_RELOAD_MODULE:
		if (apply_module_action(r, a, &err) == 0)
			return;
		a->status = ACT_FAILED;
		break;
	case ACT_PERSIST_MODULES: {
		/* the list as the loads left it, which the plan only previewed */
		_cleanup_free_ char *content = setup_modules_load_content(r->a.facts, p, &r->o);
		w = content ? setup_write_file(&r->root, a->target, content, &err) : 0;
		a->status = w < 0 ? ACT_FAILED : w ? ACT_DONE : ACT_UNCHANGED;
		free(a->detail);
		a->detail = content ? setup_modules_load_list(content) : NULL;
		if (!content)
			action_result(a, "not written: no module it would list is loaded");
		break;
	}
	case ACT_INSTALL_CONFIG: {
		_cleanup_free_ char *content = NULL, *said = NULL;
		if (setup_config_content(&r->root, r->a.facts, &r->a.report, r->o.accel, &content,
					 &said, &err) < 0) {
			a->status = ACT_FAILED;
			break;
		}
		w = setup_write_file(&r->root, a->target, content, &err);
		a->status = w < 0 ? ACT_FAILED : w ? ACT_DONE : ACT_UNCHANGED;
		if (w >= 0 && said)
			action_result(a, "%s; %s", w ? "written" : "already as wanted", said);
		break;
	}
	case ACT_VFIO_BIND:
		a->status =
		    vfio_bind(&r->root, r->a.facts, a->target, &err) < 0 ? ACT_FAILED : ACT_DONE;
		if (a->status == ACT_DONE)
			action_result(a, "bound to vfio-pci");
		break;
	case ACT_VFIO_RELEASE:
		a->status = vfio_release(&r->root, a->target, buf, sizeof(buf), &err) < 0
				? ACT_FAILED
				: ACT_DONE;
		if (a->status == ACT_DONE)
			action_result(a, "bound to %s", buf[0] ? buf : "no driver");
		break;
	case ACT_REMOVE_FILE:
		w = setup_remove_file(&r->root, a->target, buf, sizeof(buf), &err);
		a->status = w < 0 ? ACT_FAILED : w ? ACT_DONE : ACT_UNCHANGED;
		if (w >= 0)
			action_result(a, "%s", buf);
		break;
	}
	if (a->status == ACT_FAILED)
		action_result(a, "%s", kc_error_msg(&err));
	else if (!a->result)
		action_result(a, "%s",
			      a->status == ACT_UNCHANGED ? "already as wanted" : "written");
}
