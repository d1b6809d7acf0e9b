/* SPDX-License-Identifier: MIT */
/*
 * One lab over several machines ([host NAME] sections, a node's host =).
 *
 * The coordinator (the machine `netlab up FILE` runs on) checks the whole
 * lab, writes its own record (/run/netlab/.multi/LAB: the lab file, so
 * `down` knows every host and how to reach it even if `up` was killed),
 * then runs `netlab up --host NAME -` on every host at once through its
 * `via`, the whole lab file on stdin.  Each host takes its part of it
 * (topology/part.h), brings that up as a lab of its own, and stitches
 * each segment that crosses hosts: a VXLAN device made from the host's
 * own network namespace (where its UDP socket stays) directly inside the
 * segment's switch namespace, a port of its bridge, with one all-zero
 * FDB entry per other host of the segment (head-end replication, no
 * multicast needed on the underlay).  Removing the switch namespace
 * removes the device: `down` on the host needs no new record kind.
 *
 * VNI: FNV-1a (32 bits) of "LAB.SEGMENT", its low 24 bits (0 -> 1); a
 * VNI taken by an earlier segment of the lab moves up by one.  Every host
 * computes the same from the same file.
 *
 * MTU: the lab's interfaces, bridges and ports of a crossing segment get
 * the smallest underlay MTU of its hosts ([host] mtu, default 1500) less
 * the VXLAN overhead (50 bytes, 70 over IPv6), so that a full-size frame
 * always fits in one underlay packet: nothing is dropped silently for
 * size, and the nodes see the real path MTU.  A larger MTU asked for on
 * such a segment is a topology error.
 *
 * All or nothing: if one host fails, `down` runs on every host.
 */
#ifndef NLAB_MULTIHOST_H
#define NLAB_MULTIHOST_H

#include <stdbool.h>

#include "base/err.h"
#include "lab/lab.h"
#include "topology/topology.h"

/* The coordinator's records, in /run/netlab (lab/state.h). */
#define NLAB_MULTI_NAME ".multi"
#define NLAB_MULTI_DIR	"/run/netlab/" NLAB_MULTI_NAME
/* In a host's own lab state: the whole lab file and the host's name. */
#define NLAB_MULTI_WHOLE "multihost.ini"
#define NLAB_MULTI_HOST	 "multihost-host"
/* ... and where `up --spread` put the nodes without host = (spread.h):
 * the coordinator sends it ahead of the file (`up --host NAME --placed
 * LEN -`) and keeps it in its record, so that every host, `down` and the
 * commands run from the coordinator agree on one placement. */
#define NLAB_MULTI_PLACE "multihost-placement"

/* ---- on each host (multihost.c) ---- */

/* `up --host NAME`: bring up host @name's part of @t and stitch its
 * crossing segments; all or nothing on this host. */
int nlab_multi_part_up(const struct nlab_topology *t, const char *name,
		       const struct nlab_up_opts *o, struct nlab_err *e);

/* Before `down` of a host's part: delete its VXLAN devices, so that
 * their VNIs are free the moment `down` returns (a namespace is freed
 * later, asynchronously, and a new `up` would find the VNI taken).
 * Nothing to do for any other lab; failures only warn (the namespaces'
 * removal takes the devices anyway). */
void nlab_multi_part_unstitch(const char *lab, const struct nlab_warn *w);

/* Copy stdin into an anonymous file and give its path
 * (/proc/self/fd/N) in @path: `up -` reads the lab from a pipe or ssh's
 * socket.  The fd stays open until exit. */
int nlab_stdin_file(char *path, size_t len, struct nlab_err *e);

/* `up --placed LEN -`: the first @len bytes of stdin (the placement),
 * NUL-ended in *out (free it); the lab file follows them. */
int nlab_stdin_head(size_t len, char **out, struct nlab_err *e);

/* On a host of a lab over several: the whole lab as the coordinator
 * sent it, and this host in it.  Returns 1 when @lab is no such part
 * here, 0, or -1 with @e. */
int nlab_multi_whole(const char *lab, struct nlab_topology **t,
		     const struct nlab_host **me, struct nlab_err *e);

/* ---- on the coordinator (multihost_coord.c) ---- */

/* The whole lab as the coordinator's record holds it. */
int nlab_multi_topology(const char *lab, struct nlab_topology **t,
			struct nlab_err *e);

/* Run `netlab ARGS...` on every host of @lab at once and hand each line
 * it prints on stdout to @line.  Returns the worst exit status, or -1
 * with @e. */
int nlab_multi_collect(const char *lab, char *const *args,
		       void (*line)(void *data, char *text), void *data,
		       struct nlab_err *e);

/* The labs this machine coordinates, sorted (free each and the array;
 * none: *n = 0). */
void nlab_multi_list(char ***labs, size_t *n);

/* Is @lab a lab this machine coordinates? */
bool nlab_multi_exists(const char *lab);

/* Bring @t up on every host.  Returns 0, or -1 with @e after taking it
 * down everywhere.  @stop: a signal asks to stop.  @timings: each host
 * prints its phases (`up --timings`), and the coordinator how long each
 * host took from its start to its end, on standard error. */
int nlab_multi_up(const struct nlab_topology *t, volatile sig_atomic_t *stop,
		  bool timings, struct nlab_err *e);

/* `down` on every host of coordinated lab @lab.  Returns 0, 1 when
 * there is no such coordinated lab, -1 with @e naming the hosts it
 * could not take it down on (those stay in the record; the rest is
 * gone). */
int nlab_multi_down(const char *lab, const struct nlab_warn *w,
		    struct nlab_err *e);

/* Run `netlab ARGS...` on every host of @lab (@host NULL), or on the
 * host of node @node, one after the other, output passed through;
 * with @heading, a line "host NAME (ADDRESS):" before each.  Returns
 * the worst exit status, or -1 with @e. */
int nlab_multi_each(const char *lab, const char *node, bool heading,
		    char *const *args, struct nlab_err *e);

/* Replace this process with `netlab ARGS...` on the host of @node
 * (exec, for `netlab exec`).  Returns -1 with @e on failure only. */
int nlab_multi_exec(const char *lab, const char *node, char *const *args,
		    struct nlab_err *e);

#endif
