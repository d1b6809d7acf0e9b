/* SPDX-License-Identifier: MIT */
/*
 * A shell command run inside a node with its output captured and a time
 * limit: `ready` and the `exec` checks of tests (labtest.h).  Several can
 * run at once, driven by one poll loop: `up --wait` polls every node at
 * the same time.
 *
 * Each run takes two processes, since joining a PID namespace moves only
 * the children of whoever joins it (enter.h).  A helper forked from
 * netlab joins the node's net, UTS, mount and PID namespaces through its
 * supervisor's pidfd, forks `/bin/sh -c COMMAND` (so born in the node,
 * in a process group of its own), kills that group when the time is up,
 * and tells how the shell ended on a pipe of its own.  The shell's
 * stdout and stderr go to a second pipe, which netlab reads.  What the
 * command leaves running in the background stays, as with `netlab exec`.
 */
#ifndef NLAB_NODECMD_H
#define NLAB_NODECMD_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"

/* Output kept from one run, for matching and for reports. */
#define NLAB_CMD_OUT_MAX (256u << 10)

enum nlab_cmd_end {
	NLAB_CMD_EXITED,   /* code: its exit status */
	NLAB_CMD_SIGNALED, /* code: the signal that killed it */
	NLAB_CMD_TIMEOUT,  /* killed when its time was up */
	NLAB_CMD_ERROR,	   /* it never ran: why */
};

struct nlab_cmd_result {
	enum nlab_cmd_end end;
	int code;
	char *out; /* stdout and stderr as they came, NUL-terminated */
	size_t len;
	bool truncated; /* more than NLAB_CMD_OUT_MAX bytes came */
	uint64_t ms;	/* how long it ran */
	char why[256];
};

struct nlab_cmd {
	pid_t helper;
	int status_fd, out_fd; /* -1 once closed */
	uint64_t start, limit_ms;
	struct nlab_cmd_result res;
};

/*
 * Start COMMAND in node @node of lab @lab, in directory @dir (the
 * topology's; "/" if it is not there), with NETLAB_LAB and NETLAB_NODE
 * set, for at most @limit_ms.  Returns 0, or -1 with @e when it could not
 * be started (no such node, the node is down).
 */
int nlab_cmd_start(struct nlab_cmd *c, const char *lab, const char *node,
		   const char *dir, const char *command, uint64_t limit_ms,
		   struct nlab_err *e);

/* The descriptors to poll for @c: fills up to 2, returns how many. */
size_t nlab_cmd_pollfds(const struct nlab_cmd *c, struct pollfd *p);

/* Take what poll() found on @c's descriptors (@p as filled above).
 * Returns true once the command has ended: c->res is complete and is
 * the caller's (nlab_cmd_result_free). */
bool nlab_cmd_step(struct nlab_cmd *c, const struct pollfd *p, size_t n);

/* End a command that is still running: its process group is killed;
 * c->res then holds what it wrote (end NLAB_CMD_TIMEOUT), the caller's
 * to free. */
void nlab_cmd_cancel(struct nlab_cmd *c);

/* Start and wait: 0 with @res filled (however the command ended), or -1
 * with @e when it could not be started. */
int nlab_cmd_run(const char *lab, const char *node, const char *dir,
		 const char *command, uint64_t limit_ms,
		 struct nlab_cmd_result *res, struct nlab_err *e);

void nlab_cmd_result_free(struct nlab_cmd_result *r);

/* "exit 1", "killed by signal 9", "timed out after 10.0 s", or why. */
const char *nlab_cmd_end_str(const struct nlab_cmd_result *r, char *buf,
			     size_t len);

/* The last @max_lines lines of @out (at most 160 bytes each), each
 * prefixed with @indent, newline-terminated; "" for no output.  New
 * buffer. */
char *nlab_text_tail(const char *out, size_t len, size_t max_lines,
		     const char *indent);

#endif
