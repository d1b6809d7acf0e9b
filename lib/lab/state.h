/* SPDX-License-Identifier: MIT */
/*
 * A lab's state directory, /run/netlab/LAB (mode 0700), and its record.
 *
 * The record is a write-ahead log: one line per object, appended *before*
 * the object is made, so that a `kill -9` of `up` at any instant leaves a
 * record `down` can finish from.  If making the object then turns out to
 * be someone else's business (EEXIST), a "keep" line cancels the entry.
 * Rollback and `down` are the same walk of the record, backwards.
 *
 * The record is read as input, not as truth: a line is taken only if
 * this lab could have written it (see one_line in state.c), and the walk
 * acts only on objects that still are the ones it made.  Format, version
 * 2 (first line "netlab-record 2"; version 1 had neither that line nor
 * "id" lines, and reads the same otherwise):
 *
 *   netns LAB.NAME
 *   dir /etc/netns/LAB.NODE
 *   file /etc/netns/LAB.NODE/hosts
 *   proc PID STARTTIME NODE
 *   keep KIND ARG               cancels the live entry KIND ARG
 *   id KIND ARG DEV:INO         the identity of the live entry KIND ARG
 *
 * A netns is unshared before it is named, so its id line, too, comes
 * before its name exists; a dir's or file's comes right after it is made.
 * A version 1 reader skips the lines it does not know.
 */
#ifndef NLAB_STATE_H
#define NLAB_STATE_H

#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"
#include "base/util.h"

#define NLAB_STATE_DIR "/run/netlab"
/* The first line of a record (version 2). */
#define NLAB_RECORD_MAGIC "netlab-record 2"
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
	char *arg;  /* netns name, path, or "PID STARTTIME NODE" */
	char *name; /* the node or switch it belongs to; NULL for a file of
		     * the lab's own state directory */
	struct nlab_ident id; /* identity when made, if recorded */
	int line;	      /* in the record, for messages */
};

struct nlab_record {
	char lab[64];
	int version;	       /* 1 or 2 */
	struct nlab_rec *recs; /* in the order they were made */
	size_t n, cap;
	/* Lines refused, one message each ("record line N: ...").  They
	 * are never acted on; `down` reports them and goes on. */
	char **skipped;
	size_t n_skipped, cap_skipped;
	size_t *sorted; /* for nlab_record_find, made on first use */
};

struct nlab_state {
	char lab[64];
	int dirfd; /* /run/netlab/LAB, held with an exclusive flock */
	int recfd; /* record, O_APPEND */
};

/* Make /run/netlab/LAB for a new lab and lock it.  A lab that already
 * exists (even half-built, after a crash) is refused: "run down first".
 * On failure nothing is left open (@st holds -1s), as for
 * nlab_state_open: the function that opens something closes it on
 * failure; after success the caller closes @st with nlab_state_close. */
int nlab_state_create(const char *lab, struct nlab_state *st,
		      struct nlab_err *e);

/* Open and lock an existing lab's state.  Returns 1 when there is no
 * such lab (not an error for `down`), 0 when opened; on failure (or 1)
 * nothing is left open. */
int nlab_state_open(const char *lab, struct nlab_state *st, struct nlab_err *e);

void nlab_state_close(struct nlab_state *st);

/* Append a record entry (before making the object). */
int nlab_state_rec(struct nlab_state *st, enum nlab_rec_kind kind,
		   const char *arg, struct nlab_err *e);
/* The identity of the object of entry @kind @arg ("id" line). */
int nlab_state_rec_id(struct nlab_state *st, enum nlab_rec_kind kind,
		      const char *arg, const struct nlab_ident *id,
		      struct nlab_err *e);
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

/* The latest entry of @kind and @arg, or NULL.  Its index is made on the
 * first look-up, or by nlab_record_index(): call that before threads
 * share @rec, or two of them may make it at once. */
void nlab_record_index(const struct nlab_record *rec);
const struct nlab_rec *nlab_record_find(const struct nlab_record *rec,
					enum nlab_rec_kind kind,
					const char *arg);
struct nlab_topology;
/* Drop (into rec->skipped) every entry that does not name a node of @t,
 * or for a netns a node or switch (a bridge segment). */
void nlab_record_narrow(struct nlab_record *rec, const struct nlab_topology *t);
/* The same for the names of @t or of @t2 (NULL: none): a lab `apply` is
 * changing, whose record may name nodes of its old or its new topology. */
void nlab_record_narrow2(struct nlab_record *rec, const struct nlab_topology *t,
			 const struct nlab_topology *t2);
/* Remove entry @i, adding "record line N: 'KIND ARG': WHY (skipped)" to
 * rec->skipped. */
void nlab_record_drop(struct nlab_record *rec, size_t i, const char *why);

/* Write a small file inside the state directory. */
int nlab_state_write(struct nlab_state *st, const char *file, const char *data,
		     size_t len, struct nlab_err *e);
/* Read one; returns a malloc'd NUL-terminated buffer or NULL. */
char *nlab_state_slurp(const char *lab, const char *file);
/* The same from the state directory @dirfd, opened once for many files
 * by nlab_state_dir (which never follows a symlink; -1 with errno). */
char *nlab_state_slurp_at(int dirfd, const char *file);
int nlab_state_dir(const char *lab);

/* `apply`: rewrite the record without the lines (entries, keep and id
 * lines) of the nodes or switches @names[0..@n), whose objects are gone;
 * the new record replaces the old one atomically (rename). */
int nlab_state_forget(struct nlab_state *st, const char *const *names, size_t n,
		      struct nlab_err *e);
/* `apply`: remove the state files of node @name (NAME.run, .log, .log.1,
 * .log.dropped, .stopped, .enter, and its copy of its files,
 * NAME.files). */
int nlab_state_remove_named(struct nlab_state *st, const char *name,
			    struct nlab_err *e);

/* Remove the whole state directory (and unlock it). */
int nlab_state_destroy(struct nlab_state *st, struct nlab_err *e);

/* The names of all labs with state, sorted.  Free each and the array. */
int nlab_state_list(char ***labs, size_t *n, struct nlab_err *e);

#endif
