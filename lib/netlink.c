/* Route netlink (see netlink.h). */
#include "netlink.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int nl_open(struct kc_error *err)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return kc_error_set(err, errno, "netlink socket");
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return kc_error_set(err, e, "netlink bind");
	}
	return fd;
}

void *nl_msg_init(struct nl_msg *m, uint16_t type, uint16_t flags, size_t hdr_len)
{
	memset(m->buf, 0, sizeof(m->buf));
	m->h = (struct nlmsghdr *)m->buf;
	m->h->nlmsg_len = (uint32_t)NLMSG_LENGTH(hdr_len);
	m->h->nlmsg_type = type;
	m->h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	return NLMSG_DATA(m->h);
}

void nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(m->h->nlmsg_len);
	size_t need = off + RTA_SPACE(len);
	if (need > sizeof(m->buf))
		return; /* requests here are far smaller */
	struct rtattr *a = (struct rtattr *)(m->buf + off);
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	m->h->nlmsg_len = (uint32_t)need;
}

void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	nl_put(m, type, &v, sizeof(v));
}

void nl_put_str(struct nl_msg *m, uint16_t type, const char *s)
{
	nl_put(m, type, s, strlen(s) + 1);
}

struct rtattr *nl_nest_start(struct nl_msg *m, uint16_t type)
{
	struct rtattr *a = (struct rtattr *)(m->buf + NLMSG_ALIGN(m->h->nlmsg_len));
	nl_put(m, type, NULL, 0);
	return a;
}

void nl_nest_end(struct nl_msg *m, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((m->buf + m->h->nlmsg_len) - (unsigned char *)nest);
}

static uint32_t seq_counter;

int nl_talk(int fd, struct nl_msg *m, struct kc_error *err)
{
	m->h->nlmsg_flags |= NLM_F_ACK;
	m->h->nlmsg_seq = ++seq_counter;
	if (send(fd, m->buf, m->h->nlmsg_len, 0) < 0)
		return kc_error_set(err, errno, "netlink send");
	unsigned char buf[NL_BUF];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return kc_error_set(err, errno, "netlink receive");
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != m->h->nlmsg_seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			struct nlmsgerr *e = NLMSG_DATA(h);
			if (e->error)
				return kc_error_set(err, -e->error, "netlink");
			return 0;
		}
	}
}

int nl_dump(int fd, struct nl_msg *m, nl_dump_fn fn, void *ctx, struct kc_error *err)
{
	m->h->nlmsg_flags |= NLM_F_DUMP;
	m->h->nlmsg_seq = ++seq_counter;
	if (send(fd, m->buf, m->h->nlmsg_len, 0) < 0)
		return kc_error_set(err, errno, "netlink send");
	unsigned char buf[32768];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return kc_error_set(err, errno, "netlink receive");
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != m->h->nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				return e->error ? kc_error_set(err, -e->error, "netlink dump") : 0;
			}
			fn(h, ctx);
		}
	}
}

static void parse_attrs(struct rtattr *a, int len, struct rtattr **tb, int max)
{
	memset(tb, 0, sizeof(struct rtattr *) * ((size_t)max + 1));
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type <= max)
			tb[a->rta_type] = a;
}

void nl_parse(const struct nlmsghdr *h, size_t hdr_len, struct rtattr **tb, int max)
{
	struct rtattr *a =
	    (struct rtattr *)((const unsigned char *)NLMSG_DATA(h) + NLMSG_ALIGN(hdr_len));
	parse_attrs(a, (int)h->nlmsg_len - (int)NLMSG_LENGTH(NLMSG_ALIGN(hdr_len)), tb, max);
}

void nl_parse_nested(const struct rtattr *nest, struct rtattr **tb, int max)
{
	parse_attrs((struct rtattr *)RTA_DATA(nest), (int)RTA_PAYLOAD(nest), tb, max);
}
