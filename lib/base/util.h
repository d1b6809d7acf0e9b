/* SPDX-License-Identifier: MIT */
/* Cleanup attributes and small helpers shared by libnetlab (after crun's
 * utils.h and systemd's _cleanup_ macros). */
#ifndef NLAB_UTIL_H
#define NLAB_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static inline void nlab_freep(void *p)
{
	free(*(void **)p);
}

static inline void nlab_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void nlab_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define cleanup_free   __attribute__((cleanup(nlab_freep)))
#define cleanup_close  __attribute__((cleanup(nlab_closep)))
#define cleanup_fclose __attribute__((cleanup(nlab_fclosep)))

/* Hand ownership on: return the value and disarm the local's cleanup. */
#define steal_ptr(p)                                                           \
	({                                                                     \
		__typeof__(p) _p = (p);                                        \
		(p) = NULL;                                                    \
		_p;                                                            \
	})
#define steal_fd(fd)                                                           \
	({                                                                     \
		int _fd = (fd);                                                \
		(fd) = -1;                                                     \
		_fd;                                                           \
	})

/* What a file was when netlab made it: its device and inode.  A name can
 * be taken again by someone else; an identity cannot. */
struct nlab_ident {
	bool set;
	dev_t dev;
	ino_t ino;
};

static inline void nlab_ident_of(struct nlab_ident *id, const struct stat *sb)
{
	id->set = true;
	id->dev = sb->st_dev;
	id->ino = sb->st_ino;
}

static inline bool nlab_ident_is(const struct nlab_ident *id,
				 const struct stat *sb)
{
	return id->set && id->dev == sb->st_dev && id->ino == sb->st_ino;
}

/* Milliseconds on the monotonic clock. */
uint64_t nlab_now_ms(void);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* malloc/calloc/realloc that abort on exhaustion: a lab tool has no
 * sensible recovery from ENOMEM, and checking every allocation would
 * triple the error paths for nothing. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grow *arr (of *cap elements of size sz) so that it holds at least need. */
void xgrow(void *arr, size_t *cap, size_t need, size_t sz);

#endif
