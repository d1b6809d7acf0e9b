/* SPDX-License-Identifier: MIT */
/*
 * A lab's state directory, /run/netlab/LAB (mode 0700), and its record.
 *
 * The record is a write-ahead log: one line per object, appended *before*
 * the object is made, so that a `kill -9` of `up` at any instant leaves a
 * record `down` can finish from.  If making the object then turns out to
 * be someone else's business (EEXIST), a "keep" line cancels the entry.
 * Rollback and `down` are the same walk of the record, backwards.
 */
#ifndef NLAB_STATE_H
#define NLAB_STATE_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define NLAB_STATE_DIR "/run/netlab"
/* Written last by a successful `up`. */
#define NLAB_STATE_COMPLETE "complete"

enum nlab_rec_kind {
	NLAB_REC_NETNS, /* a named netns: /run/netns/ARG */
	NLAB_REC_DIR,	/* a directory netlab made: ARG */
	NLAB_REC_FILE,	/* a file netlab wrote: ARG */
	NLAB_REC_PROC,	/* a process: ARG = "PID STARTTIME NODE" */
	NLAB_REC__MAX,
};

struct nlab_rec {
	enum nlab_rec_kind kind;
	char *arg;
};

struct nlab_record {
	struct nlab_rec *recs; /* in the order they were made */
	size_t n, cap;
};

struct nlab_state {
	char lab[64];
	int dirfd; /* /run/netlab/LAB, held with an exclusive flock */
	int recfd; /* record, O_APPEND */
};

/* Make /run/netlab/LAB for a new lab and lock it.  A lab that already
 * exists (even half-built, after a crash) is refused: "run down first". */
int nlab_state_create(const char *lab, struct nlab_state *st,
		      struct nlab_err *e);

/* Open and lock an existing lab's state.  Returns 1 when there is no
 * such lab (not an error for `down`), 0 when opened. */
int nlab_state_open(const char *lab, struct nlab_state *st, struct nlab_err *e);

void nlab_state_close(struct nlab_state *st);

/* Append a record entry (before making the object). */
int nlab_state_rec(struct nlab_state *st, enum nlab_rec_kind kind,
		   const char *arg, struct nlab_err *e);
/* Cancel the latest entry of @kind and @arg: the object was not ours. */
int nlab_state_keep(struct nlab_state *st, enum nlab_rec_kind kind,
		    const char *arg, struct nlab_err *e);

/* Read a lab's record without locking it (for readers: status, exec,
 * ps, which must not wait for a running `up`).  Returns 1 when there is
 * no such lab. */
int nlab_state_peek(const char *lab, struct nlab_record *rec,
		    struct nlab_err *e);

/* Read the record, cancelled entries dropped. */
int nlab_state_read(struct nlab_state *st, struct nlab_record *rec,
		    struct nlab_err *e);
void nlab_record_free(struct nlab_record *rec);

/* Write a small file inside the state directory. */
int nlab_state_write(struct nlab_state *st, const char *file, const char *data,
		     size_t len, struct nlab_err *e);
/* Read one; returns a malloc'd NUL-terminated buffer or NULL. */
char *nlab_state_slurp(const char *lab, const char *file);

/* Remove the whole state directory (and unlock it). */
int nlab_state_destroy(struct nlab_state *st, struct nlab_err *e);

/* The names of all labs with state, sorted.  Free each and the array. */
int nlab_state_list(char ***labs, size_t *n, struct nlab_err *e);

#endif
