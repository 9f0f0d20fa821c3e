#!/bin/sh
# scripts/export.sh - regenerate patches/ from the work tree's branch.
#
# Refuses a dirty tree or a branch not based on the pinned base. Removes the
# old patch files, runs `git format-patch` with fixed flags (stable contents:
# --zero-commit, --no-signature, abbrev 12, myers diff, cover letter from the
# branch description, Date of the cover letter = the newest commit's author
# date) and rewrites patches/series. Then proves the round trip
# (scripts/roundtrip.sh). An empty series exports to an empty `series`.
#
# Recipients: the tree's scripts/get_maintainer.pl over the series diff
# (base..HEAD), offline and without git history (--no-git --no-git-fallback
# --no-rolestats, no ~/.get_maintainer.conf): maintainers and reviewers go
# to To:, mailing lists to Cc:, on every patch and the cover letter, so
# `git send-email patches/*.patch` reaches the same people for each mail.
# Not stable@vger.kernel.org: the patches are rewrites for 5.10, not
# backports of upstream commits as stable-kernel-rules asks; whoever posts
# them adds it if that is the aim.
#
# Inputs (env): KSRC (default out/linux), PATCHES (output directory, default
#   patches/), ROUNDTRIP=0 (skip the round-trip proof; roundtrip.sh uses it).
# Exit: 0 exported and round trip good, 1 round trip failed, 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"

PATCHES=${PATCHES:-$TOP/patches}
[ $# -eq 0 ] || { echo "usage: $0    (env: KSRC=dir)"; exit 2; }
git -C "$KSRC" rev-parse --git-dir >/dev/null 2>&1 || die "no work tree at $KSRC: run 'make tree' first"
git_k() { git -C "$KSRC" "$@"; }

git_k rev-parse -q --verify "$BASE_TAG^{commit}" >/dev/null || die "$KSRC has no $BASE_TAG tag"
[ -z "$(git_k status --porcelain --untracked-files=no)" ] ||
	die "$KSRC has uncommitted changes: commit them first"
git_k merge-base --is-ancestor "$BASE_TAG" HEAD ||
	die "HEAD of $KSRC is not based on $BASE_TAG"
branch=$(git_k symbolic-ref -q --short HEAD) || die "$KSRC: HEAD is detached; check out the series branch"

n=$(git_k rev-list --count "$BASE_TAG..HEAD")
find "$PATCHES" -maxdepth 1 -name '*.patch' -delete
: >"$PATCHES/series"
if [ "$n" -gt 0 ]; then
	desc=$(git_k config "branch.$branch.description" || true)
	[ -n "$desc" ] || die "branch $branch has no description (the cover letter): git -C $KSRC branch --edit-description"
	# The cover letter takes its Date from the committer ident: pin it.
	date=$(git_k log -1 --format=%aD HEAD)
	# To: maintainers and reviewers, Cc: lists (see the header).
	sdiff=$(mktemp)
	git_k -c diff.noprefix=false diff --no-ext-diff --no-color \
		--src-prefix=a/ --dst-prefix=b/ "$BASE_TAG" HEAD >"$sdiff" ||
		{ rm -f "$sdiff"; die "git diff $BASE_TAG HEAD failed in $KSRC"; }
	getm() {
		(cd "$KSRC" && HOME=/nonexistent perl scripts/get_maintainer.pl \
			--no-git --no-git-fallback --no-rolestats "$@" "$sdiff") ||
			die "scripts/get_maintainer.pl failed in $KSRC"
	}
	if ! to=$(getm --no-l) || ! cc=$(getm --no-m --no-r); then
		rm -f "$sdiff"
		exit 2
	fi
	rm -f "$sdiff"
	[ -n "$to" ] || die "get_maintainer.pl found no maintainer for the series"
	set --
	while IFS= read -r a; do [ -z "$a" ] || set -- "$@" "--to=$a"; done <<-EOF
	$to
	EOF
	while IFS= read -r a; do [ -z "$a" ] || set -- "$@" "--cc=$a"; done <<-EOF
	$cc
	EOF
	GIT_COMMITTER_DATE=$date git_k \
		-c core.abbrev=12 -c diff.algorithm=myers -c diff.renames=true \
		-c diff.noprefix=false -c diff.mnemonicPrefix=false -c format.numbered=auto \
		-c format.thread=false \
		format-patch -q --no-to --no-cc --no-add-header "$@" \
		--cover-letter --cover-from-description=subject \
		--zero-commit --no-signature --abbrev=12 --base="$BASE_TAG" \
		--subject-prefix='PATCH 5.10 v2' -o "$PATCHES" "$BASE_TAG..HEAD"
	for f in "$PATCHES"/[0-9]*.patch; do
		[ "${f##*/}" = 0000-cover-letter.patch ] || echo "${f##*/}"
	done >"$PATCHES/series"
fi
say "exported $n patches to patches/ (series: $(wc -l <"$PATCHES/series") lines)"
[ "${ROUNDTRIP:-1}" = 0 ] || exec "$TOP/scripts/roundtrip.sh"
