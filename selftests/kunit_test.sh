#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit_test.sh - run the KUnit suites of mdev/kunit in this kernel and
# report them as KTAP, one test per KUnit case (inside the test VM, as
# root; selftests/run_tests.sh runs it like the other test programs).
#
# The KUnit modules are built only against a kernel with CONFIG_KUNIT
# (make check-debug: scripts/debug-modules.sh). KUnit runs a module's
# suites while it loads; the results are read from
# /sys/kernel/debug/kunit/<suite>/results, or from the kernel log when
# KUnit has no debugfs. Each case is reported as "<suite>.<case>" (the
# parameters of a parameterised case as comments), with the failed
# expectations above it. Loading, running and unloading each module is a
# test of its own, "<module>.load", marked in the kernel log so that a
# finding there (scripts/klog-scan) fails it.
#
# vgpu_display.ko and vgpu_bochs.ko are loaded first from $VGPU_KO_DIR/mdev
# (default: this tree's mdev/) unless they are loaded already, and unloaded
# again at the end if this script loaded them.
#
# Skipped ("ok 1 kunit.modules # SKIP ...", exit status 0 as the kselftest
# harness does) when the kernel has no KUnit or the KUnit modules are not
# built. Exit status 1 if anything failed.
cd "$(dirname "$0")" || exit 2

PROG=$(basename "$0")
KO_DIR=${VGPU_KO_DIR:-..}
KUNIT_MODS="vgpu_display_kunit vgpu_bochs_kunit"
DEBUGFS=/sys/kernel/debug/kunit

kmsg() { echo "<5>vgpu-selftest: $*" > /dev/kmsg 2>/dev/null; }

echo "TAP version 13"
skip() {
	echo "1..1"
	echo "ok 1 kunit.modules # SKIP $*"
	exit 0
}
[ -d /sys/module/kunit ] || skip "this kernel has no KUnit (CONFIG_KUNIT)"
for m in $KUNIT_MODS; do
	[ -f "$KO_DIR/mdev/kunit/$m.ko" ] ||
		skip "no $KO_DIR/mdev/kunit/$m.ko (built only for a kernel with CONFIG_KUNIT)"
done

out=$(mktemp)
n=0 failed=0
result() {	# ok|not ok, name, [directive]
	n=$((n + 1))
	echo "$1 $n $2${3:+ # $3}" >> "$out"
	[ "$1" = ok ] || failed=1
}
diag() { sed 's/^/# /' >> "$out"; }

# KTAP of KUnit suites on stdin -> one result line per case, the rest as
# comments, appended to $out; a suite that failed without a failed case
# (its init, say) counts as a failed "<suite>.suite". Prints the number of
# cases and of failures.
ktap_cases() {
	awk -v start="$n" -v out="$out" '
	function flush_suite(ok) {
		if (!ok && !suite_fail)
			res("not ok", suite ".suite", "the suite failed")
		suite = ""
	}
	function res(r, name, dir) {
		cases++; if (r != "ok") { fails++; suite_fail = 1 }
		printf "%s %d %s%s\n", r, start + cases, name, dir == "" ? "" : " # " dir >> out
	}
	{
		sub(/\r$/, "")
		lead = match($0, /[^ ]/) - 1
		text = substr($0, lead + 1)
	}
	lead == 4 && text ~ /^# Subtest: / {
		suite = substr(text, 12); suite_fail = 0; next
	}
	suite != "" && lead == 4 && text ~ /^(not )?ok [0-9]+ / {
		r = text ~ /^ok/ ? "ok" : "not ok"
		rest = text; sub(/^(not )?ok [0-9]+ /, "", rest)
		dir = ""
		if ((i = index(rest, " # ")) > 0) {
			dir = substr(rest, i + 3); rest = substr(rest, 1, i - 1)
		}
		res(r, suite "." rest, dir); next
	}
	suite != "" && lead == 0 && text ~ /^(not )?ok [0-9]+ / {
		flush_suite(text ~ /^ok/); next
	}
	suite != "" && text !~ /^(KTAP version|1\.\.[0-9]+$)/ && text != "" {
		d = $0; sub(/^    /, "", d); sub(/^# /, "", d); gsub(/\t/, "  ", d)
		print "# " d >> out
	}
	END { if (suite != "") flush_suite(0); print cases + 0, fails + 0 }'
}

# Load, read the results of, and unload KUnit module $1.
run_module() {
	local m=$1 ko=$KO_DIR/mdev/kunit/$1.ko before s err cases fails
	local why="" tap

	kmsg "RUN $PROG $m.load"
	before=$(mktemp)
	tap=$(mktemp)
	ls "$DEBUGFS" > "$before" 2>/dev/null
	if ! err=$(insmod "$ko" 2>&1); then
		echo "$err" | diag
		result "not ok" "$m.load" "insmod $ko failed"
		kmsg "END $PROG"
		rm -f "$tap" "$before"
		return
	fi
	if [ -d "$DEBUGFS" ]; then
		# the suites that came with the module (no /dev/fd in the VM;
		# suite names are identifiers)
		# shellcheck disable=SC2012
		for s in $(ls "$DEBUGFS" | comm -13 "$before" -); do
			cat "$DEBUGFS/$s/results" >> "$tap"
		done
	else
		dmesg | sed 's/^\[[^]]*\] //' |
			sed -n "\|vgpu-selftest: RUN $PROG $m.load\$|,\$p" > "$tap"
	fi
	read -r cases fails <<< "$(ktap_cases < "$tap")"
	n=$((n + ${cases:-0}))
	[ "${fails:-1}" = 0 ] || failed=1
	[ "${cases:-0}" != 0 ] || why="no KUnit results (is KUnit enabled? kunit.enable=1)"
	if ! err=$(rmmod "$m" 2>&1); then
		echo "$err" | diag
		why=${why:-rmmod failed}
	fi
	if [ -n "$why" ]; then
		result "not ok" "$m.load" "$why"
	else
		result ok "$m.load"
	fi
	kmsg "END $PROG"
	rm -f "$tap" "$before"
}

loaded=
for m in vgpu_display vgpu_bochs; do
	[ -e "/sys/module/$m" ] && continue
	if ! err=$(insmod "$KO_DIR/mdev/$m.ko" 2>&1); then
		echo "1..1"
		while IFS= read -r l; do echo "# $l"; done <<< "$err"
		echo "not ok 1 kunit.modules # insmod $KO_DIR/mdev/$m.ko failed"
		exit 1
	fi
	loaded="$m $loaded"
done
for m in $KUNIT_MODS; do
	run_module "$m"
done
for m in $loaded; do
	rmmod "$m" || failed=1
done

echo "1..$n"
cat "$out"
rm -f "$out"
exit $failed
