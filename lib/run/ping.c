// SPDX-License-Identifier: MIT
/*
 * `netlab ping`: one raw ICMP and one raw ICMPv6 socket per node, each made
 * inside the node's netns (a socket stays in the netns it was created in,
 * so one process can then drive them all), and one poll loop over all of
 * them.  Raw, not ICMP datagram sockets: a fresh netns has
 * net.ipv4.ping_group_range "1 0", which refuses those even to root.
 *
 * A request carries the run's identifier, the round in its sequence number
 * and, in its payload, a random cookie and the index of its probe.  A
 * reply counts when all of those match, it came in on the socket of the
 * probe's source node, and its source is the probe's target address.
 *
 * An ICMP error (time exceeded, unreachable) that quotes one of our
 * requests, or the reply to one, settles that request as lost at once, as
 * does a request the source cannot even send: a run whose losses are all
 * reported ends without waiting out its timeout.
 */
#include "run/ping.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lab/lab.h"
#include "kernel/netns.h"
#include "base/parallel.h"
#include "base/util.h"
#include "topology/nsname.h"

/* <linux/icmp.h> would clash with <netinet/ip_icmp.h>: the one bit of it
 * needed here.  A set bit in the mask drops that ICMP type. */
#ifndef ICMP_FILTER
#define ICMP_FILTER 1
#endif

#define SOCK_BUF    (4 << 20) /* a round's replies must fit while we send */
#define MAX_SENDERS 16

enum { GOT_NOTHING, GOT_REPLY, GOT_ERROR };

struct echo {
	uint8_t type, code;
	uint16_t cksum, id, seq;
	uint64_t cookie;
	uint32_t probe;
	uint32_t round;
} __attribute__((packed));

struct psock {
	int fd;
	int family;
	const struct nlab_node *node;
};

struct pinger {
	struct nlab_ping_probe *probes;
	size_t n;
	unsigned count;
	struct psock *socks;
	size_t n_socks;
	size_t *sock_of; /* probe -> its source node's socket */
	uint8_t *got;	 /* probe * count + round: GOT_REPLY or GOT_ERROR */
	uint64_t cookie;
	uint16_t ident;
	unsigned long expected, received, settled; /* settled: known lost */
	size_t active, answered; /* probes sent; those with a reply */
};

static bool is_global(int family, const uint8_t *a)
{
	if (family == AF_INET6)
		return !(a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
	return !(a[0] == 169 && a[1] == 254);
}

static bool has_global(const struct nlab_node *nd, int family)
{
	for (size_t i = 0; i < nd->n_ifaces; i++)
		for (size_t j = 0; j < nd->ifaces[i].n_addrs; j++) {
			const struct nlab_prefix *p = &nd->ifaces[i].addrs[j];

			if (p->family == family && is_global(family, p->addr))
				return true;
		}
	return false;
}

void nlab_ping_plan(const struct nlab_topology *t, int family,
		    struct nlab_ping_probe **probes, size_t *n)
{
	struct nlab_ping_probe *out = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t f = 0; f < t->n_nodes; f++) {
		const struct nlab_node *from = &t->nodes[f];
		bool v4 = (!family || family == AF_INET) &&
			  has_global(from, AF_INET);
		bool v6 = (!family || family == AF_INET6) &&
			  has_global(from, AF_INET6);

		for (size_t d = 0; d < t->n_nodes; d++) {
			const struct nlab_node *to = &t->nodes[d];

			if (d == f)
				continue;
			for (size_t i = 0; i < to->n_ifaces; i++)
				for (size_t j = 0; j < to->ifaces[i].n_addrs;
				     j++) {
					const struct nlab_prefix *p =
						&to->ifaces[i].addrs[j];

					if (!(p->family == AF_INET ? v4 : v6) ||
					    !is_global(p->family, p->addr))
						continue;
					xgrow(&out, &cap, *n + 1, sizeof(*out));
					out[*n] = (struct nlab_ping_probe){
						.from = from,
						.to = to,
						.family = p->family,
					};
					memcpy(out[*n].addr, p->addr, 16);
					(*n)++;
				}
		}
	}
	*probes = out;
}

size_t nlab_ping_missing(const char *lab, const struct nlab_topology *t,
			 struct nlab_ping_probe *probes, size_t n,
			 bool *missing)
{
	char ns[NLAB_NAME_MAX * 2 + 2];
	size_t n_missing = 0;

	for (size_t i = 0; i < t->n_nodes; i++) {
		struct nlab_err ign;
		int fd;

		nlab_ns_name(ns, sizeof(ns), lab, t->nodes[i].name);
		fd = nlab_netns_open(ns, &ign);
		missing[i] = fd < 0 && ign.errnum == ENOENT;
		n_missing += missing[i];
		if (fd >= 0)
			close(fd);
	}
	for (size_t i = 0; i < n; i++)
		probes[i].skipped = missing[probes[i].from - t->nodes] ||
				    missing[probes[i].to - t->nodes];
	return n_missing;
}

void nlab_ping_only_from(const char *lab, const struct nlab_topology *t,
			 const struct nlab_host *host,
			 struct nlab_ping_probe *probes, size_t n,
			 bool *missing)
{
	char ns[NLAB_NAME_MAX * 2 + 2];

	for (size_t i = 0; i < t->n_nodes; i++) {
		nlab_ns_name(ns, sizeof(ns), lab, t->nodes[i].name);
		missing[i] = t->nodes[i].host == host && !nlab_netns_exists(ns);
	}
	for (size_t i = 0; i < n; i++)
		probes[i].skipped = probes[i].from->host != host ||
				    missing[probes[i].from - t->nodes];
}

unsigned nlab_ping_loss_pct(unsigned long sent, unsigned long received)
{
	unsigned long pct;

	if (!sent || received >= sent)
		return 0;
	if (!received)
		return 100;
	pct = ((sent - received) * 100 + sent / 2) / sent;
	return pct < 1 ? 1 : pct > 99 ? 99 : (unsigned)pct;
}

static uint16_t inet_cksum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t sum = 0;

	for (; len > 1; b += 2, len -= 2)
		sum += (uint32_t)b[0] << 8 | b[1];
	if (len)
		sum += (uint32_t)b[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* A raw socket for @family in the current netns that passes up only echo
 * replies and the errors that can quote a request (ICMPv6 checksums are
 * the kernel's job on a raw socket). */
static int open_icmp(int family, struct nlab_err *e)
{
	cleanup_close int fd = -1;
	int sz = SOCK_BUF;

	fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd < 0)
		return nlab_err_set(e, errno, "raw %s socket",
				    family == AF_INET ? "ICMP" : "ICMPv6");
	if (family == AF_INET) {
		uint32_t mask = ~(1U << ICMP_ECHOREPLY | 1U << ICMP_UNREACH |
				  1U << ICMP_TIMXCEED);

		if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &mask, sizeof(mask)))
			return nlab_err_set(e, errno, "ICMP_FILTER");
	} else {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
		ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f);
		if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)))
			return nlab_err_set(e, errno, "ICMP6_FILTER");
	}
	/* Best effort: the defaults only cost loss on very large labs. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	return steal_fd(fd);
}

static int add_sock(struct pinger *pg, const struct nlab_node *nd, int family,
		    struct nlab_err *e)
{
	int fd = open_icmp(family, e);

	if (fd < 0)
		return -1;
	pg->socks[pg->n_socks++] = (struct psock){ fd, family, nd };
	return 0;
}

/* Open the sockets of every source node, from inside its netns. */
static int open_socks(struct pinger *pg, const char *lab, struct nlab_err *e)
{
	pg->socks = xcalloc(2 * pg->n + 1, sizeof(*pg->socks));
	pg->sock_of = xcalloc(pg->n + 1, sizeof(*pg->sock_of));
	for (size_t i = 0; i < pg->n;) {
		const struct nlab_node *nd = pg->probes[i].from;
		size_t first = pg->n_socks, end = i;
		bool v4 = false, v6 = false;
		int orig, ret = 0;

		/* Probes are grouped by source node. */
		for (; end < pg->n && pg->probes[end].from == nd; end++)
			if (!pg->probes[end].skipped)
				*(pg->probes[end].family == AF_INET ? &v4
								    : &v6) =
					true;
		if (!v4 && !v6) {
			i = end;
			continue;
		}
		if (nlab_lab_enter_netns(lab, nd->name, &orig, e))
			return e->errnum == ENOENT
				       ? -1
				       : nlab_err_wrap(e, "node %s", nd->name);
		if (v4)
			ret = add_sock(pg, nd, AF_INET, e);
		if (!ret && v6)
			ret = add_sock(pg, nd, AF_INET6, e);
		if (nlab_lab_leave_netns(orig, ret ? NULL : e) || ret)
			return nlab_err_wrap(e, "node %s", nd->name);
		for (; i < end; i++)
			pg->sock_of[i] = pg->probes[i].family == AF_INET
						 ? first
						 : first + (v4 ? 1 : 0);
	}
	return 0;
}

/* Record what became of one request (@slot: probe * count + round).  A
 * reply outranks an error: in a lab that duplicates packets one copy may
 * die on the way while another arrives. */
static void settle(struct pinger *pg, size_t slot, uint8_t what)
{
	struct nlab_ping_probe *p = &pg->probes[slot / pg->count];
	uint8_t *g = &pg->got[slot];

	if (*g == GOT_REPLY || *g == what)
		return;		 /* a duplicate */
	if (what == GOT_ERROR) { /* also from the senders, on slots apart */
		*g = GOT_ERROR;
		__atomic_add_fetch(&pg->settled, 1, __ATOMIC_RELAXED);
		return;
	}
	if (*g == GOT_ERROR)
		pg->settled--;
	*g = GOT_REPLY;
	if (!p->received++)
		pg->answered++;
	pg->received++;
}

struct send_job {
	struct pinger *pg;
	unsigned round, parts;
};

/* One part of a round: the requests from every parts-th socket. */
static void send_part(void *ctx, size_t part)
{
	const struct send_job *j = ctx;
	struct pinger *pg = j->pg;
	unsigned round = j->round;

	for (size_t i = 0; i < pg->n; i++) {
		struct nlab_ping_probe *p = &pg->probes[i];
		struct echo m;
		union {
			struct sockaddr sa;
			struct sockaddr_in in;
			struct sockaddr_in6 in6;
		} to = { 0 };
		socklen_t tolen;

		if (p->skipped || pg->sock_of[i] % j->parts != part)
			continue;
		m = (struct echo){
			.type = p->family == AF_INET ? ICMP_ECHO
						     : ICMP6_ECHO_REQUEST,
			.id = htons(pg->ident),
			.seq = htons((uint16_t)round),
			.cookie = pg->cookie,
			.probe = (uint32_t)i,
			.round = round,
		};

		if (p->family == AF_INET) {
			to.in.sin_family = AF_INET;
			memcpy(&to.in.sin_addr, p->addr, 4);
			tolen = sizeof(to.in);
			m.cksum = inet_cksum(&m, sizeof(m));
		} else {
			to.in6.sin6_family = AF_INET6;
			memcpy(&to.in6.sin6_addr, p->addr, 16);
			tolen = sizeof(to.in6);
		}
		/* A request that cannot even be sent (no route) is lost. */
		if (sendto(pg->socks[pg->sock_of[i]].fd, &m, sizeof(m),
			   MSG_DONTWAIT, &to.sa, tolen) < 0)
			settle(pg, i * pg->count + round, GOT_ERROR);
		p->sent++;
	}
}

/*
 * Most of a round's time is the kernel forwarding each request, and its
 * reply, from router to router inside sendto(): so a round is sent from
 * one thread per CPU, each with its own sockets (a 100-node chain's round:
 * 1.05 s from one thread, 0.64 s from two).  Replies wait in the sockets.
 */
static void send_round(struct pinger *pg, unsigned round)
{
	unsigned cpus = nlab_cpus();
	struct send_job j = { pg, round, 1 };

	if (cpus > 1)
		j.parts = cpus < MAX_SENDERS ? cpus : MAX_SENDERS;
	if (j.parts > pg->n_socks)
		j.parts = (unsigned)pg->n_socks;
	nlab_parallel(j.parts, j.parts, send_part, &j);
}

/* The slot of the request of ours that the echo message at @icmp is, or
 * answers, if it belongs at @s: at the request's source node (the request
 * itself, or its reply as it arrives) or at its target (the reply as it
 * leaves), and @peer is the request's target address; SIZE_MAX if not. */
static size_t our_echo(const struct pinger *pg, const struct psock *s,
		       const uint8_t *icmp, size_t len, bool at_source,
		       const uint8_t *peer)
{
	bool v4 = s->family == AF_INET;
	uint8_t request = v4 ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	const struct nlab_ping_probe *p;
	struct echo m;

	if (len < sizeof(m))
		return SIZE_MAX;
	memcpy(&m, icmp, sizeof(m));
	if ((m.type != request &&
	     m.type != (v4 ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY)) ||
	    m.code || ntohs(m.id) != pg->ident || m.cookie != pg->cookie ||
	    m.probe >= pg->n || m.round >= pg->count ||
	    ntohs(m.seq) != (uint16_t)m.round)
		return SIZE_MAX;
	p = &pg->probes[m.probe];
	if ((at_source ? p->from : p->to) != s->node ||
	    p->family != s->family || memcmp(p->addr, peer, v4 ? 4 : 16))
		return SIZE_MAX;
	return (size_t)m.probe * pg->count + m.round;
}

/*
 * In an ICMP error (@icmp, @len bytes from its type on), the echo message
 * it quotes, if any, and the address at the far end of it: a request's
 * destination, a reply's source (our target's address, either way).  Both
 * kinds of error quote the packet after 8 bytes of their own; our echo
 * messages carry no IPv4 options or IPv6 extension headers.
 */
static const uint8_t *quoted_echo(int family, const uint8_t *icmp, size_t len,
				  size_t *qlen, const uint8_t **peer)
{
	const uint8_t *ip = icmp + 8, *q;
	bool v4 = family == AF_INET;
	size_t hlen;

	if (len < 8 + 40)
		return NULL;
	hlen = v4 ? (size_t)(ip[0] & 0x0f) * 4 : 40;
	if (ip[0] >> 4 != (v4 ? 4 : 6) || hlen < 20 ||
	    ip[v4 ? 9 : 6] != (v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6) ||
	    len < 8 + hlen + 1)
		return NULL;
	q = ip + hlen;
	*qlen = len - 8 - hlen;
	if (q[0] == (v4 ? ICMP_ECHO : ICMP6_ECHO_REQUEST))
		*peer = ip + (v4 ? 16 : 24); /* destination */
	else
		*peer = ip + (v4 ? 12 : 8); /* source */
	return q;
}

/* Count one datagram read from @s: a reply to one of our requests, or an
 * error that quotes one of them or its reply. */
static void take_reply(struct pinger *pg, const struct psock *s,
		       const uint8_t *buf, size_t len, const uint8_t *src)
{
	bool v4 = s->family == AF_INET;
	const uint8_t *icmp = buf, *q, *peer;
	size_t off = 0, qlen, slot;

	if (v4) /* raw IPv4 sockets see the IP header */
		off = len ? (size_t)(buf[0] & 0x0f) * 4 : 0;
	if (len < off + 8)
		return;
	icmp += off;
	len -= off;
	if (icmp[0] == (v4 ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY)) {
		slot = our_echo(pg, s, icmp, len, true, src);
		if (slot != SIZE_MAX)
			settle(pg, slot, GOT_REPLY);
		return;
	}
	q = quoted_echo(s->family, icmp, len, &qlen, &peer);
	slot = q ? our_echo(pg, s, q, qlen,
			    q[0] == (v4 ? ICMP_ECHO : ICMP6_ECHO_REQUEST), peer)
		 : SIZE_MAX;
	if (slot != SIZE_MAX)
		settle(pg, slot, GOT_ERROR);
}

static void drain(struct pinger *pg, const struct psock *s)
{
	uint8_t buf[2048];
	union {
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} from;

	for (;;) {
		socklen_t flen = sizeof(from);
		ssize_t len = recvfrom(s->fd, buf, sizeof(buf), MSG_DONTWAIT,
				       (struct sockaddr *)&from, &flen);

		if (len < 0) {
			if (errno == EINTR)
				continue;
			return; /* EAGAIN, or a stray error: nothing more */
		}
		take_reply(pg, s, buf, (size_t)len,
			   s->family == AF_INET
				   ? (const uint8_t *)&from.in.sin_addr
				   : (const uint8_t *)&from.in6.sin6_addr);
	}
}

/* Rounds every interval_ms, then replies until timeout_ms after the last
 * round, or until what became of every request is known. */
static void run_loop(struct pinger *pg, const struct nlab_ping_opts *o)
{
	cleanup_free struct pollfd *pfd =
		xcalloc(pg->n_socks + 1, sizeof(*pfd));
	uint64_t next = nlab_now_ms(), deadline = 0;
	unsigned round = 0;

	for (size_t i = 0; i < pg->n_socks; i++)
		pfd[i] = (struct pollfd){ .fd = pg->socks[i].fd,
					  .events = POLLIN };
	for (;;) {
		uint64_t t = nlab_now_ms(), until;

		if (round < pg->count && t >= next) {
			send_round(pg, round++);
			next += o->interval_ms;
			if (round == pg->count)
				deadline = nlab_now_ms() + o->timeout_ms;
		}
		if (round == pg->count &&
		    (pg->received + pg->settled == pg->expected ||
		     t >= deadline))
			break;
		if (o->until_each && pg->answered == pg->active)
			break;
		until = round < pg->count ? next : deadline;
		t = nlab_now_ms();
		if (poll(pfd, pg->n_socks, until > t ? (int)(until - t) : 0) <=
		    0)
			continue;
		for (size_t i = 0; i < pg->n_socks; i++)
			if (pfd[i].revents)
				drain(pg, &pg->socks[i]);
	}
}

int nlab_ping_run(const char *lab, struct nlab_ping_probe *probes, size_t n,
		  const struct nlab_ping_opts *o, struct nlab_err *e)
{
	struct pinger pg = {
		.probes = probes,
		.n = n,
		.count = o->count,
	};
	int ret;

	if (!o->count || o->count > UINT16_MAX + 1U)
		return nlab_err_set(e, EINVAL, "count %u out of range",
				    o->count);
	for (size_t i = 0; i < n; i++) {
		probes[i].sent = probes[i].received = 0;
		pg.expected += probes[i].skipped ? 0 : o->count;
		pg.active += !probes[i].skipped;
	}
	if (!pg.expected)
		return 0;
	if (getrandom(&pg.cookie, sizeof(pg.cookie), 0) != sizeof(pg.cookie))
		pg.cookie = (uint64_t)nlab_now_ms() << 20 ^ (uint64_t)getpid();
	pg.ident = (uint16_t)(getpid() ^ pg.cookie);
	ret = open_socks(&pg, lab, e);
	if (!ret) {
		pg.got = xcalloc(n, o->count);
		run_loop(&pg, o);
	}
	for (size_t i = 0; i < pg.n_socks; i++)
		close(pg.socks[i].fd);
	free(pg.socks);
	free(pg.sock_of);
	free(pg.got);
	return ret;
}

const char *nlab_ping_cell_str(const struct nlab_ping_cell *c, bool self,
			       char *buf, size_t len)
{
	if (self)
		snprintf(buf, len, "\\");
	else if (c->skipped)
		snprintf(buf, len, "?");
	else if (!c->addrs)
		snprintf(buf, len, "-");
	else if (c->answered == c->addrs)
		snprintf(buf, len, c->received >= c->sent ? "." : "~");
	else if (!c->answered)
		snprintf(buf, len, "X");
	else
		snprintf(buf, len, "%zu/%zu", c->answered, c->addrs);
	return buf;
}
