// SPDX-License-Identifier: MIT
#include "run/pcapdl.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/util.h"

struct nlab_pcap_api nlab_pcap;

/* The library `make` built against first (its SONAME, from the Makefile),
 * then the names distributions give it. */
static const char *const sonames[] = {
#ifdef NLAB_PCAP_SONAME
	NLAB_PCAP_SONAME,
#endif
	"libpcap.so.1",
	"libpcap.so.0.8",
	"libpcap.so",
};

static const struct {
	const char *name;
	size_t off;
} funcs[] = {
#define NLAB_PCAP_ENTRY(f) { #f, offsetof(struct nlab_pcap_api, f) },
	NLAB_PCAP_FUNCS(NLAB_PCAP_ENTRY)
#undef NLAB_PCAP_ENTRY
};

int nlab_pcap_load(struct nlab_err *e)
{
	static void *lib;
	char why[256] = "";

	const char *const *names = sonames;
	size_t n = ARRAY_SIZE(sonames);

	if (lib)
		return 0;
#ifdef NLAB_TEST_HOOKS
	/* NETLAB_TEST_PCAP=SONAME: the one name tried (a missing one: what
	 * a host without libpcap sees). */
	const char *only = getenv("NETLAB_TEST_PCAP");

	if (only) {
		names = &only;
		n = 1;
	}
#endif
	for (size_t i = 0; i < n && !lib; i++) {
		lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
		if (!lib && i == 0)
			snprintf(why, sizeof(why), "%s", dlerror());
	}
	if (!lib)
		return nlab_err_set(e, 0,
				    "capture needs libpcap, which could not "
				    "be loaded (%s; Debian: apt install "
				    "libpcap0.8)",
				    why);
	for (size_t i = 0; i < ARRAY_SIZE(funcs); i++) {
		void *f = dlsym(lib, funcs[i].name);

		if (!f) {
			dlclose(lib);
			lib = NULL;
			return nlab_err_set(e, 0, "libpcap has no %s",
					    funcs[i].name);
		}
		*(void **)((char *)&nlab_pcap + funcs[i].off) = f;
	}
	return 0;
}
