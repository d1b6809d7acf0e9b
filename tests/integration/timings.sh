#!/usr/bin/env bash
# `up --timings` and `netlab -v up`: one line per phase of `up` on stderr,
# in order, and the total; nothing of it without them.
. "$(dirname "$0")/../lib.sh"

f=$(topo timings <<'INI'
[switch s]
[node a]
eth0 = s 10.41.0.1/24
[node b]
eth0 = s 10.41.0.2/24
forward = yes
INI
)
L=$(lab timings)
PHASES="preflight state namespaces bridges links addresses qdiscs sysctls hosts nodes run-watch total"

# The phase names of stderr's timing lines, in order, one line.
phases() { sed -n 's/^netlab: up: \(.*[a-z]\) *[0-9.]* ms$/\1/p' "$1" | tr ' ' - | tr '\n' ' ' | sed 's/ $//'; }

for how in "up --timings" "-v up"; do
	# shellcheck disable=SC2086 # $how is two words
	if "$NETLAB" $how "$f" >"$TMP/out" 2>"$TMP/err"; then
		ok "$how: up"
	else
		notok "$how: up" "$(head -c 300 "$TMP/err")"
	fi
	expect_eq "$how: every phase, in order, then the total" "$(phases "$TMP/err")" "$PHASES"
	expect_match "$how: the lab is up" "$(cat "$TMP/out")" "^lab $L up: 2 nodes"
	expect "$how: the lab works" in_ns "$L.a" ping -c1 -W2 10.41.0.2
	# The phases add up to the total (each within 1 ms of rounding).
	sum=$(sed -n 's/^netlab: up: .*[a-z] *\([0-9.]*\) ms$/\1/p' "$TMP/err" |
		awk '{ v[NR] = $1 } END { for (i = 1; i < NR; i++) s += v[i]; d = s - v[NR]; print (d < 0 ? -d : d) <= NR * 0.1 + 1 ? "yes" : s " vs " v[NR] }')
	expect_eq "$how: the phases add up to the total" "$sum" yes
	expect "$how: down" "$NETLAB" -q down "$L"
done

"$NETLAB" up "$f" >/dev/null 2>"$TMP/err"
expect_eq "without --timings: no timings" "$(phases "$TMP/err")" ""
expect "down" "$NETLAB" -q down "$L"
expect_fail "--timings after -- is a file name" "$NETLAB" up -- --timings
done_testing
