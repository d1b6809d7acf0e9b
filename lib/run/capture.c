// SPDX-License-Identifier: MIT
/*
 * `netlab capture`: libpcap on an interface inside a node's netns.
 *
 * The packet socket is made while this thread is in the node's netns and
 * stays there after we return to our own, like every other socket.  One
 * poll loop on pcap's selectable fd, with a timeout, so that a signal, the
 * node's netns file disappearing (`down`) or the interface going away are
 * all noticed within about a second.
 */
#include "run/capture.h"
#include "run/pcapdl.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lab/names.h"
#include "kernel/netns.h"
#include "base/util.h"
#include "topology/nsname.h"

#define SNAPLEN	   262144
#define CHECK_MS   1000
#define MAX_ERRORS 100 /* read errors in a row with the interface there */

struct capture {
	const struct nlab_capture_opts *o;
	char netns[NLAB_NAME_MAX * 2 + 2];
	ino_t ns_ino; /* the node's netns, to notice a new one */
	dev_t ns_dev;
	int ifindex;
	int ctlfd; /* a socket in the node's netns, for ioctls */
	pcap_t *pcap;
	pcap_dumper_t *dump;
	bool per_packet; /* flush each packet (pipe, terminal) */
	bool write_failed;
	int write_errno;
	unsigned long captured;
};

static void capture_close(struct capture *c)
{
	if (c->dump)
		nlab_pcap.pcap_dump_close(c->dump);
	if (c->pcap)
		nlab_pcap.pcap_close(c->pcap);
	if (c->ctlfd >= 0)
		close(c->ctlfd);
}

static const struct nlab_segment *switch_of(const struct nlab_topology *t,
					    const char *name)
{
	for (size_t i = 0; i < t->n_segments; i++)
		if (t->segments[i].kind == NLAB_SEG_BRIDGE &&
		    !strcmp(t->segments[i].name, name))
			return &t->segments[i];
	return NULL;
}

/*
 * The lab and @name in it must exist before we look inside.  With
 * @no_iface, the interface turned out to be missing in there: say which
 * the topology gives it (a node may have made more, which capture takes
 * as well).
 */
static int check_names(const struct nlab_capture_opts *o, bool no_iface,
		       struct nlab_err *e)
{
	struct nlab_topology *t;
	const struct nlab_node *n;
	const struct nlab_segment *sw;
	int ret = 0;

	if (nlab_lab_topology(o->lab, &t, e))
		return -1;
	n = nlab_topology_node(t, o->node);
	sw = n ? NULL : switch_of(t, o->node);
	if (!n && !sw)
		ret = nlab_err_no_node(e, t, o->node, true);
	else if (no_iface && n)
		ret = nlab_err_no_iface(e, n, o->ifname);
	else if (no_iface)
		ret = nlab_err_no_port(e, sw, o->ifname);
	nlab_topology_free(t);
	return ret;
}

/* In the node's netns: find the interface, remember what to watch, and
 * activate the pcap handle there. */
static int open_inside(struct capture *c, struct nlab_err *e)
{
	const struct nlab_capture_opts *o = c->o;
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct stat sb;
	int rc;

	if (stat("/proc/self/ns/net", &sb) < 0)
		return nlab_err_set(e, errno, "stat /proc/self/ns/net");
	c->ns_ino = sb.st_ino;
	c->ns_dev = sb.st_dev;
	c->ifindex = (int)if_nametoindex(o->ifname);
	if (!c->ifindex) /* nlab_capture() says more */
		return nlab_err_set(e, 0,
				    "lab %s node %s has no interface '%s'",
				    o->lab, o->node, o->ifname);
	c->ctlfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->ctlfd < 0)
		return nlab_err_set(e, errno, "socket");
	c->pcap = nlab_pcap.pcap_create(o->ifname, errbuf);
	if (!c->pcap)
		return nlab_err_set(e, 0, "%s", errbuf);
	if (nlab_pcap.pcap_set_snaplen(c->pcap, SNAPLEN) ||
	    nlab_pcap.pcap_set_promisc(c->pcap, 0) ||
	    nlab_pcap.pcap_set_immediate_mode(c->pcap, 1))
		return nlab_err_set(e, 0, "%s: set up capture", o->ifname);
	rc = nlab_pcap.pcap_activate(c->pcap);
	if (rc < 0)
		return nlab_err_set(e, 0, "%s: %s (%s)", o->ifname,
				    nlab_pcap.pcap_statustostr(rc),
				    nlab_pcap.pcap_geterr(c->pcap));
	return 0;
}

/* Has the capture's subject gone (into *end)? */
static bool gone(const struct capture *c, enum nlab_capture_end *end)
{
	char path[sizeof(NLAB_NETNS_DIR) + sizeof(c->netns) + 1];
	struct ifreq ifr = { .ifr_ifindex = c->ifindex };
	struct stat sb;

	snprintf(path, sizeof(path), NLAB_NETNS_DIR "/%s", c->netns);
	if (stat(path, &sb) < 0 || sb.st_ino != c->ns_ino ||
	    sb.st_dev != c->ns_dev) {
		*end = NLAB_CAPTURE_LAB_DOWN;
		return true;
	}
	if (ioctl(c->ctlfd, SIOCGIFNAME, &ifr) < 0 ||
	    strncmp(ifr.ifr_name, c->o->ifname, sizeof(ifr.ifr_name))) {
		*end = NLAB_CAPTURE_IF_GONE;
		return true;
	}
	return false;
}

static int flush(struct capture *c)
{
	if (c->write_failed)
		return -1;
	if (nlab_pcap.pcap_dump_flush(c->dump) < 0) {
		c->write_failed = true;
		c->write_errno = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h,
		      const u_char *bytes)
{
	struct capture *c = (struct capture *)user;

	if (c->write_failed || (c->o->count && c->captured >= c->o->count)) {
		nlab_pcap.pcap_breakloop(c->pcap);
		return;
	}
	nlab_pcap.pcap_dump((u_char *)c->dump, h, bytes);
	c->captured++;
	if (c->per_packet)
		flush(c);
}

static int compile_filter(struct capture *c, struct nlab_err *e)
{
	struct bpf_program prog;
	const char *f = c->o->filter ? c->o->filter : "";
	int ret = 0;

	if (nlab_pcap.pcap_compile(c->pcap, &prog, f, 1, PCAP_NETMASK_UNKNOWN) <
	    0) {
		nlab_err_set(e, 0, "bad filter '%s': %s", f,
			     nlab_pcap.pcap_geterr(c->pcap));
		return -2;
	}
	if (nlab_pcap.pcap_setfilter(c->pcap, &prog) < 0)
		ret = nlab_err_set(e, 0, "set filter: %s",
				   nlab_pcap.pcap_geterr(c->pcap));
	nlab_pcap.pcap_freecode(&prog);
	return ret;
}

static int open_output(struct capture *c, struct nlab_err *e)
{
	const char *out = c->o->out;
	struct stat sb;

	if (!out || !strcmp(out, "-")) {
		c->dump = nlab_pcap.pcap_dump_fopen(c->pcap, stdout);
		out = "standard output";
	} else {
		c->dump = nlab_pcap.pcap_dump_open(c->pcap, out);
	}
	if (!c->dump)
		return nlab_err_set(e, 0, "%s", nlab_pcap.pcap_geterr(c->pcap));
	c->per_packet =
		fstat(fileno(nlab_pcap.pcap_dump_file(c->dump)), &sb) < 0 ||
		!S_ISREG(sb.st_mode);
	/* The header goes out at once: a reader can start. */
	if (flush(c))
		return nlab_err_set(e, c->write_errno, "write %s", out);
	return 0;
}

/* Until count, *stop, the lab or interface going, or a write failing. */
static int capture_loop(struct capture *c, struct nlab_capture_result *r,
			struct nlab_err *e)
{
	const struct nlab_capture_opts *o = c->o;
	struct pollfd pfd = { .fd = nlab_pcap.pcap_get_selectable_fd(c->pcap),
			      .events = POLLIN };
	uint64_t last_check = nlab_now_ms();
	unsigned errors = 0;

	if (pfd.fd < 0 || nlab_pcap.pcap_setnonblock(c->pcap, 1, NULL) < 0)
		return nlab_err_set(e, 0, "%s: no pollable descriptor",
				    o->ifname);
	for (;;) {
		uint64_t t = nlab_now_ms(), ms;
		unsigned long left = o->count - c->captured;
		struct timespec wait;
		int rc;

		if (o->count && !left) {
			r->end = NLAB_CAPTURE_COUNT;
			break;
		}
		if (o->stop && *o->stop) {
			r->end = NLAB_CAPTURE_STOPPED;
			break;
		}
		if (t - last_check >= CHECK_MS) {
			last_check = t;
			if (gone(c, &r->end))
				break;
			flush(c); /* a file others may be reading */
		}
		if (c->write_failed)
			break;
		ms = CHECK_MS - (t - last_check);
		wait = (struct timespec){ ms / 1000, ms % 1000 * 1000000 };
		rc = ppoll(&pfd, 1, &wait, o->wait_mask);
		if (rc < 0 && errno != EINTR)
			return nlab_err_set(e, errno, "poll");
		if (rc <= 0)
			continue;
		rc = nlab_pcap.pcap_dispatch(c->pcap,
					     !o->count	      ? -1
					     : left > INT_MAX ? INT_MAX
							      : (int)left,
					     on_packet, (u_char *)c);
		if (rc != PCAP_ERROR) {
			errors = 0;
			continue;
		}
		/* The interface went away, or just down: a link cut for a
		 * while (`netlab link`) does not end a capture. */
		if (gone(c, &r->end))
			break;
		if (++errors > MAX_ERRORS)
			return nlab_err_set(e, 0, "%s: %s", o->ifname,
					    nlab_pcap.pcap_geterr(c->pcap));
	}
	if (!c->write_failed)
		flush(c);
	if (c->write_failed) {
		if (c->write_errno != EPIPE)
			return nlab_err_set(e, c->write_errno, "write %s",
					    o->out && strcmp(o->out, "-")
						    ? o->out
						    : "standard output");
		r->end = NLAB_CAPTURE_READER;
	}
	return 0;
}

int nlab_capture(const struct nlab_capture_opts *o,
		 struct nlab_capture_result *r, struct nlab_err *e)
{
	struct capture c = { .o = o, .ctlfd = -1 };
	struct pcap_stat ps;
	int orig, ret;

	*r = (struct nlab_capture_result){ 0 };
	if (check_names(o, false, e) || nlab_pcap_load(e))
		return -1;
	nlab_ns_name(c.netns, sizeof(c.netns), o->lab, o->node);
	if (nlab_lab_enter_netns(o->lab, o->node, &orig, e))
		return e->errnum == ENOENT
			       ? -1
			       : nlab_err_wrap(e, "node %s", o->node);
	ret = open_inside(&c, e);
	if (nlab_lab_leave_netns(orig, ret ? NULL : e))
		ret = -1;
	else if (ret && !c.ifindex)
		check_names(o, true, e);
	if (!ret)
		ret = compile_filter(&c, e);
	if (!ret)
		ret = open_output(&c, e);
	if (!ret)
		ret = capture_loop(&c, r, e);
	if (!ret) {
		r->captured = c.captured;
		if (nlab_pcap.pcap_stats(c.pcap, &ps) == 0)
			r->dropped = ps.ps_drop;
	}
	capture_close(&c);
	return ret;
}
