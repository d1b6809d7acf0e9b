// SPDX-License-Identifier: MIT
/* netlab capture LAB|FILE NODE IFNAME [-w FILE] [-c COUNT] [FILTER...] */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netlab.h"
#include "cli.h"
#include "labarg.h"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/* The value of -w/-c: "-wFILE", or the next argument. */
static const char *opt_value(int argc, char **argv, int *a)
{
	if (argv[*a][2])
		return argv[*a] + 2;
	if (*a + 1 >= argc)
		return NULL;
	return argv[++*a];
}

static const char *end_note(enum nlab_capture_end end)
{
	switch (end) {
	case NLAB_CAPTURE_LAB_DOWN:
		return "the lab went down";
	case NLAB_CAPTURE_IF_GONE:
		return "the interface went away";
	default:
		return NULL;
	}
}

int cmd_capture(struct cli *cli, int argc, char **argv)
{
	struct nlab_capture_opts o = { .stop = &got_signal };
	struct nlab_capture_result r;
	static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t stops, wait_mask;
	struct nlab_err e = { 0 };
	const char *pos[3] = { NULL }, *val;
	cleanup_free char *filter = NULL;
	size_t n_pos = 0, flen = 0;
	char lab[NLAB_NAME_MAX + 1];
	bool opts_done = false;
	uint64_t count;
	int ret;

	filter = xcalloc(1, 1);
	for (int a = 1; a < argc; a++) {
		const char *s = argv[a];

		if (!opts_done && !strcmp(s, "--")) {
			opts_done = true;
		} else if (!opts_done &&
			   (!strncmp(s, "-w", 2) || !strncmp(s, "-c", 2))) {
			val = opt_value(argc, argv, &a);
			if (!val)
				return cli_usage(cli,
						 "option '%.2s' needs a "
						 "value",
						 s);
			if (s[1] == 'w') {
				o.out = val;
				continue;
			}
			if (nlab_parse_uint(val, ULONG_MAX, &count) || !count)
				return cli_usage(cli, "bad count '%s'", val);
			o.count = (unsigned long)count;
		} else if (!opts_done && s[0] == '-' && s[1]) {
			return cli_usage(cli, "unknown option '%s'", s);
		} else if (n_pos < 3) {
			pos[n_pos++] = s;
		} else {
			/* FILTER: the rest, joined with spaces. */
			size_t len = strlen(s);

			filter = xrealloc(filter, flen + len + 2);
			if (flen)
				filter[flen++] = ' ';
			memcpy(filter + flen, s, len + 1);
			flen += len;
		}
	}
	if (n_pos < 3)
		return cli_usage(cli, "expected LAB NODE IFNAME");
	ret = cli_lab_arg(cli, pos[0], lab, sizeof(lab));
	if (ret)
		return ret;
	o.lab = lab;
	o.node = pos[1];
	o.ifname = pos[2];
	o.filter = filter;
	if (!nlab_valid_name(o.node))
		return cli_usage(cli, "'%s' is not a node name", o.node);
	if (!nlab_valid_ifname(o.ifname) && strcmp(o.ifname, "lo"))
		return cli_usage(cli, "'%s' is not an interface name",
				 o.ifname);
	if ((!o.out || !strcmp(o.out, "-")) && isatty(STDOUT_FILENO))
		return cli_usage(cli, "will not write pcap to a terminal: "
				      "use -w FILE or a pipe");
	if (cli_need_root(cli))
		return EXIT_FAIL;
	for (int i = 1; i < argc; i++) /* pcap goes straight through */
		if (argv[i] == pos[0]) {
			ret = cli_multi_node(cli, lab, o.node, argc, argv, i);
			if (ret >= 0)
				return ret;
			break;
		}

	/* The stop signals are taken only while the capture waits (ppoll
	 * with the old mask), so none slips in just before a wait. */
	sigemptyset(&sa.sa_mask);
	sigemptyset(&stops);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++) {
		sigaction(stop_signals[i], &sa, NULL);
		sigaddset(&stops, stop_signals[i]);
	}
	sigprocmask(SIG_BLOCK, &stops, &wait_mask);
	o.wait_mask = &wait_mask;
	signal(SIGPIPE, SIG_IGN); /* a reader that quits is an EPIPE */

	ret = nlab_capture(&o, &r, &e);
	if (ret == -2)
		return cli_usage(cli, "%s", e.msg);
	if (ret)
		return cli_fail(cli, &e);
	if (cli->verbose >= 0) {
		if (end_note(r.end))
			cli_error(cli, "lab %s node %s %s: %s", o.lab, o.node,
				  o.ifname, end_note(r.end));
		fprintf(stderr, "%lu packet%s captured\n", r.captured,
			r.captured == 1 ? "" : "s");
		if (r.dropped)
			fprintf(stderr, "%lu packet%s dropped by the kernel\n",
				r.dropped, r.dropped == 1 ? "" : "s");
	}
	return EXIT_OK;
}
