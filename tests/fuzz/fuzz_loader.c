// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the topology loader (`make fuzz`):
 *   build/fuzz/fuzz-loader -max_len=4096 -dict=tests/fuzz/loader.dict \
 *       WORK-DIR tests/fuzz/corpus
 *
 * Each input is written to a memfd and loaded as /proc/self/fd/N, without
 * touching the file system (skip_fs_checks); a topology that loads is run
 * through everything that reads the model (exercise.c).  Each line of the input
 * is also given to nlab_impair_parse() as it is.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exercise.h"
#include "topology/topology.h"

static void impair_lines(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct nlab_impair imp = { 0 };
		struct nlab_err e;
		char line[256], out[256];

		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			if (!nlab_impair_parse(line, &imp, &e))
				nlab_impair_str(&imp, out, sizeof(out));
		}
		p += n + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static FILE *sink;
	struct nlab_load_opts o = { .dir = "/nonexistent",
				    .skip_fs_checks = true };
	struct nlab_topology *t = NULL;
	struct nlab_diag d = { 0 };
	char path[64];

	if (fd < 0) {
		fd = memfd_create("fuzz-topology", MFD_CLOEXEC);
		sink = fopen("/dev/null", "w");
		if (fd < 0 || !sink)
			abort();
	}
	if (ftruncate(fd, 0) < 0 ||
	    (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (!nlab_topology_load_opts(path, &o, &t, &d)) {
		if (d.total)
			abort();
		fuzz_exercise(t, sink);
		nlab_topology_free(t);
	} else if (t || !d.total || d.n > NLAB_MAX_ERRORS) {
		abort();
	}
	nlab_diag_free(&d);
	impair_lines(data, size);
	return 0;
}
