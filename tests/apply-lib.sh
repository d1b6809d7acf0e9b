# shellcheck shell=bash
# Helpers of the `netlab apply` tests (apply.sh, apply_topo.sh): comparing
# snapshots of a lab, and the fault injected at every step.  Sourced
# after tests/lib.sh.

# differs BEFORE NOW: the differences between two snapshots, on one line.
differs() { diff <(echo "$1") <(echo "$2") | grep '^[<>]' | head -n 6 | tr '\n' '|'; }
expect_same() { # DESC BEFORE NOW
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "$(differs "$2" "$3")"; fi
}

# apply_fault N FILE: `netlab apply FILE` failing at its step N; sets out
# and rc, and fails when apply went through (no step N).
apply_fault() {
	out=$(NETLAB_TEST_FAIL=apply:$1 "$NETLAB" apply "$2" 2>&1)
	rc=$?
	[ $rc -ne 0 ]
}
# fault_injected N: apply_fault's out says the fault at step N was
# injected; if not, says so (not ok) and fails.
fault_injected() {
	printf '%s' "$out" | grep -q "test fault injected at apply:$1" && return 0
	notok "fault at step $1: injected" "exit $rc: $(echo "$out" | tail -n 2 | tr '\n' '|')"
	return 1
}
