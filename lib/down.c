// SPDX-License-Identifier: MIT
/*
 * `down`, and the rollback of a failed `up`: the lab's record walked
 * backwards.  Namespaces are removed whole (their devices go with them,
 * far faster than deleting links one by one); only what the record names
 * is touched, and what is already gone is not an error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "netns.h"
#include "proc.h"
#include "state.h"
#include "util.h"

static int undo(const struct nlab_rec *r, struct nlab_err *e)
{
	switch (r->kind) {
	case NLAB_REC_PROC: /* all stopped together, first: see below */
		return 0;
	case NLAB_REC_NETNS:
		return nlab_netns_remove(r->arg, e);
	case NLAB_REC_FILE:
		if (unlink(r->arg) < 0 && errno != ENOENT)
			return nlab_err_set(e, errno, "remove %s", r->arg);
		return 0;
	case NLAB_REC_DIR:
		/* Something a user put there keeps the directory. */
		if (rmdir(r->arg) < 0 && errno != ENOENT &&
		    errno != ENOTEMPTY && errno != EEXIST)
			return nlab_err_set(e, errno, "remove %s", r->arg);
		return 0;
	case NLAB_REC__MAX:
		break;
	}
	return 0;
}

int nlab_lab_down(const char *lab, struct nlab_err *e)
{
	struct nlab_state st;
	struct nlab_record rec;
	struct nlab_err e1;
	int failed = 0, r;

	r = nlab_state_open(lab, &st, e);
	if (r) {
		nlab_state_close(&st);
		return r;
	}
	if (nlab_state_read(&st, &rec, e)) {
		nlab_state_close(&st);
		return -1;
	}
	/* Processes first, all of them at once (they share one grace
	 * period), then the rest, newest first. */
	if (nlab_proc_stop_all(&rec, &e1) && !failed++)
		*e = e1;
	for (size_t i = rec.n; i-- > 0;) {
		if (undo(&rec.recs[i], &e1) && !failed++)
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
