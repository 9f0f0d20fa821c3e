#!/bin/sh
# scripts/roundtrip.sh - prove patches/ is exactly the work tree's branch.
#
# 1. `git am` every patch of patches/series into a worktree reset to the
#    base and compare the result with the branch (`git diff --exit-code`).
# 2. Regenerate the series from that worktree into a scratch directory and
#    compare byte for byte with patches/ (regeneration is deterministic).
#
# Inputs (env): KSRC (default out/linux).
# Exit: 0 identical, 1 different or a patch does not apply, 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: KSRC=dir)"; exit 2; }
[ -d "$KSRC/.git" ] || die "no work tree at $KSRC: run 'make tree' first"

PATCHES=$TOP/patches
WT=$OUT/roundtrip
SCRATCH=$OUT/roundtrip-patches
git_k() { git -C "$KSRC" "$@"; }
# The worktree stays between runs (out/roundtrip): the next run resets it to
# the base, rewriting only the files the series touched, instead of checking
# out 70000 files again (most of this step's 42 s). Its branch
# roundtrip-check exists only while the step runs.
drop_branch() {
	git -C "$WT" checkout -q --detach 2>/dev/null || true
	git_k branch -q -D roundtrip-check 2>/dev/null || true
}
trap drop_branch EXIT
common=$(git_k rev-parse --path-format=absolute --git-common-dir)
if [ -e "$WT/.git" ] &&
	[ "$(git -C "$WT" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)" = "$common" ]; then
	git -C "$WT" am --abort 2>/dev/null || true
	drop_branch
	git -C "$WT" checkout -q -f --detach "$BASE_TAG" || die "cannot reset $WT to $BASE_TAG"
	git -C "$WT" clean -q -f -d -x || die "cannot clean $WT"
else
	# Missing, or a worktree of another clone's tree.
	rm -rf "$WT"
	git_k worktree prune
	drop_branch
	git_k worktree add -q --detach "$WT" "$BASE_TAG"
fi
git -C "$WT" checkout -q -b roundtrip-check
n=0
for p in $(series_files); do
	n=$((n + 1))
	if ! git -C "$WT" am -q --keep-cr "$PATCHES/$p"; then
		echo "roundtrip: FAIL: patch $n ($p) does not apply with git am"
		exit 1
	fi
done
if ! git -C "$WT" diff --stat --exit-code HEAD "$(git_k rev-parse HEAD)"; then
	echo "roundtrip: FAIL: patches/ applied on $BASE_TAG differs from the branch (run 'make export')"
	exit 1
fi
stray=
for f in "$PATCHES"/*.patch; do
	[ -e "$f" ] || continue
	f=${f##*/}
	[ "$f" = 0000-cover-letter.patch ] || grep -qxF "$f" "$PATCHES/series" || stray="$stray $f"
done
if [ -n "$stray" ]; then
	echo "roundtrip: FAIL: patch files not in patches/series: $stray"
	exit 1
fi
# Regenerate from the applied tree with the same description and compare.
desc=$(git_k config "branch.$(git_k symbolic-ref --short HEAD).description" || true)
[ -z "$desc" ] || git -C "$WT" config branch.roundtrip-check.description "$desc"
rm -rf "$SCRATCH"
mkdir -p "$SCRATCH"
KSRC=$WT PATCHES=$SCRATCH ROUNDTRIP=0 "$TOP/scripts/export.sh" >/dev/null
if ! diff -r "$PATCHES" "$SCRATCH"; then
	echo "roundtrip: FAIL: regenerating the series does not give byte-identical files"
	exit 1
fi
rm -rf "$SCRATCH"
echo "roundtrip: ok: $n patches apply with git am on $BASE_TAG, equal the branch, and regenerate byte for byte"
