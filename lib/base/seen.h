/* SPDX-License-Identifier: MIT */
/*
 * A hash set of byte strings that remembers where each was first seen, for
 * the loader's "X is already used at line N" checks.  It keeps lookups
 * linear in the size of the file, so a 10,000-node lab loads as fast as a
 * small one.
 */
#ifndef NLAB_SEEN_H
#define NLAB_SEEN_H

#include <stddef.h>

struct nlab_seen_ent {
	char *key; /* a copy, NUL-terminated after klen bytes */
	size_t klen;
	size_t idx;  /* the caller's index for it */
	int line;    /* where it was first seen */
	char *where; /* e.g. "[node h1] eth0", or NULL */
};

struct nlab_seen {
	struct nlab_seen_ent *ents;
	size_t cap, n;
};

/* The entry for @key, or NULL.  Entry pointers stay valid until the next
 * nlab_seen_add(). */
struct nlab_seen_ent *nlab_seen_find(const struct nlab_seen *s, const void *key,
				     size_t klen);
/* Add @key unless it is there: returns NULL when added, else the entry
 * already there (unchanged). */
struct nlab_seen_ent *nlab_seen_add(struct nlab_seen *s, const void *key,
				    size_t klen, size_t idx, int line,
				    const char *where);
void nlab_seen_free(struct nlab_seen *s);

#endif
