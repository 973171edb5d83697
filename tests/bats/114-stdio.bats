#!/usr/bin/env bats
# A container's output on its way out of the VM (issue 28): the agent
# splices it from the process's pipe to the channel, the shims grant
# credit in quarters of a 1 MiB window. Every byte must come out once, in
# order, on its own stream; a flood must not hold up another process of
# the pod, nor one whose reader has stopped reading.

bats_require_minimum_version 1.5.0
load helpers
load runtime

setup() {
	setup_runtime
	B=$BATS_TEST_TMPDIR/bundle
}

teardown() {
	teardown_runtime
}

@test "stdio: output comes out whole and in order: large and small writes, stdout and stderr apart, run and exec" {
	make_bundle "$B" sh -c 'dd if=/dev/urandom of=/tmp/r bs=1M count=24 2>/dev/null; md5sum </tmp/r >&2; cat /tmp/r'
	# run in the foreground: the container's own output, 24 MiB in 1 MiB writes
	kr run --bundle "$B" io1 </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>"$BATS_TEST_TMPDIR/run.err"
	assert_equal "$(md5sum <"$BATS_TEST_TMPDIR/run.out")" "$(grep -o '^[0-9a-f]\{32\}  -$' "$BATS_TEST_TMPDIR/run.err")"
	assert_equal "$(stat -c %s "$BATS_TEST_TMPDIR/run.out")" $((24 << 20))
	kr delete --force io1
	assert_clean io1

	make_bundle "$B" sleep 1000
	kr run --detach --bundle "$B" io2 </dev/null >/dev/null 2>&1
	kr exec io2 sh -c 'dd if=/dev/urandom of=/dev/shm/r bs=1M count=16 2>/dev/null; md5sum </dev/shm/r' >"$BATS_TEST_TMPDIR/sum"
	# the same bytes on both streams at once: each arrives whole on its own
	kr exec io2 sh -c 'cat /dev/shm/r & cat /dev/shm/r >&2; wait' >"$BATS_TEST_TMPDIR/o" 2>"$BATS_TEST_TMPDIR/e"
	assert_equal "$(md5sum <"$BATS_TEST_TMPDIR/o")" "$(cat "$BATS_TEST_TMPDIR/sum")"
	assert_equal "$(md5sum <"$BATS_TEST_TMPDIR/e")" "$(cat "$BATS_TEST_TMPDIR/sum")"
	# many small writes (a line each): none lost, none reordered
	kr exec io2 seq 1 300000 >"$BATS_TEST_TMPDIR/seq"
	cmp "$BATS_TEST_TMPDIR/seq" <(seq 1 300000)
	# a reader of a few bytes at a time still gets it all
	kr exec io2 cat /dev/shm/r | dd bs=7 2>/dev/null | md5sum >"$BATS_TEST_TMPDIR/slow"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/slow")" "$(cat "$BATS_TEST_TMPDIR/sum")"
	# repeated execs: each one complete
	local round
	for round in 1 2 3; do
		assert_equal "$(kr exec io2 cat /dev/shm/r | md5sum)" "$(cat "$BATS_TEST_TMPDIR/sum")"
	done
	kr delete --force io2
	assert_clean io2
}

@test "stdio: a flood, read or not read on the host, does not stall another exec of the pod" {
	make_bundle "$B" sleep 1000
	kr run --detach --bundle "$B" fl1 </dev/null >/dev/null 2>&1
	# a flood nobody reads: its kata-shim blocks on a full pipe, the agent
	# runs out of that stream's credit and must keep serving the others
	mkfifo "$BATS_TEST_TMPDIR/stuck"
	exec 7<>"$BATS_TEST_TMPDIR/stuck"
	kr exec fl1 yes a flood nobody reads >"$BATS_TEST_TMPDIR/stuck" 2>/dev/null &
	local stuck=$!
	# a flood read as fast as it comes
	kr exec fl1 sh -c 'dd if=/dev/zero bs=1M count=300 2>/dev/null' >/dev/null &
	local fast=$!
	sleep 1
	# (not `i`: bats' run sets it)
	local round
	for round in 1 2 3 4 5; do
		run -0 timeout 30 "$KATA_RUNTIME" --root "$KR_ROOT" --kata-config "$DEV_CONFIG" exec fl1 echo "beside the flood $round"
		assert_output "beside the flood $round"
	done
	run -0 timeout 30 "$KATA_RUNTIME" --root "$KR_ROOT" --kata-config "$DEV_CONFIG" exec fl1 sh -c 'head -c 3000000 /dev/zero | wc -c'
	assert_output 3000000
	# the stuck stream still moves once read
	run -0 timeout 30 dd if="$BATS_TEST_TMPDIR/stuck" of=/dev/null bs=64k count=100 iflag=fullblock
	wait "$fast"
	kill "$stuck" 2>/dev/null || true
	exec 7<&-
	wait "$stuck" || true
	kr delete --force fl1
	assert_clean fl1
}
