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
#include "config_chain.h"
#include "config_paths.h"
#include "config_validate.h"
#include "default_config.h"
#include "fs.h"
#include "rules.h"
#include "setup.h"
#include "strbuf.h"
#include "strutil.h"

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
	if (o->vfio_bind.n) {
		strbuf_append(&sb, "vfio_pci\n");
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

/* The shipped default (from the host, else the copy built in), adapted to
 * this host, and checked by loading it back. */
int setup_config_content(const struct host_root *root, const struct host_facts *f,
			 const struct report *r, char **out, struct kc_error *err)
{
	_cleanup_free_ char *text = NULL;
	struct kc_config c;
	struct adapt_result a = {0};
	int rc = -1;

	if (host_read_file(root, KC_CONFIG_DEFAULT, 1 << 20, &text, NULL) < 0)
		text = xstrdup(default_configuration_toml);
	config_defaults(&c);
	if (config_load_text(&c, text, strlen(text), KC_CONFIG_DEFAULT, err) < 0 ||
	    config_check_values(&c, f->res.cpus_online, NULL, err) < 0)
		goto out;
	if (config_adapt(&c, f, r, &a, err) < 0)
		goto out;
	for (size_t i = 0; i < a.n; i++) {
		const char *key = strrchr(a.changes[i].key, '.') + 1;
		/* "auto" becomes "kvm" where KVM works (hardware isolation, and a loud
		 * failure if KVM breaks later); where it does not, "auto" stays, so
		 * that a failure today is not locked in as software emulation */
		if (!strcmp(key, "accel") && strcmp(a.changes[i].to, "kvm"))
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

/* Every write, backup and removal below resolves inside the host root
 * (hostroot.h): an absolute symlink such as etc/kata-containers ->
 * /elsewhere leads to <root>/elsewhere, never out of the root. */
int setup_write_file(const struct host_root *root, const char *path, const char *content,
		     struct kc_error *err)
{
	_cleanup_free_ char *current = NULL;
	int r;

	r = host_read_file(root, path, 1 << 20, &current, NULL);
	if (r == 0 && !strcmp(current, content))
		return 0;
	if (r == 0 && !setup_file_is_ours(root, path)) {
		/* keep the first backup: it is the file as the operator left it */
		_cleanup_free_ char *backup = xasprintf("%s%s", path, SETUP_BACKUP_SUFFIX);
		if (!host_exists(root, backup) &&
		    host_write_file(root, backup, current, strlen(current), 0644, err) < 0)
			return kc_error_wrap(err, "backing up %s", path);
	}
	if (host_write_file(root, path, content, strlen(content), 0644, err) < 0)
		return -1;
	return 1;
}

int setup_remove_file(const struct host_root *root, const char *path, char *what, size_t len,
		      struct kc_error *err)
{
	_cleanup_free_ char *backup = xasprintf("%s%s", path, SETUP_BACKUP_SUFFIX);
	int r;

	if (!setup_file_is_ours(root, path)) {
		snprintf(what, len, "not written by kata-setup: kept");
		return 0;
	}
	if (host_exists(root, backup)) {
		if ((r = host_rename(root, backup, path)) < 0)
			return kc_error_set(err, -r, "cannot restore %s from %s", path, backup);
		snprintf(what, len, "restored the backup");
		return 1;
	}
	if ((r = host_unlink(root, path, 0)) < 0)
		return kc_error_set(err, -r, "cannot remove %s", path);
	snprintf(what, len, "removed");
	return 1;
}
