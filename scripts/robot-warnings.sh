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
# The series side keeps each object's part of the log (cache-<arch>/<obj>.log)
# with a key: the arch's .config, the fragment, these scripts, gcc and
# sparse, the object's command line and the content of every file of its
# dependency list (kbuild's .cmd of that compile: the source and each
# header, generated ones included, made by prepare first), and every
# Makefile, Kbuild file and file of scripts/ of the tree. Only the objects
# whose key changed are compiled again, with -j1 so that each one's
# warnings follow its own CC line; a change to one file of the series
# compiles that file alone. A file the config does not build stays so
# until the .config, a Makefile or scripts/ changes.
#
# Inputs (env): KSRC (default out/linux), ARCHES (default "x86_64 arm64"),
#   JOBS (default 2). Shares out/robot/ with robot-objs.sh.
# Output: out/robot/warnings/{base,series}-<arch>.{log,txt}, base-<arch>.key,
#   new-<arch>.txt, cache-<arch>/ (series-<arch>.log is made from it; the
#   last build's own log is series-<arch>.build.log).
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

# recipe ARCH: the fragment, these scripts, gcc and sparse (both keys).
recipe() {
	echo "$1"
	cat "$ALLMOD_FRAG" "$TOP/scripts/robot-warnings.sh" "$TOP/scripts/robot-lib.sh"
	if [ "$1" = arm64 ]; then aarch64-linux-gnu-gcc --version; else gcc --version; fi | head -1
	sparse --version
}
# base_key ARCH: what the base's warnings in ARCH's allmodconfig depend on.
base_key() {
	{
		recipe "$1"
		git -C "$KSRC" rev-parse "$BASE_TAG^{commit}"
		echo "$files"
	} | git hash-object --stdin
}
# series_key ARCH: what, besides an object's command line and dependencies,
# decides its warnings: the recipe and the .config allmodconfig made.
series_key() {
	{ recipe "$1"; cat "$R/build/$1/.config"; } | git hash-object --stdin
}
# obj_key ARCH OBJ: an object's key from what its last compile recorded in
# the cache (fails if it has no record), and mk: series_key's, every
# Makefile and Kbuild file and scripts/ (which decide a command line that
# the recorded one, being the last compile's, cannot show).
obj_key() {
	_c=$W/cache-$1/$2
	[ -s "$_c.cmd" ] && [ -s "$_c.deps" ] || return 1
	# A dependency gone is a message of cat's in the hash: a new key.
	# shellcheck disable=SC2046 # one word per dependency (kbuild's paths)
	{ echo "$mk"; cat "$_c.cmd"; (cd "$R/build/$1" && cat $(cat "$_c.deps") </dev/null) 2>&1; } |
		git hash-object --stdin
}
# record_obj ARCH OBJ: keep what the compile of OBJ just recorded (its .cmd:
# command line, source and dependencies, without the config's wildcard
# entries, which the .config in mk covers) and its key.
record_obj() {
	_c=$W/cache-$1/$2 _cmd=$R/build/$1/$(dirname "$2")/.$(basename "$2").cmd
	sed -n 's/^cmd_[^ ]* := //p' "$_cmd" >"$_c.cmd"
	awk '/^source_/ { print $3 } /^deps_/ { on = 1; next } on && /^$/ { exit }
	     on && $1 !~ /^\$\(wildcard/ && $1 != "\\" { print $1 }' "$_cmd" >"$_c.deps"
	obj_key "$1" "$2" >"$_c.key"
}
# split_log LOG ARCH OBJ...: each object's part of a -j1 build log, from its
# CC line to the next object's (its CHECK line and sparse's and
# kernel-doc's warnings come after its CC line), into cache-ARCH/<obj>.log.
split_log() {
	_l=$1 _sa=$2
	shift 2
	for _o in "$@"; do mkdir -p "$(dirname "$W/cache-$_sa/$_o")"; done
	awk -v dir="$W/cache-$_sa" -v want=" $* " '
		/^  CC / {
			o = $NF
			cur = index(want, " " o " ") ? dir "/" o ".log" : ""
		}
		cur != "" { print > cur }' "$_l"
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
		[ "$side" = base ] || log=$W/series-$a.build.log
		: >"$log"
		robot_config "$a" "$log" || die "allmodconfig failed for $a at $side (log: ${log#"$TOP"/})"
		# shellcheck disable=SC2086 # files is a list of paths without spaces
		objs=$(robot_objs $files)
		# The series: only the objects whose key changed (see the top),
		# after prepare has made the generated headers of this tree.
		build=$objs kept=0
		if [ "$side" = series ]; then
			robot_kmake "$a" -s V=0 prepare >>"$log" 2>&1 || true
			skey=$(series_key "$a")
			mk=$({ echo "$skey"; git -C "$WT" ls-files -s -- '*Makefile*' '*Kbuild*' scripts/; } | git hash-object --stdin)
			build=
			for o in $objs; do
				if [ "$(cat "$W/cache-$a/$o.nb" 2>/dev/null)" = "$mk" ] ||
					{ [ -f "$W/cache-$a/$o.log" ] && k=$(obj_key "$a" "$o") &&
						[ "$(cat "$W/cache-$a/$o.key" 2>/dev/null)" = "$k" ]; }; then
					kept=$((kept + 1))
				else
					build="$build $o"
					rm -f "$R/build/$a/$o" "$W/cache-$a/$o.key" "$W/cache-$a/$o.nb" "$W/cache-$a/$o.log"
				fi
			done
		else
			for o in $build; do rm -f "$R/build/$a/$o"; done
		fi
		rc=0 bnb=''
		if [ -n "$build" ]; then
			jobs=-j$JOBS
			[ "$side" = base ] || jobs=-j1
			# shellcheck disable=SC2086 # build is a list of paths without spaces
			robot_kmake "$a" -k "$jobs" V=0 W=1 C=1 $build >>"$log" 2>&1 || rc=$?
			# shellcheck disable=SC2086
			bnb=$(robot_notbuilt "$log" $build | tr '\n' ' ')
		fi
		# shellcheck disable=SC2086
		bad=$(robot_failed "$log" "$R/build/$a" "$bnb" $build)
		nb=$bnb
		if [ "$side" = series ]; then
			# shellcheck disable=SC2086
			[ -z "$build" ] || split_log "$log" "$a" $build
			for o in $build; do
				case " $bnb " in *" ${o%.o}.c "*)
					echo "$mk" >"$W/cache-$a/$o.nb"
					continue
					;;
				esac
				case " $bad " in *" ${o%.o}.c "*) continue ;; esac
				# Built, but no part of the log is its: never kept.
				if [ ! -f "$W/cache-$a/$o.log" ]; then
					bad="$bad ${o%.o}.c (no CC line for it in the log)"
					continue
				fi
				record_obj "$a" "$o"
			done
			# The not built, kept or new; the log: each built object's part.
			nb='' slog=$W/series-$a.log
			: >"$slog"
			for o in $objs; do
				if [ -f "$W/cache-$a/$o.nb" ]; then
					nb="$nb ${o%.o}.c"
				elif [ -f "$W/cache-$a/$o.log" ]; then
					cat "$W/cache-$a/$o.log" >>"$slog"
				fi
			done
		fi
		for f in $nb; do
			echo "    not built by $a allmodconfig ($side): $f"
		done
		normalise "${slog:-$log}" >"$W/$side-$a.txt"
		if [ -n "$bad" ] || { [ "$rc" != 0 ] && [ -z "$bnb" ]; }; then
			echo "not ok $a $side: compile errors in:$bad (log: ${log#"$TOP"/})"
			robot_errors "$log" | sed 's/^/    /'
			fail=1
		elif [ "$side" = base ]; then
			echo "$bkey" >"$W/base-$a.key"
		fi
		how=
		[ "$side" = base ] || how=", $(echo "$build" | wc -w) compiled, $kept kept: same command, .config, sources and headers"
		echo "$a $side: $(echo "$objs" | wc -w) files, $(wc -l <"$W/$side-$a.txt") warnings$how ($(elapsed "$t") s)"
		slog=''
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
