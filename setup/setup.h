/* kata-setup: turning kata-check's report into actions that make a node
 * ready, and carrying them out safely. Plan (plan.c) -> apply (modload.c,
 * files.c, vfio.c) -> re-check. */
#ifndef KC_SETUP_H
#define KC_SETUP_H

#include <stdbool.h>
#include <stddef.h>

#include "assess.h"
#include "config.h"
#include "facts.h"
#include "hostroot.h"
#include "report.h"

/* In execution order: options before loads (libkmod applies modprobe.d
 * options when it loads), persistence after them. */
enum action_kind {
	ACT_MODULE_OPTIONS,  /* target: modprobe.d file; detail: its lines */
	ACT_LOAD_MODULE,     /* target: module */
	ACT_RELOAD_MODULE,   /* target: module, to apply new options */
	ACT_PERSIST_MODULES, /* target: modules-load.d file; detail: module list */
	ACT_INSTALL_CONFIG,  /* target: configuration path */
	ACT_VFIO_BIND,	     /* target: PCI address */
	ACT_VFIO_RELEASE,    /* target: PCI address */
	ACT_REMOVE_FILE,     /* --undo; target: path (restores its backup) */
};

enum action_status { ACT_PLANNED, ACT_DONE, ACT_UNCHANGED, ACT_FAILED, ACT_SKIPPED };

struct action {
	enum action_kind kind;
	char target[256];
	char *detail;	 /* what will be written or loaded */
	char fixes[256]; /* report item ids, space-separated */
	enum action_status status;
	char *result; /* what happened, or why not (whole); NULL until said */
};

struct plan {
	struct action *a;
	size_t n, cap;
	struct strlist unfixable; /* "id: summary (remedy: ...)" */
	struct strlist notes;	  /* things kept or declined, with why */
};

struct setup_options {
	bool dry_run, json, force, undo, nested, quiet;
	const char *accel; /* --accel: the operator's choice, NULL to let kata-setup decide */
	struct strlist vfio_bind, vfio_release;
};

/* Files kata-setup owns, under the host root. */
#define SETUP_MODULES_LOAD   "/etc/modules-load.d/kata-containers.conf"
#define SETUP_MODPROBE	     "/etc/modprobe.d/kata-containers.conf"
#define SETUP_CONFIG	     "/etc/kata-containers/configuration.toml"
#define SETUP_VFIO_STATE_DIR "/run/kata-containers/vfio"
#define SETUP_MARKER                                                                               \
	"# Installed by kata-setup (kata-containers-c); `kata-setup --undo` removes it."
#define SETUP_BACKUP_SUFFIX ".kata-setup-backup"
/* The second line of a file kata-setup wrote into directories it made. */
#define SETUP_DIRS_PREFIX "# kata-setup created: "

/* plan.c */
bool setup_module_allowed(const char *module);
int plan_build(struct plan *p, const struct setup_options *o, const struct host_root *root,
	       const struct host_facts *f, const struct report *r, struct kc_error *err);
/* The boot-time module list, once the loads have been previewed. */
void plan_persist(struct plan *p, const struct host_root *root, const struct host_facts *f,
		  const struct setup_options *o);
/* The module names in a modules-load.d text, space-separated. */
char *setup_modules_load_list(const char *content);
struct action *plan_add(struct plan *p, enum action_kind kind, const char *target,
			const char *fixes);
/* Say what happened to an action (replacing what was said). */
void action_result(struct action *a, const char *fmt, ...) _printf_(2, 3);
void plan_free(struct plan *p);
const char *action_kind_name(enum action_kind k);
const char *action_status_name(enum action_status s);
void action_describe(const struct action *a, char *buf, size_t len);

/* modload.c: libkmod, against the running kernel */
int module_load(const struct host_root *root, const char *release, const char *module,
		const char *options, bool dry_run, char *loaded, size_t loaded_len,
		struct kc_error *err);
int module_unload(const struct host_root *root, const char *release, const char *module,
		  struct kc_error *err);

/* files.c */
char *setup_modules_load_content(const struct host_facts *f, const struct plan *p,
				 const struct setup_options *o);
char *setup_modprobe_content(const struct host_facts *f, const struct setup_options *o);
/* The adapted configuration; *said (caller frees, may be NULL) is what the
 * operator must know about it (the accelerator it leaves the node with). */
int setup_config_content(const struct host_root *root, const struct host_facts *f,
			 const struct report *r, const char *accel, char **out, char **said,
			 struct kc_error *err);
/* Write a file kata-setup owns: atomically, keeping a backup of a file it
 * did not write. Returns 1 written, 0 unchanged, -1 error. */
int setup_write_file(const struct host_root *root, const char *path, const char *content,
		     struct kc_error *err);
/* Remove a file kata-setup wrote (restoring the backup), and the directories
 * it made for it when they are empty. 1 removed, 0 not ours/absent. */
int setup_remove_file(const struct host_root *root, const char *path, char *what, size_t len,
		      struct kc_error *err);
/* Would setup_write_file leave the file as it is? */
bool setup_file_unchanged(const struct host_root *root, const char *path, const char *content);
bool setup_file_is_ours(const struct host_root *root, const char *path);

/* vfio.c */
int vfio_check_group(const struct host_facts *f, const struct strlist *binding, const char *bdf,
		     struct kc_error *err);
int vfio_bind(const struct host_root *root, const struct host_facts *f, const char *bdf,
	      struct kc_error *err);
int vfio_release(const struct host_root *root, const char *bdf, char *driver, size_t len,
		 struct kc_error *err);

/* A run: the options, the host, and its current report (apply.c). */
struct config_state;
struct setup_ctx {
	const char *prog;
	struct setup_options o;
	struct host_root root;
	struct assessment a; /* the host and its configuration, judged as every program does */
	bool assessed;
};

/* (Re)assess the host into ctx->a. */
void setup_evaluate(struct setup_ctx *ctx);
/* Fill module-load details (dependencies), declining what cannot load. */
void setup_preview_loads(struct setup_ctx *ctx, struct plan *p);
/* Carry out one action; its status and result are set. */
void setup_apply_action(struct setup_ctx *ctx, struct plan *p, struct action *a);

int kata_setup_main(int argc, char **argv);

#endif
