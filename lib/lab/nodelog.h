/* SPDX-License-Identifier: MIT */
/*
 * A node's log, capped.  Everything the node's processes write to their
 * stdout and stderr goes into one pipe; the supervisor reads it and
 * copies it into the lab's state directory, never blocking on it:
 *
 *   NODE.log          the newest output
 *   NODE.log.1        the output just before it, complete
 *   NODE.log.dropped  how many bytes of output came before NODE.log.1 and
 *                     are gone (absent: none)
 *
 * A file holds at most half of the node's log_max, so both together never
 * exceed it.  When a write would overflow NODE.log, the supervisor cuts
 * after the last whole line that fits (a line already partly in NODE.log
 * from an earlier write is cut there), renames NODE.log over NODE.log.1
 * (dropping the older one), adds that one's size to NODE.log.dropped and
 * starts a new NODE.log.  Readers tell a rotation by NODE.log's inode.
 */
#ifndef NLAB_NODELOG_H
#define NLAB_NODELOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "topology/topology.h"

#define NLAB_LOG_SUFFIX		".log"
#define NLAB_LOG_OLD_SUFFIX	".log.1"
#define NLAB_LOG_DROPPED_SUFFIX ".log.dropped"

/* The supervisor's side. */
struct nlab_logw {
	int dirfd; /* the lab's state directory (not owned) */
	int fd;	   /* NODE.log; -1 once it cannot be written: output is
		    * then read and discarded, never left to block the node */
	char node[NLAB_NAME_MAX + 1];
	uint64_t half;	  /* the most bytes in one file */
	uint64_t cur;	  /* bytes in NODE.log */
	uint64_t prev;	  /* bytes in NODE.log.1 */
	uint64_t dropped; /* bytes before NODE.log.1, gone */
};

/* Start @node's log in @dirfd (a new, empty NODE.log) for @max bytes. */
int nlab_logw_open(struct nlab_logw *w, int dirfd, const char *node,
		   uint64_t max, struct nlab_err *e);
/* Append @n bytes, rotating as needed; what cannot be written is dropped. */
void nlab_logw_write(struct nlab_logw *w, const char *buf, size_t n);
/* Move what the non-blocking @fd holds into the log, at most about
 * @budget bytes; returns the bytes moved. */
size_t nlab_logw_pump(struct nlab_logw *w, int fd, size_t budget);
void nlab_logw_close(struct nlab_logw *w);

/*
 * The reader's side (`netlab log`): write node @node's log of lab @lab to
 * @out: "[netlab: N bytes of older output dropped]" first when some was,
 * then NODE.log.1 and NODE.log.  With @follow, go on printing what comes,
 * across rotations, until the lab goes down.  Fails (ENOENT) when there
 * is no such lab; returns 1, @e untouched, when the lab has no log of
 * @node (no such node, or none yet).
 */
int nlab_log_print(const char *lab, const char *node, bool follow, FILE *out,
		   struct nlab_err *e);
/* The same for the state directory @dirfd. */
int nlab_log_print_at(int dirfd, const char *node, bool follow, FILE *out,
		      struct nlab_err *e);

/*
 * The last @lines lines of @node's log (NODE.log of the lab's state
 * directory @dirfd, from at most its last @len - 1 bytes) in @buf, the
 * final newline dropped, control characters but tab shown as '?' (the
 * text is for a terminal; `netlab log` gives it raw); "" when there is
 * no log or it is empty.  For `up`'s warnings about a failed `run`.
 */
void nlab_log_tail_at(int dirfd, const char *node, unsigned lines, char *buf,
		      size_t len);
void nlab_log_tail(const char *lab, const char *node, unsigned lines, char *buf,
		   size_t len);

#endif
