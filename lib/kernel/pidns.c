// SPDX-License-Identifier: MIT
#include "kernel/pidns.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

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

int nlab_pidns_count(const ino_t *ns, size_t n, size_t *counts,
		     struct nlab_err *e)
{
	cleanup_free struct slot *slots = xcalloc(n ? n : 1, sizeof(*slots));
	size_t used = 0;
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
		char path[300];
		struct stat sb;
		struct slot key, *hit;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/ns/pid", de->d_name);
		/* Gone since the readdir: not counted. */
		if (fstatat(dirfd(d), path, &sb, 0) < 0)
			continue;
		key.ino = sb.st_ino;
		hit = bsearch(&key, slots, used, sizeof(*slots), cmp_slot);
		if (hit)
			counts[hit->idx]++;
	}
	closedir(d);
	return 0;
}
