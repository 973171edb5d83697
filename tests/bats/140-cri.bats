#!/usr/bin/env bats
# The CRI path: containerd with its CRI plugin enabled and the shipped
# runtime entry (data/containerd-kata.toml) starts and is configured; the
# CRI-O snippet is valid TOML naming kata-runtime. (Pods themselves, as the
# CRI plugin creates them through the runc v2 shim, are in 130-pods.bats
# and 120-clients.bats.)

load helpers

@test "cri: containerd loads the CRI plugin with the kata runtime class handler" {
	command -v containerd >/dev/null || skip "containerd is not installed"
	local d=$BATS_TEST_TMPDIR
	# the shipped snippet, pointing at this build
	sed "s|BinaryName = .*|BinaryName = \"$KC_BUILD/bin/kata-runtime\"|" "$KC_BUILD/data/containerd-kata.toml" >"$d/kata.toml"
	cat >"$d/config.toml" <<-EOF
	version = 2
	root = "$d/root"
	state = "$d/state"
	[grpc]
	  address = "$d/containerd.sock"
	[plugins."io.containerd.grpc.v1.cri".containerd]
	  default_runtime_name = "runc"
	  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
	    runtime_type = "io.containerd.runc.v2"
	[plugins."io.containerd.grpc.v1.cri".cni]
	  bin_dir = "$d/cni/bin"
	  conf_dir = "$d/cni/net.d"
	EOF
	# merged as the snippet says (a plugin's section is replaced whole by an import)
	grep -v '^version' "$d/kata.toml" >>"$d/config.toml"
	containerd --config "$d/config.toml" </dev/null >"$d/log" 2>&1 &
	local pid=$!
	for _ in $(seq 100); do [ -S "$d/containerd.sock" ] && break; sleep 0.1; done
	run timeout 30 ctr -a "$d/containerd.sock" plugins ls
	kill "$pid"
	wait "$pid" || true
	assert_success
	assert_line --regexp 'io\.containerd\.grpc\.v1 +cri +.* ok'
	run containerd --config "$d/config.toml" config dump
	assert_success
	assert_output --partial 'runtimes.kata]'
	assert_output --partial "BinaryName = \"$KC_BUILD/bin/kata-runtime\""
	assert_output --partial 'runtime_type = "io.containerd.runc.v2"'
	assert_output --partial 'pod_annotations = ["io.katacontainers.*"]'
	grep -o " $d[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
}

@test "cri: the CRI-O snippet is TOML naming kata-runtime" {
	run "$KC_BUILD/bin/toml-decode" <"$KC_BUILD/data/crio-kata.conf"
	assert_success
	assert_equal "$(jq -r '.crio.runtime.runtimes.kata.runtime_path.value' <<<"$output")" "$(grep -o '/[^"]*/kata-runtime' "$KC_BUILD/data/crio-kata.conf")"
	assert_equal "$(jq -r '.crio.runtime.runtimes.kata.runtime_type.value' <<<"$output")" oci
}
