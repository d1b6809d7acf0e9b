// SPDX-License-Identifier: MIT
#include "lab/nodewire.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

#define WIRE_MAGIC   0x6e6c7769u /* "nlwi" */
#define WIRE_VERSION 2u
#define NIL_LEN	     UINT32_MAX
/* What the reader insists on: nothing can change the blob under it. */
#define WIRE_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* ---- writing (in `up`) ----------------------------------------------------
 */

struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *v, size_t n)
{
	xgrow(&b->p, &b->cap, b->len + n, 1);
	memcpy(b->p + b->len, v, n);
	b->len += n;
}

#define PUT(b, type, v)                                                        \
	do {                                                                   \
		type v_ = (type)(v);                                           \
		put((b), &v_, sizeof(v_));                                     \
	} while (0)

static void put_str(struct buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	PUT(b, uint32_t, s ? (uint32_t)n : NIL_LEN);
	if (s)
		put(b, s, n + 1);
}

static void put_node(struct buf *b, const struct nlab_node *n)
{
	put_str(b, n->name);
	put_str(b, n->run);
	PUT(b, uint64_t, n->log_max);
	put_str(b, n->files);
	PUT(b, uint32_t, n->shared);
	PUT(b, uint32_t, n->n_mounts);
	for (size_t i = 0; i < n->n_mounts; i++) {
		const struct nlab_mount *m = &n->mounts[i];

		put_str(b, m->source);
		put_str(b, m->target);
		PUT(b, uint32_t, m->readonly);
		PUT(b, uint64_t, m->size);
		PUT(b, int32_t, m->mode);
		PUT(b, int64_t, m->uid);
		PUT(b, int64_t, m->gid);
		PUT(b, int32_t, m->line);
	}
	PUT(b, uint32_t, n->n_env);
	for (size_t i = 0; i < n->n_env; i++) {
		put_str(b, n->env[i].name);
		put_str(b, n->env[i].value);
		PUT(b, int32_t, n->env[i].line);
	}
}

int nlab_wire_make(const struct nlab_topology *t, const size_t *which, size_t n,
		   const struct nlab_wire_ctl *ctl, struct nlab_err *e)
{
	struct buf b = { 0 };
	cleanup_close int fd = -1;
	size_t done = 0;

	PUT(&b, uint32_t, WIRE_MAGIC);
	PUT(&b, uint32_t, WIRE_VERSION);
	PUT(&b, int32_t, ctl->up);
	PUT(&b, int32_t, ctl->ready_fd);
	PUT(&b, int32_t, ctl->state_dirfd);
	PUT(&b, int32_t, ctl->state_recfd);
	PUT(&b, int32_t, ctl->release_fd);
	PUT(&b, uint32_t, ctl->has_nofile);
	PUT(&b, uint64_t, ctl->nofile.rlim_cur);
	PUT(&b, uint64_t, ctl->nofile.rlim_max);
	PUT(&b, uint32_t, ctl->n_chan);
	for (size_t c = 0; c < NLAB_WIRE_CHANS; c++)
		PUT(&b, int32_t, ctl->chan[c]);
	PUT(&b, uint64_t, n);
	put_str(&b, t->name);
	put_str(&b, t->dir);
	for (size_t k = 0; k < n; k++) {
		size_t i = which ? which[k] : k;

		PUT(&b, uint64_t, i);
	}
	for (size_t k = 0; k < n; k++)
		put_node(&b, &t->nodes[which ? which[k] : k]);

	fd = memfd_create("netlab-nodes", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		free(b.p);
		return nlab_err_set(e, errno, "memfd_create");
	}
	while (done < b.len) {
		ssize_t w = write(fd, b.p + done, b.len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			free(b.p);
			return nlab_err_set(e, errno, "write the nodes' memfd");
		}
		done += (size_t)w;
	}
	free(b.p);
	if (fcntl(fd, F_ADD_SEALS, WIRE_SEALS) < 0)
		return nlab_err_set(e, errno, "seal the nodes' memfd");
	return steal_fd(fd);
}

/* ---- reading (in the launcher) ------------------------------------------- */

static bool get(struct nlab_wire *w, void *v, size_t n)
{
	if (w->len - w->off < n)
		return false;
	memcpy(v, w->base + w->off, n);
	w->off += n;
	return true;
}

#define GET(w, type, dst)                                                      \
	({                                                                     \
		type v_;                                                       \
		bool ok_ = get((w), &v_, sizeof(v_));                          \
		if (ok_)                                                       \
			(dst) = v_;                                            \
		ok_;                                                           \
	})

/* A string in place (NUL-terminated in the blob), or NULL for none. */
static bool get_str(struct nlab_wire *w, const char **s)
{
	uint32_t n;

	if (!GET(w, uint32_t, n))
		return false;
	if (n == NIL_LEN) {
		*s = NULL;
		return true;
	}
	if (w->len - w->off < (size_t)n + 1 || w->base[w->off + n] != '\0' ||
	    memchr(w->base + w->off, '\0', n))
		return false;
	*s = w->base + w->off;
	w->off += (size_t)n + 1;
	return true;
}

int nlab_wire_open(int fd, struct nlab_wire *w, struct nlab_err *e)
{
	uint32_t magic = 0, version = 0, has_nofile = 0;
	uint64_t n = 0, cur = 0, max = 0;
	struct stat sb;
	void *p;
	int seals = fcntl(fd, F_GET_SEALS);

	memset(w, 0, sizeof(*w));
	if (seals < 0 || (seals & WIRE_SEALS) != WIRE_SEALS ||
	    fstat(fd, &sb) < 0 || sb.st_size <= 0)
		return nlab_err_set(e, 0, "launcher: no sealed memfd on fd %d",
				    fd);
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return nlab_err_set(e, errno, "launcher: map the nodes");
	w->base = p;
	w->len = (size_t)sb.st_size;
	if (GET(w, uint32_t, magic) && magic == WIRE_MAGIC &&
	    GET(w, uint32_t, version) && version != WIRE_VERSION) {
		nlab_wire_close(w);
		/* netlab-launch from another build than the netlab running */
		return nlab_err_set(e, 0,
				    "launcher: the nodes memfd is of version "
				    "%u, this launcher reads version %u "
				    "(netlab and netlab-launch differ)",
				    version, WIRE_VERSION);
	}
	w->off = 0;
	if (!GET(w, uint32_t, magic) || magic != WIRE_MAGIC ||
	    !GET(w, uint32_t, version) || version != WIRE_VERSION ||
	    !GET(w, int32_t, w->ctl.up) || !GET(w, int32_t, w->ctl.ready_fd) ||
	    !GET(w, int32_t, w->ctl.state_dirfd) ||
	    !GET(w, int32_t, w->ctl.state_recfd) ||
	    !GET(w, int32_t, w->ctl.release_fd) ||
	    !GET(w, uint32_t, has_nofile) || !GET(w, uint64_t, cur) ||
	    !GET(w, uint64_t, max) || !GET(w, uint32_t, w->ctl.n_chan) ||
	    w->ctl.n_chan < 1 || w->ctl.n_chan > NLAB_WIRE_CHANS)
		goto bad;
	for (size_t c = 0; c < NLAB_WIRE_CHANS; c++)
		if (!GET(w, int32_t, w->ctl.chan[c]))
			goto bad;
	if (!GET(w, uint64_t, n) || !get_str(w, &w->lab) ||
	    !get_str(w, &w->dir) || !w->lab || !w->dir ||
	    n > (w->len - w->off) / 8)
		goto bad;
	w->ctl.has_nofile = has_nofile;
	w->ctl.nofile.rlim_cur = cur;
	w->ctl.nofile.rlim_max = max;
	w->n = n;
	w->index = xcalloc(n ? n : 1, sizeof(size_t));
	for (size_t k = 0; k < n; k++) {
		uint64_t i;

		if (!GET(w, uint64_t, i))
			goto bad;
		w->index[k] = i;
	}
	return 0;
bad:
	nlab_wire_close(w);
	return nlab_err_set(e, 0, "launcher: malformed nodes memfd");
}

int nlab_wire_next(struct nlab_wire *w, struct nlab_node *node)
{
	const char *name;
	uint32_t n_mounts, n_env, shared;

	memset(node, 0, sizeof(*node));
	if (w->next >= w->n)
		return 0;
	if (!get_str(w, &name) || !name || strlen(name) > NLAB_NAME_MAX ||
	    !get_str(w, (const char **)&node->run) ||
	    !GET(w, uint64_t, node->log_max) ||
	    !get_str(w, (const char **)&node->files) ||
	    !GET(w, uint32_t, shared) || !GET(w, uint32_t, n_mounts) ||
	    n_mounts > (w->len - w->off) / 44)
		return -1;
	strcpy(node->name, name);
	node->shared = shared;
	node->mounts = xcalloc(n_mounts ? n_mounts : 1, sizeof(*node->mounts));
	node->n_mounts = n_mounts;
	for (size_t i = 0; i < n_mounts; i++) {
		struct nlab_mount *m = &node->mounts[i];
		uint32_t ro;

		if (!get_str(w, (const char **)&m->source) ||
		    !get_str(w, (const char **)&m->target) || !m->target ||
		    !GET(w, uint32_t, ro) || !GET(w, uint64_t, m->size) ||
		    !GET(w, int32_t, m->mode) || !GET(w, int64_t, m->uid) ||
		    !GET(w, int64_t, m->gid) || !GET(w, int32_t, m->line))
			goto bad;
		m->readonly = ro;
	}
	if (!GET(w, uint32_t, n_env) || n_env > (w->len - w->off) / 12)
		goto bad;
	node->env = xcalloc(n_env ? n_env : 1, sizeof(*node->env));
	node->n_env = n_env;
	for (size_t i = 0; i < n_env; i++)
		if (!get_str(w, (const char **)&node->env[i].name) ||
		    !get_str(w, (const char **)&node->env[i].value) ||
		    !node->env[i].name || !node->env[i].value ||
		    !GET(w, int32_t, node->env[i].line))
			goto bad;
	w->next++;
	return 1;
bad:
	nlab_wire_node_free(node);
	return -1;
}

void nlab_wire_node_free(struct nlab_node *node)
{
	free(node->mounts);
	free(node->env);
	node->mounts = NULL;
	node->env = NULL;
	node->n_mounts = node->n_env = 0;
}

void nlab_wire_unmap(const struct nlab_wire *w)
{
	if (w->base)
		munmap((void *)w->base, w->len);
}

void nlab_wire_close(struct nlab_wire *w)
{
	nlab_wire_unmap(w);
	free(w->index);
	w->base = NULL;
	w->index = NULL;
}
