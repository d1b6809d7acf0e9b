#!/usr/bin/env bash
# status tells the truth: a supervisor killed with SIGKILL is dead at once
# (a zombie too), its `run` is lost, the lab reads degraded naming it, and
# exec says the node is down; `kill -TERM 1` inside a node stops it and
# status says so; impairments are the kernel's, typed; and every
# `status --json` matches docs/status.schema.json.
. "$(dirname "$0")/../lib.sh"

proc_state() { awk '{print $3}' "/proc/$1/stat" 2>/dev/null; }
is_zombie() { [ "$(proc_state "$1")" = Z ]; }
gone() { [ ! -e "/proc/$1" ]; }
dead() { gone "$1" || is_zombie "$1"; }
node_is() { [ "$(json_get "$("$NETLAB" status --json "$L")" "node('$1')['$2']")" = "$3" ]; }
run_is() { [ "$(json_get "$("$NETLAB" status --json "$L")" "node('$1')['run']['state']")" = "$2" ]; }

f=$(topo truth <<'INI'
[node a]
; its supervisor gets SIGKILL
eth0 = ab 10.9.0.1/30 rate=1mbit
run = exec sleep 1000
[node b]
; run exits 3
eth0 = ab 10.9.0.2/30
eth1 = lan 10.9.1.2/24
run = exit 3
[node c]
; run keeps running
eth0 = lan 10.9.1.3/24
run = exec sleep 1000
[node d]
; run is killed
eth0 = lan 10.9.1.4/24
run = exec sleep 1000
[node e]
; stopped from inside: kill -TERM 1
eth0 = lan 10.9.1.5/24
run = exec sleep 1000
[node g]
; stopped from inside, with a run that ignores SIGTERM
eth0 = lan 10.9.1.6/24
run = "trap '' TERM; while :; do sleep 1; done"
INI
)
L=$(lab truth)

# `up` runs under a child subreaper that reaps only when asked: the
# supervisors become its children, so a dead one stays a zombie exactly
# as long as this test wants (the host's init reaps whenever it likes).
coproc REAPER {
	python3 -u -c '
import ctypes, os, subprocess, sys
if ctypes.CDLL(None).prctl(36, 1, 0, 0, 0):  # PR_SET_CHILD_SUBREAPER
    print("failed"); sys.exit(1)
r = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("up", r.returncode)
for line in sys.stdin:
    os.waitpid(int(line), 0)
    print("reaped", int(line))
' "$NETLAB" -q up "$f"
}
reaper_pid=$REAPER_PID
read -r -t 60 word rc <&"${REAPER[0]}"
expect_eq "up (under a subreaper)" "$word $rc" "up 0"
reap() { echo "$1" >&"${REAPER[1]}"; read -r -t 30 _ _ <&"${REAPER[0]}"; }

# --- a lab that is whole --------------------------------------------------
wait_for "b's run has exited" 10 run_is b exited
json=$("$NETLAB" status --json "$L")
valid "whole: status --json LAB matches the schema" "$json"
valid "whole: status --json (every lab) matches the schema" "$("$NETLAB" status --json)"
expect_eq "whole: state up, nothing degraded" "$(json_get "$json" 'd["state"], d["degraded"], d["namespaces"]')" "up [] {'present': 7, 'total': 7}"
expect_match "whole: run is an object with its pid" "$(json_get "$json" 'node("a")["run"]')" "^\{'state': 'running', 'pid': [0-9]+\}$"
expect_eq "whole: a run that exited, with its status" "$(json_get "$json" 'node("b")["run"]')" "{'state': 'exited', 'exit': 3}"
expect_eq "whole: impairments are typed fields" "$(json_get "$json" 'node("a")["interfaces"][0]["impairments"], node("b")["interfaces"][0]["impairments"]')" "{'rate_bps': 1000000} {}"
text=$("$NETLAB" status "$L")
expect_match "whole: text status is up" "$text" "^lab $L: up, 7/7 namespaces"
expect_match "whole: text shows a's impairment" "$(grep -A1 '^a ' <<<"$text")" "eth0 .* \[rate=1mbit\]"

# Impairments are what the kernel does now, not what the file said.
expect "impair: a's rate changed live" "$NETLAB" impair "$L" a eth0 rate=2mbit
expect_eq "impair: tc agrees" "$(tc -n "$L.a" qdisc show dev eth0 | grep -o 'rate [0-9A-Za-z]*')" "rate 2Mbit"
expect_eq "impair: status --json shows the new rate" "$(json_get "$("$NETLAB" status --json "$L")" 'node("a")["interfaces"][0]["impairments"]')" "{'rate_bps': 2000000}"
expect_match "impair: text status shows the new rate" "$("$NETLAB" status "$L" | grep -A1 '^a ')" "\[rate=2mbit\]"

# --- a run killed by a signal ---------------------------------------------
dpid=$(json_get "$json" 'node("d")["run"]["pid"]')
expect "run killed: kill -9 inside d" "$NETLAB" exec "$L" d kill -9 "$dpid"
wait_for "run killed: status says killed" 10 run_is d killed
expect_eq "run killed: by signal 9" "$(json_get "$("$NETLAB" status --json "$L")" 'node("d")["run"]')" "{'state': 'killed', 'signal': 9}"
expect_match "run killed: text names the signal" "$("$NETLAB" status "$L" | grep '^d ')" "run: killed \(SIGKILL\)"

# --- kill -9 of a supervisor: dead while a zombie, and once reaped --------
sup=$(json_get "$json" 'node("a")["supervisor"]')
sleeper=$(ip netns pids "$L.a" | grep -vx "$sup" | head -n 1)
expect_match "kill -9: a's supervisor pid" "$sup" '^[1-9][0-9]*$'
kill -9 "$sup"
wait_for "kill -9: the supervisor is a zombie (not yet reaped)" 10 is_zombie "$sup"
expect "kill -9: run died with its PID 1 (kernel)" gone "$sleeper"
json=$("$NETLAB" status --json "$L")
expect_eq "zombie: node a is dead, no supervisor pid" "$(json_get "$json" 'node("a")["state"], node("a")["supervisor"]')" "dead 0"
expect_eq "zombie: a's run is lost, not running" "$(json_get "$json" 'node("a")["run"]')" "{'state': 'lost'}"
expect_eq "zombie: lab degraded naming a" "$(json_get "$json" 'd["state"], d["degraded"]')" "degraded [{'name': 'a', 'reasons': ['supervisor-dead']}]"
valid "zombie: status --json matches the schema" "$json"
text=$("$NETLAB" status "$L")
expect_match "zombie: text lab degraded naming a" "$text" "^lab $L: degraded \(a: supervisor dead\), 7/7 namespaces"
expect_match "zombie: text node a supervisor dead" "$(grep '^a ' <<<"$text")" "supervisor dead  run: lost"
expect_eq "zombie: still a zombie while status ran" "$(proc_state "$sup")" "Z"
out=$("$NETLAB" exec "$L" a true 2>&1)
expect_eq "zombie: exec exits 1" "$?" "1"
expect_eq "zombie: exec says the node is down" "$out" "netlab: exec: node a is down (its supervisor is dead)"
out=$("$NETLAB" ps "$L" a 2>&1)
expect_eq "zombie: ps exits 1 saying the node is down" "$?: $out" "1: netlab: ps: node a is down (its supervisor is dead)"

reap "$sup"
expect "reaped: the supervisor is gone" gone "$sup"
json=$("$NETLAB" status --json "$L")
expect_eq "reaped: a dead, run lost" "$(json_get "$json" 'node("a")["state"], node("a")["run"]["state"]')" "dead lost"
expect_eq "reaped: lab still degraded naming a" "$(json_get "$json" 'd["state"], [x["name"] for x in d["degraded"]]')" "degraded ['a']"
expect_match "reaped: text degraded" "$("$NETLAB" status "$L")" "^lab $L: degraded \(a: supervisor dead\)"
out=$("$NETLAB" exec "$L" a true 2>&1)
expect_eq "reaped: exec exits 1 saying the node is down" "$?: $out" "1: netlab: exec: node a is down (its supervisor is dead)"
list=$("$NETLAB" status --json)
expect_eq "lab list: degraded naming a" "$(json_get "$list" "[(l['state'], l['degraded']) for l in d['labs'] if l['name'] == '$L']")" "[('degraded', [{'name': 'a', 'reasons': ['supervisor-dead']}])]"
expect_match "lab list text: degraded naming a" "$("$NETLAB" status | grep "^$L ")" "degraded \(a: supervisor dead\)$"
expect "other nodes still work: exec into c" "$NETLAB" exec "$L" c true

# --- kill -TERM 1 inside a node stops it, and status says so --------------
esup=$(json_get "$json" 'node("e")["supervisor"]')
"$NETLAB" exec "$L" e kill -TERM 1 >/dev/null 2>&1
wait_for "stop inside: e's supervisor exits" 10 is_zombie "$esup"
json=$("$NETLAB" status --json "$L")
expect_eq "stop inside: e stopped, by SIGTERM from the node" "$(json_get "$json" 'node("e")["state"], node("e")["stop"], node("e")["supervisor"]')" "stopped {'signal': 15, 'from': 'node', 'requested': False} 0"
expect_eq "stop inside: e's run got the SIGTERM" "$(json_get "$json" 'node("e")["run"]')" "{'state': 'killed', 'signal': 15}"
expect_eq "stop inside: lab degraded naming a and e" "$(json_get "$json" 'd["state"], d["degraded"]')" "degraded [{'name': 'a', 'reasons': ['supervisor-dead']}, {'name': 'e', 'reasons': ['stopped']}]"
text=$("$NETLAB" status "$L")
expect_match "stop inside: text lab names e stopped" "$text" "^lab $L: degraded \(a: supervisor dead; e: stopped by SIGTERM from inside the node\)"
expect_match "stop inside: text node e stopped" "$(grep '^e ' <<<"$text")" "stopped by SIGTERM from inside the node  run: killed \(SIGTERM\)"
out=$("$NETLAB" exec "$L" e true 2>&1)
expect_eq "stop inside: exec exits 1 saying why" "$?: $out" "1: netlab: exec: node e is stopped (its supervisor exited after SIGTERM from inside the node)"

# A process that ignores SIGTERM does not keep a node stopped from inside
# alive: its supervisor follows up with SIGKILL after a grace period.
gsup=$(json_get "$json" 'node("g")["supervisor"]')
"$NETLAB" exec "$L" g kill -TERM 1 >/dev/null 2>&1
wait_for "stop inside, TERM ignored: the node still stops" 30 is_zombie "$gsup"
expect_eq "stop inside, TERM ignored: run killed by SIGKILL" "$(json_get "$("$NETLAB" status --json "$L")" 'node("g")["state"], node("g")["run"]')" "stopped {'state': 'killed', 'signal': 9}"

# --- a switch removed behind netlab's back --------------------------------
ip netns del "$L.lan"
json=$("$NETLAB" status --json "$L")
expect_eq "netns gone: the switch is named" "$(json_get "$json" '[(x["name"], x["reasons"]) for x in d["degraded"]]')" "[('a', ['supervisor-dead']), ('e', ['stopped']), ('g', ['stopped']), ('lan', ['netns-gone'])]"
expect_eq "netns gone: namespaces counted" "$(json_get "$json" 'd["namespaces"]')" "{'present': 6, 'total': 7}"
valid "degraded: status --json LAB matches the schema" "$json"
valid "degraded: status --json (every lab) matches the schema" "$("$NETLAB" status --json)"

# --- down still removes everything ----------------------------------------
csup=$(json_get "$json" 'node("c")["supervisor"]')
csleeper=$(ip netns pids "$L.c" | grep -vx "$csup" | head -n 1)
expect "down: c's run is alive before" kill -0 "$csleeper"
expect "down: exit 0" "$NETLAB" -q down "$L"
expect_eq "down: nothing left" "$(leftovers "$L")" ""
expect "down: the live supervisors have exited" dead "$csup"
expect "down: their runs too" dead "$csleeper"

# Let the subreaper go: what it did not reap, the host's init will.
exec {REAPER[1]}>&-
wait "$reaper_pid" 2>/dev/null

# --- a node stopped from the host -----------------------------------------
h=$(topo hoststop <<'INI'
[node a]
eth0 = w 10.9.2.1/24
[node b]
eth0 = w 10.9.2.2/24
INI
)
L=$(lab hoststop)
expect "host stop: up" "$NETLAB" -q up "$h"
kill -TERM "$(json_get "$("$NETLAB" status --json "$L")" 'node("a")["supervisor"]')"
wait_for "host stop: status says stopped from the host" 10 node_is a state stopped
expect_eq "host stop: stop names the host" "$(json_get "$("$NETLAB" status --json "$L")" 'node("a")["stop"], node("a")["run"]')" "{'signal': 15, 'from': 'host', 'requested': False} {'state': 'none'}"
expect_eq "host stop: exec says why" "$("$NETLAB" exec "$L" a true 2>&1)" "netlab: exec: node a is stopped (its supervisor exited after SIGTERM from the host)"
expect "host stop: down" "$NETLAB" -q down "$L"
expect_eq "host stop: nothing left" "$(leftovers "$L")" ""
done_testing
