#!/bin/bash
# Guest boot figures: QEMU start -> the agent's handshake, handshake -> a
# container's first output byte, and the agent's own start (from /init to
# ready, as the agent reports it in its HELLO), for the pc-class (q35) and
# microvm machines. Medians of N runs; TCG unless ACCEL=kvm.
#
# Usage: bench/bench_guest.sh BUILD_DIR [RUNS]
set -euo pipefail

build=$(cd "${1:-build}" && pwd)
runs=${2:-5}
accel=${ACCEL:-tcg}
guest=$build/guest
kernel=$guest/vmlinux.container
[ -f "$kernel" ] || kernel=$guest/vmlinuz.container
[ -f "$guest/kata-containers-initrd.img" ] || { echo "bench_guest: no guest image (make image)" >&2; exit 1; }

work=$(mktemp -d)
trap 'kill -9 $(cat "$work"/qemu.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/share/bb/rootfs/bin"
cp /bin/busybox "$work/share/bb/rootfs/bin/"
ln -s busybox "$work/share/bb/rootfs/bin/echo"
khz=$(awk '/^cpu MHz/ { printf "%d", $4 * 1000; exit }' /proc/cpuinfo)
params="console=ttyS0 quiet no_timer_check tsc=reliable random.trust_cpu=on i8042.noaux i8042.nokbd i8042.nopnp cryptomgr.notests nowatchdog psi=0 sysctl.vm.compaction_proactiveness=0 panic=-1"
[ "$accel" = tcg ] && params="$params tsc_early_khz=$khz"

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

one_run() { # MACHINE -> "boot_to_hello hello_to_output agent_start_ms modules_ms"
	local machine=$1 bus=pci extra=()
	if [ "$machine" = microvm ]; then bus=device; extra=(-global virtio-mmio.force-legacy=false); fi
	rm -f "$work/agent.sock" "$work/qemu.pid"
	local t0 t1
	t0=$(date +%s%N)
	qemu-system-x86_64 -machine "$machine",accel="$accel" -cpu max -m 256 -smp 1 \
		-kernel "$kernel" -initrd "$guest/kata-containers-initrd.img" -append "$params" \
		-nographic -nodefaults -no-user-config -no-reboot "${extra[@]}" -serial "file:$work/console.log" \
		-device "virtio-serial-$bus" -chardev "socket,id=agent,path=$work/agent.sock,server=on,wait=off" \
		-device virtserialport,chardev=agent,name=agent.channel.0 \
		-fsdev "local,id=share,path=$work/share,security_model=none" \
		-device "virtio-9p-$bus,fsdev=share,mount_tag=kataShared" -pidfile "$work/qemu.pid" -daemonize
	t1=$(date +%s%N)
	local out
	# one connection: handshake, sandbox, container, first output
	out=$("$build/bin/agentctl" -T -s "$work/agent.sock" run b1 --share kataShared --rootfs bb/rootfs -- echo hi 2>&1 >/dev/null)
	local hs fo
	hs=$(awk '/timing: handshake/ { print $3 }' <<<"$out")
	fo=$(awk '/timing: first-output/ { print $3 }' <<<"$out")
	kill -9 "$(cat "$work/qemu.pid")" 2>/dev/null || true
	local start mods
	start=$(awk '/timing: agent-start/ { print $3 }' <<<"$out")
	mods=$(awk '/timing: agent-start/ { print $6 }' <<<"$out")
	local sb
	sb=$(awk '/timing: sandbox/ { print $3 }' <<<"$out")
	# agentctl started within a few ms of QEMU (after -daemonize returned)
	# QEMU's own start until it daemonized, then agentctl's clock
	hs=$(awk -v h="$hs" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.1f", (t1 - t0) / 1e6 + h }')
	fo=$(awk -v f="$fo" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.1f", (t1 - t0) / 1e6 + f }')
	sb=$(awk -v f="$sb" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.1f", (t1 - t0) / 1e6 + f }')
	awk -v a="$hs" -v b="$fo" -v s="$start" -v m="$mods" -v sb="$sb" \
		'BEGIN { printf "%.1f %.1f %.1f %.1f %.1f\n", a, b - a, s, m, sb - a }'
}

for machine in q35 microvm; do
	rm -f "$work/results"
	for _ in $(seq "$runs"); do one_run "$machine" >>"$work/results"; done
	col() { awk -v c="$1" '{ print $c }' "$work/results" | median; }
	printf '%-8s (%s, %d runs, medians): QEMU start -> handshake %s ms; handshake -> first output %s ms (sandbox: 9p modules + mount %s ms); agent start %s ms of guest time (+ modules %s ms)\n' \
		"$machine" "$accel" "$runs" "$(col 1)" "$(col 2)" "$(col 5)" "$(col 3)" "$(col 4)"
done
