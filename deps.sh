#!/bin/sh
# deps.sh: install what netlab needs to build, test and document itself,
# on Debian/Ubuntu (apt-get) or Fedora (dnf).  POSIX sh, so that it runs on
# a machine that has no compiler and no make yet; `make deps` runs it too.
#
#   sh deps.sh            install what is missing (as root), non-interactively
#   sh deps.sh --fuzz     also clang and its libFuzzer runtime (`make fuzz`)
#   sh deps.sh --print    print the install command, change nothing
#   sh deps.sh --list     list the packages, one a line
#
# Not root and something missing: prints the exact command to run, exit 1.
# Everything installed already: says so, exit 0 (root or not).
# DEPS_PM=apt|dnf chooses the package manager (default: the one present).
set -eu

fuzz=0 print=0 list=0
for a in "$@"; do
	case $a in
	--fuzz) fuzz=1 ;;
	--print) print=1 ;;
	--list) list=1 ;;
	-h | --help)
		sed -n '2,13s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	*)
		echo "deps.sh: unknown option '$a' (--fuzz, --print, --list)" >&2
		exit 2
		;;
	esac
done

pm=${DEPS_PM:-}
if [ -z "$pm" ]; then
	if command -v apt-get >/dev/null 2>&1; then
		pm=apt
	elif command -v dnf >/dev/null 2>&1; then
		pm=dnf
	else
		echo "deps.sh: neither apt-get nor dnf found; install by hand:" >&2
		echo "  a C compiler, make, pkg-config, iniparser, libnl-route-3," >&2
		echo "  libmnl, libpcap, cmocka, scdoc, groff (see README.md)" >&2
		exit 1
	fi
fi

# One list per package manager, in the same order: build, documentation,
# then what the tests use (frr, iperf3 and tcpdump run inside lab nodes).
case $pm in
apt)
	pkgs="make gcc libc6-dev pkg-config
	      libiniparser-dev libnl-route-3-dev libmnl-dev libpcap-dev
	      scdoc groff-base man-db bash-completion
	      libcmocka-dev iproute2 iputils-ping traceroute graphviz procps
	      util-linux python3 python3-jsonschema frr iperf3 tcpdump strace"
	[ $fuzz = 1 ] && pkgs="$pkgs clang"
	;;
dnf)
	pkgs="make gcc glibc-static pkgconf-pkg-config
	      iniparser-devel libnl3-devel libmnl-devel libpcap-devel
	      scdoc groff-base man-db bash-completion
	      libcmocka-devel iproute iputils traceroute graphviz procps-ng
	      util-linux python3 python3-jsonschema frr iperf3 tcpdump strace"
	[ $fuzz = 1 ] && pkgs="$pkgs clang compiler-rt"
	;;
*)
	echo "deps.sh: DEPS_PM must be apt or dnf, not '$pm'" >&2
	exit 2
	;;
esac
pkgs=$(echo $pkgs)
if [ $list = 1 ]; then
	printf '%s\n' $pkgs
	exit 0
fi

installed() {
	case $pm in
	apt) dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null |
		grep -q ' installed$' ;;
	dnf) rpm -q "$1" >/dev/null 2>&1 ;;
	esac
}

missing=
for p in $pkgs; do
	installed "$p" || missing="$missing $p"
done
missing=${missing# }

# clang's libFuzzer runtime is packaged per clang version on Debian.
if [ $pm = apt ] && [ $fuzz = 1 ] && command -v clang >/dev/null 2>&1; then
	v=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p')
	[ -n "$v" ] && ! installed "libclang-rt-$v-dev" &&
		missing="$missing libclang-rt-$v-dev"
fi

case $pm in
apt) cmd="apt-get update && apt-get install -y --no-install-recommends $missing" ;;
dnf) cmd="dnf install -y $missing" ;;
esac

if [ $print = 1 ]; then
	[ -n "$missing" ] && echo "$cmd" || echo "# nothing to install"
	exit 0
fi
# What a minimal root (a container's, a debootstrap's) lacks that labs
# need, and only root can add: both are made the way a full install makes
# them, and only when missing.
prepare() {
	[ "$(id -u)" = 0 ] || return 0
	# A node sees its lab's names through the lab's hosts file, which
	# netlab binds over /etc/hosts (as ip netns exec does) but never
	# creates.  The installer writes this file; debootstrap does not.
	if [ ! -e /etc/hosts ]; then
		printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
			>/etc/hosts
		echo "deps.sh: wrote /etc/hosts (localhost only): there was none"
	fi
	# FRR's run directory (its tmpfiles.d rule), made by systemd-tmpfiles
	# at boot and on install; a lab's FRR nodes mount a tmpfs over it.
	if [ ! -d /run/frr ] && getent passwd frr >/dev/null 2>&1; then
		install -d -o frr -g frr -m 0755 /run/frr
		echo "deps.sh: made /run/frr (no systemd-tmpfiles made it)"
	fi
}

if [ -z "$missing" ]; then
	prepare
	echo "deps.sh: everything netlab needs is installed"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing: $missing" >&2
	echo "deps.sh: as root, run:" >&2
	if command -v sudo >/dev/null 2>&1; then
		echo "  sudo sh -c '$cmd'" >&2
	else
		echo "  $cmd" >&2
	fi
	exit 1
fi

echo "deps.sh: installing: $missing"
if [ $pm = apt ]; then
	export DEBIAN_FRONTEND=noninteractive
	# The packages are for labs, not for the host: keep their services
	# (frr's daemons) from starting while they install, with the usual
	# policy-rc.d guard, unless the machine has its own policy already.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
		trap 'exit 1' INT TERM HUP
	fi
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing
	# a libFuzzer runtime whose version is known only now
	if [ $fuzz = 1 ]; then
		v=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p')
		installed "libclang-rt-$v-dev" ||
			apt-get install -y -qq --no-install-recommends \
				"libclang-rt-$v-dev"
	fi
else
	dnf install -y $missing
fi
prepare
echo "deps.sh: done"
