/* SPDX-License-Identifier: MIT */
/* Node processes (supervisors) as the lab record knows them. */
#ifndef NLAB_PROC_H
#define NLAB_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"
#include "state.h"

/* Stop every process in @rec: SIGTERM, then SIGKILL after the grace
 * period; returns when all are gone.  A process that is already gone, or
 * whose pid now belongs to another process (start time differs), is left
 * alone. */
int nlab_proc_stop_all(const struct nlab_record *rec, struct nlab_err *e);

/* A pidfd for a recorded process ("PID STARTTIME ..."), or -1 if it is
 * gone, has exited (a zombie not yet reaped is dead too) or its pid now
 * belongs to someone else.  *pid gets the pid. */
int nlab_proc_open(const char *arg, pid_t *pid);

/* Has the process of @pidfd exited (even if not yet reaped)? */
bool nlab_pidfd_exited(int pidfd);

/* Grace period between SIGTERM and SIGKILL, ms (default 5000). */
extern int nlab_grace_ms;

#endif
