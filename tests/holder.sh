# shellcheck shell=bash
# A holder: a long-lived process (an unshare'd sh that ends by exec'ing
# sleep) that keeps a mount namespace of a test's own for netlab to run
# in, entered with nsenter -t PID -m (tests/simhosts.sh, statefs.sh,
# propagation.sh).

# holder_wait PID: until holder PID has set its namespace up and sleeps;
# 1 after 10 s.
holder_wait() {
	local i
	for i in $(seq 100); do
		[ "$(cat "/proc/$1/comm" 2>/dev/null)" = sleep ] && return 0
		sleep 0.1
	done
	return 1
}
