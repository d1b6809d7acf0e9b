// SPDX-License-Identifier: MIT
/* The model's rules that a supervisor applies too (and so the launcher,
 * netlab/launch.c, links): the private directories, paths under a
 * directory, node names.  Nothing here reaches the loader. */
#include <string.h>

#include "base/util.h"
#include "topology/topology.h"

const struct nlab_private_dir nlab_private_dirs[NLAB_N_PRIVATE_DIRS] = {
	{ "/tmp", NLAB_PRIV_TMP, NLAB_SKEL_NONE },
	{ "/var/tmp", NLAB_PRIV_VAR_TMP, NLAB_SKEL_NONE },
	{ "/run", NLAB_PRIV_RUN, NLAB_SKEL_SHARED },
	{ "/var/run", NLAB_PRIV_RUN, NLAB_SKEL_SHARED },
	{ "/var/log", NLAB_PRIV_VAR_LOG, NLAB_SKEL_DIRS },
};
const size_t nlab_n_private_dirs = ARRAY_SIZE(nlab_private_dirs);
_Static_assert(ARRAY_SIZE(nlab_private_dirs) == NLAB_N_PRIVATE_DIRS,
	       "NLAB_N_PRIVATE_DIRS");

bool nlab_path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return path[0] == '/';
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

int nlab_node_private_of(const struct nlab_topology *t,
			 const struct nlab_node *n, const char *path)
{
	for (size_t i = 0; i < nlab_n_private_dirs; i++) {
		const char *d = nlab_private_dirs[i].path;

		if ((n->shared & nlab_private_dirs[i].bit) ||
		    !nlab_path_under(path, d))
			continue;
		/* The topology's directory in there is the host's. */
		if (t->dir && nlab_path_under(t->dir, d) &&
		    nlab_path_under(path, t->dir))
			return -1;
		return (int)i;
	}
	return -1;
}

/* [a-z0-9] then up to @max - 1 of [a-z0-9] and @more. */
bool nlab_name_like(const char *s, size_t max, const char *more)
{
	for (size_t n = 0; s && n <= max; n++) {
		char ch = s[n];
		bool ok = (ch >= 'a' && ch <= 'z') ||
			  (ch >= '0' && ch <= '9') ||
			  (n && ch && strchr(more, ch));

		if (!ch)
			return n > 0;
		if (!ok || n == max)
			return false;
	}
	return false;
}

/* [a-z0-9][a-z0-9_-]{0,31}: also what makes LAB.NAME a safe file name. */
bool nlab_valid_name(const char *s)
{
	return nlab_name_like(s, NLAB_NAME_MAX, "_-");
}

bool nlab_env_reserved(const char *name)
{
	return !strcmp(name, NLAB_ENV_LAB) || !strcmp(name, NLAB_ENV_NODE);
}
