/* kata-network: Kata 1's network hot-plug commands, with its JSON forms.
 *
 *   add-iface ID FILE|-      connect one more interface of the pod's network
 *                            namespace (a veth a CNI plugin added) to the VM:
 *                            a tap and tc filters as at create, a NIC
 *                            hot-plugged into QEMU, configured by the agent
 *   del-iface ID FILE|-      the reverse, for an interface add-iface added
 *   list-ifaces ID           the guest's interfaces
 *   update-routes ID FILE|-  the guest's routes replaced by those given
 *   list-routes ID           the guest's routes
 *
 * ID is the sandbox's (its first container's) id. Interfaces are
 * {"device","name","IPAddresses":[{"family","address","mask"}],"mtu",
 * "hwAddr","pciAddr","linkType"} and routes {"dest","gateway","device",
 * "source","scope"}, as Kata 1 prints and reads them ("dest" "" is the
 * default route; "family" is AF_INET 2 or AF_INET6 10).
 *
 * What add-iface makes is recorded in the sandbox's record (and its
 * container's state) before it is made, so delete removes it with the rest
 * of the pod's network, also after a crash. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent_client.h"
#include "cli.h"
#include "fs.h"
#include "hotplug.h"
#include "json_cleanup.h"
#include "log.h"
#include "network.h"
#include "pod.h"
#include "qemu.h"
#include "commands.h"
#include "runtime.h"
#include "strutil.h"
#include "timeouts.h"

#define INPUT_MAX (1u << 20)

static void print_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
}

/* ---- Kata 1's forms and the agent's -------------------------------------- */

static int kata_family(int v)
{
	return v == 6 ? AF_INET6 : AF_INET;
}

/* {"address","prefix"} from Kata's {"family","address","mask"} */
static json_t *addresses_for_agent(const json_t *ips, struct kc_error *err)
{
	json_t *out = json_array();
	size_t i;
	json_t *ip;
	json_array_foreach (ips, i, ip) {
		const char *addr = json_string_value(json_object_get(ip, "address"));
		const json_t *mask = json_object_get(ip, "mask");
		unsigned char bin[16];
		int family = addr && strchr(addr, ':') ? AF_INET6 : AF_INET;
		unsigned prefix;
		if (!addr || inet_pton(family, addr, bin) != 1) {
			json_decref(out);
			return kc_error_set(err, 0, "IPAddresses[%zu].address: not an IP address",
					    i),
			       NULL;
		}
		if (json_is_integer(mask))
			prefix = (unsigned)json_integer_value(mask);
		else if (!json_is_string(mask) ||
			 parse_uint(json_string_value(mask), 10, &prefix) < 0)
			prefix = 1000;
		if (prefix > (family == AF_INET ? 32u : 128u)) {
			json_decref(out);
			return kc_error_set(err, 0,
					    "IPAddresses[%zu].mask: a prefix length (0 to %d) is "
					    "required",
					    i, family == AF_INET ? 32 : 128),
			       NULL;
		}
		json_array_append_new(
		    out, json_pack("{s:s, s:i}", "address", addr, "prefix", (int)prefix));
	}
	return out;
}

static json_t *kata_interface(const json_t *itf)
{
	json_t *ips = json_array();
	size_t i;
	json_t *a;
	json_array_foreach (json_object_get(itf, "addresses"), i, a) {
		char mask[8];
		snprintf(mask, sizeof(mask), "%d",
			 (int)json_integer_value(json_object_get(a, "prefix")));
		json_array_append_new(
		    ips,
		    json_pack("{s:i, s:O, s:s}", "family",
			      kata_family((int)json_integer_value(json_object_get(a, "family"))),
			      "address", json_object_get(a, "address"), "mask", mask));
	}
	const char *name = json_string_value(json_object_get(itf, "name")) ?: "";
	return json_pack("{s:s, s:s, s:o, s:I, s:s, s:s, s:s}", "device", name, "name", name,
			 "IPAddresses", ips, "mtu", json_integer_value(json_object_get(itf, "mtu")),
			 "hwAddr", json_string_value(json_object_get(itf, "mac")) ?: "", "pciAddr",
			 "", "linkType", "");
}

static json_t *kata_route(const json_t *r)
{
	const char *dest = json_string_value(json_object_get(r, "dest")) ?: "";
	return json_pack("{s:s, s:s, s:s, s:s, s:I}", "dest", strcmp(dest, "default") ? dest : "",
			 "gateway", json_string_value(json_object_get(r, "gateway")) ?: "",
			 "device", json_string_value(json_object_get(r, "device")) ?: "", "source",
			 json_string_value(json_object_get(r, "source")) ?: "", "scope",
			 json_integer_value(json_object_get(r, "scope")));
}

/* The agent's route from Kata's, checked. */
static json_t *route_for_agent(const json_t *r, size_t i, struct kc_error *err)
{
	if (!json_is_object(r))
		return kc_error_set(err, 0, "routes[%zu]: must be an object", i), NULL;
	json_t *o = json_object();
	static const char *const keys[] = {"dest", "gateway", "device", "source"};
	for (size_t k = 0; k < 4; k++) {
		json_t *v = json_object_get(r, keys[k]);
		if (v && !json_is_string(v)) {
			json_decref(o);
			return kc_error_set(err, 0, "routes[%zu].%s: must be a string", i, keys[k]),
			       NULL;
		}
		const char *s = json_string_value(v);
		if (s && *s)
			json_object_set_new(o, keys[k], json_string(s));
	}
	const char *dest = json_string_value(json_object_get(o, "dest"));
	const char *gw = json_string_value(json_object_get(o, "gateway"));
	if (!dest)
		json_object_set_new(o, "dest", json_string("default"));
	if ((dest && strchr(dest, ':')) || (gw && strchr(gw, ':')))
		json_object_set_new(o, "family", json_integer(6));
	json_t *scope = json_object_get(r, "scope");
	if (scope && json_is_integer(scope))
		json_object_set_new(o, "scope", json_integer(json_integer_value(scope)));
	return o;
}

/* ---- the sandbox ---------------------------------------------------------- */

struct netcmd {
	struct rt *rt;
	struct ctr c;
	bool opened;
};

static int open_sandbox(struct netcmd *n, const char *id, struct kc_error *err)
{
	if (ctr_open(n->rt, id, &n->c, err) < 0)
		return -1;
	n->opened = true;
	const char *sid = json_string_value(json_object_get(n->c.state, "sandbox_id"));
	if (sid && strcmp(sid, id))
		return kc_error_set(
		    err, 0, "%s is a container of sandbox %s: give the sandbox's id", id, sid);
	const char *status = ctr_status(&n->c);
	if (!n->c.have_sandbox || !strcmp(status, "stopped"))
		return kc_error_set(err, 0, "sandbox %s is %s: its VM does not run", id, status);
	return 0;
}

static json_t *agent_call(struct netcmd *n, const char *op, json_t *args, struct kc_error *err)
{
	struct agent_client ac;
	if (ctr_agent(&n->c, &ac, err) < 0) {
		json_decref(args);
		return NULL;
	}
	json_t *r = agent_client_call(&ac, op, args, AGENT_CALL_MS, err);
	agent_client_close(&ac);
	return r;
}

/* The record's network, and the state's copy, changed alike. */
static json_t *record_network(struct sbrec *rec)
{
	json_t *net = json_object_get(rec->j, "network");
	if (!json_is_object(net)) {
		net = json_pack("{s:[], s:[]}", "interfaces", "routes");
		json_object_set_new(rec->j, "network", net);
	}
	if (!json_is_array(json_object_get(net, "interfaces")))
		json_object_set_new(net, "interfaces", json_array());
	return net;
}

static int save_both(struct netcmd *n, struct sbrec *rec, struct kc_error *err)
{
	json_object_set_new(n->c.state, "network", json_deep_copy(record_network(rec)));
	if (rec->sb.netns && !json_object_get(n->c.state, "netns"))
		json_object_set_new(n->c.state, "netns", json_string(rec->sb.netns));
	return sbrec_save(rec, err) < 0 || ctr_save(&n->c, err) < 0 ? -1 : 0;
}

/* ---- add-iface, del-iface -------------------------------------------------- */

/* add-iface's request: the interface in the pod's namespace, its name in
 * the guest and its addresses in the agent's form. */
struct iface_req {
	const char *device, *name;
	json_t *addrs;
};

static int parse_iface_req(const json_t *in, struct iface_req *q, struct kc_error *err)
{
	if (!json_is_object(in))
		return kc_error_set(err, 0, "the interface must be a JSON object"), -1;
	q->device = json_string_value(json_object_get(in, "device"));
	q->name = json_string_value(json_object_get(in, "name"));
	if (!q->device || !*q->device)
		return kc_error_set(err, 0,
				    "device: the name of the interface in the pod's network "
				    "namespace is required"),
		       -1;
	if (!q->name || !*q->name)
		q->name = q->device;
	if (strlen(q->name) >= IF_NAMESIZE)
		return kc_error_set(err, 0, "name: '%s' is longer than an interface name can be",
				    q->name),
		       -1;
	q->addrs = addresses_for_agent(json_object_get(in, "IPAddresses"), err);
	return q->addrs ? 0 : -1;
}

/* The veth the request names, in the sandbox's namespace, not connected
 * already; found points into nc. */
static int find_iface(const struct sbrec *rec, json_t *ifs, const struct iface_req *q,
		      struct net_config *nc, struct net_iface **found, struct kc_error *err)
{
	const char *netns = rec->sb.netns;
	if (!netns)
		return kc_error_set(err, 0,
				    "sandbox %s has no network namespace of its own to take "
				    "interfaces from",
				    rec->sb.id),
		       -1;
	size_t i;
	json_t *e;
	json_array_foreach (ifs, i, e) {
		if (!strcmp(json_string_value(json_object_get(e, "name")) ?: "", q->device) ||
		    !strcmp(json_string_value(json_object_get(e, "guest_name")) ?: "", q->name))
			return kc_error_set(err, 0, "interface %s is connected to the VM already",
					    q->device),
			       -1;
	}
	if (net_scan(netns, nc, err) < 0)
		return -1;
	*found = NULL;
	for (int k = 0; k < nc->n; k++)
		if (!strcmp(nc->ifaces[k].name, q->device))
			*found = &nc->ifaces[k];
	if (!*found)
		return kc_error_set(err, 0,
				    "device: no interface %s in the pod's network namespace %s",
				    q->device, netns),
		       -1;
	return 0;
}

/* The MAC and MTU the guest's NIC gets: the caller's, or the veth's. */
static int iface_mac_mtu(const json_t *in, struct net_iface *found, char mac[18],
			 struct kc_error *err)
{
	net_mac_string(found->mac, mac);
	const char *hw = json_string_value(json_object_get(in, "hwAddr"));
	if (hw && *hw) {
		unsigned b[6];
		if (strlen(hw) != 17 || sscanf(hw, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2],
					       &b[3], &b[4], &b[5]) != 6)
			return kc_error_set(err, 0, "hwAddr: '%s' is not a MAC address", hw);
		memcpy(mac, hw, 18);
	}
	json_int_t mtu = json_integer_value(json_object_get(in, "mtu"));
	if (mtu < 0 || mtu > 65535)
		return kc_error_set(err, 0, "mtu: %" JSON_INTEGER_FORMAT " is out of range", mtu);
	if (mtu)
		found->mtu = (unsigned)mtu;
	return 0;
}

/* A tap name and a QEMU id no recorded interface has. */
static void pick_tap(json_t *ifs, struct net_iface *found, char nic_id[32])
{
	unsigned k = 0;
	size_t i;
	json_t *e;
	for (bool taken = true; taken; k++) {
		snprintf(found->tap, sizeof(found->tap), "tap%u_kata", k);
		taken = false;
		json_array_foreach (ifs, i, e)
			if (!strcmp(json_string_value(json_object_get(e, "tap")) ?: "", found->tap))
				taken = true;
	}
	snprintf(nic_id, 32, "kata-nic%u", k - 1);
}

/* The recorded interface made: tap and tc filters, the NIC hot-plugged,
 * the guest's interface configured. */
static int plug_iface(struct netcmd *n, const struct sbrec *rec, const char *qmp,
		      const struct net_iface *found, const char *mac, const char *nic_id,
		      const struct iface_req *q, struct kc_error *err)
{
	struct net_config one = {.n = 1};
	one.ifaces[0] = *found;
	if (net_plumb(rec->sb.netns, &one, err) < 0)
		return -1;
	int tapfd = net_tap_open(rec->sb.netns, found->tap, err);
	if (tapfd < 0)
		return -1;
	int plugged = qemu_nic_add(qmp, nic_id, tapfd, mac, rec->sb.hotplug_bridges,
				   rec->sb.hotplug_ports, err);
	close(tapfd);
	if (plugged < 0)
		return -1;
	_cleanup_json_ json_t *r =
	    agent_call(n, "update_interface",
		       json_pack("{s:s, s:s, s:i, s:O}", "name", q->name, "mac", mac, "mtu",
				 found->mtu, "addresses", q->addrs),
		       err);
	return r ? 0 : -1;
}

/* What was made of the last recorded interface goes, and its record. */
static void unplug_last_iface(struct netcmd *n, struct sbrec *rec, json_t *ifs, const char *qmp)
{
	_cleanup_error_ struct kc_error e2 = {0};
	size_t last = json_array_size(ifs);
	json_t *mine = json_array_get(ifs, last - 1);
	qemu_nic_del(qmp, json_string_value(json_object_get(mine, "hotplug_id")), &e2);
	_cleanup_json_ json_t *just = json_pack("{s:[O]}", "interfaces", mine);
	net_unplumb(rec->sb.netns, just);
	json_array_remove(ifs, last - 1);
	if (save_both(n, rec, &e2) < 0)
		kc_warn("%s", kc_error_msg(&e2));
}

static int add_iface(struct netcmd *n, const json_t *in, struct kc_error *err)
{
	struct iface_req q = {0};
	if (parse_iface_req(in, &q, err) < 0)
		return -1;
	_cleanup_json_ json_t *addrs = q.addrs;
	_cleanup_sbrec_ struct sbrec rec = SBREC_INIT;
	if (sbrec_open(&rec, n->rt->root, n->c.sd.id, err) < 0)
		return -1;
	_cleanup_free_ char *qmp = sandbox_qmp_socket(&rec.sb);
	json_t *ifs = json_object_get(record_network(&rec), "interfaces");
	struct net_config nc;
	struct net_iface *found = NULL;
	char mac[18], nic_id[32];
	if (find_iface(&rec, ifs, &q, &nc, &found, err) < 0 ||
	    iface_mac_mtu(in, found, mac, err) < 0)
		return -1;
	pick_tap(ifs, found, nic_id);
	/* recorded before it is made */
	json_array_append_new(ifs,
			      json_pack("{s:s, s:s, s:s, s:s, s:i, s:O, s:s}", "name", q.device,
					"guest_name", q.name, "tap", found->tap, "mac", mac, "mtu",
					found->mtu, "addresses", addrs, "hotplug_id", nic_id));
	if (save_both(n, &rec, err) < 0 ||
	    plug_iface(n, &rec, qmp, found, mac, nic_id, &q, err) < 0) {
		unplug_last_iface(n, &rec, ifs, qmp);
		return -1;
	}
	_cleanup_json_ json_t *shown = json_pack("{s:s, s:s, s:i, s:O}", "name", q.name, "mac", mac,
						 "mtu", found->mtu, "addresses", addrs);
	_cleanup_json_ json_t *k1 = kata_interface(shown);
	json_object_set_new(k1, "device", json_string(q.device));
	print_json(k1);
	return 0;
}

static int del_iface(struct netcmd *n, const json_t *in, struct kc_error *err)
{
	if (!json_is_object(in))
		return kc_error_set(err, 0, "the interface must be a JSON object");
	const char *name = json_string_value(json_object_get(in, "name"));
	const char *device = json_string_value(json_object_get(in, "device"));
	const char *hw = json_string_value(json_object_get(in, "hwAddr"));
	struct sbrec rec;
	if (sbrec_open(&rec, n->rt->root, n->c.sd.id, err) < 0)
		return -1;
	json_t *ifs = json_object_get(record_network(&rec), "interfaces");
	size_t i, at = (size_t)-1;
	json_t *e;
	json_array_foreach (ifs, i, e) {
		const char *g = json_string_value(json_object_get(e, "guest_name")) ?:
				json_string_value(json_object_get(e, "name")) ?: "";
		const char *d = json_string_value(json_object_get(e, "name")) ?: "";
		const char *m = json_string_value(json_object_get(e, "mac")) ?: "";
		if ((name && *name && !strcmp(name, g)) ||
		    (device && *device && !strcmp(device, d)) || (hw && *hw && !strcasecmp(hw, m)))
			at = i;
	}
	int rc = -1;
	json_t *mine = at != (size_t)-1 ? json_array_get(ifs, at) : NULL;
	const char *nic = json_string_value(json_object_get(mine, "hotplug_id"));
	if (!mine) {
		kc_error_set(err, 0, "no interface %s is connected to the VM",
			     name && *name	 ? name
			     : device && *device ? device
			     : hw		 ? hw
						 : "(none named)");
	} else if (!nic) {
		kc_error_set(err, 0,
			     "interface %s was connected when the VM was made; only those "
			     "add-iface connected can be removed",
			     json_string_value(json_object_get(mine, "name")));
	} else {
		_cleanup_free_ char *qmp = sandbox_qmp_socket(&rec.sb);
		/* the guest lets the NIC go; its addresses and routes go with it */
		if (qemu_nic_del(qmp, nic, err) == 0) {
			json_t *was = json_pack("{s:O, s:O, s:O, s:O}", "name",
						json_object_get(mine, "guest_name")
						    ?: json_object_get(mine, "name"),
						"mac", json_object_get(mine, "mac"), "mtu",
						json_object_get(mine, "mtu"), "addresses",
						json_object_get(mine, "addresses"));
			json_t *shown = kata_interface(was);
			json_decref(was);
			json_object_set(shown, "device", json_object_get(mine, "name"));
			json_t *just = json_pack("{s:[O]}", "interfaces", mine);
			net_unplumb(rec.sb.netns, just);
			json_decref(just);
			json_array_remove(ifs, at);
			rc = save_both(n, &rec, err);
			if (rc == 0)
				print_json(shown);
			json_decref(shown);
		}
	}
	sbrec_close(&rec);
	return rc;
}

/* ---- lists and routes ------------------------------------------------------ */

/* The agent's list (op's answer, under key), printed in Kata 1's form. */
static int print_guest_list(struct netcmd *n, const char *op, const char *key,
			    json_t *(*kata_form)(const json_t *), struct kc_error *err)
{
	json_t *r = agent_call(n, op, json_object(), err);
	if (!r)
		return -1;
	json_t *out = json_array();
	size_t i;
	json_t *e;
	json_array_foreach (json_object_get(r, key), i, e)
		json_array_append_new(out, kata_form(e));
	print_json(out);
	json_decref(out);
	json_decref(r);
	return 0;
}

static int list_ifaces(struct netcmd *n, struct kc_error *err)
{
	return print_guest_list(n, "list_interfaces", "interfaces", kata_interface, err);
}

static int list_routes(struct netcmd *n, struct kc_error *err)
{
	return print_guest_list(n, "list_routes", "routes", kata_route, err);
}

static int update_routes(struct netcmd *n, const json_t *in, struct kc_error *err)
{
	/* Kata 1 takes the list, or {"routes": [...]} */
	const json_t *list = json_is_object(in) ? json_object_get(in, "routes") : in;
	if (!json_is_array(list))
		return kc_error_set(err, 0, "the routes must be a JSON array");
	json_t *routes = json_array();
	size_t i;
	json_t *r;
	json_array_foreach (list, i, r) {
		json_t *o = route_for_agent(r, i, err);
		if (!o) {
			json_decref(routes);
			return -1;
		}
		json_array_append_new(routes, o);
	}
	json_t *ok = agent_call(n, "update_routes",
				json_pack("{s:o, s:b}", "routes", routes, "replace", 1), err);
	if (!ok)
		return -1;
	json_decref(ok);
	return list_routes(n, err);
}

/* ---- the command ----------------------------------------------------------- */

int cmd_kata_network(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	struct cli_opt none[] = {{NULL}};
	int pos = cli_parse(argc, argv, 1, none, err);
	if (pos < 0)
		return 1;
	static const struct {
		const char *name;
		bool input;
	} subs[] = {{"add-iface", true},
		    {"del-iface", true},
		    {"list-ifaces", false},
		    {"update-routes", true},
		    {"list-routes", false}};
	const char *sub = pos < argc ? argv[pos] : NULL;
	int which = -1;
	for (int k = 0; sub && k < 5; k++)
		if (!strcmp(sub, subs[k].name))
			which = k;
	if (which < 0) {
		kc_error_set(err, 0,
			     "kata-network: %s%s%s: expected add-iface, del-iface, list-ifaces, "
			     "update-routes or list-routes",
			     sub ? "unknown command '" : "a command is needed", sub ? sub : "",
			     sub ? "'" : "");
		return 1;
	}
	int want = subs[which].input ? 2 : 1;
	if (argc - pos - 1 != want) {
		kc_error_set(err, 0, "kata-network %s: expects the sandbox id%s", sub,
			     subs[which].input ? " and a file (- for standard input)" : "");
		return 1;
	}
	const char *id = argv[pos + 1];
	kc_log_field("container", id);
	json_t *in = NULL;
	if (subs[which].input && !(in = read_json_arg(argv[pos + 2], INPUT_MAX, err))) {
		kc_error_wrap(err, "kata-network %s", sub);
		return 1;
	}
	struct netcmd n = {.rt = rt};
	int rc = open_sandbox(&n, id, err);
	if (rc == 0) {
		switch (which) {
		case 0: rc = add_iface(&n, in, err); break;
		case 1: rc = del_iface(&n, in, err); break;
		case 2: rc = list_ifaces(&n, err); break;
		case 3: rc = update_routes(&n, in, err); break;
		default: rc = list_routes(&n, err); break;
		}
	}
	if (n.opened)
		ctr_close(&n.c);
	json_decref(in);
	if (rc < 0)
		kc_error_wrap(err, "kata-network %s", sub);
	return rc < 0 ? 1 : 0;
}
