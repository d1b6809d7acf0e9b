// SPDX-License-Identifier: MIT
#include "kernel/pidns.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "base/parallel.h"
#include "base/util.h"

ino_t nlab_pidns_of(pid_t pid)
{
	char path[64];
	struct stat sb;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	return stat(path, &sb) == 0 ? sb.st_ino : 0;
}

struct slot {
	ino_t ino;
	size_t idx;
};

static int cmp_slot(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	return (x->ino > y->ino) - (x->ino < y->ino);
}

/* Processes are looked at this many at a time by each thread. */
#define PIDS_CHUNK 128

struct counting {
	const struct slot *slots;
	size_t used;
	size_t *counts;
	int proc;
	const pid_t *pids;
	size_t n_pids;
};

static void count_chunk(void *ctx, size_t c)
{
	const struct counting *k = ctx;
	size_t end = (c + 1) * PIDS_CHUNK;

	for (size_t i = c * PIDS_CHUNK; i < end && i < k->n_pids; i++) {
		char path[64];
		struct stat sb;
		struct slot key;
		const struct slot *hit;

		snprintf(path, sizeof(path), "%d/ns/pid", (int)k->pids[i]);
		/* Gone since the readdir: not counted. */
		if (fstatat(k->proc, path, &sb, 0) < 0)
			continue;
		key.ino = sb.st_ino;
		hit = bsearch(&key, k->slots, k->used, sizeof(*k->slots),
			      cmp_slot);
		if (hit)
			__atomic_fetch_add(&k->counts[hit->idx], 1,
					   __ATOMIC_RELAXED);
	}
}

int nlab_pidns_count(const ino_t *ns, size_t n, size_t *counts,
		     struct nlab_err *e)
{
	cleanup_free struct slot *slots = xcalloc(n ? n : 1, sizeof(*slots));
	cleanup_free pid_t *pids = NULL;
	size_t used = 0, n_pids = 0, cap = 0;
	struct counting k;
	struct dirent *de;
	DIR *d;

	for (size_t i = 0; i < n; i++) {
		counts[i] = 0;
		if (ns[i])
			slots[used++] = (struct slot){ ns[i], i };
	}
	if (!used)
		return 0;
	/* Sorted, so that each process costs one stat and a bsearch
	 * however many nodes the lab has. */
	qsort(slots, used, sizeof(*slots), cmp_slot);
	d = opendir("/proc");
	if (!d)
		return nlab_err_set(e, errno, "read /proc");
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (n_pids == cap) {
			cap = cap ? 2 * cap : 1024;
			pids = xrealloc(pids, cap * sizeof(*pids));
		}
		pids[n_pids++] = (pid_t)atoi(de->d_name);
	}
	/* A stat of each process's ns/pid is most of the pass: on every
	 * CPU (a lab of 1000 nodes is 2000 processes or more). */
	k = (struct counting){ slots, used, counts, dirfd(d), pids, n_pids };
	nlab_parallel((n_pids + PIDS_CHUNK - 1) / PIDS_CHUNK, nlab_cpus(),
		      count_chunk, &k);
	closedir(d);
	return 0;
}
