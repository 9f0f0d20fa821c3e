#!/bin/sh
# scripts/deps.sh - install everything the harness needs, from deps.list.
#
# As root: enables the arm64 foreign architecture, adds the deb-src entry of
# the pinned base's suite, then one apt-get update and ONE apt-get install of
# every package of deps.list that is missing, and says so (log:
# out/logs/apt-get.log). Without root: prints the commands and exits 2.
# Every script starts with the same check (need_deps in lib.sh), so
# `make demo` and `make check` do this themselves; this is the shortcut.
# Exit: 0 all present, 2 missing and not root, or apt-get failed.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0"; exit 2; }
need_deps_sources
say "host packages: all $(deps_packages | wc -l) of deps.list present"
