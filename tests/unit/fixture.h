/* SPDX-License-Identifier: MIT */
/* Topology files for tests, in a private temporary directory. */
#ifndef NLAB_FIXTURE_H
#define NLAB_FIXTURE_H

#include "topology/topology.h"

/* Group setup/teardown: make and remove the directory. */
int fixture_setup(void **state);
int fixture_teardown(void **state);

/* The directory, and a path in it (static buffer, valid until the next
 * call). */
const char *fixture_dir(void);
const char *fixture_path(const char *name);

/* Write @text to NAME in the directory; returns its path. */
const char *fixture_write(const char *name, const char *text);

/* Write and load; returns the topology or NULL, with the errors in @d
 * (which the caller frees). */
struct nlab_topology *fixture_load(const char *name, const char *text,
				   struct nlab_diag *d);

/* Does any error line contain @needle? */
bool fixture_diag_has(const struct nlab_diag *d, const char *needle);

/* Load @text that must be valid: its topology (the caller frees it);
 * the test fails, with the errors, if not. */
struct nlab_topology *fixture_load_ok(const char *name, const char *text);

/* Load @text that must fail with an error line containing @needle; the
 * test fails, with the errors, if not. */
void fixture_load_bad(const char *name, const char *text, const char *needle);

#endif
