// SPDX-License-Identifier: MIT
/*
 * [node NAME]: every key that is not a setting is an interface.  That makes
 * a mistyped setting (`foward = yes`) an interface named "foward" on a
 * segment "yes", so a key close to a setting's name is taken for a typo
 * unless its value reads like an interface's (see looks_like_iface()).
 */
#include <string.h>

#include "impair.h"
#include "load.h"
#include "nodeenv.h"
#include "prefix.h"
#include "text.h"
#include "util.h"

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
	{ "tmpfs", load_tmpfs, "NODE-PATH, ..." },
	{ "env", node_env, "NAME=VALUE, ... (for run and exec)" },
};

bool load_node_setting(const char *key)
{
	return load_setting_find(node_settings, ARRAY_SIZE(node_settings), key);
}

/* A key that is no setting but one typo away from one. */
static const char *near_setting(const char *key)
{
	if (load_node_setting(key))
		return NULL;
	return nlab_suggest(key, NLAB_TABLE(node_settings));
}

/*
 * Does this value read like an interface's?  Yes when its first word could
 * be a segment and a later word is an address or an interface option, or
 * (with @segwords) the first word is a segment elsewhere in the lab.
 * "yes", "no" and "default via ..." do not.
 */
static bool looks_like_iface(struct loadctx *c, const char *value,
			     bool segwords)
{
	cleanup_free char *v = xstrdup(value);
	char *cur = v, *w = nlab_next_word(&cur);
	struct nlab_prefix p;
	bool yn;

	if (!w || !nlab_valid_name(w) || nlab_is_yes_no(w, &yn))
		return false;
	if (segwords && nlab_seen_find(&c->segwords, w, strlen(w)))
		return true;
	while ((w = nlab_next_word(&cur))) {
		char *eq = strchr(w, '=');

		if (eq) {
			*eq = '\0';
			if (load_iface_option(w))
				return true;
		} else if (!nlab_parse_prefix(w, &p, NULL)) {
			return true;
		}
	}
	return false;
}

void load_segment_words(struct loadctx *c, const struct ini_file *f,
			const struct ini_section *s)
{
	for (size_t i = 0; i < s->n_keys; i++) {
		const struct ini_key *k = &f->keys[s->keys[i]];
		cleanup_free char *v = NULL;
		char *cur, *w;

		if (k->shadowed || load_node_setting(k->name) ||
		    (near_setting(k->name) &&
		     !looks_like_iface(c, k->value, false)))
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
		const struct load_setting *set;
		const char *near;

		if (k->shadowed)
			continue;
		set = load_setting_find(node_settings,
					ARRAY_SIZE(node_settings), k->name);
		near = set ? NULL : near_setting(k->name);
		if (set) {
			size_t before = c->total_errs;

			set->parse(c, n, k);
			if (c->total_errs > before &&
			    looks_like_iface(c, k->value, true))
				load_error(c, k->line, k->name,
					   "(an interface cannot be named "
					   "'%s': that is a setting)",
					   k->name);
		} else if (near && !looks_like_iface(c, k->value, true))
			load_error(c, k->line, NULL,
				   "unknown setting '%s' (did you mean "
				   "'%s'?)",
				   k->name, near);
		else
			load_iface(c, n, k);
	}
	for (size_t i = 0; i < n->n_ifaces; i++)
		n->ifaces[i].node = n;
	load_check_routes(c, n);
}
