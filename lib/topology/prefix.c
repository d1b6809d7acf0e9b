// SPDX-License-Identifier: MIT
#include "topology/prefix.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "base/text.h"

int nlab_parse_addr(const char *s, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, addr) == 1)
		return AF_INET6;
	return 0;
}

int nlab_parse_prefix_ex(const char *s, struct nlab_prefix *p, char *why,
			 bool *bare_len)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	uint64_t len;
	int max;

	memset(p, 0, sizeof(*p));
	if (alen >= sizeof(addr))
		goto bad_addr;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	p->family = nlab_parse_addr(addr, p->addr);
	if (!p->family)
		goto bad_addr;
	max = p->family == AF_INET ? 32 : 128;
	if (!slash) {
		if (bare_len) {
			*bare_len = true;
			p->len = (uint8_t)max;
			return 0;
		}
		if (why)
			snprintf(why, 128,
				 "address %s needs a prefix length "
				 "(e.g. %s/%d)",
				 s, s, p->family == AF_INET ? 24 : 64);
		return -1;
	}
	if (nlab_parse_uint(slash + 1, (uint64_t)max, &len)) {
		if (why)
			snprintf(why, 128,
				 "'%s': the prefix length must be "
				 "from 0 to %d",
				 s, max);
		return -1;
	}
	p->len = (uint8_t)len;
	if (bare_len)
		*bare_len = false;
	return 0;
bad_addr:
	if (why)
		snprintf(why, 128, "'%s' is not an IPv4 or IPv6 address", s);
	return -1;
}

bool nlab_prefix_contains(const struct nlab_prefix *p, int family,
			  const uint8_t *addr)
{
	unsigned full = p->len / 8, rest = p->len % 8;

	if (p->family != family)
		return false;
	if (memcmp(p->addr, addr, full))
		return false;
	if (!rest)
		return true;
	return !((p->addr[full] ^ addr[full]) & (0xff00 >> rest));
}

struct nlab_prefix nlab_prefix_network(const struct nlab_prefix *p)
{
	struct nlab_prefix n = *p;
	unsigned full = p->len / 8, rest = p->len % 8;

	if (full < 16) {
		n.addr[full] &= (uint8_t)(0xff00 >> rest);
		memset(n.addr + full + 1, 0, 16 - full - 1);
	}
	return n;
}

const char *nlab_prefix_str(const struct nlab_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->family, p->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s/%u", a, p->len);
	return buf;
}
