# The pinned base of the series. One place; everything else reads it.
#
# Upstream Linux 5.10.262 as shipped by Debian's `linux` source package
# 5.10.262-1 (bullseye-security). Its orig tarball is upstream 5.10.262 less
# a few non-free files; none of them is touched by the series.
BASE_VERSION   := 5.10.262
BASE_DEB_PKG   := linux
BASE_DEB_VER   := 5.10.262-1
BASE_DEB_SUITE := bullseye-security
BASE_TARBALL   := linux_5.10.262.orig.tar.xz
BASE_SHA256    := e03766e4b2c246a20c9e2770aa599ee25c336d33b31c0980950230634e195339
# The base commit is made with fixed identity and dates (the tarball's own
# mtime), so its id is the same on every machine; `make tree` verifies it.
BASE_TAG       := v5.10.262
BASE_DATE      := 2026-07-30T10:56:00+0000
BASE_COMMIT    := 059c360ee4de7b62934644d460ad6ada32fdbfd2
