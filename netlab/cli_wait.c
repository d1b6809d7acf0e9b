// SPDX-License-Identifier: MIT
/* --wait[=TIMEOUT], shared by `up` and `test`, and the report of a wait
 * that ran out of time. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "netlab.h"

int cli_wait_arg(const struct cli *cli, int *argc, char **argv, bool *wait,
		 uint64_t *ms)
{
	struct nlab_err e;
	struct stat sb;
	uint64_t t;
	int out = 1;

	*wait = false;
	*ms = NLAB_READY_DEFAULT_MS;
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i], *v = NULL;

		if (!strcmp(a, "--")) { /* the rest is operands */
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "--wait") && strncmp(a, "--wait=", 7)) {
			argv[out++] = argv[i];
			continue;
		}
		*wait = true;
		if (a[6] == '=') {
			v = a + 7;
		} else if (i + 1 < *argc &&
			   !nlab_parse_duration(argv[i + 1], &t, &e) &&
			   stat(argv[i + 1], &sb) < 0) {
			/* a duration, and no file of that name */
			*ms = t;
			i++;
			continue;
		}
		if (v && nlab_parse_duration(v, ms, &e))
			return cli_usage(cli, "--wait: %s", e.msg);
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}

void cli_ready_failed(const struct cli *cli, const struct nlab_ready *r,
		      size_t n)
{
	char how[300];

	for (size_t i = 0; i < n; i++) {
		cleanup_free char *tail = NULL;

		if (r[i].ready)
			continue;
		tail = nlab_text_tail(r[i].last.out ? r[i].last.out : "",
				      r[i].last.len, 8, "  | ");
		cli_error(cli, "%s: not ready: %s (%u %s)%s", r[i].node->name,
			  r[i].has_last ? nlab_cmd_end_str(&r[i].last, how,
							   sizeof(how))
					: "never tried",
			  r[i].attempts, r[i].attempts == 1 ? "try" : "tries",
			  *tail ? "; its output ended:" : "; no output");
		fputs(tail, stderr);
	}
}
