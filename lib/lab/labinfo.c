// SPDX-License-Identifier: MIT
/* Small look-ups on a running lab shared by the run-time commands. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lab/names.h"
#include "kernel/netns.h"
#include "lab/state.h"
#include "base/util.h"
#include "topology/nsname.h"

int nlab_lab_topology(const char *lab, struct nlab_topology **t,
		      struct nlab_err *e)
{
	return nlab_lab_topology_file(lab, "topology.ini", t, e);
}

int nlab_lab_topology_file(const char *lab, const char *file,
			   struct nlab_topology **t, struct nlab_err *e)
{
	/* The lab is what its state directory is called: the copy is named
	 * topology.ini, and `up --name` may have renamed it. */
	struct nlab_load_opts o = { .skip_fs_checks = true, .rename = lab };
	cleanup_free char *dir = nlab_state_slurp(lab, "source-dir");
	struct nlab_diag d = { 0 };
	char path[256];

	snprintf(path, sizeof(path), NLAB_STATE_DIR "/%s/%s", lab, file);
	if (access(path, F_OK) < 0)
		return nlab_err_no_lab(e, lab);
	o.dir = dir;
	if (nlab_topology_load_opts(path, &o, t, &d)) {
		nlab_diag_free(&d);
		return nlab_err_set(e, EINVAL,
				    "lab %s: its stored topology is unreadable",
				    lab);
	}
	return 0;
}

int nlab_lab_enter(const char *lab, const char *kind, const char *name,
		   int *orig, struct nlab_err *e)
{
	char ns[NLAB_NAME_MAX * 2 + 2];
	int fd;

	nlab_ns_name(ns, sizeof(ns), lab, name);
	*orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*orig < 0)
		return nlab_err_set(e, errno, "open /proc/self/ns/net");
	fd = nlab_netns_open(ns, e);
	if (fd < 0 && e->errnum == ENOENT) {
		nlab_err_set(e, 0,
			     "%s %s of lab %s is missing (its netns %s was "
			     "removed)",
			     kind, name, lab, ns);
		e->errnum = ENOENT;
	}
	if (fd < 0 || nlab_netns_enter(fd, e)) {
		if (fd >= 0)
			close(fd);
		close(*orig);
		*orig = -1;
		return -1;
	}
	close(fd);
	return 0;
}

int nlab_lab_enter_netns(const char *lab, const char *name, int *orig,
			 struct nlab_err *e)
{
	return nlab_lab_enter(lab, "node", name, orig, e);
}

int nlab_lab_leave_netns(int orig, struct nlab_err *e)
{
	int ret = 0;

	if (orig < 0)
		return 0;
	if (setns(orig, CLONE_NEWNET) < 0)
		ret = nlab_err_set(e, errno, "return to the original netns");
	close(orig);
	return ret;
}
