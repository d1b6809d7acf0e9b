// SPDX-License-Identifier: MIT
#include "kernel/qdisc.h"
#include "base/testhook.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/pkt_sched.h>
#include <math.h>
#include <netlink/netlink.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "topology/impair.h"
#include "kernel/netns.h"
#include "base/util.h"

#define TBF_CHILD_MAJOR 10    /* tbf under netem N: is N*10: */
#define TBF_LATENCY_US	50000 /* queue at most this much delay in tbf */

void nlab_qdisc_socket_freep(struct nl_sock **sk)
{
	if (*sk)
		nl_socket_free(*sk);
}

struct nl_sock *nlab_qdisc_socket(struct nlab_err *e)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	if (!sk) {
		nlab_err_set(e, ENOMEM, "netlink");
		return NULL;
	}
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err < 0) {
		nl_socket_free(sk);
		nlab_err_set(e, 0, "netlink: %s", nl_geterror(err));
		return NULL;
	}
	return sk;
}

/* Kernel probabilities are fractions of 2^32 - 1 (as tc computes them). */
static uint32_t prob(double pct)
{
	return (uint32_t)llrint(pct / 100.0 * UINT32_MAX);
}

static double pct(uint32_t p)
{
	return (double)p * 100.0 / UINT32_MAX;
}

static struct rtnl_qdisc *new_qdisc(int ifindex, uint32_t parent,
				    uint32_t handle, const char *kind)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();

	if (!q)
		return NULL;
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), parent);
	rtnl_tc_set_handle(TC_CAST(q), handle);
	if (rtnl_tc_set_kind(TC_CAST(q), kind) < 0) {
		rtnl_qdisc_put(q);
		return NULL;
	}
	return q;
}

static int add(struct nl_sock *sk, struct rtnl_qdisc *q, const char *kind,
	       struct nlab_err *e)
{
	int err = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_REPLACE);

	rtnl_qdisc_put(q);
	if (err == -NLE_OBJ_NOTFOUND || err == -NLE_OPNOTSUPP)
		return nlab_err_set(
			e, ENOENT,
			"the kernel has no %s qdisc (CONFIG_NET_SCH_%s)", kind,
			!strcmp(kind, "tbf") ? "TBF" : "NETEM");
	if (err < 0)
		return nlab_err_set(e, 0, "add %s qdisc: %s", kind,
				    nl_geterror(err));
	return 0;
}

static int add_tbf(struct nl_sock *sk, int ifindex, uint32_t parent,
		   uint32_t handle, uint64_t bps, struct nlab_err *e)
{
	uint64_t bytes = bps / 8;
	/* A bucket of 4 ms of traffic, and never less than two full
	 * frames, or tbf cannot send a packet at all. */
	uint64_t bucket = bytes / 250 > 3028 ? bytes / 250 : 3028;
	struct rtnl_qdisc *q;

	/* The parser keeps rates in this range (impair.h); a caller that
	 * did not parse is refused here, before the kernel sees a rate
	 * libnl's int or tbf's 32-bit ticks cannot hold. */
	if (bps < NLAB_IMPAIR_RATE_MIN || bps > NLAB_IMPAIR_RATE_MAX)
		return nlab_err_set(e, ERANGE,
				    "rate %llu bit/s is outside 1kbit..17gbit",
				    (unsigned long long)bps);
	q = new_qdisc(ifindex, parent, handle, "tbf");
	if (!q)
		return nlab_err_set(e, ENOMEM, "tbf qdisc");
	rtnl_qdisc_tbf_set_rate(q, (int)bytes, (int)bucket, 0);
	rtnl_qdisc_tbf_set_limit_by_latency(q, TBF_LATENCY_US);
	return add(sk, q, "tbf", e);
}

static int add_netem(struct nl_sock *sk, int ifindex, uint32_t handle,
		     const struct nlab_impair *imp, struct nlab_err *e)
{
	struct rtnl_qdisc *q;

	/* libnl takes microseconds as an int and sends 32-bit ticks of
	 * 64 ns: the parser's limit keeps both in range (impair.h). */
	if (((imp->set & NLAB_IMP_DELAY) &&
	     imp->delay_us > NLAB_IMPAIR_TIME_MAX) ||
	    ((imp->set & NLAB_IMP_JITTER) &&
	     imp->jitter_us > NLAB_IMPAIR_TIME_MAX))
		return nlab_err_set(e, ERANGE,
				    "delay and jitter must be at most 200s");
	q = new_qdisc(ifindex, TC_H_ROOT, handle, "netem");
	if (!q)
		return nlab_err_set(e, ENOMEM, "netem qdisc");
	rtnl_netem_set_limit(q, 1000);
	if (imp->set & NLAB_IMP_DELAY)
		rtnl_netem_set_delay(q, (int)imp->delay_us);
	if (imp->set & NLAB_IMP_JITTER)
		rtnl_netem_set_jitter(q, (int)imp->jitter_us);
	/* libnl stores these as the kernel's raw u32: pass the bits. */
	if (imp->set & NLAB_IMP_LOSS)
		rtnl_netem_set_loss(q, (int)prob(imp->loss_pct));
	if (imp->set & NLAB_IMP_DUPLICATE)
		rtnl_netem_set_duplicate(q, (int)prob(imp->duplicate_pct));
	if (imp->set & NLAB_IMP_CORRUPT)
		rtnl_netem_set_corruption_probability(
			q, (int)prob(imp->corrupt_pct));
	if (imp->set & NLAB_IMP_REORDER)
		rtnl_netem_set_reorder_probability(q,
						   (int)prob(imp->reorder_pct));
	return add(sk, q, "netem", e);
}

static int delete_root(struct nl_sock *sk, int ifindex, struct nlab_err *e)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();
	int err;

	if (!q)
		return nlab_err_set(e, ENOMEM, "qdisc");
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
	err = rtnl_qdisc_delete(sk, q);
	rtnl_qdisc_put(q);
	/* No root qdisc of ours (the default one cannot be deleted). */
	if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_INVAL &&
	    err != -NLE_NOATTR)
		return nlab_err_set(e, 0, "remove qdisc: %s", nl_geterror(err));
	return 0;
}

/*
 * Install the tree for @imp (not empty) as the root, with handle
 * @major: (and, under netem, tbf @major*10: at @major:1).  The root goes
 * in with NLM_F_REPLACE and a handle the current root does not have, so
 * the kernel builds it first and then swaps it for the whole old tree in
 * one step: a root the kernel refuses leaves the old tree as it was.
 * Returns 0; -1 with @e when nothing changed; -2 with @e when the new
 * root is in but its tbf child is not.
 */
static int install(struct nl_sock *sk, int ifindex,
		   const struct nlab_impair *imp, uint32_t major,
		   struct nlab_err *e)
{
	uint32_t root = TC_HANDLE(major, 0);

	if (nlab_fault("qdisc", e))
		return -1;
	if (!(imp->set & NLAB_IMP_NETEM))
		return add_tbf(sk, ifindex, TC_H_ROOT, root, imp->rate_bps, e);
	if (add_netem(sk, ifindex, root, imp, e))
		return -1;
	if (!(imp->set & NLAB_IMP_RATE))
		return 0;
	if (nlab_fault("qdisc", e) ||
	    add_tbf(sk, ifindex, TC_HANDLE(major, 1),
		    TC_HANDLE(major * TBF_CHILD_MAJOR, 0), imp->rate_bps, e))
		return -2;
	return 0;
}

static void read_tbf(struct rtnl_qdisc *q, struct nlab_impair *imp)
{
	imp->rate_bps = (uint64_t)(unsigned)rtnl_qdisc_tbf_get_rate(q) * 8;
	imp->set |= NLAB_IMP_RATE;
}

static void read_netem(struct rtnl_qdisc *q, struct nlab_impair *imp)
{
	int v;

	if ((v = rtnl_netem_get_delay(q)) > 0) {
		imp->delay_us = (uint32_t)v;
		imp->set |= NLAB_IMP_DELAY;
	}
	if ((v = rtnl_netem_get_jitter(q)) > 0) {
		imp->jitter_us = (uint32_t)v;
		imp->set |= NLAB_IMP_JITTER;
	}
	if ((v = rtnl_netem_get_loss(q)) != 0 && v != -NLE_NOATTR) {
		imp->loss_pct = pct((uint32_t)v);
		imp->set |= NLAB_IMP_LOSS;
	}
	if ((v = rtnl_netem_get_duplicate(q)) != 0 && v != -NLE_NOATTR) {
		imp->duplicate_pct = pct((uint32_t)v);
		imp->set |= NLAB_IMP_DUPLICATE;
	}
	if ((v = rtnl_netem_get_corruption_probability(q)) != 0 &&
	    v != -NLE_NOATTR) {
		imp->corrupt_pct = pct((uint32_t)v);
		imp->set |= NLAB_IMP_CORRUPT;
	}
	if ((v = rtnl_netem_get_reorder_probability(q)) != 0 &&
	    v != -NLE_NOATTR) {
		imp->reorder_pct = pct((uint32_t)v);
		imp->set |= NLAB_IMP_REORDER;
	}
}

/* The interface's impairments and the handle of its root qdisc (0 for
 * the kernel's default root, which is not ours to remove), from @cache
 * (every qdisc of the netns). */
static void read_cached(struct nl_cache *cache, int ifindex,
			struct nlab_impair *imp, uint32_t *root_handle)
{
	struct rtnl_qdisc *root, *child;
	const char *kind;

	memset(imp, 0, sizeof(*imp));
	*root_handle = 0;
	root = rtnl_qdisc_get_by_parent(cache, ifindex, TC_H_ROOT);
	kind = root ? rtnl_tc_get_kind(TC_CAST(root)) : NULL;
	if (root)
		*root_handle = rtnl_tc_get_handle(TC_CAST(root));
	if (kind && !strcmp(kind, "tbf")) {
		read_tbf(root, imp);
	} else if (kind && !strcmp(kind, "netem")) {
		read_netem(root, imp);
		child = rtnl_qdisc_get_by_parent(
			cache, ifindex, rtnl_tc_get_handle(TC_CAST(root)) | 1);
		if (child) {
			const char *ck = rtnl_tc_get_kind(TC_CAST(child));

			if (ck && !strcmp(ck, "tbf"))
				read_tbf(child, imp);
			rtnl_qdisc_put(child);
		}
	}
	if (root)
		rtnl_qdisc_put(root);
}

static int read_tree(struct nl_sock *sk, int ifindex, struct nlab_impair *imp,
		     uint32_t *root_handle, struct nlab_err *e)
{
	struct nl_cache *cache = NULL;
	int err;

	memset(imp, 0, sizeof(*imp));
	*root_handle = 0;
	err = rtnl_qdisc_alloc_cache(sk, &cache);
	if (err < 0)
		return nlab_err_set(e, 0, "list qdiscs: %s", nl_geterror(err));
	read_cached(cache, ifindex, imp, root_handle);
	nl_cache_free(cache);
	return 0;
}

int nlab_qdisc_read(struct nl_sock *sk, int ifindex, struct nlab_impair *imp,
		    struct nlab_err *e)
{
	uint32_t root;

	return read_tree(sk, ifindex, imp, &root, e);
}

int nlab_qdisc_cache(struct nl_sock *sk, struct nl_cache **cache,
		     struct nlab_err *e)
{
	int err = rtnl_qdisc_alloc_cache(sk, cache);

	if (err < 0) {
		*cache = NULL;
		return nlab_err_set(e, 0, "list qdiscs: %s", nl_geterror(err));
	}
	return 0;
}

void nlab_qdisc_read_cached(struct nl_cache *cache, int ifindex,
			    struct nlab_impair *imp)
{
	uint32_t root;

	read_cached(cache, ifindex, imp, &root);
}

int nlab_qdisc_apply(struct nl_sock *sk, int ifindex,
		     const struct nlab_impair *imp, struct nlab_err *e)
{
	struct nlab_impair old;
	struct nlab_err re;
	uint32_t root, major;
	int ret;

	if (read_tree(sk, ifindex, &old, &root, e))
		return -1;
	if (!imp->set)
		return root ? delete_root(sk, ifindex, e) : 0;
	major = TC_H_MAJ(root) == TC_HANDLE(1, 0) ? 2 : 1;
	ret = install(sk, ifindex, imp, major, e);
	if (ret != -2)
		return ret;
	/* netem is in, its tbf child is not: put back what was there
	 * (a tree of the other handle replaces the half-built one). */
	if (old.set ? install(sk, ifindex, &old, 3 - major, &re) != 0
		    : delete_root(sk, ifindex, &re) != 0) {
		char first[sizeof(e->msg)];
		int errnum = e->errnum;

		snprintf(first, sizeof(first), "%s", e->msg);
		nlab_err_set(e, 0,
			     "%s (and putting the old impairments back "
			     "failed: %s)",
			     first, re.msg);
		e->errnum = errnum;
	}
	return -1;
}

static int probe_netem(void *arg, struct nlab_err *e)
{
	struct nlab_impair imp = { .delay_us = 1000, .set = NLAB_IMP_DELAY };
	struct nl_sock *sk = nlab_qdisc_socket(e);
	struct nlab_err pe;
	int ret;

	(void)arg;
	if (!sk)
		return -1;
	ret = add_netem(sk, 1, TC_HANDLE(1, 0), &imp, &pe) == 0 ? 1 : 0;
	if (!ret && pe.errnum != ENOENT) {
		*e = pe;
		ret = -1;
	}
	nl_socket_free(sk);
	return ret;
}

/*
 * Without root (`check`): the same probe in a child, in a netns of a user
 * namespace of its own, where it holds CAP_NET_ADMIN.  Exit 0 yes, 1 no,
 * 2 cannot tell.
 */
static int probe_netem_userns(struct nlab_err *e)
{
	struct nlab_err ce;
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return nlab_err_set(e, errno, "probe: fork");
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
			_exit(2);
		switch (probe_netem(NULL, &ce)) {
		case 1:
			_exit(0);
		case 0:
			_exit(1);
		default:
			_exit(2);
		}
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return nlab_err_set(e, errno, "probe: wait");
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
		return nlab_err_set(e, 0,
				    "probe: no user namespace to probe in "
				    "without root");
	return WEXITSTATUS(status) == 0;
}

int nlab_netem_available(struct nlab_err *e)
{
	static int cached = -1;
	int ret;

	if (cached >= 0)
		return cached;
	if (geteuid() == 0)
		ret = nlab_netns_probe(probe_netem, NULL, e);
	else
		ret = probe_netem_userns(e);
	if (ret >= 0)
		cached = ret;
	return ret;
}
