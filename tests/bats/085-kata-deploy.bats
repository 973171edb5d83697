#!/usr/bin/env bats
# kata-deploy (data/kata-deploy/kata-deploy): install on a node and uninstall,
# against fixture hosts (the fake kernel answers module loads), with
# kubectl and the container manager's restart as stand-ins that log.

bats_require_minimum_version 1.5.0
load helpers

DEPLOY=$BATS_TEST_DIRNAME/../../data/kata-deploy/kata-deploy

setup() {
	HOST=$(fixture_copy amd-unloaded)
	export HOST KC_FAKE_ROOT=$HOST KC_FAKE_LOG=$BATS_TEST_TMPDIR/kernel.log
	: >"$KC_FAKE_LOG"
	# what `make install` puts under PREFIX, from this build (its PREFIX)
	export PREFIX KC_BUILD_PREFIX
	PREFIX=$(sed -n 's|^kernel = "\(.*\)/share/kata-containers/.*|\1|p' "$KC_BUILD/data/configuration.toml")
	KC_BUILD_PREFIX=$PREFIX
	export ARTIFACTS=$BATS_TEST_TMPDIR/artifacts
	mkdir -p "$ARTIFACTS"/{bin,libexec/kata-containers,share/kata-containers/kata-deploy,share/defaults/kata-containers}
	local p
	for p in kata-check kata-env kata-setup kata-dashboard kata-runtime containerd-shim-kata-v2; do
		cp "$KC_BUILD/bin/$p" "$ARTIFACTS/bin/"
	done
	cp "$KC_BUILD/bin/kata-proxy" "$KC_BUILD/bin/kata-shim" "$KC_BUILD/bin/toml-decode" "$ARTIFACTS/libexec/kata-containers/"
	cp "$KC_BUILD/data/containerd-kata.toml" "$KC_BUILD/data/crio-kata.conf" "$ARTIFACTS/share/kata-containers/"
	cp "$KC_BUILD/data/configuration.toml" "$ARTIFACTS/share/defaults/kata-containers/"
	mkdir -p "$ARTIFACTS/lib/systemd/system"
	cp "$KC_BUILD/data/kata-vmcache.service" "$ARTIFACTS/lib/systemd/system/"
	# the image: stand-ins (only their presence is checked; the real ones are 60 MB)
	for p in vmlinux.container kata-containers-initrd.img; do
		echo stand-in >"$ARTIFACTS/share/kata-containers/$p"
	done
	# the node: Debian's QEMU and entropy (kata-check looks for both)
	local qemu
	qemu=$(sed -n 's|^path = "\(/usr/bin/qemu[^"]*\)"|\1|p' "$KC_BUILD/data/configuration.toml" | head -1)
	mkdir -p "$HOST$(dirname "$qemu")" "$HOST/dev"
	printf '#!/bin/sh\nexit 0\n' >"$HOST$qemu"
	chmod 755 "$HOST$qemu"
	echo entropy >"$HOST/dev/urandom"
	# kubectl and the restart, logged
	LOG=$BATS_TEST_TMPDIR/calls.log
	: >"$LOG"
	mkdir -p "$BATS_TEST_TMPDIR/path"
	printf '#!/bin/sh\necho "kubectl $*" >>%s\n' "$LOG" >"$BATS_TEST_TMPDIR/path/kubectl"
	chmod 755 "$BATS_TEST_TMPDIR/path/kubectl"
	export PATH=$BATS_TEST_TMPDIR/path:$PATH NODE_NAME=node-1 RESTART="echo restart \$1 >>$LOG"
	# what runs on the node (the VM cache), logged apart
	NODE_LOG=$BATS_TEST_TMPDIR/node.log
	: >"$NODE_LOG"
	printf '#!/bin/sh\necho "$*" >>%s\n' "$NODE_LOG" >"$BATS_TEST_TMPDIR/path/node-exec"
	chmod 755 "$BATS_TEST_TMPDIR/path/node-exec"
	export NODE_EXEC=$BATS_TEST_TMPDIR/path/node-exec
	# the fake kernel comes after the sanitizer runtime in sanitized builds
	export ASAN_OPTIONS=verify_asan_link_order=0:${ASAN_OPTIONS:-} LD_PRELOAD=$KC_BUILD/tests/libfakekernel.so
	# Debian's stock /etc/containerd/config.toml, and a runtime of the admin's
	mkdir -p "$HOST/etc/containerd"
	cat >"$HOST/etc/containerd/config.toml" <<-'EOF'
	version = 2
	# the admin's own settings
	[plugins."io.containerd.grpc.v1.cri"]
	  sandbox_image = "registry.k8s.io/pause:3.6"
	[plugins."io.containerd.grpc.v1.cri".containerd]
	  default_runtime_name = "runc"
	  snapshotter = "overlayfs"
	[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.gvisor]
	  runtime_type = "io.containerd.runsc.v1"
	EOF
	cp "$HOST/etc/containerd/config.toml" "$BATS_TEST_TMPDIR/config.orig"
}

decode() { "$KC_BUILD/bin/toml-decode" <"$HOST/etc/containerd/config.toml"; }

@test "kata-deploy: install makes the node ready, adds kata to containerd keeping its runtimes, restarts it and labels the node" {
	run -0 "$DEPLOY" install
	assert_output --partial "kata-setup --host-root $HOST"
	assert_output --partial "done: pods with runtimeClassName kata run in VMs on this node"
	# the build is under the prefix; kata-setup loaded the modules and persisted them
	[ -x "$HOST$PREFIX/bin/kata-runtime" ]
	[ -x "$HOST$PREFIX/libexec/kata-containers/kata-proxy" ]
	grep -q '^load kvm_amd' "$KC_FAKE_LOG"
	# and the node passes kata-check with what is installed
	run -0 "$HOST$PREFIX/bin/kata-check" --host-root "$HOST"
	[ -f "$HOST/etc/modules-load.d/kata-containers.conf" ]
	# containerd: its runtimes and settings kept, kata and kata-runc added, valid TOML
	run -0 decode
	local j=$output cri='.plugins."io.containerd.grpc.v1.cri"'
	assert_equal "$(jq -r "$cri.sandbox_image.value" <<<"$j")" registry.k8s.io/pause:3.6
	assert_equal "$(jq -r "$cri.containerd.default_runtime_name.value" <<<"$j")" runc
	assert_equal "$(jq -r "$cri.containerd.snapshotter.value" <<<"$j")" overlayfs
	assert_equal "$(jq -r "$cri.containerd.runtimes.gvisor.runtime_type.value" <<<"$j")" io.containerd.runsc.v1
	assert_equal "$(jq -r "$cri.containerd.runtimes.runc.runtime_type.value" <<<"$j")" io.containerd.runc.v2
	assert_equal "$(jq -r "$cri.containerd.runtimes.kata.runtime_type.value" <<<"$j")" io.containerd.kata.v2
	assert_equal "$(jq -r "$cri.containerd.runtimes[\"kata-runc\"].options.BinaryName.value" <<<"$j")" "$PREFIX/bin/kata-runtime"
	# the original text is untouched above the marked block
	head -n "$(wc -l <"$BATS_TEST_TMPDIR/config.orig")" "$HOST/etc/containerd/config.toml" | cmp - "$BATS_TEST_TMPDIR/config.orig"
	run cat "$LOG"
	assert_output "restart containerd
kubectl label node node-1 katacontainers.io/kata-runtime=true --overwrite"
	# no systemd on this node: the VM cache's daemon from factory init
	assert_equal "$(cat "$NODE_LOG")" "$PREFIX/bin/kata-runtime factory init"
	run -0 "$DEPLOY" status
	assert_line manager=containerd
	assert_line vmcache=init
}

@test "kata-deploy: a node with systemd gets the kata-vmcache service, enabled and started; uninstall stops it and removes it with the cache" {
	mkdir -p "$HOST/run/systemd/system"
	run -0 "$DEPLOY" install
	assert_output --partial "VM cache: the kata-vmcache service is enabled and started"
	local unit=$HOST/etc/systemd/system/kata-vmcache.service
	[ -f "$unit" ]
	assert_equal "$(sed -n 's/^ExecStart=//p' "$unit")" "$PREFIX/bin/kata-runtime factory init --foreground"
	assert_equal "$(cat "$NODE_LOG")" "$(printf 'systemctl daemon-reload\nsystemctl enable --now kata-vmcache.service')"
	# a second install leaves it be
	: >"$NODE_LOG"
	run -0 "$DEPLOY" install
	[ ! -s "$NODE_LOG" ]
	run -0 "$DEPLOY" uninstall
	[ ! -e "$unit" ]
	assert_equal "$(cat "$NODE_LOG")" "$(printf 'systemctl disable --now kata-vmcache.service\nsystemctl daemon-reload\n%s' "$PREFIX/bin/kata-runtime factory destroy")"
}

@test "kata-deploy: a second install changes nothing and does not restart containerd" {
	run -0 "$DEPLOY" install
	cp "$HOST/etc/containerd/config.toml" "$BATS_TEST_TMPDIR/after-first"
	: >"$LOG"
	run -0 "$DEPLOY" install
	assert_output --partial "has the kata runtimes already"
	cmp "$HOST/etc/containerd/config.toml" "$BATS_TEST_TMPDIR/after-first"
	[ "$(grep -c '^# BEGIN kata-deploy' "$HOST/etc/containerd/config.toml")" = 1 ]
	refute_line --partial restart
	run cat "$LOG"
	refute_output --partial restart
}

@test "kata-deploy: uninstall restores containerd's configuration byte for byte and takes everything away" {
	run -0 "$DEPLOY" install
	: >"$LOG"
	run -0 "$DEPLOY" uninstall
	cmp "$HOST/etc/containerd/config.toml" "$BATS_TEST_TMPDIR/config.orig"
	[ ! -e "$HOST$PREFIX" ]
	[ ! -e "$HOST/etc/kata-containers/configuration.toml" ]
	[ ! -e "$HOST/etc/modules-load.d/kata-containers.conf" ]
	[ ! -L "$HOST/usr/local/bin/containerd-shim-kata-v2" ] || [ "$PREFIX" = /usr/local ]
	run cat "$LOG"
	assert_output "kubectl label node node-1 katacontainers.io/kata-runtime-
restart containerd"
	assert_equal "$(tail -1 "$NODE_LOG")" "$PREFIX/bin/kata-runtime factory destroy"
	# and again: nothing to do, not an error
	run -0 "$DEPLOY" uninstall
	assert_output --partial "nothing installed"
}

@test "kata-deploy: the shim's link on containerd's PATH is made and removed, never someone else's" {
	# a build for /opt/kata (this build's own prefix holds the shim itself);
	# kata-setup, tested above, stands aside here
	export PREFIX=/opt/kata
	sed -i "s|\"$KC_BUILD_PREFIX|\"/opt/kata|" "$ARTIFACTS/share/defaults/kata-containers/configuration.toml"
	printf '#!/bin/sh\nexit 0\n' >"$ARTIFACTS/bin/kata-setup"
	local link=$HOST/usr/local/bin/containerd-shim-kata-v2
	run -0 "$DEPLOY" install
	assert_equal "$(readlink "$link")" /opt/kata/bin/containerd-shim-kata-v2
	[ -x "$HOST/opt/kata/bin/containerd-shim-kata-v2" ]
	run -0 "$DEPLOY" uninstall
	[ ! -L "$link" ] && [ ! -e "$HOST/opt/kata" ]
	# a link of another installation is left alone, on install and uninstall
	mkdir -p "$HOST/usr/local/bin"
	ln -sfn /opt/other/containerd-shim-kata-v2 "$link"
	run -0 "$DEPLOY" install
	assert_output --partial "is not kata-deploy's symlink: left alone"
	run -0 "$DEPLOY" uninstall
	assert_equal "$(readlink "$link")" /opt/other/containerd-shim-kata-v2
	# nor is a link someone replaced ours with after install
	rm "$link"
	run -0 "$DEPLOY" install
	ln -sfn /opt/other/containerd-shim-kata-v2 "$link"
	run -0 "$DEPLOY" uninstall
	assert_equal "$(readlink "$link")" /opt/other/containerd-shim-kata-v2
}

@test "kata-deploy: a node without a containerd config gets one, and loses it again" {
	rm "$HOST/etc/containerd/config.toml"
	run -0 "$DEPLOY" install
	run -0 decode
	assert_equal "$(jq -r '.plugins."io.containerd.grpc.v1.cri".containerd.default_runtime_name.value' <<<"$output")" runc
	run -0 "$DEPLOY" uninstall
	[ ! -e "$HOST/etc/containerd/config.toml" ]
}

@test "kata-deploy: a version 1 config, one defining kata already, or invalid TOML is refused unchanged" {
	printf '[plugins.cri.containerd]\n  snapshotter = "overlayfs"\n' >"$HOST/etc/containerd/config.toml"
	cp "$HOST/etc/containerd/config.toml" "$BATS_TEST_TMPDIR/v1"
	run -1 "$DEPLOY" install
	assert_output --partial "config.toml: version = 1; kata-deploy merges into version 2 files only"
	cmp "$HOST/etc/containerd/config.toml" "$BATS_TEST_TMPDIR/v1"
	printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]\n  runtime_type = "x"\n' \
		>"$HOST/etc/containerd/config.toml"
	run -1 "$DEPLOY" install
	assert_output --partial "defines the runtime 'kata' already (not kata-deploy's)"
	printf 'version = 2\n[a\n' >"$HOST/etc/containerd/config.toml"
	run -1 "$DEPLOY" install
	assert_output --partial "config.toml is not valid TOML; fix it first"
	# nothing restarted or labelled; uninstall takes the rest away
	run cat "$LOG"
	assert_output ""
	run -0 "$DEPLOY" uninstall
	[ ! -e "$HOST$PREFIX" ]
}

# ctd_file PRINTF_FORMAT: the node's config.toml, made with printf; a copy
# kept as $BATS_TEST_TMPDIR/orig.
ctd_file() {
	# shellcheck disable=SC2059
	printf "$1" >"$HOST/etc/containerd/config.toml"
	cp -p "$HOST/etc/containerd/config.toml" "$BATS_TEST_TMPDIR/orig"
}

# unchanged: the node's config.toml is the copy byte for byte, mode and owner too.
unchanged() {
	local f=$HOST/etc/containerd/config.toml
	cmp "$f" "$BATS_TEST_TMPDIR/orig" &&
		assert_equal "$(stat -c %a:%u:%g "$f")" "$(stat -c %a:%u:%g "$BATS_TEST_TMPDIR/orig")"
}

@test "kata-deploy: half markers are refused unchanged; no final newline, trailing blank lines, 0600 and 0640 files and their owner come back byte for byte" {
	local begin='# BEGIN kata-deploy: added by kata-deploy install; kata-deploy uninstall removes it'
	# a BEGIN without its END, an END without its BEGIN: nothing is changed,
	# restarted or labelled
	local f
	for f in "version = 2\n[a]\n  b = 1\n$begin\n[c]\n  d = 2\n" "version = 2\n# END kata-deploy\n[c]\n"; do
		ctd_file "$f"
		run -1 "$DEPLOY" install
		assert_output --partial "holds kata-deploy's markers"
		assert_output --partial "cannot be taken out exactly"
		unchanged
		run cat "$LOG"
		assert_output ""
		run -0 "$DEPLOY" uninstall
		unchanged
		: >"$LOG"
	done
	# what install can undo exactly comes back as it was
	for f in 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\n  snapshotter = "overlayfs"' \
		'version = 2\n\n\n\n' 'version = 2\r\n# CRLF\r\n'; do
		ctd_file "$f"
		run -0 "$DEPLOY" install
		run -0 decode
		assert_equal "$(jq -r '.plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata.runtime_type.value' <<<"$output")" io.containerd.kata.v2
		run -0 "$DEPLOY" uninstall
		unchanged
	done
	# modes 0600 and 0640 and the file's owner, through install and uninstall
	local mode
	for mode in 600 640; do
		ctd_file 'version = 2\n# secrets: registry credentials\n'
		chmod "$mode" "$HOST/etc/containerd/config.toml"
		chown 1234:4321 "$HOST/etc/containerd/config.toml"
		cp -p "$HOST/etc/containerd/config.toml" "$BATS_TEST_TMPDIR/orig"
		run -0 "$DEPLOY" install
		assert_equal "$(stat -c %a:%u:%g "$HOST/etc/containerd/config.toml")" "$mode:1234:4321"
		run -0 "$DEPLOY" uninstall
		unchanged
	done
}

@test "kata-deploy: the admin's edits after install are kept; a block edited by hand stops uninstall before anything changes" {
	run -0 "$DEPLOY" install
	# a line added after the block: uninstall takes the block alone
	printf '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n' >>"$HOST/etc/containerd/config.toml"
	run -0 "$DEPLOY" uninstall
	{ cat "$BATS_TEST_TMPDIR/config.orig"; printf '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n'; } |
		cmp - "$HOST/etc/containerd/config.toml"
	# the block changed by hand: refused, the file, the node's label and
	# the installation all left as they were
	cp "$BATS_TEST_TMPDIR/config.orig" "$HOST/etc/containerd/config.toml"
	run -0 "$DEPLOY" install
	sed -i 's/io.containerd.kata.v2/io.containerd.kata.v3/' "$HOST/etc/containerd/config.toml"
	cp -p "$HOST/etc/containerd/config.toml" "$BATS_TEST_TMPDIR/orig"
	: >"$LOG"
	run -1 "$DEPLOY" uninstall
	assert_output --partial "not the block this installation wrote"
	unchanged
	[ -x "$HOST$PREFIX/bin/kata-runtime" ]
	run cat "$LOG"
	assert_output ""
	# mended by hand (the block removed): uninstall goes through
	cp "$BATS_TEST_TMPDIR/config.orig" "$HOST/etc/containerd/config.toml"
	run -0 "$DEPLOY" uninstall
	cmp "$HOST/etc/containerd/config.toml" "$BATS_TEST_TMPDIR/config.orig"
}

@test "kata-deploy: absolute symlinks on the node resolve inside its /, never to the pod's own files" {
	# /etc/containerd and /usr/local/bin are absolute symlinks on the node;
	# the same absolute paths exist in the pod, with canaries
	local out=$BATS_TEST_TMPDIR/outside
	mkdir -p "$out/ctd" "$out/bin" "$HOST$out/ctd" "$HOST$out/bin"
	echo 'version = 2 # the pod'"'"'s own, not the node'"'"'s' >"$out/ctd/config.toml"
	cp -a "$out" "$BATS_TEST_TMPDIR/outside.before"
	mv "$HOST/etc/containerd/config.toml" "$HOST$out/ctd/config.toml"
	rmdir "$HOST/etc/containerd"
	ln -s "$out/ctd" "$HOST/etc/containerd"
	rm -rf "$HOST/usr/local/bin"
	mkdir -p "$HOST/usr/local"
	ln -s "$out/bin" "$HOST/usr/local/bin"
	export PREFIX=/opt/kata
	sed -i "s|\"$KC_BUILD_PREFIX|\"/opt/kata|" "$ARTIFACTS/share/defaults/kata-containers/configuration.toml"
	printf '#!/bin/sh\nexit 0\n' >"$ARTIFACTS/bin/kata-setup"
	run -0 "$DEPLOY" install
	# the node's files changed, the pod's did not
	diff -r "$out" "$BATS_TEST_TMPDIR/outside.before"
	grep -q io.containerd.kata.v2 "$HOST$out/ctd/config.toml"
	assert_equal "$(readlink "$HOST$out/bin/containerd-shim-kata-v2")" /opt/kata/bin/containerd-shim-kata-v2
	run -0 "$DEPLOY" uninstall
	cmp "$HOST$out/ctd/config.toml" "$BATS_TEST_TMPDIR/config.orig"
	[ ! -L "$HOST$out/bin/containerd-shim-kata-v2" ]
	diff -r "$out" "$BATS_TEST_TMPDIR/outside.before"
	# a symlink loop is an error, not a hang
	rm "$HOST/etc/containerd"
	ln -s /etc/containerd "$HOST/etc/containerd"
	run -1 timeout 30 "$DEPLOY" install
	assert_output --partial "too many symlinks"
}

@test "kata-deploy: a CRI-O drop-in of someone else's is not replaced" {
	rm -r "$HOST/etc/containerd"
	mkdir -p "$HOST/etc/crio/crio.conf.d"
	echo '# the admin'"'"'s' >"$HOST/etc/crio/crio.conf.d/50-kata.conf"
	cp "$HOST/etc/crio/crio.conf.d/50-kata.conf" "$BATS_TEST_TMPDIR/dropin"
	run -1 "$DEPLOY" install
	assert_output --partial "50-kata.conf exists and is not kata-deploy's"
	cmp "$HOST/etc/crio/crio.conf.d/50-kata.conf" "$BATS_TEST_TMPDIR/dropin"
	run -0 "$DEPLOY" uninstall
	cmp "$HOST/etc/crio/crio.conf.d/50-kata.conf" "$BATS_TEST_TMPDIR/dropin"
}

@test "kata-deploy: CRI-O gets a drop-in of its own, removed on uninstall" {
	rm -r "$HOST/etc/containerd"
	mkdir -p "$HOST/etc/crio"
	run -0 "$DEPLOY" install
	local f=$HOST/etc/crio/crio.conf.d/50-kata.conf
	run -0 "$KC_BUILD/bin/toml-decode" <"$f"
	assert_equal "$(jq -r '.crio.runtime.runtimes.kata.runtime_path.value' <<<"$output")" "$PREFIX/bin/kata-runtime"
	run cat "$LOG"
	assert_line "restart crio"
	run -0 "$DEPLOY" uninstall
	[ ! -e "$f" ]
}

@test "kata-deploy: a node kata-setup cannot make ready is neither changed nor labelled" {
	rm "$HOST/dev/kvm" 2>/dev/null || true
	rm -rf "$HOST/dev/kvm" "$HOST/sys/module/kvm" "$HOST/sys/module/kvm_amd"
	export KC_FAKE_MODULES=kvm_amd=19
	run -1 "$DEPLOY" install
	assert_output --partial "kata-setup could not make this node ready"
	cmp "$HOST/etc/containerd/config.toml" "$BATS_TEST_TMPDIR/config.orig"
	run cat "$LOG"
	assert_output ""
	run -0 "$DEPLOY" uninstall
	[ ! -e "$HOST$PREFIX" ]
}

@test "kata-deploy: usage, a missing host, artifacts or a prefix that is not ours" {
	run -2 "$DEPLOY"
	assert_output --partial "kata-deploy install"
	run -2 "$DEPLOY" frobnicate
	HOST=/nonexistent run -1 "$DEPLOY" install
	assert_output --partial "HOST=/nonexistent is not a directory"
	ARTIFACTS=$BATS_TEST_TMPDIR/none run -1 "$DEPLOY" install
	assert_output --partial "none/bin is missing"
	mkdir -p "$HOST$PREFIX"
	run -1 "$DEPLOY" install
	assert_output --partial "exists and is not kata-deploy's"
	# uninstall removes PREFIX whole: it must be a directory of its own
	local p
	for p in / relative /opt/../usr /opt/kata/; do
		PREFIX=$p run -1 "$DEPLOY" uninstall
		assert_output --partial "must be an absolute directory of its own"
	done
	[ -d "$HOST/etc" ]
}

@test "kata-deploy: the DaemonSet runs the script privileged with the node's / and its name, and uninstalls on stop" {
	run -0 /usr/bin/python3 - "$BATS_TEST_DIRNAME/../../data/kata-deploy/kata-deploy.yaml" <<-'EOF'
	import sys, yaml
	docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
	kinds = {d["kind"]: d for d in docs}
	assert set(kinds) == {"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "DaemonSet"}, kinds
	assert kinds["ClusterRole"]["rules"] == [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "patch"]}]
	pod = kinds["DaemonSet"]["spec"]["template"]["spec"]
	assert pod["hostPID"] is True and pod["serviceAccountName"] == "kata-deploy"
	c = pod["containers"][0]
	assert c["securityContext"]["privileged"] is True
	assert "kata-deploy install" in " ".join(c["command"])
	assert c["lifecycle"]["preStop"]["exec"]["command"][-1] == "uninstall"
	env = {e["name"]: e for e in c["env"]}
	assert env["NODE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName"
	assert env["HOST"]["value"] == "/host"
	mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
	vols = {v["name"]: v["hostPath"]["path"] for v in pod["volumes"]}
	assert vols[[k for k, v in mounts.items() if v == "/host"][0]] == "/"
	print("ok")
	EOF
	assert_output ok
}
