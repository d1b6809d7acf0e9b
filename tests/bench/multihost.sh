#!/usr/bin/env bash
# make bench, part 3: the cost of spreading a lab over hosts.  One chain
# of MH_NODES nodes (n0..n(N-1), node i and i+1 on segment s$i), built in
# turns, the same moment, on simulated hosts (tests/simhosts.sh: a netns
# and a private mount namespace each, one machine's CPUs shared):
#   one    on one host, no [host] section (the plain lab)
#   h2     over MH_HOSTS-1 hosts in contiguous blocks (MH_HOSTS-2 crossing
#          segments)
#   hH     over MH_HOSTS hosts in contiguous blocks (MH_HOSTS-1 crossing)
#   cut    over MH_HOSTS hosts in MH_BLOCKS blocks dealt round-robin
#          (MH_BLOCKS-1 crossing segments)
# Two costs come out of it, separately: a crossing segment's (cut - hH:
# same hosts, only more crossing segments) and a host's (hH - h2: one more
# host and one more crossing segment, less that segment's cost).  Each
# `up` and `down` is timed in wall time and in CPU time (a cgroup of its
# own counts the coordinator, every host's netlab, the supervisors): on
# one machine the hosts' parts run in parallel on shared CPUs, so wall
# time shows parallelism as well as overhead, CPU time only the work.
# The control round trips are counted: every host is reached through
# `via = exec` of a wrapper that logs each call (as ssh would be one
# connection each).  `up --timings` gives each host's stitching time.
# A build counts only after pings across every crossing segment and over
# the chain's first and last link (no ping crosses the whole chain: its
# N-1 routers exceed a TTL of 255, and the chain has no routes), and
# after each `down` nothing of it may be left on any host.
#
#   tests/bench/multihost.sh [NETLAB]      (root)
# Environment: MH_NODES (3000), MH_HOSTS (3), MH_BLOCKS (30), REPS (3);
# MH=0 skips it (in `make bench`).
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
NETLAB=$(readlink -f "${1:-$TOP/netlab/netlab}")
N=${MH_NODES:-3000}
H=${MH_HOSTS:-3}
B=${MH_BLOCKS:-30}
REPS=${REPS:-3}
[ "${MH:-1}" != 0 ] || exit 0
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 1; }
((H >= 3 && B > H && N >= 2 * B)) ||
	{ echo "bench: needs MH_HOSTS >= 3, MH_BLOCKS > MH_HOSTS, MH_NODES >= 2 MH_BLOCKS" >&2; exit 1; }
need=$((2 * N + 256))
if [ "$(ulimit -n)" != unlimited ] && (($(ulimit -n) < need)); then
	ulimit -n "$need" 2>/dev/null || {
		echo "bench: ulimit -n is $(ulimit -n), needs $need (hard limit $(ulimit -Hn))" >&2
		exit 1
	}
fi

PFX=mb$$
. "$TOP/tests/simhosts.sh"
TMP=$(mktemp -d /tmp/netlab-mhbench.XXXXXX)
CG=
fini() {
	set +e
	sim_fini
	[ -z "$CG" ] || rmdir "$CG" 2>/dev/null || true
	rm -rf "$TMP"
}
trap fini EXIT
trap 'exit 130' INT TERM HUP
die() { echo "bench: $*" >&2; exit 1; }

sim_init || die "simulated hosts: cannot make the underlay"
for ((h = 1; h <= H; h++)); do sim_host "$h" || die "simulated host h$h failed"; done

# ---- helpers ---------------------------------------------------------------

us() { printf '%s' "${EPOCHREALTIME/./}"; } # microseconds, no fork
secs() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1e6 }'; }
last() { local a=($1); echo "${a[-1]}"; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }'; }

cg_setup() {
	local d
	for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
		if [ -e "$d/cgroup.controllers" ] && mkdir "$d/netlab-mhbench.$$" 2>/dev/null; then
			CG=$d/netlab-mhbench.$$
			return
		fi
	done
}
cg_us() { if [ -z "$CG" ]; then echo 0; else awk '$1 == "usage_usec" { print $2 }' "$CG/cpu.stat"; fi; }
in_cg() {
	if [ -n "$CG" ]; then sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG" "$@"; else "$@"; fi
}

# The way to host N: nsenter into it, each call logged (a control round
# trip: over ssh, one connection).
for ((h = 1; h <= H; h++)); do
	cat >"$TMP/via$h" <<EOF
#!/bin/sh
echo "\$*" >>"$TMP/calls.h$h"
exec nsenter -t ${HPID[$h]} -m -n -- "\$@"
EOF
	chmod +x "$TMP/via$h"
done
calls() { cat "$TMP"/calls.h* 2>/dev/null | wc -l; }

addr() { echo "10.$(($1 / 250)).$(($1 % 250))"; } # segment s$1's /24

# lab NAME HOSTS BLOCKS: the chain, node i on host ((i / (N/BLOCKS)) mod
# HOSTS) + 1; HOSTS=0: no [host] section.
lab_ini() {
	local name=$1 hosts=$2 blocks=$3 i per
	per=$(((N + blocks - 1) / blocks))
	echo "[lab]"
	echo "name = $PFX-$name"
	for ((i = 1; i <= hosts; i++)); do
		printf '[host h%d]\naddress = 198.51.100.%d\nvia = exec %s\n' "$i" "$i" "$TMP/via$i"
	done
	for ((i = 0; i < N; i++)); do
		echo "[node n$i]"
		((hosts == 0)) || echo "host = h$((i / per % hosts + 1))"
		# segment s$j: 10.(j / 250).(j % 250).0/24 (addr), no fork
		((i == 0)) || echo "eth0 = s$((i - 1)) 10.$(((i - 1) / 250)).$(((i - 1) % 250)).2/24"
		((i == N - 1)) || echo "eth1 = s$i 10.$((i / 250)).$((i % 250)).1/24"
	done
}
host_of() { # LAB NODE: its host's number (1 for the plain lab)
	awk -v n="[node n$2]" '$0 == n { f = 1; next } f && /^host = / { sub(/host = h/, ""); print; exit } f && /^\[/ { exit }' \
		"$TMP/$1.ini" | grep . || echo 1
}
# The lab works: a ping over every crossing segment and the chain's first
# and last link, from the host of each link's left node.
verify() {
	local l=$1 i hl ok
	for i in $(cat "$TMP/$l.links"); do
		hl=$(host_of "$l" "$i")
		ok=0
		for _ in 1 2 3; do
			if in_host "$hl" ip netns exec "$PFX-$l.n$i" ping -n -c1 -W2 "$(addr "$i").2" >/dev/null 2>&1; then
				ok=1
				break
			fi
		done
		((ok)) || die "$l: n$i does not reach n$((i + 1)) over s$i"
	done
}

left() { # LAB: what is left of it on any host
	local h
	for ((h = 1; h <= H; h++)); do
		in_host "$h" ip netns list | awk -v p="$PFX-$1." 'index($1, p) == 1 { print "h'"$h"' netns " $1 }'
		in_host "$h" ls /run/netlab | awk -v p="$PFX-$1" '$1 == p { print "h'"$h"' state " $1 }'
		in_host "$h" ls -a /run/netlab/.multi 2>/dev/null | awk -v p="$PFX-$1" '$1 == p { print "h'"$h"' record " $1 }'
	done
	ps -eo args | awk -v p="netlab-node $PFX-$1." 'index($0, p) == 1 { print "process " $0 }'
}

declare -A UP DOWN UPCPU DOWNCPU STITCH CUP CDOWN
one() { # LAB
	local l=$1 t c u x
	rm -f "$TMP"/calls.h*
	c=$(cg_us); t=$(us)
	in_cg nsenter -t "${HPID[1]}" -m -n -- "$NETLAB" -q up --timings "$TMP/$l.ini" 2>"$TMP/timings" ||
		{ cat "$TMP/timings" >&2; die "$l: up failed"; }
	u=$(($(us) - t)); c=$(($(cg_us) - c))
	UP[$l]+=" $u"; UPCPU[$l]+=" $c"; CUP[$l]=$(calls)
	# Each host's stitching, summed: "netlab: up: h2: stitch  1.2 ms"
	x=$(awk '$3 ~ /^h[0-9]+:$/ && $4 == "stitch" { s += $5 } END { printf "%d", s * 1000 }' "$TMP/timings")
	STITCH[$l]+=" $x"
	verify "$l"
	rm -f "$TMP"/calls.h*
	c=$(cg_us); t=$(us)
	in_cg nsenter -t "${HPID[1]}" -m -n -- "$NETLAB" -q down "$PFX-$l" || die "$l: down failed"
	u=$(($(us) - t)); c=$(($(cg_us) - c))
	DOWN[$l]+=" $u"; DOWNCPU[$l]+=" $c"; CDOWN[$l]=$(calls)
	x=$(left "$l")
	[ -z "$x" ] || die "$l: left after down: $x"
}

# ---- the run ---------------------------------------------------------------

cg_setup
LABS="one h$((H - 1)) h$H cut"
lab_ini one 0 1 >"$TMP/one.ini"
lab_ini "h$((H - 1))" $((H - 1)) $((H - 1)) >"$TMP/h$((H - 1)).ini"
lab_ini "h$H" "$H" "$H" >"$TMP/h$H.ini"
lab_ini cut "$H" "$B" >"$TMP/cut.ini"
declare -A HOSTS X
for l in $LABS; do
	HOSTS[$l]=$(grep -c '^\[host ' "$TMP/$l.ini" || true)
	((HOSTS[$l])) || HOSTS[$l]=1
	# The crossing segments (s$i: n$i and n$i+1 on different hosts),
	# then the links to ping: those, the first, the last.
	awk '/^\[node / { n = substr($2, 2, length($2) - 2) } /^host = / { h[n] = $3 }
	     END { for (i = 1; i in h; i++) if (h[i] != h[i - 1]) print i - 1 }' "$TMP/$l.ini" >"$TMP/$l.cross"
	X[$l]=$(wc -l <"$TMP/$l.cross")
	{ cat "$TMP/$l.cross"; printf '0\n%d\n' $((N - 2)); } | sort -nu >"$TMP/$l.links"
done
h2=h$((H - 1)) h3=h$H

echo "netlab multihost bench: $(date -u '+%F %H:%M') UTC, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)"
echo "chain of $N nodes on simulated hosts (one machine); medians of $REPS, in turns; CPU time: $([ -n "$CG" ] && echo "cgroup $CG" || echo "none (no cgroup v2)")"
echo
for ((r = 0; r < REPS; r++)); do
	# A different lab first each round, so none always runs first.
	set -- $LABS
	for ((k = 0; k < r % 4; k++)); do set -- "${@:2}" "$1"; done
	for l in "$@"; do
		one "$l"
		echo "  done: $l (round $((r + 1))): up $(secs "$(last "${UP[$l]}")") s, down $(secs "$(last "${DOWN[$l]}")") s, CPU $(secs "$(last "${UPCPU[$l]}")") s / $(secs "$(last "${DOWNCPU[$l]}")") s, stitching $(last "${STITCH[$l]}") us, load $(cut -d' ' -f1 /proc/loadavg)" >&2
	done
done

ms() { awk -v u="$1" 'BEGIN { printf "%.0f", u / 1000 }'; }
med() { median ${1:-0}; }
echo "| lab | hosts | crossing segments | up | down | up CPU | down CPU | stitching (all hosts) | control round trips up / down |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for l in $LABS; do
	printf '| %s | %d | %d | %s s | %s s | %s s | %s s | %s ms | %s / %s |\n' "$l" "${HOSTS[$l]}" "${X[$l]}" \
		"$(secs "$(med "${UP[$l]}")")" "$(secs "$(med "${DOWN[$l]}")")" \
		"$(secs "$(med "${UPCPU[$l]}")")" "$(secs "$(med "${DOWNCPU[$l]}")")" \
		"$(ms "$(med "${STITCH[$l]}")")" "${CUP[$l]}" "${CDOWN[$l]}"
done

# per crossing segment: (cut - hH) / (X[cut] - X[hH]); per host: (hH -
# h(H-1)) less the one more crossing segment hH has.
derive() { # A-ARRAY-NAME: "seg host spread" in ms
	local -n a=$1
	local c3 c2 cc o
	c3=$(med "${a[$h3]}"); c2=$(med "${a[$h2]}"); cc=$(med "${a[cut]}"); o=$(med "${a[one]}")
	awk -v c3="$c3" -v c2="$c2" -v cc="$cc" -v o="$o" -v x3="${X[$h3]}" -v x2="${X[$h2]}" -v xc="${X[cut]}" 'BEGIN {
		seg = (cc - c3) / (xc - x3); host = (c3 - c2) - seg * (x3 - x2)
		printf "%+.1f %+.1f %+.1f", seg / 1000, host / 1000, (c3 - o) / 1000 }'
}
read -r su hu spu <<<"$(derive UP)"
read -r sd hd spd <<<"$(derive DOWN)"
read -r scu hcu spcu <<<"$(derive UPCPU)"
read -r scd hcd spcd <<<"$(derive DOWNCPU)"
st=$(awk -v s="$(med "${STITCH[cut]}")" -v x="${X[cut]}" 'BEGIN { printf "%.2f", s / 1000 / (2 * x) }')
echo
echo "Derived (ms; per crossing segment = (cut - $h3) / (${X[cut]} - ${X[$h3]}) crossing segments; per host = ($h3 - $h2) - 1 crossing segment; spreading = $h3 - one):"
echo
echo "| cost | up | down | up CPU | down CPU |"
echo "| --- | --- | --- | --- | --- |"
echo "| spreading over $H hosts (vs one) | $spu | $spd | $spcu | $spcd |"
echo "| per host | $hu | $hd | $hcu | $hcd |"
echo "| per crossing segment | $su | $sd | $scu | $scd |"
echo
echo "Stitching, measured inside each host (up --timings): $st ms per crossing segment and host it spans (cut: ${X[cut]} crossing segments, 2 hosts each)."
echo "Control round trips: $((CUP[$h3] / H)) per host for up, $((CDOWN[$h3] / H)) per host for down (via = exec, as ssh: one connection each)."
echo "(The hosts share this machine's CPUs: wall time mixes overhead with parallelism and other load; CPU time shows the work. Differences smaller than the spread between rounds (stderr) are noise.)"
