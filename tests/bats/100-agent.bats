#!/usr/bin/env bats
# The guest: the image boots under QEMU (TCG), the agent answers on its
# virtio-serial port, and runs containers from a 9p-shared busybox rootfs.
# One VM for the suite; every test removes its containers, and the last
# tests tear the sandbox down and power the VM off. No QEMU is left behind.

bats_require_minimum_version 1.5.0

load helpers
load vm

setup_file() {
	require_guest
	export VM=$BATS_FILE_TMPDIR/vm
	mkdir -p "$VM/share/bb"
	busybox_rootfs "$VM/share/bb/rootfs"
	vm_start "$VM"
}

teardown_file() {
	[ -n "${VM:-}" ] || return 0
	vm_stop "$VM"
}

setup() {
	require_guest
}

# cleanup ID...: remove containers a failed test may have left
cleanup() {
	local id
	for id in "$@"; do actl call remove_container "{\"container_id\":\"$id\"}" >/dev/null 2>&1 || true; done
}

@test "agent: handshake gives the protocol version, kernel and boot times" {
	run actl hello
	assert_success
	assert_equal "$(jq -r .version <<<"$output")" 1
	assert_equal "$(jq -r .role <<<"$output")" agent
	[ "$(jq -r .kernel <<<"$output")" != null ]
	# the agent's own start (from /init to ready), modules excluded
	jq -e '.boot.ready_ms - .boot.init_ms - .boot.modules_ms < 1000' <<<"$output"
}

@test "agent: a sandbox mounts the 9p share" {
	run actl call create_sandbox '{"share":{"type":"virtio-9p","tag":"kataShared","msize":65536}}'
	assert_success
	run actl call create_sandbox '{}'
	assert_failure
	assert_output --partial "exists already"
}

@test "agent: load_modules loads a feature's modules ahead of need; anything else is refused by name" {
	run -0 actl call load_modules '{"groups":["net"]}'
	jq -e '.failed == 0 and .ms >= 0' <<<"$output"
	run -0 actl run lm1 --rootfs bb/rootfs -- sh -c 'cut -d" " -f1 /proc/modules'
	assert_line virtio_net
	cleanup lm1
	# loaded once: asked again, nothing to do
	run -0 actl call load_modules '{"groups":["net","9p"]}'
	jq -e '.failed == 0' <<<"$output"
	run -1 actl call load_modules '{"groups":["net","ondemand"]}'
	assert_output --partial "load_modules: groups[1]: not a group (9p, virtiofs, net, netadmin, vsock)"
	run -1 actl call load_modules '{"groups":"net"}'
	assert_output --partial "load_modules: 'groups' must be an array"
	run -1 actl call load_modules '{"groups":[7]}'
	assert_output --partial "load_modules: groups[0]: not a group"
	run -0 actl call ping '{}'
}

@test "agent: a container prints and exits 0" {
	run actl run t1 --rootfs bb/rootfs -- echo hello from a VM
	assert_success
	assert_output "hello from a VM"
}

@test "agent: a non-zero exit status comes back" {
	run actl run t2 --rootfs bb/rootfs -- sh -c 'echo failing >&2; exit 3'
	assert_equal "$status" 3
	assert_output --partial failing
}

@test "agent: a signal death is 128+signal" {
	actl create t3 --rootfs bb/rootfs -- sleep 1000
	actl start t3
	actl call signal_process '{"container_id":"t3","signal":9}'
	run actl attach t3
	assert_equal "$status" 137
	cleanup t3
	# and a shell reports its child's the same way
	run actl run t3b --rootfs bb/rootfs -- sh -c 'sh -c "kill -9 \$\$"; echo child=$?'
	assert_success
	assert_line "child=137"
}

@test "agent: stdin is piped to the process, with flow control on a large stream" {
	run bash -c "echo 'piped line' | $AGENTCTL -s $VM/proxy.sock run t4 --rootfs bb/rootfs -- cat"
	assert_success
	assert_output "piped line"
	# 4 MiB through cat and back: more than any window, both ways
	run bash -c "head -c 4194304 /dev/zero | $AGENTCTL -s $VM/proxy.sock run t4b --rootfs bb/rootfs -- cat | wc -c"
	assert_success
	assert_output 4194304
}

@test "agent: a terminal process gets a pty with its size, and resizes" {
	# a pty of the container's own devpts, which is also its console
	run actl run t5 --rootfs bb/rootfs --tty --rows 30 --cols 100 -- sh -c 'tty; stty size; [ /dev/console -ef /dev/pts/0 ] && echo console' </dev/null
	assert_success
	assert_line --partial "/dev/pts/0"
	assert_line --partial "30 100"
	assert_line --partial "console"
	# no devpts in the container (no mounts at all): the guest's pty, bound
	# on its /dev/console
	"$KC_BUILD/bin/kata-runtime" spec --bundle "$BATS_TEST_TMPDIR"
	jq '.mounts = [] | .root.readonly = false' "$BATS_TEST_TMPDIR/config.json" >"$BATS_TEST_TMPDIR/nomounts.json"
	run actl run t5d --rootfs bb/rootfs --spec "$BATS_TEST_TMPDIR/nomounts.json" --tty --rows 31 --cols 101 -- sh -c 'tty; stty size' </dev/null
	assert_success
	assert_line --partial "/dev/console"
	assert_line --partial "31 101"
	# the end of the host's input is the terminal's EOF character
	run bash -c "echo typed | $AGENTCTL -s $VM/proxy.sock run t5c --rootfs bb/rootfs --tty -- cat"
	assert_success
	assert_output --partial typed
	# a resize before the process looks
	actl create t5b --rootfs bb/rootfs --tty --rows 30 --cols 100 -- sh -c 'sleep 1; stty size'
	actl start t5b
	actl call resize_tty '{"container_id":"t5b","rows":40,"cols":120}'
	run actl attach t5b </dev/null
	assert_success
	assert_output --partial "40 120"
	cleanup t5b
}

@test "agent: exec runs in the container's namespaces; ps lists its processes" {
	actl create t6 --rootfs bb/rootfs --hostname t6host -- sleep 1000
	actl start t6
	run actl exec t6 e1 -- sh -c 'hostname; cat /proc/1/cmdline | tr "\0" " "'
	assert_success
	assert_line --index 0 t6host
	assert_line --index 1 --partial "sleep 1000"
	run actl call ps '{"container_id":"t6"}'
	assert_success
	assert_equal "$(jq -r '.processes[].args | join(" ")' <<<"$output")" "sleep 1000"
	run actl exec t6 e2 -- sh -c 'exit 5'
	assert_equal "$status" 5
	# an exec id is unique among a container's live processes, and free
	# again once its exit status has been told
	local sleeper='{"container_id":"t6","exec_id":"e3","process":{"args":["sleep","100"],"cwd":"/","env":["PATH=/bin"],"user":{"uid":0,"gid":0}}}'
	run actl call exec_process "$sleeper"
	assert_success
	run actl call exec_process "$sleeper"
	assert_failure
	assert_output --partial "already"
	run actl exec t6 e1 -- true
	assert_success
	cleanup t6
	run actl call list_containers
	assert_equal "$(jq '.containers | length' <<<"$output")" 0
}

@test "agent: the OCI process's user, groups, cwd, env and rlimits apply" {
	run actl run t7 --rootfs bb/rootfs --user 1000:1000 --cwd /tmp --env GREETING=hi -- \
		sh -c 'id -u; id -g; pwd; echo $GREETING; echo $HOME; ulimit -n'
	assert_success
	assert_equal "$output" "$(printf '1000\n1000\n/tmp\nhi\n/home/user\n1024')"
}

@test "agent: a missing binary is a clear error and the agent stays up" {
	run actl run t8 --rootfs bb/rootfs -- no-such-binary
	assert_failure
	assert_output --partial 'exec: "no-such-binary": executable file not found in $PATH'
	run actl call ping
	assert_success
	run actl call list_containers
	assert_equal "$(jq '.containers | length' <<<"$output")" 0
}

@test "agent: bad requests get errors, not a crash" {
	run actl call no_such_op
	assert_failure
	assert_output --partial "unknown operation"
	run actl call create_container '{"container_id":"t9"}'
	assert_failure
	assert_output --partial "'rootfs'"
	run actl call create_container '{"container_id":"t9","rootfs":"../../etc","spec":{}}'
	assert_failure
	assert_output --partial "leaves the shared directory"
	run actl call create_container '{"container_id":"t9","rootfs":"bb/rootfs","spec":{"process":{"args":[]}}}'
	assert_failure
	assert_output --partial "process.args: must not be empty"
	run actl call start_container '{"container_id":"nope"}'
	assert_failure
	assert_output --partial "no container 'nope'"
}

# garbage_frames: an unknown type, a DATA frame over the limit (skipped by
# its declared length), a control frame on a process stream, JSON that does
# not parse, DATA and WINDOW for a stream nobody has
garbage_frames() {
	printf '\x00\x00\x00\x02\x00\x00\x00\x07\x63\x00\x00\x00xx'
	printf '\x00\x01\x00\x01\x00\x00\x00\x05\x05\x01\x00\x00'
	head -c 65537 /dev/zero
	printf '\x00\x00\x00\x02\x00\x00\x00\x09\x02\x00\x00\x00{}'
	printf '\x00\x00\x00\x03\x00\x00\x00\x00\x02\x00\x00\x00{"i'
	printf '\x00\x00\x00\x01\x00\x00\x30\x39\x05\x00\x00\x00x'
	printf '\x00\x00\x00\x04\x00\x00\x30\x39\x07\x01\x00\x00\x00\x00\x10\x00'
}

@test "agent: bad frames through the proxy are errors on their stream; all stays up" {
	run bash -c "$(declare -f garbage_frames); garbage_frames | $AGENTCTL -s $VM/proxy.sock raw"
	assert_success
	assert_output --partial "unknown frame type"
	assert_output --partial "frame too large"
	assert_output --partial "control frame outside stream 0"
	assert_output --partial "malformed JSON"
	assert_output --partial "ping: ok"
	# a connection that ends inside a frame harms nobody
	run bash -c "printf '\x00\x00\x00\x20\x00\x00' | $AGENTCTL -s $VM/proxy.sock raw -n"
	assert_success
	run actl call ping
	assert_success
}

@test "agent: requests before the handshake are refused" {
	run bash -c "printf '\x00\x00\x00\x13\x00\x00\x00\x00\x02\x00\x00\x00{\"id\":1,\"op\":\"ping\"}' |
		timeout 5 socat -t 2 - UNIX-CONNECT:$VM/proxy.sock | tail -c +13"
	assert_output --partial "HELLO first"
}

@test "agent: teardown removes containers and the share, shutdown powers off" {
	actl create t10 --rootfs bb/rootfs -- sleep 1000
	actl start t10
	run actl call destroy_sandbox
	assert_success
	run actl call list_containers
	assert_equal "$(jq '.containers | length' <<<"$output")" 0
	run actl call shutdown
	assert_success
	vm_wait_gone "$VM" 10
	grep -q "powering off" "$VM/console.log"
}

@test "agent: bad frames straight to the agent are errors on their stream, not a crash" {
	local vm=$BATS_TEST_TMPDIR/direct
	vm_start "$vm" q35 noproxy
	# one connection, as the proxy would hold it; then stdin DATA after the
	# stream's stdin was closed, and credit the host may not give
	run bash -c "$(declare -f garbage_frames); { garbage_frames;
		printf '\x00\x00\x00\x4d\x00\x00\x00\x00\x02\x00\x00\x00{\"id\":7,\"op\":\"create_sandbox\",\"share\":{\"type\":\"virtio-9p\",\"tag\":\"nosuchtag\"}}'; } |
		timeout 60 $AGENTCTL -s $vm/agent.sock raw"
	local out=$output st=$status
	vm_stop "$vm"
	output=$out status=$st
	assert_success
	assert_output --partial "unknown frame type"
	assert_output --partial "frame too large"
	assert_output --partial "control frame outside stream 0"
	assert_output --partial "malformed JSON"
	assert_output --partial "no process has stream 12345"
	assert_output --partial "mount the virtio-9p share 'nosuchtag'"
	assert_output --partial "ping: ok"
}

@test "agent: the microvm machine (virtio-mmio) boots the same image" {
	local vm=$BATS_TEST_TMPDIR/micro
	mkdir -p "$vm/share/bb"
	busybox_rootfs "$vm/share/bb/rootfs"
	vm_start "$vm" microvm
	run timeout 60 "$AGENTCTL" -s "$vm/proxy.sock" call create_sandbox '{"share":{"type":"virtio-9p","tag":"kataShared"}}'
	local made=$status
	run timeout 60 "$AGENTCTL" -s "$vm/proxy.sock" run m1 --rootfs bb/rootfs -- uname -r
	local st=$status
	timeout 30 "$AGENTCTL" -s "$vm/proxy.sock" call shutdown || true
	vm_stop "$vm"
	assert_equal "$made" 0
	assert_equal "$st" 0
	assert_output --regexp '^[0-9]+\.[0-9]+'
}
