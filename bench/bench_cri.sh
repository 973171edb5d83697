#!/bin/bash
# The CRI path as kubelet drives it: one containerd with its CRI plugin and
# a CNI bridge, started here; our CRI client (tests/clients/cri-client)
# times, in one process, RunPodSandbox and pod start to the container's
# first output line in its log (RunPodSandbox, CreateContainer,
# StartContainer), through the shim v2 booting cold (kata: the build's
# development configuration, no factory), the shim v2 with the shipped
# configuration's factory (kata-default: the template and a VM cache,
# vm_cache_number = "auto", given as the handler's ConfigPath, as
# kata-deploy gives one), containerd's runc shim running kata-runtime
# (kata-runc) and runc, same run. Medians of N runs; then BURST (10)
# RunPodSandbox calls issued together through kata-default, against one.
#
# Usage: bench/bench_cri.sh BUILD_DIR [RUNS]   (HANDLERS="kata kata-default kata-runc runc")
set -euo pipefail

build=$(cd "${1:-build}" && pwd)
runs=${2:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
command -v containerd >/dev/null || { echo "cri: containerd is not installed; skipped"; exit 0; }
/usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null ||
	{ echo "cri: python3-grpcio or python3-protobuf is not installed; skipped"; exit 0; }
work=$(mktemp -d)
bridge=kcribench0
kr=$build/bin/kata-runtime
# the shipped [factory], with paths of its own
default=$work/default.toml
sed "s|^\[factory\]|[factory]\nenable_template = true\ntemplate_path = \"$work/factory\"\nvm_cache_number = \"auto\"\nvm_cache_endpoint = \"$work/cache.sock\"|" \
	"$build/data/configuration-dev.toml" >"$default"
cleanup() {
	[ -f "$work/ctd/pid" ] && kill "$(cat "$work/ctd/pid")" 2>/dev/null
	"$kr" --kata-config "$default" factory destroy >/dev/null 2>&1 || true
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
rt='plugins."io.containerd.grpc.v1.cri".containerd.runtimes'
printf '[%s.kata-default]\n  runtime_type = "io.containerd.kata.v2"\n  [%s.kata-default.options]\n    ConfigPath = "%s"\n' \
	"$rt" "$rt" "$default" >"$work/handlers.toml"
"$top/tests/clients/cri-containerd" "$work/ctd" "$build" "$work/rootfs" "$bridge" 10.99.78 "$work/handlers.toml"
"$kr" --kata-config "$default" factory init >/dev/null

/usr/bin/python3 - "$top/tests/clients/cri-client" "$work/ctd/containerd.sock" "$work/logs" "$runs" "$kr" "$default" <<-'EOF'
	import importlib.machinery, importlib.util, json, os, statistics, subprocess, sys, threading, time, uuid
	import grpc
	loader = importlib.machinery.SourceFileLoader("cri_client", sys.argv[1])
	spec = importlib.util.spec_from_loader("cri_client", loader)
	cri = importlib.util.module_from_spec(spec)
	loader.exec_module(cri)
	api, _ = cri.load_api()
	ch = grpc.insecure_channel("unix://" + sys.argv[2])
	logs, runs = sys.argv[3], int(sys.argv[4])
	kr, default = sys.argv[5], sys.argv[6]

	def cache():
	    out = subprocess.run([kr, "--kata-config", default, "factory", "status", "--json"],
	                         capture_output=True, text=True).stdout
	    return json.loads(out).get("cache") or {}

	def cache_ready():
	    # as a node's cache would be between pods: what it keeps, ready
	    for _ in range(600):
	        c = cache()
	        if sum(v.get("state") == "ready" for v in c.get("vms", [])) >= c.get("target", 0):
	            return
	        time.sleep(0.1)

	def call(method, req):
	    return cri.call(api, ch, method, json.dumps(req))

	def pod_config():
	    uid = str(uuid.uuid4())
	    logdir = os.path.join(logs, uid)
	    os.makedirs(logdir)
	    return {"metadata": {"name": "bench", "uid": uid, "namespace": "default"}, "hostname": "bench",
	            "log_directory": logdir,
	            "linux": {"cgroup_parent": "/kata-cri-bench/pod" + uid,
	                      "security_context": {"namespace_options": {"pid": "CONTAINER"}}}}

	def remove(pid):
	    call("StopPodSandbox", {"pod_sandbox_id": pid})
	    call("RemovePodSandbox", {"pod_sandbox_id": pid})

	def one(handler):
	    if handler == "kata-default":
	        cache_ready()
	    pod = pod_config()
	    logdir = pod["log_directory"]
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
	    remove(pid)
	    return (t1 - t0) * 1000, (t2 - t0) * 1000

	res, sandbox = [], {}
	for h in os.environ.get("HANDLERS", "kata kata-default kata-runc runc").split():
	    try:
	        r = [one(h) for _ in range(runs)]
	    except grpc.RpcError as e:
	        # (runc 1.1 from Debian cannot start CRI's sandbox on some kernels)
	        res.append("%s failed: %s" % (h, e.details()))
	        continue
	    sandbox[h] = statistics.median(x[0] for x in r)
	    res.append("%s %.0f ms (RunPodSandbox %.0f ms)" % (h, statistics.median(x[1] for x in r), sandbox[h]))
	print("CRI pod start -> first container output (TCG, %d runs, medians): %s" % (runs, "; ".join(res)))
	if "kata" in sandbox and "kata-default" in sandbox:
	    print("  RunPodSandbox, the default configuration against a cold boot: %.2fx" %
	          (sandbox["kata-default"] / sandbox["kata"]))

	# many at once, as after a deploy: RunPodSandbox calls issued together
	burst = int(os.environ.get("BURST", "10"))
	if "kata-default" in sandbox and burst > 1:
	    cache_ready()
	    kept = cache().get("target", 0)
	    done, errors, ids = [], [], []

	    def start():
	        try:
	            t = time.monotonic()
	            ids.append(call("RunPodSandbox", {"config": pod_config(),
	                                              "runtime_handler": "kata-default"}).pod_sandbox_id)
	            done.append((time.monotonic() - t) * 1000)
	        except grpc.RpcError as e:
	            errors.append(e.details())
	    t0 = time.monotonic()
	    threads = [threading.Thread(target=start) for _ in range(burst)]
	    for t in threads:
	        t.start()
	    for t in threads:
	        t.join()
	    all_ms = (time.monotonic() - t0) * 1000
	    for pid in ids:
	        remove(pid)
	    print("  %d RunPodSandbox at once through kata-default (%d VMs ready): all ready in %.0f ms "
	          "(%.1fx one alone; fastest %.0f ms, median %.0f ms)%s" %
	          (burst, kept, all_ms, all_ms / sandbox["kata-default"], min(done or [0]),
	           statistics.median(done or [0]), "; %d failed: %s" % (len(errors), errors[0]) if errors else ""))
EOF
