#!/usr/bin/env bash
# The launcher `up` executes to clone the supervisors: netlab-launch beside
# netlab (static where the build links it so), so that a supervisor maps
# none of the libraries only netlab's commands use; a lone copy of netlab,
# without it, still brings a lab up, itself as the launcher.
. "$(dirname "$0")/../lib.sh"

f=$(topo launch <<'INI'
[node a]
eth0 = ab 10.62.0.1/30
run = exec sleep 600
[node b]
eth0 = ab 10.62.0.2/30
INI
)
L=$(lab launch)
LAUNCH=$(dirname "$NETLAB")/netlab-launch

expect "netlab-launch is built beside netlab" test -x "$LAUNCH"
expect "up" "$NETLAB" -q up "$f"
for n in a b; do
	pid=$(sup $n)
	expect_eq "$n's supervisor runs netlab-launch" "$(readlink "/proc/$pid/exe")" "$(readlink -f "$LAUNCH")"
	expect_eq "$n's supervisor maps no libnl, libmnl, libiniparser or libpcap" \
		"$(grep -cE 'lib(nl|mnl|iniparser|pcap)' "/proc/$pid/maps")" "0"
done
expect_match "a's run runs" "$("$NETLAB" ps "$L" a)" "sleep 600"
expect "the lab works" in_ns "$L.a" ping -c1 -W2 10.62.0.2
expect "down" "$NETLAB" -q down "$L"

# A lone copy of netlab (no netlab-launch beside it, none in
# ../libexec/netlab): its supervisors run netlab itself.
lone=$TMP/lone
mkdir -p "$lone"
cp "$NETLAB" "$lone/netlab"
expect "lone copy: up" "$lone/netlab" -q up "$f"
pid=$(sup a)
expect_eq "lone copy: a's supervisor runs that netlab" "$(readlink "/proc/$pid/exe")" "$lone/netlab"
expect "lone copy: the lab works" in_ns "$L.a" ping -c1 -W2 10.62.0.2
expect "lone copy: down" "$lone/netlab" -q down "$L"

# Installed: bin/netlab finds ../libexec/netlab/netlab-launch.
mkdir -p "$lone/bin" "$lone/libexec/netlab"
cp "$NETLAB" "$lone/bin/netlab"
cp "$LAUNCH" "$lone/libexec/netlab/netlab-launch"
expect "installed: up" "$lone/bin/netlab" -q up "$f"
pid=$(sup a)
expect_eq "installed: a's supervisor runs libexec/netlab/netlab-launch" "$(readlink "/proc/$pid/exe")" "$lone/libexec/netlab/netlab-launch"
expect "installed: down" "$lone/bin/netlab" -q down "$L"

# 64 nodes or more are cloned by one launcher per CPU (at most 4), node
# k by launcher k % launchers.  A chain of 80.
want=$(nproc)
((want > 4)) && want=4
lw="$want launcher$( ((want == 1)) || echo s)"
big=$(for ((i = 0; i < 80; i++)); do
	echo "[node n$i]"
	((i > 0)) && echo "eth0 = l$((i - 1)) 10.63.$((i - 1)).2/30"
	((i < 79)) && echo "eth1 = l$i 10.63.$i.1/30"
done | topo split)
B=$(lab split)
nsups() { grep -lsza -- "^netlab-node $B\." /proc/[0-9]*/cmdline | wc -l; }
expect "$lw: up" "$NETLAB" -q up "$big"
expect_eq "$lw: 80 supervisors" "$(nsups)" "80"
expect_eq "$lw: each node recorded once" "$(awk '$1 == "proc" {print $NF}' "/run/netlab/$B/record" | sort | uniq -c | awk '$1 == 1' | wc -l)" "80"
expect "$lw: first link works" in_ns "$B.n0" ping -c1 -W2 10.63.0.2
expect "$lw: last link works" in_ns "$B.n78" ping -c1 -W2 10.63.78.2
expect "$lw: down" "$NETLAB" -q down "$B"
expect_eq "$lw: nothing left" "$(leftovers "$B")" ""

# Each launcher stops at its fifth node: `up` killed there (its launchers
# die with it, the supervisors they cloned with them); `down` finds
# nothing it cannot remove.
NETLAB_TEST_PAUSE=launcher:5 "$NETLAB" -q up "$big" 2>"$TMP/split.err" &
up=$!
for ((i = 0; i < 300; i++)); do
	[ "$(grep -c 'test pause at launcher:5' "$TMP/split.err")" -ge "$want" ] && break
	sleep 0.05
done
paused=$(grep -o 'test pause at launcher:5 pid [0-9]*' "$TMP/split.err" | awk '{print $NF}')
expect_eq "$lw: each stopped at its fifth node" "$(echo "$paused" | grep -c .)" "$want"
# (each launcher takes the name of the node it clones, and its own again
# once it has cloned it)
expect_eq "$lw: 5 supervisors each, none released" "$(nsups) $(grep -lszax -- "NETLAB_LAB=$B" /proc/[0-9]*/environ | wc -l)" "$((5 * want)) 0"
kill -9 "$up"
wait "$up" 2>/dev/null
# (a zombie, waiting for its reaper, has no command line)
for ((i = 0; i < 100; i++)); do [ "$(nsups)" = 0 ] && break; sleep 0.05; done
expect_eq "$lw: up killed: its launchers and their supervisors die" "$(nsups) $(for p in $paused; do [ -s "/proc/$p/cmdline" ] && echo "$p"; done)" "0 "
expect "$lw: up killed: down" "$NETLAB" -q down "$B"
expect_eq "$lw: up killed: nothing left" "$(leftovers "$B")" ""

# The last launcher's first node fails: `up` rolls back everything the
# others made.
out=$(NETLAB_TEST_FAIL=supervisor:$want "$NETLAB" -q up "$big" 2>&1)
expect_match "$lw: node n$((want - 1)) fails: up exits 1, naming it" "$?: $out" "^1: .*node n$((want - 1)): test fault injected at supervisor:$want"
expect_eq "$lw: node n$((want - 1)) fails: nothing left" "$(leftovers "$B")" ""
done_testing
