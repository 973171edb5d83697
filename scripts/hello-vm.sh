#!/bin/bash
# The product in one command: on a fresh Debian 12 machine (as root) build
# everything including the guest image, check the host, and run a container
# in a virtual machine with kata-runtime, using the accelerator the report
# allows (and saying why).
#
# Usage: scripts/hello-vm.sh [BUILD_DIR]     (make hello)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin=$build/bin
config=$build/data/configuration-dev.toml

# bold headings on a terminal only
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

step "Installing what the build needs (Debian packages)"
scripts/deps.sh build image vm
step "Building the programs and the guest image"
make -j"$(nproc)" all image BUILD="$build"

step "Checking this host: kata-check"
# exit status 1 means "not capable of running with KVM"; TCG may still run
"$bin/kata-check" || true

step "The accelerator kata-runtime will use, and why"
"$bin/kata-env" --kata-config "$config" --json | jq -r '
	"accelerator: \(.Hypervisor.Accelerator)",
	(.Adaptation[]? | select(.Key == "hypervisor.qemu.accel") | "because: \(.Reason) (report item \(.ReportItem))")'

step "Running a container in a VM: kata-runtime run"
bundle=$(mktemp -d)
trap 'rm -rf "$bundle"' EXIT
mkdir -p "$bundle/rootfs/bin"
cp /bin/busybox "$bundle/rootfs/bin/"
for applet in $(/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -s busybox "$bundle/rootfs/bin/$applet"
done
"$bin/kata-runtime" spec --bundle "$bundle"
jq '.process.terminal = false | .process.args = ["sh", "-c", "echo hello from a VM; uname -r"]' \
	"$bundle/config.json" >"$bundle/config.tmp" && mv "$bundle/config.tmp" "$bundle/config.json"
time "$bin/kata-runtime" --kata-config "$config" run --bundle "$bundle" "hello-$$"
