#!/bin/sh
# scripts/check.sh - every test of the project, in one run (make check).
#
# Steps, each with a banner, its elapsed time and its own pass/fail line;
# a failed step does not stop the others. Ends with a table of the steps and
# their times and one line:
#   check: N passed, N failed (total S s)
#
# The guests boot in the background: a guest step builds its kernel and
# initramfs in the foreground, then QEMU runs (one at a time) while the next
# steps compile, niced, so the boot keeps the CPU it needs (QEMU in TCG uses
# about one of the two cores). The boot's output is printed, and the step
# judged, when it ends (the step's line then says "build + boot"). The
# order puts the three guest builds first and the compile-only steps after
# them, so that every boot overlaps a build. Step fresh (a minimal Debian
# root, see fresh.sh) runs in the background from the start, niced too.
#
# Inputs (env): STEPS (space-separated step names to run, default all; see
#   the list below), plus what the step scripts take (KSRC, JOBS, ...).
# Exit: 0 every step passed, 1 a step failed, 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: STEPS='deps harness ...')"; exit 2; }

S=$TOP/scripts
ALL="deps harness shellcheck fresh tree checkpatch roundtrip mbox kernel-doc guest-x86_64 guest-base-x86_64 guest-arm64 kunit config-corners robot-objs robot-warnings each-patch"
STEPS=${STEPS:-$ALL}
for s in $STEPS; do
	case " $ALL " in *" $s "*) ;; *) die "unknown step '$s' (steps: $ALL)" ;; esac
done
LOGS=$OUT/logs/check
mkdir -p "$LOGS"

# Foreground steps run niced while a guest boots in the background.
NICE=
step_cmd() {
	case "$1" in
	deps) "$S/deps.sh" ;;
	harness) "$TOP/tests/run.sh" ;;
	shellcheck) need_deps
		shellcheck -x "$S"/*.sh "$TOP/tests/run.sh" "$TOP/guest/init" "$TOP/.ci/run" ;;
	tree) "$S/tree.sh" ;;
	checkpatch) "$S/checkpatch.sh" ;;
	roundtrip) "$S/roundtrip.sh" ;;
	mbox) "$S/mbox.sh" ;;
	kernel-doc) "$S/kernel-doc.sh" ;;
	fresh) start_fresh ;;
	robot-objs) ARCHES="x86_64 arm64" $NICE "$S/robot-objs.sh" ;;
	robot-warnings) ARCHES="x86_64 arm64" $NICE "$S/robot-warnings.sh" ;;
	config-corners) $NICE "$S/config-corners.sh" ;;
	each-patch) EACH=changed $NICE "$S/each-patch.sh" ;;
	kunit) $NICE "$S/kunit.sh" ;;
	guest-x86_64) guest_build x86_64 0 ;;
	guest-base-x86_64) guest_build x86_64 1 ;;
	guest-arm64) guest_build arm64 0 ;;
	esac
}

# guest_build ARCH BASE: build the kernel and initramfs (niced if a boot
# runs), then wait for the boot before, then start this one's.
guest_build() {
	$NICE env ARCH="$1" BASE="$2" STAGE=build "$S/guest.sh" || return $?
	join_boot
	_log=$LOGS/boot-$1-$2.log
	if [ "$2" = 1 ]; then
		# The unpatched base runs the whole guest suite and must die where
		# the series makes the difference (ownership.bind_into_held_group),
		# with no report before; then every test whose result differs from
		# the patched run (step guest-x86_64) is listed, also in
		# out/logs/guest-base-diff.txt.
		(
			rc=0
			ARCH=$1 BASE=1 EXPECT_CRASH=1 STAGE=boot "$S/guest.sh" || rc=$?
			echo "--- base vs patched, test by test"
			"$S/guest-diff.sh" "$OUT/logs/guest-base-$1.log" "$OUT/logs/guest-$1.log" |
				tee "$OUT/logs/guest-base-diff.txt" || true
			exit "$rc"
		) >"$_log" 2>&1 &
	else
		ARCH=$1 BASE=0 STAGE=boot "$S/guest.sh" >"$_log" 2>&1 &
	fi
	boot_pid=$! boot_log=$_log boot_step=$i boot_name=$s boot_t=$(date +%s)
	boot_build=$(elapsed "$t")
	NICE="nice -n 10"
	echo "=== [$i/$total] $s: built in $boot_build s; booting in the background (log: ${_log#"$TOP"/})"
	return 100
}

# start_fresh: step fresh in the background, niced, from the start: it
# mostly downloads and unpacks packages, while the steps after it compile.
fresh_pid=''
start_fresh() {
	nice -n 10 "$S/fresh.sh" >"$LOGS/fresh.log" 2>&1 &
	fresh_pid=$! fresh_step=$i fresh_t=$(date +%s)
	echo "=== [$i/$total] fresh: runs in the background (log: ${LOGS#"$TOP"/}/fresh.log)"
	return 100
}
join_fresh() {
	[ -n "$fresh_pid" ] || return 0
	_rc=0
	wait "$fresh_pid" || _rc=$?
	echo
	echo "=== [$fresh_step/$total] fresh (ran in the background)"
	cat "$LOGS/fresh.log"
	result "$fresh_step" fresh "$_rc" "$(elapsed "$fresh_t") s"
	fresh_pid=''
}

# join_boot: wait for the boot in the background, print what it printed and
# judge its step.
boot_pid=
join_boot() {
	[ -n "$boot_pid" ] || return 0
	_rc=0
	wait "$boot_pid" || _rc=$?
	_secs=$(elapsed "$boot_t")
	echo
	echo "=== [$boot_step/$total] $boot_name: the boot (started after its build)"
	cat "$boot_log"
	result "$boot_step" "$boot_name" "$_rc" "build $boot_build s + boot $_secs s"
	boot_pid='' NICE=''
}

passed=0 failed=0 failed_names='' table=''
# result I NAME RC TIME
result() {
	if [ "$3" = 0 ]; then
		passed=$((passed + 1))
		_v=ok
	else
		failed=$((failed + 1))
		failed_names="$failed_names $2"
		_v=FAILED
	fi
	echo "=== [$1/$total] $2: $_v ($4)"
	table="$table$(printf '%-18s %-7s %s' "$2" "$_v" "$4")
"
}

total=$(echo "$STEPS" | wc -w)
i=0
t0=$(date +%s)
for s in $STEPS; do
	i=$((i + 1))
	echo
	echo "=== [$i/$total] $s"
	t=$(date +%s)
	rc=0
	step_cmd "$s" || rc=$?
	# 100: running in the background (a guest's boot, fresh), judged later.
	[ "$rc" = 100 ] || result "$i" "$s" "$rc" "$(elapsed "$t") s"
done
join_boot
join_fresh
echo
printf '%s' "$table"
[ -z "$failed_names" ] || echo "failed steps:$failed_names"
echo "check: $passed passed, $failed failed (total $(elapsed "$t0") s)"
[ "$failed" = 0 ]
