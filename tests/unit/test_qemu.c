/* QEMU's command line from a configuration, without a VM: the machine and
 * accelerator, memory and vCPU hot-plug room, the guest's command line
 * (TSC rate under TCG only), the agent's channel, the shared folder (the
 * read-only view, by 9p or virtio-fs), the seccomp sandbox, NICs by name
 * or by the descriptors an unprivileged QEMU is handed. */
#include "test.h"

#include "config.h"
#include "qemu.h"
#include "xalloc.h"

static struct kc_config cfg;

static int setup(void **state)
{
	(void)state;
	config_defaults(&cfg);
	free(cfg.hypervisor.path);
	cfg.hypervisor.path = xstrdup("/usr/bin/qemu-system-x86_64");
	free(cfg.hypervisor.machine_type);
	cfg.hypervisor.machine_type = xstrdup("q35");
	free(cfg.hypervisor.initrd);
	cfg.hypervisor.initrd = xstrdup("/k/initrd.img");
	free(cfg.hypervisor.kernel);
	cfg.hypervisor.kernel = xstrdup("/k/vmlinux");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	config_free(&cfg);
	return 0;
}

static struct qemu_params params(const char *accel)
{
	return (struct qemu_params){
	    .cfg = &cfg,
	    .accel = accel,
	    .name = "sb1",
	    .vm_dir = "/run/kata-containers/.vm/0123456789abcdef",
	    .shared_dir = "/run/kata-containers/.vm/0123456789abcdef/shared",
	    .virtiofsd_socket = "/run/kata-containers/.vm/0123456789abcdef/vfsd.sock",
	    .vcpus = 1,
	    .maxvcpus = 4,
	    .memory_mib = 2048,
	    .host_memory_mib = 16384,
	    .tsc_khz = 2600000,
	};
}

/* The argument after flag, the n-th time flag appears (0: first). */
static const char *after(char **argv, const char *flag, int n)
{
	for (char **a = argv; *a; a++)
		if (!strcmp(*a, flag) && a[1] && n-- == 0)
			return a[1];
	return NULL;
}

static bool has(char **argv, const char *flag, const char *value)
{
	for (int n = 0;; n++) {
		const char *v = after(argv, flag, n);
		if (!v)
			return false;
		if (!strcmp(v, value))
			return true;
	}
}

static void tcg_q35_9p(void **state)
{
	(void)state;
	struct qemu_params p = params("tcg");
	char **argv = qemu_build_argv(&p);
	assert_string_equal(argv[0], "/usr/bin/qemu-system-x86_64");
	assert_true(has(argv, "-machine", "q35"));
	assert_true(has(argv, "-accel", "tcg,tb-size=64"));
	assert_true(has(argv, "-cpu", "max"));
	/* room for memory and vCPUs to be hot-plugged */
	assert_true(has(argv, "-m", "2048M,slots=10,maxmem=16384M"));
	assert_true(has(argv, "-smp", "1,cores=1,threads=1,sockets=4,maxcpus=4"));
	/* TCG calibrates with the host's TSC rate */
	assert_non_null(strstr(after(argv, "-append", 0), " tsc_early_khz=2600000"));
	assert_true(has(argv, "-sandbox", QEMU_SECCOMP_SANDBOX_DEFAULT));
	/* QEMU's own files in its own directory */
	assert_true(
	    has(argv, "-qmp",
		"unix:/run/kata-containers/.vm/0123456789abcdef/qemu/qmp.sock,server=on,wait=off"));
	assert_true(
	    has(argv, "-chardev",
		"file,id=console,path=/run/kata-containers/.vm/0123456789abcdef/qemu/console.log"));
	assert_true(has(argv, "-device",
			"virtserialport,bus=serial0.0,chardev=agent,name=agent.channel.0"));
	/* the share: the read-only view */
	assert_true(has(argv, "-fsdev",
			"local,id=shared,path=/run/kata-containers/.vm/0123456789abcdef/"
			"shared,security_model=none,"
			"multidevs=remap"));
	assert_true(has(argv, "-device", "virtio-9p-pci,fsdev=shared,mount_tag=kataShared"));
	assert_null(after(argv, "-netdev", 0));
	/* Kata 1's default: one hot-plug bridge (kata-network's NICs) */
	assert_true(
	    has(argv, "-device", "pci-bridge,bus=pcie.0,id=kata-bridge-0,chassis_nr=1,shpc=on"));
	for (int n = 0; after(argv, "-device", n); n++)
		assert_null(strstr(after(argv, "-device", n), "pcie-root-port"));
	strv_free(argv);
	/* and root ports, as Kata 2's pcie_root_port asks */
	cfg.hypervisor.default_bridges = 2;
	cfg.hypervisor.pcie_root_port = 2;
	argv = qemu_build_argv(&p);
	assert_true(
	    has(argv, "-device", "pci-bridge,bus=pcie.0,id=kata-bridge-1,chassis_nr=2,shpc=on"));
	assert_true(
	    has(argv, "-device", "pcie-root-port,bus=pcie.0,id=kata-port-1,chassis=33,slot=1"));
	cfg.hypervisor.default_bridges = 1;
	cfg.hypervisor.pcie_root_port = 0;
	strv_free(argv);
}

static void kvm_microvm_virtiofs_vsock(void **state)
{
	(void)state;
	free(cfg.hypervisor.machine_type);
	cfg.hypervisor.machine_type = xstrdup("microvm");
	free(cfg.hypervisor.shared_fs);
	cfg.hypervisor.shared_fs = xstrdup("virtio-fs");
	struct qemu_params p = params("kvm");
	p.vsock_cid = 7;
	char **argv = qemu_build_argv(&p);
	assert_true(has(argv, "-accel", "kvm"));
	assert_true(has(argv, "-cpu", "host"));
	/* no TSC rate under KVM; no hot-plug room on microvm */
	assert_null(strstr(after(argv, "-append", 0), "tsc_early_khz"));
	assert_non_null(strstr(after(argv, "-append", 0), "agent.channel=vsock"));
	assert_true(has(argv, "-m", "2048M"));
	assert_true(has(argv, "-smp", "1"));
	assert_true(has(argv, "-global", "virtio-mmio.force-legacy=false"));
	assert_true(has(argv, "-device", "vhost-vsock-device,id=vsock0,guest-cid=7"));
	assert_true(has(argv, "-object", "memory-backend-memfd,id=mem,size=2048M,share=on"));
	assert_true(has(argv, "-chardev",
			"socket,id=vfs,path=/run/kata-containers/.vm/0123456789abcdef/vfsd.sock"));
	assert_true(has(argv, "-device", "vhost-user-fs-device,chardev=vfs,tag=kataShared"));
	assert_null(after(argv, "-fsdev", 0));
	strv_free(argv);
	free(cfg.hypervisor.machine_type);
	cfg.hypervisor.machine_type = xstrdup("q35");
	free(cfg.hypervisor.shared_fs);
	cfg.hypervisor.shared_fs = xstrdup("virtio-9p");
}

static void memory_and_entropy_settings(void **state)
{
	(void)state;
	struct qemu_params p = params("kvm");
	char **argv = qemu_build_argv(&p);
	/* the entropy source the configuration names, to a virtio RNG */
	assert_true(has(argv, "-object", "rng-random,id=rng0,filename=/dev/urandom"));
	assert_true(has(argv, "-device", "virtio-rng-pci,rng=rng0"));
	assert_null(after(argv, "-mem-prealloc", 0));
	strv_free(argv);

	cfg.hypervisor.enable_mem_prealloc = true;
	argv = qemu_build_argv(&p);
	assert_non_null(after(argv, "-mem-prealloc", 0) ? "" : NULL);
	strv_free(argv);

	cfg.hypervisor.enable_hugepages = true;
	argv = qemu_build_argv(&p);
	assert_true(has(argv, "-object",
			"memory-backend-file,id=mem,size=2048M,mem-path=/dev/hugepages,share=on,"
			"prealloc=on"));
	assert_true(has(argv, "-numa", "node,memdev=mem"));
	strv_free(argv);

	free(cfg.hypervisor.shared_fs);
	cfg.hypervisor.shared_fs = xstrdup("virtio-fs");
	argv = qemu_build_argv(&p);
	assert_true(has(argv, "-object",
			"memory-backend-memfd,id=mem,size=2048M,share=on,hugetlb=on,prealloc=on"));
	strv_free(argv);
	free(cfg.hypervisor.shared_fs);
	cfg.hypervisor.shared_fs = xstrdup("virtio-9p");
	cfg.hypervisor.enable_hugepages = cfg.hypervisor.enable_mem_prealloc = false;
}

static void nics_and_no_sandbox(void **state)
{
	(void)state;
	free(cfg.hypervisor.seccompsandbox);
	cfg.hypervisor.seccompsandbox = xstrdup("");
	struct qemu_nic nics[] = {
	    {.tap = "tap0_kata",
	     .mac = "02:00:00:00:00:01",
	     .vhost = false,
	     .fd = -1,
	     .vhostfd = -1},
	    {.tap = "tap1_kata", .mac = "02:00:00:00:00:02", .vhost = true, .fd = 3, .vhostfd = 4},
	    {.tap = "tap2_kata",
	     .mac = "02:00:00:00:00:03",
	     .vhost = false,
	     .fd = 5,
	     .vhostfd = -1},
	};
	struct qemu_params p = params("tcg");
	p.nics = nics;
	p.nnics = 3;
	char **argv = qemu_build_argv(&p);
	assert_null(after(argv, "-sandbox", 0));
	/* by name (root QEMU), or by the descriptors handed over (unprivileged) */
	assert_string_equal(after(argv, "-netdev", 0),
			    "tap,id=net0,ifname=tap0_kata,script=no,downscript=no,vhost=off");
	assert_string_equal(after(argv, "-netdev", 1), "tap,id=net1,fd=3,vhost=on,vhostfd=4");
	assert_string_equal(after(argv, "-netdev", 2), "tap,id=net2,fd=5,vhost=off");
	assert_true(has(argv, "-device", "virtio-net-pci,netdev=net1,mac=02:00:00:00:00:02"));
	strv_free(argv);
}

/* Host devices at start: behind a root port each on q35, on the root bus
 * on pc; hot-plug ports sized for the host's largest passable device; the
 * 64-bit window grown past QEMU's default only when a large BAR needs it. */
static void vfio_cold_plug_and_windows(void **state)
{
	(void)state;
	struct qemu_vfio v[2] = {
	    {.host = "0000:03:00.0",
	     .group = 12,
	     .id = "vfio-12-0",
	     .bus = "kata-vfio-port-0",
	     .mmio32 = 1 << 20},
	    {.host = "0000:65:00.0",
	     .group = 20,
	     .id = "vfio-20-0",
	     .bus = "kata-vfio-port-1",
	     .mmio32 = 16 << 20,
	     .mmio64 = 288ULL << 20},
	};
	struct qemu_params p = params("tcg");
	p.vfio = v;
	p.nvfio = 2;
	cfg.hypervisor.pcie_root_port = 2;
	p.mmio.port_mmio32 = 16 << 20;
	p.mmio.port_mmio64 = 288ULL << 20;
	char **argv = qemu_build_argv(&p);
	assert_true(has(argv, "-device",
			"pcie-root-port,bus=pcie.0,id=kata-vfio-port-0,chassis=64,slot=0"));
	assert_true(
	    has(argv, "-device", "vfio-pci,host=0000:03:00.0,id=vfio-12-0,bus=kata-vfio-port-0"));
	assert_true(
	    has(argv, "-device", "vfio-pci,host=0000:65:00.0,id=vfio-20-0,bus=kata-vfio-port-1"));
	/* 288 MiB of 64-bit BARs: a 512 MiB window on each hot-plug port */
	assert_true(has(argv, "-device",
			"pcie-root-port,bus=pcie.0,id=kata-port-1,chassis=33,slot=1,"
			"mem-reserve=16777216,pref64-reserve=536870912"));
	/* 1.5 GiB in all: within q35's 32 GiB default */
	assert_null(after(argv, "-global", 0));
	strv_free(argv);

	/* a 64 GiB frame buffer (an A100's): the window grows to hold it and
	 * the ports' reservations */
	v[1].mmio64 = 64ULL << 30;
	p.mmio.port_mmio64 = 64ULL << 30;
	argv = qemu_build_argv(&p);
	assert_true(has(argv, "-global", "q35-pcihost.pci-hole64-size=256G"));
	strv_free(argv);

	/* pc: on the root bus, no root ports; its default window is 2 GiB */
	free(cfg.hypervisor.machine_type);
	cfg.hypervisor.machine_type = xstrdup("pc");
	snprintf(v[0].bus, sizeof(v[0].bus), "pci.0");
	v[1].mmio64 = 4ULL << 30;
	p.nvfio = 2;
	snprintf(v[1].bus, sizeof(v[1].bus), "pci.0");
	argv = qemu_build_argv(&p);
	assert_true(has(argv, "-device", "vfio-pci,host=0000:03:00.0,id=vfio-12-0,bus=pci.0"));
	assert_false(has(argv, "-device",
			 "pcie-root-port,bus=pcie.0,id=kata-vfio-port-0,chassis=64,slot=0"));
	assert_true(has(argv, "-global", "i440FX-pcihost.pci-hole64-size=4G"));
	strv_free(argv);
	free(cfg.hypervisor.machine_type);
	cfg.hypervisor.machine_type = xstrdup("q35");
	cfg.hypervisor.pcie_root_port = 0;
}

/* A VM template's memory is a file the template writes and each VM from
 * it maps copy-on-write; those VMs resume its state (-incoming defer) and
 * each gets a new VM generation ID. */
static void template_memory_and_incoming(void **state)
{
	(void)state;
	struct qemu_params p = params("tcg");
	p.template_memory = "/run/vc/vm/template/0123456789abcdef/memory";
	char **argv = qemu_build_argv(&p);
	assert_true(has(argv, "-object",
			"memory-backend-file,id=mem,size=2048M,mem-path=/run/vc/vm/template/"
			"0123456789abcdef/memory,share=on"));
	assert_true(has(argv, "-numa", "node,memdev=mem"));
	assert_true(has(argv, "-device", "vmgenid,guid=auto"));
	assert_null(after(argv, "-incoming", 0));
	strv_free(argv);
	p.template_incoming = true;
	argv = qemu_build_argv(&p);
	assert_true(has(argv, "-object",
			"memory-backend-file,id=mem,size=2048M,mem-path=/run/vc/vm/template/"
			"0123456789abcdef/memory,share=off"));
	assert_string_equal(after(argv, "-incoming", 0), "defer");
	strv_free(argv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(tcg_q35_9p),
	    cmocka_unit_test(kvm_microvm_virtiofs_vsock),
	    cmocka_unit_test(nics_and_no_sandbox),
	    cmocka_unit_test(memory_and_entropy_settings),
	    cmocka_unit_test(vfio_cold_plug_and_windows),
	    cmocka_unit_test(template_memory_and_incoming),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
