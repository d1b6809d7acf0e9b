/* SPDX-License-Identifier: MIT */
/*
 * /run/netlab, the directory every lab's state lives in, kept in memory.
 *
 * /run is a tmpfs on most hosts: a lab's state vanishes at reboot with
 * the namespaces and processes it describes, and writing it costs no
 * disk.  Where /run is not (a container's or a VM's root file system),
 * the first `up` that finds /run/netlab empty mounts a tmpfs there
 * ("netlab" in /proc/mounts), as `ip netns` makes /run/netns a mount of
 * its own.  It stays mounted; a /run/netlab that already holds labs is
 * used as it is.
 */
#ifndef NLAB_STATEFS_H
#define NLAB_STATEFS_H

/* /run/netlab made if need be, on a tmpfs if it can be, and opened (no
 * symlink followed): its descriptor, or -1 with errno.  *@lock is a lock
 * that keeps a tmpfs from being mounted over what the caller makes in the
 * directory until the caller closes it (-1 when there is nothing to hold:
 * the directory is in memory already). */
int nlab_statefs_open(int *lock);

#endif
