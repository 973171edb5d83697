#!/usr/bin/env bats
# Device passthrough: a spec's /dev/vfio/N gives the container IOMMU group
# N's devices. This machine has no IOMMU, so the host's PCI devices are a
# fixture's (KATA_RUNTIME_TEST_PCI_ROOT: iommu-vfio, group 12 a NIC bound
# to vfio-pci, group 20 a GPU whose audio function is on snd_hda_intel,
# group 30 a two-port NIC on ixgbe) and QEMU is a stand-in
# (tests/vfio/qemu-standin) that records the command line and QMP and runs
# the real QEMU with an emulated device where each vfio-pci one would be:
# the guest finds it by PCI path as it would a passed device.

bats_require_minimum_version 1.5.0

load helpers
load runtime

setup() {
	setup_runtime
	SID=vf$$
	LOG=$BATS_TEST_TMPDIR/qemu-log
	mkdir -p "$LOG"
	export KATA_RUNTIME_TEST_PCI_ROOT=$FIXTURES/iommu-vfio
	use_standin serial
}

teardown() {
	teardown_runtime
}

# use_standin KIND [CONFIG-LINES]: QEMU is the stand-in, the passed NIC
# (0000:03:00.0) standing in as KIND (serial: a node, net: an interface);
# the configuration has two hot-plug root ports and takes CONFIG-LINES
# under [hypervisor.qemu].
use_standin() {
	local kind=$1 extra=${2:-}
	cat >"$BATS_TEST_TMPDIR/qemu" <<-SH
		#!/bin/sh
		exec /usr/bin/python3 $BATS_TEST_DIRNAME/../vfio/qemu-standin --log $LOG --real $(command -v qemu-system-x86_64) --swap 0000:03:00.0=$kind -- "\$@"
	SH
	chmod +x "$BATS_TEST_TMPDIR/qemu"
	export KR_CONFIG=$BATS_TEST_TMPDIR/configuration.toml
	awk -v q="$BATS_TEST_TMPDIR/qemu" -v extra="$extra" '
		/^path = "\/usr\/bin\/qemu-system/ { print "path = \"" q "\""; next }
		/^valid_hypervisor_paths/ { print "valid_hypervisor_paths = [\"" q "\"]"; next }
		/^default_bridges/ { print; print "pcie_root_port = 2"; if (extra != "") print extra; next }
		{ print }' "$DEV_CONFIG" >"$KR_CONFIG"
}

# vfio_bundle DIR ROLE GROUP ARGS...: ROLE sandbox, container (of $SID) or
# alone; the spec asks for /dev/vfio/GROUP (mode 0660, as a device plugin
# gives it).
vfio_bundle() {
	local dir=$1 role=$2 group=$3
	shift 3
	make_bundle "$dir" "$@"
	bundle_set "$dir" ".linux.devices = [{\"path\": \"/dev/vfio/$group\", \"type\": \"c\", \"major\": 243, \"minor\": 0, \"fileMode\": 432, \"uid\": 0, \"gid\": 0}]"
	[ "$role" = alone ] || bundle_set "$dir" ".annotations = {\"io.kubernetes.cri.container-type\": \"$role\", \"io.kubernetes.cri.sandbox-id\": \"$SID\"}"
	[ "$group" != none ] || bundle_set "$dir" '.linux.devices = []'
}

# The real QEMUs of a sandbox (the stand-in's own process names it too).
vms_of() {
	pgrep -fc -- "^$(command -v qemu-system-x86_64) .*-name sandbox-$1 " || true
}

qmp_commands() {
	jq -c 'select(.execute != "qmp_capabilities" and .execute != "qom-list")' "$LOG/qmp.jsonl" 2>/dev/null
}

# ---- decisions, before anything boots ------------------------------------

@test "vfio: a group with a member on a host driver is refused, naming it and the kata-setup command" {
	vfio_bundle "$BATS_TEST_TMPDIR/b" alone 20 true
	run -1 --separate-stderr kr run --bundle "$BATS_TEST_TMPDIR/b" "$SID"
	assert_equal "$stderr" "kata-runtime: $BATS_TEST_TMPDIR/b/config.json: linux.devices[0] (/dev/vfio/20): IOMMU group 20 cannot be passed to the VM: 0000:65:00.1 (10de:10f8) is bound to snd_hda_intel; QEMU can pass only devices bound to vfio-pci, and the kernel gives a group to a VM only when no member is in the host's use: run \`kata-setup --vfio-bind 0000:65:00.1\`"
	vfio_bundle "$BATS_TEST_TMPDIR/c" alone 30 true
	run -1 --separate-stderr kr run --bundle "$BATS_TEST_TMPDIR/c" "$SID"
	assert_regex "$stderr" "0000:b3:00.0 \(8086:10fb\) is bound to ixgbe, 0000:b3:00.1 \(8086:10fb\) is bound to ixgbe.*kata-setup --vfio-bind 0000:b3:00.0 --vfio-bind 0000:b3:00.1"
	# nothing booted, nothing left
	[ ! -e "$LOG/argv.jsonl" ]
	assert_clean "$SID"
}

@test "vfio: no IOMMU, no such group, a path that is no group, microvm, rootless: each refused by name" {
	vfio_bundle "$BATS_TEST_TMPDIR/b" alone 12 true
	# a host whose firmware has no IOMMU
	KATA_RUNTIME_TEST_PCI_ROOT=$FIXTURES/intel-ready run -1 --separate-stderr kr run --bundle "$BATS_TEST_TMPDIR/b" "$SID"
	assert_regex "$stderr" "linux.devices\[0\] \(/dev/vfio/12\): IOMMU group 12 cannot be passed: this host's IOMMU is not enabled \(report item iommu.enabled: the firmware reports no IOMMU"
	vfio_bundle "$BATS_TEST_TMPDIR/c" alone 99 true
	run -1 --separate-stderr kr run --bundle "$BATS_TEST_TMPDIR/c" "$SID"
	assert_regex "$stderr" "IOMMU group 99 does not exist on this host"
	bundle_set "$BATS_TEST_TMPDIR/c" '.linux.devices[0].path = "/dev/vfio/devices/vfio0"'
	run -1 --separate-stderr kr run --bundle "$BATS_TEST_TMPDIR/c" "$SID"
	assert_regex "$stderr" "\(/dev/vfio/devices/vfio0\): not an IOMMU group: a device for passthrough is named /dev/vfio/N"
	sed -i -e 's/^rootless = false$/rootless = true/' -e 's/^shared_fs = .*/shared_fs = "virtio-fs"/' "$KR_CONFIG"
	run -1 --separate-stderr kr run --bundle "$BATS_TEST_TMPDIR/b" "$SID"
	assert_regex "$stderr" "rootless = true: an unprivileged QEMU cannot open the group's /dev/vfio node"
	use_standin serial
	sed -i 's/^machine_type = .*/machine_type = "microvm"/' "$KR_CONFIG"
	run -1 --separate-stderr kr run --bundle "$BATS_TEST_TMPDIR/b" "$SID"
	assert_regex "$stderr" "machine_type microvm has no PCI bus"
	[ ! -e "$LOG/argv.jsonl" ]
	assert_clean "$SID"
}

# ---- in a VM ---------------------------------------------------------------

@test "vfio: cold-plug - the sandbox's devices behind a root port each; the container gets the device's node with the group node's mode" {
	require_guest
	vfio_bundle "$BATS_TEST_TMPDIR/b" alone 12 sh -c 'ls -l /dev | grep vport'
	run -0 --separate-stderr kr --log "$BATS_TEST_TMPDIR/log" run --bundle "$BATS_TEST_TMPDIR/b" "$SID"
	# crw-rw---- (0660 from the spec), the guest's numbers
	assert_regex "$output" "^crw-rw---- +1 root +root +[0-9]+, +[0-9]+ .* vport[0-9]+p1$"
	run -0 jq -r 'join(" ")' "$LOG/argv.jsonl"
	assert_output --partial "-device pcie-root-port,bus=pcie.0,id=kata-vfio-port-0,chassis=64,slot=0 -device vfio-pci,host=0000:03:00.0,id=vfio-12-0,bus=kata-vfio-port-0"
	# the hot-plug ports keep room for the host's largest passable device
	# (the T4's 288 MiB of 64-bit BARs, its 16 MiB below 4 GiB)
	assert_output --partial "id=kata-port-0,chassis=32,slot=0,mem-reserve=16777216,pref64-reserve=536870912"
	# where the guest finds it: asked of QEMU, said in the log
	assert_equal "$(qmp_commands)" '{"execute":"query-pci"}'
	run -0 grep -o 'passing 0000:03:00.0 (IOMMU group 12) as vfio-12-0 on kata-vfio-port-0, PCI path [0-9a-f/]*' "$BATS_TEST_TMPDIR/log"
	assert_clean "$SID"
}

@test "vfio: a passed NIC gets its driver by modalias and is an interface of the container's network" {
	require_guest
	use_standin net
	vfio_bundle "$BATS_TEST_TMPDIR/b" alone 12 sh -c 'ls /sys/class/net'
	run -0 --separate-stderr kr --log "$BATS_TEST_TMPDIR/log" run --bundle "$BATS_TEST_TMPDIR/b" "$SID"
	assert_line eth0
	# virtio_net was not loaded: the agent loaded it for the device
	run -0 grep -o 'in the guest: .*' "$BATS_TEST_TMPDIR/log"
	assert_output --partial '\"modules\":[\"virtio:d00000001v00001AF4\"]'
	assert_output --partial '\"interfaces\":[\"eth0\"]'
	assert_clean "$SID"
}

@test "vfio: hot-plug into a pod member, unplugged when it leaves; the group is free for the next member" {
	require_guest
	vfio_bundle "$BATS_TEST_TMPDIR/sb" sandbox none sleep 1000
	vfio_bundle "$BATS_TEST_TMPDIR/m" container 12 sh -c 'ls /dev | grep vport'
	kr run --detach --bundle "$BATS_TEST_TMPDIR/sb" "$SID" </dev/null >/dev/null 2>&1
	run -0 --separate-stderr kr --log "$BATS_TEST_TMPDIR/log" run --bundle "$BATS_TEST_TMPDIR/m" "$SID-m"
	assert_regex "$output" "^vport[0-9]+p1$"
	# hotplug_vfio_on_root_bus = false (the default): on the PCI bridge
	assert_equal "$(qmp_commands | head -1)" '{"execute":"device_add","arguments":{"driver":"vfio-pci","host":"0000:03:00.0","id":"vfio-12-0","bus":"kata-bridge-0"}}'
	# run deleted the member: the device left the VM, which stays
	run -0 qmp_commands
	assert_line '{"execute":"device_del","arguments":{"id":"vfio-12-0"}}'
	assert_equal "$(vms_of "$SID")" 1
	# the next member gets it again
	run -0 --separate-stderr kr run --bundle "$BATS_TEST_TMPDIR/m" "$SID-n"
	assert_regex "$output" "^vport[0-9]+p1$"
	kr delete --force "$SID"
	assert_clean "$SID" "$SID-m" "$SID-n"
}

@test "vfio: hotplug_vfio_on_root_bus puts hot-plugged devices on the PCIe root ports" {
	require_guest
	use_standin serial 'hotplug_vfio_on_root_bus = true'
	vfio_bundle "$BATS_TEST_TMPDIR/sb" sandbox none sleep 1000
	vfio_bundle "$BATS_TEST_TMPDIR/m" container 12 sh -c 'ls /dev | grep vport'
	kr run --detach --bundle "$BATS_TEST_TMPDIR/sb" "$SID" </dev/null >/dev/null 2>&1
	run -0 --separate-stderr kr run --bundle "$BATS_TEST_TMPDIR/m" "$SID-m"
	assert_regex "$output" "^vport[0-9]+p1$"
	assert_equal "$(qmp_commands | head -1)" '{"execute":"device_add","arguments":{"driver":"vfio-pci","host":"0000:03:00.0","id":"vfio-12-0","bus":"kata-port-0","addr":"0"}}'
	kr delete --force "$SID"
	assert_clean "$SID" "$SID-m"
}

@test "vfio: a member's create or delete killed at any passthrough point leaves what delete --force unplugs" {
	require_guest
	vfio_bundle "$BATS_TEST_TMPDIR/sb" sandbox none sleep 1000
	vfio_bundle "$BATS_TEST_TMPDIR/m" container 12 sleep 1000
	vfio_bundle "$BATS_TEST_TMPDIR/n" container 12 true
	kr run --detach --bundle "$BATS_TEST_TMPDIR/sb" "$SID" </dev/null >/dev/null 2>&1
	local point
	for point in create:vfio-recorded create:vfio-plugged create:vfio-located; do
		KATA_RUNTIME_CRASH=$point run kr create --bundle "$BATS_TEST_TMPDIR/m" "$SID-m"
		assert_equal "$status" 137
		run -0 kr delete --force "$SID-m"
		# the group is the pod's to give again: a device left in the VM
		# would make the next device_add of vfio-12-0 fail
		run -0 kr run --bundle "$BATS_TEST_TMPDIR/n" "$SID-n"
	done
	run -0 qmp_commands
	# killed before the plug: nothing added, and delete's unplug of what
	# was recorded finds nothing (QEMU: no such device); after it: added
	# and taken out
	assert_equal "$(qmp_commands | grep -c '"device_add"')" 5
	assert_equal "$(qmp_commands | grep -c '"device_del"')" 6
	# a delete killed once the device is out: a second delete finishes
	kr create --bundle "$BATS_TEST_TMPDIR/m" "$SID-m" >/dev/null
	KATA_RUNTIME_CRASH=delete:vfio-unplugged run kr delete --force "$SID-m"
	assert_equal "$status" 137
	run -0 kr delete --force "$SID-m"
	run -0 kr run --bundle "$BATS_TEST_TMPDIR/n" "$SID-n"
	assert_equal "$(vms_of "$SID")" 1
	kr delete --force "$SID"
	assert_clean "$SID" "$SID-m" "$SID-n"
}

@test "vfio: a GPU's group passes every function, and a 64 GiB frame buffer gets the windows it needs" {
	require_guest
	# the T4's audio function bound to vfio-pci too (kata-setup --vfio-bind
	# 0000:65:00.1), and a frame buffer as large as an A100's
	local host
	host=$(fixture_copy iommu-vfio)
	ln -sfn ../../drivers/vfio-pci "$host/sys/bus/pci/devices/0000:65:00.1/driver"
	sed -i '2s/.*/0x0000010000000000 0x0000010fffffffff 0x000000000014220c/' "$host/sys/bus/pci/devices/0000:65:00.0/resource"
	export KATA_RUNTIME_TEST_PCI_ROOT=$host
	cat >"$BATS_TEST_TMPDIR/qemu" <<-SH
		#!/bin/sh
		exec /usr/bin/python3 $BATS_TEST_DIRNAME/../vfio/qemu-standin --log $LOG --real $(command -v qemu-system-x86_64) --swap 0000:65:00.0=serial --swap 0000:65:00.1=net -- "\$@"
	SH
	vfio_bundle "$BATS_TEST_TMPDIR/b" alone 20 sh -c 'ls /dev | grep vport; ls /sys/class/net | grep eth'
	run -0 --separate-stderr kr run --bundle "$BATS_TEST_TMPDIR/b" "$SID"
	assert_line --regexp "^vport[0-9]+p1$"
	assert_line eth0
	run -0 jq -r 'join(" ")' "$LOG/argv.jsonl"
	assert_output --partial "-device vfio-pci,host=0000:65:00.0,id=vfio-20-0,bus=kata-vfio-port-0"
	assert_output --partial "-device vfio-pci,host=0000:65:00.1,id=vfio-20-1,bus=kata-vfio-port-1"
	# 64 GiB + 32 MiB of 64-bit BARs: a 128 GiB window for the device, and
	# as much on each of the two hot-plug ports - past q35's 32 GiB default
	assert_output --partial "pref64-reserve=137438953472"
	assert_output --partial "-global q35-pcihost.pci-hole64-size=512G"
	assert_clean "$SID"
}

@test "vfio: hot-plugged groups share a bridge's slots; root ports run out with a clear error and nothing half-plugged" {
	require_guest
	local host
	host=$(fixture_copy iommu-vfio)
	ln -sfn ../../drivers/vfio-pci "$host/sys/bus/pci/devices/0000:65:00.1/driver"
	export KATA_RUNTIME_TEST_PCI_ROOT=$host
	vfio_bundle "$BATS_TEST_TMPDIR/sb" sandbox none sleep 1000
	vfio_bundle "$BATS_TEST_TMPDIR/a" container 12 sleep 1000
	vfio_bundle "$BATS_TEST_TMPDIR/g" container 20 sh -c 'ls /dev | grep -c vport; ls /sys/class/net | grep -c eth'
	# the bridge: three devices, one bus
	kr run --detach --bundle "$BATS_TEST_TMPDIR/sb" "$SID" </dev/null >/dev/null 2>&1
	kr create --bundle "$BATS_TEST_TMPDIR/a" "$SID-a" >/dev/null
	run -0 --separate-stderr kr run --bundle "$BATS_TEST_TMPDIR/g" "$SID-g"
	assert_equal "$(qmp_commands | grep '"device_add"' | grep -c '"bus":"kata-bridge-0"')" 3
	kr delete --force "$SID"
	kr delete --force "$SID-a"
	assert_clean "$SID" "$SID-a" "$SID-g"
	# two root ports: group 12 takes one, group 20 needs two
	: >"$LOG/qmp.jsonl"
	use_standin serial 'hotplug_vfio_on_root_bus = true'
	kr run --detach --bundle "$BATS_TEST_TMPDIR/sb" "$SID" </dev/null >/dev/null 2>&1
	kr create --bundle "$BATS_TEST_TMPDIR/a" "$SID-a" >/dev/null
	run -1 --separate-stderr kr run --bundle "$BATS_TEST_TMPDIR/g" "$SID-g"
	assert_regex "$stderr" "hot-plug 0000:65:00.1 \(IOMMU group 20\): no free hot-plug slot for it: the VM's 2 hot-plug bus\(es\) are taken"
	# its first function went in and came out again
	run -0 qmp_commands
	assert_line '{"execute":"device_add","arguments":{"driver":"vfio-pci","host":"0000:65:00.0","id":"vfio-20-0","bus":"kata-port-1","addr":"0"}}'
	assert_line '{"execute":"device_del","arguments":{"id":"vfio-20-0"}}'
	# the member that holds a port keeps it
	refute_line '{"execute":"device_del","arguments":{"id":"vfio-12-0"}}'
	kr delete --force "$SID"
	kr delete --force "$SID-a"
	assert_clean "$SID" "$SID-a" "$SID-g"
}
