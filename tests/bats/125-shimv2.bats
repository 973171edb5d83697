#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# containerd-shim-kata-v2 under a real containerd (Debian's, started by
# this file, the CRI plugin off): `ctr run --runtime io.containerd.kata.v2`
# reaches our shim on PATH. One daemon per pod, no kata-shim per process,
# no kata-runtime call; output, exit statuses, stdin, a terminal, exec,
# kill, and nothing left once containerd has deleted the task - also after
# the daemon itself was killed.

load helpers
load runtime

NS=kata-v2

setup_file() {
	require_guest
	command -v containerd >/dev/null || skip "containerd is not installed"
	export T=$BATS_FILE_TMPDIR
	mkdir -p "$T/rootfs" "$T/ctd"
	busybox_rootfs "$T/rootfs"
	local d=$T/ctd
	# a sanitized build's reports, from the shim and what it starts (the
	# environment goes from containerd to its shims)
	export ASAN_OPTIONS="log_path=$T/sanitizer:${ASAN_OPTIONS:-}"
	export UBSAN_OPTIONS="log_path=$T/sanitizer:print_stacktrace=1:${UBSAN_OPTIONS:-}"
	containerd_start "$d"
	"$BATS_TEST_DIRNAME/../clients/oci-archive" "$T/rootfs" localhost/bb:latest "$T/bb-oci.tar"
	timeout 120 ctr -a "$d/containerd.sock" -n $NS images import "$T/bb-oci.tar" >/dev/null
}

setup() {
	require_guest
	command -v containerd >/dev/null || skip "containerd is not installed"
	CTR=(timeout 120 ctr -a "$T/ctd/containerd.sock" -n $NS)
	RT=(--runtime io.containerd.kata.v2)
}

# What a failed test left: its tasks and containers, and a daemon started
# by hand, so the next starts clean.
teardown() {
	pkill -TERM -f "containerd-shim-kata-v2 .*-id v2perm$$ .*serve" || true
	local c
	for c in $("${CTR[@]}" containers ls -q 2>/dev/null); do
		"${CTR[@]}" task rm -f "$c" >/dev/null 2>&1
		"${CTR[@]}" containers rm "$c" >/dev/null 2>&1
	done
	return 0
}

teardown_file() {
	local d=$BATS_FILE_TMPDIR/ctd
	[ -f "$d/pid" ] && kill "$(cat "$d/pid")" 2>/dev/null
	sleep 0.5
	grep -o " $BATS_FILE_TMPDIR[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	# ctr's cgroupsPath is /NAMESPACE/ID: the namespace's level stays, as with runc
	rmdir /sys/fs/cgroup/*/$NS 2>/dev/null || true
}

# wait_stopped ID: until ctr lists the task stopped (30 s at most).
wait_stopped() {
	local _
	for _ in $(seq 300); do
		"${CTR[@]}" task ls | grep -q "^$1 .*STOPPED" && return 0
		sleep 0.1
	done
	echo "task $1 did not stop: $("${CTR[@]}" task ls)" >&2
	return 1
}

# No daemon, VM, kata-shim, state or mount of ours is left, and no
# sanitizer report.
assert_v2_nothing_left() {
	assert_no_sanitizer_reports "$T" &&
		assert_no_processes "containerd-shim-kata-v2 .*serve|qemu-system|kata-shim|kata-proxy" || return 1
	if [ -n "$(vm_dirs_left)" ]; then
		echo "VM directories left: $(vm_dirs_left)" >&2
		return 1
	fi
	# a container's state, and the runtime's own entries (.sandboxes)
	if [ -n "$(ls -A /run/kata-containers/.shimv2/$NS 2>/dev/null)" ]; then
		echo "state left: $(ls -A /run/kata-containers/.shimv2/$NS)" >&2
		return 1
	fi
	if [ -n "$(find /run/kata-containers/.shimv2/.s -type s 2>/dev/null)" ]; then
		echo "sockets left: $(find /run/kata-containers/.shimv2/.s -type s)" >&2
		return 1
	fi
	local cgs
	cgs=$(find /sys/fs/cgroup/*/$NS -mindepth 1 -maxdepth 1 -type d 2>/dev/null || true)
	if [ -n "$cgs" ]; then
		echo "cgroups left: $cgs" >&2
		return 1
	fi
	! grep -q " /run/kata-containers/.vm/\| $T/ctd/state/" /proc/self/mountinfo
}

@test "shim v2: ctr run prints from the VM and passes exit statuses through" {
	run "${CTR[@]}" run --rm "${RT[@]}" localhost/bb:latest v1 echo hello
	assert_success
	assert_output hello
	run "${CTR[@]}" run --rm "${RT[@]}" localhost/bb:latest v2 sh -c 'echo out; echo err >&2; exit 9'
	assert_equal "$status" 9
	assert_line out
	assert_line err
	assert_v2_nothing_left
}

@test "shim v2: one daemon stands for the pod: no kata-shim, no kata-runtime" {
	run "${CTR[@]}" run -d "${RT[@]}" localhost/bb:latest v3 sleep 1000
	assert_success
	run pgrep -fc "containerd-shim-kata-v2 .*serve"
	assert_output 1
	run pgrep -x kata-shim
	assert_failure
	run pgrep -x kata-runtime
	assert_failure
	run "${CTR[@]}" task ls
	assert_line --regexp '^v3 +[0-9]+ +RUNNING'
	run "${CTR[@]}" task kill -s SIGKILL v3
	assert_success
	wait_stopped v3
	run "${CTR[@]}" task ls
	assert_line --regexp '^v3 +[0-9]+ +STOPPED'
	run "${CTR[@]}" task rm v3
	assert_success
	run "${CTR[@]}" containers rm v3
	assert_success
	assert_v2_nothing_left
}

@test "shim v2: stdin is piped to the process, and a terminal is the guest's" {
	# ctr always attaches its stdin, and never closes the process's (with
	# runc too): the process reads what it needs
	run bash -c "printf 'line one\nline two\n' | $(printf '%q ' "${CTR[@]}") run --rm ${RT[*]} localhost/bb:latest v4 sh -c 'head -n 2; echo done'"
	assert_success
	assert_line "line one"
	assert_line "line two"
	assert_line done
	# ctr needs a terminal of its own for -t
	run script -qec "timeout --foreground 120 $(printf '%q ' "${CTR[@]:2}") run --rm -t ${RT[*]} localhost/bb:latest v5 tty" /dev/null
	assert_success
	assert_output --partial /dev/pts/0
	assert_v2_nothing_left
}

@test "shim v2: task exec with its own status, exec stdin, kill of a finished task" {
	# a pid namespace's init gets only the signals it handles (SIGTERM
	# to a bare sleep is dropped by the kernel, as under runc)
	run "${CTR[@]}" run -d "${RT[@]}" localhost/bb:latest v6 sh -c 'trap "exit 0" TERM; sleep 1000 & wait'
	assert_success
	run "${CTR[@]}" task exec --exec-id e1 v6 sh -c 'echo in-exec; exit 4'
	assert_equal "$status" 4
	assert_output in-exec
	run bash -c "echo through-exec | $(printf '%q ' "${CTR[@]}") task exec --exec-id e2 v6 head -n 1"
	assert_success
	assert_output through-exec
	run "${CTR[@]}" task exec --exec-id e3 v6 /no/such/binary
	assert_failure
	run "${CTR[@]}" task kill -s SIGTERM v6
	assert_success
	wait_stopped v6
	# signalling a stopped task: nothing to do for --all, "not found" without
	run "${CTR[@]}" task kill --all -s SIGKILL v6
	assert_success
	run "${CTR[@]}" task kill -s SIGKILL v6
	assert_failure
	assert_output --partial "not found"
	run "${CTR[@]}" task rm v6
	assert_success
	run "${CTR[@]}" containers rm v6
	assert_success
	assert_v2_nothing_left
}

@test "shim v2: a pod's containers share one daemon and one VM (CRI annotations)" {
	local sb=(--annotation io.kubernetes.cri.container-type=sandbox --annotation io.kubernetes.cri.sandbox-id=p1)
	local member=(--annotation io.kubernetes.cri.container-type=container --annotation io.kubernetes.cri.sandbox-id=p1)
	run "${CTR[@]}" run -d "${RT[@]}" "${sb[@]}" localhost/bb:latest p1 sleep 1000
	assert_success
	run "${CTR[@]}" run --rm "${RT[@]}" "${member[@]}" localhost/bb:latest p1-c1 sh -c 'echo from-member; exit 3'
	assert_equal "$status" 3
	assert_output from-member
	run "${CTR[@]}" run -d "${RT[@]}" "${member[@]}" localhost/bb:latest p1-c2 sleep 1000
	assert_success
	run pgrep -fc "containerd-shim-kata-v2 .*serve"
	assert_output 1
	run pgrep -fc "qemu-system.*-name sandbox-"
	assert_output 1
	run "${CTR[@]}" task exec --exec-id e1 p1-c2 hostname
	assert_success
	# the member goes, the pod stays; then the sandbox takes the VM down
	run -0 "${CTR[@]}" task kill -s SIGKILL p1-c2
	wait_stopped p1-c2
	run "${CTR[@]}" task rm p1-c2
	assert_success
	run pgrep -fc "qemu-system.*-name sandbox-"
	assert_output 1
	run "${CTR[@]}" task rm -f p1
	assert_success
	run "${CTR[@]}" containers rm p1 p1-c2
	assert_success
	assert_v2_nothing_left
}

@test "shim v2: Update sets the guest's limits; task metrics reads the container's own cgroup" {
	run "${CTR[@]}" run -d "${RT[@]}" localhost/bb:latest v9 sleep 1000
	assert_success
	# ctr has no update: the call as containerd's CRI makes it
	local sock
	sock=$(sed 's|^unix://||' "$T/ctd/state/io.containerd.runtime.v2.task/$NS/v9/address")
	run "$KC_BUILD/bin/v2ctl" -s "$sock" update v9 '{"memory":{"limit":67108864},"cpu":{"quota":50000,"period":100000}}'
	assert_success
	assert_output ok
	# and the pod's on the host (ctr's cgroupsPath is /NAMESPACE/ID): the
	# container's plus the VM's overhead (340 MiB, 0.25 CPU)
	if [ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/cpu ]; then
		assert_equal "$(cat /sys/fs/cgroup/memory/$NS/v9/memory.limit_in_bytes)" $((67108864 + (340 << 20)))
		assert_equal "$(cat /sys/fs/cgroup/cpu/$NS/v9/cpu.cfs_quota_us)" 75000
	fi
	run "${CTR[@]}" task metrics v9
	assert_success
	# the container's own figures (one process, its memory), not the VM's
	assert_line --regexp '^pids.current +1 *$'
	assert_line --regexp '^memory.usage_limit +67108864 *$'
	assert_line --regexp '^cpu.usage_usec +[1-9][0-9]* *$'
	local usage
	usage=$(awk '$1 == "memory.usage" { print $2 }' <<<"$output")
	[ "$usage" -gt 0 ] && [ "$usage" -lt 67108864 ]
	run "$KC_BUILD/bin/v2ctl" -s "$sock" update v9 '{"memory":{"limit":"lots"}}'
	assert_failure
	assert_output --partial "error 3"
	run "$KC_BUILD/bin/v2ctl" -s "$sock" update nosuch '{}'
	assert_output --partial "error 5"
	run "${CTR[@]}" task rm -f v9
	assert_success
	run "${CTR[@]}" containers rm v9
	assert_success
	assert_v2_nothing_left
}

@test "shim v2: garbage, unknown methods and oversized frames get errors; the daemon stays up" {
	run "${CTR[@]}" run -d "${RT[@]}" localhost/bb:latest v10 sleep 1000
	assert_success
	local sock
	sock=$(sed 's|^unix://||' "$T/ctd/state/io.containerd.runtime.v2.task/$NS/v10/address")
	run bash -c "head -c 4096 /dev/urandom | '$KC_BUILD/bin/v2ctl' -s '$sock' call Create"
	assert_failure
	assert_output --regexp 'error (3|5|6|13):'
	run bash -c "printf '\x0a\xff\xff\xff\xff\x0f' | '$KC_BUILD/bin/v2ctl' -s '$sock' call Kill"
	assert_output --partial "error 3"
	run "$KC_BUILD/bin/v2ctl" -s "$sock" call Nope </dev/null
	assert_output --partial "error 12"
	run "$KC_BUILD/bin/v2ctl" -s "$sock" oversized
	assert_output --partial "error 3: message over ttrpc's 4 MiB limit"
	run "$KC_BUILD/bin/v2ctl" -s "$sock" state nosuch
	assert_output --partial "error 5"
	run "$KC_BUILD/bin/v2ctl" -s "$sock" state v10
	assert_success
	assert_output "id=v10 status=running exit_status=0 terminal=0"
	run "${CTR[@]}" task rm -f v10
	assert_success
	run "${CTR[@]}" containers rm v10
	assert_success
	assert_v2_nothing_left
}

@test "shim v2: pause and resume" {
	run "${CTR[@]}" run -d "${RT[@]}" localhost/bb:latest v7 sleep 1000
	assert_success
	run "${CTR[@]}" task pause v7
	assert_success
	run "${CTR[@]}" task ls
	assert_line --regexp '^v7 +[0-9]+ +PAUSED'
	run "${CTR[@]}" task resume v7
	assert_success
	run "${CTR[@]}" task ls
	assert_line --regexp '^v7 +[0-9]+ +RUNNING'
	run "${CTR[@]}" task rm -f v7
	assert_success
	run "${CTR[@]}" containers rm v7
	assert_success
	assert_v2_nothing_left
}

@test "shim v2: the daemon outlives a containerd restart; containerd reconnects and gets the exit status" {
	run "${CTR[@]}" run -d "${RT[@]}" localhost/bb:latest v7 sh -c 'sleep 8; exit 7'
	assert_success
	local d=$T/ctd shim
	shim=$(pgrep -f "containerd-shim-kata-v2 .*-id v7 .*serve")
	kill "$(cat "$d/pid")"
	# (gone once no process runs with its configuration: a zombie has no
	# command line)
	for _ in $(seq 100); do pgrep -f "containerd --config $d/config.toml" >/dev/null || break; sleep 0.1; done
	! pgrep -f "containerd --config $d/config.toml"
	# the pod goes on without containerd
	kill -0 "$shim"
	containerd_start "$d"
	# containerd finds the shim from the address it recorded, and Wait
	# through it ends with the container's exit
	run "${CTR[@]}" task ls
	assert_line --regexp '^v7 +[0-9]+ +RUNNING'
	for _ in $(seq 150); do "${CTR[@]}" task ls | grep -q "^v7 .*STOPPED" && break; sleep 0.1; done
	run "${CTR[@]}" task ls
	assert_line --regexp '^v7 .*STOPPED'
	assert_equal "$(pgrep -f "containerd-shim-kata-v2 .*-id v7 .*serve")" "$shim"
	run "${CTR[@]}" task rm v7
	assert_output --partial "exit code 7"
	run "${CTR[@]}" containers rm v7
	assert_success
	assert_v2_nothing_left
}

@test "shim v2: the daemon killed with -9: containerd's delete takes the VM down" {
	run "${CTR[@]}" run -d "${RT[@]}" localhost/bb:latest v8 sleep 1000
	assert_success
	pkill -9 -f "containerd-shim-kata-v2 .*serve"
	# containerd sees its shim gone, runs `containerd-shim-kata-v2 delete`
	# and drops the task
	for _ in $(seq 100); do "${CTR[@]}" task ls | grep -q "^v8 " || break; sleep 0.1; done
	run "${CTR[@]}" task ls
	refute_line --regexp '^v8 '
	run "${CTR[@]}" containers rm v8
	assert_success
	assert_v2_nothing_left
}

@test "shim v2: the command line: bad flags, a missing namespace, delete of what is gone" {
	run "$KC_BUILD/bin/containerd-shim-kata-v2" -v
	assert_success
	assert_output --partial "containerd-shim-kata-v2 version"
	run "$KC_BUILD/bin/containerd-shim-kata-v2" -id x start
	assert_equal "$status" 2
	assert_output --partial "-namespace"
	run "$KC_BUILD/bin/containerd-shim-kata-v2" -namespace $NS -id 'bad/id' start
	assert_equal "$status" 2
	run "$KC_BUILD/bin/containerd-shim-kata-v2" -namespace $NS -nonsense -id x start
	assert_equal "$status" 2
	assert_output --partial "unknown flag -nonsense"
	# delete of a container that never existed: a DeleteResponse, status 0
	mkdir -p "$BATS_TEST_TMPDIR/b/rootfs"
	cd "$BATS_TEST_TMPDIR/b"
	run -0 bash -c "'$KC_BUILD/bin/containerd-shim-kata-v2' -namespace $NS -address /none -id gone -bundle '$BATS_TEST_TMPDIR/b' delete | od -An -tx1 | head -1"
	# field 2 (exit_status) = 137
	assert_output --partial "10 89 01"
}

# shim_start ID COMMAND...: the daemon for a pod of its own, started by
# COMMAND (the shim, maybe wrapped) as containerd starts it, in the
# bundle, its address printed; $SOCK and $DAEMON set.
shim_start() {
	local id=$1
	shift
	make_bundle "$BATS_TEST_TMPDIR/$id" true
	cd "$BATS_TEST_TMPDIR/$id"
	run -0 "$@" -namespace $NS -address /none -id "$id" start
	SOCK=${output#unix://}
	[ -S "$SOCK" ]
	DAEMON=$(pgrep -f "containerd-shim-kata-v2 .*-id $id .*serve")
	[ -n "$DAEMON" ]
	cd - >/dev/null
}

@test "shim v2: the socket and its directory are root's alone under umask 000; the daemon outlives running out of descriptors; SIGTERM leaves no socket" {
	local id=v2perm$$
	shim_start "$id" bash -c 'umask 000; exec prlimit --nofile=256:256 "$0" "$@"' \
		"$KC_BUILD/bin/containerd-shim-kata-v2"
	assert_equal "$(stat -c %a "$SOCK")" 600
	assert_equal "$(stat -c %a "$(dirname "$SOCK")")" 700
	run "$KC_BUILD/bin/v2ctl" -s "$SOCK" call Connect </dev/null
	assert_success
	# an unprivileged user reaches neither the task API nor the directory
	run setpriv --reuid=65534 --regid=65534 --clear-groups -- "$KC_BUILD/bin/v2ctl" -s "$SOCK" call Connect </dev/null
	assert_equal "$status" 2
	assert_output --partial "Permission denied"
	# 256 descriptors: idle connections until accept(2) fails with EMFILE
	local t=$BATS_TEST_TMPDIR
	python3 - "$SOCK" "$t" <<'PY' &
import os, socket, sys, time
path, t = sys.argv[1], sys.argv[2]
conns = []
last = time.monotonic()
# a full backlog says EAGAIN at once: retry until nothing moves for 2 s
while len(conns) < 400 and time.monotonic() - last < 2:
    s = socket.socket(socket.AF_UNIX)
    s.setblocking(False)
    try:
        s.connect(path)
    except OSError:
        s.close()
        time.sleep(0.02)
        continue
    conns.append(s)
    last = time.monotonic()
open(t + "/held", "w").write(str(len(conns)))
while not os.path.exists(t + "/release"):
    time.sleep(0.05)
for s in conns:
    s.close()
PY
	local py=$! _
	for _ in $(seq 300); do [ -e "$t/held" ] && break; sleep 0.1; done
	echo "connections held: $(cat "$t/held")" >&2
	[ "$(cat "$t/held")" -gt 256 ]
	sleep 1
	# out of descriptors: still running, its socket still there
	kill -0 "$DAEMON"
	[ -S "$SOCK" ]
	touch "$t/release"
	wait "$py"
	# the connections closed: it answers again
	for _ in $(seq 50); do
		"$KC_BUILD/bin/v2ctl" -s "$SOCK" call Connect </dev/null >/dev/null 2>&1 && break
		sleep 0.1
	done
	run "$KC_BUILD/bin/v2ctl" -s "$SOCK" call Connect </dev/null
	assert_success
	# SIGTERM: it goes, and takes its socket along
	kill -TERM "$DAEMON"
	for _ in $(seq 100); do kill -0 "$DAEMON" 2>/dev/null || break; sleep 0.1; done
	run kill -0 "$DAEMON"
	assert_failure
	[ ! -e "$SOCK" ]
	# and delete leaves nothing of the pod
	cd "$BATS_TEST_TMPDIR/$id"
	run -0 bash -c "'$KC_BUILD/bin/containerd-shim-kata-v2' -namespace $NS -address /none -id $id delete >/dev/null"
	cd - >/dev/null
	assert_v2_nothing_left
}
