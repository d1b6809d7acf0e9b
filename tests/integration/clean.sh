#!/usr/bin/env bash
# What a node gets from whoever ran `up` or `exec`, and what it cannot
# reach: the lab's state is hidden from it; `run` starts with default
# signal dispositions, an empty signal mask, a small documented
# environment and the caller's own limits, whatever `up` inherited or
# raised; `exec` passes SIGTERM on to its command, even at once.
# Checked in /proc, from the host.
. "$(dirname "$0")/../lib.sh"

DEFPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
SECRET=NETLAB_SECRET_TOKEN

# host pid of the node's `sleep 1000` (its run)
# run's pid: `up` returns once run is forked, maybe before it is exec'd,
# so look for it a few times.
run_pid() {
	local p i
	for i in $(seq 50); do
		p=$("$NETLAB" ps "$1" "$2" | awk '/sleep 1000/ {print $2; exit}')
		[ -n "$p" ] && { echo "$p"; return; }
		sleep 0.1
	done
}
# the variables of a process, sorted, one a line
environ_of() { tr '\0' '\n' <"/proc/$1/environ" | sort; }
status_field() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }
soft_nofile() { awk '/^Max open files/ {print $4}' "/proc/$1/limits"; }
ms() { echo $(($(date +%s%N) / 1000000)); }
nice_of() { awk '{print $19}' "/proc/$1/stat"; }

f=$(topo clean <<'INI'
[node a]
eth0 = w 10.9.0.1/24
run = "echo started; exec sleep 1000"
; the host's /run, so that /run/netlab is there to hide
shared = /run
[node b]
eth0 = w 10.9.0.2/24
INI
)
L=$(lab clean)

# `up` as a careless caller starts it: SIGPIPE ignored, SIGTERM blocked, a
# secret in the environment, no LANG, a low soft limit on open files that
# `up` raises for itself, at nice 3, which the nodes keep.  On x86_64 it
# also ignores signals 32 and 33, which glibc keeps for itself and will
# not touch (GNU make ignores them
# too); the system call does.
(
	ulimit -Sn 64
	env -u LANG "$SECRET=s3cret" nice -n 3 python3 -c '
import ctypes, os, platform, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
if platform.machine() == "x86_64":
    ign = (ctypes.c_ulong * 8)(1)  # kernel sigaction: SIG_IGN, no flags
    for sig in (32, 33):  # 13: rt_sigaction
        assert ctypes.CDLL(None).syscall(13, sig, ign, None, 8) == 0
os.execv(sys.argv[1], sys.argv[1:])' "$NETLAB" -q up "$f"
)
expect_eq "clean: up from a careless caller" "$?" "0"
p=$(run_pid "$L" a)
expect_match "clean: run is running" "$p" '^[0-9]+$'
sup=$(ps -o ppid= -p "${p:-1}" | tr -d ' ')

# --- 4. the lab's state is out of a node's reach --------------------------
rec=/run/netlab/$L/record
before=$(stat -c '%y %s' "$rec")
expect_fail "state: a node cannot open the lab's record" \
	"$NETLAB" exec "$L" a sh -c ": >> $rec"
expect_fail "state: a node cannot touch the lab's record" \
	"$NETLAB" exec "$L" a touch "$rec"
expect_eq "state: the record is unchanged" "$(stat -c '%y %s' "$rec")" "$before"
expect_eq "state: /run/netlab is empty inside a node (sharing /run)" \
	"$("$NETLAB" exec "$L" a ls -A /run/netlab 2>&1)" ""
expect_eq "state: no /run/netlab in a node of its own /run" \
	"$("$NETLAB" exec "$L" b ls -A /run/netlab 2>/dev/null)" ""
stray=/run/netlab/$L.stray
expect_fail "state: a node cannot write /run/netlab" \
	"$NETLAB" exec "$L" b touch "$stray"
expect_fail "state: no stray file on the host" test -e "$stray"
rm -f "$stray"
expect_match "state: run still logs through the supervisor" \
	"$("$NETLAB" log "$L" a)" "^started$"
expect_match "state: the supervisor still reports run" \
	"$("$NETLAB" status "$L")" "run: running"
expect "state: /run/netns and /etc still as before in the node" \
	"$NETLAB" exec "$L" a test -e /etc/hosts

# --- 7. signals --------------------------------------------------------------
expect_eq "signals: run blocks nothing" "$(status_field "$p" SigBlk)" "0000000000000000"
expect_eq "signals: run ignores nothing" "$(status_field "$p" SigIgn)" "0000000000000000"
expect_eq "signals: supervisor ignores nothing" "$(status_field "$sup" SigIgn)" "0000000000000000"

# --- 8. environment and limits ---------------------------------------------
# (PWD is the shell's own: run is `/bin/sh -c` in the topology's directory)
want=$(printf '%s\n' HOME=/root LANG=C.UTF-8 "NETLAB_LAB=$L" NETLAB_NODE=a \
	"PATH=$DEFPATH" TERM=dumb "PWD=$TMP" | sort)
expect_eq "env: run has exactly the documented variables" "$(environ_of "$p")" "$want"
expect_fail "env: no secret in the supervisor's environment" \
	grep -qa "$SECRET" "/proc/$sup/environ"
expect_fail "env: nor in what a node sees of its PID 1" \
	"$NETLAB" exec "$L" a grep -qa "$SECRET" /proc/1/environ
expect_eq "limits: run has the caller's soft open-files limit" "$(soft_nofile "$p")" "64"
expect_eq "priority: run has the caller's nice" "$(nice_of "$p")" "3"
expect_eq "priority: so has its supervisor" "$(nice_of "$sup")" "3"
expect_eq "limits: and the caller's hard one" \
	"$(awk '/^Max open files/ {print $5}' "/proc/$p/limits")" "$(ulimit -Hn)"

got=$(env "$SECRET=s3cret" TERM=xterm-netlab LANG=POSIX "$NETLAB" exec "$L" b env | sort)
want=$(printf '%s\n' HOME=/root LANG=POSIX "NETLAB_LAB=$L" NETLAB_NODE=b \
	"PATH=$DEFPATH" TERM=xterm-netlab | sort)
expect_eq "env: exec has exactly the documented variables, the caller's TERM" "$got" "$want"
expect_eq "env: exec without TERM gets TERM=dumb" \
	"$(env -u TERM "$NETLAB" exec "$L" b printenv TERM)" "dumb"
expect "env: exec finds a command on the node's PATH" \
	env PATH=/nonexistent "$NETLAB" exec "$L" b true

# --- 10. exec passes SIGTERM on ---------------------------------------------
# The command traps SIGTERM; once it has (SigCgt shows it), SIGTERM to
# `netlab exec` must end it through the trap: exit 5, "got" printed.
trapper='trap "echo got; exit 5" TERM; while :; do sleep 0.05; done'
sigcgt_term() { # has pid $1 a handler for SIGTERM (bit 15)?
	local m
	m=$(status_field "$1" SigCgt 2>/dev/null) || return 1
	[ -n "$m" ] && (((0x$m >> 14) & 1))
}
# child_of PID [COMM]: a child of PID (named COMM), waiting for it (10 s)
child_of() {
	local i c k
	for ((i = 0; i < 2000; i++)); do
		c=$(cat "/proc/$1/task/$1/children" 2>/dev/null) || return 1
		for k in $c; do
			if [ -z "${2:-}" ] || [ "$(cat "/proc/$k/comm" 2>/dev/null)" = "$2" ]; then
				echo "$k"
				return 0
			fi
		done
		sleep 0.005
	done
	return 1
}
wait_trap() {
	local i
	for ((i = 0; i < 200; i++)); do
		sigcgt_term "$1" && return 0
		[ -e "/proc/$1" ] || return 1
		sleep 0.05
	done
	return 1
}

"$NETLAB" exec "$L" b sh -c "$trapper" >"$TMP/out" 2>&1 &
ex=$!
c=$(child_of "$ex") && wait_trap "$c"
kill -TERM "$ex"
wait "$ex"
expect_eq "exec: SIGTERM reaches the command" "$? $(cat "$TMP/out")" "5 got"

# The same with the signal sent while `netlab exec` is still in fork():
# strace holds the fork's return in the parent for a second, the child
# sets its trap meanwhile.  A handler installed only after fork() comes
# too late: SIGTERM kills `netlab exec` and leaves the command behind.
if command -v strace >/dev/null; then
	strace -o /dev/null -e trace=clone,clone3,fork,vfork \
		-e inject=clone,clone3,fork,vfork:delay_exit=1000000 \
		"$NETLAB" exec "$L" b sh -c "$trapper" >"$TMP/out" 2>&1 &
	st=$!
	ex=$(child_of "$st" netlab) && c=$(child_of "$ex") && wait_trap "$c"
	kill -TERM "$ex"
	wait "$st"
	expect_eq "exec: SIGTERM during fork() reaches the command" "$? $(cat "$TMP/out")" "5 got"
else
	skip "exec: SIGTERM during fork() reaches the command" "no strace"
fi

# And sent as soon as the command exists, before it may have set its trap:
# whatever the command's fate, it must not outlive `netlab exec`.  (Any
# command an earlier failure left behind is not counted again.)
trappers() { "$NETLAB" ps "$L" b | grep -c 'trap'; }
base=$(trappers)
left=0
for i in $(seq 20); do
	"$NETLAB" exec "$L" b sh -c "$trapper" >/dev/null 2>&1 &
	ex=$!
	child_of "$ex" >/dev/null
	kill -TERM "$ex"
	wait "$ex"
	rc=$?
	[ "$rc" = 5 ] || [ "$rc" = 143 ] || { left=$((left + 1)); echo "# run $i: exit $rc"; }
	for ((j = 0; j < 100; j++)); do
		[ "$(trappers)" -le "$base" ] && break
		sleep 0.05
	done
	[ "$(trappers)" -le "$base" ] || { left=$((left + 1)); base=$(trappers); echo "# run $i: command left behind"; }
done
expect_eq "exec: an early SIGTERM, 20 times: the command never outlives exec" "$left" "0"

# --- 7. down does not wait out the grace period -----------------------------
t0=$(ms)
expect "signals: down" "$NETLAB" -q down "$L"
t=$(($(ms) - t0))
if [ "$t" -lt 3000 ]; then ok "signals: down is quick ($t ms, grace 5000)"; else notok "signals: down is quick" "took $t ms: run did not take SIGTERM"; fi

# --- 8. env = ----------------------------------------------------------------
f=$(topo env <<'INI'
[node a]
eth0 = w 10.9.1.1/24
run = exec sleep 1000
env = GREETING=hello world, PATH=/opt/x/bin:/usr/bin:/bin, EMPTY=, lower_case=1
[node b]
eth0 = w 10.9.1.2/24
INI
)
L=$(lab env)
expect "env=: up" env LANG=en_GB.UTF-8 "$NETLAB" -q up "$f"
p=$(run_pid "$L" a)
want=$(printf '%s\n' HOME=/root LANG=en_GB.UTF-8 "NETLAB_LAB=$L" NETLAB_NODE=a \
	PATH=/opt/x/bin:/usr/bin:/bin TERM=dumb "GREETING=hello world" EMPTY= \
	lower_case=1 "PWD=$TMP" | sort)
expect_eq "env=: run has them, PATH replaced" "$(environ_of "${p:-1}")" "$want"
want=$(printf '%s\n' HOME=/root LANG=C.UTF-8 "NETLAB_LAB=$L" NETLAB_NODE=a \
	PATH=/opt/x/bin:/usr/bin:/bin TERM=vt100 "GREETING=hello world" EMPTY= \
	lower_case=1 | sort)
expect_eq "env=: exec in the node has them too" \
	"$(env -u LANG TERM=vt100 "$NETLAB" exec "$L" a env | sort)" "$want"
expect_eq "env=: not in another node" \
	"$("$NETLAB" exec "$L" b printenv GREETING; echo $?)" "1"

expect "env=: down" "$NETLAB" -q down "$L"
done_testing
