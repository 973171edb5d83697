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
		if (fgets(addr, sizeof(addr), f) && !strncasecmp(addr, mac, 17)) {
			snprintf(name, len, "%s", e->d_name);
			found = 0;
		}
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

/* {"routes":[{"dest","gateway","device","source","scope","family"}]}:
 * routes without a gateway first, so the gateways are reachable. */
int net_update_routes(struct agent *a, const json_t *req, struct kc_error *err)
{
	(void)a;
	_cleanup_close_ int fd = nl_open(err);
	if (fd < 0)
		return -1;
	int rc = 0;
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
