/* Dashboard fixes (see fix.h). */
#include "fix.h"

#include <stdio.h>
#include <string.h>

#include "config_probe.h"
#include "setup.h"
#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

struct fix {
	struct setup_ctx ctx;
	struct plan plan;
	struct action *action;
};

static int prepare(struct fix *f, const char *root_dir, const char *item, struct kc_error *err)
{
	memset(f, 0, sizeof(*f));
	f->ctx.prog = "kata-dashboard";
	if (host_root_open(&f->ctx.root, root_dir, err) < 0)
		return -1;
	setup_evaluate(&f->ctx);
	if (plan_build(&f->plan, &f->ctx.o, &f->ctx.root, f->ctx.a.facts, &f->ctx.a.report, err) <
	    0)
		return -1;
	setup_preview_loads(&f->ctx, &f->plan);
	for (size_t i = 0; i < f->plan.n; i++)
		if (word_list_contains(f->plan.a[i].fixes, item)) {
			f->action = &f->plan.a[i];
			break;
		}
	if (!f->action)
		return kc_error_set(err, 0,
				    "kata-setup has no action for %s (it is fixed already, or "
				    "needs a remedy by hand)",
				    item);
	if (f->action->status == ACT_SKIPPED)
		return kc_error_set(err, 0, "kata-setup declines: %s",
				    f->action->result ? f->action->result : "no reason given");
	return 0;
}

static void release(struct fix *f)
{
	plan_free(&f->plan);
	if (f->ctx.assessed)
		assessment_free(&f->ctx.a);
	host_root_close(&f->ctx.root);
}

int fix_describe(const char *host_root_dir, const char *item, char **desc, struct kc_error *err)
{
	struct fix f;
	int r = prepare(&f, host_root_dir, item, err);
	if (r == 0) {
		char text[600];
		action_describe(f.action, text, sizeof(text));
		*desc = xstrdup(text);
	}
	release(&f);
	return r;
}

int fix_run(const char *host_root_dir, const char *item, char **result, struct kc_error *err)
{
	struct fix f;
	int r = prepare(&f, host_root_dir, item, err);
	if (r == 0) {
		char desc[600];
		action_describe(f.action, desc, sizeof(desc));
		setup_apply_action(&f.ctx, &f.plan, f.action);
		if (f.action->status == ACT_FAILED)
			r = kc_error_set(err, 0, "%s: %s: %s", action_status_name(f.action->status),
					 desc, f.action->result ? f.action->result : "");
		else
			*result = xasprintf("%s: %s: %s", action_status_name(f.action->status),
					    desc, f.action->result ? f.action->result : "");
	}
	release(&f);
	return r;
}
