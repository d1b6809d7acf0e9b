/* SPDX-License-Identifier: MIT */
/*
 * The typed topology model: what a lab file says, resolved and validated.
 *
 * The loader (loader.c) fills it from an INI file; everything after that
 * (plan, apply, graph, status) reads only this model and never the file.
 * Every object keeps the line it was declared on so later stages can still
 * point at the user's file.
 */
#ifndef NLAB_TOPOLOGY_H
#define NLAB_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define NLAB_NAME_MAX	32 /* [a-z0-9][a-z0-9_-]{0,31} */
#define NLAB_IFNAME_MAX 15 /* IFNAMSIZ - 1 */
#define NLAB_MAX_ERRORS 20 /* errors reported before the loader gives up */

/* log_max: the most bytes of a node's output kept on disk (NODE.log and
 * NODE.log.1 together, see nodelog.h). */
#define NLAB_LOG_MAX_DEFAULT (4ULL << 20)
#define NLAB_LOG_MAX_MIN     (64ULL << 10)
#define NLAB_LOG_MAX_MAX     (1ULL << 30)

struct nlab_prefix {
	int family;	  /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* network byte order; 4 bytes used for AF_INET */
	uint8_t len;	  /* prefix length */
};

/* Egress impairments.  Zero means "not set"; *_set flags say what was
 * given so that an explicit 0 (loss=0%) is still shown and applied. */
struct nlab_impair {
	uint64_t rate_bps;    /* bits per second, tbf */
	uint32_t delay_us;    /* netem */
	uint32_t jitter_us;   /* netem */
	double loss_pct;      /* netem, 0..100 */
	double duplicate_pct; /* netem, 0..100 */
	double corrupt_pct;   /* netem, 0..100 */
	double reorder_pct;   /* netem, 0..100 */
	unsigned set;	      /* NLAB_IMP_* bits */
};

enum {
	NLAB_IMP_RATE = 1 << 0,
	NLAB_IMP_DELAY = 1 << 1,
	NLAB_IMP_JITTER = 1 << 2,
	NLAB_IMP_LOSS = 1 << 3,
	NLAB_IMP_DUPLICATE = 1 << 4,
	NLAB_IMP_CORRUPT = 1 << 5,
	NLAB_IMP_REORDER = 1 << 6,
	/* every option that needs the netem qdisc */
	NLAB_IMP_NETEM = NLAB_IMP_DELAY | NLAB_IMP_JITTER | NLAB_IMP_LOSS |
			 NLAB_IMP_DUPLICATE | NLAB_IMP_CORRUPT |
			 NLAB_IMP_REORDER,
};

struct nlab_node;
struct nlab_segment;
struct nlab_test; /* labtest.h */

struct nlab_iface {
	char name[NLAB_IFNAME_MAX + 1];
	struct nlab_node *node;	      /* owner */
	struct nlab_segment *segment; /* the wire it plugs into */
	struct nlab_prefix *addrs;    /* address/prefixlen as written */
	size_t n_addrs;
	uint8_t mac[6];
	bool has_mac;
	uint32_t mtu; /* 0: kernel default */
	struct nlab_impair impair;
	int line;
};

struct nlab_route {
	struct nlab_prefix dst; /* len 0 for default */
	bool is_default;
	int gw_family;
	uint8_t gw[16];
	char dev[NLAB_IFNAME_MAX + 1]; /* "" when not given */
	uint32_t metric;
	bool has_metric;
	int line;
};

struct nlab_sysctl {
	char *key; /* dotted, e.g. net.ipv4.conf.all.rp_filter */
	char *value;
	int line;
};

/* A variable of the node's `env`, for its `run` and `exec`. */
struct nlab_env {
	char *name; /* [A-Za-z_][A-Za-z0-9_]* */
	char *value;
	int line;
};

struct nlab_mount {
	char *source; /* absolute host path (bind) or NULL (tmpfs) */
	char *target; /* absolute path inside the node */
	bool readonly;
	/* tmpfs options: 0 / -1 when not given (mode then 0755) */
	uint64_t size; /* bytes */
	int mode;
	long long uid, gid; /* resolved on the host when the file is loaded */
	int line;
};

/*
 * The directories every node has its own of: an empty tmpfs with the
 * host directory's owner and mode, unless the node's `shared` gives it
 * back.  /var/run is /run's (the same bit): the host's /var/run is
 * normally a symlink to /run, and a real directory is made private too.
 */
enum {
	NLAB_PRIV_TMP = 1 << 0,
	NLAB_PRIV_VAR_TMP = 1 << 1,
	NLAB_PRIV_RUN = 1 << 2,
	NLAB_PRIV_VAR_LOG = 1 << 3,
	NLAB_PRIV_ALL = (1 << 4) - 1,
};

struct nlab_private_dir {
	const char *path;
	unsigned bit;
	/* What of the host's top level is made again, empty, in the
	 * node's own: NLAB_SKEL_SHARED its symlinks and sticky shared
	 * directories (/run/lock, /run/shm: others point there, /var/lock
	 * -> /run/lock); NLAB_SKEL_DIRS its symlinks and every directory,
	 * with their owners and modes (/var/log/frr, owned by frr, where
	 * a daemon that dropped privileges writes its log). */
	enum { NLAB_SKEL_NONE, NLAB_SKEL_SHARED, NLAB_SKEL_DIRS } skel;
};
#define NLAB_N_PRIVATE_DIRS 5 /* entries of nlab_private_dirs[] */
extern const struct nlab_private_dir nlab_private_dirs[NLAB_N_PRIVATE_DIRS];
extern const size_t nlab_n_private_dirs;

/*
 * [host NAME]: one machine of a lab spread over several (multihost.h).
 * A node's `host =` names one; without [host] sections the lab is on the
 * machine `up` runs on, as always.
 */
enum nlab_via {
	NLAB_VIA_UNSET, /* not given: an error */
	NLAB_VIA_LOCAL, /* via = local: the machine `up` runs on */
	NLAB_VIA_SSH,	/* via = ssh [USER@]HOST */
	NLAB_VIA_EXEC,	/* via = exec ARGV...: a command that runs its
			 * arguments on the host (tests: a simulated host) */
};

struct nlab_host {
	char name[NLAB_NAME_MAX + 1];
	int family;	  /* of addr: AF_INET or AF_INET6 */
	uint8_t addr[16]; /* the underlay address other hosts reach it on */
	enum nlab_via via;
	char **argv; /* ssh: { "USER@HOST" }; exec: the command; NULL-ended */
	size_t argc;
	uint32_t mtu; /* the underlay's MTU (default 1500) */
	int line;
};

struct nlab_node {
	char name[NLAB_NAME_MAX + 1];
	struct nlab_host *host; /* `host =`; NULL in a one-host lab */
	int host_line;		/* the line of `host =`, 0 without one */
	bool spread;		/* host placed by `up --spread`, not host = */
	struct nlab_iface *ifaces;
	size_t n_ifaces;
	struct nlab_route *routes;
	size_t n_routes;
	struct nlab_sysctl *sysctls;
	size_t n_sysctls;
	struct nlab_mount *mounts; /* bind and tmpfs, in file order */
	size_t n_mounts;
	struct nlab_env *env; /* in file order */
	size_t n_env;
	bool forward;
	char *run;	  /* NULL when not given */
	uint64_t log_max; /* bytes; [lab] log_max or the default if unset */
	char *ready;	  /* ready = COMMAND, or NULL (labtest.h) */
	char *files;	  /* `files`: absolute host directory, or NULL */
	unsigned shared;  /* NLAB_PRIV_* bits shared with the host */
	int line;
};

struct nlab_switch {
	char name[NLAB_NAME_MAX + 1];
	bool stp;
	bool vlan_filtering;
	uint32_t mtu; /* 0: default */
	uint32_t ageing_s;
	bool has_ageing;
	int line;
};

enum nlab_segment_kind {
	NLAB_SEG_VETH,	 /* two members, no [switch]: one veth pair */
	NLAB_SEG_BRIDGE, /* 3+ members or a [switch]: bridge in LAB.SEGMENT */
};

struct nlab_segment {
	char name[NLAB_NAME_MAX + 1];
	enum nlab_segment_kind kind;
	struct nlab_iface **members; /* in file order */
	size_t n_members;
	struct nlab_switch *sw; /* NULL for a veth segment */
	char *label;		/* [lab] labels: the name to show, or NULL */
	/* Members on more than one [host]: stitched with VXLAN. */
	bool spans;
	uint32_t vni; /* spans: its VXLAN network identifier */
	uint32_t mtu; /* spans: the MTU of its interfaces and ports */
};

/* [lab] hosts: what /etc/netns/LAB.NODE/hosts each node gets. */
enum nlab_hosts_mode {
	NLAB_HOSTS_NO,	    /* none */
	NLAB_HOSTS_SHARED,  /* yes: one file, every node's a hard link to it */
	NLAB_HOSTS_PRIVATE, /* private: a copy of its own per node */
};

struct nlab_topology {
	char *path;   /* as given by the user */
	char *dir;    /* absolute directory of the file */
	char *source; /* the file's text as loaded, for the lab's state */
	size_t source_len;
	char name[NLAB_NAME_MAX + 1]; /* the lab's name */
	char *description;	      /* [lab] description, or NULL */
	enum nlab_hosts_mode hosts;   /* /etc/netns/LAB.NODE/hosts */
	/* One host's part of a lab over several hosts: the whole lab, whose
	 * nodes every hosts file lists (not owned; NULL: this one's). */
	const struct nlab_topology *whole;
	uint64_t log_max;	      /* the nodes' default log_max */
	unsigned shared;	      /* the nodes' default `shared` */
	struct nlab_node *nodes;
	size_t n_nodes;
	struct nlab_switch *switches; /* declared [switch] sections */
	size_t n_switches;
	struct nlab_segment
		*segments; /* every segment, file order of first use */
	size_t n_segments;
	/* What an import from another format (kathara.h) did not apply or
	 * only approximated, one line each; NULL for a topology file. */
	char **notes;
	size_t n_notes;
	struct nlab_test *tests; /* [test NAME] sections, in file order */
	size_t n_tests;
	struct nlab_host *machines; /* [host NAME] sections, in file order */
	size_t n_machines;
};

/* Topology errors: one line each, "FILE:LINE: [section] key: what". */
struct nlab_diag {
	char *lines[NLAB_MAX_ERRORS];
	size_t n;     /* stored lines */
	size_t total; /* errors found, may exceed n */
};

void nlab_diag_add(struct nlab_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void nlab_diag_free(struct nlab_diag *d);

/*
 * Load and validate @path.  Returns 0 and sets *out on success.  On a
 * topology error returns -2 with every error found in @diag.  On an
 * I/O-level failure (file unreadable) also returns -2 with one diag line
 * "FILE: reason" (a missing file is a usage/topology error, exit 2).
 * Nothing outside the process is touched; no privileges are needed.
 * Checks that depend on the host filesystem (bind sources, mount targets)
 * are done here too.
 */
int nlab_topology_load(const char *path, struct nlab_topology **out,
		       struct nlab_diag *diag);

/* Options for loading a lab's stored copy of its topology
 * (/run/netlab/LAB/topology.ini): relative paths resolve against @dir (the
 * original file's directory) and host-filesystem checks can be skipped. */
struct nlab_load_opts {
	const char *dir;     /* NULL: the file's own directory */
	bool skip_fs_checks; /* do not stat bind sources / mount targets */
	const char *name;    /* lab name when the file has no [lab] name
			      * (NULL: the file's base name without .ini) */
	const char *rename;  /* the lab's name, whatever the file says
			      * (`up --name`; a running lab's stored copy) */
	bool spread;	     /* place nodes without host = (`up --spread`) */
	const char *place;   /* "NODE HOST\n" lines: where `up --spread`
			      * put the nodes without host = (spread.h) */
};
/*
 * @path may also be a Kathará lab (a directory with a lab.conf, or the
 * lab.conf itself, see kathara.h): it is translated into a topology and
 * loaded like one, errors pointing at the lab's own files.
 */
int nlab_topology_load_opts(const char *path, const struct nlab_load_opts *o,
			    struct nlab_topology **out, struct nlab_diag *diag);
void nlab_topology_free(struct nlab_topology *t);

/* For cleanup attributes: `cleanup_topology struct nlab_topology *t = NULL;`
 * and `cleanup_diag struct nlab_diag d = { 0 };`. */
static inline void nlab_topology_freep(struct nlab_topology **t)
{
	nlab_topology_free(*t);
}
#define cleanup_topology __attribute__((cleanup(nlab_topology_freep)))
#define cleanup_diag	 __attribute__((cleanup(nlab_diag_free)))

struct nlab_node *nlab_topology_node(const struct nlab_topology *t,
				     const char *name);
struct nlab_iface *nlab_node_iface(const struct nlab_node *n, const char *name);

/* Totals for `check`'s one-line summary. */
struct nlab_counts {
	size_t nodes, switches, links, addresses, routes;
};
void nlab_topology_counts(const struct nlab_topology *t, struct nlab_counts *c);

/* Name rules, shared by the loader and the CLI (which validates LAB/NODE
 * arguments before building paths from them). */
bool nlab_valid_name(const char *s);
/* @s is [a-z0-9] then at most @max - 1 of [a-z0-9] and the bytes of
 * @more (the shape both names above share). */
bool nlab_name_like(const char *s, size_t max, const char *more);
bool nlab_valid_ifname(const char *s);

/* The environment variables netlab sets in a node (nodeenv.h), which a
 * node's `env` may not: NETLAB_LAB and NETLAB_NODE. */
#define NLAB_ENV_LAB  "NETLAB_LAB"
#define NLAB_ENV_NODE "NETLAB_NODE"
bool nlab_env_reserved(const char *name);

/* The MTU interface @f gets: its own, else its switch's, else 1500. */
uint32_t nlab_iface_mtu(const struct nlab_iface *f);

/* The name a segment is shown by: its label, else its name. */
static inline const char *nlab_segment_shown(const struct nlab_segment *s)
{
	return s->label ? s->label : s->name;
}

/*
 * The entry of nlab_private_dirs[] that @path (absolute, clean) lies in
 * and that @n has its own of, or -1.  A path in the topology's own
 * directory is never private: the node sees that directory at its path.
 */
int nlab_node_private_of(const struct nlab_topology *t,
			 const struct nlab_node *n, const char *path);
/* Is @path @dir or below it (both absolute and clean)? */
bool nlab_path_under(const char *path, const char *dir);

/* Formatting helpers. buf must hold at least 64 bytes. */
const char *nlab_prefix_str(const struct nlab_prefix *p, char *buf, size_t len);
/* Impairments in topology syntax ("rate=1mbit delay=10ms"); "" if none. */
const char *nlab_impair_str(const struct nlab_impair *imp, char *buf,
			    size_t len);

/*
 * Parse "OPTION=VALUE" impairment options (the topology's syntax) into
 * @imp, e.g. for `netlab impair`.  mac/mtu are refused here.  Returns 0, or
 * -1 with a message "what is wrong" (no FILE:LINE) in @e.
 */
int nlab_impair_parse(const char *opt, struct nlab_impair *imp,
		      struct nlab_err *e);
/* Once all options are parsed: jitter and reorder need a delay.  Returns
 * 0, or -1 with a message in @e. */
int nlab_impair_check(const struct nlab_impair *imp, struct nlab_err *e);

#endif
