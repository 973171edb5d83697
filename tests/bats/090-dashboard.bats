#!/usr/bin/env bats
# kata-dashboard: one frame with --once, and the interactive dashboard under
# tmux (keys, views, filter, details, resize, signals) against fixture hosts.

load helpers

DASH=$KC_BUILD/bin/kata-dashboard
FAKE_KERNEL=$KC_BUILD/tests/libfakekernel.so

setup() {
	command -v tmux >/dev/null || skip "tmux not installed"
	SESSION=kcdash$$_$BATS_TEST_NUMBER
	export TMUX_TMPDIR=$BATS_TEST_TMPDIR
}

teardown() {
	tmux kill-server 2>/dev/null || true
}

# start_dash COLSxLINES ARGS...: the dashboard in a tmux pane; when it exits
# the pane prints its status and the terminal mode, then waits.
start_dash() {
	local size=$1
	shift
	tmux new-session -d -s "$SESSION" -x "${size%x*}" -y "${size#*x}" \
		"ASAN_OPTIONS=verify_asan_link_order=0 $DASH $*; echo EXIT=\$?; stty -a | grep -o -- '-\\?icanon' | sed 's/^/MODE=/'; sleep 60"
	wait_for "kata-dashboard"
}

screen() {
	tmux capture-pane -t "$SESSION" -p
}

# wait_for TEXT: until the screen shows TEXT (at most 5 s).
wait_for() {
	for _ in $(seq 50); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	echo "screen never showed: $1" >&2
	screen >&2
	return 1
}

keys() {
	tmux send-keys -t "$SESSION" "$@"
	sleep 0.2
}

@test "usage errors, and a terminal is needed without --once" {
	run_cmd 0 "$DASH" --help
	assert_output --partial "--once"
	run_cmd 2 "$DASH" --view nope --once
	assert_output --partial "'nope' is not checks, vfio or sandboxes"
	run_cmd 2 "$DASH" --size big --once
	run_cmd 2 "$DASH" --refresh 0 --once
	run_cmd 2 "$DASH" --host-root /nonexistent --once
	run_cmd 2 "$DASH" </dev/null
	assert_output --partial "needs a terminal (use --once to print one frame)"
}

@test "--once prints one frame: verdict, host, grouped checks with their levels" {
	run_cmd 0 "$DASH" --once --size 110x40 --host-root "$FIXTURES/amd-unloaded"
	assert_line --index 0 --partial "kata-dashboard  System is not capable of running Kata Containers"
	assert_line --index 1 --partial "AMD AMD EPYC 7763 64-Core Processor, x86_64, Linux 5.15.0-91-generic (Ubuntu 22.04.3 LTS), bare metal"
	assert_line --partial "1 Checks   2 VFIO   3 Sandboxes"
	assert_line " KVM"
	assert_line "   [FAIL] AMD KVM (kvm_amd): available but not loaded  (f: fix)"
	assert_line --partial "[WARN] host support for virtio-vsock (vhost_vsock): available but not loaded, and blacklisted"
}

@test "--once --view vfio: devices, groups, drivers, and who blocks passthrough" {
	run_cmd 0 "$DASH" --once --view vfio --size 100x20 --host-root "$FIXTURES/iommu-vfio"
	assert_line --partial "IOMMU: enabled; 22 groups; kernel: intel_iommu=on iommu=pt"
	assert_line --partial "0000:03:00.0  8086:1521 0200  vfio-pci         12     ready (vfio-pci)"
	assert_line --partial "0000:65:00.0  10de:1eb8 0302  vfio-pci         20     no: 0000:65:00.1 bound to snd_hda_intel"
	assert_line --partial "0000:b3:00.0  8086:10fb 0200  ixgbe            30     no: 0000:b3:00.1 bound to ixgbe"
}

@test "--once --view sandboxes: absent, partial and running state directories" {
	run_cmd 0 "$DASH" --once --view sandboxes --size 100x14 --host-root "$FIXTURES/intel-ready"
	assert_output --partial "No sandboxes running (/run/kata-containers: absent (no sandbox has run yet))."

	host=$(fixture_copy intel-ready)
	state=$host/run/kata-containers
	mkdir -p "$state/pod1" "$state/web" "$state/half" "$state/empty" "$host/proc/4242"
	started=$(date -u -d '-90 minutes' +%Y-%m-%dT%H:%M:%SZ)
	echo "{\"id\":\"pod1\",\"status\":\"running\",\"sandbox_id\":\"pod1\",\"sandbox\":{\"qemu_pid\":4242,\"vcpus\":2,\"memory_mib\":2048,\"started\":\"$started\"}}" >"$state/pod1/state.json"
	echo '{"id":"web","status":"running","sandbox_id":"pod1"}' >"$state/web/state.json"
	echo '{"id":"half","status":' >"$state/half/state.json"
	run_cmd 0 "$DASH" --once --view sandboxes --size 110x14 --host-root "$host"
	assert_line --regexp '^ pod1 +running +2 +4242 +2 +2048M +1h3[01]m$'
	assert_line --partial "half                 unreadable: state.json line"
	assert_line --partial "empty                unreadable: state.json: No such file or directory"
	refute_line --partial " web "
	# the runtime's own directories are not sandboxes; the shim v2's are, by namespace
	mkdir -p "$state/.vm/abc" "$state/.sandboxes" "$state/.shimv2/.s" "$state/.shimv2/k8s.io/sb2" \
		"$state/a-container-id-that-is-longer-than-its-column"
	echo '{"id":"sb2","status":"running","sandbox_id":"sb2"}' >"$state/.shimv2/k8s.io/sb2/state.json"
	echo '{"id":"a","status":"created"}' >"$state/a-container-id-that-is-longer-than-its-column/state.json"
	run_cmd 0 "$DASH" --once --view sandboxes --size 110x14 --host-root "$host"
	refute_output --partial "vm "
	refute_output --partial "sandboxes "
	refute_output --partial "shimv2"
	assert_line --regexp '^ k8s\.io/sb2 +running +1 '
	# an id cut short ends with an ellipsis
	assert_line --regexp '^ a-container-id-th\.\.\. created '
	# a QEMU that is gone is marked
	rmdir "$host/proc/4242"
	run_cmd 0 "$DASH" --once --view sandboxes --size 110x14 --host-root "$host"
	assert_line --partial "4242 (gone)"
}

@test "--once --view sandboxes: the VM cache's VMs, apart from sandboxes, and a cache whose daemon died" {
	host=$(fixture_copy intel-ready)
	cache=$host/run/kata-containers/.vmcache/0123456789abcdef
	mkdir -p "$cache" "$host/proc/77" "$host/proc/501" "$host/proc/502"
	since=$(date -u -d '-2 minutes' +%Y-%m-%dT%H:%M:%SZ)
	echo '{"pid":77,"start":1,"endpoint":"/run/kata-containers/cache.sock","number":3}' >"$cache/daemon.json"
	echo "{\"id\":\"vmcache-77-1\",\"state\":\"ready\",\"since\":\"$since\",\"vm\":{\"qemu_pid\":501,\"vcpus\":1,\"memory_mib\":2048}}" >"$cache/vmcache-77-1.json"
	echo "{\"id\":\"vmcache-77-2\",\"state\":\"ready\",\"since\":\"$since\",\"vm\":{\"qemu_pid\":502,\"vcpus\":1,\"memory_mib\":2048}}" >"$cache/vmcache-77-2.json"
	echo "{\"id\":\"vmcache-77-3\",\"state\":\"booting\",\"since\":\"$since\"}" >"$cache/vmcache-77-3.json"
	echo '{"id":' >"$cache/vmcache-77-4.json"
	run_cmd 0 "$DASH" --once --view sandboxes --size 110x20 --host-root "$host"
	assert_output --partial "No sandboxes running"
	assert_line --regexp '^ VM CACHE: 2 ready, 2 other$'
	assert_line --regexp '^ vmcache-77-1 +ready +- +501 +1 +2048M +2m0[0-9]s$'
	assert_line --regexp '^ vmcache-77-3 +booting +- +- +- +- +2m0[0-9]s$'
	assert_line --partial "vmcache-77-4         unreadable: vmcache-77-4.json: unreadable"
	# the daemon gone: said so; a QEMU gone: marked
	rmdir "$host/proc/77" "$host/proc/502"
	run_cmd 0 "$DASH" --once --view sandboxes --size 110x20 --host-root "$host"
	assert_line --regexp '^ VM CACHE: 2 ready, 2 other - its daemon is not running \(kata-runtime factory destroy removes them\)$'
	assert_line --partial "502 (gone)"
}

@test "--once in a 60x15 frame: the counts, a short verdict, and details with Enter" {
	run_cmd 0 "$DASH" --once --size 60x15 --host-root "$FIXTURES/amd-unloaded"
	assert_line --index 0 --regexp '^ kata-dashboard  not capable +[0-9]+ pass [0-9]+ warn [0-9]+ fail$'
	# a long host line ends with an ellipsis
	assert_line --index 1 --regexp '^ .{55}\.\.\.$'
	# capable without a configuration: the runtime is not ready, as kata-check says
	run_cmd 0 "$DASH" --once --size 130x15 --host-root "$FIXTURES/arm64-ready"
	assert_line --index 0 --partial "System is capable of running Kata Containers, but kata-runtime is not ready"
	run_cmd 0 "$DASH" --once --size 60x15 --host-root "$FIXTURES/arm64-ready"
	assert_line --index 0 --regexp '^ kata-dashboard  capable, not ready +[0-9]+ pass'
}

@test "Enter shows the details pane at the smallest size too" {
	start_dash 60x12 --host-root "$FIXTURES/iommu-vfio"
	keys Enter
	wait_for "finding: "
	keys q
	wait_for "EXIT=0"
}

@test "--once in a tiny frame says the terminal is too small" {
	run_cmd 0 "$DASH" --once --size 40x10 --host-root "$FIXTURES/intel-ready"
	assert_line --index 0 "terminal too small (40x10)"
	assert_line --index 1 "need at least 60x12"
}

@test "keys: move, details, switch views, filter, help, quit" {
	start_dash 120x40 --host-root "$FIXTURES/iommu-vfio"
	keys j j Enter
	wait_for "(cpu.virt)"
	wait_for "finding: vmx is present"
	keys Enter Tab
	wait_for "ADDRESS       ID        CLASS DRIVER"
	keys 3
	wait_for "No sandboxes running"
	keys 1 / v h o s t Enter
	wait_for "filter: vhost"
	run screen
	assert_output --partial "[PASS] host kernel accelerator for virtio network (vhost_net): loaded"
	refute_output --partial "CPU vendor"
	keys Escape '?'
	wait_for "Levels: PASS met"
	keys x q
	wait_for "EXIT=0"
}

@test "the dashboard follows the host: r refreshes after a module appears" {
	host=$(fixture_copy amd-unloaded)
	start_dash 120x40 --host-root "$host" --refresh 3600
	wait_for "[FAIL] AMD KVM (kvm_amd): available but not loaded"
	mkdir -p "$host/sys/module/kvm_amd" "$host/sys/module/kvm"
	echo live >"$host/sys/module/kvm_amd/initstate"
	echo live >"$host/sys/module/kvm/initstate"
	keys r
	wait_for "[PASS] AMD KVM (kvm_amd): loaded"
}

@test "f runs the kata-setup action after confirmation" {
	[ "$(id -u)" -eq 0 ] || skip "fixing needs root"
	host=$(fixture_copy amd-unloaded)
	tmux new-session -d -s "$SESSION" -x 130 -y 40 \
		"KC_FAKE_ROOT=$host ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD=$FAKE_KERNEL $DASH --host-root $host; sleep 60"
	wait_for "kata-dashboard"
	keys / k v m _ a m d Enter f
	wait_for "Fix modules.kvm_amd: load kernel module kvm_amd (loads irqbypass kvm kvm_amd)? [y/N]"
	keys n
	wait_for "Fix cancelled."
	# the question comes from the worker; a y typed before it is asked
	# confirms nothing
	keys f
	wait_for "? [y/N]"
	keys y
	wait_for "done: load kernel module kvm_amd"
	wait_for "[PASS] AMD KVM (kvm_amd): loaded"
	[ -e "$host/sys/module/kvm_amd/initstate" ]
}

@test "a non-root user is told why it cannot fix" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch users"
	command -v setpriv >/dev/null || skip "setpriv not available"
	scratch=$(mktemp -d /tmp/kc-dash.XXXXXX)
	cp -a "$FIXTURES/amd-unloaded" "$scratch/"
	chmod -R a+rX "$scratch"
	tmux new-session -d -s "$SESSION" -x 130 -y 40 \
		"setpriv --reuid=65534 --regid=65534 --clear-groups $DASH --host-root $scratch/amd-unloaded; sleep 60"
	wait_for "kata-dashboard"
	keys / k v m _ a m d Enter f
	wait_for "Fixing needs root (you are uid 65534)"
	rm -rf "$scratch"
}

@test "resizing: a tiny window says so, and the dashboard comes back" {
	start_dash 120x40 --host-root "$FIXTURES/intel-ready"
	tmux resize-window -t "$SESSION" -x 50 -y 10
	wait_for "terminal too small (50x10)"
	wait_for "need at least 60x12"
	tmux resize-window -t "$SESSION" -x 100 -y 30
	wait_for "1 Checks   2 VFIO   3 Sandboxes"
	keys q
	wait_for "EXIT=0"
}

@test "SIGTERM and SIGINT leave the terminal restored" {
	for sig in TERM INT HUP; do
		# a tmux server of its own each time: a new session right after
		# kill-server can reach the old server while it exits
		export TMUX_TMPDIR=$BATS_TEST_TMPDIR/$sig
		mkdir -p "$TMUX_TMPDIR"
		start_dash 100x30 --host-root "$FIXTURES/intel-ready"
		pid=$(pgrep -nx kata-dashboard)
		[ -n "$pid" ]
		kill -s "$sig" "$pid"
		# it dies of the signal once the terminal is restored, as a shell expects
		wait_for "EXIT=$((128 + $(kill -l "$sig")))"
		wait_for "MODE=icanon"
		run screen
		refute_output --partial "1 Checks   2 VFIO"
		tmux kill-server
	done
	# Ctrl-C at the keyboard: the same, status 130
	export TMUX_TMPDIR=$BATS_TEST_TMPDIR/keyboard
	mkdir -p "$TMUX_TMPDIR"
	# (the pane's shell ignores SIGINT, or it would end with the dashboard
	# and take the pane along, as an interactive shell's child does)
	tmux new-session -d -s "$SESSION" -x 100 -y 30 \
		"trap '' INT; ASAN_OPTIONS=verify_asan_link_order=0 $DASH --host-root $FIXTURES/intel-ready; echo EXIT=\$?; stty -a | grep -o -- '-\\?icanon' | sed 's/^/MODE=/'; sleep 60"
	wait_for "kata-dashboard"
	keys C-c
	wait_for "EXIT=130"
	wait_for "MODE=icanon"
}
