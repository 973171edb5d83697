/* Configuration rules: which file is active (or why none is), its unknown
 * keys and bad values, every path it names, and what the accelerator
 * choice means for the verdict. */
#include <errno.h>
#include <string.h>

#include "arch_qemu.h"
#include "qemu_binary.h"
#include "rules.h"
#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

static const struct {
	const char *key;
	const char *remedy;
} path_remedies[] = {
    {"hypervisor.qemu.path", "install QEMU (Debian: `apt-get install qemu-system-x86` or the "
			     "package for this architecture), or fix the path"},
    {"hypervisor.qemu.kernel", "build and install the guest kernel and initrd (`make image && make "
			       "install`), or fix the path"},
    {"hypervisor.qemu.initrd", "build and install the guest kernel and initrd (`make image && make "
			       "install`), or fix the path"},
    {"hypervisor.qemu.image", "install the guest image, or fix the path"},
    {"hypervisor.qemu.virtio_fs_daemon",
     "install virtiofsd (Debian ships it with QEMU at /usr/lib/qemu/virtiofsd), or use shared_fs = "
     "\"virtio-9p\""},
    {"proxy.kata.path", "install kata-proxy (`make install`), or fix the path"},
    {"shim.kata.path", "install kata-shim (`make install`), or fix the path"},
};

/* A QEMU for another architecture runs guests only under emulation: an
 * x86 configuration copied to an arm64 node, say. */
static void qemu_arch_rule(const struct rules_input *in, struct report *r)
{
	const struct config_state *cs = in->config;
	const struct arch_qemu *aq = arch_qemu_for(in->facts->cpu.arch);
	const char *path = cs->cfg.hypervisor.path;
	const char *base = path ? strrchr(path, '/') : NULL;
	base = base ? base + 1 : path;
	if (!aq || !base || !str_startswith(base, "qemu-system-") || !strcmp(base, aq->binary))
		return;
	struct report_item *it =
	    report_add(r, "config.qemu_arch", GROUP_CONFIG,
		       strcmp(cs->cfg.hypervisor.accel, "tcg") ? LEVEL_FAIL : LEVEL_WARN,
		       "QEMU's architecture", "%s emulates another architecture than this %s host",
		       base, in->facts->cpu.arch_name);
	report_item_detail(it, "hypervisor.qemu.path = %s; this host's is /usr/bin/%s (machine %s)",
			   path, aq->binary, aq->machine_type);
	report_item_remedy(it,
			   "use the configuration for %s (`kata-setup --force` installs one), or "
			   "set path = \"/usr/bin/%s\" and machine_type = \"%s\"",
			   in->facts->cpu.arch_name, aq->binary, aq->machine_type);
}

static const char *path_remedy(const struct config_path *p)
{
	char key[96];
	snprintf(key, sizeof(key), "%s.%s", p->section, p->key);
	for (size_t i = 0; i < ARRAY_SIZE(path_remedies); i++)
		if (!strcmp(path_remedies[i].key, key))
			return path_remedies[i].remedy;
	return "fix the path in the configuration file";
}

/* QEMU is what the guest reaches: its seccomp sandbox, asked for and
 * possible with this binary. */
static void qemu_sandbox_rule(const struct config_state *cs, struct report *r)
{
	const struct qemu_config *h = &cs->cfg.hypervisor;
	struct report_item *it;
	if (!h->seccompsandbox || !*h->seccompsandbox) {
		it = report_add(r, "config.qemu_sandbox", GROUP_CONFIG, LEVEL_WARN,
				"QEMU's seccomp sandbox",
				"off (seccompsandbox = \"\"): a guest that breaks out into QEMU "
				"has every system call");
		report_item_remedy(it, "set [hypervisor.qemu] seccompsandbox = \"%s\"",
				   QEMU_SECCOMP_SANDBOX_DEFAULT);
	} else if (cs->qemu_seccomp == TRI_STATE_NO) {
		it = report_add(
		    r, "config.qemu_sandbox", GROUP_CONFIG, LEVEL_WARN, "QEMU's seccomp sandbox",
		    "%s was built without seccomp: it runs without its sandbox", h->path);
		report_item_remedy(
		    it,
		    "install a QEMU built with seccomp (Debian's is), or set seccompsandbox = \"\" "
		    "to say so in the configuration");
	} else {
		report_add(r, "config.qemu_sandbox", GROUP_CONFIG, LEVEL_PASS,
			   "QEMU's seccomp sandbox", "-sandbox %s", h->seccompsandbox);
	}
}

void rules_config(const struct rules_input *in, struct report *r)
{
	const struct config_state *cs = in->config;
	struct report_item *it;

	if (!cs)
		return;
	if (cs->missing) {
		it = report_add(r, "config.file", GROUP_CONFIG, LEVEL_WARN, "configuration file",
				"none found; kata-runtime would refuse to start");
		report_item_detail(it, "%s", cs->error);
		report_item_remedy(it,
				   "run `kata-setup` to install one adapted to this host, or point "
				   "--kata-config or KATA_CONF_FILE at one");
		report_item_fix(it, FIX_INSTALL_CONFIG, "/etc/kata-containers/configuration.toml");
		return;
	}
	if (!cs->loaded) {
		it = report_add(r, "config.file", GROUP_CONFIG, LEVEL_FAIL, "configuration file",
				"%s", cs->error);
		report_item_remedy(it,
				   "fix the file at the place named, or reinstall the default with "
				   "`kata-setup --force`");
		return;
	}
	it = report_add(r, "config.file", GROUP_CONFIG, LEVEL_PASS, "configuration file", "%s (%s)",
			cs->src.path, cs->src.origin);
	if (cs->notes.n) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < cs->notes.n; i++)
			strbuf_appendf(&sb, "%s%s", i ? "; " : "adjusted: ", cs->notes.v[i]);
		report_item_detail(it, "%s", strbuf_str(&sb));
		strbuf_release(&sb);
	}
	if (cs->cfg.warnings.n) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < cs->cfg.warnings.n; i++)
			strbuf_appendf(&sb, "%s%s", i ? "; " : "", cs->cfg.warnings.v[i]);
		it = report_add(r, "config.keys", GROUP_CONFIG, LEVEL_WARN, "configuration keys",
				"%zu unknown key%s ignored", cs->cfg.warnings.n,
				cs->cfg.warnings.n == 1 ? "" : "s");
		report_item_detail(it, "%s", strbuf_str(&sb));
		report_item_remedy(it, "check the spelling against configuration.toml(5): %s",
				   cs->cfg.warnings.v[0]);
		strbuf_release(&sb);
	}
	if (cs->cfg.ignored.n) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < cs->cfg.ignored.n; i++)
			strbuf_appendf(&sb, "%s%s", i ? "; " : "", cs->cfg.ignored.v[i]);
		it = report_add(r, "config.ignored", GROUP_CONFIG, LEVEL_WARN,
				"settings this runtime does not act on", "%zu setting%s no effect",
				cs->cfg.ignored.n, cs->cfg.ignored.n == 1 ? " has" : "s have");
		report_item_detail(it, "%s", strbuf_str(&sb));
		report_item_remedy(it, "remove them, or expect nothing from them: %s",
				   cs->cfg.ignored.v[0]);
		strbuf_release(&sb);
	}
	if (!cs->values_ok) {
		it = report_add(r, "config.values", GROUP_CONFIG, LEVEL_FAIL,
				"configuration values", "%s", cs->error);
		report_item_remedy(it, "fix the value named above (see configuration.toml(5))");
	}
	for (size_t i = 0; i < cs->npaths; i++) {
		const struct config_path *p = &cs->paths[i];
		char id[96];
		snprintf(id, sizeof(id), "config.%s.%s", p->section, p->key);
		if (!p->error) {
			report_add(r, id, GROUP_CONFIG, LEVEL_PASS, p->what, "%s", p->path);
			continue;
		}
		it = report_add(r, id, GROUP_CONFIG, LEVEL_FAIL, p->what, "%s", p->reason);
		char where[512];
		config_key_where(&cs->cfg, p->section, p->key, where, sizeof(where));
		report_item_detail(it, "%s[%s] %s", where, p->section, p->key);
		const struct arch_qemu *aq = arch_qemu_for(in->facts->cpu.arch);
		if (!strcmp(p->key, "path") && !strcmp(p->section, "hypervisor.qemu") && aq)
			report_item_remedy(it,
					   "install QEMU (Debian and Ubuntu: `apt-get install %s`, "
					   "which gives /usr/bin/%s), or fix the path",
					   aq->package, aq->binary);
		else
			report_item_remedy(it, "%s", path_remedy(p));
	}
	qemu_arch_rule(in, r);
	qemu_sandbox_rule(cs, r);
	if (!strcmp(cs->cfg.hypervisor.accel, "tcg"))
		report_add(r, "config.accel", GROUP_CONFIG, LEVEL_PASS, "accelerator",
			   "tcg: VMs run under software emulation, without hardware isolation");
	else if (!strcmp(cs->cfg.hypervisor.accel, "auto"))
		report_add(r, "config.accel", GROUP_CONFIG, LEVEL_PASS, "accelerator",
			   "auto: KVM where it can run the guest, TCG otherwise");
	else
		report_add(r, "config.accel", GROUP_CONFIG, LEVEL_PASS, "accelerator",
			   "kvm: hardware virtualization is required");
}

/* Items that only say "no usable hardware virtualization". */
static bool kvm_only(const struct report_item *it)
{
	static const char *const ids[] = {
	    "cpu.virt",		 "cpu.platform",
	    "cpu.sie",		 "cpu.lm",
	    "cpu.sse4_1",	 "modules.kvm",
	    "modules.kvm_intel", "modules.kvm_amd",
	    "modules.kvm_hv",	 "modules.kvm_intel.unrestricted_guest"};
	if (it->group == GROUP_KVM)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		if (!strcmp(it->id, ids[i]))
			return true;
	return false;
}

void rules_apply_accel(const struct rules_input *in, struct report *r)
{
	bool tcg = in->accel && !strcmp(in->accel, "tcg");
	bool allows_tcg = in->accel && (tcg || !strcmp(in->accel, "auto"));

	if (!allows_tcg)
		return;
	for (size_t i = 0; i < r->n; i++) {
		struct report_item *it = &r->items[i];
		if (it->level != LEVEL_FAIL || !kvm_only(it))
			continue;
		it->level = LEVEL_WARN;
		if (!strcmp(it->id, "kvm.guest"))
			report_item_remedy(
			    it, "none needed to run; for hardware isolation, run on a node "
				"with hardware virtualization (bare metal, or a VM with nested "
				"virtualization)");
		char *s =
		    xasprintf("%s; accel = \"%s\": kata-runtime runs the VM under TCG (software "
			      "emulation, no hardware isolation)",
			      it->summary, in->accel);
		free(it->summary);
		it->summary = s;
	}
}
