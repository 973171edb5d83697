#!/usr/bin/env bats
# Host cgroups: the sandbox spec's linux.cgroupsPath (cgroupfs, or the
# systemd driver's slice:prefix:name) is made in every hierarchy of this
# host (cgroup v1 hybrid here), and QEMU, kata-proxy and the shims run in it
# from their start; delete removes it (its parents stay, as runc leaves
# them). The pod's limits (its containers' plus the VM's overhead) are set
# on it, and follow update and members joining and leaving. A path that
# could leave the hierarchy is refused, naming the field.

load helpers
load runtime

setup() {
	setup_runtime
	B=$BATS_TEST_TMPDIR/b
	P=kata-cg-$$
}

teardown() {
	teardown_runtime
	local h
	for h in /sys/fs/cgroup/*/; do
		rmdir "$h$P" "${h}kata.slice/kata-cg.slice/kata-cg-t$$.slice" "${h}kata.slice/kata-cg.slice" \
			"${h}kata.slice" 2>/dev/null || true
	done
	return 0
}

# cgroup_of PID CONTROLLER: the process's cgroup in that hierarchy
cgroup_of() {
	awk -F: -v c="$2" '$2 == c { print $3 }' "/proc/$1/cgroup"
}

qemu_of() {
	pgrep -f -- "-name sandbox-$1 " | head -n1
}

@test "host cgroups: QEMU, kata-proxy and the shim run in the sandbox's cgroupsPath; delete removes it" {
	make_bundle "$B" sleep 1000
	bundle_set "$B" ".linux.cgroupsPath = \"/$P/c1\""
	kr run --detach --bundle "$B" c1 </dev/null >/dev/null 2>&1
	local qemu proxy shim
	qemu=$(qemu_of c1)
	proxy=$(pgrep -f -- "kata-proxy .*--sandbox c1 " | head -n1)
	shim=$(kr state c1 | jq -r .pid)
	local pid c
	for pid in "$qemu" "$proxy" "$shim"; do
		for c in memory cpu pids cpuset devices; do
			assert_equal "$(cgroup_of "$pid" $c)" "/$P/c1"
		done
		# the v2 hierarchy of a hybrid host too
		assert_equal "$(cgroup_of "$pid" "")" "/$P/c1"
	done
	# QEMU's memory is charged to the pod (its guest RAM and itself)
	local used
	used=$(cat "/sys/fs/cgroup/memory/$P/c1/memory.usage_in_bytes")
	[ "$used" -gt $((32 << 20)) ]
	grep -qx "$qemu" "/sys/fs/cgroup/memory/$P/c1/cgroup.procs"
	# an exec's shim joins it too
	kr exec --detach --pid-file "$BATS_TEST_TMPDIR/e.pid" c1 sleep 100 </dev/null >/dev/null 2>&1
	assert_equal "$(cgroup_of "$(cat "$BATS_TEST_TMPDIR/e.pid")" memory)" "/$P/c1"
	run kr delete --force c1
	assert_success
	for c in memory cpu pids cpuset devices unified; do
		[ ! -e "/sys/fs/cgroup/$c/$P/c1" ] || { echo "left: /sys/fs/cgroup/$c/$P/c1" >&2; return 1; }
		[ -d "/sys/fs/cgroup/$c/$P" ]
	done
	assert_clean c1
}

@test "host cgroups: the systemd driver's slice:prefix:name, and a pod member's shim in its sandbox's cgroup" {
	make_bundle "$B" sleep 1000
	bundle_set "$B" ".linux.cgroupsPath = \"kata-cg-t$$.slice:kata:s1\"
		| .annotations = {\"io.kubernetes.cri.container-type\": \"sandbox\", \"io.kubernetes.cri.sandbox-id\": \"s1\"}"
	kr --systemd-cgroup run --detach --bundle "$B" s1 </dev/null >/dev/null 2>&1
	# systemd's naming: each dash of a slice's name is a level
	local want="/kata.slice/kata-cg.slice/kata-cg-t$$.slice/kata-s1.scope"
	assert_equal "$(cgroup_of "$(qemu_of s1)" memory)" "$want"
	make_bundle "$BATS_TEST_TMPDIR/m" sleep 1000
	bundle_set "$BATS_TEST_TMPDIR/m" ".linux.cgroupsPath = \"kata-cg-t$$.slice:kata:m1\"
		| .annotations = {\"io.kubernetes.cri.container-type\": \"container\", \"io.kubernetes.cri.sandbox-id\": \"s1\"}"
	kr --systemd-cgroup run --detach --bundle "$BATS_TEST_TMPDIR/m" m1 </dev/null >/dev/null 2>&1
	assert_equal "$(cgroup_of "$(kr state m1 | jq -r .pid)" memory)" "$want"
	kr delete --force m1
	kr delete --force s1
	[ ! -e "/sys/fs/cgroup/memory$want" ]
	assert_clean s1 m1
}

@test "host cgroups: a cgroupsPath that leaves its hierarchy is refused, naming the field" {
	make_bundle "$B" true
	local bad
	for bad in "/$P/../../../etc" "/$P/./x" "kata.slice:kata:../x" "nosuch:only-two"; do
		bundle_set "$B" ".linux.cgroupsPath = \"$bad\""
		run kr create --bundle "$B" bad1 </dev/null
		assert_failure
		assert_output --partial "linux.cgroupsPath"
		assert_clean bad1
	done
	[ ! -e /sys/fs/cgroup/etc ]
}

# host_limits CGROUP: "MEMORY QUOTA" as the host's v1 hierarchies hold them
host_limits() {
	echo "$(cat "/sys/fs/cgroup/memory/$1/memory.limit_in_bytes") $(cat "/sys/fs/cgroup/cpu/$1/cpu.cfs_quota_us")"
}

@test "host cgroups: the container's limits plus the VM's overhead bound the VM on the host; update changes them" {
	[ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/cpu ] || skip "no cgroup v1 memory and cpu hierarchies"
	local mib=$((1 << 20)) over=$((340 << 20))
	make_bundle "$B" sleep 1000
	bundle_set "$B" ".linux.cgroupsPath = \"/$P/l1\" | .linux.resources = {memory: {limit: $((256 * mib))}, cpu: {quota: 50000, period: 100000}}"
	kr run --detach --bundle "$B" l1 </dev/null >/dev/null 2>&1
	# 256 MiB + 340 MiB; 0.5 CPU + 0.25 CPU (data/kata-runtimeclass.yaml's overhead)
	assert_equal "$(host_limits "$P/l1")" "$((256 * mib + over)) 75000"
	# the container's own limit holds in the guest
	run kr exec l1 cat /sys/fs/cgroup/memory.max
	assert_output $((256 * mib))
	run kr update --memory 512M --cpu-quota 150000 --cpu-period 100000 l1
	assert_success
	assert_equal "$(host_limits "$P/l1")" "$((512 * mib + over)) 175000"
	run kr exec l1 cat /sys/fs/cgroup/memory.max
	assert_output $((512 * mib))
	# an update naming only the CPU keeps the memory limit
	run kr update --cpu-quota 50000 l1
	assert_success
	assert_equal "$(host_limits "$P/l1")" "$((512 * mib + over)) 75000"
	kr delete --force l1
	assert_clean l1
}

@test "host cgroups: a pod's limits are its members' sum; the pause container counts only while alone" {
	[ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/cpu ] || skip "no cgroup v1 memory and cpu hierarchies"
	local mib=$((1 << 20)) over=$((340 << 20)) none
	none=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)
	make_bundle "$B" sleep 1000
	bundle_set "$B" ".linux.cgroupsPath = \"/$P/p1\"
		| .annotations = {\"io.kubernetes.cri.container-type\": \"sandbox\", \"io.kubernetes.cri.sandbox-id\": \"p1\"}"
	kr run --detach --bundle "$B" p1 </dev/null >/dev/null 2>&1
	# kubelet gives the pause container no limits: none on the host
	assert_equal "$(host_limits "$P/p1")" "$none -1"
	local m
	for m in a b; do
		make_bundle "$BATS_TEST_TMPDIR/$m" sleep 1000
		bundle_set "$BATS_TEST_TMPDIR/$m" ".linux.cgroupsPath = \"/$P/$m\" | .linux.resources = {memory: {limit: $((100 * mib))}, cpu: {quota: 20000, period: 100000}}
			| .annotations = {\"io.kubernetes.cri.container-type\": \"container\", \"io.kubernetes.cri.sandbox-id\": \"p1\"}"
		kr run --detach --bundle "$BATS_TEST_TMPDIR/$m" "$m" </dev/null >/dev/null 2>&1
	done
	assert_equal "$(host_limits "$P/p1")" "$((200 * mib + over)) 65000"
	kr delete --force a
	assert_equal "$(host_limits "$P/p1")" "$((100 * mib + over)) 45000"
	# a member without limits: the pod has none, as Kubernetes computes it
	make_bundle "$BATS_TEST_TMPDIR/c" sleep 1000
	bundle_set "$BATS_TEST_TMPDIR/c" ".annotations = {\"io.kubernetes.cri.container-type\": \"container\", \"io.kubernetes.cri.sandbox-id\": \"p1\"}"
	kr run --detach --bundle "$BATS_TEST_TMPDIR/c" c </dev/null >/dev/null 2>&1
	assert_equal "$(host_limits "$P/p1")" "$none -1"
	kr delete --force c
	kr delete --force b
	assert_equal "$(host_limits "$P/p1")" "$none -1"
	kr delete --force p1
	assert_clean p1 a b c
}
