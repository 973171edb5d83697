#!/bin/bash
# The container's files over the shared filesystem (issue 28), beside the
# same work in the guest's own tmpfs (the VM's memory speed) and under runc
# (the host's). Each figure is the guest's own clock (/proc/uptime, 10 ms
# steps) around the command.
#
#  1. Sequential: 200 MiB written to the rootfs and read back, and 2000
#     small files created by a shell loop; for each sharing in SEQ (9p with
#     an msize, or virtio-fs with a cache mode); medians of RUNS.
#  2. A tree: 10000 files of 1-8 KiB in 100 directories (49 MiB), untarred
#     into the rootfs, then `find`, `stat` of every file, `cat` of every
#     file, `rm -rf`; for each sharing in TREE, once (9p takes minutes).
#
# Usage: bench/bench_share.sh BUILD_DIR [RUNS] [SEQ] [TREE]
#   SEQ, TREE: words of 9p:MSIZE or virtio-fs:CACHE
set -euo pipefail

build=$(cd "${1:-build}" && pwd)
runs=${2:-3}
seq_settings=${3:-9p:8192 9p:131072 9p:512000 virtio-fs:auto}
tree_settings=${4:-9p:512000 virtio-fs:none virtio-fs:auto virtio-fs:always}
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
for a in cat dd find mkdir rm stat tar wc xargs; do ln -s busybox "$bundle/rootfs/bin/$a"; done
# room in /dev/shm for the tree and its archive
jq '.root.readonly = false | (.mounts[] | select(.destination == "/dev/shm") | .options) |= map(if startswith("size=") then "size=512m" else . end)' \
	"$bundle/config.json" >"$bundle/c" && mv "$bundle/c" "$bundle/config.json"

# the tree, the same on every run (awk's seeded rand), as a tar archive
mkdir -p "$work/tree"
for d in $(seq -w 0 99); do mkdir "$work/tree/d$d"; done
awk -v root="$work/tree" 'BEGIN {
	srand(7)
	for (i = 0; i < 10000; i++) {
		f = sprintf("%s/d%02d/f%04d", root, i % 100, i)
		n = 1 + int(rand() * 8)
		for (k = 0; k < n; k++) printf "%01023d\n", i > f
		close(f)
	}
}'
tar -C "$work/tree" -cf "$work/tree.tar" .
rm -rf "$work/tree"

# what runs in the container: "NAME MS" lines; WORK says which part
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
if [ "$WORK" = sequential ]; then
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
else
	cp /tree.tar /dev/shm/tree.tar
	for where in rootfs tmpfs; do
		d=/x
		[ "$where" = tmpfs ] && d=/dev/shm/x
		mkdir -p $d
		timed "$where-untar" tar -xf /dev/shm/tree.tar -C $d
		timed "$where-find" sh -c "find $d | wc -l >/dev/null"
		timed "$where-stat" sh -c "find $d -type f | xargs stat -c %s >/dev/null"
		timed "$where-cat" sh -c "find $d -type f | xargs cat >/dev/null"
		timed "$where-rm" rm -rf $d
	done
	rm -f /dev/shm/tree.tar
fi
WORKLOAD

# median_of FILE NAME: the median of NAME's figures in FILE
median_of() { awk -v n="$2" '$1 == n { print $2 }' "$1" | median; }
rate() { mib_rate 200 "$1"; }

# config_for SETTING: a configuration sharing the rootfs that way
config_for() {
	local fs=${1%%:*} arg=${1#*:}
	if [ "$fs" = 9p ]; then
		sed -e 's|^shared_fs = .*|shared_fs = "virtio-9p"|' -e "s|^#\?msize_9p = .*|msize_9p = $arg|" \
			"$build/data/configuration-dev.toml"
	else
		sed -e 's|^shared_fs = .*|shared_fs = "virtio-fs"|' -e "s|^virtio_fs_cache = .*|virtio_fs_cache = \"$arg\"|" \
			"$build/data/configuration-dev.toml"
	fi >"$work/c.toml"
}
# in_vm WORK COUNT: the workload COUNT times, its lines in $work/out
in_vm() {
	local i
	rm -f "$work/out"
	jq --arg w "$1" '.process.env += ["WORK=" + $w]' "$bundle/config.json" >"$work/b.json"
	cp "$bundle/config.json" "$work/orig.json"
	cp "$work/b.json" "$bundle/config.json"
	for i in $(seq "$2"); do
		"$kr" --root "$work/root" --kata-config "$work/c.toml" run --bundle "$bundle" "share-$i" \
			</dev/null >>"$work/out" 2>&1
	done
	cp "$work/orig.json" "$bundle/config.json"
}

for s in $seq_settings; do
	config_for "$s"
	in_vm sequential "$runs"
	w=$(median_of "$work/out" rootfs-write) r=$(median_of "$work/out" rootfs-read)
	tw=$(median_of "$work/out" tmpfs-write) tr=$(median_of "$work/out" tmpfs-read)
	sm=$(median_of "$work/out" rootfs-small) ts=$(median_of "$work/out" tmpfs-small)
	printf '%s (%d runs, medians): 200 MiB written %s ms (%s, %sx the guest tmpfs), read %s ms (%s, %sx); 2000 small files %s ms (%sx the tmpfs); the guest tmpfs: %s ms, %s ms, %s ms\n' \
		"$s" "$runs" "$w" "$(rate "$w")" "$(ratio "$tw" "$w")" "$r" "$(rate "$r")" "$(ratio "$tr" "$r")" \
		"$sm" "$(ratio "$sm" "$ts")" "$tw" "$tr" "$ts"
done

cp "$work/tree.tar" "$bundle/rootfs/tree.tar"
tree_line() { # LABEL FILE PREFIX [TMPFS-PREFIX]
	local label=$1 f=$2 p=$3 t=${4:-} op out=''
	for op in untar find stat cat rm; do
		out+=" $op $(median_of "$f" "$p-$op") ms"
		[ -z "$t" ] || out+=" ($(ratio "$(median_of "$f" "$p-$op")" "$(median_of "$f" "$t-$op")")x)"
		[ "$op" = rm ] || out+=','
	done
	echo "$label:$out"
}
for s in $tree_settings; do
	config_for "$s"
	in_vm tree 1
	tree_line "tree of 10000 files, $s (x the guest tmpfs)" "$work/out" rootfs tmpfs
	tree_line "tree of 10000 files, the guest tmpfs" "$work/out" tmpfs
done

# the same workloads under runc: the host's own speed
rm -f "$work/out"
jq '.process.env += ["WORK=sequential"]' "$work/orig.json" >"$bundle/config.json"
for _ in $(seq "$runs"); do
	runc --root "$work/runc" run --bundle "$bundle" bench-share </dev/null >>"$work/out" 2>&1 || true
done
printf 'runc (%d runs, medians): 200 MiB written %s ms, read %s ms; 2000 small files %s ms\n' "$runs" \
	"$(median_of "$work/out" rootfs-write)" "$(median_of "$work/out" rootfs-read)" "$(median_of "$work/out" rootfs-small)"
rm -f "$work/out"
jq '.process.env += ["WORK=tree"]' "$work/orig.json" >"$bundle/config.json"
runc --root "$work/runc" run --bundle "$bundle" bench-share </dev/null >>"$work/out" 2>&1 || true
tree_line "tree of 10000 files, runc" "$work/out" rootfs
