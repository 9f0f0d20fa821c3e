#!/bin/sh
# scripts/kbuild.sh - configure and build a guest kernel under out/.
#
# Config: tinyconfig + configs/guest-{common,pci,debug,$ARCH}.config and the
# KUnit suites (the unpatched base: no debug, no KUnit; guest_frags in lib.sh),
# + the fragments in $EXTRA_CONFIGS, merged with merge_config.sh -m, then
# olddefconfig. Every symbol a fragment requests must reach .config, or the
# build stops (merge_config only warns). Also installs the uapi headers the
# guest programs are built against.
#
# Inputs (env): ARCH (x86_64|arm64, default x86_64), BASE=1 (build the
#   unpatched base from a worktree at the base tag), KSRC, BUILD (build dir),
#   EXTRA_CONFIGS (more fragments), TARGETS (make targets, default the image),
#   DEBUG=0|1 (without or with configs/guest-debug.config; default: with,
#   but for the base),
#   KUNIT_FRAGMENT (default configs/guest-kunit.config; empty for none).
#   FORCE=1 (build, and configure, even if nothing changed: the keys below).
# Output: $BUILD/<image>, $BUILD/usr-headers/include; the keys
#   $BUILD/.kbuild-key and $BUILD/.config-key.
# Exit: 0 built, 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"

ARCH=${ARCH:-x86_64}
BASE=${BASE:-0}
EXTRA_CONFIGS=${EXTRA_CONFIGS:-}
case "$ARCH" in
x86_64) IMAGE=arch/x86/boot/bzImage; TARGET=bzImage; CROSS= ;;
arm64) IMAGE=arch/arm64/boot/Image; TARGET=Image; CROSS=aarch64-linux-gnu- ;;
*) die "ARCH=$ARCH: expected x86_64 or arm64" ;;
esac
TARGETS=${TARGETS:-$TARGET}

need_deps

if [ "$BASE" = 1 ]; then
	SRC=$(sh "$TOP/scripts/base-tree.sh")
	BUILD=${BUILD:-$OUT/base/build/$ARCH}
else
	SRC=$KSRC
	BUILD=${BUILD:-$OUT/build/$ARCH}
	[ -f "$SRC/Makefile" ] || die "no kernel tree at $SRC: run 'make tree' first"
fi
mkdir -p "$BUILD"

FRAGS=$(guest_frags "$ARCH" "$BASE" "${DEBUG:-}")
# The series's KUnit suites; each-patch.sh passes the part of them that the
# commit it builds defines. Not in the base (guest_frags in lib.sh).
KUNIT_FRAGMENT=${KUNIT_FRAGMENT-$TOP/configs/guest-kunit.config}
[ "$BASE" != 1 ] || KUNIT_FRAGMENT=
[ -z "$KUNIT_FRAGMENT" ] || FRAGS="$FRAGS $KUNIT_FRAGMENT"
FRAGS="$FRAGS $EXTRA_CONFIGS"

# A build is not made again when nothing it comes from changed since it was
# last made: the source's HEAD tree (only when no tracked file of it is
# modified), the fragments (names, order, contents), this script, ARCH,
# TARGETS, gcc and make. It is then a no-op for kbuild too, but that no-op
# (configuring, then make walking every directory and relinking nothing)
# took 59 to 85 s of CPU for the unchanged base in each make check. The
# key and the image's hash are in $BUILD/.kbuild-key after a build that
# ended; removed when a build starts. Only for a build of the image (not
# each-patch.sh's TARGETS=vmlinux). FORCE=1 builds anyway.
# SRC_TREE: the source's HEAD tree, empty if a tracked file is modified
# (both keys below need it).
SRC_TREE=$(clean_tree "$SRC") || SRC_TREE=
build_key() {
	[ "$TARGETS" = "$TARGET" ] && [ -n "$SRC_TREE" ] || return 1
	{
		echo "$SRC_TREE $ARCH $TARGETS"
		# shellcheck disable=SC2086 # FRAGS is a list of paths without spaces
		for _f in $FRAGS; do echo "${_f#"$TOP"/}"; cat "$_f"; done
		cat "$0"
		"${CROSS}gcc" --version | head -1
		make --version | head -1
	} | git hash-object --stdin
}
image_hash() { sha256sum <"$BUILD/$IMAGE" | cut -d' ' -f1; }
# A .config is not made again when nothing it is made from changed since it
# was made (tinyconfig's allnoconfig and olddefconfig and the last
# olddefconfig: three kconfig runs, each probing the compiler; on the
# longest chain of make check, README "Time"): in the source, the files
# kconfig reads (every Kconfig*, the tree's *.config fragments such as
# tiny.config, scripts/, the Makefiles it includes), only when no tracked
# file of the source is modified; the fragments' contents in merge order
# (each-patch.sh names its KUnit fragment after the patch), this script's
# recipe lines, ARCH, the versions of the installed packages (kconfig also
# probes for gcc's plugin headers and a libc to link with) and of gcc,
# binutils and make. Not with FORCE=1 or a kconfig variable set in the
# environment (KCONFIG_ALLCONFIG, KCONFIG_CONFIG, LLVM, LLVM_IAS). The key
# and .config's hash are in $BUILD/.config-key once the requested symbols
# are checked (below).
config_key() {
	[ "${FORCE:-0}" != 1 ] || return 1
	[ -z "${KCONFIG_ALLCONFIG-}${KCONFIG_CONFIG-}${LLVM-}${LLVM_IAS-}" ] || return 1
	[ -n "$SRC_TREE" ] || return 1
	{
		echo "$ARCH"
		git -C "$SRC" ls-files -s -- Makefile scripts ':(glob)arch/*/Makefile' \
			':(glob)**/Kconfig*' ':(glob)**/*.config'
		# shellcheck disable=SC2086 # FRAGS is a list of paths without spaces
		for _f in $FRAGS; do echo '# fragment'; cat "$_f"; done
		sed -n '/^# --- recipe/,/^# --- end recipe/p' "$0"
		dpkg-query -W -f '${Package} ${Version}\n'
		"${CROSS}gcc" --version | head -1
		"${CROSS}ld" --version | head -1
		make --version | head -1
	} | git hash-object --stdin
}
config_hash() { sha256sum <"$BUILD/.config" | cut -d' ' -f1; }
KEYFILE=$BUILD/.kbuild-key
key=$(build_key) || key=
if [ -n "$key" ] && [ "${FORCE:-0}" != 1 ] && [ -f "$BUILD/$IMAGE" ] &&
	[ -d "$BUILD/usr-headers/include" ] &&
	[ "$(cat "$KEYFILE" 2>/dev/null)" = "$key $(image_hash)" ]; then
	say "not building: $BUILD/$IMAGE was built from this tree with these fragments, this script, gcc and make (FORCE=1 builds)"
	exit 0
fi
rm -f "$KEYFILE"

# --- recipe: these lines, the fragments and gcc's version make the hash
# of each-patch.verified (each-patch.sh); an edit here rebuilds every patch.
export KBUILD_BUILD_USER=dma-ownership KBUILD_BUILD_HOST=out
JOBS=${JOBS:-$(nproc)}
kmake() {
	make -s -C "$SRC" O="$BUILD" ARCH="$ARCH" CROSS_COMPILE="$CROSS" \
		CC="ccache ${CROSS}gcc" -j"$JOBS" "$@"
}

cfg=$(config_key) || cfg=
if [ -n "$cfg" ] && [ -f "$BUILD/.config" ] &&
	[ "$(cat "$BUILD/.config-key" 2>/dev/null)" = "$cfg $(config_hash)" ]; then
	say "not configuring: $BUILD/.config was made from these kconfig files, fragments and tools"
else
	rm -f "$BUILD/.config-key"
	say "configuring $ARCH in $BUILD (source $SRC)"
	kmake tinyconfig >/dev/null
	# shellcheck disable=SC2086 # FRAGS is a list of paths without spaces
	(cd "$BUILD" && ARCH=$ARCH CROSS_COMPILE=$CROSS \
		"$SRC/scripts/kconfig/merge_config.sh" -m -O "$BUILD" .config $FRAGS >/dev/null)
	kmake olddefconfig >/dev/null
fi
# --- end recipe

# Every requested symbol must have reached .config with the requested value.
# shellcheck disable=SC2086 # FRAGS is a list of paths without spaces
missing=$(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)$/\1/p' $FRAGS | sort -u |
	grep -vxF -f "$BUILD/.config" || true)
for line in $missing; do
	sym=${line%%=*}
	warn "requested $line, .config has: $(grep "^$sym=\|# $sym is not set" "$BUILD/.config" || echo 'nothing')"
done
[ -z "$missing" ] || die "a config fragment's symbols did not reach $BUILD/.config (missing dependency?)"
[ -z "$cfg" ] || echo "$cfg $(config_hash)" >"$BUILD/.config-key"

start=$(date +%s)
say "make $TARGETS"
# --- recipe (the build)
# shellcheck disable=SC2086
kmake $TARGETS
# --- end recipe
kmake headers_install INSTALL_HDR_PATH="$BUILD/usr-headers" >/dev/null
[ -z "$key" ] || echo "$key $(image_hash)" >"$KEYFILE"
say "built $ARCH in $(elapsed "$start") s: $BUILD/$IMAGE"
