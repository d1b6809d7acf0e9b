/* SPDX-License-Identifier: MIT */
/*
 * libpcap, loaded when `capture` first needs it (dlopen) instead of being
 * linked: linked, it and the eight libraries it pulls in (dbus, systemd,
 * gcrypt, ...) were mapped by every netlab command and, through the fork
 * that makes them, by every node's supervisor, for a command no node
 * runs; each costs a supervisor page tables and, at a lab's `down`, the
 * time to tear them down.  The declarations still come from
 * <pcap/pcap.h>; only the functions `capture` calls are looked up, into
 * nlab_pcap, named as in libpcap: nlab_pcap.pcap_create(...).
 */
#ifndef NLAB_PCAPDL_H
#define NLAB_PCAPDL_H

#include <pcap/pcap.h>

#include "base/err.h"

#define NLAB_PCAP_FUNCS(X)                                                     \
	X(pcap_activate)                                                       \
	X(pcap_breakloop)                                                      \
	X(pcap_close)                                                          \
	X(pcap_compile)                                                        \
	X(pcap_create)                                                         \
	X(pcap_dispatch)                                                       \
	X(pcap_dump)                                                           \
	X(pcap_dump_close)                                                     \
	X(pcap_dump_file)                                                      \
	X(pcap_dump_flush)                                                     \
	X(pcap_dump_fopen)                                                     \
	X(pcap_dump_open)                                                      \
	X(pcap_freecode)                                                       \
	X(pcap_get_selectable_fd)                                              \
	X(pcap_geterr)                                                         \
	X(pcap_set_immediate_mode)                                             \
	X(pcap_set_promisc)                                                    \
	X(pcap_set_snaplen)                                                    \
	X(pcap_setfilter)                                                      \
	X(pcap_setnonblock)                                                    \
	X(pcap_stats)                                                          \
	X(pcap_statustostr)

struct nlab_pcap_api {
#define NLAB_PCAP_MEMBER(f) __typeof__(f) *f;
	NLAB_PCAP_FUNCS(NLAB_PCAP_MEMBER)
#undef NLAB_PCAP_MEMBER
};

extern struct nlab_pcap_api nlab_pcap;

/* Load libpcap and fill nlab_pcap (once; later calls return at once):
 * 0, or -1 with @e saying what is missing. */
int nlab_pcap_load(struct nlab_err *e);

#endif
