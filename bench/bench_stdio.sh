#!/bin/bash
# A container's output leaving the VM (issue 28): 100 MiB written to
# stdout by dd, read on the host by a fast reader (bench_drain, which
# times from the first byte to the end, so a VM's boot is not counted),
# through `kata-runtime run` and `kata-runtime exec` (each exec of a
# series shown, to see that repeats do not slow down); beside the same
# bytes piped inside the container (`dd | cat`, timed by the guest's
# clock: the VM's own speed) and the same container under runc (the
# host's). The shim v2's figure is in bench_shimv2.sh. Medians of RUNS.
#
# Usage: bench/bench_stdio.sh BUILD_DIR [RUNS]
set -euo pipefail

build=$(cd "${1:-build}" && pwd)
runs=${2:-3}
mib=100
kr=$build/bin/kata-runtime
drain=$build/bench/bench_drain
conf=$build/data/configuration-dev.toml
work=$(mktemp -d)
id=bench-stdio-$$
cleanup() {
	"$kr" --root "$work/root" --kata-config "$conf" delete --force "$id" >/dev/null 2>&1 || true
	runc --root "$work/runc" delete --force "$id" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
K() { "$kr" --root "$work/root" --kata-config "$conf" "$@"; }
flood="dd if=/dev/zero bs=1M count=$mib"
bundle=$work/bundle
busybox_bundle "$kr" "$bundle" sh -c "$flood 2>/dev/null"
for a in dd cat; do ln -s busybox "$bundle/rootfs/bin/$a"; done

# ms FILE: the median drain time of the "BYTES MS" lines in FILE, checking
# that every run brought all the bytes out
ms() {
	awk -v want=$((mib << 20)) '$1 != want { print "bench_stdio: " $1 " bytes, not " want > "/dev/stderr"; exit 1 } { print $2 }' "$1" | median
}
rate() { mib_rate "$mib" "$1"; }

# under runc: the host's speed
for _ in $(seq "$runs"); do runc --root "$work/runc" run --bundle "$bundle" "$id" </dev/null | "$drain"; done >"$work/runc.out"
runc_ms=$(ms "$work/runc.out")

# kata-runtime run: a VM per run, its drain timed from the first byte
for i in $(seq "$runs"); do K run --bundle "$bundle" "$id-$i" </dev/null | "$drain"; done >"$work/run.out"
run_ms=$(ms "$work/run.out")

# one pod, then the pipe inside it and a series of execs
jq '.process.args = ["sleep", "100000"]' "$bundle/config.json" >"$work/c" && mv "$work/c" "$bundle/config.json"
K run --detach --bundle "$bundle" "$id" </dev/null >/dev/null
for _ in $(seq "$runs"); do
	K exec "$id" sh -c "$GUEST_PIPE"
done | uptime_ms | median >"$work/pipe"
pipe_ms=$(cat "$work/pipe")
execs=$((runs * 2))
for _ in $(seq "$execs"); do K exec "$id" sh -c "$flood 2>/dev/null" </dev/null | "$drain"; done >"$work/exec"
exec_ms=$(ms "$work/exec")
series=$(awk '{ printf "%s%s", sep, $2; sep = " " }' "$work/exec")

printf 'stdout, %d MiB (TCG, medians of %d): piped inside the container %s ms (%s); through kata-runtime run %s ms (%s, %sx the pipe, %sx runc); through exec %s ms (%s, %sx the pipe, %sx runc; %d execs in a row: %s ms); runc %s ms (%s)\n' \
	"$mib" "$runs" "$pipe_ms" "$(rate "$pipe_ms")" \
	"$run_ms" "$(rate "$run_ms")" "$(ratio "$pipe_ms" "$run_ms")" "$(ratio "$runc_ms" "$run_ms")" \
	"$exec_ms" "$(rate "$exec_ms")" "$(ratio "$pipe_ms" "$exec_ms")" "$(ratio "$runc_ms" "$exec_ms")" \
	"$execs" "$series" "$runc_ms" "$(rate "$runc_ms")"
