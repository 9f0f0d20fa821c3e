#!/bin/sh
# scripts/mbox.sh - apply the series the way a maintainer receives it.
#
# 1. Send patches/ (cover letter + patches/series) as mail into ONE mbox:
#    `git send-email` with a --sendmail-cmd that appends each message to
#    out/mbox/series.mbox (mboxrd), so the mbox carries what the wire does:
#    Message-Id, In-Reply-To/References to the cover letter, the send date,
#    send-email's header rewriting and its checks (--validate).
# 2. `b4 am -m` that mbox (offline) into an am-ready mbox; it must find
#    every patch and the base-commit of the cover letter. Why send-email
#    and not the patch files concatenated: b4 keys a thread on Message-Id,
#    which format-patch does not write without --thread ("Could not find
#    any patches in the series"), and b4 0.12 (bookworm) reading a local
#    mbox crashes on a folded Subject: line ("Header values may not contain
#    linefeed"); send-email adds the ids and unfolds the subjects, as mail
#    that reaches a maintainer has them.
# 3. `git am` the mbox (the cover letter, an empty patch, is dropped), then
#    b4's am-ready mbox, each into a fresh detached worktree at the base.
#    Each result must equal the branch commit by commit: same tree, same
#    message, same author name and email (author dates are the send dates,
#    as for any mailed patch). The worktrees check out only the files the
#    branch or the mbox touch (the rest stays in the index only): git am
#    needs no more, the trees it commits are whole, and it takes seconds
#    instead of a minute of checkout.
#
# Inputs (env): KSRC (default out/linux; HEAD is the branch compared with),
#   MBOX (check this mbox instead of sending patches/ into one).
# Exit: 0 both applies equal the branch, 1 they do not, a patch does not
#   apply or b4 rejects the mbox, 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: KSRC=dir MBOX=file)"; exit 2; }
git -C "$KSRC" rev-parse --git-dir >/dev/null 2>&1 || die "no work tree at $KSRC: run 'make tree' first"
need_deps

PATCHES=$TOP/patches
D=$OUT/mbox
WT=$D/linux
git_k() { git -C "$KSRC" "$@"; }
git_w() { git -C "$WT" "$@"; }
git_k rev-parse -q --verify "$BASE_TAG^{commit}" >/dev/null || die "$KSRC has no $BASE_TAG tag"
cleanup() {
	git_k worktree remove --force "$WT" 2>/dev/null || rm -rf "$WT"
	git_k worktree prune
}
trap cleanup EXIT
if [ -n "${MBOX:-}" ]; then
	[ -f "$MBOX" ] || die "MBOX=$MBOX: no such file"
	# Out of $D, which is emptied next.
	cp "$MBOX" "$OUT/mbox-input.mbox" || die "cannot copy $MBOX"
fi
cleanup
rm -rf "$D"
mkdir -p "$D/b4"

n=$(git_k rev-list --count "$BASE_TAG..HEAD")
[ "$n" -gt 0 ] || die "the branch of $KSRC has no commits over $BASE_TAG"

if [ -n "${MBOX:-}" ]; then
	mbox=$D/input.mbox
	mv "$OUT/mbox-input.mbox" "$mbox"
else
	mbox=$D/series.mbox
	[ -f "$PATCHES/0000-cover-letter.patch" ] || die "no $PATCHES/0000-cover-letter.patch: run 'make export'"
	set -- "$PATCHES/0000-cover-letter.patch"
	for p in $(series_files); do
		[ -f "$PATCHES/$p" ] || die "patches/series names $p, which does not exist"
		set -- "$@" "$PATCHES/$p"
	done
	echo "--- git send-email ${#} mails into $mbox"
	# Nothing from the user's or the system's git config (no SMTP server,
	# no aliases); the sendmail command appends mboxrd-quoted messages.
	: >"$mbox"
	# shellcheck disable=SC2016 # $MBOX_OUT is for the shell send-email runs
	if ! GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null MBOX_OUT=$mbox \
		git_k send-email --no-format-patch --confirm=never --quiet \
		--from="$SERIES_NAME <$SERIES_EMAIL>" --to="$SERIES_NAME <$SERIES_EMAIL>" \
		--8bit-encoding=UTF-8 --validate --no-smtp-auth \
		--sendmail-cmd='deliver() { { echo "From mboxrd@z Thu Jan  1 00:00:00 1970"; sed "s/^>*From />&/"; echo; } >>"$MBOX_OUT"; }; deliver' \
		"$@" </dev/null >"$D/send-email.log" 2>&1; then
		sed 's/^/    /' "$D/send-email.log"
		echo "mbox: FAIL: git send-email refused the series"
		exit 1
	fi
fi
msgs=$(grep -c '^From ' "$mbox" || true)
echo "--- $mbox: $msgs messages"

# fresh_tree: a new detached worktree at the base, only the touched files
# checked out. Every git call dies on failure (exit 2): callers run it
# under `||`, where set -e does not act.
fresh_tree() {
	cleanup
	git_k worktree add -q --no-checkout --detach "$WT" "$BASE_TAG" ||
		die "git worktree add $WT failed"
	git_w read-tree "$BASE_TAG" || die "git read-tree in $WT failed"
	{
		git_k diff --name-only --no-renames "$BASE_TAG" HEAD
		sed -n 's|^diff --git a/\([^ ]*\) b/\([^ ]*\)$|\1 \2|p' "$mbox" | tr ' ' '\n'
	} | sort -u >"$D/paths"
	git_w ls-tree -r --name-only "$BASE_TAG" | grep -Fx -f "$D/paths" >"$D/paths.base" || true
	[ ! -s "$D/paths.base" ] ||
		git_w --literal-pathspecs checkout -q "$BASE_TAG" --pathspec-from-file="$D/paths.base" ||
		die "git checkout of the touched files in $WT failed"
}

# b4 checks the cover letter's base-commit against the repository it runs
# in: run it in a fresh worktree.
echo "--- b4 am -m (offline)"
fresh_tree
if ! (cd "$WT" && XDG_CACHE_HOME=$D/b4-cache XDG_DATA_HOME=$D/b4-data \
	b4 --offline-mode am -o "$D/b4" -n series -m "$mbox") \
	>"$D/b4.log" 2>&1; then
	sed 's/^/    /' "$D/b4.log"
	echo "mbox: FAIL: b4 am cannot process the mbox"
	exit 1
fi
sed 's/^/    /' "$D/b4.log"
b4mbx=$D/b4/series.mbx
[ -s "$b4mbx" ] || { echo "mbox: FAIL: b4 am wrote no $b4mbx"; exit 1; }
grep -q "^Total patches: $n\$" "$D/b4.log" ||
	{ echo "mbox: FAIL: b4 am did not find the $n patches of the branch"; exit 1; }
grep -q "^ Base: using specified base-commit $BASE_COMMIT" "$D/b4.log" ||
	{ echo "mbox: FAIL: b4 am did not find base-commit $BASE_COMMIT in the cover letter"; exit 1; }

# same_as_branch WHAT: compare the worktree's commits over the base with the
# branch's, one by one.
same_as_branch() {
	got=$(git_w rev-list --reverse "$BASE_TAG..HEAD") || die "git rev-list in $WT failed"
	want=$(git_k rev-list --reverse "$BASE_TAG..HEAD") || die "git rev-list in $KSRC failed"
	ngot=$(echo "$got" | grep -c . || true)
	[ "$ngot" = "$n" ] || { echo "mbox: FAIL: $1 gave $ngot commits, the branch has $n"; return 1; }
	bad=0 i=0
	for w in $want; do
		i=$((i + 1))
		g=$(echo "$got" | sed -n "${i}p")
		what=
		[ "$(git_w rev-parse "$g^{tree}")" = "$(git_k rev-parse "$w^{tree}")" ] || what="$what tree"
		[ "$(git_w log -1 --format='%an <%ae>' "$g")" = "$(git_k log -1 --format='%an <%ae>' "$w")" ] || what="$what author"
		git_w log -1 --format=%B "$g" >"$D/got.msg"
		git_k log -1 --format=%B "$w" >"$D/want.msg"
		cmp -s "$D/got.msg" "$D/want.msg" || what="$what message"
		if [ -n "$what" ]; then
			echo "not ok $i $(git_k log -1 --format=%s "$w"): differs in:$what"
			diff -u "$D/want.msg" "$D/got.msg" | sed 's/^/    /' || true
			git_w diff --stat "$g" "$w" | sed 's/^/    /' || true
			bad=1
		fi
	done
	[ "$bad" = 0 ] || { echo "mbox: FAIL: $1 does not equal the branch"; return 1; }
	echo "ok: $1: $n commits, trees, messages and authors equal the branch"
}

# apply FILE WHAT: git am FILE on the base in the worktree, compare.
apply() {
	echo "--- $2: git am on $BASE_TAG"
	fresh_tree
	if ! git_w -c user.name="$SERIES_NAME" -c user.email="$SERIES_EMAIL" \
		am -q --empty=drop "$1" >"$D/am.log" 2>&1; then
		sed 's/^/    /' "$D/am.log"
		git_w am --abort 2>/dev/null || true
		echo "mbox: FAIL: $2 does not apply with git am"
		return 1
	fi
	same_as_branch "$2"
}
rc=0
apply "$mbox" "the mbox" || rc=1
apply "$b4mbx" "b4's am-ready mbox" || rc=1
[ "$rc" = 0 ] || exit 1
echo "mbox: ok: one mbox of $msgs mails; b4 am and git am on $BASE_TAG give the branch, commit by commit"
