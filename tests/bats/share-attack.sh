#!/bin/sh
# The attacker of 152-guest-root.bats, run as root in a container in the
# VM (busybox sh). Every attempt prints a line: WROTE, MADE or LINKED when
# something the host must refuse went through; the test fails on those.
# $1: the container's id; $2: the host path of the canary tree.
ID=$1 CANARY=$2
# the agent's own mount of the whole share (reached when the container is
# in the guest's PID namespace and may trace PID 1): read-write as far as
# the guest's kernel is concerned, so only the host can refuse
S=/proc/1/root/run/kata-containers/shared/containers/$ID

write() {
	if { echo pwned >>"$1"; } 2>/dev/null; then echo "WROTE $1"; else echo "refused: append $1"; fi
	if truncate -s 0 "$1" 2>/dev/null; then echo "WROTE truncate $1"; else echo "refused: truncate $1"; fi
	chmod 0777 "$1" 2>/dev/null && echo "WROTE chmod $1"
	chown 1000:1000 "$1" 2>/dev/null && echo "WROTE chown $1"
	touch -d '2001-01-01 00:00' "$1" 2>/dev/null && echo "WROTE mtime $1"
	mv "$1" "$1.moved" 2>/dev/null && echo "WROTE rename $1"
	rm -f "$1" 2>/dev/null && [ ! -e "$1" ] && echo "WROTE unlink $1"
	return 0
}

create() {
	if { echo new >"$1/created"; } 2>/dev/null; then echo "WROTE $1/created"; else echo "refused: create in $1"; fi
	mkdir "$1/newdir" 2>/dev/null && echo "WROTE mkdir $1/newdir"
	ln -s /etc/passwd "$1/newlink" 2>/dev/null && echo "WROTE symlink $1/newlink"
	return 0
}

remount() {
	mount -o remount,rw "$1" 2>/dev/null
	mount -o remount,bind,rw "$1" 2>/dev/null && echo "remounted $1"
	return 0
}

# 1. the read-only root and volumes, remounted read-write
remount / && mount -o remount,bind,rw / 2>/dev/null && echo root-remounted
for m in /ro /ro/sub /rofile; do remount $m; done
for f in /etc/passwd /etc/group /ro/file /ro/dir/file /ro/link /ro/sub/file /rofile; do write $f; done
for d in / /etc /ro /ro/dir /ro/sub; do create $d; done

# 2. the same files through the agent's mount of the share
if [ -d "$S" ]; then
	echo share-reached
	for f in "$S"/rootfs/etc/passwd "$S"/mounts/*/ro/file "$S"/mounts/*/ro/dir/file \
		"$S"/mounts/*/ro/sub/file "$S"/mounts/*/rofile; do
		write "$f"
	done
	for d in "$S"/rootfs "$S"/mounts/*/ro "$S"/mounts/*/ro/sub; do create "$d"; done
	# hard links and renames from a read-only volume or the root into the
	# writable one (one mount in the guest, several on the host)
	for f in "$S"/rootfs/etc/passwd "$S"/mounts/*/ro/file; do
		ln "$f" "$S"/mounts/*/rw/hardlink 2>/dev/null && echo "LINKED $f"
		mv "$f" "$S"/mounts/*/rw/ 2>/dev/null && echo "WROTE moved $f"
	done
	for n in "$S"/mounts/*/rw; do
		mknod "$n/share-blk" b 7 0 2>/dev/null && echo "MADE $n/share-blk"
	done
fi

# 3. the writable volume: device nodes, set-id files, links out
mknod /rw/blk b 7 0 2>/dev/null && echo "MADE /rw/blk"
mknod /rw/mem c 1 1 2>/dev/null && echo "MADE /rw/mem"
mknod /rw/kmsg c 1 11 2>/dev/null && echo "MADE /rw/kmsg"
mknod /rw/fifo p 2>/dev/null && echo "made a FIFO"
chown 0:0 /rw/euid 2>/dev/null && chmod 6755 /rw/euid 2>/dev/null && echo "made /rw/euid set-id"
cp /bin/busybox /rw/sh 2>/dev/null && chmod 4755 /rw/sh 2>/dev/null && echo "made /rw/sh set-uid"
ln /ro/file /rw/hard 2>/dev/null && echo "LINKED /ro/file"
ln /etc/passwd /rw/hard2 2>/dev/null && echo "LINKED /etc/passwd"
ln -s "$CANARY" /rw/canary 2>/dev/null && echo "planted /rw/canary"
{ echo pwned >>/rw/canary/file; } 2>/dev/null && echo "wrote through /rw/canary (the guest's own path)"
ln -s /ro/file /rw/ro-link 2>/dev/null && { echo pwned >>/rw/ro-link; } 2>/dev/null &&
	echo "WROTE through /rw/ro-link"
echo attack-done
exec sleep 1000
