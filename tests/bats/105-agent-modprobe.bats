#!/usr/bin/env bats
# The agent as the guest kernel's /sbin/modprobe (runtime/agent/modprobe.c),
# run on the host in dry-run mode (-n: print, load nothing) against a
# module tree of the test's own and against the image's. Loading in a
# guest is tested in 110-runtime.bats (CAP_NET_ADMIN).

bats_require_minimum_version 1.5.0
load helpers

setup() {
	[ -x "$KC_BUILD/guest/kata-agent" ] || skip "no agent built"
	MP=$BATS_TEST_TMPDIR/bin/modprobe
	mkdir -p "${MP%/*}"
	ln -s "$KC_BUILD/guest/kata-agent" "$MP"
	T=$BATS_TEST_TMPDIR/tree
	M=$T/lib/modules/9.9.9-test
	mkdir -p "$M"
	cat >"$M/modules.dep" <<-'EOF'
	kernel/net/bridge/bridge.ko: kernel/net/802/stp.ko kernel/net/llc/llc.ko
	kernel/net/802/stp.ko: kernel/net/llc/llc.ko
	kernel/net/llc/llc.ko:
	kernel/net/netfilter/xt_MASQUERADE.ko: kernel/net/netfilter/nf_nat.ko kernel/net/netfilter/nf_conntrack.ko kernel/lib/libcrc32c.ko
	kernel/net/netfilter/nf_nat.ko: kernel/net/netfilter/nf_conntrack.ko kernel/lib/libcrc32c.ko
	kernel/net/netfilter/nf_conntrack.ko: kernel/lib/libcrc32c.ko
	kernel/lib/libcrc32c.ko:
	kernel/crypto/crc32c_generic.ko:
	kernel/net/netfilter/nf-tables.ko:
	kernel/loop/a.ko: kernel/loop/b.ko
	kernel/loop/b.ko: kernel/loop/a.ko
	EOF
	cat >"$M/modules.alias" <<-'EOF'
	# Aliases extracted from modules themselves.
	alias rtnl-link-bridge bridge
	alias ipt_MASQUERADE xt_MASQUERADE
	alias crypto-crc32c crc32c_generic
	alias crc32c crc32c_generic
	alias nfnetlink-subsys-10 nf_tables
	alias net-pf-16-proto-12-type-* nf_tables
	EOF
	cat >"$M/modules.softdep" <<-'EOF'
	# Soft dependencies extracted from modules themselves.
	softdep libcrc32c pre: crc32c
	EOF
	echo kernel/lib/crc32.ko >"$M/modules.builtin"
}

mp() { "$MP" -n -d "$T" -S 9.9.9-test "$@"; }

@test "modprobe: a module loads after its dependencies, each once" {
	run -0 mp bridge
	assert_equal "$output" "insmod $M/kernel/net/llc/llc.ko
insmod $M/kernel/net/802/stp.ko
insmod $M/kernel/net/bridge/bridge.ko"
}

@test "modprobe: the kernel's aliases resolve, '-' and '_' alike, globs included" {
	run -0 mp rtnl-link-bridge
	assert_line --index 2 "insmod $M/kernel/net/bridge/bridge.ko"
	run -0 mp nfnetlink-subsys-10
	assert_output "insmod $M/kernel/net/netfilter/nf-tables.ko"
	run -0 mp net-pf-16-proto-12-type-10
	assert_output "insmod $M/kernel/net/netfilter/nf-tables.ko"
	run -0 mp nf-tables
	run -0 mp -q -- nf_tables
}

@test "modprobe: a pre soft dependency (libcrc32c needs a crc32c) loads first" {
	run -0 mp ipt_MASQUERADE
	assert_equal "$output" "insmod $M/kernel/crypto/crc32c_generic.ko
insmod $M/kernel/lib/libcrc32c.ko
insmod $M/kernel/net/netfilter/nf_conntrack.ko
insmod $M/kernel/net/netfilter/nf_nat.ko
insmod $M/kernel/net/netfilter/xt_MASQUERADE.ko"
}

@test "modprobe: built in is success; unknown names, bad options and loops are errors" {
	run -0 mp crc32
	assert_output "builtin crc32"
	run -1 mp wireguard
	assert_output "modprobe: wireguard: not in the image"
	run -1 mp -q wireguard
	assert_output ""
	run -1 "$MP" -x bridge
	assert_output --partial "unknown option '-x'"
	run -1 "$MP" -n
	assert_output --partial usage
	run -1 mp a
	assert_output --partial "a: Too many levels of symbolic links"
	run -1 "$MP" -n -d "$T" -S 0.0.0-none bridge
	assert_output --partial "0.0.0-none: No such file or directory"
}

@test "modprobe: the image holds what the kernel asks for on behalf of privileged containers" {
	local img=$KC_BUILD/guest/kata-containers-initrd.img
	[ -f "$img" ] || skip "no image built"
	local root=$BATS_TEST_TMPDIR/initramfs kver
	mkdir -p "$root"
	(cd "$root" && gzip -dc "$img" | cpio -id --quiet)
	kver=$(ls "$root/lib/modules")
	[ -n "$kver" ] || skip "the image's kernel has everything built in"
	local name
	# ip link add type bridge/veth/vlan; brctl; iptables-nft; iptables-legacy
	# tables and targets; nftables NAT chains; conntrack helpers
	for name in rtnl-link-bridge rtnl-link-veth rtnl-link-vlan rtnl-link-dummy rtnl-link-vxlan \
		bridge nfnetlink-subsys-10 iptable_nat iptable_filter iptable_mangle ip6table_nat \
		ipt_MASQUERADE xt_conntrack xt_addrtype xt_comment xt_mark nft-chain-2-nat \
		nft-expr-masq br_netfilter; do
		run "$MP" -n -d "$root" -S "$kver" "$name"
		[ "$status" -eq 0 ] || fail "$name: $output"
	done
	# the modules ship uncompressed, as finit_module() needs them
	run -0 "$MP" -n -d "$root" -S "$kver" iptable_nat
	local f n=0
	for f in $(awk '{ print $2 }' <<<"$output"); do
		[ -f "$f" ] || fail "$f is not in the image"
		n=$((n + 1))
	done
	# iptable_nat and what it depends on: never an empty list
	[ "$n" -ge 2 ] || fail "modprobe -n named $n files: $output"
}
