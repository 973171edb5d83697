#!/usr/bin/env bats
# The VM factory's cache ([factory] vm_cache_number, vm_cache_endpoint):
# kata-runtime factory init starts a daemon that keeps VMs booted and hands
# one to each create; a create falls back to booting when the cache is
# empty, gone or of another configuration; a cached VM that dies is
# replaced, never handed out; a crash of the daemon or of a create taking
# a VM leaves what factory destroy or delete --force removes.

bats_require_minimum_version 1.5.0

load helpers
load runtime

setup() {
	setup_runtime
	CACHE_SOCK=$BATS_TEST_TMPDIR/cache.sock
	FACTORY=$BATS_TEST_TMPDIR/factory
}

teardown() {
	teardown_runtime
	kr factory destroy >/dev/null 2>&1 || true
}

# cache_config N [template] [SED...]: the build's configuration with a
# cache of N VMs on $CACHE_SOCK (from a template in $FACTORY with
# "template"), and the sed expressions given.
cache_config() {
	local n=$1 tmpl=false
	shift
	if [ "${1:-}" = template ]; then
		tmpl=true
		shift
	fi
	export KR_CONFIG=$BATS_TEST_TMPDIR/configuration.toml
	sed -e "s|^\[factory\]|[factory]\nenable_template = $tmpl\ntemplate_path = \"$FACTORY\"\nvm_cache_number = $n\nvm_cache_endpoint = \"$CACHE_SOCK\"|" \
		"$@" "$DEV_CONFIG" >"$KR_CONFIG"
}

cache_status() {
	kr factory status --json | jq -c .cache
}

# wait_ready N: until the cache's daemon has N ready VMs (a minute at
# most). The records a daemon that died left say "ready" too: a daemon
# that has gone fails at once.
wait_ready() {
	local _ st
	for _ in $(seq 600); do
		st=$(cache_status)
		if [ "$(jq .running <<<"$st")" != true ]; then
			echo "the cache's daemon is not running: $st" >&2
			return 1
		fi
		[ "$(jq '[.vms[]? | select(.state == "ready")] | length' <<<"$st")" -ge "$1" ] && return 0
		sleep 0.1
	done
	echo "the cache has not got $1 ready VMs: $(cache_status)" >&2
	return 1
}

# log_has PATTERN LOG: LOG has a line matching PATTERN; else LOG, the
# cache's status and its daemon's log are shown.
log_has() {
	grep -q -- "$1" "$2" && return 0
	echo "no line matches '$1' in $2:" >&2
	cat "$2" >&2
	echo "the cache: $(cache_status)" >&2
	local dlog
	dlog=$(ls -t /run/kata-containers/.vmcache/*/daemon.log 2>/dev/null | head -1)
	[ -z "$dlog" ] || { echo "$dlog:" >&2; cat "$dlog" >&2; }
	return 1
}

ready_pids() {
	cache_status | jq -r '.vms[] | select(.state == "ready") | .qemu_pid'
}

# crash_at POINT CMD...: CMD killed at POINT, as a kill -9 would.
crash_at() {
	local point=$1 rc=0
	shift
	# output to a file: a shim started before the crash keeps it open
	KATA_RUNTIME_CRASH="$point" "$@" >"$BATS_TEST_TMPDIR/crash.out" 2>&1 || rc=$?
	if [ "$rc" -ne 137 ]; then
		echo "at $point: expected the runtime killed (137), got $rc: $(cat "$BATS_TEST_TMPDIR/crash.out")" >&2
		return 1
	fi
}

cached_qemus() {
	pgrep -fc -- "-name sandbox-vmcache-" || true
}

# assert_gone PID...: each process has gone (a zombie has: this machine's
# init may be slow to reap what it adopted).
assert_gone() {
	local p st
	for p in "$@"; do
		st=$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null || true)
		if [ -n "$st" ] && [ "$st" != Z ]; then
			echo "process $p is still there: $(tr '\0' ' ' </proc/"$p"/cmdline | cut -c1-200)" >&2
			return 1
		fi
	done
}

assert_cache_destroyed() {
	run -0 kr factory destroy
	[ ! -e "$CACHE_SOCK" ]
	assert_equal "$(cached_qemus)" 0
	run -0 kr factory status
	assert_line --regexp "^vm cache: not running \(no VM cache at $CACHE_SOCK \(kata-runtime factory init starts one\)\)$"
}

@test "vm cache: init keeps its VMs booted; a create takes one, with its NICs and limits, and the cache refills; status and the dashboard show it; destroy leaves nothing" {
	require_guest
	cache_config 2
	run -0 kr factory init
	assert_regex "$output" "^vm cache: serving $CACHE_SOCK with 2 VM\(s\), daemon pid [0-9]+, log /run/kata-containers/\.vmcache/[0-9a-f]{16}/daemon\.log$"
	[ -S "$CACHE_SOCK" ]
	assert_equal "$(stat -c %a "$CACHE_SOCK")" 600
	wait_ready 2
	run -0 kr factory status
	assert_line "vm factory: off (enable_template = false)"
	assert_line --regexp "^vm cache: serving $CACHE_SOCK, daemon pid [0-9]+, 2 VM\(s\) of configuration [0-9a-f]{16} booted cold, since "
	assert_line "handed out 0, found empty 0, replaced 0 (died in the cache), failed boots 0"
	assert_line --regexp "^cached VM vmcache-[0-9]+-[0-9]+: ready since [-0-9T:.Z]+, QEMU pid [0-9]+, 1 vCPU, 2048 MiB$"
	# one daemon per endpoint
	run -1 --separate-stderr kr factory init
	assert_equal "$stderr" "kata-runtime: a VM cache already serves $CACHE_SOCK"
	# the dashboard shows the cache's VMs apart from sandboxes
	run -0 "$KC_BUILD/bin/kata-dashboard" --once --view sandboxes --size 110x16
	assert_line --regexp "^ VM CACHE: 2 ready, 0 other$"
	assert_line --regexp "^ vmcache-[0-9]+-[0-9]+ +ready +- +[0-9]+ +1 +2048M "

	local before
	before=$(ready_pids)
	make_netns
	make_bundle "$BATS_TEST_TMPDIR/n" sh -c 'ip -o -4 addr show eth0 | grep -o "10.123.45.2/24"; nproc; grep MemTotal /proc/meminfo; date +%s'
	bundle_set "$BATS_TEST_TMPDIR/n" ".linux.namespaces = [{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"ipc\"},{\"type\":\"network\",\"path\":\"/run/netns/$NETNS\"}]"
	bundle_set "$BATS_TEST_TMPDIR/n" '.linux.resources = {"cpu": {"quota": 100000, "period": 100000}, "memory": {"limit": 536870912}}'
	run -0 --separate-stderr kr --log "$BATS_TEST_TMPDIR/log" run --bundle "$BATS_TEST_TMPDIR/n" n1
	log_has 'sandbox n1: a VM from the cache' "$BATS_TEST_TMPDIR/log"
	assert_line --index 0 "10.123.45.2/24"
	# the cached VM's 1 vCPU and 2048 MiB, and what the limits add
	assert_line --index 1 2
	[ "$(echo "${lines[2]}" | awk '{ print $2 }')" -gt $((2048 * 1024)) ]
	# its clock is the host's, set when the sandbox's proxy said hello
	[ $(($(date +%s) - ${lines[3]})) -le 2 ]
	assert_equal "$(cache_status | jq .handed_out)" 1
	# the VM handed over went with the container
	local p taken=0
	for p in $before; do
		if ! ready_pids | grep -qx "$p"; then
			assert_gone "$p"
			taken=$((taken + 1))
		fi
	done
	assert_equal "$taken" 1
	wait_ready 2
	assert_cache_destroyed
	assert_clean n1
}

@test "vm cache: a cached VM that dies is replaced, never handed out; a create falls back to booting when the cache is empty or its daemon died; destroy removes what the daemon left" {
	require_guest
	cache_config 1
	# no growth after a take that finds it empty: a quiet spell of 0 ms
	KATA_RUNTIME_TEST_VMCACHE_HOLD_MS=0 kr factory init >/dev/null
	wait_ready 1
	kill -9 "$(ready_pids)"
	make_bundle "$BATS_TEST_TMPDIR/b" sh -c 'echo hello'
	run -0 --separate-stderr kr --log "$BATS_TEST_TMPDIR/log" run --bundle "$BATS_TEST_TMPDIR/b" c1
	assert_output hello
	run -0 kr factory status
	assert_line --regexp "^handed out [01], found empty [01], replaced 1 \(died in the cache\), failed boots 0$"
	wait_ready 1
	# the one VM taken, the next create finds the cache empty and boots
	kr --log "$BATS_TEST_TMPDIR/log" create --bundle "$BATS_TEST_TMPDIR/b" c2 >/dev/null 2>&1
	run -0 --separate-stderr kr --log "$BATS_TEST_TMPDIR/log" run --bundle "$BATS_TEST_TMPDIR/b" c3
	assert_output hello
	log_has "the VM cache at $CACHE_SOCK: empty (1 VM booting; keeping 2 ready from now on); not used" "$BATS_TEST_TMPDIR/log"
	kr delete --force c2
	[ ! -e "$KR_ROOT/c2" ]
	wait_ready 1
	# the daemon killed: its VM stays until destroy; creates boot their own
	kill -9 "$(cache_status | jq .pid)"
	run -0 --separate-stderr kr --log "$BATS_TEST_TMPDIR/log2" run --bundle "$BATS_TEST_TMPDIR/b" c4
	assert_output hello
	log_has "the VM cache at $CACHE_SOCK is not running; not used" "$BATS_TEST_TMPDIR/log2"
	# (1 ready, or 2: the create that found it empty made it keep 2)
	local left
	left=$(cached_qemus)
	run -0 kr factory status
	assert_line "vm cache: not running (the VM cache at $CACHE_SOCK is not running); $left VM(s) a daemon that died left (kata-runtime factory destroy removes them)"
	run -0 "$KC_BUILD/bin/kata-dashboard" --once --view sandboxes --size 110x16
	assert_line --regexp "^ VM CACHE: $left ready, 0 other - its daemon is not running \(kata-runtime factory destroy removes them\)$"
	assert_cache_destroyed
	# killed while it boots its first VM: the same
	kr factory init >/dev/null
	sleep 0.5
	kill -9 "$(cache_status | jq .pid)"
	assert_cache_destroyed
	assert_clean c1 c2 c3 c4
}

@test "vm cache: a cached VM waits with its share mounted, its pods' modules loaded and one container run: a create taking it skips the first two" {
	require_guest
	cache_config 1
	kr factory init >/dev/null
	wait_ready 1
	# the warm-up container ran, and nothing of it stays: no rootfs, no
	# share, nothing said against it
	local dlog pid vmdir
	dlog=$(ls -t /run/kata-containers/.vmcache/*/daemon.log | head -1)
	log_has "a cached VM's warm-up container ran in [0-9]* ms" "$dlog"
	run grep "warm-up container:" "$dlog"
	assert_output ""
	pid=$(ready_pids)
	vmdir=$(tr '\0' '\n' <"/proc/$pid/cmdline" | grep -o '/run/kata-containers/\.vm/[0-9a-f]*' | head -1)
	[ -d "$vmdir/mounts" ]
	[ ! -e "$vmdir/warmup-rootfs" ]
	assert_equal "$(ls -A "$vmdir/mounts")" ""
	make_bundle "$BATS_TEST_TMPDIR/b" sh -c 'cut -d" " -f1 /proc/modules; ls /'
	KATA_RUNTIME_TIMING=1 run -0 --separate-stderr kr --log "$BATS_TEST_TMPDIR/log" run --bundle "$BATS_TEST_TMPDIR/b" c1
	log_has 'sandbox c1: a VM from the cache' "$BATS_TEST_TMPDIR/log"
	# the container's files came through the share the cache mounted
	assert_line bin
	assert_line virtio_net
	assert_regex "$stderr" "^timing: .* cache-take=[0-9.]+ .*container-create=[0-9.]+ .*start=[0-9.]+$"
	[[ "$stderr" != *guest-sandbox=* ]]
	[[ "$stderr" != *qemu-spawn=* ]]
	assert_cache_destroyed
	assert_clean c1
}

@test "vm cache: a create killed at each step of taking a VM leaves what delete --force removes, and the cache goes on" {
	require_guest
	cache_config 1 template
	kr factory init >/dev/null
	make_bundle "$BATS_TEST_TMPDIR/b" sh -c 'echo hello'
	local point pid
	for point in create:vm-taken create:vm-dir create:booted create:nics-plugged create:guest-sandbox; do
		wait_ready 1
		pid=$(ready_pids)
		crash_at "$point" kr create --bundle "$BATS_TEST_TMPDIR/b" c1
		run -0 kr delete --force c1
		assert_gone "$pid"
		[ ! -e "$KR_ROOT/c1" ]
	done
	assert_equal "$(cache_status | jq .handed_out)" 5
	wait_ready 1
	run -0 --separate-stderr kr --log "$BATS_TEST_TMPDIR/log" run --bundle "$BATS_TEST_TMPDIR/b" c2
	assert_output hello
	log_has 'sandbox c2: a VM from the cache' "$BATS_TEST_TMPDIR/log"
	assert_cache_destroyed
	[ ! -e "$FACTORY" ]
	assert_clean c1 c2
}

@test "vm cache: another configuration's create boots its own; what the cache cannot serve is refused by init" {
	require_guest
	cache_config 1
	kr factory init >/dev/null
	wait_ready 1
	# (a file of its own: the daemon follows edits of the one it loaded)
	sed 's/^default_memory = .*/default_memory = 1024/' "$KR_CONFIG" >"$BATS_TEST_TMPDIR/other.toml"
	KR_CONFIG=$BATS_TEST_TMPDIR/other.toml
	make_bundle "$BATS_TEST_TMPDIR/b" sh -c 'grep MemTotal /proc/meminfo'
	run -0 --separate-stderr kr --log "$BATS_TEST_TMPDIR/log" run --bundle "$BATS_TEST_TMPDIR/b" c1
	[ "$(echo "$output" | awk '{ print $2 }')" -lt $((1100 * 1024)) ]
	log_has "the VM cache at $CACHE_SOCK: its VMs are of another configuration (key [0-9a-f]*, this one's [0-9a-f]*): kata-runtime factory destroy, then init, makes it this one's; not used" "$BATS_TEST_TMPDIR/log"
	assert_equal "$(cache_status | jq .handed_out)" 0
	# the cached VMs have the share mounted: another msize is another
	# configuration too, and the create mounts it with its own (not the
	# guest kernel's default, 131072, which /proc/mounts leaves out)
	sed 's/^#\?msize_9p = .*/msize_9p = 65536/' "$BATS_TEST_TMPDIR/configuration.toml" >"$BATS_TEST_TMPDIR/msize.toml"
	KR_CONFIG=$BATS_TEST_TMPDIR/msize.toml
	make_bundle "$BATS_TEST_TMPDIR/b" sh -c 'grep -o "msize=[0-9]*" /proc/mounts | head -1'
	run -0 --separate-stderr kr --log "$BATS_TEST_TMPDIR/log2" run --bundle "$BATS_TEST_TMPDIR/b" c2
	assert_output "msize=65536"
	log_has "its VMs are of another configuration" "$BATS_TEST_TMPDIR/log2"
	assert_equal "$(cache_status | jq .handed_out)" 0
	KR_CONFIG=$BATS_TEST_TMPDIR/configuration.toml
	assert_cache_destroyed
	assert_clean c1 c2

	# an init refused leaves nothing behind
	local before
	before=$(ls -a /run/kata-containers/.vmcache 2>/dev/null | wc -l)
	cache_config 65
	run -1 --separate-stderr kr factory init
	assert_equal "$stderr" "kata-runtime: [factory] vm_cache_number 65: at most 64"
	cache_config 1 -e 's/^shared_fs = .*/shared_fs = "virtio-fs"/'
	run -1 --separate-stderr kr factory init
	assert_equal "$stderr" "kata-runtime: vm factory: not for this configuration: shared_fs is virtio-fs: QEMU cannot save a vhost-user device's state"
	# "auto" (the shipped default) asks for what the configuration can
	# have: none, said, and exit 0 (a service is not started again in a loop)
	cache_config '"auto"' template -e 's/^shared_fs = .*/shared_fs = "virtio-fs"/'
	run -0 --separate-stderr kr factory init
	assert_output "vm factory: not for this configuration (creates boot): shared_fs is virtio-fs: QEMU cannot save a vhost-user device's state"
	[ ! -e "$CACHE_SOCK" ]
	cache_config 1
	touch "$CACHE_SOCK"
	run -1 --separate-stderr kr factory init
	assert_equal "$stderr" "kata-runtime: [factory] vm_cache_endpoint $CACHE_SOCK exists and is not a socket"
	[ -f "$CACHE_SOCK" ]
	rm "$CACHE_SOCK"
	sed -i "s|^vm_cache_endpoint = .*|vm_cache_endpoint = \"cache.sock\"|" "$KR_CONFIG"
	run -1 --separate-stderr kr factory init
	assert_equal "$stderr" "kata-runtime: [factory] vm_cache_endpoint must be an absolute path"
	# a directory no daemon can listen in
	sed -i "s|^vm_cache_endpoint = .*|vm_cache_endpoint = \"$BATS_TEST_TMPDIR/file/cache.sock\"|" "$KR_CONFIG"
	touch "$BATS_TEST_TMPDIR/file"
	run -1 --separate-stderr kr factory init
	assert_regex "$stderr" "^kata-runtime: listen on $BATS_TEST_TMPDIR/file/cache.sock: Not a directory$"
	assert_equal "$(ls -a /run/kata-containers/.vmcache 2>/dev/null | wc -l)" "$before"
	assert_equal "$(cached_qemus)" 0
}

# ready_count: how many VMs the cache holds ready.
ready_count() {
	cache_status | jq '[.vms[]? | select(.state == "ready")] | length'
}

# wait_for JQ: until the cache's status satisfies JQ (a minute at most).
wait_for() {
	local _
	for _ in $(seq 600); do
		[ "$(cache_status | jq "$1")" = true ] && return 0
		sleep 0.1
	done
	echo "the cache never came to $1: $(cache_status)" >&2
	return 1
}

@test "vm cache: \"auto\" sizes it from the host; a burst that finds it empty makes it keep more, a quiet spell fewer; an edit of the configuration replaces its VMs with the new one's" {
	require_guest
	cache_config '"auto"' template
	KATA_RUNTIME_TEST_VMCACHE_HOLD_MS=15000 kr factory init >/dev/null
	local cpus n
	cpus=$(nproc)
	n=$((cpus < 8 ? cpus : 8))
	assert_regex "$(cache_status | jq -r .sized)" "^vm_cache_number = \"auto\": $n VMs? here: one per CPU \($cpus\), in at most a quarter of the [0-9]+ MiB for VMs \([0-9]+ VMs of 2048 MiB\), at most 8$"
	assert_equal "$(cache_status | jq -c '[.number, .target, .grow_max]')" "[$n,$n,$((2 * n))]"
	run -0 kr factory status
	assert_line --regexp "^sized: vm_cache_number = \"auto\": $n VM"
	wait_ready "$n"
	# a burst of n + 2 creates at once: those that find it empty say so
	# (and start from the template), and it keeps more from then on
	make_bundle "$BATS_TEST_TMPDIR/b" sleep 600
	local i ids=() pids=()
	for i in $(seq 0 $((n + 1))); do
		ids+=("c$i")
		kr --log "$BATS_TEST_TMPDIR/log$i" create --bundle "$BATS_TEST_TMPDIR/b" "c$i" >/dev/null 2>&1 3>&- &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i"
	done
	local empty target
	empty=$(cache_status | jq .empty_takes)
	target=$(cache_status | jq .target)
	[ "$empty" -ge 1 ] && [ "$target" -eq $((n + empty < 2 * n ? n + empty : 2 * n)) ]
	assert_equal "$(cache_status | jq .handed_out)" $((n + 2 - empty))
	cat "$BATS_TEST_TMPDIR"/log* >"$BATS_TEST_TMPDIR/logs"
	log_has "the VM cache at $CACHE_SOCK: empty ([0-9]* VMs\? booting; keeping [0-9]* ready from now on); not used" "$BATS_TEST_TMPDIR/logs"
	run -0 kr factory status
	assert_line "keeping $target ready after a burst ($n when quiet, at most $((2 * n)))"
	assert_line --regexp "^handed out $((n + 2 - empty)), found empty $empty, "
	wait_ready "$target"
	# quiet: back to n, the VMs beyond it stopped
	wait_for ".target == $n and ([.vms[] | select(.state == \"ready\")] | length) == $n"
	for i in "${ids[@]}"; do
		kr delete --force "$i"
	done

	# the configuration edited: the daemon follows it; the VMs of the one
	# before are stopped, the new one's booted from its own template
	local old new
	old=$(cache_status | jq -r .key)
	sed -i 's/^default_memory = .*/default_memory = 1024/' "$KR_CONFIG"
	new=$(kr factory status --json | jq -r .key)
	[ "$new" != "$old" ]
	wait_for ".key == \"$new\" and ([.vms[] | select(.state == \"ready\")] | length) >= 1"
	local dlog
	dlog=$(ls -t /run/kata-containers/.vmcache/*/daemon.log | head -1)
	log_has "$KR_CONFIG changed: serving configuration $new, $n VM(s) from its template; .*; [0-9]\+ VM(s) of configuration $old stopped" "$dlog"
	make_bundle "$BATS_TEST_TMPDIR/m" sh -c 'grep MemTotal /proc/meminfo'
	run -0 --separate-stderr kr --log "$BATS_TEST_TMPDIR/log2" run --bundle "$BATS_TEST_TMPDIR/m" m1
	log_has 'sandbox m1: a VM from the cache' "$BATS_TEST_TMPDIR/log2"
	[ "$(echo "$output" | awk '{ print $2 }')" -lt $((1100 * 1024)) ]
	# an edit that does not load changes nothing
	echo '[[[' >>"$KR_CONFIG"
	sleep 2.5
	log_has "$KR_CONFIG changed, but: .*; the cache goes on with the configuration before" "$dlog"
	# (its own word: kata-runtime cannot load the file either)
	assert_equal "$(ask '{"op": "status"}'$'\n' | jq -r .key)" "$new"
	sed -i '$d' "$KR_CONFIG"
	assert_cache_destroyed
	assert_clean "${ids[@]}" m1
}

@test "vm cache: the kata-vmcache service's command serves in the foreground; a stop (SIGTERM to it alone) stops its VMs, never a pod's, and a restart after a crash clears what the crash left" {
	require_guest
	cache_config 1
	# what the unit runs, with this build's program and configuration
	local unit=$KC_BUILD/data/kata-vmcache.service args
	args=$(sed -n 's|^ExecStart=[^ ]*/kata-runtime ||p' "$unit")
	assert_equal "$args" "factory init --foreground"
	assert_equal "$(sed -n 's/^KillMode=//p' "$unit")" process
	assert_equal "$(sed -n 's/^Restart=//p' "$unit")" on-failure
	# shellcheck disable=SC2086 # the unit's words
	KATA_CONF_FILE=$KR_CONFIG "$KATA_RUNTIME" $args >/dev/null 2>"$BATS_TEST_TMPDIR/daemon.err" 3>&- &
	local daemon=$! st=0
	wait_for ".pid == $daemon"
	wait_ready 1
	assert_equal "$(cache_status | jq .pid)" "$daemon"
	make_bundle "$BATS_TEST_TMPDIR/b" sleep 600
	kr --log "$BATS_TEST_TMPDIR/log" create --bundle "$BATS_TEST_TMPDIR/b" p1 >/dev/null
	kr start p1
	log_has 'sandbox p1: a VM from the cache' "$BATS_TEST_TMPDIR/log"
	wait_ready 1
	# systemctl stop: SIGTERM to the daemon alone
	local cached
	cached=$(ready_pids)
	kill -TERM "$daemon"
	wait "$daemon" || st=$?
	assert_equal "$st" 0
	# shellcheck disable=SC2086 # the pids
	assert_gone $cached
	[ ! -e "$CACHE_SOCK" ]
	grep -q "VM cache stopping: 1 VM(s) to stop" "$BATS_TEST_TMPDIR/daemon.err"
	assert_equal "$(kr state p1 | jq -r .status)" running
	# started again, then killed as a crash would: the restart stops what
	# the dead one held, and serves
	# shellcheck disable=SC2086
	KATA_CONF_FILE=$KR_CONFIG "$KATA_RUNTIME" $args >/dev/null 2>"$BATS_TEST_TMPDIR/daemon.err" 3>&- &
	daemon=$!
	wait_for ".pid == $daemon"
	wait_ready 1
	cached=$(ready_pids)
	kill -9 "$daemon"
	wait "$daemon" || true
	# shellcheck disable=SC2086
	KATA_CONF_FILE=$KR_CONFIG "$KATA_RUNTIME" $args >/dev/null 2>"$BATS_TEST_TMPDIR/daemon2.err" 3>&- &
	daemon=$!
	wait_for ".pid == $daemon"
	wait_ready 1
	# shellcheck disable=SC2086
	assert_gone $cached
	log_has "stopping cached VM vmcache-[0-9]*-[0-9]*, left by a daemon that died" "$BATS_TEST_TMPDIR/daemon2.err"
	assert_equal "$(kr state p1 | jq -r .status)" running
	kill -TERM "$daemon"
	wait "$daemon"
	kr delete --force p1
	assert_cache_destroyed
	assert_clean p1
}

@test "vm cache: containerd-shim-kata-v2 takes a cached VM too, through a containerd of its own" {
	require_guest
	command -v containerd >/dev/null || skip "containerd is not installed"
	cache_config 1
	kr factory init >/dev/null
	wait_ready 1
	local d=$BATS_TEST_TMPDIR/ctd ns=kata-vmcache-$$ before
	mkdir -p "$BATS_TEST_TMPDIR/rootfs"
	busybox_rootfs "$BATS_TEST_TMPDIR/rootfs"
	# the shims containerd starts read the cache's configuration
	KATA_CONF_FILE=$KR_CONFIG containerd_start "$d"
	"$BATS_TEST_DIRNAME/../clients/oci-archive" "$BATS_TEST_TMPDIR/rootfs" localhost/bb:latest "$BATS_TEST_TMPDIR/bb.tar"
	local ctr=(timeout 120 ctr -a "$d/containerd.sock" -n "$ns")
	"${ctr[@]}" images import "$BATS_TEST_TMPDIR/bb.tar" >/dev/null
	before=$(ready_pids)
	run -0 "${ctr[@]}" run --rm --runtime io.containerd.kata.v2 localhost/bb:latest vc1 echo hello
	assert_output hello
	assert_equal "$(cache_status | jq .handed_out)" 1
	# the VM the shim took went with its task
	assert_gone "$before"
	kill "$(cat "$d/pid")"
	sleep 0.5
	grep -o " $d[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rmdir /sys/fs/cgroup/*/"$ns" 2>/dev/null || true
	assert_cache_destroyed
}

# ask LINE: one request on the cache's socket, its answer line.
ask() {
	python3 - "$CACHE_SOCK" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode())
s.shutdown(socket.SHUT_WR)
print(s.makefile().readline().strip())
PY
}

@test "vm cache: garbage, unknown ops and takes that name no VM directory, or one no create claims, get errors; nothing is handed over and the daemon goes on" {
	require_guest
	cache_config 1
	kr factory init >/dev/null
	wait_ready 1
	run -0 ask $'not json\n'
	assert_output --regexp '^\{"error": ?"bad request: a message that is not a JSON object: .*"\}$'
	run -0 ask $'{"op": "format"}\n'
	assert_output --regexp '^\{"error": ?"unknown op \(take, status\)"\}$'
	run -0 ask "{\"op\": \"take\", \"key\": \"$(cache_status | jq -r .key)\", \"dir\": \"../../etc\"}"$'\n'
	assert_output --regexp '^\{"error": ?"\\"dir\\" is not a VM directory'"'"'s name"\}$'
	# a well-formed name that no create is waiting for (it holds no claim
	# on it): no VM is renamed to a directory nobody would ever delete
	local unused
	unused=$(printf '%016x' $$)
	run -0 ask "{\"op\": \"take\", \"key\": \"$(cache_status | jq -r .key)\", \"dir\": \"$unused\"}"$'\n'
	assert_output --partial "no create is waiting for VM directory $unused"
	[ ! -e "/run/kata-containers/.vm/$unused" ]
	# a request that never ends its line is given up on
	run -0 ask '{"op": "status"'
	assert_output --regexp '^\{"error": ?"bad request: the connection ended"\}$'
	assert_equal "$(cache_status | jq .handed_out)" 0
	wait_ready 1
	assert_cache_destroyed
}
