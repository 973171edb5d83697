#!/bin/bash
# Install the Debian packages the project needs. Idempotent, and quick
# when everything is already installed (one dpkg-query).
#
# Usage: scripts/deps.sh [GROUP...]   groups: build test fuzz image vm lint deb (default: build test)
set -euo pipefail

declare -A groups=(
	[build]="gcc make pkg-config libc6-dev libkmod-dev libpci-dev libudev-dev libjansson-dev zlib1g-dev libncurses-dev libseccomp-dev protobuf-c-compiler libprotobuf-c-dev golang-github-containerd-containerd-dev golang-github-containerd-cgroups-dev golang-github-gogo-protobuf-dev"
	[test]="libcmocka-dev bats bats-assert bats-support jq python3-yaml python3-jsonschema kmod xz-utils zstd util-linux strace tmux socat podman containerd runc man-db docker.io iptables python3-grpcio python3-protobuf protobuf-compiler python3-websocket"
	[fuzz]="clang libclang-rt-14-dev"
	[image]="cpio xz-utils kmod binutils"
	[vm]="qemu-system-x86 busybox-static jq"
	[lint]="clang-format cppcheck codespell"
	[deb]="debhelper dpkg-dev fakeroot lintian"
)
[ $# -gt 0 ] || set -- build test
packages=()
for g in "$@"; do
	[ -n "${groups[$g]:-}" ] || { echo "deps: unknown group '$g' (known: ${!groups[*]})" >&2; exit 2; }
	read -ra more <<<"${groups[$g]}"
	packages+=("${more[@]}")
done

# dpkg-query lists only packages it knows; anything not listed as installed is missing.
declare -A installed=()
while read -r pkg status; do
	[ "$status" = "installed" ] && installed[${pkg%%:*}]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for p in "${packages[@]}"; do
	[ -n "${installed[$p]:-}" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
apt_install() { "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; }
# A fresh machine may have stale or empty package lists: update and retry once.
apt_install || { "${sudo[@]}" apt-get update -q && apt_install; }
