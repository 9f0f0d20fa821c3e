#!/bin/sh
# scripts/each-patch.sh - every patch of the series builds on its own.
#
# In a worktree of $KSRC (out/each/linux), checks out each commit of the
# series in turn and builds it incrementally: the x86_64 guest kernel
# (vmlinux, the guest config, with the KUnit suites the commit defines), so
# it compiles and links. Checking out the next commit only touches the files
# it changes, so each step after the first is an incremental build.
# Not here: the UML KUnit kernel (step kunit builds the final series) and
# other arches and configs (robot-objs.sh compiles every touched file at
# every commit on x86_64 and arm64 allmodconfig).
#
# Which patches (EACH):
#   all      (default, make each-patch) every patch. When every patch builds,
#            each-patch.verified is rewritten: one line per patch with its
#            tree id and a hash of the guest config fragments, the record
#            that a full run passed on exactly that source and config.
#   changed  (make check) the last patch, and every patch whose tree and
#            config are not in each-patch.verified: the ones that changed
#            since the last full run. The others print "skip". The last
#            patch is not built again if the x86_64 guest step built that
#            tree with that config (out/build/x86_64/.built-tree), nor the
#            patches before it that a build cannot tell from it: those
#            followed only by patches that change no file a kernel build
#            reads (no_kernel_change, lib.sh: the series's kselftest, patch
#            20, leaves patch 19's kernel as it was). make check
#            cannot afford the full run inside CI's 90 minutes on 2 cores
#            (it took 650 s warm, 1563 s cold); commit each-patch.verified
#            after a full run.
#
# Inputs (env): KSRC (default out/linux), EACH (all|changed), JOBS.
# Exit: 0 every patch builds, 1 a patch does not build, 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: KSRC EACH JOBS)"; exit 2; }
EACH=${EACH:-all}
case "$EACH" in all | changed) ;; *) die "EACH=$EACH: expected all or changed" ;; esac
VERIFIED=$TOP/each-patch.verified
git -C "$KSRC" rev-parse -q --verify "$BASE_TAG^{commit}" >/dev/null ||
	die "no $BASE_TAG in $KSRC: run 'make tree' first"
need_deps

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

# What a build depends on besides the tree: the guest fragments kbuild.sh
# merges (the KUnit one filtered per commit, below), the scripts that merge
# them and the compiler. A change to any of them invalidates the record.
conf=$(each_conf)
record=$OUT/each/verified.new
mkdir -p "$OUT/each"
: >"$record"

# same: the first patch whose tree builds the same kernel as the last one's:
# every patch after it changes no file a kernel build reads.
same=$n
[ "$EACH" = changed ] || same=0
for c in $(git -C "$KSRC" rev-list "$BASE_TAG..HEAD"); do
	[ "$same" -gt 1 ] || break
	no_kernel_change "$KSRC" "$c" || break
	same=$((same - 1))
done
last_tree=$(git -C "$KSRC" rev-parse 'HEAD^{tree}')
guest_built=$(cat "$OUT/build/x86_64/.built-tree" 2>/dev/null || true)

i=0 fail=0 built=0
for c in $commits; do
	i=$((i + 1))
	tree=$(git -C "$KSRC" rev-parse "$c^{tree}")
	subj=$(git -C "$KSRC" log -1 --format=%s "$c")
	if [ "$EACH" = changed ] && [ "$i" != "$n" ] &&
		grep -q "^$tree $conf " "$VERIFIED" 2>/dev/null; then
		echo "skip $i $subj (tree ${tree%"${tree#????????????}"}: built by a full run, each-patch.verified)"
		continue
	fi
	if [ "$EACH" = changed ] && [ "$i" -ge "$same" ] &&
		[ "$guest_built" = "$last_tree $conf" ]; then
		if [ "$i" = "$n" ]; then
			echo "ok $i $subj (built by the x86_64 guest step: same tree, same config)"
		else
			after="patch $n changes"
			[ "$((i + 1))" = "$n" ] || after="patches $((i + 1)) to $n change"
			echo "ok $i $subj (the x86_64 guest step built patch $n's tree, the same kernel: $after no file a kernel build reads)"
		fi
		echo "$tree $conf $i $subj" >>"$record"
		continue
	fi
	git -C "$WT" checkout -q -f --detach "$c" || die "cannot check out $c in $WT"
	start=$(date +%s)
	built=$((built + 1))
	# The guest's KUnit suites, as far as this commit defines them: a suite
	# is built from the patch that adds it on.
	frag=$OUT/each/guest-kunit-$i.config
	kunit_fragment "$WT" "$TOP/configs/guest-kunit.config" >"$frag"
	# The x86_64 guest config, whatever ARCH, BASE or EXTRA_CONFIGS the
	# caller has (the record's hash covers this config only).
	rc=0
	ARCH=x86_64 BASE=0 EXTRA_CONFIGS='' BUILD=$OUT/each/build/x86_64 KSRC=$WT \
		TARGETS=vmlinux KUNIT_FRAGMENT=$frag \
		"$TOP/scripts/kbuild.sh" >"$OUT/each/patch-$i-x86_64.log" 2>&1 || rc=$?
	if [ "$rc" = 2 ] && ! grep -q '\] Error [0-9]' "$OUT/each/patch-$i-x86_64.log"; then
		tail -5 "$OUT/each/patch-$i-x86_64.log" >&2
		die "patch $i: kbuild.sh failed before compiling (log: out/each/patch-$i-x86_64.log)"
	fi
	if [ "$rc" != 0 ]; then
		echo "not ok $i x86_64: $subj (log: out/each/patch-$i-x86_64.log)"
		tail -20 "$OUT/each/patch-$i-x86_64.log" | sed 's/^/    /'
		fail=1
		continue
	fi
	echo "ok $i $subj ($(elapsed "$start") s)"
	echo "$tree $conf $i $subj" >>"$record"
done
if [ "$EACH" = all ] && [ "$fail" = 0 ]; then
	{
		echo "# each-patch.sh: a full run (make each-patch) built these trees with"
		echo "# this config hash (each_conf in lib.sh); make check (EACH=changed) skips them. <tree> <config> <n> <subject>"
		cat "$record"
	} >"$VERIFIED"
	echo "each-patch: wrote each-patch.verified (commit it)"
fi
echo "each-patch: $n patches, $built built ($EACH), $([ "$fail" = 0 ] && echo 'all build' || echo 'BUILD FAILURES')"
exit "$fail"
