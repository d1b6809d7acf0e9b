/* SPDX-License-Identifier: MIT */
/*
 * NODE.run in the lab's state directory: what a node's supervisor says
 * about its `run` and about its own end.  The supervisor writes it (one
 * writer per node, replaced atomically); status, exec and ps read it.
 *
 *   running PID          `run` is running, PID inside the node
 *   exited N             `run` exited with status N
 *   killed N             `run` was killed by signal N
 *   none                 the node has no `run`
 *   stopped SIG FROM     second line, written last: the supervisor left
 *                        after signal SIG (SIGTERM, SIGINT, SIGHUP) sent
 *                        from the node or from the host
 *
 * A supervisor that dies without a word (SIGKILL) leaves its last line as
 * it was: "running" is then stale, and the reader calls it lost (the
 * kernel kills every process of a PID namespace whose PID 1 dies).
 */
#ifndef NLAB_RUNSTATE_H
#define NLAB_RUNSTATE_H

#include <stdbool.h>
#include <stddef.h>

enum nlab_run_state {
	NLAB_RUN_UNKNOWN, /* nothing written yet (the node is starting) */
	NLAB_RUN_NONE,	  /* the node has no `run` */
	NLAB_RUN_RUNNING, /* value: its pid inside the node */
	NLAB_RUN_EXITED,  /* value: exit status */
	NLAB_RUN_KILLED,  /* value: signal */
	NLAB_RUN_LOST,	  /* was running when the supervisor died: dead */
	NLAB_RUN__MAX,
};

enum nlab_stop_from {
	NLAB_STOP_NONE, /* not stopped */
	NLAB_STOP_NODE, /* a process of the node (`kill -TERM 1` inside) */
	NLAB_STOP_HOST, /* a process outside the node (`down`, a host kill) */
};

struct nlab_run {
	enum nlab_run_state state;
	int value;
	int stop_signal; /* 0 unless stopped */
	enum nlab_stop_from stop_from;
};

/* "running", "exited", ..., as status --json names them. */
const char *nlab_run_state_name(enum nlab_run_state s);
/* "node", "host" ("" for none). */
const char *nlab_stop_from_name(enum nlab_stop_from f);

/* The file's text for @r (at most 64 bytes with the NUL). */
void nlab_run_format(const struct nlab_run *r, char *buf, size_t len);
/* Parse the file's text; anything unreadable is NLAB_RUN_UNKNOWN. */
void nlab_run_parse(const char *text, struct nlab_run *r);
/* Read NODE.run of @lab; a missing file is NLAB_RUN_UNKNOWN. */
void nlab_run_read(const char *lab, const char *node, struct nlab_run *r);
/* The same from the lab's state directory @dirfd (nlab_state_dir; -1:
 * none, so unknown), for many nodes (`status`). */
void nlab_run_read_at(int dirfd, const char *node, struct nlab_run *r);

/* Whether the node was stopped, as a phrase: "SIGTERM from inside the
 * node", "SIGHUP from the host". */
void nlab_stop_str(const struct nlab_run *r, char *buf, size_t len);

#endif
