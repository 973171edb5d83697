# shellcheck shell=bash
# What the bench scripts share (sourced; each sets $work, its scratch
# directory, first).

# median: the median of the numbers on standard input, one per line.
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# shellcheck disable=SC2154 # $work is the sourcing script's
# first_output COMMAND...: ms from COMMAND's start to the first line it
# prints (what follows, a container's teardown, is not counted).
first_output() {
	local t0
	t0=$(date +%s%N)
	"$@" 2>/dev/null | { IFS= read -r _; date +%s%N >"$work/t1"; cat >/dev/null; }
	echo $((($(cat "$work/t1") - t0) / 1000000))
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
