/* Building kata-env's document (see env.h). */
#include "env.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config_paths.h"
#include "proc.h"
#include "rules.h"
#include "strbuf.h"
#include "strutil.h"
#include "version.h"
#include "xalloc.h"

/* Kata 1.x's last kata-env format (1.0.25 is Kata 2's: no Proxy, no Shim) */
#define ENV_FORMAT_VERSION "1.0.24"
#define OCI_SPEC_VERSION   "1.0.2"

static json_t *str(const char *s)
{
	return json_string(s ? s : "");
}

#define UNKNOWN "<<unknown>>" /* Kata 1's word for a version it could not get */

/* Kata 1's VersionInfo table from "X.Y.Z" and a commit. */
static json_t *version_table(const char *semver, const char *commit)
{
	json_t *v = json_object();
	unsigned major = 0, minor = 0, patch = 0;
	bool parsed = semver && sscanf(semver, "%u.%u.%u", &major, &minor, &patch) == 3;
	json_object_set_new(v, "Semver", json_string(parsed ? semver : UNKNOWN));
	json_object_set_new(v, "Major", json_integer(major));
	json_object_set_new(v, "Minor", json_integer(minor));
	json_object_set_new(v, "Patch", json_integer(patch));
	json_object_set_new(v, "Commit", json_string(commit && *commit ? commit : UNKNOWN));
	return v;
}

static json_t *version_object(void)
{
	return version_table(kc_version, kc_commit);
}

/* `path --version` into out; only on the host we run on (a binary of
 * another root is not ours to execute). 0, or -1 with why in out. */
static int run_version(const struct env_input *in, const char *path, char *out, size_t len)
{
	int status = 0;
	_cleanup_error_ struct kc_error err = {0};

	if (!in->root->live) {
		snprintf(out, len, "unknown (not run: the host root is not /)");
		return -1;
	}
	const char *argv[] = {path, "--version", NULL};
	if (run_capture(argv, 3000, out, len, &status, &err) < 0) {
		snprintf(out, len, "%s", kc_error_msg(&err));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char first[256];
		snprintf(first, sizeof(first), "%.*s", (int)strcspn(out, "\n"), out);
		snprintf(out, len, "unknown (%s --version failed: %s)", path, first);
		return -1;
	}
	return 0;
}

/* `binary --version` as the version table, as Kata 1 did. Our programs
 * answer "NAME version X" and "commit: C". */
static json_t *binary_version_table(const struct env_input *in, const char *path)
{
	char out[512];

	if (!path || !*path || run_version(in, path, out, sizeof(out)) < 0)
		return version_table(NULL, NULL);
	char semver[64] = "", commit[64] = "", *cursor = out, *line;
	while ((line = next_line(&cursor))) {
		const char *v = strstr(line, " version ");
		if (v && !semver[0])
			sscanf(v + 9, "%63s", semver);
		else if (str_startswith(line, "commit: "))
			sscanf(line + 8, "%63s", commit);
	}
	return version_table(semver, commit);
}

/* First line of `binary --version`, as Kata shows it (QEMU's). */
static json_t *binary_version(const struct env_input *in, const char *path)
{
	char out[512];
	if (run_version(in, path, out, sizeof(out)) == 0)
		out[strcspn(out, "\n")] = '\0';
	return json_string(out);
}

/* Where kata-runtime really is, as Kata 1 printed its own executable: this
 * program when it is kata-runtime, else the kata-runtime beside it, else
 * the one in PATH; "" when there is none. */
static char *runtime_path(void)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *base = NULL;
	if (n > 0) {
		self[n] = '\0';
		base = strrchr(self, '/');
	}
	if (base) {
		if (!strcmp(base + 1, "kata-runtime"))
			return xstrdup(self);
		_cleanup_free_ char *beside =
		    xasprintf("%.*s/kata-runtime", (int)(base - self), self);
		char real[4096];
		if (access(beside, X_OK) == 0 && realpath(beside, real))
			return xstrdup(real);
	}
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
	char *save = NULL;
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *cand = xasprintf("%s/kata-runtime", d);
		char real[4096];
		if (*d == '/' && access(cand, X_OK) == 0 && realpath(cand, real))
			return xstrdup(real);
	}
	return xstrdup("");
}

static json_t *strlist_json(const struct strlist *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

static const char *go_arch(enum host_arch a)
{
	switch (a) {
	case ARCH_X86_64: return "amd64";
	case ARCH_ARM64: return "arm64";
	case ARCH_PPC64LE: return "ppc64le";
	case ARCH_S390X: return "s390x";
	default: return "unknown";
	}
}

static json_t *runtime_section(const struct env_input *in, const struct assessment *as)
{
	const struct kc_config *c = &as->config->cfg;
	const struct config_state *cs = as->config;
	json_t *o = json_object(), *v;
	json_object_set_new(o, "Debug", json_boolean(c->runtime.enable_debug));
	json_object_set_new(o, "Trace", json_boolean(c->runtime.enable_tracing));
	json_object_set_new(o, "DisableGuestSeccomp",
			    json_boolean(c->runtime.disable_guest_seccomp));
	json_object_set_new(o, "DisableNewNetNs", json_boolean(c->runtime.disable_new_netns));
	json_object_set_new(o, "SandboxCgroupOnly", json_boolean(c->runtime.sandbox_cgroup_only));
	json_object_set_new(o, "Experimental", strlist_json(&c->runtime.experimental));
	/* the real path on the host we run on; for another root, where it
	 * would be installed */
	_cleanup_free_ char *path =
	    in->root->live ? runtime_path() : xstrdup(KC_PREFIX "/bin/kata-runtime");
	json_object_set_new(o, "Path", json_string(path));
	v = json_object();
	json_object_set_new(v, "OCI", json_string(OCI_SPEC_VERSION));
	json_object_set_new(v, "Version", version_object());
	json_object_set_new(o, "Version", v);
	v = json_object();
	json_object_set_new(v, "Path", str(cs->src.path));
	json_object_set_new(v, "Origin", str(cs->src.origin));
	json_object_set_new(v, "Loaded", json_boolean(cs->loaded));
	json_object_set_new(v, "Error", str(cs->error));
	json_object_set_new(v, "Warnings", strlist_json(&cs->cfg.warnings));
	json_object_set_new(v, "Ignored", strlist_json(&cs->cfg.ignored));
	json_object_set_new(v, "Adjustments", strlist_json(&cs->notes));
	json_object_set_new(o, "Config", v);
	return o;
}

static json_t *hypervisor_section(const struct env_input *in)
{
	const struct assessment *as = in->a;
	const struct qemu_config *h = &as->config->cfg.hypervisor;
	json_t *o = json_object();
	json_object_set_new(o, "MachineType", str(h->machine_type));
	json_object_set_new(o, "Version", binary_version(in, h->path));
	json_object_set_new(o, "Path", str(h->path));
	json_object_set_new(o, "BlockDeviceDriver", str(h->block_device_driver));
	json_object_set_new(o, "EntropySource", str(h->entropy_source));
	json_object_set_new(o, "SharedFS", str(h->shared_fs));
	json_object_set_new(o, "VirtioFSDaemon", str(h->virtio_fs_daemon));
	json_object_set_new(o, "Msize9p", json_integer(h->msize_9p));
	json_object_set_new(o, "MemorySlots", json_integer(h->memory_slots));
	json_object_set_new(o, "PCIeRootPort", json_integer(h->pcie_root_port));
	json_object_set_new(o, "HotplugVFIOOnRootBus", json_boolean(h->hotplug_vfio_on_root_bus));
	json_object_set_new(o, "Debug", json_boolean(h->enable_debug));
	json_object_set_new(o, "UseVSock", json_boolean(h->use_vsock));
	json_object_set_new(o, "DisableVhostNet", json_boolean(h->disable_vhost_net));
	json_object_set_new(o, "DefaultVCPUs", json_integer(h->default_vcpus));
	json_object_set_new(o, "DefaultMaxVCPUs", json_integer(h->default_maxvcpus));
	json_object_set_new(o, "DefaultMemory", json_integer(h->default_memory));
	json_object_set_new(o, "AcceleratorSetting", str(h->accel));
	json_object_set_new(o, "Accelerator", str(as->adapted ? as->adapt.accel : ""));
	json_object_set_new(o, "SeccompSandbox", str(h->seccompsandbox));
	json_object_set_new(o, "Rootless", json_boolean(h->rootless));
	return o;
}

/* Image, Kernel, Initrd, Proxy, Shim, Agent and Netmon. */
static void component_sections(json_t *root, const struct env_input *in, const struct kc_config *c)
{
	const struct qemu_config *h = &c->hypervisor;
	json_t *o = json_object();
	json_object_set_new(o, "Path", str(h->image));
	json_object_set_new(root, "Image", o);
	o = json_object();
	json_object_set_new(o, "Path", str(h->kernel));
	json_object_set_new(o, "Parameters", str(h->kernel_params));
	json_object_set_new(root, "Kernel", o);
	o = json_object();
	json_object_set_new(o, "Path", str(h->initrd));
	json_object_set_new(root, "Initrd", o);
	o = json_object();
	json_object_set_new(o, "Type", json_string("kataProxy"));
	json_object_set_new(o, "Path", str(c->proxy.path));
	json_object_set_new(o, "Debug", json_boolean(c->proxy.enable_debug));
	json_object_set_new(o, "Version", binary_version_table(in, c->proxy.path));
	json_object_set_new(root, "Proxy", o);
	o = json_object();
	json_object_set_new(o, "Type", json_string("kataShim"));
	json_object_set_new(o, "Version", binary_version_table(in, c->shim.path));
	json_object_set_new(o, "Path", str(c->shim.path));
	json_object_set_new(o, "Debug", json_boolean(c->shim.enable_debug));
	json_object_set_new(o, "Trace", json_boolean(c->shim.enable_tracing));
	json_object_set_new(root, "Shim", o);
	o = json_object();
	json_object_set_new(o, "Type", json_string("kata"));
	json_object_set_new(o, "Debug", json_boolean(c->agent.enable_debug));
	json_object_set_new(o, "Trace", json_boolean(c->agent.enable_tracing));
	json_object_set_new(o, "TraceMode", str(c->agent.trace_mode));
	json_object_set_new(o, "TraceType", str(c->agent.trace_type));
	/* the agent is built with the runtime and speaks its protocol */
	json_object_set_new(o, "Version", version_object());
	json_object_set_new(root, "Agent", o);
	/* Kata 1 printed Netmon for a binary it had installed; there is none
	 * to print when it is not (this runtime ships no kata-netmon) */
	if (!c->netmon.path || !*c->netmon.path || !host_exists(in->root, c->netmon.path))
		return;
	o = json_object();
	json_object_set_new(o, "Path", str(c->netmon.path));
	json_object_set_new(o, "Debug", json_boolean(c->netmon.enable_debug));
	json_object_set_new(o, "Enable", json_boolean(c->netmon.enable_netmon));
	json_object_set_new(o, "Version", binary_version_table(in, c->netmon.path));
	json_object_set_new(root, "Netmon", o);
}

static json_t *host_section(const struct assessment *as)
{
	const struct host_facts *f = as->facts;
	bool capable = assessment_capable(as, false);
	const struct device_fact *vsock = facts_device(f, "/dev/vhost-vsock");
	json_t *o = json_object(), *v;
	json_object_set_new(o, "Kernel", str(f->res.kernel_release));
	json_object_set_new(o, "Architecture", json_string(go_arch(f->cpu.arch)));
	json_object_set_new(o, "VMContainerCapable", json_boolean(capable));
	json_object_set_new(o, "SupportVSocks", json_boolean(vsock && vsock->present));
	v = json_object();
	/* os-release NAME, as Kata 1 read it ("Ubuntu", not the PRETTY_NAME) */
	json_object_set_new(v, "Name", str(f->res.os_name[0] ? f->res.os_name : f->res.distro_id));
	json_object_set_new(v, "Version", str(f->res.distro_version));
	json_object_set_new(o, "Distro", v);
	v = json_object();
	json_object_set_new(v, "Vendor", str(f->cpu.vendor_id));
	json_object_set_new(v, "Model", str(f->cpu.model_name));
	json_object_set_new(o, "CPU", v);
	v = json_object();
	json_object_set_new(v, "Verdict", json_string(capable ? MSG_CAPABLE : MSG_NOT_CAPABLE));
	json_t *problems = json_array();
	for (size_t i = 0; i < as->report.n; i++) {
		const struct report_item *it = &as->report.items[i];
		if (it->level != LEVEL_WARN && it->level != LEVEL_FAIL)
			continue;
		char *line = xasprintf("%s %s: %s", level_name(it->level), it->id, it->summary);
		json_array_append_new(problems, json_string(line));
		free(line);
	}
	json_object_set_new(v, "Problems", problems);
	json_object_set_new(o, "Readiness", v);
	return o;
}

/* Every adaptation with its reason; and the refusal, with every reason. */
static void decision_sections(json_t *root, const struct assessment *as)
{
	json_t *adaptations = json_array();
	for (size_t i = 0; as->adapted && i < as->adapt.n; i++) {
		const struct adaptation *a = &as->adapt.changes[i];
		json_t *e = json_object();
		json_object_set_new(e, "Key", json_string(a->key));
		json_object_set_new(e, "From", json_string(a->from));
		json_object_set_new(e, "To", json_string(a->to));
		json_object_set_new(e, "Reason", json_string(a->reason));
		json_object_set_new(e, "ReportItem", json_string(a->item));
		json_array_append_new(adaptations, e);
	}
	json_object_set_new(root, "Adaptation", adaptations);
	if (as->ready)
		return;
	json_t *o = json_object();
	_cleanup_free_ char *why = assessment_reasons_line(as);
	json_object_set_new(o, "Error", json_string(why));
	json_t *reasons = json_array();
	for (size_t i = 0; i < as->reasons.n; i++)
		json_array_append_new(reasons, json_string(as->reasons.v[i]));
	json_object_set_new(o, "Reasons", reasons);
	json_object_set_new(root, "Refusal", o);
}

json_t *env_build(const struct env_input *in)
{
	json_t *root = json_object(), *meta = json_object();
	json_object_set_new(meta, "Version", json_string(ENV_FORMAT_VERSION));
	json_object_set_new(root, "Meta", meta);
	json_object_set_new(root, "Runtime", runtime_section(in, in->a));
	json_object_set_new(root, "Hypervisor", hypervisor_section(in));
	component_sections(root, in, &in->a->config->cfg);
	json_object_set_new(root, "Host", host_section(in->a));
	decision_sections(root, in->a);
	return root;
}
