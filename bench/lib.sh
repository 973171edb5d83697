# shellcheck shell=bash
# What the bench scripts share (sourced; each sets $work, its scratch
# directory, first).

# median: the median of the numbers on standard input, one per line.
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio A B: A / B to two places (0 when B is 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# mib_rate MIB MS: MIB mebibytes in MS milliseconds, as "N MiB/s" ("-"
# without a time).
mib_rate() { awk -v mib="$1" -v ms="$2" 'BEGIN { if (ms > 0) printf "%d MiB/s", mib * 1000 / ms; else print "-" }'; }

# A container's shell command: 100 MiB from dd piped to cat inside the
# container (the VM's own speed for output), printing the guest's uptime
# before and after; uptime_ms turns those lines into milliseconds.
# shellcheck disable=SC2016,SC2034 # expanded by the container's shell; used by the sourcing scripts
GUEST_PIPE='read -r a _ </proc/uptime; dd if=/dev/zero bs=1M count=100 2>/dev/null | cat >/dev/null; read -r b _ </proc/uptime; echo $a $b'
uptime_ms() { awk '{ printf "%.0f\n", ($2 - $1) * 1000 }'; }

# shellcheck disable=SC2154 # $work is the sourcing script's
# first_output [--stages FILE] COMMAND...: ms from COMMAND's start to the
# first line it prints (what follows, a container's teardown, is not
# counted). With --stages, KATA_RUNTIME_TIMING is set and the stages
# kata-runtime printed are appended to FILE. Each call has files of its
# own, so runs started together each time their own.
first_output() {
	local stages='' err t0 timing=()
	if [ "$1" = --stages ]; then
		stages=$2 timing=(env KATA_RUNTIME_TIMING=1)
		shift 2
	fi
	err=$(mktemp -p "$work")
	t0=$(date +%s%N)
	"${timing[@]}" "$@" 2>"$err" | { IFS= read -r _; echo $((($(date +%s%N) - t0) / 1000000)); cat >/dev/null; }
	[ -z "$stages" ] || grep '^timing:' "$err" >>"$stages" || true
	rm -f "$err"
}

# busybox_bundle KATA_RUNTIME DIR ARG...: an OCI bundle in DIR (kata-runtime
# spec's, no terminal) running ARG... in a root of Debian's static busybox.
busybox_bundle() {
	local kr=$1 dir=$2 a
	shift 2
	mkdir -p "$dir/rootfs/bin"
	cp /bin/busybox "$dir/rootfs/bin/"
	for a in echo sh sleep true; do ln -s busybox "$dir/rootfs/bin/$a"; done
	rm -f "$dir/config.json"
	"$kr" spec --bundle "$dir"
	jq --argjson a "$(printf '%s\n' "$@" | jq -R . | jq -s -c .)" \
		'.process.terminal = false | .process.args = $a' "$dir/config.json" >"$dir/c" &&
		mv "$dir/c" "$dir/config.json"
}

# stage_medians FILE: FILE holds KATA_RUNTIME_TIMING lines ("timing:
# name=ms name=ms ..."), one per run; prints "name MEDIAN" per stage, in
# the order the stages ran, with stages a run lacks counted as 0 ms.
stage_medians() {
	awk '/^timing:/ {
		runs++
		for (i = 2; i <= NF; i++) {
			split($i, kv, "=")
			if (!(kv[1] in seen)) { seen[kv[1]] = 1; order[++n] = kv[1] }
			v[kv[1], runs] = kv[2]
		}
	}
	END {
		for (s = 1; s <= n; s++) {
			name = order[s]
			for (r = 1; r <= runs; r++) x[r] = ((name, r) in v) ? v[name, r] + 0 : 0
			for (i = 2; i <= runs; i++)
				for (j = i; j > 1 && x[j - 1] > x[j]; j--) { t = x[j]; x[j] = x[j - 1]; x[j - 1] = t }
			m = runs % 2 ? x[(runs + 1) / 2] : (x[runs / 2] + x[runs / 2 + 1]) / 2
			printf "%s %.1f\n", name, m
		}
	}' "$1"
}

# stage_line FILE: stage_medians as one line, "name X ms; ..." (stages
# under 0.5 ms left out), and what they add up to.
stage_line() {
	stage_medians "$1" | awk '{ sum += $2 } $2 >= 0.5 { printf "%s%s %d", sep, $1, $2 + 0.5; sep = "; " }
		END { printf " (ms; together %.0f ms)\n", sum }'
}

# idle_cpu SECONDS PID...: the CPU (user + system) the processes use over
# SECONDS, in percent of one CPU per process, to three decimals (an idle
# VM's is a few hundredths); a process that is gone counts 0.
idle_cpu() {
	local secs=$1 t0 t1
	shift
	t0=$(cpu_ticks_of "$@")
	sleep "$secs"
	t1=$(cpu_ticks_of "$@")
	awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v s="$secs" -v n=$# \
		'BEGIN { printf "%.3f", n ? d * 100 / hz / s / n : 0 }'
}
cpu_ticks_of() {
	local p t=0
	for p in "$@"; do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
