/* SPDX-License-Identifier: MIT */
/* Impairment options beyond the public nlab_impair_parse()/_str(). */
#ifndef NLAB_IMPAIR_H
#define NLAB_IMPAIR_H

#include <stdbool.h>

#include "topology/topology.h"

/*
 * The ranges the parser accepts, in base units, set by what the qdiscs
 * can be given through libnl (qdisc.c):
 *
 * rate 1kbit to 17gbit.  tbf takes its rate as a 32-bit count of bytes
 * per second in TCA_TBF_PARMS, and libnl's setter as an int: 2^31 - 1
 * bytes/s is 17.18 gbit (libnl 3.7 sends no TCA_TBF_RATE64).  tbf also
 * takes the time to send its bucket (at least two full frames, 3028
 * bytes) as 32-bit 64 ns ticks, at most 274 s: below about 100 bit/s
 * that overflows, and below 8 bit/s the rate is 0 bytes.
 *
 * delay, jitter 0 to 200s.  netem takes both as 32-bit 64 ns ticks in
 * tc_netem_qopt, 274 s at most (libnl converts microseconds to ticks and
 * sends no TCA_NETEM_LATENCY64); 200 s keeps clear of that, and of a
 * signed 32-bit count of microseconds (2147 s).
 *
 * loss, duplicate, corrupt, reorder 0% to 100%.
 */
#define NLAB_IMPAIR_RATE_MIN 1000ull	    /* bit/s */
#define NLAB_IMPAIR_RATE_MAX 17000000000ull /* bit/s */
#define NLAB_IMPAIR_TIME_MAX 200000000ull   /* us */

/* Is @name an impairment option (rate, delay, ...)? */
bool nlab_impair_known(const char *name);

#endif
