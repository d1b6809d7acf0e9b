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
done_testing
