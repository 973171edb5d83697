#!/bin/bash
# The footprint of a pod's VM (issue 15), beyond the factory's figures:
#  - the guest image: the initramfs's size, and each module group's modules
#    and bytes in it (the agent loads a group when its feature is first
#    needed);
#  - what the groups a sandbox loads cost at run time, and the agent's own
#    resident memory (both from the agent's handshake);
#  - TCG's translation cache (-accel tcg,tb-size=MiB): for each size, QEMU's
#    PSS after a workload, and the workload's time (medians of N runs), to
#    choose the size the runtime gives QEMU. Two workloads: busybox's
#    applets (compression, hashing, awk, sort), and Python (the host's
#    python3, its root bind-mounted read-only as the container's), whose
#    interpreter and modules are much more code.
#
# Usage: bench/bench_footprint.sh BUILD_DIR [RUNS] [TB_SIZES]
set -euo pipefail

build=$(cd "${1:-build}" && pwd)
runs=${2:-3}
sizes=${3:-"16 32 64 128 256"}
guest=$build/guest
initrd=$guest/kata-containers-initrd.img
kernel=$guest/vmlinux.container
[ -f "$kernel" ] || kernel=$guest/vmlinuz.container
[ -f "$initrd" ] || { echo "bench_footprint: no guest image (make image)" >&2; exit 1; }

work=$(mktemp -d)
trap 'kill -9 $(cat "$work"/qemu.pid 2>/dev/null) 2>/dev/null || true; umount "$work/share/host" 2>/dev/null || true; rm -rf "$work"' EXIT

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

# ---- the image ----------------------------------------------------------------
mkdir "$work/img"
(cd "$work/img" && gzip -dcf "$initrd" | cpio -id --quiet 2>/dev/null)
load=$(find "$work/img" -name modules.load | head -1)
printf 'guest image: kernel %d KiB, initramfs %d KiB (compressed), agent %d KiB\n' \
	$(($(stat -c %s "$kernel") / 1024)) $(($(stat -c %s "$initrd") / 1024)) \
	$(($(stat -c %s "$guest/kata-agent") / 1024))
if [ -n "$load" ]; then
	mdir=$(dirname "$load")
	printf '  module groups in the initramfs (modules, KiB uncompressed):'
	while read -r group rel; do
		echo "$group $(stat -c %s "$mdir/$rel")"
	done <"$load" | awk '{ n[$1]++; b[$1] += $2; if (!($1 in o)) { o[$1] = ++k; name[k] = $1 } }
		END { for (i = 1; i <= k; i++) printf " %s %d/%d", name[i], n[name[i]], b[name[i]] / 1024; print "" }'
fi

# ---- a guest, as bench_guest.sh boots it --------------------------------------
mkdir -p "$work/share/bb/rootfs/bin" "$work/share/bb/rootfs/tmp"
cp /bin/busybox "$work/share/bb/rootfs/bin/"
for a in sh echo true gzip gunzip md5sum sha256sum awk sort cat; do ln -s busybox "$work/share/bb/rootfs/bin/$a"; done
khz=$(awk '/^cpu MHz/ { printf "%d", $4 * 1000; exit }' /proc/cpuinfo)
params="console=ttyS0 quiet no_timer_check tsc=reliable random.trust_cpu=on i8042.noaux i8042.nokbd i8042.nopnp cryptomgr.notests nowatchdog psi=0 sysctl.vm.compaction_proactiveness=0 panic=-1 tsc_early_khz=$khz"

start_guest() { # TB_SIZE
	rm -f "$work/agent.sock" "$work/qemu.pid"
	qemu-system-x86_64 -machine q35 -accel "tcg,tb-size=$1" -cpu max -m 2048 -smp 1 \
		-kernel "$kernel" -initrd "$initrd" -append "$params" \
		-nographic -nodefaults -no-user-config -no-reboot -serial "file:$work/console.log" \
		-device virtio-serial-pci -chardev "socket,id=agent,path=$work/agent.sock,server=on,wait=off" \
		-device virtserialport,chardev=agent,name=agent.channel.0 \
		-fsdev "local,id=share,path=$work/share,security_model=none" \
		-device virtio-9p-pci,fsdev=share,mount_tag=kataShared -pidfile "$work/qemu.pid" -daemonize
}
stop_guest() { kill -9 "$(cat "$work/qemu.pid")" 2>/dev/null || true; sleep 0.2; }
pss_kib() { awk '/^Pss:/ { print $2 }' "/proc/$(cat "$work/qemu.pid")/smaps_rollup"; }

# ---- the groups a sandbox loads, and the agent's memory ------------------------
start_guest 64
"$build/bin/agentctl" -s "$work/agent.sock" run b0 --share kataShared --rootfs bb/rootfs -- true >/dev/null 2>&1
"$build/bin/agentctl" -s "$work/agent.sock" hello >"$work/hello"
stop_guest
jq -r '.boot | "agent: \(.agent_rss_kib) KiB resident after a container ran; module groups loaded: " +
	([.groups | to_entries[] | "\(.key) \(.value.modules) modules in \(.value.ms * 10 | round / 10) ms"] | join(", "))' "$work/hello"

# ---- TCG's translation cache ---------------------------------------------------
mkdir -p "$work/share/host"
mount --bind -o ro / "$work/share/host" 2>/dev/null || mount -o remount,bind,ro "$work/share/host"
busybox_load='echo start; for i in 1 2 3; do gzip -c /bin/busybox | gunzip | md5sum >/dev/null; sha256sum /bin/busybox >/dev/null; awk "BEGIN { for (j = 0; j < 30000; j++) s += j * j }"; sort /bin/busybox >/dev/null 2>&1; done'
python_load='import sys; print("start", flush=True)
import json, re, decimal, fractions, statistics, random, difflib, textwrap, email.parser, xml.dom.minidom, sqlite3
d = [{"k": i, "v": str(decimal.Decimal(i) / 7)} for i in range(3000)]
json.loads(json.dumps(d)); statistics.mean(fractions.Fraction(i, 3) for i in range(3000))
db = sqlite3.connect(":memory:"); db.execute("create table t (a, b)"); db.executemany("insert into t values (?, ?)", ((i, str(i)) for i in range(5000)))
list(difflib.unified_diff([str(i) for i in range(800)], [str(i * 2) for i in range(800)]))
xml.dom.minidom.parseString("<a>" + "<b c=\"1\">x</b>" * 500 + "</a>").toxml()'
one_load() { # TB_SIZE ROOTFS ARGS... -> "ms pss_kib"
	local tb=$1 rootfs=$2
	shift 2
	start_guest "$tb"
	local out
	out=$("$build/bin/agentctl" -T -s "$work/agent.sock" run b1 --share kataShared --rootfs "$rootfs" -- "$@" 2>&1 >/dev/null)
	awk '/timing: first-output/ { f = $3 } /timing: exit/ { e = $3 } END { printf "%.0f ", e - f }' <<<"$out"
	pss_kib
	stop_guest
}
for tb in $sizes; do
	rm -f "$work/bb" "$work/py"
	for _ in $(seq "$runs"); do
		one_load "$tb" bb/rootfs sh -c "$busybox_load" >>"$work/bb"
		one_load "$tb" host python3 -c "$python_load" >>"$work/py"
	done
	col() { awk -v c="$2" '{ print $c }' "$work/$1" | median; }
	printf 'tb-size=%-4s (TCG, %d runs, medians): busybox workload %s ms, QEMU PSS after it %d MiB; python workload %s ms, PSS %d MiB\n' \
		"$tb" "$runs" "$(col bb 1)" "$(($(col bb 2 | cut -d. -f1) / 1024))" "$(col py 1)" "$(($(col py 2 | cut -d. -f1) / 1024))"
done
