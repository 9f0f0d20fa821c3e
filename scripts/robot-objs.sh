#!/bin/sh
# scripts/robot-objs.sh - every touched file, every patch, both arches.
#
# In a worktree of $KSRC (out/robot/linux), checks out each commit of the
# series in turn and, on x86_64 and arm64 allmodconfig (out/robot/build/<arch>,
# incremental, ccache), builds the object of every .c file the whole series
# touches that exists at that commit (make <dir>/<file>.o, one make -k for all
# of them). A file the config does not build (kbuild answers "No rule to make
# target" for an object outside obj-y/obj-m) is reported, never skipped
# silently:
#   not built by x86_64 allmodconfig: drivers/amba/bus.c
# (printed for a patch when the list changes, and in the summary). One line
# per patch and arch (ok / not ok, seconds); compile errors are printed.
#
# What passed is recorded in out/robot/verified, one line per commit tree,
# arch and key (the hash of the list of files asked for, the allmodconfig
# fragment, the compiler's version and this script and robot-lib.sh, which
# say how to build and judge), with the files that config does
# not build. A later run skips a patch and arch whose line is there or in
# robot-objs.verified (its "ok" line says so): after a change to patch N,
# only patches N and later have new trees and compile again. A patch that
# changes only tools/testing/selftests/ or MAINTAINERS (the series's
# kselftest) has its parent's objects: it takes its parent's line, also in
# robot-objs.verified.
# robot-objs.verified is the committed record, for a fresh clone (make
# check): a run of every patch on both arches that passes rewrites it with
# the series's lines (commit it), unless RECORD=0 (make check's run, which
# leaves the repository as it is). A line there is the proof that this
# exact tree compiled with this exact recipe and compiler, the same proof
# each-patch.verified gives; make check's robot-warnings compiles every
# touched file of the last patch again in any case.
#
# Inputs (env): KSRC (default out/linux), ARCHES (default "x86_64 arm64"),
#   ONLY (patch numbers to build, e.g. "15" or "3 15"; "last" = the last one),
#   RANGE (first-last, e.g. "10-15"), JOBS (default 2), NOCACHE=1 (build
#   every selected patch, even those the records hold), RECORD=0 (never
#   rewrite robot-objs.verified).
# Output: logs in out/robot/logs/patch-<n>-<arch>.log; robot-objs.verified.
# Exit: 0 every object builds, 1 a compile error, 2 error (bad input, tools).
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: KSRC ARCHES ONLY RANGE JOBS)"; exit 2; }

ARCHES=${ARCHES:-x86_64 arm64}
ONLY=${ONLY:-}
RANGE=${RANGE:-}
for a in $ARCHES; do
	case "$a" in x86_64 | arm64) ;; *) die "ARCHES: '$a': expected x86_64 and/or arm64" ;; esac
done
[ -z "$ONLY" ] || [ -z "$RANGE" ] || die "set ONLY or RANGE, not both"
ONLY=$(echo "$ONLY" | tr ',' ' ')
for o in $ONLY; do
	case "$o" in last) ;; '' | *[!0-9]*) die "ONLY: '$o': expected patch numbers or 'last'" ;; esac
done
case "$RANGE" in '' | [0-9]*-[0-9]*) ;; *) die "RANGE=$RANGE: expected first-last, e.g. 10-15" ;; esac
case "$RANGE" in *-*[!0-9]* | *[!0-9]*-*) die "RANGE=$RANGE: expected first-last, e.g. 10-15" ;; esac

git -C "$KSRC" rev-parse -q --verify "$BASE_TAG^{commit}" >/dev/null ||
	die "no $BASE_TAG in $KSRC: run 'make tree' first"
need_deps

# shellcheck source=scripts/robot-lib.sh
. "$TOP/scripts/robot-lib.sh"
LOGS=$R/logs
mkdir -p "$LOGS"

commits=$(git -C "$KSRC" rev-list --reverse "$BASE_TAG..HEAD")
n=$(printf '%s\n' "$commits" | grep -c . || true)
if [ "$n" = 0 ]; then
	echo "robot-objs: ok: the series is empty, nothing to build"
	exit 0
fi
files=$(series_c_files HEAD)

# Which patches: all, ONLY or RANGE.
sel=
if [ -n "$ONLY" ]; then
	for o in $ONLY; do
		[ "$o" = last ] && o=$n
		if [ "$o" -lt 1 ] || [ "$o" -gt "$n" ]; then
			die "ONLY: patch $o: the series has $n patches"
		fi
		sel="$sel $o"
	done
elif [ -n "$RANGE" ]; then
	first=${RANGE%-*} last=${RANGE#*-}
	if [ "$first" -lt 1 ] || [ "$first" -gt "$last" ] || [ "$last" -gt "$n" ]; then
		die "RANGE=$RANGE: the series has patches 1-$n"
	fi
	sel=$(seq "$first" "$last" | tr '\n' ' ')
else
	sel=$(seq 1 "$n" | tr '\n' ' ')
fi

robot_worktree

# build_objs I ARCH SUBJ: configure (allmodconfig, again only when a Kconfig
# file changed) and build the objects; prints the verdict line.
build_objs() {
	_i=$1 _a=$2 _subj=$3
	_b=$R/build/$_a
	_log=$LOGS/patch-$_i-$_a.log
	_t=$(date +%s)
	mkdir -p "$_b"
	: >"$_log"
	if ! robot_config "$_a" "$_log"; then
		echo "not ok $_i $_a: allmodconfig failed: $_subj (log: ${_log#"$TOP"/})"
		tail -20 "$_log" | sed 's/^/    /'
		return 1
	fi
	# shellcheck disable=SC2086 # files is a list of paths without spaces
	_objs=$(robot_objs $files)
	_nfiles=$(echo "$_objs" | wc -w)
	# -k: one object outside the config (make answers "No rule to make
	# target") must not stop the others.
	_rc=0
	# shellcheck disable=SC2086 # _objs is a list of paths without spaces
	robot_kmake "$_a" -k $_objs >>"$_log" 2>&1 || _rc=$?
	# shellcheck disable=SC2086
	_nb=$(robot_notbuilt "$_log" $_objs | tr '\n' ' ')
	# shellcheck disable=SC2086
	_bad=$(robot_failed "$_log" "$_b" "$_nb" $_objs)
	report_notbuilt "$_a" "$_nb"
	_nnb=$(echo "$_nb" | wc -w)
	if [ -n "$_bad" ] || grep -q ': error:\|: fatal error:' "$_log" ||
		{ [ "$_rc" != 0 ] && [ -z "$_nb" ]; }; then
		echo "not ok $_i $_a: $_subj ($(elapsed "$_t") s; log: ${_log#"$TOP"/})"
		for _f in $_bad; do
			echo "    compile error: $_f"
		done
		robot_errors "$_log" | sed 's/^/    /'
		return 1
	fi
	echo "ok $_i $_a: $_subj ($((_nfiles - _nnb)) objects, $_nnb not built, $(elapsed "$_t") s)"
}

# report_notbuilt ARCH FILES: print the files ARCH's allmodconfig does not
# build, when the list differs from the previous patch's (or is the first).
report_notbuilt() {
	_nbf=$R/notbuilt-$1.txt
	_new=$(echo "$2" | tr ' ' '\n' | grep . || true)
	if [ "$_new" != "$(cat "$_nbf" 2>/dev/null)" ] || [ ! -f "$_nbf.seen" ]; then
		for _f in $2; do
			echo "    not built by $1 allmodconfig: $_f"
		done
		touch "$_nbf.seen"
	fi
	printf '%s\n' "$_new" >"$_nbf"
}
VERIFIED=$R/verified
RECORD_FILE=$TOP/robot-objs.verified
RECORD=${RECORD:-1}
case "$RECORD" in 0 | 1) ;; *) die "RECORD=$RECORD: expected 0 or 1" ;; esac
# key ARCH: what besides the tree decides the objects of ARCH.
key() {
	_cc=gcc
	[ "$1" = arm64 ] && _cc=aarch64-linux-gnu-gcc
	{
		echo "$files"
		cat "$ALLMOD_FRAG" "$TOP/scripts/robot-objs.sh" "$TOP/scripts/robot-lib.sh"
		"$_cc" --version | head -1
	} | git hash-object --stdin
}
keys=
for a in $ARCHES; do keys="$keys $a:$(key "$a")"; done
t0=$(date +%s)
rm -f "$R"/notbuilt-*.txt "$R"/notbuilt-*.txt.seen
# This run's lines (built or found in a record), for robot-objs.verified.
: >"$R/verified.series"
i=0 fail=0 builds=0 cached=0
for c in $commits; do
	i=$((i + 1))
	case " $sel " in *" $i "*) ;; *) continue ;; esac
	subj=$(git -C "$KSRC" log -1 --format=%s "$c")
	tree=$(git -C "$KSRC" rev-parse "$c^{tree}")
	# A patch that changes no file a kernel build reads (no_kernel_change,
	# lib.sh) has its parent's objects: its parent's record (made just
	# before, or kept) holds for it too.
	ptree=
	! no_kernel_change "$KSRC" "$c" || ptree=$(git -C "$KSRC" rev-parse "$c^^{tree}")
	out=
	for a in $ARCHES; do
		builds=$((builds + 1))
		# shellcheck disable=SC2086 # one word per arch
		k=$(printf '%s\n' $keys | sed -n "s/^$a://p")
		rec=
		[ "${NOCACHE:-0}" = 1 ] ||
			rec=$(cat "$VERIFIED" "$RECORD_FILE" 2>/dev/null | grep -m1 "^$tree $a $k " || true)
		how="verified by an earlier run: same tree, files, config and compiler"
		if [ -z "$rec" ] && [ -n "$ptree" ] && [ "${NOCACHE:-0}" != 1 ]; then
			rec=$(cat "$VERIFIED" "$RECORD_FILE" 2>/dev/null | grep -m1 "^$ptree $a $k " || true)
			rec=${rec:+$tree ${rec#* }}
			[ -z "$rec" ] || echo "$rec" >>"$VERIFIED"
			how="patch $((i - 1))'s objects: it changes no file a kernel build reads"
		fi
		if [ -n "$rec" ]; then
			echo "$rec" >>"$R/verified.series"
			nb=$(echo "${rec##* }" | tr ',' ' ')
			[ "$nb" != - ] || nb=
			report_notbuilt "$a" "$nb"
			echo "ok $i $a: $subj ($how)"
			cached=$((cached + 1))
			continue
		fi
		if [ -z "$out" ]; then
			git -C "$WT" checkout -q -f --detach "$c"
			out=1
		fi
		_nb=
		if build_objs "$i" "$a" "$subj"; then
			nb=$(echo "$_nb" | tr -s ' ' | sed 's/^ //; s/ $//' | tr ' ' ',')
			echo "$tree $a $k ${nb:--}" | tee -a "$VERIFIED" >>"$R/verified.series"
		else
			fail=$((fail + 1))
		fi
	done
done
for a in $ARCHES; do
	[ -f "$R/notbuilt-$a.txt" ] || continue
	while read -r f; do
		[ -z "$f" ] || echo "robot-objs: not built by $a allmodconfig (last patch built): $f"
	done <"$R/notbuilt-$a.txt"
done
echo "robot-objs: $builds builds (patches $(echo "$sel" | tr -s ' ' | sed 's/^ //; s/ $//') of $n; $ARCHES), $cached verified by an earlier run, $fail failed (total $(elapsed "$t0") s)"
[ "$fail" = 0 ] || exit 1
# Every patch on both arches passed: the committed record for fresh clones.
if [ "$RECORD" = 1 ] && [ "$(echo "$sel" | wc -w)" = "$n" ] && [ "$(echo "$ARCHES" | wc -w)" = 2 ]; then
	{
		echo "# robot-objs.sh: a run of every patch on both arches compiled every touched"
		echo "# file at these trees (make robot-objs; a tree whose patch changes no file a"
		echo "# kernel build reads has its parent's line); make check skips them."
		echo "# <tree> <arch> <key> <files that allmodconfig does not build, or ->"
		cat "$R/verified.series"
	} >"$RECORD_FILE.new"
	if cmp -s "$RECORD_FILE.new" "$RECORD_FILE"; then
		rm -f "$RECORD_FILE.new"
	else
		mv "$RECORD_FILE.new" "$RECORD_FILE"
		echo "robot-objs: wrote robot-objs.verified (commit it)"
	fi
fi
