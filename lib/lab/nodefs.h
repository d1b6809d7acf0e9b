/* SPDX-License-Identifier: MIT */
/*
 * A node's own file system view, built by its supervisor inside its new
 * mount namespace (node.c runs the steps in this order):
 *
 *  1. nlab_nodefs_open: every host path the node needs is opened first
 *     (its files DIR, the topology's directory, bind sources, the lab's
 *     state directory), so that what is mounted over them later cannot
 *     hide them.
 *  2. nlab_nodefs_root: only for files that bring an entry at the top of
 *     the tree the host has not got (/shared): the node's / becomes an
 *     overlay (the host's / below, its own copy above), since no mount
 *     point can be made on the host for it.
 *  3. (node.c: a fresh /proc and /sys.)
 *  4. nlab_nodefs_private: an empty tmpfs on each private directory (/tmp,
 *     /var/tmp, /run, /var/log unless `shared`), with the host
 *     directory's owner and mode, its symlinks and sticky shared
 *     directories (/run/lock) recreated, the targets of the node's own
 *     mounts made in it, and the topology's directory bound back at its
 *     path when it lies in one.
 *  5. nlab_nodefs_files: the node's `files` as overlays, each at the
 *     deepest directory of the node that takes DIR's entries: DIR's
 *     subtree and the node's directory are the lower layers, the node's
 *     own copy (NODE.files/upper/PATH in the lab's state) the upper one.
 *     Mounts that were below such a directory are moved on top of it.
 *  6. (node.c: /etc/netns/LAB.NODE entries over /etc, unless files brings the
 *     entry; then bind and tmpfs.)
 *
 * Nothing here creates or changes anything on the host: directories are
 * made only inside the node's fresh tmpfs mounts and in the lab's state
 * directory.
 */
#ifndef NLAB_NODEFS_H
#define NLAB_NODEFS_H

#include <stdbool.h>
#include <sys/stat.h>

#include "base/err.h"
#include "topology/topology.h"

/* The lab's own directory of a node's copy of its files, in the state
 * directory: NODE.files/upper/PATH is what the node wrote over PATH. */
#define NLAB_FILES_SUFFIX ".files"

/* An entry recreated at the top of a fresh private directory. */
struct nlab_skel {
	char *name;
	char *link; /* symlink target; NULL for a directory */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	/* What mkdir or symlink in a fresh private directory does not give
	 * it (known once, in the plan): its owner, its mode. */
	bool chown, chmod;
};

/* What the host's private directories are, looked at once per `up` by
 * the launcher (every node reads the same). */
struct nlab_fsplan {
	struct nlab_privdir {
		char *real; /* its real path; NULL: the host has none */
		struct stat st;
		struct nlab_skel *skel;
		size_t n_skel;
	} * priv; /* parallel to nlab_private_dirs */
	/* The topology's directory, when it lies in a private directory:
	 * the entry, and the owner and mode of each of its components
	 * below that directory's real path, in order. */
	int topo_in;
	struct stat *topo_parts;
	size_t n_topo_parts;
};

/* (The launcher's, for as long as it lives: it exits once every
 * supervisor is cloned.) */
int nlab_fsplan_make(const struct nlab_topology *t, struct nlab_fsplan *p,
		     struct nlab_err *e);

/* One node's handles while its view is built. */
struct nlab_nodefs {
	const struct nlab_topology *t;
	const struct nlab_node *n;
	const struct nlab_fsplan *plan;
	int state; /* the lab's state directory, opened in the node */
	int dir;   /* files DIR, or -1 */
	int topo;  /* the topology's directory */
	int *src;  /* per mount: its bind source, or -1; NULL for none */
	/* per private entry: a tmpfs was mounted for it */
	bool made[NLAB_N_PRIVATE_DIRS];
	bool root; /* / is an overlay */
};

/* @state_fd: the lab's state directory as `up` opened it, which the
 * supervisor's working directory must be. */
int nlab_nodefs_open(struct nlab_nodefs *fs, const struct nlab_topology *t,
		     const struct nlab_node *n, const struct nlab_fsplan *plan,
		     int state_fd, struct nlab_err *e);
int nlab_nodefs_root(struct nlab_nodefs *fs, struct nlab_err *e);
int nlab_nodefs_private(struct nlab_nodefs *fs, struct nlab_err *e);
int nlab_nodefs_files(struct nlab_nodefs *fs, struct nlab_err *e);
/* Does the node's files bring @path (absolute)? */
bool nlab_nodefs_brings(const struct nlab_nodefs *fs, const char *path);
/* "/proc/self/fd/N" of mount @i's bind source, for mount(2). */
void nlab_nodefs_source(const struct nlab_nodefs *fs, size_t i, char *buf,
			size_t len);
void nlab_nodefs_close(struct nlab_nodefs *fs);

#endif
