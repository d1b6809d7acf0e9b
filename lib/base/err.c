// SPDX-License-Identifier: MIT
#include "base/err.h"

#include <stdio.h>
#include <string.h>

int nlab_err_set(struct nlab_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!e)
		return -1;
	e->errnum = errnum;
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (errnum && n >= 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s",
			 strerror(errnum));
	return -1;
}

int nlab_err_wrap(struct nlab_err *e, const char *fmt, ...)
{
	char ctx[sizeof(e->msg)], old[sizeof(e->msg)];
	va_list ap;
	int n;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	/* Truncation keeps the front, which carries the context. */
	n = snprintf(e->msg, sizeof(e->msg), "%s: ", ctx);
	if (n >= 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, "%s", old);
	return -1;
}

void nlab_warn(const struct nlab_warn *w, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!w || !w->fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->fn(w->data, msg);
}
