#!/usr/bin/env bats
# kata-runtime kata-network: Kata 1's network hot-plug. A pod runs with the
# interface its namespace had; a second veth appears in the namespace (as
# a CNI plugin would add it) and add-iface connects it to the running VM:
# traffic flows through it, the guest lists it, routes are replaced, and
# del-iface takes it out again, with nothing left.

bats_require_minimum_version 1.5.0
load helpers
load runtime

setup() {
	setup_runtime
	T=$BATS_TEST_TMPDIR
	SID=net$$
}

teardown() {
	teardown_runtime
	ip link del "kv$$x" 2>/dev/null || true
}

# A running sandbox $SID in a namespace as a CNI plugin leaves it (eth0).
pod_in_netns() {
	make_netns
	make_bundle "$T/sb" sleep 1000
	bundle_set "$T/sb" ".linux.namespaces = [{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},
		{\"type\":\"network\",\"path\":\"/run/netns/$NETNS\"}]"
	kr run --detach --bundle "$T/sb" "$SID" </dev/null >/dev/null 2>&1
}

# A second veth into the pod's namespace: eth1, 10.200.$$%250.2/24 inside,
# the host end .1.
second_veth() {
	NET2=10.200.$(($$ % 250))
	ip link add "kv$$x" type veth peer name eth1 netns "$NETNS"
	ip addr add "$NET2.1/24" dev "kv$$x"
	ip link set "kv$$x" up
	ip -n "$NETNS" addr add "$NET2.2/24" dev eth1
	ip -n "$NETNS" link set eth1 up
}

@test "kata-network: add-iface connects a new interface to a running VM; list, routes, del-iface" {
	pod_in_netns
	second_veth
	local mac
	mac=$(ip -n "$NETNS" -j link show eth1 | jq -r '.[0].address')
	# Kata 1's interface, on standard input
	run -0 --separate-stderr kr kata-network add-iface "$SID" - <<<"{\"device\":\"eth1\",\"name\":\"eth1\",
		\"IPAddresses\":[{\"family\":2,\"address\":\"$NET2.2\",\"mask\":\"24\"}],\"mtu\":1400}"
	jq -e --arg m "$mac" --arg a "$NET2.2" \
		'.device == "eth1" and .name == "eth1" and .hwAddr == $m and .mtu == 1400 and
		 .IPAddresses == [{"family": 2, "address": $a, "mask": "24"}]' <<<"$output"
	# recorded, plumbed: a tap mirrored to the veth
	ip -n "$NETNS" link show tap1_kata >/dev/null
	tc -n "$NETNS" filter show dev eth1 ingress | grep -q mirred
	# in the guest: the NIC, its address and MTU; traffic through it both ways
	run -0 kr exec "$SID" ip addr show eth1
	assert_output --partial "inet $NET2.2/24"
	assert_output --partial "mtu 1400"
	run -0 kr exec --cap CAP_NET_RAW "$SID" ping -c 1 -W 5 "$NET2.1"
	busybox ping -c 1 -W 5 "$NET2.2" >/dev/null
	run -0 kr kata-network list-ifaces "$SID"
	jq -e --arg a "$NET2.2" 'map(select(.name == "eth1"))[0].IPAddresses[0].address == $a' <<<"$output"
	jq -e 'map(.name) | index("eth0") != null and index("lo") != null' <<<"$output"
	run -0 kr kata-network list-routes "$SID"
	jq -e --arg n "$NET2.0/24" 'map(select(.dest == $n and .device == "eth1")) | length == 1' <<<"$output"
	jq -e 'map(select(.dest == "" and .gateway == "10.123.45.1")) | length == 1' <<<"$output"
	# update-routes replaces the routes (the connected ones stay)
	run -0 kr kata-network update-routes "$SID" - <<<"[{\"dest\":\"10.99.0.0/16\",\"gateway\":\"$NET2.1\",\"device\":\"eth1\"},
		{\"dest\":\"\",\"gateway\":\"$NET2.1\",\"device\":\"eth1\"}]"
	jq -e --arg g "$NET2.1" 'map(select(.dest == "10.99.0.0/16" and .gateway == $g)) | length == 1' <<<"$output"
	jq -e --arg g "$NET2.1" 'map(select(.dest == "")) == [{"dest": "", "gateway": $g, "device": "eth1", "source": "", "scope": 0}]' <<<"$output"
	run -0 kr exec "$SID" ip route
	assert_output --partial "default via $NET2.1 dev eth1"
	refute_output --partial "10.123.45.1"
	# the interface the VM was made with cannot be taken out; eth1 can
	run -1 kr kata-network del-iface "$SID" - <<<'{"name":"eth0"}'
	assert_output --partial "interface eth0 was connected when the VM was made"
	run -0 --separate-stderr kr kata-network del-iface "$SID" - <<<'{"name":"eth1"}'
	jq -e '.name == "eth1"' <<<"$output"
	run kr exec "$SID" ip link show eth1
	assert_failure
	run ip -n "$NETNS" link show tap1_kata
	assert_failure
	# and again: the slot and the tap name are free
	run -0 --separate-stderr kr kata-network add-iface "$SID" - <<<"{\"device\":\"eth1\",
		\"IPAddresses\":[{\"family\":2,\"address\":\"$NET2.2\",\"mask\":\"24\"}]}"
	run -0 kr exec "$SID" ip addr show eth1
	assert_output --partial "inet $NET2.2/24"
	# delete takes the hot-plugged interface's tap and filters with the pod
	run -0 kr delete --force "$SID"
	run ip -n "$NETNS" link show tap1_kata
	assert_failure
	run tc -n "$NETNS" filter show dev eth1 ingress
	refute_output --partial mirred
	assert_clean "$SID"
}

@test "kata-network: bad input and the wrong sandbox are refused, naming what" {
	pod_in_netns
	run -1 kr kata-network add-iface "$SID" - <<<'{"device":"eth9"}'
	assert_output --partial "device: no interface eth9 in the pod's network namespace"
	run -1 kr kata-network add-iface "$SID" - <<<'{"device":"eth0"}'
	assert_output --partial "interface eth0 is connected to the VM already"
	run -1 kr kata-network add-iface "$SID" - <<<'{"device":"eth0","IPAddresses":[{"address":"10.1.1.1","mask":"40"}]}'
	assert_output --partial "IPAddresses[0].mask: a prefix length (0 to 32) is required"
	run -1 kr kata-network add-iface "$SID" - <<<'{"device":'
	assert_output --partial "kata-network add-iface: standard input:"
	run -1 kr kata-network update-routes "$SID" - <<<'{"dest":"x"}'
	assert_output --partial "the routes must be a JSON array"
	run -1 kr kata-network list-ifaces nosuch
	assert_output --partial 'container "nosuch" does not exist'
	run -1 kr kata-network frob "$SID"
	assert_output --partial "unknown command 'frob'"
	run -1 kr kata-network list-ifaces
	assert_output --partial "expects the sandbox id"
	# nothing was made by the refusals
	run ip -n "$NETNS" link show tap1_kata
	assert_failure
	run -0 kr delete --force "$SID"
	assert_clean "$SID"
}
