// SPDX-License-Identifier: MIT
/* NODE.run: one table of states drives writing, reading and naming. */
#include "lab/runstate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/node.h"
#include "lab/state.h"
#include "base/util.h"

static const struct run_row {
	const char *name;
	bool in_file;	/* written by a supervisor (else the reader's word) */
	bool has_value; /* followed by a number in the file */
} states[NLAB_RUN__MAX] = {
	[NLAB_RUN_UNKNOWN] = { "unknown", false, false },
	[NLAB_RUN_NONE] = { "none", true, false },
	[NLAB_RUN_RUNNING] = { "running", true, true },
	[NLAB_RUN_EXITED] = { "exited", true, true },
	[NLAB_RUN_KILLED] = { "killed", true, true },
	[NLAB_RUN_LOST] = { "lost", false, false },
};

static const char *const from_names[] = {
	[NLAB_STOP_NONE] = "",
	[NLAB_STOP_NODE] = "node",
	[NLAB_STOP_HOST] = "host",
};

const char *nlab_run_state_name(enum nlab_run_state s)
{
	return (unsigned)s < NLAB_RUN__MAX ? states[s].name : "unknown";
}

const char *nlab_stop_from_name(enum nlab_stop_from f)
{
	return (unsigned)f < ARRAY_SIZE(from_names) ? from_names[f] : "";
}

void nlab_run_format(const struct nlab_run *r, char *buf, size_t len)
{
	const struct run_row *row = &states[r->state];
	int n;

	if (row->has_value)
		n = snprintf(buf, len, "%s %d\n", row->name, r->value);
	else
		n = snprintf(buf, len, "%s\n", row->name);
	if (r->stop_signal && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "stopped %d %s\n",
			 r->stop_signal, nlab_stop_from_name(r->stop_from));
}

/* "WORD [N]" at the start of @line: the row and its number. */
static int parse_line(const char *line, char *word, size_t wlen, int *num)
{
	char fmt[32];

	snprintf(fmt, sizeof(fmt), "%%%zus %%d", wlen - 1);
	return sscanf(line, fmt, word, num);
}

void nlab_run_parse(const char *text, struct nlab_run *r)
{
	const char *second;
	char word[16], from[16];
	int num = 0, got, sig;

	memset(r, 0, sizeof(*r));
	if (!text)
		return;
	got = parse_line(text, word, sizeof(word), &num);
	for (int s = 0; got >= 1 && s < NLAB_RUN__MAX; s++) {
		if (!states[s].in_file || strcmp(word, states[s].name))
			continue;
		if (states[s].has_value && got != 2)
			break;
		r->state = (enum nlab_run_state)s;
		r->value = states[s].has_value ? num : 0;
		break;
	}
	second = strchr(text, '\n');
	if (!second || sscanf(second + 1, "stopped %d %15s", &sig, from) != 2 ||
	    sig <= 0)
		return;
	for (size_t f = NLAB_STOP_NODE; f < ARRAY_SIZE(from_names); f++) {
		if (!strcmp(from, from_names[f])) {
			r->stop_signal = sig;
			r->stop_from = (enum nlab_stop_from)f;
		}
	}
}

void nlab_run_read(const char *lab, const char *node, struct nlab_run *r)
{
	char file[NLAB_NAME_MAX + 8];
	cleanup_free char *text = NULL;

	snprintf(file, sizeof(file), "%s" NLAB_RUN_SUFFIX, node);
	text = nlab_state_slurp(lab, file);
	nlab_run_parse(text, r);
}

void nlab_run_read_at(int dirfd, const char *node, struct nlab_run *r)
{
	char file[NLAB_NAME_MAX + 8];
	cleanup_free char *text = NULL;

	snprintf(file, sizeof(file), "%s" NLAB_RUN_SUFFIX, node);
	text = dirfd >= 0 ? nlab_state_slurp_at(dirfd, file) : NULL;
	nlab_run_parse(text, r);
}

void nlab_stop_str(const struct nlab_run *r, char *buf, size_t len)
{
	const char *abbrev = sigabbrev_np(r->stop_signal);
	const char *where =
		r->stop_from == NLAB_STOP_NODE ? "inside the node" : "the host";

	if (abbrev)
		snprintf(buf, len, "SIG%s from %s", abbrev, where);
	else
		snprintf(buf, len, "signal %d from %s", r->stop_signal, where);
}
