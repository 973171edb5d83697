# Shared helpers for the command-level tests.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

KC_BUILD=${KC_BUILD:-$(cd "$BATS_TEST_DIRNAME/../../build" && pwd)}
KATA_CHECK=$KC_BUILD/bin/kata-check
FIXTURES=$KC_BUILD/fixtures/hosts

# run_cmd EXPECTED_STATUS COMMAND [ARGS...]
# Run with a timeout (a hang is a failure) and check the exit status.
run_cmd() {
	local expected=$1
	shift
	run timeout 30 "$@"
	if [ "$status" -ne "$expected" ]; then
		echo "expected exit status $expected, got $status from: $*" >&2
		echo "$output" >&2
		return 1
	fi
}

# run_check EXPECTED_STATUS [kata-check ARGS...]
run_check() {
	local expected=$1
	shift
	run_cmd "$expected" "$KATA_CHECK" "$@"
}

# A private, writable copy of a fixture host; prints its path.
fixture_copy() {
	local dst=$BATS_TEST_TMPDIR/$1
	rm -rf "$dst"
	cp -a "$FIXTURES/$1" "$dst"
	echo "$dst"
}

# check_json HOST_ROOT JQ_FILTER: kata-check --json on a host, filtered by jq.
check_json() {
	"$KATA_CHECK" --host-root "$1" --json | jq -r "$2"
}
