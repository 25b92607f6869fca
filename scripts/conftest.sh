#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# conftest.sh - probe a kernel build tree for the interfaces the modules
# use and write build/compat/<kernelrelease>/vgpu_compat_gen.h, one
# "#define VGPU_HAVE_<X> 1" line per probe that compiled.
# mdev/include/vgpu_compat.h turns those into the few wrappers the code
# calls; the code itself never tests a kernel version.
#
# Each probe below is a small kernel source file; all of them are compiled
# in one external module build against KDIR (with the kernel's own flags
# and -Werror, so a wrong prototype counts as missing). A probe that fails
# to compile leaves its define out. The header is rewritten only when its
# contents change, so an unchanged kernel does not rebuild the modules.
#
# Usage: scripts/conftest.sh KDIR [TOP]
#   KDIR  a kernel build tree (Debian headers, or an O= build directory)
#   TOP   the module tree to write build/compat/ into (default: this one)
# Prints the header's path.
set -euo pipefail

die() { printf 'conftest: error: %s\n' "$*" >&2; exit 1; }
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: scripts/conftest.sh KDIR [TOP]" >&2
	exit 2
fi
kdir=$(cd "$1" && pwd) || die "no kernel tree $1"
top=$(cd "${2:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)
[ -f "$kdir/include/config/kernel.release" ] ||
	die "$kdir is not a prepared kernel tree (no include/config/kernel.release)"

tmp=$(mktemp -d)
trap '[ -n "${VGPU_CONFTEST_KEEP:-}" ] || rm -rf "$tmp"' EXIT

probe() {	# probe NAME: the C source on stdin
	{
		echo '// SPDX-License-Identifier: GPL-2.0'
		echo '#include <linux/module.h>'
		cat
		echo 'MODULE_LICENSE("GPL");'
	} > "$tmp/$1.c"
	echo "obj-m += $1.o" >> "$tmp/Kbuild"
}
# Kbuild says the release it builds for (Debian's headers override it).
# shellcheck disable=SC2016 # make's $(...), not the shell's
printf '%s\n' 'ccflags-y += -Werror' '$(info VGPU_KRELEASE=$(KERNELRELEASE))' > "$tmp/Kbuild"

# MODULE_IMPORT_NS() and EXPORT_SYMBOL_NS*() take a bare token (a string
# from 6.13: then the token is an undeclared identifier).
probe NS_TOKEN <<'EOT'
MODULE_IMPORT_NS(VGPU_PROBE_NS);
EOT

# <linux/unaligned.h> (6.12; <asm/unaligned.h> before).
probe LINUX_UNALIGNED_H <<'EOT'
#include <linux/unaligned.h>
EOT

# eventfd_signal(ctx) without a count (6.8).
probe EVENTFD_SIGNAL_CTX <<'EOT'
#include <linux/eventfd.h>
void vgpu_probe(struct eventfd_ctx *ctx);
void vgpu_probe(struct eventfd_ctx *ctx) { eventfd_signal(ctx); }
EOT

# vm_flags_set() (6.3; vm_flags became read-only outside it).
probe VM_FLAGS_SET <<'EOT'
#include <linux/mm.h>
void vgpu_probe(struct vm_area_struct *vma);
void vgpu_probe(struct vm_area_struct *vma) { vm_flags_set(vma, VM_IO); }
EOT

# pfn_t and vmf_insert_pfn_pmd(vmf, pfn_t, write) (gone in 6.17: a pfn).
probe PFN_T <<'EOT'
#include <linux/mm.h>
#include <linux/pfn_t.h>
vm_fault_t vgpu_probe(struct vm_fault *vmf);
vm_fault_t vgpu_probe(struct vm_fault *vmf)
{
	return vmf_insert_pfn_pmd(vmf, pfn_to_pfn_t(0), false);
}
EOT

# vma_thp_disabled(vma, vm_flags, forced_collapse) (7.3 has it; two
# arguments before, as in 6.12).
probe VMA_THP_DISABLED_FORCED <<'EOT'
#include <linux/mm.h>
#include <linux/huge_mm.h>
bool vgpu_probe(struct vm_area_struct *vma);
bool vgpu_probe(struct vm_area_struct *vma) { return vma_thp_disabled(vma, vma->vm_flags, false); }
EOT

# nth_page() (gone in 6.18: the pages of a compound page are contiguous).
probe NTH_PAGE <<'EOT'
#include <linux/mm.h>
struct page *vgpu_probe(struct page *page);
struct page *vgpu_probe(struct page *page) { return nth_page(page, 1); }
EOT

# The emulated iommufd callbacks of vfio_device_ops (6.2) ...
probe VFIO_IOMMUFD_EMULATED <<'EOT'
#include <linux/vfio.h>
const struct vfio_device_ops vgpu_probe = {
	.bind_iommufd = vfio_iommufd_emulated_bind,
	.unbind_iommufd = vfio_iommufd_emulated_unbind,
	.attach_ioas = vfio_iommufd_emulated_attach_ioas,
};
EOT

# ... and detach_ioas (6.6).
probe VFIO_DETACH_IOAS <<'EOT'
#include <linux/vfio.h>
const struct vfio_device_ops vgpu_probe = {
	.detach_ioas = vfio_iommufd_emulated_detach_ioas,
};
EOT

# vfio_device_ops.get_region_info_caps (6.19: the only way to answer
# VFIO_DEVICE_GET_REGION_INFO, which .ioctl no longer sees).
probe VFIO_GET_REGION_INFO_CAPS <<'EOT'
#include <linux/vfio.h>
int vgpu_probe_caps(struct vfio_device *vdev, struct vfio_region_info *info,
		    struct vfio_info_cap *caps);
const struct vfio_device_ops vgpu_probe = {
	.get_region_info_caps = vgpu_probe_caps,
};
EOT

# VFIO migration's PRE_COPY states, VFIO_MIG_GET_PRECOPY_INFO and
# vfio_migration_ops.migration_get_data_size (6.2).
probe VFIO_MIG_PRE_COPY <<'EOT'
#include <linux/vfio.h>
int vgpu_probe_size(struct vfio_device *vdev, unsigned long *len);
const struct vfio_migration_ops vgpu_probe = { .migration_get_data_size = vgpu_probe_size };
const unsigned long vgpu_probe_values[] = {
	VFIO_MIGRATION_PRE_COPY, VFIO_DEVICE_STATE_PRE_COPY_P2P, VFIO_MIG_GET_PRECOPY_INFO,
};
EOT

# dma_buf_ops.cache_sgt_mapping (gone in 6.16: the core caches no more).
probe DMA_BUF_CACHE_SGT <<'EOT'
#include <linux/dma-buf.h>
const struct dma_buf_ops vgpu_probe = { .cache_sgt_mapping = true };
EOT

# The dma-buf calls that take the reservation lock themselves (6.2;
# before, dma_buf_vmap() and dma_buf_map_attachment() did without it).
probe DMA_BUF_UNLOCKED <<'EOT'
#include <linux/dma-buf.h>
int vgpu_probe(struct dma_buf *buf, struct iosys_map *map);
int vgpu_probe(struct dma_buf *buf, struct iosys_map *map)
{
	return dma_buf_vmap_unlocked(buf, map);
}
EOT

# shellcheck disable=SC2086 # VGPU_KMAKE_ARGS are words (scripts/debug-modules.sh)
make -s -C "$kdir" M="$tmp" ${VGPU_KMAKE_ARGS:-} -k -j"$(nproc)" modules > "$tmp/build.log" 2>&1 || true
krel=$(sed -n 's/^VGPU_KRELEASE=//p' "$tmp/build.log" | head -n 1)
[ -n "$krel" ] || { cat "$tmp/build.log" >&2; die "no kernel release from $kdir"; }
out=$top/build/compat/$krel
mkdir -p "$out"
{
	echo "/* SPDX-License-Identifier: GPL-2.0 */"
	echo "/* Generated by scripts/conftest.sh for $krel; do not edit. */"
	for c in "$tmp"/*.c; do
		n=$(basename "$c" .c)
		if [ -f "$tmp/$n.o" ]; then
			echo "#define VGPU_HAVE_$n 1"
		else
			echo "/* #undef VGPU_HAVE_$n */"
		fi
	done
} > "$tmp/gen.h"
grep -q '^#define' "$tmp/gen.h" || { cat "$tmp/build.log" >&2; die "no probe compiled against $kdir"; }
cmp -s "$tmp/gen.h" "$out/vgpu_compat_gen.h" || cp "$tmp/gen.h" "$out/vgpu_compat_gen.h"
echo "$out/vgpu_compat_gen.h"
