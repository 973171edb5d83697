#!/usr/bin/env bats
# The Debian package: built from the tree (make deb: dpkg-buildpackage, then
# lintian with no error or warning), installed with dpkg, a container run
# with what it installed (its configuration, its guest image), purged with
# nothing left behind.

bats_require_minimum_version 1.5.0
load helpers
load vm

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
PKG=kata-containers-c

setup_file() {
	[ "$(id -u)" -eq 0 ] || skip "installing a package needs root"
	# a package someone installed by hand would be replaced, then purged
	if dpkg-query -W -f='${db:Status-Status}' "$PKG" 2>/dev/null | grep -qx installed; then
		skip "$PKG is installed on this machine already"
	fi
}

teardown_file() {
	dpkg --purge "$PKG" >/dev/null 2>&1 || true
}

# What a package could leave: the file systems it installs into.
system_files() {
	find /usr /etc /opt /var/lib/kata-containers /run/kata-containers /run/vc -xdev \
		-not -path '/run/kata-containers/.vm/*' 2>/dev/null | sort
}

@test "package: make deb builds it, lintian finds no error or warning" {
	run make -C "$TOP" --no-print-directory deb BUILD="$KC_BUILD"
	[ "$status" -eq 0 ] || { echo "$output" | tail -30 >&2; return 1; }
	assert_output --partial "lintian --fail-on error,warning"
	local deb=("$KC_BUILD"/deb/${PKG}_*_amd64.deb)
	[ -f "${deb[0]}" ]
	run -0 dpkg-deb -f "${deb[0]}" Package Architecture Depends
	assert_line "Package: $PKG"
	assert_output --partial "qemu-system-x86"
	assert_output --partial "libjansson4"
	# what it holds, where Debian wants it
	run -0 dpkg-deb -c "${deb[0]}"
	for f in usr/bin/kata-runtime usr/bin/containerd-shim-kata-v2 usr/bin/kata-check usr/bin/kata-setup \
		usr/libexec/kata-containers/kata-shim usr/lib/kata-containers/kata-containers-initrd.img \
		usr/lib/kata-containers/vmlinux.container usr/share/defaults/kata-containers/configuration.toml \
		usr/share/man/man8/kata-runtime.8.gz usr/share/bash-completion/completions/kata-runtime \
		usr/share/doc/$PKG/examples/containerd-kata.toml usr/share/doc/$PKG/copyright; do
		assert_output --partial " ./$f"
	done
	refute_output --partial " ./etc/"
}

@test "package: installs, runs a container in a VM, and purges with nothing left" {
	local deb=("$KC_BUILD"/deb/${PKG}_*_amd64.deb)
	[ -f "${deb[0]}" ] || skip "no package (the test above builds it)"
	command -v qemu-system-x86_64 >/dev/null || skip "QEMU is not installed"
	system_files >"$BATS_TEST_TMPDIR/before"
	run -0 dpkg -i "${deb[0]}"
	run -0 /usr/bin/kata-runtime --version
	assert_line --index 0 --regexp "^kata-runtime version [0-9]"
	run -0 man -w kata-runtime
	assert_output "/usr/share/man/man8/kata-runtime.8.gz"
	# the shipped configuration names what the package installed
	local conf=/usr/share/defaults/kata-containers/configuration.toml
	run -0 /usr/bin/kata-env --json --kata-config "$conf"
	assert_equal "$(jq -r .Kernel.Path <<<"$output")" /usr/lib/kata-containers/vmlinux.container
	assert_equal "$(jq -r .Shim.Path <<<"$output")" /usr/libexec/kata-containers/kata-shim
	# a container, with the installed runtime and its configuration
	local b=$BATS_TEST_TMPDIR/bundle
	mkdir -p "$b"
	busybox_rootfs "$b/rootfs"
	/usr/bin/kata-runtime spec --bundle "$b"
	jq '.process.args = ["echo", "hello from the package"] | .process.terminal = false' "$b/config.json" >"$b/c" &&
		mv "$b/c" "$b/config.json"
	# the shipped configuration's warm path: the first create builds the
	# VM template and starts from it
	KATA_CONF_FILE=$conf run -0 --separate-stderr timeout 120 /usr/bin/kata-runtime --root "$BATS_TEST_TMPDIR/root" \
		--log "$BATS_TEST_TMPDIR/log" run --bundle "$b" pkg1 </dev/null
	assert_output "hello from the package"
	grep -q "sandbox pkg1 started from VM template" "$BATS_TEST_TMPDIR/log"
	# the VM cache, as the kata-vmcache unit runs it (here without systemd:
	# factory init), sized from this machine; the next create takes a VM
	[ -f /lib/systemd/system/kata-vmcache.service ]
	grep -qx "ExecStart=/usr/bin/kata-runtime factory init --foreground" /lib/systemd/system/kata-vmcache.service
	KATA_CONF_FILE=$conf run -0 /usr/bin/kata-runtime factory init
	assert_line --regexp "^vm cache: serving /var/run/kata-containers/cache.sock with [0-9]+ VM\(s\), daemon pid [0-9]+"
	local i
	for i in $(seq 300); do
		KATA_CONF_FILE=$conf /usr/bin/kata-runtime factory status --json | jq -e '[.cache.vms[] | select(.state == "ready")] | length > 0' >/dev/null && break
		sleep 0.2
	done
	KATA_CONF_FILE=$conf run -0 --separate-stderr timeout 120 /usr/bin/kata-runtime --root "$BATS_TEST_TMPDIR/root" \
		--log "$BATS_TEST_TMPDIR/log" run --bundle "$b" pkg2 </dev/null
	assert_output "hello from the package"
	grep -q "sandbox pkg2: a VM from the cache" "$BATS_TEST_TMPDIR/log"
	# bash completion comes from the installed program
	run -0 bash -c "source /usr/share/bash-completion/completions/kata-runtime
		COMP_WORDS=(kata-runtime upd); COMP_CWORD=1; _kata_runtime; echo \"\${COMPREPLY[*]}\""
	assert_output "update"
	# removal stops the cache and removes its VMs and the template
	run -0 dpkg --purge "$PKG"
	[ ! -e /var/run/kata-containers/cache.sock ]
	assert_equal "$(pgrep -fc -- '-name sandbox-vmcache-' || true)" 0
	system_files >"$BATS_TEST_TMPDIR/after"
	run diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	[ "$status" -eq 0 ] || fail "left or removed by the package: $output"
	run dpkg-query -W "$PKG"
	assert_failure
}
