#!/bin/sh
# scripts/tree.sh - make $KSRC the kernel work tree: the pinned base plus the series.
#
# 1. Get the base tarball: $KERNEL_TARBALL if given, else out/dl/ via
#    `apt-get source --download-only linux=<deb version>` (adds a
#    bullseye-security deb-src entry if the host has none).
# 2. Verify its sha256 against base.mk.
# 3. Unpack it into $KSRC and commit it once, with fixed identity and dates, as
#    "Linux <version>" tagged v<version>; check the id against base.mk.
# 4. `git am` every patch of patches/series onto branch dma-ownership, stopping
#    loudly on the first that does not apply. The cover letter's text becomes
#    the branch description (what `make export` turns back into it).
#
# Re-running reuses what is there. A tree whose branch already carries exactly
# the series is left alone; one whose commits differ is refused unless
# FORCE=1 (which resets the branch to patches/).
#
# Inputs (env): KSRC (default out/linux), KERNEL_TARBALL, FORCE.
# Exit: 0 ok, 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"

BRANCH=dma-ownership
PATCHES=$TOP/patches
DL=$OUT/dl
FORCE=${FORCE:-0}

usage() {
	echo "usage: $0    (env: KSRC=dir KERNEL_TARBALL=file FORCE=1)"
	exit 2
}
[ $# -eq 0 ] || usage

need_deps

git_k() { git -C "$KSRC" "$@"; }

# Does apt know the pinned source package version?
src_known() {
	apt-cache showsrc "$BASE_DEB_PKG" 2>/dev/null | grep -qx "Version: $BASE_DEB_VER"
}

fetch_tarball() {
	if [ -n "${KERNEL_TARBALL:-}" ]; then
		[ -f "$KERNEL_TARBALL" ] || die "KERNEL_TARBALL=$KERNEL_TARBALL: no such file"
		TARBALL=$KERNEL_TARBALL
		return
	fi
	TARBALL=$DL/$BASE_TARBALL
	[ -f "$TARBALL" ] && return
	if ! src_known; then
		[ "$(id -u)" = 0 ] || die "apt knows no source $BASE_DEB_PKG=$BASE_DEB_VER: as root, add a deb-src entry for $BASE_DEB_SUITE (see README), or pass KERNEL_TARBALL="
		need_deps_sources
		if ! src_known; then
			say "apt-get update"
			apt-get update -qq >/dev/null || die "apt-get update failed"
		fi
		src_known || die "apt still knows no source $BASE_DEB_PKG=$BASE_DEB_VER after adding $BASE_DEB_SUITE"
	fi
	mkdir -p "$DL"
	say "apt-get source --download-only $BASE_DEB_PKG=$BASE_DEB_VER (about 20 s here)"
	# As root, apt's _apt user cannot write into out/dl: download as root
	# (without this, apt says so in a warning line).
	(cd "$DL" && apt-get source -qq --download-only -o APT::Sandbox::User=root \
		"$BASE_DEB_PKG=$BASE_DEB_VER") ||
		die "apt-get source failed (is $BASE_DEB_SUITE in a deb-src entry?)"
	[ -f "$TARBALL" ] || die "apt-get source did not produce $TARBALL"
}

make_base() {
	fetch_tarball
	say "verifying sha256 of $TARBALL"
	sum=$(sha256sum "$TARBALL" | cut -d' ' -f1)
	[ "$sum" = "$BASE_SHA256" ] ||
		die "$TARBALL: sha256 $sum, expected $BASE_SHA256 (base.mk)"
	tmp=$KSRC.unpack.$$
	rm -rf "$tmp"
	mkdir -p "$tmp"
	say "unpacking into $KSRC"
	tar -xJf "$TARBALL" -C "$tmp" --strip-components=1
	rm -rf "$KSRC"
	mv "$tmp" "$KSRC"
	git_k init -q -b "$BRANCH"
	git_k config core.autocrlf false
	git_k config core.fileMode true
	git_k config gc.auto 0
	git_k config user.name "$SERIES_NAME"
	git_k config user.email "$SERIES_EMAIL"
	say "committing the base (fixed identity and dates)"
	git_k add -A -f .
	GIT_AUTHOR_NAME='Greg Kroah-Hartman' GIT_AUTHOR_EMAIL='gregkh@linuxfoundation.org' \
	GIT_COMMITTER_NAME='Greg Kroah-Hartman' GIT_COMMITTER_EMAIL='gregkh@linuxfoundation.org' \
	GIT_AUTHOR_DATE="$BASE_DATE" GIT_COMMITTER_DATE="$BASE_DATE" \
		git_k commit -q --no-verify -m "Linux $BASE_VERSION"
	git_k tag "$BASE_TAG"
}

check_base_id() {
	id=$(git_k rev-parse "$BASE_TAG^{commit}")
	if [ "$BASE_COMMIT" != unknown ] && [ "$id" != "$BASE_COMMIT" ]; then
		die "base commit is $id, base.mk pins $BASE_COMMIT: the tree at $KSRC is not the pinned base"
	fi
	say "base $BASE_TAG = $id"
}

# The stable patch-ids of a list of patches, or of the branch's commits.
ids_of_patches() {
	for p in $(series_files); do cat "$PATCHES/$p"; done |
		git_k patch-id --stable | cut -d' ' -f1
}
ids_of_branch() {
	for c in $(git_k rev-list --reverse "$BASE_TAG..HEAD"); do
		git_k show --format= "$c" | git_k patch-id --stable | cut -d' ' -f1
	done
}

apply_series() {
	n=0
	for p in $(series_files); do
		[ -f "$PATCHES/$p" ] || die "patches/series names $p, which does not exist"
		n=$((n + 1))
		if ! git_k am -q --keep-cr "$PATCHES/$p"; then
			git_k am --abort || true
			die "patch $n ($p) does not apply on $BASE_TAG; the tree is left at the last good patch"
		fi
	done
	say "git am: applied $n patches of patches/series on $BASE_TAG"
}

set_description() {
	cover=$PATCHES/0000-cover-letter.patch
	[ -f "$cover" ] || return 0
	tmpd=$(mktemp -d)
	git mailinfo "$tmpd/msg" "$tmpd/patch" <"$cover" >"$tmpd/info"
	subject=$(sed -n 's/^Subject: //p' "$tmpd/info")
	{
		printf '%s\n\n' "$subject"
		# The body ends where format-patch's shortlog begins.
		sed "/^$SERIES_NAME ([0-9]*):\$/,\$d" "$tmpd/msg"
	} | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$tmpd/desc"
	git_k config "branch.$BRANCH.description" "$(cat "$tmpd/desc")"
	rm -rf "$tmpd"
}

if [ -d "$KSRC/.git" ] && git_k rev-parse -q --verify "$BASE_TAG^{commit}" >/dev/null; then
	say "reusing $KSRC"
	check_base_id
	[ -z "$(git_k status --porcelain --untracked-files=no)" ] ||
		die "$KSRC has uncommitted changes; commit or stash them first"
	if [ "$(git_k rev-parse HEAD)" = "$(git_k rev-parse "$BASE_TAG^{commit}")" ]; then
		apply_series
		set_description
	elif [ "$(ids_of_branch)" = "$(ids_of_patches)" ]; then
		say "branch $(git_k symbolic-ref --short HEAD) already carries patches/ ($(git_k rev-list --count "$BASE_TAG..HEAD") commits)"
	elif [ "$FORCE" = 1 ]; then
		say "FORCE=1: resetting $BRANCH to $BASE_TAG and re-applying patches/"
		git_k checkout -q -B "$BRANCH" "$BASE_TAG"
		apply_series
		set_description
	else
		die "$KSRC has commits that differ from patches/: run 'make export' to keep them, or 'make tree FORCE=1' to reset the tree to patches/"
	fi
else
	[ ! -e "$KSRC" ] || [ -z "$(ls -A "$KSRC")" ] || [ -d "$KSRC/.git" ] ||
		die "KSRC=$KSRC exists and is not a git tree of $BASE_TAG"
	make_base
	check_base_id
	apply_series
	set_description
fi
