#!/usr/bin/env bats
# kata-env: Kata 1's sections and keys, the configuration used and how it
# was adapted, in TOML and JSON; usable without syslog.

bats_require_minimum_version 1.5.0
load helpers

KATA_ENV=$KC_BUILD/bin/kata-env
TOML_DECODE=$KC_BUILD/bin/toml-decode
CONFIGS=$BATS_TEST_DIRNAME/../config

# A pvm-host copy with the files a configuration names.
pvm_host() {
	local host
	host=$(fixture_copy pvm-host)
	mkdir -p "$host/usr/bin" "$host/usr/share/kata-containers" "$host/usr/libexec/kata-containers" "$host/dev"
	printf '#!/bin/sh\nexit 0\n' >"$host/usr/bin/qemu-system-x86_64"
	chmod 755 "$host/usr/bin/qemu-system-x86_64"
	echo "$host"
}

config_with_accel() {
	cat >"$BATS_TEST_TMPDIR/$1.toml" <<-EOT
		[hypervisor.qemu]
		path = "/usr/bin/qemu-system-x86_64"
		accel = "$1"
		use_vsock = true
	EOT
	echo "$BATS_TEST_TMPDIR/$1.toml"
}

@test "kata-env --help, --version and usage errors" {
	run_cmd 0 "$KATA_ENV" --help
	assert_output --partial "--kata-show-default-config-paths"
	assert_output --partial "Exit status: 0 printed"
	run_cmd 0 "$KATA_ENV" --version
	assert_line --index 0 --regexp '^kata-env version [0-9]+\.[0-9]+\.[0-9]+'
	assert_line --index 1 --regexp '^commit: ([0-9a-f]+|unknown)$'
	run_cmd 2 "$KATA_ENV" --bogus
	assert_output --partial "unknown option '--bogus'"
	run_cmd 2 "$KATA_ENV" --host-root /nonexistent
}

@test "--kata-show-default-config-paths prints the chain's default locations in order" {
	run_cmd 0 "$KATA_ENV" --kata-show-default-config-paths
	assert_line --index 0 "/etc/kata-containers/configuration.toml"
	assert_line --index 1 --regexp '/share/defaults/kata-containers/configuration.toml$'
	[ "${#lines[@]}" -eq 2 ]
}

@test "the TOML output is valid TOML with Kata's sections and keys" {
	run_cmd 0 bash -c "'$KATA_ENV' --host-root '$FIXTURES/intel-ready' | '$TOML_DECODE'"
	for key in Meta.Version Runtime.Debug Runtime.Path Runtime.Config.Path Runtime.Version.OCI \
		Runtime.Version.Version.Semver Hypervisor.MachineType Hypervisor.Version Hypervisor.Path \
		Hypervisor.BlockDeviceDriver Hypervisor.Msize9p Hypervisor.UseVSock Image.Path Kernel.Path \
		Kernel.Parameters Initrd.Path Proxy.Type Proxy.Path Shim.Type Shim.Path Agent.Type \
		Host.Kernel Host.Architecture Host.VMContainerCapable Host.SupportVSocks Host.Distro.Name \
		Host.CPU.Vendor Host.CPU.Model Proxy.Version.Semver Proxy.Version.Major Shim.Version.Semver \
		Shim.Version.Commit Agent.Version.Semver; do
		echo "$output" | jq -e --arg k "$key" 'getpath($k | split(".")) != null' >/dev/null ||
			{ echo "missing $key"; return 1; }
	done
	echo "$output" | jq -e '.Host.Architecture.value == "amd64" and .Proxy.Type.value == "kataProxy"'
	echo "$output" | jq -e '.Runtime.Config.Path.value == "/etc/kata-containers/configuration.toml" and .Runtime.Config.Origin.value == "system"'
	echo "$output" | jq -e '.Host.VMContainerCapable.value == "true" and .Hypervisor.Accelerator.value == "kvm"'
}

@test "--json gives the same document" {
	toml=$("$KATA_ENV" --host-root "$FIXTURES/intel-ready" | "$TOML_DECODE" | jq -S 'paths(type != "object" and type != "array") | map(tostring) | join(".")' | sort -u)
	json=$("$KATA_ENV" --json --host-root "$FIXTURES/intel-ready" | jq -S 'paths(type != "object" and type != "array") | map(tostring) | join(".")' | sort -u)
	# the tagged TOML form nests each scalar one level deeper (.type, .value)
	toml_keys=$(sed -n 's/\.value"$/"/p' <<<"$toml" | sort -u)
	[ "$toml_keys" = "$json" ] || { diff <(echo "$toml_keys") <(echo "$json"); return 1; }
}

@test "adaptations are listed with their reason and report item" {
	host=$(pvm_host)
	cfg=$(config_with_accel auto)
	# 1: the fixture has none of the files the configuration names, so
	# kata-runtime would refuse; the environment and its adaptations are
	# printed all the same
	run --separate-stderr "$KATA_ENV" --json --host-root "$host" --kata-config "$cfg"
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.Refusal.Reasons | map(test("guest kernel")) | any'
	[[ "$stderr" == *"guest kernel"* ]]
	echo "$output" | jq -e '.Hypervisor.AcceleratorSetting == "auto" and .Hypervisor.Accelerator == "tcg"'
	echo "$output" | jq -e '.Adaptation[] | select(.Key == "hypervisor.qemu.accel") | .To == "tcg" and .ReportItem == "kvm.guest" and (.Reason | test("kvm_pvm"))'
	echo "$output" | jq -e '.Adaptation[] | select(.Key == "hypervisor.qemu.use_vsock") | .To == "false" and .ReportItem == "devices.vhost-vsock"'
	echo "$output" | jq -e '.Hypervisor.UseVSock == false and .Hypervisor.DisableVhostNet == true'
	echo "$output" | jq -e '[.Host.Readiness.Problems[] | select(test("kvm.guest"))] | length == 1'
}

@test "a configuration that cannot run here is refused naming the report item" {
	host=$(pvm_host)
	cfg=$(config_with_accel kvm)
	run "$KATA_ENV" --json --host-root "$host" --kata-config "$cfg"
	[ "$status" -eq 1 ]
	assert_output --partial "KVM unusable: KVM is provided by kvm_pvm"
	assert_output --partial "(report item kvm.guest)"
	assert_output --partial "set accel = \\\"tcg\\\" in $cfg"
}

@test "no configuration: the chain's error on stderr, exit 1, the environment still printed" {
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	unset KATA_CONF_FILE
	run "$KATA_ENV" --host-root "$BATS_TEST_TMPDIR/empty"
	[ "$status" -eq 1 ]
	assert_output --partial "no configuration file found"
	assert_output --partial "[Hypervisor]"
}

@test "Kata 1's configuration-qemu.toml layout loads with no unknown-key warning; its image is refused by name" {
	# loads, but names files this fixture does not have and a Kata 1 guest
	# image: kata-env says what kata-runtime would, and exits 1 as kata-check does
	run --separate-stderr "$KATA_ENV" --json --host-root "$FIXTURES/intel-ready" --kata-config "$CONFIGS/kata1-configuration-qemu.toml"
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.Refusal.Reasons | map(test("qemu-vanilla-system-x86_64: No such file")) | any'
	echo "$output" | jq -e '.Refusal.Reasons | map(test("runs Kata.s gRPC agent, which this runtime does not speak")) | any'
	echo "$output" | jq -e '.Runtime.Config.Loaded == true and (.Runtime.Config.Warnings | length) == 0'
	echo "$output" | jq -e '.Hypervisor.MachineType == "pc" and .Image.Path == "/usr/share/kata-containers/kata-containers.img"'
	run_cmd 1 "$KATA_CHECK" --host-root "$FIXTURES/intel-ready" --kata-config "$CONFIGS/kata1-configuration-qemu.toml"
	refute_output --partial "Checking configuration keys"
	assert_line "Checking configuration file: PASS"
}

@test "kata-env runs without a syslog socket (it never opens /dev/log)" {
	command -v strace >/dev/null || skip "strace not installed"
	# LeakSanitizer cannot run under ptrace; leaks are checked by every other test
	ASAN_OPTIONS=detect_leaks=0 run strace -f -qq -e trace=connect,sendto,sendmsg -o "$BATS_TEST_TMPDIR/trace" \
		"$KATA_ENV" --host-root "$FIXTURES/intel-ready"
	[ "$status" -eq 0 ]
	assert_output --partial "[Host]"
	run grep -c '/dev/log' "$BATS_TEST_TMPDIR/trace"
	assert_output "0"
}

@test "Kata 1's field shapes: format 1.0.24, version tables from the binaries, the distribution's NAME, the real runtime path, no Netmon without kata-netmon" {
	run --separate-stderr "$KATA_ENV" --json --host-root "$FIXTURES/intel-ready"
	jq -e '.Meta.Version == "1.0.24"' <<<"$output"
	jq -e '.Host.Distro.Name == "Debian" and .Host.Distro.Version == "12"' <<<"$output"
	jq -e 'has("Netmon") | not' <<<"$output"
	# another root's binaries are never run: Kata 1's unknown version
	jq -e '.Shim.Version == {"Semver": "<<unknown>>", "Major": 0, "Minor": 0, "Patch": 0, "Commit": "<<unknown>>"}' <<<"$output"
	# on this host, with this build's programs: the tables come from --version
	run -0 --separate-stderr "$KATA_ENV" --json --kata-config "$KC_BUILD/data/configuration-dev.toml"
	version=$(cat "$BATS_TEST_DIRNAME/../../VERSION")
	IFS=. read -r major minor patch <<<"$version"
	for c in Proxy Shim; do
		jq -e --arg c "$c" --arg v "$version" --argjson ma "$major" --argjson mi "$minor" --argjson pa "$patch" \
			'.[$c].Version | .Semver == $v and .Major == $ma and .Minor == $mi and .Patch == $pa and (.Commit | test("^[0-9a-f]+"))' <<<"$output"
	done
	jq -e --arg p "$(readlink -f "$KC_BUILD/bin/kata-runtime")" '.Runtime.Path == $p' <<<"$output"
}
