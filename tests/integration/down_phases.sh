#!/usr/bin/env bash
# `down` in phases (issue 15): `down --timings` and `netlab -v down` name
# them in order; the files under /etc/netns go on a thread of their own
# beside the processes' ends, begun before the nodes are signalled; each
# supervisor removes its own state files (NODE.run, NODE.log) as it leaves
# a `down`, but not a `stop`; and a `down` killed between any two phases
# is finished by the next one.
. "$(dirname "$0")/../lib.sh"

f=$(topo downph <<'INI'
[switch s]
[node a]
eth0 = s 10.43.0.1/24
run = echo hello from a; exec sleep 1000
[node b]
eth0 = s 10.43.0.2/24
INI
)
L=$(lab downph)
PHASES="record processes files namespaces state total"

# The phase names of stderr's timing lines, in order, one line.
phases() { sed -n 's/^netlab: down: \(.*[a-z]\) *[0-9.]* ms$/\1/p' "$1" | tr '\n' ' ' | sed 's/ $//'; }

# --- 1. the timings --------------------------------------------------------
for how in "down --timings" "-v down"; do
	expect "$how: up" "$NETLAB" -q up "$f"
	# shellcheck disable=SC2086 # $how is two words
	if "$NETLAB" $how "$L" >"$TMP/out" 2>"$TMP/err"; then
		ok "$how: exit 0"
	else
		notok "$how: exit 0" "$(head -c 300 "$TMP/err")"
	fi
	expect_eq "$how: every phase, in order, then the total" "$(phases "$TMP/err")" "$PHASES"
	sum=$(sed -n 's/^netlab: down: .*[a-z] *\([0-9.]*\) ms$/\1/p' "$TMP/err" |
		awk '{ v[NR] = $1 } END { for (i = 1; i < NR; i++) s += v[i]; d = s - v[NR]; print (d < 0 ? -d : d) <= NR * 0.1 + 1 ? "yes" : s " vs " v[NR] }')
	expect_eq "$how: the phases add up to the total" "$sum" yes
	expect_eq "$how: nothing left" "$(leftovers "$L")" ""
done
expect "up again" "$NETLAB" -q up "$f"
"$NETLAB" down "$L" >/dev/null 2>"$TMP/err"
expect_eq "without --timings: no timings" "$(phases "$TMP/err")" ""
expect_fail "--timings is no lab name" "$NETLAB" down --timings

# --- 2. paused in a phase, then killed ---------------------------------------
# down_paused N: `down` of $L stopped at the end of its Nth phase
# (NETLAB_TEST_PAUSE=down:N); its pid in $pid.
down_paused() {
	NETLAB_TEST_PAUSE=down:$1 "$NETLAB" -q down "$L" >/dev/null 2>"$TMP/pause.err" &
	pid=$!
	for ((i = 0; i < 100; i++)); do grep -q "test pause at down:$1" "$TMP/pause.err" && break; sleep 0.1; done
	expect_match "paused after phase $1" "$(cat "$TMP/pause.err")" "test pause at down:$1 "
}
kill_down() {
	kill -9 "$pid"
	{ wait "$pid"; } 2>/dev/null
	expect_eq "$1: down killed" "$?" 137
}
finish() {
	expect "$1: a second down exits 0" "$NETLAB" -q down "$L"
	expect_eq "$1: a second down leaves nothing" "$(leftovers "$L")" ""
}

# After the processes: the nodes are gone, and so are the state files their
# supervisors wrote; the record is whole.  (The files under /etc/netns go
# on a thread of their own, begun before the processes are signalled.)
expect "processes: up" "$NETLAB" -q up "$f"
down_paused 2
expect_eq "processes: no supervisor left" "$(sup a)$(sup b)" ""
expect_eq "processes: each node removed its own state files" \
	"$(ls "/run/netlab/$L" | grep -E '^[ab]\.(run|log)' | tr '\n' ' ')" ""
expect "processes: the record is still there" test -s "/run/netlab/$L/record"
expect "processes: the namespaces are still there" test -e "/run/netns/$L.a" -a -e "/run/netns/$L.s"
kill_down processes
finish processes

# After the files: /etc/netns has nothing of the lab; the namespaces and
# the record are still there.
expect "files: up" "$NETLAB" -q up "$f"
down_paused 3
expect_eq "files: /etc/netns has nothing of the lab" "$(ls /etc/netns | grep -c "^$L\.")" 0
expect_eq "files: no supervisor left" "$(sup a)$(sup b)" ""
expect "files: the namespaces are still there" test -e "/run/netns/$L.a" -a -e "/run/netns/$L.s"
expect "files: the record is still there" test -s "/run/netlab/$L/record"
kill_down files
finish files

# After the namespaces: only the state is left.
expect "namespaces: up" "$NETLAB" -q up "$f"
down_paused 4
expect_eq "namespaces: no netns of the lab left" "$(ls /run/netns | grep -c "^$L\.")" 0
expect "namespaces: the state is still there" test -s "/run/netlab/$L/record"
kill_down namespaces
finish namespaces

# --- 3. a stop is no down: the stopped node's state stays ------------------
expect "stop: up" "$NETLAB" -q up "$f"
expect "stop: a" "$NETLAB" -q stop "$L" a
expect "stop: a.run is still there" test -s "/run/netlab/$L/a.run"
expect_match "stop: a's log kept its output" "$(cat "/run/netlab/$L/a.log")" "^hello from a$"
expect_match "stop: status names a stopped" "$("$NETLAB" status "$L")" "stopped by \`netlab stop\`"
expect "stop: down" "$NETLAB" -q down "$L"
expect_eq "stop: nothing left" "$(leftovers "$L")" ""
done_testing
