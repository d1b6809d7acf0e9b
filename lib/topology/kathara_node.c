// SPDX-License-Identifier: MIT
/*
 * What one Kathará device's options, scripts and directories become in
 * its [node]: the values of sysctl, env, run and bind (kathara_ini.c
 * writes them, see the table there).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "topology/kathara_lab.h"
#include "base/text.h"
#include "base/util.h"

#define SAFE_WORD                                                              \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"       \
	"_./+@%-"

const struct kat_opt *kat_opt(const struct kat_device *d, const char *name)
{
	const struct kat_opt *last = NULL;

	for (size_t i = 0; i < d->n_opts; i++)
		if (!strcmp(d->opts[i].name, name))
			last = &d->opts[i];
	return last;
}

/* The first line of option @name, else the device's. */
int kat_opt_line(const struct kat_device *d, const char *name)
{
	for (size_t i = 0; i < d->n_opts; i++)
		if (!strcmp(d->opts[i].name, name))
			return d->opts[i].line;
	return d->line;
}

/* @*list grown by one item, @sep between items. */
static void append(char **list, const char *sep, const char *fmt, va_list ap)
{
	cleanup_free char *item = nlab_vstrfmt(fmt, ap);
	char *t =
		*list ? nlab_strfmt("%s%s%s", *list, sep, item) : xstrdup(item);

	free(*list);
	*list = t;
}

/* A growing comma-separated list. */
void kat_add(char **list, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append(list, ", ", fmt, ap);
	va_end(ap);
}

/* A growing "; "-separated command line. */
static void then(char **cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void then(char **cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append(cmd, "; ", fmt, ap);
	va_end(ap);
}

struct kv {
	const char *key;
	char *value;
};

/* Kathará's sysctls for every device, then the device's own (which
 * replace a default of the same key in its place). */
char *kat_sysctls(struct kat_lab *lab, const struct kat_device *d)
{
	static const char *const v4[][2] = {
		{ "net.ipv4.conf.all.rp_filter", "0" },
		{ "net.ipv4.conf.default.rp_filter", "0" },
		{ "net.ipv4.conf.lo.rp_filter", "0" },
		{ "net.ipv4.ip_forward", "1" },
		{ "net.ipv4.icmp_ratelimit", "0" },
	};
	static const char *const v6_on[][2] = {
		{ "net.ipv6.conf.all.forwarding", "1" },
		{ "net.ipv6.conf.all.accept_ra", "0" },
		{ "net.ipv6.icmp.ratelimit", "0" },
		{ "net.ipv6.conf.default.disable_ipv6", "0" },
		{ "net.ipv6.conf.all.disable_ipv6", "0" },
	};
	static const char *const v6_off[][2] = {
		{ "net.ipv6.conf.default.disable_ipv6", "1" },
		{ "net.ipv6.conf.all.disable_ipv6", "1" },
		{ "net.ipv6.conf.default.forwarding", "0" },
		{ "net.ipv6.conf.all.forwarding", "0" },
	};
	const struct kat_opt *ip6 = kat_opt(d, "ipv6");
	bool on = false;
	struct kv kv[32 + 64];
	size_t n = 0;
	char *list = NULL;

	if (ip6)
		on = !strcmp(ip6->value, "1") || !strcasecmp(ip6->value, "y") ||
		     !strcasecmp(ip6->value, "yes") ||
		     !strcasecmp(ip6->value, "t") ||
		     !strcasecmp(ip6->value, "true") ||
		     !strcasecmp(ip6->value, "on");
	for (size_t i = 0; i < ARRAY_SIZE(v4); i++)
		kv[n++] = (struct kv){ v4[i][0], xstrdup(v4[i][1]) };
	for (size_t i = 0; on && i < ARRAY_SIZE(v6_on); i++)
		kv[n++] = (struct kv){ v6_on[i][0], xstrdup(v6_on[i][1]) };
	for (size_t i = 0; !on && i < ARRAY_SIZE(v6_off); i++)
		kv[n++] = (struct kv){ v6_off[i][0], xstrdup(v6_off[i][1]) };
	for (size_t i = 0; i < d->n_opts; i++) {
		const struct kat_opt *s = &d->opts[i];
		cleanup_free char *what =
			nlab_strfmt("%s[%s]", d->name, s->name);
		size_t j;

		if (s->kind->map != KAT_SYSCTL)
			continue;
		if (s->key[strspn(s->key, "abcdefghijklmnopqrstuvwxyz"
					  "0123456789_.-")] ||
		    strchr(s->value, ',') || !*s->value) {
			kat_error(lab, lab->conf, s->line,
				  "%s: netlab takes a sysctl of [a-z0-9_.-] "
				  "with a value, without ','",
				  what);
			continue;
		}
		for (j = 0; j < n && strcmp(kv[j].key, s->key); j++)
			;
		if (j == n && n == ARRAY_SIZE(kv)) {
			kat_error(lab, lab->conf, s->line,
				  "%s: too many sysctls", what);
			continue;
		}
		if (j == n)
			kv[n++].key = s->key;
		else
			free(kv[j].value);
		kv[j].value = xstrdup(s->value);
	}
	for (size_t i = 0; i < n; i++) {
		kat_add(&list, "%s=%s", kv[i].key, kv[i].value);
		free(kv[i].value);
	}
	return list;
}

char *kat_env(struct kat_lab *lab, const struct kat_device *d)
{
	char *list = NULL;

	for (size_t i = 0; i < d->n_opts; i++) {
		const struct kat_opt *e = &d->opts[i];

		if (e->kind->map != KAT_ENV)
			continue;
		if (isdigit((unsigned char)e->key[0]) ||
		    !strcmp(e->key, "NETLAB_LAB") ||
		    !strcmp(e->key, "NETLAB_NODE") || strchr(e->value, ',')) {
			kat_error(lab, lab->conf, e->line,
				  "%s[env]: netlab takes a NAME that does not "
				  "start with a digit, is not NETLAB_LAB or "
				  "NETLAB_NODE, and a VALUE without ','",
				  d->name);
			continue;
		}
		kat_add(&list, "%s=%s", e->key, e->value);
	}
	return list;
}

/* A word for the shell: Kathará's values hold no quotes. */
static char *sh_word(const char *s)
{
	if (*s && !s[strspn(s, SAFE_WORD)])
		return xstrdup(s);
	return nlab_strfmt("'%s'", s);
}

/*
 * Services a startup script starts through an init, which a node does not
 * have (its PID 1 is netlab's supervisor, and systemctl there says "System
 * has not been booted with systemd"): the line, as the script has it with
 * blanks around, and what runs instead.  Kathará's FRR images start FRR
 * with its init script, which Debian's frr has as frrinit.sh (the same
 * script as /etc/init.d/frr, which runs as it is; so does "service frr
 * start", which falls back to it without systemd, but the map does not
 * count on that).
 */
#define FRRINIT "/usr/lib/frr/frrinit.sh"
static const struct {
	const char *line;
	const char *sed;  /* the line as a sed regular expression */
	const char *runs; /* instead */
} services[] = {
	{ "systemctl start frr", "systemctl start frr", FRRINIT " start" },
	{ "systemctl restart frr", "systemctl restart frr",
	  FRRINIT " restart" },
	{ "service frr start", "service frr start", FRRINIT " start" },
	{ "service frr restart", "service frr restart", FRRINIT " restart" },
};

/* Lines that look like a service start netlab does not map. */
static bool init_line(const char *s)
{
	return !strncmp(s, "systemctl ", 10) || !strncmp(s, "service ", 8) ||
	       !strncmp(s, "/etc/init.d/", 12);
}

unsigned kat_services(struct kat_lab *lab, const char *file, const char *text,
		      size_t len)
{
	const char *p = text, *end = text + len;
	unsigned svc = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		cleanup_free char *line = xstrndup(p, (size_t)(e - p));
		const char *s = kat_strip(line);
		size_t i;

		p = nl ? nl + 1 : end;
		for (i = 0; i < ARRAY_SIZE(services); i++)
			if (!strcmp(s, services[i].line))
				break;
		if (i < ARRAY_SIZE(services))
			svc |= 1u << i;
		else if (init_line(s) && strncmp(s, "/etc/init.d/frr ", 16))
			kat_add(&lab->init_lines, "%s: %s", file, s);
	}
	return svc;
}

void kat_service_notes(struct kat_lab *lab)
{
	unsigned all = lab->shared_startup_svc;
	char *list = NULL;

	for (size_t i = 0; i < lab->n_devs; i++)
		all |= lab->devs[i].startup_svc;
	for (size_t i = 0; i < ARRAY_SIZE(services); i++)
		if (all & (1u << i))
			kat_add(&list, "\"%s\" runs %s", services[i].line,
				services[i].runs);
	if (list)
		kat_note(lab,
			 "approximated: in the startup scripts, %s: a node "
			 "has no init (each such script goes through sed)",
			 list);
	free(list);
	if (lab->init_lines)
		kat_note(lab,
			 "not applied: %s: a node has no init to start a "
			 "service (netlab maps only systemctl start frr and "
			 "service frr start)",
			 lab->init_lines);
}

static void script(char **cmd, const char *shell, const char *base,
		   const char *file, bool cr, unsigned svc)
{
	cleanup_free char *sed = NULL;

	/* Kathará turns CR LF into LF when it copies a script */
	if (cr && !svc)
		sed = xstrdup(" 's/\\r$//'");
	else if (cr)
		sed = xstrdup(" -e 's/\\r$//'");
	for (size_t i = 0; i < ARRAY_SIZE(services); i++) {
		char *t;

		if (!(svc & (1u << i)))
			continue;
		t = nlab_strfmt("%s -e 's|^[[:blank:]]*%s[[:blank:]]*$|%s|'",
				sed ? sed : "", services[i].sed,
				services[i].runs);
		free(sed);
		sed = t;
	}
	if (sed)
		then(cmd, "sed%s %s%s | %s -x", sed, base, file, shell);
	else
		then(cmd, "%s -x %s%s", shell, base, file);
}

char *kat_run(struct kat_lab *lab, const char *base, const struct kat_device *d)
{
	const struct kat_opt *sh = kat_opt(d, "shell");
	cleanup_free char *shell = sh_word(sh ? sh->value : "/bin/bash");
	cleanup_free char *limits = NULL;
	char *cmd = NULL;

	for (size_t i = 0; i < d->n_opts; i++) {
		const struct kat_opt *u = &d->opts[i];
		char *t;

		if (u->kind->map != KAT_ULIMIT)
			continue;
		t = nlab_strfmt("%s --%s=%s", limits ? limits : "", u->key,
				u->value);
		free(limits);
		limits = t;
	}
	if (limits)
		then(&cmd, "prlimit --pid $$%s", limits);
	if (lab->shared_startup)
		script(&cmd, shell, base, "shared.startup",
		       lab->shared_startup_cr, lab->shared_startup_svc);
	if (d->startup) {
		cleanup_free char *f = nlab_strfmt("%s.startup", d->name);

		script(&cmd, shell, base, f, d->startup_cr, d->startup_svc);
	}
	for (size_t i = 0; i < d->n_opts; i++)
		if (d->opts[i].kind->map == KAT_EXEC)
			then(&cmd, "%s -c '%s'", shell, d->opts[i].value);
	return cmd;
}

char *kat_binds(struct kat_lab *lab, const char *base,
		const struct kat_device *d)
{
	char *list = NULL;

	if (lab->shared_dir && !access("/shared", F_OK))
		kat_add(&list, "%sshared:/shared", base);
	for (size_t i = 0; i < d->n_opts; i++) {
		const struct kat_opt *v = &d->opts[i];
		cleanup_free char *guest = xstrdup(v->value);
		char *mode = strrchr(guest, '|');

		if (v->kind->map != KAT_VOLUME)
			continue;
		*mode++ = '\0';
		if (strpbrk(v->key, ",:") || strpbrk(guest, ",:")) {
			kat_error(lab, lab->conf, v->line,
				  "%s[volume]: netlab takes no ',' or ':' in a "
				  "bind's paths",
				  d->name);
			continue;
		}
		kat_add(&list, "%s%s:%s%s", v->key[0] == '/' ? "" : base,
			v->key, guest, strcmp(mode, "rw") ? ":ro" : "");
	}
	return list;
}
