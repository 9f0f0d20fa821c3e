#!/bin/sh
# scripts/bench.sh - what the series costs at run time, against the
# unpatched base (make bench). Not part of make check; asserts no time.
#
# Two x86_64 guest kernels with the same config and no debug options
# (configs/guest-{common,pci,x86_64}.config: no KASAN, no lockdep, no
# KUnit): the unpatched base (out/base/build/x86_64, the one make check
# boots to its crash) and the series with bench/hook.patch (a worktree at
# out/bench/linux, build out/bench/build/x86_64). The hook only adds, at
# late_initcall and only when iommu.bench_dev= is given, a micro-benchmark
# of iommu_device_use_default_domain() + iommu_device_unuse_default_domain()
# against its group's mutex locked and unlocked (the floor) and
# iommu_group_get() + iommu_group_put().
#
# They boot alternately, BOOTS times each, in the order base, series,
# series, base, base, series, ... (so that a drift of the host's speed falls
# on both), under q35 + intel-iommu, each running guest/bench.c alone
# (dmaown.tests=bench): an
# e1000 unbind + bind cycle, a VFIO open / SET_CONTAINER / SET_IOMMU /
# GET_DEVICE_FD / close cycle on the three-device group (each step timed
# too), and 4 KiB DMA map + unmap pairs. Each boot gives a median per
# metric; the table gives, per metric, the median of the boots' medians for
# each kernel, the series/base ratio of those, and its spread: the lowest
# and highest ratio of one boot pair (boot k of the series over boot k of
# the base); a value a boot lacks shows as '-'. Every boot must also pass
# scripts/verdict.sh (no kernel report); a boot that fails is left out of
# the table (its log renamed <kind>-<k>.failed.log) and the run exits 1.
# Logs: out/logs/bench/{base,series}-<k>.log; the table also in
# out/logs/bench/summary.txt.
#
# CONTROL=1 is the A/A control: the series's slot boots the base kernel
# too, so that the ratios and spreads show what two boots of one kernel
# differ by on this machine.
#
# Inputs (env): BOOTS (default 3), KSRC (the series, at its HEAD; must be
#   clean), EXTRA_PATCH (a diff applied on top of the series and the hook,
#   for an experiment; the table names it), REPORT=1 (only make the table
#   from the logs in BENCH_LOGS: build and boot nothing; tests/run.sh does
#   this on fixtures), BENCH_LOGS (default out/logs/bench), CONTROL=1
#   (above).
# Exit: 0 measured, 1 a boot failed its verdict or printed no result,
#   2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: BOOTS=3 KSRC=dir)"; exit 2; }
BOOTS=${BOOTS:-3}
case "$BOOTS" in
'' | *[!0-9]* | 0*) die "BOOTS=$BOOTS: expected a whole number of boots per kernel, at least 1" ;;
esac
REPORT=${REPORT:-0}
CONTROL=${CONTROL:-0}
LOGS=${BENCH_LOGS:-$OUT/logs/bench}
# The PCI bridge of the shared group: no driver, in a group whose two e1000
# are bound, so each use + unuse pair counts and uncounts it.
BENCH_DEV=0000:00:04.0
bad=0
if [ "$REPORT" = 1 ]; then
	for kind in base series; do
		[ -f "$LOGS/$kind-1.log" ] || die "REPORT=1: no $LOGS/$kind-1.log"
	done
else
	need_deps
	[ -e "$KSRC/.git" ] || die "no kernel tree at $KSRC: run 'make tree' first"
	[ -z "$(git -C "$KSRC" status --porcelain --untracked-files=no)" ] ||
		die "$KSRC has uncommitted changes: make bench measures the series as committed"
	unset IOMMU
	HOOK=$TOP/bench/hook.patch
	head=$(git -C "$KSRC" rev-parse HEAD)
	WT=$OUT/bench/linux
	BBUILD=$OUT/bench/build/x86_64
	BINITRD=$OUT/bench/initramfs-x86_64.cpio
	mkdir -p "$LOGS" "$OUT/bench"
	rm -f "$LOGS"/*.log "$LOGS"/*.log.out "$LOGS/summary.txt"
	# What the table's second line names.
	if [ "$CONTROL" = 1 ]; then
		echo "A/A control: both slots boot the unpatched $BASE_TAG" >"$LOGS/kernels.txt"
	else
		echo "base: $BASE_TAG unpatched; series: $(git -C "$KSRC" log -1 --format='%h %s' "$head")${EXTRA_PATCH:+ + $EXTRA_PATCH}" >"$LOGS/kernels.txt"
	fi

	# The series's worktree at KSRC's HEAD, plus the hook.
	if [ ! -e "$WT/.git" ]; then
		rm -rf "$WT"
		git -C "$KSRC" worktree prune
		git -C "$KSRC" worktree add --detach "$WT" "$head" >/dev/null ||
			die "cannot make the worktree $WT"
	fi
	git -C "$WT" checkout -q -f --detach "$head" || die "cannot check out $head in $WT"
	git -C "$WT" apply "$HOOK" || die "bench/hook.patch does not apply to the series at $head"
	if [ -n "${EXTRA_PATCH:-}" ]; then
		[ -f "$EXTRA_PATCH" ] || die "EXTRA_PATCH=$EXTRA_PATCH: no such file"
		git -C "$WT" apply "$(realpath "$EXTRA_PATCH")" ||
			die "EXTRA_PATCH=$EXTRA_PATCH does not apply on top of the series and the hook"
	fi

	say "[1/3] the unpatched base, x86_64 (the kernel make check boots to its crash)"
	ARCH=x86_64 BASE=1 STAGE=build "$TOP/scripts/guest.sh"
	[ "$CONTROL" != 1 ] || say "[2/3] CONTROL=1: no series kernel; its slot boots the base"
	[ "$CONTROL" = 1 ] || {
	say "[2/3] the series $(git -C "$KSRC" log -1 --format='%h (%s)' "$head") + bench/hook.patch${EXTRA_PATCH:+ + $EXTRA_PATCH}, no debug options"
	run_logged "building the bench kernel" "$OUT/logs/kbuild-bench.log" "$BBUILD" \
		"$(usual kbuild-bench)" \
		env ARCH=x86_64 BASE=0 DEBUG=0 KUNIT_FRAGMENT='' KSRC="$WT" BUILD="$BBUILD" \
		"$TOP/scripts/kbuild.sh"
	ARCH=x86_64 BUILD="$BBUILD" OUTFILE="$BINITRD" "$TOP/scripts/initramfs.sh" >/dev/null
	}

	say "[3/3] $BOOTS boots of each, alternately: usually $(usual boot-bench) a boot"
	k=0
	while [ "$k" -lt "$BOOTS" ]; do
		k=$((k + 1))
		order="base series"
		[ $((k % 2)) = 1 ] || order="series base"
		for kind in $order; do
			log=$LOGS/$kind-$k.log
			rc=0
			if [ "$kind" = base ] || [ "$CONTROL" = 1 ]; then
				ARCH=x86_64 BASE=1 STAGE=boot TESTS=bench LOG="$log" \
					BOOT_USUAL=boot-bench "$TOP/scripts/guest.sh" >"$log.out" 2>&1 || rc=$?
			else
				ARCH=x86_64 BASE=0 STAGE=boot TESTS=bench LOG="$log" BUILD="$BBUILD" \
					INITRD="$BINITRD" EXTRA_CMDLINE="iommu.bench_dev=$BENCH_DEV" \
					BOOT_USUAL=boot-bench "$TOP/scripts/guest.sh" >"$log.out" 2>&1 || rc=$?
			fi
			if [ "$rc" != 0 ] || ! grep -q 'bench: dma_map_unmap ' "$log"; then
				bad=$((bad + 1))
				mv "$log" "$LOGS/$kind-$k.failed.log"
				say "  $kind boot $k: FAILED (exit $rc), left out of the table: $(grep -h 'verdict: FAIL\|bench: error' "$log.out" "$LOGS/$kind-$k.failed.log" | head -3 | tr -d '\r' | tr '\n' ' ')(log ${LOGS#"$TOP"/}/$kind-$k.failed.log)"
			else
				say "  $kind boot $k: $(grep -c '^ *bench: ' "$log") results, $(sed -n 's/.*guest ran \([0-9]*\) s.*/\1/p' "$log.out") s"
			fi
		done
	done
fi

# MED: the awk function med(a, n), the median of a[1..n] (sorted in place),
# for both tables below.
# shellcheck disable=SC2016 # awk program
MED='
	function med(a, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}'
# The table: per metric, each kernel's boots' medians, in boot order.
# shellcheck disable=SC2016 # awk program
{
	echo "make bench: $BOOTS boots of each kernel, alternately; x86_64, q35 + intel-iommu, TCG; no KASAN/lockdep"
	cat "$LOGS/kernels.txt" 2>/dev/null || echo "base: $BASE_TAG unpatched; series: (not recorded)"
	echo
	for kind in base series; do
		k=0
		while [ "$k" -lt "$BOOTS" ]; do
			k=$((k + 1))
			[ -f "$LOGS/$kind-$k.log" ] || continue
			tr -d '\r' <"$LOGS/$kind-$k.log" |
				sed -n "s/^ *bench: \([a-z_]*\) median_ns=\([0-9]*\) .*/$kind $k \1 \2/p"
		done
	done | awk -v boots="$BOOTS" "$MED"'
	function us(ns) { return sprintf("%.1f", ns / 1000) }
	{
		v[$1, $2, $3] = $4
		if (!($3 in seen)) { seen[$3] = 1; order[++nm] = $3 }
	}
	END {
		printf "%-20s %12s %12s %7s  %-13s %s\n", "metric (us)", "base", "series", "ratio", "spread", "per boot: base | series"
		for (m = 1; m <= nm; m++) {
			name = order[m]
			nb = ns = 0; lo = hi = ""; pb = ps = ""
			for (k = 1; k <= boots; k++) {
				if ((("base", k, name) in v)) { b[++nb] = v["base", k, name]; pb = pb " " us(v["base", k, name]) } else pb = pb " -"
				if ((("series", k, name) in v)) { s[++ns] = v["series", k, name]; ps = ps " " us(v["series", k, name]) } else ps = ps " -"
				if ((("base", k, name) in v) && (("series", k, name) in v) && v["base", k, name] > 0) {
					r = v["series", k, name] / v["base", k, name]
					if (lo == "" || r < lo) lo = r
					if (hi == "" || r > hi) hi = r
				}
			}
			if (nb == 0 || ns == 0) { printf "%-20s missing in one kernel\n", name; continue }
			mb = med(b, nb); msr = med(s, ns)
			printf "%-20s %12s %12s %7.3f  %5.3f-%5.3f %s |%s\n", name, us(mb), us(msr), (mb > 0 ? msr / mb : 0), lo, hi, pb, ps
		}
	}'
	failed=$(find "$LOGS" -maxdepth 1 -name '*.failed.log' | sed 's|.*/||; s/\.failed\.log$//' | sort | tr '\n' ' ')
	[ -z "$failed" ] || echo "left out (failed their verdict): $failed"
	echo
	echo "kernel micro-benchmark (series, iommu.bench_dev=$BENCH_DEV), every round of every boot:"
	# The hook's lines in the series's boots' kernel logs (the dmesg dump:
	# the console has a copy of each).
	micro=$(k=0
		while [ "$k" -lt "$BOOTS" ]; do
			k=$((k + 1))
			[ ! -f "$LOGS/series-$k.log" ] || cat "$LOGS/series-$k.log"
		done | tr -d '\r' | sed -n 's/^# dmesg: .*dmaown-bench: //p')
	users=$(printf '%s\n' "$micro" |
		sed -n 's/.*, \([0-9]*\) kernel users before.*/\1/p' | sort -u | tr '\n' ' ')
	[ -z "$users" ] || echo "  the group's kernel users before each run: $users"

	printf '%s\n' "$micro" |
		sed -n 's/.* pairs \([0-9]*\): use+unuse \([0-9]*\) ps, mutex \([0-9]*\) ps, get+put \([0-9]*\) ps.*/\1 \2 \3 \4/p' |
		awk "$MED"'
	{ n++; pairs = $1; u[n] = $2; mx[n] = $3; g[n] = $4; r[n] = $2 / $3 }
	END {
		if (!n) { print "  no dmaown-bench lines (hook not run?)"; exit }
		printf "  %d rounds of %d pairs; median ns per pair:\n", n, pairs
		printf "  use+unuse %.1f ns, group mutex lock+unlock (floor) %.1f ns, group get+put %.1f ns\n", med(u, n) / 1000, med(mx, n) / 1000, med(g, n) / 1000
		printf "  use+unuse / mutex: median %.2f (rounds %.2f-%.2f)\n", med(r, n), lo_r(), hi_r()
	}
	function lo_r(   i, x) { x = r[1]; for (i = 2; i <= n; i++) if (r[i] < x) x = r[i]; return x }
	function hi_r(   i, x) { x = r[1]; for (i = 2; i <= n; i++) if (r[i] > x) x = r[i]; return x }'
	echo
	echo "targets (not asserted): bind_unbind ratio <= 1.01, vfio_cycle <= 1.10, use+unuse <= 2x the mutex pair"
} >"$LOGS/summary.txt"
cat "$LOGS/summary.txt"
[ "$bad" = 0 ] || { say "$bad boot(s) failed: the table lacks them"; exit 1; }
