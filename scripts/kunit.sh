#!/bin/sh
# scripts/kunit.sh - run the project's KUnit suites on UML.
#
# Runs the tree's own tools/testing/kunit/kunit.py (v5.10) with
# configs/kunit.kunitconfig as the build dir's .kunitconfig. Passes only if
# kunit.py reports success and its output has results and no failed or
# crashed case.
#
# Inputs (env): KSRC (default out/linux), BUILD (default out/build/uml),
#   KUNITCONFIG (default configs/kunit.kunitconfig), JOBS.
# Output: $BUILD/kunit.log (kunit.py's parsed output), $BUILD/test.log.
# Exit: 0 pass, 1 a case failed or crashed, 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: KSRC BUILD KUNITCONFIG JOBS)"; exit 2; }
BUILD=${BUILD:-$OUT/build/uml}
KUNITCONFIG=${KUNITCONFIG:-$TOP/configs/kunit.kunitconfig}
JOBS=${JOBS:-$(nproc)}
[ -f "$KSRC/tools/testing/kunit/kunit.py" ] || die "no kunit.py in $KSRC: run 'make tree' first"
[ -f "$KUNITCONFIG" ] || die "KUNITCONFIG=$KUNITCONFIG: no such file"
need_deps

mkdir -p "$BUILD"
# kunit.py keeps the old .config if .kunitconfig is a subset of it; a copy
# that changed must not leave stale symbols behind.
if ! cmp -s "$KUNITCONFIG" "$BUILD/.kunitconfig"; then
	cp "$KUNITCONFIG" "$BUILD/.kunitconfig"
fi
kunit_run() (
	cd "$KSRC" && python3 tools/testing/kunit/kunit.py run --build_dir="$BUILD" \
		--jobs="$JOBS" --timeout=300 --make_options='CC=ccache gcc'
)
rc=0
run_logged "kunit.py run: build UML in ${BUILD#"$TOP"/}, run the suites" "$BUILD/kunit.log" \
	"$BUILD" "$(usual kunit)" kunit_run || rc=$?
# The results as kunit.py parsed them (not its build output).
grep -E '^\[[0-9:]*\] (Starting KUnit|=+|\[(PASSED|FAILED|CRASHED|SKIPPED)\]|Testing complete)' \
	"$BUILD/kunit.log" | sed 's/^\[[0-9:]*\] /    /' || true
if [ "$rc" != 0 ]; then
	echo "kunit: FAIL: kunit.py exited $rc"
	exit 1
fi
if grep -q '\[CRASHED\]\|\[FAILED\]\|\[ERROR\]\|not ok' "$BUILD/kunit.log"; then
	echo "kunit: FAIL: a case failed or crashed"
	exit 1
fi
grep -q 'Testing complete\. [1-9][0-9]* tests run\. 0 failed\. 0 crashed\.' "$BUILD/kunit.log" || {
	echo "kunit: FAIL: no summary line with tests run and none failed"
	exit 1
}
echo "kunit: ok: $(grep -o 'Testing complete\. [0-9]* tests run' "$BUILD/kunit.log")"
