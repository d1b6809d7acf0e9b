/* SPDX-License-Identifier: MIT */
/* Small string helpers: trimming, splitting lists, "did you mean"
 * suggestions, numbers and sizes, XML text. */
#ifndef NLAB_TEXT_H
#define NLAB_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Strip leading and trailing white space in place; returns the start. */
char *nlab_trim(char *s);

/* Walk a @sep-separated list in place (like strsep): returns the next
 * item, trimmed ("" for an empty one), or NULL after the last. */
char *nlab_next_item(char **cur, char sep);

/* Walk white-space-separated words in place; NULL after the last. */
char *nlab_next_word(char **cur);

/* Edit distance (insertions, deletions, substitutions and swaps of two
 * neighbouring letters count one each), capped: strings over 64 bytes
 * count as far. */
unsigned nlab_edit_distance(const char *a, const char *b);

/*
 * Tables of named rows (settings, options): each row starts with a
 * const char *name.  Pass a table as NLAB_TABLE(t), so that one table can
 * drive parsing, suggestions and help alike.
 */
#define NLAB_TABLE(t) (t), sizeof(t) / sizeof((t)[0]), sizeof((t)[0])

/* The row named @name, or NULL. */
const void *nlab_table_find(const char *name, const void *table, size_t n,
			    size_t stride);

/* The row name closest to @word if it is close enough to be a likely typo
 * (distance 1 for names of up to 4 bytes, else 2), or NULL. */
const char *nlab_suggest(const char *word, const void *table, size_t n,
			 size_t stride);

/* The row name nearest to @word (the first of equals) and its distance
 * in *dist, whatever it is; NULL for an empty table. */
const char *nlab_nearest(const char *word, const void *table, size_t n,
			 size_t stride, unsigned *dist);

/* "a, b, c": the row names, for messages. */
void nlab_table_names(char *buf, size_t len, const void *table, size_t n,
		      size_t stride);

/* A formatted string in a new buffer (aborts when out of memory). */
char *nlab_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *nlab_vstrfmt(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

/* "yes"/"no" in any case. */
bool nlab_is_yes_no(const char *s, bool *val);

/* A decimal number of digits only (no sign, no spaces) up to @max.
 * Returns 0, or -1 when it is not one or is too large. */
int nlab_parse_uint(const char *s, uint64_t max, uint64_t *out);

/* A size in bytes: digits with an optional unit k, m or g in either case
 * (powers of 1024: 4m is 4 MiB), up to @max.  Returns 0, or -1 when it
 * is not one or is too large. */
int nlab_parse_size(const char *s, uint64_t max, uint64_t *out);
/* @v in the largest of those units that divides it ("64k", "1g", "1000"). */
const char *nlab_size_str(uint64_t v, char *buf, size_t len);

/* @s (NULL: "") as XML text, for JUnit reports and DOT's HTML-like
 * labels: & < > " as entities, a newline as &#10; if @attr (an
 * attribute's would read as a blank), and what XML 1.0 cannot hold
 * (control bytes, invalid UTF-8) as '?'. */
void nlab_xml_put(FILE *f, const char *s, bool attr);

#endif
