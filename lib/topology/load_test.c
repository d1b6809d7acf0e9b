// SPDX-License-Identifier: MIT
/*
 * [test NAME]: each line a step, in file order (labtest.h says what each
 * does).  Everything a step names is checked here, so that `check` finds
 * what would otherwise fail halfway through a test: nodes, interfaces,
 * prefixes, gateways, durations, regular expressions, impairments.
 */
#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "topology/impair.h"
#include "topology/labtest.h"
#include "topology/load.h"
#include "topology/prefix.h"
#include "base/text.h"
#include "base/util.h"

/* ---- words ------------------------------------------------------------ */

/* What is left of the line after the words taken: trimmed. */
static char *rest(char *cur)
{
	return cur ? nlab_trim(cur) : (char *)"";
}

/* "did you mean" among the lab's nodes. */
static const char *near_node(const struct nlab_topology *t, const char *name)
{
	const char *best = NULL;
	unsigned best_d = ~0u;
	size_t len = strlen(name);

	for (size_t i = 0; i < t->n_nodes; i++) {
		unsigned d = nlab_edit_distance(name, t->nodes[i].name);

		if (d && d <= (len <= 4 ? 1u : 2u) && d < len && d < best_d) {
			best = t->nodes[i].name;
			best_d = d;
		}
	}
	return best;
}

static const struct nlab_node *
node_arg(struct loadctx *c, const struct ini_key *k, const char *name)
{
	const struct nlab_node *n;
	const char *near;
	char list[256] = "";

	if (!name) {
		load_error(c, k->line, k->name, "missing NODE");
		return NULL;
	}
	n = nlab_topology_node(c->t, name);
	if (n)
		return n;
	near = near_node(c->t, name);
	if (near) {
		load_error(c, k->line, k->name,
			   "no node '%s' (did you mean '%s'?)", name, near);
		return NULL;
	}
	for (size_t i = 0; i < c->t->n_nodes; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", i ? ", " : "", c->t->nodes[i].name);
	load_error(c, k->line, k->name, "no node '%s' (nodes: %s)", name,
		   c->t->n_nodes ? list : "none");
	return NULL;
}

/* An interface of @n (for route: lo too). */
static int iface_arg(struct loadctx *c, const struct ini_key *k,
		     const struct nlab_node *n, const char *name, bool lo,
		     char *out)
{
	char list[256] = "";

	if (!name) {
		load_error(c, k->line, k->name, "missing interface after %s",
			   n->name);
		return -1;
	}
	if (nlab_node_iface(n, name) || (lo && !strcmp(name, "lo"))) {
		snprintf(out, NLAB_IFNAME_MAX + 1, "%s", name);
		return 0;
	}
	for (size_t i = 0; i < n->n_ifaces; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", i ? ", " : "", n->ifaces[i].name);
	load_error(c, k->line, k->name,
		   "node %s has no interface '%s' (its interfaces: %s)",
		   n->name, name, n->n_ifaces ? list : "none");
	return -1;
}

/* Is there anything for @a to ping at @b? */
static bool common_family(const struct nlab_node *a, const struct nlab_node *b)
{
	return (nlab_node_has_global(a, AF_INET) &&
		nlab_node_has_global(b, AF_INET)) ||
	       (nlab_node_has_global(a, AF_INET6) &&
		nlab_node_has_global(b, AF_INET6));
}

/* ---- the steps ---------------------------------------------------------- */

typedef int step_fn(struct loadctx *c, struct nlab_step *s,
		    const struct ini_key *k, char *v);

static int step_reach(struct loadctx *c, struct nlab_step *s,
		      const struct ini_key *k, char *v)
{
	char *w;
	int ret = 0;

	s->kind = NLAB_STEP_REACH;
	while ((w = nlab_next_word(&v))) {
		const struct nlab_node *n = node_arg(c, k, w);
		bool twice = false;

		if (!n) {
			ret = -1;
			continue;
		}
		for (size_t i = 0; i < s->n_nodes; i++)
			twice |= s->nodes[i] == n;
		if (twice) {
			load_error(c, k->line, k->name, "'%s' is listed twice",
				   w);
			ret = -1;
			continue;
		}
		s->nodes = xrealloc(s->nodes,
				    (s->n_nodes + 1) * sizeof(*s->nodes));
		s->nodes[s->n_nodes++] = n;
	}
	if (ret)
		return -1;
	if (s->n_nodes < 2) {
		load_error(c, k->line, k->name,
			   "needs two nodes or more: reach = A B ...");
		return -1;
	}
	for (size_t i = 0; i < s->n_nodes; i++)
		for (size_t j = i + 1; j < s->n_nodes; j++)
			if (!common_family(s->nodes[i], s->nodes[j])) {
				load_error(c, k->line, k->name,
					   "%s and %s have no global address "
					   "of one family: nothing to ping",
					   s->nodes[i]->name,
					   s->nodes[j]->name);
				ret = -1;
			}
	return ret;
}

/* A:X, where X is a node or an address (A never holds a ':'). */
static int one_unreach(struct loadctx *c, const struct ini_key *k, char *w,
		       struct nlab_unreach *u)
{
	char *colon = strchr(w, ':');

	if (!colon || colon == w || !colon[1]) {
		load_error(c, k->line, k->name,
			   "'%s': expected NODE:TARGET (a node or an address)",
			   w);
		return -1;
	}
	*colon = '\0';
	u->from = node_arg(c, k, w);
	if (!u->from)
		return -1;
	u->family = nlab_parse_addr(colon + 1, u->addr);
	if (u->family)
		return 0;
	if (!nlab_valid_name(colon + 1)) {
		load_error(c, k->line, k->name,
			   "'%s' is neither a node nor an address", colon + 1);
		return -1;
	}
	u->to = node_arg(c, k, colon + 1);
	if (!u->to)
		return -1;
	if (u->to == u->from) {
		load_error(c, k->line, k->name,
			   "%s:%s: a node always reaches "
			   "itself",
			   w, colon + 1);
		return -1;
	}
	if (!common_family(u->from, u->to)) {
		load_error(c, k->line, k->name,
			   "%s and %s have no global address of one family: "
			   "nothing to ping",
			   u->from->name, u->to->name);
		return -1;
	}
	return 0;
}

static int step_unreach(struct loadctx *c, struct nlab_step *s,
			const struct ini_key *k, char *v)
{
	char *w;
	int ret = 0;

	s->kind = NLAB_STEP_UNREACH;
	while ((w = nlab_next_word(&v))) {
		struct nlab_unreach u = { 0 };

		if (one_unreach(c, k, w, &u)) {
			ret = -1;
			continue;
		}
		s->targets = xrealloc(s->targets,
				      (s->n_targets + 1) * sizeof(*s->targets));
		s->targets[s->n_targets++] = u;
	}
	if (!ret && !s->n_targets) {
		load_error(c, k->line, k->name,
			   "expected NODE:TARGET, e.g. unreach = h1:h3");
		return -1;
	}
	return ret;
}

static int route_prefix(struct loadctx *c, struct nlab_step *s,
			const struct ini_key *k, const char *w)
{
	char why[160];

	if (!w) {
		load_error(c, k->line, k->name,
			   "missing PREFIX: route = NODE PREFIX [via GATEWAY] "
			   "[dev IFNAME]");
		return -1;
	}
	if (!strcmp(w, "default")) {
		s->dst.family = 0; /* the gateway's, else IPv4 */
		return 0;
	}
	if (nlab_parse_prefix(w, &s->dst, why)) {
		load_error(c, k->line, k->name, "%s", why);
		return -1;
	}
	s->dst = nlab_prefix_network(&s->dst);
	return 0;
}

static int step_route(struct loadctx *c, struct nlab_step *s,
		      const struct ini_key *k, char *v)
{
	char *w;

	s->kind = NLAB_STEP_ROUTE;
	s->node = node_arg(c, k, nlab_next_word(&v));
	if (!s->node || route_prefix(c, s, k, nlab_next_word(&v)))
		return -1;
	while ((w = nlab_next_word(&v))) {
		char *arg = nlab_next_word(&v);

		if (!strcmp(w, "via") && !s->gw_family) {
			if (!arg ||
			    !(s->gw_family = nlab_parse_addr(arg, s->gw))) {
				load_error(c, k->line, k->name,
					   "'via' needs a gateway address%s%s",
					   arg ? ", not " : "", arg ? arg : "");
				return -1;
			}
		} else if (!strcmp(w, "dev") && !s->dev[0]) {
			if (iface_arg(c, k, s->node, arg, true, s->dev))
				return -1;
		} else {
			load_error(c, k->line, k->name,
				   "unexpected '%s' (route = NODE PREFIX [via "
				   "GATEWAY] [dev IFNAME])",
				   w);
			return -1;
		}
	}
	if (!s->dst.family)
		s->dst.family = s->gw_family ? s->gw_family : AF_INET;
	/* An IPv4 route may have an IPv6 gateway (RFC 5549), not the
	 * other way round. */
	if (s->dst.family == AF_INET6 && s->gw_family == AF_INET) {
		load_error(c, k->line, k->name,
			   "an IPv6 route cannot have an IPv4 gateway");
		return -1;
	}
	return 0;
}

static int step_exec(struct loadctx *c, struct nlab_step *s,
		     const struct ini_key *k, char *v)
{
	s->kind = NLAB_STEP_EXEC;
	s->node = node_arg(c, k, nlab_next_word(&v));
	if (!s->node)
		return -1;
	if (!*rest(v)) {
		load_error(c, k->line, k->name,
			   "missing COMMAND: exec = NODE COMMAND");
		return -1;
	}
	s->cmd = xstrdup(rest(v));
	return 0;
}

static int step_wait(struct loadctx *c, struct nlab_step *s,
		     const struct ini_key *k, char *v)
{
	struct nlab_err e;

	s->kind = NLAB_STEP_WAIT;
	if (nlab_parse_duration(nlab_trim(v), &s->wait_ms, &e)) {
		load_error(c, k->line, k->name, "%s", e.msg);
		return -1;
	}
	return 0;
}

/* ---- do = ACTION ... ---------------------------------------------------- */

static int do_link(struct loadctx *c, struct nlab_step *s,
		   const struct ini_key *k, char *v)
{
	char *state;

	s->kind = NLAB_STEP_LINK;
	s->node = node_arg(c, k, nlab_next_word(&v));
	if (!s->node ||
	    iface_arg(c, k, s->node, nlab_next_word(&v), false, s->ifname))
		return -1;
	state = nlab_next_word(&v);
	if (!state || (strcmp(state, "up") && strcmp(state, "down")) ||
	    nlab_next_word(&v)) {
		load_error(c, k->line, k->name,
			   "expected do = link NODE IFNAME up|down");
		return -1;
	}
	s->up = !strcmp(state, "up");
	return 0;
}

static int do_impair(struct loadctx *c, struct nlab_step *s,
		     const struct ini_key *k, char *v)
{
	struct nlab_err e;
	char *w;
	bool clear = false, any = false;

	s->kind = NLAB_STEP_IMPAIR;
	s->node = node_arg(c, k, nlab_next_word(&v));
	if (!s->node ||
	    iface_arg(c, k, s->node, nlab_next_word(&v), false, s->ifname))
		return -1;
	while ((w = nlab_next_word(&v))) {
		any = true;
		if (!strcmp(w, "clear")) {
			clear = true;
		} else if (nlab_impair_parse(w, &s->impair, &e)) {
			load_error(c, k->line, k->name, "%s", e.msg);
			return -1;
		}
	}
	if (!any || (clear && s->impair.set)) {
		load_error(c, k->line, k->name,
			   "expected do = impair NODE IFNAME OPTION=VALUE... "
			   "or clear");
		return -1;
	}
	if (nlab_impair_check(&s->impair, &e)) {
		load_error(c, k->line, k->name, "%s", e.msg);
		return -1;
	}
	return 0;
}

/* Restarting one node is not there yet: said at `check`, not mid-test. */
static int do_restart(struct loadctx *c, struct nlab_step *s,
		      const struct ini_key *k, char *v)
{
	load_error(c, k->line, k->name,
		   "restart is not supported yet: a single node cannot be "
		   "restarted on its own (use do = link to cut its cables)");
	return -1;
}

static const struct {
	const char *name;
	step_fn *parse;
} actions[] = {
	{ "link", do_link },
	{ "impair", do_impair },
	{ "restart", do_restart },
};

static int step_do(struct loadctx *c, struct nlab_step *s,
		   const struct ini_key *k, char *v)
{
	char *w = nlab_next_word(&v), list[64];
	const char *near;

	for (size_t i = 0; w && i < ARRAY_SIZE(actions); i++)
		if (!strcmp(w, actions[i].name))
			return actions[i].parse(c, s, k, v);
	nlab_table_names(list, sizeof(list), NLAB_TABLE(actions));
	near = w ? nlab_suggest(w, NLAB_TABLE(actions)) : NULL;
	if (near)
		load_error(c, k->line, k->name,
			   "unknown action '%s' (did you mean '%s'?)", w, near);
	else
		load_error(c, k->line, k->name, "%s%s%s (actions: %s)",
			   w ? "unknown action '" : "missing action",
			   w ? w : "", w ? "'" : "", list);
	return -1;
}

/* ---- the section -------------------------------------------------------- */

static const struct {
	const char *name;
	step_fn *parse; /* NULL: expect, which belongs to an exec */
	const char *help;
} steps[] = {
	{ "reach", step_reach, "A B ...: every pair reaches each other" },
	{ "unreach", step_unreach, "A:X ...: A gets no answer from X" },
	{ "route", step_route, "NODE PREFIX [via GATEWAY] [dev IFNAME]" },
	{ "exec", step_exec, "NODE COMMAND: exits 0 inside the node" },
	{ "expect", NULL, "REGEX: the output of the exec above matches" },
	{ "wait", step_wait, "DURATION: time the checks below get to hold" },
	{ "do", step_do, "link NODE IF up|down, impair NODE IF OPTIONS" },
};

static void append_expect(struct nlab_step *s)
{
	char *text = nlab_strfmt("%s (expect /%s/)", s->text, s->expect);

	free(s->text);
	s->text = text;
}

/*
 * glibc compiles a regular expression into a node per character of its
 * expansion: a{100} is a hundred a's, ((a{255}){255}){255} is sixteen
 * million of them, gigabytes and seconds for `check` before any test
 * runs.  What matches a command's output needs nothing near this.
 */
#define EXPECT_SIZE_MAX 10000

struct re_frame {
	size_t total; /* the group's size so far */
	size_t last;  /* its last atom's, which a repetition multiplies */
};

static void re_add(struct re_frame *f, size_t n)
{
	f->last = n > EXPECT_SIZE_MAX ? EXPECT_SIZE_MAX + 1 : n;
	f->total += f->last;
	if (f->total > EXPECT_SIZE_MAX)
		f->total = EXPECT_SIZE_MAX + 1;
}

static void re_times(struct re_frame *f, size_t k)
{
	size_t n = f->last && k > (EXPECT_SIZE_MAX + 1) / f->last
			   ? EXPECT_SIZE_MAX + 1
			   : f->last * k;

	f->total -= f->last;
	re_add(f, n);
}

/* After '[' at @p: past its closing ']' (or at the end). */
static const char *re_bracket(const char *p)
{
	p += *p == '^';
	p += *p == ']';
	for (; *p && *p != ']'; p++)
		if (*p == '[' && p[1] && strchr(":=.", p[1])) {
			const char *end = strchr(p + 2, p[1]);

			while (end && end[1] != ']')
				end = strchr(end + 1, p[1]);
			if (!end)
				return p + strlen(p);
			p = end + 1;
		}
	return *p ? p + 1 : p;
}

/* The size of @re's expansion (an ERE), up to EXPECT_SIZE_MAX + 1: what
 * {M,N} repeats counts N times, M + 1 times for {M,} (M copies and a
 * starred one), twice for + (glibc's a+ is aa*). */
static size_t re_size(const char *re)
{
	cleanup_free struct re_frame *f = xcalloc(strlen(re) + 1, sizeof(*f));
	size_t d = 0, total = 0;
	const char *p = re;

	while (*p) {
		char ch = *p++;

		if (ch == '\\' && *p) {
			p++;
			re_add(&f[d], 1);
		} else if (ch == '[') {
			p = re_bracket(p);
			re_add(&f[d], 1);
		} else if (ch == '(') {
			f[++d] = (struct re_frame){ 0 };
		} else if (ch == ')' && d) {
			d--;
			re_add(&f[d], f[d + 1].total + 1);
		} else if (ch == '|') {
			f[d].last = 0;
		} else if (ch == '+') {
			re_times(&f[d], 2);
		} else if (ch == '{' &&
			   ((*p >= '0' && *p <= '9') ||
			    (*p == ',' && p[1] >= '0' && p[1] <= '9'))) {
			/* {M}, {M,}, {M,N}; glibc's {,N} too */
			char *end;
			unsigned long m = strtoul(p, &end, 10), n = m;

			if (*end == ',' && end[1] >= '0' && end[1] <= '9') {
				n = strtoul(end + 1, &end, 10);
			} else if (*end == ',' && end[1] == '}') {
				n = m < ULONG_MAX ? m + 1 : m;
				end++;
			}
			if (n < m)
				n = m;
			if (*end == '}') {
				p = end + 1;
				re_times(&f[d], n > EXPECT_SIZE_MAX
							? EXPECT_SIZE_MAX + 1
							: n);
			} else {
				re_add(&f[d], 1);
			}
		} else {
			re_add(&f[d], 1);
		}
	}
	for (size_t i = 0; i <= d; i++)
		total += f[i].total;
	return total;
}

static void expect_line(struct loadctx *c, struct nlab_test *t,
			const struct ini_key *k)
{
	struct nlab_step *prev = t->n_steps ? &t->steps[t->n_steps - 1] : NULL;
	char why[256];
	regex_t re;
	int r;

	if (!prev || prev->kind != NLAB_STEP_EXEC || prev->expect) {
		load_error(c, k->line, k->name,
			   "goes right after the exec whose output it "
			   "matches (exec = NODE COMMAND)");
		return;
	}
	if (!*k->value) {
		load_error(c, k->line, k->name, "empty regular expression");
		return;
	}
	if (re_size(k->value) > EXPECT_SIZE_MAX) {
		load_error(c, k->line, k->name,
			   "'%s': too large a regular expression (its "
			   "repetitions come to over %d characters)",
			   k->value, EXPECT_SIZE_MAX);
		return;
	}
	r = regcomp(&re, k->value, REG_EXTENDED | REG_NEWLINE | REG_NOSUB);
	if (r) {
		regerror(r, &re, why, sizeof(why));
		load_error(c, k->line, k->name, "'%s': %s", k->value, why);
		return;
	}
	regfree(&re);
	prev->expect = xstrdup(k->value);
	prev->expect_line = k->line;
	/* reports show both lines as one check */
	append_expect(prev);
}

static void one_step(struct loadctx *c, struct nlab_test *t,
		     const struct ini_key *k)
{
	cleanup_free char *v = xstrdup(k->value);
	struct nlab_step *s;
	const char *near;
	char list[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(steps); i++)
		if (!strcmp(k->name, steps[i].name))
			break;
	if (i == ARRAY_SIZE(steps)) {
		near = nlab_suggest(k->name, NLAB_TABLE(steps));
		nlab_table_names(list, sizeof(list), NLAB_TABLE(steps));
		if (near)
			load_error(c, k->line, NULL,
				   "unknown step '%s' (did you mean '%s'?)",
				   k->name, near);
		else
			load_error(c, k->line, NULL,
				   "unknown step '%s' (steps: %s)", k->name,
				   list);
		return;
	}
	if (!steps[i].parse) {
		expect_line(c, t, k);
		return;
	}
	s = load_push(&t->steps, t->n_steps, sizeof(*s));
	s->line = k->line;
	if (steps[i].parse(c, s, k, v)) {
		nlab_step_free(s);
		return;
	}
	s->text = nlab_strfmt("%s %s", k->name, k->value);
	t->n_steps++;
}

void load_test(struct loadctx *c, const struct ini_file *f,
	       const struct ini_section *s, const char *name)
{
	struct nlab_test *t;
	size_t before = c->total_errs;
	bool check = false;

	t = load_push(&c->t->tests, c->t->n_tests++, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->line = s->line;
	for (size_t i = 0; i < s->n_keys; i++)
		one_step(c, t, &f->keys[s->keys[i]]);
	for (size_t i = 0; i < t->n_steps; i++)
		check |= nlab_step_is_check(&t->steps[i]);
	if (!check && c->total_errs == before)
		load_error(c, s->line, NULL,
			   "a test needs a check: reach, unreach, route or "
			   "exec");
}
