#!/usr/bin/env bats
# kata-check's command line: help, version, and usage errors (exit 2).

load helpers

@test "kata-check --help describes every option and the exit codes" {
	run_check 0 --help
	for opt in --json --quiet --verbose --strict --host-root --color --no-color --version; do
		assert_output --partial -- "$opt"
	done
	assert_output --partial "Exit status: 0 capable and ready, 1 not capable"
	assert_output --partial "3 capable but no configuration installed yet"
}

@test "kata-check --version prints the version" {
	run_check 0 --version
	assert_line --index 0 --regexp '^kata-check version [0-9]+\.[0-9]+\.[0-9]+'
}

@test "an unknown option is a usage error" {
	run_check 2 --frobnicate
	assert_output --partial "unknown option '--frobnicate'"
	assert_output --partial "Try 'kata-check --help'"
}

@test "an unexpected argument is a usage error" {
	run_check 2 extra
	assert_output --partial "unexpected argument 'extra'"
}

@test "--host-root without a value is a usage error" {
	run_check 2 --host-root
	assert_output --partial "needs an argument"
}

@test "--host-root that does not exist is a usage error naming it" {
	run_check 2 --host-root /nonexistent/host
	assert_output --partial "--host-root"
	assert_output --partial "/nonexistent/host"
}

@test "--host-root that is a file is a usage error" {
	touch "$BATS_TEST_TMPDIR/file"
	run_check 2 --host-root "$BATS_TEST_TMPDIR/file"
	assert_output --partial "not a directory"
}

@test "--quiet and --verbose together are refused" {
	run_check 2 --quiet --verbose --host-root "$FIXTURES/intel-ready"
	assert_output --partial "cannot be combined"
}

@test "--color takes auto, always or never" {
	run_check 2 --color=sometimes
	assert_output --partial "'sometimes' is not auto, always or never"
	run_check 0 --color=always --host-root "$FIXTURES/intel-ready"
	assert_output --partial $'\033[32mPASS'
	run_check 0 --color=never --host-root "$FIXTURES/intel-ready"
	refute_output --partial $'\033['
}

@test "no colour when the output is not a terminal, or with NO_COLOR" {
	run_check 0 --host-root "$FIXTURES/intel-ready"
	refute_output --partial $'\033['
	NO_COLOR=1 run_cmd 0 script -qec "$KATA_CHECK --host-root $FIXTURES/intel-ready" /dev/null
	refute_output --partial $'\033['
	TERM=xterm run_cmd 0 script -qec "$KATA_CHECK --host-root $FIXTURES/intel-ready" /dev/null
	assert_output --partial $'\033['
}

@test "Kata 1's kata-check flags: -n is accepted (no check uses the network), release look-ups are refused" {
	run_check 0 -n --host-root "$FIXTURES/intel-ready"
	assert_line "System is capable of running Kata Containers"
	run_check 0 --no-network-checks --verbose --strict --host-root "$FIXTURES/intel-ready"
	for opt in --check-version-only --only-list-releases --include-all-releases; do
		run_cmd 2 "$KATA_CHECK" "$opt"
		assert_output "kata-check: $opt: not supported: kata-check does not look up releases (it never uses the network)"
	done
	# as kata-runtime's subcommand too
	run_cmd 0 "$KC_BUILD/bin/kata-runtime" kata-check -n --host-root "$FIXTURES/intel-ready"
}
