#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# The CRI path as kubelet drives it: a CRI client of our own
# (tests/clients/cri-client, Python's grpcio with CRI messages from
# tests/clients/cri/api.proto) against Debian's containerd with its CRI
# plugin, a CNI bridge network, and both Kata runtimes: "kata" (the shim
# v2) and "kata-runc" (kata-runtime under containerd's runc shim). One VM
# per pod; exec, streaming exec and attach, exit codes, logs, stats,
# privileged networking in the guest, teardown with nothing left.

load helpers
load runtime

CLIENTS=$BATS_TEST_DIRNAME/../clients
NET=10.99.77
BRIDGE=kcricni0
CGPARENT=kata-cri-test

setup_file() {
	require_guest
	command -v containerd >/dev/null || skip "containerd is not installed"
	/usr/bin/python3 -c 'import grpc, websocket, google.protobuf' 2>/dev/null ||
		skip "python3-grpcio, python3-websocket or python3-protobuf is not installed"
	export T=$BATS_FILE_TMPDIR
	mkdir -p "$T/rootfs" "$T/logs"
	export ASAN_OPTIONS="log_path=$T/sanitizer:${ASAN_OPTIONS:-}"
	export UBSAN_OPTIONS="log_path=$T/sanitizer:print_stacktrace=1:${UBSAN_OPTIONS:-}"
	busybox_rootfs "$T/rootfs"
	iptables_into_rootfs "$T/rootfs"
	# runtime handlers of Kata's form: each names its configuration with ConfigPath
	sed 's/^default_memory = .*/default_memory = 1536/' "$KC_BUILD/data/configuration-dev.toml" >"$T/other.toml"
	local rt='plugins."io.containerd.grpc.v1.cri".containerd.runtimes'
	cat >"$T/handlers.toml" <<-EOF
	[$rt.kata-other]
	  runtime_type = "io.containerd.kata.v2"
	  [$rt.kata-other.options]
	    ConfigPath = "$T/other.toml"
	[$rt.kata-relative]
	  runtime_type = "io.containerd.kata.v2"
	  [$rt.kata-relative.options]
	    ConfigPath = "other.toml"
	[$rt.kata-missing]
	  runtime_type = "io.containerd.kata.v2"
	  [$rt.kata-missing.options]
	    ConfigPath = "$T/missing.toml"
	EOF
	"$CLIENTS/cri-containerd" "$T/ctd" "$KC_BUILD" "$T/rootfs" "$BRIDGE" "$NET" "$T/handlers.toml"
}

# What a failed test left: its pods, through the CRI as kubelet would.
teardown() {
	local p
	for p in $(cat "$T/pods" 2>/dev/null); do
		cri StopPodSandbox "{\"pod_sandbox_id\": \"$p\"}" >/dev/null 2>&1
		cri RemovePodSandbox "{\"pod_sandbox_id\": \"$p\"}" >/dev/null 2>&1
	done
	rm -f "$T/pods"
	return 0
}

teardown_file() {
	local d=$BATS_FILE_TMPDIR/ctd id
	[ -f "$d/pid" ] && kill "$(cat "$d/pid")" 2>/dev/null
	sleep 0.5
	# shims containerd could not remove: their own cleanup, as containerd runs it
	for id in $(ls /run/kata-containers/.shimv2/k8s.io 2>/dev/null); do
		(cd / && timeout 60 "$KC_BUILD/bin/containerd-shim-kata-v2" -namespace k8s.io -id "$id" -address "$d/containerd.sock" delete) >/dev/null 2>&1
	done
	grep -o " $BATS_FILE_TMPDIR[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	ip link del "$BRIDGE" 2>/dev/null || true
	# the pods' parent cgroups, which kubelet would own
	find /sys/fs/cgroup/*/$CGPARENT -depth -type d -exec rmdir {} + 2>/dev/null || true
	rmdir /sys/fs/cgroup/$CGPARENT 2>/dev/null || true
	return 0
}

cri() {
	/usr/bin/python3 "$CLIENTS/cri-client" "$BATS_FILE_TMPDIR/ctd/containerd.sock" "$@"
}

# pod_config NAME [JQ]: a PodSandboxConfig as kubelet writes one
pod_config() {
	local name=$1 uid
	uid=$(cat /proc/sys/kernel/random/uuid)
	mkdir -p "$T/logs/$name"
	jq -nc --arg n "$name" --arg u "$uid" --arg l "$T/logs/$name" --arg cg "/$CGPARENT/pod$uid" \
		'{metadata: {name: $n, uid: $u, namespace: "default"}, hostname: $n, log_directory: $l,
		  linux: {cgroup_parent: $cg, security_context: {namespace_options: {pid: "CONTAINER"}}}}' |
		jq -c "${2:-.}"
}

# ctr_config NAME ARGS_JSON [JQ]: a ContainerConfig running ARGS (a PID
# namespace of its own, as kubelet asks by default)
ctr_config() {
	jq -nc --arg n "$1" --argjson a "$2" \
		'{metadata: {name: $n}, image: {image: "localhost/bb:latest"}, command: $a, log_path: ($n + ".log"),
		  linux: {security_context: {namespace_options: {pid: "CONTAINER"}}}}' |
		jq -c "${3:-.}"
}

# run_pod HANDLER POD_CONFIG: RunPodSandbox; POD is its id
run_pod() {
	NETNS_BEFORE=$(ip netns list 2>/dev/null | grep '^cni-' | sort)
	run -0 --separate-stderr cri RunPodSandbox "$(jq -nc --argjson c "$2" --arg h "$1" '{config: $c, runtime_handler: $h}')"
	POD=$(jq -r .pod_sandbox_id <<<"$output")
	POD_CONFIG=$2
	echo "$POD" >>"$T/pods"
}

# new_ctr NAME ARGS_JSON [JQ]: CreateContainer and StartContainer in POD; CID is its id
new_ctr() {
	run -0 --separate-stderr cri CreateContainer "$(jq -nc --arg p "$POD" --argjson c "$(ctr_config "$@")" --argjson s "$POD_CONFIG" \
		'{pod_sandbox_id: $p, config: $c, sandbox_config: $s}')"
	CID=$(jq -r .container_id <<<"$output")
	run -0 cri StartContainer "{\"container_id\": \"$CID\"}"
}

# exec_sync CID TIMEOUT ARGS...: ExecSync; OUT, ERR and CODE
exec_sync() {
	local id=$1 timeout=$2
	shift 2
	local cmd
	# (not jq --args: jq takes an argument such as -c as its own option)
	cmd=$(/usr/bin/python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@")
	run --separate-stderr cri ExecSync "$(jq -nc --arg c "$id" --argjson t "$timeout" --argjson a "$cmd" '{container_id: $c, cmd: $a, timeout: $t}')"
	[ "$status" -eq 0 ] || { echo "ExecSync $*: $stderr" >&2; return 1; }
	OUT=$(jq -r '.stdout | @base64d' <<<"$output")
	ERR=$(jq -r '.stderr | @base64d' <<<"$output")
	CODE=$(jq -r .exit_code <<<"$output")
}

ctr_status() { # CID -> output: the ContainerStatus JSON
	run -0 --separate-stderr cri ContainerStatus "{\"container_id\": \"$1\"}"
}

wait_exited() { # CID
	local i
	for i in $(seq 100); do
		ctr_status "$1"
		[ "$(jq -r .status.state <<<"$output")" = CONTAINER_EXITED ] && return 0
		sleep 0.2
	done
	return 1
}

remove_pod() {
	# kubelet stops a pod more than once (the CRI says it must not fail)
	run -0 cri StopPodSandbox "{\"pod_sandbox_id\": \"$POD\"}"
	run -0 cri StopPodSandbox "{\"pod_sandbox_id\": \"$POD\"}"
	run -0 cri RemovePodSandbox "{\"pod_sandbox_id\": \"$POD\"}"
	run -0 cri RemovePodSandbox "{\"pod_sandbox_id\": \"$POD\"}"
}

# Nothing of a removed pod is left: processes, VM directories, mounts, the
# pod's network namespace and taps, its cgroup, sanitizer reports.
assert_pod_gone() {
	assert_no_sanitizer_reports "$T" &&
		assert_no_processes "containerd-shim-kata-v2 .*serve|qemu-system|kata-shim|kata-proxy|containerd-shim-runc-v2" ||
		return 1
	if [ -n "$(vm_dirs_left)" ]; then
		echo "VM directories left: $(vm_dirs_left)" >&2
		return 1
	fi
	if grep -E " /run/kata-containers/| $T/ctd/(state|root)/.*(rootfs|shm)" /proc/self/mountinfo >&2; then
		echo "mounts left (above)" >&2
		return 1
	fi
	local netns
	netns=$(ip netns list 2>/dev/null | grep '^cni-' | sort)
	if [ "$netns" != "${NETNS_BEFORE:-}" ]; then
		echo "network namespaces left: $(comm -13 <(echo "${NETNS_BEFORE:-}") <(echo "$netns"))" >&2
		return 1
	fi
	if ip -o link show 2>/dev/null | grep -E 'tap[0-9]+_kata|@.*'"$BRIDGE" >&2; then
		echo "links left (above)" >&2
		return 1
	fi
	if find /sys/fs/cgroup/ -path "*/$CGPARENT/*/$POD" 2>/dev/null | grep . >&2; then
		echo "cgroups left (above)" >&2
		return 1
	fi
}

# One pod through HANDLER, kubelet's calls in kubelet's order.
pod_lifecycle() {
	local h=$1 t0 t1
	t0=$(date +%s%N)
	run_pod "$h" "$(pod_config "p-$h")"
	# one VM for the pod
	[ "$(pgrep -fc -- "-name sandbox-$POD ")" = 1 ]
	run -0 --separate-stderr cri PodSandboxStatus "{\"pod_sandbox_id\": \"$POD\"}"
	assert_equal "$(jq -r .status.state <<<"$output")" SANDBOX_READY
	assert_equal "$(jq -r .status.runtime_handler <<<"$output")" "$h"
	local ip
	ip=$(jq -r .status.network.ip <<<"$output")
	[[ "$ip" == "$NET".* ]]

	new_ctr app '["sh", "-c", "echo out; echo err >&2; exec sleep 1000"]'
	local app=$CID
	t1=$(date +%s%N)
	echo "# $h: RunPodSandbox to a running container $(( (t1 - t0) / 1000000 )) ms" >&3
	ctr_status "$app"
	assert_equal "$(jq -r .status.state <<<"$output")" CONTAINER_RUNNING
	# still one VM: the container joined the pod's
	[ "$(pgrep -fc -- "-name sandbox-$POD ")" = 1 ]

	# ExecSync: output, stderr, exit code, and the pod's address in the guest
	exec_sync "$app" 10 sh -c 'echo hi; echo oops >&2; exit 3'
	assert_equal "$OUT" hi
	assert_equal "$ERR" oops
	assert_equal "$CODE" 3
	exec_sync "$app" 10 ip -o -4 addr show
	[[ "$OUT" == *"inet $ip/"* ]]
	# an exec the caller abandons dies with it
	local s
	s=$(date +%s)
	run cri ExecSync "{\"container_id\": \"$app\", \"cmd\": [\"sleep\", \"30\"], \"timeout\": 1}"
	assert_failure
	[ $(($(date +%s) - s)) -lt 20 ]
	local i
	for i in $(seq 50); do
		exec_sync "$app" 10 ps -o args
		[[ "$OUT" != *"sleep 30"* ]] && break
		sleep 0.2
	done
	[[ "$OUT" != *"sleep 30"* ]]

	# Exec and Attach over the streaming server (WebSocket, v4.channel.k8s.io)
	run cri stream exec "{\"container_id\": \"$app\", \"cmd\": [\"sh\", \"-c\", \"read l; echo got \$l; echo e >&2; exit 5\"], \"stdin\": true, \"stdout\": true, \"stderr\": true}" $'hello\n'
	assert_equal "$status" 5
	assert_line "got hello"
	assert_line e
	new_ctr talk '["sh", "-c", "read l; echo attached $l"]' '.stdin = true | .stdin_once = true'
	local talk=$CID
	run cri stream attach "{\"container_id\": \"$talk\", \"stdin\": true, \"stdout\": true, \"stderr\": true}" $'world\n'
	assert_output --partial "attached world"
	wait_exited "$talk"
	assert_equal "$(jq -r .status.exit_code <<<"$output")" 0

	# exit codes and logs in CRI's format
	new_ctr fail '["sh", "-c", "echo bye; exit 7"]'
	wait_exited "$CID"
	assert_equal "$(jq -r .status.exit_code <<<"$output")" 7
	assert_equal "$(jq -r .status.reason <<<"$output")" Error
	[ "$(jq -r .status.finished_at <<<"$output")" -gt 0 ]
	grep -E '^[0-9TZ:.+-]+ stdout F bye$' "$T/logs/p-$h/fail.log"
	grep -E '^[0-9TZ:.+-]+ stdout F out$' "$T/logs/p-$h/app.log"
	grep -E '^[0-9TZ:.+-]+ stderr F err$' "$T/logs/p-$h/app.log"

	# stats: through the shim v2, the container's own cgroup in the guest,
	# not the VM's; containerd's runc shim reads the host cgroup of the
	# process it was given (kata-shim, in the pod's cgroup with the VM), so
	# kata-runc reports the pod's figures (kata-runtime(8), "Statistics")
	run -0 --separate-stderr cri ContainerStats "{\"container_id\": \"$app\"}"
	local ws
	ws=$(jq -r .stats.memory.working_set_bytes.value <<<"$output")
	[ "$ws" -gt 0 ]
	if [ "$h" = kata ]; then [ "$ws" -lt $((64 << 20)) ]; fi

	# StopContainer: TERM is ignored by sleep as PID 1, KILL after the grace period
	run -0 cri StopContainer "{\"container_id\": \"$app\", \"timeout\": 2}"
	ctr_status "$app"
	assert_equal "$(jq -r .status.state <<<"$output")" CONTAINER_EXITED
	assert_equal "$(jq -r .status.exit_code <<<"$output")" 137
	for CID in $app $talk; do run -0 cri RemoveContainer "{\"container_id\": \"$CID\"}"; done
	remove_pod
	assert_pod_gone
}

@test "cri: a pod through the shim v2 (kata): one VM, exec, streams, exit codes, logs, stats, teardown" {
	pod_lifecycle kata
}

@test "cri: a pod through the runc shim and kata-runtime (kata-runc): the same" {
	pod_lifecycle kata-runc
}

@test "cri: a container the guest's OOM killer takes is OOMKilled (shim v2: TaskOOM)" {
	run_pod kata "$(pod_config oom)"
	new_ctr hog '["sh", "-c", "x=0123456789abcdef; while :; do x=$x$x; done"]' \
		'.linux.resources = {memory_limit_in_bytes: 33554432}'
	wait_exited "$CID"
	assert_equal "$(jq -r .status.exit_code <<<"$output")" 137
	assert_equal "$(jq -r .status.reason <<<"$output")" OOMKilled
	# a container that ends on its own is not
	new_ctr fine '["true"]' '.linux.resources = {memory_limit_in_bytes: 33554432}'
	wait_exited "$CID"
	assert_equal "$(jq -r .status.reason <<<"$output")" Completed
	remove_pod
	assert_pod_gone
}

@test "cri: a privileged container builds a bridge and NAT rules in the guest; hostNetwork is refused with the reason" {
	run_pod kata "$(pod_config priv '.linux.security_context.privileged = true')"
	new_ctr priv '["sleep", "1000"]' '.linux.security_context.privileged = true'
	exec_sync "$CID" 30 sh -c 'ip link add br0 type bridge && brctl addbr br1 && ip link show br0 >/dev/null &&
		iptables-legacy -t nat -A POSTROUTING -s 10.1.0.0/16 -j MASQUERADE &&
		iptables-nft -A FORWARD -i br0 -m conntrack --ctstate NEW -j ACCEPT && echo ok'
	assert_equal "$ERR" ""
	assert_equal "$OUT" ok
	assert_equal "$CODE" 0
	# so can a container given NET_ADMIN; one without it cannot
	new_ctr netadmin '["sleep", "1000"]' '.linux.security_context.capabilities.add_capabilities = ["NET_ADMIN"]'
	exec_sync "$CID" 30 sh -c 'ip link add br3 type bridge && iptables-legacy -t filter -S INPUT'
	assert_equal "$CODE" 0
	new_ctr plain '["sleep", "1000"]'
	exec_sync "$CID" 30 ip link add br2 type bridge
	[ "$CODE" -ne 0 ]
	remove_pod
	assert_pod_gone
	# a pod on the host's network cannot be a VM: refused, not silently broken
	run -1 cri RunPodSandbox "$(jq -nc --argjson c "$(pod_config hostnet '.linux.security_context.namespace_options.network = "NODE"')" \
		'{config: $c, runtime_handler: "kata"}')"
	assert_output --partial "network namespace"
	assert_pod_gone
}

@test "cri: a runtime handler's ConfigPath (Kata's option) is the configuration its pods run with" {
	run_pod kata-other "$(pod_config p-other)"
	# the VM has the memory other.toml gives, not the default configuration's
	pgrep -af -- "-name sandbox-$POD " | grep -q -- "-m 1536M"
	new_ctr app '["sh", "-c", "echo up; exec sleep 1000"]'
	exec_sync "$CID" 10 echo in-the-vm
	assert_equal "$OUT" in-the-vm
	run -0 cri StopContainer "{\"container_id\": \"$CID\", \"timeout\": 0}"
	run -0 cri RemoveContainer "{\"container_id\": \"$CID\"}"
	remove_pod
	assert_pod_gone
	# a ConfigPath that cannot be used fails the pod, naming it; nothing is left
	local h
	for h in kata-relative kata-missing; do
		NETNS_BEFORE=$(ip netns list 2>/dev/null | grep '^cni-' | sort)
		run --separate-stderr cri RunPodSandbox "$(jq -nc --argjson c "$(pod_config "p-$h")" --arg h "$h" '{config: $c, runtime_handler: $h}')"
		assert_failure
		case $h in
		kata-relative) [[ "$stderr" == *"ConfigPath 'other.toml' is not an absolute path"* ]] ;;
		kata-missing) [[ "$stderr" == *"$T/missing.toml"* ]] ;;
		esac
		POD=none
		assert_pod_gone
	done
}
