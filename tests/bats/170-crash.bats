#!/usr/bin/env bats
# Crash-safe lifecycles: kata-runtime killed (SIGKILL, as containerd at its
# timeout or a power cut would) at every crash point of create, start, exec
# and delete in turn - with a pod network, and as a pod member - and QEMU,
# kata-proxy and kata-shim killed in every state. After each, `state` tells
# the truth and `delete --force` leaves no process, mount, network
# namespace, tap, socket or file.

load helpers
load runtime

setup() {
	setup_runtime
	SID=cr$$
	T=$BATS_TEST_TMPDIR
}

teardown() {
	teardown_runtime
	rmdir /sys/fs/cgroup/*/kata-crash-"$SID" 2>/dev/null || true
}

# The crash points a successful COMMAND passes, in order (through a file:
# the container's shim keeps create's stderr open).
points_of() {
	local prefix=$1
	shift
	KATA_RUNTIME_CRASH=trace "$@" >/dev/null 2>"$T/trace" </dev/null
	sed -n "s/^crash point: \($prefix:.*\)/\1/p" "$T/trace"
}

# crash_at POINT COMMAND...: the runtime dies at POINT (SIGKILL: 137).
crash_at() {
	local point=$1 rc=0
	shift
	# output to a file: a shim started before the crash keeps it open
	env KATA_RUNTIME_CRASH="$point" "$@" >"$T/crash.out" 2>&1 || rc=$?
	if [ "$rc" -ne 137 ]; then
		echo "at $point: expected the runtime killed (137), got $rc: $(cat "$T/crash.out")" >&2
		return 1
	fi
}

# Nothing of the pod network left in $NETNS.
assert_network_clean() {
	[ -z "${NETNS:-}" ] && return 0
	if ip -n "$NETNS" link show | grep -q _kata || tc -n "$NETNS" qdisc show dev eth0 | grep -q ingress; then
		echo "network left in $NETNS:" >&2
		ip -n "$NETNS" link show >&2
		tc -n "$NETNS" qdisc show dev eth0 >&2
		return 1
	fi
}

sandbox_bundle() {
	make_bundle "$1" sleep 1000
	bundle_set "$1" ".annotations = {\"io.kubernetes.cri.container-type\": \"sandbox\", \"io.kubernetes.cri.sandbox-id\": \"$SID\"}
		| .linux.namespaces = [{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},
			{\"type\":\"network\",\"path\":\"/run/netns/$NETNS\"}]
		| .linux.cgroupsPath = \"/kata-crash-$SID/$SID\""
	bundle_set "$1" ".hooks = {\"prestart\": [{\"path\": \"/bin/true\"}]}"
}

# The sandbox's host cgroup is gone from every hierarchy (its parent stays).
assert_cgroup_clean() {
	local h
	for h in /sys/fs/cgroup/*/; do
		[ -d "${h}kata-crash-$SID" ] || continue
		if [ -e "${h}kata-crash-$SID/$SID" ]; then
			echo "cgroup left: ${h}kata-crash-$SID/$SID" >&2
			return 1
		fi
	done
}

@test "crash: create of a sandbox killed at every point, with its pod network" {
	command -v ip >/dev/null || skip "iproute2 is not installed"
	make_netns
	sandbox_bundle "$T/sb"
	local points
	points=$(points_of create kr create --bundle "$T/sb" --pid-file "$T/pid" "$SID")
	kr delete --force "$SID"
	assert_clean "$SID"
	# every step of create is there, the VM's included
	for p in create:state create:network-recorded create:network create:vm-dir create:cgroup create:qemu-spawned create:qemu \
		create:booted create:vm create:sandbox-record create:shared create:container create:shim-started \
		create:created create:hooks create:pid-file; do
		grep -qx "$p" <<<"$points" || { echo "no crash point $p in: $points" >&2; return 1; }
	done
	for p in $points; do
		crash_at "$p" "$KATA_RUNTIME" --root "$KR_ROOT" --kata-config "$DEV_CONFIG" create --bundle "$T/sb" \
			--pid-file "$T/pid" "$SID" </dev/null
		# the truth: a create that did not finish is a stopped container;
		# from create:created on, the container exists with its shim
		local want=stopped
		case $p in create:created | create:hooks | create:pid-file) want=created ;; esac
		run kr state "$SID"
		if [ "$status" -eq 0 ]; then
			[ "$(jq -r .status <<<"$output")" = "$want" ] || { echo "at $p: state says $output" >&2; return 1; }
		else
			assert_output --partial "no state"
		fi
		run kr delete --force "$SID"
		[ "$status" -eq 0 ] || { echo "at $p: delete --force: $output" >&2; return 1; }
		assert_clean "$SID" || { echo "after a crash at $p" >&2; return 1; }
		assert_network_clean || { echo "after a crash at $p" >&2; return 1; }
		assert_cgroup_clean || { echo "after a crash at $p" >&2; return 1; }
	done
	# the crash points of the sandbox's cgroup were passed: it was made
	[ -d "/sys/fs/cgroup/memory/kata-crash-$SID" ]
}

@test "crash: create of a pod member killed at every point leaves the pod as it was" {
	make_bundle "$T/sb" sleep 1000
	bundle_set "$T/sb" ".annotations = {\"io.kubernetes.cri.container-type\": \"sandbox\", \"io.kubernetes.cri.sandbox-id\": \"$SID\"}"
	make_bundle "$T/m" sleep 1000
	mkdir -p "$T/vol"
	bundle_set "$T/m" ".annotations = {\"io.kubernetes.cri.container-type\": \"container\", \"io.kubernetes.cri.sandbox-id\": \"$SID\"}
		| .mounts += [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$T/vol\", \"options\": [\"rbind\"]}]"
	kr run --detach --bundle "$T/sb" "$SID" </dev/null >/dev/null 2>&1
	local points vm
	vm=$(vm_dir_of "$SID")
	points=$(points_of create kr create --bundle "$T/m" "$SID-m")
	kr delete --force "$SID-m"
	for p in $points; do
		crash_at "$p" "$KATA_RUNTIME" --root "$KR_ROOT" --kata-config "$DEV_CONFIG" create --bundle "$T/m" "$SID-m" </dev/null
		run kr delete --force "$SID-m"
		[ "$status" -eq 0 ] || { echo "at $p: delete --force: $output" >&2; return 1; }
		# the member is gone from the share, the record and the processes; the pod stays
		[ ! -e "$vm/mounts/$SID-m" ] || { echo "at $p: share entry left: $(find "$vm/mounts/$SID-m")" >&2; return 1; }
		! grep -qF " $vm/mounts/$SID-m/" /proc/self/mountinfo
		! pgrep -f -- "--container $SID-m( |$)" >/dev/null
		[ "$(jq -r '.members | join(",")' "$KR_ROOT/.sandboxes/$SID.json")" = "$SID" ]
		[ "$(kr state "$SID" | jq -r .status)" = running ]
	done
	kr delete --force "$SID"
	assert_clean "$SID" "$SID-m"
}

@test "crash: start, exec and delete killed at every point" {
	make_bundle "$T/b" sleep 1000
	local p
	# start: the guest settles what was started
	for p in start:recorded start:started start:running; do
		kr create --bundle "$T/b" "$SID" </dev/null >/dev/null 2>&1
		crash_at "$p" "$KATA_RUNTIME" --root "$KR_ROOT" --kata-config "$DEV_CONFIG" start "$SID"
		run kr state "$SID"
		assert_success
		case $p in
		start:recorded) assert_equal "$(jq -r .status <<<"$output")" created ;;
		*) assert_equal "$(jq -r .status <<<"$output")" running ;;
		esac
		run kr delete --force "$SID"
		assert_success
		assert_clean "$SID"
	done
	# exec: the container goes on
	kr run --detach --bundle "$T/b" "$SID" </dev/null >/dev/null 2>&1
	for p in exec:started exec:shim exec:recorded; do
		crash_at "$p" "$KATA_RUNTIME" --root "$KR_ROOT" --kata-config "$DEV_CONFIG" exec --detach "$SID" sleep 100
		assert_equal "$(kr state "$SID" | jq -r .status)" running
		run kr exec "$SID" true
		assert_success
	done
	run kr delete --force "$SID"
	assert_success
	assert_clean "$SID"
	# delete: a second delete --force finishes it
	for p in delete:guest delete:shims delete:unshared delete:sandbox; do
		kr run --detach --bundle "$T/b" "$SID" </dev/null >/dev/null 2>&1
		crash_at "$p" "$KATA_RUNTIME" --root "$KR_ROOT" --kata-config "$DEV_CONFIG" delete --force "$SID"
		run kr delete --force "$SID"
		assert_success
		assert_clean "$SID"
	done
}

@test "crash: QEMU, kata-proxy or kata-shim killed in every state" {
	make_bundle "$T/b" sleep 1000
	local who state
	for state in created running paused; do
		for who in qemu proxy shim; do
			kr create --bundle "$T/b" "$SID" </dev/null >/dev/null 2>&1
			[ "$state" = created ] || kr start "$SID"
			[ "$state" != paused ] || kr pause "$SID"
			local vm pid
			vm=$(vm_dir_of "$SID")
			case $who in
			qemu) pid=$(cut -d' ' -f1 "$vm/qemu.pid") ;;
			proxy) pid=$(cut -d' ' -f1 "$vm/proxy.pid") ;;
			shim) pid=$(kr state "$SID" | jq -r .pid) ;;
			esac
			kill -9 "$pid"
			for _ in $(seq 50); do [ "$(kr state "$SID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
			assert_equal "$(kr state "$SID" | jq -r .status)" stopped
			run kr delete --force "$SID"
			assert_success
			assert_clean "$SID" || { echo "after killing $who in state $state" >&2; return 1; }
		done
	done
}
