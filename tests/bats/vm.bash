# Helpers for tests that boot the guest image in QEMU (TCG here: the build
# machine's KVM cannot run Linux guests) and talk to the agent with agentctl.
# Every VM started here is stopped by vm_stop, which the suites call from
# teardown_file; vm_stop fails if QEMU cannot be made to go.

GUEST=$KC_BUILD/guest
AGENTCTL=$KC_BUILD/bin/agentctl

require_guest() {
	[ -f "$GUEST/kata-containers-initrd.img" ] || skip "no guest image (make image)"
	command -v qemu-system-x86_64 >/dev/null || skip "QEMU is not installed"
}

# The host's TSC rate: TCG passes it through, and an early calibration
# without it can hang the guest.
host_tsc_khz() {
	awk '/^cpu MHz/ { printf "%d", $4 * 1000; exit }' /proc/cpuinfo
}

# busybox_rootfs DIR: a container root with Debian's static busybox.
busybox_rootfs() {
	local r=$1
	mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/root"
	cp /bin/busybox "$r/bin/busybox"
	local a
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\nuser:x:1000:\n' >"$r/etc/group"
}

# iptables_into_rootfs DIR: Debian's iptables (legacy and nft), with the
# libraries and extensions it loads, into a rootfs.
iptables_into_rootfs() {
	local r=$1 f lib xt
	xt=$(ls -d /usr/lib/*/xtables | head -1)
	mkdir -p "$r/usr/sbin" "$r/run" "$r$(dirname "$xt")"
	for f in xtables-legacy-multi xtables-nft-multi; do cp /usr/sbin/$f "$r/usr/sbin/"; done
	ln -sf xtables-legacy-multi "$r/usr/sbin/iptables-legacy"
	ln -sf xtables-nft-multi "$r/usr/sbin/iptables-nft"
	cp -a "$xt" "$r$xt"
	for lib in $(ldd /usr/sbin/xtables-legacy-multi /usr/sbin/xtables-nft-multi "$xt"/*.so |
		awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }' | sort -u); do
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
}

# vm_start DIR [MACHINE [noproxy]]: boot the image with DIR/share shared by
# 9p; the agent's socket is DIR/agent.sock, kata-proxy's DIR/proxy.sock
# (unless noproxy), the console log DIR/console.log.
vm_start() {
	local dir=$1 machine=${2:-q35} proxy=${3:-proxy} kernel=$GUEST/vmlinux.container
	mkdir -p "$dir/share"
	[ -f "$kernel" ] || kernel=$GUEST/vmlinuz.container
	local bus=pci extra=()
	if [ "$machine" = microvm ]; then
		bus=device
		extra=(-global virtio-mmio.force-legacy=false)
	fi
	qemu-system-x86_64 -machine "$machine",accel=tcg -cpu max -m 256 -smp 1 \
		-kernel "$kernel" -initrd "$GUEST/kata-containers-initrd.img" \
		-append "console=ttyS0 quiet no_timer_check tsc=reliable random.trust_cpu=on i8042.noaux i8042.nokbd i8042.nopnp cryptomgr.notests nowatchdog psi=0 sysctl.vm.compaction_proactiveness=0 tsc_early_khz=$(host_tsc_khz) panic=-1 agent.log=debug" \
		-nographic -nodefaults -no-user-config -no-reboot "${extra[@]}" \
		-serial "file:$dir/console.log" \
		-device "virtio-serial-$bus,id=ser0" \
		-chardev "socket,id=agent,path=$dir/agent.sock,server=on,wait=off" \
		-device virtserialport,chardev=agent,name=agent.channel.0 \
		-fsdev "local,id=share,path=$dir/share,security_model=none" \
		-device "virtio-9p-$bus,fsdev=share,mount_tag=kataShared" \
		-qmp "unix:$dir/qmp.sock,server=on,wait=off" \
		-pidfile "$dir/qemu.pid" -daemonize || return 1
	[ "$proxy" = proxy ] || return 0
	# one long-lived connection to the agent, shared by every agentctl
	"$KC_BUILD/bin/kata-proxy" --agent-socket "$dir/agent.sock" --listen "$dir/proxy.sock" \
		--log "$dir/proxy.log" --debug </dev/null >/dev/null 2>&1 &
	echo $! >"$dir/proxy.pid"
	local i
	for i in $(seq 300); do
		[ -S "$dir/proxy.sock" ] && return 0
		pid_gone "$(cat "$dir/proxy.pid")" && break
		sleep 0.1
	done
	echo "the proxy did not come up:" >&2
	cat "$dir/proxy.log" "$dir/console.log" >&2
	return 1
}

# A process that is gone or a zombie (a daemonized QEMU is re-parented to
# PID 1, which may not reap it) counts as gone.
pid_gone() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]
}

# vm_wait_gone DIR SECONDS
vm_wait_gone() {
	local pid i
	pid=$(cat "$1/qemu.pid" 2>/dev/null) || return 0
	for i in $(seq $(($2 * 10))); do
		pid_gone "$pid" && return 0
		sleep 0.1
	done
	return 1
}

# vm_stop DIR: QMP quit, then SIGKILL; fails if QEMU or the proxy is still there.
vm_stop() {
	local dir=$1 pid ppid
	ppid=$(cat "$dir/proxy.pid" 2>/dev/null) || ppid=
	pid=$(cat "$dir/qemu.pid" 2>/dev/null) || pid=
	if [ -z "$pid" ] || pid_gone "$pid"; then
		stop_proxy "$ppid"
		return
	fi
	if [ -S "$dir/qmp.sock" ] && command -v socat >/dev/null; then
		printf '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n' |
			timeout 2 socat - "UNIX-CONNECT:$dir/qmp.sock" >/dev/null 2>&1 || true
	fi
	vm_wait_gone "$dir" 3 || kill -9 "$pid" 2>/dev/null || true
	vm_wait_gone "$dir" 5 && stop_proxy "$ppid"
}

# The proxy exits by itself when QEMU goes; it gets a second, then SIGKILL.
stop_proxy() {
	[ -n "$1" ] || return 0
	local i
	for i in $(seq 10); do
		pid_gone "$1" && return 0
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null || true
	sleep 0.1
	pid_gone "$1"
}

# actl ARGS: agentctl on the suite's VM (through its proxy), bounded.
actl() {
	timeout 60 "$AGENTCTL" -s "$VM/proxy.sock" "$@"
}
