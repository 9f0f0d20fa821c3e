#!/bin/sh
# scripts/fresh.sh - the README's commands need nothing but git and make on a
# fresh Debian bookworm machine (make check step `fresh`).
#
# Makes a minimal bookworm root with mmdebstrap (variant minbase, plus git
# and make: what the README assumes), copies the project into it (the files
# git knows and the untracked ones it does not ignore, as they are now) and,
# chrooted there in a mount namespace of its own:
#   1. runs scripts/deps.sh, the harness's own install step: it must add the
#      arm64 architecture and the deb-src entry and install deps.list in ONE
#      apt-get call;
#   2. checks every entry of deps.list (a command on PATH, or a file);
#   3. checks that every external command the scripts call is on PATH
#      (scripts/commands.py reads them from the scripts);
#   4. runs, for every package of deps.list, the cheapest real step of the
#      harness that needs it (the table below says which step proves which
#      package; a package no step proves is an error): make tree for real
#      (apt-get source through the deb-src entry), headers_install (rsync),
#      a tinyconfig `make prepare` (flex, bison, bc, libelf, ccache) and a
#      sparse check, the initramfs of both guests, QEMU started with both
#      guests' machines and IOMMUs, checkpatch, spdxcheck, mbox, shellcheck.
# The root stays in out/fresh/root for a look; the next run starts anew.
#
# A pass is recorded in out/fresh.passed with the hash of the mirror and of
# every file the root got (name, mode, content) but patches/ and the *.md
# files (what the steps run: scripts, deps.list, Makefile, base.mk, guest/,
# configs/, tests/, .ci/), hashed in the root as copied. A run in
# the same clone within 24 hours of it, with the same hash, says so and
# passes without a new root: the patches' content does not change which
# packages the steps need (make check proves the patches themselves in its
# tree, checkpatch and mbox steps), and after a day the Debian archive may
# have moved. A clean clone has no out/ and always runs.
#
# Inputs (env): FRESH_MIRROR (default http://deb.debian.org), FRESH_FORCE=1
#   (run even if out/fresh.passed matches), FRESH_CMD (instead of 1-4, run
#   this command in the project inside the new root, as a newcomer would,
#   e.g. FRESH_CMD='make demo': its output and exit status are the run's,
#   nothing is recorded; the root's out/ holds its logs).
# Exit: 0 all found and every step ran, 1 something is missing or a step
#   failed (each said on its own line), 2 harness error (not root, no
#   mmdebstrap root).
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
usage() { echo "usage: $0    (env: FRESH_MIRROR)"; exit 2; }

# The real steps, one per line: name | packages it proves | command (run
# with sh -c in the project inside the root, $K = the kernel tree, $W = a
# scratch dir). Every package of deps.list must be proved by one of them.
# shellcheck disable=SC2016 # expanded by the sh -c that runs each step
STEPS_TABLE='tree | git xz-utils | scripts/tree.sh
headers-x86_64 | make gcc libc6-dev perl rsync | make -s -C "$K" O="$W/x86_64" ARCH=x86_64 headers_install INSTALL_HDR_PATH="$W/x86_64/usr-headers"
headers-arm64 | rsync | make -s -C "$K" O="$W/arm64" ARCH=arm64 headers_install INSTALL_HDR_PATH="$W/arm64/usr-headers"
prepare-x86_64 | flex bison bc libelf-dev ccache | make -s -C "$K" O="$W/x86_64" ARCH=x86_64 CC="ccache gcc" tinyconfig && make -s -C "$K" O="$W/x86_64" ARCH=x86_64 CC="ccache gcc" prepare && test -x "$W/x86_64/tools/objtool/objtool"
sparse | sparse | make -s -C "$K" O="$W/x86_64" ARCH=x86_64 CC="ccache gcc" C=2 drivers/base/dd.o
openssl | libssl-dev | gcc -o "$W/sign-file" "$K/scripts/sign-file.c" -lcrypto && gcc -o "$W/extract-cert" "$K/scripts/extract-cert.c" -lcrypto
initramfs-x86_64 | busybox-static | ARCH=x86_64 BUILD="$W/x86_64" OUTFILE="$W/x86_64.cpio" scripts/initramfs.sh
initramfs-arm64 | gcc-aarch64-linux-gnu libc6-dev-arm64-cross | ARCH=arm64 BUILD="$W/arm64" OUTFILE="$W/arm64.cpio" scripts/initramfs.sh
qemu-x86_64 | qemu-system-x86 | rc=0; timeout 5 qemu-system-x86_64 -machine q35,kernel-irqchip=split -cpu max -accel tcg -device intel-iommu,intremap=on -device e1000e -device ahci -nodefaults -display none -monitor none -serial none -S || rc=$?; [ "$rc" = 124 ]
qemu-arm64 | qemu-system-arm | rc=0; timeout 5 qemu-system-aarch64 -machine virt,iommu=smmuv3,gic-version=3 -cpu cortex-a57 -accel tcg -device e1000 -nodefaults -display none -monitor none -serial none -S || rc=$?; [ "$rc" = 124 ]
spdxcheck | python-is-python3 python3 python3-ply python3-git | cd "$K" && python scripts/spdxcheck.py drivers/iommu/iommu.c
checkpatch | perl | scripts/checkpatch.sh
mbox | b4 git-email libmailtools-perl | scripts/mbox.sh
shellcheck | shellcheck | shellcheck -x scripts/*.sh tests/run.sh guest/init .ci/run
mmdebstrap | mmdebstrap | mmdebstrap --version'

inside() {
	cd "$TOP"
	K=$OUT/linux W=$OUT/fresh-steps
	export K W
	fail=0
	mkdir -p "$OUT/logs"
	ok() { echo "ok $*"; }
	notok() { echo "not ok $*"; fail=1; }

	# 1. The harness's own install step, as a newcomer's make would run it.
	rc=0
	"$TOP/scripts/deps.sh" >"$OUT/deps.out" 2>&1 || rc=$?
	sed 's/^/    /' "$OUT/deps.out"
	calls=$(grep -c 'in one apt-get call' "$OUT/deps.out" || true)
	if [ "$rc" = 0 ] && [ "$calls" = 1 ]; then
		ok "deps: scripts/deps.sh installed deps.list in one apt-get call"
	else
		notok "deps: scripts/deps.sh exit $rc, $calls apt-get install calls (log: out/logs/apt-get.log)"
	fi

	# 2. Every entry of deps.list.
	missing=$(deps_entries | while read -r pkg provides; do
		for p in $provides; do
			case "$p" in
			/*) [ -e "$p" ] || echo "$pkg:$p" ;;
			*) command -v "$p" >/dev/null 2>&1 || echo "$pkg:$p" ;;
			esac
		done
	done)
	if [ -z "$missing" ]; then
		ok "deps.list: every command and file of its $(deps_packages | wc -l) packages is there"
	else
		notok "deps.list: missing after deps.sh: $(echo "$missing" | tr '\n' ' ')"
	fi

	# 3. Every external command the scripts call.
	cmds=$(python3 "$TOP/scripts/commands.py" "$TOP"/scripts/*.sh "$TOP/tests/run.sh" "$TOP/.ci/run")
	missing=$(for c in $cmds; do command -v "$c" >/dev/null 2>&1 || echo "$c"; done)
	if [ -z "$missing" ]; then
		ok "commands: all $(echo "$cmds" | wc -w) external commands the scripts call are on PATH"
	else
		notok "commands: not on PATH: $(echo "$missing" | tr '\n' ' ')(add their packages to deps.list)"
	fi

	# 4. The real steps.
	rm -rf "$W"
	mkdir -p "$W" "$OUT/logs/fresh"
	printf '%s\n' "$STEPS_TABLE" | while IFS='|' read -r name pkgs cmd; do
		name=$(echo "$name" | tr -d ' ')
		log=$OUT/logs/fresh/$name.log
		t=$(date +%s)
		if sh -c "$cmd" </dev/null >"$log" 2>&1; then
			echo "ok step $name ($(elapsed "$t") s): proves$pkgs"
		else
			echo "not ok step $name ($(elapsed "$t") s): for$pkgs; the end of its log:"
			tail -n 8 "$log" | sed 's/^/    /'
		fi
	done | tee "$W/steps.out"
	grep -q '^not ok' "$W/steps.out" && fail=1
	return "$fail"
}

# Every package of deps.list is proved by a step of the table.
unproved() {
	echo "$STEPS_TABLE" | cut -d'|' -f2 | tr ' ' '\n' | grep . | sort -u >"$OUT/fresh.proved"
	deps_packages | sort -u | comm -23 - "$OUT/fresh.proved"
}

case "${1:-}" in
--inside) inside; exit $? ;;
--cmd) shift; cd "$TOP" && exec sh -c "$1" ;;
'') ;;
*) usage ;;
esac

need_deps
[ "$(id -u)" = 0 ] || die "needs root: mmdebstrap, chroot and mounts (run as root)"
mkdir -p "$OUT"
u=$(unproved | tr '\n' ' ')
[ -z "$u" ] || die "no real step in fresh.sh proves these packages of deps.list: $u"

MIRROR=${FRESH_MIRROR:-http://deb.debian.org}
# harness_hash DIR: the hash of the mirror and of the project's files in
# DIR (the project itself, or its copy in the root), less patches/ and
# *.md: names, modes and contents.
harness_hash() {
	{
		echo "$MIRROR"
		(cd "$TOP" && git ls-files -z --cached --others --exclude-standard) |
			tr '\0' '\n' | grep -v '^patches/\|\.md$' | sort |
			while IFS= read -r f; do
				[ -f "$1/$f" ] || continue
				printf '%s %s %s\n' "$(stat -c %a -- "$1/$f")" \
					"$(git hash-object --no-filters -- "$1/$f")" "$f"
			done
	} | git hash-object --stdin
}
PASSED=$OUT/fresh.passed
hash=$(harness_hash "$TOP")
if [ -z "${FRESH_CMD:-}" ] && [ "${FRESH_FORCE:-0}" != 1 ] && [ -f "$PASSED" ]; then
	phash='' ptime=''
	read -r phash ptime <"$PASSED" || true
	age=$(( $(date +%s) - ${ptime:-0} ))
	if [ "$phash" = "$hash" ] && [ "$age" -ge 0 ] && [ "$age" -lt 86400 ]; then
		echo "fresh: ok: passed $((age / 60)) min ago in this clone with the same harness (every file but patches/ and *.md); not run again (FRESH_FORCE=1 runs it)"
		exit 0
	fi
fi
[ -n "${FRESH_CMD:-}" ] || rm -f "$PASSED"

F=$OUT/fresh
ROOT=$F/root
rm -rf "$F"
mkdir -p "$F"
run_logged "a minimal bookworm root (mmdebstrap minbase + git, make) in ${ROOT#"$TOP"/}" \
	"$OUT/logs/fresh-mmdebstrap.log" "" "$(usual mmdebstrap)" \
	mmdebstrap --variant=minbase --include=git,make bookworm "$ROOT" \
	"deb $MIRROR/debian bookworm main" \
	"deb $MIRROR/debian bookworm-updates main" \
	"deb $MIRROR/debian-security bookworm-security main" ||
	die "mmdebstrap failed (log: out/logs/fresh-mmdebstrap.log)"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"

# The project as it is now: tracked files, and untracked ones not ignored.
P=/work/p
mkdir -p "$ROOT$P"
(cd "$TOP" && git ls-files -z --cached --others --exclude-standard |
	tar --null -T - -cf -) | tar -C "$ROOT$P" -xf - ||
	die "cannot copy the project into $ROOT$P"
[ -f "$ROOT$P/scripts/fresh.sh" ] ||
	die "the project did not reach $ROOT$P (does git ls-files work here?)"
# What is recorded on a pass: the harness as the root got it.
hash=$(harness_hash "$ROOT$P")

inner='--inside'
if [ -n "${FRESH_CMD:-}" ]; then
	say "in the root, as a newcomer: $FRESH_CMD (logs: ${ROOT#"$TOP"/}$P/out/logs/)"
	inner='--cmd'
else
	say "in the root: deps.sh, deps.list, the scripts' commands, a real step per package (usually $(usual fresh-inside)); logs: ${ROOT#"$TOP"/}$P/out/logs/"
fi
rc=0
# shellcheck disable=SC2016 # $1 is for the inner sh
unshare --mount --propagation private sh -c '
	mount -t proc proc "$1/proc" &&
	mount --rbind /dev "$1/dev" &&
	mount -t sysfs sysfs "$1/sys" &&
	exec chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb sh "$2/scripts/fresh.sh" "$3" "$4"
' sh "$ROOT" "$P" "$inner" "${FRESH_CMD:-}" || rc=$?
if [ -n "${FRESH_CMD:-}" ]; then
	echo "fresh: '$FRESH_CMD' in a minbase bookworm root with git and make: exit $rc"
	exit "$rc"
fi
case "$rc" in
0)
	echo "fresh: ok: a minbase bookworm root with git and make runs the harness after its own deps step"
	echo "$hash $(date +%s)" >"$PASSED"
	;;
1) echo "fresh: FAIL: something the harness needs is missing on a fresh machine (lines above)" ;;
*) echo "fresh: FAIL: the run in the root stopped (exit $rc)"; rc=1 ;;
esac
exit "$rc"
