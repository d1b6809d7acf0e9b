// SPDX-License-Identifier: MIT
/* The launcher's nodes (lab/nodewire.h): what `up` writes is what the
 * launcher reads, node by node; a blob that is not sealed, is cut short
 * or lies about a length is refused. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "lab/nodewire.h"
#include "unit.h"

static const char lab_text[] = "[lab]\nname = wired\n"
			       "[node a]\neth0 = l 10.9.0.1/24\nrun = echo hi\n"
			       "env = A=1, B=two words\n"
			       "tmpfs = /srv size=1M mode=0700\n"
			       "[node b]\neth0 = l 10.9.0.2/24\nshared = /tmp\n"
			       "[node c]\n";

static const struct nlab_wire_ctl ctl = {
	.up = 4242,
	.ready_fd = 7,
	.state_dirfd = 8,
	.state_recfd = 9,
	.release_fd = 10,
	.has_nofile = true,
	.nofile = { .rlim_cur = 1024, .rlim_max = 4096 },
	.n_chan = 2,
	.chan = { 11, 12, -1, -1 },
};

static void same_node(const struct nlab_node *want, const struct nlab_node *got)
{
	assert_string_equal(got->name, want->name);
	if (want->run)
		assert_string_equal(got->run, want->run);
	else
		assert_null(got->run);
	assert_int_equal(got->log_max, want->log_max);
	assert_int_equal(got->shared, want->shared);
	assert_int_equal(got->n_env, want->n_env);
	for (size_t i = 0; i < want->n_env; i++) {
		assert_string_equal(got->env[i].name, want->env[i].name);
		assert_string_equal(got->env[i].value, want->env[i].value);
	}
	assert_int_equal(got->n_mounts, want->n_mounts);
	for (size_t i = 0; i < want->n_mounts; i++) {
		const struct nlab_mount *w = &want->mounts[i],
					*g = &got->mounts[i];

		assert_string_equal(g->target, w->target);
		assert_int_equal(g->source == NULL, w->source == NULL);
		assert_int_equal(g->size, w->size);
		assert_int_equal(g->mode, w->mode);
		assert_int_equal(g->readonly, w->readonly);
	}
}

static void round_trip(void **state)
{
	struct nlab_topology *t = fixture_load_ok("wired.ini", lab_text);
	const size_t which[] = { 2, 0 }; /* c, then a: a subset, in order */
	struct nlab_err e = { 0 };
	struct nlab_wire w;
	struct nlab_node n;
	int fd;

	(void)state;
	fd = nlab_wire_make(t, which, 2, &ctl, &e);
	assert_true(fd >= 0);
	assert_int_equal(nlab_wire_open(fd, &w, &e), 0);
	close(fd);
	assert_string_equal(w.lab, "wired");
	assert_string_equal(w.dir, t->dir);
	assert_int_equal(w.ctl.up, 4242);
	assert_int_equal(w.ctl.state_recfd, 9);
	assert_true(w.ctl.has_nofile);
	assert_int_equal(w.ctl.nofile.rlim_max, 4096);
	assert_int_equal(w.ctl.release_fd, 10);
	assert_int_equal(w.ctl.n_chan, 2);
	assert_int_equal(w.ctl.chan[0], 11);
	assert_int_equal(w.ctl.chan[1], 12);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.index[0], 2);
	assert_int_equal(w.index[1], 0);
	assert_int_equal(nlab_wire_next(&w, &n), 1);
	same_node(&t->nodes[2], &n);
	nlab_wire_node_free(&n);
	assert_int_equal(nlab_wire_next(&w, &n), 1);
	same_node(&t->nodes[0], &n);
	assert_int_equal(n.n_env, 2);
	nlab_wire_node_free(&n);
	assert_int_equal(nlab_wire_next(&w, &n), 0);
	nlab_wire_close(&w);
	nlab_topology_free(t);
}

/* A copy of a good blob, @cut bytes short (or with its last node's name
 * length raised by one), in a memfd sealed or not. */
static int copy_blob(const char *p, size_t len, bool seal)
{
	int fd = memfd_create("test", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, len), (ssize_t)len);
	if (seal)
		assert_int_equal(fcntl(fd, F_ADD_SEALS,
				       F_SEAL_SEAL | F_SEAL_SHRINK |
					       F_SEAL_GROW | F_SEAL_WRITE),
				 0);
	return fd;
}

static void refused(void **state)
{
	struct nlab_topology *t = fixture_load_ok("wired.ini", lab_text);
	int fd, bad;
	struct nlab_err e = { 0 };
	struct nlab_wire w;
	struct nlab_node n;
	struct stat sb;
	char *p;

	(void)state;
	fd = nlab_wire_make(t, NULL, 3, &ctl, &e);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	p = malloc((size_t)sb.st_size);
	assert_int_equal(pread(fd, p, (size_t)sb.st_size, 0), sb.st_size);
	close(fd);

	/* not sealed: refused before it is read */
	bad = copy_blob(p, (size_t)sb.st_size, false);
	assert_int_equal(nlab_wire_open(bad, &w, &e), -1);
	assert_non_null(strstr(e.msg, "no sealed memfd"));
	close(bad);
	/* made by another version (the header's second word) */
	p[4] ^= 0x40;
	bad = copy_blob(p, (size_t)sb.st_size, true);
	p[4] ^= 0x40;
	assert_int_equal(nlab_wire_open(bad, &w, &e), -1);
	assert_non_null(strstr(e.msg, "netlab and netlab-launch differ"));
	close(bad);
	/* the header cut short */
	bad = copy_blob(p, 20, true);
	assert_int_equal(nlab_wire_open(bad, &w, &e), -1);
	assert_non_null(strstr(e.msg, "malformed"));
	close(bad);
	/* the last node cut short: the header reads, that node does not */
	bad = copy_blob(p, (size_t)sb.st_size - 3, true);
	assert_int_equal(nlab_wire_open(bad, &w, &e), 0);
	assert_int_equal(nlab_wire_next(&w, &n), 1);
	nlab_wire_node_free(&n);
	assert_int_equal(nlab_wire_next(&w, &n), 1);
	nlab_wire_node_free(&n);
	assert_int_equal(nlab_wire_next(&w, &n), -1);
	nlab_wire_close(&w);
	close(bad);
	free(p);
	nlab_topology_free(t);
}

static const struct CMUnitTest nodewire_tests[] = {
	cmocka_unit_test(round_trip),
	cmocka_unit_test(refused),
};

UNIT_GROUP("nodewire", nodewire_tests, fixture_setup, fixture_teardown)
