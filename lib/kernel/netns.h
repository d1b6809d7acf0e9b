/* SPDX-License-Identifier: MIT */
/*
 * Named network namespaces exactly as `ip netns add` makes them
 * (iproute2 ip/ipnetns.c), so that ip netns list/exec/pids/identify work
 * on a lab's namespaces.
 */
#ifndef NLAB_NETNS_H
#define NLAB_NETNS_H

#include <stdbool.h>

#include "base/err.h"
#include "base/util.h"

#define NLAB_NETNS_DIR "/run/netns"

/* Make /run/netns a shared mount in a peer group of its own, under an
 * exclusive flock on the directory (Debian #949235).  Idempotent. */
int nlab_netns_dir_prepare(struct nlab_err *e);

/* A new network namespace, the calling thread moved into it: *nsfd an
 * fd of it, *id its nsfs identity (what /run/netns/NAME shows once it is
 * bound there).  It dies with us until it is named (nlab_netns_bind). */
int nlab_netns_new(int *nsfd, struct nlab_ident *id, struct nlab_err *e);

/* Name the calling thread's namespace NAME, as `ip netns add` does:
 * create /run/netns/NAME with O_EXCL (EEXIST in e->errnum: the name is
 * taken, nothing touched) and bind it.  On failure no name is left
 * behind.  A lab's namespaces are made by up.c's netns_make, which
 * records each before naming it. */
int nlab_netns_bind(const char *name, struct nlab_err *e);

/* Open /run/netns/NAME, checking it really is a bound namespace (between
 * the O_EXCL create and the bind it is an empty file).  -1 with ENOENT in
 * e->errnum if it does not exist. */
int nlab_netns_open(const char *name, struct nlab_err *e);

/* Enter the namespace behind @fd (setns CLONE_NEWNET). */
int nlab_netns_enter(int fd, struct nlab_err *e);

/* Lazy unmount and unlink, as `ip netns del`.  A namespace that is
 * already gone is not an error. */
int nlab_netns_remove(const char *name, struct nlab_err *e);

/* `down`'s removal: only if /run/netns/NAME still is the namespace with
 * identity @id, or an empty file of /run/netns that never got bound
 * (`up` killed between create and bind).  Without an identity: any bound
 * namespace if @by_name (a version 1 record, which holds none), else
 * only such an empty file.  Anything else there is someone else's: left
 * alone, said through @w.  Never follows a symlink. */
int nlab_netns_remove_made(const char *name, const struct nlab_ident *id,
			   bool by_name, const struct nlab_warn *w,
			   struct nlab_err *e);
/* The same for @ns[0..@n), in that order, the unmounts side by side
 * (each waits for an RCU grace period; concurrent ones share it).  All
 * are tried; the first failure is returned in @e. */
struct nlab_netns_made {
	const char *name;
	const struct nlab_ident *id;
};
int nlab_netns_remove_made_many(const struct nlab_netns_made *ns, size_t n,
				bool by_name, const struct nlab_warn *w,
				struct nlab_err *e);

bool nlab_netns_exists(const char *name);

/* Run @fn inside a throw-away anonymous netns (gone once we leave it),
 * to probe what the kernel can do without touching anything real.
 * Returns what @fn returns, or -1 with @e if the netns could not be made
 * or left. */
int nlab_netns_probe(int (*fn)(void *arg, struct nlab_err *e), void *arg,
		     struct nlab_err *e);

#endif
