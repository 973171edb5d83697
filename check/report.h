/* The compatibility report: one item per check, each with a level, the
 * reason, and the remedy (plus, where kata-setup can act, a structured fix).
 * Renderers print it; kata-setup plans from it; the runtime refuses or
 * adapts from it. */
#ifndef KC_REPORT_H
#define KC_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "macros.h"

enum level { LEVEL_PASS = 0, LEVEL_WARN, LEVEL_FAIL, LEVEL_SKIP };

enum check_group {
	GROUP_CPU = 0,
	GROUP_KVM,
	GROUP_MODULES,
	GROUP_DEVICES,
	GROUP_IOMMU,
	GROUP_RESOURCES,
	GROUP_CONFIDENTIAL,
	GROUP_CONFIG,
	GROUP_COUNT,
};

enum fix_kind {
	FIX_NONE = 0,
	FIX_LOAD_MODULE,    /* arg: module name */
	FIX_INSTALL_CONFIG, /* arg: path to install */
	FIX_VFIO_BIND,	    /* arg: PCI address */
};

struct report_item {
	char *id; /* stable, e.g. "modules.vhost_net" */
	enum check_group group;
	enum level level;
	enum level raw_level; /* before the accelerator policy softened it */
	char *what;	      /* "Checking <what>" */
	char *summary;	      /* the finding, one line */
	char *detail;	      /* optional: the facts behind it */
	char *remedy;	      /* what to do (WARN/FAIL), NULL when nothing */
	enum fix_kind fix;
	char *fix_arg;
};

struct report {
	struct report_item *items;
	size_t n, cap;
};

struct report_item *report_add(struct report *r, const char *id, enum check_group group,
			       enum level level, const char *what, const char *summary_fmt, ...)
    _printf_(6, 7);
void report_item_detail(struct report_item *it, const char *fmt, ...) _printf_(2, 3);
void report_item_remedy(struct report_item *it, const char *fmt, ...) _printf_(2, 3);
void report_item_fix(struct report_item *it, enum fix_kind kind, const char *arg);

const struct report_item *report_find(const struct report *r, const char *id);
size_t report_count(const struct report *r, enum level level);
/* Capable: no FAIL, and with strict no WARN either. */
bool report_capable(const struct report *r, bool strict);
void report_free(struct report *r);

const char *level_name(enum level l);
const char *group_name(enum check_group g);  /* "cpu" */
const char *group_title(enum check_group g); /* "CPU" */
const char *fix_kind_name(enum fix_kind k);  /* "load-module" */

#define MSG_CAPABLE	"System is capable of running Kata Containers"
#define MSG_NOT_CAPABLE "System is not capable of running Kata Containers"
#define MSG_NOT_READY	"but kata-runtime is not ready: "

#endif
