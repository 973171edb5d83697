/* Drawing the dashboard (see ui.h): a header with the verdict and the
 * host, tabs, the current view, an optional details pane, and a status
 * line. Everything goes through a canvas, so --once prints the same frame. */
#include <stdio.h>
#include <string.h>

#include "pci.h"
#include "render.h"
#include "strbuf.h"
#include "strutil.h"
#include "ui.h"

#define DETAILS_LINES 8

/* A row's text, cut to the columns it has: one cut short ends with "..."
 * so that a truncated id or path never passes for a whole one. */
static void put_cut(struct canvas *c, int y, int x, const char *s, int max, int color, int attrs)
{
	if (max > c->w - x)
		max = c->w - x;
	if (max < 4 || strnlen(s, (size_t)max + 1) <= (size_t)max) {
		c->put(c, y, x, s, max, color, attrs);
		return;
	}
	char buf[1024];
	snprintf(buf, sizeof(buf), "%.*s...", max - 3 < 1000 ? max - 3 : 1000, s);
	c->put(c, y, x, buf, max, color, attrs);
}

static int level_color(enum level l)
{
	switch (l) {
	case LEVEL_PASS: return COL_PASS;
	case LEVEL_WARN: return COL_WARN;
	case LEVEL_FAIL: return COL_FAIL;
	case LEVEL_SKIP: return COL_SKIP;
	}
	return COL_DEFAULT;
}

static bool matches(const struct report_item *it, const char *filter)
{
	if (!*filter)
		return true;
	return strcasestr(it->id, filter) || strcasestr(it->what, filter) ||
	       strcasestr(it->summary, filter) || strcasestr(level_name(it->level), filter) ||
	       strcasestr(group_title(it->group), filter);
}

int ui_visible_checks(const struct snapshot *s, const struct ui *u, const struct report_item **out,
		      int max)
{
	int n = 0;
	for (size_t i = 0; i < s->a.report.n && n < max; i++)
		if (matches(&s->a.report.items[i], u->filter))
			out[n++] = &s->a.report.items[i];
	return n;
}

int ui_row_count(const struct snapshot *s, const struct ui *u)
{
	const struct report_item *items[512];
	switch (u->view) {
	case VIEW_CHECKS: return ui_visible_checks(s, u, items, 512);
	case VIEW_VFIO: return s->a.facts->iommu.ndevs;
	case VIEW_SANDBOXES: return s->nsandboxes;
	default: return 0;
	}
}

/* Keep the selection on screen: rows [scroll, scroll + height). */
static void follow(struct ui *u, int count, int height)
{
	int *sel = &u->selected[u->view], *scroll = &u->scroll[u->view];
	if (*sel >= count)
		*sel = count > 0 ? count - 1 : 0;
	if (*sel < 0)
		*sel = 0;
	if (*sel < *scroll)
		*scroll = *sel;
	if (height > 0 && *sel >= *scroll + height)
		*scroll = *sel - height + 1;
	if (*scroll < 0)
		*scroll = 0;
}

static void draw_header(struct canvas *c, const struct snapshot *s, const struct ui *u)
{
	bool capable = assessment_capable(&s->a, false), ready = capable && s->a.ready;
	char host[512], right[96];

	c->fill_row(c, 0, COL_TITLE, 0);
	c->put(c, 0, 1, "kata-dashboard", 14, COL_TITLE, ATTR_BOLD);
	/* the counts always fit (a 60-column terminal has room for them and a
	 * short verdict); the verdict is kata-check's when there is room */
	snprintf(right, sizeof(right), "%s%zu pass %zu warn %zu fail",
		 u->refreshing ? "refreshing... " : "", report_count(&s->a.report, LEVEL_PASS),
		 report_count(&s->a.report, LEVEL_WARN), report_count(&s->a.report, LEVEL_FAIL));
	int rx = c->w - (int)strlen(right) - 1;
	const char *verdict = !capable ? MSG_NOT_CAPABLE
			      : ready  ? MSG_CAPABLE
				       : MSG_CAPABLE ", but kata-runtime is not ready";
	if (17 + (int)strlen(verdict) + 1 > rx)
		verdict = !capable ? "not capable" : ready ? "capable" : "capable, not ready";
	c->put(c, 0, 17, verdict, rx - 18,
	       !capable ? COL_FAIL
	       : ready	? COL_PASS
			: COL_WARN,
	       ATTR_BOLD);
	c->put(c, 0, rx, right, (int)strlen(right), COL_TITLE, 0);
	render_host_line(host, sizeof(host), s->a.facts);
	put_cut(c, 1, 1, host, c->w - 2, COL_DEFAULT, 0);
}

static void draw_tabs(struct canvas *c, const struct ui *u)
{
	static const char *const names[VIEW_COUNT] = {"1 Checks", "2 VFIO", "3 Sandboxes"};
	int x = 1;
	for (int v = 0; v < VIEW_COUNT; v++) {
		char tab[32];
		snprintf(tab, sizeof(tab), " %s ", names[v]);
		c->put(c, 2, x, tab, c->w - x, v == (int)u->view ? COL_TITLE : COL_DEFAULT,
		       v == (int)u->view ? ATTR_BOLD | ATTR_REVERSE : 0);
		x += (int)strlen(tab) + 1;
	}
	if (u->filter[0] || u->filtering) {
		char f[96];
		snprintf(f, sizeof(f), "filter: %s%s", u->filter, u->filtering ? "_" : "");
		c->put(c, 2, x + 2, f, c->w - x - 3, COL_WARN, 0);
	}
}

/* The checks view: groups as headings, one row per item. */
static void draw_checks(struct canvas *c, const struct snapshot *s, struct ui *u, int top,
			int height)
{
	const struct report_item *items[512];
	int n = ui_visible_checks(s, u, items, 512);
	/* display lines: a heading before each new group */
	struct line {
		const struct report_item *it;
		enum check_group group;
		int index;
	} lines[1024];
	int nl = 0, sel_line = 0;
	for (int i = 0; i < n && nl < 1022; i++) {
		if (i == 0 || items[i]->group != items[i - 1]->group)
			lines[nl++] = (struct line){NULL, items[i]->group, -1};
		if (i == u->selected[VIEW_CHECKS])
			sel_line = nl;
		lines[nl++] = (struct line){items[i], items[i]->group, i};
	}
	if (n == 0) {
		c->put(c, top, 2, u->filter[0] ? "No check matches the filter." : "No checks.",
		       c->w - 4, COL_DIM, 0);
		return;
	}
	/* scroll by display lines, keeping the selected item visible */
	int *scroll = &u->scroll[VIEW_CHECKS];
	if (sel_line < *scroll)
		*scroll = sel_line > 0 && lines[sel_line - 1].it == NULL ? sel_line - 1 : sel_line;
	if (sel_line >= *scroll + height)
		*scroll = sel_line - height + 1;
	for (int row = 0; row < height && *scroll + row < nl; row++) {
		const struct line *ln = &lines[*scroll + row];
		int y = top + row;
		if (!ln->it) {
			c->put(c, y, 1, group_title(ln->group), c->w - 2, COL_DIM, ATTR_BOLD);
			continue;
		}
		bool sel = ln->index == u->selected[VIEW_CHECKS];
		char tag[12], line[600];
		if (sel)
			c->fill_row(c, y, COL_DEFAULT, ATTR_REVERSE);
		snprintf(tag, sizeof(tag), "[%s]", level_name(ln->it->level));
		c->put(c, y, 3, tag, 6, level_color(ln->it->level),
		       ATTR_BOLD | (sel ? ATTR_REVERSE : 0));
		snprintf(line, sizeof(line), "%s: %s%s", ln->it->what, ln->it->summary,
			 ln->it->fix != FIX_NONE ? "  (f: fix)" : "");
		put_cut(c, y, 10, line, c->w - 11, COL_DEFAULT, sel ? ATTR_REVERSE : 0);
	}
}

static void draw_vfio(struct canvas *c, const struct snapshot *s, struct ui *u, int top, int height)
{
	const struct iommu_facts *io = &s->a.facts->iommu;
	char line[512];

	snprintf(line, sizeof(line), "IOMMU: %s; %d group%s%s%s",
		 io->ngroups > 0				   ? "enabled"
		 : io->acpi_dmar || io->acpi_ivrs || io->acpi_iort ? "present, not enabled"
								   : "none",
		 io->ngroups > 0 ? io->ngroups : 0, io->ngroups == 1 ? "" : "s",
		 io->cmdline_iommu[0] ? "; kernel: " : "", io->cmdline_iommu);
	c->put(c, top, 1, line, c->w - 2, io->ngroups > 0 ? COL_PASS : COL_DIM, 0);
	snprintf(line, sizeof(line), "%-13s %-9s %-5s %-16s %-6s %s", "ADDRESS", "ID", "CLASS",
		 "DRIVER", "GROUP", "PASSTHROUGH");
	c->put(c, top + 1, 1, line, c->w - 2, COL_DIM, ATTR_BOLD);
	if (!io->pci_scanned) {
		snprintf(line, sizeof(line), "PCI devices cannot be listed: %s", io->pci_error);
		c->put(c, top + 2, 2, line, c->w - 4, COL_WARN, 0);
		return;
	}
	height -= 2;
	follow(u, io->ndevs, height);
	for (int row = 0; row < height && u->scroll[VIEW_VFIO] + row < io->ndevs; row++) {
		int i = u->scroll[VIEW_VFIO] + row;
		const struct pci_device_fact *d = &io->devs[i];
		const struct pci_device_fact *blocker = NULL;
		bool sel = i == u->selected[VIEW_VFIO];
		char group[16] = "-", pass[160];
		int color = COL_DIM;
		if (d->iommu_group >= 0) {
			snprintf(group, sizeof(group), "%d", d->iommu_group);
			/* only the other members can stand in its way */
			for (int k = 0; k < io->ndevs && !blocker; k++) {
				const struct pci_device_fact *m = &io->devs[k];
				if (m != d && m->iommu_group == d->iommu_group && m->driver[0] &&
				    !pci_driver_is_vfio(m->driver) &&
				    strcmp(m->driver, "pci-stub") && strcmp(m->driver, "pcieport"))
					blocker = m;
			}
			if (blocker) {
				snprintf(pass, sizeof(pass), "no: %s bound to %s", blocker->bdf,
					 blocker->driver);
				color = COL_WARN;
			} else {
				snprintf(pass, sizeof(pass), "%s",
					 pci_driver_is_vfio(d->driver)
					     ? "ready (vfio-pci)"
					     : "possible: kata-setup --vfio-bind");
				color = COL_PASS;
			}
		} else {
			snprintf(pass, sizeof(pass), "no IOMMU group");
		}
		if (sel)
			c->fill_row(c, top + 2 + row, COL_DEFAULT, ATTR_REVERSE);
		snprintf(line, sizeof(line), "%-13s %04x:%04x %04x  %-16s %-6s ", d->bdf, d->vendor,
			 d->device, d->class, d->driver[0] ? d->driver : "-", group);
		put_cut(c, top + 2 + row, 1, line, c->w - 2, COL_DEFAULT, sel ? ATTR_REVERSE : 0);
		c->put(c, top + 2 + row, 1 + (int)strlen(line), pass, c->w - 2 - (int)strlen(line),
		       color, sel ? ATTR_REVERSE : 0);
	}
	if (io->ndevs == 0)
		c->put(c, top + 2, 2, "No PCI devices.", c->w - 4, COL_DIM, 0);
}

static void format_uptime(long s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else if (s < 3600)
		snprintf(buf, len, "%ldm%02lds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
	else
		snprintf(buf, len, "%ldd%02ldh", s / 86400, (s % 86400) / 3600);
}

/* One row of the sandboxes view: a sandbox, or a VM of the cache (no
 * containers: "-"). */
static void put_sandbox_row(struct canvas *c, int y, const struct sandbox_row *sb, bool cached,
			    bool sel)
{
	char line[512], pid[24], mem[24], up[24], cpus[12], id[24], ctrs[12];
	/* an id cut short says so */
	snprintf(id, sizeof(id), strlen(sb->id) > 20 ? "%.17s..." : "%s", sb->id);
	if (sb->problem[0]) {
		snprintf(line, sizeof(line), "%-20s unreadable: %s", id, sb->problem);
		put_cut(c, y, 1, line, c->w - 2, COL_WARN, sel ? ATTR_REVERSE : 0);
		return;
	}
	snprintf(pid, sizeof(pid), sb->qemu_pid ? "%ld%s" : "-", sb->qemu_pid,
		 sb->qemu_alive ? "" : " (gone)");
	snprintf(mem, sizeof(mem), sb->memory_mib ? "%ldM" : "-", sb->memory_mib);
	snprintf(cpus, sizeof(cpus), sb->vcpus ? "%d" : "-", sb->vcpus);
	snprintf(ctrs, sizeof(ctrs), cached ? "-" : "%d", sb->containers);
	format_uptime(sb->uptime_s, up, sizeof(up));
	snprintf(line, sizeof(line), "%-20s %-9s %-10s %-12s %-5s %-8s %s", id, sb->status, ctrs,
		 pid, cpus, mem, up);
	put_cut(c, y, 1, line, c->w - 2,
		sb->qemu_pid && !sb->qemu_alive ? COL_WARN
		: cached			? COL_DIM
						: COL_DEFAULT,
		sel ? ATTR_REVERSE : 0);
}

/* The VM cache's VMs, below the sandboxes: booted, not yet anyone's. */
static int draw_cached(struct canvas *c, const struct snapshot *s, int top, int height)
{
	if (!s->ncached && !s->cache_daemons)
		return 0;
	int ready = 0;
	for (int i = 0; i < s->ncached; i++)
		ready += !strcmp(s->cached[i].status, "ready");
	char line[256];
	snprintf(line, sizeof(line), "VM CACHE: %d ready, %d other%s", ready, s->ncached - ready,
		 s->cache_daemons_gone || (s->ncached && !s->cache_daemons)
		     ? " - its daemon is not running (kata-runtime factory destroy removes them)"
		     : "");
	c->put(c, top, 1, line, c->w - 2, s->cache_daemons_gone ? COL_WARN : COL_DIM, ATTR_BOLD);
	int row;
	for (row = 0; row < height - 1 && row < s->ncached; row++)
		put_sandbox_row(c, top + 1 + row, &s->cached[row], true, false);
	return row + 1;
}

static void draw_sandboxes(struct canvas *c, const struct snapshot *s, struct ui *u, int top,
			   int height)
{
	char line[1024]; /* the sandbox directory of up to 511 bytes in a sentence */

	snprintf(line, sizeof(line), "%-20s %-9s %-10s %-12s %-5s %-8s %s", "SANDBOX", "STATUS",
		 "CONTAINERS", "QEMU PID", "VCPUS", "MEMORY", "UPTIME");
	c->put(c, top, 1, line, c->w - 2, COL_DIM, ATTR_BOLD);
	/* the cache's VMs at the bottom, in at most half the view */
	int cache_rows = s->ncached || s->cache_daemons ? 2 + s->ncached : 0;
	if (cache_rows > height / 2)
		cache_rows = height / 2;
	if (cache_rows)
		draw_cached(c, s, top + height - cache_rows + 1, cache_rows - 1);
	height -= cache_rows;
	if (s->nsandboxes == 0) {
		snprintf(line, sizeof(line), "No sandboxes running (%s).",
			 s->sandbox_error[0] ? s->sandbox_error : s->sandbox_dir);
		c->put(c, top + 1, 2, line, c->w - 4, COL_DIM, 0);
		return;
	}
	height -= 1;
	follow(u, s->nsandboxes, height);
	for (int row = 0; row < height && u->scroll[VIEW_SANDBOXES] + row < s->nsandboxes; row++) {
		int i = u->scroll[VIEW_SANDBOXES] + row;
		bool sel = i == u->selected[VIEW_SANDBOXES];
		if (sel)
			c->fill_row(c, top + 1 + row, COL_DEFAULT, ATTR_REVERSE);
		put_sandbox_row(c, top + 1 + row, &s->sandboxes[i], false, sel);
	}
}

/* Wrap text into the pane's width, at most `max` lines; returns lines used. */
static int wrapped(struct canvas *c, int y, int x, int width, const char *label, const char *text,
		   int max, int color)
{
	char buf[2048];
	int used = 0;
	snprintf(buf, sizeof(buf), "%s%s", label, text ? text : "");
	const char *p = buf;
	while (*p && used < max) {
		int take = (int)strlen(p);
		if (take > width) {
			take = width;
			for (int k = width; k > width / 2; k--)
				if (p[k] == ' ') {
					take = k;
					break;
				}
		}
		c->put(c, y + used, x, p, take, color, 0);
		p += take;
		while (*p == ' ')
			p++;
		used++;
	}
	return used;
}

static void draw_details(struct canvas *c, const struct snapshot *s, struct ui *u, int top,
			 int lines)
{
	int width = c->w - 4, y = top + 1, left = lines - 1;
	c->fill_row(c, top, COL_TITLE, 0);
	if (u->view == VIEW_CHECKS) {
		const struct report_item *items[512];
		int n = ui_visible_checks(s, u, items, 512);
		if (n == 0)
			return;
		const struct report_item *it =
		    items[u->selected[VIEW_CHECKS] < n ? u->selected[VIEW_CHECKS] : 0];
		char title[256];
		snprintf(title, sizeof(title), " %s  %s  (%s)", level_name(it->level), it->what,
			 it->id);
		put_cut(c, top, 1, title, c->w - 2, COL_TITLE, ATTR_BOLD);
		int k =
		    wrapped(c, y, 2, width, "finding: ", it->summary, left, level_color(it->level));
		y += k, left -= k;
		if (it->detail && left > 0) {
			k = wrapped(c, y, 2, width, "facts:   ", it->detail, left, COL_DEFAULT);
			y += k, left -= k;
		}
		if (it->remedy && left > 0 &&
		    (it->level == LEVEL_WARN || it->level == LEVEL_FAIL)) {
			k = wrapped(c, y, 2, width, "remedy:  ", it->remedy, left, COL_DEFAULT);
			y += k, left -= k;
		}
		if (it->fix != FIX_NONE && left > 0) {
			char fix[160];
			snprintf(fix, sizeof(fix), "press f: kata-setup %s %s",
				 fix_kind_name(it->fix), it->fix_arg ? it->fix_arg : "");
			wrapped(c, y, 2, width, "fix:     ", fix, left, COL_PASS);
		}
	} else if (u->view == VIEW_VFIO && s->a.facts->iommu.ndevs > 0) {
		const struct iommu_facts *io = &s->a.facts->iommu;
		const struct pci_device_fact *d = &io->devs[u->selected[VIEW_VFIO]];
		char title[128], members[1024] = "";
		snprintf(title, sizeof(title), " %s  %04x:%04x", d->bdf, d->vendor, d->device);
		put_cut(c, top, 1, title, c->w - 2, COL_TITLE, ATTR_BOLD);
		size_t o = 0;
		for (int i = 0; i < io->ndevs && d->iommu_group >= 0; i++)
			if (io->devs[i].iommu_group == d->iommu_group)
				o += (size_t)snprintf(members + o, sizeof(members) - o, "%s%s (%s)",
						      o ? ", " : "", io->devs[i].bdf,
						      io->devs[i].driver[0] ? io->devs[i].driver
									    : "no driver");
		y += wrapped(c, y, 2, width, "group members: ", members[0] ? members : "none", left,
			     COL_DEFAULT);
		char how[160];
		snprintf(how, sizeof(how),
			 "kata-setup --vfio-bind %s (binds it through driver_override)", d->bdf);
		wrapped(c, y, 2, width, "to pass it through: ", how, 2, COL_DIM);
	} else if (u->view == VIEW_SANDBOXES && s->nsandboxes > 0) {
		const struct sandbox_row *sb = &s->sandboxes[u->selected[VIEW_SANDBOXES]];
		char title[128], where[1024];
		snprintf(title, sizeof(title), " sandbox %s", sb->id);
		put_cut(c, top, 1, title, c->w - 2, COL_TITLE, ATTR_BOLD);
		const char *slash = strrchr(sb->id, '/');
		snprintf(where, sizeof(where), "%s/%s/state.json", sb->state_dir,
			 slash ? slash + 1 : sb->id);
		wrapped(c, y, 2, width, "state: ", where, left, COL_DEFAULT);
	}
}

static const char *const help_lines[] = {
    "Keys",
    "  Up/Down, j/k      move            PgUp/PgDn, Home/End  page, first, last",
    "  Tab, 1 2 3        switch view     Enter               details pane",
    "  /                 filter (Enter keeps it, Esc clears)",
    "  f                 fix the selected check with kata-setup (root, asks first)",
    "  r                 refresh now (also on device and module events, and every 10 s)",
    "  ?                 this help       q                   quit",
    "",
    "Levels: PASS met, WARN runs but degraded, FAIL cannot run, SKIP does not apply.",
    "Press any key to close.",
};

static void draw_help(struct canvas *c)
{
	int n = (int)(sizeof(help_lines) / sizeof(help_lines[0]));
	int top = (c->h - n) / 2 - 1;
	if (top < 3)
		top = 3;
	for (int i = -1; i <= n; i++)
		c->fill_row(c, top + i, COL_DEFAULT, ATTR_REVERSE);
	for (int i = 0; i < n; i++)
		c->put(c, top + i, 2, help_lines[i], c->w - 4, COL_DEFAULT,
		       ATTR_REVERSE | (i == 0 ? ATTR_BOLD : 0));
}

void ui_draw(struct canvas *c, const struct snapshot *s, struct ui *u)
{
	if (c->w < MIN_COLS || c->h < MIN_LINES) {
		char msg[96];
		snprintf(msg, sizeof(msg), "terminal too small (%dx%d)", c->w, c->h);
		c->put(c, 0, 0, msg, c->w, COL_WARN, ATTR_BOLD);
		snprintf(msg, sizeof(msg), "need at least %dx%d", MIN_COLS, MIN_LINES);
		c->put(c, 1, 0, msg, c->w, COL_DEFAULT, 0);
		c->put(c, 2, 0, "q quits", c->w, COL_DEFAULT, 0);
		return;
	}
	draw_header(c, s, u);
	draw_tabs(c, u);
	int top = 4, bottom = c->h - 2;
	int height = bottom - top + 1;
	if (u->details) {
		/* at every size: a short terminal gets a shorter pane, and keeps
		 * at least the selected row above it */
		int lines = height - 2 < DETAILS_LINES ? height - 2 : DETAILS_LINES;
		height -= lines;
		draw_details(c, s, u, top + height, lines);
	}
	if (u->view == VIEW_CHECKS) {
		const struct report_item *items[512];
		int n = ui_visible_checks(s, u, items, 512);
		if (u->selected[VIEW_CHECKS] >= n)
			u->selected[VIEW_CHECKS] = n > 0 ? n - 1 : 0;
		draw_checks(c, s, u, top, height);
	} else if (u->view == VIEW_VFIO) {
		draw_vfio(c, s, u, top, height);
	} else {
		draw_sandboxes(c, s, u, top, height);
	}
	/* status line */
	int y = c->h - 1;
	if (u->confirming) {
		c->fill_row(c, y, COL_WARN, ATTR_REVERSE);
		c->put(c, y, 1, u->confirm, c->w - 2, COL_WARN, ATTR_REVERSE | ATTR_BOLD);
	} else if (u->message[0]) {
		put_cut(c, y, 1, u->message, c->w - 2, u->message_color, 0);
	} else {
		put_cut(
		    c, y, 1,
		    "j/k move  Tab/1-3 views  Enter details  / filter  f fix  r refresh  ? help "
		    " q quit",
		    c->w - 2, COL_DIM, 0);
	}
	if (u->help)
		draw_help(c);
}
