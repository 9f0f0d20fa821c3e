#!/bin/sh
# scripts/initramfs.sh - pack the guest programs into an initramfs (no root).
#
# 1. Build guest/ (guest/Makefile) into out/guest/$ARCH, static, against the
#    kernel build's uapi headers.
# 2. Get a static busybox for $ARCH: the host's busybox-static package when
#    the host is that architecture, else the Debian package for $ARCH,
#    downloaded with `apt-get download` into out/dl/ and unpacked under
#    out/guest/.
# 3. Write a gen_init_cpio list (out/guest/$ARCH/initramfs.list): /init,
#    /bin/busybox with links for the applets /init calls, the tools in /bin,
#    the tests and /tests/list; run the build's usr/gen_init_cpio (built from
#    $KSRC/usr/gen_init_cpio.c when the build has none). The files go in
#    through copies dated 1970 (out/guest/$ARCH/initramfs-files/), as
#    gen_init_cpio stores a file's mtime: the same programs make the same
#    bytes, so guest.sh's REUSE sees an unchanged initramfs as unchanged.
#
# Inputs (env): ARCH (x86_64|arm64, default x86_64), BUILD (kernel build dir,
#   default out/build/$ARCH), HDR (uapi headers, default
#   $BUILD/usr-headers/include), OUTFILE (default
#   out/build/initramfs-$ARCH.cpio: one per architecture, as the programs do
#   not depend on which kernel runs them), KSRC (default out/linux).
# Exit: 0 written, 2 error (bad input, missing headers or tools, build failed).
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"

usage() {
	echo "usage: $0    (env: ARCH=x86_64|arm64 BUILD=dir HDR=dir OUTFILE=file)"
	exit 2
}
[ $# -eq 0 ] || usage

ARCH=${ARCH:-x86_64}
case "$ARCH" in
x86_64) DEBARCH=amd64 ;;
arm64) DEBARCH=arm64 ;;
*) warn "ARCH=$ARCH: expected x86_64 or arm64"; usage ;;
esac
BUILD=${BUILD:-$OUT/build/$ARCH}
HDR=${HDR:-$BUILD/usr-headers/include}
OUTFILE=${OUTFILE:-$OUT/build/initramfs-$ARCH.cpio}
GUEST=$OUT/guest/$ARCH
LIST=$GUEST/initramfs.list
# The busybox applets guest/init calls.
APPLETS="sh mount cat sed tr uname timeout dmesg poweroff"

[ -f "$HDR/linux/vfio.h" ] ||
	die "no uapi headers at $HDR: build the $ARCH kernel first (scripts/kbuild.sh)"
[ -f "$KSRC/tools/testing/selftests/kselftest_harness.h" ] ||
	die "no kernel tree at $KSRC: run 'make tree' first"
case "$OUT" in *[[:space:]]*) die "OUT=$OUT: gen_init_cpio lists cannot hold spaces" ;; esac

cleanup() { rm -f "$OUTFILE.tmp"; }
trap cleanup EXIT

need_deps

say "[1/3] guest programs for $ARCH -> $GUEST"
make -s -C "$TOP/guest" ARCH="$ARCH" O="$GUEST" HDR="$HDR" KSRC="$KSRC" ||
	die "building guest/ for $ARCH failed"

say "[2/3] static busybox for $ARCH"
if [ "$(dpkg --print-architecture)" = "$DEBARCH" ]; then
	BUSYBOX=/bin/busybox
else
	mkdir -p "$OUT/dl"
	deb=$(find "$OUT/dl" -maxdepth 1 -name "busybox-static_*_$DEBARCH.deb" | sort | tail -n 1)
	if [ -z "$deb" ]; then
		need_deps_sources
		say "apt-get download busybox-static:$DEBARCH"
		(cd "$OUT/dl" && apt-get download -q -o APT::Sandbox::User=root "busybox-static:$DEBARCH" >/dev/null) ||
			die "apt-get download busybox-static:$DEBARCH failed (is $DEBARCH enabled: dpkg --add-architecture $DEBARCH && apt-get update?)"
		deb=$(find "$OUT/dl" -maxdepth 1 -name "busybox-static_*_$DEBARCH.deb" | sort | tail -n 1)
	fi
	root=$OUT/guest/busybox-$DEBARCH
	rm -rf "$root"
	dpkg-deb -x "$deb" "$root" || die "cannot unpack $deb"
	BUSYBOX=$root/bin/busybox
fi
[ -x "$BUSYBOX" ] || die "no busybox at $BUSYBOX"

GEN=$BUILD/usr/gen_init_cpio
if [ ! -x "$GEN" ]; then
	GEN=$OUT/gen_init_cpio
	say "building $GEN from $KSRC/usr/gen_init_cpio.c"
	gcc -O2 -o "$GEN" "$KSRC/usr/gen_init_cpio.c" || die "building gen_init_cpio failed"
fi

say "[3/3] $OUTFILE"
FILES=$GUEST/initramfs-files
rm -rf "$FILES"
mkdir -p "$FILES"
# file_entry PATH SRC MODE: the list line of PATH in the initramfs, from a
# copy of SRC dated 1970.
file_entry() {
	_copy=$FILES$1
	mkdir -p "${_copy%/*}"
	cp "$2" "$_copy" || die "cannot copy $2 into $FILES"
	touch -d @0 "$_copy" || die "cannot date $_copy"
	printf 'file %s %s %s 0 0\n' "$1" "$_copy" "$3"
}
{
	for d in /dev /proc /sys /tmp /bin /sbin /tests /etc; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	file_entry /init "$TOP/guest/init" 0755
	file_entry /bin/busybox "$BUSYBOX" 0755
	for a in $APPLETS; do
		echo "slink /bin/$a busybox 0777 0 0"
	done
	while read -r t; do
		file_entry "/bin/$t" "$GUEST/$t" 0755
	done <"$GUEST/tools.list"
	while read -r t; do
		file_entry "/tests/$t" "$GUEST/$t" 0755
	done <"$GUEST/tests.list"
	while read -r t; do
		[ -z "$t" ] || file_entry "/tests/$t" "$GUEST/$t" 0755
	done <"$GUEST/extra-tests.list"
	file_entry /tests/list "$GUEST/tests.list" 0644
	file_entry /etc/kselftest.env "$GUEST/kselftest.env" 0644
} >"$LIST"
mkdir -p "$(dirname -- "$OUTFILE")"
"$GEN" -t 0 "$LIST" >"$OUTFILE.tmp" || die "gen_init_cpio $LIST failed"
mv "$OUTFILE.tmp" "$OUTFILE"
say "wrote $OUTFILE ($(wc -c <"$OUTFILE") bytes; tests: $(tr '\n' ' ' <"$GUEST/tests.list"))"
