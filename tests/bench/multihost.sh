#!/usr/bin/env bash
# The cost of spreading a lab over hosts: `up` and `down` of one chain of
# N nodes (default 300; N=3000 for the issue's figure) on one simulated
# host, then spread over 2 and 3 (contiguous blocks: one crossing segment
# per pair of neighbouring hosts), on simulated hosts (tests/simhosts.sh).
# Usage: tests/bench/multihost.sh NETLAB [N]   (root)
set -u
NETLAB=$(readlink -f "${1:?usage: $0 NETLAB [N]}")
N=${2:-300}
PFX=b$$
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/simhosts.sh"
TMP=$(mktemp -d)
trap 'sim_fini; rm -rf "$TMP"' EXIT

sim_init || exit 1
for n in 1 2 3; do sim_host "$n" || { echo "simulated host h$n failed" >&2; exit 1; }; done

# chain H: the lab file of the chain over H hosts (H=1: no [host]).
chain() {
	local h=$1 i per=$(((N + $1 - 1) / $1))
	echo "[lab]"
	echo "name = $PFX-c$h"
	if [ "$h" -gt 1 ]; then
		for ((i = 1; i <= h; i++)); do
			printf '[host h%d]\naddress = 198.51.100.%d\n' "$i" "$i"
			if [ "$i" = 1 ]; then echo "via = local"; else
				echo "via = exec nsenter -t ${HPID[$i]} -m -n --"; fi
		done
	fi
	for ((i = 0; i < N; i++)); do
		echo "[node n$i]"
		[ "$h" -gt 1 ] && echo "host = h$((i / per + 1))"
		[ "$i" -gt 0 ] && echo "eth0 = s$((i - 1)) 10.$((i / 250)).$((i % 250)).2/24"
		[ "$i" -lt $((N - 1)) ] && echo "eth1 = s$i 10.$(((i + 1) / 250)).$(((i + 1) % 250)).1/24"
	done
}

secs() { date +%s.%N; }
printf '%-8s %8s %8s\n' hosts "up (s)" "down (s)"
for h in 1 2 3; do
	chain "$h" >"$TMP/c$h.ini"
	t0=$(secs)
	if ! in_host 1 "$NETLAB" -q up "$TMP/c$h.ini"; then
		printf '%-8s %8s\n' "$h" "failed" # said why on stderr
		continue
	fi
	t1=$(secs)
	if [ "$h" -gt 1 ]; then # across the first crossing segment
		per=$(((N + h - 1) / h))
		in_host 1 ip netns exec "$PFX-c$h.n$((per - 1))" ping -c 1 -W 2 \
			"10.$((per / 250)).$((per % 250)).2" >/dev/null ||
			echo "warning: no ping across hosts over $h hosts" >&2
	fi
	t2=$(secs)
	in_host 1 "$NETLAB" -q down "$PFX-c$h" || { echo "down over $h failed" >&2; exit 1; }
	t3=$(secs)
	printf '%-8s %8.2f %8.2f\n' "$h" "$(echo "$t1 - $t0" | bc)" "$(echo "$t3 - $t2" | bc)"
done
