// SPDX-License-Identifier: MIT
/*
 * Impairment options, in the topology's syntax and tc's units:
 *   rate               bit, kbit, mbit, gbit (SI: 1kbit = 1000 bit/s)
 *   delay, jitter      us, ms, s
 *   loss, duplicate, corrupt, reorder   0% to 100%
 * A unit is always required.  "mbps" and friends are refused: tc reads
 * them as bytes per second, 8 times what most people mean.
 *
 * Every value is range-checked here, so the loader refuses at `check`
 * what the kernel would refuse at `up` (or `impair`); see impair.h for
 * the ranges and where they come from.
 *
 * Values are read as exact decimals (no floating point on the way), so
 * nlab_impair_str() gives back what nlab_impair_parse() read.
 * Percentages are kept to millionths of a percent, finer than netem's
 * 32-bit probabilities can tell apart.
 */
#include "topology/impair.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/text.h"
#include "base/util.h"

struct unit {
	const char *name;
	uint64_t mult; /* base units (bit/s, us, millionths of %) */
};

static const struct unit rate_units[] = {
	{ "bit", 1 },
	{ "kbit", 1000 },
	{ "mbit", 1000000 },
	{ "gbit", 1000000000 },
};
/* tc's bytes-per-second units, row by row beside rate_units */
static const struct unit byte_units[] = {
	{ "bps", 1 },
	{ "kbps", 1000 },
	{ "mbps", 1000000 },
	{ "gbps", 1000000000 },
};
static const struct unit time_units[] = {
	{ "us", 1 },
	{ "ms", 1000 },
	{ "s", 1000000 },
};
static const struct unit pct_units[] = {
	{ "%", 1000000 },
};

enum kind { RATE, TIME, PCT };

static const struct option {
	const char *name;
	unsigned bit;
	enum kind kind;
} options[] = {
	{ "rate", NLAB_IMP_RATE, RATE },
	{ "delay", NLAB_IMP_DELAY, TIME },
	{ "jitter", NLAB_IMP_JITTER, TIME },
	{ "loss", NLAB_IMP_LOSS, PCT },
	{ "duplicate", NLAB_IMP_DUPLICATE, PCT },
	{ "corrupt", NLAB_IMP_CORRUPT, PCT },
	{ "reorder", NLAB_IMP_REORDER, PCT },
};

bool nlab_impair_known(const char *name)
{
	return nlab_table_find(name, NLAB_TABLE(options));
}

#define FRAC_DIGITS 9
#define FRAC_ONE    1000000000ull

/*
 * A decimal number "12" or "0.5" with at most 9 decimals, as a count of
 * billionths; *end is set after it.  Returns -1 when there is no number
 * or it is too large to be meant.
 */
static int parse_decimal(const char *s, unsigned __int128 *out,
			 const char **end)
{
	unsigned __int128 whole = 0, frac = 0, scale = FRAC_ONE;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (unsigned)(*p - '0');
		if (whole > UINT64_MAX)
			return -1;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (scale == 1)
				return -1; /* more than 9 decimals */
			scale /= 10;
			frac += (unsigned)(*p - '0') * scale;
		}
	}
	*out = whole * FRAC_ONE + frac;
	*end = p;
	return 0;
}

static const struct unit *find_unit(const char *s, const struct unit *u,
				    size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(s, u[i].name))
			return &u[i];
	return NULL;
}

/* A count of billionths as a short decimal: "80", "0.5". */
static void put_decimal(char *buf, size_t len, unsigned __int128 q)
{
	unsigned long long whole = (unsigned long long)(q / FRAC_ONE);
	unsigned long long frac = (unsigned long long)(q % FRAC_ONE);
	char f[16];
	int n;

	if (!frac) {
		snprintf(buf, len, "%llu", whole);
		return;
	}
	snprintf(f, sizeof(f), "%09llu", frac);
	for (n = FRAC_DIGITS; f[n - 1] == '0'; n--)
		f[n - 1] = '\0';
	snprintf(buf, len, "%llu.%s", whole, f);
}

/* The largest unit that shows @v (in base units) exactly: 10mbit, 1500us. */
static void put_units(char *buf, size_t len, uint64_t v, const struct unit *u,
		      size_t n)
{
	size_t i = n - 1;

	while (i > 0 && v % u[i].mult)
		i--;
	snprintf(buf, len, "%llu%s", (unsigned long long)(v / u[i].mult),
		 u[i].name);
}

/* A value of @kind in base units, as the user would write it: a range's
 * ends in a message. */
static void put_value(char *buf, size_t len, enum kind kind, uint64_t v)
{
	if (kind == RATE)
		put_units(buf, len, v, rate_units, ARRAY_SIZE(rate_units));
	else if (kind == TIME)
		put_units(buf, len, v, time_units, ARRAY_SIZE(time_units));
	else
		snprintf(buf, len, "%llu%%",
			 (unsigned long long)(v / pct_units[0].mult));
}

/* What to say about a value with a missing or wrong unit.  @num is the
 * number before the unit, in billionths. */
static int unit_error(const struct option *o, const char *val,
		      unsigned __int128 num, const char *unit,
		      struct nlab_err *e)
{
	static const char *const expect[] = {
		[RATE] = "bit, kbit, mbit or gbit",
		[TIME] = "us, ms or s",
		[PCT] = "%",
	};
	const struct unit *b = NULL;
	char eight[48];

	if (o->kind == RATE)
		b = find_unit(unit, byte_units, ARRAY_SIZE(byte_units));
	if (b) {
		put_decimal(eight, sizeof(eight), num * 8);
		return nlab_err_set(e, 0,
				    "%s=%s: tc reads '%s' as bytes per second, "
				    "not bits; write %s%s for that, or use "
				    "bit, kbit, mbit or gbit as meant",
				    o->name, val, unit, eight,
				    rate_units[b - byte_units].name);
	}
	if (!*unit)
		return nlab_err_set(e, 0, "%s=%s: needs a unit (%s)", o->name,
				    val, expect[o->kind]);
	return nlab_err_set(e, 0, "%s=%s: unknown unit '%s' (%s)", o->name, val,
			    unit, expect[o->kind]);
}

int nlab_impair_parse(const char *opt, struct nlab_impair *imp,
		      struct nlab_err *e)
{
	static const struct {
		const struct unit *units;
		size_t n;
		uint64_t min, max; /* in base units */
	} kinds[] = {
		[RATE] = { rate_units, ARRAY_SIZE(rate_units),
			   NLAB_IMPAIR_RATE_MIN, NLAB_IMPAIR_RATE_MAX },
		[TIME] = { time_units, ARRAY_SIZE(time_units), 0,
			   NLAB_IMPAIR_TIME_MAX },
		[PCT] = { pct_units, ARRAY_SIZE(pct_units), 0, 100000000 },
	};
	const char *eq = strchr(opt, '='), *val, *end;
	const struct option *o;
	const struct unit *u;
	unsigned __int128 num, q;
	char name[32], list[128];
	uint64_t v;

	if (!eq || eq == opt || (size_t)(eq - opt) >= sizeof(name))
		return nlab_err_set(e, 0, "'%s' is not OPTION=VALUE", opt);
	memcpy(name, opt, (size_t)(eq - opt));
	name[eq - opt] = '\0';
	val = eq + 1;
	o = nlab_table_find(name, NLAB_TABLE(options));
	if (!o) {
		const char *near = nlab_suggest(name, NLAB_TABLE(options));

		if (!strcmp(name, "mac") || !strcmp(name, "mtu"))
			return nlab_err_set(e, 0, "'%s' is not an impairment",
					    name);
		if (near)
			return nlab_err_set(e, 0,
					    "unknown option '%s' (did "
					    "you mean '%s'?)",
					    name, near);
		nlab_table_names(list, sizeof(list), NLAB_TABLE(options));
		return nlab_err_set(e, 0, "unknown option '%s' (options: %s)",
				    name, list);
	}
	if (imp->set & o->bit)
		return nlab_err_set(e, 0, "%s is given twice", name);
	if (parse_decimal(val, &num, &end) < 0)
		return nlab_err_set(e, 0, "%s=%s: not a number with a unit",
				    name, val);
	u = find_unit(end, kinds[o->kind].units, kinds[o->kind].n);
	if (!u)
		return unit_error(o, val, num, end, e);
	q = num * u->mult;
	if (q % FRAC_ONE)
		return nlab_err_set(e, 0,
				    "%s=%s: finer than the smallest "
				    "step (1%s)",
				    name, val,
				    o->kind == PCT
					    ? " millionth of a %"
					    : kinds[o->kind].units[0].name);
	q /= FRAC_ONE;
	if (q < kinds[o->kind].min || q > kinds[o->kind].max) {
		char lo[32], hi[32];

		put_value(lo, sizeof(lo), o->kind, kinds[o->kind].min);
		put_value(hi, sizeof(hi), o->kind, kinds[o->kind].max);
		return nlab_err_set(e, 0, "%s=%s: must be from %s to %s", name,
				    val, lo, hi);
	}
	v = (uint64_t)q;
	switch (o->bit) {
	case NLAB_IMP_RATE:
		imp->rate_bps = v;
		break;
	case NLAB_IMP_DELAY:
		imp->delay_us = (uint32_t)v;
		break;
	case NLAB_IMP_JITTER:
		imp->jitter_us = (uint32_t)v;
		break;
	case NLAB_IMP_LOSS:
		imp->loss_pct = (double)v / 1e6;
		break;
	case NLAB_IMP_DUPLICATE:
		imp->duplicate_pct = (double)v / 1e6;
		break;
	case NLAB_IMP_CORRUPT:
		imp->corrupt_pct = (double)v / 1e6;
		break;
	case NLAB_IMP_REORDER:
		imp->reorder_pct = (double)v / 1e6;
		break;
	}
	imp->set |= o->bit;
	return 0;
}

int nlab_impair_check(const struct nlab_impair *imp, struct nlab_err *e)
{
	if ((imp->set & NLAB_IMP_JITTER) && !(imp->set & NLAB_IMP_DELAY))
		return nlab_err_set(e, 0,
				    "jitter needs a delay as well "
				    "(delay=10ms jitter=2ms)");
	if ((imp->set & NLAB_IMP_REORDER) && !(imp->set & NLAB_IMP_DELAY))
		return nlab_err_set(e, 0,
				    "reorder needs a delay as well: "
				    "netem reorders by sending some "
				    "packets without it");
	return 0;
}

/* ---- back to text ------------------------------------------------------ */

/* To millionths of a percent, the precision the parser keeps. */
static void put_pct(char *buf, size_t len, double pct)
{
	unsigned __int128 m = 0;

	if (pct > 0 && pct <= 100)
		m = (unsigned __int128)(pct * 1e6 + 0.5);
	put_decimal(buf, len, m * 1000);
	snprintf(buf + strlen(buf), len - strlen(buf), "%%");
}

const char *nlab_impair_str(const struct nlab_impair *imp, char *buf,
			    size_t len)
{
	size_t used = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		const struct option *o = &options[i];
		char val[64];
		int w;

		if (!(imp->set & o->bit))
			continue;
		switch (o->bit) {
		case NLAB_IMP_RATE:
			put_units(val, sizeof(val), imp->rate_bps, rate_units,
				  ARRAY_SIZE(rate_units));
			break;
		case NLAB_IMP_DELAY:
			put_units(val, sizeof(val), imp->delay_us, time_units,
				  ARRAY_SIZE(time_units));
			break;
		case NLAB_IMP_JITTER:
			put_units(val, sizeof(val), imp->jitter_us, time_units,
				  ARRAY_SIZE(time_units));
			break;
		case NLAB_IMP_LOSS:
			put_pct(val, sizeof(val), imp->loss_pct);
			break;
		case NLAB_IMP_DUPLICATE:
			put_pct(val, sizeof(val), imp->duplicate_pct);
			break;
		case NLAB_IMP_CORRUPT:
			put_pct(val, sizeof(val), imp->corrupt_pct);
			break;
		default:
			put_pct(val, sizeof(val), imp->reorder_pct);
			break;
		}
		w = snprintf(buf + used, len - used, "%s%s=%s", used ? " " : "",
			     o->name, val);
		if (w < 0 || (size_t)w >= len - used) {
			buf[used] = '\0'; /* whole options only */
			break;
		}
		used += (size_t)w;
	}
	return buf;
}
