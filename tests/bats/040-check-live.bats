#!/usr/bin/env bats
# kata-check on the machine the tests run on. These exist to exercise the
# real probes (CPUID, libkmod, libudev, libpci, /dev/kvm ioctls), so they
# assert what holds on any machine rather than a particular verdict.

load helpers

@test "the live host gives a verdict and a well-formed report" {
	run timeout 30 "$KATA_CHECK"
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	[[ "${lines[-1]}" == "System is capable of running Kata Containers" ||
	   "${lines[-1]}" == "System is not capable of running Kata Containers" ]]
	for line in "${lines[@]}"; do
		[[ "$line" =~ ^Checking\ .*:\ (PASS|WARN|FAIL|SKIP)$ || "$line" =~ ^\ \ \ \  ||
		   "$line" =~ ^[0-9]+\ passed || "$line" =~ ^System\ is ]] || { echo "unexpected line: $line"; return 1; }
	done
}

@test "the live JSON report agrees with the exit status" {
	run timeout 30 "$KATA_CHECK" --json
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	echo "$output" | jq -e --argjson rc "$status" '.capable == ($rc == 0) and .facts.live == true'
	echo "$output" | jq -e '.facts.resources.kernel_release == "'"$(uname -r)"'"'
	echo "$output" | jq -e '.facts.cpu.arch == "'"$(uname -m)"'"'
}

@test "on x86 the live CPUID identifies the same vendor as /proc/cpuinfo" {
	[ "$(uname -m)" = x86_64 ] || skip "CPUID is x86 only"
	vendor=$(awk -F': ' '/^vendor_id/ {print $2; exit}' /proc/cpuinfo)
	run check_json / '.facts.cpu | "\(.cpuid.source) \(.vendor_id)"'
	assert_output "live $vendor"
}

@test "as root with /dev/kvm, the ioctls and the smoke guest run" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	[ -c /dev/kvm ] || skip "no /dev/kvm on this machine"
	run check_json / '.facts.kvm | "\(.source) \(.open) \(.api_version) \(.create_vm)"'
	assert_output "live ok 12 ok"
	run check_json / '.facts.kvm.smoke'
	[ "$(uname -m)" != x86_64 ] || assert_output "ok"
}

@test "a user who may not open /dev/kvm gets a warning, not a failure, for access" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch users"
	[ -c /dev/kvm ] || skip "no /dev/kvm on this machine"
	command -v setpriv >/dev/null || skip "setpriv not available"
	setpriv --reuid=65534 --regid=65534 --clear-groups test -r /dev/kvm -a -w /dev/kvm &&
		skip "/dev/kvm is open to everyone here"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$KATA_CHECK"
	assert_line "Checking access to /dev/kvm: WARN"
	assert_output --partial "uid 65534 may not open /dev/kvm"
}

@test "kata-check changes nothing: no module loaded, no file written" {
	before=$(cat /proc/modules 2>/dev/null | cut -d' ' -f1 | sort)
	touch "$BATS_TEST_TMPDIR/stamp"
	run timeout 30 "$KATA_CHECK" --json
	[ "$status" -le 3 ] || fail "kata-check exited $status: $output"
	after=$(cat /proc/modules 2>/dev/null | cut -d' ' -f1 | sort)
	[ "$before" = "$after" ]
	changed=$(find /etc /run -xdev -newer "$BATS_TEST_TMPDIR/stamp" -type f 2>/dev/null | grep -v '^/run/bats' | head -5)
	[ -z "$changed" ] || { echo "changed: $changed"; return 1; }
}
