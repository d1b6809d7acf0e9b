// SPDX-License-Identifier: MIT
/*
 * [node NAME]: settings and interfaces share the keys.  A key that is not
 * a setting could be a mistyped one (`foward = yes`) or one from another
 * tool (`cpus = 1`) as well as an interface: classify() holds the rule
 * that tells them apart, so that neither ever becomes a cable.
 */
#include <string.h>
#include <strings.h>

#include "topology/impair.h"
#include "topology/load.h"
#include "topology/prefix.h"
#include "base/text.h"
#include "base/util.h"

static void node_forward(struct loadctx *c, void *n, const struct ini_key *k)
{
	load_yes_no(c, k, &((struct nlab_node *)n)->forward);
}

static void node_run(struct loadctx *c, void *obj, const struct ini_key *k)
{
	struct nlab_node *n = obj;

	if (!*k->value) {
		load_error(c, k->line, k->name, "empty command");
		return;
	}
	n->run = xstrdup(k->value);
}

/* Polled by `up --wait` and `test --up` until it exits 0 (labtest.h). */
static void node_ready(struct loadctx *c, void *obj, const struct ini_key *k)
{
	struct nlab_node *n = obj;

	if (!*k->value) {
		load_error(c, k->line, k->name, "empty command");
		return;
	}
	n->ready = xstrdup(k->value);
}

void load_log_max(struct loadctx *c, const struct ini_key *k, uint64_t *out)
{
	uint64_t v;

	if (!load_size(c, k, NLAB_LOG_MAX_MIN, NLAB_LOG_MAX_MAX, &v))
		*out = v;
}

static void node_log_max(struct loadctx *c, void *n, const struct ini_key *k)
{
	load_log_max(c, k, &((struct nlab_node *)n)->log_max);
}

static void node_shared(struct loadctx *c, void *n, const struct ini_key *k)
{
	load_shared(c, k, &((struct nlab_node *)n)->shared);
}

/* net.* only: other keys are not per network namespace, so writing them
 * inside a node would change the host. */
static int sysctl_key_ok(struct loadctx *c, const struct ini_key *k,
			 const char *key)
{
	if (strchr(key, '/')) {
		load_error(c, k->line, k->name,
			   "'%s': write the key with dots, not '/'", key);
		return -1;
	}
	if (strncmp(key, "net.", 4)) {
		load_error(c, k->line, k->name,
			   "'%s' is not a net.* key: only those are per "
			   "namespace, others would change the host",
			   key);
		return -1;
	}
	if (key[strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_.-")]) {
		load_error(c, k->line, k->name,
			   "'%s': a key is made of [a-z0-9_.-]", key);
		return -1;
	}
	if (strstr(key, "..") || key[strlen(key) - 1] == '.') {
		load_error(c, k->line, k->name, "'%s' has an empty component",
			   key);
		return -1;
	}
	return 0;
}

static void sysctl_one(struct loadctx *c, struct nlab_node *n,
		       const struct ini_key *k, char *item)
{
	char *eq = strchr(item, '='), *key, *val;
	struct nlab_sysctl *s;

	if (!eq) {
		load_error(c, k->line, k->name, "'%s': expected KEY=VALUE",
			   item);
		return;
	}
	*eq = '\0';
	key = nlab_trim(item);
	val = nlab_trim(eq + 1);
	if (sysctl_key_ok(c, k, key))
		return;
	if (!*val) {
		load_error(c, k->line, k->name, "'%s' has no value", key);
		return;
	}
	for (size_t i = 0; i < n->n_sysctls; i++)
		if (!strcmp(n->sysctls[i].key, key)) {
			load_error(c, k->line, k->name, "'%s' is given twice",
				   key);
			return;
		}
	s = load_push(&n->sysctls, n->n_sysctls++, sizeof(*s));
	s->key = xstrdup(key);
	s->value = xstrdup(val);
	s->line = k->line;
}

static void node_sysctl(struct loadctx *c, void *n, const struct ini_key *k)
{
	load_each_item(c, n, k, sysctl_one);
}

#define ENV_FIRST "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"

/* [A-Za-z_][A-Za-z0-9_]*: what a shell can name. */
static bool env_name_ok(const char *name)
{
	return name[0] && strchr(ENV_FIRST, name[0]) &&
	       !name[strspn(name, ENV_FIRST "0123456789")];
}

static void env_one(struct loadctx *c, struct nlab_node *n,
		    const struct ini_key *k, char *item)
{
	char *eq = strchr(item, '='), *name;
	struct nlab_env *v;

	if (!eq) {
		load_error(c, k->line, k->name, "'%s': expected NAME=VALUE",
			   item);
		return;
	}
	*eq = '\0';
	name = nlab_trim(item);
	if (!*name) {
		load_error(c, k->line, k->name, "'=%s': no NAME before '='",
			   nlab_trim(eq + 1));
		return;
	}
	if (!env_name_ok(name)) {
		load_error(c, k->line, k->name,
			   "'%s': a variable name is made of [A-Za-z0-9_] and "
			   "does not start with a digit",
			   name);
		return;
	}
	if (nlab_env_reserved(name)) {
		load_error(c, k->line, k->name,
			   "'%s' is netlab's: it names the lab or the node",
			   name);
		return;
	}
	for (size_t i = 0; i < n->n_env; i++)
		if (!strcmp(n->env[i].name, name)) {
			load_error(c, k->line, k->name, "'%s' is given twice",
				   name);
			return;
		}
	v = load_push(&n->env, n->n_env++, sizeof(*v));
	v->name = xstrdup(name);
	v->value = xstrdup(nlab_trim(eq + 1));
	v->line = k->line;
}

static void node_env(struct loadctx *c, void *n, const struct ini_key *k)
{
	load_each_item(c, n, k, env_one);
}

static const struct load_setting node_settings[] = {
	{ "forward", node_forward, "yes|no: IPv4 and IPv6 forwarding" },
	{ "route", load_routes,
	  "PREFIX|default via GATEWAY [dev IFNAME] [metric N], ..." },
	{ "sysctl", node_sysctl, "net.KEY=VALUE, ... (inside the node)" },
	{ "run", node_run, "a shell command line started at up" },
	{ "bind", load_binds, "HOST-PATH:NODE-PATH[:ro], ..." },
	{ "tmpfs", load_tmpfs,
	  "NODE-PATH [size=SIZE] [mode=OCTAL] [uid=USER] [gid=GROUP], ..." },
	{ "files", load_files,
	  "DIR: DIR/etc/x appears at /etc/x in the node (writes stay in the "
	  "node)" },
	{ "shared", node_shared,
	  "/tmp, /var/tmp, /run, /var/log | all | none: the host's, not the "
	  "node's own" },
	{ "log_max", node_log_max,
	  "SIZE (4m, 512k): run's output kept in NODE.log, the oldest dropped "
	  "beyond it" },
	{ "env", node_env, "NAME=VALUE, ... (for run and exec)" },
	{ "ready", node_ready,
	  "a shell command that exits 0 once the node is ready (up --wait)" },
	{ "host", load_node_host,
	  "NAME: the [host NAME] the node runs on (a lab over several "
	  "machines)" },
};

bool load_node_setting(const char *key)
{
	return load_setting_find(node_settings, ARRAY_SIZE(node_settings), key);
}

/*
 * Never interfaces: what other lab tools (Kathará, containerlab, munet,
 * Mininet, compose) call a node's settings, and the settings of [lab] and
 * [switch].  @note says what to do instead (NULL: list the settings).
 */
static const struct {
	const char *name;
	const char *note;
} foreign[] = {
#define RUN  "did you mean 'run'?"
#define BIND "did you mean 'bind'?"
#define ADDR                                                                   \
	"an address goes on an interface line: IFNAME = SEGMENT "              \
	"ADDRESS/LEN"
#define GW  "did you mean 'route'? (route = default via GATEWAY)"
#define LAB "that is a [lab] setting"
#define SW  "that is a [switch NAME] setting"
	{ "image", NULL },
	{ "kind", NULL },
	{ "type", NULL },
	{ "cpus", NULL },
	{ "cpu", NULL },
	{ "cores", NULL },
	{ "mem", NULL },
	{ "memory", NULL },
	{ "privileged", NULL },
	{ "shell", NULL },
	{ "bridged", NULL },
	{ "ports", NULL },
	{ "user", NULL },
	{ "labels", NULL },
	{ "ulimit", NULL },
	{ "network", NULL },
	{ "networks", NULL },
	{ "links", NULL },
	{ "interfaces", NULL },
	{ "startup", RUN },
	{ "exec", RUN },
	{ "cmd", RUN },
	{ "command", RUN },
	{ "entrypoint", RUN },
	{ "args", RUN },
	{ "volumes", BIND },
	{ "mounts", BIND },
	{ "environment", "did you mean 'env'?" },
	{ "ip", ADDR },
	{ "ipv4", ADDR },
	{ "ipv6", ADDR },
	{ "address", ADDR },
	{ "addr", ADDR },
	{ "gateway", GW },
	{ "gw", GW },
	{ "mac", "a MAC address goes on an interface line: IFNAME = SEGMENT "
		 "mac=02:..." },
	{ "mtu",
	  "an MTU goes on an interface line (IFNAME = SEGMENT mtu=N) or in "
	  "[switch NAME]" },
	{ "hostname", "a node's host name is its name: [node NAME]" },
	{ "name", LAB "; a node's name is its section's: [node NAME]" },
	{ "hosts", LAB },
	{ "stp", SW },
	{ "vlan_filtering", SW },
	{ "ageing", SW },
#undef RUN
#undef BIND
#undef ADDR
#undef GW
#undef LAB
#undef SW
};

/* What a [node] key is, and for an unknown setting what to tell. */
struct key_class {
	const struct load_setting *set; /* a setting */
	bool iface;			/* else: an interface, or unknown */
	const char *near;		/* "did you mean" */
	const char *note;		/* else this */
};

/* eth0, ens3, r1-eth0, eth0.5: settings never end in a digit. */
static bool ifname_like(const char *key)
{
	size_t n = strlen(key);

	return n && key[n - 1] >= '0' && key[n - 1] <= '9';
}

/* 1, 256m, 10gb, yes, off: a setting's value, never a segment's name. */
static bool value_like(const char *w)
{
	static const char *const words[] = { "yes",   "no", "true",
					     "false", "on", "off" };
	size_t digits = strspn(w, "0123456789"), rest;

	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcasecmp(w, words[i]))
			return true;
	rest = strspn(w + digits, "abcdefghijklmnopqrstuvwxyz"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	return digits && !w[digits + rest] && rest <= 4;
}

enum evidence {
	EV_NONE,  /* no word, or a first word that is no segment name */
	EV_VALUE, /* one word like a setting's value: 1, 256m, yes */
	EV_WEAK,  /* a word that may be a segment, nothing more */
	EV_STRONG,
};

/*
 * How much does this value read like an interface's?  Strong when a word
 * after the segment is an address or an interface option, or (with
 * @segwords) the segment is used elsewhere in the lab.
 */
static enum evidence iface_evidence(struct loadctx *c, const char *value,
				    bool segwords)
{
	cleanup_free char *v = xstrdup(value);
	char *cur = v, *seg = nlab_next_word(&cur), *w;
	struct nlab_prefix p;

	if (!seg)
		return EV_NONE;
	while ((w = nlab_next_word(&cur))) {
		char *eq = strchr(w, '=');

		if (eq) {
			*eq = '\0';
			if (load_iface_option(w))
				return EV_STRONG;
		} else if (!nlab_parse_prefix(w, &p, NULL)) {
			return EV_STRONG;
		}
	}
	if (value_like(seg))
		return EV_VALUE;
	if (!nlab_valid_name(seg))
		return EV_NONE;
	if (segwords && nlab_seen_find(&c->segwords, seg, strlen(seg)))
		return EV_STRONG;
	return EV_WEAK;
}

/* Within 2 edits, or 1 for a name of 3 letters (two edits leave one
 * letter of "run"): a likely slip.  0 is the name itself. */
static bool near_enough(const char *key, const char *cand, unsigned d)
{
	size_t len = strlen(cand);

	return d && d + 2 <= (len < 4 ? len : 4) && d < strlen(key);
}

/* Lengths more than 2 apart: never near_enough() (an edit changes the
 * length by one at most), and no need to count the edits.  This runs for
 * every interface of a lab (thousands in a large one). */
static bool len_apart(size_t len, const char *cand)
{
	size_t l = strlen(cand);

	return len > l + 2 || l > len + 2;
}

/* The known name nearest to @key, if near_enough(): a node setting, one
 * to come, or a foreign one (then *row is its row in foreign[]). */
static const char *near_name(const char *key, size_t *row)
{
	const char *best = NULL;
	unsigned best_d = ~0u, d;
	size_t len = strlen(key);

	*row = ARRAY_SIZE(foreign);
	for (size_t i = 0; i < ARRAY_SIZE(node_settings); i++) {
		/* near_enough() wants 2 edits at most, and no fewer than
		 * the difference in length: most names end here. */
		if (len_apart(len, node_settings[i].name))
			continue;
		d = nlab_edit_distance(key, node_settings[i].name);
		if (near_enough(key, node_settings[i].name, d) && d < best_d) {
			best = node_settings[i].name;
			best_d = d;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(foreign); i++) {
		if (len_apart(len, foreign[i].name))
			continue;
		d = nlab_edit_distance(key, foreign[i].name);
		if (near_enough(key, foreign[i].name, d) && d < best_d) {
			best = foreign[i].name;
			best_d = d;
			*row = i;
		}
	}
	return best;
}

/*
 * The rule that tells a [node] key's kind:
 *  - a setting's name is that setting;
 *  - a name other tools use for a setting (foreign[]) is never an
 *    interface;
 *  - a name near a setting's is an interface only if its value reads
 *    like one (an address or option after the segment, or a segment
 *    used elsewhere), or the name ends in a digit (eth0) and the value
 *    starts with a possible segment name;
 *  - any other name is an interface unless its value is one word like a
 *    number, a size or yes/no (cpus = 1, memory = 256m, debug = yes),
 *    which no segment is named like; a name ending in a digit is still
 *    an interface (eth0 = 12 10.0.12.1/24).
 * @segwords: whether the lab's other segment names are known yet.
 */
static struct key_class classify(struct loadctx *c, const struct ini_key *k,
				 bool segwords)
{
	struct key_class kc = { 0 };
	enum evidence ev;
	size_t row;

	kc.set = load_setting_find(node_settings, ARRAY_SIZE(node_settings),
				   k->name);
	if (kc.set)
		return kc;
	for (size_t i = 0; i < ARRAY_SIZE(foreign); i++)
		if (!strcmp(k->name, foreign[i].name)) {
			kc.note = foreign[i].note;
			return kc;
		}
	ev = iface_evidence(c, k->value, segwords);
	/* An interface whatever its name is near (a large lab has
	 * thousands of these lines): no names to compare. */
	if (ev == EV_STRONG) {
		kc.iface = true;
		return kc;
	}
	kc.near = near_name(k->name, &row);
	if (kc.near) {
		kc.iface = ev == EV_STRONG ||
			   (ev == EV_WEAK && ifname_like(k->name));
		if (row < ARRAY_SIZE(foreign)) {
			kc.note = foreign[row].note;
			kc.near = NULL;
		}
		return kc;
	}
	kc.iface = ev != EV_VALUE || ifname_like(k->name);
	return kc;
}

static void unknown_setting(struct loadctx *c, const struct ini_key *k,
			    const struct key_class *kc)
{
	char list[128];

	if (kc->near) {
		load_error(c, k->line, NULL,
			   "unknown setting '%s' (did you mean '%s'?)", k->name,
			   kc->near);
	} else if (kc->note) {
		load_error(c, k->line, NULL, "unknown setting '%s' (%s)",
			   k->name, kc->note);
	} else {
		nlab_table_names(list, sizeof(list), NLAB_TABLE(node_settings));
		load_error(c, k->line, NULL,
			   "unknown setting '%s' (node settings: %s; an "
			   "interface line reads IFNAME = SEGMENT "
			   "[ADDRESS...])",
			   k->name, list);
	}
}

void load_segment_words(struct loadctx *c, const struct ini_file *f,
			const struct ini_section *s)
{
	for (size_t i = 0; i < s->n_keys; i++) {
		const struct ini_key *k = &f->keys[s->keys[i]];
		cleanup_free char *v = NULL;
		char *cur, *w;

		if (k->shadowed || !classify(c, k, false).iface)
			continue;
		v = xstrdup(k->value);
		cur = v;
		w = nlab_next_word(&cur);
		if (w && nlab_valid_name(w))
			nlab_seen_add(&c->segwords, w, strlen(w), 0, 0, NULL);
	}
}

void load_node(struct loadctx *c, const struct ini_file *f,
	       const struct ini_section *s, struct nlab_node *n)
{
	for (size_t i = 0; i < s->n_keys; i++) {
		const struct ini_key *k = &f->keys[s->keys[i]];
		struct key_class kc;

		if (k->shadowed)
			continue;
		kc = classify(c, k, true);
		if (kc.set) {
			size_t before = c->total_errs;

			kc.set->parse(c, n, k);
			if (c->total_errs > before &&
			    iface_evidence(c, k->value, true) == EV_STRONG)
				load_error(c, k->line, k->name,
					   "(an interface cannot be named "
					   "'%s': that is a setting)",
					   k->name);
		} else if (kc.iface) {
			load_iface(c, n, k);
		} else {
			unknown_setting(c, k, &kc);
		}
	}
	for (size_t i = 0; i < n->n_ifaces; i++)
		n->ifaces[i].node = n;
	load_check_routes(c, n);
	/* Host paths of a node on another machine are that machine's. */
	if (!n->host || n->host->via != NLAB_VIA_SSH)
		load_check_mounts(c, n);
}
