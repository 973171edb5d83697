#!/usr/bin/env bats
# kata-runtime on input an attacker or a broken caller would give it: special
# files where it reads JSON, identifiers that would name its own entries or
# climb out of --root, and config.json and configuration.toml values that
# are the wrong type or out of range. Each is an error naming the file,
# field or argument, fast (no VM is booted), with nothing left behind.

load helpers
load runtime

setup() {
	setup_runtime
	B=$BATS_TEST_TMPDIR/bundle
	make_bundle "$B" true
}

# refused ID SUBSTRING: create fails within seconds, saying SUBSTRING, and
# leaves nothing (no state, no VM).
refused() {
	local id=$1 want=$2
	local t0=$SECONDS
	run kr create --bundle "$B" "$id"
	# 1 exactly: a sanitized build's leak report (LeakSanitizer) exits 23
	assert_equal "$status" 1
	assert_output --partial "$want"
	refute_output --partial "Sanitizer"
	[ $((SECONDS - t0)) -lt 5 ]
	assert_clean "$id"
}

@test "hostile input: a FIFO or a symlink out of the bundle as config.json" {
	mv "$B/config.json" "$B/real.json"
	mkfifo "$B/config.json"
	refused f1 "config.json: not a regular file"
	rm "$B/config.json"
	echo '{"ociVersion":"1.0.2","root":{"path":"/"}}' >"$BATS_TEST_TMPDIR/outside.json"
	ln -s ../outside.json "$B/config.json"
	refused f1 "config.json: a symbolic link out of the bundle to ../outside.json; the configuration must be a file in the bundle"
	rm "$B/config.json"
	ln -s /etc/hostname "$B/config.json"
	refused f1 "config.json: a symbolic link out of the bundle to /etc/hostname"
	rm "$B/config.json"
	ln -s loop.json "$B/config.json"
	ln -s config.json "$B/loop.json"
	refused f1 "config.json: a symbolic link loop to loop.json"
	rm "$B/config.json" "$B/loop.json"
	# a symlink inside the bundle is fine (the shim keeps create's stdout:
	# a file, not the test's pipe)
	ln -s real.json "$B/config.json"
	kr create --bundle "$B" f1 </dev/null >"$BATS_TEST_TMPDIR/create.log" 2>&1
	kr delete --force f1
	assert_clean f1
}

@test "hostile input: a FIFO or a symlink as state.json does not hang state, list or delete" {
	mkdir -p "$KR_ROOT/st1" "$KR_ROOT/st2"
	mkfifo "$KR_ROOT/st1/state.json"
	ln -s /etc/passwd "$KR_ROOT/st2/state.json"
	run timeout 10 "$KATA_RUNTIME" --root "$KR_ROOT" state st1
	assert_failure
	assert_output --partial "st1/state.json: not a regular file"
	run timeout 10 "$KATA_RUNTIME" --root "$KR_ROOT" state st2
	assert_failure
	assert_output --partial "st2/state.json"
	run timeout 10 "$KATA_RUNTIME" --root "$KR_ROOT" list
	assert_success
	run timeout 10 "$KATA_RUNTIME" --root "$KR_ROOT" delete --force st1
	assert_success
	run timeout 10 "$KATA_RUNTIME" --root "$KR_ROOT" delete --force st2
	assert_success
	[ ! -e "$KR_ROOT/st1" ] && [ ! -e "$KR_ROOT/st2" ]
	[ -f /etc/passwd ]
}

@test "hostile input: ids cannot climb out of --root or name the runtime's own entries" {
	mkdir -p "$BATS_TEST_TMPDIR/outside"
	for id in ../x ../../outside .sandboxes .vm . .. "a b" ""; do
		run kr create --bundle "$B" "$id"
		assert_failure
		assert_output --partial "invalid container id"
		run kr delete --force "$id"
		assert_failure
	done
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/outside")" ]
	# "vm" is an id like any other: deleting it touches no VM directory
	mkdir -p /run/kata-containers/.vm
	run kr delete --force vm
	assert_success
	[ -d /run/kata-containers/.vm ]
	# the sandbox id of a pod member, from an annotation, is an id too
	for sid in ../../x ../outside .sandboxes; do
		bundle_set "$B" ".annotations = {\"io.kubernetes.cri.container-type\": \"container\", \"io.kubernetes.cri.sandbox-id\": \"$sid\"}"
		refused m1 "annotation io.kubernetes.cri.sandbox-id: invalid sandbox id '$sid'"
	done
	bundle_set "$B" '.annotations = {"io.kubernetes.cri-o.ContainerType": "container", "io.kubernetes.cri-o.SandboxID": "../../x"}'
	refused m1 "annotation io.kubernetes.cri-o.SandboxID: invalid sandbox id"
	[ ! -e "$KR_ROOT/../x" ] && [ ! -e "$KR_ROOT/.sandboxes/../../x.json" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/outside")" ]
}

@test "hostile input: config.json is checked whole, with types, before a VM boots" {
	local base=$BATS_TEST_TMPDIR/base.json
	cp "$B/config.json" "$base"
	check() {
		jq "$1" "$base" >"$B/config.json"
		refused t1 "$2"
	}
	check '.linux = 5' "linux: must be an object"
	check '.hooks = "x"' "hooks: must be an object"
	check '.process.capabilities.bounding += ["CAP_FROBNICATE"]' "process.capabilities.bounding[3]: unknown capability 'CAP_FROBNICATE'"
	check '.hooks.prestart = [{"path": "relative/hook"}]' "hooks.prestart[0].path: 'relative/hook' is not an absolute path"
	check '.mounts += [{"destination": "/data", "type": "bind", "source": "/no/such/source", "options": ["rbind"]}]' \
		"mounts[7].source: /no/such/source: No such file or directory"
	check '.mounts[0].options = "ro"' "mounts[0].options: must be an array"
	check '.process.user.uid = -1' "process.user.uid: -1 is out of range"
	check '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 10, "soft": 20}]' "soft limit above the hard limit"
	check '.linux.namespaces += [{"type": "pid"}]' "the pid namespace is listed twice"
	check '.linux.namespaces += [{"type": "frob"}]' "'frob' is not a namespace type"
	check '.linux.resources.memory.limit = 4503599627370496' \
		"linux.resources.memory.limit: 4503599627370496 is out of range (0 to 1125899906842624 bytes, or -1 for no limit)"
	# INT64_MAX, written as text (jq would round it)
	jq '.linux.resources.memory.limit = 123454321' "$base" | sed 's/123454321/9223372036854775807/' >"$B/config.json"
	refused t1 "linux.resources.memory.limit: 9223372036854775807 is out of range"
	check '.linux.resources.cpu.quota = -7' "linux.resources.cpu.quota: -7 is out of range"
	check '.linux.resources.cpu.period = 10' "linux.resources.cpu.period: 10 is out of range (1000 to 1000000 microseconds)"
	check '.linux.resources.cpu.shares = 1' "linux.resources.cpu.shares: 1 is out of range (2 to 262144)"
	check '.linux.resources.cpu.cpus = "0-x"' "linux.resources.cpu.cpus: '0-x' is not a list"
	check '.linux.resources.blockIO.weight = 5' "linux.resources.blockIO.weight: 5 is out of range (10 to 1000)"
	check '.linux.seccomp = {"defaultAction": "SCMP_ACT_FROB"}' "linux.seccomp.defaultAction: 'SCMP_ACT_FROB' is not a seccomp action"
	check '.annotations = {"a": 1}' "annotations[\"a\"]: must be a string"
	check '.ociVersion = 1' "ociVersion: must be a string"
	# what a VM cannot share with the host is refused with the reason
	check '.linux.namespaces |= map(select(.type != "network"))' \
		"no network namespace: the pod would share the host's network (hostNetwork), which a VM cannot join"
	check '.linux.namespaces |= map(select(.type != "ipc"))' \
		"no ipc namespace: the pod would share the host's IPC (hostIPC)"
	check '.linux.namespaces += [{"type": "user"}]' "a new user namespace needs linux.uidMappings and linux.gidMappings"
	check '.linux.uidMappings = [{"containerID": 0, "hostID": 1000, "size": 1}]' \
		"linux.uidMappings/gidMappings: given without a user namespace"
	check '.linux.namespaces += [{"type": "user", "path": "/proc/1/ns/user"}]' \
		"the user namespace at /proc/1/ns/user: joining a user namespace by path is not supported"
	check '.linux.resources.cpu.realtimeRuntime = 5000' \
		"linux.resources.cpu.realtimeRuntime: not supported: the guest's cgroup v2 has no real-time CPU bandwidth"
}

@test "hostile input: a namespace joined by path is checked to be one, of its kind, for every kind" {
	local base=$BATS_TEST_TMPDIR/base.json
	cp "$B/config.json" "$base"
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	for kind in pid network mount ipc uts cgroup; do
		local other=pid
		[ "$kind" = pid ] && other=uts
		local n
		n=$(jq --arg k "$kind" '.linux.namespaces | map(.type) | index($k)' "$base")
		[ "$n" != null ] || n=$(jq '.linux.namespaces | length' "$base")
		jq --arg k "$kind" --arg p "/proc/self/ns/$other" \
			'.linux.namespaces |= (map(select(.type != $k)) + [{"type": $k, "path": $p}])' "$base" >"$B/config.json"
		n=$(jq --arg k "$kind" '.linux.namespaces | map(.type) | index($k)' "$B/config.json")
		refused t1 "linux.namespaces[$n].path: /proc/self/ns/$other is a $other namespace, not $kind"
		# a FIFO (never opened: it would block), a device, a file, nothing
		for p in "$BATS_TEST_TMPDIR/fifo" /dev/null "$B/config.json"; do
			jq --arg k "$kind" --arg p "$p" \
				'.linux.namespaces |= (map(select(.type != $k)) + [{"type": $k, "path": $p}])' "$base" >"$BATS_TEST_TMPDIR/next.json"
			mv "$BATS_TEST_TMPDIR/next.json" "$B/config.json"
			refused t1 "linux.namespaces[$n].path: $p: not a namespace"
		done
		jq --arg k "$kind" '.linux.namespaces |= (map(select(.type != $k)) + [{"type": $k, "path": "/no/such/ns"}])' "$base" >"$B/config.json"
		refused t1 "linux.namespaces[$n].path: /no/such/ns: No such file or directory"
	done
}

@test "hostile input: configuration.toml values out of range name the file, line and key" {
	local cfg=$BATS_TEST_TMPDIR/bad.toml
	bad() {
		sed -e "/^\[$1\]/a $2" -e "/^${2%% =*} *=/d" "$DEV_CONFIG" >"$cfg"
		KR_CONFIG=$cfg refused c1 "$3"
	}
	bad agent.kata "dial_timeout = 4294967295" "[agent.kata] dial_timeout: 4294967295 is out of range (0 to 3600 seconds)"
	bad hypervisor.qemu "default_memory = 4294967295" "[hypervisor.qemu] default_memory: 4294967295 is out of range"
	bad hypervisor.qemu "default_memory = 9223372036854775807" "default_memory: 9223372036854775807 is out of range"
	bad hypervisor.qemu "memory_slots = 100000" "[hypervisor.qemu] memory_slots: 100000 is out of range (0 to 256 slots)"
	bad hypervisor.qemu "default_vcpus = 2147483647" "default_vcpus: 2147483647 is out of range"
	bad hypervisor.qemu "msize_9p = 1" "msize_9p: 1 is out of range"
	grep -q "bad.toml:[0-9]*:" <<<"$output"
	# per-pod annotations meet the same bounds
	bundle_set "$B" '.annotations = {"io.katacontainers.config.hypervisor.msize_9p": "100"}'
	sed -e 's/^enable_annotations.*/enable_annotations = [".*"]/' "$DEV_CONFIG" >"$cfg"
	KR_CONFIG=$cfg refused c1 "msize_9p: 100 is out of range"
}
