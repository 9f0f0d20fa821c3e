#!/bin/sh
# scripts/base-tree.sh - print the path of a worktree of the unpatched base.
#
# A git worktree of $KSRC at the base tag, at out/base/linux, made on first use and
# reset to the tag if it moved. Used by BASE=1 builds: the same tests, on the
# kernel without the series.
# Exit: 0 (path on stdout), 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
BASE_SRC=$OUT/base/linux
git -C "$KSRC" rev-parse -q --verify "$BASE_TAG^{commit}" >/dev/null ||
	die "no $BASE_TAG in $KSRC: run 'make tree' first"
if [ ! -d "$BASE_SRC/.git" ] && [ ! -f "$BASE_SRC/.git" ]; then
	git -C "$KSRC" worktree add -q --detach "$BASE_SRC" "$BASE_TAG" >&2
elif [ "$(git -C "$BASE_SRC" rev-parse HEAD)" != "$(git -C "$KSRC" rev-parse "$BASE_TAG^{commit}")" ]; then
	git -C "$BASE_SRC" checkout -q --detach "$BASE_TAG" >&2
fi
echo "$BASE_SRC"
