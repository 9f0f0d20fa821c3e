#!/bin/sh
# scripts/checkpatch.sh - checkpatch --strict on every patch of patches/series.
#
# Uses the work tree's scripts/checkpatch.pl. A patch passes with 0 errors,
# 0 warnings and 0 checks, except the message types listed for it in
# checkpatch.exceptions (with their reasons). A clean patch is remembered
# (out/checkpatch-ok/<key>): the key hashes the patch, its exceptions and
# what checkpatch reads besides (checkpatch.pl, its data files, spdxcheck.py,
# the tree's LICENSES, the base commit, perl, python and this script), and a
# later run skips a patch with the same key.
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

CACHE=$OUT/checkpatch-ok
mkdir -p "$CACHE"
tool=$({
	cat "$TOP/scripts/checkpatch.sh" "$CP" "$KSRC/scripts/spdxcheck.py" \
		"$KSRC/scripts/spelling.txt" "$KSRC/scripts/const_structs.checkpatch"
	git -C "$KSRC" rev-parse "$BASE_TAG^{commit}"
	git -C "$KSRC" ls-tree -r HEAD LICENSES
	perl -e 'print "$^V\n"'
	/usr/bin/python3 --version
} | git hash-object --stdin) || die "cannot read checkpatch.pl and its files in $KSRC"

fail=0 n=0 kept=0
for p in $(series_files); do
	n=$((n + 1))
	ignore=$(awk -v p="$p" '$1 == p { printf "%s%s", sep, $2; sep = "," }' \
		"$TOP/checkpatch.exceptions")
	k=$({ echo "$tool $ignore"; cat "$TOP/patches/$p"; } | git hash-object --stdin)
	if [ -f "$CACHE/$k" ]; then
		echo "ok $n $p (clean in an earlier run: same patch, exceptions and checkpatch)"
		kept=$((kept + 1))
		continue
	fi
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
		: >"$CACHE/$k"
	else
		echo "not ok $n $p"
		printf '%s\n' "$out" | sed 's/^/    /'
		fail=1
	fi
done
echo "checkpatch: $n patches, $([ "$fail" = 0 ] && echo clean || echo FINDINGS) ($kept clean in an earlier run)"
exit "$fail"
