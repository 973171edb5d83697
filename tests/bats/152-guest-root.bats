#!/usr/bin/env bats
# A root guest against the host's files, tried from inside the VM: a
# privileged container (every capability, the guest's PID namespace, so it
# reaches the agent's own mount of the share through /proc/1/root) and one
# given only CAP_SYS_ADMIN remount the read-only root and volumes
# read-write and write, remove, chmod and chown there; in a writable volume
# they make device nodes and set-id files and plant symlinks and hard
# links. After each attack a canary tree, the rootfs and every read-only
# source are unchanged byte for byte, the tree QEMU or virtiofsd serves
# carries every flag the spec asked for (and nosuid, nodev always), and
# the host side never opens a device node there. Each suite runs for
# virtio-9p and for virtio-fs.

load helpers
load runtime

setup() {
	setup_runtime
	ID=gr$$
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/canary/dir" "$T/ro/dir" "$T/ro/sub" "$T/rw" "$T/rwne"
	# the volumes' sources on shared mounts, as kubelet's are: what the
	# host mounts under them later may propagate
	local d
	for d in ro rw; do
		mount --bind "$T/$d" "$T/$d"
		mount --make-shared "$T/$d"
	done
	echo keep >"$T/canary/file"
	echo keep-too >"$T/canary/dir/file"
	echo secret >"$T/ro/file"
	echo deep >"$T/ro/dir/file"
	ln -s file "$T/ro/link"
	echo single >"$T/rofile"
	# the read-only volume's source has a mount of its own: a recursive
	# bind's flags hold on it too
	mount -t tmpfs -o size=1m kc-gr-sub "$T/ro/sub"
	echo sub >"$T/ro/sub/file"
	# a host-made device node in the writable volume: the served tree must
	# never let the host side open it
	mknod "$T/rw/hostnull" c 1 3
	# a program that prints its effective uid, for set-id checks
	printf '#include <stdio.h>\n#include <unistd.h>\nint main(void){printf("%%u\\n",(unsigned)geteuid());return 0;}\n' >"$T/euid.c"
	gcc -static -O1 -o "$T/rw/euid" "$T/euid.c"
	make_bundle "$T/b" sh /attack.sh "$ID" "$T/canary"
	cp "$BATS_TEST_DIRNAME/share-attack.sh" "$T/b/rootfs/attack.sh"
	# the mount points an image has (a read-only root gets missing ones
	# made on the host side: the last test checks that)
	mkdir -p "$T"/b/rootfs/{proc,sys,dev,ro,rw,rwne}
	: >"$T/b/rootfs/rofile"
	snapshot "$T/canary" "$T/ro" "$T/rofile" "$T/b/rootfs" >"$T/before"
}

teardown() {
	teardown_runtime
	umount -l "$T/ro/sub" "$T/ro/dir" "$T/rw/late" 2>/dev/null || true
	umount -l "$T/ro" "$T/rw" 2>/dev/null || true
}

# Every entry with its type, size, mode, owner and modification time, and
# every regular file's content.
snapshot() {
	find "$@" -printf '%p %y %s %m %U:%G %T@\n' | sort
	find "$@" -type f -exec sha256sum {} + | sort
}

ALL_CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_DAC_READ_SEARCH","CAP_FOWNER","CAP_FSETID","CAP_KILL",
	"CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_NET_ADMIN","CAP_NET_RAW","CAP_SYS_CHROOT","CAP_MKNOD",
	"CAP_SYS_ADMIN","CAP_SYS_PTRACE","CAP_AUDIT_WRITE","CAP_SETFCAP","CAP_LINUX_IMMUTABLE"]'

# share_config SHARED_FS: the build tree's configuration with that share.
share_config() {
	KR_CONFIG=$T/configuration.toml
	sed -e "s|^shared_fs = .*|shared_fs = \"$1\"|" "$DEV_CONFIG" >"$KR_CONFIG"
}

# attack_bundle CAPS [pid]: the container's capabilities (a JSON array);
# "pid" leaves it in the guest's PID namespace.
attack_bundle() {
	bundle_set "$T/b" ".root.readonly = true
		| .process.capabilities = {\"bounding\": $1, \"effective\": $1, \"permitted\": $1}
		| .mounts += [
		  {\"destination\": \"/ro\", \"type\": \"bind\", \"source\": \"$T/ro\", \"options\": [\"rbind\", \"ro\"]},
		  {\"destination\": \"/rofile\", \"type\": \"bind\", \"source\": \"$T/rofile\", \"options\": [\"bind\", \"ro\"]},
		  {\"destination\": \"/rw\", \"type\": \"bind\", \"source\": \"$T/rw\", \"options\": [\"rbind\", \"rw\"]},
		  {\"destination\": \"/rwne\", \"type\": \"bind\", \"source\": \"$T/rwne\", \"options\": [\"bind\", \"noexec\"]}]"
	[ "${2:-}" != pid ] || bundle_set "$T/b" '.linux.namespaces |= map(select(.type != "pid"))'
}

# The attack, from inside the VM, while the container runs: its output
# (every attempt and what came of it) in $T/attack.log.
run_attack() {
	kr run --detach --bundle "$T/b" "$ID" </dev/null >"$T/attack.log" 2>&1 ||
		{ cat "$T/attack.log" >&2; return 1; }
	local i
	for i in $(seq 600); do grep -q '^attack-done' "$T/attack.log" && break; sleep 0.1; done
	cat "$T/attack.log" >&2
	grep -q '^attack-done' "$T/attack.log"
}

# What the host side serves: every mount of the share has nosuid and
# nodev, and the read-only ones are read-only, in the mount namespace of
# the process that serves it (QEMU's is ours; virtiofsd has its own).
check_served_flags() {
	local vm=$1 pid=$2 root=$3 line mp opts n=0
	while read -r mp opts; do
		n=$((n + 1))
		case ",$opts," in *,nosuid,*) ;; *) echo "served mount $mp lacks nosuid: $opts" >&2; return 1 ;; esac
		case ",$opts," in *,nodev,*) ;; *) echo "served mount $mp lacks nodev: $opts" >&2; return 1 ;; esac
		case "$mp" in
		*/rootfs | */mounts/*/ro | */mounts/*/ro/* | */mounts/*/rofile | "$root" | /)
			case ",$opts," in *,ro,*) ;; *) echo "served mount $mp is not read-only: $opts" >&2; return 1 ;; esac ;;
		*/mounts/*/rwne)
			case ",$opts," in *,noexec,*) ;; *) echo "served mount $mp lacks noexec: $opts" >&2; return 1 ;; esac ;;
		esac
	done < <(awk -v r="${root%/}" '$5 == r || $5 == "/" && r == "" || index($5, r "/") == 1 { print $5, $6 }' \
		"/proc/$pid/mountinfo")
	# the share itself, the rootfs, four volumes and /ro's submount
	[ "$n" -ge 7 ] || { echo "only $n served mounts of $root in $pid's namespace" >&2; return 1; }
}

# The host side, as QEMU or virtiofsd would act: a device node in the
# served tree cannot be opened, and a set-id program there runs with the
# caller's own ids.
check_served_tree() {
	local vm=$1 w
	w=$(ls -d "$vm"/shared/"$ID"/mounts/*/rw)
	run head -c 1 "$w/hostnull"
	assert_failure
	assert_output --partial "Permission denied"
	# the guest made it set-id root; nobody runs the served copy as nobody
	[ "$(stat -c %a:%u "$T/rw/euid")" = 6755:0 ]
	chmod 0711 "$vm"
	run setpriv --reuid=65534 --regid=65534 --clear-groups -- "$w/euid"
	chmod 0700 "$vm"
	assert_success
	assert_output 65534
}

attack_suite() {
	local fs=$1 caps=$2 pidns=${3:-}
	share_config "$fs"
	attack_bundle "$caps" "$pidns"
	run_attack
	# the attack reached what it aimed at, and got nothing
	grep -q '^root-remounted' "$T/attack.log"
	run grep -E '^(WROTE|MADE|LINKED)' "$T/attack.log"
	assert_output ''
	local vm server root
	vm=$(vm_dir_of "$ID")
	[ -n "$vm" ]
	if [ "$fs" = virtio-fs ]; then
		server=$(cut -d' ' -f1 "$vm/virtiofsd.pid")
		root=/
	else
		server=$(cut -d' ' -f1 "$vm/qemu.pid")
		root=$vm/shared
	fi
	check_served_flags "$vm" "$server" "$root"
	check_served_tree "$vm"
	# mounts the host makes now: under a writable volume one reaches the
	# guest (a slave of its source, as runc's rslave makes it); under a
	# read-only one nothing does (it would arrive writable)
	mkdir "$T/rw/late"
	mount -t tmpfs -o size=1m kc-gr-late "$T/ro/dir"
	mount -t tmpfs -o size=1m kc-gr-late "$T/rw/late"
	local _
	for _ in $(seq 50); do
		awk '{ print $5 }' "/proc/$server/mountinfo" | grep -q '/mounts/[0-9]*/rw/late$' && break
		sleep 0.1
	done
	run awk '{ print $5 }' "/proc/$server/mountinfo"
	assert_line --regexp '/mounts/[0-9]+/rw/late$'
	refute_line --regexp '/mounts/[0-9]+/ro/dir$'
	umount "$T/ro/dir" "$T/rw/late"
	run kr delete --force "$ID"
	assert_success
	snapshot "$T/canary" "$T/ro" "$T/rofile" "$T/b/rootfs" >"$T/after"
	diff "$T/before" "$T/after"
	# no device node was made in the writable volume, and what the guest
	# made set-id there is no set-id program on the host
	run find "$T/rw" \( -type b -o -type c \) ! -name hostnull
	assert_output ''
	assert_clean "$ID"
}

@test "guest root, virtio-9p: a privileged container in the guest's PID namespace changes no read-only file and makes no device on the host" {
	attack_suite virtio-9p "$ALL_CAPS" pid
}

@test "guest root, virtio-9p: a container given CAP_SYS_ADMIN alone changes no read-only file" {
	attack_suite virtio-9p '["CAP_SYS_ADMIN"]'
}

@test "guest root, virtio-fs: a privileged container in the guest's PID namespace changes no read-only file and makes no device on the host" {
	attack_suite virtio-fs "$ALL_CAPS" pid
}

@test "guest root, virtio-fs: a container given CAP_SYS_ADMIN alone changes no read-only file" {
	attack_suite virtio-fs '["CAP_SYS_ADMIN"]'
}

@test "guest root: a read-only root gets the mount points it lacks made on the host side, as runc makes them" {
	make_bundle "$T/m" sh -c 'cat /etc/vol/file /data/one; ls -d /dev/pts /sys/fs/cgroup'
	rm -rf "$T/m/rootfs/proc" "$T/m/rootfs/sys" "$T/m/rootfs/dev" "$T/m/rootfs/etc/vol"
	ln -s /etc "$T/m/rootfs/link"
	echo in-volume >"$T/ro/dir/one"
	bundle_set "$T/m" ".root.readonly = true
		| .mounts += [
		  {\"destination\": \"/etc/vol\", \"type\": \"bind\", \"source\": \"$T/ro\", \"options\": [\"rbind\", \"ro\"]},
		  {\"destination\": \"/link/x/data\", \"type\": \"bind\", \"source\": \"$T/ro/dir\", \"options\": [\"rbind\", \"ro\"]},
		  {\"destination\": \"/data/one\", \"type\": \"bind\", \"source\": \"$T/ro/dir/one\", \"options\": [\"bind\", \"ro\"]}]"
	run kr run --bundle "$T/m" "$ID-m" </dev/null
	assert_success
	assert_line secret
	assert_line in-volume
	assert_line /dev/pts
	# made in the rootfs on the host: directories, a file for a file's
	# bind, through the image's own symlink (resolved inside the rootfs);
	# nothing below another mount's destination (/dev/pts is the guest's)
	local r=$T/m/rootfs
	[ -d "$r/proc" ] && [ -d "$r/sys" ] && [ -d "$r/dev" ] && [ -d "$r/etc/vol" ]
	[ -d "$r/etc/x/data" ] && [ -L "$r/link" ]
	[ -f "$r/data/one" ] && [ ! -s "$r/data/one" ]
	[ ! -e "$r/dev/pts" ] && [ ! -e "$r/sys/fs" ]
	run kr delete --force "$ID-m"
	assert_clean "$ID-m"
}
