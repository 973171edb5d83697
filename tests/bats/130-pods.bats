#!/usr/bin/env bats
# Pods: a sandbox container and the containers that join its VM (CRI
# annotations), shared files, teardown in either order, per-pod settings,
# hot-plug, and the pod's network (tcfilter) in a namespace made here.

load helpers
load runtime

setup() {
	setup_runtime
	SID=pod$$
}

teardown() {
	teardown_runtime
}

# pod_bundle DIR ROLE ARGS...: ROLE sandbox or container (of $SID)
pod_bundle() {
	local dir=$1 role=$2
	shift 2
	make_bundle "$dir" "$@"
	bundle_set "$dir" ".annotations = {\"io.kubernetes.cri.container-type\": \"$role\", \"io.kubernetes.cri.sandbox-id\": \"$SID\"}"
	if [ "$role" = container ]; then
		# as containerd's CRI writes them: the pause container's namespaces
		bundle_set "$dir" '.linux.namespaces = [{"type":"pid"},{"type":"mount"},
			{"type":"ipc","path":"/proc/1/ns/ipc"},{"type":"uts","path":"/proc/1/ns/uts"},
			{"type":"network","path":"/proc/1/ns/net"}]'
	fi
}

vms_of() {
	pgrep -fc -- "-name sandbox-$1 " || true
}

@test "pods: a sandbox and two containers share one VM and an emptyDir" {
	local T=$BATS_TEST_TMPDIR
	mkdir -p "$T/emptydir"
	pod_bundle "$T/sb" sandbox sleep 1000
	bundle_set "$T/sb" '.hostname = "podhost"'
	pod_bundle "$T/a" container sh -c 'echo from-a > /data/file; sleep 1000'
	pod_bundle "$T/b" container sh -c 'for i in $(seq 100); do [ -f /data/file ] && break; sleep 0.1; done; cat /data/file; hostname'
	for c in a b; do
		bundle_set "$T/$c" ".mounts += [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$T/emptydir\", \"options\": [\"rbind\", \"rw\"]}]"
	done
	kr run --detach --bundle "$T/sb" "$SID" </dev/null >/dev/null 2>&1
	kr run --detach --bundle "$T/a" "$SID-a" </dev/null >/dev/null 2>&1
	run kr run --bundle "$T/b" "$SID-b"
	assert_success
	assert_line --index 0 from-a
	# UTS shared with the sandbox container
	assert_line --index 1 podhost
	assert_equal "$(cat "$T/emptydir/file")" from-a
	assert_equal "$(vms_of "$SID")" 1
	assert_equal "$(kr list -q | sort | tr '\n' ' ')" "$SID $SID-a "
	# containers first: the VM stays until the sandbox goes
	kr kill "$SID-a" KILL
	run kr delete --force "$SID-a"
	assert_success
	assert_equal "$(vms_of "$SID")" 1
	run kr delete --force "$SID"
	assert_success
	assert_equal "$(vms_of "$SID")" 0
	assert_clean "$SID" "$SID-a" "$SID-b"
}

@test "pods: the sandbox container deleted first leaves the VM to its containers" {
	local T=$BATS_TEST_TMPDIR
	pod_bundle "$T/sb" sandbox sleep 1000
	pod_bundle "$T/a" container sleep 1000
	kr run --detach --bundle "$T/sb" "$SID" </dev/null >/dev/null 2>&1
	kr run --detach --bundle "$T/a" "$SID-a" </dev/null >/dev/null 2>&1
	# stop the pause container, delete it without force: the VM stays
	kr kill "$SID" KILL
	for _ in $(seq 50); do [ "$(kr state "$SID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
	run kr delete "$SID"
	assert_success
	assert_equal "$(vms_of "$SID")" 1
	run kr exec "$SID-a" echo still-here
	assert_success
	assert_output still-here
	run kr delete --force "$SID-a"
	assert_success
	assert_equal "$(vms_of "$SID")" 0
	assert_clean "$SID" "$SID-a"
}

@test "pods: delete --force of the sandbox takes everything down" {
	local T=$BATS_TEST_TMPDIR
	pod_bundle "$T/sb" sandbox sleep 1000
	pod_bundle "$T/a" container sleep 1000
	kr run --detach --bundle "$T/sb" "$SID" </dev/null >/dev/null 2>&1
	kr run --detach --bundle "$T/a" "$SID-a" </dev/null >/dev/null 2>&1
	run kr delete --force "$SID"
	assert_success
	assert_equal "$(vms_of "$SID")" 0
	assert_equal "$(kr state "$SID-a" | jq -r .status)" stopped
	run kr delete "$SID-a"
	assert_success
	assert_clean "$SID" "$SID-a"
}

@test "pods: annotations - unknown type, a missing sandbox, CRI-O and Docker keys" {
	local T=$BATS_TEST_TMPDIR
	make_bundle "$T/x" true
	bundle_set "$T/x" '.annotations = {"io.kubernetes.cri.container-type": "helper"}'
	run kr create --bundle "$T/x" x1
	assert_failure
	assert_output --partial "unknown container type 'helper'"
	bundle_set "$T/x" '.annotations = {"io.kubernetes.cri-o.ContainerType": "container"}'
	run kr create --bundle "$T/x" x2
	assert_failure
	assert_output --partial "io.kubernetes.cri-o.SandboxID (the sandbox's id) is missing"
	bundle_set "$T/x" '.annotations = {"io.kubernetes.docker.type": "container", "io.kubernetes.sandbox.id": "nope"}'
	run kr create --bundle "$T/x" x3
	assert_failure
	assert_output --partial 'sandbox "nope" does not exist'
	assert_clean x1 x2 x3
}

@test "pods: per-pod settings through enable_annotations, and hot-plug when a container joins" {
	local T=$BATS_TEST_TMPDIR cfg=$BATS_TEST_TMPDIR/configuration.toml
	sed -e 's|^#\?enable_annotations = .*|enable_annotations = ["default_vcpus", "default_memory"]|' "$DEV_CONFIG" >"$cfg"
	grep -q '^enable_annotations = \["default_vcpus"' "$cfg" || sed -i 's|^\[hypervisor.qemu\]|&\nenable_annotations = ["default_vcpus", "default_memory"]|' "$cfg"
	pod_bundle "$T/sb" sandbox sleep 1000
	bundle_set "$T/sb" '.annotations["io.katacontainers.config.hypervisor.default_memory"] = "512"'
	# without the setting enabled: refused, naming the annotation
	run kr create --bundle "$T/sb" "$SID"
	assert_failure
	assert_output --partial "io.katacontainers.config.hypervisor.default_memory"
	assert_output --partial "enable_annotations"
	KR_CONFIG=$cfg kr run --detach --bundle "$T/sb" "$SID" </dev/null >/dev/null 2>&1
	pgrep -af -- "-name sandbox-$SID " | grep -q -- "-m 512M"
	# a container asking for 256 MiB more: hot-plugged memory
	pod_bundle "$T/a" container sh -c 'grep MemTotal /proc/meminfo'
	bundle_set "$T/a" '.linux.resources = {"memory": {"limit": 268435456}}'
	before=$(KR_CONFIG=$cfg kr exec "$SID" grep MemTotal /proc/meminfo | awk '{ print $2 }')
	run env KR_CONFIG="$cfg" bash -c "$(declare -f kr); KR_ROOT=$KR_ROOT KATA_RUNTIME=$KATA_RUNTIME kr run --bundle $T/a $SID-a"
	assert_success
	after=$(awk '{ print $2 }' <<<"$output")
	[ "$after" -gt $((before + 200000)) ] || { echo "memory $before -> $after kB" >&2; return 1; }
	KR_CONFIG=$cfg run kr delete --force "$SID"
	assert_success
	assert_clean "$SID" "$SID-a"
}

# A namespace with a veth pair, as CNI would leave it.
@test "pods: the pod's network reaches the host through the VM (tcfilter), and goes cleanly" {
	command -v ip >/dev/null || skip "iproute2 is not installed"
	local T=$BATS_TEST_TMPDIR
	make_netns
	pod_bundle "$T/sb" sandbox sleep 1000
	bundle_set "$T/sb" ".linux.namespaces = [{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},
		{\"type\":\"network\",\"path\":\"/run/netns/$NETNS\"}]"
	kr run --detach --bundle "$T/sb" "$SID" </dev/null >/dev/null 2>&1
	# the tap and the filters in the pod's namespace
	ip -n "$NETNS" link show tap0_kata >/dev/null
	tc -n "$NETNS" filter show dev eth0 ingress | grep -q mirred
	# from the guest: the interface, ping, and TCP both ways through the host end
	run kr exec "$SID" sh -c 'ip addr show eth0; ip route'
	assert_output --partial "10.123.45.2/24"
	assert_output --partial "default via 10.123.45.1"
	run kr exec --cap CAP_NET_RAW "$SID" ping -c 1 -W 5 10.123.45.1
	assert_success
	socat -T 10 TCP-LISTEN:4567,bind=10.123.45.1,reuseaddr SYSTEM:'echo from-host; cat > '"$T/from-guest" &
	local listener=$!
	sleep 0.3
	run kr exec "$SID" sh -c 'echo from-guest | nc -w 5 10.123.45.1 4567'
	wait "$listener" || true
	assert_output --partial from-host
	assert_equal "$(cat "$T/from-guest")" from-guest
	run kr delete --force "$SID"
	assert_success
	# nothing of ours left in the namespace
	run ip -n "$NETNS" link show
	refute_output --partial tap0_kata
	run tc -n "$NETNS" qdisc show dev eth0
	refute_output --partial ingress
	assert_clean "$SID"
}

@test "pods: internetworking_model none leaves the namespace alone" {
	command -v ip >/dev/null || skip "iproute2 is not installed"
	local T=$BATS_TEST_TMPDIR cfg=$BATS_TEST_TMPDIR/configuration.toml
	sed 's|^internetworking_model = .*|internetworking_model = "none"|' "$DEV_CONFIG" >"$cfg"
	grep -q 'internetworking_model = "none"' "$cfg"
	make_netns
	make_bundle "$T/n" sh -c 'ls /sys/class/net'
	bundle_set "$T/n" ".linux.namespaces = [{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"ipc\"},{\"network\":\"x\",\"type\":\"network\",\"path\":\"/run/netns/$NETNS\"}]"
	KR_CONFIG=$cfg run kr run --bundle "$T/n" n1
	assert_success
	assert_output lo
	run ip -n "$NETNS" link show
	refute_output --partial tap0_kata
	assert_clean n1
}
