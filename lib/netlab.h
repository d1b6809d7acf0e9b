/* SPDX-License-Identifier: MIT */
/*
 * libnetlab's public interface: what the CLI (netlab/) may use.  netlab/
 * includes this header and its own, never a header of a layer folder
 * directly, so that what the library offers the CLI is listed here, in
 * one place.
 */
#ifndef NLAB_NETLAB_H
#define NLAB_NETLAB_H

/* base: errors, small helpers, text */
#include "base/err.h"
#include "base/text.h"
#include "base/util.h"

/* topology: the model, its loader, tests, Kathará import, graphs */
#include "topology/dot.h"
#include "topology/kathara.h"
#include "topology/labtest.h"
#include "topology/spread.h"
#include "topology/topology.h"

/* kernel: impairments (`netlab impair`) */
#include "kernel/qdisc.h"

/* lab: up, down, apply, nodes' lifecycle, logs, files, state */
#include "lab/apply.h"
#include "lab/enter.h"
#include "lab/lab.h"
#include "lab/lifecycle.h"
#include "lab/multihost.h"
#include "lab/names.h"
#include "lab/node.h"
#include "lab/nodeenv.h"
#include "lab/nodefile.h"
#include "lab/nodelog.h"
#include "lab/proc.h"
#include "lab/runwatch.h"
#include "lab/state.h"

/* run: the run-time commands */
#include "run/capture.h"
#include "run/ping.h"
#include "run/ready.h"
#include "run/runtime.h"
#include "run/status.h"

#endif
