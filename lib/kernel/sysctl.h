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

/* Read KEY's value (trailing newline removed) into @buf, from inside the
 * node's netns as above. */
int nlab_sysctl_read(const char *key, char *buf, size_t len,
		     struct nlab_err *e);

#endif
