# Helpers for kata-runtime's tests: bundles with a busybox rootfs, the
# runtime with a private --root and the configuration of the build tree,
# and the check that nothing is left behind.

load vm

DEV_CONFIG=$KC_BUILD/data/configuration-dev.toml
KATA_RUNTIME=$KC_BUILD/bin/kata-runtime

# kr ARGS: kata-runtime with this test's root and configuration, bounded.
kr() {
	timeout 120 "$KATA_RUNTIME" --root "$KR_ROOT" --kata-config "${KR_CONFIG:-$DEV_CONFIG}" "$@"
}

setup_runtime() {
	require_guest
	export KR_ROOT=$BATS_TEST_TMPDIR/root
	mkdir -p "$KR_ROOT"
	# a sanitized build's reports (leaks included) go to files, from every
	# process of ours (runtime, proxy, shims), whatever its exit status
	export ASAN_OPTIONS="log_path=$BATS_TEST_TMPDIR/sanitizer:${ASAN_OPTIONS:-}"
	export UBSAN_OPTIONS="log_path=$BATS_TEST_TMPDIR/sanitizer:print_stacktrace=1:${UBSAN_OPTIONS:-}"
}

# No sanitizer report from any process of this test so far (in DIR, by
# default the test's directory).
assert_no_sanitizer_reports() {
	local f
	for f in "${1:-$BATS_TEST_TMPDIR}"/sanitizer.*; do
		[ -e "$f" ] || continue
		echo "sanitizer report $f:" >&2
		cat "$f" >&2
		return 1
	done
	return 0
}

# assert_no_processes PATTERN: no process matches (pgrep -f) within 10 s.
# Under containerd, QEMU and kata-proxy are re-parented to it (a
# subreaper), which reaps them a moment after they exit.
assert_no_processes() {
	local i
	for i in $(seq 100); do
		pgrep -f "$1" >/dev/null || return 0
		sleep 0.1
	done
	echo "processes left:" >&2
	pgrep -af "$1" >&2
	return 1
}

# make_bundle DIR ARGS...: a bundle running ARGS (JSON strings), no terminal.
make_bundle() {
	local dir=$1
	shift
	mkdir -p "$dir"
	if [ ! -d "$BATS_FILE_TMPDIR/rootfs" ]; then
		busybox_rootfs "$BATS_FILE_TMPDIR/rootfs"
	fi
	cp -a "$BATS_FILE_TMPDIR/rootfs" "$dir/rootfs"
	rm -f "$dir/config.json"
	"$KATA_RUNTIME" spec --bundle "$dir"
	local args
	args=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
	jq --argjson a "$args" '.process.args = $a | .process.terminal = false | .root.readonly = false' \
		"$dir/config.json" >"$dir/config.tmp" && mv "$dir/config.tmp" "$dir/config.json"
}

# bundle_set DIR JQ_EXPRESSION: edit the bundle's config.json.
bundle_set() {
	jq "$2" "$1/config.json" >"$1/config.tmp" && mv "$1/config.tmp" "$1/config.json"
}

# The VM directory kata-runtime uses for a sandbox id under KR_ROOT.
vm_dir_of() {
	local f
	for f in /run/kata-containers/.vm/*/qemu.pid; do
		[ -e "$f" ] || continue
		tr '\0' ' ' <"/proc/$(cut -d' ' -f1 "$f")/cmdline" 2>/dev/null | grep -qF -- "-name sandbox-$1 " &&
			dirname "$f"
	done
	return 0
}

# Other sandboxes may run on this machine (another test suite, a user's
# pods): a test answers only for what it made. What was in
# /run/kata-containers/.vm when this test began is not its own.
KC_VM_BEFORE=$({ ls -A /run/kata-containers/.vm; ls -A /run/kata-containers/.vm/.uids; } 2>/dev/null |
	grep -vx .uids | sort -u)

# The VM directory's name of sandbox ID under --root ROOT (runtime/vm_dir.c:
# FNV-1a of "ROOT/ID" from the runtime's basis).
vm_dir_name() {
	local s="$1/$2" h=1469598103934665603 i c
	for ((i = 0; i < ${#s}; i++)); do
		printf -v c '%d' "'${s:i:1}"
		h=$(((h ^ c) * 1099511628211))
	done
	printf '%016x\n' "$h"
}

# What the runtime left in /run/kata-containers/.vm since this test began:
# VM directories and QEMU users' claims that were not there before. For the
# suites whose sandboxes a client names (containerd, CRI); a test that knows
# its sandboxes' ids checks those instead (assert_clean ID...), so that a
# sandbox someone else starts meanwhile is never taken for its leftover.
vm_dirs_left() {
	{ ls -A /run/kata-containers/.vm; ls -A /run/kata-containers/.vm/.uids; } 2>/dev/null |
		grep -vx .uids | sort -u | comm -23 - <(echo "$KC_VM_BEFORE")
	return 0
}

# assert_vm_gone ROOT ID...: no VM directory, QEMU user's claim or mount
# left of the sandboxes ID made under --root ROOT - found by their names,
# so that a sandbox someone else runs meanwhile is never taken for ours.
assert_vm_gone() {
	local root=$1 id d left=() mounts=""
	shift
	for id in "$@"; do
		d=$(vm_dir_name "$root" "$id")
		if [ -e "/run/kata-containers/.vm/$d" ] || [ -e "/run/kata-containers/.vm/.uids/$d" ]; then
			left+=("$d ($id)")
		fi
		mounts+=$(grep -F " /run/kata-containers/.vm/$d/" /proc/self/mountinfo || true)
	done
	if [ ${#left[@]} -gt 0 ]; then
		echo "VM directories or QEMU users left: ${left[*]}" >&2
		find /run/kata-containers/.vm -maxdepth 3 >&2
		return 1
	fi
	if [ -n "$mounts" ]; then
		echo "mounts left:" >&2
		echo "$mounts" >&2
		return 1
	fi
	return 0
}

# assert_clean ID...: no state, no processes, no VM directory, claim or
# mount left for these containers and sandboxes (under $KR_ROOT).
assert_clean() {
	assert_no_sanitizer_reports || return 1
	[ $# -gt 0 ] || { echo "assert_clean: name the ids the test made" >&2; return 1; }
	local id
	for id in "$@"; do
		if [ -e "$KR_ROOT/$id" ]; then
			echo "state of $id left: $(ls -la "$KR_ROOT/$id")" >&2
			return 1
		fi
		# a sandbox's record and its lock go with it, a failed create's too
		if [ -e "$KR_ROOT/.sandboxes/$id.json" ] || [ -e "$KR_ROOT/.sandboxes/$id.lock" ]; then
			echo "sandbox record of $id left: $(ls -la "$KR_ROOT/.sandboxes")" >&2
			return 1
		fi
		if pgrep -f -- "sandbox-$id( |$)" >/dev/null || pgrep -f -- "--container $id( |$)" >/dev/null ||
			pgrep -f -- "--sandbox $id( |$)" >/dev/null; then
			echo "processes of $id left:" >&2
			pgrep -af -- "$id" >&2
			return 1
		fi
	done
	assert_vm_gone "$KR_ROOT" "$@"
}

# Whatever a failed test left: every container under $KR_ROOT deleted by
# force, and make_netns's namespace and veth.
teardown_runtime() {
	local id
	for id in $(ls "$KR_ROOT" 2>/dev/null); do kr delete --force "$id" >/dev/null 2>&1 || true; done
	if [ -n "${NETNS:-}" ]; then
		ip netns del "$NETNS" 2>/dev/null || true
		ip link del "${VETH:-none}" 2>/dev/null || true
	fi
}

# A network namespace as a CNI plugin leaves it: eth0 (a veth to the host,
# 10.123.45.2/24, the host end 10.123.45.1) and a default route. The
# caller's teardown removes $NETNS and $VETH.
make_netns() {
	NETNS=kt$$
	VETH=kv$$h
	ip netns add "$NETNS"
	ip link add "$VETH" type veth peer name eth0 netns "$NETNS"
	ip addr add 10.123.45.1/24 dev "$VETH"
	ip link set "$VETH" up
	ip -n "$NETNS" addr add 10.123.45.2/24 dev eth0
	ip -n "$NETNS" link set eth0 up
	ip -n "$NETNS" link set lo up
	ip -n "$NETNS" route add default via 10.123.45.1
}

# containerd_start DIR: a containerd of the caller's own, its CRI plugin
# off (tests/clients/containerd-start).
containerd_start() {
	"$BATS_TEST_DIRNAME/../clients/containerd-start" "$1" "$KC_BUILD"
}
