#!/bin/bash
# containerd figures, one containerd (CRI off) started here: from `ctr run`
# to the container's first output line through containerd-shim-kata-v2,
# through containerd's runc shim running kata-runtime, and through runc
# itself; 100 MiB of a container's stdout drained through each; the shim
# v2's memory for a pod; `start` (find or spawn the pod's daemon); and ten
# pods started one after another. Medians of N runs.
#
# Usage: bench/bench_shimv2.sh BUILD_DIR [RUNS]
set -euo pipefail

build=$(cd "${1:-build}" && pwd)
runs=${2:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
command -v containerd >/dev/null || { echo "shim v2: containerd is not installed; skipped"; exit 0; }
work=$(mktemp -d)
ns=kata-bench
cleanup() {
	[ -f "$work/pid" ] && kill "$(cat "$work/pid")" 2>/dev/null
	sleep 0.5
	grep -o " ${work}[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$work"
	rmdir /sys/fs/cgroup/*/"$ns" 2>/dev/null || true
}
trap cleanup EXIT

"$top/tests/clients/containerd-start" "$work" "$build"
ctr=(timeout 120 ctr -a "$work/containerd.sock" -n "$ns")
mkdir -p "$work/rootfs/bin"
cp /bin/busybox "$work/rootfs/bin/"
for a in cat dd echo sh sleep; do ln -s busybox "$work/rootfs/bin/$a"; done
"$top/tests/clients/oci-archive" "$work/rootfs" localhost/bb:latest "$work/bb.tar"
"${ctr[@]}" images import "$work/bb.tar" >/dev/null

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

# ms from `ctr run` to the first line of output (teardown not counted)
first_output() {
	local t0 t1
	t0=$(date +%s%N)
	"${ctr[@]}" run --rm "$@" localhost/bb:latest "b$RANDOM$RANDOM" echo first output |
		{ IFS= read -r _; date +%s%N >"$work/t1"; cat >/dev/null; }
	t1=$(cat "$work/t1")
	echo $(((t1 - t0) / 1000000))
}
series() { for _ in $(seq "$runs"); do first_output "$@"; done | median; }

v2=$(series --runtime io.containerd.kata.v2)
cli=$(series --runc-binary "$build/bin/kata-runtime")
runc=$(series)
printf 'ctr run -> first output (TCG, %d runs, medians): shim v2 %s ms; runc shim + kata-runtime %s ms; runc %s ms\n' \
	"$runs" "$v2" "$cli" "$runc"

# stdout: 100 MiB from dd, read by a fast reader timing from the first
# byte (a VM's boot is not counted); in the VM, the same bytes piped
# inside the container for comparison (bench_stdio.sh has it, same idea)
drain() {
	"${ctr[@]}" run --rm "$@" localhost/bb:latest "d$RANDOM$RANDOM" dd if=/dev/zero bs=1M count=100 2>/dev/null |
		"$build/bench/bench_drain" | awk '$1 != 104857600 { print "short output: " $1 " bytes" > "/dev/stderr"; exit 1 } { print $2 }'
}
drains() { for _ in $(seq "$runs"); do drain "$@"; done | median; }
pipe_ms=$(for _ in $(seq "$runs"); do
	"${ctr[@]}" run --rm --runtime io.containerd.kata.v2 localhost/bb:latest "p$RANDOM$RANDOM" sh -c "$GUEST_PIPE"
done | uptime_ms | median)
v2=$(drains --runtime io.containerd.kata.v2)
cli=$(drains --runc-binary "$build/bin/kata-runtime")
runc=$(drains)
mibs() { mib_rate 100 "$1"; }
printf 'stdout, 100 MiB through ctr (TCG, medians of %d): piped inside the container %s ms (%s); shim v2 %s ms (%s, %sx the pipe, %sx runc); runc shim + kata-runtime %s ms (%s, %sx the pipe); runc %s ms (%s)\n' \
	"$runs" "$pipe_ms" "$(mibs "$pipe_ms")" "$v2" "$(mibs "$v2")" "$(ratio "$pipe_ms" "$v2")" \
	"$(ratio "$runc" "$v2")" "$cli" "$(mibs "$cli")" "$(ratio "$pipe_ms" "$cli")" "$runc" "$(mibs "$runc")"

# memory: a pod left running, its shim measured
"${ctr[@]}" run -d --runtime io.containerd.kata.v2 localhost/bb:latest bench-mem sleep 1000 >/dev/null
shim=$(pgrep -f "containerd-shim-kata-v2 .*-id bench-mem .*serve" | head -n1)
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
pss() { awk '/^Pss:/ { s += $2 } END { print s }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
proxy=$(pgrep -f -- "kata-proxy .*--sandbox bench-mem" | head -n1)
printf 'shim v2 per pod: RSS %s KiB (PSS %s), threads %s; its kata-proxy RSS %s KiB\n' \
	"$(rss "$shim")" "$(pss "$shim")" "$(awk '/^Threads:/ { print $2 }' "/proc/$shim/status")" "$(rss "$proxy")"
"${ctr[@]}" task kill -s SIGKILL bench-mem 2>/dev/null
for _ in $(seq 50); do "${ctr[@]}" task ls | grep -q "bench-mem.*STOPPED" && break; sleep 0.1; done
"${ctr[@]}" task rm bench-mem >/dev/null
"${ctr[@]}" containers rm bench-mem

# start: the shim's own part before containerd can call it
# (a bundle start reads as create does: runc's default spec and a rootfs)
mkdir -p "$work/bundle/rootfs"
"$build/bin/kata-runtime" spec --bundle "$work/bundle"
: >"$work/start.results"
for i in $(seq "$runs"); do
	t0=$(date +%s%N)
	addr=$(cd "$work/bundle" && "$build/bin/containerd-shim-kata-v2" -namespace "$ns" -address "$work/none" -id "start-$i" start)
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000)) >>"$work/start.results"
	pkill -f "containerd-shim-kata-v2 .*-id start-$i .*serve" || true
	rm -f "${addr#unix://}"
done
printf 'shim v2 start (spawn the daemon, print its address): %s ms\n' "$(median <"$work/start.results")"

# ten pods, one after another
t0=$(date +%s%N)
for i in $(seq 10); do "${ctr[@]}" run --rm --runtime io.containerd.kata.v2 localhost/bb:latest "ten-$i" echo hi >/dev/null; done
t1=$(date +%s%N)
printf 'ten pods one after another through the shim v2 (start, output, teardown): %s ms\n' $(((t1 - t0) / 1000000))
