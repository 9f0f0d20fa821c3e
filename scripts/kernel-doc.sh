#!/bin/sh
# scripts/kernel-doc.sh - no new kernel-doc warnings in the files the series
# touches, and kernel-doc for every symbol it newly exports.
#
# 1. For every .c and .h file of `git diff --name-only base..HEAD`, runs the
#    tree's scripts/kernel-doc -none on the file as committed at the base
#    and at HEAD (blobs from git, never the work tree's files, which may
#    carry uncommitted edits). A warning of HEAD is new unless the base has
#    it too in the same file (compared without line numbers, as many times
#    as the base has it). New warnings are printed with their line numbers.
# 2. kernel-doc 5.10 says nothing about an exported function without a
#    kernel-doc comment, so every symbol the series adds an EXPORT_SYMBOL*()
#    for must be documented in one of those files (kernel-doc -rst -export
#    lists it as a c:function).
#
# Inputs (env): KSRC (default out/linux).
# Exit: 0 no new warning and every new export documented, 1 otherwise,
#   2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: KSRC=dir)"; exit 2; }
git -C "$KSRC" rev-parse --git-dir >/dev/null 2>&1 || die "no work tree at $KSRC: run 'make tree' first"
need_deps
git_k() { git -C "$KSRC" "$@"; }
git_k rev-parse -q --verify "$BASE_TAG^{commit}" >/dev/null || die "$KSRC has no $BASE_TAG tag"
# kernel-doc turns warnings into errors with these; the comparison needs them.
unset KDOC_WERROR KCFLAGS

D=$OUT/kernel-doc
rm -rf "$D"
mkdir -p "$D/base" "$D/series"
git_k diff --name-only --no-renames "$BASE_TAG" HEAD -- '*.c' '*.h' >"$D/files"
if [ ! -s "$D/files" ]; then
	echo "kernel-doc: ok: the series touches no .c or .h file"
	exit 0
fi
git_k cat-file blob "HEAD:scripts/kernel-doc" >"$D/kernel-doc" ||
	die "$KSRC: HEAD has no scripts/kernel-doc"

# extract REV DIR: the touched files that exist at REV, into DIR; their
# names into DIR.files.
extract() {
	while IFS= read -r f; do
		git_k cat-file -e "$1:$f" 2>/dev/null || continue
		mkdir -p "$2/$(dirname -- "$f")"
		git_k cat-file blob "$1:$f" >"$2/$f"
		echo "$f"
	done <"$D/files" >"$2.files"
}
extract "$BASE_TAG" "$D/base"
extract HEAD "$D/series"

# kdoc DIR OUT ERR ARGS...: the tree's kernel-doc on DIR's files, run in DIR
# so the messages name the files as in the tree; stdout to OUT, stderr (the
# warnings) to ERR.
kdoc() {
	_dir=$1 _out=$2 _err=$3; shift 3
	: >"$_out"; : >"$_err"
	[ -s "$_dir.files" ] || return 0
	_rc=0
	# shellcheck disable=SC2046 # one file name per line, no blanks in the kernel's paths
	(cd "$_dir" && perl "$D/kernel-doc" "$@" $(cat "$_dir.files")) >"$_out" 2>"$_err" ||
		_rc=$?
	# -rst exits with its error count: errors are for the -none pass to
	# report (exit 1); only a kernel-doc that did not run is an error here.
	if [ "$_rc" != 0 ] && { [ "$1" != -rst ] || [ "$_rc" -ge 126 ]; }; then
		die "kernel-doc $* failed in $_dir (exit $_rc): $(tail -n 3 "$_err")"
	fi
}
echo "--- kernel-doc -none on $(wc -l <"$D/files") files, $BASE_TAG and HEAD"
kdoc "$D/base" /dev/null "$D/base.warnings" -none
kdoc "$D/series" /dev/null "$D/series.warnings" -none
echo "$BASE_TAG: $(wc -l <"$D/base.warnings") warnings, HEAD: $(wc -l <"$D/series.warnings")"
# The warnings of HEAD that the base does not have, file:line kept.
awk '{ k = $0; sub(/^[^:]*:[0-9]+: /, "", k); f = $0; sub(/:.*/, "", f); k = f ": " k }
	FNR == NR { base[k]++; next }
	base[k] > 0 { base[k]--; next }
	{ print }' "$D/base.warnings" "$D/series.warnings" >"$D/new.warnings"
fail=0
if [ -s "$D/new.warnings" ]; then
	echo "new kernel-doc warnings ($(wc -l <"$D/new.warnings")):"
	sed 's/^/    /' "$D/new.warnings"
	fail=1
fi

# Symbols the series exports that the base did not, and whether the HEAD
# files document them.
git_k diff --no-ext-diff "$BASE_TAG" HEAD -- '*.c' '*.h' >"$D/series.diff"
exports() { sed -n "s/^$1[[:space:]]*EXPORT_SYMBOL[A-Z_]*([[:space:]]*\([A-Za-z0-9_]*\).*/\1/p" "$D/series.diff" | sort -u; }
exports '+' >"$D/added.exports"
exports '-' >"$D/removed.exports"
comm -23 "$D/added.exports" "$D/removed.exports" >"$D/new.exports"
kdoc "$D/series" "$D/series.rst" /dev/null -rst -export
sed -n 's/^\.\. c:function:: [^(]*[ *]\([A-Za-z_][A-Za-z0-9_]*\) *(.*/\1/p' "$D/series.rst" | sort -u >"$D/documented"
comm -23 "$D/new.exports" "$D/documented" >"$D/undocumented"
echo "new exports: $(wc -l <"$D/new.exports"), without kernel-doc: $(wc -l <"$D/undocumented")"
if [ -s "$D/undocumented" ]; then
	echo "exported by the series without a kernel-doc comment:"
	sed 's/^/    /' "$D/undocumented"
	fail=1
fi
if [ "$fail" = 0 ]; then
	echo "kernel-doc: ok: no new warning in $(wc -l <"$D/files") files, every new export documented"
else
	echo "kernel-doc: FAIL"
fi
exit "$fail"
