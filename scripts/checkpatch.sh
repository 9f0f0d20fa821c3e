#!/bin/sh
# scripts/checkpatch.sh - checkpatch --strict on every patch of patches/series.
#
# Uses the work tree's scripts/checkpatch.pl. A patch passes with 0 errors,
# 0 warnings and 0 checks, except the message types listed for it in
# checkpatch.exceptions (with their reasons).
#
# Inputs (env): KSRC (default out/linux).
# Exit: 0 clean, 1 a patch has findings, 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: KSRC=dir)"; exit 2; }
CP=$KSRC/scripts/checkpatch.pl
[ -f "$CP" ] || die "no $CP: run 'make tree' first"
need_deps

fail=0 n=0
for p in $(series_files); do
	n=$((n + 1))
	ignore=$(awk -v p="$p" '$1 == p { printf "%s%s", sep, $2; sep = "," }' \
		"$TOP/checkpatch.exceptions")
	if out=$(cd "$KSRC" && perl "$CP" --strict --show-types --terse \
		${ignore:+--ignore "$ignore"} "$TOP/patches/$p" 2>&1); then
		echo "ok $n $p"
	else
		echo "not ok $n $p"
		printf '%s\n' "$out" | sed 's/^/    /'
		fail=1
	fi
done
echo "checkpatch: $n patches, $([ "$fail" = 0 ] && echo clean || echo FINDINGS)"
exit "$fail"
