#!/bin/sh
# scripts/demo.sh - the main job: the bug and the fix, side by side.
#
# Builds the unpatched base and the patched x86_64 guests and runs the same
# scenario on each (guest program `demo`): a VFIO container holds the bridge
# group (both e1000 on vfio-pci); one e1000 is unbound from vfio-pci; then
# `e1000` is bound to it. Prints a table: kernel, what the bind returned,
# which driver ended up bound, whether the kernel printed a report or died.
#
# On the base, vfio's group notifier hits BUG_ON (drivers/vfio/vfio.c:698)
# and the kernel panics. With the series, VFIO claims the group's DMA
# ownership and the notifier is gone: the patched column shows the bind
# refused with -EBUSY, no driver bound, no kernel report, the kernel alive.
#
# Inputs (env): TIMEOUT (per guest, default 600).
# Ends with one line per kernel: did it do what it was expected to (the base
# dies at the BUG_ON; the series refuses the bind, no report, no crash).
# A fresh clone is enough: tree.sh fetches the base and applies the series,
# every script installs what deps.list lists if it is missing (as root).
# Exit: 0 the demo ran on both kernels (whatever they did), 2 harness error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: TIMEOUT)"; exit 2; }
TIMEOUT=${TIMEOUT:-600}
LOGS=$OUT/logs

# A fresh clone: fetch the pinned base and apply the series first (tree.sh
# reuses a tree that is already there).
echo "=== demo: the kernel tree (v$BASE_VERSION + patches/)"
"$TOP/scripts/tree.sh"
for base in 1 0; do
	name=$([ "$base" = 1 ] && echo base || echo patched)
	echo
	echo "=== demo: $name x86_64 guest"
	rc=0
	ARCH=x86_64 IOMMU=intel BASE=$base TESTS=demo TIMEOUT=$TIMEOUT LOG="$LOGS/demo-$name.log" \
		VERDICT=0 BOOT_USUAL=demo-boot "$TOP/scripts/guest.sh" || rc=$?
	[ "$rc" = 0 ] || die "the $name guest could not be built or booted (exit $rc)"
done

# One row from one console log.
row() {
	log=$1
	bind=$(sed -n 's/^ *# demo: bind e1000 returned: //p' "$log" | tr -d '\r' | head -1)
	drv=$(sed -n 's/^ *# demo: driver bound: //p' "$log" | tr -d '\r' | head -1)
	report=$(grep -o 'kernel BUG at [^ ]*\|WARNING: CPU: [0-9]* PID: [0-9]* at [^ ]*\|BUG: [A-Za-z ]*\|Oops[^ ]*\|general protection fault' "$log" |
		head -1 | tr -d '\r' | sed 's|\.\./\.\./linux/||')
	died=no
	grep -q 'Kernel panic' "$log" && died="yes (panic)"
	grep -q '^# linux-dma-ownership: guest suite done' "$log" || [ "$died" != no ] ||
		died="yes (no end of suite)"
	printf '%-22s | %-32s | %-12s | %-44s | %s\n' "$2" "${bind:-never returned}" \
		"${drv:-unknown}" "${report:-none}" "$died"
}
echo
echo "Bind e1000 to a device whose IOMMU group a VFIO container holds:"
echo
printf '%-22s | %-32s | %-12s | %-44s | %s\n' kernel "bind returned" "driver bound" "kernel report" "kernel died"
printf '%s\n' "-----------------------+----------------------------------+--------------+----------------------------------------------+------------"
row "$LOGS/demo-base.log" "v$BASE_VERSION (base)"
row "$LOGS/demo-patched.log" "v$BASE_VERSION + series"
echo
# What each kernel was expected to do, said once, so that the base's crash
# reads as the point of the demo and not as a failure.
expect() {
	if [ "$2" = yes ]; then
		echo "$1: as expected"
	else
		echo "$1: NOT as expected (see its console log)"
	fi
}
base_ok=no patched_ok=no
grep -q 'kernel BUG at [^ ]*drivers/vfio/vfio.c:' "$LOGS/demo-base.log" &&
	grep -q 'Kernel panic' "$LOGS/demo-base.log" && base_ok=yes
grep -q '^ *# demo: bind e1000 returned: -EBUSY' "$LOGS/demo-patched.log" &&
	grep -q '^ *# demo: driver bound: none' "$LOGS/demo-patched.log" &&
	grep -q '^# linux-dma-ownership: guest suite done' "$LOGS/demo-patched.log" &&
	VERDICT_QUIET=1 "$TOP/scripts/verdict.sh" "$LOGS/demo-patched.log" >/dev/null &&
	patched_ok=yes
expect "base: vfio's BUG_ON kills the kernel (the bug)" "$base_ok"
expect "series: the bind fails with -EBUSY, no driver bound, no kernel report, the kernel lives" "$patched_ok"
echo "console logs: out/logs/demo-base.log, out/logs/demo-patched.log"
