#!/usr/bin/env bats
# A --host-root tree is untrusted: symlinks in it (absolute, or climbing
# with ..) and special files in place of regular ones must not make
# kata-check read, or kata-setup write, anything outside it. Each test
# points the tree at a canary outside and checks the canary's effect and
# content.

load helpers

KATA_SETUP=$KC_BUILD/bin/kata-setup
FAKE_KERNEL=$KC_BUILD/tests/libfakekernel.so

setup() {
	OUT=$BATS_TEST_TMPDIR/outside
	mkdir -p "$OUT"
	HOST=$(fixture_copy amd-unloaded)
}

blacklisted() {
	check_json "$HOST" ".facts.modules.modules.$1.blacklisted"
}

@test "kata-check: modprobe.d symlinks out of the host root are not read by libkmod" {
	# what the host root itself says is read (the fixture blacklists vhost_vsock)
	assert_equal "$(blacklisted vhost_vsock)" true
	assert_equal "$(blacklisted vhost_net)" false
	# a blacklist outside, reached by an absolute and by a climbing symlink
	echo "blacklist vhost_net" >"$OUT/evil.conf"
	ln -s "$OUT/evil.conf" "$HOST/etc/modprobe.d/absolute.conf"
	ln -s "../../../../../../../../../../../../$OUT/evil.conf" "$HOST/etc/modprobe.d/climbing.conf"
	assert_equal "$(blacklisted vhost_net)" false
	# the same file inside the host root is read, so the test can fail
	cp "$OUT/evil.conf" "$HOST/etc/modprobe.d/inside.conf"
	assert_equal "$(blacklisted vhost_net)" true
}

@test "kata-check: a FIFO in place of a module index or a modprobe.d file does not hang it" {
	mkfifo "$OUT/fifo"
	ln -s "$OUT/fifo" "$HOST/etc/modprobe.d/fifo.conf"
	mkfifo "$HOST/etc/modprobe.d/local-fifo.conf"
	run_check 1 --host-root "$HOST" --json
	jq -e '.facts.modules.modules.vhost_vsock.blacklisted' <<<"$output"
	# a FIFO as modules.dep.bin: libkmod would block reading it
	local dep
	dep=$(find "$HOST/lib/modules" -name modules.dep.bin | head -1)
	rm "$dep"
	mkfifo "$dep"
	run timeout 60 "$KATA_CHECK" --host-root "$HOST" --json
	[ "$status" -ne 124 ]
	jq -e '.facts.modules.database_error | test("modules.dep.bin is not a regular file")' <<<"$output"
}

@test "kata-check: a FIFO as proc/cmdline (which libkmod reads) does not stall it" {
	rm -f "$HOST/proc/cmdline"
	mkfifo "$HOST/proc/cmdline"
	# libkmod's confined child gave up after 20 s; nothing waits now
	run timeout 15 "$KATA_CHECK" --host-root "$HOST" --json
	[ "$status" -ne 124 ]
	# and the module database was read all the same
	jq -e '.facts.modules.modules.vhost_vsock.blacklisted' <<<"$output"
	jq -e '.facts.modules.database_error == null or .facts.modules.database_error == ""' <<<"$output"
}

@test "kata-setup: writes under an absolute symlink land inside the host root, never outside" {
	export KC_FAKE_ROOT=$HOST KC_FAKE_LOG=$BATS_TEST_TMPDIR/kernel.log
	: >"$KC_FAKE_LOG"
	# on the node, /etc/kata-containers is a symlink to a directory elsewhere
	mkdir -p "$HOST$OUT"
	ln -s "$OUT" "$HOST/etc/kata-containers"
	echo canary >"$OUT/keep"
	# (1: the fixture lacks the runtime's binaries, so the node stays not capable)
	ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD=$FAKE_KERNEL run_cmd 1 "$KATA_SETUP" --host-root "$HOST"
	assert_output --partial "[done] install /etc/kata-containers/configuration.toml: written"
	# the node's symlink is followed inside the node's tree
	[ -f "$HOST$OUT/configuration.toml" ]
	grep -q "Installed by kata-setup" "$HOST$OUT/configuration.toml"
	# nothing appeared, changed or went outside
	assert_equal "$(ls -A "$OUT")" keep
	assert_equal "$(cat "$OUT/keep")" canary
	# --undo removes it the same way
	ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD=$FAKE_KERNEL run_cmd 0 "$KATA_SETUP" --host-root "$HOST" --undo
	assert_output --partial "configuration.toml"
	[ ! -e "$HOST$OUT/configuration.toml" ]
	assert_equal "$(ls -A "$OUT")" keep
}

@test "kata-setup: a climbing symlink and a FIFO in place of its files are refused cleanly" {
	export KC_FAKE_ROOT=$HOST KC_FAKE_LOG=$BATS_TEST_TMPDIR/kernel.log
	: >"$KC_FAKE_LOG"
	ln -s "../../../../../../../../../../../..$OUT" "$HOST/etc/kata-containers"
	# its target does not exist in the node's tree: an error, nothing outside
	ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD=$FAKE_KERNEL run_cmd 1 "$KATA_SETUP" --host-root "$HOST"
	assert_output --partial "[failed] install /etc/kata-containers/configuration.toml: cannot create the directory"
	assert_equal "$(ls -A "$OUT")" ""
	mkdir -p "$HOST$OUT"
	ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD=$FAKE_KERNEL run_cmd 1 "$KATA_SETUP" --host-root "$HOST"
	[ -f "$HOST$OUT/configuration.toml" ]
	assert_equal "$(ls -A "$OUT")" ""
	# a FIFO where the configuration would be backed up from: no hang
	rm -rf "$HOST/etc/kata-containers"
	mkdir -p "$HOST/etc/kata-containers"
	mkfifo "$HOST/etc/kata-containers/configuration.toml"
	run timeout 60 env ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD=$FAKE_KERNEL "$KATA_SETUP" --host-root "$HOST" --force
	[ "$status" -ne 124 ]
	assert_output --partial "configuration.toml"
}
