#!/usr/bin/env bats
# Isolation, tried as an attacker would: a privileged container (root in
# the guest) mounts the VM's share itself, plants symlinks where the host
# acts (the next pod member's rootfs and mounts, its own entries) and keeps
# swapping them while the host creates and deletes; a share tampered with
# on the host side; and nothing outside the runtime's own directories may
# be mounted, created or removed - checked against canary trees.

load helpers
load runtime

setup() {
	setup_runtime
	SID=iso$$
	T=$BATS_TEST_TMPDIR
	# what an attacker would aim at: a directory with empty files and
	# directories (the old teardown removed those), and a tree beside it
	mkdir -p "$T/victim/emptydir" "$T/canary/dir"
	: >"$T/victim/emptyfile"
	echo keep >"$T/canary/file"
	ln -s ../victim "$T/canary/link"
	snapshot "$T/victim" "$T/canary" >"$T/before"
}

teardown() {
	teardown_runtime
	umount -l "$T/victim" 2>/dev/null || true
}

# Every entry with its type, size and mode; and whether it is a mount point.
snapshot() {
	find "$@" -printf '%p %y %s %m\n' | sort
	local d
	for d in "$@"; do mountpoint -q "$d" && echo "MOUNTED $d"; done
	grep -F " $T/" /proc/self/mountinfo | awk '{print "MOUNT", $5}'
	return 0
}

ALL_CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_DAC_READ_SEARCH","CAP_FOWNER","CAP_FSETID","CAP_KILL",
	"CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_NET_ADMIN","CAP_NET_RAW","CAP_SYS_CHROOT","CAP_MKNOD",
	"CAP_SYS_ADMIN","CAP_SYS_PTRACE","CAP_AUDIT_WRITE","CAP_SETFCAP"]'

# pod_bundle DIR ROLE ARGS...
pod_bundle() {
	local dir=$1 role=$2
	shift 2
	make_bundle "$dir" "$@"
	bundle_set "$dir" ".annotations = {\"io.kubernetes.cri.container-type\": \"$role\", \"io.kubernetes.cri.sandbox-id\": \"$SID\"}"
}

# The attacker: root in the guest's own PID namespace (no pid namespace in
# its spec, as runc would run it on a host) reaches the agent's mount of
# the share through /proc/1/root, plants symlinks to the victim where the
# host will act for the next member ($SID-a) and for itself, then keeps
# re-planting them. Every attempt's outcome goes to stdout.
ATTACK='
S=/proc/1/root/run/kata-containers/shared/containers; V=$1; A=$2; ME=$3
[ -d $S/$ME/rootfs ] && echo share-reached
for t in $A $ME; do
	mkdir -p $S/$t 2>&1
	ln -s $V $S/$t/rootfs 2>&1
	ln -s $V $S/$t/mounts 2>&1
	ln -s $V $S/$t/evil 2>&1 && echo planted-$t
done
echo attack-ready
i=0
while [ $i -lt 3000 ]; do
	rm -rf $S/$A 2>/dev/null; mkdir $S/$A 2>/dev/null && echo replanted
	ln -sfn $V $S/$A/rootfs 2>/dev/null; ln -sfn $V $S/$A/mounts 2>/dev/null
	i=$((i + 1))
done
echo attack-done
sleep 1000'

@test "isolation: a root container that plants and swaps symlinks in its share redirects nothing on the host" {
	pod_bundle "$T/sb" sandbox sh /attack.sh "$T/victim" "$SID-a" "$SID"
	echo "$ATTACK" >"$T/sb/rootfs/attack.sh"
	bundle_set "$T/sb" ".process.capabilities = {\"bounding\": $ALL_CAPS, \"effective\": $ALL_CAPS, \"permitted\": $ALL_CAPS}
		| .linux.namespaces |= map(select(.type != \"pid\"))"
	pod_bundle "$T/a" container sh -c 'echo member-ran; ls /data; sleep 1000'
	mkdir -p "$T/vol"
	bundle_set "$T/a" ".mounts += [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$T/vol\", \"options\": [\"rbind\"]}]"
	kr run --detach --bundle "$T/sb" "$SID" </dev/null >"$T/attack.log" 2>&1
	for _ in $(seq 100); do grep -q attack-ready "$T/attack.log" && break; sleep 0.1; done
	cat "$T/attack.log" >&2
	grep -q share-reached "$T/attack.log"
	grep -q attack-ready "$T/attack.log"
	# the share's structure is the host's: nothing could be planted
	run grep -c planted- "$T/attack.log"
	assert_output 0
	grep -q "Read-only file system" "$T/attack.log"
	# a pod member created and deleted while the attacker keeps trying
	# (the member's output goes to a file: the shim keeps its stdout open)
	kr run --detach --bundle "$T/a" "$SID-a" </dev/null >"$T/a.log" 2>&1
	for _ in $(seq 100); do grep -q member-ran "$T/a.log" && break; sleep 0.1; done
	grep -q member-ran "$T/a.log"
	run kr delete --force "$SID-a"
	assert_success
	run kr delete --force "$SID"
	assert_success
	snapshot "$T/victim" "$T/canary" >"$T/after"
	diff "$T/before" "$T/after"
	assert_clean "$SID" "$SID-a"
}

@test "isolation: a share tampered with on the host side is reported and never followed" {
	pod_bundle "$T/sb" sandbox sleep 1000
	pod_bundle "$T/a" container sleep 1000
	kr run --detach --bundle "$T/sb" "$SID" </dev/null >/dev/null 2>&1
	local vm
	vm=$(vm_dir_of "$SID")
	[ -d "$vm/mounts" ]
	# QEMU runs under its seccomp sandbox and exports the read-only view
	local qpid
	qpid=$(cut -d' ' -f1 "$vm/qemu.pid")
	tr '\0' ' ' <"/proc/$qpid/cmdline" | grep -q -- "-sandbox on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"
	tr '\0' ' ' <"/proc/$qpid/cmdline" | grep -q -- "path=$vm/shared,"
	grep -F " $vm/shared " /proc/self/mountinfo | grep -q " ro,nosuid,nodev"
	# as if the guest could write there: the next member's entry is a symlink
	ln -s "$T/victim" "$vm/mounts/$SID-a"
	run kr run --detach --bundle "$T/a" "$SID-a" </dev/null 2>&1
	assert_failure
	assert_output --partial "not what kata-runtime made"
	assert_output --partial "$SID-a"
	# an entry in the way of the next member, with a symlink inside
	rm "$vm/mounts/$SID-a"
	mkdir "$vm/mounts/$SID-b"
	ln -s "$T/victim" "$vm/mounts/$SID-b/rootfs"
	pod_bundle "$T/b" container sleep 1000
	run kr run --detach --bundle "$T/b" "$SID-b" </dev/null 2>&1
	assert_failure
	assert_output --partial "has an entry for $SID-b already"
	run kr delete --force "$SID"
	assert_success
	snapshot "$T/victim" "$T/canary" >"$T/after"
	diff "$T/before" "$T/after"
	assert_clean "$SID" "$SID-a" "$SID-b"
}
