#!/usr/bin/env bats
# [hypervisor.qemu] rootless = true: QEMU as an unprivileged user of its
# own (one per sandbox), without capabilities, under its seccomp sandbox,
# with only the descriptors it needs; the containers' files through
# virtio-fs (virtiofsd stays root, with its own sandbox); taps and sockets
# handed over; nothing left after.

load helpers
load runtime

setup() {
	setup_runtime
	[ -x /usr/lib/qemu/virtiofsd ] || skip "virtiofsd is not installed"
	SID=rl$$
	T=$BATS_TEST_TMPDIR
	RL_CONFIG=$T/rootless.toml
	sed -e 's|^shared_fs = .*|shared_fs = "virtio-fs"|' -e 's|^rootless = .*|rootless = true|' "$DEV_CONFIG" >"$RL_CONFIG"
	grep -q '^rootless = true' "$RL_CONFIG"
	export KR_CONFIG=$RL_CONFIG
}

teardown() {
	teardown_runtime
}

qemu_pid_of() {
	cut -d' ' -f1 "$(vm_dir_of "$1")/qemu.pid"
}

status_field() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}

@test "rootless: QEMU runs as a user of its own, without capabilities, with only its descriptors" {
	make_bundle "$T/b" sleep 1000
	kr run --detach --bundle "$T/b" "$SID" </dev/null >/dev/null 2>&1
	local q uid
	q=$(qemu_pid_of "$SID")
	uid=$(status_field "$q" Uid)
	[ "$uid" -ge 2147352576 ] && [ "$uid" -lt 2147418112 ]
	assert_equal "$(status_field "$q" Gid)" "$uid"
	assert_equal "$(status_field "$q" CapEff)" 0000000000000000
	assert_equal "$(status_field "$q" CapPrm)" 0000000000000000
	assert_equal "$(status_field "$q" NoNewPrivs)" 1
	assert_equal "$(status_field "$q" Seccomp)" 2
	# its descriptors: its own sockets, eventfds and logs, nothing of ours
	local vm
	vm=$(vm_dir_of "$SID")
	run sh -c "ls -l /proc/$q/fd | awk '/->/ {print \$NF}'"
	refute_output --partial "$KR_ROOT"
	refute_output --partial "$T/b"
	refute_output --partial "/dev/kvm" # TCG here
	# it owns its own directory only; the VM directory with our pid files is root's
	assert_equal "$(stat -c %u "$vm/qemu")" "$uid"
	assert_equal "$(stat -c %u:%a "$vm")" "0:711"
	assert_equal "$(stat -c %u "$vm/qemu.pid")" 0
	# the container's files over virtio-fs, written as the container's root
	run kr exec --cap CAP_CHOWN "$SID" sh -c 'echo written > /from-guest; chown 1000:1000 /from-guest; ls -ln /from-guest'
	assert_success
	assert_equal "$(cat "$T/b/rootfs/from-guest")" written
	assert_equal "$(stat -c %u:%g "$T/b/rootfs/from-guest")" 1000:1000
	run kr delete --force "$SID"
	assert_success
	[ -z "$(ls -A /run/kata-containers/.vm/.uids 2>/dev/null)" ]
	assert_clean "$SID"
}

@test "rootless: two sandboxes, two users" {
	make_bundle "$T/a" sleep 1000
	make_bundle "$T/b" sleep 1000
	kr run --detach --bundle "$T/a" "$SID-a" </dev/null >/dev/null 2>&1
	kr run --detach --bundle "$T/b" "$SID-b" </dev/null >/dev/null 2>&1
	local ua ub
	ua=$(status_field "$(qemu_pid_of "$SID-a")" Uid)
	ub=$(status_field "$(qemu_pid_of "$SID-b")" Uid)
	[ "$ua" != "$ub" ] && [ "$ua" != 0 ] && [ "$ub" != 0 ]
	kr delete --force "$SID-a"
	kr delete --force "$SID-b"
	assert_clean "$SID-a" "$SID-b"
}

@test "rootless: the pod's network through tap descriptors handed to QEMU" {
	command -v ip >/dev/null || skip "iproute2 is not installed"
	make_netns
	make_bundle "$T/sb" sleep 1000
	bundle_set "$T/sb" ".linux.namespaces = [{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},
		{\"type\":\"network\",\"path\":\"/run/netns/$NETNS\"}]"
	kr run --detach --bundle "$T/sb" "$SID" </dev/null >/dev/null 2>"$T/err" || { cat "$T/err" >&3; false; }
	run kr exec --cap CAP_NET_RAW "$SID" ping -c 1 -W 5 10.123.45.1
	assert_success
	run kr delete --force "$SID"
	assert_success
	run ip -n "$NETNS" link show
	refute_output --partial tap0_kata
	assert_clean "$SID"
}

@test "rootless: a create killed before its record names QEMU's user still releases it" {
	make_bundle "$T/b" sleep 1000
	local p rc
	# the uid is claimed, QEMU runs as it, but the state knows no uid yet
	for p in create:qemu-spawned create:booted; do
		rc=0
		KATA_RUNTIME_CRASH=$p kr create --bundle "$T/b" "$SID" </dev/null >"$T/out" 2>&1 || rc=$?
		[ "$rc" -eq 137 ] || { echo "at $p: $rc: $(cat "$T/out")" >&2; return 1; }
		[ -n "$(ls -A /run/kata-containers/.vm/.uids)" ]
		run kr delete --force "$SID"
		assert_success
		[ -z "$(ls -A /run/kata-containers/.vm/.uids 2>/dev/null)" ] || { echo "after $p: uid left" >&2; return 1; }
		assert_clean "$SID"
	done
}

@test "rootless: refused with virtio-9p, naming the key" {
	sed -i 's|^shared_fs = .*|shared_fs = "virtio-9p"|' "$RL_CONFIG"
	make_bundle "$T/b" true
	run kr create --bundle "$T/b" "$SID"
	assert_equal "$status" 1
	assert_output --regexp "rootless.toml:[0-9]+: \[hypervisor.qemu\] rootless: rootless = true needs shared_fs = \"virtio-fs\""
	assert_clean "$SID"
}
