#!/usr/bin/env bats
# The VM factory's templates ([factory] enable_template): kata-runtime
# factory init|status|destroy, VMs that start from the template instead
# of booting - each with its own clock, random numbers, share, NICs and
# limits -, a template rebuilt when what it was made from changes, and
# nothing left by a destroy or a build killed midway.

bats_require_minimum_version 1.5.0

load helpers
load runtime

setup() {
	setup_runtime
	FACTORY=$BATS_TEST_TMPDIR/factory
	factory_config
}

teardown() {
	teardown_runtime
	kr factory destroy >/dev/null 2>&1 || true
}

# factory_config [SED...]: the build's configuration with the factory on,
# its templates in $FACTORY, and the sed expressions given.
factory_config() {
	export KR_CONFIG=$BATS_TEST_TMPDIR/configuration.toml
	sed -e "s|^\[factory\]|[factory]\nenable_template = true\ntemplate_path = \"$FACTORY\"|" "$@" \
		"$DEV_CONFIG" >"$KR_CONFIG"
}

template_vms() {
	pgrep -fc -- "-name sandbox-kata-factory-template " || true
}

@test "factory: init builds the template; containers start from it with their own clock, random numbers and files; destroy leaves nothing" {
	require_guest
	run -0 kr factory init
	assert_regex "$output" "^vm factory initialized: template [0-9a-f]{16} \(1 vCPU, 2048 MiB\) built in [0-9.]+ s in $FACTORY/[0-9a-f]{16}$"
	run -0 kr factory init
	assert_regex "$output" "already there$"
	run -0 kr factory status
	assert_line "vm factory: on"
	assert_line --regexp "^template [0-9a-f]{16}: current, 1 vCPU, 2048 MiB, memory file [0-9.]+ MiB, state [0-9.]+ KiB$"
	assert_equal "$(template_vms)" 0
	make_bundle "$BATS_TEST_TMPDIR/b" sh -c 'date +%s; head -c 16 /dev/urandom | od -An -tx1 | tr -d " "; head -1 /etc/passwd'
	local i
	for i in 1 2; do
		run -0 --separate-stderr kr --log "$BATS_TEST_TMPDIR/log" run --bundle "$BATS_TEST_TMPDIR/b" "c$i"
		# the host's time, not the template's
		[ $(($(date +%s) - ${lines[0]})) -le 2 ]
		eval "rand$i=${lines[1]}"
		assert_line --index 2 "root:x:0:0:root:/root:/bin/sh"
	done
	# two VMs of one template: different random numbers
	[ "$rand1" != "$rand2" ]
	assert_equal "$(grep -c 'started from VM template' "$BATS_TEST_TMPDIR/log")" 2
	assert_clean c1 c2
	run -0 kr factory destroy
	assert_output "vm factory destroyed"
	[ ! -e "$FACTORY" ]
	run -0 kr factory status
	assert_line "templates: none (kata-runtime factory init makes one)"
}

@test "factory: the template loads the pods' modules before it is saved: a VM from it loads none again; its start is timed stage by stage" {
	require_guest
	make_bundle "$BATS_TEST_TMPDIR/b" sh -c 'cut -d" " -f1 /proc/modules'
	# booted cold with no NIC: the share's modules, none of the network's
	export KATA_RUNTIME_TIMING=1
	KR_CONFIG=$DEV_CONFIG run -0 --separate-stderr kr run --bundle "$BATS_TEST_TMPDIR/b" c1
	assert_line 9p
	refute_line virtio_net
	# cold: QEMU spawned, the guest booted, the share mounted by the create
	local cold=$stderr
	assert_regex "$cold" "^timing: (.* )?config\+report=[0-9.]+ .*qemu-spawn=[0-9.]+ boot-to-agent=[0-9.]+ guest-sandbox=[0-9.]+ .*container-create=[0-9.]+ shim=[0-9.]+ .*start=[0-9.]+$"
	[[ "$cold" != *restore=* ]]
	# from the template: the network's modules were loaded in the template
	run -0 --separate-stderr kr run --bundle "$BATS_TEST_TMPDIR/b" c2
	assert_line 9p
	assert_line virtio_net
	assert_regex "$stderr" " restore=[0-9.]+ .*guest-sandbox=[0-9.]+ template=[0-9.]+ "
	# what the stages add up to is no more than the command took
	local t0 t1 sum
	t0=$(date +%s%N)
	run -0 --separate-stderr kr run --bundle "$BATS_TEST_TMPDIR/b" c3
	t1=$(date +%s%N)
	sum=$(tr ' ' '\n' <<<"${stderr#timing: }" | awk -F= '{ s += $2 } END { printf "%d", s }')
	[ "$sum" -gt 0 ]
	[ "$sum" -le $(((t1 - t0) / 1000000)) ]
	unset KATA_RUNTIME_TIMING
	assert_clean c1 c2 c3
}

@test "factory: a changed setting or kernel makes another template, built by the create that needs it; the old one is marked stale" {
	require_guest
	kr factory init >/dev/null
	factory_config -e 's/^default_memory = .*/default_memory = 1024/'
	make_bundle "$BATS_TEST_TMPDIR/b" sh -c 'grep MemTotal /proc/meminfo'
	run -0 --separate-stderr kr --log "$BATS_TEST_TMPDIR/log" run --bundle "$BATS_TEST_TMPDIR/b" c1
	grep -q 'building the VM template' "$BATS_TEST_TMPDIR/log"
	grep -q 'started from VM template' "$BATS_TEST_TMPDIR/log"
	run -0 kr factory status
	assert_line --regexp "^template [0-9a-f]{16}: current, 1 vCPU, 1024 MiB,"
	assert_line --regexp "^template [0-9a-f]{16}: stale, 1 vCPU, 2048 MiB,"
	# a kernel (or initrd, with its agent) rebuilt: another key too
	local key
	key=$(kr factory status --json | jq -r .key)
	cp "$GUEST/vmlinux.container" "$BATS_TEST_TMPDIR/vmlinux"
	factory_config -e 's/^default_memory = .*/default_memory = 1024/' -e "s|^kernel = .*|kernel = \"$BATS_TEST_TMPDIR/vmlinux\"|"
	[ "$(kr factory status --json | jq -r .key)" != "$key" ]
	assert_clean c1
}

@test "factory: a VM from the template gets the pod's NICs hot-plugged and its limits' vCPUs and memory" {
	require_guest
	make_netns
	make_bundle "$BATS_TEST_TMPDIR/n" sh -c 'ip -o -4 addr show eth0 | grep -o "10.123.45.2/24"; nproc; grep MemTotal /proc/meminfo'
	bundle_set "$BATS_TEST_TMPDIR/n" ".linux.namespaces = [{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"ipc\"},{\"type\":\"network\",\"path\":\"/run/netns/$NETNS\"}]"
	bundle_set "$BATS_TEST_TMPDIR/n" '.linux.resources = {"cpu": {"quota": 100000, "period": 100000}, "memory": {"limit": 536870912}}'
	run -0 --separate-stderr kr --log "$BATS_TEST_TMPDIR/log" run --bundle "$BATS_TEST_TMPDIR/n" n1
	grep -q 'started from VM template' "$BATS_TEST_TMPDIR/log"
	assert_line --index 0 "10.123.45.2/24"
	# the template's 1 vCPU and 2048 MiB, and what the limits add
	assert_line --index 1 2
	local kib
	kib=$(echo "${lines[2]}" | awk '{ print $2 }')
	[ "$kib" -gt $((2048 * 1024)) ]
	assert_clean n1
}

@test "factory: configurations a template cannot serve are refused by init and boot cold, saying why" {
	factory_config -e 's/^shared_fs = .*/shared_fs = "virtio-fs"/'
	run -1 --separate-stderr kr factory init
	assert_equal "$stderr" "kata-runtime: vm factory: not for this configuration: shared_fs is virtio-fs: QEMU cannot save a vhost-user device's state"
	run -0 kr factory status
	assert_line "vm factory: on, but not used: shared_fs is virtio-fs: QEMU cannot save a vhost-user device's state"
	sed -i 's/^enable_template = true$/enable_template = false/' "$KR_CONFIG"
	run -1 --separate-stderr kr factory init
	assert_regex "$stderr" "vm factory is not enabled: set enable_template = true or vm_cache_number \(a number, or \"auto\"\) under \[factory\] in .*configuration.toml"
	run -1 --separate-stderr kr factory
	assert_equal "$stderr" "kata-runtime: factory: missing subcommand: use init, status or destroy"
	run -1 --separate-stderr kr factory make
	assert_equal "$stderr" "kata-runtime: factory: unknown subcommand 'make': use init, status or destroy"
	[ ! -e "$FACTORY" ]
}

@test "factory: a build killed at any point leaves what factory destroy (or the next build) removes" {
	require_guest
	local point
	for point in create:vm-dir create:qemu create:booted; do
		KATA_RUNTIME_CRASH=$point run kr factory init
		assert_equal "$status" 137
		run -0 kr factory destroy
		assert_equal "$(template_vms)" 0
		[ ! -e "$FACTORY" ]
	done
	# the next build clears what a killed one left
	KATA_RUNTIME_CRASH=create:booted run kr factory init
	assert_equal "$status" 137
	run -0 kr factory init
	assert_output --partial "built in"
	assert_equal "$(template_vms)" 0
	run -0 kr factory destroy
	[ ! -e "$FACTORY" ]
	assert_no_sanitizer_reports
	assert_vm_gone "$FACTORY" kata-factory-template
}
