#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-modules.sh - build this tree's kernel modules against another kernel
# build tree (the debug kernel of 'make check-debug', a kernel of the matrix
# of 'make check KERNEL=...') without touching the normal in-place build.
#
# Kbuild's M= writes its objects next to the sources, so the module sources
# (Kbuild, mdev/, uapi/, selftests/importer/ and minivendor/: tracked and
# new, untracked files alike) are copied into OUT with their timestamps,
# probed (scripts/conftest.sh writes OUT/build/compat/) and built there
# with W=1, the test importer, the minimal vendor and the KUnit suites
# (mdev/kunit) as the external builds they are. Any compiler, objtool or modpost warning fails the build; the
# objects are then removed so the next run compiles, and reports, again.
# It also fails if objtool did not check the objects with --uaccess.
#
# Usage: scripts/debug-modules.sh KDIR OUT
#   KDIR  a configured and built kernel tree (O= build directory)
#   OUT   where the copy and the .ko files go, e.g. build/kdebug
#         (then OUT/mdev/*.ko, OUT/selftests/{importer,minivendor}/*.ko:
#         VGPU_KO_DIR=OUT;
#         for a kernel with KUnit also OUT/mdev/kunit/*.ko)
# Environment: VGPU_KMAKE_ARGS, more arguments for every make -C KDIR (a
# matrix kernel's VGPU_KMAKE: the host's compiler, scripts/matrix-kernel.sh).
set -euo pipefail

log() { printf 'debug-modules: %s\n' "$*" >&2; }
die() { printf 'debug-modules: error: %s\n' "$*" >&2; exit 1; }
[ $# = 2 ] || { echo "usage: scripts/debug-modules.sh KDIR OUT" >&2; exit 2; }
kdir=$(cd "$1" && pwd) || die "no kernel tree $1"
[ -f "$kdir/Module.symvers" ] || die "$kdir is not a built kernel tree (no Module.symvers)"
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
case $out/ in
"$top"/mdev/*|"$top"/uapi/*|"$top"/) die "OUT must not be the source tree" ;;
esac

# Objects built against another kernel tree (or another build of it) go.
stamp="$kdir $(stat -c %Y "$kdir/Module.symvers")"
if [ "$(cat "$out/.kdir" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$out"
	mkdir -p "$out"
	echo "$stamp" > "$out/.kdir"
fi

cd "$top"
files=$(git ls-files --cached --others --exclude-standard Kbuild mdev uapi selftests/importer selftests/minivendor |
	while read -r f; do
		[ -f "$f" ] && echo "$f"
	done | sort)
[ -n "$files" ] || die "no module sources found under $top"
echo "$files" | tr '\n' '\0' | xargs -0 cp -p --parents -t "$out"
# Sources deleted from the tree go from the copy too.
(cd "$out" && find . -path ./build -prune -o -type f \( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) \
	! -name '*.mod.c' -printf '%P\n' | sort | comm -23 - <(echo "$files") |
	xargs -r rm -f)

# shellcheck disable=SC2206 # VGPU_KMAKE_ARGS are words
kmake=(${VGPU_KMAKE_ARGS:-})
log "probing $kdir (scripts/conftest.sh)"
VGPU_KMAKE_ARGS="${kmake[*]}" "$top/scripts/conftest.sh" "$kdir" "$out" >/dev/null
log "building the modules against $kdir in $out (W=1)"
# The test importer and the KUnit suites (mdev/kunit) are part of the
# main build or external module builds of their own, linked against the
# driver's symbols; build them either way.
dirs=("$out")
for sub in selftests/importer selftests/minivendor mdev/kunit; do
	[ -f "$out/$sub/Kbuild" ] || continue
	grep -qsE "^[^#]*(${sub%/*}/)?${sub##*/}/" "$out/Kbuild" "$out/${sub%/*}/Kbuild" ||
		dirs+=("$out/$sub")
done
rc=0
: > "$out/build.log"
for d in "${dirs[@]}"; do
	extra=()
	[ "$d" = "$out" ] || extra=(KBUILD_EXTRA_SYMBOLS="$out/Module.symvers")
	# modpost does not run again for the driver's new symbol versions
	# alone (see fresh-symvers in the Makefile): drop the stale dump
	[ "$d" = "$out" ] || [ ! "$out/Module.symvers" -nt "$d/Module.symvers" ] ||
		rm -f "$d/Module.symvers"
	make -C "$kdir" M="$d" ${kmake[@]+"${kmake[@]}"} "${extra[@]}" W=1 modules \
		>> "$out/build.log" 2>&1 ||
		{ rc=$?; break; }
done
# A kernel with KUnit gets the KUnit suites (OUT/mdev/kunit/*.ko).
kunit=
grep -qsE '^CONFIG_KUNIT=(y|m)' "$kdir/include/config/auto.conf" &&
	[ -f "$out/mdev/kunit/Kbuild" ] && kunit=$out/mdev/kunit
if [ "$rc" != 0 ] || grep -qE 'warning:|WARNING:|error:|ERROR:' "$out/build.log"; then
	grep -E 'warning:|WARNING:|error:|ERROR:' -A 3 "$out/build.log" >&2 || tail -n 30 "$out/build.log" >&2
	for d in "${dirs[@]}"; do
		make -s -C "$kdir" M="$d" clean >/dev/null 2>&1 || true
	done
	die "module build against $kdir failed or warned (log above)"
fi
for ko in mdev/vgpu_display.ko mdev/vgpu_bochs.ko selftests/importer/vgpu_test_importer.ko; do
	[ -f "$out/$ko" ] || die "the build made no $ko (log: $out/build.log)"
done
for ko in ${kunit:+vgpu_display_kunit.ko vgpu_bochs_kunit.ko}; do
	[ -f "$kunit/$ko" ] || die "the build made no mdev/kunit/$ko (log: $out/build.log)"
done

# objtool must have validated every compiled object, uaccess rules
# included (the .cmd file Kbuild keeps per object records the commands).
missing=$(find "$out" -name '*.o' ! -name '*.mod.o' ! -name '.module-common.o' -printf '%h/.%f.cmd\n' |
	  while read -r c; do
		  grep -q '^savedcmd_[^ ]* := gcc ' "$c" || continue
		  grep -q 'objtool.*--uaccess' "$c" || echo "${c#"$out"/}"
	  done)
[ -z "$missing" ] || die "objtool --uaccess did not run for: $missing"

find "$out" -name '*.ko' -printf '%P\n' | sort | sed 's/^/debug-modules: built /' >&2
