#!/usr/bin/env bash
# Node health beyond `run`: status counts the processes left in each node
# (a forking init script that exited 0 and left its daemons is healthy; one
# that left nothing is a dead router), `up` warns about a `run` that fails
# at once, and `log LAB NODE LOGFILE` shows a daemon's log from the node's
# own /var/log without ever following a symbolic link out of it.
. "$(dirname "$0")/../lib.sh"

PIDS=()
at_exit 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done'

# procs NS: processes in the PID namespace of the node's supervisor other
# than the supervisor, counted from the host's /proc.
procs() {
	local sup ns n=0 p
	sup=$(json_get "$("$NETLAB" status --json "$L")" "node('$1')['supervisor']")
	ns=$(readlink "/proc/$sup/ns/pid") || return
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] && n=$((n + 1))
	done
	echo $((n - 1))
}
# status_line NODE: the node's first line in `status`.
status_line() { "$NETLAB" status "$L" | grep "^$1 "; }
has_text() { "$@" | grep -q .; }

D=t$$-health # a directory name nobody else uses, under /var/log
f=$(topo health <<INI
[node forker]
; an init script: starts a daemon and exits 0
run = "sleep 1000 & exit 0"
[node dead]
; exits 0 and leaves nothing
run = exit 0
[node daemon]
run = exec sleep 1000
[node plain]
[node boom]
run = "echo starting; echo boom; exit 3"
[node killed]
run = "kill -KILL \$\$"
[node logger]
; a private /var/log, as every node will have one
tmpfs = /var/log
run = "mkdir /var/log/$D && echo 'hello from logger' >/var/log/$D/y.log && ln -s /etc/shadow /var/log/shadow && ln -s /etc /var/log/etc && mkfifo /var/log/fifo && exec sleep 1000"
INI
)
L=$(lab health)

# --- up: warns about the runs that failed at once, still exits 0 --------------
"$NETLAB" up "$f" >"$TMP/out" 2>"$TMP/err"
expect_eq "up: exit 0 although runs failed" "$?" "0"
err=$(cat "$TMP/err")
expect_match "up: warns about boom's exit status" "$err" "^netlab: up: warning: node boom: run exited 3 within 1 s; last lines of its log:$"
expect_eq "up: with the last lines of its log" "$(printf '%s\n' "$err" | grep -A2 'node boom:' | tail -n 2)" "  starting
  boom"
expect_match "up: warns about the killed run" "$err" "warning: node killed: run was killed by SIGKILL within 1 s; its log is empty"
expect_eq "up: no warning for a run that exited 0 or runs" "$(printf '%s\n' "$err" | grep -cE 'node (forker|dead|daemon|plain|logger):')" "0"
expect_match "up: the summary still on stdout" "$(cat "$TMP/out")" "^lab $L up: 7 nodes"

# --- status: run and the processes left in each node -------------------------
wait_for "forker's run has exited" 10 sh -c "'$NETLAB' status '$L' | grep -q '^forker .*run: exited 0'"
expect_match "status: forker 'exited 0, 1 process'" "$(status_line forker)" "run: exited 0, 1 process$"
expect_match "status: dead 'exited 0, 0 processes'" "$(status_line dead)" "run: exited 0, 0 processes$"
expect_match "status: daemon 'running, pid 2, 1 process'" "$(status_line daemon)" "run: running, pid 2, 1 process$"
expect_match "status: a node without run '0 processes'" "$(status_line plain)" "supervisor [0-9]+  0 processes$"
json=$("$NETLAB" status --json "$L")
valid "status --json matches the schema" "$json"
expect_eq "json: forker processes 1, run exited 0" "$(json_get "$json" "node('forker')['processes'], node('forker')['run']")" "1 {'state': 'exited', 'exit': 0}"
expect_eq "json: dead processes 0" "$(json_get "$json" "node('dead')['processes']")" "0"
expect_eq "json: boom processes 0, exit 3" "$(json_get "$json" "node('boom')['processes'], node('boom')['run']")" "0 {'state': 'exited', 'exit': 3}"
expect_eq "the host's /proc agrees for forker" "$(procs forker)" "1"
expect_eq "the host's /proc agrees for dead" "$(procs dead)" "0"
# A process started later counts too: the count is read, not remembered.
timeout 60 "$NETLAB" exec "$L" dead sleep 50 &
PIDS+=($!)
wait_for "status: a process exec'd into dead counts" 10 sh -c "'$NETLAB' status '$L' | grep -q '^dead .*exited 0, 1 process\$'"
kill "${PIDS[-1]}" 2>/dev/null

# --- log LOGFILE: a file of the node's own /var/log ---------------------------
wait_for "logger wrote its log" 10 has_text "$NETLAB" log "$L" logger "$D/y.log"
expect_eq "log LOGFILE: the node's file" "$("$NETLAB" log "$L" logger "$D/y.log")" "hello from logger"
expect_eq "log LOGFILE: ./ components are fine" "$("$NETLAB" log "$L" logger "./$D/./y.log")" "hello from logger"
expect_eq "the node's /var/log is not the host's" "$(ls -d "/var/log/$D" 2>/dev/null)" ""
expect_eq "nsenter into its mount namespace reads the same" "$(nsenter -t "$(json_get "$json" "node('logger')['supervisor']")" -m -r cat "/var/log/$D/y.log")" "hello from logger"
for bad in "../$D/y.log" "$D/../$D/y.log" "/var/log/$D/y.log" "" ".."; do
	out=$("$NETLAB" log "$L" logger "$bad" 2>&1)
	expect_eq "log '$bad': refused, exit 2" "$?" "2"
done
expect_match "log ../: says why" "$out" "relative to the node's /var/log, without '..'"
out=$("$NETLAB" log "$L" logger shadow 2>"$TMP/err")
expect_eq "log symlink to /etc/shadow: exit 1" "$?" "1"
expect_eq "log symlink to /etc/shadow: nothing read" "$out" ""
expect_match "log symlink to /etc/shadow: says why" "$(cat "$TMP/err")" "/var/log/shadow: is or goes through a symbolic link"
out=$("$NETLAB" log "$L" logger etc/shadow 2>/dev/null)
expect_eq "log through a symlinked directory: exit 1" "$?" "1"
expect_eq "log through a symlinked directory: nothing read" "$out" ""
expect_match "log a FIFO: refused" "$(timeout 5 "$NETLAB" log "$L" logger fifo 2>&1)" "/var/log/fifo: not a regular file"
expect_match "log a directory: refused" "$("$NETLAB" log "$L" logger "$D" 2>&1)" "not a regular file"
out=$("$NETLAB" log "$L" logger nope.log 2>&1)
expect_eq "log a missing file: exit 1" "$?" "1"
expect_match "log a missing file: named" "$out" "node logger: /var/log/nope.log: No such file or directory"
expect_match "log LOGFILE of a missing node: named" "$("$NETLAB" log "$L" nosuch x.log 2>&1)" "no node 'nosuch'"
expect_eq "log without LOGFILE: still the run's output" "$("$NETLAB" log "$L" boom)" "starting
boom"

# -f follows what the daemon adds, until the node goes down.
"$NETLAB" log "$L" logger "$D/y.log" -f >"$TMP/follow" 2>&1 &
fpid=$!
PIDS+=($fpid)
"$NETLAB" exec "$L" logger sh -c "echo 'second line' >>/var/log/$D/y.log"
wait_for "log -f: shows what is added" 10 grep -q "second line" "$TMP/follow"
expect "down" "$NETLAB" -q down "$L"
for _ in $(seq 50); do kill -0 "$fpid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$fpid" 2>/dev/null; then notok "log -f: ends when the lab goes down" "still running"; else
	wait "$fpid"
	expect_eq "log -f: ends when the lab goes down (exit 0)" "$?" "0"
fi
expect_eq "log -f: the whole file" "$(cat "$TMP/follow")" "hello from logger
second line"

# --- a signal while up watches the runs: up is not done, so all is undone -----
g=$(topo sigwatch <<'INI'
[node a]
run = exec sleep 1000
INI
)
G=$(lab sigwatch)
"$NETLAB" -q up "$g" 2>"$TMP/err" &
upid=$!
# The lab is complete before the watch starts; a run that keeps running
# holds the watch for its whole second.
for _ in $(seq 100); do [ -e "/run/netlab/$G/complete" ] && break; sleep 0.05; done
if kill -INT "$upid" 2>/dev/null; then
	wait "$upid"
	expect_eq "SIGINT during the watch: exit 130" "$?" "130"
	expect_match "SIGINT during the watch: says so" "$(cat "$TMP/err")" "interrupted by signal 2, everything removed"
	expect_eq "SIGINT during the watch: nothing left" "$(leftovers "$G")" ""
else
	wait "$upid"
	skip "SIGINT during the watch" "up had returned before the signal (a very slow host)"
fi
done_testing
