/* kata-setup's command line: check the host, plan, show the plan, carry it
 * out, check again. Exit status: 0 the node is ready afterwards, 1 an
 * action failed or the node is still not ready, 2 usage error. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "config_probe.h"
#include "probe.h"
#include "rules.h"
#include "setup.h"
#include "strbuf.h"
#include "strutil.h"
#include "version.h"
#include "xalloc.h"

enum {
	OPT_HOST_ROOT = 256,
	OPT_VFIO,
	OPT_VFIO_RELEASE,
	OPT_NESTED,
	OPT_UNDO,
	OPT_FORCE,
	OPT_ACCEL
};

static const struct option long_options[] = {
    {"dry-run", no_argument, NULL, 'n'},
    {"plan", no_argument, NULL, 'n'},
    {"json", no_argument, NULL, 'j'},
    {"quiet", no_argument, NULL, 'q'},
    {"force", no_argument, NULL, OPT_FORCE},
    {"nested", no_argument, NULL, OPT_NESTED},
    {"undo", no_argument, NULL, OPT_UNDO},
    {"accel", required_argument, NULL, OPT_ACCEL},
    {"vfio", required_argument, NULL, OPT_VFIO},
    {"vfio-bind", required_argument, NULL, OPT_VFIO},
    {"vfio-release", required_argument, NULL, OPT_VFIO_RELEASE},
    {"host-root", required_argument, NULL, OPT_HOST_ROOT},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *out, const char *prog)
{
	fprintf(
	    out,
	    "Usage: %s [OPTIONS]\n"
	    "Make this node ready for Kata Containers: load the kernel modules it needs\n"
	    "(and load them at boot), install a configuration adapted to the host, bind\n"
	    "devices for passthrough. Every action fixes an item of kata-check's report.\n"
	    "\n"
	    "Options:\n"
	    "  -n, --dry-run, --plan    print the plan and change nothing (any user)\n"
	    "  -j, --json               print the plan and the results as JSON\n"
	    "  -q, --quiet              print only failures and the result\n"
	    "      --force              replace an existing configuration (keeping a backup)\n"
	    "      --accel ACCEL        the installed configuration's accelerator: kvm (refuse\n"
	    "                           to start VMs without KVM), auto (KVM, else software\n"
	    "                           emulation) or tcg; by default kvm where KVM works or\n"
	    "                           the firmware disables it, else the shipped auto\n"
	    "      --nested             enable nested virtualization (kvm_intel/kvm_amd nested=1)\n"
	    "      --vfio-bind BDF      bind PCI device BDF to vfio-pci, for passthrough to a\n"
	    "                           container (repeatable; --vfio BDF is the same)\n"
	    "      --vfio-release BDF   give PCI device BDF back to its previous driver\n"
	    "      --undo               remove what kata-setup installed and restore backups\n"
	    "      --host-root DIR      the host's files are under DIR (modules still load into\n"
	    "                           the running kernel)\n"
	    "  -h, --help               print this help\n"
	    "  -V, --version            print the version\n"
	    "\n"
	    "Exit status: 0 the node is ready afterwards (with --dry-run: ready now; with\n"
	    "--undo: everything kata-setup installed is gone), 1 an action failed or the\n"
	    "node is still not ready, 2 usage error.\n",
	    prog);
}

static void print_plan(const struct setup_ctx *r, const struct plan *p)
{
	if (!r->o.quiet) {
		size_t planned = 0;
		for (size_t i = 0; i < p->n; i++)
			planned += p->a[i].status != ACT_SKIPPED;
		if (!planned)
			printf("Nothing to do%s\n", assessment_capable(&r->a, false)
							? ": the node is ready."
							: " that kata-setup can do.");
		else
			printf("Plan (%zu action%s):\n", planned, planned == 1 ? "" : "s");
		size_t k = 0;
		for (size_t i = 0; i < p->n; i++) {
			const struct action *a = &p->a[i];
			if (a->status == ACT_SKIPPED)
				continue;
			char desc[600];
			action_describe(a, desc, sizeof(desc));
			printf("  %zu. %s%s%s%s\n", ++k, desc, a->fixes[0] ? "  [fixes " : "",
			       a->fixes, a->fixes[0] ? "]" : "");
		}
	}
	bool declined = false;
	for (size_t i = 0; i < p->n; i++)
		if (p->a[i].status == ACT_SKIPPED) {
			if (!declined)
				printf("Declined:\n");
			declined = true;
			printf("  - %s: %s\n", p->a[i].target,
			       p->a[i].result ? p->a[i].result : "");
		}
	if (p->notes.n && !r->o.quiet) {
		printf("Notes:\n");
		for (size_t i = 0; i < p->notes.n; i++)
			printf("  - %s\n", p->notes.v[i]);
	}
	if (p->unfixable.n) {
		printf("Not fixable by kata-setup:\n");
		for (size_t i = 0; i < p->unfixable.n; i++)
			printf("  - %s\n", p->unfixable.v[i]);
	}
}

static json_t *plan_json(const struct plan *p)
{
	json_t *a = json_array();
	for (size_t i = 0; i < p->n; i++) {
		const struct action *x = &p->a[i];
		json_t *o = json_object(), *fixes = json_array();
		char desc[600];
		action_describe(x, desc, sizeof(desc));
		json_object_set_new(o, "action", json_string(action_kind_name(x->kind)));
		json_object_set_new(o, "target", json_string(x->target));
		json_object_set_new(o, "description", json_string(desc));
		char copy[256], *save = NULL;
		str_copy(copy, sizeof(copy), x->fixes);
		for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
			json_array_append_new(fixes, json_string(t));
		json_object_set_new(o, "fixes", fixes);
		json_object_set_new(o, "status", json_string(action_status_name(x->status)));
		json_object_set_new(o, "result", x->result ? json_string(x->result) : json_null());
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *strlist_json(const struct strlist *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

static json_t *verdict_json(const struct assessment *as)
{
	const struct report *rep = &as->report;
	json_t *o = json_object(), *problems = json_array();
	json_object_set_new(o, "capable", json_boolean(assessment_capable(as, false)));
	for (size_t i = 0; i < rep->n; i++)
		if (rep->items[i].level == LEVEL_FAIL || rep->items[i].level == LEVEL_WARN) {
			char *s = xasprintf("%s %s: %s", level_name(rep->items[i].level),
					    rep->items[i].id, rep->items[i].summary);
			json_array_append_new(problems, json_string(s));
			free(s);
		}
	json_object_set_new(o, "problems", problems);
	return o;
}

/* The command line into r; -1 to go on, else the exit status. */
static int parse_args(struct setup_ctx *r, int argc, char **argv, const char **host_root_dir)
{
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":njqhV", long_options, NULL)) != -1) {
		switch (c) {
		case 'n': r->o.dry_run = true; break;
		case 'j': r->o.json = true; break;
		case 'q': r->o.quiet = true; break;
		case OPT_FORCE: r->o.force = true; break;
		case OPT_NESTED: r->o.nested = true; break;
		case OPT_UNDO: r->o.undo = true; break;
		case OPT_ACCEL:
			if (strcmp(optarg, "kvm") && strcmp(optarg, "auto") &&
			    strcmp(optarg, "tcg")) {
				fprintf(stderr, "%s: --accel: '%s' is not one of kvm, auto, tcg\n",
					r->prog, optarg);
				return EXIT_USAGE;
			}
			r->o.accel = optarg;
			break;
		case OPT_VFIO: strlist_add(&r->o.vfio_bind, optarg); break;
		case OPT_VFIO_RELEASE: strlist_add(&r->o.vfio_release, optarg); break;
		case OPT_HOST_ROOT: *host_root_dir = optarg; break;
		case 'h': usage(stdout, r->prog); return 0;
		case 'V': kc_print_version(r->prog, NULL); return 0;
		case ':':
			fprintf(stderr, "%s: option '%s' needs an argument\n", r->prog,
				argv[optind - 1]);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "%s: unknown option '%s'\nTry '%s --help'.\n", r->prog,
				argv[optind - 1], r->prog);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", r->prog, argv[optind]);
		return EXIT_USAGE;
	}
	if (r->o.undo &&
	    (r->o.nested || r->o.force || r->o.accel || r->o.vfio_bind.n || r->o.vfio_release.n)) {
		fprintf(stderr, "%s: --undo cannot be combined with other actions\n", r->prog);
		return EXIT_USAGE;
	}
	/* before anything is read or touched */
	if (!r->o.dry_run && geteuid() != 0) {
		fprintf(stderr,
			"%s: changing the host needs root (uid %u); --dry-run shows the plan to "
			"any user\n",
			r->prog, (unsigned)geteuid());
		return EXIT_USAGE;
	}
	return -1;
}

/* Carries out the planned actions in order; true if any failed. */
static bool apply_plan(struct setup_ctx *r, struct plan *p)
{
	size_t todo = 0;
	for (size_t i = 0; i < p->n; i++)
		todo += p->a[i].status == ACT_PLANNED;
	if (todo && !r->o.json && !r->o.quiet)
		printf("\nApplying:\n");
	bool failed = false, kernel_changed = false;
	for (size_t i = 0; i < p->n; i++) {
		struct action *a = &p->a[i];
		if (a->status != ACT_PLANNED)
			continue;
		/* the configuration is adapted to the host as the loads left it */
		if (a->kind == ACT_INSTALL_CONFIG && kernel_changed) {
			setup_evaluate(r);
			kernel_changed = false;
		}
		setup_apply_action(r, p, a);
		kernel_changed |= (a->kind == ACT_LOAD_MODULE || a->kind == ACT_RELOAD_MODULE ||
				   a->kind == ACT_VFIO_BIND) &&
				  a->status == ACT_DONE;
		failed |= a->status == ACT_FAILED;
		if (!r->o.json && (!r->o.quiet || a->status == ACT_FAILED)) {
			char desc[600];
			action_describe(a, desc, sizeof(desc));
			printf("  [%s] %s: %s\n", action_status_name(a->status), desc,
			       a->result ? a->result : "");
		}
	}
	if (todo)
		setup_evaluate(r);
	return failed;
}

/* --json: the verdict before, the plan and what it did, the verdict after. */
static void print_json_result(struct setup_ctx *r, struct plan *p, json_t *before)
{
	json_t *doc = json_object();
	json_object_set_new(doc, "schema_version", json_integer(1));
	json_object_set_new(doc, "program", json_string("kata-setup"));
	json_object_set_new(doc, "version", json_string(kc_version));
	json_object_set_new(doc, "dry_run", json_boolean(r->o.dry_run));
	json_object_set_new(doc, "host_root", json_string(r->root.dir));
	json_object_set_new(doc, "before", before);
	json_object_set_new(doc, "plan", plan_json(p));
	json_object_set_new(doc, "kept", strlist_json(&p->notes));
	json_object_set_new(doc, "unfixable", strlist_json(&p->unfixable));
	if (!r->o.dry_run)
		json_object_set_new(doc, "after", verdict_json(&r->a));
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(doc);
}

static void print_text_result(struct setup_ctx *r, struct plan *p, bool ready, bool failed)
{
	if (!ready) {
		printf("\n%s:\n", r->o.dry_run ? "Problems now" : "Remaining problems");
		for (size_t i = 0; i < r->a.report.n; i++)
			if (r->a.report.items[i].level == LEVEL_FAIL)
				printf("  FAIL %s: %s\n", r->a.report.items[i].id,
				       r->a.report.items[i].summary);
	}
	if (failed)
		printf("\nSome actions failed (above).\n");
	printf("\n%s%s\n", r->o.dry_run ? "Now: " : (p->n ? "After setup: " : ""),
	       ready ? MSG_CAPABLE : MSG_NOT_CAPABLE);
}

int kata_setup_main(int argc, char **argv)
{
	struct setup_ctx r = {0};
	const char *host_root_dir = "/";
	/* before the first goto: a jump past it would free garbage */
	_cleanup_error_ struct kc_error err = {0};

	r.prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int status = parse_args(&r, argc, argv, &host_root_dir);
	if (status >= 0)
		goto out_args;
	if (host_root_open(&r.root, host_root_dir, &err) < 0) {
		fprintf(stderr, "%s: --host-root: %s\n", r.prog, kc_error_msg(&err));
		status = EXIT_USAGE;
		goto out_args;
	}

	setup_evaluate(&r);
	json_t *before = verdict_json(&r.a);
	struct plan p;
	if (plan_build(&p, &r.o, &r.root, r.a.facts, &r.a.report, &err) < 0) {
		fprintf(stderr, "%s: %s\n", r.prog, kc_error_msg(&err));
		status = EXIT_USAGE;
		json_decref(before);
		plan_free(&p);
		goto out;
	}
	setup_preview_loads(&r, &p);
	if (!r.o.undo)
		plan_persist(&p, &r.root, r.a.facts, &r.o);
	if (!r.o.json)
		print_plan(&r, &p);

	bool failed = !r.o.dry_run && apply_plan(&r, &p);
	bool ready = assessment_capable(&r.a, false);
	if (r.o.json) {
		print_json_result(&r, &p, before);
	} else {
		json_decref(before);
		print_text_result(&r, &p, ready, failed);
	}
	/* --undo succeeds when everything it owned is gone; the node is then
	 * as it was before kata-setup, ready or not */
	status = failed || (!ready && !r.o.undo) ? 1 : 0;
	plan_free(&p);
out:
	if (r.assessed)
		assessment_free(&r.a);
	host_root_close(&r.root);
out_args:
	strlist_free(&r.o.vfio_bind);
	strlist_free(&r.o.vfio_release);
	return status;
}
