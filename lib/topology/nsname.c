// SPDX-License-Identifier: MIT
/* The names of a lab's objects on the host: see nsname.h. */
#include "topology/nsname.h"

#include <stdio.h>
#include <string.h>

void nlab_ns_name(char *buf, size_t len, const char *lab, const char *name)
{
	snprintf(buf, len, "%s.%s", lab, name);
}

void nlab_port_name(char *buf, size_t len, const struct nlab_segment *s,
		    size_t member)
{
	const struct nlab_iface *i = s->members[member];

	if (strlen(i->node->name) + 1 + strlen(i->name) <= NLAB_IFNAME_MAX)
		snprintf(buf, len, "%s.%s", i->node->name, i->name);
	else
		snprintf(buf, len, "p%zu", member);
}
