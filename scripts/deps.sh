#!/bin/sh
# scripts/deps.sh - install the Debian packages the harness needs.
#
# As root: installs what is missing with apt-get and says so. Without root:
# prints the apt-get line and exits 2. Each script also checks what it uses,
# so this is only a shortcut that does it all at once (make deps; make check
# runs it first).
# Exit: 0 all present, 2 missing and not root, or apt-get failed.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0"; exit 2; }
need_pkgs gcc make flex bison bc perl python3 ccache git libelf-dev libssl-dev \
	xz-utils dpkg-dev qemu-system-x86 qemu-system-arm \
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross libc6-dev busybox-static \
	shellcheck python3-ply python3-git b4 git-email libmailtools-perl \
	sparse
say "host packages: all present"
