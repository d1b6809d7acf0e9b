#!/usr/bin/env bash
# make bench: `netlab apply` of a one-link change (a link added between
# two routers) on a running chain of N routers.  It must not walk the
# whole lab: no netns opened, no process looked at but those of the two
# nodes the link joins.  Prints one line: "apply one-link change on chain
# N: X ms" (the best of REPS, after one warm-up).
set -eu
NETLAB=${1:-$(dirname "$0")/../../netlab/netlab}
N=${APPLY_CHAIN:-1000}
# The link joins nodes A and B (default: near the end of the chain, so
# that the hosts files, which list every address in node order, change
# only at their end: APPLY_AT=0 puts it at the start, every hosts file
# then rewritten from its first lines).
A=$(( ${APPLY_AT:-$((N - 3))} ))
B=$((A + 2))
REPS=${REPS:-3}
TMP=$(mktemp -d /tmp/netlab-bench-apply.XXXXXX)
LAB=bench-apply-$$
trap '"$NETLAB" -q down "$LAB" >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 1; }

addr() { echo "10.$((100 + $1 / 256)).$(($1 % 256)).$2/30"; }
chain_ini() { # yes|no: with the extra link between nA and nB
	local i
	echo "[lab]"; echo "name = $LAB"
	for ((i = 0; i < N; i++)); do
		echo "[node n$i]"
		if ((i > 0)); then echo "eth0 = l$((i - 1)) $(addr "$i" 2)"; fi
		if ((i < N - 1)); then echo "eth1 = l$i $(addr $((i + 1)) 1)"; fi
		if [ "$1" = yes ] && ((i == A)); then echo "eth2 = extra 10.99.0.1/30"; fi
		if [ "$1" = yes ] && ((i == B)); then echo "eth2 = extra 10.99.0.2/30"; fi
		echo "forward = yes"
	done
}
chain_ini no >"$TMP/a.ini"
chain_ini yes >"$TMP/b.ini"
"$NETLAB" -q up "$TMP/a.ini"
ms() { # the wall time of one command, in ms
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
best=
# Each rep adds the link and takes it away again; both are timed.
for ((r = 0; r <= REPS; r++)); do
	for f in b a; do
		t=$(ms "$NETLAB" apply "$TMP/$f.ini")
		((r == 0)) && continue
		if [ -z "$best" ] || ((t < best)); then best=$t; fi
	done
done
echo "apply one-link change on chain $N: $best ms"
[ -z "${APPLY_AT:-}" ] || echo "(the link between n$A and n$B)"
