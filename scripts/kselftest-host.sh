#!/bin/sh
# scripts/kselftest-host.sh - the series's kselftest, built with its own
# Makefile and run on this host, where it must skip cleanly.
#
# Builds tools/testing/selftests/vfio of the tree (KSRC) the way a test lab
# does (make -C <dir>, the host's gcc and uapi headers) into
# out/kselftest-host, then runs vfio_dma_ownership_test once, as a test lab
# that names no device would: it must get exit status 4 and a KTAP
# "1..0 # SKIP <reason>" line, and touch nothing. Then, only where no IOMMU
# groups any device (this machine), once more with the first PCI device
# named: it must skip for want of an IOMMU group. (Named a device on a host
# with an IOMMU, it would move that device's group between drivers: there
# the step names none.)
#
# Inputs (env): KSRC (default out/linux).
# Exit: 0 built and skipped cleanly, 1 it did something else, 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: KSRC=dir)"; exit 2; }
need_deps
DIR=$KSRC/tools/testing/selftests/vfio
[ -f "$DIR/Makefile" ] || die "no $DIR/Makefile: run 'make tree' first"
O=$OUT/kselftest-host
rm -rf "$O"
mkdir -p "$O"

say "make -C ${DIR#"$TOP"/} OUTPUT=${O#"$TOP"/}"
make -s -C "$DIR" OUTPUT="$O" >"$O/build.log" 2>&1 || {
	cat "$O/build.log"
	die "the kselftest does not build with its own Makefile"
}
BIN=$O/vfio_dma_ownership_test
[ -x "$BIN" ] || die "make built no $BIN"

# expect_skip NAME PATTERN [VAR=value ...]: run it with the environment
# given, no device named otherwise; it must exit 4 with a "1..0 # SKIP"
# line matching PATTERN (grep). Output in $O/run-NAME.log.
expect_skip() {
	_name=$1 _pat=$2
	shift 2
	_rc=0
	env -u VFIO_SELFTESTS_BDF "$@" "$BIN" >"$O/run-$_name.log" 2>&1 </dev/null || _rc=$?
	sed 's/^/    /' "$O/run-$_name.log"
	if [ "$_rc" -ne 4 ] || ! grep -q "^1\.\.0 # SKIP $_pat" "$O/run-$_name.log"; then
		say "FAIL: $_name: exit status $_rc and no '1..0 # SKIP $_pat' line, expected exit 4 (KSFT_SKIP) and that line"
		exit 1
	fi
	say "ok: $_name: skipped cleanly (exit 4): $(sed -n 's/^1\.\.0 # SKIP //p' "$O/run-$_name.log")"
}

expect_skip no-device '.'

# With a device named, where no IOMMU groups devices (this machine): it
# must find that out and skip, before it touches anything.
dev=$(find /sys/bus/pci/devices -mindepth 1 -maxdepth 1 -printf "%f\n" 2>/dev/null | sort | head -n 1)
if [ -n "$dev" ] && [ -z "$(ls -A /sys/kernel/iommu_groups 2>/dev/null)" ]; then
	expect_skip "$dev" '.*no IOMMU group' VFIO_SELFTESTS_BDF="$dev"
fi
