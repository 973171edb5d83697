#!/usr/bin/env bats
# kata-runtime's command line against runc's (Debian's runc): every command
# has its help, every runc flag is honoured or refused or warned about by
# name, --version has one format in every program, and bash completion
# reads it all from the program. No VM is started here.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	KATA_RUNTIME=$KC_BUILD/bin/kata-runtime
	ROOT=$BATS_TEST_TMPDIR/root
	mkdir -p "$ROOT"
}

kr() {
	timeout 20 "$KATA_RUNTIME" --root "$ROOT" "$@"
}

# runc's commands (without help), one per line
runc_commands() {
	runc --help | sed -n '/^COMMANDS:/,/^GLOBAL OPTIONS:/s/^   \([a-z]\{1,\}\).*/\1/p' | grep -vx help
}

# the long flags a help text lists, one per line (runc's and ours have the same shape)
help_flags() {
	sed -n 's/^ \{1,\}--\([a-z0-9-]\{1,\}\).*/\1/p'
}

@test "cli: every command has its own --help, also as 'help COMMAND'" {
	for cmd in create start run state kill delete exec ps list pause resume events update spec features checkpoint restore; do
		run -0 kr "$cmd" --help
		assert_line --index 0 --regexp "^Usage: kata-runtime $cmd( |$)"
		assert_line "Options:"
		assert_line --regexp '^ +--help, -h +show this help$'
		run -0 kr help "$cmd"
		assert_line --index 0 --regexp "^Usage: kata-runtime $cmd( |$)"
		run -0 kr "$cmd" -h
		assert_line --index 0 --regexp "^Usage: kata-runtime $cmd( |$)"
	done
	# the flags listed are the flags taken
	run -0 kr exec --help
	assert_line --regexp '^ +--additional-gids GID, -g GID +add a supplementary group'
	run -1 kr exec --no-such-flag x true
	assert_output "kata-runtime: flag provided but not defined: -no-such-flag"
	run -1 kr help no-such-command
	assert_output --partial "unknown command 'no-such-command'"
	run -0 kr help
	assert_line "Commands:"
}

@test "cli: runc's flags, command by command: each is ours, honoured, or refused or warned about by name" {
	command -v runc >/dev/null
	local checked=0
	for cmd in $(runc_commands); do
		run -0 kr "$cmd" --help
		local ours=$output
		# a command we do not support at all says so, and fails whatever its flags
		if grep -q "^Not supported" <<<"$ours"; then
			run -1 kr "$cmd" x
			assert_output "kata-runtime: $cmd: not supported: the container's processes run in a VM, where CRIU cannot reach them"
			continue
		fi
		for flag in $(runc "$cmd" --help | help_flags); do
			[ "$flag" = help ] && continue
			local line
			line=$(grep -E -m1 "^ +--$flag( |,|$)" <<<"$ours") ||
				fail "runc $cmd --$flag: not in kata-runtime $cmd --help"
			checked=$((checked + 1))
			local value=()
			[[ $line =~ ^\ +--$flag\ [A-Z] ]] && value=(x)
			case $line in
			*"[refused]"*)
				run -1 kr "$cmd" "--$flag" "${value[@]}" no-such-container
				assert_output --regexp "^kata-runtime: --$flag: not supported: .+"
				;;
			*"[ignored]"*)
				# warned about, then the command goes on (and finds no container)
				run -1 kr "$cmd" "--$flag" "${value[@]}" no-such-container
				assert_line --index 0 --regexp "level=warning msg=\"--$flag: ignored: .+\""
				assert_equal "${#lines[@]}" 2
				;;
			esac
		done
	done
	# runc's global flags
	run -0 "$KATA_RUNTIME" --help
	local ours=$output
	for flag in $(runc --help | sed -n '/^GLOBAL OPTIONS:/,$p' | help_flags); do
		grep -E -q "^ +--$flag( |,|$)" <<<"$ours" || fail "runc --$flag: not in kata-runtime --help"
	done
	# enough to be sure the parsing above found runc's flags at all
	[ "$checked" -gt 40 ]
}

@test "cli: refused flags are refused, and values the spec allows but the guest cannot take too" {
	run -1 kr update --cpu-rt-runtime 950000 x
	assert_output "kata-runtime: --cpu-rt-runtime: not supported: the guest's cgroup v2 has no real-time CPU bandwidth"
	echo '{"cpu": {"realtimeRuntime": 1000}}' >"$BATS_TEST_TMPDIR/res.json"
	run -1 kr update -r "$BATS_TEST_TMPDIR/res.json" x
	assert_output --partial "update.cpu.realtimeRuntime: not supported: the guest's cgroup v2 has no real-time CPU bandwidth"
	run -1 kr exec --ignore-paused x true
	assert_output --partial -- "--ignore-paused: not supported: a process started in a frozen container freezes"
	run -1 kr exec --cgroup cpu:/sub x true
	assert_output --partial -- "--cgroup: not supported"
	# an empty value or =false asks for nothing
	run -1 kr exec --apparmor= x true
	assert_output 'kata-runtime: container "x" does not exist'
	run -1 kr create --no-pivot=false --bundle /nonexistent x
	refute_output --partial "ignored"
	run -1 kr update --blkio-weight ten x
	assert_output "kata-runtime: update: --blkio-weight: 'ten' is not a number"
	run -1 kr checkpoint --image-path /tmp x
	assert_output --partial "checkpoint: not supported"
	run -1 kr restore x
	assert_output --partial "restore: not supported"
}

@test "cli: --version is one format in every program, and the runtime adds its OCI spec like runc" {
	local re='^[a-z0-9-]+ version [0-9]+\.[0-9]+\.[0-9]+[^ ]*$'
	for p in kata-check kata-env kata-setup kata-dashboard kata-runtime kata-proxy kata-shim containerd-shim-kata-v2; do
		run -0 "$KC_BUILD/bin/$p" --version
		assert_line --index 0 --regexp "^$p version [0-9]+\.[0-9]+\.[0-9]+"
		assert_line --index 0 --regexp "$re"
		assert_line --index 1 --regexp '^commit: ([0-9a-f]+|unknown)$'
	done
	run -0 "$KATA_RUNTIME" --version
	assert_line --index 2 --regexp '^spec: 1\.[0-9]+\.[0-9]+'
	# the same three lines as runc's, which Docker parses
	assert_equal "$(runc --version | sed -n '1s/ .*//p;2s/:.*//p;3s/:.*//p' | tr '\n' ' ')" "runc commit spec "
	assert_equal "${#lines[@]}" 3
	run -0 "$KATA_RUNTIME" version
	assert_line --index 0 --regexp '^kata-runtime version '
}

# complete WORD...: what bash completion offers for the last word
complete_words() {
	# shellcheck source=/dev/null
	source "$BATS_TEST_DIRNAME/../../data/completion/kata-runtime"
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_kata_runtime
	echo "${COMPREPLY[*]}"
}

@test "cli: bash completion offers commands, each command's flags, files for file flags" {
	PATH=$KC_BUILD/bin:$PATH
	assert_equal "$(complete_words kata-runtime ex)" "exec"
	assert_equal "$(complete_words kata-runtime --root /x up)" "update"
	assert_equal "$(complete_words kata-runtime help che)" "checkpoint"
	assert_equal "$(complete_words kata-runtime exec --a)" "--additional-gids --apparmor"
	assert_equal "$(complete_words kata-runtime update --cpuset)" "--cpuset-cpus --cpuset-mems"
	assert_equal "$(complete_words kata-runtime --log-f)" "--log-format"
	mkdir -p "$BATS_TEST_TMPDIR/bundle-dir"
	touch "$BATS_TEST_TMPDIR/bundle-file"
	assert_equal "$(complete_words kata-runtime create --bundle "$BATS_TEST_TMPDIR/bundle-")" "$BATS_TEST_TMPDIR/bundle-dir"
	assert_equal "$(complete_words kata-runtime exec --process "$BATS_TEST_TMPDIR/bundle-f")" "$BATS_TEST_TMPDIR/bundle-file"
	assert_equal "$(complete_words kata-runtime kata-network list-)" "list-ifaces list-routes"
	# a value that is not a file: nothing to offer
	assert_equal "$(complete_words kata-runtime exec --env A)" ""
	# container ids come from list, under the --root given
	assert_equal "$(complete_words kata-runtime --root "$ROOT" state "")" ""
	# every command and every flag of the help is offered
	local all
	all=$(complete_words kata-runtime "")
	for cmd in create run exec update checkpoint kata-check help; do
		[[ " $all " == *" $cmd "* ]] || fail "completion lacks $cmd: $all"
	done
}
