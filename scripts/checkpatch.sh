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
	# Debian's python3 first: checkpatch runs scripts/spdxcheck.py with
	# python3, which needs python3-ply and python3-git (deps.list); another
	# python3 earlier in PATH (pyenv) lacks them, and spdxcheck's traceback
	# then skips the SPDX check without failing anything.
	rc=0
	out=$(cd "$KSRC" && PATH="/usr/bin:/bin:$PATH" perl "$CP" --strict --show-types \
		--terse ${ignore:+--ignore "$ignore"} "$TOP/patches/$p" 2>&1) || rc=$?
	case "$out" in
	*Traceback*)
		printf '%s\n' "$out" | sed 's/^/    /'
		die "$p: a helper of checkpatch.pl failed (above): its check did not run"
		;;
	esac
	if [ "$rc" = 0 ]; then
		echo "ok $n $p"
	else
		echo "not ok $n $p"
		printf '%s\n' "$out" | sed 's/^/    /'
		fail=1
	fi
done
echo "checkpatch: $n patches, $([ "$fail" = 0 ] && echo clean || echo FINDINGS)"
exit "$fail"
