/* The guest's side of pod networking: the NIC QEMU gave the VM (found by
 * the MAC of the pod's interface) gets that interface's name, MTU and
 * addresses; then the pod's routes. Plain route netlink. */
#include "agent.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "netlink.h"

static int find_by_mac(const char *mac, char *name, size_t len)
{
	_cleanup_closedir_ DIR *d = opendir("/sys/class/net");
	struct dirent *e;
	int found = -1;
	while (d && (e = readdir(d)) && found < 0) {
		if (e->d_name[0] == '.')
			continue;
		char path[300], addr[64] = "";
		snprintf(path, sizeof(path), "/sys/class/net/%s/address", e->d_name);
		_cleanup_fclose_ FILE *f = fopen(path, "re");
		if (!f)
			continue;
		/* interface names are shorter than IFNAMSIZ: one that does not
		 * fit is not the one asked for */
		if (fgets(addr, sizeof(addr), f) && !strncasecmp(addr, mac, 17) &&
		    snprintf(name, len, "%s", e->d_name) < (int)len)
			found = 0;
	}
	return found;
}

static int parse_addr(const char *s, int *family, unsigned char *out)
{
	if (inet_pton(AF_INET, s, out) == 1) {
		*family = AF_INET;
		return 4;
	}
	if (inet_pton(AF_INET6, s, out) == 1) {
		*family = AF_INET6;
		return 16;
	}
	return -1;
}

static int link_set(int fd, int index, const char *name, unsigned mtu, bool up,
		    struct kc_error *err)
{
	struct nl_msg m;
	struct ifinfomsg *ifi = nl_msg_init(&m, RTM_NEWLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	if (name)
		nl_put_str(&m, IFLA_IFNAME, name);
	if (mtu)
		nl_put_u32(&m, IFLA_MTU, mtu);
	return nl_talk(fd, &m, err);
}

/* {"name","mac","mtu","addresses":[{"address","prefix"}]} */
int net_update_interface(struct agent *a, const json_t *req, struct kc_error *err)
{
	const char *mac = json_string_value(json_object_get(req, "mac"));
	const char *name = json_string_value(json_object_get(req, "name"));
	unsigned mtu = (unsigned)json_integer_value(json_object_get(req, "mtu"));
	if (!mac || strlen(mac) != 17) {
		return kc_error_set(err, 0, "'mac' must be a MAC address");
	}
	agent_load_modules(&a->times, "net");
	char cur[IF_NAMESIZE] = "";
	for (int i = 0; i < 500 && find_by_mac(mac, cur, sizeof(cur)) < 0; i++) {
		struct timespec ts = {0, 10 * 1000000L};
		nanosleep(&ts, NULL);
	}
	if (!cur[0]) {
		return kc_error_set(err, 0, "no interface with MAC %s appeared in the guest", mac);
	}
	_cleanup_close_ int fd = nl_open(err);
	if (fd < 0)
		return -1;
	int index = (int)if_nametoindex(cur);
	int rc = 0;
	/* a rename needs the link down */
	if (link_set(fd, index, NULL, 0, false, err) < 0 ||
	    link_set(fd, index, name && strcmp(name, cur) ? name : NULL, mtu, false, err) < 0)
		rc = -1;
	size_t i;
	json_t *ad;
	json_array_foreach (json_object_get(req, "addresses"), i, ad) {
		if (rc < 0)
			break;
		const char *s = json_string_value(json_object_get(ad, "address"));
		int prefix = (int)json_integer_value(json_object_get(ad, "prefix"));
		unsigned char bin[16];
		int family, alen = s ? parse_addr(s, &family, bin) : -1;
		if (alen < 0) {
			kc_error_set(err, 0, "addresses[%zu]: not an IP address", i);
			rc = -1;
			break;
		}
		struct nl_msg m;
		struct ifaddrmsg *ifa =
		    nl_msg_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, sizeof(*ifa));
		ifa->ifa_family = (unsigned char)family;
		ifa->ifa_prefixlen = (unsigned char)prefix;
		ifa->ifa_index = (unsigned)index;
		nl_put(&m, IFA_LOCAL, bin, (size_t)alen);
		nl_put(&m, IFA_ADDRESS, bin, (size_t)alen);
		if (nl_talk(fd, &m, err) < 0)
			rc = -1;
	}
	if (rc == 0 && link_set(fd, index, NULL, 0, true, err) < 0)
		rc = -1;
	if (rc < 0)
		kc_error_wrap(err, "interface %s (%s)", name ? name : cur, mac);
	else
		log_info("interface %s (%s) configured", name ? name : cur, mac);
	return rc;
}

static int add_route(int fd, const json_t *r, struct kc_error *err)
{
	const char *dest = json_string_value(json_object_get(r, "dest"));
	const char *gw = json_string_value(json_object_get(r, "gateway"));
	const char *src = json_string_value(json_object_get(r, "source"));
	const char *dev = json_string_value(json_object_get(r, "device"));
	int family = json_integer_value(json_object_get(r, "family")) == 6 ? AF_INET6 : AF_INET;
	unsigned char dbin[16] = {0}, gbin[16], sbin[16];
	int dlen = 0, alen = family == AF_INET ? 4 : 16, f;
	if (dest && strcmp(dest, "default")) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%s", dest);
		char *slash = strchr(buf, '/');
		if (slash)
			*slash++ = '\0';
		if (parse_addr(buf, &f, dbin) < 0)
			return kc_error_set(err, 0, "route to '%s': not an address", dest);
		family = f;
		alen = f == AF_INET ? 4 : 16;
		dlen = slash ? atoi(slash) : alen * 8;
	}
	struct nl_msg m;
	struct rtmsg *rt = nl_msg_init(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, sizeof(*rt));
	rt->rtm_family = (unsigned char)family;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_type = RTN_UNICAST;
	rt->rtm_dst_len = (unsigned char)dlen;
	rt->rtm_scope = (unsigned char)(json_is_integer(json_object_get(r, "scope"))
					    ? json_integer_value(json_object_get(r, "scope"))
					    : RT_SCOPE_UNIVERSE);
	if (dlen)
		nl_put(&m, RTA_DST, dbin, (size_t)alen);
	if (gw && parse_addr(gw, &f, gbin) > 0)
		nl_put(&m, RTA_GATEWAY, gbin, (size_t)alen);
	if (src && parse_addr(src, &f, sbin) > 0)
		nl_put(&m, RTA_PREFSRC, sbin, (size_t)alen);
	if (dev) {
		unsigned idx = if_nametoindex(dev);
		if (!idx)
			return kc_error_set(err, 0, "route to %s: no device %s",
					    dest ? dest : "default", dev);
		nl_put_u32(&m, RTA_OIF, idx);
	}
	if (nl_talk(fd, &m, err) < 0)
		return kc_error_wrap(err, "route to %s", dest ? dest : "default");
	return 0;
}

static int delete_routes(int fd, struct kc_error *err);

/* {"routes":[{"dest","gateway","device","source","scope","family"}],
 * "replace":bool}: routes without a gateway first, so the gateways are
 * reachable. With replace, the routes there were (but the kernel's
 * connected ones) go first, as Kata's update-routes has them. */
int net_update_routes(struct agent *a, const json_t *req, struct kc_error *err)
{
	(void)a;
	_cleanup_close_ int fd = nl_open(err);
	if (fd < 0)
		return -1;
	int rc = 0;
	if (json_is_true(json_object_get(req, "replace")) && delete_routes(fd, err) < 0)
		return kc_error_wrap(err, "remove the routes there were");
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		size_t i;
		json_t *r;
		json_array_foreach (json_object_get(req, "routes"), i, r) {
			bool has_gw = json_object_get(r, "gateway") != NULL;
			if (has_gw != (pass == 1))
				continue;
			if (add_route(fd, r, err) < 0) {
				rc = -1;
				break;
			}
		}
	}
	return rc;
}

/* ---- listing, for kata-runtime kata-network ------------------------------ */

static json_t *addr_string(int family, const void *a)
{
	char buf[INET6_ADDRSTRLEN] = "";
	inet_ntop(family, a, buf, sizeof(buf));
	return json_string(buf);
}

static void on_link(const struct nlmsghdr *h, void *ctx)
{
	json_t *ifs = ctx;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtattr *tb[IFLA_MAX + 1];
	nl_parse(h, sizeof(*ifi), tb, IFLA_MAX);
	if (!tb[IFLA_IFNAME])
		return;
	char mac[18] = "";
	if (tb[IFLA_ADDRESS] && RTA_PAYLOAD(tb[IFLA_ADDRESS]) == 6) {
		const unsigned char *m = RTA_DATA(tb[IFLA_ADDRESS]);
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
			 m[4], m[5]);
	}
	json_array_append_new(ifs,
			      json_pack("{s:i, s:s, s:s, s:i, s:b, s:[]}", "index", ifi->ifi_index,
					"name", (const char *)RTA_DATA(tb[IFLA_IFNAME]), "mac", mac,
					"mtu", tb[IFLA_MTU] ? *(int *)RTA_DATA(tb[IFLA_MTU]) : 0,
					"up", (ifi->ifi_flags & IFF_UP) != 0, "addresses"));
}

static void on_addr(const struct nlmsghdr *h, void *ctx)
{
	json_t *ifs = ctx;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct rtattr *tb[IFA_MAX + 1];
	nl_parse(h, sizeof(*ifa), tb, IFA_MAX);
	struct rtattr *a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	size_t i;
	json_t *itf;
	json_array_foreach (ifs, i, itf) {
		if (!a || json_integer_value(json_object_get(itf, "index")) != (int)ifa->ifa_index)
			continue;
		json_array_append_new(json_object_get(itf, "addresses"),
				      json_pack("{s:o, s:i, s:i}", "address",
						addr_string(ifa->ifa_family, RTA_DATA(a)), "prefix",
						ifa->ifa_prefixlen, "family",
						ifa->ifa_family == AF_INET ? 4 : 6));
	}
}

/* {"interfaces":[{"index","name","mac","mtu","up","addresses":[...]}]} */
json_t *net_list_interfaces(struct kc_error *err)
{
	_cleanup_close_ int fd = nl_open(err);
	if (fd < 0)
		return NULL;
	json_t *ifs = json_array();
	struct nl_msg m;
	struct ifinfomsg *ifi = nl_msg_init(&m, RTM_GETLINK, NLM_F_DUMP, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	struct nl_msg m2;
	struct ifaddrmsg *ifa = nl_msg_init(&m2, RTM_GETADDR, NLM_F_DUMP, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	if (nl_dump(fd, &m, on_link, ifs, err) < 0 || nl_dump(fd, &m2, on_addr, ifs, err) < 0) {
		json_decref(ifs);
		return NULL;
	}
	return json_pack("{s:o}", "interfaces", ifs);
}

struct route_list {
	json_t *routes;
	bool all; /* the kernel's connected routes too */
};

static void on_route(const struct nlmsghdr *h, void *ctx)
{
	struct route_list *l = ctx;
	const struct rtmsg *rt = NLMSG_DATA(h);
	struct rtattr *tb[RTA_MAX + 1];
	nl_parse(h, sizeof(*rt), tb, RTA_MAX);
	if (rt->rtm_table != RT_TABLE_MAIN || rt->rtm_type != RTN_UNICAST ||
	    (!l->all && rt->rtm_protocol == RTPROT_KERNEL))
		return;
	char dev[IF_NAMESIZE] = "", dest[INET6_ADDRSTRLEN + 8] = "default";
	if (tb[RTA_OIF])
		if_indextoname(*(unsigned *)RTA_DATA(tb[RTA_OIF]), dev);
	if (tb[RTA_DST]) {
		inet_ntop(rt->rtm_family, RTA_DATA(tb[RTA_DST]), dest, INET6_ADDRSTRLEN);
		snprintf(dest + strlen(dest), 8, "/%d", rt->rtm_dst_len);
	}
	json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:b}", "dest", dest, "device", dev, "scope",
			      rt->rtm_scope, "family", rt->rtm_family == AF_INET ? 4 : 6, "kernel",
			      rt->rtm_protocol == RTPROT_KERNEL);
	if (tb[RTA_GATEWAY])
		json_object_set_new(o, "gateway",
				    addr_string(rt->rtm_family, RTA_DATA(tb[RTA_GATEWAY])));
	if (tb[RTA_PREFSRC])
		json_object_set_new(o, "source",
				    addr_string(rt->rtm_family, RTA_DATA(tb[RTA_PREFSRC])));
	json_array_append_new(l->routes, o);
}

static json_t *list_routes(int fd, bool all, struct kc_error *err)
{
	struct route_list l = {json_array(), all};
	struct nl_msg m;
	struct rtmsg *rt = nl_msg_init(&m, RTM_GETROUTE, NLM_F_DUMP, sizeof(*rt));
	rt->rtm_family = AF_UNSPEC;
	if (nl_dump(fd, &m, on_route, &l, err) < 0) {
		json_decref(l.routes);
		return NULL;
	}
	return l.routes;
}

/* {"routes":[{"dest","gateway","device","source","scope","family","kernel"}]}:
 * the main table, the kernel's connected routes included */
json_t *net_list_routes(struct kc_error *err)
{
	_cleanup_close_ int fd = nl_open(err);
	if (fd < 0)
		return NULL;
	json_t *routes = list_routes(fd, true, err);
	return routes ? json_pack("{s:o}", "routes", routes) : NULL;
}

/* Before update_routes with "replace": the routes someone added (not the
 * kernel's connected ones, which follow the addresses) go. */
static int delete_routes(int fd, struct kc_error *err)
{
	json_t *routes = list_routes(fd, false, err);
	if (!routes)
		return -1;
	size_t i;
	json_t *r;
	int rc = 0;
	json_array_foreach (routes, i, r) {
		const char *dest = json_string_value(json_object_get(r, "dest"));
		int family =
		    json_integer_value(json_object_get(r, "family")) == 6 ? AF_INET6 : AF_INET;
		unsigned char dbin[16] = {0};
		int dlen = 0, f;
		if (strcmp(dest, "default")) {
			char buf[64];
			snprintf(buf, sizeof(buf), "%s", dest);
			char *slash = strchr(buf, '/');
			if (slash)
				*slash++ = '\0';
			if (parse_addr(buf, &f, dbin) < 0)
				continue;
			dlen = slash ? atoi(slash) : 0;
		}
		struct nl_msg m;
		struct rtmsg *rt = nl_msg_init(&m, RTM_DELROUTE, 0, sizeof(*rt));
		rt->rtm_family = (unsigned char)family;
		rt->rtm_table = RT_TABLE_MAIN;
		rt->rtm_dst_len = (unsigned char)dlen;
		rt->rtm_scope = RT_SCOPE_NOWHERE;
		if (dlen)
			nl_put(&m, RTA_DST, dbin, family == AF_INET ? 4 : 16);
		const char *dev = json_string_value(json_object_get(r, "device"));
		unsigned idx = dev && *dev ? if_nametoindex(dev) : 0;
		if (idx)
			nl_put_u32(&m, RTA_OIF, idx);
		if (nl_talk(fd, &m, err) < 0 && err->errnum != ESRCH)
			rc = -1;
	}
	json_decref(routes);
	return rc;
}
