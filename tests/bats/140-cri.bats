#!/usr/bin/env bats
# The CRI path: containerd with its CRI plugin enabled and the shipped
# runtime entry (data/containerd-kata.toml) starts and is configured; the
# CRI-O snippet is valid TOML naming kata-runtime. (Pods themselves, as the
# CRI plugin creates them through the runc v2 shim, are in 130-pods.bats
# and 120-clients.bats.)

load helpers

@test "cri: the shipped snippet appended to Debian's stock config keeps runc and adds kata (shim v2) and kata-runc" {
	command -v containerd >/dev/null || skip "containerd is not installed"
	local d=$BATS_TEST_TMPDIR
	# Debian's /etc/containerd/config.toml, pointed into this test's directory
	cat >"$d/config.toml" <<-EOF
	version = 2
	root = "$d/root"
	state = "$d/state"
	[grpc]
	  address = "$d/containerd.sock"
	[plugins]
	  [plugins."io.containerd.grpc.v1.cri"]
	    [plugins."io.containerd.grpc.v1.cri".cni]
	      bin_dir = "$d/cni/bin"
	      conf_dir = "$d/cni/net.d"
	  [plugins."io.containerd.internal.v1.opt"]
	    path = "$d/opt"
	EOF
	# appended as its header says, pointing at this build
	sed "s|BinaryName = .*|BinaryName = \"$KC_BUILD/bin/kata-runtime\"|" "$KC_BUILD/data/containerd-kata.toml" |
		grep -v '^version' >>"$d/config.toml"
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
	local dump=$output
	run "$KC_BUILD/bin/toml-decode" <<<"$dump"
	assert_success
	local rt='.plugins."io.containerd.grpc.v1.cri".containerd'
	assert_equal "$(jq -r "$rt.default_runtime_name.value" <<<"$output")" runc
	assert_equal "$(jq -r "$rt.runtimes.runc.runtime_type.value" <<<"$output")" io.containerd.runc.v2
	assert_equal "$(jq -r "$rt.runtimes.kata.runtime_type.value" <<<"$output")" io.containerd.kata.v2
	assert_equal "$(jq -r "$rt.runtimes.kata.pod_annotations[0].value" <<<"$output")" 'io.katacontainers.*'
	assert_equal "$(jq -r "$rt.runtimes[\"kata-runc\"].runtime_type.value" <<<"$output")" io.containerd.runc.v2
	assert_equal "$(jq -r "$rt.runtimes[\"kata-runc\"].options.BinaryName.value" <<<"$output")" "$KC_BUILD/bin/kata-runtime"
	grep -o " $d[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
}

@test "cri: the CRI-O snippet is TOML naming kata-runtime" {
	run "$KC_BUILD/bin/toml-decode" <"$KC_BUILD/data/crio-kata.conf"
	assert_success
	assert_equal "$(jq -r '.crio.runtime.runtimes.kata.runtime_path.value' <<<"$output")" "$(grep -o '/[^"]*/kata-runtime' "$KC_BUILD/data/crio-kata.conf")"
	assert_equal "$(jq -r '.crio.runtime.runtimes.kata.runtime_type.value' <<<"$output")" oci
}

@test "cri: the RuntimeClass names a runtime both snippets define, with the pod's fixed overhead" {
	local rc=$BATS_TEST_DIRNAME/../../data/kata-runtimeclass.yaml
	# Debian's python3 (python3-yaml is a test dependency)
	run /usr/bin/python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' "$rc"
	assert_success
	local j=$output
	assert_equal "$(jq -r .apiVersion <<<"$j")" node.k8s.io/v1
	assert_equal "$(jq -r .kind <<<"$j")" RuntimeClass
	local handler
	handler=$(jq -r .handler <<<"$j")
	# containerd's CRI and CRI-O find the handler among their runtimes
	run "$KC_BUILD/bin/toml-decode" <"$KC_BUILD/data/containerd-kata.toml"
	assert_equal "$(jq -r ".plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.\"$handler\".runtime_type.value" <<<"$output")" \
		io.containerd.kata.v2
	run "$KC_BUILD/bin/toml-decode" <"$KC_BUILD/data/crio-kata.conf"
	assert_equal "$(jq -r ".crio.runtime.runtimes.\"$handler\".runtime_type.value" <<<"$output")" oci
	[[ "$(jq -r .overhead.podFixed.memory <<<"$j")" =~ ^[0-9]+Mi$ ]]
	[[ "$(jq -r .overhead.podFixed.cpu <<<"$j")" =~ ^[0-9]+m$ ]]
	assert_equal "$(jq -r '.scheduling.nodeSelector["katacontainers.io/kata-runtime"]' <<<"$j")" true
}
