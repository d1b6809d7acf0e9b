// SPDX-License-Identifier: MIT
#include "fixture.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

static char dir[64];

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int fixture_setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/netlab-unit.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

int fixture_teardown(void **state)
{
	(void)state;
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fixture_dir(void)
{
	return dir;
}

const char *fixture_path(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

const char *fixture_write(const char *name, const char *text)
{
	const char *path = fixture_path(name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return path;
}

struct nlab_topology *fixture_load(const char *name, const char *text,
				   struct nlab_diag *d)
{
	struct nlab_topology *t = NULL;
	int r = nlab_topology_load(fixture_write(name, text), &t, d);

	if (r) {
		assert_int_equal(r, -2);
		assert_null(t);
		assert_true(d->total > 0);
	}
	return t;
}

bool fixture_diag_has(const struct nlab_diag *d, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->lines[i], needle))
			return true;
	return false;
}

struct nlab_topology *fixture_load_ok(const char *name, const char *text)
{
	struct nlab_diag d = { 0 };
	struct nlab_topology *t = fixture_load(name, text, &d);

	for (size_t i = 0; i < d.n; i++)
		print_error("%s\n", d.lines[i]);
	nlab_diag_free(&d);
	assert_non_null(t);
	return t;
}

void fixture_load_bad(const char *name, const char *text, const char *needle)
{
	struct nlab_diag d = { 0 };
	struct nlab_topology *t = fixture_load(name, text, &d);

	assert_null(t);
	if (!fixture_diag_has(&d, needle)) {
		for (size_t i = 0; i < d.n; i++)
			print_error("%s\n", d.lines[i]);
		fail_msg("no error line contains '%s'", needle);
	}
	nlab_diag_free(&d);
}
