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
export CCACHE_DIR="${CCACHE_DIR:-$OUT/ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$OUT}"
export CCACHE_NOHASHDIR=1

# Fixed identity of everything this harness commits or exports.
# shellcheck disable=SC2034 # used by the scripts that source this file
SERIES_NAME='linux-dma-ownership'
# shellcheck disable=SC2034
SERIES_EMAIL='linux-dma-ownership@example.org'

say() { printf '%s: %s\n' "${0##*/}" "$*"; }
warn() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { warn "error: $*"; exit 2; }

# need_cmd CMD PKG...: make sure CMD exists; install PKG with apt-get as root,
# or print the apt-get line and exit 2 without root.
need_cmd() {
	_cmd=$1; shift
	command -v "$_cmd" >/dev/null 2>&1 && return 0
	need_pkgs "$@"
	command -v "$_cmd" >/dev/null 2>&1 || die "'$_cmd' still missing after installing $*"
}

# need_file PATH PKG...: as need_cmd, for a file a package provides.
need_file() {
	_f=$1; shift
	[ -e "$_f" ] && return 0
	need_pkgs "$@"
	[ -e "$_f" ] || die "'$_f' still missing after installing $*"
}

# need_pkgs PKG...: install what is not installed yet.
need_pkgs() {
	_missing=
	for _p in "$@"; do
		dpkg-query -W -f='${Status}' "$_p" 2>/dev/null | grep -q 'ok installed' ||
			_missing="$_missing $_p"
	done
	[ -z "$_missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		warn "missing Debian packages:$_missing"
		warn "run as root: apt-get install -y --no-install-recommends$_missing"
		exit 2
	fi
	if [ -z "${_APT_UPDATED:-}" ]; then
		say "apt-get update"
		apt-get update -qq >/dev/null || die "apt-get update failed"
		_APT_UPDATED=1
	fi
	say "installing Debian packages:$_missing"
	# shellcheck disable=SC2086 # word splitting of the package list is wanted
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$_missing >/dev/null || die "apt-get install$_missing failed"
}

# series_files: the patch files patches/series names, in order (comments and
# blank lines skipped); nothing for a missing or empty series.
series_files() {
	[ -f "$TOP/patches/series" ] || return 0
	grep -v '^[[:space:]]*\(#\|$\)' "$TOP/patches/series" || true
}

# need_foreign_arch ARCH: let apt fetch packages of Debian architecture ARCH
# (dpkg --add-architecture + apt-get update, as root; else exit 2).
need_foreign_arch() {
	[ "$(dpkg --print-architecture)" = "$1" ] && return 0
	dpkg --print-foreign-architectures | grep -qx "$1" && return 0
	if [ "$(id -u)" != 0 ]; then
		warn "apt cannot fetch $1 packages; run as root: dpkg --add-architecture $1 && apt-get update"
		exit 2
	fi
	say "enabling the $1 foreign architecture (dpkg --add-architecture $1), apt-get update"
	dpkg --add-architecture "$1"
	apt-get update -qq >/dev/null || die "apt-get update failed"
	_APT_UPDATED=1
}

# The packages every kernel build needs.
need_build_tools() {
	need_cmd gcc gcc
	need_cmd make make
	need_cmd flex flex
	need_cmd bison bison
	need_cmd bc bc
	need_cmd perl perl
	need_cmd python3 python3
	need_cmd ccache ccache
	need_cmd git git
	need_file /usr/include/libelf.h libelf-dev
	need_file /usr/include/openssl/ssl.h libssl-dev
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
