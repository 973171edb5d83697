/* QEMU command line (see qemu.h). */
#include "qemu.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotplug.h"
#include "proto.h"
#include "strbuf.h"
#include "xalloc.h"

struct argv_builder {
	char **v;
	size_t n, cap;
};

static void add(struct argv_builder *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct argv_builder *a, const char *fmt, ...)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->v = xrealloc(a->v, a->cap * sizeof(char *));
	}
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static bool is_microvm(const char *m)
{
	return m && !strcmp(m, "microvm");
}

void qemu_kernel_cmdline(const struct qemu_params *p, struct strbuf *out)
{
	/* quiet and fast: no timer or crypto self-checks, no legacy keyboard
	 * probing; panic=-1 with -no-reboot ends QEMU when the guest dies */
	strbuf_append(out,
		      "console=ttyS0 quiet panic=-1 no_timer_check tsc=reliable random.trust_cpu=on"
		      " i8042.noaux i8042.nokbd i8042.nopnp cryptomgr.notests nowatchdog");
	/* an idle guest's own wake-ups: kcompactd's proactive compaction
	 * every 500 ms and PSI's averages every 2 s were four in five of
	 * them, and under TCG each costs QEMU a main-loop and a vCPU
	 * wake-up - an idle pod's VM used 0.23% of a CPU with them, 0.02%
	 * without (bench_factory.sh). Compaction on demand stays; what
	 * is lost is /proc/pressure (psi=1 in kernel_params restores it). */
	strbuf_append(out, " psi=0 sysctl.vm.compaction_proactiveness=0");
	/* under TCG an early calibration without this can hang (microvm) */
	unsigned khz = strcmp(p->accel, "tcg") ? 0 : p->tsc_khz;
	if (khz)
		strbuf_appendf(out, " tsc_early_khz=%u", khz);
	if (p->cfg->agent.enable_debug || p->cfg->hypervisor.enable_debug)
		strbuf_append(out, " agent.log=debug");
	if (p->vsock_cid)
		strbuf_append(out, " agent.channel=vsock");
	if (p->cfg->hypervisor.kernel_params && *p->cfg->hypervisor.kernel_params)
		strbuf_appendf(out, " %s", p->cfg->hypervisor.kernel_params);
}

static bool uses_virtiofs(const struct qemu_config *q)
{
	return q->shared_fs && !strcmp(q->shared_fs, "virtio-fs");
}

/* The machine, accelerator, CPUs and memory (with room to hot-plug). */
static void add_machine(struct argv_builder *a, const struct qemu_params *p, bool kvm, bool micro)
{
	const struct qemu_config *q = &p->cfg->hypervisor;
	add(a, "-machine");
	if (q->machine_accelerators && *q->machine_accelerators)
		add(a, "%s,%s", q->machine_type, q->machine_accelerators);
	else
		add(a, "%s", q->machine_type);
	add(a, "-accel");
	/* TCG's translation cache, small to keep QEMU's memory down (pages
	 * are touched as code is translated), but with room for hot-plug:
	 * QEMU 7.2 splits it into regions, a vCPU hot-plugged once the boot
	 * has filled them all aborts QEMU (tcg_region_initial_alloc), and
	 * 32 MiB was filled by a boot with the hot-plug bridge's SHPC. Make
	 * bench's study (bench_footprint.sh): 16 MiB makes a Python workload
	 * 1.5x slower, 128 MiB and more add PSS and no speed */
	add(a, kvm ? "kvm" : "tcg,tb-size=64");
	add(a, "-cpu");
	if (q->cpu_features && *q->cpu_features)
		add(a, "%s,%s", kvm ? "host" : "max", q->cpu_features);
	else
		add(a, "%s", kvm ? "host" : "max");
	add(a, "-m");
	if (!micro && q->memory_slots && p->host_memory_mib > p->memory_mib)
		add(a, "%uM,slots=%u,maxmem=%uM", p->memory_mib, q->memory_slots,
		    p->host_memory_mib);
	else
		add(a, "%uM", p->memory_mib);
	add(a, "-smp");
	if (!micro && p->maxvcpus > p->vcpus)
		add(a, "%u,cores=1,threads=1,sockets=%u,maxcpus=%u", p->vcpus, p->maxvcpus,
		    p->maxvcpus);
	else
		add(a, "%u", p->vcpus);
	/* enable_hugepages: hugetlbfs pages, which are allocated up front;
	 * enable_mem_prealloc: touch every page at start, for predictable
	 * latency at the cost of density (both as Kata 1 did) */
	bool prealloc = q->enable_mem_prealloc || q->enable_hugepages;
	_cleanup_free_ char *backend = NULL;
	if (p->template_memory)
		/* a VM template's memory (factory.c): the template writes it
		 * (shared), each VM started from it maps it copy-on-write, so
		 * the pages the guest has not written are the host's once */
		backend = xasprintf("memory-backend-file,id=mem,size=%uM,mem-path=%s,share=%s",
				    p->memory_mib, p->template_memory,
				    p->template_incoming ? "off" : "on");
	else if (uses_virtiofs(q))
		/* vhost-user devices need the guest's memory shared with virtiofsd */
		backend = xasprintf("memory-backend-memfd,id=mem,size=%uM,share=on%s%s",
				    p->memory_mib, q->enable_hugepages ? ",hugetlb=on" : "",
				    prealloc ? ",prealloc=on" : "");
	else if (q->enable_hugepages)
		backend = xasprintf("memory-backend-file,id=mem,size=%uM,mem-path=/dev/hugepages,"
				    "share=on,prealloc=on",
				    p->memory_mib);
	if (backend) {
		add(a, "-object");
		add(a, "%s", backend);
		add(a, "-numa");
		add(a, "node,memdev=mem");
	} else if (prealloc) {
		add(a, "-mem-prealloc");
	}
}

/* Firmware, our kernel and initramfs, the guest's command line. */
static void add_boot(struct argv_builder *a, const struct qemu_params *p)
{
	const struct qemu_config *q = &p->cfg->hypervisor;
	if (q->firmware && *q->firmware) {
		add(a, "-bios");
		add(a, "%s", q->firmware);
	}
	add(a, "-kernel");
	add(a, "%s", q->kernel);
	add(a, "-initrd");
	add(a, "%s", q->initrd);
	struct strbuf cmd = STRBUF_INIT;
	qemu_kernel_cmdline(p, &cmd);
	add(a, "-append");
	add(a, "%s", cmd.s);
	strbuf_release(&cmd);
}

/* The console log, QMP and the agent's channel, in QEMU's directory. */
static void add_channels(struct argv_builder *a, const struct qemu_params *p, const char *bus)
{
	add(a, "-chardev");
	add(a, "file,id=console,path=%s/" QEMU_DIR "/console.log", p->vm_dir);
	add(a, "-serial");
	add(a, "chardev:console");
	add(a, "-qmp");
	add(a, "unix:%s/" QEMU_DIR "/qmp.sock,server=on,wait=off", p->vm_dir);
	if (p->vsock_cid) {
		add(a, "-device");
		add(a, "vhost-vsock-%s,id=vsock0,guest-cid=%u", bus, p->vsock_cid);
		return;
	}
	add(a, "-device");
	add(a, "virtio-serial-%s,id=serial0", bus);
	add(a, "-chardev");
	add(a, "socket,id=agent,path=%s/" QEMU_DIR "/agent.sock,server=on,wait=off", p->vm_dir);
	add(a, "-device");
	add(a, "virtserialport,bus=serial0.0,chardev=agent,name=" PROTO_AGENT_PORT_NAME);
}

void qemu_hotplug_buses(const struct qemu_config *q, unsigned *bridges, unsigned *ports)
{
	bool q35 = q->machine_type && strstr(q->machine_type, "q35");
	*bridges = is_microvm(q->machine_type) ? 0 : q->default_bridges;
	*ports = q35 ? q->pcie_root_port : 0;
}

/* The least power of two at least v (and at least 2 MiB, the smallest
 * window firmware gives a bridge). */
static uint64_t window_size(uint64_t v)
{
	uint64_t w = 2ULL << 20;
	while (w < v && w < (1ULL << 62))
		w <<= 1;
	return w;
}

/* A root port's reservation for devices hot-plugged later: room in the
 * 32-bit and 64-bit windows for the largest device the host could pass
 * (firmware sizes a port's windows at boot, from what is plugged then:
 * an empty port gets 2 MiB, too small for a GPU's frame buffer). */
static void port_reserve(struct strbuf *sb, const struct qemu_mmio *m)
{
	if (m->port_mmio32)
		strbuf_appendf(sb, ",mem-reserve=%llu",
			       (unsigned long long)window_size(m->port_mmio32));
	if (m->port_mmio64)
		strbuf_appendf(sb, ",pref64-reserve=%llu",
			       (unsigned long long)window_size(m->port_mmio64));
}

static void add_hotplug_buses(struct argv_builder *a, const struct qemu_params *p)
{
	const struct qemu_config *q = &p->cfg->hypervisor;
	bool q35 = q->machine_type && strstr(q->machine_type, "q35");
	unsigned bridges, ports;
	qemu_hotplug_buses(q, &bridges, &ports);
	for (unsigned i = 0; i < bridges; i++) {
		add(a, "-device");
		add(a, "pci-bridge,bus=%s,id=" QEMU_HOTPLUG_BRIDGE "%u,chassis_nr=%u,shpc=on",
		    q35 ? "pcie.0" : "pci.0", i, i + 1);
	}
	for (unsigned i = 0; i < ports; i++) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_appendf(
		    &sb, "pcie-root-port,bus=pcie.0,id=" QEMU_HOTPLUG_PORT "%u,chassis=%u,slot=%u",
		    i, 32 + i, i);
		port_reserve(&sb, &p->mmio);
		add(a, "-device");
		add(a, "%s", sb.s);
		strbuf_release(&sb);
	}
}

/* Host devices given at start: on q35 each behind a root port of its own
 * (a PCIe device, as on the host, with its own windows), on pc on the
 * root bus. The 64-bit window above RAM grows when what is plugged, and
 * what the hot-plug ports reserve, needs more than QEMU's default. */
static void add_vfio(struct argv_builder *a, const struct qemu_params *p)
{
	const struct qemu_config *q = &p->cfg->hypervisor;
	bool q35 = q->machine_type && strstr(q->machine_type, "q35");
	uint64_t need64 = 0;
	for (int i = 0; i < p->nvfio; i++) {
		const struct qemu_vfio *v = &p->vfio[i];
		if (q35) {
			add(a, "-device");
			add(a, "pcie-root-port,bus=pcie.0,id=%s,chassis=%d,slot=0", v->bus, 64 + i);
		}
		add(a, "-device");
		add(a, "vfio-pci,host=%s,id=%s,bus=%s", v->host, v->id, v->bus);
		if (v->mmio64)
			need64 += window_size(v->mmio64);
	}
	unsigned bridges, ports;
	qemu_hotplug_buses(q, &bridges, &ports);
	if (p->mmio.port_mmio64)
		need64 += (uint64_t)ports * window_size(p->mmio.port_mmio64);
	uint64_t hole = q35 ? QEMU_Q35_HOLE64 : QEMU_PC_HOLE64;
	if (need64 > hole) {
		add(a, "-global");
		add(a, "%s.pci-hole64-size=%lluG", q35 ? "q35-pcihost" : "i440FX-pcihost",
		    (unsigned long long)(window_size(need64) >> 30));
	}
}

/* The share (its read-only view) by virtio-fs or 9p, and the NICs. */
static void add_devices(struct argv_builder *a, const struct qemu_params *p, const char *bus)
{
	/* the guest's entropy comes from the host source the configuration names */
	const char *rng = p->cfg->hypervisor.entropy_source;
	if (rng && *rng) {
		add(a, "-object");
		add(a, "rng-random,id=rng0,filename=%s", rng);
		add(a, "-device");
		add(a, "virtio-rng-%s,rng=rng0", bus);
	}
	if (uses_virtiofs(&p->cfg->hypervisor)) {
		add(a, "-chardev");
		add(a, "socket,id=vfs,path=%s", p->virtiofsd_socket);
		add(a, "-device");
		add(a, "vhost-user-fs-%s,chardev=vfs,tag=kataShared", bus);
	} else {
		add(a, "-fsdev");
		add(a, "local,id=shared,path=%s,security_model=none,multidevs=remap",
		    p->shared_dir);
		add(a, "-device");
		add(a, "virtio-9p-%s,fsdev=shared,mount_tag=kataShared", bus);
	}
	for (int i = 0; i < p->nnics; i++) {
		const struct qemu_nic *n = &p->nics[i];
		add(a, "-netdev");
		if (n->fd >= 0 && n->vhost && n->vhostfd >= 0)
			add(a, "tap,id=net%d,fd=%d,vhost=on,vhostfd=%d", i, n->fd, n->vhostfd);
		else if (n->fd >= 0)
			add(a, "tap,id=net%d,fd=%d,vhost=off", i, n->fd);
		else
			add(a, "tap,id=net%d,ifname=%s,script=no,downscript=no,vhost=%s", i, n->tap,
			    n->vhost ? "on" : "off");
		add(a, "-device");
		add(a, "virtio-net-%s,netdev=net%d,mac=%s", bus, i, n->mac);
	}
}

char **qemu_build_argv(const struct qemu_params *p)
{
	const struct qemu_config *q = &p->cfg->hypervisor;
	struct argv_builder a = {0};
	bool micro = is_microvm(q->machine_type);
	const char *bus = micro ? "device" : "pci";
	bool kvm = !strcmp(p->accel, "kvm");

	add(&a, "%s", q->path);
	add(&a, "-name");
	add(&a, "sandbox-%s", p->name);
	add_machine(&a, p, kvm, micro);
	add_boot(&a, p);
	if (q->seccompsandbox && *q->seccompsandbox) {
		add(&a, "-sandbox");
		add(&a, "%s", q->seccompsandbox);
	}
	add(&a, "-nographic");
	add(&a, "-nodefaults");
	add(&a, "-no-user-config");
	add(&a, "-no-reboot");
	if (micro) {
		/* virtiofsd refuses legacy devices, and modern ones are faster */
		add(&a, "-global");
		add(&a, "virtio-mmio.force-legacy=false");
	}
	add_channels(&a, p, bus);
	add_devices(&a, p, bus);
	add_hotplug_buses(&a, p);
	add_vfio(&a, p);
	/* started from a template: its device state comes over QMP
	 * (migrate-incoming), the guest resumes where the template stopped */
	if (p->template_memory) {
		/* a new VM generation ID in each VM started from the template:
		 * the guest kernel reseeds its random numbers when it changes,
		 * so that no two VMs of a template share them */
		add(&a, "-device");
		add(&a, "vmgenid,guid=auto");
	}
	if (p->template_incoming) {
		add(&a, "-incoming");
		add(&a, "defer");
	}
	if (kvm && !micro) {
		add(&a, "-global");
		add(&a, "kvm-pit.lost_tick_policy=discard");
	}
	return a.v;
}
