/* SPDX-License-Identifier: MIT */
/*
 * Kathará labs: a directory with a lab.conf (kathara-lab.conf(5)), one
 * DEVICE.startup script and one DEVICE/ file tree per device, maybe a
 * shared/ directory, shared.startup and lab.dep.
 *
 * A lab is translated into netlab's own topology text (INI), which the
 * loader then reads like any topology file: `netlab convert` prints that
 * text, `up`, `check` and `graph` load it, the lab's state keeps it, and
 * every check of the loader applies to it.  A map says, for each line of
 * the text, which line of which of the lab's files it comes from, so that
 * an error found in the text still points at the lab: `lab.conf:7:
 * r1[0]: ...`.
 *
 *   kathara.c      the lab.conf grammar and Kathará's checks of it
 *   kathara_dir.c  the lab's directory: scripts, file trees, lab.dep,
 *                  lab.ext
 *   kathara_ini.c  the topology text: names, sections, notes, the map
 *   kathara_node.c a device's settings: sysctl, env, run, bind
 */
#ifndef NLAB_KATHARA_H
#define NLAB_KATHARA_H

#include <stdbool.h>
#include <stddef.h>

#include "topology/topology.h"

/* Where a line of a translated topology comes from. */
struct nlab_src {
	char *file; /* the lab's file, as shown in messages */
	int line;   /* 0: the file as a whole */
	char *what; /* "r1[0]": the key it comes from, or NULL */
};

struct nlab_kathara {
	char *dir;  /* the lab's directory, absolute */
	char *conf; /* its lab.conf, as shown in messages */
	char *ini;  /* the topology text */
	size_t ini_len;
	struct nlab_src *map; /* map[i]: line i + 1 of ini */
	size_t n_map;
	char **notes; /* what was not applied or only approximated */
	size_t n_notes;
};

/* Is @path meant as a Kathará lab: a directory, or a file named
 * lab.conf? */
bool nlab_kathara_path(const char *path);

/*
 * Translate the lab at @path (a directory, or its lab.conf).  The text
 * names the lab's files relative to its directory (it is loaded with
 * that directory as its own), or with @from_cwd relative to the current
 * one, through @path (for `convert`, whose output is saved there).
 * @name, if not NULL, is the lab's name instead of LAB_NAME's or the
 * directory's.  Returns 0, or -2 with every error found in @d, each
 * "FILE:LINE: what".  Reads the lab's files, changes nothing.
 */
int nlab_kathara_load(const char *path, bool from_cwd, const char *name,
		      struct nlab_kathara *k, struct nlab_diag *d);
void nlab_kathara_free(struct nlab_kathara *k);

#endif
