/* Pod networking, Kata's tcfilter model: for every interface of the pod's
 * network namespace (a veth CNI made) a tap device, an ingress qdisc on
 * both and a tc u32 filter each way redirecting (mirred) all traffic, so
 * the VM's virtio-net NIC, opened by QEMU on the tap with the veth's MAC,
 * carries the pod's traffic. The guest gets the same addresses, MTU and
 * routes through the agent. Everything made is recorded, and removed on
 * teardown. */
#ifndef KC_NETWORK_H
#define KC_NETWORK_H

#include <jansson.h>
#include <sys/types.h>
#include <net/if.h>
#include <stdbool.h>

#include "error.h"

#define NET_MAX_IFACES 8
#define NET_MAX_ADDRS  8
#define NET_MAX_ROUTES 32

struct net_addr {
	int family;
	unsigned char addr[16];
	int prefix;
};

struct net_iface {
	char name[IF_NAMESIZE];
	int index;
	unsigned char mac[6];
	unsigned mtu;
	struct net_addr addrs[NET_MAX_ADDRS];
	int naddrs;
	char tap[IF_NAMESIZE];
};

struct net_route {
	int family;
	unsigned char dst[16], gw[16], src[16];
	int dst_len;
	bool has_gw, has_src;
	int scope;
	char dev[IF_NAMESIZE];
};

struct net_config {
	struct net_iface ifaces[NET_MAX_IFACES];
	int n;
	struct net_route routes[NET_MAX_ROUTES];
	int nroutes;
};

/* The interfaces (not loopback), addresses and routes of a namespace,
 * and the names of the taps net_plumb will make for them. */
int net_scan(const char *netns, struct net_config *nc, struct kc_error *err);
/* Taps, ingress qdiscs and redirect filters for every interface scanned. */
int net_plumb(const char *netns, struct net_config *nc, struct kc_error *err);
/* A descriptor of a tap in netns (NULL: ours), opened as QEMU would: for
 * an unprivileged QEMU, which gets the descriptor and not /dev/net/tun. */
int net_tap_open(const char *netns, const char *tap, struct kc_error *err);

/* Remove what net_plumb made, from its record (any of it may be gone). */
void net_unplumb(const char *netns, const json_t *record);

/* The record (state) and the agent's update_interface/update_routes
 * arguments. */
json_t *net_to_json(const struct net_config *nc);
void net_mac_string(const unsigned char mac[6], char out[18]);

#endif
