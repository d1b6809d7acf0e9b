/* SPDX-License-Identifier: MIT */
/*
 * A batching rtnetlink socket on libmnl (the hot path of `up`).
 *
 * Requests are queued in one buffer and sent with few sendto()s.  Only the
 * last request of each send asks for an ACK: the kernel answers every other
 * request only when it fails, so a thousand successful requests cost one
 * reply, and the receive buffer cannot overflow with acks.  Each queued
 * request carries a description so that a failure reads as
 * "node r1: eth0: add 10.0.0.1/24: File exists".
 */
#ifndef NLAB_NL_H
#define NLAB_NL_H

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct mnl_socket;

struct nlab_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	char *buf; /* queued requests */
	size_t len, cap;
	char **what; /* description of each queued request */
	size_t n, what_cap;
	uint32_t seq0; /* sequence number of what[0] */
};

/* Open a NETLINK_ROUTE socket in the caller's current network namespace. */
int nlab_nl_open(struct nlab_nl *nl, struct nlab_err *e);
void nlab_nl_close(struct nlab_nl *nl);

/* Queue a request of @type; returns its header, with room for up to
 * NLAB_NL_MSG_MAX bytes.  Fill it with mnl_attr_put*() at once: it is
 * final when the next request of any socket is queued, or any socket is
 * flushed. */
#define NLAB_NL_MSG_MAX 4096
struct nlmsghdr *nlab_nl_req(struct nlab_nl *nl, uint16_t type, uint16_t flags,
			     const char *what_fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Send everything queued and wait for the outcome.  Returns 0, or -1 with
 * the first failure, described, in @e. */
int nlab_nl_flush(struct nlab_nl *nl, struct nlab_err *e);

/* Drop queued requests without sending them. */
void nlab_nl_discard(struct nlab_nl *nl);

/* Dump the links of the socket's namespace: calls @cb for each link with
 * its name and index.  Returns 0 or -1 with @e. */
int nlab_nl_links(struct nlab_nl *nl,
		  void (*cb)(void *data, const char *name, int ifindex),
		  void *data, struct nlab_err *e);

#endif
