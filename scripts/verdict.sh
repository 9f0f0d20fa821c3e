#!/bin/sh
# scripts/verdict.sh - pass or fail a guest run from its raw console log.
#
# The verdict comes from the log alone, never from QEMU's exit status. A log
# passes when all of these hold:
#   1. the guest /init's `KTAP version 1` line is there;
#   2. the next non-comment line after it is the plan `1..N` (N > 0);
#   3. exactly N top-level results follow, numbered 1..N in order;
#   4. none is `not ok` (`# SKIP` counts as skipped), no nested result
#      anywhere (kselftest under /init, KUnit, `# dmesg: ` lines) is `not ok`,
#      and no test says `Bail out!`;
#   5. the sentinel `# linux-dma-ownership: guest suite done` follows the
#      last result;
#   6. no kernel report anywhere: WARN, BUG, Oops, panic, KASAN, lockdep,
#      UBSAN, kmemleak, hung task, RCU stall, lockup, call trace. Scanned in
#      every line, so guest programs must not print these texts themselves;
#   7. a KUnit `TAP version 14` document, if any, has as many suite results
#      as its plan, and every suite as many case results as its own plan.
#
# With --expect-crash a log passes instead when the kernel died where it
# had to, as the unpatched base does in the full guest suite: the first
# kernel report is EXPECT_REPORT and it comes while the kselftest test
# EXPECT_TEST runs (after the harness's `#  RUN  <test> ...` line, before
# its `OK` / `FAIL` line). A report before it (a WARN in an earlier test),
# the crash in another test, or no report at all fail. What follows the
# crash (oops, panic, a log cut short) is not judged.
#
# Each line is read after dropping CRs, terminal escapes and a printk
# timestamp `[    1.234567] `. Timestamped lines come from the kernel; the
# /init document is made of the lines of the same origin as its version line,
# so a KUnit `ok 1 - suite` is never taken for an /init result. `# dmesg: `
# lines are read as kernel lines. The log is read on stdin, so any file name
# works.
#
# Usage: scripts/verdict.sh [--expect-crash] LOG
# Inputs (env): VERDICT_QUIET=1 prints only the verdict lines, not the list
#   of skipped tests before them; AWK (default awk, any POSIX awk);
#   for --expect-crash: EXPECT_TEST (default ownership.bind_into_held_group)
#   and EXPECT_REPORT (a fixed string, default `kernel BUG at
#   drivers/vfio/vfio.c:`; report paths lose a leading `../../linux/`).
# Output (stdout): one `verdict: FAIL: <reason>` line per reason, or the one
#   line `verdict: PASS: N results (P passed, S skipped)`; --expect-crash
#   prints one line, `verdict: PASS: expected crash: ...` or a FAIL.
# Exit: 0 pass, 1 fail, 2 harness error (bad arguments, no readable log).
set -eu

usage() {
	cat <<EOF
usage: ${0##*/} [--expect-crash] LOG
Give the verdict on a guest's raw console log: exit 0 pass, 1 fail,
2 harness error. VERDICT_QUIET=1 prints only the verdict lines.
--expect-crash: pass iff the first kernel report is \$EXPECT_REPORT and
comes while the test \$EXPECT_TEST runs (the unpatched base's full suite).
EOF
}

die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 2; }

case "${1:-}" in -h | --help) usage; exit 0 ;; esac
expect_crash=0
if [ "${1:-}" = --expect-crash ]; then
	expect_crash=1
	shift
fi
if [ "$#" -ne 1 ]; then
	usage >&2
	exit 2
fi
LOG=$1
[ -e "$LOG" ] || die "no such file: $LOG"
[ -f "$LOG" ] || die "not a regular file: $LOG"
[ -r "$LOG" ] || die "cannot read: $LOG"

rc=0
# shellcheck disable=SC2016 # the program is awk, not shell
"${AWK:-awk}" -v quiet="${VERDICT_QUIET:-0}" -v expect_crash="$expect_crash" \
	-v expect_test="${EXPECT_TEST:-ownership.bind_into_held_group}" \
	-v expect_report="${EXPECT_REPORT:-kernel BUG at drivers/vfio/vfio.c:}" '
BEGIN {
	SENTINEL = "# linux-dma-ownership: guest suite done"
	MAXREPORTS = 8
	ktap = 0	# line of the KTAP version line, 0 = not seen
	state = ""	# "plan", "results", "done"
	plan = -1
	count = 0
	passed = 0; skipped = 0
	sentinel = 0	# line of the sentinel
	nr_strong = 0; nr_weak = 0; pending = 0; pending_line = 0
	kopen[0] = kopen[1] = 0
	for (c = 1; c <= 4; c++)
		nr_cat[c] = 0
	nr_nested = 0; nr_skips = 0
	running = ""	# the kselftest test between its RUN and OK / FAIL lines
}

# reason(cat, key, msg): one FAIL line per distinct key. Categories print in
# order: 1 kernel reports, 2 failed tests, 3 KUnit, 4 document structure.
function reason(cat, key, msg) {
	if ((cat SUBSEP key) in seen)
		return
	seen[cat, key] = 1
	n = ++nr_cat[cat]
	cat_msg[cat, n] = msg
}

# strip_ts(): drop a printk timestamp `[    1.234567] ` (and a caller id
# `[    T1]`) from the global `line`; return 1 if there was one.
function strip_ts() {
	if (!match(line, /^\[ *[0-9]+\.[0-9]+\](\[ *[A-Z]?[0-9]+\])?( |$)/))
		return 0
	line = RLENGTH < length(line) ? substr(line, RLENGTH + 1) : ""
	return 1
}

function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

function is_skip(s) {
	return tolower(s) ~ /#[ \t]*skip([^a-z]|$)/
}

# 2: a line that is itself a kernel report; 1: a line that only frames one.
function report_kind(s) {
	if (s ~ /^---\[ end /)
		return 0
	if (s ~ /WARNING: CPU: [0-9]+ PID: [0-9]+/ || s ~ /WARNING: at / ||
	    s ~ /kernel BUG at / || s ~ /(^|[^A-Za-z0-9_])BUG: / ||
	    s ~ /(^|[^A-Za-z])Oops([^A-Za-z]|$)/ || s ~ /Kernel panic/ ||
	    s ~ /general protection fault/ || s ~ /Unable to handle kernel/ ||
	    s ~ /Internal error:/ || s ~ /: [0-9a-f]+ \[#[0-9]+\]/ ||
	    s ~ /possible circular locking/ || s ~ /possible recursive locking/ ||
	    s ~ /inconsistent lock state/ || s ~ /DEBUG_LOCKS_WARN_ON\(/ ||
	    s ~ /possible irq lock inversion/ || s ~ /lock order detected/ ||
	    s ~ /bad unlock balance detected/ || s ~ /held lock freed/ ||
	    s ~ /lock held when returning to user space/ ||
	    s ~ /suspicious RCU usage/ || s ~ /UBSAN:/ ||
	    s ~ /kmemleak: .*suspected memory leak/ ||
	    s ~ /unreferenced object 0x/ ||
	    s ~ /INFO: task .* blocked for more than/ ||
	    s ~ /INFO: .*detected stall/ || s ~ /detected hard LOCKUP/)
		return 2
	if (s ~ /\[ cut here \]/ || s ~ /Call [Tt]race:/)
		return 1
	return 0
}

function scan_report(s, t, k, f) {
	k = report_kind(s)
	if (k == 0) {
		# The first kernel RIP: (x86) or pc : (arm64) after a report
		# says where it happened, unless the report line already does.
		if (pending && (s ~ /^RIP: 0010:/ || s ~ /^pc : /)) {
			f = trim(substr(s, index(s, ":") + 1))
			sub(/^0010:/, "", f)
			if (index(strong[pending], f) == 0)
				where[pending] = f
			pending = 0
		}
		# KASAN and lockdep reports end with a row of =, oopses and
		# WARNs with an end marker: no location after those.
		if (s ~ /^==========/ || s ~ /^---\[ end trace/ ||
		    NR - pending_line > 60)
			pending = 0
		return
	}
	t = trim(s)
	if (k == 2) {
		if (t in strong_seen)
			return
		strong_seen[t] = 1
		strong[++nr_strong] = t
		strong_line[nr_strong] = NR
		strong_test[nr_strong] = running
		if (!pending) {
			pending = nr_strong
			pending_line = NR
		}
	} else {
		if (t in weak_seen)
			return
		weak_seen[t] = 1
		weak[++nr_weak] = t
		weak_line[nr_weak] = NR
	}
}

# KUnit (Linux 5.10): `TAP version 14`, `1..K`, per suite `    # Subtest: s`,
# `    1..C`, `    ok 1 - case`, then `ok 1 - s`. Stream 0 is the console,
# stream 1 the `# dmesg: ` copy; each is checked on its own and the same
# complaint from both prints once.
function kunit_close(s) {
	if (!kopen[s])
		return
	kunit_suite_close(s, 0)
	if (kplan[s] < 0)
		reason(3, "noplan", "KUnit: TAP version 14 without a plan")
	else if (kres[s] != kplan[s])
		reason(3, "plan " kplan[s] " " kres[s], "KUnit: plan 1.." \
		    kplan[s] ", got " kres[s] " suite results (a suite crashed" \
		    " or the log is truncated)")
	kopen[s] = 0
}

function kunit_suite_close(s, finished) {
	if (ksuite[s] == "")
		return
	if (!finished)
		reason(3, "unfinished " ksuite[s], "KUnit: suite " ksuite[s] \
		    " did not finish: no suite result (plan 1.." kcplan[s] \
		    ", got " kcres[s] " case results)")
	else if (kcplan[s] >= 0 && kcres[s] != kcplan[s])
		reason(3, "cases " ksuite[s], "KUnit: suite " ksuite[s] \
		    ": plan 1.." kcplan[s] ", got " kcres[s] " case results")
	ksuite[s] = ""
}

function kunit_line(s, l) {
	if (l ~ /^TAP version 14/) {
		kunit_close(s)
		kopen[s] = 1; kplan[s] = -1; kres[s] = 0; ksuite[s] = ""
		return
	}
	if (!kopen[s])
		return
	if (l ~ /^Run .* as init process/) {
		kunit_close(s)
	} else if (l ~ /^1\.\.[0-9]+/ && kplan[s] < 0 && kres[s] == 0) {
		kplan[s] = substr(l, 4) + 0
	} else if (l ~ /^    # Subtest: /) {
		kunit_suite_close(s, 0)
		ksuite[s] = trim(substr(l, 16)); kcplan[s] = -1; kcres[s] = 0
	} else if (l ~ /^    1\.\.[0-9]+/ && ksuite[s] != "") {
		kcplan[s] = substr(l, 8) + 0
	} else if (l ~ /^    (not )?ok [0-9]+/ && ksuite[s] != "") {
		kcres[s]++
	} else if (l ~ /^(not )?ok [0-9]+/) {
		kres[s]++
		kunit_suite_close(s, 1)
	}
}

function kunit_where(s) {
	if (!kopen[s])
		return "log"
	return ksuite[s] != "" ? "suite " ksuite[s] : "kunit"
}

# Failed nested results. Under /init: remembered with the result they belong
# to; elsewhere (where_ = "log", "kunit" or "suite NAME"): a reason now.
function scan_nested(l, where_, t) {
	if (l !~ /^[ \t#]*not ok [0-9]/ || is_skip(l))
		return
	t = trim(l)
	if (where_ == "init") {
		nested[++nr_nested] = t
		nested_parent[nr_nested] = count + 1
		nested_line[nr_nested] = NR
	} else if (where_ ~ /^suite /) {
		reason(2, "k " t " " where_, "KUnit result failed: " t \
		    " (in " where_ ")")
	} else if (where_ == "kunit") {
		reason(2, "k " t, "KUnit result failed: " t)
	} else {
		reason(2, "l " t, "failed result in the log (line " NR "): " t)
	}
}

function init_result(l, st, rest, num, desc, dir, hash) {
	st = "ok"
	rest = substr(l, 3)
	if (l ~ /^not ok/) {
		st = "not ok"
		rest = substr(l, 7)
	}
	if (sentinel)
		reason(4, "after", "result after the sentinel (line " NR "): " l)
	if (!match(rest, /^ [0-9]+/)) {
		reason(4, "malformed " NR, "malformed result (line " NR "): " l)
		return
	}
	num = substr(rest, 2, RLENGTH - 1) + 0
	desc = substr(rest, RLENGTH + 1)
	dir = ""
	if ((hash = index(desc, "#")) > 0) {
		dir = trim(substr(desc, hash + 1))
		desc = substr(desc, 1, hash - 1)
	}
	desc = trim(desc)
	sub(/^- /, "", desc)
	count++
	if (num != count)
		reason(4, "number " NR, "result " count " is numbered " num \
		    " (line " NR "): " l)
	name[count] = desc
	last = l
	if (is_skip("#" dir)) {
		skipped++
		skips[++nr_skips] = "test " count " " desc ": " dir
	} else if (st == "not ok") {
		reason(2, "t " count, "test " count " " desc " failed" \
		    (dir != "" ? " (" dir ")" : ""))
	} else {
		passed++
	}
}

{
	line = $0
	gsub(/\r/, "", line)
	gsub(/\033\[[0-9;?=]*[A-Za-z]/, "", line)
	gsub(/\033[A-Za-z]/, "", line)
	ts = strip_ts()
	dm = 0
	if (line ~ /^# dmesg:/) {
		sub(/^# dmesg: ?/, "", line)
		strip_ts()
		dm = 1
	}

	scan_report(line)

	if (dm) {
		kunit_line(1, line)
		scan_nested(line, kunit_where(1))
		next
	}
	# The /init document: lines of the origin of its version line.
	mine = ktap && ts == korigin
	if (!mine) {
		kunit_line(0, line)
		scan_nested(line, kunit_where(0))
	}
	if (line ~ /^KTAP version 1[ \t]*$/) {
		if (!ktap) {
			ktap = NR; korigin = ts; state = "plan"
			kunit_close(0)
		} else if (ts == korigin) {
			reason(4, "again", "KTAP version line again at line " \
			    NR " (guest rebooted?)")
			state = "done"
		}
		next
	}
	if (!mine || state == "done")
		next
	# kselftest harness: `#  RUN           f.v.t ...`, then
	# `#            OK  f.v.t` or `#          FAIL  f.v.t`.
	if (line ~ /^[ \t]*#  RUN  +[^ ]+ \.\.\.[ \t]*$/) {
		running = trim(line)
		sub(/^#  RUN  +/, "", running)
		sub(/ \.\.\.$/, "", running)
	} else if (line ~ /^[ \t]*# +(OK|FAIL)  [^ ]+[ \t]*$/ ||
		   line ~ /^(not )?ok( |$)/) {
		running = ""
	}
	if (line ~ /^[ \t]*Bail out!/)
		reason(2, "bail " NR, "bail out (line " NR "): " trim(line))
	if (trim(line) == SENTINEL) {
		if (!sentinel)
			sentinel = NR
		next
	}
	if (state == "plan") {
		if (line ~ /^[ \t]*$/ || line ~ /^#/)
			next
		state = "results"
		if (line ~ /^1\.\.[0-9]+/) {
			plan = substr(line, 4) + 0
			if (plan == 0)
				reason(4, "empty", "empty plan 1..0: no tests ran")
			next
		}
		reason(4, "noplan", "no plan after the KTAP version line (line " \
		    NR " is: " line ")")
	}
	if (line ~ /^(not )?ok( |$)/) {
		init_result(line)
		next
	}
	if (line ~ /^1\.\.[0-9]+/) {
		reason(4, "plan2 " NR, "second plan (line " NR "): " line)
		next
	}
	scan_nested(line, "init")
}

# --expect-crash: the first report must be expect_report, in expect_test.
function crash_verdict(t, w, i) {
	if (nr_strong == 0) {
		w = nr_weak ? " (only \"" weak[1] "\", line " weak_line[1] ")" : ""
		print "verdict: FAIL: no kernel report" w "; expected \"" \
		    expect_report "\" while " expect_test " runs"
		return 1
	}
	t = strong[1]
	gsub(/(\.\.\/)+linux\//, "", t)
	w = strong_test[1] != "" ? "while " strong_test[1] " ran" : \
	    "outside any kselftest test"
	if (index(t, expect_report) == 0) {
		print "verdict: FAIL: the first kernel report (line " \
		    strong_line[1] ", " w ") is not the expected one: " strong[1]
		return 1
	}
	if (strong_test[1] != expect_test) {
		print "verdict: FAIL: the expected crash came " w ", not in " \
		    expect_test " (line " strong_line[1] "): " strong[1]
		return 1
	}
	# The `[ cut here ]` line just before the report belongs to it.
	for (i = 1; i <= nr_weak; i++) {
		if (weak_line[i] < strong_line[1] - 1) {
			print "verdict: FAIL: kernel report before the expected" \
			    " crash (line " weak_line[i] "): " weak[i]
			return 1
		}
	}
	print "verdict: PASS: expected crash: " t " (line " strong_line[1] \
	    ") in " expect_test
	return 0
}

END {
	if (expect_crash)
		exit crash_verdict()
	if (NR == 0)
		reason(4, "empty log", "log is empty")
	kunit_close(0)
	kunit_close(1)

	# 1: kernel reports, the most telling lines first.
	if (nr_strong > 0) {
		for (i = 1; i <= nr_strong && i <= MAXREPORTS; i++) {
			reason(1, "r " i, "kernel report (line " strong_line[i] \
			    "): " strong[i] (i in where ? " (at " where[i] ")" : ""))
		}
		if (nr_strong > MAXREPORTS)
			reason(1, "more", "... and " nr_strong - MAXREPORTS \
			    " more kernel report lines")
	} else {
		for (i = 1; i <= nr_weak && i <= MAXREPORTS; i++)
			reason(1, "w " i, "kernel report (line " weak_line[i] \
			    "): " weak[i])
	}

	# 2: nested failures under /init, named after their result.
	for (i = 1; i <= nr_nested; i++) {
		p = nested_parent[i]
		reason(2, "n " nested[i] " " p, "test " p \
		    (p in name ? " " name[p] : "") ": nested result failed" \
		    " (line " nested_line[i] "): " nested[i])
	}

	# 4: the /init document.
	if (!ktap) {
		if (NR > 0)
			reason(4, "noktap", "no KTAP version 1 line: /init" \
			    " never ran or printed nothing")
	} else {
		if (state == "plan")
			reason(4, "noplan", "no plan after the KTAP version line")
		if (plan > 0 && count < plan)
			reason(4, "count", (sentinel ? "missing results" : \
			    "log truncated") ": plan 1.." plan ", got " count \
			    " results" (count ? " (last: " last ")" : ""))
		if (plan >= 0 && count > plan)
			reason(4, "count", "more results than planned: plan 1.." \
			    plan ", got " count " results")
		if (!sentinel)
			reason(4, "sentinel", "no sentinel line \"" SENTINEL \
			    "\" after the results")
	}

	if (!quiet)
		for (i = 1; i <= nr_skips; i++)
			print "verdict: skipped: " skips[i]
	failed = 0
	for (c = 1; c <= 4; c++) {
		for (i = 1; i <= nr_cat[c]; i++) {
			print "verdict: FAIL: " cat_msg[c, i]
			failed = 1
		}
	}
	if (failed)
		exit 1
	print "verdict: PASS: " count " results (" passed " passed, " \
	    skipped " skipped)"
	exit 0
}
' <"$LOG" || rc=$?

case "$rc" in
0 | 1) exit "$rc" ;;
*) die "${AWK:-awk} failed on $LOG (exit $rc)" ;;
esac
