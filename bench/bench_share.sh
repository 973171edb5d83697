#!/bin/bash
# The container's files over the shared filesystem (issue 28): 200 MiB
# written to the container's rootfs (9p) and read back, beside the same
# in the guest's own tmpfs (the VM's memory speed) and under runc (the
# host's), and 2000 small files created; for each 9p msize in SIZES. Each
# figure is the guest's own clock (/proc/uptime, 10 ms steps) around the
# command, a median of RUNS.
#
# Usage: bench/bench_share.sh BUILD_DIR [RUNS] [SIZES]
set -euo pipefail

build=$(cd "${1:-build}" && pwd)
runs=${2:-3}
sizes=${3:-8192 131072 512000}
kr=$build/bin/kata-runtime
work=$(mktemp -d)
cleanup() {
	runc --root "$work/runc" delete --force bench-share >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bundle=$work/bundle
busybox_bundle "$kr" "$bundle" sh /workload.sh
jq '.root.readonly = false' "$bundle/config.json" >"$bundle/c" && mv "$bundle/c" "$bundle/config.json"
# what runs in the container: "NAME MS" lines
cat >"$bundle/rootfs/workload.sh" <<'WORKLOAD'
ms() { read -r u _ </proc/uptime; echo "${u%.*}${u#*.}0"; }
timed() { # NAME COMMAND...
	local name=$1 a b
	shift
	a=$(ms)
	"$@"
	b=$(ms)
	echo "$name $((b - a))"
}
for where in rootfs tmpfs; do
	f=/big
	[ "$where" = tmpfs ] && f=/dev/shm/big
	timed "$where-write" sh -c "dd if=/dev/zero of=$f bs=1M count=200 2>/dev/null && sync"
	timed "$where-read" dd if="$f" of=/dev/null bs=1M 2>/dev/null
	rm -f "$f"
done
mkdir -p /small /dev/shm/small
timed rootfs-small sh -c 'i=0; while [ $i -lt 2000 ]; do echo x >/small/f$i; i=$((i + 1)); done'
timed tmpfs-small sh -c 'i=0; while [ $i -lt 2000 ]; do echo x >/dev/shm/small/f$i; i=$((i + 1)); done'
rm -rf /small /dev/shm/small
WORKLOAD

# median_of FILE NAME: the median of NAME's figures in FILE
median_of() { awk -v n="$2" '$1 == n { print $2 }' "$1" | median; }
rate() { awk -v ms="$1" 'BEGIN { if (ms > 0) printf "%d MiB/s", 200 * 1000 / ms; else print "-" }'; }

for msize in $sizes; do
	sed "s|^#\?msize_9p = .*|msize_9p = $msize|" "$build/data/configuration-dev.toml" >"$work/c.toml"
	rm -f "$work/out"
	for i in $(seq "$runs"); do
		"$kr" --root "$work/root" --kata-config "$work/c.toml" run --bundle "$bundle" "share-$i" \
			</dev/null >>"$work/out" 2>&1
	done
	w=$(median_of "$work/out" rootfs-write) r=$(median_of "$work/out" rootfs-read)
	tw=$(median_of "$work/out" tmpfs-write) tr=$(median_of "$work/out" tmpfs-read)
	s=$(median_of "$work/out" rootfs-small) ts=$(median_of "$work/out" tmpfs-small)
	printf '9p msize %s (%d runs, medians): 200 MiB written %s ms (%s, %sx the guest tmpfs), read %s ms (%s, %sx); 2000 small files %s ms (%sx the tmpfs); the guest tmpfs: %s ms, %s ms, %s ms\n' \
		"$msize" "$runs" "$w" "$(rate "$w")" "$(awk -v a="$tw" -v b="$w" 'BEGIN { printf "%.2f", a / b }')" \
		"$r" "$(rate "$r")" "$(awk -v a="$tr" -v b="$r" 'BEGIN { printf "%.2f", b ? a / b : 0 }')" \
		"$s" "$(awk -v a="$s" -v b="$ts" 'BEGIN { printf "%.1f", b ? a / b : 0 }')" "$tw" "$tr" "$ts"
done

# the same workload under runc: the host's own speed
rm -f "$work/out"
for i in $(seq "$runs"); do
	runc --root "$work/runc" run --bundle "$bundle" bench-share </dev/null >>"$work/out" 2>&1 || true
done
printf 'runc (%d runs, medians): 200 MiB written %s ms, read %s ms; 2000 small files %s ms\n' "$runs" \
	"$(median_of "$work/out" rootfs-write)" "$(median_of "$work/out" rootfs-read)" "$(median_of "$work/out" rootfs-small)"
