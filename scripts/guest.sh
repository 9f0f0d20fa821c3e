#!/bin/sh
# scripts/guest.sh - build a guest kernel and initramfs, boot them in QEMU
# (software emulation) with emulated IOMMUs, and judge the console log.
#
#   x86_64: q35,kernel-irqchip=split, -cpu max, and IOMMU=
#           intel (default): intel-iommu,intremap=on, intel_iommu=on
#           amd:             amd-iommu,intremap=on (5.10's amd_iommu driver)
#           (both give VFIO the interrupt remapping it insists on)
#   arm64:  virt,gic-version=3, cortex-a57, device tree boot, and IOMMU=
#           smmuv3 (default): virt,iommu=smmuv3
#           virtio:           virtio-iommu-pci (5.10's virtio-iommu driver)
#           (GICv3's ITS gives VFIO the MSI isolation it insists on)
# One kernel per architecture serves both of its IOMMUs (STAGE=boot with
# IOMMU=amd or virtio boots what the default IOMMU's build left).
# Devices on both (addresses in guest/devices.h): e1000e alone in its group,
# two e1000 sharing one group (x86_64: behind a pci-bridge, a group of three;
# arm64: two functions of one slot, see guest/devices.h), one ahci. x86_64
# also has a PCIe root port without ACS and an e1000e behind it (one group).
#
# The verdict comes from the console log (scripts/verdict.sh), never from
# QEMU's exit status. A guest still running at $TIMEOUT seconds is killed and
# the run fails. The raw log stays in out/logs/.
#
# Inputs (env): ARCH (x86_64|arm64), IOMMU (above), BASE=1 (the unpatched
#   base), TESTS
#   (comma-separated guest programs to run, default all), TIMEOUT (seconds,
#   default 900), BUILD_KERNEL=0 (reuse the built kernel as it is),
#   BUILD (kernel build dir, default out/build/$ARCH or out/base/build/$ARCH),
#   LOG (default out/logs/guest-[base-]$ARCH[-$IOMMU].log, no -$IOMMU for
#   the default one), INITRD (default out/build/initramfs-[base-]$ARCH.cpio),
#   EXTRA_CONFIGS, EXTRA_CMDLINE (more kernel parameters),
#   VERDICT=0 (no verdict: the caller reads the log; make demo),
#   STAGE=build (kernel and initramfs only) | boot (boot what is built) |
#   all (default),
#   TCG_THREAD=single (QEMU runs the guest's two vCPUs in one host thread,
#   taking turns: -accel tcg,thread=single; see below) | multi (default: a
#   host thread per vCPU, truly in parallel),
#   EXPECT_CRASH=1 (judge with `verdict.sh --expect-crash`: the run passes
#   iff the kernel dies in ownership.bind_into_held_group and reports
#   nothing before; what the unpatched base does with the full suite),
#   REUSE=1 (if the last boot with this LOG passed with the same kernel,
#   initramfs, QEMU and firmware packages, command line and scripts, and
#   the log is the one it wrote, judge that log again instead of booting;
#   if it no longer passes, boot. make check's unpatched base, which a
#   change to the series other than its kselftest leaves as it was).
# Exit: 0 pass, 1 the verdict failed, 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: ARCH IOMMU BASE TESTS TIMEOUT BUILD_KERNEL LOG EXPECT_CRASH REUSE)"; exit 2; }

need_deps
ARCH=${ARCH:-x86_64}
BASE=${BASE:-0}
TIMEOUT=${TIMEOUT:-900}
TESTS=${TESTS:-}
BUILD_KERNEL=${BUILD_KERNEL:-1}
STAGE=${STAGE:-all}
case "$STAGE" in all | build | boot) ;; *) die "STAGE=$STAGE: expected all, build or boot" ;; esac
[ "$STAGE" != boot ] || BUILD_KERNEL=0
EXPECT_CRASH=${EXPECT_CRASH:-0}
TCG_THREAD=${TCG_THREAD:-multi}
case "$TCG_THREAD" in single | multi) ;; *) die "TCG_THREAD=$TCG_THREAD: expected single or multi" ;; esac
case "$ARCH" in
x86_64) IOMMU=${IOMMU:-intel} ;;
arm64) IOMMU=${IOMMU:-smmuv3} ;;
*) die "ARCH=$ARCH: expected x86_64 or arm64" ;;
esac
case "$ARCH/$IOMMU" in
x86_64/intel | arm64/smmuv3) isuffix= ;;
x86_64/amd | arm64/virtio) isuffix=-$IOMMU ;;
*) die "IOMMU=$IOMMU: expected intel or amd (x86_64), smmuv3 or virtio (arm64)" ;;
esac
# The kernel and its initramfs are the architecture's (suffix); the boot's
# name and log also say which IOMMU (bsuffix).
suffix=$([ "$BASE" = 1 ] && echo "base-$ARCH" || echo "$ARCH")
bsuffix=$suffix$isuffix
DEFAULT_BUILD=$OUT/build/$ARCH
[ "$BASE" != 1 ] || DEFAULT_BUILD=$OUT/base/build/$ARCH
BUILD=${BUILD:-$DEFAULT_BUILD}
LOG=${LOG:-$OUT/logs/guest-$bsuffix.log}
INITRD=${INITRD:-$OUT/build/initramfs-$suffix.cpio}

case "$ARCH" in
x86_64)
	KERNEL=$BUILD/arch/x86/boot/bzImage
	set -- qemu-system-x86_64 -machine q35,kernel-irqchip=split -cpu max
	# no_timer_check: a boot starved of CPU by the builds beside it (TCG)
	# panicked in check_timer(), "timer doesn't work through
	# Interrupt-remapped IO-APIC"; the check is for broken hardware.
	X86_CMDLINE="no_timer_check"
	# nohz=off with both vCPUs in parallel (multi): in a clean clone's
	# make check at 66fe05a, vCPU 0 of the x86_64 guest halted with its
	# tick stopped (CONFIG_NO_HZ_IDLE) and its next timer never came: RCU
	# stalled ("rcu_sched kthread starved", "idling at native_safe_halt")
	# and stress hung to the timeout. The periodic tick never did so.
	[ "$TCG_THREAD" != multi ] || X86_CMDLINE="$X86_CMDLINE nohz=off"
	if [ "$IOMMU" = intel ]; then
		set -- "$@" -device intel-iommu,intremap=on
		CMDLINE="console=ttyS0 intel_iommu=on $X86_CMDLINE"
	else
		# QEMU's amd-iommu adds a PCI function of its own, in the
		# first free slot (00:01.0, below the fixed addresses of
		# guest/devices.h: it is given before them). 5.10's amd_iommu
		# driver finds it through the IVRS table, on by default.
		set -- "$@" -device amd-iommu,intremap=on
		CMDLINE="console=ttyS0 $X86_CMDLINE"
	fi
	# Two e1000 behind a conventional PCI bridge: one group of three.
	# A PCIe root port without ACS with an e1000e behind it: the port
	# (bound to pcieport) and the e1000e share a group. The bridge keeps
	# bus 1, the port's secondary bus is 2.
	ARCH_DEVS="-device pci-bridge,id=br1,chassis_nr=1,addr=0x4
		-device e1000,bus=br1,addr=0x1,romfile=
		-device e1000,bus=br1,addr=0x2,romfile=
		-device pcie-root-port,id=rp1,chassis=2,addr=0x6,disable-acs=on
		-device e1000e,bus=rp1,addr=0x0,romfile="
	;;
arm64)
	KERNEL=$BUILD/arch/arm64/boot/Image
	if [ "$IOMMU" = smmuv3 ]; then
		set -- qemu-system-aarch64 -machine virt,iommu=smmuv3,gic-version=3
	else
		# virtio-iommu-pci at 00:01.0 (below guest/devices.h's
		# addresses); QEMU puts it in the device tree (iommu-map of the
		# PCI host bridge, its own BDF left out). Given before the
		# other devices, so their DMA goes through it.
		set -- qemu-system-aarch64 -machine virt,gic-version=3 \
			-device virtio-iommu-pci,addr=0x1
	fi
	set -- "$@" -cpu cortex-a57
	CMDLINE="console=ttyAMA0"
	# Two e1000 as functions of one slot: one group of two. Not behind a
	# bridge: v5.10's SMMUv3 on a DT boot gives the bridge no group, each
	# e1000 its own with the bridge's stream ID, and BUG_ON(ste_live)
	# fires on the base (guest/devices.h says more).
	# A virtio-rng-device on a virtio-mmio transport: a platform device
	# bound to a driver (virtio-mmio), for guest/rebind.c.
	ARCH_DEVS="-device e1000,addr=0x4.0,multifunction=on,romfile=
		-device e1000,addr=0x4.1,romfile=
		-device virtio-rng-device"
	;;
esac
# The guest has two CPUs either way. multi: each vCPU is a host thread, the
# two run at the same instant (stress's races at the finest grain); with
# more runnable threads than cores, a vCPU spinning for a lock the other
# holds burns its time while the holder waits for a core. single: one host
# thread runs both vCPUs in turn, switching at every exit to QEMU (HLT,
# WFE/YIELD and PAUSE in a spin, an interrupt, at least every 100 ms): the
# guest's processes still interleave on two CPUs, a spinning vCPU hands
# over at once, and two such guests keep two cores busy with nothing
# wasted. In the boot's key (REUSE) with the rest of QEMU's arguments.
set -- "$@" -accel "tcg,thread=$TCG_THREAD"
# dmaown.iommu: smoke's iommu_is_the_one_given checks the devices are
# behind that IOMMU.
CMDLINE="$CMDLINE dmaown.iommu=$IOMMU panic=-1 oops=panic${TESTS:+ dmaown.tests=$TESTS}"
# The base has no DMA ownership: the kselftest would skip the binds that
# crash it; the base run is there to show that crash.
[ "$BASE" != 1 ] || CMDLINE="$CMDLINE dmaown.unsafe=1"
CMDLINE="$CMDLINE${EXTRA_CMDLINE:+ $EXTRA_CMDLINE}"

if [ "$BUILD_KERNEL" = 1 ]; then
	rm -f "$BUILD/.built-tree"
	run_logged "building the $suffix kernel" "$OUT/logs/kbuild-$suffix.log" "$BUILD" \
		"$(usual "kbuild-$suffix")" \
		env ARCH="$ARCH" BASE="$BASE" BUILD="$BUILD" "$TOP/scripts/kbuild.sh" || exit $?
	# The series at a clean HEAD, the guest config: each-patch.sh then need
	# not build the last patch again (same tree, same each_conf).
	if [ "$BASE" != 1 ] && [ "$ARCH" = x86_64 ] && [ -z "${EXTRA_CONFIGS:-}" ] && [ -z "${DEBUG:-}" ] &&
		built_tree=$(clean_tree "$KSRC"); then
		echo "$built_tree $(each_conf)" >"$BUILD/.built-tree"
	else
		rm -f "$BUILD/.built-tree"
	fi
fi
[ -f "$KERNEL" ] || die "no kernel at $KERNEL (build it: make guest ARCH=$ARCH)"
if [ "$STAGE" != boot ]; then
	ARCH=$ARCH BUILD=$BUILD OUTFILE=$INITRD "$TOP/scripts/initramfs.sh"
fi
[ "$STAGE" != build ] || exit 0
[ -f "$INITRD" ] || die "no initramfs at $INITRD (STAGE=build first)"

mkdir -p "$(dirname -- "$LOG")"
what=$bsuffix
[ -z "$TESTS" ] || what="$bsuffix ($TESTS)"

# judge: the verdict of $LOG.
judge() {
	if [ "$EXPECT_CRASH" = 1 ]; then
		"$TOP/scripts/verdict.sh" --expect-crash "$LOG"
	else
		"$TOP/scripts/verdict.sh" "$LOG"
	fi
}
# What a boot's result depends on: the kernel, the initramfs, QEMU (and the
# firmware packages it loads) with its whole command line, and the scripts
# that boot and judge it. $LOG.key holds it, and the hash of the log, after
# a boot that passed.
boot_key() {
	_files=$(sha256sum "$KERNEL" "$INITRD" "$TOP/scripts/guest.sh" "$TOP/scripts/verdict.sh" "$TOP/scripts/lib.sh") ||
		die "cannot read the boot's inputs"
	_qemu=$("$1" --version | head -1) || die "cannot run $1 --version"
	{
		printf '%s\n' "$@" "$ARCH_DEVS" "$CMDLINE" "EXPECT_CRASH=$EXPECT_CRASH TIMEOUT=$TIMEOUT" "$_qemu" "$_files"
		dpkg-query -W qemu-system-data seabios ipxe-qemu qemu-efi-aarch64 2>/dev/null || true
	} | sha256sum | cut -d' ' -f1
}
log_hash() { sha256sum <"$LOG" | cut -d' ' -f1; }
if [ "${REUSE:-0}" = 1 ] && [ "${VERDICT:-1}" != 0 ]; then
	key=$(boot_key "$@")
	if [ -f "$LOG" ] && [ "$(cat "$LOG.key" 2>/dev/null)" = "$key $(log_hash)" ]; then
		say "not booting $what again: its last boot passed with the same kernel, initramfs, QEMU, command line and scripts (remove ${LOG#"$TOP"/}.key to boot it); judging that log again"
		judge && exit 0
		say "that log no longer passes: booting"
	fi
fi
rm -f "$LOG.key"
say "booting $what: usually $(usual "${BOOT_USUAL:-boot-$bsuffix}") (killed at ${TIMEOUT} s); console log: ${LOG#"$TOP"/}"
start=$(date +%s)
rc=0
# shellcheck disable=SC2086 # ARCH_DEVS is a list of QEMU arguments
timeout -k 10 "$TIMEOUT" "$@" -m 1G -smp 2 \
	-nodefaults -display none -no-reboot -serial stdio \
	-device e1000e,addr=0x3,romfile= \
	$ARCH_DEVS \
	-device ahci,addr=0x5 \
	-kernel "$KERNEL" -initrd "$INITRD" -append "$CMDLINE" \
	</dev/null >"$LOG" 2>&1 &
qemu=$!
# Alive and progressing: each test program's result as it comes, and the
# first kernel report (the unpatched base's expected BUG among them).
shown=0 report=
while kill -0 "$qemu" 2>/dev/null; do
	sleep 2
	new=$(tr -d '\r' <"$LOG" | grep -E '^(not )?ok [0-9]+ ' | sed -n "$((shown + 1)),\$p")
	if [ -n "$new" ]; then
		printf '%s\n' "$new" | while IFS= read -r l; do say "  $l ($(elapsed "$start") s)"; done
		shown=$((shown + $(printf '%s\n' "$new" | wc -l)))
	fi
	if [ -z "$report" ]; then
		report=$(tr -d '\r' <"$LOG" | grep -o -m1 'kernel BUG at [^ ]*\|WARNING: CPU: .*\|BUG: .*\|Kernel panic - .*' |
			head -1 | sed 's|\.\./\.\./linux/||') || true
		[ -z "$report" ] || say "  kernel report: $report ($(elapsed "$start") s)"
	fi
done
wait "$qemu" || rc=$?
secs=$(elapsed "$start")
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "# guest.sh: guest killed after ${TIMEOUT}s (hung)" >>"$LOG"
	say "guest hung: killed after ${TIMEOUT}s"
fi
say "guest ran ${secs} s (QEMU exit $rc, not used for the verdict)"
[ "${VERDICT:-1}" != 0 ] || exit 0
judge || exit $?
[ "${REUSE:-0}" != 1 ] || echo "$key $(log_hash)" >"$LOG.key"

