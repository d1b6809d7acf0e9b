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

#include "lab/hosts.h"
#include "lab/lab.h"
#include "kernel/netns.h"
#include "lab/proc.h"
#include "lab/state.h"
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

static int undo(const struct nlab_record *rec, const struct nlab_rec *r,
		const struct nlab_warn *w, struct nlab_err *e)
{
	switch (r->kind) {
	case NLAB_REC_PROC: /* all stopped together, first: see below */
		return 0;
	case NLAB_REC_NETNS:
		return nlab_netns_remove_made(r->arg, &r->id, rec->version < 2,
					      w, e);
	case NLAB_REC_FILE:
	case NLAB_REC_DIR:
		return nlab_hosts_undo(r, w, e);
	case NLAB_REC__MAX:
		break;
	}
	return 0;
}

int nlab_lab_down_warn(const char *lab, const struct nlab_warn *w,
		       struct nlab_err *e)
{
	struct nlab_state st;
	struct nlab_record rec;
	struct nlab_err e1;
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
	/* Processes first, all of them at once (they share one grace
	 * period), then the rest, newest first. */
	if (nlab_proc_stop_all(&rec, w, &e1) && !failed++)
		*e = e1;
	for (size_t i = rec.n; i-- > 0;) {
		if (undo(&rec, &rec.recs[i], w, &e1) && !failed++)
			*e = e1;
	}
	nlab_record_free(&rec);
	if (failed) {
		nlab_state_close(&st);
		return -1;
	}
	if (nlab_state_destroy(&st, e)) {
		nlab_state_close(&st);
		return -1;
	}
	return 0;
}

int nlab_lab_down(const char *lab, struct nlab_err *e)
{
	return nlab_lab_down_warn(lab, NULL, e);
}
