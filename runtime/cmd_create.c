/* create, start and run: a sandbox VM for the container, the container in
 * its guest, the shim that stands for its process. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_client.h"
#include "bundle.h"
#include "cli.h"
#include "daemon.h"
#include "hooks.h"
#include "log.h"
#include "network.h"
#include "pod.h"
#include "qemu.h"
#include "rtconfig.h"
#include "runtime.h"
#include "share.h"
#include "strbuf.h"

struct create_args {
	const char *id, *bundle, *console_socket, *pid_file;
	bool foreground; /* run without --detach: a terminal may be ours */
};

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
		kc_warn("linux.resources.cpu asks for %u vCPUs: the VM gets default_maxvcpus, %u", *vcpus, max);
		*vcpus = max;
	}
	unsigned room = rc->host_memory_mib > *mem ? rc->host_memory_mib - *mem : 0;
	if (lm > room) {
		kc_warn("linux.resources.memory.limit asks for %u MiB more than the VM's %u: the host has %u MiB, the VM "
			"gets %u more", lm, *mem, rc->host_memory_mib, room);
		lm = room;
	}
	*mem += lm;
}

/* The namespaces a container of a pod shares with its sandbox container
 * in the guest: those its spec gives a path for (the pause container's). */
static json_t *joins(const json_t *spec, const char *sandbox_id)
{
	json_t *j = json_object();
	size_t i;
	json_t *ns;
	json_array_foreach(json_object_get(json_object_get(spec, "linux"), "namespaces"), i, ns) {
		const char *type = json_string_value(json_object_get(ns, "type"));
		const char *path = json_string_value(json_object_get(ns, "path"));
		if (!type || !path || !*path)
			continue;
		if (!strcmp(type, "ipc") || !strcmp(type, "uts") || !strcmp(type, "pid"))
			json_object_set_new(j, type, json_string(sandbox_id));
	}
	return j;
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
	json_array_foreach(json_object_get(net, "interfaces"), i, itf) {
		json_t *r = agent_client_call(&ac, "update_interface",
					      json_pack("{s:O, s:O, s:O, s:O}", "name", json_object_get(itf, "name"), "mac",
							json_object_get(itf, "mac"), "mtu", json_object_get(itf, "mtu"), "addresses",
							json_object_get(itf, "addresses")),
					      30000, err);
		if (!r) {
			rc = -1;
			break;
		}
		json_decref(r);
	}
	if (rc == 0 && json_array_size(json_object_get(net, "routes"))) {
		json_t *r = agent_client_call(&ac, "update_routes", json_pack("{s:O}", "routes", json_object_get(net, "routes")),
					      30000, err);
		if (!r)
			rc = -1;
		json_decref(r);
	}
	agent_client_close(&ac);
	return rc < 0 ? kc_error_wrap(err, "guest network") : 0;
}

static int do_create(struct rt *rt, const struct create_args *a, pid_t *shim_out, struct kc_error *err)
{
	long long t0 = monotonic_ms();
	struct ctr c = {0};
	if (state_create(&c.sd, rt->root, a->id, err) < 0) {
		state_close(&c.sd);
		return -1;
	}
	struct bundle b;
	struct rtconfig rc;
	struct sbrec rec = {.lock_fd = -1};
	memset(&rc, 0, sizeof(rc));
	json_t *guest_spec = NULL, *net_json = NULL;
	pid_t shim = -1;
	bool shared = false, own_vm = false, have_rec = false, plumbed = false;
	_cleanup_close_ int vmfd = -1;
	const char *netns_path = NULL;
	enum pod_role role = POD_SANDBOX;
	const char *sandbox_id = a->id;

	if (bundle_load(&b, a->bundle, true, err) < 0)
		goto fail;
	json_t *process = json_object_get(b.spec, "process");
	bool terminal = json_is_true(json_object_get(process, "terminal"));
	if (terminal && !a->console_socket && !a->foreground) {
		kc_error_set(err, 0, "cannot allocate tty if runc will detach without setting console socket");
		goto fail;
	}
	if (!terminal && a->console_socket) {
		kc_error_set(err, 0, "cannot use console socket if runc will not detach or allocate tty");
		goto fail;
	}
	json_t *ann = json_object_get(b.spec, "annotations");
	if (pod_role(ann, &role, &sandbox_id, err) < 0)
		goto fail;
	if (role == POD_SANDBOX)
		sandbox_id = a->id;
	if (rtconfig_load(&rc, rt->kata_config, err) < 0)
		goto fail;
	struct kc_config *cfg = rc.cfg;
	if (role == POD_SANDBOX && pod_overrides(ann, cfg, err) < 0)
		goto fail;
	long long t_config = monotonic_ms();

	c.state = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:b}", "ociVersion", OCI_VERSION, "id", a->id, "status",
			    "creating", "pid", 0, "bundle", b.dir, "rootfs", b.rootfs, "sandbox_id", sandbox_id, "terminal",
			    terminal);
	char created[64];
	rfc3339_now(created, sizeof(created));
	json_object_set_new(c.state, "created", json_string(created));
	json_object_set_new(c.state, "annotations", ann ? json_deep_copy(ann) : json_object());
	json_t *hooks = json_object_get(b.spec, "hooks");
	if (hooks)
		json_object_set_new(c.state, "hooks", json_deep_copy(hooks));
	/* the base of an exec given only a command line, and its shim */
	json_object_set_new(c.state, "process", json_deep_copy(process));
	json_object_set_new(c.state, "shim_path", json_string(cfg->shim.path));
	/* recorded first: a crash from here on is cleaned up by delete --force */
	if (state_write(&c.sd, c.state, err) < 0)
		goto fail;

	if (role == POD_CONTAINER) {
		/* join the sandbox's VM */
		if (sbrec_open(&rec, rt->root, sandbox_id, err) < 0) {
			kc_error_wrap(err, "container %s of pod", a->id);
			goto fail;
		}
		have_rec = true;
		if (!sandbox_vm_alive(&rec.sb)) {
			kc_error_set(err, 0, "the VM of sandbox %s is not running", sandbox_id);
			goto fail;
		}
		sandbox_from_json(&c.sb, json_object_get(rec.j, "sandbox"));
		c.have_sandbox = true;
		unsigned lv, lm;
		pod_limits(b.spec, &lv, &lm);
		if ((lv || lm) && pod_hotplug(&rec.sb, lv, lm, err) == 0) {
			c.sb.vcpus = rec.sb.vcpus;
			c.sb.memory_mib = rec.sb.memory_mib;
		}
		sbrec_add_member(&rec, a->id);
		if (sbrec_save(&rec, err) < 0)
			goto fail;
	} else {
		enum netns_mode netns_mode = bundle_netns(b.spec, &netns_path);
		if (netns_mode == NETNS_NEW && cfg->runtime.disable_new_netns)
			netns_mode = NETNS_HOST;
		unsigned vcpus, mem;
		size_vm(&rc, b.spec, &vcpus, &mem);
		/* the pod's interfaces, plumbed to taps before QEMU opens them */
		struct net_config nc = {0};
		struct qemu_nic nics[NET_MAX_IFACES];
		int nnics = 0;
		const char *model = cfg->runtime.internetworking_model;
		if (netns_mode == NETNS_PATH && !(model && !strcmp(model, "none"))) {
			if (net_scan(netns_path, &nc, err) < 0 || net_plumb(netns_path, &nc, err) < 0)
				goto fail;
			plumbed = nc.n > 0;
			net_json = net_to_json(&nc);
			for (int i = 0; i < nc.n; i++) {
				snprintf(nics[i].tap, sizeof(nics[i].tap), "%s", nc.ifaces[i].tap);
				net_mac_string(nc.ifaces[i].mac, nics[i].mac);
				nics[i].vhost = !cfg->hypervisor.disable_vhost_net;
				nics[i].fd = nics[i].vhostfd = -1;
			}
			nnics = nc.n;
		}
		kc_info("creating sandbox %s: %s, %u vCPU, %u MiB, %s, %d NIC(s)", a->id, rc.accel, vcpus, mem,
			cfg->hypervisor.machine_type, nnics);
		struct sandbox_params sp = {.id = a->id, .root = rt->root, .rc = &rc, .vcpus = vcpus, .memory_mib = mem,
					    .netns_mode = netns_mode, .netns_path = netns_path, .nics = nics, .nnics = nnics};
		if (sandbox_start(&c.sb, &sp, err) < 0)
			goto fail;
		c.have_sandbox = true;
		own_vm = true;
		if (sbrec_create(&rec, rt->root, &c.sb, net_json, err) < 0)
			goto fail;
		have_rec = true;
		sbrec_add_member(&rec, a->id);
		if (sbrec_save(&rec, err) < 0)
			goto fail;
		/* for kata-dashboard: the sandbox's VM in its container's state */
		json_object_set_new(c.state, "sandbox", sandbox_to_json(&c.sb));
		if (configure_guest_network(&c, net_json, err) < 0)
			goto fail;
	}
	if (state_write(&c.sd, c.state, err) < 0)
		goto fail;

	long long t_vm = monotonic_ms();
	vmfd = sandbox_open_vm_dir(&c.sb);
	if (vmfd < 0) {
		kc_error_set(err, -vmfd, "the VM directory of sandbox %s", sandbox_id);
		goto fail;
	}
	guest_spec = share_container(vmfd, a->id, b.rootfs_fd, b.spec, err);
	if (!guest_spec)
		goto fail;
	shared = true;
	/* the guest applies the profile only when asked to (Kata's default
	 * is not to: the VM is the boundary) */
	if (cfg->runtime.disable_guest_seccomp)
		json_object_del(json_object_get(guest_spec, "linux"), "seccomp");
	struct agent_client ac;
	if (ctr_agent(&c, &ac, err) < 0)
		goto fail;
	char rootfs_rel[512];
	snprintf(rootfs_rel, sizeof(rootfs_rel), "%s/rootfs", a->id);
	json_t *args = json_pack("{s:s, s:s, s:O}", "container_id", a->id, "rootfs", rootfs_rel, "spec", guest_spec);
	if (role == POD_CONTAINER)
		json_object_set_new(args, "join", joins(b.spec, sandbox_id));
	json_t *r = agent_client_call(&ac, "create_container", args, 30000, err);
	agent_client_close(&ac);
	if (!r) {
		kc_error_wrap(err, "create the container in the VM");
		goto fail;
	}
	uint32_t stream = (uint32_t)json_integer_value(json_object_get(r, "stream"));
	json_decref(r);
	json_object_set_new(c.state, "stream", json_integer(stream));
	if (have_rec) {
		sbrec_close(&rec);
		have_rec = false;
	}

	shim = ctr_spawn_shim(rt, &c, cfg->shim.path, NULL, stream, terminal, a->console_socket, err);
	if (shim < 0)
		goto fail;
	json_object_set_new(c.state, "pid", json_integer(shim));
	json_object_set_new(c.state, "pid_start", json_integer((json_int_t)process_start_time(shim)));
	json_object_set_new(c.state, "status", json_string("created"));
	if (state_write(&c.sd, c.state, err) < 0)
		goto fail;

	json_t *st = ctr_oci_state(&c);
	int hrc = hooks_run(hooks, "prestart", st, err);
	if (hrc == 0)
		hrc = hooks_run(hooks, "createRuntime", st, err);
	json_decref(st);
	if (hrc < 0)
		goto fail;
	/* the pid file last: its appearance means the container exists */
	if (a->pid_file && write_pid_file(a->pid_file, shim, err) < 0)
		goto fail;

	long long t_end = monotonic_ms();
	kc_info("created %s in %lld ms: configuration and report %lld ms, QEMU start %.0f ms, boot to agent %.0f ms, "
		"sandbox %.0f ms, container %lld ms",
		a->id, t_end - t0, t_config - t0, c.sb.t_qemu_ms, c.sb.t_boot_ms, c.sb.t_sandbox_ms, t_end - t_vm);
	if (getenv("KATA_RUNTIME_TIMING"))
		fprintf(stderr, "timing: config+report %lld ms; qemu start %.1f ms; boot to agent %.1f ms; sandbox %.1f ms; "
				"container %lld ms\n",
			t_config - t0, c.sb.t_qemu_ms, c.sb.t_boot_ms, c.sb.t_sandbox_ms, t_end - t_vm);
	*shim_out = shim;
	json_decref(guest_spec);
	json_decref(net_json);
	bundle_free(&b);
	rtconfig_free(&rc);
	ctr_close(&c);
	return 0;

fail:
	kc_debug("create %s failed: cleaning up", a->id);
	if (shim > 0) {
		kill(shim, SIGKILL);
		waitpid(shim, NULL, 0);
	}
	if (c.have_sandbox && shared) {
		/* the container may exist in the guest already */
		struct agent_client fac;
		struct kc_error ferr = {0};
		if (!own_vm && sandbox_connect(&c.sb, &fac, 2000, &ferr) == 0) {
			json_decref(agent_client_call(&fac, "remove_container", json_pack("{s:s}", "container_id", a->id), 5000, &ferr));
			agent_client_close(&fac);
		}
		struct kc_error uerr = {0};
		if (vmfd >= 0 && unshare_container(vmfd, a->id, &uerr) < 0)
			kc_warn("%s", uerr.msg);
	}
	if (!have_rec && role == POD_CONTAINER && c.have_sandbox) {
		struct kc_error ferr = {0};
		if (sbrec_open(&rec, rt->root, sandbox_id, &ferr) == 0)
			have_rec = true;
	}
	if (have_rec) {
		if (sbrec_remove_member(&rec, a->id) == 0 && own_vm)
			sbrec_remove(&rec);
		else
			sbrec_save(&rec, &(struct kc_error){0});
		sbrec_close(&rec);
	}
	if (own_vm)
		sandbox_stop(&c.sb);
	if (plumbed)
		net_unplumb(netns_path, net_json);
	json_decref(guest_spec);
	json_decref(net_json);
	bundle_free(&b);
	rtconfig_free(&rc);
	state_remove(&c.sd);
	ctr_close(&c);
	return -1;
}

static struct cli_opt create_opts[] = {
	{"bundle", 'b', true},       {"console-socket", 0, true}, {"pid-file", 0, true},
	{"no-pivot", 0, false},      {"no-new-keyring", 0, false}, {"preserve-fds", 0, true},
	{"detach", 'd', false},      {"keep", 0, false},           {"no-subreaper", 0, false},
	{NULL, 0, false},
};

static int parse_create(int argc, char **argv, struct create_args *a, struct kc_error *err)
{
	for (struct cli_opt *o = create_opts; o->name; o++)
		o->set = false, o->value = NULL, o->nvalues = 0;
	int pos = cli_parse(argc, argv, 1, create_opts, err);
	if (pos < 0)
		return -1;
	if (pos != argc - 1)
		return kc_error_set(err, 0, "%s: expects exactly one argument, the container id", argv[0]);
	memset(a, 0, sizeof(*a));
	a->id = argv[pos];
	a->bundle = cli_str(create_opts, "bundle") ?: ".";
	a->console_socket = cli_str(create_opts, "console-socket");
	a->pid_file = cli_str(create_opts, "pid-file");
	if (cli_str(create_opts, "preserve-fds") && strcmp(cli_str(create_opts, "preserve-fds"), "0"))
		kc_warn("--preserve-fds: extra file descriptors cannot cross into a VM; ignored");
	return 0;
}

int cmd_create(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	struct create_args a;
	if (parse_create(argc, argv, &a, err) < 0)
		return 1;
	kc_log_field("container", a.id);
	pid_t shim;
	return do_create(rt, &a, &shim, err) < 0 ? 1 : 0;
}

static int do_start(struct rt *rt, const char *id, struct kc_error *err)
{
	struct ctr c;
	if (ctr_open(rt, id, &c, err) < 0)
		return -1;
	const char *status = ctr_status(&c);
	if (strcmp(status, "created")) {
		kc_error_set(err, 0, !strcmp(status, "stopped") ? "cannot start a container that has stopped"
								: "cannot start an already running container");
		ctr_close(&c);
		return -1;
	}
	struct agent_client ac;
	if (ctr_agent(&c, &ac, err) < 0) {
		ctr_close(&c);
		return -1;
	}
	json_t *r = agent_client_call(&ac, "start_container", json_pack("{s:s}", "container_id", id), 30000, err);
	agent_client_close(&ac);
	if (!r) {
		ctr_close(&c);
		return -1;
	}
	json_decref(r);
	json_object_set_new(c.state, "status", json_string("running"));
	int rc = ctr_save(&c, err);
	json_t *hooks = json_object_get(c.state, "hooks");
	if (hooks && rc == 0) {
		json_t *st = ctr_oci_state(&c);
		struct kc_error herr = {0};
		/* a failing poststart hook is a warning (runtime spec) */
		if (hooks_run(hooks, "poststart", st, &herr) < 0)
			kc_warn("%s", herr.msg);
		json_decref(st);
	}
	ctr_close(&c);
	return rc;
}

int cmd_start(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	struct cli_opt opts[] = {{NULL, 0, false}};
	const char *id = cli_one_id(argc, argv, cli_parse(argc, argv, 1, opts, err), "start", err);
	if (!id)
		return 1;
	return do_start(rt, id, err) < 0 ? 1 : 0;
}

int cmd_run(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	struct create_args a;
	if (parse_create(argc, argv, &a, err) < 0)
		return 1;
	kc_log_field("container", a.id);
	bool detach = cli_bool(create_opts, "detach"), keep = cli_bool(create_opts, "keep");
	a.foreground = !detach;
	/* while we wait, signals are the container's: the shim forwards them */
	sigset_t mask, old;
	sigemptyset(&mask);
	int fwd[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
	for (size_t i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
		sigaddset(&mask, fwd[i]);
	if (!detach)
		sigprocmask(SIG_BLOCK, &mask, &old);
	pid_t shim;
	if (do_create(rt, &a, &shim, err) < 0)
		return 1;
	if (do_start(rt, a.id, err) < 0) {
		struct ctr c;
		if (ctr_open(rt, a.id, &c, err) == 0) {
			ctr_destroy(rt, &c, true);
			ctr_close(&c);
		}
		return 1;
	}
	if (detach)
		return 0;
	int status = 0;
	for (;;) {
		struct timespec ts = {0, 100 * 1000000L};
		siginfo_t si;
		int sig = sigtimedwait(&mask, &si, &ts);
		if (sig > 0)
			kill(shim, sig);
		int st;
		pid_t r = waitpid(shim, &st, WNOHANG);
		if (r == shim) {
			status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			break;
		}
		if (r < 0 && errno != EINTR) {
			status = 255;
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (!keep) {
		struct ctr c;
		if (ctr_open(rt, a.id, &c, err) == 0) {
			ctr_destroy(rt, &c, true);
			ctr_close(&c);
		}
	}
	return status;
}
