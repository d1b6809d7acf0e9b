/* SPDX-License-Identifier: MIT */
/*
 * One error path that carries context (after crun's libcrun/error.h).
 *
 * A function that can fail returns a negative value and fills the
 * struct nlab_err its caller passed.  Callers above may prepend their own
 * context with nlab_err_wrap(); only the command at the top prints it.
 */
#ifndef NLAB_ERR_H
#define NLAB_ERR_H

#include <stdarg.h>

struct nlab_err {
	int errnum;	/* errno of the cause, 0 when none */
	char msg[1024]; /* "what: why" in the user's terms */
};

/* Fill @e with a formatted message and ": strerror(errnum)" when errnum is
 * set.  Always returns -1 so callers can write `return nlab_err_set(...)`. */
int nlab_err_set(struct nlab_err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepend "context: " to the message already in @e.  Returns -1. */
int nlab_err_wrap(struct nlab_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Something a command left alone on purpose (not its own, or no longer
 * what it made) and says so: not an error, but the user should hear of
 * it.  Only the command at the top prints; a NULL sink drops them. */
struct nlab_warn {
	void (*fn)(void *data, const char *msg);
	void *data;
};

void nlab_warn(const struct nlab_warn *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
