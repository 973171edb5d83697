/* Pod networking on the host (see network.h). */
#include "network.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_mirred.h>
#include <net/if_arp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "netlink.h"

/* ---- in the namespace ------------------------------------------------------ */

struct in_ns {
	int self;
};

static int enter(const char *netns, struct in_ns *s, struct kc_error *err)
{
	s->self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd = open(netns, O_RDONLY | O_CLOEXEC);
	if (s->self < 0 || fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		if (s->self >= 0)
			close(s->self);
		return kc_error_set(err, e, "network namespace %s", netns);
	}
	close(fd);
	return 0;
}

static void leave(struct in_ns *s)
{
	if (setns(s->self, CLONE_NEWNET) < 0)
		kc_warn("back to our network namespace: %s", strerror(errno));
	close(s->self);
}

void net_mac_string(const unsigned char mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}

/* ---- scan ---------------------------------------------------------------- */

static void on_link(const struct nlmsghdr *h, void *ctx)
{
	struct net_config *nc = ctx;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtattr *tb[IFLA_MAX + 1];
	nl_parse(h, sizeof(*ifi), tb, IFLA_MAX);
	if (ifi->ifi_flags & IFF_LOOPBACK || ifi->ifi_type != ARPHRD_ETHER || !tb[IFLA_IFNAME] ||
	    !tb[IFLA_ADDRESS] || RTA_PAYLOAD(tb[IFLA_ADDRESS]) != 6 || nc->n == NET_MAX_IFACES)
		return;
	const char *name = RTA_DATA(tb[IFLA_IFNAME]);
	/* our own taps, from an earlier create */
	if (strstr(name, "_kata"))
		return;
	struct net_iface *i = &nc->ifaces[nc->n++];
	memset(i, 0, sizeof(*i));
	snprintf(i->name, sizeof(i->name), "%s", name);
	i->index = ifi->ifi_index;
	memcpy(i->mac, RTA_DATA(tb[IFLA_ADDRESS]), 6);
	i->mtu = tb[IFLA_MTU] ? *(unsigned *)RTA_DATA(tb[IFLA_MTU]) : 1500;
}

static struct net_iface *by_index(struct net_config *nc, int index)
{
	for (int k = 0; k < nc->n; k++)
		if (nc->ifaces[k].index == index)
			return &nc->ifaces[k];
	return NULL;
}

static void on_addr(const struct nlmsghdr *h, void *ctx)
{
	struct net_config *nc = ctx;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct rtattr *tb[IFA_MAX + 1];
	nl_parse(h, sizeof(*ifa), tb, IFA_MAX);
	struct net_iface *i = by_index(nc, (int)ifa->ifa_index);
	struct rtattr *a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!i || !a || i->naddrs == NET_MAX_ADDRS)
		return;
	/* the guest makes its own link-local addresses */
	if (ifa->ifa_family == AF_INET6 && ((unsigned char *)RTA_DATA(a))[0] == 0xfe &&
	    (((unsigned char *)RTA_DATA(a))[1] & 0xc0) == 0x80)
		return;
	struct net_addr *ad = &i->addrs[i->naddrs++];
	ad->family = ifa->ifa_family;
	ad->prefix = ifa->ifa_prefixlen;
	memcpy(ad->addr, RTA_DATA(a), ifa->ifa_family == AF_INET ? 4 : 16);
}

static void on_route(const struct nlmsghdr *h, void *ctx)
{
	struct net_config *nc = ctx;
	const struct rtmsg *rt = NLMSG_DATA(h);
	struct rtattr *tb[RTA_MAX + 1];
	nl_parse(h, sizeof(*rt), tb, RTA_MAX);
	/* main table, not the kernel's own connected routes (the guest makes them
	 * from the addresses), not multicast */
	if (rt->rtm_table != RT_TABLE_MAIN || rt->rtm_protocol == RTPROT_KERNEL ||
	    rt->rtm_type != RTN_UNICAST || !tb[RTA_OIF] || nc->nroutes == NET_MAX_ROUTES)
		return;
	struct net_iface *i = by_index(nc, *(int *)RTA_DATA(tb[RTA_OIF]));
	if (!i)
		return;
	char dev[IF_NAMESIZE];
	memcpy(dev, i->name, sizeof(dev));
	struct net_route *r = &nc->routes[nc->nroutes++];
	memset(r, 0, sizeof(*r));
	size_t alen = rt->rtm_family == AF_INET ? 4 : 16;
	r->family = rt->rtm_family;
	r->dst_len = rt->rtm_dst_len;
	r->scope = rt->rtm_scope;
	memcpy(r->dev, dev, sizeof(r->dev));
	if (tb[RTA_DST])
		memcpy(r->dst, RTA_DATA(tb[RTA_DST]), alen);
	if (tb[RTA_GATEWAY]) {
		memcpy(r->gw, RTA_DATA(tb[RTA_GATEWAY]), alen);
		r->has_gw = true;
	}
	if (tb[RTA_PREFSRC]) {
		memcpy(r->src, RTA_DATA(tb[RTA_PREFSRC]), alen);
		r->has_src = true;
	}
}

int net_scan(const char *netns, struct net_config *nc, struct kc_error *err)
{
	memset(nc, 0, sizeof(*nc));
	struct in_ns s;
	if (enter(netns, &s, err) < 0)
		return -1;
	int rc = -1, fd = nl_open(err);
	if (fd >= 0) {
		struct nl_msg m;
		struct ifinfomsg *ifi = nl_msg_init(&m, RTM_GETLINK, 0, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		if (nl_dump(fd, &m, on_link, nc, err) == 0) {
			struct ifaddrmsg *ifa = nl_msg_init(&m, RTM_GETADDR, 0, sizeof(*ifa));
			ifa->ifa_family = AF_UNSPEC;
			if (nl_dump(fd, &m, on_addr, nc, err) == 0) {
				rc = 0;
				int fams[] = {AF_INET, AF_INET6};
				for (int f = 0; f < 2 && rc == 0; f++) {
					struct rtmsg *rt =
					    nl_msg_init(&m, RTM_GETROUTE, 0, sizeof(*rt));
					rt->rtm_family = (unsigned char)fams[f];
					rc = nl_dump(fd, &m, on_route, nc, err);
				}
			}
		}
		close(fd);
	}
	leave(&s);
	/* the taps' names now, so that they can be recorded before they exist */
	/* k < NET_MAX_IFACES: "tap255_kata" is the longest, well within IF_NAMESIZE */
	for (int k = 0; k < nc->n; k++)
		snprintf(nc->ifaces[k].tap, sizeof(nc->ifaces[k].tap), "tap%u_kata",
			 (unsigned char)k);
	return rc < 0 ? kc_error_wrap(err, "scan %s", netns) : 0;
}

/* ---- plumb --------------------------------------------------------------- */

int net_tap_open(const char *netns, const char *tap, struct kc_error *err)
{
	struct in_ns s;
	if (netns && enter(netns, &s, err) < 0)
		return -1;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", tap);
	/* as QEMU would open it by name */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		fd = kc_error_set(err, e, "open tap %s", tap);
	}
	if (netns)
		leave(&s);
	return fd;
}

static int make_tap(const char *name, unsigned mtu, struct kc_error *err)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return kc_error_set(err, errno, "/dev/net/tun");
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	/* the flags QEMU asks for when it opens the tap by name */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETPERSIST, 1) < 0) {
		int e = errno;
		close(fd);
		return kc_error_set(err, e, "tap %s", name);
	}
	close(fd);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = 0;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_mtu = (int)mtu;
	if (s < 0 || ioctl(s, SIOCSIFMTU, &ifr) < 0)
		rc = kc_error_set(err, errno, "MTU of %s", name);
	else if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
		 (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0))
		rc = kc_error_set(err, errno, "bring %s up", name);
	if (s >= 0)
		close(s);
	return rc;
}

static int ingress_qdisc(int fd, int ifindex, bool add, struct kc_error *err)
{
	struct nl_msg m;
	struct tcmsg *t = nl_msg_init(&m, add ? RTM_NEWQDISC : RTM_DELQDISC,
				      add ? NLM_F_CREATE | NLM_F_EXCL : 0, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_handle = TC_H_MAKE(TC_H_INGRESS, 0);
	t->tcm_parent = TC_H_INGRESS;
	nl_put_str(&m, TCA_KIND, "ingress");
	return nl_talk(fd, &m, err);
}

/* tc filter add dev FROM parent ffff: protocol all u32 match u8 0 0
 *    action mirred egress redirect dev TO */
static int redirect_filter(int fd, int from, int to, struct kc_error *err)
{
	struct nl_msg m;
	struct tcmsg *t = nl_msg_init(&m, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = from;
	t->tcm_parent = TC_H_MAKE(TC_H_INGRESS, 0);
	t->tcm_info = TC_H_MAKE(1u << 16, htons(ETH_P_ALL));
	nl_put_str(&m, TCA_KIND, "u32");
	struct rtattr *opts = nl_nest_start(&m, TCA_OPTIONS);
	struct {
		struct tc_u32_sel sel;
		struct tc_u32_key key;
	} sel = {0};
	sel.sel.flags = TC_U32_TERMINAL;
	sel.sel.nkeys = 1; /* one key matching every packet: mask 0 */
	nl_put(&m, TCA_U32_SEL, &sel, sizeof(sel));
	struct rtattr *acts = nl_nest_start(&m, TCA_U32_ACT);
	struct rtattr *act = nl_nest_start(&m, 1);
	nl_put_str(&m, TCA_ACT_KIND, "mirred");
	struct rtattr *aopts = nl_nest_start(&m, TCA_ACT_OPTIONS);
	struct tc_mirred mir = {
	    .action = TC_ACT_STOLEN, .eaction = TCA_EGRESS_REDIR, .ifindex = (__u32)to};
	nl_put(&m, TCA_MIRRED_PARMS, &mir, sizeof(mir));
	nl_nest_end(&m, aopts);
	nl_nest_end(&m, act);
	nl_nest_end(&m, acts);
	nl_nest_end(&m, opts);
	return nl_talk(fd, &m, err);
}

static int del_link(int fd, const char *name, struct kc_error *err)
{
	int index = (int)if_nametoindex(name);
	if (!index)
		return 0;
	struct nl_msg m;
	struct ifinfomsg *ifi = nl_msg_init(&m, RTM_DELLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	return nl_talk(fd, &m, err);
}

int net_plumb(const char *netns, struct net_config *nc, struct kc_error *err)
{
	if (!nc->n)
		return 0;
	struct in_ns s;
	if (enter(netns, &s, err) < 0)
		return -1;
	int fd = nl_open(err), rc = fd < 0 ? -1 : 0;
	for (int k = 0; k < nc->n && rc == 0; k++) {
		struct net_iface *i = &nc->ifaces[k];
		int tapi;
		if (make_tap(i->tap, i->mtu, err) < 0 || !(tapi = (int)if_nametoindex(i->tap)) ||
		    ingress_qdisc(fd, i->index, true, err) < 0 ||
		    ingress_qdisc(fd, tapi, true, err) < 0 ||
		    redirect_filter(fd, i->index, tapi, err) < 0 ||
		    redirect_filter(fd, tapi, i->index, err) < 0) {
			kc_error_wrap(err, "interface %s", i->name);
			rc = -1;
		}
		kc_debug("network: %s <-> %s (tc mirred)", i->name, i->tap);
	}
	if (fd >= 0)
		close(fd);
	leave(&s);
	if (rc < 0) {
		json_t *rec = net_to_json(nc);
		net_unplumb(netns, rec);
		json_decref(rec);
	}
	return rc;
}

void net_unplumb(const char *netns, const json_t *record)
{
	_cleanup_error_ struct kc_error err = {0};
	struct in_ns s;
	if (!netns || !json_array_size(json_object_get(record, "interfaces")))
		return;
	if (enter(netns, &s, &err) < 0)
		return; /* the namespace went, and everything in it */
	int fd = nl_open(&err);
	size_t k;
	json_t *i;
	json_array_foreach (json_object_get(record, "interfaces"), k, i) {
		const char *tap = json_string_value(json_object_get(i, "tap"));
		const char *name = json_string_value(json_object_get(i, "name"));
		if (fd < 0)
			break;
		if (tap && *tap && del_link(fd, tap, &err) < 0 && err.errnum != ENODEV)
			kc_warn("remove %s: %s", tap, kc_error_msg(&err));
		int index = name ? (int)if_nametoindex(name) : 0;
		if (index && ingress_qdisc(fd, index, false, &err) < 0 && err.errnum != EINVAL &&
		    err.errnum != ENOENT)
			kc_warn("remove the ingress qdisc of %s: %s", name, kc_error_msg(&err));
	}
	if (fd >= 0)
		close(fd);
	leave(&s);
}

static json_t *addr_json(int family, const unsigned char *a)
{
	char buf[INET6_ADDRSTRLEN];
	inet_ntop(family, a, buf, sizeof(buf));
	return json_string(buf);
}

json_t *net_to_json(const struct net_config *nc)
{
	json_t *ifs = json_array(), *routes = json_array();
	for (int k = 0; k < nc->n; k++) {
		const struct net_iface *i = &nc->ifaces[k];
		char mac[18];
		net_mac_string(i->mac, mac);
		json_t *addrs = json_array();
		for (int a = 0; a < i->naddrs; a++)
			json_array_append_new(
			    addrs, json_pack("{s:o, s:i, s:i}", "address",
					     addr_json(i->addrs[a].family, i->addrs[a].addr),
					     "prefix", i->addrs[a].prefix, "family",
					     i->addrs[a].family == AF_INET ? 4 : 6));
		json_array_append_new(ifs, json_pack("{s:s, s:s, s:s, s:i, s:o}", "name", i->name,
						     "tap", i->tap, "mac", mac, "mtu", i->mtu,
						     "addresses", addrs));
	}
	for (int k = 0; k < nc->nroutes; k++) {
		const struct net_route *r = &nc->routes[k];
		json_t *o = json_pack("{s:s, s:i, s:i}", "device", r->dev, "scope", r->scope,
				      "family", r->family == AF_INET ? 4 : 6);
		if (r->dst_len) {
			char d[INET6_ADDRSTRLEN + 8];
			inet_ntop(r->family, r->dst, d, INET6_ADDRSTRLEN);
			snprintf(d + strlen(d), 8, "/%d", r->dst_len);
			json_object_set_new(o, "dest", json_string(d));
		} else {
			json_object_set_new(o, "dest", json_string("default"));
		}
		if (r->has_gw)
			json_object_set_new(o, "gateway", addr_json(r->family, r->gw));
		if (r->has_src)
			json_object_set_new(o, "source", addr_json(r->family, r->src));
		json_array_append_new(routes, o);
	}
	return json_pack("{s:o, s:o}", "interfaces", ifs, "routes", routes);
}
