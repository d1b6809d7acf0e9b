// SPDX-License-Identifier: MIT
/*
 * Running a [test NAME] against a running lab, top to bottom.
 *
 * Time is kept in phases: a phase begins with the test, after each `do`
 * is done and at each `wait`.  A check is tried until it holds or until
 * the phase's budget (the latest `wait`, else 0: one try) is spent, and
 * its time is counted from the start of its phase; so the time of the
 * first check after `do = link ... down` is how long the lab took to get
 * there, its reroute time.  Checks are tried one after the other; each
 * one's failure report says what was seen on its last try.
 */
#include "topology/labtest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "kernel/kroute.h"
#include "lab/lab.h"
#include "lab/nodecmd.h"
#include "run/ping.h"
#include "topology/prefix.h"
#include "run/runtime.h"
#include "base/text.h"
#include "base/util.h"

/* What a do changed, to put back when the test ends. */
struct undo {
	const struct nlab_step *step;
	bool was_up;		   /* link */
	struct nlab_impair before; /* impair */
};

struct run {
	const struct nlab_topology *t;
	const struct nlab_test *test;
	const struct nlab_test_opts *o;
	uint64_t phase;	 /* when the current phase began */
	uint64_t budget; /* the latest wait; 0: one try */
	struct undo *undo;
	size_t n_undo, cap_undo;
	size_t failed;
};

static bool stopped(const struct run *r)
{
	return r->o->stop && *r->o->stop;
}

/* Append to a growing message. */
static void addf(char **s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void addf(char **s, const char *fmt, ...)
{
	cleanup_free char *more = NULL;
	va_list ap;
	char *all;

	va_start(ap, fmt);
	more = nlab_vstrfmt(fmt, ap);
	va_end(ap);
	all = nlab_strfmt("%s%s", *s ? *s : "", more);
	free(*s);
	*s = all;
}

static void report(struct run *r, struct nlab_step_result *res)
{
	if (res->outcome == NLAB_FAIL)
		r->failed++;
	if (r->o->report)
		r->o->report(r->o->data, r->test, res);
	free(res->detail);
	free(res->done);
	res->detail = res->done = NULL;
}

/* ---- reach and unreach -------------------------------------------------- */

struct probes {
	struct nlab_ping_probe *p;
	size_t n, cap;
};

static void add_probe(struct probes *ps, const struct nlab_node *from,
		      const struct nlab_node *to, int family,
		      const uint8_t *addr)
{
	xgrow(&ps->p, &ps->cap, ps->n + 1, sizeof(*ps->p));
	ps->p[ps->n] = (struct nlab_ping_probe){
		.from = from,
		.to = to,
		.family = family,
	};
	memcpy(ps->p[ps->n].addr, addr, NLAB_ADDR_LEN(family));
	ps->n++;
}

/* @from to every global address of @to, in the families @from has. */
static void probe_node(struct probes *ps, const struct nlab_node *from,
		       const struct nlab_node *to)
{
	for (size_t i = 0; i < to->n_ifaces; i++)
		for (size_t j = 0; j < to->ifaces[i].n_addrs; j++) {
			const struct nlab_prefix *a = &to->ifaces[i].addrs[j];

			if (nlab_prefix_is_global(a) &&
			    nlab_node_has_global(from, a->family))
				add_probe(ps, from, to, a->family, a->addr);
		}
}

static void probe_str(const struct nlab_ping_probe *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family, p->addr, a, sizeof(a));
	if (p->to)
		snprintf(buf, len, "%s -> %s %s", p->from->name, p->to->name,
			 a);
	else
		snprintf(buf, len, "%s -> %s", p->from->name, a);
}

/*
 * Pings every 0.2 s until every pair has answered once or the budget is
 * spent: the check's own polling.  In runs of at most REACH_ROUNDS rounds
 * (a run keeps a byte per probe and round), each leaving out the pairs
 * that have answered.
 */
#define REACH_ROUNDS 25

static bool check_reach(struct run *r, const struct nlab_step *s,
			uint64_t deadline, char **detail)
{
	struct probes ps = { 0 };
	struct nlab_ping_opts po = {
		.interval_ms = NLAB_POLL_NET_MS,
		.until_each = true,
	};
	cleanup_free unsigned *sent = NULL;
	struct nlab_err e;
	size_t bad;
	char what[128];

	for (size_t i = 0; i < s->n_nodes; i++)
		for (size_t j = 0; j < s->n_nodes; j++)
			if (i != j)
				probe_node(&ps, s->nodes[i], s->nodes[j]);
	sent = xcalloc(ps.n + 1, sizeof(*sent));
	do {
		uint64_t now = nlab_now_ms();
		uint64_t left = deadline > now ? deadline - now : 0;

		po.count = (unsigned)(left / NLAB_POLL_NET_MS + 1);
		po.timeout_ms = NLAB_PROBE_WAIT_MS;
		if (po.count > REACH_ROUNDS) {
			/* more runs follow: their pings go on at once */
			po.count = REACH_ROUNDS;
			po.timeout_ms = NLAB_POLL_NET_MS;
		}
		if (nlab_ping_run(r->o->lab, ps.p, ps.n, &po, &e)) {
			addf(detail, "%s\n", e.msg);
			free(ps.p);
			return false;
		}
		bad = 0;
		for (size_t i = 0; i < ps.n; i++) {
			sent[i] += ps.p[i].sent;
			ps.p[i].skipped |= ps.p[i].received > 0;
			bad += !ps.p[i].skipped;
		}
	} while (bad && nlab_now_ms() < deadline && !stopped(r));
	for (size_t i = 0, n = 0; i < ps.n; i++) {
		if (ps.p[i].skipped)
			continue;
		if (!n++)
			addf(detail, "no answer (from -> to address):\n");
		probe_str(&ps.p[i], what, sizeof(what));
		addf(detail, "  %s: none of %u pings answered\n", what,
		     sent[i]);
	}
	if (bad)
		addf(detail, "%zu of %zu pairs did not answer\n", bad, ps.n);
	free(ps.p);
	return !bad;
}

/* A few pings to each target; none may come back. */
static bool check_unreach(struct run *r, const struct nlab_step *s,
			  uint64_t deadline, char **detail)
{
	struct probes ps = { 0 };
	struct nlab_ping_opts po = {
		.count = 3,
		.interval_ms = NLAB_POLL_NET_MS,
		.timeout_ms = NLAB_PROBE_WAIT_MS,
	};
	struct nlab_err e;
	size_t bad = 0;
	char what[128];

	for (size_t i = 0; i < s->n_targets; i++) {
		const struct nlab_unreach *u = &s->targets[i];

		if (u->to)
			probe_node(&ps, u->from, u->to);
		else
			add_probe(&ps, u->from, NULL, u->family, u->addr);
	}
	if (nlab_ping_run(r->o->lab, ps.p, ps.n, &po, &e)) {
		addf(detail, "%s\n", e.msg);
		free(ps.p);
		return false;
	}
	for (size_t i = 0; i < ps.n; i++) {
		if (!ps.p[i].received)
			continue;
		if (!bad++)
			addf(detail, "answered, but must not:\n");
		probe_str(&ps.p[i], what, sizeof(what));
		addf(detail, "  %s: %u of %u pings answered\n", what,
		     ps.p[i].received, ps.p[i].sent);
	}
	free(ps.p);
	return !bad;
}

/* ---- route -------------------------------------------------------------- */

/* The routes of @family of node @node of lab @lab (nlab_kroutes_read
 * from inside the node).  ENOENT: its netns is missing. */
static int node_routes(const char *lab, const char *node, int family,
		       struct nlab_kroute **out, size_t *n, struct nlab_err *e)
{
	int orig, ret;

	*out = NULL;
	*n = 0;
	if (nlab_lab_enter_netns(lab, node, &orig, e))
		return -1;
	ret = nlab_kroutes_read(family, out, n, e);
	if (nlab_lab_leave_netns(orig, ret ? NULL : e))
		ret = -1;
	if (ret) {
		free(*out);
		*out = NULL;
		*n = 0;
		return nlab_err_wrap(e, "node %s", node);
	}
	return 0;
}

static bool check_route(struct run *r, const struct nlab_step *s,
			uint64_t deadline, char **detail)
{
	cleanup_free struct nlab_kroute *kr = NULL;
	struct nlab_err e;
	size_t n;
	char buf[512], gw[INET6_ADDRSTRLEN];

	if (node_routes(r->o->lab, s->node->name, s->dst.family, &kr, &n, &e)) {
		addf(detail, "%s\n", e.msg);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (nlab_kroute_match(&kr[i], &s->dst, s->gw_family, s->gw,
				      s->dev))
			return true;
	addf(detail, "%s has no route %s", s->node->name,
	     s->dst.len ? nlab_prefix_str(&s->dst, buf, sizeof(buf))
			: "default");
	if (s->gw_family)
		addf(detail, " via %s",
		     inet_ntop(s->gw_family, s->gw, gw, sizeof(gw)));
	if (s->dev[0])
		addf(detail, " dev %s", s->dev);
	addf(detail, "; its IPv%d routes (main table):\n",
	     s->dst.family == AF_INET ? 4 : 6);
	for (size_t i = 0; i < n; i++)
		addf(detail, "  %s\n",
		     nlab_kroute_str(&kr[i], buf, sizeof(buf)));
	if (!n)
		addf(detail, "  (none)\n");
	return false;
}

/* ---- exec --------------------------------------------------------------- */

static bool check_exec(struct run *r, const struct nlab_step *s,
		       uint64_t deadline, char **detail)
{
	struct nlab_cmd_result res = { 0 };
	uint64_t now = nlab_now_ms();
	uint64_t limit = deadline > now + NLAB_CMD_MIN_MS ? deadline - now
							  : NLAB_CMD_MIN_MS;
	cleanup_free char *tail = NULL;
	struct nlab_err e;
	bool ok, match = true;
	char how[300];
	regex_t re;

	if (nlab_cmd_run(r->o->lab, s->node->name, r->o->dir, s->cmd, limit,
			 &res, &e)) {
		addf(detail, "%s\n", e.msg);
		return false;
	}
	ok = res.end == NLAB_CMD_EXITED && !res.code;
	if (ok && s->expect) {
		/* checked by the loader: it compiles */
		if (regcomp(&re, s->expect,
			    REG_EXTENDED | REG_NEWLINE | REG_NOSUB)) {
			addf(detail, "cannot compile /%s/\n", s->expect);
			nlab_cmd_result_free(&res);
			return false;
		}
		match = !regexec(&re, res.out, 0, NULL, 0);
		regfree(&re);
	}
	if (ok && match) {
		nlab_cmd_result_free(&res);
		return true;
	}
	tail = nlab_text_tail(res.out, res.len, 8, "  | ");
	if (!ok)
		addf(detail, "%s: %s", s->node->name,
		     nlab_cmd_end_str(&res, how, sizeof(how)));
	else
		addf(detail, "%s: exit 0, but no line matches /%s/ (line %d)",
		     s->node->name, s->expect, s->expect_line);
	addf(detail, "%s\n%s", *tail ? "; its output ended:" : "; no output",
	     tail);
	nlab_cmd_result_free(&res);
	return false;
}

/* ---- checks, polled ----------------------------------------------------- */

static const struct {
	bool (*check)(struct run *r, const struct nlab_step *s,
		      uint64_t deadline, char **detail);
	uint64_t poll_ms; /* between tries */
} checks[] = {
	[NLAB_STEP_REACH] = { check_reach, NLAB_POLL_NET_MS },
	[NLAB_STEP_UNREACH] = { check_unreach, NLAB_POLL_NET_MS },
	[NLAB_STEP_ROUTE] = { check_route, NLAB_POLL_NET_MS },
	[NLAB_STEP_EXEC] = { check_exec, NLAB_POLL_CMD_MS },
};

static void run_check(struct run *r, const struct nlab_step *s)
{
	struct nlab_step_result res = { .step = s };
	uint64_t deadline = r->phase + r->budget, now;

	for (;;) {
		bool ok;

		free(res.detail);
		res.detail = NULL;
		res.attempts++;
		ok = checks[s->kind].check(r, s, deadline, &res.detail);
		now = nlab_now_ms();
		if (ok) {
			free(res.detail);
			res.detail = NULL;
			res.outcome = NLAB_PASS;
			break;
		}
		if (now >= deadline || stopped(r)) {
			res.outcome = NLAB_FAIL;
			break;
		}
		/* a signal cuts the nap short; stopped() then says so */
		poll(NULL, 0,
		     (int)(deadline - now < checks[s->kind].poll_ms
				   ? deadline - now
				   : checks[s->kind].poll_ms));
	}
	res.ms = now - r->phase;
	report(r, &res);
}

/* ---- do, and undo ------------------------------------------------------- */

/* Is the node's interface set up (IFF_UP)? */
static int link_is_up(const char *lab, const char *node, const char *ifname,
		      bool *up, struct nlab_err *e)
{
	cleanup_close int fd = -1;
	struct ifreq ifr = { 0 };
	int orig, ret = 0;

	if (nlab_lab_enter_netns(lab, node, &orig, e))
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		ret = nlab_err_set(e, errno, "node %s: %s", node, ifname);
	else
		*up = ifr.ifr_flags & IFF_UP;
	if (nlab_lab_leave_netns(orig, ret ? NULL : e))
		ret = -1;
	return ret;
}

static char *impair_text(const struct nlab_step *s,
			 const struct nlab_impair *imp)
{
	char opts[256];

	nlab_impair_str(imp, opts, sizeof(opts));
	return nlab_strfmt("impair %s %s %s", s->node->name, s->ifname,
			   opts[0] ? opts : "clear");
}

static void push_undo(struct run *r, const struct undo *u)
{
	xgrow(&r->undo, &r->cap_undo, r->n_undo + 1, sizeof(*r->undo));
	r->undo[r->n_undo++] = *u;
}

/* Returns false when it failed: the test ends there. */
static bool run_do(struct run *r, const struct nlab_step *s)
{
	struct nlab_step_result res = { .step = s };
	const char *lab = r->o->lab, *node = s->node->name;
	struct undo u = { .step = s };
	uint64_t start = nlab_now_ms();
	struct nlab_err e;
	int ret;

	if (s->kind == NLAB_STEP_LINK) {
		ret = link_is_up(lab, node, s->ifname, &u.was_up, &e);
		if (!ret)
			ret = nlab_link_set(lab, node, s->ifname, s->up, &e);
		if (!ret && u.was_up != s->up)
			push_undo(r, &u);
		res.done = nlab_strfmt("link %s %s %s", node, s->ifname,
				       s->up ? "up" : "down");
	} else {
		ret = nlab_impair_get(lab, node, s->ifname, &u.before, &e);
		if (!ret)
			ret = nlab_impair_set(lab, node, s->ifname, &s->impair,
					      &e);
		if (!ret)
			push_undo(r, &u);
		res.done = impair_text(s, &s->impair);
	}
	res.attempts = 1;
	res.outcome = ret ? NLAB_FAIL : NLAB_PASS;
	if (ret)
		res.detail = nlab_strfmt("%s\n", e.msg);
	r->phase = nlab_now_ms();
	res.ms = r->phase - start;
	report(r, &res);
	return !ret;
}

static void undo_all(struct run *r)
{
	for (size_t i = r->n_undo; i-- > 0;) {
		const struct undo *u = &r->undo[i];
		const struct nlab_step *s = u->step;
		struct nlab_step_result res = { .step = s, .undo = true };
		uint64_t start = nlab_now_ms();
		struct nlab_err e;
		int ret;

		if (s->kind == NLAB_STEP_LINK) {
			ret = nlab_link_set(r->o->lab, s->node->name, s->ifname,
					    u->was_up, &e);
			res.done = nlab_strfmt("link %s %s %s", s->node->name,
					       s->ifname,
					       u->was_up ? "up" : "down");
		} else {
			ret = nlab_impair_set(r->o->lab, s->node->name,
					      s->ifname, &u->before, &e);
			res.done = impair_text(s, &u->before);
		}
		res.attempts = 1;
		res.outcome = ret ? NLAB_FAIL : NLAB_PASS;
		if (ret)
			res.detail = nlab_strfmt("%s\n", e.msg);
		res.ms = nlab_now_ms() - start;
		report(r, &res);
	}
}

size_t nlab_test_run(const struct nlab_topology *t,
		     const struct nlab_test *test,
		     const struct nlab_test_opts *o)
{
	struct run r = { .t = t, .test = test, .o = o };
	const struct nlab_step *why = NULL; /* the do that failed */

	r.phase = nlab_now_ms();
	for (size_t i = 0; i < test->n_steps; i++) {
		const struct nlab_step *s = &test->steps[i];

		if (why || stopped(&r)) {
			struct nlab_step_result res = {
				.step = s,
				.outcome = NLAB_NOT_RUN,
			};

			if (s->kind == NLAB_STEP_WAIT)
				continue;
			res.detail = why ? nlab_strfmt("not run: the do on "
						       "line %d failed\n",
						       why->line)
					 : nlab_strfmt("not run: "
						       "interrupted\n");
			report(&r, &res);
		} else if (s->kind == NLAB_STEP_WAIT) {
			r.budget = s->wait_ms;
			r.phase = nlab_now_ms();
		} else if (nlab_step_is_do(s)) {
			if (!run_do(&r, s))
				why = s;
		} else {
			run_check(&r, s);
		}
	}
	undo_all(&r);
	free(r.undo);
	return r.failed;
}
