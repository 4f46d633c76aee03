# SPDX-License-Identifier: GPL-2.0
#
#   make              install what is missing, build the library, tools, tests
#                     and the modules for the test kernels in KERNELS
#   make check        static checks, host tests, VM runner self-test and the
#                     guest tests on every kernel in KERNELS
#   make demo         boot the test VM, load the module and show it working
#   make bench        mapring against the BPF peers in the test VM: prints
#                     the ratios, writes build/bench/ and docs/performance.md
#   make fuzz         the long reliability run (docs/reliability.md) on each
#                     kernel in KERNELS: SEED=, OPS=, TIME= (s), SCALE=
#   make KDIR=<dir>   build the modules in place against a kernel build tree
#                     (a real machine: KDIR=/lib/modules/$(uname -r)/build)
#   make install      mapring.ko (for KDIR, else the first of KERNELS) into
#                     /lib/modules/<release>/extra, the library, headers,
#                     mapring.pc, the CMake package, mapringctl and the udev
#                     rule under PREFIX (/usr/local); DESTDIR stages it all
#   make uninstall    remove what make install put there (same DESTDIR, PREFIX)
#   make dkms-check   build the module with DKMS against every Debian test
#                     kernel (or those in KERNELS)
#   make deb          Debian packages in build/deb: mapring-dkms, libmapring0,
#                     libmapring-dev, mapring-tools
#   make docs         the API reference (Doxygen) in build/docs
#
# Test kernels: 6.1 (default, bookworm's linux-image-amd64), 6.12, 6.12-rt.
# The kernel side is built by Kbuild (./Kbuild), user space by CMake.

KERNELS ?= 6.1

.DEFAULT_GOAL := all
PREFIX ?= /usr/local
export DESTDIR PREFIX

install uninstall:
	@KDIR=$(KDIR) KERNEL=$(firstword $(KERNELS)) scripts/install.sh $@

.PHONY: install uninstall

ifneq ($(KDIR),)
# Build against a given kernel tree, in place, as any out-of-tree module.
all: modules

modules modules_install clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) $@

.PHONY: all modules modules_install clean
else

all: deps user kmod

deps:
	@scripts/deps.sh
	@for k in $(KERNELS); do scripts/kernel.sh $$k >/dev/null || exit 1; done

user: deps
	@scripts/build-user.sh host

kmod: deps
	@for k in $(KERNELS); do scripts/build-kmod.sh $$k >/dev/null || exit 1; done

check:
	@scripts/check.sh $(KERNELS)

demo: all
	@scripts/demo.sh $(firstword $(KERNELS))

bench:
	@scripts/bench.sh $(firstword $(KERNELS))

# every Debian test kernel unless KERNELS is given
dkms-check:
	@scripts/dkms-check.sh $(if $(filter file default,$(origin KERNELS)),6.1 6.12 6.12-rt,$(KERNELS))

deb:
	@scripts/deb.sh

docs:
	@scripts/docs.sh

fuzz:
	@scripts/fuzz.sh $(KERNELS)

clean:
	rm -rf build

.PHONY: all deps user kmod check demo bench fuzz dkms-check deb docs clean
endif
