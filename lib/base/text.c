// SPDX-License-Identifier: MIT
#include "base/text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"

char *nlab_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

char *nlab_next_item(char **cur, char sep)
{
	char *item = *cur, *end;

	if (!item)
		return NULL;
	end = strchr(item, sep);
	if (end) {
		*end = '\0';
		*cur = end + 1;
	} else {
		*cur = NULL;
	}
	return nlab_trim(item);
}

char *nlab_next_word(char **cur)
{
	char *s = *cur, *word;

	if (!s)
		return NULL;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s) {
		*cur = NULL;
		return NULL;
	}
	word = s;
	while (*s && !isspace((unsigned char)*s))
		s++;
	if (*s)
		*s++ = '\0';
	*cur = s;
	return word;
}

#define EDIT_MAX 64

unsigned nlab_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned rows[3][EDIT_MAX + 1], *prev2 = rows[0], *prev = rows[1],
					*row = rows[2];

	if (la > EDIT_MAX || lb > EDIT_MAX)
		return EDIT_MAX;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned *t;

		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned best = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			/* two letters swapped ("rnu") are one slip, not two */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			row[j] = best;
		}
		t = prev2;
		prev2 = prev;
		prev = row;
		row = t;
	}
	return prev[lb];
}

static const char *row_name(const void *table, size_t i, size_t stride)
{
	return *(const char *const *)((const char *)table + i * stride);
}

const void *nlab_table_find(const char *name, const void *table, size_t n,
			    size_t stride)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, row_name(table, i, stride)))
			return (const char *)table + i * stride;
	return NULL;
}

const char *nlab_suggest(const char *word, const void *table, size_t n,
			 size_t stride)
{
	const char *best = NULL;
	unsigned best_d = ~0u;

	for (size_t i = 0; i < n; i++) {
		const char *cand = row_name(table, i, stride);
		unsigned d = nlab_edit_distance(word, cand);
		unsigned limit = strlen(cand) <= 4 ? 1 : 2;

		/* "x" is one edit from "run", but nobody meant that */
		if (d <= limit && d < strlen(word) && d < best_d) {
			best = cand;
			best_d = d;
		}
	}
	return best;
}

const char *nlab_nearest(const char *word, const void *table, size_t n,
			 size_t stride, unsigned *dist)
{
	const char *best = NULL;
	unsigned best_d = ~0u;

	for (size_t i = 0; i < n; i++) {
		const char *cand = row_name(table, i, stride);
		unsigned d = nlab_edit_distance(word, cand);

		if (d < best_d) {
			best = cand;
			best_d = d;
		}
	}
	*dist = best_d;
	return best;
}

void nlab_table_names(char *buf, size_t len, const void *table, size_t n,
		      size_t stride)
{
	size_t used = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 row_name(table, i, stride));

		if (w < 0 || (size_t)w >= len - used) {
			buf[used] = '\0';
			break;
		}
		used += (size_t)w;
	}
}

bool nlab_is_yes_no(const char *s, bool *val)
{
	if (!strcasecmp(s, "yes")) {
		*val = true;
		return true;
	}
	if (!strcasecmp(s, "no")) {
		*val = false;
		return true;
	}
	return false;
}

int nlab_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (*s < '0' || *s > '9' || d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static const struct {
	char unit;
	unsigned shift;
} size_units[] = { { 'g', 30 }, { 'm', 20 }, { 'k', 10 } };

int nlab_parse_size(const char *s, uint64_t max, uint64_t *out)
{
	size_t n = strlen(s);
	char digits[32];
	unsigned shift = 0;
	uint64_t v;

	if (!n || n >= sizeof(digits))
		return -1;
	memcpy(digits, s, n + 1);
	for (size_t i = 0; i < ARRAY_SIZE(size_units); i++)
		if (tolower((unsigned char)digits[n - 1]) ==
		    size_units[i].unit) {
			shift = size_units[i].shift;
			digits[--n] = '\0';
			break;
		}
	if (nlab_parse_uint(digits, max >> shift, &v))
		return -1;
	*out = v << shift;
	return 0;
}

const char *nlab_size_str(uint64_t v, char *buf, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(size_units); i++) {
		uint64_t unit = 1ULL << size_units[i].shift;

		if (v && v % unit == 0) {
			snprintf(buf, len, "%llu%c",
				 (unsigned long long)(v / unit),
				 size_units[i].unit);
			return buf;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

char *nlab_vstrfmt(const char *fmt, va_list ap)
{
	va_list again;
	char *s;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	s = xmalloc(n < 0 ? 1 : (size_t)n + 1);
	if (n < 0)
		s[0] = '\0';
	else
		vsnprintf(s, (size_t)n + 1, fmt, again);
	va_end(again);
	return s;
}

char *nlab_strfmt(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = nlab_vstrfmt(fmt, ap);
	va_end(ap);
	return s;
}

/* Length of the valid UTF-8 sequence at @p, or 0. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n = p[0] < 0x80			  ? 1
		   : p[0] >= 0xc2 && p[0] <= 0xdf ? 2
		   : p[0] >= 0xe0 && p[0] <= 0xef ? 3
		   : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4
						  : 0;

	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && n == 3 && p[1] < 0xa0) ||
	    (p[0] == 0xed && n == 3 && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && n == 4 && p[1] < 0x90) ||
	    (p[0] == 0xf4 && n == 4 && p[1] > 0x8f))
		return 0;
	return n;
}

void nlab_xml_put(FILE *f, const char *s, bool attr)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p) {
		size_t n = utf8_len(p);

		if (!n || (*p < 0x20 && *p != '\t' && *p != '\n') ||
		    *p == 0x7f) {
			fputc('?', f);
			p += n ? n : 1;
			continue;
		}
		switch (*p) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\n': /* an attribute's would read as a blank */
			fputs(attr ? "&#10;" : "\n", f);
			break;
		default:
			fwrite(p, 1, n, f);
		}
		p += n;
	}
}
