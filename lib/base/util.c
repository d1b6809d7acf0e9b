// SPDX-License-Identifier: MIT
#include "base/util.h"

#include <string.h>
#include <time.h>

static void *oom(void)
{
	fputs("netlab: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	return p ? p : oom();
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	return p ? p : oom();
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	return p ? p : oom();
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	return p ? p : oom();
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	return p ? p : oom();
}

void xgrow(void *arr, size_t *cap, size_t need, size_t sz)
{
	void **a = arr;
	size_t c = *cap;

	if (need <= c)
		return;
	c = c ? c : 4;
	while (c < need)
		c *= 2;
	*a = xrealloc(*a, c * sz);
	memset((char *)*a + *cap * sz, 0, (c - *cap) * sz);
	*cap = c;
}

uint64_t nlab_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
