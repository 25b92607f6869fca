# SPDX-License-Identifier: GPL-2.0
#
# vgpu-display developer entry point. Kbuild reads ./Kbuild, never this file.
#
#   make deps     install packages, fetch and cache Linux 6.12 (scripts/deps.sh)
#   make          kernel modules + userspace (library, selftests)
#   make lint     checkpatch --strict, layers, W=1, sparse, kernel-doc, docs
#   make docs     HTML documentation and man pages in build/docs
#   make vmtest   run the selftests in a 6.12 VM   (T="prog [harness args]")
#   make check    deps, build, lint, vmtest; ends with "N passed, N failed"
#   make bench    benchmarks against upstream mbochs in one VM (figures, ratios)
#   make demo     a vGPU's guest through stock QEMU: PNGs + report in demo-out/
#   make check-e2e  the slow end-to-end tests (stock Linux bochs-drm guest, OVMF,
#                   live migration between two QEMU 10.0)
#   make check-libvirt  Debian's libvirt 9.0 and 11.3 starting the example domain
#   make check-debug  the suite on a debug 6.12 kernel (KASAN, lockdep, ...)
#   make check KERNEL=7.3  build + suite on a kernel of the matrix (6.1 6.12 7.3)
#   make check-kernels     the same on every kernel of the matrix, and a table

VGPU_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/vgpu-display
export VGPU_CACHE
-include $(VGPU_CACHE)/config.mk

# Any Linux 6.12 build tree works; the default is the cached Debian headers.
KDIR ?= $(or $(VGPU_KDIR),$(lastword $(sort $(wildcard /usr/src/linux-headers-6.12.*-amd64))))
KSELFTEST_DIR ?= $(VGPU_KSRC)/tools/testing/selftests
CHECKPATCH ?= perl $(VGPU_KSRC)/scripts/checkpatch.pl
KERNELDOC ?= perl $(VGPU_KSRC)/scripts/kernel-doc
VM_OUT ?= $(CURDIR)/vm-out
VM_ARGS ?= --slub-debug
# Under TCG every stac/clac (SMAP) exits QEMU's translated code, costing
# more than a whole ioctl's dispatch; hardware does it in a few cycles.
# The bench VM leaves SMAP out under TCG so ratios reflect the code, not the
# emulator (Documentation/bench.rst); BENCH_VM_ARGS= measures with it.
BENCH_VM_ARGS ?= --tcg-no-smap
# Under TCG a string copy (rep movsb), which glibc's memcpy picks for
# sizes from a few KiB to about a MiB, runs at a sixth of the speed of its
# vector loop; on hardware (ERMS) the two are about even. The bench VM has
# glibc use the vector loop there too (Documentation/bench.rst);
# BENCH_TUNABLES= measures with glibc's own choice.
BENCH_TUNABLES ?= glibc.cpu.x86_rep_movsb_threshold=4294967296
T ?=

C_SOURCES = $(shell git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || \
		find mdev uapi qemu-glue selftests -name '*.[ch]')
KDOC_SOURCES = $(filter mdev/% uapi/% qemu-glue/lib/%,$(C_SOURCES))
KERNEL_SOURCES = $(filter mdev/% uapi/%,$(C_SOURCES))
USER_SOURCES = $(filter-out mdev/% uapi/%,$(C_SOURCES))
CHECKPATCH_USER = $(shell grep -v '^\#' scripts/checkpatch-userspace.conf)

all: modules userspace

need-kdir:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
	  { echo "No Linux 6.12 build tree: run 'make deps' or pass KDIR=/path/to/linux-6.12/build" >&2; exit 1; }

need-deps:
	@test -f "$(VGPU_CACHE)/config.mk" || \
	  { echo "Dependencies not prepared: run 'make deps' (as root on a fresh machine)" >&2; exit 1; }

deps:
	scripts/deps.sh

# The test-only importer is its own external module build: never part of
# what modules_install installs. So are the KUnit suites (mdev/kunit),
# built against the driver's symbols and only for a kernel with KUnit
# (Debian's has none).
KDIR_KUNIT = $(shell grep -qsE '^CONFIG_KUNIT=(y|m)' $(KDIR)/include/config/auto.conf && echo y)
KUNIT_BUILD = $(MAKE) -C $(KDIR) M=$(CURDIR)/mdev/kunit KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers
# Kbuild runs an external module's modpost again when its own objects
# change, not when the symbol versions it imports from the core do: drop
# its symbol dump when the core's is newer, so it links against the new
# CRCs instead of failing to load ("disagrees about version of symbol").
fresh-symvers = test ! $(CURDIR)/Module.symvers -nt $(CURDIR)/$(1)/Module.symvers || \
	rm -f $(CURDIR)/$(1)/Module.symvers
# scripts/conftest.sh probes KDIR and writes build/compat/<release>/
# vgpu_compat_gen.h, which mdev/include/vgpu_compat.h includes.
modules: need-kdir
	scripts/conftest.sh $(KDIR) >/dev/null
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/importer modules
	@$(call fresh-symvers,selftests/minivendor)
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/minivendor \
		KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers modules
	@$(if $(KDIR_KUNIT),$(call fresh-symvers,mdev/kunit))
	$(if $(KDIR_KUNIT),$(KUNIT_BUILD) modules)

userspace: need-deps
	$(MAKE) -C qemu-glue KUAPI=$(VGPU_KUAPI)
	$(MAKE) -C selftests KSELFTEST_DIR=$(KSELFTEST_DIR) KUAPI=$(VGPU_KUAPI)

# Lint: every finding fails. W=1 and sparse run in one forced rebuild.
lint: need-kdir need-deps
	@echo "lint: checkpatch --strict"
	@$(CHECKPATCH) --quiet --show-types -f $(KERNEL_SOURCES)
	@$(CHECKPATCH) --quiet --show-types $(CHECKPATCH_USER) -f $(USER_SOURCES)
	@echo "lint: the core's layers (Documentation/architecture.rst)"
	@scripts/check-layers
	@echo "lint: W=1 C=2 (sparse) build"
	@$(MAKE) -s -C $(KDIR) M=$(CURDIR) clean >/dev/null
	@$(MAKE) -s -C $(KDIR) M=$(CURDIR)/selftests/importer clean >/dev/null
	@$(MAKE) -s -C $(KDIR) M=$(CURDIR)/selftests/minivendor clean >/dev/null
	@$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 C=2 modules > .lint-build.log 2>&1 || \
	  { cat .lint-build.log; exit 1; }
	@$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/importer W=1 C=2 modules \
	  >> .lint-build.log 2>&1 || { cat .lint-build.log; exit 1; }
	@$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/minivendor W=1 C=2 \
	  KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers modules \
	  >> .lint-build.log 2>&1 || { cat .lint-build.log; exit 1; }
	@$(if $(KDIR_KUNIT),$(KUNIT_BUILD) W=1 C=2 modules >> .lint-build.log 2>&1 || \
	  { cat .lint-build.log; exit 1; })
	@if grep -E 'warning:|error:' .lint-build.log; then \
	  echo "lint: W=1/sparse reported the lines above" >&2; exit 1; fi
	@rm -f .lint-build.log
	@# Kbuild's clean removes every *.o and *.a below M=, the userspace ones
	@# too (libvgpu's objects, which libvgpu_symbols_test links): again.
	@$(MAKE) -s all >/dev/null
	@echo "lint: kernel-doc"
	@$(KERNELDOC) -none -Wall $(KDOC_SOURCES) 2> .lint-kdoc.log; \
	  if [ -s .lint-kdoc.log ]; then cat .lint-kdoc.log; exit 1; fi; rm -f .lint-kdoc.log
	@echo "lint: documentation build (sphinx -W)"
	@$(MAKE) -s docs DOCS_OUT=$(CURDIR)/.lint-docs >/dev/null
	@rm -rf .lint-docs
	@echo "lint: clean"

DOCS_OUT ?= $(CURDIR)/build/docs
docs: need-deps
	sphinx-build -q -W -b html -D kerneldoc_bin=$(VGPU_KSRC)/scripts/kernel-doc \
		Documentation $(DOCS_OUT)
	sphinx-build -q -W -b man -D kerneldoc_bin=$(VGPU_KSRC)/scripts/kernel-doc \
		Documentation $(DOCS_OUT)/man
	@echo "docs: $(DOCS_OUT)/index.html, manual pages in $(DOCS_OUT)/man"

vmtest: need-deps
	@rm -rf $(VM_OUT)
	@status=0; scripts/vm-run -o $(VM_OUT) $(VM_ARGS) -- selftests/run_tests.sh $(T) || status=$$?; \
	  scripts/test-summary $(VM_OUT)/output.log $(VM_OUT)/findings.tests $$status

bench: all
	$(MAKE) -C bench KSELFTEST_DIR=$(KSELFTEST_DIR) KUAPI=$(VGPU_KUAPI) KDIR=$(KDIR) \
		MBOCHS_SRC=$(VGPU_KSRC)/samples/vfio-mdev/mbochs.c
	scripts/vm-run -o $(VM_OUT)-bench -m 2048 $(BENCH_VM_ARGS) \
		$(if $(BENCH_TUNABLES),--env GLIBC_TUNABLES=$(BENCH_TUNABLES)) \
		-- bench/run_bench.sh $(BENCH_ARGS)

# The fuzzer (selftests/vgpu_fuzz, Documentation/testing.rst) in one VM:
# FUZZ_OPS operations (a few minutes under TCG) from FUZZ_SEED (default:
# from the clock, printed first); FUZZ_ARGS passes more options.
FUZZ_OPS ?= 300000
FUZZ_SEED ?=
FUZZ_ARGS ?=
fuzz: all
	@rm -rf $(VM_OUT)-fuzz
	scripts/vm-run -o $(VM_OUT)-fuzz -m 2048 -t 3600 $(VM_ARGS) -- selftests/vgpu_fuzz \
		--ops $(FUZZ_OPS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) $(FUZZ_ARGS)
.PHONY: fuzz

# The Linux end-to-end guest: the cached 6.12 kernel, and an initramfs with
# the stock bochs DRM driver and e2e/linux/drm_pattern (built here, from
# the packages; nothing of it is committed).
E2E_LINUX := selftests/e2e/linux
E2E_LINUX_BUILD := $(E2E_LINUX)/build
e2e-linux-guest: need-deps
	@mkdir -p $(E2E_LINUX_BUILD)
	$(CC) -static -O2 -g -Wall -Wextra -Werror -I$(VGPU_KUAPI) \
		-o $(E2E_LINUX_BUILD)/drm_pattern $(E2E_LINUX)/drm_pattern.c
	$(E2E_LINUX)/mkinitramfs.sh $(E2E_LINUX_BUILD)/initramfs.cpio $(VGPU_KMODROOT) \
		$(VGPU_KVER) $(E2E_LINUX_BUILD)/drm_pattern
	ln -sf $(VGPU_VMLINUZ) $(E2E_LINUX_BUILD)/vmlinuz

# The slow end-to-end tests: QEMU inside the test VM boots a Linux guest
# (nested emulation: minutes), and boots OVMF with each display kind
# (ovmf_test: one to four minutes), and migrates a guest from one QEMU
# 10.0 to another (qemu_migration_test). The L1 CPU hides AVX: with it,
# the nested Linux crashes early in text patching under TCG.
check-e2e:
	scripts/deps.sh
	$(MAKE) all
	$(MAKE) e2e-linux-guest
	@rm -rf $(VM_OUT)-e2e
	@status=0; scripts/vm-run -o $(VM_OUT)-e2e -m 2048 -t 3600 --cpu max,avx=off,avx2=off \
		-- env VGPU_E2E_SLOW=1 selftests/run_tests.sh \
		"qemu_e2e_test qemu_migration_test ovmf_test" || status=$$?; \
	  scripts/test-summary $(VM_OUT)-e2e/output.log $(VM_OUT)-e2e/findings.tests $$status

# libvirt's QEMU driver as Debian ships it: 9.0, and 11.3 from
# bookworm-backports (scripts/libvirt-debs.sh fetches them into the cache;
# nothing is installed on the host). One VM per version: libvirt_test
# unpacks the packages in it and starts qemu-glue/examples/'s domain.
LIBVIRTS ?= 9.0 11.3
check-libvirt:
	scripts/deps.sh
	$(MAKE) all
	scripts/libvirt-debs.sh $(LIBVIRTS)
	@rm -rf $(VM_OUT)-libvirt && mkdir -p $(VM_OUT)-libvirt && \
	  : > $(VM_OUT)-libvirt/findings.tests
	@status=0; for v in $(LIBVIRTS); do \
	  scripts/vm-run -o $(VM_OUT)-libvirt/$$v -t 1200 \
	    --env VGPU_LIBVIRT_DEBS=$(VGPU_CACHE)/libvirt-$$v \
	    -- selftests/run_tests.sh libvirt_test || status=$$?; \
	  cat $(VM_OUT)-libvirt/$$v/output.log >> $(VM_OUT)-libvirt/output.log; \
	  cat $(VM_OUT)-libvirt/$$v/findings.tests >> $(VM_OUT)-libvirt/findings.tests \
	    2>/dev/null || true; \
	done; \
	scripts/test-summary $(VM_OUT)-libvirt/output.log $(VM_OUT)-libvirt/findings.tests $$status

.PHONY: check-libvirt

DEMO_OUT ?= $(CURDIR)/demo-out
demo:
	@echo "demo: preparing dependencies and building (make deps, make)"
	@scripts/deps.sh
	@$(MAKE) -s all >/dev/null
	@rm -rf $(DEMO_OUT)
	@echo "demo: booting the Linux 6.12 test VM (QEMU, software emulation)"
	@scripts/vm-run -o $(DEMO_OUT) -m 2048 -- qemu-glue/demo/vgpu-demo
	@echo "demo: open $(DEMO_OUT)/report.md and the PNG files next to it"

# With KERNEL= (6.1, 6.12 or 7.3: Documentation/testing.rst, "The kernel
# matrix") the suite runs on that Debian kernel instead, with the modules
# built for it in build/kernels/KERNEL (scripts/check-kernels).
KERNELS ?= 6.1 6.12 7.3
KERNEL ?=
check:
	scripts/deps.sh
	$(MAKE) all
	$(MAKE) lint
	$(if $(KERNEL),T="$(T)" scripts/check-kernels $(KERNEL),$(MAKE) vmtest)

# Every kernel of the matrix: W=1 build and the whole suite on each, then
# the table (kernel, build, suite). smoke-kernels: the build and one test
# that loads the modules, opens an instance and QUERYs it (what CI runs).
check-kernels:
	scripts/deps.sh
	$(MAKE) all
	T="$(T)" scripts/check-kernels $(KERNELS)

smoke-kernels:
	scripts/deps.sh
	$(MAKE) all
	scripts/check-kernels --smoke $(KERNELS)

# The suite on a debug Linux 6.12 (KASAN, KFENCE, lockdep, kmemleak, UBSAN,
# fault injection: scripts/debug-kernel.config), built from linux-source-6.12
# once per configuration and cached (scripts/debug-kernel.sh). The modules
# are rebuilt against it in build/kdebug (scripts/debug-modules.sh; the
# in-tree build stays as it is) and the tests load those. T= as for vmtest.
# After the suite: selftests/vgpu_fuzz (skipped when absent) for two
# minutes (VGPU_FUZZ_ARGS), then a kmemleak scan. Documentation/testing.rst
# has the figures.
KDEBUG_DIR = $(VGPU_CACHE)/kdebug/current
KDEBUG_KO = $(CURDIR)/build/kdebug
DEBUG_VM_ARGS ?= -m 2048 -t 2400 --append "kasan.fault=report kasan_multi_shot kmemleak=on"
VGPU_FUZZ_ARGS ?= --duration 120
check-debug:
	scripts/deps.sh
	$(MAKE) all
	scripts/debug-kernel.sh >/dev/null
	scripts/debug-modules.sh $(KDEBUG_DIR)/build $(KDEBUG_KO)
	@rm -rf $(VM_OUT)-debug
	@status=0; scripts/vm-run -o $(VM_OUT)-debug --kernel-dir $(KDEBUG_DIR) $(DEBUG_VM_ARGS) \
		--env VGPU_KO_DIR=$(KDEBUG_KO) --env VGPU_KMEMLEAK=1 --env VGPU_FUZZ=1 \
		--env VGPU_FUZZ_ARGS="$(VGPU_FUZZ_ARGS)" -- selftests/run_tests.sh $(T) || status=$$?; \
	  scripts/test-summary $(VM_OUT)-debug/output.log $(VM_OUT)-debug/findings.tests $$status

# Installation (Documentation/install.rst). VERSION is the release's; the
# library's (qemu-glue/Makefile) and debian/changelog's are the same.
VERSION := 0.3.0
PREFIX ?= /usr/local
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
# kmod and systemd read these whatever the PREFIX.
MODPROBEDIR ?= /lib/modprobe.d
MODULESLOADDIR ?= /etc/modules-load.d
LOAD_AT_BOOT ?=
KREL = $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
DKMS_SRC = /usr/src/vgpu-display-$(VERSION)

# What building the modules needs, and nothing else: the DKMS source tree
# and the Debian vgpu-display-dkms package hold exactly these files (with
# dkms.conf). The KUnit suites and the test-only modules stay out; the
# compile-time probes come along when the tree has them.
DKMS_FILES = Kbuild $(wildcard scripts/conftest.sh) \
	$(shell find mdev uapi -path mdev/kunit -prune -o -type f \
		\( -name '*.[ch]' -o -name Kbuild \) ! -name '*.mod.c' -print | sort)

# The modules into the target kernel's updates/ (KDIR's kernel; Kbuild
# compresses them as that kernel's configuration says, and signs them only
# if the tree has its signing key: a distribution's headers do not). With
# DESTDIR, depmod is left to the target (a package's postinst, or by hand).
install-modules: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates \
		$(if $(wildcard $(KDIR)/certs/signing_key.pem),,CONFIG_MODULE_SIG_ALL=) modules_install
	$(if $(DESTDIR),@echo "install: modules in $(DESTDIR); run 'depmod $(KREL)' on the target", \
		depmod $(KREL))

# Everything but the modules: libvgpu (qemu-glue's install), the vendor
# header, the manual pages and the modprobe.d snippet.
install-userspace: need-deps
	$(MAKE) -C qemu-glue install KUAPI=$(VGPU_KUAPI) PREFIX=$(PREFIX)
	install -D -m 644 mdev/include/vgpu_display.h \
		$(DESTDIR)$(INCLUDEDIR)/vgpu_display/vgpu_display.h
	install -D -m 644 dist/modprobe.conf $(DESTDIR)$(MODPROBEDIR)/vgpu-display.conf
	$(if $(LOAD_AT_BOOT),install -D -m 644 dist/modules-load.conf \
		$(DESTDIR)$(MODULESLOADDIR)/vgpu-display.conf)
	$(MAKE) man
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 644 build/man/*.1 $(DESTDIR)$(MANDIR)/man1/

install: install-modules install-userspace

# The tools' manual pages alone (make docs builds them with the HTML).
man: need-deps
	sphinx-build -q -W -b man -D kerneldoc_bin=$(VGPU_KSRC)/scripts/kernel-doc \
		Documentation build/man

# The DKMS source tree: DKMS_FILES and dkms.conf with the version.
dkms-source:
	@rm -rf $(DESTDIR)$(DKMS_SRC)
	@for f in $(DKMS_FILES); do install -D -m 644 $$f $(DESTDIR)$(DKMS_SRC)/$$f || exit 1; done
	@if [ -f scripts/conftest.sh ]; then chmod 755 $(DESTDIR)$(DKMS_SRC)/scripts/conftest.sh; fi
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf > $(DESTDIR)$(DKMS_SRC)/dkms.conf
	@echo "dkms-source: $(DESTDIR)$(DKMS_SRC)"

# DKMS builds, installs and loads the modules for the running kernel
# (DKMS_KVER= another), and again for every kernel installed later.
DKMS_KVER ?=
dkms-install: dkms-source
	scripts/dkms-install install $(DKMS_SRC) $(VERSION) $(DKMS_KVER)
dkms-uninstall:
	scripts/dkms-install uninstall $(DKMS_SRC) $(VERSION)

.PHONY: install install-modules install-userspace man dkms-source dkms-install dkms-uninstall

# The Debian packages (debian/), built from a copy of the tree so the
# developer's build stays as it is: .debs and the .changes in build/deb/,
# checked by lintian (any error, warning or info tag fails; pedantic ones
# are shown).
DEB_DIR = $(CURDIR)/build/deb
deb:
	@rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/vgpu-display-$(VERSION)
	@git ls-files -co --exclude-standard | grep -v '^debian/.*\(tmp\|ksrc\|man\)/' | \
	  tar -cf - -T - | tar -xf - -C $(DEB_DIR)/vgpu-display-$(VERSION)
	cd $(DEB_DIR)/vgpu-display-$(VERSION) && dpkg-buildpackage -us -uc -b > ../build.log 2>&1 || \
	  { tail -n 30 $(DEB_DIR)/build.log; echo "deb: dpkg-buildpackage failed, $(DEB_DIR)/build.log" >&2; exit 1; }
	lintian --fail-on error,warning,info --info --pedantic $(DEB_DIR)/*.changes
	@ls $(DEB_DIR)/*.deb

.PHONY: deb

# The Debian packages in the test VM: make deb, dpkg -i in the VM's
# overlay, DKMS builds for the VM's kernel, then for 6.1 when its headers
# are installed (a kernel upgrade), then T= selftest programs (default:
# selftests/packages_test.sh's list) against what was installed.
check-packages:
	scripts/deps.sh
	$(MAKE) all
	$(MAKE) deb
	scripts/matrix-kernel.sh --headers-debs 6.1 >/dev/null
	@rm -rf $(VM_OUT)-packages
	@status=0; scripts/vm-run -o $(VM_OUT)-packages -m 2048 -t 3000 $(VM_ARGS) \
		--env VGPU_KMODROOT=$(VGPU_KMODROOT) \
		--env VGPU_UPGRADE_DEBS=$$(scripts/matrix-kernel.sh --headers-debs 6.1) \
		-- selftests/packages_test.sh build/deb $(T) || \
		status=$$?; \
	  scripts/test-summary $(VM_OUT)-packages/output.log $(VM_OUT)-packages/findings.tests $$status

.PHONY: check-packages

clean:
	-test -n "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-test -n "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/importer clean
	-test -n "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/minivendor clean
	-test -n "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(CURDIR)/mdev/kunit clean
	$(MAKE) -C qemu-glue clean
	rm -rf $(E2E_LINUX_BUILD)
	$(MAKE) -C selftests clean KSELFTEST_DIR=.
	$(MAKE) -C bench clean KSELFTEST_DIR=. KUAPI=. KDIR=. MBOCHS_SRC=.
	rm -rf $(VM_OUT) $(VM_OUT)-bench $(VM_OUT)-e2e $(VM_OUT)-debug $(addprefix $(VM_OUT)-,$(KERNELS)) $(DEMO_OUT) .lint-*.log .lint-docs build

.PHONY: all deps modules userspace lint docs vmtest bench demo check check-e2e clean \
	need-kdir need-deps e2e-linux-guest
.PHONY: check-debug check-kernels smoke-kernels
