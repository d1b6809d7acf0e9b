#!/usr/bin/env bash
# A node's log cannot fill the host: NODE.log and NODE.log.1 together stay
# within log_max, `log` shows the newest output and says what was dropped,
# `log -f` follows across rotations.  Sizes checked with stat(1) on the
# files, the stream checked against a copy `tee` kept on the host.
. "$(dirname "$0")/../lib.sh"

# wait_for SECONDS CMD...: until CMD succeeds (polls every 0.1 s).
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
}
# Bytes in the node's log files (NODE.log, NODE.log.1, NODE.log.dropped).
log_bytes() { stat -c %s "/run/netlab/$1/$2".log* | awk '{s += $1} END {print s + 0}'; }
logged() { grep -q "$3" "/run/netlab/$1/$2".log 2>/dev/null; }

# 50 MB as fast as the node can print it: a with log_max = 1m, b with the
# default (4m); c prints two short lines.
burst='yes 0123456789012345678901234567890123456789 | head -c 50000000; echo; echo LAST-LINE'
f=$(topo logcap <<INI
[node a]
log_max = 1m
run = "$burst; exec sleep 1000"
[node b]
run = "$burst; exec sleep 1000"
[node c]
run = "echo one; echo two >&2; exec sleep 1000"
INI
)
L=$(lab logcap)
expect "logcap: up" "$NETLAB" -q up "$f"
expect "burst: a printed it all" wait_for 120 logged "$L" a LAST-LINE
expect "burst: b printed it all" wait_for 120 logged "$L" b LAST-LINE
# The only slack over log_max: NODE.log.dropped, a decimal count (< 32 B).
expect "burst: log_max = 1m keeps <= 1 MiB on disk" \
	test "$(log_bytes "$L" a)" -le $((1024 * 1024 + 32))
expect "burst: the default keeps <= 4 MiB on disk" \
	test "$(log_bytes "$L" b)" -le $((4 * 1024 * 1024 + 32))
expect "burst: half the cap at least is kept (not thrown away early)" \
	test "$(log_bytes "$L" a)" -ge $((512 * 1024 - 4096))
total=$((50000000 + 1 + 10)) # the burst, "\n", "LAST-LINE\n"
for n in a b; do
	"$NETLAB" log "$L" $n >"$TMP/log.$n"
	expect_eq "log $n: ends with the newest output" "$(tail -n 1 "$TMP/log.$n")" "LAST-LINE"
	first=$(head -n 1 "$TMP/log.$n")
	expect_match "log $n: says older output was dropped" "$first" '^\[netlab: [0-9]+ bytes of older output dropped\]$'
	dropped=$(echo "$first" | sed -n 's/^\[netlab: \([0-9]*\) bytes of.*/\1/p')
	dropped=${dropped:-0}
	shown=$(($(wc -c <"$TMP/log.$n") - ${#first} - 1))
	expect_eq "log $n: dropped + shown = all that was printed" "$((dropped + shown))" "$total"
	expect_eq "log $n: what is shown is whole lines of the burst" \
		"$(sed '1d;$d' "$TMP/log.$n" | sed '$d' | sort -u)" "0123456789012345678901234567890123456789"
done
expect_eq "small log: reads exactly as printed" "$("$NETLAB" log "$L" c | od -c)" "$(printf 'one\ntwo\n' | od -c)"
expect_eq "small log: one file, nothing rotated" "$(cd "/run/netlab/$L" && ls c.log*)" "c.log"
expect_match "burst: the node still runs" "$("$NETLAB" ps "$L" a)" "sleep 1000"
expect "exec output into /proc/1/fd/1 still logs" \
	"$NETLAB" exec "$L" c sh -c 'echo via-pid1 >/proc/1/fd/1'
expect "exec output into /proc/1/fd/1: in the log" wait_for 10 logged "$L" c via-pid1

# log -f ends when the lab goes down, and down leaves no rotated file.
timeout 60 "$NETLAB" log -f "$L" c >"$TMP/follow.c" 2>&1 &
follower=$!
expect "log -f: running" wait_for 20 grep -q via-pid1 "$TMP/follow.c"
expect "logcap: down" "$NETLAB" -q down "$L"
wait "$follower"
expect_eq "log -f: ends (exit 0) when the lab goes down" "$?" "0"
expect_eq "down: no log file left" "$(ls -d /run/netlab/"$L"* 2>/dev/null)" ""

# --- log -f across rotations ------------------------------------------------
# 2000 numbered lines of 1 KiB with small pauses, log_max = 64k from [lab]
# (so about 32 lines a file): the follower, started before the first line,
# must end with the last one, every number after the one before, and every
# byte either shown or counted in a "dropped" note.
cat >"$TMP/lines.sh" <<'SH'
while [ ! -e go ]; do sleep 0.05; done
pad=$(printf '%01010d' 0)
i=0
while [ $i -lt 2000 ]; do
	i=$((i + 1))
	echo "line $i $pad"
	case $i in *0) sleep 0.02 ;; esac
done
echo DONE
SH
f=$(topo logf <<INI
log_max = 64k
[node w]
run = "sh lines.sh | tee copy.txt; exec sleep 1000"
INI
)
L=$(lab logf)
expect "logf: up" "$NETLAB" -q up "$f"
"$NETLAB" log -f "$L" w >"$TMP/follow" 2>&1 &
follower=$!
sleep 0.5
touch "$TMP/go"
expect "logf: the writer finished" wait_for 120 grep -q DONE "$TMP/copy.txt"
expect "log -f: shows the last line" wait_for 30 grep -q DONE "$TMP/follow"
kill "$follower" 2>/dev/null
wait "$follower" 2>/dev/null
expect "logf: the log was rotated" test -e "/run/netlab/$L/w.log.1"
expect "logf: within 64k on disk" test "$(log_bytes "$L" w)" -le $((64 * 1024 + 32))
expect_match "log -f: has line 2000" "$(grep -c '^line 2000 ' "$TMP/follow")" '^1$'
bad=$(awk '/^line / { if ($2 <= last) print "line " $2 " after " last; last = $2 }' "$TMP/follow" | head -n 3)
expect_eq "log -f: line numbers strictly increasing" "$bad" ""
notes=$(sed -n 's/^\[netlab: \([0-9]*\) bytes of.*/\1/p' "$TMP/follow" | awk '{s += $1} END {print s + 0}')
shown=$(grep -v '^\[netlab: ' "$TMP/follow" | wc -c)
expect_eq "log -f: every byte shown or counted as dropped" "$((notes + shown))" "$(stat -c %s "$TMP/copy.txt")"
expect_eq "log -f: what is shown is what was printed" \
	"$(grep -v '^\[netlab: ' "$TMP/follow" | grep -vxF -f "$TMP/copy.txt" | head -n 1)" ""
expect_match "log: after the run, starts with the note" "$("$NETLAB" log "$L" w | head -n 1)" '^\[netlab: [0-9]+ bytes of older output dropped\]$'
expect_eq "log: after the run, ends with the last line" "$("$NETLAB" log "$L" w | tail -n 1)" "DONE"
expect "logf: down" "$NETLAB" -q down "$L"
done_testing
