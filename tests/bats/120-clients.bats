#!/usr/bin/env bats
# Real container managers from Debian's packages, started by this file,
# running a busybox image (built locally, no registry) through kata-runtime:
# podman, containerd (ctr, runc v2 shim) and Docker. Each case checks the
# output and exit status, and that no VM, proxy, shim, mount or state of
# ours is left.

load helpers
load runtime

KR_CONFIG_ARG="--kata-config=$KC_BUILD/data/configuration-dev.toml"

setup_file() {
	require_guest
	export T=$BATS_FILE_TMPDIR
	mkdir -p "$T/rootfs"
	busybox_rootfs "$T/rootfs"
	tar --numeric-owner -C "$T/rootfs" -cf "$T/bb.tar" .
}

setup() {
	require_guest
	T=$BATS_FILE_TMPDIR
}

# Nothing of kata-runtime's is left: no VM directory, mount or process.
assert_nothing_left() {
	local i
	for i in $(seq 50); do
		pgrep -f "qemu-system.*-name sandbox-" >/dev/null || pgrep -x kata-shim >/dev/null ||
			pgrep -x kata-proxy >/dev/null || break
		sleep 0.1
	done
	if pgrep -f "qemu-system.*-name sandbox-" >/dev/null || pgrep -x kata-shim >/dev/null || pgrep -x kata-proxy >/dev/null; then
		echo "processes left:" >&2
		pgrep -af "qemu-system|kata-shim|kata-proxy" >&2
		return 1
	fi
	if [ -n "$(vm_dirs_left)" ]; then
		echo "VM directories left: $(vm_dirs_left)" >&2
		return 1
	fi
	! grep -q " /run/kata-containers/.vm/" /proc/self/mountinfo
}

# ---- podman ----------------------------------------------------------------

podman_setup() {
	command -v podman >/dev/null || skip "podman is not installed"
	# no CAP_SYS_RESOURCE here: podman's default rlimits must not exceed ours
	cat >"$T/containers.conf" <<-EOF
	[containers]
	default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
	EOF
	export CONTAINERS_CONF=$T/containers.conf
	PODMAN=(timeout 120 podman --root "$T/podman/storage" --runroot "$T/podman/run"
		--runtime "$KATA_RUNTIME" --runtime-flag "${KR_CONFIG_ARG#--}")
	"${PODMAN[@]}" image exists localhost/bb || "${PODMAN[@]}" import -q "$T/bb.tar" localhost/bb >/dev/null
}

@test "podman: run --rm echo, a non-zero exit, stdin with -i" {
	podman_setup
	run "${PODMAN[@]}" run --rm localhost/bb echo hello
	assert_success
	assert_output hello
	run "${PODMAN[@]}" run --rm localhost/bb sh -c 'exit 42'
	assert_equal "$status" 42
	run bash -c "echo through-stdin | $(printf '%q ' "${PODMAN[@]}") run --rm -i localhost/bb cat"
	assert_success
	assert_output through-stdin
	assert_nothing_left
}

@test "podman: a terminal with -t" {
	podman_setup
	# timeout's own process group would be a background one on script's
	# terminal: podman setting raw mode would stop on SIGTTOU
	run script -qec "stty rows 24 cols 80; timeout --foreground 120 $(printf '%q ' "${PODMAN[@]:2}") run --rm -t localhost/bb sh -c 'tty; stty size'" /dev/null
	assert_success
	assert_output --partial /dev/pts/0
	assert_output --partial "24 80"
	assert_nothing_left
}

@test "podman: exec, stop, kill, and a container killed by a signal" {
	podman_setup
	run "${PODMAN[@]}" run -d --name p1 localhost/bb sleep 1000
	assert_success
	run "${PODMAN[@]}" exec p1 sh -c 'echo in-exec; exit 3'
	assert_equal "$status" 3
	assert_output in-exec
	run bash -c "echo exec-stdin | $(printf '%q ' "${PODMAN[@]}") exec -i p1 cat"
	assert_output exec-stdin
	# sleep is PID 1 in its namespace and ignores SIGTERM: stop ends with SIGKILL
	run "${PODMAN[@]}" stop -t 1 p1
	assert_success
	assert_equal "$("${PODMAN[@]}" inspect p1 --format '{{.State.ExitCode}}')" 137
	run "${PODMAN[@]}" rm p1
	assert_success
	run -0 "${PODMAN[@]}" run -d --name p2 localhost/bb sleep 1000
	run "${PODMAN[@]}" kill -s KILL p2
	assert_success
	run "${PODMAN[@]}" wait p2
	assert_output 137
	run "${PODMAN[@]}" rm p2
	assert_success
	assert_nothing_left
}

# ---- containerd ------------------------------------------------------------

ctd_start() {
	command -v containerd >/dev/null || skip "containerd is not installed"
	local d=$T/ctd
	mkdir -p "$d"
	[ -S "$d/containerd.sock" ] || containerd_start "$d"
	CTR=(timeout 120 ctr -a "$d/containerd.sock" -n kata-test)
	"${CTR[@]}" images ls -q | grep -qx localhost/bb:latest || {
		"$BATS_TEST_DIRNAME/../clients/oci-archive" "$T/rootfs" localhost/bb:latest "$T/bb-oci.tar"
		"${CTR[@]}" images import "$T/bb-oci.tar" >/dev/null
	}
	RUNC_BINARY=(--runc-binary "$KATA_RUNTIME")
}

@test "containerd: ctr run (runc v2 shim): echo, a non-zero exit, a terminal" {
	ctd_start
	run "${CTR[@]}" run --rm "${RUNC_BINARY[@]}" localhost/bb:latest c1 echo hello
	assert_success
	assert_output hello
	run "${CTR[@]}" run --rm "${RUNC_BINARY[@]}" localhost/bb:latest c2 sh -c 'exit 9'
	assert_equal "$status" 9
	# ctr needs a terminal of its own for -t
	run script -qec "timeout --foreground 120 $(printf '%q ' "${CTR[@]:2}") run --rm -t ${RUNC_BINARY[*]} localhost/bb:latest c3 tty" /dev/null
	assert_success
	assert_output --partial /dev/pts/0
	assert_nothing_left
}

@test "containerd: task exec, task kill, delete" {
	ctd_start
	run "${CTR[@]}" run -d "${RUNC_BINARY[@]}" localhost/bb:latest c4 sleep 1000
	assert_success
	run "${CTR[@]}" task exec --exec-id e1 c4 sh -c 'echo in-exec; exit 4'
	assert_equal "$status" 4
	assert_output in-exec
	run "${CTR[@]}" task ps c4
	assert_success
	run "${CTR[@]}" task kill -s SIGKILL c4
	assert_success
	local i
	for i in $(seq 50); do "${CTR[@]}" task ls | grep -q "c4.*STOPPED" && break; sleep 0.1; done
	run "${CTR[@]}" task rm c4
	assert_success
	run "${CTR[@]}" containers rm c4
	assert_success
	assert_nothing_left
}

# ---- docker ------------------------------------------------------------------

docker_start() {
	command -v dockerd >/dev/null || skip "docker.io is not installed"
	local d=$T/docker
	mkdir -p "$d"
	if [ ! -S "$d/docker.sock" ]; then
		jq -n --arg rt "$KATA_RUNTIME" --arg cfg "$KC_BUILD/data/configuration-dev.toml" --arg d "$d" '{
			"data-root": ($d + "/data"), "exec-root": ($d + "/exec"), "pidfile": ($d + "/docker.pid"),
			"hosts": ["unix://" + $d + "/docker.sock"],
			"runtimes": {"kata": {"path": $rt, "runtimeArgs": ["--kata-config", $cfg]}}}' >"$d/daemon.json"
		dockerd --config-file "$d/daemon.json" </dev/null >"$d/dockerd.log" 2>&1 &
		local i
		for i in $(seq 150); do [ -S "$d/docker.sock" ] && docker -H "unix://$d/docker.sock" info >/dev/null 2>&1 && break; sleep 0.2; done
	fi
	DOCKER=(timeout 120 docker -H "unix://$d/docker.sock")
	"${DOCKER[@]}" image inspect localhost/bb >/dev/null 2>&1 || "${DOCKER[@]}" import "$T/bb.tar" localhost/bb >/dev/null
}

@test "docker: run --rm --runtime kata: echo, a non-zero exit, stdin" {
	docker_start
	run "${DOCKER[@]}" run --rm --runtime kata localhost/bb echo hello
	assert_success
	assert_output hello
	run "${DOCKER[@]}" run --rm --runtime kata localhost/bb sh -c 'exit 5'
	assert_equal "$status" 5
	run bash -c "echo docker-stdin | $(printf '%q ' "${DOCKER[@]}") run --rm -i --runtime kata localhost/bb cat"
	assert_output docker-stdin
	assert_nothing_left
}

@test "docker: exec and stop" {
	docker_start
	run "${DOCKER[@]}" run -d --name d1 --runtime kata localhost/bb sleep 1000
	assert_success
	run "${DOCKER[@]}" exec d1 sh -c 'echo in-exec; exit 6'
	assert_equal "$status" 6
	assert_output in-exec
	run "${DOCKER[@]}" stop -t 1 d1
	assert_success
	assert_equal "$("${DOCKER[@]}" inspect d1 --format '{{.State.ExitCode}}')" 137
	run "${DOCKER[@]}" rm d1
	assert_success
	assert_nothing_left
}

teardown_file() {
	local d
	d=$BATS_FILE_TMPDIR
	if [ -f "$d/docker/docker.pid" ]; then
		kill "$(cat "$d/docker/docker.pid")" 2>/dev/null || true
		for _ in $(seq 100); do [ -e "$d/docker/docker.pid" ] || break; sleep 0.1; done
	fi
	if [ -f "$d/ctd/pid" ]; then
		kill "$(cat "$d/ctd/pid")" 2>/dev/null || true
		sleep 0.5
	fi
	# podman's, containerd's and docker's mounts of this file's directories
	grep -o " $d[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	# the managers' parent cgroups (each VM's own is gone with its sandbox;
	# the levels above stay, as runc leaves them)
	rmdir /sys/fs/cgroup/*/kata-test /sys/fs/cgroup/*/docker /sys/fs/cgroup/*/libpod_parent 2>/dev/null || true
}
