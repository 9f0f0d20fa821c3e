#!/bin/sh
# scripts/robot-warnings.sh - the series adds no W=1 or sparse warning.
#
# Builds the object of every .c file the series touches with W=1 (gcc's extra
# warnings) and C=1 (sparse), on allmodconfig, twice in the worktree
# out/robot/linux: at the base ($BASE_TAG) and at the series's last commit
# (HEAD of $KSRC). The objects are removed first, so every file is compiled
# (and checked by sparse) each time; ccache replays gcc's warnings on a hit.
# The warnings are normalised (no paths of the tree, no line or column
# numbers, sparse's "expected/got" lines joined to their warning, none of
# host tools such as scripts/genksyms, built when the config changes) and
# compared as sorted lists: a warning the series has and the base does not is
# new. New warnings are printed as normalised lines ("+ file: warning: ...");
# the raw ones, with line numbers, are in out/robot/warnings/series-<arch>.log.
# A file the config does not build is reported ("not built by ...").
# The base never changes: its warnings are kept in base-<arch>.txt with a key
# (base-<arch>.key: the base commit, the files, the fragment, these scripts,
# gcc and sparse), and compiled again only when the key differs.
#
# Inputs (env): KSRC (default out/linux), ARCHES (default "x86_64 arm64"),
#   JOBS (default 2). Shares out/robot/ with robot-objs.sh.
# Output: out/robot/warnings/{base,series}-<arch>.{log,txt}, base-<arch>.key,
#   new-<arch>.txt.
# Exit: 0 no new warning, 1 new warnings or a compile error, 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: KSRC ARCHES JOBS)"; exit 2; }
# shellcheck source=scripts/robot-lib.sh
. "$TOP/scripts/robot-lib.sh"

ARCHES=${ARCHES:-x86_64 arm64}
for a in $ARCHES; do
	case "$a" in x86_64 | arm64) ;; *) die "ARCHES: '$a': expected x86_64 and/or arm64" ;; esac
done
git -C "$KSRC" rev-parse -q --verify "$BASE_TAG^{commit}" >/dev/null ||
	die "no $BASE_TAG in $KSRC: run 'make tree' first"
need_deps

head=$(git -C "$KSRC" rev-parse HEAD)
files=$(series_c_files "$head")
if [ -z "$files" ]; then
	echo "robot-warnings: ok: the series touches no .c file"
	exit 0
fi
W=$R/warnings
mkdir -p "$W"
robot_worktree

# normalise: the warning lines of a build log, without the tree's paths and
# line:column numbers, sparse's indented "expected ..."/"got ..." lines
# joined to the warning before them; sorted (duplicates kept).
normalise() {
	awk '/^[[:space:]]+(expected|got) / { if (last != "") { sub(/^[[:space:]]+/, ""); last = last " | " $0 }; next }
	     { if (last != "") print last; last = "" }
	     /: (warning|error): / { last = $0 }
	     END { if (last != "") print last }' "$1" |
		sed -e "s|$WT/||g" -e "s|$R/build/[a-z0-9_]*/||g" -e 's|\(\.\./\)*\.\./linux/||g' \
			-e 's/:[0-9][0-9]*:[0-9][0-9]*:/:/' -e 's/:[0-9][0-9]*:/:/' |
		grep -v '^\(scripts\|tools\)/' | LC_ALL=C sort
}

# base_key ARCH: what the base's warnings in ARCH's allmodconfig depend on.
base_key() {
	{
		echo "$1"
		git -C "$KSRC" rev-parse "$BASE_TAG^{commit}"
		echo "$files"
		cat "$ALLMOD_FRAG" "$TOP/scripts/robot-warnings.sh" "$TOP/scripts/robot-lib.sh"
		if [ "$1" = arm64 ]; then aarch64-linux-gnu-gcc --version; else gcc --version; fi | head -1
		sparse --version
	} | git hash-object --stdin
}

t0=$(date +%s)
fail=0
for a in $ARCHES; do
	bkey=$(base_key "$a")
	for side in base series; do
		t=$(date +%s)
		if [ "$side" = base ] && [ -f "$W/base-$a.txt" ] && [ "$(cat "$W/base-$a.key" 2>/dev/null)" = "$bkey" ]; then
			echo "$a base: $(wc -l <"$W/base-$a.txt") warnings (an earlier run's: same base, files, fragment, scripts, gcc and sparse)"
			continue
		fi
		rm -f "$W/$side-$a.key"
		if [ "$side" = base ]; then c=$BASE_TAG; else c=$head; fi
		git -C "$WT" checkout -q --detach "$c"
		log=$W/$side-$a.log
		: >"$log"
		robot_config "$a" "$log" || die "allmodconfig failed for $a at $side (log: ${log#"$TOP"/})"
		# shellcheck disable=SC2086 # files is a list of paths without spaces
		objs=$(robot_objs $files)
		for o in $objs; do rm -f "$R/build/$a/$o"; done
		rc=0
		# shellcheck disable=SC2086 # objs is a list of paths without spaces
		robot_kmake "$a" -k W=1 C=1 $objs >>"$log" 2>&1 || rc=$?
		# shellcheck disable=SC2086
		nb=$(robot_notbuilt "$log" $objs | tr '\n' ' ')
		for f in $nb; do
			echo "    not built by $a allmodconfig ($side): $f"
		done
		# shellcheck disable=SC2086
		bad=$(robot_failed "$log" "$R/build/$a" "$nb" $objs)
		normalise "$log" >"$W/$side-$a.txt"
		if [ -n "$bad" ] || { [ "$rc" != 0 ] && [ -z "$nb" ]; }; then
			echo "not ok $a $side: compile errors in:$bad (log: ${log#"$TOP"/})"
			robot_errors "$log" | sed 's/^/    /'
			fail=1
		elif [ "$side" = base ]; then
			echo "$bkey" >"$W/base-$a.key"
		fi
		echo "$a $side: $(echo "$objs" | wc -w) files, $(wc -l <"$W/$side-$a.txt") warnings ($(elapsed "$t") s)"
	done
	LC_ALL=C comm -13 "$W/base-$a.txt" "$W/series-$a.txt" >"$W/new-$a.txt"
	if [ -s "$W/new-$a.txt" ]; then
		echo "not ok $a: the series adds $(wc -l <"$W/new-$a.txt") W=1/sparse warnings:"
		sed 's/^/    + /' "$W/new-$a.txt"
		fail=1
	else
		gone=$(LC_ALL=C comm -23 "$W/base-$a.txt" "$W/series-$a.txt" | wc -l)
		echo "ok $a: no new W=1/sparse warning ($gone of the base's are gone)"
	fi
done
echo "robot-warnings: $ARCHES: $([ "$fail" = 0 ] && echo 'no new warnings' || echo 'NEW WARNINGS OR ERRORS') (total $(elapsed "$t0") s)"
exit "$fail"
