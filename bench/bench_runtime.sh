#!/bin/bash
# kata-runtime figures: from `kata-runtime run` to the container's first
# output line, with the runtime's own breakdown (each stage of create and
# start, as KATA_RUNTIME_TIMING prints them), the runtime's overhead
# beyond the VM's boot, and the host memory of the helpers per container
# (kata-proxy + kata-shim RSS). Medians of N runs.
#
# Usage: bench/bench_runtime.sh BUILD_DIR [RUNS]
set -euo pipefail

build=$(cd "${1:-build}" && pwd)
runs=${2:-5}
kr=$build/bin/kata-runtime
config=$build/data/configuration-dev.toml
work=$(mktemp -d)
root=$work/root
trap 'for id in $(ls "$root" 2>/dev/null); do "$kr" --root "$root" --kata-config "$config" delete --force "$id" >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT

bundle=$work/bundle
mkdir -p "$bundle/rootfs/bin"
cp /bin/busybox "$bundle/rootfs/bin/"
for a in echo sh sleep; do ln -s busybox "$bundle/rootfs/bin/$a"; done
"$kr" spec --bundle "$bundle"
args='["echo","first output"]'
jq --argjson a "$args" '.process.terminal = false | .process.args = $a' "$bundle/config.json" >"$bundle/c" &&
	mv "$bundle/c" "$bundle/config.json"

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

: >"$work/results"
: >"$work/stages"
for i in $(seq "$runs"); do
	first_output --stages "$work/stages" "$kr" --root "$root" --kata-config "$config" run --bundle "$bundle" "bench-$i" \
		>>"$work/results"
done
total=$(median <"$work/results")
printf 'kata-runtime run -> first output (TCG, %d runs, medians): %s ms\n' "$runs" "$total"
printf '  stages (kata-runtime run, KATA_RUNTIME_TIMING): %s\n' "$(stage_line "$work/stages")"

# memory: a container left running, its proxy and shim measured
jq '.process.args = ["sleep","1000"]' "$bundle/config.json" >"$bundle/c" && mv "$bundle/c" "$bundle/config.json"
"$kr" --root "$root" --kata-config "$config" run --detach --bundle "$bundle" bench-mem </dev/null >/dev/null 2>&1
shim=$("$kr" --root "$root" state bench-mem | jq -r .pid)
proxy=$(pgrep -f -- "kata-proxy .*--sandbox bench-mem" | head -n1)
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
pss() { awk '/^Pss:/ { s += $2 } END { print s }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
printf 'helpers per container: kata-shim RSS %s KiB (PSS %s), kata-proxy RSS %s KiB (PSS %s); together %s KiB\n' \
	"$(rss "$shim")" "$(pss "$shim")" "$(rss "$proxy")" "$(pss "$proxy")" $(($(rss "$shim") + $(rss "$proxy")))
qemu=$(pgrep -f -- "-name sandbox-bench-mem " | head -n1)
printf 'QEMU (TCG) RSS %s KiB\n' "$(rss "$qemu")"
# the runtime's QEMU command line, for the same VM without the runtime
vmdir=$(tr '\0' '\n' <"/proc/$qemu/cmdline" | sed -n 's|^file,id=console,path=\(.*\)/qemu/console.log$|\1|p')
tr '\0' '\n' <"/proc/$qemu/cmdline" >"$work/qemu.args"
"$kr" --root "$root" --kata-config "$config" delete --force bench-mem

# QEMU alone, the same command line (sockets and logs moved), driven by
# agentctl over one connection: handshake, sandbox (9p), container, output
alone=$work/alone
mkdir -p "$alone/share/bb" "$alone/qemu"
cp -a "$bundle/rootfs" "$alone/share/bb/rootfs"
mapfile -t qargs < <(sed "s|$vmdir/shared|$alone/share|; s|$vmdir|$alone|" "$work/qemu.args")
: >"$work/alone.results"
for i in $(seq "$runs"); do
	rm -f "$alone/qemu/agent.sock" "$alone/qemu/qmp.sock"
	t0=$(date +%s%N)
	setsid "${qargs[@]}" </dev/null >/dev/null 2>&1 &
	qpid=$!
	t1=$(date +%s%N)
	out=$("$build/bin/agentctl" -T -s "$alone/qemu/agent.sock" run b1 --share kataShared --rootfs bb/rootfs -- echo first output 2>&1 >/dev/null)
	kill -9 "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	awk -v t0="$t0" -v t1="$t1" '/timing: handshake/ { h = $3 } /timing: first-output/ { f = $3 }
		END { printf "%.1f %.1f\n", (t1 - t0) / 1e6 + h, (t1 - t0) / 1e6 + f }' <<<"$out" >>"$work/alone.results"
done
acol() { awk -v c="$1" '{ print $c }' "$work/alone.results" | median; }
ahs=$(acol 1) afo=$(acol 2)
printf 'QEMU alone, same command line: start -> agent handshake %s ms; -> first output (sandbox, container, by agentctl) %s ms\n' "$ahs" "$afo"
awk -v t="$total" -v a="$afo" 'BEGIN { printf "runtime overhead (kata-runtime run -> first output, minus the same VM and guest work driven directly): %.0f ms\n", t - a }'
