#!/usr/bin/env bash
# Memory: what each node's supervisor costs the host (the pages it has to
# itself, Private_Dirty of /proc/PID/smaps_rollup: at most 64 KiB, for a
# node with a `run` that is still running and one without), and what `up`
# holds per node at its peak (the growth of its maximum resident set from
# a chain of 20 nodes to one of 220, as /usr/bin/time measures it: at
# most 5 KiB a node), and that a supervisor's memory does not grow with
# the lab's size.
. "$(dirname "$0")/../lib.sh"
if grep -q __asan_init "$NETLAB"; then
	skip "$(basename "$0" .sh)" "an ASan build: its shadow memory and redzones are not what a node costs"
	done_testing
fi

# chain NAME N [LINES]: nodes n1..nN, node k and k+1 joined by a veth
# pair, link k 10.61.0.0 + 4(k-1) + {1,2} /30; LINES go into node n1.
addr() { echo "10.61.$(($1 >> 8)).$(($1 & 255))/30"; }
chain() {
	local n=$2 extra=${3:-} i
	for ((i = 1; i <= n; i++)); do
		echo "[node n$i]"
		if ((i > 1)); then echo "eth0 = l$((i - 1)) $(addr $((4 * (i - 2) + 2)))"; fi
		if ((i < n)); then echo "eth1 = l$i $(addr $((4 * (i - 1) + 1)))"; fi
		if ((i == 1)) && [ -n "$extra" ]; then printf '%s\n' "$extra"; fi
	done | topo "$1"
}

private_dirty() { awk '$1 == "Private_Dirty:" { print $2 }' "/proc/$1/smaps_rollup"; }

# --- each supervisor's own pages ------------------------------------------
f=$(chain sup 20 'run = echo started && exec sleep 600')
L=$(lab sup)
expect "supervisors: up" "$NETLAB" -q up "$f"
wait_for "supervisors: n1's run has started" 20 \
	sh -c "\"\$0\" log $L n1 | grep -q started" "$NETLAB"
worst=0 who=
for n in n1 n2 n10 n20; do
	pid=$(sup "$n")
	kb=$(private_dirty "$pid")
	if [ -z "$kb" ]; then
		notok "supervisors: $n's memory" "no smaps_rollup for pid '$pid'"
		continue
	fi
	((kb > worst)) && worst=$kb who=$n
done
if ((worst > 0 && worst <= 64)); then
	ok "supervisors: at most 64 KiB of their own ($worst KiB, $who)"
else
	notok "supervisors: at most 64 KiB of their own" "$who has $worst KiB"
fi
expect "supervisors: down" "$NETLAB" -q down "$L"

# --- up's peak, per node --------------------------------------------------
if [ ! -x /usr/bin/time ]; then
	skip "up: peak memory per node" "no /usr/bin/time"
else
	declare -A peak anon
	for n in 20 220; do
		f=$(chain "peak$n" "$n")
		if /usr/bin/time -f %M -o "$TMP/rss$n" "$NETLAB" -q up "$f"; then
			peak[$n]=$(tail -n 1 "$TMP/rss$n")
			L=$(lab "peak$n")
			anon[$n]=$(awk '$1 == "Anonymous:" { print $2 }' "/proc/$(sup n1)/smaps_rollup")
		fi
		"$NETLAB" -q down "$(lab "peak$n")"
	done
	# A supervisor shares no page of `up`'s heap, which grows with the
	# lab (the launcher is executed anew: lab/nodewire.h).
	if [ -z "${anon[20]:-}" ] || [ -z "${anon[220]:-}" ]; then
		notok "supervisor: memory independent of the lab's size" "no smaps_rollup"
	elif ((anon[220] - anon[20] <= 32)); then
		ok "supervisor: memory independent of the lab's size (Anonymous ${anon[20]} KiB at 20 nodes, ${anon[220]} at 220)"
	else
		notok "supervisor: memory independent of the lab's size" "Anonymous ${anon[20]} KiB at 20 nodes, ${anon[220]} at 220"
	fi
	if [ -z "${peak[20]:-}" ] || [ -z "${peak[220]:-}" ]; then
		notok "up: peak memory per node" "an up failed"
	else
		per=$(((peak[220] - peak[20]) / 200))
		if ((per <= 5)); then
			ok "up: peak memory per node at most 5 KiB ($per KiB: ${peak[20]} KiB at 20 nodes, ${peak[220]} at 220)"
		else
			notok "up: peak memory per node at most 5 KiB" "$per KiB: ${peak[20]} KiB at 20 nodes, ${peak[220]} at 220"
		fi
	fi
fi
done_testing
