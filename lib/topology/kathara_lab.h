/* SPDX-License-Identifier: MIT */
/*
 * A Kathará lab as read (not a public API; see kathara.h for the parts):
 * lab.conf's devices, interfaces and options as Kathará's own model keeps
 * them, and what the lab's directory holds for each device.
 */
#ifndef NLAB_KATHARA_LAB_H
#define NLAB_KATHARA_LAB_H

#include <stdbool.h>
#include <stddef.h>

#include "topology/kathara.h"

/* DEVICE[N]=CD[/MAC] */
struct kat_iface {
	unsigned long num;
	char *cd;  /* NULL after an error on its line */
	char *mac; /* NULL: none given */
	int line;
};

/* What lab.conf's options become, and why not when they do not. */
enum kat_map {
	KAT_UNKNOWN, /* not an option Kathará knows */
	KAT_IGNORED, /* known; netlab has nothing like it */
	KAT_SYSCTL,  /* sysctl = */
	KAT_ENV,     /* env = */
	KAT_EXEC,    /* run, after the startup scripts */
	KAT_ULIMIT,  /* run, through prlimit */
	KAT_VOLUME,  /* bind = */
	KAT_IPV6,    /* sysctl = (Kathará's IPv6 defaults) */
	KAT_SHELL,   /* the startup scripts' interpreter */
	KAT_NOTHING, /* privileged: what every node has anyway */
};

struct kat_option {
	const char *name;
	enum kat_map map;
	/* why it is not applied (KAT_IGNORED, KAT_NOTHING), or how it is
	 * approximated; NULL when it maps as it is */
	const char *note;
};

/* DEVICE[NAME]=VALUE as Kathará keeps it: one entry per option, or per
 * key of an option that holds several (sysctl, env, ulimit, port,
 * volume), the last value winning; exec keeps every line. */
struct kat_opt {
	const struct kat_option *kind; /* its row in the options table */
	char *name;		       /* as written */
	char *key;		       /* the key within the option, or NULL */
	char *value;		       /* normalised by Kathará's rules */
	int line;
};

struct kat_device {
	char *name; /* Kathará's */
	int line;   /* its first line in lab.conf */
	struct kat_iface *ifaces;
	size_t n_ifaces;
	struct kat_opt *opts;
	size_t n_opts;
	/* the lab's directory */
	bool startup, startup_cr; /* DEVICE.startup; with CR LF lines */
	unsigned startup_svc;	  /* its lines of kat_services[], a bit each */
	bool tree;		  /* DEVICE/ */
	bool shutdown;		  /* DEVICE.shutdown */
	/* the translation */
	char node[NLAB_NAME_MAX + 1]; /* netlab's name */
	unsigned dep_level;	      /* lab.dep: 0 for none */
};

enum kat_meta {
	KAT_LAB_NAME,
	KAT_LAB_DESCRIPTION,
	KAT_LAB_VERSION,
	KAT_LAB_AUTHOR,
	KAT_LAB_EMAIL,
	KAT_LAB_WEB,
	KAT_LAB__MAX,
};

struct kat_lab {
	char *dir;		 /* absolute */
	char *conf;		 /* lab.conf as shown in messages */
	char *shown_dir;	 /* the directory as shown in messages */
	struct kat_device *devs; /* in lab.conf order */
	size_t n_devs;
	char *meta[KAT_LAB__MAX]; /* LAB_NAME=... */
	int meta_line[KAT_LAB__MAX];
	bool shared_dir, shared_startup, shared_startup_cr, shared_shutdown;
	unsigned shared_startup_svc; /* as a device's startup_svc */
	char *init_lines;	     /* "FILE: LINE" of service starts that
				      * netlab does not map, for a note */
	bool dep;		     /* lab.dep orders the devices */
	char **stray; /* directories and scripts of no device, for a note */
	size_t n_stray;
	char **notes;
	size_t n_notes;
	struct nlab_diag *d;
};

extern const char *const kat_meta_names[KAT_LAB__MAX];

/* kathara.c: lab.conf's text into @lab (devices, options, meta); errors
 * into lab->d.  Returns 0 or -1. */
int kat_parse_conf(struct kat_lab *lab, const char *text, size_t len);
/* Python's str.strip() for ASCII white space, in place. */
char *kat_strip(char *s);
/* [A-Za-z0-9_]+, Python's \w (of ASCII) */
bool kat_word(const char *s);

/* kathara_dir.c: the directory around lab.conf. */
int kat_read_conf(struct kat_lab *lab, const char *path, char **text,
		  size_t *len);
int kat_scan_dir(struct kat_lab *lab);

/* kathara_node.c: a device's settings, each a new string or NULL for
 * none; errors into lab->d.  @base goes before the lab's files. */
char *kat_sysctls(struct kat_lab *lab, const struct kat_device *d);
char *kat_env(struct kat_lab *lab, const struct kat_device *d);
char *kat_run(struct kat_lab *lab, const char *base,
	      const struct kat_device *d);
char *kat_binds(struct kat_lab *lab, const char *base,
		const struct kat_device *d);
/* The device's last value of option @name, or NULL. */
const struct kat_opt *kat_opt(const struct kat_device *d, const char *name);
/* The line of option @name's first value, else the device's. */
int kat_opt_line(const struct kat_device *d, const char *name);
/* The lines of a startup script that start a service through an init
 * (systemctl start frr): a bit per row of kathara_node.c's table, for
 * kat_run; others that call systemctl, service or /etc/init.d/ go into
 * lab->init_lines.  @file is the script's name, for the note. */
unsigned kat_services(struct kat_lab *lab, const char *file, const char *text,
		      size_t len);
/* Notes on the service lines netlab maps, and on the ones it does not. */
void kat_service_notes(struct kat_lab *lab);
/* Append to a ", "-separated list (*list NULL: a new one). */
void kat_add(char **list, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* kathara_ini.c: the topology text. */
void kat_note(struct kat_lab *lab, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void kat_error(struct kat_lab *lab, const char *file, int line, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));
int kat_write_ini(struct kat_lab *lab, bool from_cwd, const char *name,
		  struct nlab_kathara *k);

void kat_lab_free(struct kat_lab *lab);

#endif
