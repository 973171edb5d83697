#!/bin/bash
# The VM factory's figures (issues 15, 27): `kata-runtime run` to first
# output booted cold, started from a VM template, and with the shipped
# configuration's factory (the template and a VM cache, vm_cache_number =
# "auto": VMs from the template handed over), and runc's for reference
# (medians of N runs);
# the memory each additional VM costs (the QEMU processes' PSS, shared
# template pages counted once) with VMS running, cold and from the
# template; the CPU an idle pod's VM uses; and a burst of runs started
# together (BURST, 10 by default), from the template and from the cache.
#
# Usage: bench/bench_factory.sh BUILD_DIR [RUNS] [VMS]
set -euo pipefail

build=$(cd "${1:-build}" && pwd)
runs=${2:-5}
vms=${3:-10}
kr=$build/bin/kata-runtime
work=$(mktemp -d)
root=$work/root
cold=$work/cold.toml
tmpl=$work/template.toml
cache=$work/cache.toml
cp "$build/data/configuration-dev.toml" "$cold"
sed "s|^\[factory\]|[factory]\nenable_template = true\ntemplate_path = \"$work/factory\"|" "$cold" >"$tmpl"
# the shipped configuration's [factory], with paths of its own
sed "s|^\[factory\]|[factory]\nvm_cache_number = \"auto\"\nvm_cache_endpoint = \"$work/cache.sock\"|" "$tmpl" >"$cache"
cleanup() {
	local d
	for d in "$root"/*/; do
		[ -d "$d" ] || continue
		"$kr" --root "$root" --kata-config "$cold" delete --force "$(basename "$d")" >/dev/null 2>&1 || true
	done
	"$kr" --kata-config "$cache" factory destroy >/dev/null 2>&1 || true
	runc --root "$work/runc" delete --force bench-runc >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bundle=$work/bundle
busybox_bundle "$kr" "$bundle" echo "first output"

# cache_ready: until the cache holds what it keeps ready (as a node's
# would, between pods)
cache_ready() {
	local _
	for _ in $(seq 600); do
		"$kr" --kata-config "$cache" factory status --json |
			jq -e '.cache | ([.vms[]? | select(.state == "ready")] | length) >= .target' >/dev/null && return 0
		sleep 0.1
	done
}
cache_field() { "$kr" --kata-config "$cache" factory status --json | jq -r ".cache.$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

"$kr" --kata-config "$cache" factory init >"$work/init"
for i in $(seq "$runs"); do
	first_output --stages "$work/cold.stages" "$kr" --root "$root" --kata-config "$cold" run --bundle "$bundle" "cold-$i" >>"$work/cold"
	first_output --stages "$work/tmpl.stages" "$kr" --root "$root" --kata-config "$tmpl" run --bundle "$bundle" "tmpl-$i" >>"$work/tmpl"
	cache_ready
	first_output --stages "$work/cache.stages" "$kr" --root "$root" --kata-config "$cache" run --bundle "$bundle" "cache-$i" >>"$work/cache-ms"
	first_output runc --root "$work/runc" run --bundle "$bundle" bench-runc >>"$work/runc-ms"
done
n_cache=$(cache_field number)
m_cold=$(median <"$work/cold")
m_tmpl=$(median <"$work/tmpl")
m_cache=$(median <"$work/cache-ms")
printf 'run -> first output (TCG, %d runs, medians): cold boot %s ms, from the VM template %s ms (%sx), the default configuration (the template and a VM cache of %s, "auto") %s ms (%sx), runc %s ms\n' \
	"$runs" "$m_cold" "$m_tmpl" "$(ratio "$m_tmpl" "$m_cold")" "$n_cache" "$m_cache" "$(ratio "$m_cache" "$m_cold")" "$(median <"$work/runc-ms")"
# where each one's time goes: the runtime's stages, medians (the rest of
# the figure above is the processes' own start and the output's way out)
printf '  stages, cold boot: %s\n' "$(stage_line "$work/cold.stages")"
printf '  stages, from the VM template: %s\n' "$(stage_line "$work/tmpl.stages")"
printf '  stages, from the VM cache: %s\n' "$(stage_line "$work/cache.stages")"
sed 's/^/  /' "$work/init"

# many at once: BURST runs started together (as a node's pods are after a
# deploy), the time until every one has printed, against one alone
# burst NAME CONFIG: the slowest of the burst's runs, in ms
burst() {
	local name=$1 config=$2 i
	local b0 t0
	b0=$(busy_ms) t0=$(date +%s%N)
	for i in $(seq "$burst_n"); do
		first_output "$kr" --root "$root" --kata-config "$config" --log "$work/burst-$name-$i.log" \
			run --bundle "$bundle" "burst-$name-$i" >"$work/burst-$name-$i.ms" &
	done
	wait
	# how busy the machine was from the burst's start to its last exit:
	# near 100%, the burst is bound by the CPUs, not by a lock or a wait
	awk -v c=$(($(busy_ms) - b0)) -v w=$((($(date +%s%N) - t0) / 1000000)) -v n="$(nproc)" \
		'BEGIN { printf "the %d CPUs %d%% busy from its start to its last exit (%d ms of CPU in %d ms)", n, c * 100 / (w * n), c, w }' \
		>"$work/burst-$name.busy"
	cat "$work"/burst-"$name"-*.ms | sort -n | tail -1
}
# busy_ms: the CPU time the whole machine has spent, in ms
busy_ms() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print int(($2 + $3 + $4 + $7 + $8) * 1000 / hz) }' /proc/stat; }
burst_n=${BURST:-10}
all_tmpl=$(burst tmpl "$tmpl")
printf '%d runs at once: from the VM template, all printed in %s ms (%sx one alone); %s\n' \
	"$burst_n" "$all_tmpl" "$(ratio "$all_tmpl" "$m_tmpl")" "$(cat "$work/burst-tmpl.busy")"
# the default configuration, twice: the first burst finds the cache at its
# size and makes it grow; the second finds it grown (within the minute it
# keeps the growth)
for round in 1 2; do
	cache_ready
	kept=$(cache_field target)
	rm -f "$work"/burst-cache-*
	all_cache=$(burst cache "$cache")
	took=$(grep -l 'a VM from the cache' "$work"/burst-cache-*.log | wc -l)
	said=$(grep -l 'not used' "$work"/burst-cache-*.log | wc -l)
	printf '%d runs at once, default configuration (burst %d, %s VMs ready): all printed in %s ms (%sx one alone): %d took a cached VM, %d found it empty and said so (they started from the template); it keeps %s ready now; %s\n' \
		"$burst_n" "$round" "$kept" "$all_cache" "$(ratio "$all_cache" "$m_cache")" "$took" "$said" "$(cache_field target)" "$(cat "$work/burst-cache.busy")"
done
# what a VM waiting in the cache uses: the cache's QEMU processes (no run
# is left, so every QEMU of this work directory is the cache's) over 10 s
cache_ready
sleep 2
cache_qemus() {
	local p
	for p in $(pgrep -f -- "$work/factory"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" != qemu-system-x86 ] || echo "$p"
	done
}
cached=$(cache_qemus)
# shellcheck disable=SC2086 # one word per pid
printf 'idle CPU per VM waiting in the cache (%d of them): %s%%\n' "$(echo "$cached" | wc -w)" "$(idle_cpu 10 $cached)"
"$kr" --kata-config "$cache" factory destroy >/dev/null

# memory and idle CPU: VMS idle pods, cold then from the template
jq '.process.args = ["sleep", "100000"]' "$bundle/config.json" >"$bundle/c" && mv "$bundle/c" "$bundle/config.json"
# per_qemu KIND AWK-PROGRAM FILE: the sum, over KIND's QEMU processes, of
# what the program prints for each one's /proc/PID/FILE
per_qemu() {
	local p s=0
	for p in $(pgrep -f -- "-name sandbox-$1-"); do
		s=$((s + $(awk "$2" "/proc/$p/$3")))
	done
	echo "$s"
}
# shellcheck disable=SC2016 # awk programs, expanded by awk
pss_sum() { per_qemu "$1" '/^Pss:/ { print $2 }' smaps_rollup; }
for kind in cold tmpl; do
	config=$cold
	[ "$kind" = tmpl ] && config=$tmpl
	"$kr" --root "$root" --kata-config "$config" run --detach --bundle "$bundle" "$kind-0" </dev/null >/dev/null 2>&1
	sleep 2
	one=$(pss_sum "$kind")
	for i in $(seq 1 $((vms - 1))); do
		"$kr" --root "$root" --kata-config "$config" run --detach --bundle "$bundle" "$kind-$i" </dev/null >/dev/null 2>&1
	done
	sleep 5
	all=$(pss_sum "$kind")
	# shellcheck disable=SC2046 # one word per pid
	idle=$(idle_cpu 10 $(pgrep -f -- "-name sandbox-$kind-"))
	printf '%s: QEMU PSS %d MiB with 1 VM, %d MiB with %d: %d MiB per additional VM; idle CPU per pod %s%%\n' \
		"$( [ "$kind" = cold ] && echo 'booted cold' || echo 'from the template')" \
		$((one / 1024)) $((all / 1024)) "$vms" $(((all - one) / 1024 / (vms - 1))) \
		"$idle"
	for i in $(seq 0 $((vms - 1))); do
		"$kr" --root "$root" --kata-config "$config" delete --force "$kind-$i" >/dev/null 2>&1
	done
done
