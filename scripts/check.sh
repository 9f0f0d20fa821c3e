#!/bin/sh
# scripts/check.sh - every test of the project, in one run (make check).
#
# Steps, each with a banner, its elapsed time and its own pass/fail line;
# a failed step does not stop the others. Ends with one line:
#   check: N passed, N failed (total S s)
#
# Inputs (env): STEPS (space-separated step names to run, default all; see
#   the list below), plus what the step scripts take (KSRC, JOBS, ...).
# Exit: 0 every step passed, 1 a step failed, 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: STEPS='deps harness ...')"; exit 2; }

S=$TOP/scripts
# The robot's steps (robot-objs, robot-warnings: allmodconfig, both arches;
# config-corners: x86_64) before the guests. each-patch last, EACH=changed:
# the last patch (its objects in ccache from the series's guest build) and
# the patches not in each-patch.verified (the first one's objects in ccache
# from the base's guest build, same config).
ALL="deps harness shellcheck tree checkpatch roundtrip mbox kernel-doc robot-objs robot-warnings config-corners kunit guest-x86_64 guest-base-x86_64 guest-arm64 each-patch"
STEPS=${STEPS:-$ALL}
for s in $STEPS; do
	case " $ALL " in *" $s "*) ;; *) die "unknown step '$s' (steps: $ALL)" ;; esac
done

# The unpatched base runs the whole guest suite and must die where the
# series makes the difference (ownership.bind_into_held_group), with no
# report before. Then every test whose result differs from the patched run
# (step guest-x86_64) is listed, also in out/logs/guest-base-diff.txt.
guest_base() {
	_rc=0
	ARCH=$1 BASE=1 EXPECT_CRASH=1 "$S/guest.sh" || _rc=$?
	echo "--- base vs patched, test by test"
	"$S/guest-diff.sh" "$OUT/logs/guest-base-$1.log" "$OUT/logs/guest-$1.log" |
		tee "$OUT/logs/guest-base-diff.txt" || true
	return "$_rc"
}

step_cmd() {
	case "$1" in
	deps) "$S/deps.sh" ;;
	harness) "$TOP/tests/run.sh" ;;
	shellcheck) need_cmd shellcheck shellcheck
		shellcheck -x "$S"/*.sh "$TOP/tests/run.sh" "$TOP/guest/init" "$TOP/.ci/run" ;;
	tree) "$S/tree.sh" ;;
	checkpatch) "$S/checkpatch.sh" ;;
	roundtrip) "$S/roundtrip.sh" ;;
	mbox) "$S/mbox.sh" ;;
	kernel-doc) "$S/kernel-doc.sh" ;;
	robot-objs) ARCHES="x86_64 arm64" "$S/robot-objs.sh" ;;
	robot-warnings) ARCHES="x86_64 arm64" "$S/robot-warnings.sh" ;;
	config-corners) "$S/config-corners.sh" ;;
	each-patch) EACH=changed "$S/each-patch.sh" ;;
	kunit) "$S/kunit.sh" ;;
	guest-x86_64) ARCH=x86_64 "$S/guest.sh" ;;
	guest-base-x86_64) guest_base x86_64 ;;
	guest-arm64) ARCH=arm64 "$S/guest.sh" ;;
	esac
}

total=$(echo "$STEPS" | wc -w)
i=0 passed=0 failed=0 failed_names=
t0=$(date +%s)
for s in $STEPS; do
	i=$((i + 1))
	echo
	echo "=== [$i/$total] $s"
	t=$(date +%s)
	if step_cmd "$s"; then
		passed=$((passed + 1))
		echo "=== [$i/$total] $s: ok ($(elapsed "$t") s)"
	else
		failed=$((failed + 1))
		failed_names="$failed_names $s"
		echo "=== [$i/$total] $s: FAILED ($(elapsed "$t") s)"
	fi
done
echo
[ -z "$failed_names" ] || echo "failed steps:$failed_names"
echo "check: $passed passed, $failed failed (total $(elapsed "$t0") s)"
[ "$failed" = 0 ]
