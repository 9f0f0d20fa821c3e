#!/bin/sh
# scripts/each-patch.sh - every patch of the series builds on its own.
#
# In a worktree of $KSRC (out/each/linux), checks out each commit of the
# series in turn and builds it incrementally: the x86_64 guest kernel
# (vmlinux, the guest config, with the KUnit suites the commit defines), so
# it compiles and links. Checking out the next commit only touches the files
# it changes, so each step after the first is an incremental build; the first
# shares ccache with the base's guest build (same config, kbuild.sh BASE=1).
# Not here: the UML KUnit kernel (step kunit builds the final series) and
# other arches and configs (robot-objs.sh compiles every touched file at
# every commit on x86_64 and arm64 allmodconfig).
#
# Inputs (env): KSRC (default out/linux), JOBS.
# Exit: 0 every patch builds, 1 a patch does not build, 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: KSRC JOBS)"; exit 2; }
git -C "$KSRC" rev-parse -q --verify "$BASE_TAG^{commit}" >/dev/null ||
	die "no $BASE_TAG in $KSRC: run 'make tree' first"
need_build_tools

WT=$OUT/each/linux
commits=$(git -C "$KSRC" rev-list --reverse "$BASE_TAG..HEAD")
n=$(printf '%s\n' "$commits" | grep -c . || true)
if [ "$n" = 0 ]; then
	echo "each-patch: ok: the series is empty, nothing to build"
	exit 0
fi
if [ ! -e "$WT/.git" ]; then
	git -C "$KSRC" worktree add -q --detach "$WT" "$BASE_TAG"
fi

i=0 fail=0
for c in $commits; do
	i=$((i + 1))
	git -C "$WT" checkout -q --detach "$c"
	subj=$(git -C "$WT" log -1 --format=%s)
	start=$(date +%s)
	# The guest's KUnit suites, as far as this commit defines them: a suite
	# is built from the patch that adds it on.
	frag=$OUT/each/guest-kunit-$i.config
	kunit_fragment "$WT" "$TOP/configs/guest-kunit.config" >"$frag"
	if ! BUILD=$OUT/each/build/x86_64 KSRC=$WT TARGETS=vmlinux KUNIT_FRAGMENT=$frag \
		"$TOP/scripts/kbuild.sh" >"$OUT/each/patch-$i-x86_64.log" 2>&1; then
		echo "not ok $i x86_64: $subj (log: out/each/patch-$i-x86_64.log)"
		tail -20 "$OUT/each/patch-$i-x86_64.log" | sed 's/^/    /'
		fail=1
		continue
	fi
	echo "ok $i $subj ($(elapsed "$start") s)"
done
echo "each-patch: $n patches, $([ "$fail" = 0 ] && echo 'all build' || echo 'BUILD FAILURES')"
exit "$fail"
