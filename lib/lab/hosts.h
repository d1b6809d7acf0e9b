/* SPDX-License-Identifier: MIT */
/* Per-node resolver files, /etc/netns/LAB.NODE/hosts: the `ip netns exec`
 * convention, bound over /etc/hosts inside the node. */
#ifndef NLAB_HOSTS_H
#define NLAB_HOSTS_H

#include <stdbool.h>

#include "base/err.h"
#include "lab/state.h"
#include "topology/topology.h"

#define NLAB_ETC_NETNS "/etc/netns"

/* Write the hosts file of every node, listing every node of the lab:
 * with hosts = yes one file, the first node's, and every other node's a
 * hard link to that inode (one text of O(N) bytes, not N copies of it;
 * an edit of it shows in every node); with hosts = private a copy per
 * node.  Each
 * directory and file is recorded before it is made, and again with its
 * identity once made; files are created with O_EXCL, so a user's own
 * file is never overwritten.  No symlink is followed: /etc/netns and
 * each LAB.NODE are opened O_NOFOLLOW and the file is made relative to
 * them, so a symlink planted there fails `up` instead of sending the
 * file elsewhere. */
int nlab_hosts_write(const struct nlab_topology *t, struct nlab_state *st,
		     struct nlab_err *e);

/* `apply`: the same for one node added to a running lab: with hosts =
 * yes a link to the file of another node that @rec records (rewritten
 * with @t's text before), else, or if there is none, a new file. */
int nlab_hosts_write_node(const struct nlab_topology *t,
			  const struct nlab_node *node,
			  const struct nlab_record *rec, struct nlab_state *st,
			  struct nlab_err *e);
/* Would @a and @b write the same hosts files? */
bool nlab_hosts_same(const struct nlab_topology *a,
		     const struct nlab_topology *b);

/* For `up`'s preflight: fail if /etc/netns/@ns exists and is not a
 * directory (a symlink, say), or holds a hosts file already. */
int nlab_hosts_check(const char *ns, struct nlab_err *e);

/* `down`'s removal of a dir or file entry (/etc/netns/LAB.NODE[/hosts])
 * of the record: only if it still is what netlab made (its identity; a
 * version 1 record has none: a plain directory or regular file), never
 * through a symlink.  Anything else is left alone and said through @w.
 * A file of the lab's own state directory is left for the removal of
 * that directory. */
int nlab_hosts_undo(const struct nlab_rec *r, const struct nlab_warn *w,
		    struct nlab_err *e);

/* `apply`: rewrite, in place (each node sees it through a bind mount of
 * that inode), every hosts file @rec records for a node of @t, with @t's
 * addresses, each inode once (hosts = yes: one for the lab); a file
 * that is no longer the one netlab made is refused.
 * A file that still is what @was (if not NULL) writes gets only the
 * bytes that differ. */
int nlab_hosts_rewrite(const struct nlab_topology *t,
		       const struct nlab_topology *was,
		       const struct nlab_record *rec, struct nlab_err *e);

#endif
