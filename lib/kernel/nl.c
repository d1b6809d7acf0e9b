// SPDX-License-Identifier: MIT
#include "kernel/nl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "base/util.h"

/* One sendto() carries at most this much: the kernel refuses a message
 * larger than the socket's send buffer (212992 bytes by default). */
#define SEND_CHUNK (64 * 1024)

/*
 * The request being filled, of whichever socket: callers lay it down with
 * mnl_attr_put*() after nlab_nl_req() returns, so its size is known only
 * once they queue the next one or flush.  Built here, then copied into its
 * socket's queue at its exact size: `up` keeps a socket per namespace, a
 * thousand of them with a request or two each, and a queue that reserved
 * room for the largest request would cost each of them a page.
 */
static struct {
	struct nlab_nl *nl; /* NULL: none */
	char buf[NLAB_NL_MSG_MAX] __attribute__((aligned(NLMSG_ALIGNTO)));
} pending;

int nlab_nl_open(struct nlab_nl *nl, struct nlab_err *e)
{
	int one = 1;

	if (pending.nl == nl)
		pending.nl = NULL;
	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->sock)
		return nlab_err_set(e, errno, "netlink socket");
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = errno;

		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return nlab_err_set(e, err, "netlink bind");
	}
	/* Extended acks give the kernel's own reason ("Nexthop has invalid
	 * gateway"); capped acks keep error replies small. Both optional. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq0 = (uint32_t)time(NULL);
	return 0;
}

static void commit_pending(void)
{
	struct nlab_nl *nl = pending.nl;
	size_t l;

	if (!nl)
		return;
	pending.nl = NULL;
	l = NLMSG_ALIGN(((struct nlmsghdr *)pending.buf)->nlmsg_len);
	if (nl->len + l > nl->cap) {
		size_t cap = nl->cap ? nl->cap : l;

		while (cap < nl->len + l)
			cap *= 2;
		nl->buf = xrealloc(nl->buf, cap);
		nl->cap = cap;
	}
	memcpy(nl->buf + nl->len, pending.buf, l);
	nl->len += l;
}

/* An empty queue holds no memory. */
void nlab_nl_discard(struct nlab_nl *nl)
{
	if (pending.nl == nl)
		pending.nl = NULL;
	for (size_t i = 0; i < nl->n; i++)
		free(nl->what[i]);
	free(nl->what);
	free(nl->buf);
	nl->what = NULL;
	nl->buf = NULL;
	nl->what_cap = nl->cap = 0;
	nl->seq0 += nl->n;
	nl->n = 0;
	nl->len = 0;
}

void nlab_nl_close(struct nlab_nl *nl)
{
	nlab_nl_discard(nl);
	if (nl->sock)
		mnl_socket_close(nl->sock);
	memset(nl, 0, sizeof(*nl));
}

struct nlmsghdr *nlab_nl_req(struct nlab_nl *nl, uint16_t type, uint16_t flags,
			     const char *what_fmt, ...)
{
	struct nlmsghdr *nlh;
	va_list ap;
	char *what;

	/* The previous request, of any socket, is final now. */
	commit_pending();
	xgrow(&nl->what, &nl->what_cap, nl->n + 1, sizeof(*nl->what));

	/* libmnl zeroes what it lays down, padding too. */
	nlh = mnl_nlmsg_put_header(pending.buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = nl->seq0 + nl->n;
	pending.nl = nl;

	va_start(ap, what_fmt);
	if (vasprintf(&what, what_fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	nl->what[nl->n++] = what;
	return nlh;
}

static const char *ext_ack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	size_t off = sizeof(*err);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += mnl_nlmsg_get_payload_len(&err->msg);
	mnl_attr_for_each_payload((void *)((const char *)err + off),
				  mnl_nlmsg_get_payload_len(nlh) - off)
	{
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(attr);
	}
	return NULL;
}

/* Send queued requests [from, to) and read replies until the last one is
 * acknowledged.  Records the first failure in @e. */
static int send_chunk(struct nlab_nl *nl, size_t from, size_t to, char *start,
		      size_t len, bool *failed, struct nlab_err *e)
{
	char rbuf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t last = nl->seq0 + (uint32_t)to - 1;

	if (mnl_socket_sendto(nl->sock, start, len) < 0)
		return nlab_err_set(e, errno, "netlink send");
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, rbuf, sizeof(rbuf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)rbuf;
		int left = (int)n;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return nlab_err_set(e, errno, "netlink receive");
		}
		for (; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			const struct nlmsgerr *err;
			uint32_t idx = nlh->nlmsg_seq - nl->seq0;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			err = mnl_nlmsg_get_payload(nlh);
			if (err->error && !*failed && idx >= from && idx < to) {
				const char *why = ext_ack_msg(nlh);

				*failed = true;
				nlab_err_set(e, -err->error, "%s",
					     nl->what[idx] ? nl->what[idx]
							   : "netlink");
				if (why && strlen(e->msg) + strlen(why) + 4 <
						   sizeof(e->msg)) {
					strcat(e->msg, " (");
					strcat(e->msg, why);
					strcat(e->msg, ")");
				}
			}
			if (nlh->nlmsg_seq == last)
				return 0;
		}
	}
}

int nlab_nl_flush(struct nlab_nl *nl, struct nlab_err *e)
{
	size_t off = 0, from = 0, i = 0, total;
	bool failed = false;
	int ret = 0;

	commit_pending();
	if (!nl->n)
		return 0;
	total = nl->len;

	/* Cut the queue into chunks; the last request of each asks for an ACK.
	 */
	while (off < total && !ret && !failed) {
		size_t end = off;
		struct nlmsghdr *nlh = NULL;

		from = i;
		while (end < total) {
			struct nlmsghdr *m = (struct nlmsghdr *)(nl->buf + end);
			size_t l = NLMSG_ALIGN(m->nlmsg_len);

			if (end > off && end - off + l > SEND_CHUNK)
				break;
			nlh = m;
			end += l;
			i++;
		}
		nlh->nlmsg_flags |= NLM_F_ACK;
		ret = send_chunk(nl, from, i, nl->buf + off, end - off, &failed,
				 e);
		off = end;
	}
	nlab_nl_discard(nl);
	return (ret || failed) ? -1 : 0;
}

struct dump_ctx {
	void (*cb)(void *data, const char *name, int ifindex);
	void *data;
};

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	const char **name = data;

	if (mnl_attr_get_type(attr) == IFLA_IFNAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*name = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct dump_ctx *ctx = data;
	const char *name = NULL;

	mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, &name);
	if (name)
		ctx->cb(ctx->data, name, ifi->ifi_index);
	return MNL_CB_OK;
}

int nlab_nl_links(struct nlab_nl *nl,
		  void (*cb)(void *data, const char *name, int ifindex),
		  void *data, struct nlab_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dump_ctx ctx = { cb, data };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	uint32_t seq = nl->seq0 + nl->n + 0x10000;
	int ret;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return nlab_err_set(e, errno, "netlink send");
	do {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));

		if (n < 0)
			return nlab_err_set(e, errno, "list links");
		ret = mnl_cb_run(buf, n, seq, nl->portid, link_cb, &ctx);
	} while (ret > 0);
	if (ret < 0)
		return nlab_err_set(e, errno, "list links");
	return 0;
}
