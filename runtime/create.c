/* create's steps (see create.h). */
#include "create.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_client.h"
#include "bundle.h"
#include "crash.h"
#include "daemon.h"
#include "hooks.h"
#include "json_cleanup.h"
#include "host_cgroup.h"
#include "log.h"
#include "network.h"
#include "oci.h"
#include "pod.h"
#include "qemu.h"
#include "rtconfig.h"
#include "share.h"
#include "stages.h"
#include "strbuf.h"
#include "timeouts.h"
#include "vfio.h"
#include "vfio_plug.h"
#include "xalloc.h"

struct create_ctx {
	struct rt *rt;
	const struct create_args *a;
	struct ctr c;
	bool have_state; /* the id's directory is ours: undo may remove it */
	struct bundle b;
	struct rtconfig rc;
	enum pod_role role;
	const char *sandbox_id;
	bool terminal;
	json_t *guest_spec;
	struct vfio_plan vfio; /* host devices the spec passes to the VM */
	uint32_t stream;
	pid_t shim;
};

/* Write the state as it is now: the record a crash leaves behind. */
static int record(struct create_ctx *x, const char *point, struct kc_error *err)
{
	if (state_write(&x->c.sd, x->c.state, err) < 0)
		return -1;
	crash_point(point);
	return 0;
}

/* ---- the steps ------------------------------------------------------------- */

static int step_state(struct create_ctx *x, struct kc_error *err)
{
	if (state_create(&x->c.sd, x->rt->root, x->a->id, err) < 0)
		return -1;
	x->have_state = true;
	crash_point("create:state-directory");
	return 0;
}

static int step_bundle(struct create_ctx *x, struct kc_error *err)
{
	if (bundle_load(&x->b, x->a->bundle, true, err) < 0)
		return -1;
	json_t *process = json_object_get(x->b.spec, "process");
	x->terminal = json_is_true(json_object_get(process, "terminal"));
	/* runc's rules for where the terminal goes; a carried process's
	 * terminal stays in the guest, its stream carried by the shim v2 */
	if (x->terminal && !x->a->console_socket && !x->a->foreground && !x->a->carried)
		return kc_error_set(
		    err, 0,
		    "cannot allocate tty if runc will detach without setting console socket");
	if (!x->terminal && x->a->console_socket)
		return kc_error_set(
		    err, 0, "cannot use console socket if runc will not detach or allocate tty");
	if (pod_role(json_object_get(x->b.spec, "annotations"), &x->role, &x->sandbox_id, err) < 0)
		return -1;
	if (x->role == POD_SANDBOX)
		x->sandbox_id = x->a->id;
	return 0;
}

static int step_config(struct create_ctx *x, struct kc_error *err)
{
	if (rtconfig_load(&x->rc, x->rt->kata_config, err) < 0)
		return -1;
	if (x->role == POD_SANDBOX &&
	    pod_overrides(json_object_get(x->b.spec, "annotations"), x->rc.cfg, err) < 0)
		return -1;
	/* passthrough is judged before anything is made or booted */
	if (vfio_plan_for_spec(x->b.spec, &x->rc, !x->rc.pci_fixture, &x->vfio, err) < 0)
		return kc_error_wrap(err, "%s/config.json", x->b.dir);
	return 0;
}

/* The first record: enough for delete --force to find everything later. */
static int step_record(struct create_ctx *x, struct kc_error *err)
{
	const json_t *spec = x->b.spec;
	json_t *ann = json_object_get(spec, "annotations");
	json_t *st =
	    json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:b, s:s}", "ociVersion", OCI_VERSION,
		      "id", x->a->id, "status", "creating", "pid", 0, "bundle", x->b.dir, "rootfs",
		      x->b.rootfs, "sandbox_id", x->sandbox_id, "terminal", x->terminal,
		      "shim_path", x->rc.cfg->shim.path);
	char created[64];
	rfc3339_now(created, sizeof(created));
	json_object_set_new(st, "created", json_string(created));
	/* who is creating: once gone, "creating" means "stopped" */
	json_object_set_new(st, "creator",
			    json_pack("{s:i, s:I}", "pid", getpid(), "start",
				      (json_int_t)process_start_time(getpid())));
	json_object_set_new(st, "annotations", ann ? json_deep_copy(ann) : json_object());
	if (json_object_get(spec, "hooks"))
		json_object_set_new(st, "hooks", json_deep_copy(json_object_get(spec, "hooks")));
	/* the base of an exec given only a command line */
	json_object_set_new(st, "process", json_deep_copy(json_object_get(spec, "process")));
	x->c.state = st;
	return record(x, "create:state", err);
}

/* vCPUs and memory: the configuration's, plus what the spec's limits ask
 * for (as Kata sizes a sandbox), within the VM's and the host's means. */
static void size_vm(const struct rtconfig *rc, const json_t *spec, unsigned *vcpus, unsigned *mem)
{
	const struct kc_config *cfg = rc->cfg;
	*vcpus = cfg->hypervisor.default_vcpus > 0 ? (unsigned)cfg->hypervisor.default_vcpus : 1;
	*mem = cfg->hypervisor.default_memory;
	unsigned lv, lm;
	pod_limits(spec, &lv, &lm);
	*vcpus += lv;
	unsigned max = cfg->hypervisor.default_maxvcpus;
	if (max && *vcpus > max) {
		kc_warn("linux.resources.cpu asks for %u vCPUs: the VM gets default_maxvcpus, %u",
			*vcpus, max);
		*vcpus = max;
	}
	unsigned room = rc->host_memory_mib > *mem ? rc->host_memory_mib - *mem : 0;
	if (lm > room) {
		kc_warn("linux.resources.memory.limit asks for %u MiB more than the VM's %u: the "
			"host has %u MiB, the VM "
			"gets %u more",
			lm, *mem, rc->host_memory_mib, room);
		lm = room;
	}
	*mem += lm;
}

/* Where the guest finds the passed devices, asked of QEMU once they are
 * in, and recorded. */
static int locate_vfio(struct create_ctx *x, bool hotplugged, struct kc_error *err)
{
	_cleanup_free_ char *qmp = sandbox_qmp_socket(&x->c.sb);
	if (qemu_vfio_locate(qmp, x->vfio.dev, x->vfio.n, err) < 0)
		return -1;
	for (int k = 0; k < x->vfio.n; k++)
		kc_info("passing %s (IOMMU group %d) as %s on %s, PCI path %s in the guest",
			x->vfio.dev[k].host, x->vfio.dev[k].group, x->vfio.dev[k].id,
			x->vfio.dev[k].bus, x->vfio.dev[k].pci_path);
	json_object_set_new(x->c.state, "vfio", vfio_plan_to_json(&x->vfio, hotplugged));
	return record(x, "create:vfio-located", err);
}

/* A member's devices, hot-plugged into the pod's running VM: recorded
 * first, so that a crash at any point leaves what delete unplugs. */
static int hotplug_vfio(struct create_ctx *x, const struct sandbox *sb, struct kc_error *err)
{
	char buses[VFIO_BUSES_MAX][32];
	const char *names[VFIO_BUSES_MAX];
	int nb = vfio_hotplug_buses(x->rc.cfg->hypervisor.hotplug_vfio_on_root_bus, sb->machine,
				    sb->hotplug_bridges, sb->hotplug_ports, buses, VFIO_BUSES_MAX);
	for (int i = 0; i < nb; i++)
		names[i] = buses[i];
	json_object_set_new(x->c.state, "vfio", vfio_plan_to_json(&x->vfio, true));
	if (record(x, "create:vfio-recorded", err) < 0)
		return -1;
	_cleanup_free_ char *qmp = sandbox_qmp_socket(sb);
	if (!nb)
		return kc_error_set(
		    err, 0, "%s/config.json: the pod's VM has no bus to hot-plug %s onto: %s",
		    x->b.dir, x->vfio.dev[0].host,
		    x->rc.cfg->hypervisor.hotplug_vfio_on_root_bus
			? "hotplug_vfio_on_root_bus on q35 needs pcie_root_port > 0"
			: "default_bridges is 0 (or set hotplug_vfio_on_root_bus and "
			  "pcie_root_port)");
	if (qemu_vfio_add(qmp, x->vfio.dev, x->vfio.n, names, nb, err) < 0)
		return -1;
	crash_point("create:vfio-plugged");
	return locate_vfio(x, true, err);
}

/* A pod member: the sandbox's VM, grown by the member's limits. */
static int step_join(struct create_ctx *x, struct kc_error *err)
{
	_cleanup_sbrec_ struct sbrec rec = SBREC_INIT;
	if (sbrec_open(&rec, x->rt->root, x->sandbox_id, err) < 0)
		return kc_error_wrap(err, "container %s of pod", x->a->id);
	if (!sandbox_vm_alive(&rec.sb))
		return kc_error_set(err, 0, "the VM of sandbox %s is not running", x->sandbox_id);
	sandbox_from_json(&x->c.sb, json_object_get(rec.j, "sandbox"));
	x->c.have_sandbox = true;
	sbrec_add_member(&rec, x->a->id);
	/* the pod's host limits grow before the VM does */
	sbrec_set_limits(&rec, x->a->id,
			 json_object_get(json_object_get(x->b.spec, "linux"), "resources"), false);
	if (sbrec_save(&rec, err) < 0 || pod_apply_host_limits(&rec, err) < 0)
		return -1;
	crash_point("create:joined");
	if (x->vfio.n && hotplug_vfio(x, &rec.sb, err) < 0)
		return -1;
	unsigned lv, lm;
	pod_limits(x->b.spec, &lv, &lm);
	if ((lv || lm) && pod_hotplug(&rec.sb, lv, lm, err) == 0) {
		x->c.sb.vcpus = rec.sb.vcpus;
		x->c.sb.memory_mib = rec.sb.memory_mib;
		return sbrec_save(&rec, err);
	}
	return 0;
}

/* The pod's interfaces in the namespace the spec names, plumbed to taps
 * before QEMU opens them: recorded (with the taps' names) first. */
static int step_network(struct create_ctx *x, enum netns_mode mode, const char *netns,
			struct qemu_nic *nics, int *nnics, struct kc_error *err)
{
	const struct kc_config *cfg = x->rc.cfg;
	const char *model = cfg->runtime.internetworking_model;
	*nnics = 0;
	if (mode != NETNS_PATH || (model && !strcmp(model, "none")))
		return 0;
	struct net_config nc;
	if (net_scan(netns, &nc, err) < 0)
		return -1;
	if (!nc.n)
		return 0;
	json_object_set_new(x->c.state, "netns", json_string(netns));
	json_object_set_new(x->c.state, "network", net_to_json(&nc));
	if (record(x, "create:network-recorded", err) < 0 || net_plumb(netns, &nc, err) < 0)
		return -1;
	crash_point("create:network");
	for (int i = 0; i < nc.n; i++) {
		snprintf(nics[i].tap, sizeof(nics[i].tap), "%s", nc.ifaces[i].tap);
		net_mac_string(nc.ifaces[i].mac, nics[i].mac);
		nics[i].vhost = !cfg->hypervisor.disable_vhost_net;
		nics[i].fd = nics[i].vhostfd = -1;
	}
	*nnics = nc.n;
	return 0;
}

/* The guest's network: the pod's interfaces (names, MACs, addresses, MTU)
 * and routes, on the NICs QEMU was given. */
static int configure_guest_network(struct ctr *c, const json_t *net, struct kc_error *err)
{
	if (!json_array_size(json_object_get(net, "interfaces")))
		return 0;
	struct agent_client ac;
	if (ctr_agent(c, &ac, err) < 0)
		return -1;
	size_t i;
	json_t *itf;
	int rc = 0;
	json_array_foreach (json_object_get(net, "interfaces"), i, itf) {
		_cleanup_json_ json_t *r = agent_client_call(
		    &ac, "update_interface",
		    json_pack("{s:O, s:O, s:O, s:O}", "name", json_object_get(itf, "name"), "mac",
			      json_object_get(itf, "mac"), "mtu", json_object_get(itf, "mtu"),
			      "addresses", json_object_get(itf, "addresses")),
		    AGENT_CALL_MS, err);
		if (!r) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && json_array_size(json_object_get(net, "routes"))) {
		_cleanup_json_ json_t *r =
		    agent_client_call(&ac, "update_routes",
				      json_pack("{s:O}", "routes", json_object_get(net, "routes")),
				      AGENT_CALL_MS, err);
		if (!r)
			rc = -1;
	}
	agent_client_close(&ac);
	return rc < 0 ? kc_error_wrap(err, "guest network") : 0;
}

/* The VM: a prebuilt one when a front end gave the factory (struct rt's
 * prebuilt_vm: the core never includes runtime/factory/), else booted
 * cold - as it is when the factory has none. A prebuilt VM has the
 * configuration's default size: what the spec's limits add is hot-plugged. */
static int start_vm(struct create_ctx *x, struct sandbox_params *sp, struct kc_error *err)
{
	if (!x->rt->prebuilt_vm || x->rt->prebuilt_vm(&x->rc, &x->c.sb, sp, x->vfio.n) != 0)
		return sandbox_start(&x->c.sb, sp, err);
	const struct sandbox *sb = &x->c.sb;
	unsigned add_v = sp->vcpus > sb->vcpus ? sp->vcpus - sb->vcpus : 0;
	unsigned add_m = sp->memory_mib > sb->memory_mib ? sp->memory_mib - sb->memory_mib : 0;
	_cleanup_error_ struct kc_error herr = {0};
	struct stage_clock clock;
	stages_begin(&clock);
	if ((add_v || add_m) && pod_hotplug(&x->c.sb, add_v, add_m, &herr) < 0)
		kc_warn("the spec's limits: %s", kc_error_msg(&herr));
	stages_end(&clock, "limits-hotplug");
	return 0;
}

/* The sandbox's record, with its first member and the pod's host limits;
 * unlocked on return, before the guest's network is configured (the lock
 * is never held while the agent is asked anything). */
static int record_sandbox(struct create_ctx *x, const json_t *net, struct kc_error *err)
{
	_cleanup_sbrec_ struct sbrec rec = SBREC_INIT;
	if (sbrec_create(&rec, x->rt->root, &x->c.sb, net, err) < 0)
		return -1;
	sbrec_add_member(&rec, x->a->id);
	sbrec_set_limits(&rec, x->a->id,
			 json_object_get(json_object_get(x->b.spec, "linux"), "resources"),
			 pod_is_pause(json_object_get(x->b.spec, "annotations")));
	if (sbrec_save(&rec, err) < 0 || pod_apply_host_limits(&rec, err) < 0)
		return -1;
	return 0;
}

/* A sandbox: its VM (recorded by its directory before it boots), then its
 * record, then the guest's network. */
static int step_vm(struct create_ctx *x, struct kc_error *err)
{
	struct qemu_nic nics[NET_MAX_IFACES];
	int nnics;
	const char *netns_path = NULL;
	enum netns_mode netns_mode = bundle_netns(x->b.spec, &netns_path);
	/* what a VM cannot share with the host: refused, never silently
	 * broken (the container would see the guest's, not the host's) */
	if (netns_mode == NETNS_HOST)
		return kc_error_set(
		    err, 0,
		    "%s/config.json: linux.namespaces has no network namespace: the "
		    "pod would share the host's network (hostNetwork), which a VM "
		    "cannot join - its containers would have only loopback; give "
		    "the pod a network namespace of its own",
		    x->b.dir);
	if (!oci_spec_has_namespace(x->b.spec, "ipc"))
		return kc_error_set(
		    err, 0,
		    "%s/config.json: linux.namespaces has no ipc namespace: the pod "
		    "would share the host's IPC (hostIPC), which a VM cannot reach",
		    x->b.dir);
	struct stage_clock net_clock;
	stages_begin(&net_clock);
	if (step_network(x, netns_mode, netns_path, nics, &nnics, err) < 0)
		return -1;
	stages_end(&net_clock, "network");
	if (netns_mode == NETNS_NEW && x->rc.cfg->runtime.disable_new_netns)
		netns_mode = NETNS_HOST;
	unsigned vcpus, mem;
	size_vm(&x->rc, x->b.spec, &vcpus, &mem);
	/* the pod's cgroup on the host: everything of the sandbox goes in it */
	_cleanup_free_ char *cgroup = NULL;
	const char *cgroups_path =
	    json_string_value(json_object_get(json_object_get(x->b.spec, "linux"), "cgroupsPath"));
	if (host_cgroup_path(cgroups_path, x->rt->systemd_cgroup, &cgroup, err) < 0)
		return kc_error_wrap(err, "%s/config.json", x->b.dir);
	_cleanup_free_ char *vm_dir = sandbox_vm_dir(x->rt->root, x->a->id);
	vfio_place_cold(&x->vfio, x->rc.cfg->hypervisor.machine_type);
	json_object_set_new(x->c.state, "sandbox",
			    json_pack("{s:s, s:s}", "id", x->a->id, "vm_dir", vm_dir));
	if (cgroup)
		json_object_set_new(json_object_get(x->c.state, "sandbox"), "cgroup",
				    json_string(cgroup));
	if (record(x, "create:vm-recorded", err) < 0)
		return -1;
	kc_info("creating sandbox %s: %s, %u vCPU, %u MiB, %s, %d NIC(s)", x->a->id, x->rc.accel,
		vcpus, mem, x->rc.cfg->hypervisor.machine_type, nnics);
	struct sandbox_params sp = {.id = x->a->id,
				    .root = x->rt->root,
				    .rc = &x->rc,
				    .vcpus = vcpus,
				    .memory_mib = mem,
				    .netns_mode = netns_mode,
				    .netns_path = netns_path,
				    .nics = nics,
				    .nnics = nnics,
				    .vfio = x->vfio.dev,
				    .nvfio = x->vfio.n,
				    .cgroup = cgroup};
	if (start_vm(x, &sp, err) < 0)
		return -1;
	x->c.have_sandbox = true;
	if (x->vfio.n && locate_vfio(x, false, err) < 0)
		return -1;
	/* for kata-dashboard and for delete: the sandbox's VM in its container's state */
	json_object_set_new(x->c.state, "sandbox", sandbox_to_json(&x->c.sb));
	if (record(x, "create:vm", err) < 0)
		return -1;
	const json_t *net = json_object_get(x->c.state, "network");
	if (record_sandbox(x, net, err) < 0)
		return -1;
	crash_point("create:sandbox-record");
	struct stage_clock gnet_clock;
	stages_begin(&gnet_clock);
	int rc = configure_guest_network(&x->c, net, err);
	stages_end(&gnet_clock, "guest-network");
	return rc;
}

/* The container's files in the share, then the container in the guest. */
static int step_container(struct create_ctx *x, struct kc_error *err)
{
	_cleanup_close_ int vmfd = sandbox_open_vm_dir(&x->c.sb);
	if (vmfd < 0)
		return kc_error_set(err, -vmfd, "the VM directory of sandbox %s", x->sandbox_id);
	json_object_set_new(x->c.state, "shared", json_true());
	if (record(x, "create:share-recorded", err) < 0)
		return -1;
	struct stage_clock share_clock;
	stages_begin(&share_clock);
	x->guest_spec = share_container(vmfd, x->a->id, x->b.rootfs_fd, x->b.spec, err);
	if (!x->guest_spec)
		return -1;
	stages_end(&share_clock, "share-rootfs");
	crash_point("create:shared");
	/* the guest applies the profile only when asked to (Kata's default
	 * is not to: the VM is the boundary) */
	if (x->rc.cfg->runtime.disable_guest_seccomp)
		json_object_del(json_object_get(x->guest_spec, "linux"), "seccomp");
	vfio_strip_spec(x->guest_spec);
	if (x->terminal && x->a->foreground && !x->a->console_socket && !x->a->carried)
		ctr_console_size_from_stdin(json_object_get(x->guest_spec, "process"));
	struct agent_client ac;
	if (ctr_agent(&x->c, &ac, err) < 0)
		return -1;
	_cleanup_free_ char *rootfs = xasprintf("%s/rootfs", x->a->id);
	json_t *args = json_pack("{s:s, s:s, s:O}", "container_id", x->a->id, "rootfs", rootfs,
				 "spec", x->guest_spec);
	if (x->role == POD_CONTAINER)
		json_object_set_new(args, "join", pod_joins(x->b.spec, x->sandbox_id));
	if (x->vfio.n)
		json_object_set_new(args, "vfio", vfio_agent_devices(&x->vfio, x->b.spec));
	_cleanup_json_ json_t *r =
	    agent_client_call(&ac, "create_container", args, AGENT_CALL_MS, err);
	agent_client_close(&ac);
	if (!r)
		return kc_error_wrap(err, "create the container in the VM");
	x->stream = (uint32_t)json_integer_value(json_object_get(r, "stream"));
	size_t i;
	json_t *d;
	json_array_foreach (json_object_get(r, "vfio"), i, d) {
		char *line = json_dumps(d, JSON_COMPACT);
		kc_info("in the guest: %s", line ? line : "?");
		free(line);
	}
	json_object_set_new(x->c.state, "stream", json_integer(x->stream));
	return record(x, "create:container", err);
}

static int step_shim(struct create_ctx *x, struct kc_error *err)
{
	if (x->a->carried) {
		x->shim = getpid();
		json_object_set_new(x->c.state, "carrier", json_true());
	} else {
		x->shim = ctr_spawn_shim(x->rt, &x->c, x->rc.cfg->shim.path, NULL, x->stream,
					 x->terminal, x->a->console_socket, err);
		if (x->shim < 0)
			return -1;
		crash_point("create:shim-started");
	}
	json_object_set_new(x->c.state, "pid", json_integer(x->shim));
	json_object_set_new(x->c.state, "pid_start",
			    json_integer((json_int_t)process_start_time(x->shim)));
	json_object_set_new(x->c.state, "status", json_string("created"));
	json_object_del(x->c.state, "creator");
	return record(x, "create:created", err);
}

static int step_hooks(struct create_ctx *x, struct kc_error *err)
{
	json_t *hooks = json_object_get(x->c.state, "hooks");
	_cleanup_json_ json_t *st = ctr_oci_state(&x->c);
	int rc = hooks_run(hooks, "prestart", st, err);
	if (rc == 0)
		rc = hooks_run(hooks, "createRuntime", st, err);
	/* these run in the container's namespaces, in the guest, where a
	 * host program cannot: said, not silently dropped (features omits them) */
	static const char *const guest_hooks[] = {"createContainer", "startContainer"};
	for (size_t i = 0; i < ARRAY_SIZE(guest_hooks); i++)
		if (json_array_size(json_object_get(hooks, guest_hooks[i])))
			kc_warn("%s/config.json: hooks.%s: not run: they would run in the "
				"container's namespaces, which are in the VM",
				x->b.dir, guest_hooks[i]);
	crash_point("create:hooks");
	return rc;
}

/* The pid file last: its appearance means the container exists. */
static int step_pid_file(struct create_ctx *x, struct kc_error *err)
{
	if (x->a->pid_file && write_pid_file(x->a->pid_file, x->shim, err) < 0)
		return -1;
	crash_point("create:pid-file");
	return 0;
}

/* ---- the whole ----------------------------------------------------------- */

/* Where the create's time went, stage by stage (stages.h). */
static void report_timing(const struct create_ctx *x)
{
	_cleanup_strbuf_ struct strbuf line = STRBUF_INIT;
	stages_format(&line);
	kc_info("created %s in %.0f ms (stages, ms): %s", x->a->id, stages_total_ms(),
		strbuf_str(&line));
}

/* The one undo: what delete --force does, from what the state records. */
static void undo(struct create_ctx *x)
{
	kc_debug("create %s failed: tearing down what it made", x->a->id);
	if (x->shim > 0 && !x->a->carried)
		process_stop(x->shim, process_start_time(x->shim), 0);
	if (!x->c.state) {
		state_remove(&x->c.sd);
		return;
	}
	ctr_destroy(x->rt, &x->c, true);
}

/* The VM: the sandbox's own, or a pod member's share of its sandbox's. */
static int step_vm_or_join(struct create_ctx *x, struct kc_error *err)
{
	return x->role == POD_CONTAINER ? step_join(x, err) : step_vm(x, err);
}

/* What a create holds, released however it ends: nothing by hand. */
static void create_ctx_release(struct create_ctx *x)
{
	json_decref(x->guest_spec);
	bundle_free(&x->b);
	rtconfig_free(&x->rc);
	ctr_close(&x->c);
}

int create_container(struct rt *rt, const struct create_args *a, struct create_result *out,
		     struct kc_error *err)
{
	_cleanup_(create_ctx_release) struct create_ctx x = {
	    .rt = rt, .a = a, .c = CTR_INIT, .b = BUNDLE_INIT, .shim = -1};
	/* in order; each records what it made before the next, for undo() and
	 * for delete --force after a crash */
	static const struct {
		int (*fn)(struct create_ctx *, struct kc_error *);
		const char *stage; /* what its own time is called (stages.h) */
	} steps[] = {
	    {step_state, "state"},
	    {step_bundle, "bundle"},
	    {step_config, "config+report"},
	    {step_record, "record"},
	    {step_vm_or_join, "sandbox"},
	    {step_container, "container-create"},
	    {step_shim, "shim"},
	    {step_hooks, "hooks"},
	    {step_pid_file, "pid-file"},
	};
	stages_reset();
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		struct stage_clock clock;
		stages_begin(&clock);
		if (steps[i].fn(&x, err) != 0) {
			if (x.have_state)
				undo(&x);
			return -1;
		}
		stages_end(&clock, steps[i].stage);
	}
	report_timing(&x);
	out->shim = x.shim;
	out->stream = x.stream;
	out->terminal = x.terminal;
	return 0;
}
