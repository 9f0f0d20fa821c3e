#!/bin/sh
# scripts/mutants.sh - show that the guest tests can fail: boot the x86_64
# guest once per deliberate mutation of the series and check that the tests
# meant to catch it fail.
#
# Each mutants/<name>.patch is a diff against the tree with the series
# (out/linux at its HEAD, clean) whose header, before the diff, says what it
# breaks and has one line
#   Expect-fail: <test> <test> ...
# naming nested KTAP results (e.g. ownership.set_container_race), and may
# have one line `Iommu: amd` (scripts/guest.sh's IOMMU, default intel) for
# a mutation only an AMD IOMMU shows. For each mutant: apply it to
# out/linux, build the x86_64 guest kernel and initramfs, boot the whole
# suite under that IOMMU (log out/logs/mutant-<name>.log), take
# the mutant out again. A mutant is caught if every test it names failed
# (or never ran because the kernel died in it); other tests that failed
# are listed as knock-on failures. The kernel is left built from the
# mutated tree: the next guest build rebuilds it (incrementally).
#
# Inputs (env): MUTANTS (names, default all in mutants/), KSRC, JUDGE=1
#   (judge the logs an earlier run left, build and boot nothing),
#   APPLY_CHECK=1 (only check that each mutant still applies to the series
#   as it is, with git apply --check; make check's step mutants-apply, so
#   that a change to the series that moves a mutant's context is seen at
#   once, not at the next mutant run).
# Exit: 0 every mutant caught (APPLY_CHECK=1: every mutant applies), 1 a
#   mutant escaped (does not apply), 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: MUTANTS='name ...')"; exit 2; }
JUDGE=${JUDGE:-0}
[ -e "$KSRC/.git" ] || die "no kernel tree at $KSRC: run 'make tree' first"
[ "$JUDGE" = 1 ] || [ -z "$(git -C "$KSRC" status --porcelain --untracked-files=no)" ] ||
	die "$KSRC has uncommitted changes: a mutant must apply to the series as it is"
MUTANTS=${MUTANTS:-$(for f in "$TOP"/mutants/*.patch; do basename "$f" .patch; done)}
for m in $MUTANTS; do
	[ -f "$TOP/mutants/$m.patch" ] || die "no mutants/$m.patch"
	grep -q '^Expect-fail: .' "$TOP/mutants/$m.patch" || die "mutants/$m.patch has no 'Expect-fail:' line"
done

if [ "${APPLY_CHECK:-0}" = 1 ]; then
	bad=0
	for m in $MUTANTS; do
		if err=$(git -C "$KSRC" apply --check "$TOP/mutants/$m.patch" 2>&1); then
			echo "ok mutant $m applies"
		else
			echo "not ok mutant $m does not apply to the series (regenerate it: see README):"
			printf '%s\n' "$err" | head -5 | sed 's/^/    /'
			bad=$((bad + 1))
		fi
	done
	echo "mutants-apply: $(echo "$MUTANTS" | wc -w) mutants, $bad do not apply"
	[ "$bad" = 0 ] || exit 1
	exit 0
fi

# in_list WORD LIST: whether WORD is one of the words of LIST.
in_list() {
	# shellcheck disable=SC2086 # split into its words (test names)
	printf '%s\n' $2 | grep -qxF -- "$1"
}

applied=
cleanup() { [ -z "$applied" ] || git -C "$KSRC" apply -R "$applied" || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

escaped=0 n=0 total=$(echo "$MUTANTS" | wc -w)
for m in $MUTANTS; do
	n=$((n + 1))
	patch=$TOP/mutants/$m.patch
	log=$OUT/logs/mutant-$m.log
	expect=$(sed -n 's/^Expect-fail: //p' "$patch")
	iommu=$(sed -n 's/^Iommu: //p' "$patch")
	say "[$n/$total] $m: $(sed -n 1p "$patch")${iommu:+ (IOMMU=$iommu)}"
	if [ "$JUDGE" = 1 ]; then
		[ -f "$log" ] || die "JUDGE=1: no ${log#"$TOP"/} to judge"
	else
		git -C "$KSRC" apply "$patch" || die "mutants/$m.patch does not apply to $KSRC"
		applied=$patch
		rc=0
		ARCH=x86_64 IOMMU=${iommu:-intel} VERDICT=0 LOG="$log" TIMEOUT=1800 \
			EXTRA_CMDLINE=$SHORT_STRESS "$TOP/scripts/guest.sh" >"$OUT/logs/mutant-$m.out" 2>&1 || rc=$?
		git -C "$KSRC" apply -R "$patch"
		applied=
		[ "$rc" = 0 ] || { tail -20 "$OUT/logs/mutant-$m.out"; die "$m: the guest did not build or boot (exit $rc)"; }
	fi
	# Nested results that failed, and the test the kernel died in (a RUN
	# line without a result when the log ends without the sentinel).
	# The console ends its lines with CR LF.
	tr -d '\r' <"$log" >"$log.txt"
	failed=$(sed -n 's/^    not ok [0-9]* \([^ #]*\).*/\1/p' "$log.txt" | sort -u)
	if ! grep -q '^# linux-dma-ownership: guest suite done' "$log.txt"; then
		died=$(sed -n 's/^    #  RUN  *\([^ ]*\) \.\.\..*/\1/p' "$log.txt" | tail -1)
		failed="$failed $died"
	fi
	missed=
	for t in $expect; do
		in_list "$t" "$failed" || missed="$missed $t"
	done
	others=
	for t in $failed; do
		in_list "$t" "$expect" || others="$others $t"
	done
	if [ -n "$missed" ]; then
		escaped=$((escaped + 1))
		say "[$n/$total] $m: ESCAPED: passed:$missed (log ${log#"$TOP"/})"
	else
		say "[$n/$total] $m: caught: $(echo "$expect" | wc -w) tests failed as expected${others:+; knock-on failures:$others}"
	fi
done
[ "$escaped" = 0 ] || { say "$escaped of $total mutants escaped"; exit 1; }
say "ok: $total of $total mutants caught"
