# shellcheck shell=sh
# scripts/robot-lib.sh - helpers shared by robot-objs.sh and robot-warnings.sh.
# Sourced after lib.sh, not run.
#
# Both build in one worktree of $KSRC, out/robot/linux, and in the build dirs
# out/robot/build/<arch> (x86_64 or arm64 allmodconfig): never run two of them
# at once. The source is ../../linux from each build dir, as lib.sh's ccache
# layout wants.

R=$OUT/robot
WT=$R/linux
JOBS=${JOBS:-2}
case "$JOBS" in '' | *[!0-9]*) die "JOBS=$JOBS: expected a number" ;; esac

# robot_worktree: create out/robot/linux (detached at the base) if missing;
# replace it if it belongs to another repository than $KSRC. Never checks out
# anything in $KSRC itself.
robot_worktree() {
	_common=$(git -C "$KSRC" rev-parse --path-format=absolute --git-common-dir)
	if [ -e "$WT/.git" ]; then
		_wcommon=$(git -C "$WT" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
		if [ "$_wcommon" != "$_common" ]; then
			say "$WT belongs to another repository; recreating it from $KSRC"
			git --git-dir="$_wcommon" worktree remove --force "$WT" 2>/dev/null || rm -rf "$WT"
		fi
	fi
	if [ ! -e "$WT/.git" ]; then
		rm -rf "$WT"
		git -C "$KSRC" worktree prune
		git -C "$KSRC" worktree add -q --detach "$WT" "$BASE_TAG"
	fi
}

# robot_kmake ARCH ARGS...: make in the worktree, O=out/robot/build/ARCH.
robot_kmake() {
	_a=$1; shift
	_cross=
	[ "$_a" = arm64 ] && _cross=aarch64-linux-gnu-
	make -C "$WT" O="$R/build/$_a" ARCH="$_a" CROSS_COMPILE="$_cross" \
		CC="ccache ${_cross}gcc" -j"$JOBS" "$@"
}

# robot_config ARCH LOG: allmodconfig with KCONFIG_ALLCONFIG=
# configs/robot-allmod.config (its symbols verified) in out/robot/build/ARCH,
# again only when a Kconfig file of the checked-out commit or the fragment
# differs from the last run's.
ALLMOD_FRAG=$TOP/configs/robot-allmod.config
robot_config() {
	_b=$R/build/$1
	mkdir -p "$_b"
	_kc=$({ git -C "$WT" ls-files -s -- '*Kconfig*'; cat "$ALLMOD_FRAG"; } | git hash-object --stdin)
	[ -f "$_b/.config" ] && [ "$(cat "$_b/.robot-kconfig" 2>/dev/null)" = "$_kc" ] && return 0
	KCONFIG_ALLCONFIG=$ALLMOD_FRAG robot_kmake "$1" -s allmodconfig >>"$2" 2>&1 || return 1
	_missing=$(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)$/\1/p' "$ALLMOD_FRAG" |
		grep -vxF -f "$_b/.config" || true)
	if [ -n "$_missing" ]; then
		echo "robot_config: $ALLMOD_FRAG: not in $_b/.config: $_missing" >>"$2"
		return 1
	fi
	echo "$_kc" >"$_b/.robot-kconfig"
}

# robot_objs WANTED...: the objects of the given .c files that exist in the
# worktree.
robot_objs() {
	for _f in "$@"; do
		[ -f "$WT/$_f" ] && echo "${_f%.c}.o"
	done
	return 0
}

# robot_notbuilt LOG OBJ...: the .c files whose objects kbuild has no rule
# for in this config (make -k said "No rule to make target '<obj>'").
robot_notbuilt() {
	_log=$1; shift
	for _o in "$@"; do
		grep -q "No rule to make target '$_o'" "$_log" && echo "${_o%.o}.c"
	done
	return 0
}

# robot_failed LOG BUILD_DIR NOTBUILT OBJ...: the .c files whose objects
# failed to build (missing, or make says "<obj>] Error"), skipping those in
# the space-separated list NOTBUILT (not built by the config); each printed
# as " <file>", on one line without a newline (nothing if none failed).
robot_failed() {
	_log=$1 _bdir=$2 _skip=$3; shift 3
	for _o in "$@"; do
		case " $_skip " in *" ${_o%.o}.c "*) continue ;; esac
		if [ ! -f "$_bdir/$_o" ] || grep -q ": $_o\] Error" "$_log"; then
			printf ' %s' "${_o%.o}.c"
		fi
	done
	return 0
}

# robot_errors LOG: the compiler's errors and the make lines naming the
# objects that failed (not make's cascade of "Error 2" lines); at most 30.
robot_errors() {
	grep -E ': (fatal )?error:|\.o\] Error [0-9]|No rule to make target .*needed by' "$1" |
		head -30
}

# series_c_files REV: the kernel's .c files the series touches up to REV
# (added or modified, not deleted). tools/ is user space (the kselftest):
# kselftest-host and the guests build it.
series_c_files() {
	git -C "$KSRC" diff --name-only --diff-filter=AM "$BASE_TAG..$1" -- '*.c' ':(exclude)tools/'
}
