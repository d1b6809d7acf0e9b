// SPDX-License-Identifier: MIT
#include "hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab.h"
#include "util.h"

/* The same text for every node: localhost, then each node's addresses. */
static char *hosts_text(const struct nlab_topology *t, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	char buf[64];

	if (!f)
		return NULL;
	fprintf(f,
		"# written by netlab for lab %s\n"
		"127.0.0.1\tlocalhost\n"
		"::1\tlocalhost ip6-localhost ip6-loopback\n",
		t->name);
	for (size_t n = 0; n < t->n_nodes; n++) {
		const struct nlab_node *node = &t->nodes[n];

		for (size_t i = 0; i < node->n_ifaces; i++) {
			for (size_t a = 0; a < node->ifaces[i].n_addrs; a++) {
				const char *s = nlab_prefix_str(
					&node->ifaces[i].addrs[a], buf,
					sizeof(buf));

				fprintf(f, "%.*s\t%s\n", (int)strcspn(s, "/"),
					s, node->name);
			}
		}
	}
	fclose(f);
	return text;
}

int nlab_hosts_write(const struct nlab_topology *t, struct nlab_state *st,
		     struct nlab_err *e)
{
	cleanup_free char *text = NULL;
	size_t len = 0;

	text = hosts_text(t, &len);
	if (!text)
		return nlab_err_set(e, errno, "hosts file");
	if (mkdir(NLAB_ETC_NETNS, 0755) < 0 && errno != EEXIST)
		return nlab_err_set(e, errno, "mkdir " NLAB_ETC_NETNS);

	for (size_t n = 0; n < t->n_nodes; n++) {
		char ns[NLAB_NAME_MAX * 2 + 2], dir[PATH_MAX], file[PATH_MAX];
		cleanup_close int fd = -1;

		nlab_ns_name(ns, sizeof(ns), t->name, t->nodes[n].name);
		snprintf(dir, sizeof(dir), NLAB_ETC_NETNS "/%s", ns);
		snprintf(file, sizeof(file), "%s/hosts", dir);
		if (nlab_fault("hosts", e) ||
		    nlab_state_rec(st, NLAB_REC_DIR, dir, e))
			return -1;
		if (mkdir(dir, 0755) < 0) {
			if (errno != EEXIST)
				return nlab_err_set(e, errno, "mkdir %s", dir);
			/* The user's directory: leave it when we go. */
			if (nlab_state_keep(st, NLAB_REC_DIR, dir, e))
				return -1;
		}
		if (nlab_state_rec(st, NLAB_REC_FILE, file, e))
			return -1;
		fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0) {
			int err = errno;

			if (err == EEXIST)
				nlab_state_keep(st, NLAB_REC_FILE, file, NULL);
			return nlab_err_set(e, err, "create %s", file);
		}
		if (write(fd, text, len) != (ssize_t)len)
			return nlab_err_set(e, errno, "write %s", file);
	}
	return 0;
}
