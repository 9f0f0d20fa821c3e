# linux-dma-ownership: an IOMMU DMA-ownership patch series for Linux 5.10 LTS
# and its proof. Recipes call scripts/; the logic lives there.
#
# Variables: ARCH=x86_64|arm64  IOMMU=intel|amd (x86_64), smmuv3|virtio
# (arm64)  BASE=1 (unpatched base)  TESTS=a,b (guest programs)  KSRC=dir
# (kernel tree)  KERNEL_TARBALL=file  FORCE=1  STEPS=...
include base.mk

S := scripts
export ARCH IOMMU BASE TESTS KSRC KERNEL_TARBALL FORCE STEPS TIMEOUT JOBS ARCHES ONLY RANGE CORNERS EACH BOOTS NOCACHE RECORD ITER CAP STRIDE BASE_RUN

.PHONY: help deps tree export roundtrip mbox kernel-doc kselftest-host mutants checkpatch each-patch kunit guest \
	harness-test demo check bench stress fresh robot-objs robot-warnings config-corners clean distclean

help:
	@echo 'linux-dma-ownership: IOMMU DMA ownership for Linux $(BASE_VERSION)'
	@echo
	@echo '  make demo          the main job: base vs patched x86_64 guest, bind a'
	@echo '                     kernel driver into a group a VFIO container holds'
	@echo '  make check         every test (what CI runs)'
	@echo '  make bench         run-time cost of the series vs the base, x86_64 guests'
	@echo '                     without debug options, alternately [BOOTS=3] (~5 min warm)'
	@echo '  make stress        the long form of the reliability tests: concurrent load,'
	@echo '                     every allocation failing in turn, bad input, on the debug'
	@echo '                     guests, and the base [ITER=1000 STRIDE=1 ARCHES=...]'
	@echo
	@echo '  make deps          install the Debian packages the harness needs (root)'
	@echo '  make tree          out/linux = pinned $(BASE_TAG) + patches/ (git am)'
	@echo '  make export        regenerate patches/ from out/linux, prove the round trip'
	@echo '  make roundtrip     prove patches/ == out/linux branch, byte-identical regen'
	@echo '  make mbox          send the series into one mbox; b4 am and git am it, = branch'
	@echo '  make kernel-doc    no new kernel-doc warning in the touched files, exports documented'
	@echo '  make kselftest-host  the kselftest of the series, built by its Makefile, run here: must SKIP'
	@echo '  make mutants       boot the x86_64 guest once per mutants/*.patch: the tests it names must fail (~3 min each)'
	@echo '  make checkpatch    checkpatch --strict on every patch'
	@echo '  make each-patch    build every patch on its own (x86_64 guest vmlinux, KUnit suites),'
	@echo '                     record them in each-patch.verified [EACH=changed: only new trees]'
	@echo '  make kunit         KUnit suites on UML (tools/testing/kunit/kunit.py)'
	@echo '  make guest ARCH=x86_64|arm64 [IOMMU=...] [BASE=1] [TESTS=a,b]'
	@echo '                     build and boot a QEMU guest, run the guest tests;'
	@echo '                     IOMMU=intel (default) or amd on x86_64, smmuv3'
	@echo '                     (default) or virtio on arm64'
	@echo '  make harness-test  tests of the harness itself (log verdict fixtures)'
	@echo '  make fresh         deps.list and the harness on a minimal bookworm root (mmdebstrap)'
	@echo '  make robot-objs    every touched .c file at every patch, x86_64 + arm64 allmodconfig'
	@echo '                     [ARCHES=...] [ONLY=last|N...] [RANGE=a-b]'
	@echo '  make robot-warnings  no new W=1/sparse warning vs the base [ARCHES=x86_64 arm64]'
	@echo '  make config-corners  vmlinux with IOMMU_API=n, VFIO=n, VFIO=m, PCI=n [CORNERS=...]'
	@echo '  make clean         remove builds and logs (keeps out/linux and downloads)'
	@echo '  make distclean     remove out/ entirely'

deps:
	@$(S)/deps.sh
tree:
	@$(S)/tree.sh
export:
	@$(S)/export.sh
roundtrip:
	@$(S)/roundtrip.sh
mbox:
	@$(S)/mbox.sh
kernel-doc:
	@$(S)/kernel-doc.sh

kselftest-host:
	@$(S)/kselftest-host.sh

mutants:
	@$(S)/mutants.sh
checkpatch:
	@$(S)/checkpatch.sh
each-patch:
	@$(S)/each-patch.sh
kunit:
	@$(S)/kunit.sh
guest:
	@$(S)/guest.sh
harness-test:
	@tests/run.sh
demo:
	@$(S)/demo.sh
check:
	@$(S)/check.sh
stress:
	@$(S)/stress.sh
bench:
	@$(S)/bench.sh
fresh:
	@$(S)/fresh.sh
robot-objs:
	@$(S)/robot-objs.sh
robot-warnings:
	@$(S)/robot-warnings.sh
config-corners:
	@$(S)/config-corners.sh
clean:
	rm -rf out/build out/logs out/guest out/each out/base out/roundtrip* out/mbox out/kernel-doc out/kselftest-host out/robot out/fresh
	-git -C out/linux worktree prune 2>/dev/null
distclean:
	rm -rf out
