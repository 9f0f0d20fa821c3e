#!/bin/sh
# tests/run.sh - test the harness itself: scripts/verdict.sh on console logs
# (and scripts/guest-diff.sh on two of them).
#
# 1. Every tests/fixtures/*.log: a pass-*.log must exit 0, a fail-*.log
#    exit 1, a base-*.log (the unpatched base's full suite) must pass
#    `verdict.sh --expect-crash`, and the output must equal the fixture's
#    .expect file, so a fail fixture fails for the reason it was written for
#    and no benign line of a pass fixture is taken for a kernel report.
# 2. Logs derived from the pass fixtures on the fly: other line endings, no
#    printk timestamps, look-alike benign lines (must pass); a flipped result,
#    a dropped one, a kernel report in the dmesg dump, a sentinel missing or
#    too early, a second boot, a lost KUnit suite, the log cut after any line
#    of the /init document (must fail, for the right reason). From the base
#    fixture, for --expect-crash: the crash in another test, no crash, a
#    WARN or a stack dump earlier, another report in the right test (must
#    fail); guest-diff.sh on the base fixture against itself, a flipped
#    result and a missing log.
# 3. Harness errors: no argument, two, a missing file, a directory (exit 2).
# 4. make bench's table (scripts/bench.sh REPORT=1) from the logs in
#    tests/fixtures/bench/ (three boots of each kernel, cut from a real run
#    to their result lines): medians, ratios, spreads and the kernel
#    micro-benchmark as in its summary.expect; a fourth boot missing shows
#    as '-'; no logs and a bad BOOTS (exit 2).
#
# Prints KTAP: `ok N name` / `not ok N name`, diagnostics as `# ` lines.
# Inputs (env): UPDATE=1 rewrites the .expect files from the current output
#   (review the diff before committing); AWK is passed on to verdict.sh.
# Exit: 0 all ok, 1 a check failed, 2 harness error.
set -eu

TOP=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
VERDICT=$TOP/scripts/verdict.sh
DIFF=$TOP/scripts/guest-diff.sh
FIX=$TOP/tests/fixtures
SENTINEL='# linux-dma-ownership: guest suite done'
UPDATE=${UPDATE:-0}
unset VERDICT_QUIET

die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 2; }

for f in "$VERDICT" "$DIFF"; do [ -x "$f" ] || die "$f missing or not executable"; done
PASS_X86=$FIX/pass-x86_64.log
PASS_ARM=$FIX/pass-arm64.log
BASE_X86=$FIX/base-x86_64.log
for f in "$PASS_X86" "$PASS_ARM" "$BASE_X86"; do [ -f "$f" ] || die "missing fixture: $f"; done

TMP=$(mktemp -d)
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT

# verdict FILE...: run verdict.sh; sets OUT (stdout + stderr) and RC.
verdict() {
	OUT=$("$VERDICT" "$@" 2>&1) && RC=0 || RC=$?
}

# diag TEXT: print TEXT as KTAP diagnostics.
diag() { printf '%s\n' "$1" | sed 's/^/# /'; }

# expect RC [TEXT...]: the last verdict exited RC and printed every TEXT.
expect() {
	_want=$1; shift
	if [ "$RC" != "$_want" ]; then
		diag "expected exit $_want, got $RC; output:"
		diag "$OUT"
		return 1
	fi
	for _text in "$@"; do
		printf '%s\n' "$OUT" | grep -qF -- "$_text" && continue
		diag "no '$_text' in the output:"
		diag "$OUT"
		return 1
	done
}

# check_fixture NAME: exit status by name, output as in NAME's .expect file.
check_fixture() {
	_log=$FIX/$1
	_exp=${_log%.log}.expect
	case "$1" in
	pass-*) _want=0 _mode= ;;
	fail-*) _want=1 _mode= ;;
	base-*) _want=0 _mode=--expect-crash ;;
	*) diag "$1: name must start with pass-, fail- or base-"; return 1 ;;
	esac
	# shellcheck disable=SC2086 # _mode is one option or nothing
	verdict $_mode "$_log"
	expect "$_want" || return 1
	if [ "$UPDATE" = 1 ]; then
		printf '%s\n' "$OUT" >"$_exp"
		return 0
	fi
	[ -f "$_exp" ] || { diag "no ${_exp##*/}: run UPDATE=1 $0"; return 1; }
	printf '%s\n' "$OUT" >"$TMP/out"
	diff -u "$_exp" "$TMP/out" >"$TMP/diff" && return 0
	diag "output differs from ${_exp##*/}:"
	diag "$(cat "$TMP/diff")"
	return 1
}

# mutate SRC SED-SCRIPT: SRC edited by sed into $TMP/log, which must differ.
mutate() {
	sed "$2" "$1" >"$TMP/log"
	if cmp -s "$1" "$TMP/log"; then
		diag "sed '$2' did not change ${1##*/}"
		return 1
	fi
}

# --- derived logs that must pass

t_crlf_endings() {
	mutate "$PASS_X86" 's/$/\r/' && verdict "$TMP/log" &&
		expect 0 'verdict: PASS: 5 results (4 passed, 1 skipped)'
}

t_lf_endings() {
	mutate "$PASS_ARM" 's/\r$//' && verdict "$TMP/log" &&
		expect 0 'verdict: PASS: 5 results (5 passed, 0 skipped)'
}

# printk.time=0: kernel and /init lines look alike; KUnit still counts.
t_no_printk_timestamps() {
	mutate "$PASS_X86" 's/\[ *[0-9]*\.[0-9]*\] //' && verdict "$TMP/log" &&
		expect 0 'verdict: PASS: 5 results (4 passed, 1 skipped)'
}

# Lines that mention bugs, warnings and oopses without being reports.
t_benign_lookalikes() {
	mutate "$PASS_X86" '/ Run \/init as init process/i\
[    2.425100] RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable to RETBleed attacks, data leaks possible!\
[    2.425101] [Firmware Bug]: TSC_DEADLINE disabled due to Errata; please update microcode to version: 0x3a (or later)\
[    2.425102] ACPI BIOS Error (bug): Could not resolve symbol [\\_SB.PCI0.S08], AE_NOT_FOUND (20200925/dswload2-162)\
[    2.425103] MDS CPU bug present and SMT on, data leak possible. See https://www.kernel.org/doc/html/latest/admin-guide/hw-vuln/mds.html for more details.\
[    2.425104] Kernel command line: console=ttyS0 oops=panic panic_on_warn=1 softlockup_panic=1 hung_task_panic=1\
[    2.425105] kmemleak: Kernel memory leak detector initialized (mem pool available: 15788)\
[    2.425106] rcu: RCU lockdep checking is enabled.
/^    # Totals: pass:13/i\
    # DEBUG: bug_698_regression: no WARN, no oops (lowercase), calltrace=0
' && verdict "$TMP/log" &&
		expect 0 'verdict: PASS: 5 results (4 passed, 1 skipped)'
}

t_quiet_prints_one_line() {
	OUT=$(VERDICT_QUIET=1 "$VERDICT" "$PASS_X86" 2>&1) && RC=0 || RC=$?
	expect 0 || return 1
	[ "$OUT" = 'verdict: PASS: 5 results (4 passed, 1 skipped)' ] && return 0
	diag "VERDICT_QUIET=1 printed more than the verdict line:"
	diag "$OUT"
	return 1
}

# --- derived logs that must fail

t_flipped_result() {
	mutate "$PASS_X86" 's/^ok 3 rebind$/not ok 3 rebind/' && verdict "$TMP/log" &&
		expect 1 'verdict: FAIL: test 3 rebind failed'
}

t_flipped_nested_result() {
	mutate "$PASS_ARM" 's/^    ok 4 owner\.bridge\.claim_whole_group/    not ok 4 owner.bridge.claim_whole_group/' &&
		verdict "$TMP/log" &&
		expect 1 'test 2 dma_owner: nested result failed' 'not ok 4 owner.bridge.claim_whole_group'
}

t_dropped_result() {
	mutate "$PASS_X86" '/^ok 3 rebind$/d' && verdict "$TMP/log" &&
		expect 1 'missing results: plan 1..5, got 4 results' 'result 3 is numbered 4'
}

t_report_in_dmesg_only() {
	mutate "$PASS_X86" "/^$SENTINEL\$/i\\
# dmesg: [    9.100000] WARNING: CPU: 1 PID: 93 at drivers/iommu/iommu.c:3051 iommu_device_unuse_default_domain+0x1a9/0x1c0" &&
		verdict "$TMP/log" &&
		expect 1 'kernel report (line' 'WARNING: CPU: 1 PID: 93 at drivers/iommu/iommu.c:3051'
}

t_no_sentinel() {
	mutate "$PASS_ARM" "/^$SENTINEL/d" && verdict "$TMP/log" &&
		expect 1 'no sentinel line'
}

t_sentinel_before_last_result() {
	mutate "$PASS_X86" "/^$SENTINEL\$/d; /^ok 5 kmemleak/i\\
$SENTINEL" && verdict "$TMP/log" &&
		expect 1 'result after the sentinel'
}

t_second_boot() {
	cat "$PASS_X86" "$PASS_X86" >"$TMP/log"
	verdict "$TMP/log" && expect 1 'KTAP version line again at line'
}

t_no_plan() {
	mutate "$PASS_X86" '/^1\.\.5$/d' && verdict "$TMP/log" &&
		expect 1 'no plan after the KTAP version line'
}

t_lost_kunit_suite() {
	mutate "$PASS_X86" '/\] ok 2 - driver_managed_dma$/d' && verdict "$TMP/log" &&
		expect 1 'KUnit: plan 1..2, got 1 suite results'
}

# The log cut after any line from `KTAP version 1` to the last result fails.
t_cut_anywhere() {
	_first=$(grep -n '^KTAP version 1' "$PASS_X86" | cut -d: -f1)
	_last=$(grep -n '^ok 5 ' "$PASS_X86" | cut -d: -f1)
	_n=$_first
	while [ "$_n" -le "$_last" ]; do
		head -n "$_n" "$PASS_X86" >"$TMP/log"
		verdict "$TMP/log"
		if [ "$RC" != 1 ]; then
			diag "log cut after line $_n: expected exit 1, got $RC"
			diag "$OUT"
			return 1
		fi
		_n=$((_n + 1))
	done
}

t_empty_log() {
	: >"$TMP/log"
	verdict "$TMP/log" && expect 1 'verdict: FAIL: log is empty'
}

# --- the unpatched base: --expect-crash, and guest-diff.sh

# Its plain verdict fails: the BUG, the panic, the log cut short.
t_base_plain_verdict_fails() {
	verdict "$BASE_X86" &&
		expect 1 'kernel BUG at ../../linux/drivers/vfio/vfio.c:698!' 'log truncated'
}

# The crash while the test before runs: no RUN line for bind_into_held_group.
t_base_crash_in_other_test() {
	mutate "$BASE_X86" '/OK  ownership\.killed_holder_releases_group/d
/^    ok 6 ownership\.killed_holder_releases_group/d
/RUN  *ownership\.bind_into_held_group/d' &&
		verdict --expect-crash "$TMP/log" &&
		expect 1 'verdict: FAIL: the expected crash came while ownership.killed_holder_releases_group ran, not in ownership.bind_into_held_group'
}

# The crash after the test ended (its OK line came first).
t_base_crash_outside_tests() {
	mutate "$BASE_X86" '/RUN  *ownership\.bind_into_held_group/a\
    #            OK  ownership.bind_into_held_group' &&
		verdict --expect-crash "$TMP/log" &&
		expect 1 'the expected crash came outside any kselftest test'
}

# The guest ran on and ended without a report (log cut at the crash).
t_base_no_crash() {
	_n=$(grep -n 'cut here' "$BASE_X86" | head -n 1 | cut -d: -f1)
	head -n "$((_n - 1))" "$BASE_X86" >"$TMP/log"
	verdict --expect-crash "$TMP/log" &&
		expect 1 'verdict: FAIL: no kernel report; expected "kernel BUG at drivers/vfio/vfio.c:" while ownership.bind_into_held_group runs' ||
		return 1
	verdict --expect-crash "$PASS_X86" && expect 1 'verdict: FAIL: no kernel report'
}

# A WARN in an earlier test comes first.
t_base_warn_earlier() {
	mutate "$BASE_X86" '/cycle_e1000e_vfio_50:10 cycles/a\
[  100.000000] ------------[ cut here ]------------\
[  100.000001] WARNING: CPU: 1 PID: 93 at drivers/iommu/iommu.c:3051 iommu_device_unuse_default_domain+0x1a9/0x1c0' &&
		verdict --expect-crash "$TMP/log" &&
		expect 1 'while ownership.cycle_e1000e_vfio_50 ran) is not the expected one: WARNING: CPU: 1 PID: 93 at drivers/iommu/iommu.c:3051'
}

# Only a stack dump (no report line of its own) before the crash.
t_base_stack_dump_earlier() {
	mutate "$BASE_X86" '/cycle_e1000e_vfio_50:10 cycles/a\
[  100.000000] Call Trace:' &&
		verdict --expect-crash "$TMP/log" &&
		expect 1 'verdict: FAIL: kernel report before the expected crash (line' 'Call Trace:'
}

# Another report in the right test is not the expected crash.
t_base_other_report() {
	mutate "$BASE_X86" 's|kernel BUG at \.\./\.\./linux/drivers/vfio/vfio\.c:698!|kernel BUG at ../../linux/drivers/iommu/iommu.c:3051!|' &&
		verdict --expect-crash "$TMP/log" &&
		expect 1 'while ownership.bind_into_held_group ran) is not the expected one: kernel BUG at ../../linux/drivers/iommu/iommu.c:3051!'
}

# diff FILE...: run guest-diff.sh; sets OUT and RC.
diff_logs() {
	OUT=$("$DIFF" "$@" 2>&1) && RC=0 || RC=$?
}

t_diff_same_log() {
	diff_logs "$BASE_X86" "$BASE_X86" &&
		expect 0 'ended in ownership: ownership.bind_into_held_group' 'guest-diff: 0 of 23 tests differ'
}

t_diff_flipped_result() {
	mutate "$BASE_X86" 's/^    not ok 1 ownership\.set_container_needs_viable_group/    ok 1 ownership.set_container_needs_viable_group/' &&
		diff_logs "$BASE_X86" "$TMP/log" &&
		expect 0 'guest-diff: 1 of 23 tests differ' || return 1
	printf '%s\n' "$OUT" | grep -q '^  ownership: ownership\.set_container_needs_viable_group  *not ok  *ok$' &&
		return 0
	diag "no line for the flipped test:"
	diag "$OUT"
	return 1
}

t_diff_no_patched_log() {
	diff_logs "$BASE_X86" "$TMP/nonexistent.log" &&
		expect 0 'guest-diff: no patched log at' 'guest-diff: 23 tests in the base log'
}

# --- harness errors

t_no_arguments() { verdict; expect 2 'usage:'; }
t_two_arguments() { verdict "$PASS_X86" "$PASS_ARM"; expect 2 'usage:'; }
t_missing_file() { verdict "$TMP/nonexistent.log"; expect 2 'no such file'; }
t_directory() { verdict "$TMP"; expect 2 'not a regular file'; }
t_help() { verdict --help; expect 0 'usage:'; }
t_expect_crash_no_log() { verdict --expect-crash; expect 2 'usage:'; }
t_diff_no_base_log() { diff_logs "$TMP/nonexistent.log" "$BASE_X86"; expect 2 'cannot read the base log'; }

# bench_report BOOTS [DIR]: scripts/bench.sh REPORT=1 on a copy of the
# logs in DIR (default the bench fixtures); sets OUT and RC.
bench_report() {
	rm -rf "$TMP/bench"
	cp -R "${2:-$FIX/bench}" "$TMP/bench"
	OUT=$(BOOTS=$1 REPORT=1 BENCH_LOGS="$TMP/bench" "$TOP/scripts/bench.sh" 2>&1) && RC=0 || RC=$?
}
t_bench_table() {
	bench_report 3
	expect 0 'bind_unbind' 'use+unuse' || return 1
	if [ "$UPDATE" = 1 ]; then
		printf '%s\n' "$OUT" >"$FIX/bench/summary.expect"
		return 0
	fi
	printf '%s\n' "$OUT" >"$TMP/out"
	diff -u "$FIX/bench/summary.expect" "$TMP/out" >"$TMP/diff" && return 0
	diag "output differs from bench/summary.expect:"
	diag "$(cat "$TMP/diff")"
	return 1
}
t_bench_missing_boot() { bench_report 4; expect 0 '398500.0 397032.2 - | 400124.5'; }
t_bench_no_logs() { mkdir -p "$TMP/empty" && bench_report 1 "$TMP/empty"; expect 2 'REPORT=1: no '; }
t_bench_bad_boots() { bench_report 2x; expect 2 'BOOTS=2x: expected a whole number'; }

# scripts/badinput-table.sh on captured rows: base and series side by side.
badinput_table() {
	OUT=$("$TOP/scripts/badinput-table.sh" "$@" 2>&1) && RC=0 || RC=$?
}
t_badinput_table() {
	badinput_table "$FIX/badinput/series.log" "$FIX/badinput/base.log"
	expect 0 '| VFIO_GROUP_SET_CONTAINER, container fd -1 | EINVAL | EINVAL | 0 |' \
		'| VFIO_GROUP_SET_CONTAINER while e1000 is bound to a member | EPERM | ok **(differs)** | 0 |' \
		'| e1000/bind, no such device | ENODEV | - **(differs)** | 0 |'
}
# A row not answered as documented, or with a kernel report, fails.
t_badinput_not_documented() {
	sed 's/|EINVAL|EINVAL|0|/|EBADF|EINVAL|0|/; s/|ENODEV|ENODEV|0|/|ENODEV|ENODEV|2|/' \
		"$FIX/badinput/series.log" >"$TMP/series.log"
	badinput_table "$TMP/series.log" "$FIX/badinput/base.log"
	expect 1 '| VFIO_GROUP_SET_CONTAINER, container fd -1 | EBADF | EINVAL **(differs)** **NOT AS DOCUMENTED: want EINVAL** | 0 |' \
		'| e1000/bind, no such device | ENODEV | - **(differs)** **NOT AS DOCUMENTED: want ENODEV** | 2 |'
}
t_badinput_no_rows() {
	badinput_table "$FIX/badinput/series.log" "$FIX/bench/base-1.log"
	expect 2 'has no badinput rows'
}

# scripts/guest.sh refuses a TCG_THREAD it does not know before anything
# is built or booted.
t_guest_bad_tcg_thread() {
	OUT=$(TCG_THREAD=both ARCH=x86_64 STAGE=boot LOG="$TMP/guest.log" "$TOP/scripts/guest.sh" 2>&1) && RC=0 || RC=$?
	expect 2 'TCG_THREAD=both: expected single or multi'
}

EXTRA='crlf_endings lf_endings no_printk_timestamps benign_lookalikes
quiet_prints_one_line flipped_result flipped_nested_result dropped_result
report_in_dmesg_only no_sentinel sentinel_before_last_result second_boot
no_plan lost_kunit_suite cut_anywhere empty_log base_plain_verdict_fails
base_crash_in_other_test base_crash_outside_tests base_no_crash
base_warn_earlier base_stack_dump_earlier base_other_report diff_same_log
diff_flipped_result diff_no_patched_log no_arguments two_arguments
missing_file directory help expect_crash_no_log diff_no_base_log
bench_table bench_missing_boot bench_no_logs bench_bad_boots
badinput_table badinput_not_documented badinput_no_rows guest_bad_tcg_thread'

FIXTURES=$(cd "$FIX" && ls -- *.log)
n=0
for f in $FIXTURES $EXTRA; do n=$((n + 1)); done

echo "KTAP version 1"
echo "1..$n"
i=0 failed=0
for f in $FIXTURES; do
	i=$((i + 1))
	if check_fixture "$f"; then
		echo "ok $i ${f%.log}"
	else
		echo "not ok $i ${f%.log}"
		failed=$((failed + 1))
	fi
done
for t in $EXTRA; do
	i=$((i + 1))
	if "t_$t"; then
		echo "ok $i $t"
	else
		echo "not ok $i $t"
		failed=$((failed + 1))
	fi
done
echo "# $((n - failed)) / $n passed"
[ "$failed" -eq 0 ]
