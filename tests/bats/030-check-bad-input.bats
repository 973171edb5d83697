#!/usr/bin/env bats
# Bad input under the host root: every case gives a clear WARN or FAIL item
# and a verdict (exit 0 or 1), never a crash, a hang or exit 2.

load helpers

# Run kata-check on a broken host; status must be a verdict (0 or 1).
verdict_on() {
	run timeout 30 "$KATA_CHECK" "$@"
	if [ "$status" -ne 0 ] && [ "$status" -ne 1 ] && [ "$status" -ne 3 ]; then
		echo "expected a verdict (exit 0, 1 or 3), got $status" >&2
		echo "$output" >&2
		return 1
	fi
}

@test "a missing /proc/cpuinfo is a warning; CPUID still judges the CPU" {
	host=$(fixture_copy intel-ready)
	rm "$host/proc/cpuinfo"
	verdict_on --host-root "$host"
	assert_line "Checking /proc/cpuinfo: WARN"
	assert_output --partial "cannot be read"
	assert_line "Checking hardware virtualization (Intel VT-x, vmx): PASS"
}

@test "binary garbage in /proc/cpuinfo is a warning" {
	host=$(fixture_copy intel-ready)
	head -c 4096 /dev/urandom | tr -d ':' >"$host/proc/cpuinfo"
	verdict_on --host-root "$host"
	assert_line "Checking /proc/cpuinfo: WARN"
	assert_output --partial "lists no processor"
}

@test "a FIFO, a directory or a symlink loop in place of a file does not hang or crash" {
	host=$(fixture_copy intel-ready)
	rm "$host/proc/cpuinfo" "$host/proc/meminfo" "$host/proc/sys/kernel/osrelease"
	mkfifo "$host/proc/cpuinfo"
	mkdir "$host/proc/meminfo"
	ln -s osrelease "$host/proc/sys/kernel/osrelease"
	verdict_on --host-root "$host"
	assert_line "Checking /proc/cpuinfo: WARN"
	assert_line "Checking memory: WARN"
	assert_output --partial "/proc/meminfo could not be read"
	assert_line "Checking kernel: WARN"
	assert_output --partial "release unknown"
}

@test "an oversized file is refused, not read to the end" {
	host=$(fixture_copy intel-ready)
	head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' 'x' >"$host/proc/cpuinfo"
	verdict_on --host-root "$host"
	run check_json "$host" '.facts.cpu.cpuinfo_error'
	assert_output "EFBIG"
}

@test "a malformed CPUID recording names its line; /proc/cpuinfo takes over" {
	host=$(fixture_copy intel-ready)
	printf 'CPU:\n   0x00000000 0x00: eax=0x1b ebx=0x756e6547\n' >"$host/.kata-check/cpuid"
	verdict_on --host-root "$host"
	assert_line "Checking CPUID: WARN"
	assert_output --partial "unavailable: /.kata-check/cpuid line 2"
	assert_line "Checking hardware virtualization (Intel VT-x, vmx): PASS"
}

@test "no CPU information at all fails the CPU checks with a reason" {
	host=$(fixture_copy intel-ready)
	rm "$host/proc/cpuinfo"
	echo garbage >"$host/.kata-check/cpuid"
	verdict_on --host-root "$host"
	assert_line "Checking CPU vendor: WARN"
	assert_output --partial "neither CPUID nor /proc/cpuinfo could be read"
}

@test "garbage in a module parameter is a warning naming the value" {
	host=$(fixture_copy intel-ready)
	printf 'maybe\n' >"$host/sys/module/kvm_intel/parameters/unrestricted_guest"
	verdict_on --host-root "$host"
	assert_line "Checking VMX unrestricted guest (kvm_intel): WARN"
	assert_output --partial "unrecognised value 'maybe' (expected Y or N)"
}

@test "an unreadable module parameter is skipped with the reason" {
	host=$(fixture_copy intel-ready)
	rm "$host/sys/module/kvm_intel/parameters/unrestricted_guest"
	mkdir "$host/sys/module/kvm_intel/parameters/unrestricted_guest"
	verdict_on --host-root "$host"
	assert_line "Checking VMX unrestricted guest (kvm_intel): SKIP"
	assert_output --partial "Is a directory"
}

@test "a malformed KVM recording is a failure naming the line" {
	host=$(fixture_copy intel-ready)
	printf 'open=ok\napi_version=twelve\n' >"$host/.kata-check/kvm"
	verdict_on --host-root "$host"
	assert_line "Checking access to /dev/kvm: FAIL"
	assert_output --partial "/.kata-check/kvm line 2"
}

@test "a malformed device table is a failure naming the line" {
	host=$(fixture_copy intel-ready)
	printf '/dev/kvm c 10:232 0660 root kvm rw\n/dev/vhost-net q 10:238\n' >"$host/.kata-check/devices"
	verdict_on --host-root "$host"
	assert_line "Checking /dev/kvm: FAIL"
	assert_output --partial "/.kata-check/devices line 2"
}

@test "a malformed PCI entry does not stop the report" {
	host=$(fixture_copy iommu-vfio)
	mkdir "$host/sys/bus/pci/devices/not-a-pci-address"
	verdict_on --host-root "$host"
	assert_line "Checking PCI devices: WARN"
	assert_output --partial "libpci:"
}

@test "a PCI device missing its sysfs attributes does not stop the report" {
	host=$(fixture_copy iommu-vfio)
	rm "$host/sys/bus/pci/devices/0000:03:00.0/vendor"
	verdict_on --host-root "$host"
	assert_line "Checking PCI devices: WARN"
}

@test "a missing module database is a warning with the depmod remedy" {
	host=$(fixture_copy amd-unloaded)
	rm "$host"/lib/modules/*/modules.dep.bin
	verdict_on --host-root "$host"
	assert_line "Checking module database: WARN"
	assert_output --partial "depmod -a 5.15.0-91-generic"
}

@test "an empty directory as host root gives a full report, not a crash" {
	mkdir "$BATS_TEST_TMPDIR/empty"
	verdict_on --host-root "$BATS_TEST_TMPDIR/empty"
	assert_equal "${lines[-1]}" "System is not capable of running Kata Containers"
	assert_line "Checking /dev/kvm: FAIL"
	assert_line "Checking kernel: WARN"
	verdict_on --json --host-root "$BATS_TEST_TMPDIR/empty"
	echo "$output" | jq -e '.capable == false'
}

@test "a regular file planted at dev/kvm is never opened as KVM" {
	host=$(fixture_copy intel-ready)
	rm -r "$host/.kata-check"
	mkdir -p "$host/dev"
	echo "not a device" >"$host/dev/kvm"
	verdict_on --host-root "$host"
	assert_line "Checking /dev/kvm: FAIL"
	assert_output --partial "exists but is not a character device"
}

@test "an absolute symlink in the host tree resolves inside it" {
	host=$(fixture_copy intel-ready)
	mkdir -p "$host/usr/lib"
	mv "$host/etc/os-release" "$host/usr/lib/os-release"
	ln -s /usr/lib/os-release "$host/etc/os-release"
	verdict_on --verbose --host-root "$host"
	assert_output --partial "(Debian GNU/Linux 12 (bookworm))"
}

@test "kernel log and MSR recordings: a FIFO is not read, a bad line is named, a symlink stays in the root" {
	host=$(fixture_copy intel-vt-disabled)
	rm "$host/.kata-check/kmsg"
	mkfifo "$host/.kata-check/kmsg"
	printf '0x3a=0x1\nbogus\n' >"$host/.kata-check/msr"
	run timeout 20 "$KATA_CHECK" --json --host-root "$host"
	[ "$status" -eq 1 ]
	jq -e '.facts.firmware.kernel_log.error == "/.kata-check/kmsg: not a regular file"' <<<"$output"
	jq -e '.facts.firmware.msr | .error == "/.kata-check/msr line 2: expected 0xADDRESS=0xVALUE" and .ia32_feature_control == null' <<<"$output"
	# without its evidence the firmware lock is still told by the hidden flag
	jq -e '.checks[] | select(.id == "cpu.virt") | .level == "FAIL" and (.summary | test("disabled in the firmware"))' <<<"$output"
	rm "$host/.kata-check/kmsg" "$host/.kata-check/msr"
	ln -s /etc/shadow "$host/.kata-check/kmsg"
	run timeout 20 "$KATA_CHECK" --json --host-root "$host"
	jq -e '.facts.firmware.kernel_log | .source == "none" and .virt_disabled == null' <<<"$output"
}
