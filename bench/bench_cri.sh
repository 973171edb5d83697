#!/bin/bash
# The CRI path as kubelet drives it: one containerd with its CRI plugin and
# a CNI bridge, started here; our CRI client (tests/clients/cri-client)
# times, in one process, RunPodSandbox and pod start to the container's
# first output line in its log (RunPodSandbox, CreateContainer,
# StartContainer), through the shim v2 (kata), containerd's runc shim
# running kata-runtime (kata-runc) and runc, same run. Medians of N runs.
#
# Usage: bench/bench_cri.sh BUILD_DIR [RUNS]   (HANDLERS="kata kata-runc runc")
set -euo pipefail

build=$(cd "${1:-build}" && pwd)
runs=${2:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
command -v containerd >/dev/null || { echo "cri: containerd is not installed; skipped"; exit 0; }
/usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null ||
	{ echo "cri: python3-grpcio or python3-protobuf is not installed; skipped"; exit 0; }
work=$(mktemp -d)
bridge=kcribench0
cleanup() {
	[ -f "$work/ctd/pid" ] && kill "$(cat "$work/ctd/pid")" 2>/dev/null
	sleep 0.5
	grep -o " ${work}[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	ip link del "$bridge" 2>/dev/null || true
	find /sys/fs/cgroup/*/kata-cri-bench -depth -type d -exec rmdir {} + 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/rootfs/bin" "$work/logs"
cp /bin/busybox "$work/rootfs/bin/"
for a in echo sh sleep; do ln -s busybox "$work/rootfs/bin/$a"; done
"$top/tests/clients/cri-containerd" "$work/ctd" "$build" "$work/rootfs" "$bridge" 10.99.78

/usr/bin/python3 - "$top/tests/clients/cri-client" "$work/ctd/containerd.sock" "$work/logs" "$runs" <<-'EOF'
	import importlib.machinery, importlib.util, json, os, statistics, sys, time, uuid
	import grpc
	loader = importlib.machinery.SourceFileLoader("cri_client", sys.argv[1])
	spec = importlib.util.spec_from_loader("cri_client", loader)
	cri = importlib.util.module_from_spec(spec)
	loader.exec_module(cri)
	api, _ = cri.load_api()
	ch = grpc.insecure_channel("unix://" + sys.argv[2])
	logs, runs = sys.argv[3], int(sys.argv[4])

	def call(method, req):
	    return cri.call(api, ch, method, json.dumps(req))

	def one(handler):
	    uid = str(uuid.uuid4())
	    logdir = os.path.join(logs, uid)
	    os.makedirs(logdir)
	    pod = {"metadata": {"name": "bench", "uid": uid, "namespace": "default"}, "hostname": "bench",
	           "log_directory": logdir,
	           "linux": {"cgroup_parent": "/kata-cri-bench/pod" + uid,
	                     "security_context": {"namespace_options": {"pid": "CONTAINER"}}}}
	    t0 = time.monotonic()
	    pid = call("RunPodSandbox", {"config": pod, "runtime_handler": handler}).pod_sandbox_id
	    t1 = time.monotonic()
	    c = {"metadata": {"name": "c"}, "image": {"image": "localhost/bb:latest"},
	         "command": ["sh", "-c", "echo first output; exec sleep 1000"], "log_path": "c.log",
	         "linux": {"security_context": {"namespace_options": {"pid": "CONTAINER"}}}}
	    cid = call("CreateContainer", {"pod_sandbox_id": pid, "config": c, "sandbox_config": pod}).container_id
	    call("StartContainer", {"container_id": cid})
	    log = os.path.join(logdir, "c.log")
	    while True:
	        try:
	            if "first output" in open(log).read():
	                break
	        except FileNotFoundError:
	            pass
	        time.sleep(0.005)
	    t2 = time.monotonic()
	    call("StopPodSandbox", {"pod_sandbox_id": pid})
	    call("RemovePodSandbox", {"pod_sandbox_id": pid})
	    return (t1 - t0) * 1000, (t2 - t0) * 1000

	res = []
	for h in os.environ.get("HANDLERS", "kata kata-runc runc").split():
	    try:
	        r = [one(h) for _ in range(runs)]
	    except grpc.RpcError as e:
	        # (runc 1.1 from Debian cannot start CRI's sandbox on some kernels)
	        res.append("%s failed: %s" % (h, e.details()))
	        continue
	    res.append("%s %.0f ms (RunPodSandbox %.0f ms)" % (h, statistics.median(x[1] for x in r),
	                                                      statistics.median(x[0] for x in r)))
	print("CRI pod start -> first container output (TCG, %d runs, medians): %s" % (runs, "; ".join(res)))
EOF
