#!/usr/bin/env bash
# Node processes: the supervisor, run, exec, ps, log, mounts, down.
. "$(dirname "$0")/../lib.sh"

# The tmpfs target: this file's own (a shared fixed path would vanish
# under us when another run's cleanup removes it, taking the nodes' mounts).
X=/run/$PFX-tmpfs
mkdir -p "$TMP/share" "$X"
echo "from the host" >"$TMP/share/file"
at_exit 'rmdir "$X" 2>/dev/null'

f=$(topo nodes <<INI
[node a]
eth0 = w 10.6.0.1/24
run = "echo hello from a; echo \$\$ > $X/pid; echo a > $X/who; exec sleep 1000"
tmpfs = $X
bind = share:/mnt, share:/media:ro
[node b]
eth0 = w 10.6.0.2/24
run = "echo b; echo \$\$ > $X/pid; echo b > $X/who; exec sleep 1000"
tmpfs = $X
[node c]
eth0 = w2 10.6.1.1/24
run = exit 3
[node d]
eth0 = w2 10.6.1.2/24
run = "trap '' TERM; echo stubborn; while :; do sleep 1; done"
INI
)
L=$(lab nodes)
expect "nodes: up" "$NETLAB" -q up "$f"
# The leftover check (tests/lib.sh) sees a lab's processes: here, alive.
left=$(leftovers "$L")
expect_match "leftovers: sees the supervisors" "$left" "^process [0-9]+ \(supervisor\): netlab-node $L\.a"
expect_match "leftovers: sees run's processes" "$left" "^process [0-9]+ \(NETLAB_LAB\): sleep 1000"

expect_eq "exec: hostname is the node's" "$("$NETLAB" exec "$L" a hostname)" "a"
p=$("$NETLAB" exec "$L" a sh -c 'echo $$')
expect_match "exec: a node pid, not the host's" "$p" '^[0-9]{1,2}$'
expect_eq "exec: PID 1 is the node's supervisor" "$("$NETLAB" exec "$L" a cat /proc/1/comm)" "netlab-node"
expect_match "exec: /proc shows only the node's (few, small) pids" "$("$NETLAB" exec "$L" a sh -c 'ls /proc | grep "^[0-9]" | sort -n | tail -n 1')" '^[0-9]{1,2}$'
expect_fail "exec: the host's processes are not in the node's /proc" "$NETLAB" exec "$L" a test -e "/proc/$$"
expect_eq "exec: exit 0" "$("$NETLAB" exec "$L" a true; echo $?)" "0"
expect_eq "exec: exit 7" "$("$NETLAB" exec "$L" a sh -c 'exit 7'; echo $?)" "7"
expect_eq "exec: not found is 127" "$("$NETLAB" exec "$L" a no-such-command-here 2>/dev/null; echo $?)" "127"
expect_eq "exec: killed by signal 9 is 137" "$("$NETLAB" exec "$L" a sh -c 'kill -9 $$'; echo $?)" "137"
expect_eq "exec: stdin passes through" "$(echo piped | "$NETLAB" exec "$L" a cat)" "piped"
expect_eq "exec: NETLAB_NODE set" "$("$NETLAB" exec "$L" a sh -c 'echo $NETLAB_NODE')" "a"
expect_eq "exec: -- before CMD is dropped" "$("$NETLAB" exec "$L" a -- sh -c 'echo $NETLAB_LAB $NETLAB_NODE')" "$L a"
expect_eq "exec: only the first -- is dropped" "$("$NETLAB" exec "$L" a -- echo -- x)" "-- x"
expect_eq "exec: a -- after CMD is CMD's" "$("$NETLAB" exec "$L" a echo -- x)" "-- x"
expect_eq "exec: after --, a CMD that looks like an option is run (127)" "$("$NETLAB" exec "$L" a -- --no-such-command 2>/dev/null; echo $?)" "127"
expect_match "exec: the node's interfaces in /sys" "$("$NETLAB" exec "$L" a ls /sys/class/net)" "eth0"
# The host's /sys and what it holds (cgroups, tracing) stay out: one
# sysfs at /sys, nothing below it, read-only exactly if the host's is.
host_sys_ro=$(awk '$5 == "/sys" {print ($6 ~ /(^|,)ro(,|$)/) ? "ro" : "rw"}' /proc/self/mountinfo | tail -n 1)
expect_eq "exec: /sys is one sysfs mount, $host_sys_ro as the host's" "$("$NETLAB" exec "$L" a awk '$5 ~ "^/sys(/|$)" {print $5, $9, ($6 ~ /(^|,)ro(,|$)/) ? "ro" : "rw"}' /proc/self/mountinfo)" "/sys sysfs ${host_sys_ro:-rw}"
expect_fail "exec: unknown node fails" "$NETLAB" exec "$L" nosuch true
expect_eq "exec: unknown node exits 1" "$("$NETLAB" exec "$L" nosuch true 2>/dev/null; echo $?)" "1"

sup=$("$NETLAB" status --json "$L" | grep -oE '"name": "a", "netns": "[^"]+", "present": true, "supervisor": [0-9]+' | grep -oE '[0-9]+$')
expect_match "supervisor: pid in status" "$sup" '^[0-9]+$'
expect_eq "supervisor: ip netns identify" "$(ip netns identify "$sup")" "$L.a"
expect_match "supervisor: ip netns pids lists it" "$(ip netns pids "$L.a")" "^$sup\$"
expect_eq "supervisor: detached (own session)" "$(ps -o sid= -p "$sup" | tr -d ' ')" "$sup"
expect_eq "supervisor: holds no terminal" "$(ps -o tty= -p "$sup" | tr -d ' ')" "?"
expect_eq "supervisor: host ps names lab and node" "$(ps -o args= -p "$sup")" "netlab-node $L.a"
# The device, not the path: seen from another mount namespace under a
# chroot, the path of the node's /dev/null is the chroot's.
expect_eq "supervisor: stdin is /dev/null" "$(stat -L -c %F:%t:%T /proc/"$sup"/fd/0)" \
	"$(stat -c %F:%t:%T /dev/null)"
# stdin, stdout and stderr (the log pipe), its signalfd, the lab state dir,
# NODE.log, the pipe's read end and the node's /proc: nothing else
expect_eq "supervisor: holds only its few fds" "$(ls /proc/"$sup"/fd | wc -l)" "8"
# (By its file system, not its path: seen from a chroot, the path of the
# node's /proc is not "/proc".)
expect_eq "supervisor: one of them the node's own /proc" \
	"$(for f in /proc/"$sup"/fd/*; do [ "$(stat -L -f -c %T "$f" 2>/dev/null)" = proc ] && echo proc; done)" proc

expect_match "log: run output" "$("$NETLAB" log "$L" a)" "hello from a"
"$NETLAB" log -f "$L" b >"$TMP/follow" 2>&1 &
follower=$!
sleep 0.3
"$NETLAB" exec "$L" b sh -c 'echo followed-line >> /proc/1/fd/1'
sleep 0.6
expect_match "log -f: follows new output" "$(cat "$TMP/follow")" "followed-line"
kill "$follower" 2>/dev/null; wait "$follower" 2>/dev/null
expect_match "ps: sleep is alive in the node" "$("$NETLAB" ps "$L" a)" "sleep 1000"
sleeper=$("$NETLAB" ps "$L" a | awk '/sleep 1000/ {print $2}')
expect "ps: host pid of run is alive" kill -0 "$sleeper"

expect_eq "tmpfs: invisible on the host (an empty directory)" "$(ls -A "$X" 2>&1)" ""
expect_eq "tmpfs: a tmpfs in the node" "$("$NETLAB" exec "$L" a stat -f -c %T "$X")" "tmpfs"
expect_eq "tmpfs: each node has its own (a wrote a, b wrote b)" "$("$NETLAB" exec "$L" a cat "$X/who") $("$NETLAB" exec "$L" b cat "$X/who")" "a b"
expect "tmpfs: two filesystems, not one" test "$("$NETLAB" exec "$L" a stat -c %d "$X")" != "$("$NETLAB" exec "$L" b stat -c %d "$X")"
expect_eq "tmpfs: run wrote its pid there (2, under the supervisor)" "$("$NETLAB" exec "$L" a cat "$X/pid")" "2"
expect_eq "bind: host file visible" "$("$NETLAB" exec "$L" a cat /mnt/file)" "from the host"
expect_fail "bind :ro is read-only" "$NETLAB" exec "$L" a sh -c 'echo x > /media/new'
expect "bind without :ro is writable" "$NETLAB" exec "$L" a sh -c 'echo x > /mnt/new'
expect "bind: the write reached the host" test -e "$(dirname "$f")/share/new"
expect "mount in a node: made" "$NETLAB" exec "$L" a sh -c 'mkdir -p /tmp/nlt && mount -t tmpfs none /tmp/nlt && grep -q " /tmp/nlt " /proc/self/mountinfo'
expect_eq "mount in a node: stays in the node" "$("$NETLAB" exec "$L" a stat -f -c %T /tmp/nlt)" "tmpfs"
expect_eq "mount in a node does not reach the host" "$(grep -c ' /tmp/nlt ' /proc/self/mountinfo)" "0"
expect_eq "mount in a node does not reach another node" "$("$NETLAB" exec "$L" b grep -c ' /tmp/nlt ' /proc/self/mountinfo)" "0"
expect_eq "hosts file bound over /etc/hosts" "$("$NETLAB" exec "$L" a getent hosts b | awk '{print $1}')" "10.6.0.2"

expect_match "run that exits: status shows its code" "$("$NETLAB" status "$L")" "run: exited 3"
expect "run that exits: node still enterable" "$NETLAB" exec "$L" c true

# A pid names a process only with its start time (field 22 of
# /proc/PID/stat): once reaped, a pid may be given to another process.
starttime() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}'; }
sleeper_start=$(starttime "$sleeper")
sup_start=$(starttime "$sup")
expect_match "supervisor and run: start times known" "$sleeper_start $sup_start" '^[0-9]+ [0-9]+$'
start=$(date +%s)
expect "down with a run ignoring SIGTERM" "$NETLAB" -q down --grace 1 "$L"
took=$(( $(date +%s) - start ))
expect_match "down: waited about the grace period" "$took" '^[1-4]$'
# Dead means gone, a zombie waiting for the host's init to reap it, or
# its pid now another process's.
dead() {
	local s
	s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
	set -- "$2" $s
	[ -z "$2" ] || [ "$2" = Z ] || [ "$2" = X ] || [ "${21}" != "$1" ]
}
expect "down: run's process is gone" dead "$sleeper" "$sleeper_start"
expect "down: supervisor is gone" dead "$sup" "$sup_start"
expect_eq "down: nothing left" "$(leftovers "$L")" ""

# Supervisors never hold the caller's stdout: `up | cat` returns with up.
g=$(topo pipe <<INI
[node a]
eth0 = w 10.7.1.1/24
run = exec sleep 1000
[node b]
eth0 = w 10.7.1.2/24
INI
)
start=$(date +%s%N)
timeout 20 sh -c "'$NETLAB' up '$g' | cat" >/dev/null
expect_eq "up | cat: returns when up does" "$?" "0"
expect "up | cat: quickly (under 5 s)" test $(( ($(date +%s%N) - start) / 1000000 )) -lt 5000
expect "up | cat: down" "$NETLAB" -q down "$(lab pipe)"

# A supervisor that cannot set up fails `up` and rolls everything back.
g=$(topo badsup <<INI
[node a]
eth0 = w 10.7.0.1/24
run = exec sleep 1000
[node b]
eth0 = w 10.7.0.2/24
INI
)
out=$(NETLAB_TEST_FAIL=supervisor "$NETLAB" up "$g" 2>&1)
expect_eq "failing supervisor: up exits 1" "$?" "1"
expect_match "failing supervisor: names the node" "$out" "node a: test fault injected at supervisor:1"
expect_eq "failing supervisor: nothing left" "$(leftovers "$(lab badsup)")" ""
# The second node's fails, after the first one's may have started its run.
out=$(NETLAB_TEST_FAIL=supervisor:2 "$NETLAB" up "$g" 2>&1)
expect_eq "second supervisor failing: up exits 1" "$?" "1"
expect_match "second supervisor failing: names node b" "$out" "node b: test fault injected at supervisor:2"
expect_eq "second supervisor failing: nothing left" "$(leftovers "$(lab badsup)")" ""
out=$(NETLAB_TEST_FAIL=nodes "$NETLAB" up "$g" 2>&1)
expect_eq "fault at nodes: exit 1" "$?" "1"
expect_eq "fault at nodes: nothing left" "$(leftovers "$(lab badsup)")" ""
done_testing
