/* Route netlink, small and raw: build a request with nested attributes,
 * send it, read the acknowledgement or a dump. Used on the host (taps and
 * tc filters in a pod's network namespace) and in the guest (addresses,
 * routes, links). */
#ifndef KC_NETLINK_H
#define KC_NETLINK_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define NL_BUF 8192

struct nl_msg {
	unsigned char buf[NL_BUF];
	struct nlmsghdr *h;
};

int nl_open(struct kc_error *err);
/* A request of `type` with `flags` (NLM_F_REQUEST|NLM_F_ACK added) and a
 * fixed header of hdr_len bytes (zeroed; returned for filling in). */
void *nl_msg_init(struct nl_msg *m, uint16_t type, uint16_t flags, size_t hdr_len);
void nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len);
void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v);
void nl_put_str(struct nl_msg *m, uint16_t type, const char *s);
struct rtattr *nl_nest_start(struct nl_msg *m, uint16_t type);
void nl_nest_end(struct nl_msg *m, struct rtattr *nest);

/* Send and wait for the acknowledgement: 0 or -errno (err says what). */
int nl_talk(int fd, struct nl_msg *m, struct kc_error *err);

/* Send a dump request and call fn for each message until done. */
typedef void (*nl_dump_fn)(const struct nlmsghdr *h, void *ctx);
int nl_dump(int fd, struct nl_msg *m, nl_dump_fn fn, void *ctx, struct kc_error *err);

/* Attributes of a message after its fixed header: tb[type] or NULL. */
void nl_parse(const struct nlmsghdr *h, size_t hdr_len, struct rtattr **tb, int max);
void nl_parse_nested(const struct rtattr *nest, struct rtattr **tb, int max);

#endif
