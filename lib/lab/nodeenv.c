// SPDX-License-Identifier: MIT
/* The environment of a node's processes: see nodeenv.h. */
#include "lab/nodeenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* The documented defaults, in the order they are passed on. */
static const struct {
	const char *name;
	const char *value;
} defaults[] = {
	{ "PATH", NLAB_ENV_PATH },
	{ "HOME", "/root" },
	{ "TERM", "dumb" },
	{ "LANG", "C.UTF-8" },
};

static const struct nlab_env *node_var(const struct nlab_node *n,
				       const char *name)
{
	for (size_t i = 0; i < n->n_env; i++)
		if (!strcmp(n->env[i].name, name))
			return &n->env[i];
	return NULL;
}

static char *pair(const char *name, const char *value)
{
	size_t len = strlen(name) + strlen(value) + 2;
	char *s = xmalloc(len);

	snprintf(s, len, "%s=%s", name, value);
	return s;
}

static bool is_default(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
		if (!strcmp(defaults[i].name, name))
			return true;
	return false;
}

char **nlab_node_environ(const char *lab, const struct nlab_node *n,
			 const char *term)
{
	size_t k = 0;
	char **env =
		xcalloc(ARRAY_SIZE(defaults) + 2 + n->n_env + 1, sizeof(*env));
	const char *lang = getenv("LANG");

	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
		const char *name = defaults[i].name, *value = defaults[i].value;
		const struct nlab_env *v = node_var(n, name);

		if (!strcmp(name, "LANG") && lang && *lang)
			value = lang;
		if (v)
			value = v->value;
		if (!strcmp(name, "TERM") && term && *term)
			value = term;
		env[k++] = pair(name, value);
	}
	env[k++] = pair(NLAB_ENV_LAB, lab);
	env[k++] = pair(NLAB_ENV_NODE, n->name);
	for (size_t i = 0; i < n->n_env; i++)
		if (!is_default(n->env[i].name))
			env[k++] = pair(n->env[i].name, n->env[i].value);
	env[k] = NULL;
	return env;
}

void nlab_environ_free(char **env)
{
	if (!env)
		return;
	for (char **p = env; *p; p++)
		free(*p);
	free(env);
}
