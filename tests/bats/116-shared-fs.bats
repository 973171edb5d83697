#!/usr/bin/env bats
# The container's files over each shared filesystem (issue 28): what a
# program in the container does to its rootfs and to a volume - contents,
# permissions, ownership, hard and symbolic links, renames, a file past
# 4 GiB, writes through a shared mapping - is what the host finds, and
# what the host wrote the container reads, mapped; and when virtiofsd dies
# the VM goes with it (its files are gone: every access would hang) rather
# than hanging on.

bats_require_minimum_version 1.5.0
load helpers
load runtime

setup() {
	setup_runtime
	B=$BATS_TEST_TMPDIR/bundle
	VOL=$BATS_TEST_TMPDIR/vol
	mkdir -p "$VOL"
}

teardown() {
	teardown_runtime
}

# fs_config FS: KR_CONFIG shares the rootfs with FS
fs_config() {
	KR_CONFIG=$BATS_TEST_TMPDIR/configuration.toml
	sed -e "s|^shared_fs = .*|shared_fs = \"$1\"|" "$DEV_CONFIG" >"$KR_CONFIG"
}

# What the container does, in its rootfs (/work) and in a volume (/vol).
semantics_bundle() {
	make_bundle "$B" sh /check.sh
	cp "$KC_BUILD/fixtures/mmap-rw" "$B/rootfs/bin/"
	bundle_set "$B" ".mounts += [{destination: \"/vol\", type: \"bind\", source: \"$VOL\", options: [\"rbind\", \"rw\"]}]"
	# Docker's file capabilities (runc's default spec has none: no chown)
	bundle_set "$B" '.process.capabilities |= with_entries(.value += ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID"])'
	echo "written by the host" >"$VOL/from-host"
	cat >"$B/rootfs/check.sh" <<'CHECK'
set -e
for d in /work /vol; do
	mkdir -p $d
	echo "hello from $d" >$d/f
	cat $d/f
	chmod 640 $d/f
	chown 1000:1001 $d/f
	echo "$d mode $(stat -c '%a %u:%g' $d/f)"
	ln $d/f $d/hard
	echo "$d links $(stat -c %h $d/f) same-inode $([ "$(stat -c %i $d/f)" = "$(stat -c %i $d/hard)" ] && echo yes)"
	ln -s f $d/sym
	echo "$d symlink $(readlink $d/sym) $(cat $d/sym)"
	mv $d/hard $d/renamed
	echo "$d renamed $(cat $d/renamed)"
	# past 4 GiB: sparse, with bytes at the end
	printf end | dd of=$d/big bs=1 seek=5368709120 conv=notrunc 2>/dev/null
	echo "$d big $(stat -c %s $d/big) $(dd if=$d/big bs=1 skip=5368709120 count=3 2>/dev/null)"
	mmap-rw write $d/mapped "through a mapping" 8192
done
echo "host file $(mmap-rw head /vol/from-host)"
CHECK
}

semantics() {
	fs_config "$1"
	semantics_bundle
	run kr run --bundle "$B" "sfs-$2" </dev/null
	echo "$output" >&2
	assert_success
	local d
	for d in /work /vol; do
		assert_line "hello from $d"
		assert_line "$d mode 640 1000:1001"
		assert_line "$d links 2 same-inode yes"
		assert_line "$d symlink f hello from $d"
		assert_line "$d renamed hello from $d"
		assert_line "$d big 5368709123 end"
	done
	assert_line "mapped write read back"
	assert_line "host file written by the host"
	# the host sees what the guest did, in the rootfs and in the volume
	local h
	for h in "$B/rootfs/work" "$VOL"; do
		assert_equal "$(stat -c '%a %u:%g %h' "$h/f")" "640 1000:1001 2"
		assert_equal "$(stat -c %i "$h/f")" "$(stat -c %i "$h/renamed")"
		assert_equal "$(readlink "$h/sym")" f
		assert_equal "$(stat -c %s "$h/big")" 5368709123
		assert_equal "$(tail -c 3 "$h/big")" end
		assert_equal "$(tail -c 17 "$h/mapped")" "through a mapping"
		assert_equal "$(stat -c %s "$h/mapped")" $((8192 + 17))
	done
	kr delete --force "sfs-$2" >/dev/null 2>&1 || true
	assert_clean "sfs-$2"
}

@test "shared fs: virtio-9p: files, permissions, ownership, links, renames, a 5 GiB file and mappings, both ways" {
	semantics virtio-9p 9p
}

@test "shared fs: virtio-fs: files, permissions, ownership, links, renames, a 5 GiB file and mappings, both ways" {
	[ -x /usr/lib/qemu/virtiofsd ] || skip "no virtiofsd"
	semantics virtio-fs vfs
}

@test "shared fs: virtiofsd killed: the VM goes with it, the container is stopped, delete --force leaves nothing" {
	run -2 "$KC_BUILD/bin/kata-proxy" --agent-socket x --listen y --fs-server-pid 12ab
	assert_output "kata-proxy: --fs-server-pid: '12ab' is not a process id"
	run -2 "$KC_BUILD/bin/kata-proxy" --agent-socket x --listen y --vm-pid 0
	assert_output "kata-proxy: --vm-pid: '0' is not a process id"
	[ -x /usr/lib/qemu/virtiofsd ] || skip "no virtiofsd"
	fs_config virtio-fs
	make_bundle "$B" sleep 1000
	kr run --detach --bundle "$B" sfs-crash </dev/null >/dev/null 2>&1
	local vm qemu fsd
	vm=$(vm_dir_of sfs-crash)
	qemu=$(cut -d' ' -f1 "$vm/qemu.pid")
	fsd=$(cut -d' ' -f1 "$vm/virtiofsd.pid")
	run -0 kr exec sfs-crash cat /proc/self/comm
	kill -9 "$fsd"
	local _
	for _ in $(seq 100); do kill -0 "$qemu" 2>/dev/null || break; sleep 0.1; done
	run ! kill -0 "$qemu"
	grep -q "the VM's file server (virtiofsd, pid $fsd) has exited" "$vm/proxy.log"
	for _ in $(seq 100); do [ "$(kr state sfs-crash | jq -r .status)" = stopped ] && break; sleep 0.1; done
	assert_equal "$(kr state sfs-crash | jq -r .status)" stopped
	run -0 kr delete --force sfs-crash
	assert_clean sfs-crash
}
