/* Files kata-setup writes under the host root: which modules load at boot,
 * module options, and the configuration adapted to this host. Every write
 * is atomic; a file kata-setup did not write is backed up before it is
 * replaced, and restored by --undo. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapt.h"
#include "arch_qemu.h"
#include "config_chain.h"
#include "config_paths.h"
#include "config_validate.h"
#include "default_config.h"
#include "fs.h"
#include "rules.h"
#include "setup.h"
#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

/* Modules the runtime needs at boot: loadable (not built in) ones that
 * are loaded now or that this plan loads. */
char *setup_modules_load_content(const struct host_facts *f, const struct plan *p,
				 const struct setup_options *o)
{
	static const char *const wanted[] = {"kvm",   "kvm_intel", "kvm_amd",	  "kvm_hv",
					     "vhost", "vhost_net", "vhost_vsock", "vsock",
					     "tun",   NULL};
	struct strbuf sb = STRBUF_INIT;
	size_t count = 0;

	strbuf_appendf(&sb, "%s\n# Kernel modules Kata Containers needs, loaded at boot.\n",
		       SETUP_MARKER);
	for (size_t i = 0; wanted[i]; i++) {
		const char *name = wanted[i];
		const struct module_facts *m = facts_module(f, name);
		bool planned = false;
		/* a load that failed or was declined is not made permanent */
		for (size_t k = 0; k < p->n; k++)
			if (p->a[k].kind == ACT_LOAD_MODULE && !strcmp(p->a[k].target, name) &&
			    p->a[k].status != ACT_FAILED && p->a[k].status != ACT_SKIPPED)
				planned = true;
		if (!m || !(m->state == MOD_LOADED || planned))
			continue;
		strbuf_appendf(&sb, "%s\n", name);
		count++;
	}
	/* devices bound to vfio-pci (now, or by this run) need VFIO at boot too:
	 * without it the binding the next boot restores has no driver to go to */
	bool vfio = o->vfio_bind.n > 0;
	for (int i = 0; i < f->iommu.ndevs && !vfio; i++)
		vfio = !strcmp(f->iommu.devs[i].driver, "vfio-pci");
	for (const char *const *m =
		 (const char *const[]){"vfio", "vfio_iommu_type1", "vfio_pci", NULL};
	     vfio && *m; m++) {
		const struct module_facts *mf = facts_module(f, *m);
		if (mf && mf->state == MOD_BUILTIN)
			continue;
		strbuf_appendf(&sb, "%s\n", *m);
		count++;
	}
	if (!count) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_steal(&sb);
}

char *setup_modprobe_content(const struct host_facts *f, const struct setup_options *o)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_appendf(&sb, "%s\n# Module options for Kata Containers.\n", SETUP_MARKER);
	if (o->nested) {
		for (const char *const *m = (const char *const[]){"kvm_intel", "kvm_amd", NULL}; *m;
		     m++) {
			const struct module_facts *mf = facts_module(f, *m);
			if (mf && mf->state != MOD_ABSENT && mf->state != MOD_UNKNOWN)
				strbuf_appendf(&sb, "options %s nested=1\n", *m);
		}
	}
	return strbuf_steal(&sb);
}

/* Set KEY to VALUE inside [section] of a TOML text we ship: replace the
 * key's line (or its commented-out example), or add it after the header. */
static char *set_key(const char *text, const char *section, const char *key, const char *value,
		     const char *why)
{
	struct strbuf out = STRBUF_INIT;
	char header[96];
	const char *p = text;
	bool in_section = false, done = false;

	snprintf(header, sizeof(header), "[%s]", section);
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p + 1) : strlen(p);
		char line[1024];
		snprintf(line, sizeof(line), "%.*s",
			 (int)(len < sizeof(line) ? len : sizeof(line) - 1), p);
		char *t = str_trim(line);
		if (*t == '[') {
			if (in_section && !done) {
				strbuf_appendf(&out, "%s = %s # kata-setup: %s\n\n", key, value,
					       why);
				done = true;
			}
			in_section = !strcmp(t, header);
		} else if (in_section && !done) {
			char *k = t;
			if (*k == '#')
				k = str_trim(k + 1);
			size_t kl = strlen(key);
			if (!strncmp(k, key, kl) &&
			    (k[kl] == ' ' || k[kl] == '=' || k[kl] == '\t')) {
				strbuf_appendf(&out, "%s = %s # kata-setup: %s\n", key, value, why);
				done = true;
				p += len;
				continue;
			}
		}
		strbuf_append_len(&out, p, len);
		p += len;
	}
	if (!done)
		strbuf_appendf(&out, "%s\n%s = %s # kata-setup: %s\n", in_section ? "" : header,
			       key, value, why);
	return strbuf_steal(&out);
}

/* What the installed configuration's accelerator will be, and what the
 * operator must hear about it: a KVM that does not work is never turned
 * into software emulation without saying so, and where the operator can
 * fix KVM (the firmware), not at all unless they choose it. */
static const char *decide_accel(const struct host_facts *f, bool kvm,
				const struct report_item *item, const char *chosen,
				const char *shipped, char **said, char **why)
{
	char evidence[200];
	enum virt_block block = rules_virt_block(f, evidence, sizeof(evidence));
	_cleanup_free_ char *problem =
	    block == VIRT_FIRMWARE
		? xasprintf("the firmware disables hardware virtualization (%s)", evidence)
	    : item ? xasprintf("%s: %s (%s)", item->what, item->summary, item->id)
		   : xstrdup("KVM cannot run the default guest");

	if (chosen) {
		*why = xstrdup("chosen with kata-setup --accel");
		if (!strcmp(chosen, "kvm") && !kvm)
			*said = xasprintf("accel = \"kvm\" as chosen: containers will not start "
					  "until KVM works; %s",
					  problem);
		else if (strcmp(chosen, "kvm") && !kvm)
			*said = xasprintf("accel = \"%s\" as chosen: VMs run under TCG (software "
					  "emulation), because %s",
					  chosen, problem);
		else
			*said = xasprintf("accel = \"%s\" as chosen", chosen);
		return chosen;
	}
	if (kvm)
		return NULL; /* config_adapt's "kvm" stands */
	if (block == VIRT_FIRMWARE) {
		*why = xasprintf("KVM is unusable: %s; enable it, or run `kata-setup --force "
				 "--accel=auto` to accept software emulation",
				 problem);
		*said =
		    xasprintf("accel = \"kvm\": containers will not start until hardware "
			      "virtualization is enabled in the firmware (%s); "
			      "`kata-setup --force --accel=auto` accepts software emulation (TCG) "
			      "instead",
			      evidence);
		return "kvm";
	}
	*said = xasprintf("accel = \"%s\": KVM is unusable here (%s), so VMs run under TCG "
			  "(software emulation: slower, and no hardware isolation); "
			  "`kata-setup --force --accel=kvm` refuses to start them instead",
			  shipped, problem);
	return NULL;
}

static char *set_key_free(char *text, const char *section, const char *key, const char *value,
			  const char *why)
{
	char *next = set_key(text, section, key, value, why);
	free(text);
	return next;
}

static void say_more(char **said, const char *msg)
{
	char *joined = *said ? xasprintf("%s; %s", *said, msg) : xstrdup(msg);
	free(*said);
	*said = joined;
}

/* The warm path (kata-runtime(8), VM FACTORY): VMs start from a template's
 * saved state, and a cache sized from the host's CPUs and memory hands
 * them out ready - where the configuration and the host's memory can
 * serve them (check/rules_factory.c, as kata-check reports and the
 * runtime decides). Either way, what was decided is said. Returns the
 * (possibly new) text. */
static char *decide_factory(const struct host_facts *f, const struct kc_config *c, char *text,
			    char **said)
{
	char buf[512], sized[256];
	const char *no = rules_factory_blocker(f, c, buf, sizeof(buf));
	_cleanup_free_ char *msg = NULL;
	if (no) {
		msg = xasprintf("enable_template = false (VMs boot): %s", no);
		if (c->factory.enable_template)
			text = set_key_free(text, "factory", "enable_template", "false", no);
	} else {
		msg = xstrdup("enable_template = true: VMs start from a template's saved state "
			      "instead of booting; the first create builds the template");
		if (!c->factory.enable_template)
			text = set_key_free(text, "factory", "enable_template", "true",
					    "VMs start from a template's saved state instead of "
					    "booting (kata-runtime(8), VM FACTORY)");
	}
	say_more(said, msg);
	uint32_t number = c->factory.vm_cache_number;
	if (number && number != VM_CACHE_AUTO)
		return text; /* a size the shipped configuration chose */
	/* a setting no template serves, no cache serves either */
	const char *cfg_no = config_template_blocker(c);
	unsigned n = cfg_no
			 ? 0
			 : rules_vm_cache_size(&f->res, rules_runs_tcg(f, c->hypervisor.accel),
					       c->hypervisor.default_memory, sized, sizeof(sized));
	if (cfg_no)
		snprintf(sized, sizeof(sized), "%s", cfg_no);
	_cleanup_free_ char *cmsg = NULL;
	if (!n) {
		cmsg = xasprintf("vm_cache_number = 0 (no VM cache): %s", sized);
		if (number)
			text = set_key_free(text, "factory", "vm_cache_number", "0", sized);
	} else {
		cmsg = xasprintf("vm_cache_number = \"auto\": %s, kept ready by the kata-vmcache "
				 "service or `kata-runtime factory init`",
				 sized);
		if (!number)
			text = set_key_free(text, "factory", "vm_cache_number", "\"auto\"",
					    "a VM cache sized from the host's CPUs and memory "
					    "(kata-runtime(8), VM FACTORY)");
	}
	say_more(said, cmsg);
	return text;
}

/* The shipped default (from the host, else the copy built in), adapted to
 * this host, and checked by loading it back. */
int setup_config_content(const struct host_root *root, const struct host_facts *f,
			 const struct report *r, const char *accel, char **out, char **said,
			 struct kc_error *err)
{
	_cleanup_free_ char *text = NULL, *accel_why = NULL;
	struct kc_config c;
	struct adapt_result a = {0};
	int rc = -1;

	*said = NULL;
	if (host_read_file(root, KC_CONFIG_DEFAULT, 1 << 20, &text, NULL) < 0)
		text = xstrdup(default_configuration_toml);
	config_defaults(&c);
	if (config_load_text(&c, text, strlen(text), KC_CONFIG_DEFAULT, err) < 0 ||
	    config_check_values(&c, f->res.cpus_online, NULL, err) < 0)
		goto out;
	const struct report_item *why_not = NULL;
	bool kvm = adapt_kvm_usable(r, &why_not);
	const char *accel_to =
	    decide_accel(f, kvm, why_not, accel, c.hypervisor.accel, said, &accel_why);
	if (accel_to) {
		/* adapt as the runtime will, with the accelerator decided */
		free(c.hypervisor.accel);
		c.hypervisor.accel = xstrdup(!strcmp(accel_to, "kvm") && !kvm ? "tcg" : accel_to);
	}
	if (config_adapt(&c, f, r, &a, err) < 0)
		goto out;
	if (accel_to) {
		_cleanup_free_ char *value = xasprintf("\"%s\"", accel_to);
		char *next = set_key(text, "hypervisor.qemu", "accel", value, accel_why);
		free(text);
		text = next;
	}
	for (size_t i = 0; i < a.n; i++) {
		const char *key = strrchr(a.changes[i].key, '.') + 1;
		/* "auto" becomes "kvm" where KVM works (hardware isolation, and a loud
		 * failure if KVM breaks later); where it does not, "auto" stays, so
		 * that a failure today is not locked in as software emulation */
		if (!strcmp(key, "accel") && (accel_to || strcmp(a.changes[i].to, "kvm")))
			continue;
		const struct config_key *k = config_key_find("hypervisor.qemu", key);
		if (!k)
			continue;
		_cleanup_free_ char *value =
		    xasprintf(k->type == CFG_STRING ? "\"%s\"" : "%s", a.changes[i].to);
		_cleanup_free_ char *why =
		    xasprintf("%s%s%s%s", a.changes[i].reason, a.changes[i].item[0] ? " (" : "",
			      a.changes[i].item, a.changes[i].item[0] ? ")" : "");
		/* keep the comment on one line */
		for (char *c2 = why; *c2; c2++)
			if (*c2 == '\n')
				*c2 = ' ';
		char *next = set_key(text, "hypervisor.qemu", key, value, why);
		free(text);
		text = next;
	}
	/* the host's QEMU, where the shipped default is another architecture's
	 * (a configuration built for x86 would run nothing on arm64) */
	const struct arch_qemu *aq = arch_qemu_for(f->cpu.arch);
	const char *base = c.hypervisor.path ? strrchr(c.hypervisor.path, '/') : NULL;
	if (aq && base && strcmp(base + 1, aq->binary)) {
		_cleanup_free_ char *why = xasprintf("this host is %s", f->cpu.arch_name);
		_cleanup_free_ char *path = xasprintf("\"/usr/bin/%s\"", aq->binary);
		_cleanup_free_ char *paths = xasprintf("[%s]", path);
		_cleanup_free_ char *machine = xasprintf("\"%s\"", aq->machine_type);
		const char *const kv[][2] = {
		    {"path", path}, {"valid_hypervisor_paths", paths}, {"machine_type", machine}};
		for (size_t i = 0; i < ARRAY_SIZE(kv); i++) {
			char *next = set_key(text, "hypervisor.qemu", kv[i][0], kv[i][1], why);
			free(text);
			text = next;
		}
	}
	text = decide_factory(f, &c, text, said);
	/* the result must load back cleanly */
	struct kc_config check;
	config_defaults(&check);
	if (config_load_text(&check, text, strlen(text), SETUP_CONFIG, err) < 0 ||
	    config_check_values(&check, f->res.cpus_online, NULL, err) < 0) {
		config_free(&check);
		kc_error_wrap(err, "the adapted configuration does not load back");
		goto out;
	}
	config_free(&check);
	*out = xasprintf("%s\n%s", SETUP_MARKER, text);
	rc = 0;
out:
	if (rc < 0) {
		free(*said);
		*said = NULL;
	}
	adapt_result_free(&a);
	config_free(&c);
	return rc;
}

bool setup_file_is_ours(const struct host_root *root, const char *path)
{
	char first[256];
	return host_read_attr(root, path, first, sizeof(first)) == 0 &&
	       !strcmp(first, SETUP_MARKER);
}

/* The directories above path that do not exist yet, outermost first,
 * space-separated ("" when all do). */
static char *missing_dirs(const struct host_root *root, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	_cleanup_free_ char *dir = xstrdup(path);
	for (char *s = strchr(dir + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (!host_exists(root, dir))
			strbuf_appendf(&sb, "%s%s", sb.len ? " " : "", dir);
		*s = '/';
	}
	return strbuf_steal(&sb);
}

/* The "created" line of a file kata-setup wrote, "" when it has none. */
static char *created_line(const char *text)
{
	const char *nl = strchr(text, '\n');
	if (!nl || strncmp(nl + 1, SETUP_DIRS_PREFIX, strlen(SETUP_DIRS_PREFIX)))
		return xstrdup("");
	const char *end = strchr(nl + 1, '\n');
	return end ? xstrndup(nl + 1, (size_t)(end - nl)) : xstrdup(nl + 1);
}

/* content with the "created" line after its marker line */
static char *with_created(const char *content, const char *line)
{
	const char *nl = strchr(content, '\n');
	if (!*line || !nl)
		return xstrdup(content);
	return xasprintf("%.*s%s%s", (int)(nl - content + 1), content, line, nl + 1);
}

/* Every write, backup and removal below resolves inside the host root
 * (hostroot.h): an absolute symlink such as etc/kata-containers ->
 * /elsewhere leads to <root>/elsewhere, never out of the root. */

/* Does a file's text start with our marker line (as setup_file_is_ours
 * reads it: blanks around the first line do not count)? For a file already
 * read, without reading it again. */
static bool text_is_ours(const char *text)
{
	size_t len = strlen(SETUP_MARKER);
	text += strspn(text, " \t");
	if (strncmp(text, SETUP_MARKER, len))
		return false;
	text += len + strspn(text + len, " \t\r");
	return *text == '\n' || *text == '\0';
}

/* What writing content to path would leave there. */
static char *full_content(const struct host_root *root, const char *path, const char *content,
			  const char *current)
{
	_cleanup_free_ char *line = NULL;
	/* the directories kata-setup made for the file stay recorded in it, so
	 * that --undo can remove them */
	if (current && text_is_ours(current)) {
		line = created_line(current);
	} else {
		_cleanup_free_ char *dirs = missing_dirs(root, path);
		line = dirs[0] ? xasprintf("%s%s\n", SETUP_DIRS_PREFIX, dirs) : xstrdup("");
	}
	return with_created(content, line);
}

bool setup_file_unchanged(const struct host_root *root, const char *path, const char *content)
{
	_cleanup_free_ char *current = NULL, *full = NULL;
	if (host_read_file(root, path, 1 << 20, &current, NULL) < 0)
		return false;
	full = full_content(root, path, content, current);
	return !strcmp(current, full);
}

/* Where the filesystem has no hard links: a copy, with the original's
 * mode and owner. */
static int copy_backup(const struct host_root *root, const char *backup, const char *text,
		       const struct stat *st, struct kc_error *err)
{
	if (host_write_file(root, backup, text, strlen(text), st->st_mode & 07777, err) < 0)
		return -1;
	_cleanup_close_ int fd = host_open(root, backup, O_PATH | O_NOFOLLOW);
	if (fd < 0 || fchownat(fd, "", st->st_uid, st->st_gid, AT_EMPTY_PATH) < 0)
		return kc_error_set(err, fd < 0 ? -fd : errno, "cannot give %s its owner", backup);
	return 0;
}

int setup_write_file(const struct host_root *root, const char *path, const char *content,
		     struct kc_error *err)
{
	_cleanup_free_ char *current = NULL, *full = NULL;
	int r;

	r = host_read_file(root, path, 1 << 20, &current, NULL);
	full = full_content(root, path, content, r == 0 ? current : NULL);
	if (r == 0 && !strcmp(current, full))
		return 0;
	/* the file we replace keeps its mode (0640 for a reason, maybe) */
	struct stat st = {.st_mode = 0644};
	if (r == 0 && host_stat(root, path, &st, true) < 0)
		st.st_mode = 0644; /* root's, as written */
	mode_t mode = st.st_mode & 07777;
	if (r == 0 && !text_is_ours(current)) {
		/* keep the first backup: it is the file as the operator left it.
		 * It is that very file (bytes, mode, owner), a second name of
		 * it: ours replaces it by rename */
		_cleanup_free_ char *backup = xasprintf("%s%s", path, SETUP_BACKUP_SUFFIX);
		int l = host_exists(root, backup) ? 0 : host_link(root, path, backup);
		if (l == -EPERM || l == -EOPNOTSUPP || l == -EMLINK || l == -EXDEV)
			l = copy_backup(root, backup, current, &st, err);
		else if (l < 0)
			kc_error_set(err, -l, "cannot link %s to %s", backup, path);
		if (l < 0)
			return kc_error_wrap(err, "backing up %s", path);
	}
	if (host_write_file(root, path, full, strlen(full), mode, err) < 0)
		return -1;
	return 1;
}

/* Is dir a proper ancestor of path ("/etc" of "/etc/a/b.conf")? */
static bool is_ancestor(const char *dir, const char *path)
{
	size_t l = strlen(dir);
	return l > 1 && !strncmp(dir, path, l) && path[l] == '/';
}

int setup_remove_file(const struct host_root *root, const char *path, char *what, size_t len,
		      struct kc_error *err)
{
	_cleanup_free_ char *backup = xasprintf("%s%s", path, SETUP_BACKUP_SUFFIX);
	_cleanup_free_ char *text = NULL, *line = NULL;
	int r;

	if (host_read_file(root, path, 1 << 20, &text, NULL) < 0 || !text_is_ours(text)) {
		snprintf(what, len, "not written by kata-setup: kept");
		return 0;
	}
	if (host_exists(root, backup)) {
		if ((r = host_rename(root, backup, path)) < 0)
			return kc_error_set(err, -r, "cannot restore %s from %s", path, backup);
		snprintf(what, len, "restored the backup");
		return 1;
	}
	line = created_line(text);
	if ((r = host_unlink(root, path, 0)) < 0)
		return kc_error_set(err, -r, "cannot remove %s", path);
	snprintf(what, len, "removed");
	if (!*line)
		return 1;
	/* innermost first; a directory something else now uses stays. Only the
	 * file's own ancestors: the line is in a file the host root can edit */
	char *dirs = line + strlen(SETUP_DIRS_PREFIX), *v[16], *save = NULL;
	int n = 0;
	struct strbuf kept = STRBUF_INIT, gone = STRBUF_INIT;
	for (char *d = strtok_r(dirs, " \n", &save); d && n < 16; d = strtok_r(NULL, " \n", &save))
		v[n++] = d;
	while (n-- > 0) {
		if (!is_ancestor(v[n], path))
			continue;
		struct strbuf *sb = host_unlink(root, v[n], AT_REMOVEDIR) == 0 ? &gone : &kept;
		strbuf_appendf(sb, "%s%s", sb->len ? ", " : "", v[n]);
	}
	if (gone.len)
		snprintf(what + strlen(what), len - strlen(what), ", and the directory %s", gone.s);
	if (kept.len)
		snprintf(what + strlen(what), len - strlen(what), "; kept %s (not empty)", kept.s);
	strbuf_release(&kept);
	strbuf_release(&gone);
	return 1;
}
