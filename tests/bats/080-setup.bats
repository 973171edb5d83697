#!/usr/bin/env bats
# kata-setup against fixture hosts with a fake kernel (LD_PRELOAD): the real
# libkmod loads modules from the fixture's database; the fake kernel marks
# them loaded in the fixture and brings their device nodes.

bats_require_minimum_version 1.5.0

load helpers

KATA_SETUP=$KC_BUILD/bin/kata-setup
FAKE_KERNEL=$KC_BUILD/tests/libfakekernel.so

# use_host NAME: a private copy of a fixture, with the fake kernel set up.
use_host() {
	HOST=$(fixture_copy "$1")
	export KC_FAKE_ROOT=$HOST KC_FAKE_LOG=$BATS_TEST_TMPDIR/kernel.log
	: >"$KC_FAKE_LOG"
}

# setup_run STATUS ARGS...: kata-setup on $HOST under the fake kernel.
setup_run() {
	local expected=$1
	shift
	# the fake kernel comes after the sanitizer runtime in sanitized builds
	ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD=$FAKE_KERNEL run_cmd "$expected" \
		"$KATA_SETUP" --host-root "$HOST" "$@"
}

# Stand-ins for the files the shipped configuration names, so that a node
# can be fully ready.
install_runtime_files() {
	local env
	env=$("$KC_BUILD/bin/kata-env" --json --kata-config "$KC_BUILD/data/configuration.toml" 2>/dev/null || true)
	for p in $(jq -r '.Hypervisor.Path, .Proxy.Path, .Shim.Path' <<<"$env"); do
		mkdir -p "$HOST$(dirname "$p")"
		printf '#!/bin/sh\nexit 0\n' >"$HOST$p"
		chmod 755 "$HOST$p"
	done
	for p in $(jq -r '.Kernel.Path, .Initrd.Path' <<<"$env"); do
		mkdir -p "$HOST$(dirname "$p")"
		echo stand-in >"$HOST$p"
	done
	mkdir -p "$HOST/dev"
	echo entropy >"$HOST/dev/urandom"
}

# kata-check's config.factory item, from its JSON: "LEVEL: summary"
factory_item() {
	jq -r '.checks[] | select(.id == "config.factory") | .level + ": " + .summary'
}

tree_sum() {
	(cd "$1" && find . -type f -o -type l | sort | xargs -d '\n' md5sum 2>/dev/null; find . -type l -printf '%p -> %l\n' | sort)
}

@test "kata-setup --help and usage errors" {
	run_cmd 0 "$KATA_SETUP" --help
	for opt in --dry-run --plan --json --force --accel --nested --vfio --vfio-release --undo --host-root; do
		assert_output --partial -- "$opt"
	done
	run_cmd 2 "$KATA_SETUP" --frobnicate
	run_cmd 2 "$KATA_SETUP" --undo --force --dry-run
	assert_output --partial "--undo cannot be combined"
	run_cmd 2 "$KATA_SETUP" --dry-run --host-root /nonexistent
}

@test "a non-root user gets a clear error before anything is touched; --dry-run works for anyone" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch users"
	command -v setpriv >/dev/null || skip "setpriv not available"
	scratch=$(mktemp -d /tmp/kc-setup.XXXXXX)
	cp -a "$FIXTURES/amd-unloaded" "$scratch/"
	chmod -R a+rX "$scratch"
	before=$(tree_sum "$scratch")
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$KATA_SETUP" --host-root "$scratch/amd-unloaded"
	[ "$status" -eq 2 ]
	assert_output --partial "changing the host needs root (uid 65534); --dry-run shows the plan to any user"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$KATA_SETUP" --dry-run --host-root "$scratch/amd-unloaded"
	[ "$status" -eq 1 ]
	assert_output --partial "Plan ("
	after=$(tree_sum "$scratch")
	rm -rf "$scratch"
	[ "$before" = "$after" ]
}

@test "--dry-run shows the plan, each action with the report items it fixes, and changes nothing" {
	use_host amd-unloaded
	before=$(tree_sum "$HOST")
	setup_run 1 --dry-run
	assert_line --partial "load kernel module kvm_amd (loads irqbypass kvm kvm_amd)  [fixes kvm.device modules.kvm_amd]"
	assert_line --partial "load kernel module vhost_net (loads vhost_iotlb vhost tap vhost_net)  [fixes modules.vhost_net devices.vhost-net]"
	assert_line --partial "install /etc/kata-containers/configuration.toml  [fixes config.file]"
	assert_output --partial "vhost_vsock is blacklisted in modprobe.d: not loaded (remove the blacklist entry to let kata-setup load it)"
	assert_line "Now: System is not capable of running Kata Containers"
	[ "$before" = "$(tree_sum "$HOST")" ]
	[ ! -s "$KC_FAKE_LOG" ]
}

@test "the installed configuration starts VMs from a template and keeps a VM cache sized from the host where its memory can serve them, and says why not where not" {
	use_host amd-unloaded
	install_runtime_files
	setup_run 0
	assert_output --partial "enable_template = true: VMs start from a template's saved state instead of booting; the first create builds the template"
	# 16 CPUs, 128 GB: the ceiling
	assert_output --regexp "vm_cache_number = \"auto\": 8 VMs here: one per CPU \(16\), in at most a quarter of the [0-9]+ MiB for VMs \(1[0-9] VMs of 2048 MiB\), at most 8, kept ready by the kata-vmcache service or \`kata-runtime factory init\`"
	local conf=$HOST/etc/kata-containers/configuration.toml
	# the shipped default has both on: left as it is
	run grep -E '^(enable_template|vm_cache_number)' "$conf"
	assert_output "$(printf 'enable_template = true\nvm_cache_number = "auto"')"
	# the keys under [factory], as TOML reads them
	assert_equal "$("$KC_BUILD/bin/toml-decode" <"$conf" | jq -c '[.factory.enable_template.value, .factory.vm_cache_number.value]')" '["true","auto"]'
	# kata-check says the same of the installed configuration
	run "$KATA_CHECK" --host-root "$HOST" --kata-config "$conf" --json
	assert_equal "$(factory_item <<<"$output")" "PASS: VMs start from a template; a VM cache hands them out ready"

	# 4 GB: a VM of the default size fits, not a template's file beside it,
	# nor a cache of such VMs in a quarter of the memory
	use_host amd-unloaded
	install_runtime_files
	sed -i -e 's/^MemTotal: .*/MemTotal:        4000000 kB/' -e 's/^MemAvailable: .*/MemAvailable:    3500000 kB/' \
		"$HOST/proc/meminfo"
	setup_run 0
	assert_output --regexp "enable_template = false \(VMs boot\): the host's memory \(3906 MiB, [0-9]+ MiB of it for VMs\) cannot hold a template's memory file of 2048 MiB beside a VM of that size"
	assert_output --regexp "vm_cache_number = 0 \(no VM cache\): 0 VMs here: one per CPU \(16\), in at most a quarter of the [0-9]+ MiB for VMs \(0 VMs of 2048 MiB\)"
	conf=$HOST/etc/kata-containers/configuration.toml
	run grep -E '^#?(enable_template|vm_cache_number)' "$conf"
	assert_line --index 0 --regexp "^enable_template = false # kata-setup: the host's memory \(3906 MiB, [0-9]+ MiB of it for VMs\) cannot hold"
	assert_line --index 1 --regexp "^vm_cache_number = 0 # kata-setup: 0 VMs here"
	run "$KATA_CHECK" --host-root "$HOST" --kata-config "$conf" --json
	assert_equal "$(factory_item <<<"$output")" "PASS: off: every VM boots (enable_template = false, vm_cache_number = 0)"
	# the shipped file itself, with both on, on this host: kata-check warns
	run "$KATA_CHECK" --host-root "$HOST" --kata-config "$KC_BUILD/data/configuration.toml" --json
	assert_regex "$(factory_item <<<"$output")" "^WARN: enable_template is set, but VMs boot: the host's memory \(3906 MiB, [0-9]+ MiB of it for VMs\) cannot hold a template's memory file of 2048 MiB beside a VM of that size; no VM cache \(vm_cache_number = \"auto\" keeps none here\)$"

	# a host whose shipped default has the factory off (an older package),
	# and an operator's copy of it: the configuration kata-setup --force
	# installs in its place, from that default, has it on, and says why
	use_host amd-unloaded
	install_runtime_files
	local shipped
	# the build's PREFIX: its shipped configuration's place
	shipped=$HOST$(sed -n 's|^kernel = "\(.*\)/share/kata-containers/.*|\1|p' "$KC_BUILD/data/configuration.toml")
	shipped=$shipped/share/defaults/kata-containers/configuration.toml
	mkdir -p "$(dirname "$shipped")"
	sed -e 's/^enable_template = true$/enable_template = false/' -e 's/^vm_cache_number = "auto"$/vm_cache_number = 0/' \
		"$KC_BUILD/data/configuration.toml" >"$shipped"
	mkdir -p "$HOST/etc/kata-containers"
	cp "$shipped" "$HOST/etc/kata-containers/configuration.toml"
	setup_run 0 --force
	run grep -E '^(enable_template|vm_cache_number)' "$HOST/etc/kata-containers/configuration.toml"
	assert_output "$(printf '%s\n%s' \
		"enable_template = true # kata-setup: VMs start from a template's saved state instead of booting (kata-runtime(8), VM FACTORY)" \
		'vm_cache_number = "auto" # kata-setup: a VM cache sized from the host'"'"'s CPUs and memory (kata-runtime(8), VM FACTORY)')"

	# a setting no template serves (virtio-fs): no cache either, both said
	use_host amd-unloaded
	install_runtime_files
	shipped=$HOST$(sed -n 's|^kernel = "\(.*\)/share/kata-containers/.*|\1|p' "$KC_BUILD/data/configuration.toml")
	shipped=$shipped/share/defaults/kata-containers/configuration.toml
	mkdir -p "$(dirname "$shipped")" "$HOST/etc/kata-containers"
	sed -e 's/^shared_fs = .*/shared_fs = "virtio-fs"/' "$KC_BUILD/data/configuration.toml" >"$shipped"
	local vfsd
	vfsd=$(sed -n 's|^#*virtio_fs_daemon = "\(.*\)"|\1|p' "$shipped" | head -1)
	mkdir -p "$HOST$(dirname "$vfsd")"
	printf '#!/bin/sh\nexit 0\n' >"$HOST$vfsd"
	chmod 755 "$HOST$vfsd"
	cp "$shipped" "$HOST/etc/kata-containers/configuration.toml"
	setup_run 0 --force
	assert_output --partial "enable_template = false (VMs boot): shared_fs is virtio-fs"
	assert_output --partial "vm_cache_number = 0 (no VM cache): shared_fs is virtio-fs"
	run "$KATA_CHECK" --host-root "$HOST" --kata-config "$shipped" --json
	assert_regex "$(factory_item <<<"$output")" "^WARN: enable_template is set, but VMs boot: shared_fs is virtio-fs: .*; no VM cache \(vm_cache_number = \"auto\" keeps none here\)$"
}

@test "a node with modules to load becomes ready; a second run plans nothing" {
	use_host amd-unloaded
	install_runtime_files
	setup_run 0
	assert_line --partial "[done] load kernel module kvm_amd"
	assert_line "After setup: System is capable of running Kata Containers"
	# libkmod loaded the dependencies first, and never the blacklisted module
	run cat "$KC_FAKE_LOG"
	assert_output "$(printf 'load irqbypass \nload kvm \nload kvm_amd \nload vhost_iotlb \nload vhost \nload tap \nload vhost_net ')"
	# the files: boot-time modules and an adapted configuration, each marked as ours
	run cat "$HOST/etc/modules-load.d/kata-containers.conf"
	assert_line --index 0 --partial "Installed by kata-setup"
	assert_output --partial "$(printf 'kvm\nkvm_amd\nvhost\nvhost_net')"
	refute_output --partial vhost_vsock
	run grep -E '^(accel|use_vsock|disable_vhost_net) =' "$HOST/etc/kata-containers/configuration.toml"
	assert_output 'accel = "kvm" # kata-setup: KVM can run the default guest (kvm.guest)'
	run_check 0 --host-root "$HOST"
	# idempotent
	sums=$(tree_sum "$HOST")
	: >"$KC_FAKE_LOG"
	setup_run 0
	assert_output --partial "Nothing to do: the node is ready."
	[ ! -s "$KC_FAKE_LOG" ]
	[ "$sums" = "$(tree_sum "$HOST")" ]
}

@test "install commands: /bin/true disables a module; a host root's other commands are not run" {
	use_host amd-unloaded
	printf 'install vhost_net /bin/true\ninstall vhost touch /tmp/kc-install-must-not-run\n' >"$HOST/etc/modprobe.d/local.conf"
	rm -f /tmp/kc-install-must-not-run
	setup_run 1 --dry-run
	assert_output --partial "vhost_net is disabled in modprobe.d (install vhost_net /bin/true): not loaded"
	assert_output --partial "vhost has an install command in the host's modprobe.d (touch /tmp/kc-install-must-not-run); kata-setup runs those only on the host itself"
	setup_run 1
	refute_output --partial "load kernel module vhost_net"
	[ ! -e /tmp/kc-install-must-not-run ]
	run grep -c "load vhost" "$KC_FAKE_LOG"
	assert_output 0
}

@test "a module that fails to load is reported; the rest of the plan goes on; it is not persisted" {
	use_host amd-unloaded
	install_runtime_files
	KC_FAKE_MODULES=kvm_amd=EPERM setup_run 1
	first=$output
	assert_line --partial "[failed] load kernel module kvm_amd"
	assert_output --partial "loading kvm_amd failed: Operation not permitted"
	assert_line --partial "[done] load kernel module vhost_net"
	assert_line "Some actions failed (above)."
	# a failure is not locked in: the configuration keeps accel = "auto"
	run grep -E '^accel' "$HOST/etc/kata-containers/configuration.toml"
	assert_output 'accel = "auto"'
	run cat "$HOST/etc/modules-load.d/kata-containers.conf"
	refute_line kvm_amd
	assert_line vhost_net
	# the [done] line lists what the file holds, not what the plan hoped for
	listed=$(grep -v '^#' "$HOST/etc/modules-load.d/kata-containers.conf" | paste -sd ' ')
	grep -qF "  [done] write /etc/modules-load.d/kata-containers.conf (load at boot: $listed): written" <<<"$first"
}

@test "a hand-edited configuration is kept; --force replaces it with a backup; --undo restores it" {
	use_host amd-unloaded
	install_runtime_files
	mkdir -p "$HOST/etc/kata-containers"
	printf '# mine\n[hypervisor.qemu]\ndefault_memory = 4096\n' >"$HOST/etc/kata-containers/configuration.toml"
	original=$(cat "$HOST/etc/kata-containers/configuration.toml")
	setup_run 0
	assert_output --partial "/etc/kata-containers/configuration.toml exists and was not written by kata-setup: kept"
	[ "$(cat "$HOST/etc/kata-containers/configuration.toml")" = "$original" ]

	setup_run 0 --force
	assert_line --partial "[done] install /etc/kata-containers/configuration.toml"
	head -1 "$HOST/etc/kata-containers/configuration.toml" | grep -q "Installed by kata-setup"
	[ "$(cat "$HOST/etc/kata-containers/configuration.toml.kata-setup-backup")" = "$original" ]

	setup_run 0 --undo --dry-run
	assert_line --partial "remove /etc/kata-containers/configuration.toml (restoring /etc/kata-containers/configuration.toml.kata-setup-backup)"
	setup_run 0 --undo
	assert_line --partial "[done] remove /etc/kata-containers/configuration.toml (restoring"
	assert_line --partial "[done] remove /etc/modules-load.d/kata-containers.conf"
	[ "$(cat "$HOST/etc/kata-containers/configuration.toml")" = "$original" ]
	[ ! -e "$HOST/etc/modules-load.d/kata-containers.conf" ]
	[ ! -e "$HOST/etc/kata-containers/configuration.toml.kata-setup-backup" ]
}

@test "--force then --undo: the operator's file comes back with its mode and owner; ours takes its mode" {
	use_host amd-unloaded
	install_runtime_files
	local f=$HOST/etc/kata-containers/configuration.toml
	mkdir -p "$(dirname "$f")"
	printf '# mine, with a secret\n[hypervisor.qemu]\ndefault_memory = 4096' >"$f"
	chmod 0640 "$f"
	chown 1234:4321 "$f"
	cp -p "$f" "$BATS_TEST_TMPDIR/orig"
	setup_run 0 --force
	assert_equal "$(stat -c %a "$f")" 640
	assert_equal "$(stat -c %a:%u:%g "$f.kata-setup-backup")" 640:1234:4321
	cmp "$f.kata-setup-backup" "$BATS_TEST_TMPDIR/orig"
	setup_run 0 --undo
	cmp "$f" "$BATS_TEST_TMPDIR/orig"
	assert_equal "$(stat -c %a:%u:%g "$f")" 640:1234:4321
}

@test "a read-only /etc fails the file actions cleanly: no half-written or temporary file left" {
	command -v unshare >/dev/null || skip "unshare not available"
	use_host amd-unloaded
	install_runtime_files
	mkdir -p "$HOST/etc/kata-containers" "$HOST/etc/modules-load.d"
	run unshare -m sh -c "mount --bind -o ro '$HOST/etc' '$HOST/etc' && \
		ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD='$FAKE_KERNEL' '$KATA_SETUP' --host-root '$HOST'"
	[ "$status" -eq 1 ]
	assert_output --partial "[failed] install /etc/kata-containers/configuration.toml"
	assert_output --partial "Read-only file system"
	assert_output --partial "[done] load kernel module kvm_amd"
	run find "$HOST/etc" -name '*.tmp-*'
	assert_output ""
	[ ! -e "$HOST/etc/kata-containers/configuration.toml" ]
}

@test "--nested writes the module option and reloads the module when nothing uses it" {
	use_host iommu-vfio
	install_runtime_files
	setup_run 0 --nested
	assert_line --partial "[done] write /etc/modprobe.d/kata-containers.conf (options kvm_intel nested=1)"
	assert_line --partial "[done] reload kernel module kvm_intel"
	grep -qx "options kvm_intel nested=1" "$HOST/etc/modprobe.d/kata-containers.conf"
	run cat "$KC_FAKE_LOG"
	assert_line "unload kvm_intel"
	assert_line --regexp '^load kvm_intel nested=1 *$'
	[ "$(cat "$HOST/sys/module/kvm_intel/parameters/nested")" = 1 ]
}

@test "--nested on a module in use says a reboot or unload is needed" {
	use_host iommu-vfio
	install_runtime_files
	echo 2 >"$HOST/sys/module/kvm_intel/refcnt"
	setup_run 0 --nested
	assert_output --partial "kvm_intel is in use (2 users); the new options take effect after \`modprobe -r kvm_intel\` or a reboot"
	refute_output --partial "reload kernel module"
	grep -qx "options kvm_intel nested=1" "$HOST/etc/modprobe.d/kata-containers.conf"
	run grep -c load "$KC_FAKE_LOG"
	assert_output 0
}

@test "--vfio refuses a device whose IOMMU group holds another bound device, naming it" {
	use_host iommu-vfio
	install_runtime_files
	setup_run 2 --vfio 0000:b3:00.0
	assert_output --partial "--vfio 0000:b3:00.0: IOMMU group 30 also holds 0000:b3:00.1, bound to ixgbe; pass it too (--vfio 0000:b3:00.1)"
	setup_run 2 --vfio 0000:99:00.0
	assert_output --partial "no such PCI device"
}

@test "--vfio binds a whole group through driver_override; --vfio-release gives a device back" {
	use_host iommu-vfio
	install_runtime_files
	# start with vfio_pci not loaded, so that kata-setup loads it first
	rm -r "$HOST/sys/module/vfio_pci"
	sed -i '/^vfio_pci /d' "$HOST/proc/modules"
	setup_run 0 --vfio 0000:b3:00.0 --vfio 0000:b3:00.1
	assert_line --partial "[done] load kernel module vfio_pci"
	assert_line --partial "[done] bind PCI device 0000:b3:00.0 to vfio-pci: bound to vfio-pci"
	for f in 0 1; do
		[ "$(readlink "$HOST/sys/bus/pci/devices/0000:b3:00.$f/driver")" = "../../drivers/vfio-pci" ]
		[ "$(cat "$HOST/sys/bus/pci/devices/0000:b3:00.$f/driver_override")" = "vfio-pci" ]
		[ "$(cat "$HOST/run/kata-containers/vfio/0000:b3:00.$f")" = "ixgbe" ]
	done
	grep -qx vfio_pci "$HOST/etc/modules-load.d/kata-containers.conf"
	run_check 0 --host-root "$HOST"
	assert_line "Checking passthrough of 0000:b3:00.0 (8086:10fb, vfio-pci): PASS"

	setup_run 0 --vfio-release 0000:b3:00.1
	assert_line --partial "[done] give PCI device 0000:b3:00.1 back to its driver: bound to ixgbe"
	[ "$(readlink "$HOST/sys/bus/pci/devices/0000:b3:00.1/driver")" = "../../drivers/ixgbe" ]
	[ ! -e "$HOST/run/kata-containers/vfio/0000:b3:00.1" ]
}

@test "binding the last member makes a shared group viable" {
	use_host iommu-vfio
	install_runtime_files
	# no configuration yet: capable, the runtime not ready (3)
	run_check 3 --host-root "$HOST"
	assert_line "Checking passthrough of 0000:65:00.0 (10de:1eb8, vfio-pci): WARN"
	setup_run 0 --vfio 0000:65:00.1
	run_check 0 --strict --host-root "$HOST"
	assert_line "Checking passthrough of 0000:65:00.0 (10de:1eb8, vfio-pci): PASS"
}

@test "--json gives the plan, the results and the verdict before and after" {
	use_host amd-unloaded
	install_runtime_files
	setup_run 0 --json
	echo "$output" | jq -e '.program == "kata-setup" and .dry_run == false and .before.capable == false and .after.capable == true'
	echo "$output" | jq -e '.plan[] | select(.action == "load-module" and .target == "kvm_amd") | .status == "done" and (.fixes | index("kvm.device") != null)'
	echo "$output" | jq -e '.plan[] | select(.target == "vhost_vsock") | .status == "skipped"'
	echo "$output" | jq -e '[.plan[] | select(.action == "install-config")] | length == 1'
}

@test "an unreadable module database makes the loads fail with a clear message" {
	use_host amd-unloaded
	rm "$HOST"/lib/modules/*/modules.dep.bin
	setup_run 1 --dry-run
	assert_output --partial "modules.index: module index unreadable in /lib/modules/5.15.0-91-generic"
	assert_output --partial "modules.kvm_amd: cannot tell whether it is available: CONFIG_KVM_AMD=m, but the module database is unreadable"
	refute_output --partial "load kernel module"
}

@test "firmware with VT-x off: no module load is planned, and the configuration does not fall back to TCG silently" {
	use_host intel-vt-disabled
	install_runtime_files
	rm -rf "$HOST/etc/kata-containers"
	setup_run 1
	refute_output --partial "load kernel module kvm"
	[ ! -s "$KC_FAKE_LOG" ]
	assert_output --partial "cpu.virt: Intel VT-x is disabled in the firmware"
	assert_output --partial "[done] install /etc/kata-containers/configuration.toml: written; accel = \"kvm\": containers will not start until hardware virtualization is enabled in the firmware"
	assert_output --partial "kata-setup --force --accel=auto"
	run grep -E '^accel =' "$HOST/etc/kata-containers/configuration.toml"
	assert_output --partial 'accel = "kvm" # kata-setup: KVM is unusable: the firmware disables hardware virtualization'
	# the operator's choice: software emulation, said as such
	setup_run 0 --force --accel=auto
	assert_output --partial 'accel = "auto" as chosen: VMs run under TCG (software emulation), because the firmware disables hardware virtualization'
	run grep -E '^accel =' "$HOST/etc/kata-containers/configuration.toml"
	assert_output 'accel = "auto" # kata-setup: chosen with kata-setup --accel'
	run_cmd 2 "$KATA_SETUP" --accel=xen --dry-run
	assert_output --partial "--accel: 'xen' is not one of kvm, auto, tcg"
	run_cmd 2 "$KATA_SETUP" --undo --accel=kvm
}

@test "--undo removes the directories kata-setup created, keeps the ones it did not, and exits 0" {
	use_host intel-vt-disabled
	rm -rf "$HOST/etc/kata-containers" "$HOST/etc/modules-load.d"
	mkdir -p "$HOST/etc/modprobe.d"
	setup_run 1 --nested --accel=tcg
	run sed -n 2p "$HOST/etc/kata-containers/configuration.toml"
	assert_output "# kata-setup created: /etc/kata-containers"
	run sed -n 2p "$HOST/etc/modules-load.d/kata-containers.conf"
	assert_output "# kata-setup created: /etc/modules-load.d"
	run grep -c "kata-setup created" "$HOST/etc/modprobe.d/kata-containers.conf"
	assert_output 0
	# a rerun leaves the record as it is
	sums=$(tree_sum "$HOST")
	setup_run 1 --nested --accel=tcg
	[ "$sums" = "$(tree_sum "$HOST")" ]
	# something else of the operator's in a directory kata-setup made stays, and so does the directory
	echo mine >"$HOST/etc/modules-load.d/other.conf"
	# the record is in a file the host root can edit: only the file's own
	# ancestors are ever removed
	mkdir -p "$HOST/opt/empty"
	sed -i '2s|$| /opt/empty|' "$HOST/etc/kata-containers/configuration.toml"
	setup_run 0 --undo
	[ -d "$HOST/opt/empty" ]
	assert_line "  [done] remove /etc/kata-containers/configuration.toml: removed, and the directory /etc/kata-containers"
	assert_line "  [done] remove /etc/modules-load.d/kata-containers.conf: removed; kept /etc/modules-load.d (not empty)"
	assert_line "  [done] remove /etc/modprobe.d/kata-containers.conf: removed"
	[ ! -e "$HOST/etc/kata-containers" ]
	[ -e "$HOST/etc/modules-load.d/other.conf" ]
	[ -d "$HOST/etc/modprobe.d" ]
	# nothing left to undo is not a failure either
	setup_run 0 --undo
}

@test "devices already bound to vfio-pci get the VFIO modules loaded at boot" {
	use_host iommu-vfio
	setup_run 0 --dry-run
	assert_line --regexp "write /etc/modules-load.d/kata-containers.conf \(load at boot: .*vfio vfio_iommu_type1 vfio_pci\)"
}

@test "the configuration installed on POWER and arm64 names the host's QEMU and machine type" {
	for spec in power9-powernv:qemu-system-ppc64:pseries arm64-ready:qemu-system-aarch64:virt; do
		IFS=: read -r name binary machine <<<"$spec"
		use_host "$name"
		setup_run 1
		run grep -E '^(path|machine_type|valid_hypervisor_paths) =' "$HOST/etc/kata-containers/configuration.toml"
		assert_line --index 0 "path = \"/usr/bin/$binary\" # kata-setup: this host is $(cat "$HOST/proc/sys/kernel/arch")"
		assert_line --index 1 --partial "machine_type = \"$machine\""
		assert_line --index 2 --partial "valid_hypervisor_paths = [\"/usr/bin/$binary\"]"
		run_check 1 --host-root "$HOST"
		refute_output --partial "QEMU's architecture"
	done
}
