#!/usr/bin/env bats
# kata-runtime behind runc's command line: each container a VM (QEMU TCG
# here). Lifecycle, exec, ps, list, pause, update, hooks, logs, and bad
# input; every test checks nothing is left behind.

bats_require_minimum_version 1.5.0
load helpers
load runtime

setup() {
	setup_runtime
	B=$BATS_TEST_TMPDIR/bundle
}

teardown() {
	# a failed test may leave a container: take it down so the next test starts clean
	teardown_runtime
}

@test "runtime: run prints from the VM and passes the exit status through" {
	make_bundle "$B" echo "hello from a VM"
	run kr run --bundle "$B" r1
	assert_success
	assert_output "hello from a VM"
	make_bundle "$B" sh -c 'echo to-stdout; echo to-stderr >&2; exit 3'
	run bash -c "cd $B && $(declare -f kr); KR_ROOT=$KR_ROOT KR_CONFIG=$DEV_CONFIG KATA_RUNTIME=$KATA_RUNTIME kr run r2 2>$BATS_TEST_TMPDIR/err"
	assert_equal "$status" 3
	assert_output "to-stdout"
	grep -qx to-stderr "$BATS_TEST_TMPDIR/err"
	assert_clean r1 r2
}

@test "runtime: create, state, start, kill, delete" {
	make_bundle "$B" sleep 1000
	kr create --bundle "$B" --pid-file "$BATS_TEST_TMPDIR/pid" c1 </dev/null >/dev/null 2>&1
	[ -s "$BATS_TEST_TMPDIR/pid" ]
	run kr state c1
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" created
	assert_equal "$(jq -r .pid <<<"$output")" "$(cat "$BATS_TEST_TMPDIR/pid")"
	assert_equal "$(jq -r .bundle <<<"$output")" "$B"
	assert_equal "$(jq -r .ociVersion <<<"$output")" 1.0.2
	run kr start c1
	assert_success
	assert_equal "$(kr state c1 | jq -r .status)" running
	run kr start c1
	assert_failure
	assert_output --partial "cannot start an already running container"
	run kr delete c1
	assert_failure
	assert_output --partial "cannot delete container c1 that is not stopped: running"
	run kr kill c1 SIGKILL
	assert_success
	for _ in $(seq 50); do [ "$(kr state c1 | jq -r .status)" = stopped ] && break; sleep 0.1; done
	assert_equal "$(kr state c1 | jq -r .status)" stopped
	run kr kill c1 TERM
	assert_failure
	assert_output --partial "container not running"
	run kr start c1
	assert_failure
	assert_output --partial "cannot start a container that has stopped"
	run kr delete c1
	assert_success
	run kr state c1
	assert_failure
	assert_output --partial 'container "c1" does not exist'
	assert_clean c1
}

@test "runtime: exec, ps, list, pause, resume, events, update" {
	make_bundle "$B" sleep 1000
	bundle_set "$B" '.linux.devices = [
		{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 416, uid: 1, gid: 2},
		{path: "/dev/kc/fifo", type: "p"}]'
	mkdir -p "$BATS_TEST_TMPDIR/data-src"
	bundle_set "$B" ".mounts += [{destination: \"/data\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/data-src\", options: [\"rbind\", \"ro\"]}]"
	kr run --detach --bundle "$B" e1 </dev/null >/dev/null 2>&1
	# a bind mount's root, as the container's mountinfo shows it, keeps the source's name
	run -0 kr exec e1 awk '$5 == "/data" { print $4 }' /proc/self/mountinfo
	assert_output --regexp '/data-src$' 
	# linux.devices: made in the container with their numbers, mode and owner
	run kr exec e1 stat -c '%n %F %t:%T %a %u:%g' /dev/fuse /dev/kc/fifo
	assert_success
	assert_line "/dev/fuse character special file a:e5 640 1:2"
	assert_line "/dev/kc/fifo fifo 0:0 666 0:0"
	run kr exec e1 sh -c 'echo from exec; exit 4'
	assert_equal "$status" 4
	assert_output "from exec"
	# an OCI process file, detached, with a pid file
	jq -n '{args:["sh","-c","sleep 1; echo done > /tmp/marker"], cwd:"/", env:["PATH=/bin"], user:{uid:0,gid:0}}' \
		>"$BATS_TEST_TMPDIR/process.json"
	kr exec --process "$BATS_TEST_TMPDIR/process.json" --detach --pid-file "$BATS_TEST_TMPDIR/epid" e1 </dev/null >/dev/null 2>&1
	[ -s "$BATS_TEST_TMPDIR/epid" ]
	run kr exec --env FOO=bar --cwd /tmp e1 sh -c 'echo $FOO; pwd'
	assert_output "$(printf 'bar\n/tmp')"
	# an exec with a terminal: a pty of the container's own devpts
	run script -qec "stty rows 21 cols 61; $KATA_RUNTIME --root $KR_ROOT --kata-config $DEV_CONFIG exec --tty e1 sh -c 'tty; stty size'" /dev/null
	assert_success
	assert_output --regexp '/dev/pts/[0-9]+'
	assert_output --partial "21 61"
	run kr ps --format json e1
	assert_success
	jq -e 'length >= 1 and all(type == "number")' <<<"$output"
	run kr ps e1
	assert_success
	assert_output --partial "sleep 1000"
	run kr list --format json
	assert_equal "$(jq -r '.[] | select(.id == "e1") | .status' <<<"$output")" running
	run kr list -q
	assert_output "e1"
	run kr pause e1
	assert_success
	assert_equal "$(kr state e1 | jq -r .status)" paused
	run kr exec e1 true
	assert_failure
	assert_output --partial "cannot exec in a paused container"
	run kr resume e1
	assert_success
	assert_equal "$(kr state e1 | jq -r .status)" running
	run kr events --stats e1
	assert_success
	assert_equal "$(jq -r .type <<<"$output")" stats
	jq -e '.data.memory.usage.usage > 0 and .data.pids.current >= 1' <<<"$output"
	run kr update --memory 64m --pids-limit 50 e1
	assert_success
	run kr events --stats e1
	assert_equal "$(jq -r .data.memory.usage.limit <<<"$output")" 67108864
	# cpusets (the VM's CPUs) and block I/O weight, in the container's cgroup in the guest
	run -0 kr update --cpuset-cpus 0 --cpuset-mems 0 --blkio-weight 505 e1
	run -0 kr exec e1 cat /sys/fs/cgroup/cpuset.cpus /sys/fs/cgroup/cpuset.mems /sys/fs/cgroup/io.weight
	assert_output "$(printf '0\n0\ndefault 5000')"
	run -1 kr update --cpuset-cpus 7 e1
	assert_output --partial "cpuset cpus '7': the VM has no such CPU or memory node"
	# supplementary groups; an AppArmor profile is warned about, by name
	run -0 --separate-stderr kr exec -g 1234 --additional-gids 5678 --apparmor unconfined e1 id -G
	assert_output "0 1234 5678"
	[[ $stderr == *'--apparmor: ignored: the guest has no AppArmor'* ]]
	for _ in $(seq 50); do kr exec e1 test -e /tmp/marker && break; sleep 0.1; done
	run kr exec e1 cat /tmp/marker
	assert_output done
	run kr kill --all e1 KILL
	assert_success
	for _ in $(seq 50); do [ "$(kr state e1 | jq -r .status)" = stopped ] && break; sleep 0.1; done
	# as runc: --all of a stopped container succeeds, a plain kill does not
	run kr kill --all e1 KILL
	assert_success
	run kr kill e1 KILL
	assert_failure
	assert_output --partial "container not running"
	run kr delete --force e1
	assert_success
	assert_clean e1
}

@test "runtime: a user namespace with the spec's uid and gid mappings, in the guest" {
	make_bundle "$B" sleep 1000
	# as with runc, the rootfs belongs to the mapped range (podman and
	# Docker's userns-remap chown it so)
	chown -R 100000:100000 "$B/rootfs"
	bundle_set "$B" '.linux.namespaces += [{type: "user"}] | .root.readonly = false |
		.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
		.linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
		.linux.devices = [{path: "/dev/kc-zero", type: "c", major: 1, minor: 5, fileMode: 438}] |
		.process.rlimits = [{type: "RLIMIT_NOFILE", hard: 4096, soft: 2048}] | .process.oomScoreAdj = 100'
	kr run --detach --bundle "$B" un1 </dev/null >/dev/null 2>&1
	run -0 kr exec un1 sh -c 'id -u; cat /proc/self/uid_map /proc/self/gid_map; cat /proc/1/oom_score_adj; ulimit -n'
	assert_equal "${lines[0]}" 0
	assert_line --regexp '^ +0 +100000 +65536$'
	assert_equal "$(grep -c ' 100000 ' <<<"$output")" 2
	assert_line 100
	assert_line 2048
	# what its root makes is the mapped range's on the host
	run -0 kr exec un1 touch /made-in-userns
	assert_equal "$(stat -c %u:%g "$B/rootfs/made-in-userns")" 100000:100000
	# no node can be made in a user namespace: the guest's is bound
	run -0 kr exec un1 sh -c 'head -c 2 /dev/kc-zero | od -An -c'
	assert_output --regexp '\\0 +\\0'
	# the guest's root is not the container's: the guest's files are nobody's
	run -0 kr exec un1 stat -c %u /dev/kc-zero
	assert_output 65534
	run -0 kr delete --force un1
	assert_clean un1
}

@test "runtime: kata-overhead prints what the VM costs beyond the container, in Kata 1's form" {
	make_bundle "$B" sh -c 'x=1; while true; do x=$((x + 1)); done'
	kr run --detach --bundle "$B" ov1 </dev/null >/dev/null 2>&1
	run -0 kr kata-overhead ov1
	assert_line --index 0 "Sandbox overhead for container: ov1"
	assert_line --regexp '^cpu_overhead=-?[0-9]+\.[0-9]{6}$'
	assert_line --regexp '^memory_overhead_bytes=[0-9]+$'
	assert_line --regexp '^Number of available vCPUs=[0-9]+$'
	local host guest cpu_guest
	host=$(sed -n 's/^memory_host_bytes=//p' <<<"$output")
	guest=$(sed -n 's/^memory_guest_bytes=//p' <<<"$output")
	cpu_guest=$(sed -n 's/^cpu_guest=//p' <<<"$output")
	# QEMU holds the guest's memory and more: the host's figure is the larger
	[ "$guest" -gt 0 ] && [ "$host" -gt "$guest" ]
	# the busy loop shows in the guest's CPU
	awk -v c="$cpu_guest" 'BEGIN { exit !(c > 10) }'
	run -1 kr kata-overhead
	assert_output --partial "Missing container ID"
	kr kill ov1 KILL
	for _ in $(seq 50); do [ "$(kr state ov1 | jq -r .status)" = stopped ] && break; sleep 0.1; done
	run -1 kr kata-overhead ov1
	assert_output --partial "container with id ov1 is not running"
	kr delete --force ov1
	assert_clean ov1
}

@test "runtime: a process whose kata-shim is killed dies in the guest (an abandoned exec)" {
	make_bundle "$B" sleep 1000
	kr run --detach --bundle "$B" a1 </dev/null >/dev/null 2>&1
	# ExecSync's timeout: containerd kills the exec's stand-in, as runc's
	# caller kills runc's exec
	kr exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" a1 sleep 300 </dev/null >/dev/null 2>&1
	run kr exec a1 sh -c 'ps -o args | grep -c "^sleep 300"'
	assert_output 1
	kill -9 "$(cat "$BATS_TEST_TMPDIR/exec.pid")"
	for _ in $(seq 50); do
		[ "$(kr exec a1 sh -c 'ps -o args | grep -c "^sleep 300"')" = 0 ] && break
		sleep 0.1
	done
	run kr exec a1 sh -c 'ps -o args | grep -c "^sleep 300"'
	assert_output 0
	# the container's own stand-in: its process goes too, and the state says so
	kill -9 "$(kr state a1 | jq -r .pid)"
	for _ in $(seq 50); do [ "$(kr state a1 | jq -r .status)" = stopped ] && break; sleep 0.1; done
	assert_equal "$(kr state a1 | jq -r .status)" stopped
	run kr delete a1
	assert_success
	assert_clean a1
}

@test "runtime: the seccomp profile applies in the guest by default, as runc applies it" {
	local cfg=$DEV_CONFIG
	grep -qx 'disable_guest_seccomp = false' "$cfg"
	make_bundle "$B" sleep 1000
	bundle_set "$B" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"},
			{names: ["kill"], action: "SCMP_ACT_ERRNO", errnoRet: 13, args: [{index: 1, value: 0, op: "SCMP_CMP_EQ"}]},
			{names: ["no_such_syscall"], action: "SCMP_ACT_KILL"}]}'
	KR_CONFIG=$cfg kr run --detach --bundle "$B" s1 </dev/null >/dev/null 2>&1
	# the init runs under the filter, and so does an exec
	run kr exec s1 grep Seccomp: /proc/1/status
	assert_output --regexp 'Seccomp:[[:space:]]+2'
	run kr exec s1 mkdir /tmp/x
	assert_failure
	assert_output --partial "Operation not permitted"
	# a rule with an argument condition: kill(pid, 0) only
	run kr exec s1 kill -0 1
	assert_failure
	assert_output --partial "Permission denied"
	run kr exec s1 sh -c 'kill -CONT 1 && echo signalled'
	assert_output signalled
	kr delete --force s1
	# disable_guest_seccomp = true (Kata 1's default): no filter in the guest
	local off=$BATS_TEST_TMPDIR/configuration.toml
	sed 's|^disable_guest_seccomp = .*|disable_guest_seccomp = true|' "$DEV_CONFIG" >"$off"
	bundle_set "$B" '.process.args = ["sh", "-c", "mkdir /tmp/x && grep Seccomp: /proc/self/status"]'
	KR_CONFIG=$off run kr run --bundle "$B" s2 </dev/null
	assert_success
	assert_output --regexp 'Seccomp:[[:space:]]+0'
	# an action the guest cannot honour fails the create, naming the field
	bundle_set "$B" '.linux.seccomp.defaultAction = "SCMP_ACT_NOTIFY"'
	# (a file, not run's pipe, for stderr: a create that wrongly succeeded
	# would hand it to the shim and hold the test)
	if KR_CONFIG=$cfg kr create --bundle "$B" s3 </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/s3.err"; then
		kr delete --force s3
		false
	fi
	grep -F "linux.seccomp.defaultAction: 'SCMP_ACT_NOTIFY' is not supported" "$BATS_TEST_TMPDIR/s3.err"
	assert_clean s1
	assert_clean s2
	assert_clean s3
}

@test "runtime: a container with CAP_NET_ADMIN makes bridges, veths and iptables rules; the guest loads the modules on demand" {
	make_bundle "$B" sleep 1000
	iptables_into_rootfs "$B/rootfs"
	bundle_set "$B" '.process.capabilities |= with_entries(.value += ["CAP_NET_ADMIN", "CAP_NET_RAW"])'
	kr run --detach --bundle "$B" s1 </dev/null >/dev/null 2>&1
	# none of it is loaded at boot
	run kr exec s1 cat /proc/modules
	refute_output --regexp '^(bridge|veth|nf_tables|iptable_nat) '
	# the kernel asks for rtnl-link-bridge and rtnl-link-veth
	run kr exec s1 sh -c 'ip link add br0 type bridge && ip link add v0 type veth &&
		brctl addif br0 v0 && ip link set br0 up && ls /sys/class/net/br0/brif && ip -o link show v0'
	assert_success
	assert_line v0
	assert_output --partial 'master br0'
	# brctl's ioctl makes the kernel ask for "bridge" itself
	run kr exec s1 brctl addbr br1
	assert_success
	# iptables-legacy: the nat table and the MASQUERADE target on demand
	run kr exec s1 iptables-legacy -t nat -A POSTROUTING -s 10.88.0.0/16 ! -o br0 -j MASQUERADE
	assert_success
	run kr exec s1 iptables-legacy -t nat -S POSTROUTING
	assert_output --partial '-A POSTROUTING -s 10.88.0.0/16 ! -o br0 -j MASQUERADE'
	# iptables-nft: nf_tables, its xt compatibility and conntrack on demand
	run kr exec s1 iptables-nft -A INPUT -p tcp --dport 80 -m conntrack --ctstate NEW -j REJECT
	assert_success
	run kr exec s1 iptables-nft -S INPUT
	assert_output --partial '-A INPUT -p tcp -m tcp --dport 80 -m conntrack --ctstate NEW -j REJECT'
	run kr exec s1 cat /proc/modules
	assert_line --regexp '^bridge '
	assert_line --regexp '^veth '
	assert_line --regexp '^iptable_nat '
	assert_line --regexp '^xt_MASQUERADE '
	assert_line --regexp '^nf_tables '
	assert_line --regexp '^xt_conntrack '
	# a name the image does not hold is an error, not a hang
	run kr exec s1 ip link add w0 type wireguard
	assert_failure
	kr delete --force s1
	# without CAP_NET_ADMIN the kernel refuses, as it does under runc
	bundle_set "$B" '.process.capabilities |= with_entries(.value -= ["CAP_NET_ADMIN"]) |
		.process.args = ["ip", "link", "add", "br2", "type", "bridge"]'
	run kr run --bundle "$B" s2 </dev/null
	assert_failure
	assert_output --partial 'not permitted'
	assert_clean s1
	assert_clean s2
}

@test "runtime: OCI hooks run on the host with the state on stdin" {
	make_bundle "$B" true
	local h=$BATS_TEST_TMPDIR/hook
	printf '#!/bin/sh\ncat > %s.$1\n' "$h" >"$h"
	chmod +x "$h"
	bundle_set "$B" ".hooks = {prestart: [{path: \"$h\", args: [\"hook\", \"prestart\"]}],
		createRuntime: [{path: \"$h\", args: [\"hook\", \"createRuntime\"]}],
		poststart: [{path: \"$h\", args: [\"hook\", \"poststart\"]}],
		poststop: [{path: \"$h\", args: [\"hook\", \"poststop\"]}]}"
	run kr run --bundle "$B" h1
	assert_success
	for kind in prestart createRuntime poststart poststop; do
		[ -s "$h.$kind" ] || { echo "no $kind hook" >&2; return 1; }
		assert_equal "$(jq -r .id "$h.$kind")" h1
	done
	assert_equal "$(jq -r .status "$h.prestart")" created
	[ "$(jq -r .pid "$h.prestart")" -gt 0 ]
	# a failing prestart hook fails create, and nothing stays
	bundle_set "$B" '.hooks = {prestart: [{path: "/bin/false"}]}'
	run kr create --bundle "$B" h2
	assert_failure
	assert_output --partial "prestart hook /bin/false failed"
	assert_clean h2
	# so does a pid file that cannot be written, the last step of create
	bundle_set "$B" 'del(.hooks)'
	run kr create --bundle "$B" --pid-file /nonexistent/dir/pid h4 </dev/null
	assert_failure
	assert_output --partial "/nonexistent/dir/pid"
	assert_clean h4
	# hooks that would run in the container's namespaces (in the VM) are not
	# run, and said so; features does not list them
	bundle_set "$B" ".hooks = {createContainer: [{path: \"$h\", args: [\"hook\", \"createContainer\"]}],
		startContainer: [{path: \"$h\", args: [\"hook\", \"startContainer\"]}]}"
	run kr run --bundle "$B" h3
	assert_success
	assert_output --partial "hooks.createContainer: not run"
	assert_output --partial "hooks.startContainer: not run"
	[ ! -e "$h.createContainer" ] && [ ! -e "$h.startContainer" ]
	run kr features
	assert_equal "$(jq -c .hooks <<<"$output")" '["prestart","createRuntime","poststart","poststop"]'
	assert_clean h1 h2 h3
}

@test "runtime: errors go to stderr and, as JSON, to --log" {
	run timeout 30 "$KATA_RUNTIME" --root "$KR_ROOT" --log "$BATS_TEST_TMPDIR/log.json" --log-format json state nope
	assert_failure
	assert_output 'kata-runtime: container "nope" does not exist'
	run jq -r 'select(.level == "error") | .msg' "$BATS_TEST_TMPDIR/log.json"
	assert_output 'container "nope" does not exist'
	# events of a container that does not exist, streamed or not: an error, as runc says
	local ev
	for ev in "events" "events --interval 1s" "events --stats"; do
		run timeout 30 "$KATA_RUNTIME" --root "$KR_ROOT" $ev nope
		assert_failure
		assert_output 'kata-runtime: container "nope" does not exist'
	done
	# an unknown command: said once
	run timeout 30 "$KATA_RUNTIME" --root "$KR_ROOT" frob
	assert_failure
	assert_output "kata-runtime: unknown command 'frob'
Try 'kata-runtime --help'."
	run timeout 30 "$KATA_RUNTIME" --root "$KR_ROOT" --log "$BATS_TEST_TMPDIR/log2.json" --log-format json frob
	assert_equal "$(jq -r 'select(.level == "error") | .msg' "$BATS_TEST_TMPDIR/log2.json")" "unknown command 'frob'"
}

@test "runtime: bad bundles are refused with the file and field named" {
	mkdir -p "$B"
	run kr create --bundle "$B" b1
	assert_failure
	assert_output --partial "config.json: no such file"
	make_bundle "$B" true
	echo '{"ociVersion": "1.0.2",' >"$B/config.json"
	run kr create --bundle "$B" b1
	assert_failure
	assert_output --regexp "config.json:[0-9]+:[0-9]+:"
	make_bundle "$B" true
	bundle_set "$B" '.ociVersion = "2.0.0"'
	run kr create --bundle "$B" b1
	assert_failure
	assert_output --partial "ociVersion: unsupported version '2.0.0'"
	make_bundle "$B" true
	bundle_set "$B" '.root.path = "no-such-rootfs"'
	run kr create --bundle "$B" b1
	assert_failure
	assert_output --partial "root.path"
	assert_output --partial "no-such-rootfs"
	make_bundle "$B" true
	bundle_set "$B" '.process.args = []'
	run kr create --bundle "$B" b1
	assert_failure
	assert_output --partial "process.args: must not be empty"
	make_bundle "$B" true
	bundle_set "$B" '.linux.devices = [{path: "/dev/x", type: "q", major: 1, minor: 1}]'
	run kr create --bundle "$B" b1
	assert_failure
	assert_output --partial "linux.devices[0].type: 'q' is not c, b, u or p"
	run kr create --bundle "$B" a/b
	assert_failure
	assert_output --partial "invalid container id 'a/b'"
	run kr create --bundle "$B" ..
	assert_failure
	run kr kill b1 NOSUCHSIGNAL
	assert_failure
	run kr start b1
	assert_failure
	assert_output --partial 'container "b1" does not exist'
	assert_clean b1
}

@test "runtime: an id in use is refused, and concurrent creates of one id get one winner" {
	make_bundle "$B" sleep 1000
	local o=$BATS_TEST_TMPDIR/out
	kr create --bundle "$B" u1 </dev/null >"$o.1" 2>&1 &
	local p1=$!
	kr create --bundle "$B" u1 </dev/null >"$o.2" 2>&1 &
	local p2=$! s1=0 s2=0
	wait "$p1" || s1=$?
	wait "$p2" || s2=$?
	# one winner, one "exists"
	[ $((s1 + s2)) -eq 1 ]
	cat "$o.1" "$o.2" | grep -q "container with id exists: u1"
	run kr create --bundle "$B" u1
	assert_failure
	assert_output --partial "container with id exists: u1"
	run kr delete --force u1
	assert_success
	assert_clean u1
}

@test "runtime: a kernel that does not exist, a QEMU that dies, an agent that never answers" {
	make_bundle "$B" true
	local cfg=$BATS_TEST_TMPDIR/configuration.toml
	sed "s|^kernel = .*|kernel = \"$BATS_TEST_TMPDIR/no-such-kernel\"|" "$DEV_CONFIG" >"$cfg"
	KR_CONFIG=$cfg run kr create --bundle "$B" k1
	assert_failure
	assert_output --partial "no-such-kernel"
	assert_clean k1
	# QEMU that cannot boot this "kernel"
	echo "not a kernel" >"$BATS_TEST_TMPDIR/bad-kernel"
	sed "s|^kernel = .*|kernel = \"$BATS_TEST_TMPDIR/bad-kernel\"|" "$DEV_CONFIG" >"$cfg"
	KR_CONFIG=$cfg run kr create --bundle "$B" k2
	assert_failure
	assert_output --partial "QEMU exited while the guest was booting"
	assert_clean k2
	# a guest whose agent listens on another port: bounded by dial_timeout
	sed -e 's|^kernel_params = .*|kernel_params = "agent.port=elsewhere"|' -e 's|^dial_timeout = .*|dial_timeout = 4|' \
		"$DEV_CONFIG" >"$cfg"
	KR_CONFIG=$cfg run kr create --bundle "$B" k3
	assert_failure
	assert_output --partial "the agent did not answer within 4 s"
	assert_output --partial "guest console"
	assert_clean k3
}

@test "runtime: the rootfs comes over 9p with the largest msize the guest takes, or the configured one" {
	make_bundle "$B" sh -c 'grep -o "msize=[0-9]*" /proc/mounts | head -1'
	run -0 --separate-stderr kr run --bundle "$B" m1 </dev/null
	assert_output "msize=512000"
	local cfg=$BATS_TEST_TMPDIR/configuration.toml
	sed 's/^#\?msize_9p = .*/msize_9p = 8192/' "$DEV_CONFIG" >"$cfg"
	KR_CONFIG=$cfg run -0 --separate-stderr kr run --bundle "$B" m2 </dev/null
	assert_output "msize=8192"
	assert_clean m1 m2
}

@test "runtime: the guest has no periodic compaction or PSI wake-ups; kernel_params take them back" {
	# what the guest kernel was told, read in the VM (a sysctl reads whole
	# or not at all: cat, not the shell's byte-wise read)
	make_bundle "$B" sh -c 'v=$(cat /proc/sys/vm/compaction_proactiveness); [ -e /proc/pressure/cpu ] && p=psi || p=nopsi; echo "$v $p"'
	run kr run --bundle "$B" w1 </dev/null
	assert_success
	assert_output "0 nopsi"
	local cfg=$BATS_TEST_TMPDIR/configuration.toml
	sed 's|^kernel_params = .*|kernel_params = "psi=1 sysctl.vm.compaction_proactiveness=20"|' "$DEV_CONFIG" >"$cfg"
	KR_CONFIG=$cfg run kr run --bundle "$B" w2 </dev/null
	assert_success
	assert_output "20 psi"
	assert_clean w1 w2
}

@test "runtime: delete --force cleans up after a dead QEMU, a dead proxy, a crashed create" {
	make_bundle "$B" sleep 1000
	kr run --detach --bundle "$B" f1 </dev/null >/dev/null 2>&1
	pkill -9 -f -- "-name sandbox-f1 "
	sleep 0.5
	assert_equal "$(kr state f1 | jq -r .status)" stopped
	run kr delete --force f1
	assert_success
	assert_clean f1
	kr run --detach --bundle "$B" f2 </dev/null >/dev/null 2>&1
	pkill -9 -f -- "--sandbox f2 "
	run kr delete --force f2
	assert_success
	assert_clean f2
	# a state directory with no state.json (create died before writing it)
	mkdir -p "$KR_ROOT/f3"
	run kr delete --force f3
	assert_success
	assert_clean f3
	run kr delete --force never-existed
	assert_success
}

@test "runtime: spec, version, help, kata-check and kata-env" {
	mkdir -p "$B"
	run kr spec --bundle "$B"
	assert_success
	jq -e '.ociVersion and .process.args == ["sh"] and .root.path == "rootfs"' "$B/config.json"
	run kr spec --bundle "$B"
	assert_failure
	assert_output --partial "exists. Remove it first"
	run "$KATA_RUNTIME" --version
	assert_success
	assert_line --regexp '^kata-runtime version [0-9]'
	assert_line --regexp '^spec: 1\.' 
	run "$KATA_RUNTIME" --help
	assert_success
	assert_output --partial "Commands:"
	run "$KATA_RUNTIME" kata-check --json
	[ "$status" -le 1 ] || [ "$status" -eq 3 ]
	jq -e '.checks | length > 0' <<<"$output"
	run "$KATA_RUNTIME" kata-env --kata-config "$DEV_CONFIG" --json
	assert_success
	jq -e '.Hypervisor.Accelerator' <<<"$output"
	run "$KATA_RUNTIME" --kata-show-default-config-paths
	assert_success
	assert_line --partial "/etc/kata-containers/configuration.toml"
	run "$KATA_RUNTIME" no-such-command
	assert_failure
}

@test "runtime: kata-check, kata-env and create take one decision, with the same reason" {
	local cfg=$BATS_TEST_TMPDIR/no-kernel.toml
	sed 's|^kernel = .*|kernel = "/nonexistent/vmlinux"|' "$DEV_CONFIG" >"$cfg"
	local why="guest kernel (config.hypervisor.qemu.kernel): /nonexistent/vmlinux: No such file or directory"
	# the shipped development configuration runs here: all three say so
	run "$KC_BUILD/bin/kata-check" --json --kata-config "$DEV_CONFIG"
	assert_success
	jq -e '.capable and .runtime_ready and .reasons == []' <<<"$output"
	run "$KC_BUILD/bin/kata-env" --kata-config "$DEV_CONFIG" --json
	assert_success
	# without its kernel, none does, and each names the same reason
	run "$KC_BUILD/bin/kata-check" --json --kata-config "$cfg"
	assert_equal "$status" 1
	jq -e --arg w "$why" '(.capable | not) and (.runtime_ready | not) and (.reasons | map(startswith($w)) | any)' <<<"$output"
	run --separate-stderr "$KC_BUILD/bin/kata-env" --json --kata-config "$cfg"
	assert_equal "$status" 1
	jq -e --arg w "$why" '.Refusal.Reasons | map(startswith($w)) | any' <<<"$output"
	make_bundle "$B" true
	KR_CONFIG=$cfg run --separate-stderr kr create --bundle "$B" nokernel
	assert_equal "$status" 1
	[[ "$stderr" == *"$why"* ]]
	assert_clean nokernel
}

@test "runtime: a terminal in the foreground, under a pseudo-terminal" {
	# the terminal is made in the container's devpts, and is its console
	make_bundle "$B" sh -c 'tty; stty size; [ /dev/console -ef /dev/pts/0 ] && echo console-is-the-terminal'
	bundle_set "$B" '.process.terminal = true'
	run script -qec "stty rows 33 cols 77; $KATA_RUNTIME --root $KR_ROOT --kata-config $DEV_CONFIG run --bundle $B t1" /dev/null
	assert_success
	assert_output --partial "/dev/pts/0"
	assert_output --partial "console-is-the-terminal"
	assert_output --partial "33 77"
	assert_clean t1
}

@test "runtime: a kata-shim that attaches late still gets all the output, and the terminal its size" {
	# the process runs from the moment the agent starts it; its shim may
	# attach a second later (a loaded host): nothing may be lost by then
	printf '#!/bin/sh\nsleep 1\nexec %s "$@"\n' "$KC_BUILD/bin/kata-shim" >"$BATS_TEST_TMPDIR/late-shim"
	chmod +x "$BATS_TEST_TMPDIR/late-shim"
	sed "s|^path = \".*/kata-shim\"|path = \"$BATS_TEST_TMPDIR/late-shim\"|" "$DEV_CONFIG" >"$BATS_TEST_TMPDIR/late.toml"
	grep -q "late-shim" "$BATS_TEST_TMPDIR/late.toml"
	export KR_CONFIG=$BATS_TEST_TMPDIR/late.toml
	make_bundle "$B" sleep 1000
	kr run -d --bundle "$B" l1 </dev/null >/dev/null 2>&1
	run kr exec l1 sh -c 'echo out; echo err >&2; exit 3'
	assert_equal "$status" 3
	assert_line out
	assert_line err
	# a terminal: its output, and the size it had from the start
	run script -qec "stty rows 21 cols 61; $KATA_RUNTIME --root $KR_ROOT --kata-config $KR_CONFIG exec --tty l1 stty size" /dev/null
	assert_success
	assert_output --partial "21 61"
	run kr delete --force l1
	assert_success
	assert_clean l1
}
