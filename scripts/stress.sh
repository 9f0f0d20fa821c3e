#!/bin/sh
# scripts/stress.sh - the long form of the reliability tests (make stress).
#
# Boots the debug guest kernels (KASAN, lockdep, kmemleak and fault
# injection: configs/guest-debug.config) one after the other, each running
# only these guest programs:
#   badinput  the bad-input catalogue (guest/badinput.c);
#   stress    the shared group under concurrent load, ITER rounds per
#             worker (dmaown.stress=), at most CAP seconds (guest/stress.c);
#   faults    every allocation on the claim, release, probe and bind paths
#             failing in turn (guest/faults.c, dmaown.faults_stride=STRIDE);
#   leaks     kmemleak's check of the boot, after the others (guest/leaks.c);
# on x86_64 (q35 + intel-iommu) and arm64 (virt + SMMUv3). Then the
# unpatched base (x86_64, no debug options) boots twice: badinput with
# its last row (a kernel driver bound into a held group, which kills the
# base: the table shows the BUG), then stress: stress.shared_group must
# fail there, by a violation of the
# contract (a container takes the group while e1000 is bound: the base's
# SET_CONTAINER does not check, its GET_DEVICE_FD then answers EINVAL) or
# by vfio's BUG_ON (e1000 bound into the held group), and the summary says
# which.
#
# make check runs the short form: the same programs in the full guest
# suite of its x86_64 and arm64 boots, with 20 rounds per worker and every
# 10th allocation of the bind paths.
#
# Output: the logs in out/logs/stress/<arch>.log and base-{badinput,stress}.log; a
# summary (rates, counts, faults per path, verdicts) in
# out/logs/stress/summary.txt; the bad-input table, base against series, in
# out/logs/stress/badinput.md (scripts/badinput-table.sh).
#
# Inputs (env): ITER (default 1000), CAP (seconds, default 5400), STRIDE
#   (default 1), ARCHES (default "x86_64 arm64"), BASE_RUN (default 1; 0
#   skips the base).
# Exit: 0 every run passed, 1 a run failed, 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: ITER CAP STRIDE ARCHES BASE_RUN)"; exit 2; }
ITER=${ITER:-1000}
CAP=${CAP:-5400}
STRIDE=${STRIDE:-1}
ARCHES=${ARCHES:-x86_64 arm64}
BASE_RUN=${BASE_RUN:-1}
for v in "ITER=$ITER" "CAP=$CAP" "STRIDE=$STRIDE"; do
	case "${v#*=}" in
	'' | *[!0-9]* | 0*) die "$v: expected a whole number, at least 1" ;;
	esac
done
for a in $ARCHES; do
	case "$a" in x86_64 | arm64) ;; *) die "ARCHES: '$a': expected x86_64 and/or arm64" ;; esac
done
case "$BASE_RUN" in 0 | 1) ;; *) die "BASE_RUN=$BASE_RUN: expected 0 or 1" ;; esac
need_deps
unset IOMMU
LOGS=$OUT/logs/stress
mkdir -p "$LOGS"
rm -f "$LOGS"/*.log "$LOGS/summary.txt" "$LOGS/badinput.md"

# Each program gets the cap and a margin; the guest, all three and a boot.
PROG_TIMEOUT=$((CAP + 1200))
GUEST_TIMEOUT=$((CAP + 3600))
CMDLINE="dmaown.stress=$ITER dmaown.stress_s=$CAP dmaown.faults_stride=$STRIDE dmaown.timeout=$PROG_TIMEOUT"

fail=0
verdicts=
# run NAME ENV...: build and boot one guest; its verdict line is kept.
run() {
	_name=$1
	shift
	say "$_name: build, then boot (badinput, stress with $ITER rounds per worker, faults, leaks)"
	_rc=0
	env "$@" STAGE=build "$TOP/scripts/guest.sh" || die "$_name: the build failed"
	env "$@" STAGE=boot LOG="$LOGS/$_name.log" TIMEOUT=$GUEST_TIMEOUT \
		EXTRA_CMDLINE="$CMDLINE" "$TOP/scripts/guest.sh" >"$LOGS/$_name.out" 2>&1 || _rc=$?
	cat "$LOGS/$_name.out"
	[ "$_rc" = 0 ] || fail=1
	verdicts="$verdicts$_name: $(grep '^verdict: ' "$LOGS/$_name.out" | head -1)
"
}

for a in $ARCHES; do
	run "$a" ARCH="$a" BASE=0 TESTS=badinput,stress,faults,leaks
done
if [ "$BASE_RUN" = 1 ]; then
	say "base-x86_64: build, then two boots: badinput with its last row (which kills the base), then stress (which must fail)"
	env ARCH=x86_64 BASE=1 STAGE=build "$TOP/scripts/guest.sh" || die "base-x86_64: the build failed"
	for b in badinput stress; do
		env ARCH=x86_64 BASE=1 TESTS=$b STAGE=boot VERDICT=0 LOG="$LOGS/base-$b.log" \
			TIMEOUT=$GUEST_TIMEOUT EXTRA_CMDLINE="$CMDLINE dmaown.badinput_fatal=1" \
			"$TOP/scripts/guest.sh" >"$LOGS/base-$b.out" 2>&1 || true
		cat "$LOGS/base-$b.out"
	done
	how=$(tr -d '\r' <"$LOGS/base-stress.log" |
		sed -n 's/^ *# stress\.c:[0-9]*:shared_group:\([0-9]* violations, the first: .*\)/\1/p; s/^.*\(kernel BUG at [^ ]*\).*/\1/p' |
		sed 's|\.\./\.\./linux/||' | head -1)
	if [ -n "$how" ]; then
		verdicts="${verdicts}base-x86_64: stress fails as it must: $how
"
	else
		fail=1
		verdicts="${verdicts}base-x86_64: FAIL: stress did not fail on the unpatched base
"
	fi
fi

# The summary: what stress, faults and leaks logged (their TH_LOG lines),
# per guest.
{
	echo "make stress: ITER=$ITER CAP=$CAP STRIDE=$STRIDE ($(date -u +%Y-%m-%d))"
	for f in "$LOGS"/*.log; do
		[ -f "$f" ] || continue
		echo "--- ${f##*/}"
		tr -d '\r' <"$f" | sed -n 's/^ *# \(stress\|faults\|leaks\)\.c:[0-9]*:[a-z_]*:/  /p'
		tr -d '\r' <"$f" | grep -a -m1 -o 'kernel BUG at [^ ]*' | sed 's|\.\./\.\./linux/||; s/^/  base: /' || true
	done
	echo "--- verdicts"
	printf '%s' "$verdicts"
} >"$LOGS/summary.txt"
cat "$LOGS/summary.txt"

if [ "$BASE_RUN" = 1 ] && [ -f "$LOGS/x86_64.log" ]; then
	"$TOP/scripts/badinput-table.sh" "$LOGS/x86_64.log" "$LOGS/base-badinput.log" >"$LOGS/badinput.md" ||
		fail=1
	say "bad-input table: ${LOGS#"$TOP"/}/badinput.md"
fi
if [ "$fail" = 0 ]; then
	say "ok: every run passed"
else
	say "FAILED: see the verdicts above"
fi
exit "$fail"
