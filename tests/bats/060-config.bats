#!/usr/bin/env bats
# The configuration chain and the configuration items of kata-check:
# each level wins over the ones below it; unusable files are named with
# the reason; the accelerator choice shapes the verdict.

bats_require_minimum_version 1.5.0
load helpers

# A host with QEMU, guest files, proxy and shim stand-ins, and no
# configuration installed. Prints its path.
host_with_files() {
	local host
	host=$(fixture_copy "${1:-intel-ready}")
	rm -rf "$host/etc/kata-containers"
	mkdir -p "$host/usr/bin" "$host/usr/share/kata-containers" "$host/usr/libexec/kata-containers" "$host/dev"
	for f in usr/bin/qemu-system-x86_64 usr/libexec/kata-containers/kata-proxy usr/libexec/kata-containers/kata-shim; do
		printf '#!/bin/sh\nexit 0\n' >"$host/$f"
		chmod 755 "$host/$f"
	done
	echo k >"$host/usr/share/kata-containers/vmlinux.container"
	echo i >"$host/usr/share/kata-containers/kata-containers-initrd.img"
	echo e >"$host/dev/urandom"
	echo "$host"
}

# write_config FILE MEMORY [EXTRA...]: a configuration whose default_memory
# tells which file was read.
write_config() {
	local file=$1 mem=$2
	shift 2
	mkdir -p "$(dirname "$file")"
	cat >"$file" <<-EOT
		[hypervisor.qemu]
		path = "/usr/bin/qemu-system-x86_64"
		kernel = "/usr/share/kata-containers/vmlinux.container"
		initrd = "/usr/share/kata-containers/kata-containers-initrd.img"
		default_memory = $mem
		$*
		[proxy.kata]
		path = "/usr/libexec/kata-containers/kata-proxy"
		[shim.kata]
		path = "/usr/libexec/kata-containers/kata-shim"
	EOT
}

# The default location (level 4) as this build names it.
default_path() {
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	KATA_CONF_FILE= "$KATA_CHECK" --json --host-root "$BATS_TEST_TMPDIR/empty" |
		jq -r '.configuration.tried[1]' | cut -d: -f1
}

config_of() {
	"$KATA_CHECK" --json "$@" | jq -r '"\(.configuration.file) \(.configuration.origin)"'
}

@test "no configuration anywhere: a warning listing every path tried, with a kata-setup fix" {
	host=$(host_with_files)
	unset KATA_CONF_FILE
	run_check 1 --strict --host-root "$host"
	assert_line "Checking configuration file: WARN"
	run -0 check_json "$host" '.checks[] | select(.id == "config.file") | "\(.detail) \(.fix.action)"'
	assert_output --partial "/etc/kata-containers/configuration.toml: does not exist"
	assert_output --partial "share/defaults/kata-containers/configuration.toml: does not exist"
	assert_output --partial "install-config"
}

@test "chain: the default location, then /etc, then KATA_CONF_FILE, then --kata-config" {
	host=$(host_with_files)
	unset KATA_CONF_FILE
	def=$(default_path)
	write_config "$host$def" 1000
	run config_of --host-root "$host"
	assert_output "$def default"

	write_config "$host/etc/kata-containers/configuration.toml" 2000
	run config_of --host-root "$host"
	assert_output "/etc/kata-containers/configuration.toml system"

	write_config "$BATS_TEST_TMPDIR/env.toml" 3000
	KATA_CONF_FILE=$BATS_TEST_TMPDIR/env.toml run config_of --host-root "$host"
	assert_output "$BATS_TEST_TMPDIR/env.toml KATA_CONF_FILE"

	write_config "$BATS_TEST_TMPDIR/flag.toml" 4000
	KATA_CONF_FILE=$BATS_TEST_TMPDIR/env.toml run config_of --host-root "$host" --kata-config "$BATS_TEST_TMPDIR/flag.toml"
	assert_output "$BATS_TEST_TMPDIR/flag.toml --kata-config"
	# --config is the same option
	run config_of --host-root "$host" --config "$BATS_TEST_TMPDIR/flag.toml"
	assert_output "$BATS_TEST_TMPDIR/flag.toml --kata-config"
}

@test "chain: symlinks are followed, inside the host root" {
	host=$(host_with_files)
	unset KATA_CONF_FILE
	write_config "$host/opt/kata/configuration.toml" 1234
	mkdir -p "$host/etc/kata-containers"
	ln -s /opt/kata/configuration.toml "$host/etc/kata-containers/configuration.toml"
	run_check 0 --host-root "$host"
	assert_line "Checking configuration file: PASS"
	run -0 check_json "$host" '.checks[] | select(.id == "resources.memory") | .level'
	assert_output "PASS"
}

@test "chain: a directory, a dangling symlink or a loop at /etc is an error, not a fall-through" {
	host=$(host_with_files)
	unset KATA_CONF_FILE
	def=$(default_path)
	write_config "$host$def" 1000
	mkdir -p "$host/etc/kata-containers/configuration.toml"
	run_check 1 --host-root "$host"
	assert_line "Checking configuration file: FAIL"
	assert_output --partial "configuration file /etc/kata-containers/configuration.toml is a directory"

	rmdir "$host/etc/kata-containers/configuration.toml"
	ln -s /nowhere/kata.toml "$host/etc/kata-containers/configuration.toml"
	run_check 1 --host-root "$host"
	assert_output --partial "/etc/kata-containers/configuration.toml dangling symlink to /nowhere/kata.toml"

	ln -sfn configuration.toml "$host/etc/kata-containers/configuration.toml"
	run_check 1 --host-root "$host"
	assert_output --partial "looping symlink"
}

@test "chain: an explicit path that does not exist is an error naming it and its origin" {
	run_check 1 --host-root "$FIXTURES/intel-ready" --kata-config /nonexistent/kata.toml
	assert_output --partial "configuration file /nonexistent/kata.toml (from --kata-config) does not exist"
	KATA_CONF_FILE=$BATS_TEST_TMPDIR run_check 1 --host-root "$FIXTURES/intel-ready"
	assert_output --partial "(from KATA_CONF_FILE) is a directory"
}

@test "chain: an unreadable file is named with the reason" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch users"
	command -v setpriv >/dev/null || skip "setpriv not available"
	scratch=$(mktemp -d /tmp/kc-config.XXXXXX)
	write_config "$scratch/secret.toml" 2048
	chmod 600 "$scratch/secret.toml"
	chmod 755 "$scratch"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$KATA_CHECK" --host-root "$FIXTURES/intel-ready" --kata-config "$scratch/secret.toml"
	rm -rf "$scratch"
	assert_failure
	assert_output --partial "secret.toml (from --kata-config) cannot be read: Permission denied"
}

@test "a wrong type fails the configuration with file:line:column and the key" {
	host=$(host_with_files)
	write_config "$BATS_TEST_TMPDIR/bad.toml" '"lots"'
	run_check 1 --host-root "$host" --kata-config "$BATS_TEST_TMPDIR/bad.toml"
	assert_line "Checking configuration file: FAIL"
	assert_output --partial "bad.toml:5:1: [hypervisor.qemu] default_memory: expected a non-negative integer, found a string"
}

@test "unknown keys are a warning naming file:line; the file still loads" {
	host=$(host_with_files)
	write_config "$BATS_TEST_TMPDIR/newer.toml" 2048 'enable_future_thing = true'
	run_check 0 --verbose --host-root "$host" --kata-config "$BATS_TEST_TMPDIR/newer.toml"
	assert_line "Checking configuration file: PASS"
	assert_line "Checking configuration keys: WARN"
	assert_output --partial "newer.toml:6: unknown key 'enable_future_thing' in [hypervisor.qemu] (ignored)"
}

@test "a bad value fails with file:line; a missing guest kernel fails with the remedy" {
	host=$(host_with_files)
	write_config "$BATS_TEST_TMPDIR/v.toml" 2048 'shared_fs = "nfs"'
	run_check 1 --host-root "$host" --kata-config "$BATS_TEST_TMPDIR/v.toml"
	assert_line "Checking configuration values: FAIL"
	assert_output --partial "v.toml:6: [hypervisor.qemu] shared_fs: 'nfs' is not one of: virtio-9p virtio-fs"

	rm "$host/usr/share/kata-containers/vmlinux.container"
	write_config "$BATS_TEST_TMPDIR/ok.toml" 2048
	run_check 1 --host-root "$host" --kata-config "$BATS_TEST_TMPDIR/ok.toml"
	assert_line "Checking guest kernel: FAIL"
	assert_output --partial "make image && make install"
}

@test "a hypervisor outside valid_hypervisor_paths fails" {
	host=$(host_with_files)
	write_config "$BATS_TEST_TMPDIR/v.toml" 2048 'valid_hypervisor_paths = ["/opt/qemu/*"]'
	run_check 1 --host-root "$host" --kata-config "$BATS_TEST_TMPDIR/v.toml"
	assert_line "Checking hypervisor binary: FAIL"
	assert_output --partial "does not match valid_hypervisor_paths"
}

@test "the configuration's vCPUs and memory are what the resource checks ask for" {
	host=$(host_with_files)
	write_config "$BATS_TEST_TMPDIR/big.toml" 999999
	run_check 0 --host-root "$host" --kata-config "$BATS_TEST_TMPDIR/big.toml"
	assert_line "Checking memory: WARN"
	assert_output --partial "a 999999 MiB VM does not fit in 64298 MiB: kata-runtime sizes VMs at 59872 MiB"
}

@test "accel: kvm requires KVM; auto and tcg turn a PVM host's failure into a TCG warning" {
	host=$(host_with_files pvm-host)
	for accel in kvm auto tcg; do
		write_config "$BATS_TEST_TMPDIR/$accel.toml" 2048 "accel = \"$accel\""
	done
	run_check 1 --host-root "$host" --kata-config "$BATS_TEST_TMPDIR/kvm.toml"
	assert_line "Checking KVM can boot the default guest: FAIL"
	run_check 0 --host-root "$host" --kata-config "$BATS_TEST_TMPDIR/auto.toml"
	assert_line "Checking KVM can boot the default guest: WARN"
	assert_output --partial 'accel = "auto": kata-runtime runs the VM under TCG'
	assert_line "Checking accelerator: PASS"
	# with tcg, even a host without /dev/kvm can run Kata
	nokvm=$(host_with_files intel-vm-nonested)
	run_check 1 --host-root "$nokvm" --kata-config "$BATS_TEST_TMPDIR/kvm.toml"
	run_check 0 --host-root "$nokvm" --kata-config "$BATS_TEST_TMPDIR/tcg.toml"
	assert_line "Checking /dev/kvm: WARN"
}

@test "the shipped configuration loads with no warning and names this build's files" {
	run_cmd 0 "$KC_BUILD/bin/toml-decode" <"$KC_BUILD/data/configuration.toml"
	run -0 check_json "$FIXTURES/intel-ready" '.configuration.file'
	assert_output --regexp '/configuration\.toml$'
	"$KATA_CHECK" --json --host-root "$FIXTURES/intel-ready" --kata-config "$KC_BUILD/data/configuration.toml" >"$BATS_TEST_TMPDIR/r.json" || true
	run jq -r '"\(.configuration.loaded) \(.configuration.warnings | length) \(.configuration.accel)"' "$BATS_TEST_TMPDIR/r.json"
	assert_output "true 0 auto"
}

@test "the installed configuration names only what make install installs (and QEMU's own programs)" {
	local cfg=$KC_BUILD/data/configuration.toml prefix p
	prefix=$(sed -n 's|^kernel = "\(.*\)/share/kata-containers/.*|\1|p' "$cfg")
	local installed="$prefix/share/kata-containers/vmlinux.container $prefix/share/kata-containers/vmlinuz.container
		$prefix/share/kata-containers/kata-containers-initrd.img $prefix/libexec/kata-containers/kata-proxy
		$prefix/libexec/kata-containers/kata-shim"
	for p in $(sed -n 's|^[a-z_]* = "\(/[^"]*\)".*|\1|p' "$cfg"); do
		case "$p" in
		/usr/bin/qemu-* | /usr/lib/qemu/*) continue ;; # Debian's qemu-system-x86
		esac
		grep -qw -- "$p" <<<"$installed" || fail "$cfg names $p, which make install does not install"
	done
}

# kata1_config FILE LINES...: a Kata 1 file, as Kata 1's packages shipped it
# (image, no initrd), with more [hypervisor.qemu] lines.
kata1_config() {
	local file=$1
	shift
	{
		printf '[hypervisor.qemu]\npath = "/usr/bin/qemu-system-x86_64"\n'
		printf 'kernel = "/usr/share/kata-containers/vmlinux.container"\n'
		printf '%s\n' "$@"
		printf '[proxy.kata]\npath = "/usr/libexec/kata-containers/kata-proxy"\n'
		printf '[shim.kata]\npath = "/usr/libexec/kata-containers/kata-shim"\n'
	} >"$file"
}

@test "Kata 1's image = is refused by name, not as 'both set'; only image and initrd both in the file conflict" {
	host=$(host_with_files)
	kata1_config "$BATS_TEST_TMPDIR/k1.toml" 'image = "/usr/share/kata-containers/kata-containers.img"'
	run_check 1 --verbose --host-root "$host" --kata-config "$BATS_TEST_TMPDIR/k1.toml"
	assert_line "Checking configuration values: FAIL"
	assert_output --partial "k1.toml:4: [hypervisor.qemu] image: a guest image (/usr/share/kata-containers/kata-containers.img) is not supported: a Kata 1 rootfs image runs Kata's gRPC agent, which this runtime does not speak"
	assert_output --partial 'remove image and set initrd = "'
	refute_output --partial "both set"
	# kata-env refuses for the same reason, naming the report item
	run --separate-stderr "$KC_BUILD/bin/kata-env" --json --host-root "$host" --kata-config "$BATS_TEST_TMPDIR/k1.toml"
	[ "$status" -eq 1 ]
	jq -e '.Refusal.Reasons | map(test("config.values.*gRPC agent")) | any' <<<"$output"
	kata1_config "$BATS_TEST_TMPDIR/both.toml" 'image = "/i.img"' 'initrd = "/usr/share/kata-containers/kata-containers-initrd.img"'
	run_check 1 --host-root "$host" --kata-config "$BATS_TEST_TMPDIR/both.toml"
	assert_output --partial "image and initrd are both set; set only one of them"
}

@test "every Kata 1.x key loads: Firecracker's and Cloud Hypervisor's shared keys, and settings with no effect are named with the reason" {
	host=$(host_with_files)
	kata1_config "$BATS_TEST_TMPDIR/k1.toml" 'initrd = "/usr/share/kata-containers/kata-containers-initrd.img"' \
		'jailer_path = "/usr/bin/jailer"' 'ctlpath = "/usr/bin/ch-remote"' 'enable_iothreads = true' \
		'block_device_driver = "virtio-blk"' 'enable_swap = false' 'enable_mem_prealloc = true' \
		'[factory]' 'enable_template = true' 'vm_cache_number = 2' '[agent.kata]' 'kernel_modules = ["e1000e"]' 'enable_tracing = true'
	run_check 0 --verbose --host-root "$host" --kata-config "$BATS_TEST_TMPDIR/k1.toml"
	refute_output --partial "unknown key"
	assert_line "Checking settings this runtime does not act on: WARN"
	assert_output --partial "k1.toml:5: [hypervisor.qemu] jailer_path: no effect here: a Firecracker setting"
	assert_output --partial "k1.toml:6: [hypervisor.qemu] ctlpath: no effect here: a Cloud Hypervisor setting"
	assert_output --partial "[hypervisor.qemu] block_device_driver: no effect here: container root filesystems reach the guest through the shared filesystem"
	assert_output --partial "[agent.kata] kernel_modules: no effect here: guest modules load on demand"
	# applied settings are not in the list; Kata 1's defaults written out are not either
	refute_output --partial "enable_mem_prealloc: no effect"
	refute_output --partial "enable_template: no effect"
	refute_output --partial "vm_cache_number: no effect"
	refute_output --partial "enable_swap: no effect"
}

# A reason is never cut: a path of almost 3 KiB comes out whole, with the
# remedy after it, from kata-check and from kata-runtime's refusal (on
# stderr and in the JSON log containerd reads).
@test "a refusal of any length comes out whole, remedy last" {
	local long=/nonexistent i
	for i in $(seq 14); do
		long+=/$(printf 'd%.0s' $(seq 200))
	done
	[ ${#long} -gt 2800 ]
	local cfg=$BATS_TEST_TMPDIR/long.toml
	sed "s|^kernel = .*|kernel = \"$long\"|" "$KC_BUILD/data/configuration-dev.toml" >"$cfg"
	local remedy='build and install the guest kernel and initrd (`make image && make install`), or fix the path'
	run -1 "$KATA_CHECK" --json --kata-config "$cfg"
	run -0 jq -r '.reasons[] | select(contains("config.hypervisor.qemu.kernel"))' <<<"$output"
	assert_output --partial "$long: No such file or directory; $remedy"

	local b=$BATS_TEST_TMPDIR/b
	mkdir -p "$b/rootfs"
	(cd "$b" && "$KC_BUILD/bin/kata-runtime" spec)
	jq '.process.terminal = false' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
	run -1 --separate-stderr "$KC_BUILD/bin/kata-runtime" --root "$BATS_TEST_TMPDIR/root" --kata-config "$cfg" \
		--log "$BATS_TEST_TMPDIR/log.json" --log-format json create --bundle "$b" long1
	[[ "$stderr" == *"$long: No such file or directory; $remedy"* ]]
	run -0 jq -r 'select(.level == "error") | .msg' "$BATS_TEST_TMPDIR/log.json"
	assert_output --partial "$long: No such file or directory; $remedy"
	[ ! -e "$BATS_TEST_TMPDIR/root/long1" ]

	# a file that cannot be parsed, at a path of 1.2 KiB: its error whole
	local dir=$BATS_TEST_TMPDIR
	for i in $(seq 6); do
		dir+=/$(printf 'e%.0s' $(seq 200))
	done
	mkdir -p "$dir"
	printf '[hypervisor.qemu]\npath = \n' >"$dir/bad.toml"
	run -1 "$KATA_CHECK" --json --kata-config "$dir/bad.toml"
	run -0 jq -r '.configuration.error' <<<"$output"
	assert_output --regexp "^$dir/bad.toml:2:.*found end of line\$"
}
