// SPDX-License-Identifier: MIT
/*
 * `up`'s preflight: every check that needs the host, made before anything
 * is created, so that a lab that cannot come up fails with nothing to
 * undo.
 */
#include "lab/preflight.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/seen.h"
#include "base/util.h"
#include "kernel/netns.h"
#include "kernel/nl.h"
#include "kernel/qdisc.h"
#include "kernel/rtnl.h"
#include "lab/hosts.h"
#include "lab/state.h"
#include "topology/nsname.h"

/* Can this kernel make a VLAN-filtering bridge?  1 yes, 0 no. */
static int probe_vlan_filtering(void *arg, struct nlab_err *e)
{
	struct nlab_switch sw = { .vlan_filtering = true };
	struct nlab_nl nl;
	struct nlab_err pe;
	int ret;

	(void)arg;
	if (nlab_nl_open(&nl, e))
		return -1;
	nlab_rtnl_bridge(&nl, NLAB_BRIDGE_NAME, 0, &sw, "probe");
	ret = nlab_nl_flush(&nl, &pe) == 0 ? 1 : 0;
	if (!ret && pe.errnum != EOPNOTSUPP) {
		*e = pe;
		ret = -1;
	}
	nlab_nl_close(&nl);
	return ret;
}

static int ns_taken(const char *ns, struct nlab_err *e)
{
	return nlab_err_set(e, 0, "netns %s already exists (not touched)", ns);
}

/* The names in @dir that begin with "@lab.": read once, rather than one
 * lookup per node in a directory that may hold thousands of names (most
 * often none of them this lab's). */
static void names_of(const char *dir, const char *lab, struct nlab_seen *out)
{
	size_t len = strlen(lab);
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, lab, len) && de->d_name[len] == '.')
			nlab_seen_add(out, de->d_name, strlen(de->d_name), 0, 0,
				      NULL);
	closedir(d);
}

static bool named(const struct nlab_seen *l, const char *name)
{
	return l->n && nlab_seen_find(l, name, strlen(name));
}
#define cleanup_seen __attribute__((cleanup(nlab_seen_free)))

int nlab_up_preflight(const struct nlab_topology *t, struct nlab_err *e)
{
	char path[PATH_MAX], ns[NLAB_NAME_MAX * 2 + 2];
	cleanup_seen struct nlab_seen in_netns = { 0 }, in_etc = { 0 };
	struct stat sb;

	/* The usual case of a name in use: this lab, still up. */
	snprintf(path, sizeof(path), NLAB_STATE_DIR "/%s", t->name);
	if (lstat(path, &sb) == 0) {
		cleanup_free char *done =
			nlab_state_slurp(t->name, NLAB_STATE_COMPLETE);

		nlab_err_set(e, 0, "%s: run `netlab down %s` first%s%s%s",
			     done ? "already up"
				  : "half-built (an `up` is "
				    "running or was killed)",
			     t->name,
			     done ? ", or `netlab up --name NEW FILE` for a "
				    "second copy, or `netlab apply "
				  : "",
			     done ? t->path : "",
			     done ? "` to change it to what the file says"
				  : "");
		e->errnum = EALREADY; /* cmd_up: nothing to say was undone */
		return -1;
	}
	/* Nodes, then switches: the order `up` makes them in. */
	names_of(NLAB_NETNS_DIR, t->name, &in_netns);
	for (size_t i = 0; in_netns.n && i < t->n_nodes; i++) {
		nlab_ns_name(ns, sizeof(ns), t->name, t->nodes[i].name);
		if (named(&in_netns, ns) && nlab_netns_exists(ns))
			return ns_taken(ns, e);
	}
	for (size_t s = 0; in_netns.n && s < t->n_segments; s++) {
		if (t->segments[s].kind != NLAB_SEG_BRIDGE)
			continue;
		nlab_ns_name(ns, sizeof(ns), t->name, t->segments[s].name);
		if (named(&in_netns, ns) && nlab_netns_exists(ns))
			return ns_taken(ns, e);
	}
	if (t->hosts && t->n_nodes) {
		/* (the first for what it says of /etc/netns itself) */
		nlab_ns_name(ns, sizeof(ns), t->name, t->nodes[0].name);
		if (nlab_hosts_check(ns, e))
			return -1;
		names_of(NLAB_ETC_NETNS, t->name, &in_etc);
	}
	for (size_t i = 0; in_etc.n && i < t->n_nodes; i++) {
		nlab_ns_name(ns, sizeof(ns), t->name, t->nodes[i].name);
		if (named(&in_etc, ns) && nlab_hosts_check(ns, e))
			return -1;
	}
	for (size_t i = 0; i < t->n_switches; i++) {
		int r;

		if (!t->switches[i].vlan_filtering)
			continue;
		r = nlab_netns_probe(probe_vlan_filtering, NULL, e);
		if (r < 0)
			return -1;
		if (r == 0)
			return nlab_err_set(
				e, 0,
				"switch %s: vlan_filtering = yes needs "
				"bridge VLAN filtering, which this "
				"kernel lacks "
				"(CONFIG_BRIDGE_VLAN_FILTERING)",
				t->switches[i].name);
		break;
	}
	/* Asked for netem on a kernel without it: say so now, not halfway. */
	for (size_t n = 0; n < t->n_nodes; n++) {
		for (size_t i = 0; i < t->nodes[n].n_ifaces; i++) {
			const struct nlab_iface *f = &t->nodes[n].ifaces[i];
			int r;

			if (!(f->impair.set & NLAB_IMP_NETEM))
				continue;
			r = nlab_netem_available(e);
			if (r < 0)
				return -1;
			if (r == 0)
				return nlab_err_set(
					e, 0,
					"node %s: %s: delay, jitter, "
					"loss, duplicate, corrupt and "
					"reorder need the netem qdisc, "
					"which this kernel lacks "
					"(CONFIG_NET_SCH_NETEM)",
					t->nodes[n].name, f->name);
		}
	}
	return 0;
}
