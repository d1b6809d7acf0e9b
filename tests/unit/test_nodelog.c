// SPDX-License-Identifier: MIT
/* A node's capped log: sizes, log_max in the loader, the writer's
 * rotation and what the reader prints, in a private directory. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "lab/nodelog.h"
#include "base/text.h"
#include "unit.h"

static void sizes(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
		{ "0", 0 },	      { "1000", 1000 },
		{ "64k", 65536 },     { "64K", 65536 },
		{ "4m", 4 << 20 },    { "4M", 4 << 20 },
		{ "1g", 1ULL << 30 }, { "1G", 1ULL << 30 },
		{ "007k", 7 * 1024 },
	};
	static const char *const bad[] = {
		"",
		"k",
		"m",
		"4x",
		"4mb",
		"-1m",
		" 4m",
		"4 m",
		"4.5m",
		"0x10",
		"1kk",
		"17179869184g",
		"18446744073709551616",
	};
	char buf[32];
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 12345;
		if (nlab_parse_size(good[i].s, UINT64_MAX, &v))
			fail_msg("'%s' not read as a size", good[i].s);
		assert_int_equal(v, good[i].v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!nlab_parse_size(bad[i], UINT64_MAX, &v))
			fail_msg("'%s' read as %llu", bad[i],
				 (unsigned long long)v);
	assert_int_equal(nlab_parse_size("2g", 1ULL << 30, &v), -1);
	assert_string_equal(nlab_size_str(65536, buf, sizeof(buf)), "64k");
	assert_string_equal(nlab_size_str(1ULL << 30, buf, sizeof(buf)), "1g");
	assert_string_equal(nlab_size_str(3 << 20, buf, sizeof(buf)), "3m");
	assert_string_equal(nlab_size_str(65535, buf, sizeof(buf)), "65535");
}

static uint64_t node_log_max(const struct nlab_topology *t, const char *name)
{
	const struct nlab_node *n = nlab_topology_node(t, name);

	assert_non_null(n);
	return n->log_max;
}

static void log_max_setting(void **state)
{
	struct nlab_diag d = { 0 };
	struct nlab_topology *t;

	(void)state;
	t = fixture_load("lm1.ini", "[node a]\n[node b]\nlog_max = 512k\n", &d);
	assert_non_null(t);
	assert_int_equal(node_log_max(t, "a"), 4 << 20);
	assert_int_equal(node_log_max(t, "b"), 512 << 10);
	nlab_topology_free(t);
	/* [lab] gives the default, wherever it stands in the file */
	t = fixture_load("lm2.ini",
			 "[node a]\n[node b]\nlog_max = 64k\n"
			 "[lab]\nlog_max = 1g\n",
			 &d);
	assert_non_null(t);
	assert_int_equal(node_log_max(t, "a"), 1ULL << 30);
	assert_int_equal(node_log_max(t, "b"), 64 << 10);
	nlab_topology_free(t);
	nlab_diag_free(&d);
}

/* A fresh empty directory under the fixture's, opened. */
static int new_dir(const char *name)
{
	const char *path = fixture_path(name);
	int fd;

	assert_int_equal(mkdir(path, 0700), 0);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static off_t file_size(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, 0) < 0)
		return -1;
	return st.st_size;
}

/* "line N" padded to 100 bytes, N from 1: @n lines in one buffer. */
static char *numbered(size_t n, size_t *len)
{
	char *s = malloc(n * 100 + 1), *p = s;

	assert_non_null(s);
	for (size_t i = 1; i <= n; i++) {
		int w = snprintf(p, 101, "line %zu ", i);

		memset(p + w, 'x', 99 - w);
		p[99] = '\n';
		p += 100;
	}
	*p = '\0';
	*len = n * 100;
	return s;
}

/* Feed @s in pieces that do not follow lines. */
static void feed(struct nlab_logw *w, const char *s, size_t len)
{
	size_t piece = 1;

	for (size_t off = 0; off < len;) {
		size_t n = piece < len - off ? piece : len - off;

		nlab_logw_write(w, s + off, n);
		off += n;
		piece = piece * 7 % 9973 + 1;
	}
}

/* What the reader prints, into a string. */
static char *read_log(int dirfd, const char *node)
{
	struct nlab_err e = { 0 };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	if (nlab_log_print_at(dirfd, node, false, f, &e))
		fail_msg("%s", e.msg);
	fclose(f);
	return out;
}

static void small_log_unchanged(void **state)
{
	struct nlab_err e = { 0 };
	struct nlab_logw w;
	int dirfd = new_dir("small");
	char *out;

	(void)state;
	assert_int_equal(nlab_logw_open(&w, dirfd, "a", 64 << 10, &e), 0);
	nlab_logw_write(&w, "hello\n", 6);
	nlab_logw_write(&w, "no newline", 10);
	out = read_log(dirfd, "a");
	assert_string_equal(out, "hello\nno newline");
	assert_int_equal(file_size(dirfd, "a.log.1"), -1);
	assert_int_equal(file_size(dirfd, "a.log.dropped"), -1);
	free(out);
	nlab_logw_close(&w);
	close(dirfd);
}

static void rotation_keeps_newest(void **state)
{
	struct nlab_err e = { 0 };
	struct nlab_logw w;
	int dirfd = new_dir("rotate");
	size_t len, dropped;
	char *s = numbered(20000, &len), *out, *body;
	uint64_t max = 64 << 10;
	char *cur;

	(void)state;
	assert_int_equal(nlab_logw_open(&w, dirfd, "a", max, &e), 0);
	feed(&w, s, len);
	/* each file within half the cap, both within the cap */
	assert_true(file_size(dirfd, "a.log") <= (off_t)max / 2);
	assert_true(file_size(dirfd, "a.log.1") <= (off_t)max / 2);
	assert_true(file_size(dirfd, "a.log.1") > 0);
	out = read_log(dirfd, "a");
	if (sscanf(out, "[netlab: %zu bytes of older output dropped]\n",
		   &dropped) != 1)
		fail_msg("no note first: %.80s", out);
	body = strchr(out, '\n') + 1;
	/* exactly the newest output, cut at a line's start */
	assert_int_equal(dropped + strlen(body), len);
	assert_memory_equal(body, s + dropped, strlen(body));
	assert_int_equal(dropped % 100, 0);
	/* a later rotation keeps counting */
	free(out);
	cur = numbered(1000, &len);
	feed(&w, cur, len);
	out = read_log(dirfd, "a");
	assert_true(strlen(out) < max + 64);
	assert_non_null(strstr(out, "line 1000 "));
	free(out);
	free(cur);
	free(s);
	nlab_logw_close(&w);
	close(dirfd);
}

static void long_line_is_cut(void **state)
{
	struct nlab_err e = { 0 };
	struct nlab_logw w;
	int dirfd = new_dir("long");
	size_t n = 200 << 10;
	char *s = malloc(n), *out;

	(void)state;
	memset(s, 'y', n);
	assert_int_equal(nlab_logw_open(&w, dirfd, "a", 64 << 10, &e), 0);
	nlab_logw_write(&w, s, n);
	/* 200k = six full files of 32k and 8k */
	assert_int_equal(file_size(dirfd, "a.log"), 8 << 10);
	assert_int_equal(file_size(dirfd, "a.log.1"), 32 << 10);
	out = read_log(dirfd, "a");
	assert_int_equal(strlen(out), 47 + 40960);
	assert_memory_equal(
		out, "[netlab: 163840 bytes of older output dropped]\n", 47);
	free(out);
	free(s);
	nlab_logw_close(&w);
	close(dirfd);
}

/* A writer in a child process; the test follows it.  Once the follower
 * printed the last line, the child removes the log (as `down` does) and
 * the follower must return. */
static void follow_across_rotations(void **state)
{
	char *outpath = strdup(fixture_path("follow.out"));
	int dirfd = new_dir("follow");
	struct nlab_err e = { 0 };
	size_t len, pos = 0, n;
	char *s = numbered(20000, &len), *text = NULL;
	FILE *f = fopen(outpath, "w+");
	int status;
	pid_t pid;

	(void)state;
	assert_non_null(f);
	{
		struct nlab_logw w;

		/* NODE.log exists before the follower starts, as after up */
		assert_int_equal(nlab_logw_open(&w, dirfd, "a", 64 << 10, &e),
				 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			char *seen = NULL;

			usleep(50 * 1000);
			feed(&w, s, len);
			nlab_logw_close(&w);
			/* wait (at most 20 s) for the follower to print it */
			for (int i = 0; i < 2000; i++) {
				FILE *r = fopen(outpath, "r");
				size_t cap = 0;
				ssize_t k;
				bool found = false;

				while (r && (k = getline(&seen, &cap, r)) > 0)
					if (!strncmp(seen, "line 20000 ", 11))
						found = true;
				if (r)
					fclose(r);
				if (found)
					break;
				usleep(10 * 1000);
			}
			unlinkat(dirfd, "a.log", 0);
			unlinkat(dirfd, "a.log.1", 0);
			unlinkat(dirfd, "a.log.dropped", 0);
			rmdir(fixture_path("follow"));
			_exit(0);
		}
		nlab_logw_close(&w);
	}
	alarm(30);
	if (nlab_log_print_at(dirfd, "a", true, f, &e))
		fail_msg("%s", e.msg);
	alarm(0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	fflush(f);
	rewind(f);
	text = malloc(len * 2);
	n = fread(text, 1, len * 2 - 1, f);
	text[n] = '\0';
	fclose(f);
	/* Every byte of the output in its place in the stream, or counted
	 * in a note, never both; the last line there.  A note starts on its
	 * own line: the newline before it is the note's when the stream was
	 * inside a line there (a rotation cuts a line that came in pieces),
	 * and what follows it may start inside a line. */
	for (const char *t = text; *t;) {
		const char *next = strstr(t, "[netlab: ");
		size_t k = next ? (size_t)(next - t) : strlen(t), skip = k;
		unsigned long long dropped;

		if (next == t) {
			if (sscanf(t, "[netlab: %llu bytes of", &dropped) != 1)
				fail_msg("bad note: %.60s", t);
			pos += dropped;
			t = strchr(t, '\n');
			assert_non_null(t);
			t++;
			continue;
		}
		if (next) {
			assert_int_equal(t[k - 1], '\n');
			if (pos + k > len || s[pos + k - 1] != '\n')
				k--;
		}
		if (pos + k > len || memcmp(t, s + pos, k))
			fail_msg("not the stream at %zu: %.60s", pos, t);
		pos += k;
		t += skip;
	}
	assert_int_equal(pos, len);
	assert_true(n >= 100);
	assert_memory_equal(text + n - 100, s + len - 100, 100);
	free(text);
	free(s);
	free(outpath);
	close(dirfd);
}

/* The follower's output, and the writer's moves, made as it prints:
 * deterministic points in the follower's loop. */
struct slow {
	int dirfd, log0; /* the first NODE.log, for appending */
	char out[64];
	pid_t child;
};

static void put_file(int dirfd, const char *name, const char *text)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static ssize_t slow_write(void *cookie, const char *buf, size_t n)
{
	struct slow *sl = cookie;

	assert_true(strlen(sl->out) + n < sizeof(sl->out));
	strncat(sl->out, buf, n);
	if (!strcmp(sl->out, "1\n")) {
		assert_int_equal(write(sl->log0, "2\n", 2), 2);
	} else if (!strcmp(sl->out, "1\n2\n")) {
		/* a rotation the follower sees whole */
		assert_int_equal(write(sl->log0, "3\n", 2), 2);
		assert_int_equal(
			renameat(sl->dirfd, "a.log", sl->dirfd, "a.log.1"), 0);
		put_file(sl->dirfd, "a.log", "4\n");
	} else if (!strcmp(sl->out, "1\n2\n3\n")) {
		/* the follower finishes the old file: the next rotation
		 * starts, and its writer is not scheduled for a second */
		assert_int_equal(
			renameat(sl->dirfd, "a.log", sl->dirfd, "a.log.1"), 0);
		put_file(sl->dirfd, "a.log.dropped", "6\n");
		sl->child = fork();
		assert_true(sl->child >= 0);
		if (sl->child == 0) {
			int fd;

			sleep(1);
			fd = openat(sl->dirfd, ".a.log", O_WRONLY | O_CREAT,
				    0600);
			_exit(write(fd, "5\n", 2) != 2 ||
			      renameat(sl->dirfd, ".a.log", sl->dirfd,
				       "a.log"));
		}
	} else if (!strcmp(sl->out, "1\n2\n3\n4\n5\n")) {
		/* down */
		unlinkat(sl->dirfd, "a.log", 0);
		unlinkat(sl->dirfd, "a.log.1", 0);
		unlinkat(sl->dirfd, "a.log.dropped", 0);
		rmdir(fixture_path("slow"));
	}
	return (ssize_t)n;
}

/* A rotation between its rename and its new NODE.log for longer than
 * the follower's snapshot retries: the follower waits for it and goes
 * on, rather than stop as if the lab went down. */
static void follow_waits_out_slow_rotation(void **state)
{
	struct slow sl = { .dirfd = new_dir("slow"), .child = -1 };
	cookie_io_functions_t io = { .write = slow_write };
	struct nlab_err e = { 0 };
	FILE *f;
	int status;

	(void)state;
	put_file(sl.dirfd, "a.log", "1\n");
	sl.log0 = openat(sl.dirfd, "a.log", O_WRONLY | O_APPEND);
	assert_true(sl.log0 >= 0);
	f = fopencookie(&sl, "w", io);
	assert_non_null(f);
	alarm(30);
	if (nlab_log_print_at(sl.dirfd, "a", true, f, &e))
		fail_msg("%s", e.msg);
	alarm(0);
	fclose(f);
	assert_true(sl.child > 0);
	assert_int_equal(waitpid(sl.child, &status, 0), sl.child);
	assert_int_equal(status, 0);
	assert_string_equal(sl.out, "1\n2\n3\n4\n5\n");
	close(sl.log0);
	close(sl.dirfd);
}

static void feed_str(struct nlab_logw *w, const char *s)
{
	nlab_logw_write(w, s, strlen(s));
}

/* The end of a log, for `up`'s warning about a failed `run`. */
static void tail_lines(void **state)
{
	struct nlab_err e = { 0 };
	struct nlab_logw w;
	int dirfd = new_dir("tail");
	char buf[64];

	(void)state;
	nlab_log_tail_at(dirfd, "a", 5, buf, sizeof(buf));
	assert_string_equal(buf, ""); /* no log */
	assert_int_equal(nlab_logw_open(&w, dirfd, "a", 64 << 10, &e), 0);
	nlab_log_tail_at(dirfd, "a", 5, buf, sizeof(buf));
	assert_string_equal(buf, ""); /* empty */
	feed_str(&w, "1\n2\n3\n4\n5\n6\n7\n\n");
	nlab_log_tail_at(dirfd, "a", 5, buf, sizeof(buf));
	assert_string_equal(buf, "3\n4\n5\n6\n7");
	nlab_log_tail_at(dirfd, "a", 1, buf, sizeof(buf));
	assert_string_equal(buf, "7");
	nlab_log_tail_at(dirfd, "a", 20, buf, sizeof(buf));
	assert_string_equal(buf, "1\n2\n3\n4\n5\n6\n7");
	/* A window that starts mid-line leaves that half line out. */
	feed_str(&w, "a long line\nend\n");
	nlab_log_tail_at(dirfd, "a", 5, buf, 10);
	assert_string_equal(buf, "end");
	/* A terminal gets no escape sequences from a node. */
	feed_str(&w, "\033[2Jboom\tx");
	nlab_log_tail_at(dirfd, "a", 1, buf, sizeof(buf));
	assert_string_equal(buf, "?[2Jboom\tx");
	nlab_logw_close(&w);
	close(dirfd);
}

static const struct CMUnitTest nodelog_tests[] = {
	cmocka_unit_test(sizes),
	cmocka_unit_test(log_max_setting),
	cmocka_unit_test(small_log_unchanged),
	cmocka_unit_test(rotation_keeps_newest),
	cmocka_unit_test(long_line_is_cut),
	cmocka_unit_test(follow_across_rotations),
	cmocka_unit_test(follow_waits_out_slow_rotation),
	cmocka_unit_test(tail_lines),
};

UNIT_GROUP("nodelog", nodelog_tests, fixture_setup, fixture_teardown)
