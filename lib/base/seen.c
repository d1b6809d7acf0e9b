// SPDX-License-Identifier: MIT
#include "base/seen.h"

#include <stdint.h>
#include <string.h>

#include "base/util.h"

static uint64_t hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* Open addressing, linear probing; cap is a power of two, at most half
 * full. */
static struct nlab_seen_ent *slot(const struct nlab_seen *s, const void *key,
				  size_t klen)
{
	size_t i = hash(key, klen) & (s->cap - 1);

	while (s->ents[i].key &&
	       (s->ents[i].klen != klen || memcmp(s->ents[i].key, key, klen)))
		i = (i + 1) & (s->cap - 1);
	return &s->ents[i];
}

struct nlab_seen_ent *nlab_seen_find(const struct nlab_seen *s, const void *key,
				     size_t klen)
{
	struct nlab_seen_ent *e;

	if (!s->cap)
		return NULL;
	e = slot(s, key, klen);
	return e->key ? e : NULL;
}

static void grow(struct nlab_seen *s)
{
	struct nlab_seen old = *s;

	s->cap = old.cap ? old.cap * 2 : 64;
	s->ents = xcalloc(s->cap, sizeof(*s->ents));
	for (size_t i = 0; i < old.cap; i++)
		if (old.ents[i].key)
			*slot(s, old.ents[i].key, old.ents[i].klen) =
				old.ents[i];
	free(old.ents);
}

struct nlab_seen_ent *nlab_seen_add(struct nlab_seen *s, const void *key,
				    size_t klen, size_t idx, int line,
				    const char *where)
{
	struct nlab_seen_ent *e;

	if ((s->n + 1) * 2 > s->cap)
		grow(s);
	e = slot(s, key, klen);
	if (e->key)
		return e;
	e->key = xmalloc(klen + 1);
	memcpy(e->key, key, klen);
	e->key[klen] = '\0';
	e->klen = klen;
	e->idx = idx;
	e->line = line;
	e->where = where ? xstrdup(where) : NULL;
	s->n++;
	return NULL;
}

void nlab_seen_free(struct nlab_seen *s)
{
	for (size_t i = 0; i < s->cap; i++) {
		free(s->ents[i].key);
		free(s->ents[i].where);
	}
	free(s->ents);
	memset(s, 0, sizeof(*s));
}
