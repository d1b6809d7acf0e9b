/* SPDX-License-Identifier: MIT */
/*
 * The loader's insides, shared by its parts (not a public API):
 *
 *   loader.c         read the file, run the steps below, hand back the model
 *   iniscan.c        the pre-pass: text checks, lines, sections, keys,
 *                    duplicates; then iniparser for the values
 *   load_sections.c  [lab], [switch NAME], unknown sections, the name space
 *   load_node.c      [node NAME]: the settings table and what is an interface
 *   load_iface.c     IFNAME = SEGMENT [ADDRESS...] [OPTION=VALUE...]
 *   load_route.c     route = PREFIX|default via GW [dev IF] [metric N], ...
 *   load_mount.c     bind, tmpfs, files and shared
 *   load_segments.c  segments: members, veth or bridge, their [switch]
 *   load_test.c      [test NAME]: its steps, in file order
 *   load_hosts.c     [host NAME], host =, segments that span hosts
 *
 * Every check reports through load_error() and carries on, so that one run
 * shows the user every error in the file.
 */
#ifndef NLAB_LOAD_H
#define NLAB_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "topology/kathara.h"
#include "base/seen.h"
#include "topology/topology.h"

/* One key of the file, in file order. */
struct ini_key {
	char *name;	/* folded to lower case, as iniparser keys it */
	char *value;	/* iniparser's value; NULL when shadowed */
	int line;	/* where the key starts */
	size_t section; /* index in ini_file.sections */
	bool shadowed;	/* an equal key later in the section replaces it */
	bool step;	/* a line of a [test] section: keys repeat there */
};

struct ini_section {
	char *name;  /* "node r1": trimmed, lower case (iniparser's key) */
	char *label; /* "[node r1]", for messages */
	int line;
	size_t *keys; /* indexes into ini_file.keys, in file order */
	size_t n_keys, cap_keys;
};

struct ini_file {
	char *text; /* what iniparser reads (see iniscan.c) */
	size_t len, cap;
	struct ini_section *sections;
	size_t n_sections, cap_sections;
	struct ini_key *keys;
	size_t n_keys, cap_keys;
	bool broken; /* errors at the syntax level: go no further */
};

struct load_error {
	int line;   /* 0: about the whole file */
	size_t seq; /* order of discovery, to sort stably */
	char *msg;
};

/* An interface and the segment it names, until the segments are built. */
struct load_member {
	size_t node, iface; /* indexes: the arrays still grow */
	char segment[NLAB_NAME_MAX + 1];
	int line;
};

/* [lab] labels: one SEGMENT=TEXT, until the segments are built. */
struct load_label {
	char *segment;
	char *text;
	int line;
};

struct loadctx {
	const char *path; /* as the user gave it */
	/* A translated topology (kathara.h): where each of its lines comes
	 * from, map[LINE - 1]; NULL for a topology file. */
	const struct nlab_src *map;
	size_t n_map;
	const struct nlab_load_opts *opts;
	struct nlab_topology *t;
	const char *sect; /* "[node r1]" while in a section */
	struct load_error *errs;
	size_t n_errs, cap_errs, total_errs;
	struct nlab_seen names;	     /* nodes, switches, segments */
	struct nlab_seen addrs;	     /* addresses and MACs, lab-wide */
	struct nlab_seen segwords;   /* segment names seen in values */
	struct load_member *members; /* every interface's segment */
	size_t n_members;
	size_t node_sections; /* [node ...] sections, valid or not */
	struct load_label *labels;
	size_t n_labels;
};

/*
 * Report a topology error: "PATH:LINE: SECT KEY: what", where the parts
 * that are 0/NULL are left out ("PATH: what" for line 0; the section is
 * c->sect).
 */
void load_error(struct loadctx *c, int line, const char *key, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));
/* @line as a message names it ("(line N)"): of the user's file, which is
 * the translated one's source for a Kathará lab (0: none). */
int load_line(const struct loadctx *c, int line);

int ini_scan(struct loadctx *c, const char *buf, size_t len,
	     struct ini_file *f);
int ini_read_values(struct loadctx *c, struct ini_file *f);
void ini_file_free(struct ini_file *f);

/* A row of a settings table: one per key a section kind knows.  @obj is
 * the section's object: the topology, a switch or a node. */
struct load_setting {
	const char *name;
	void (*parse)(struct loadctx *c, void *obj, const struct ini_key *k);
	const char *help;
};

/* The setting named @name in @table, or NULL. */
const struct load_setting *load_setting_find(const struct load_setting *table,
					     size_t n, const char *name);
/* Parse every key of @s as a setting of @table; any other key is an
 * unknown setting, reported with a suggestion or the list. */
void load_settings(struct loadctx *c, const struct ini_file *f,
		   const struct ini_section *s,
		   const struct load_setting *table, size_t n, void *obj);

void load_sections(struct loadctx *c, const struct ini_file *f);
/* c->names holds node and switch names; its idx says which and where. */
#define LOAD_NAME_IDX(i, is_switch) ((i)*2 + (is_switch))
#define LOAD_NAME_IS_SWITCH(idx)    ((idx)&1)
#define LOAD_NAME_INDEX(idx)	    ((idx) / 2)

bool load_node_setting(const char *key);
void load_segment_words(struct loadctx *c, const struct ini_file *f,
			const struct ini_section *s);
void load_node(struct loadctx *c, const struct ini_file *f,
	       const struct ini_section *s, struct nlab_node *n);

void load_iface(struct loadctx *c, struct nlab_node *n,
		const struct ini_key *k);
void load_routes(struct loadctx *c, void *node, const struct ini_key *k);
void load_check_routes(struct loadctx *c, const struct nlab_node *n);
void load_binds(struct loadctx *c, void *node, const struct ini_key *k);
void load_tmpfs(struct loadctx *c, void *node, const struct ini_key *k);
void load_files(struct loadctx *c, void *node, const struct ini_key *k);
/* shared, in [node NAME] and (for every node) in [lab]. */
void load_shared(struct loadctx *c, const struct ini_key *k, unsigned *out);
/* Mount targets: on the host, in a private directory or in files. */
void load_check_mounts(struct loadctx *c, const struct nlab_node *n);

void load_segments(struct loadctx *c);

/* [host NAME], a node's host =, and the segments that span hosts
 * (load_hosts.c). */
void load_host_section(struct loadctx *c, const struct ini_file *f,
		       const struct ini_section *s, const char *name);
void load_hosts_check(struct loadctx *c);
void load_node_host(struct loadctx *c, void *node, const struct ini_key *k);
void load_hosts_segments(struct loadctx *c);

/* [test NAME] (load_test.c), once every node is loaded. */
void load_test(struct loadctx *c, const struct ini_file *f,
	       const struct ini_section *s, const char *name);

/* Room for element @n of an array whose capacity follows from its length
 * (the model keeps no capacities); returns it, zeroed. */
void *load_push(void *arr, size_t n, size_t size);

/* Call @one for each entry of a comma-separated value (route, sysctl,
 * bind, tmpfs); an empty entry is reported. */
typedef void load_item_fn(struct loadctx *c, struct nlab_node *n,
			  const struct ini_key *k, char *item);
void load_each_item(struct loadctx *c, struct nlab_node *n,
		    const struct ini_key *k, load_item_fn *one);

/* Is @name an interface option (mac, mtu or an impairment)? */
bool load_iface_option(const char *name);

/* Shared value parsers: 0, or -1 after reporting. */
int load_yes_no(struct loadctx *c, const struct ini_key *k, bool *out);
int load_uint(struct loadctx *c, const struct ini_key *k, const char *what,
	      const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* A size (nlab_parse_size) from @min to @max bytes. */
int load_size(struct loadctx *c, const struct ini_key *k, uint64_t min,
	      uint64_t max, uint64_t *out);
/* log_max, in [lab] and [node NAME]: a size within NLAB_LOG_MAX_*. */
void load_log_max(struct loadctx *c, const struct ini_key *k, uint64_t *out);

#endif
