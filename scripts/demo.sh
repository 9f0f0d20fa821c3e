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
# Exit: 0 the demo ran on both kernels (whatever they did), 2 harness error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: TIMEOUT)"; exit 2; }
TIMEOUT=${TIMEOUT:-600}
LOGS=$OUT/logs

for base in 1 0; do
	name=$([ "$base" = 1 ] && echo base || echo patched)
	echo "=== demo: $name x86_64 guest"
	rc=0
	ARCH=x86_64 BASE=$base TESTS=demo TIMEOUT=$TIMEOUT LOG="$LOGS/demo-$name.log" \
		"$TOP/scripts/guest.sh" || rc=$?
	[ "$rc" -le 1 ] || die "the $name guest could not be built or booted (exit $rc)"
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
echo "console logs: out/logs/demo-base.log, out/logs/demo-patched.log"
