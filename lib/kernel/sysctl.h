/* SPDX-License-Identifier: MIT */
#ifndef NLAB_SYSCTL_H
#define NLAB_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* Write KEY (dotted, "net.ipv4.ip_forward") = VALUE through /proc/sys.
 * /proc/sys/net shows the namespace of the calling thread, so call it from
 * inside the node's netns.  With @optional, a key that does not exist
 * (e.g. bridge-nf-call-* without br_netfilter) is not an error. */
int nlab_sysctl_write(const char *key, const char *value, bool optional,
		      struct nlab_err *e);

/* The /proc/sys of the calling thread's network namespace, as a
 * directory fd in a procfs instance of its own (fsopen/fsmount: attached
 * to no mount table, gone when the fd is closed), or -1 where the kernel
 * cannot make one (the callers then go through /proc/sys).  Why: every
 * namespace has its own dentry of /proc/sys/net under the host's one
 * /proc/sys, all in one hash chain, so each lookup there walks one entry
 * per namespace on the host (O(N^2) for a lab of N nodes); in an
 * instance of its own it holds one per namespace that used that
 * instance, so use one for a few namespaces in turn (its removal costs
 * an RCU grace period). */
int nlab_sysctl_root(void);

/* nlab_sysctl_write() under @root (from nlab_sysctl_root(), or -1: the
 * host's /proc/sys), from inside the namespace @root was made in. */
int nlab_sysctl_write_at(int root, const char *key, const char *value,
			 bool optional, struct nlab_err *e);

/* Read KEY's value (trailing newline removed) into @buf, from inside the
 * node's netns as above. */
int nlab_sysctl_read(const char *key, char *buf, size_t len,
		     struct nlab_err *e);

#endif
