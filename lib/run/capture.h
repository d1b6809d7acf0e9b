/* SPDX-License-Identifier: MIT */
/* Packet capture on a running lab's interface, as classic pcap (libpcap). */
#ifndef NLAB_CAPTURE_H
#define NLAB_CAPTURE_H

#include <signal.h>

#include "base/err.h"

struct nlab_capture_opts {
	const char *lab;
	const char *node; /* a node, or a switch (its bridge's ports) */
	const char *ifname;
	const char *filter;  /* BPF expression; NULL or "": everything */
	const char *out;     /* file to write; NULL or "-": stdout */
	unsigned long count; /* stop after this many packets; 0: never */
	/* Set asynchronously (by a signal handler) to end the capture; it is
	 * looked at after every wake-up, and at least once a second. */
	volatile sig_atomic_t *stop;
	/* The signal mask to wait with (ppoll): the caller blocks its stop
	 * signals and passes a mask without them, so that one arriving
	 * just before a wait still ends it at once.  NULL: the current one. */
	const sigset_t *wait_mask;
};

enum nlab_capture_end {
	NLAB_CAPTURE_COUNT,    /* count packets captured */
	NLAB_CAPTURE_STOPPED,  /* *stop was set */
	NLAB_CAPTURE_LAB_DOWN, /* the node's netns went away */
	NLAB_CAPTURE_IF_GONE,  /* the interface went away */
	NLAB_CAPTURE_READER,   /* the pipe's reader went away (EPIPE) */
};

struct nlab_capture_result {
	unsigned long captured;
	unsigned long dropped; /* by the kernel, per pcap_stats */
	enum nlab_capture_end end;
};

/*
 * Capture on @o->ifname inside node @o->node of lab @o->lab until one of
 * the ends above; the output is complete (flushed) whichever it was.
 * Output goes to a pipe or terminal packet by packet.  Returns 0 with @r,
 * -1 with @e on a runtime failure (no such lab, node or interface), or -2
 * with @e when the filter does not compile (a usage error).  Nothing is
 * written before the filter has compiled.
 */
int nlab_capture(const struct nlab_capture_opts *o,
		 struct nlab_capture_result *r, struct nlab_err *e);

#endif
