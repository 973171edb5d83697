/* Report items (see report.h). */
#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

static char *vformat(const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		return xstrdup("");
	return s;
}

struct report_item *report_add(struct report *r, const char *id, enum check_group group,
			       enum level level, const char *what, const char *summary_fmt, ...)
{
	struct report_item *it;
	va_list ap;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->items = xrealloc(r->items, r->cap * sizeof(*r->items));
	}
	it = &r->items[r->n++];
	memset(it, 0, sizeof(*it));
	it->id = xstrdup(id);
	it->group = group;
	it->level = level;
	it->raw_level = level;
	it->what = xstrdup(what);
	va_start(ap, summary_fmt);
	it->summary = vformat(summary_fmt, ap);
	va_end(ap);
	return it;
}

void report_item_detail(struct report_item *it, const char *fmt, ...)
{
	va_list ap;
	free(it->detail);
	va_start(ap, fmt);
	it->detail = vformat(fmt, ap);
	va_end(ap);
}

void report_item_remedy(struct report_item *it, const char *fmt, ...)
{
	va_list ap;
	free(it->remedy);
	va_start(ap, fmt);
	it->remedy = vformat(fmt, ap);
	va_end(ap);
}

void report_item_fix(struct report_item *it, enum fix_kind kind, const char *arg)
{
	it->fix = kind;
	free(it->fix_arg);
	it->fix_arg = arg ? xstrdup(arg) : NULL;
}

const struct report_item *report_find(const struct report *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->items[i].id, id))
			return &r->items[i];
	return NULL;
}

size_t report_count(const struct report *r, enum level level)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->items[i].level == level;
	return n;
}

bool report_capable(const struct report *r, bool strict)
{
	return report_count(r, LEVEL_FAIL) == 0 && (!strict || report_count(r, LEVEL_WARN) == 0);
}

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct report_item *it = &r->items[i];
		free(it->id);
		free(it->what);
		free(it->summary);
		free(it->detail);
		free(it->remedy);
		free(it->fix_arg);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}

const char *level_name(enum level l)
{
	switch (l) {
	case LEVEL_PASS: return "PASS";
	case LEVEL_WARN: return "WARN";
	case LEVEL_FAIL: return "FAIL";
	case LEVEL_SKIP: return "SKIP";
	}
	return "?";
}

static const struct {
	const char *name, *title;
} groups[GROUP_COUNT] = {
    [GROUP_CPU] = {"cpu", "CPU"},
    [GROUP_KVM] = {"kvm", "KVM"},
    [GROUP_MODULES] = {"modules", "Kernel modules"},
    [GROUP_DEVICES] = {"devices", "Devices"},
    [GROUP_IOMMU] = {"iommu", "IOMMU / VFIO"},
    [GROUP_RESOURCES] = {"resources", "Resources"},
    [GROUP_CONFIDENTIAL] = {"confidential", "Confidential guests"},
    [GROUP_CONFIG] = {"config", "Configuration"},
};

const char *group_name(enum check_group g)
{
	return g < GROUP_COUNT ? groups[g].name : "?";
}

const char *group_title(enum check_group g)
{
	return g < GROUP_COUNT ? groups[g].title : "?";
}

const char *fix_kind_name(enum fix_kind k)
{
	switch (k) {
	case FIX_LOAD_MODULE: return "load-module";
	case FIX_INSTALL_CONFIG: return "install-config";
	case FIX_VFIO_BIND: return "vfio-bind";
	case FIX_NONE: break;
	}
	return "none";
}
