# shellcheck shell=bash
# Is this shell inside a chroot (a / that is not its file system's root,
# as in a chroot into a directory bound onto itself)?  netlab refuses the
# overlay of a node's whole / (files at DIR's top) there, and entering
# another mount namespace (nsenter -m) lands at the real machine's root.
in_chroot() { awk '$5 == "/" { r = $4 } END { exit r == "/" }' /proc/self/mountinfo; }
