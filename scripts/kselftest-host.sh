#!/bin/sh
# scripts/kselftest-host.sh - the series's kselftest, built with its own
# Makefile and run on this host, where it must skip cleanly.
#
# Builds tools/testing/selftests/vfio of the tree (KSRC) the way a test lab
# does (make -C <dir>, the host's gcc and uapi headers) into
# out/kselftest-host, then runs vfio_dma_ownership_test once. A host without
# VFIO or IOMMU groups (this one: no IOMMU) must get exit status 4 and a
# KTAP "1..0 # SKIP <reason>" line, with nothing else failing. A host that
# has them is not a place to run it from `make check`: the test would move
# the host's own devices between drivers. There the step says so and only
# builds.
#
# Inputs (env): KSRC (default out/linux).
# Exit: 0 built and skipped cleanly (or built, on a host with VFIO),
#   1 it did something else, 2 error.
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

if [ -e /dev/vfio/vfio ] || [ -n "$(ls -A /sys/kernel/iommu_groups 2>/dev/null)" ]; then
	say "ok: built; this host has VFIO or IOMMU groups: not run here (it would move this host's devices)"
	exit 0
fi

rc=0
"$BIN" >"$O/run.log" 2>&1 </dev/null || rc=$?
sed 's/^/    /' "$O/run.log"
if [ "$rc" -ne 4 ]; then
	say "FAIL: exit status $rc, expected 4 (KSFT_SKIP) on a host without VFIO"
	exit 1
fi
if ! grep -q '^1\.\.0 # SKIP .' "$O/run.log"; then
	say "FAIL: no '1..0 # SKIP <reason>' line"
	exit 1
fi
say "ok: skipped cleanly (exit 4): $(sed -n 's/^1\.\.0 # SKIP //p' "$O/run.log")"
