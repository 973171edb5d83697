#!/usr/bin/env bats
# kata-check against the fake hosts in tests/fixtures/hosts: each gives
# its verdict, its reasons and remedies, and the same report everywhere.

bats_require_minimum_version 1.5.0
load helpers

@test "intel-ready: an Intel bare-metal node is capable, even with --strict" {
	run_check 0 --host-root "$FIXTURES/intel-ready"
	assert_line "Checking hardware virtualization (Intel VT-x, vmx): PASS"
	assert_line "Checking a test guest runs under KVM: PASS"
	assert_line "Checking KVM can boot the default guest: PASS"
	assert_line "Checking Intel KVM (kvm_intel): PASS"
	refute_output --partial ": FAIL"
	refute_output --partial ": WARN"
	assert_equal "${lines[-1]}" "System is capable of running Kata Containers"
	run_check 0 --strict --host-root "$FIXTURES/intel-ready"
}

@test "amd-unloaded: modules available but not loaded are failures kata-setup can fix" {
	run_check 1 --host-root "$FIXTURES/amd-unloaded"
	assert_line "Checking AMD KVM (kvm_amd): FAIL"
	assert_line "Checking /dev/kvm: FAIL"
	assert_output --partial "remedy: load kvm_amd (it brings kvm): run \`kata-setup\`, or \`modprobe kvm_amd\`"
	assert_output --partial "available but not loaded, and blacklisted"
	assert_equal "${lines[-1]}" "System is not capable of running Kata Containers"
	run check_json "$FIXTURES/amd-unloaded" '[.checks[] | select(.fix != null) | "\(.id)=\(.fix.action):\(.fix.target)"] | join(" ")'
	assert_output --partial "kvm.device=load-module:kvm_amd"
	assert_output --partial "modules.kvm_amd=load-module:kvm_amd"
	assert_output --partial "modules.vhost_net=load-module:vhost_net"
	assert_output --partial "devices.vhost-net=load-module:vhost_net"
}

@test "amd-unloaded: libkmod reads the host's module database, not this machine's" {
	run check_json "$FIXTURES/amd-unloaded" '.facts.modules.modules.kvm_amd | "\(.state) \(.path)"'
	assert_output "available kernel/arch/x86/kvm/kvm-amd.ko"
	run check_json "$FIXTURES/amd-unloaded" '.facts.modules.modules.tun | "\(.state) \(.evidence)"'
	assert_output "built-in modules.builtin"
	run check_json "$FIXTURES/amd-unloaded" '.facts.modules.modules.vhost_vsock.blacklisted'
	assert_output "true"
}

@test "hygon-ready: Hygon is judged by the AMD rules and is capable" {
	# capable; with no configuration installed, kata-runtime is not ready yet (3)
	run_check 3 --verbose --host-root "$FIXTURES/hygon-ready"
	assert_line "Checking CPU vendor: PASS"
	assert_output --partial "Hygon (Hygon C86 7285 32-core Processor)"
	assert_line "Checking hardware virtualization (AMD-V, svm): PASS"
	assert_line "Checking AMD KVM (kvm_amd): PASS"
}

@test "intel-vm-nonested: a VM without nested virtualization says so, and offers no impossible fix" {
	run_check 1 --host-root "$FIXTURES/intel-vm-nonested"
	assert_line "Checking hardware virtualization (Intel VT-x, vmx): FAIL"
	assert_output --partial "vmx is not exposed to this VM by its hypervisor (KVM): nested virtualization is off"
	assert_output --partial "enable nested virtualization"
	assert_output --partial "available but cannot load: the CPU does not offer vmx"
	run check_json "$FIXTURES/intel-vm-nonested" '[.checks[] | select(.fix.target == "kvm_intel" or .fix.target == "kvm")] | length'
	assert_output "0"
	run check_json "$FIXTURES/intel-vm-nonested" '.facts.cpu | "\(.hypervisor) \(.hypervisor_name)"'
	assert_output "true KVM"
}

@test "pvm-host: KVM works through kvm_pvm, but the default guest cannot boot" {
	run_check 1 --host-root "$FIXTURES/pvm-host"
	assert_line "Checking a test guest runs under KVM: PASS"
	assert_line "Checking KVM can boot the default guest: FAIL"
	assert_output --partial "KVM is provided by kvm_pvm"
	assert_output --partial 'accel = "tcg"'
	assert_line "Checking hardware virtualization (AMD-V, svm): WARN"
	assert_output --partial "this kernel has no module support and was built without CONFIG_VHOST_NET"
}

@test "arm64-ready: an arm64 node is judged without CPUID and is capable" {
	run_check 3 --host-root "$FIXTURES/arm64-ready"
	assert_line "Checking a test guest runs under KVM: SKIP"
	refute_output --partial "CPUID"
	# its only warning: no configuration file is installed, so the runtime is not ready
	assert_line "Checking configuration file: WARN"
	assert_line --regexp "^[0-9]+ passed, 1 warnings, 0 failed, [0-9]+ skipped$"
	assert_line "System is capable of running Kata Containers, but kata-runtime is not ready: no configuration file (looked for along the chain; \`kata-setup\` installs one adapted to this host)"
	run -3 "$KATA_CHECK" --json --host-root "$FIXTURES/arm64-ready"
	jq -e '.capable and (.runtime_ready | not)' <<<"$output"
	run_check 1 --strict --host-root "$FIXTURES/arm64-ready"
	assert_output --partial "0 failed"
	run check_json "$FIXTURES/arm64-ready" '.facts.cpu | "\(.arch) \(.implementer) \(.part) \(.model_name)"'
	assert_output "aarch64 0x41 0xd0c Arm (part 0xd0c)"
}

@test "no-kvm-device: KVM built in but /dev/kvm missing gives the mknod remedy" {
	run_check 1 --host-root "$FIXTURES/no-kvm-device"
	assert_line "Checking /dev/kvm: FAIL"
	assert_output --partial "mknod -m 0660 /dev/kvm c 10 232"
	assert_line "Checking Intel KVM (kvm_intel): PASS"
}

@test "iommu-vfio: a viable group passes, a shared group names the member in the way" {
	run_check 3 --verbose --host-root "$FIXTURES/iommu-vfio"
	assert_line "Checking IOMMU for device passthrough: PASS"
	assert_output --partial "enabled: 22 IOMMU groups"
	assert_line "Checking passthrough of 0000:03:00.0 (8086:1521, vfio-pci): PASS"
	assert_line "Checking passthrough of 0000:65:00.0 (10de:1eb8, vfio-pci): WARN"
	assert_output --partial "IOMMU group 20 is not viable: 0000:65:00.1 is bound to snd_hda_intel"
	run_check 1 --strict --host-root "$FIXTURES/iommu-vfio"
	assert_output --partial "(--strict: warnings count as failures)"
}

@test "--quiet prints only problems and the verdict" {
	run_check 1 --quiet --host-root "$FIXTURES/no-kvm-device"
	refute_output --partial ": PASS"
	assert_line "Checking /dev/kvm: FAIL"
	run_check 0 --quiet --host-root "$FIXTURES/intel-ready"
	# the counts line is printed whatever the verdict
	assert_output "$(printf '41 passed, 0 warnings, 0 failed, 6 skipped\nSystem is capable of running Kata Containers')"
}

@test "--verbose prints the host and every finding" {
	run_check 0 --verbose --host-root "$FIXTURES/intel-ready"
	assert_line --index 0 --partial "Host: Intel Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz, x86_64, Linux 6.1.0-13-amd64"
	assert_output --partial "Host root: $FIXTURES/intel-ready"
	assert_output --partial "vendor id GenuineIntel, family 6, model 106, stepping 6"
	assert_output --partial "/sys/module/kvm_intel/initstate: live"
}

@test "--json is one document with a schema version, the verdict, the checks and the facts" {
	run_check 1 --json --host-root "$FIXTURES/pvm-host"
	echo "$output" | jq -e '.schema_version == 2 and .capable == false and .program == "kata-check"'
	echo "$output" | jq -e '.verdict == "System is not capable of running Kata Containers"'
	echo "$output" | jq -e '.counts.fail == ([.checks[] | select(.level == "FAIL")] | length)'
	echo "$output" | jq -e '[.checks[] | has("id","group","what","level","summary","detail","remedy","fix")] | all'
	echo "$output" | jq -e '.facts.kvm.source == "recorded" and .facts.kvm.smoke == "ok"'
	echo "$output" | jq -e '.facts.cpu.cpuid.source == "recorded" and .facts.cpu.flags.svm.cpuid == false'
	echo "$output" | jq -e '.facts.modules.module_support == false'
}

@test "every fixture gives the same report twice, byte for byte" {
	for host in "$FIXTURES"/*/; do
		a=$("$KATA_CHECK" --json --host-root "$host" || true)
		b=$("$KATA_CHECK" --json --host-root "$host" || true)
		[ "$a" = "$b" ] || { echo "report differs between runs for $host"; return 1; }
	done
}

@test "a fixture reads the same for root and for another user" {
	command -v setpriv >/dev/null || skip "setpriv not available"
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch users"
	# bats' own temporary directory is private to root
	scratch=$(mktemp -d /tmp/kc-fixture.XXXXXX)
	cp -a "$FIXTURES/intel-ready" "$scratch/"
	chmod -R a+rX "$scratch"
	a=$("$KATA_CHECK" --json --host-root "$scratch/intel-ready")
	b=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$KATA_CHECK" --json --host-root "$scratch/intel-ready")
	rm -rf "$scratch"
	[ "$a" = "$b" ]
}

@test "intel-vt-disabled: firmware with VT-x off gets the firmware remedy and no module fix" {
	run_check 1 --verbose --host-root "$FIXTURES/intel-vt-disabled"
	assert_line "Checking hardware virtualization (Intel VT-x, vmx): FAIL"
	assert_output --partial "Intel VT-x is disabled in the firmware"
	assert_output --partial 'the kernel log says "x86/cpu: VMX (outside TXT) disabled by BIOS"'
	assert_output --partial 'enable "Intel Virtualization Technology (VT-x)" in the BIOS/UEFI setup'
	assert_output --partial "available but cannot load: the firmware disables hardware virtualization"
	refute_output --partial "available but not loaded"
	refute_output --partial "modprobe kvm"
	run check_json "$FIXTURES/intel-vt-disabled" '[.checks[] | select(.fix.action == "load-module") | .fix.target] | map(select(startswith("kvm"))) | length'
	assert_output "0"
	run check_json "$FIXTURES/intel-vt-disabled" '.facts.firmware.kernel_log | "\(.source) \(.virt_disabled)"'
	assert_output "recorded x86/cpu: VMX (outside TXT) disabled by BIOS"
}

@test "amd-svm-disabled: the firmware's lock in VM_CR wins over an svm flag the kernel still shows" {
	grep -qw svm "$FIXTURES/amd-svm-disabled/proc/cpuinfo"
	run_check 1 --verbose --host-root "$FIXTURES/amd-svm-disabled"
	assert_line "Checking hardware virtualization (AMD-V, svm): FAIL"
	assert_output --partial "VM_CR (MSR 0xc0010114) is 0x18: SVMDIS is set"
	assert_output --partial 'enable "SVM Mode (AMD-V)" in the BIOS/UEFI setup'
	run check_json "$FIXTURES/amd-svm-disabled" '[.checks[] | select(.fix.target == "kvm_amd" or .fix.target == "kvm")] | length'
	assert_output "0"
	run check_json "$FIXTURES/amd-svm-disabled" '.facts.firmware.msr | "\(.source) \(.vm_cr)"'
	assert_output "recorded 0x18"
}

@test "power9-powernv: a POWER host with many CPUs is judged by the platform line after them" {
	run_check 3 --verbose --host-root "$FIXTURES/power9-powernv"
	assert_line "Checking POWER platform: PASS"
	assert_output --partial "PowerNV (bare metal): KVM-HV is possible"
	assert_line "Checking KVM-HV for POWER (kvm_hv): PASS"
	run check_json "$FIXTURES/power9-powernv" '.facts.cpu | "\(.arch) \(.processors)"'
	assert_output "ppc64le 8"
}

@test "a configuration for another architecture's QEMU is refused on this host, naming the right one" {
	host=$(fixture_copy power9-powernv)
	mkdir -p "$host/etc/kata-containers" "$host/usr/bin"
	cp "$FIXTURES/intel-ready/etc/kata-containers/configuration.toml" "$host/etc/kata-containers/"
	run_check 1 --verbose --host-root "$host"
	assert_line "Checking QEMU's architecture: FAIL"
	assert_output --partial "qemu-system-x86_64 emulates another architecture than this ppc64le host"
	assert_output --partial 'set path = "/usr/bin/qemu-system-ppc64" and machine_type = "pseries"'
	assert_output --partial "apt-get install qemu-system-ppc"
}

@test "vmware-guest: another hypervisor's vsock transport is named, with no load fix, and kata-env keeps virtio-serial for that reason" {
	run_check 0 --verbose --host-root "$FIXTURES/vmware-guest"
	assert_line "Checking host support for virtio-vsock (vhost_vsock): WARN"
	assert_output --partial "cannot load: a VMware guest's vsock transport vmw_vsock_vmci_transport owns vsock (Linux 4.15.0-213-generic, before 5.5)"
	assert_output --partial "\`modprobe -r vmw_vsock_vmci_transport\`"
	assert_output --partial "running inside a VM (VMware)"
	run check_json "$FIXTURES/vmware-guest" '[.checks[] | select(.fix.target == "vhost_vsock")] | length'
	assert_output "0"
	printf '[hypervisor.qemu]\nuse_vsock = true\n' >"$BATS_TEST_TMPDIR/vsock.toml"
	run --separate-stderr "$KC_BUILD/bin/kata-env" --json --host-root "$FIXTURES/vmware-guest" --kata-config "$BATS_TEST_TMPDIR/vsock.toml"
	jq -e '.Adaptation[] | select(.Key == "hypervisor.qemu.use_vsock") | .To == "false" and .ReportItem == "modules.vhost_vsock" and (.Reason | test("vmw_vsock_vmci_transport owns vsock"))' <<<"$output"
}

@test "small-host: 1 CPU and 488 MiB fits no VM; kata-env refuses instead of shrinking the VM to all the memory" {
	run_check 1 --verbose --host-root "$FIXTURES/small-host"
	assert_line "Checking memory: FAIL"
	assert_output --partial "488 MiB is too little for any VM"
	assert_output --partial "a guest needs at least 256 MiB, QEMU about 160 MiB beside it, and the host keeps 270 MiB for itself"
	assert_output --partial "give the node at least 712 MiB"
	printf '[hypervisor.qemu]\ndefault_memory = 2048\n' >"$BATS_TEST_TMPDIR/c.toml"
	run --separate-stderr "$KC_BUILD/bin/kata-env" --json --host-root "$FIXTURES/small-host" --kata-config "$BATS_TEST_TMPDIR/c.toml"
	[ "$status" -eq 1 ]
	jq -e '.Refusal.Reasons | map(test("no VM fits in this host.s 488 MiB of memory \\(report item resources.memory\\)")) | any' <<<"$output"
}

@test "a 2 GiB host: the VM is sized to leave QEMU and the host their memory; strict overcommit limits it further" {
	host=$(fixture_copy small-host)
	sed -i 's/^MemTotal: .*/MemTotal:        2030000 kB/; s/^MemAvailable: .*/MemAvailable:    1800000 kB/' "$host/proc/meminfo"
	run_check 3 --verbose --host-root "$host"
	assert_line "Checking memory: WARN"
	assert_output --partial "a 2048 MiB VM does not fit in 1982 MiB: kata-runtime sizes VMs at 1440 MiB"
	printf '[hypervisor.qemu]\ndefault_memory = 2048\n' >"$BATS_TEST_TMPDIR/c.toml"
	run --separate-stderr "$KC_BUILD/bin/kata-env" --json --host-root "$host" --kata-config "$BATS_TEST_TMPDIR/c.toml"
	jq -e '.Adaptation[] | select(.Key == "hypervisor.qemu.default_memory") | .From == "2048" and .To == "1440" and .ReportItem == "resources.memory" and (.Reason | test("kept for the host"))' <<<"$output"
	# vm.overcommit_memory = 2: only what may still be committed counts
	mkdir -p "$host/proc/sys/vm"
	echo 2 >"$host/proc/sys/vm/overcommit_memory"
	sed -i 's/^CommitLimit: .*/CommitLimit:     1500000 kB/; s/^Committed_AS: .*/Committed_AS:     600000 kB/' "$host/proc/meminfo"
	run_check 3 --verbose --host-root "$host"
	assert_output --partial "kata-runtime sizes VMs at 704 MiB"
	assert_output --partial "vm.overcommit_memory = 2 limits it further"
}

@test "stale-depmod: a module on disk that modules.dep does not list gets depmod as its remedy, not 'not set'" {
	run_check 1 --verbose --host-root "$FIXTURES/stale-depmod"
	assert_output --partial "Checking module database: WARN"
	assert_output --partial "on disk but not in /lib/modules/5.15.0-91-generic/modules.dep: kernel/drivers/vhost/vhost_net.ko"
	assert_output --partial "installed, but missing from the module database: modprobe cannot find it"
	assert_output --partial "run \`depmod -a 5.15.0-91-generic\` (not run since the module was installed), then \`kata-setup\`"
	refute_output --partial "is not set"
	run check_json "$FIXTURES/stale-depmod" '.facts.modules.modules.vhost_net | "\(.state) \(.unindexed) \(.kconfig_value)"'
	assert_output "available true -"
	run check_json "$FIXTURES/stale-depmod" '[.checks[] | select(.fix.target == "vhost_net")] | length'
	assert_output "0"
}

@test "fedora-compressed: .ko.xz and .ko.zst modules are found and loaded through libkmod" {
	run check_json "$FIXTURES/fedora-compressed" '[.facts.modules.modules.kvm_amd, .facts.modules.modules.vhost_net] | map("\(.state) \(.path)") | join(", ")'
	assert_output "available kernel/arch/x86/kvm/kvm-amd.ko.xz, available kernel/drivers/vhost/vhost_net.ko.zst"
	host=$(fixture_copy fedora-compressed)
	export KC_FAKE_ROOT=$host KC_FAKE_LOG=$BATS_TEST_TMPDIR/kernel.log
	ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD=$KC_BUILD/tests/libfakekernel.so run_cmd 1 "$KC_BUILD/bin/kata-setup" --host-root "$host"
	assert_line --partial "[done] load kernel module kvm_amd"
	assert_line --partial "[done] load kernel module vhost_net"
	run check_json "$host" '.facts.modules.modules.vhost_net.state'
	assert_output "loaded"
}

# as_user HOST: the same host seen by uid 1000, who may not open root's nodes.
as_user() {
	printf 'uid=1000\nopen=EACCES\n' >"$1/.kata-check/kvm"
	sed -i -E 's/ (06[0-9]0 root (root|kvm)) rw$/ \1 --/' "$1/.kata-check/devices"
}

# verdict HOST: exit status and every FAIL and WARN id, for comparing users.
verdict() {
	local json status=0
	json=$("$KATA_CHECK" --json --host-root "$1") || status=$?
	echo "$status $(jq -r '[.checks[] | select(.level == "FAIL") | .id] | join(",")' <<<"$json")"
}

@test "intel-user: a user who may not open /dev/kvm gets every KVM row as SKIP with the reason, and the same verdict as root" {
	run_check 0 --host-root "$FIXTURES/intel-user"
	assert_output --partial "remedy: nothing for kata-runtime, which runs as root; to test KVM, run kata-check as root, or add this user to group 'kvm'"
	for what in "KVM API version" "KVM capabilities QEMU needs" "KVM can create a VM" "a test guest runs under KVM"; do
		assert_line "Checking $what: SKIP"
	done
	assert_output --partial "not tested: uid 1000 may not open /dev/kvm"
	# the JSON has the rows root gets
	diff <(check_json "$FIXTURES/intel-ready" '[.checks[].id] | sort | .[]') \
		<(check_json "$FIXTURES/intel-user" '[.checks[].id] | sort | .[]')
	# kata-env agrees: no refusal, KVM
	run --separate-stderr "$KC_BUILD/bin/kata-env" --json --host-root "$FIXTURES/intel-user"
	[ "$status" -eq 0 ]
	jq -e '.Hypervisor.Accelerator == "kvm" and .Refusal == null' <<<"$output"
}

@test "pvm-host as a user: the same verdict, CPU item and refusal as for root; the remedy names a kvm group, never root's" {
	host=$(fixture_copy pvm-host)
	root_verdict=$(verdict "$host")
	root_virt=$(check_json "$host" '.checks[] | select(.id == "cpu.virt") | .level')
	as_user "$host"
	[ "$(verdict "$host")" = "$root_verdict" ]
	[ "$(check_json "$host" '.checks[] | select(.id == "cpu.virt") | .level')" = "$root_virt" ]
	run_check 1 --host-root "$host"
	assert_output --partial "give /dev/kvm to group kvm with a udev rule"
	refute_output --partial "group 'root'"
	run --separate-stderr "$KC_BUILD/bin/kata-env" --json --host-root "$host"
	[ "$status" -eq 1 ]
	jq -e '.Refusal.Reasons | map(test("kvm.guest")) | any' <<<"$output"
	[[ "$stderr" != *"see above"* ]]
}

@test "amd-sev-snp: what the host offers for confidential guests, with how to enable the rest; never a failure" {
	run_check 3 --verbose --host-root "$FIXTURES/amd-sev-snp"
	assert_line "Checking AMD SEV (encrypted guest memory): PASS"
	assert_output --partial "kernel log: SEV supported: 410 ASIDs"
	assert_line "Checking AMD SEV-ES (encrypted guest registers): PASS"
	assert_line "Checking AMD SEV-SNP (guest memory integrity): SKIP"
	assert_output --partial "the CPU has it, but KVM does not offer it: kvm_amd sev_snp is N"
	assert_output --partial "remedy: enable SNP and the IOMMU in the firmware"
	# a host without it is not less capable
	run check_json "$FIXTURES/amd-unloaded" '[.checks[] | select(.id | startswith("confidential.")) | "\(.id)=\(.level)"] | join(" ")'
	assert_output "confidential.sev=SKIP confidential.sev_es=SKIP confidential.sev_snp=SKIP"
	run check_json "$FIXTURES/intel-ready" '.checks[] | select(.id == "confidential.tdx") | .level'
	assert_output "SKIP"
}

@test "cgroup controllers: each one the runtime's host cgroups need, on v2 (enabled in the subtree) and v1 (mounted)" {
	host=$(fixture_copy intel-ready)
	echo "cpu io" >"$host/sys/fs/cgroup/cgroup.subtree_control"
	printf '#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t0\t1\t1\nmemory\t0\t1\t0\n' >"$host/proc/cgroups"
	run_check 0 --verbose --host-root "$host"
	assert_line "Checking cgroup controller cpu: PASS"
	assert_line "Checking cgroup controller cpuset: WARN"
	assert_output --partial "available, but not enabled for child cgroups: no pinning a pod's VM to CPUs"
	assert_output --partial "echo +pids > /sys/fs/cgroup/cgroup.subtree_control"
	assert_line "Checking cgroup controller memory: WARN"
	assert_output --partial "disabled by the kernel command line: no pod memory limits"
	refute_output --partial "cgroup controller devices"
	# v1 (hybrid): the hierarchies that are mounted
	host=$(fixture_copy pvm-host)
	rm -rf "$host/sys/fs/cgroup/pids"
	run check_json "$host" '[.checks[] | select(.id | startswith("resources.cgroup.")) | "\(.id)=\(.level)"] | join(" ")'
	assert_output "resources.cgroup.cpu=PASS resources.cgroup.cpuset=PASS resources.cgroup.memory=PASS resources.cgroup.pids=WARN resources.cgroup.devices=PASS"
}
