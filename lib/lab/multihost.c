// SPDX-License-Identifier: MIT
/*
 * A host's side of a lab over several machines (multihost.h): its part
 * brought up as a lab of its own, then each crossing segment stitched
 * with a VXLAN port.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernel/netns.h"
#include "kernel/nl.h"
#include "kernel/vxlan.h"
#include "lab/multihost.h"
#include "lab/state.h"
#include "topology/nsname.h"
#include "topology/part.h"
#include "topology/spread.h"
#include "base/testhook.h"
#include "base/util.h"

#define VXLAN_NAME "vx0" /* in the switch's netns: no port is named so */

int nlab_stdin_file(char *path, size_t len, struct nlab_err *e)
{
	int fd = memfd_create("netlab-stdin", MFD_CLOEXEC);
	char buf[65536];
	ssize_t r;

	if (fd < 0)
		return nlab_err_set(e, errno, "memfd_create");
	while ((r = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || write(fd, buf, (size_t)r) != r) {
			nlab_err_set(e, errno, "read the lab from stdin");
			close(fd);
			return -1;
		}
	}
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return 0;
}

int nlab_stdin_head(size_t len, char **out, struct nlab_err *e)
{
	char *buf = xmalloc(len + 1);
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(STDIN_FILENO, buf + got, len - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			return nlab_err_set(e, r ? errno : EPIPE,
					    "read the placement from stdin");
		}
		got += (size_t)r;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

static const struct nlab_host *find_host(const struct nlab_topology *t,
					 const char *name)
{
	for (size_t i = 0; i < t->n_machines; i++)
		if (!strcmp(t->machines[i].name, name))
			return &t->machines[i];
	return NULL;
}

struct links {
	int br, vx;
};

static void find_links(void *data, const char *name, int idx)
{
	struct links *l = data;

	if (!strcmp(name, NLAB_BRIDGE_NAME))
		l->br = idx;
	else if (!strcmp(name, VXLAN_NAME))
		l->vx = idx;
}

/* A netlink socket in the namespace behind @fd. */
static int open_in(int fd, int orig, struct nlab_nl *nl, struct nlab_err *e)
{
	int ret;

	if (nlab_netns_enter(fd, e))
		return -1;
	ret = nlab_nl_open(nl, e);
	if (setns(orig, CLONE_NEWNET) < 0 && !ret) {
		nlab_nl_close(nl);
		return nlab_err_set(e, errno, "return to the original netns");
	}
	return ret;
}

/* Segment @s on host @h: the VXLAN port and its flood list. */
static int stitch_one(const struct nlab_topology *t, const struct nlab_host *h,
		      const struct nlab_segment *s, struct nlab_nl *ul,
		      int orig, struct nlab_err *e)
{
	char ns[NLAB_NAME_MAX * 2 + 2], what[160];
	cleanup_close int fd = -1;
	struct nlab_vxlan vx = {
		.name = VXLAN_NAME,
		.vni = s->vni,
		.family = h->family,
		.local = h->addr,
		.port = NLAB_VXLAN_PORT,
		.mtu = s->mtu,
	};
	struct links l = { 0 };
	struct nlab_nl sw;
	int ret;

	nlab_ns_name(ns, sizeof(ns), t->name, s->name);
	fd = nlab_netns_open(ns, e);
	if (fd < 0)
		return -1;
	vx.netns_fd = fd;
	snprintf(what, sizeof(what), "segment %s: vxlan %u", s->name, s->vni);
	nlab_vxlan_add(ul, &vx, what);
	if (nlab_fault("vxlan", e) || nlab_nl_flush(ul, e))
		return -1;
	if (open_in(fd, orig, &sw, e))
		return -1;
	ret = nlab_nl_links(&sw, find_links, &l, e);
	if (!ret && (!l.br || !l.vx))
		ret = nlab_err_set(e, ENODEV, "segment %s: no %s or %s in %s",
				   s->name, NLAB_BRIDGE_NAME, VXLAN_NAME, ns);
	if (!ret) {
		snprintf(what, sizeof(what), "segment %s: %s into %s", s->name,
			 VXLAN_NAME, NLAB_BRIDGE_NAME);
		nlab_link_master_up(&sw, VXLAN_NAME, l.br, what);
		for (size_t i = 0; i < t->n_machines; i++) {
			const struct nlab_host *o = &t->machines[i];

			if (o == h || !nlab_segment_on(s, o))
				continue;
			snprintf(what, sizeof(what),
				 "segment %s: flood to host %s", s->name,
				 o->name);
			nlab_vxlan_fdb_append(&sw, l.vx, o->family, o->addr,
					      what);
		}
		ret = nlab_nl_flush(&sw, e);
	}
	nlab_nl_close(&sw);
	return ret;
}

static int stitch(const struct nlab_topology *t, const struct nlab_host *h,
		  struct nlab_err *e)
{
	cleanup_close int orig =
		open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	struct nlab_nl ul;
	int ret = 0;

	if (orig < 0)
		return nlab_err_set(e, errno, "open /proc/self/ns/net");
	if (nlab_nl_open(&ul, e))
		return -1;
	for (size_t i = 0; i < t->n_segments && !ret; i++) {
		const struct nlab_segment *s = &t->segments[i];

		if (s->spans && nlab_segment_on(s, h))
			ret = stitch_one(t, h, s, &ul, orig, e);
	}
	nlab_nl_close(&ul);
	return ret;
}

static void unstitch(const struct nlab_topology *t, const struct nlab_host *h,
		     const struct nlab_warn *w)
{
	cleanup_close int orig =
		open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	char ns[NLAB_NAME_MAX * 2 + 2], what[128];

	for (size_t i = 0; orig >= 0 && i < t->n_segments; i++) {
		const struct nlab_segment *s = &t->segments[i];
		cleanup_close int fd = -1;
		struct nlab_nl nl;
		struct nlab_err e;

		if (!s->spans || !nlab_segment_on(s, h))
			continue;
		nlab_ns_name(ns, sizeof(ns), t->name, s->name);
		fd = nlab_netns_open(ns, &e);
		if (fd < 0)
			continue; /* gone already */
		if (open_in(fd, orig, &nl, &e)) {
			nlab_warn(w, "%s", e.msg);
			continue;
		}
		snprintf(what, sizeof(what), "segment %s: delete %s", s->name,
			 VXLAN_NAME);
		nlab_link_del_name(&nl, VXLAN_NAME, what);
		if (nlab_nl_flush(&nl, &e) && e.errnum != ENODEV)
			nlab_warn(w, "%s", e.msg);
		nlab_nl_close(&nl);
	}
}

void nlab_multi_part_unstitch(const char *lab, const struct nlab_warn *w)
{
	struct nlab_topology *t = NULL;
	const struct nlab_host *me;
	struct nlab_err e;

	if (nlab_multi_whole(lab, &t, &me, &e))
		return;
	unstitch(t, me, w);
	nlab_topology_free(t);
}

/* What status, ping and down on this host want to know of the rest. */
static int save_whole(const struct nlab_topology *t, const char *host,
		      struct nlab_err *e)
{
	struct nlab_state st;
	size_t place_len;
	cleanup_free char *place = nlab_spread_text(t, &place_len);
	int r = nlab_state_open(t->name, &st, e);

	if (r > 0)
		nlab_err_set(e, ENOENT, "lab %s has no state", t->name);
	if (!r &&
	    (nlab_state_write(&st, NLAB_MULTI_WHOLE, t->source, t->source_len,
			      e) ||
	     nlab_state_write(&st, NLAB_MULTI_PLACE, place, place_len, e) ||
	     nlab_state_write(&st, NLAB_MULTI_HOST, host, strlen(host), e)))
		r = -1;
	nlab_state_close(&st);
	return r ? -1 : 0;
}

int nlab_multi_part_up(const struct nlab_topology *t, const char *name,
		       const struct nlab_up_opts *o, struct nlab_err *e)
{
	const struct nlab_host *h = find_host(t, name);
	struct nlab_load_opts lo = { .dir = t->dir, .rename = t->name };
	cleanup_topology struct nlab_topology *part = NULL;
	cleanup_diag struct nlab_diag d = { 0 };
	cleanup_free char *text = NULL;
	cleanup_close int fd = -1;
	char path[64];
	size_t len;

	if (!h)
		return nlab_err_set(e, 0, "no [host %s] in this lab", name);
	text = nlab_topology_part(t, h, &len);
	fd = memfd_create("netlab-part", MFD_CLOEXEC);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return nlab_err_set(e, errno, "host %s: its part", name);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (nlab_topology_load_opts(path, &lo, &part, &d))
		return nlab_err_set(e, 0, "host %s: its part: %s", name,
				    d.n ? d.lines[0] : "does not load");
	if (!part->n_nodes)
		return nlab_err_set(e, 0, "host %s has no nodes", name);
	part->whole = t; /* every hosts file names the nodes of all hosts */
	if (nlab_lab_up(part, o, e))
		return nlab_err_wrap(e, "host %s", name);
	if (save_whole(t, name, e) || stitch(t, h, e)) {
		struct nlab_err e2;

		nlab_err_wrap(e, "host %s", name);
		unstitch(t, h, NULL);
		if (nlab_lab_down(t->name, &e2) < 0) {
			size_t l = strlen(e->msg);

			snprintf(e->msg + l, sizeof(e->msg) - l,
				 "; rollback failed too: %s", e2.msg);
		}
		return -1;
	}
	if (o && o->progress) /* `up --timings`: the stitching's own line */
		o->progress(o->progress_data, "stitch", 1, 1);
	return 0;
}

int nlab_multi_whole(const char *lab, struct nlab_topology **t,
		     const struct nlab_host **me, struct nlab_err *e)
{
	cleanup_free char *text = nlab_state_slurp(lab, NLAB_MULTI_WHOLE);
	cleanup_free char *host = nlab_state_slurp(lab, NLAB_MULTI_HOST);
	cleanup_free char *place = nlab_state_slurp(lab, NLAB_MULTI_PLACE);
	struct nlab_load_opts lo = { .skip_fs_checks = true,
				     .rename = lab,
				     .place = place };
	cleanup_diag struct nlab_diag d = { 0 };
	cleanup_close int fd = -1;
	char path[64];
	size_t len;

	*t = NULL;
	if (!text || !host)
		return 1;
	len = strlen(text);
	fd = memfd_create("netlab-whole", MFD_CLOEXEC);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return nlab_err_set(e, errno, "lab %s: its whole file", lab);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (nlab_topology_load_opts(path, &lo, t, &d))
		return nlab_err_set(e, 0, "lab %s: its whole file: %s", lab,
				    d.n ? d.lines[0] : "does not load");
	*me = find_host(*t, host);
	if (!*me) {
		nlab_topology_free(*t);
		*t = NULL;
		return nlab_err_set(e, 0, "lab %s: no host %s in it", lab,
				    host);
	}
	return 0;
}
