// SPDX-License-Identifier: MIT
/* The test model's own helpers: freeing, look-ups, durations. */
#include "topology/labtest.h"

#include <string.h>
#include <sys/socket.h>

#include "base/util.h"

void nlab_step_free(struct nlab_step *s)
{
	free(s->text);
	free(s->nodes);
	free(s->targets);
	free(s->cmd);
	free(s->expect);
	memset(s, 0, sizeof(*s));
}

void nlab_tests_free(struct nlab_test *tests, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < tests[i].n_steps; j++)
			nlab_step_free(&tests[i].steps[j]);
		free(tests[i].steps);
	}
	free(tests);
}

bool nlab_prefix_is_global(const struct nlab_prefix *p)
{
	if (p->family == AF_INET6)
		return !(p->addr[0] == 0xfe && (p->addr[1] & 0xc0) == 0x80);
	return !(p->addr[0] == 169 && p->addr[1] == 254);
}

bool nlab_node_has_global(const struct nlab_node *n, int family)
{
	for (size_t i = 0; i < n->n_ifaces; i++)
		for (size_t j = 0; j < n->ifaces[i].n_addrs; j++)
			if (n->ifaces[i].addrs[j].family == family &&
			    nlab_prefix_is_global(&n->ifaces[i].addrs[j]))
				return true;
	return false;
}

const struct nlab_test *nlab_topology_test(const struct nlab_topology *t,
					   const char *name)
{
	for (size_t i = 0; i < t->n_tests; i++)
		if (!strcmp(t->tests[i].name, name))
			return &t->tests[i];
	return NULL;
}

int nlab_parse_duration(const char *s, uint64_t *ms, struct nlab_err *e)
{
	static const struct {
		const char *name;
		uint64_t ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "", 1000 }, { "m", 60000 }
	};
	uint64_t whole = 0, frac = 0, scale = 1, v;
	const char *p = s;
	size_t u;

	if (*p < '0' || *p > '9')
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > NLAB_WAIT_MAX_MS)
			goto range;
	}
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			goto bad;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale == 1000000000)
				goto bad;
			frac = frac * 10 + (uint64_t)(*p - '0');
			scale *= 10;
		}
	}
	for (u = 0; u < ARRAY_SIZE(units); u++)
		if (!strcmp(p, units[u].name))
			break;
	if (u == ARRAY_SIZE(units))
		goto bad;
	if (frac * units[u].ms % scale)
		return nlab_err_set(e, 0, "'%s' is finer than a millisecond",
				    s);
	v = whole * units[u].ms + frac * units[u].ms / scale;
	if (v > NLAB_WAIT_MAX_MS)
		goto range;
	*ms = v;
	return 0;
bad:
	return nlab_err_set(e, 0,
			    "'%s' is not a duration (a number of seconds, or "
			    "with a unit ms, s or m: 30s, 500ms, 2m)",
			    s);
range:
	return nlab_err_set(e, 0, "'%s' is more than an hour (60m)", s);
}
