// SPDX-License-Identifier: MIT
/* The loader's side of a node's own file system: files, shared, tmpfs
 * options, and where a mount target may be missing on the host. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "unit.h"

/* Load a file that must be valid, or must fail naming a needle: fixture.h */
#define load_ok	 fixture_load_ok
#define load_bad fixture_load_bad

/* files: relative to the file's directory, made absolute and clean. */
static void files_path(void **state)
{
	struct nlab_topology *t;
	char want[512];

	(void)state;
	mkdir(fixture_path("r1"), 0755);
	mkdir(fixture_path("r1/etc"), 0755);
	t = load_ok("files.ini", "[node a]\nfiles = ./r1/\n[node b]\n");
	snprintf(want, sizeof(want), "%s/r1", fixture_dir());
	assert_string_equal(t->nodes[0].files, want);
	assert_null(t->nodes[1].files);
	nlab_topology_free(t);
}

/* A DIR that brings /proc or /sys is refused: netlab mounts them. */
static void files_own(void **state)
{
	(void)state;
	mkdir(fixture_path("r2"), 0755);
	mkdir(fixture_path("r2/proc"), 0755);
	load_bad("files-own.ini", "[node a]\nfiles = r2\n",
		 "r2/proc: netlab mounts the node's own /proc");
}

/* shared: bits; [lab] gives every node's default, a node its own. */
static void shared_bits(void **state)
{
	struct nlab_topology *t;

	(void)state;
	t = load_ok("shared.ini", "[lab]\nshared = /tmp, /var/log/\n"
				  "[node a]\n"
				  "[node b]\nshared = none\n"
				  "[node c]\nshared = all\n"
				  "[node d]\nshared = /var/run\n");
	assert_int_equal(t->nodes[0].shared, NLAB_PRIV_TMP | NLAB_PRIV_VAR_LOG);
	assert_int_equal(t->nodes[1].shared, 0);
	assert_int_equal(t->nodes[2].shared, NLAB_PRIV_ALL);
	assert_int_equal(t->nodes[3].shared, NLAB_PRIV_RUN);
	nlab_topology_free(t);
	t = load_ok("shared0.ini", "[node a]\n");
	assert_int_equal(t->nodes[0].shared, 0);
	nlab_topology_free(t);
}

/* tmpfs options, names resolved on the host. */
static void tmpfs_options(void **state)
{
	struct nlab_topology *t;
	const struct nlab_mount *m;

	(void)state;
	t = load_ok("tmpfs.ini",
		    "[node a]\n"
		    "tmpfs = /run/x size=16m mode=0750 uid=root gid=0, "
		    "/mnt, /tmp/z mode=1777\n");
	m = &t->nodes[0].mounts[0];
	assert_string_equal(m->target, "/run/x");
	assert_null(m->source);
	assert_int_equal(m->size, 16 << 20);
	assert_int_equal(m->mode, 0750);
	assert_int_equal(m->uid, 0);
	assert_int_equal(m->gid, 0);
	m = &t->nodes[0].mounts[1];
	assert_int_equal(m->size, 0);
	assert_int_equal(m->mode, -1);
	assert_int_equal(m->uid, -1);
	assert_int_equal(m->gid, -1);
	assert_int_equal(t->nodes[0].mounts[2].mode, 01777);
	nlab_topology_free(t);
}

/* A target in a private directory need not exist on the host: netlab
 * makes it in the node's own.  Shared, it must; in the topology's own
 * directory (the host's, even under /tmp), too; and files may bring it. */
static void private_targets(void **state)
{
	struct nlab_topology *t;
	char text[512], want[512];

	(void)state;
	mkdir(fixture_path("r3"), 0755);
	mkdir(fixture_path("r3/etc"), 0755);
	mkdir(fixture_path("r3/etc/nlt-unit"), 0755);
	t = load_ok("priv.ini",
		    "[node a]\n"
		    "tmpfs = /run/nlt-unit/x, /var/run/nlt-unit, "
		    "/tmp/nlt-unit, /var/tmp/nlt-unit, /var/log/nlt-unit\n"
		    "bind = r3:/tmp/nlt-unit-bind\n"
		    "[node b]\n"
		    "files = r3\n"
		    "tmpfs = /etc/nlt-unit\n");
	assert_int_equal(nlab_node_private_of(t, &t->nodes[0], "/run/x"), 2);
	assert_int_equal(nlab_node_private_of(t, &t->nodes[0], "/var/run/x"),
			 3);
	assert_int_equal(nlab_node_private_of(t, &t->nodes[0], "/runx"), -1);
	assert_int_equal(nlab_node_private_of(t, &t->nodes[0], "/etc"), -1);
	/* the fixture's directory is under /tmp */
	assert_int_equal(
		nlab_node_private_of(t, &t->nodes[0], fixture_path("x")), -1);
	nlab_topology_free(t);
	load_bad("priv-shared.ini",
		 "[node a]\nshared = /run\ntmpfs = /run/nlt-unit\n",
		 "tmpfs: /run/nlt-unit does not exist on the host");
	snprintf(text, sizeof(text), "[node a]\ntmpfs = %s\n",
		 fixture_path("no-such-dir"));
	snprintf(want, sizeof(want), "tmpfs: %s does not exist on the host",
		 fixture_path("no-such-dir"));
	load_bad("priv-topo.ini", text, want);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(files_path),	   cmocka_unit_test(files_own),
	cmocka_unit_test(shared_bits),	   cmocka_unit_test(tmpfs_options),
	cmocka_unit_test(private_targets),
};

UNIT_GROUP("files", tests, fixture_setup, fixture_teardown)
