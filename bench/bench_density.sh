#!/bin/bash
# How many idle pods this host holds (issue 15): idle pods (a container
# sleeping, each its own VM, started from the VM template) are added STEP
# at a time; after each step, `kata-runtime run` of a new container is
# timed to its first output (median of 3). It stops once that time is more
# than twice the idle machine's, at MAX pods, or when the host has less
# than 2 GiB available; the last count within 2x is the answer.
#
# Usage: bench/bench_density.sh BUILD_DIR [MAX] [STEP]
set -euo pipefail

build=$(cd "${1:-build}" && pwd)
max=${2:-120}
step=${3:-10}
kr=$build/bin/kata-runtime
work=$(mktemp -d)
root=$work/root
config=$work/template.toml
sed "s|^\[factory\]|[factory]\nenable_template = true\ntemplate_path = \"$work/factory\"|" \
	"$build/data/configuration-dev.toml" >"$config"
k() { "$kr" --root "$root" --kata-config "$config" "$@"; }
cleanup() {
	local d
	for d in "$root"/*/; do
		[ -d "$d" ] || continue
		k delete --force "$(basename "$d")" >/dev/null 2>&1 &
		# a few at a time: each stops a VM
		while [ "$(jobs -rp | wc -l)" -ge 8 ]; do sleep 0.1; done
	done
	wait
	"$kr" --kata-config "$config" factory destroy >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bundle=$work/bundle
busybox_bundle "$kr" "$bundle" echo "first output"
idle=$work/idle
busybox_bundle "$kr" "$idle" sleep 1000000

measure() {
	rm -f "$work/ms"
	for i in 1 2 3; do first_output k run --bundle "$bundle" "probe-$1-$i" >>"$work/ms"; done
	median <"$work/ms"
}
avail_mib() { awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo; }

"$kr" --kata-config "$config" factory init >/dev/null
base=$(measure 0)
printf 'idle pods 0: run -> first output %s ms (the idle machine), %d MiB available\n' "$base" "$(avail_mib)"
pods=0 held=0
while [ "$pods" -lt "$max" ]; do
	for _ in $(seq "$step"); do
		k run --detach --bundle "$idle" "idle-$pods" </dev/null >/dev/null 2>&1
		pods=$((pods + 1))
	done
	sleep 3
	ms=$(measure "$pods")
	load=$(awk '{ print $1 }' /proc/loadavg)
	printf 'idle pods %d: run -> first output %s ms (%sx the idle machine), load %s, %d MiB available\n' \
		"$pods" "$ms" "$(awk -v m="$ms" -v b="$base" 'BEGIN { printf "%.2f", m / b }')" "$load" "$(avail_mib)"
	[ "$pods" -ne 100 ] || at100=$ms
	if awk -v m="$ms" -v b="$base" 'BEGIN { exit !(m > 2 * b) }'; then
		break
	fi
	held=$pods
	[ "$(avail_mib)" -lt 2048 ] && break
done
# what the idle pods' VMs use: their QEMU processes' CPU over 10 s
# shellcheck disable=SC2046 # one word per pid
printf 'idle CPU per idle pod (its QEMU, over 10 s with %d pods): %s%%\n' "$pods" \
	"$(idle_cpu 10 $(pgrep -f -- "-name sandbox-idle-"))"
[ -z "${at100:-}" ] || printf 'with 100 idle pods, run takes %sx its idle-machine time (target 1.5x)\n' \
	"$(awk -v m="$at100" -v b="$base" 'BEGIN { printf "%.2f", m / b }')"
printf 'this host holds %d idle pods (from the VM template, TCG) with run still within 2x its idle time (%s ms); tried up to %d\n' \
	"$held" "$base" "$pods"
