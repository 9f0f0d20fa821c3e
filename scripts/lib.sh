# shellcheck shell=sh
# scripts/lib.sh - helpers shared by the host-side scripts. Sourced, not run.
#
# Sets TOP (the repo), OUT (generated files), KSRC (the kernel work tree) and
# the pin variables from base.mk. Exit codes used by every script:
#   0 pass, 1 a test failed, 2 harness error (bad input, missing tool, ...).

# Called from make or by hand, scripts behave the same: the kernel builds
# they run must not inherit the top make's flags.
unset MAKEFLAGS MFLAGS MAKELEVEL

TOP=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
OUT=${OUT:-$TOP/out}
KSRC=${KSRC:-$OUT/linux}

# The pin: read base.mk's `NAME := value` lines into shell variables.
eval "$(sed -n 's/^\([A-Z0-9_]*\)[[:space:]]*:=[[:space:]]*\(.*\)$/\1="\2"/p' "$TOP/base.mk")"

# ccache for every kernel build. Source trees and build dirs are laid out so
# the source is always ../../linux from the build dir (out/linux +
# out/build/<arch>, out/base/linux + out/base/build/<arch>, out/each/linux +
# out/each/build/<arch>): with base_dir = out/, unchanged files hit the cache
# whichever tree compiles them.
# The cache is shared by every clone of the project on the machine
# (~/.cache/linux-dma-ownership/ccache): with base_dir = out/, the paths are
# relative, so a fresh clone (CI's) hits what another clone compiled.
# CCACHE_DIR=<empty dir> for a cold run.
export CCACHE_DIR="${CCACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/linux-dma-ownership/ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$OUT}"
export CCACHE_NOHASHDIR=1
# Five kernels (three guests, UML, the corners) and allmodconfig objects.
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-25G}"

# Fixed identity of everything this harness commits or exports.
# shellcheck disable=SC2034 # used by the scripts that source this file
SERIES_NAME='linux-dma-ownership'
# shellcheck disable=SC2034
SERIES_EMAIL='linux-dma-ownership@example.org'

say() { printf '%s: %s\n' "${0##*/}" "$*"; }
warn() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { warn "error: $*"; exit 2; }

# The Debian packages, from deps.list (the one list): `package provides...`.
deps_entries() { sed -e 's/#.*//' "$TOP/deps.list" | awk 'NF'; }
deps_packages() { deps_entries | awk '{ print $1 }'; }

# deps_missing: the packages of deps.list that are not installed.
deps_missing() {
	# shellcheck disable=SC2046 # one word per package
	_inst=" $(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $(deps_packages) 2>/dev/null |
		awk '$2 == "installed" { printf "%s ", $1 }' || true)"
	for _pk in $(deps_packages); do
		case "$_inst" in *" $_pk "*) ;; *) echo "$_pk" ;; esac
	done
}

# The apt sources the harness adds, as root: the arm64 foreign architecture
# (busybox-static:arm64 for the arm64 initramfs) and a deb-src entry for the
# pinned base's suite (source packages only, nothing else from it).
BASE_SOURCES=/etc/apt/sources.list.d/linux-dma-ownership-base.sources
apt_setup_missing() {
	{ [ "$(dpkg --print-architecture)" = arm64 ] ||
		dpkg --print-foreign-architectures | grep -qx arm64; } || echo arm64-arch
	[ -f "$BASE_SOURCES" ] || echo deb-src
}
apt_setup() {
	for _what in $(apt_setup_missing); do
		case "$_what" in
		arm64-arch)
			say "enabling the arm64 foreign architecture (dpkg --add-architecture arm64)"
			dpkg --add-architecture arm64 ;;
		deb-src)
			say "adding a deb-src entry for $BASE_DEB_SUITE (source packages only): $BASE_SOURCES"
			cat >"$BASE_SOURCES" <<-SRC
			Types: deb-src
			URIs: http://deb.debian.org/debian-security
			Suites: $BASE_DEB_SUITE
			Components: main
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
			SRC
			;;
		esac
	done
}

# need_deps: every package of deps.list installed. need_deps_sources: that,
# and the arm64 architecture and the deb-src entry as well. As root,
# what is missing is added with one apt-get update and ONE apt-get install;
# without root, the commands are printed and the script exits 2.
need_deps() { deps_ensure 0; }
need_deps_sources() { deps_ensure 1; }
deps_ensure() {
	_missing=$(deps_missing | tr '\n' ' ')
	_setup=
	if [ -n "$_missing" ] || [ "$1" = 1 ]; then
		_setup=$(apt_setup_missing | tr '\n' ' ')
	fi
	[ -z "$_missing$_setup" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		case "$_setup" in *arm64-arch*)
			warn "run as root: dpkg --add-architecture arm64" ;; esac
		case "$_setup" in *deb-src*)
			warn "run as root: make deps (adds $BASE_SOURCES for $BASE_DEB_SUITE)" ;; esac
		[ -z "$_missing" ] || {
			warn "missing Debian packages: $_missing"
			warn "run as root: apt-get update && apt-get install -y --no-install-recommends $_missing"
		}
		exit 2
	fi
	apt_setup
	mkdir -p "$OUT/logs"
	_log=$OUT/logs/apt-get.log
	_t=$(date +%s)
	say "apt-get update (log: $_log)"
	apt-get update >>"$_log" 2>&1 || die "apt-get update failed (log: $_log)"
	if [ -n "$_missing" ]; then
		say "installing $(echo "$_missing" | wc -w) Debian packages in one apt-get call (about 2 min here): $_missing"
		# shellcheck disable=SC2086 # word splitting of the package list is wanted
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			$_missing >>"$_log" 2>&1 || die "apt-get install failed (log: $_log)"
	fi
	_still=$(deps_missing | tr '\n' ' ')
	[ -z "$_still" ] || die "still not installed after apt-get: $_still (log: $_log)"
	say "Debian packages ready in $(elapsed "$_t") s"
}

# series_files: the patch files patches/series names, in order (comments and
# blank lines skipped); nothing for a missing or empty series.
series_files() {
	[ -f "$TOP/patches/series" ] || return 0
	grep -v '^[[:space:]]*\(#\|$\)' "$TOP/patches/series" || true
}

# clean_tree DIR: the tree id of the HEAD of git work tree DIR when no tracked
# file of it is modified (its build is then that tree's); returns 1, printing
# nothing, otherwise.
clean_tree() {
	[ -z "$(git -C "$1" status --porcelain --untracked-files=no)" ] || return 1
	git -C "$1" rev-parse 'HEAD^{tree}'
}

# no_kernel_change SRC COMMIT: COMMIT (a commit of git work tree SRC with
# one parent) changes only tools/testing/selftests/ or MAINTAINERS, which
# no kernel build reads (Documentation/ is not one of them: the top Kconfig
# sources Documentation/Kconfig); a build of its tree is then a build of its
# parent's. Returns 1 otherwise; exits 2 (die) if git fails.
no_kernel_change() {
	_nk=$(git -C "$1" diff --name-only "$2^" "$2" -- . ':(exclude)MAINTAINERS' \
		':(exclude)tools/testing/selftests/') || die "git diff failed in $1 ($2)"
	[ -z "$_nk" ]
}

# kunit_fragment SRC FRAG: the lines of config fragment FRAG whose symbol the
# Kconfig files of the kernel tree SRC define (the others would not reach
# .config). Used for the unpatched base and each commit of the series: the
# base then has CONFIG_KUNIT=y like the series's first patches, so their
# x86_64 guest builds share ccache entries.
kunit_fragment() {
	while read -r _line; do
		case "$_line" in CONFIG_*=*) ;; *) continue ;; esac
		_sym=${_line%%=*}
		_rc=0
		git -C "$1" grep -qE "^(menu)?config ${_sym#CONFIG_}\$" -- '*Kconfig*' || _rc=$?
		case "$_rc" in
		0) echo "$_line" ;;
		1) ;;
		*) die "git grep failed in $1 (looking for ${_sym#CONFIG_} in Kconfig)" ;;
		esac
	done <"$2"
}

# Elapsed seconds since $1 (a `date +%s` value).
elapsed() { echo $(( $(date +%s) - $1 )); }

# guest_frags ARCH BASE [DEBUG]: the config fragments of a guest kernel, in
# merge order (kbuild.sh merges them; each-patch.sh hashes them). The
# unpatched base (BASE=1) only has to show the crash: no debug options (KASAN
# and lockdep double its build and its boot), no KUnit. DEBUG=0 or 1
# overrides that choice (make bench builds the series without them).
guest_frags() {
	echo "$TOP/configs/guest-common.config $TOP/configs/guest-pci.config"
	case "${3:-}" in
	0) ;;
	1) echo "$TOP/configs/guest-debug.config" ;;
	*) [ "$2" = 1 ] || echo "$TOP/configs/guest-debug.config" ;;
	esac
	echo "$TOP/configs/guest-$1.config"
}

# each_conf: the hash that names the config and recipe of an x86_64 guest
# build of the series: its fragments (guest_frags, the KUnit fragment), the
# recipe lines of kbuild.sh (between its `# --- recipe` and `# --- end recipe`
# marks) and gcc's version. each-patch.verified records it for each tree.
each_conf() {
	{
		# shellcheck disable=SC2046 # paths without spaces
		cat $(guest_frags x86_64 0) "$TOP/configs/guest-kunit.config"
		sed -n '/^# --- recipe/,/^# --- end recipe/p' "$TOP/scripts/kbuild.sh"
		gcc --version | head -1
	} | git hash-object --stdin
}

# The short form of make stress (scripts/stress.sh) that make check's
# default-IOMMU boots and make mutants run: guest/stress.c with its 20
# rounds per worker, guest/faults.c with every 10th allocation of its
# long paths; each program may take 25 min (stress stops itself at 15).
# shellcheck disable=SC2034 # used by check.sh and mutants.sh
SHORT_STRESS="dmaown.faults_stride=10 dmaown.timeout=1500"

# usual WHAT: how long WHAT usually takes on this machine (2 cores, no KVM),
# as measured; shown before each long step.
usual() {
	case "$1" in
	apt) echo "about 40 s" ;;
	tree) echo "about 45 s (download, sha256, unpack, commit, git am)" ;;
	kbuild-x86_64) echo "11 min cold (16 beside a booting guest), under 1 min with ccache" ;;
	kbuild-base-x86_64) echo "5 min cold, under 1 min with ccache" ;;
	kbuild-arm64) echo "7 min cold (10 beside the fresh step), under 1 min with ccache" ;;
	boot-x86_64) echo "about 5 min alone, 7 in make check beside the arm64 boot (2.5 without stress, faults and leaks)" ;;
	boot-base-x86_64) echo "under 1 min, until the expected crash" ;;
	boot-arm64) echo "about 4 min alone, 7 in make check beside the x86_64 boot (3 without stress, faults and leaks)" ;;
	boot-x86_64-amd) echo "about 2.5 min" ;;
	boot-arm64-virtio) echo "about 3.5 min" ;;
	demo-boot) echo "about 1 min" ;;
	kbuild-bench) echo "5 min cold (the base's config with the series), under 1 min with ccache" ;;
	boot-bench) echo "about 35 s" ;;
	kunit) echo "3.5 min cold, 30 s with ccache" ;;
	corner-vfio-m) echo "4.5 min cold (the first corner), 20 s with ccache" ;;
	corner-*) echo "under 1 min cold, 20 s with ccache" ;;
	mmdebstrap) echo "about 1 min" ;;
	fresh-inside) echo "about 7 min" ;;
	*) echo "a while" ;;
	esac
}

# run_logged WHAT LOG DIR USUAL CMD...: run CMD with its output in LOG only.
# Says what it does, how long it usually takes (USUAL) and where the log
# is; while it runs, shows it is alive: on a terminal one line updated every
# 5 s, otherwise a line a minute, with the elapsed time and the number of
# objects (*.o) compiled under DIR since it started (DIR may be empty). On
# failure prints the log's last RUN_LOGGED_TAIL (default 25) lines. Returns
# CMD's exit status.
run_logged() {
	_what=$1 _log=$2 _dir=$3 _usual=$4
	shift 4
	mkdir -p "$(dirname -- "$_log")"
	say "$_what: usually $_usual; log: ${_log#"$TOP"/}"
	_stamp=$_log.start
	: >"$_stamp"
	_t=$(date +%s)
	_tty=0
	[ -t 1 ] && _tty=1
	_every=$([ "$_tty" = 1 ] && echo 5 || echo "${PROGRESS_EVERY:-60}")
	# The progress in the background, the command in the foreground (so
	# that Ctrl-C stops the command: a background command ignores SIGINT).
	(
		_next=$_every
		while sleep 1; do
			_e=$(elapsed "$_t")
			[ "$_e" -ge "$_next" ] || continue
			_next=$((_e + _every))
			_n=
			[ -z "$_dir" ] || [ ! -d "$_dir" ] ||
				_n=", $(find "$_dir" -name '*.o' -newer "$_stamp" 2>/dev/null | wc -l) objects compiled"
			if [ "$_tty" = 1 ]; then
				printf '\r%s:   ... %s s%s ' "${0##*/}" "$_e" "$_n"
			else
				say "  ... $_e s$_n"
			fi
		done
	) &
	_mon=$!
	_rc=0
	"$@" >"$_log" 2>&1 || _rc=$?
	kill "$_mon" 2>/dev/null || true
	wait "$_mon" 2>/dev/null || true
	[ "$_tty" = 0 ] || printf '\r\033[K'
	rm -f "$_stamp"
	if [ "$_rc" = 0 ]; then
		say "$_what: done in $(elapsed "$_t") s"
	else
		say "$_what: FAILED after $(elapsed "$_t") s (exit $_rc); log: ${_log#"$TOP"/}"
		[ "${RUN_LOGGED_TAIL:-25}" = 0 ] || tail -n "${RUN_LOGGED_TAIL:-25}" "$_log" | sed 's/^/    /'
	fi
	return "$_rc"
}
