#!/bin/sh
# scripts/warm-edit.sh - the change of one patch that the README's warm
# re-runs of make check are measured after ("Time").
#
# Amends patch 19 ("vfio: Remove iommu group notifier") in $KSRC: the comment
# it rewrites in vfio_unregister_group_dev() (drivers/vfio/vfio.c) gets one
# more empty line (" *") at its end, each run one more. Every later line of
# vfio.c moves to a place it never was, so the preprocessed source is new
# and its objects compile again in every build that has them (ccache
# misses), as after a change to the code; every tree of the series from
# patch 19 on is new, so no record holds it. (A word changed inside a
# comment leaves the preprocessed source, and so ccache's entry, as it
# was; going back and forth between two texts makes trees that a record
# or ccache already holds.) Patch 20 is picked again on top; then the
# series is exported (scripts/export.sh, with its round trip), which
# leaves patches/ modified in this clone: use a clone made for measuring
# (`git checkout patches && make tree FORCE=1` undoes it).
#
# Usage: scripts/warm-edit.sh && make check
# Inputs (env): KSRC (default out/linux).
# Exit: 0 patch 19 changed and exported, 1 the export's round trip failed,
#   2 error (no tree, the tree has uncommitted changes, patch 19 or its
#   comment not found, git failed; the branch is then as it was).
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: KSRC)"; exit 2; }
git -C "$KSRC" rev-parse -q --verify "$BASE_TAG^{commit}" >/dev/null ||
	die "no $BASE_TAG in $KSRC: run 'make tree' first"
[ -z "$(git -C "$KSRC" status --porcelain --untracked-files=no)" ] ||
	die "$KSRC has uncommitted changes"
branch=$(git -C "$KSRC" symbolic-ref -q --short HEAD) ||
	die "$KSRC: HEAD is detached; check out the series branch"

SUBJECT='vfio: Remove iommu group notifier'
FILE=drivers/vfio/vfio.c
tip=$(git -C "$KSRC" rev-parse HEAD)
c=$(git -C "$KSRC" log --format='%H %s' "$BASE_TAG..HEAD" |
	awk -v s="$SUBJECT" 'substr($0, 42) == s { print $1 }')
case "$c" in
'' | *"
"*) die "no single commit '$SUBJECT' in $KSRC" ;;
esac

# Any failure from here on puts the branch back as it was.
restore() {
	git -C "$KSRC" cherry-pick --abort >/dev/null 2>&1 || true
	git -C "$KSRC" checkout -q -f "$branch" || true
}
trap 'restore; exit 2' INT TERM
tab=$(printf '\t')
ANCHOR="$tab * that may attempt to immediately bind this device to another driver."
git -C "$KSRC" checkout -q --detach "$c"
f=$KSRC/$FILE
grep -qxF "$ANCHOR" "$f" ||
	{ restore; die "patch 19's comment in $FILE not found (was the patch rewritten?)"; }
if ! awk -v anchor="$ANCHOR" -v add="$tab *" '{ print } $0 == anchor { print add }' "$f" >"$f.new" ||
	! mv "$f.new" "$f"; then
	restore
	die "cannot edit $f"
fi
# The harness's identity, no hooks: as tree.sh commits the series.
gitc() { git -C "$KSRC" -c user.name="$SERIES_NAME" -c user.email="$SERIES_EMAIL" "$@"; }
gitc commit -q -a --amend --no-edit --no-verify ||
	{ restore; die "cannot amend patch 19 in $KSRC"; }
if [ "$c" != "$tip" ]; then
	gitc cherry-pick "$c..$tip" >/dev/null ||
		{ restore; die "cannot pick the patches after patch 19 again in $KSRC"; }
fi
git -C "$KSRC" branch -q -f "$branch" HEAD
git -C "$KSRC" checkout -q "$branch"
n=$(awk -v add="$tab *" -v anchor="$ANCHOR" '$0 == anchor { on = 1; next } on && $0 == add { n++; next } { on = 0 } END { print n + 0 }' "$KSRC/$FILE")
say "patch 19: $FILE, the comment in vfio_unregister_group_dev() ends in $n empty line(s) now"
"$TOP/scripts/export.sh"
