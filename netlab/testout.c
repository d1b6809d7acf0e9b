// SPDX-License-Identifier: MIT
/* `netlab test`'s reports (testout.h). */
#include "testout.h"

#include <stdarg.h>
#include <string.h>

#include "netlab.h"

static const char *const words[] = {
	[NLAB_PASS] = "ok",
	[NLAB_FAIL] = "FAIL",
	[NLAB_NOT_RUN] = "skip",
};

void tout_begin(struct tout *o)
{
	o->start = nlab_now_ms();
	if (o->tap)
		printf("TAP version 13\n");
}

static struct tout_suite *cur_suite(struct tout *o)
{
	return o->n_suites ? &o->suites[o->n_suites - 1] : NULL;
}

void tout_suite(struct tout *o, const char *name, int line, const char *heading)
{
	struct tout_suite *s = cur_suite(o);
	uint64_t now = nlab_now_ms();

	if (s)
		s->end = now;
	xgrow(&o->suites, &o->cap_suites, o->n_suites + 1, sizeof(*o->suites));
	s = &o->suites[o->n_suites++];
	s->name = xstrdup(name);
	s->start = s->end = now;
	o->tests += line > 0;
	if (line)
		printf("%stest %s (line %d)\n", o->tap ? "# " : "", name, line);
	else
		printf("%s%s\n", o->tap ? "# " : "", heading);
	fflush(stdout);
}

/* Each line of @text after @prefix. */
static void lines(const char *prefix, const char *text)
{
	while (text && *text) {
		size_t n = strcspn(text, "\n");

		printf("%s%.*s\n", prefix, (int)n, text);
		text += n + (text[n] == '\n');
	}
}

/* A TAP description may not hold '#' unescaped (it starts a directive). */
static void tap_text(const char *s)
{
	for (; *s; s++) {
		if (*s == '#' || *s == '\\')
			putchar('\\');
		putchar(*s == '\n' ? ' ' : *s);
	}
}

void tout_row(struct tout *o, const char *name, int line, enum tout_kind kind,
	      enum nlab_outcome outcome, uint64_t ms, const char *detail)
{
	struct tout_suite *s = cur_suite(o);
	struct tout_row *r;

	xgrow(&o->rows, &o->cap, o->n + 1, sizeof(*o->rows));
	r = &o->rows[o->n++];
	*r = (struct tout_row){
		.suite = xstrdup(s ? s->name : ""),
		.name = xstrdup(name),
		.line = line,
		.outcome = outcome,
		.kind = kind,
		.ms = ms,
		.detail = detail ? xstrdup(detail) : NULL,
	};
	if (s)
		s->end = nlab_now_ms();
	if (o->tap) {
		printf("%s %zu - ", outcome == NLAB_FAIL ? "not ok" : "ok",
		       o->n);
		tap_text(r->suite);
		printf(": ");
		tap_text(name);
		if (outcome == NLAB_NOT_RUN) {
			printf(" # SKIP ");
			tap_text(detail ? detail : "not run");
			putchar('\n');
		} else {
			if (line)
				printf(" (line %d, %.2f s)\n", line,
				       ms / 1000.0);
			else
				printf(" (%.2f s)\n", ms / 1000.0);
			if (outcome == NLAB_FAIL)
				lines("# ", detail);
		}
	} else {
		const char *word = words[outcome];

		if (kind == TOUT_STEP && outcome == NLAB_PASS)
			word = "done";
		if (outcome == NLAB_NOT_RUN)
			printf("  %-5s %8s  %s\n", word, "", name);
		else
			printf("  %-5s %6.2f s  %s\n", word, ms / 1000.0, name);
		if (outcome != NLAB_PASS && detail) {
			size_t n = strcspn(detail, "\n");

			/* the first line says where, the rest goes under */
			printf("        ");
			if (line)
				printf("line %d: ", line);
			printf("%.*s\n", (int)n, detail);
			if (detail[n])
				lines("        ", detail + n + 1);
		}
	}
	fflush(stdout);
}

void tout_note(struct tout *o, const char *fmt, ...)
{
	va_list ap;

	if (o->tap)
		printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

struct tally {
	size_t checks, passed, failed, not_run, steps_failed;
	size_t nodes, ready;
};

static struct tally count(const struct tout_row *rows, size_t n,
			  const char *suite)
{
	struct tally t = { 0 };

	for (size_t i = 0; i < n; i++) {
		const struct tout_row *r = &rows[i];

		if (suite && strcmp(r->suite, suite))
			continue;
		if (r->kind == TOUT_CHECK) {
			t.checks++;
			t.passed += r->outcome == NLAB_PASS;
			t.failed += r->outcome == NLAB_FAIL;
			t.not_run += r->outcome == NLAB_NOT_RUN;
		} else if (r->kind == TOUT_READY) {
			t.nodes++;
			t.ready += r->outcome == NLAB_PASS;
		} else {
			t.steps_failed += r->outcome == NLAB_FAIL;
		}
	}
	return t;
}

static size_t failures(const struct tally *t)
{
	return t->failed + t->steps_failed + (t->nodes - t->ready);
}

size_t tout_finish(struct tout *o)
{
	struct tally all = count(o->rows, o->n, NULL);
	struct tout_suite *s = cur_suite(o);
	char failed[512] = "";

	if (s)
		s->end = nlab_now_ms();
	for (size_t i = 0; i < o->n_suites; i++) {
		struct tally t = count(o->rows, o->n, o->suites[i].name);

		if (failures(&t))
			snprintf(failed + strlen(failed),
				 sizeof(failed) - strlen(failed), "%s%s",
				 failed[0] ? ", " : "", o->suites[i].name);
	}
	if (o->tap)
		printf("1..%zu\n# ", o->n);
	if (all.nodes)
		printf("%zu of %zu nodes ready; ", all.ready, all.nodes);
	printf("%zu test%s, %zu check%s: %zu passed, %zu failed", o->tests,
	       o->tests == 1 ? "" : "s", all.checks, all.checks == 1 ? "" : "s",
	       all.passed, all.failed);
	if (all.not_run)
		printf(", %zu not run", all.not_run);
	if (all.steps_failed)
		printf(", %zu step%s failed", all.steps_failed,
		       all.steps_failed == 1 ? "" : "s");
	printf(" in %.1f s", (nlab_now_ms() - o->start) / 1000.0);
	if (failed[0])
		printf(" (failed: %s)", failed);
	putchar('\n');
	fflush(stdout);
	return failures(&all);
}

/* ---- JUnit XML ------------------------------------------------------------
 */

static void xml(FILE *f, const char *s)
{
	nlab_xml_put(f, s, true);
}

static void xml_first_line(FILE *f, const char *s)
{
	cleanup_free char *first =
		xstrndup(s ? s : "", strcspn(s ? s : "", "\n"));

	xml(f, first);
}

int tout_junit(const struct tout *o, FILE *f)
{
	struct tally all = count(o->rows, o->n, NULL);
	uint64_t end = nlab_now_ms();

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"");
	xml(f, o->lab);
	fprintf(f,
		"\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		"skipped=\"%zu\" time=\"%.3f\">\n",
		o->n, failures(&all), all.not_run, (end - o->start) / 1000.0);
	for (size_t i = 0; i < o->n_suites; i++) {
		const struct tout_suite *s = &o->suites[i];
		size_t rows = 0, fail = 0, skip = 0;

		for (size_t j = 0; j < o->n; j++)
			if (!strcmp(o->rows[j].suite, s->name)) {
				rows++;
				fail += o->rows[j].outcome == NLAB_FAIL;
				skip += o->rows[j].outcome == NLAB_NOT_RUN;
			}
		fprintf(f, "  <testsuite name=\"");
		xml(f, s->name);
		fprintf(f,
			"\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
			"skipped=\"%zu\" time=\"%.3f\">\n",
			rows, fail, skip, (s->end - s->start) / 1000.0);
		for (size_t j = 0; j < o->n; j++) {
			const struct tout_row *r = &o->rows[j];

			if (strcmp(r->suite, s->name))
				continue;
			fprintf(f, "    <testcase classname=\"");
			xml(f, o->lab);
			fputc('.', f);
			xml(f, s->name);
			fprintf(f, "\" name=\"");
			xml(f, r->name);
			if (r->line)
				fprintf(f, " (line %d)", r->line);
			fprintf(f, "\" time=\"%.3f\"", r->ms / 1000.0);
			if (r->outcome == NLAB_PASS) {
				fprintf(f, "/>\n");
				continue;
			}
			if (r->outcome == NLAB_NOT_RUN) {
				fprintf(f, ">\n      <skipped message=\"");
				xml_first_line(f, r->detail);
				fprintf(f, "\"/>\n    </testcase>\n");
				continue;
			}
			fprintf(f, ">\n      <failure type=\"%s\" message=\"",
				r->kind == TOUT_CHECK	? "check"
				: r->kind == TOUT_READY ? "ready"
							: "step");
			xml_first_line(f, r->detail);
			fprintf(f, "\">");
			nlab_xml_put(f, r->detail, false);
			fprintf(f, "</failure>\n    </testcase>\n");
		}
		fprintf(f, "  </testsuite>\n");
	}
	fprintf(f, "</testsuites>\n");
	return fflush(f) || ferror(f) ? -1 : 0;
}

void tout_free(struct tout *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->rows[i].suite);
		free(o->rows[i].name);
		free(o->rows[i].detail);
	}
	for (size_t i = 0; i < o->n_suites; i++)
		free(o->suites[i].name);
	free(o->rows);
	free(o->suites);
	memset(o, 0, sizeof(*o));
}
