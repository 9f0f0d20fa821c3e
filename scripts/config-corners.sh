#!/bin/sh
# scripts/config-corners.sh - the series builds in the config corners.
#
# On x86_64, for each corner: tinyconfig + configs/robot-corners.config (PCI,
# Intel IOMMU, VFIO, vfio-pci, ...) + configs/robot-corner-<name>.config (the
# corner's override), merged with merge_config.sh -m, then olddefconfig.
# Every symbol the merged fragments request (the last line for a symbol wins)
# must have that value in .config ("is not set": no CONFIG_X= line), or the
# corner is a harness error. Then make vmlinux (and modules for vfio-m) from
# $KSRC. Corners, in this order:
#   vfio-m       CONFIG_VFIO=m, VFIO_PCI=m: vmlinux modules (modpost)
#   vfio-n       CONFIG_VFIO=n, IOMMU_API=y
#   iommu-api-n  CONFIG_IOMMU_API=n (and so no VFIO, no Intel IOMMU)
#   pci-n        CONFIG_PCI=n, VFIO=y
# Each corner keeps its own build, out/robot/corner-<name>, so that the next
# run, after a change to the series, recompiles in each corner only what the
# change reaches (179 s for the four corners when they shared one
# directory, each switch recompiling what its symbols reach). A corner
# builds at one path, out/robot/corners, its build moved there and back
# (objtool's build records absolute paths: a build moved to another path
# rebuilds objtool, and with it every object). A corner with no build yet
# starts from a copy of the previous corner's: kbuild's fixdep records which
# CONFIG_ symbols each object depends on, so the new corner recompiles only
# what the symbols it changes reach (a full build per corner took 1014 s
# cold, 545 s for the four this way). Every corner has CONFIG_MODULES=y, so
# that switching corners never flips it (it reaches almost every file). A
# corner is configured again only when what its .config comes from changed
# (its fragments, this script, gcc, the tree's Kconfig files: the build's
# .corner-config-key).
# One line per corner (ok / not ok, seconds), errors printed.
#
# A corner that builds is recorded in config-corners.verified, the committed
# record: one line per corner with the tree of $KSRC's HEAD and a key (the
# hash of the corner's fragments, this script and gcc's version). A later
# run skips a corner whose line is there ("verified by an earlier run"), so
# a fresh clone's make check builds the corners only when the series, a
# fragment, this script or the compiler changed: the proof is that this
# exact tree built in that corner with this exact recipe and compiler, as
# each-patch.verified proves each patch. The file keeps the lines of one
# tree, HEAD's; commit it after a run that wrote it (it says so).
#
# Inputs (env): KSRC (default out/linux), CORNERS (default all four), JOBS
#   (default 2), NOCACHE=1 (build every corner, even those the record
#   holds), RECORD=0 (never write config-corners.verified; make check).
# Output: out/robot/corner-<name>/ (the builds; out/robot/corners while one
#   builds), logs
#   out/robot/logs/corner-<name>.log, config-corners.verified.
# Exit: 0 every corner builds, 1 a corner does not build, 2 error (bad input,
#   a symbol did not reach .config, tools).
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: KSRC CORNERS JOBS)"; exit 2; }

ALL="vfio-m vfio-n iommu-api-n pci-n"
CORNERS=${CORNERS:-$ALL}
for c in $CORNERS; do
	case " $ALL " in *" $c "*) ;; *) die "unknown corner '$c' (corners: $ALL)" ;; esac
done
JOBS=${JOBS:-2}
case "$JOBS" in '' | *[!0-9]*) die "JOBS=$JOBS: expected a number" ;; esac
RECORD=${RECORD:-1}
case "$RECORD" in 0 | 1) ;; *) die "RECORD=$RECORD: expected 0 or 1" ;; esac
[ -f "$KSRC/Makefile" ] || die "no kernel tree at $KSRC: run 'make tree' first"
need_deps

R=$OUT/robot
LOGS=$R/logs
mkdir -p "$LOGS"
export KBUILD_BUILD_USER=dma-ownership KBUILD_BUILD_HOST=out

# requested FRAG...: "CONFIG_X=v" or "CONFIG_X=n" per symbol, the last
# fragment line for a symbol winning.
requested() {
	sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)$/\1/p' \
		-e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1=n/p' "$@" |
		awk -F= '{ v[$1] = $0; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
			 END { for (i = 1; i <= n; i++) print v[order[i]] }'
}

# Where each corner builds (and where all corners built before they kept a
# build each: what is left there seeds the first corner).
B=$R/corners
# kmake ARGS...: make in the build dir, $B.
kmake() {
	make -C "$KSRC" O="$B" ARCH=x86_64 CC="ccache gcc" -j"$JOBS" "$@"
}

VERIFIED=$TOP/config-corners.verified
tree=$(git -C "$KSRC" rev-parse 'HEAD^{tree}')
# The tree is HEAD's: a corner builds the work tree, so it must be clean.
dirty=$(git -C "$KSRC" status --porcelain --untracked-files=no)
# key FRAG...: what besides the tree decides a corner's build: its
# fragments, this script and the compiler.
key() {
	{
		cat "$@" "$TOP/scripts/config-corners.sh"
		gcc --version | head -1
	} | git hash-object --stdin
}
# record CORNER KEY: the corner built at $tree; config-corners.verified keeps
# the lines of this tree only.
record() {
	[ "$RECORD" = 1 ] && [ -z "$dirty" ] || return 0
	{
		echo "# config-corners.sh: these corners built at this tree (make config-corners);"
		echo "# make check skips them. <tree> <key> <corner>"
		grep "^$tree " "$VERIFIED" 2>/dev/null | grep -v " $1\$" || true
		echo "$tree $2 $1"
	} >"$VERIFIED.new"
	mv "$VERIFIED.new" "$VERIFIED"
	wrote=1
}

# config_key KEY: what a corner's .config comes from: KEY (its fragments,
# this script, gcc: Kconfig tests its options) and the tree's Kconfig files,
# listed as robot_config (robot-lib.sh) lists them; empty (configure again)
# if the work tree is not clean.
config_key() {
	[ -z "$dirty" ] || return 0
	{
		echo "$1"
		git -C "$KSRC" ls-files -s -- '*Kconfig*'
	} | git hash-object --stdin
}

t0=$(date +%s)
fail=0 wrote=0 cached=0 prev=''
for c in $CORNERS; do
	t=$(date +%s)
	log=$LOGS/corner-$c.log
	frags="$TOP/configs/robot-corners.config $TOP/configs/robot-corner-$c.config"
	for f in $frags; do [ -f "$f" ] || die "missing fragment $f"; done
	# shellcheck disable=SC2086 # frags: paths without spaces
	k=$(key $frags)
	if [ "${NOCACHE:-0}" != 1 ] && [ -z "$dirty" ] && grep -qx "$tree $k $c" "$VERIFIED" 2>/dev/null; then
		echo "ok corner $c: verified by an earlier run (same tree, fragments, recipe and compiler; config-corners.verified)"
		cached=$((cached + 1))
		continue
	fi
	# The corner's build to $B: its own, else a copy of the previous
	# corner's, else what is there.
	kept=$R/corner-$c
	if [ -d "$kept" ]; then
		rm -rf "$B"
		mv "$kept" "$B"
	elif [ -n "$prev" ] && [ -d "$prev" ]; then
		rm -rf "$B"
		cp -a "$prev" "$B" || die "cannot copy $prev to $B"
	fi
	prev=$kept
	mkdir -p "$B"
	ck=$(config_key "$k")
	if [ -n "$ck" ] && [ -f "$B/.config" ] && [ "$(cat "$B/.corner-config-key" 2>/dev/null)" = "$ck" ]; then
		echo "# .config kept: made from the same fragments, script, gcc and Kconfig files" >"$log"
	else
		rm -f "$B/.corner-config-key"
		# shellcheck disable=SC2086 # frags: paths without spaces
		{
			kmake -s tinyconfig &&
				(cd "$B" && ARCH=x86_64 "$KSRC/scripts/kconfig/merge_config.sh" -m -O "$B" .config $frags) &&
				kmake -s olddefconfig
		} >"$log" 2>&1 || die "corner $c: configuring failed (log: ${log#"$TOP"/})"
	fi
	# shellcheck disable=SC2086
	wrong=$(requested $frags | while IFS= read -r line; do
		sym=${line%%=*} val=${line#*=}
		if [ "$val" = n ]; then
			if grep -q "^$sym=" "$B/.config"; then
				echo "$line (.config: $(grep "^$sym=" "$B/.config"))"
			fi
		elif ! grep -qxF "$line" "$B/.config"; then
			echo "$line (.config: $(grep "^$sym=\|# $sym is not set" "$B/.config" || echo nothing))"
		fi
	done)
	if [ -n "$wrong" ]; then
		echo "$wrong" | sed "s/^/    corner $c: requested /"
		die "corner $c: a requested symbol did not reach $B/.config (missing dependency?)"
	fi
	targets=vmlinux
	[ "$c" = vfio-m ] && targets="vmlinux modules"
	# shellcheck disable=SC2086 # targets: a list of words
	blog=$LOGS/corner-$c-build.log
	# shellcheck disable=SC2086 # targets: a list of words
	if RUN_LOGGED_TAIL=0 run_logged "corner $c: make $targets" "$blog" "$B" \
		"$(usual "corner-$c")" kmake -s $targets; then
		echo "ok corner $c: $targets ($(elapsed "$t") s)"
		[ -z "$ck" ] || echo "$ck" >"$B/.corner-config-key"
		record "$c" "$k"
	else
		echo "not ok corner $c: $targets ($(elapsed "$t") s; log: ${blog#"$TOP"/})"
		grep -E ': (fatal )?error:|undefined|\*\*\*' "$blog" | head -30 | sed 's/^/    /'
		fail=1
	fi
	mv "$B" "$kept"
done
[ "$wrote" = 0 ] || echo "config-corners: wrote config-corners.verified (commit it)"
echo "config-corners: $(echo "$CORNERS" | wc -w) corners, $([ "$fail" = 0 ] && echo 'all build' || echo 'BUILD FAILURES'), $cached verified by an earlier run (total $(elapsed "$t0") s)"
exit "$fail"
