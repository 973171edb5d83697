/* The probe pipeline: one pass over the host root, filling struct
 * host_facts. Order matters only where one probe needs another's result
 * (the kernel release picks the modules directory; the architecture picks
 * the modules and the smoke guest). */
#include "probe.h"

#include <string.h>
#include <unistd.h>

#include "cpu.h"
#include "devices.h"
#include "firmware.h"
#include "kvm.h"
#include "modules.h"
#include "pci.h"
#include "resources.h"
#include "strutil.h"

void host_probe(const struct host_root *root, struct host_facts *f)
{
	memset(f, 0, sizeof(*f));
	str_copy(f->host_root, sizeof(f->host_root), root->dir);
	f->live = root->live;
	f->euid = geteuid();

	resources_probe(root, &f->res);
	cpu_probe(root, &f->cpu);
	modules_probe(root, f->res.kernel_release, f->cpu.arch, &f->modules);
	devices_probe(root, &f->devices);
	kvm_probe(root, f->cpu.arch, &f->kvm);
	/* Recorded answers were given to the user who recorded them (root unless
	 * the kvm recording says uid=N): a fixture must read the same for
	 * whoever runs kata-check on it. */
	if (f->kvm.source == SRC_RECORDED || f->devices.source == SRC_RECORDED)
		f->euid = f->kvm.recorded_uid >= 0 ? (uid_t)f->kvm.recorded_uid : 0;
	iommu_probe(root, &f->iommu);
	firmware_probe(root, f, &f->firmware);
}
