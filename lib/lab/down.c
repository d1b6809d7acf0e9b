// SPDX-License-Identifier: MIT
/*
 * `down`, and the rollback of a failed `up`: the lab's record walked
 * backwards.  Namespaces are removed whole (their devices go with them,
 * far faster than deleting links one by one); only what the record names
 * is touched, and what is already gone is not an error.
 *
 * The record is input, not truth.  Its reader takes only lines this lab
 * could have written (state.c); here they are narrowed to the names of
 * the lab's stored topology (and of the one an unfinished `apply` was
 * bringing it to); each object is removed only if it still is
 * the one `up` made (its identity), never through a symlink; a process
 * is signalled only if it still is a supervisor of this lab (proc.c).
 * Whatever fails those checks is left alone and reported, and does not
 * fail `down`: a line that cannot be acted on must not keep the lab from
 * going down, now or later.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/parallel.h"
#include "lab/hosts.h"
#include "lab/lab.h"
#include "kernel/netns.h"
#include "lab/proc.h"
#include "lab/state.h"
#include "base/testhook.h"
#include "base/util.h"

/* Keep only entries that name a node or switch of the lab's stored
 * topology.  Without a readable one (a crash before `up` wrote it), the
 * reader's LAB.NAME checks stand alone. */
static void narrow_to_topology(struct nlab_record *rec)
{
	struct nlab_topology *t = NULL, *next = NULL;
	struct nlab_err ign;

	if (nlab_lab_topology(rec->lab, &t, &ign))
		return;
	/* An `apply` cut short: the names of its new topology count too. */
	if (nlab_lab_topology_file(rec->lab, NLAB_APPLY_FILE, &next, &ign))
		next = NULL;
	nlab_record_narrow2(rec, t, next);
	nlab_topology_free(next);
	nlab_topology_free(t);
}

/* The files and directories under /etc/netns, newest first (a file
 * before its directory). */
static int undo_files(const struct nlab_record *rec, const struct nlab_warn *w,
		      struct nlab_err *e)
{
	struct nlab_err e1;
	int failed = 0;

	for (size_t i = rec->n; i-- > 0;) {
		const struct nlab_rec *x = &rec->recs[i];

		if ((x->kind == NLAB_REC_FILE || x->kind == NLAB_REC_DIR) &&
		    nlab_hosts_undo(x, w, &e1) && !failed++)
			*e = e1;
	}
	return failed ? -1 : 0;
}

struct files_job {
	const struct nlab_record *rec;
	const struct nlab_warn *w;
};

static int files_job(void *ctx, struct nlab_err *e)
{
	const struct files_job *j = ctx;

	return undo_files(j->rec, j->w, e);
}

/* The namespaces, newest first, unmounted side by side. */
static int undo_netns(const struct nlab_record *rec, const struct nlab_warn *w,
		      struct nlab_err *e)
{
	cleanup_free struct nlab_netns_made *ns =
		xcalloc(rec->n ? rec->n : 1, sizeof(*ns));
	size_t n = 0;

	for (size_t i = rec->n; i-- > 0;) {
		const struct nlab_rec *x = &rec->recs[i];

		if (x->kind == NLAB_REC_NETNS)
			ns[n++] = (struct nlab_netns_made){ x->arg, &x->id };
	}
	return nlab_netns_remove_made_many(ns, n, rec->version < 2, w, e);
}

/* The end of a phase; a test build may pause there (down:1 after the
 * record, down:2 after the processes, ...). */
static void phase(const struct nlab_down_opts *o, const char *name)
{
	if (o && o->phase)
		o->phase(o->phase_data, name);
	nlab_pause("down");
}

int nlab_lab_down_opts(const char *lab, const struct nlab_down_opts *o,
		       struct nlab_err *e)
{
	const struct nlab_warn *w = o ? o->w : NULL;
	struct nlab_state st;
	struct nlab_record rec;
	struct nlab_err e1;
	struct files_job job;
	struct nlab_bg files;
	int failed = 0, r;

	r = nlab_state_open(lab, &st, e);
	if (r)
		return r;
	if (nlab_state_read(&st, &rec, e)) {
		nlab_state_close(&st);
		return -1;
	}
	narrow_to_topology(&rec);
	for (size_t i = 0; i < rec.n_skipped; i++)
		nlab_warn(w, "%s", rec.skipped[i]);
	phase(o, "record");
	/* The files under /etc/netns on a thread of their own, begun before
	 * the processes are signalled: while its node runs, a hosts file is
	 * bound over the node's /etc/hosts, so that removing it costs only
	 * its name, and it is freed as the node goes, alongside every other
	 * node (a file system that discards freed blocks at once would make
	 * each removal wait for the disk); and a disk's work waits beside
	 * the processes' ends, which are the kernel's.  The processes, all
	 * of them at once (they share one grace period), then the
	 * namespaces.  The record stays whole until the state goes, so that
	 * a `down` cut short anywhere leaves one that finishes. */
	job = (struct files_job){ .rec = &rec, .w = w };
	nlab_bg_start(&files, files_job, &job);
	if (nlab_proc_stop_all(&rec, w, &e1) && !failed++)
		*e = e1;
	phase(o, "processes");
	if (nlab_bg_wait(&files, &e1) && !failed++)
		*e = e1;
	phase(o, "files");
	if (undo_netns(&rec, w, &e1) && !failed++)
		*e = e1;
	phase(o, "namespaces");
	nlab_record_free(&rec);
	if (failed) {
		nlab_state_close(&st);
		return -1;
	}
	if (nlab_state_destroy(&st, e)) {
		nlab_state_close(&st);
		return -1;
	}
	phase(o, "state");
	return 0;
}

int nlab_lab_down_warn(const char *lab, const struct nlab_warn *w,
		       struct nlab_err *e)
{
	const struct nlab_down_opts o = { .w = w };

	return nlab_lab_down_opts(lab, &o, e);
}

int nlab_lab_down(const char *lab, struct nlab_err *e)
{
	return nlab_lab_down_warn(lab, NULL, e);
}
