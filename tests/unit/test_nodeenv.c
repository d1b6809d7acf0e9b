// SPDX-License-Identifier: MIT
/* A node's environment: the `env` setting as loaded, and what `run` and
 * `exec` get from it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "lab/nodeenv.h"
#include "unit.h"

static struct nlab_topology *load_env(const char *env_line)
{
	char text[512];
	struct nlab_diag d = { 0 };
	struct nlab_topology *t;

	snprintf(text, sizeof(text), "[node a]\n%s\n[node b]\n", env_line);
	t = fixture_load("env.ini", text, &d);
	for (size_t i = 0; i < d.n; i++)
		print_error("%s\n", d.lines[i]);
	nlab_diag_free(&d);
	assert_non_null(t);
	return t;
}

/* @env as one "\n"-joined string, for one comparison with all of it. */
static char *joined(char **env)
{
	size_t len = 1;
	char *s;

	for (char **p = env; *p; p++)
		len += strlen(*p) + 1;
	s = calloc(1, len);
	for (char **p = env; *p; p++) {
		strcat(s, *p);
		strcat(s, "\n");
	}
	return s;
}

static void check(const char *lab, const struct nlab_node *n, const char *term,
		  const char *want)
{
	char **env = nlab_node_environ(lab, n, term);
	char *got = joined(env);

	assert_string_equal(got, want);
	free(got);
	nlab_environ_free(env);
}

static void parsed(void **state)
{
	struct nlab_topology *t = load_env(
		"env = Greeting = Hello, World=x=y , EMPTY=, _u1=\"q\"");
	const struct nlab_node *a = nlab_topology_node(t, "a");

	(void)state;
	assert_int_equal(a->n_env, 4);
	assert_string_equal(a->env[0].name, "Greeting");
	assert_string_equal(a->env[0].value, "Hello");
	assert_int_equal(a->env[0].line, 2);
	assert_string_equal(a->env[1].name, "World");
	assert_string_equal(a->env[1].value, "x=y");
	assert_string_equal(a->env[2].name, "EMPTY");
	assert_string_equal(a->env[2].value, "");
	assert_string_equal(a->env[3].value, "\"q\"");
	assert_int_equal(nlab_topology_node(t, "b")->n_env, 0);
	nlab_topology_free(t);
}

static void defaults(void **state)
{
	struct nlab_topology *t = load_env("");
	const struct nlab_node *b = nlab_topology_node(t, "b");

	(void)state;
	unsetenv("LANG");
	check("lab", b, NULL,
	      "PATH=" NLAB_ENV_PATH "\nHOME=/root\nTERM=dumb\nLANG=C.UTF-8\n"
	      "NETLAB_LAB=lab\nNETLAB_NODE=b\n");
	setenv("LANG", "de_DE.UTF-8", 1);
	check("lab", b, "xterm",
	      "PATH=" NLAB_ENV_PATH "\nHOME=/root\nTERM=xterm\n"
	      "LANG=de_DE.UTF-8\nNETLAB_LAB=lab\nNETLAB_NODE=b\n");
	setenv("LANG", "", 1);
	check("lab", b, "", /* an empty TERM or LANG is none */
	      "PATH=" NLAB_ENV_PATH "\nHOME=/root\nTERM=dumb\nLANG=C.UTF-8\n"
	      "NETLAB_LAB=lab\nNETLAB_NODE=b\n");
	unsetenv("LANG");
	nlab_topology_free(t);
}

static void overrides(void **state)
{
	struct nlab_topology *t =
		load_env("env = X=1, PATH=/opt/bin, TERM=vt100, LANG=C");
	const struct nlab_node *a = nlab_topology_node(t, "a");

	(void)state;
	setenv("LANG", "de_DE.UTF-8", 1);
	/* run: the node's TERM and LANG win; exec: the caller's TERM wins */
	check("l", a, NULL,
	      "PATH=/opt/bin\nHOME=/root\nTERM=vt100\nLANG=C\nNETLAB_LAB=l\n"
	      "NETLAB_NODE=a\nX=1\n");
	check("l", a, "xterm",
	      "PATH=/opt/bin\nHOME=/root\nTERM=xterm\nLANG=C\nNETLAB_LAB=l\n"
	      "NETLAB_NODE=a\nX=1\n");
	unsetenv("LANG");
	assert_true(nlab_env_reserved("NETLAB_LAB"));
	assert_true(nlab_env_reserved("NETLAB_NODE"));
	assert_false(nlab_env_reserved("NETLAB_OTHER"));
	nlab_topology_free(t);
}

static const struct CMUnitTest nodeenv_tests[] = {
	cmocka_unit_test(parsed),
	cmocka_unit_test(defaults),
	cmocka_unit_test(overrides),
};

UNIT_GROUP("nodeenv", nodeenv_tests, fixture_setup, fixture_teardown)
