/* IOMMU and VFIO rules. Passthrough is optional: a host without an IOMMU
 * runs containers fine, so absence is a SKIP; an IOMMU the firmware offers
 * but the kernel leaves off is a WARN with the parameter to set; a device
 * already bound to vfio-pci whose group cannot be handed over is a WARN
 * naming the member in the way. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pci.h"
#include "rules.h"
#include "strutil.h"

static const char *firmware_iommu(const struct host_facts *f)
{
	const struct iommu_facts *i = &f->iommu;
	if (i->acpi_dmar)
		return "Intel VT-d (ACPI DMAR table)";
	if (i->acpi_ivrs)
		return "AMD-Vi (ACPI IVRS table)";
	if (i->acpi_iort)
		return "Arm SMMU (ACPI IORT table)";
	return NULL;
}

static void rule_iommu(const struct host_facts *f, struct report *r)
{
	const struct iommu_facts *i = &f->iommu;
	const char *fw = firmware_iommu(f);
	struct report_item *it;

	if (rules_iommu_enabled(f)) {
		it = report_add(r, "iommu.enabled", GROUP_IOMMU, LEVEL_PASS,
				"IOMMU for device passthrough", "enabled: %d IOMMU groups",
				i->ngroups);
		report_item_detail(it, "%s%s%s", fw ? fw : "IOMMU", i->units[0] ? "; units: " : "",
				   i->units);
		return;
	}
	if (!fw && !i->units[0]) {
		report_add(
		    r, "iommu.enabled", GROUP_IOMMU, LEVEL_SKIP, "IOMMU for device passthrough",
		    "the firmware reports no IOMMU: PCI passthrough is unavailable (ordinary "
		    "containers do not need it)");
		return;
	}
	it = report_add(r, "iommu.enabled", GROUP_IOMMU, LEVEL_WARN, "IOMMU for device passthrough",
			"%s is present but the kernel has not enabled it (no IOMMU groups)",
			fw ? fw : "an IOMMU");
	if (i->cmdline_iommu[0])
		report_item_detail(it, "kernel parameters: %s", i->cmdline_iommu);
	if (strstr(i->cmdline_iommu, "intel_iommu=off") ||
	    strstr(i->cmdline_iommu, "amd_iommu=off") || strstr(i->cmdline_iommu, "iommu=off"))
		report_item_remedy(it,
				   "remove the iommu=off setting (%s) from the kernel command line "
				   "and reboot",
				   i->cmdline_iommu);
	else if (i->acpi_dmar)
		report_item_remedy(
		    it, "add intel_iommu=on iommu=pt to the kernel command line "
			"(GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub) and reboot");
	else
		report_item_remedy(it,
				   "add iommu=pt to the kernel command line and reboot; check that "
				   "the IOMMU is enabled in the firmware setup");
}

/* "288 MiB", "64 GiB", or "1040 KiB" for what is not whole MiB. */
static void bar_size(char *buf, size_t len, uint64_t bytes)
{
	if (bytes >= (1ULL << 30) && !(bytes & ((1ULL << 30) - 1)))
		snprintf(buf, len, "%llu GiB", (unsigned long long)(bytes >> 30));
	else if (bytes >= (1ULL << 20) && !(bytes & ((1ULL << 20) - 1)))
		snprintf(buf, len, "%llu MiB", (unsigned long long)(bytes >> 20));
	else
		snprintf(buf, len, "%llu KiB", (unsigned long long)((bytes + 1023) >> 10));
}

/* What the VM's PCI windows must hold for it (kata-runtime sizes them). */
static void bar_detail(struct report_item *it, const struct pci_device_fact *d)
{
	char lo[24], hi[24];
	if (!d->mmio32 && !d->mmio64)
		return;
	bar_size(lo, sizeof(lo), d->mmio32);
	bar_size(hi, sizeof(hi), d->mmio64);
	report_item_detail(it, "memory BARs: %s below 4 GiB, %s 64-bit", d->mmio32 ? lo : "none",
			   d->mmio64 ? hi : "none");
}

static void rule_vfio_devices(const struct host_facts *f, struct report *r)
{
	const struct iommu_facts *i = &f->iommu;
	struct report_item *it;

	if (!i->pci_scanned) {
		if (rules_iommu_enabled(f)) {
			it = report_add(r, "iommu.pci", GROUP_IOMMU, LEVEL_WARN, "PCI devices",
					"cannot be listed: %s", i->pci_error);
			report_item_remedy(it, "check /sys/bus/pci in the host root");
		}
		return;
	}
	for (int k = 0; k < i->ndevs; k++) {
		const struct pci_device_fact *d = &i->devs[k];
		const struct pci_device_fact *blocker;
		char id[48], what[96];

		if (!pci_driver_is_vfio(d->driver))
			continue;
		snprintf(id, sizeof(id), "iommu.vfio.%s", d->bdf);
		snprintf(what, sizeof(what), "passthrough of %s (%04x:%04x, %s)", d->bdf, d->vendor,
			 d->device, d->driver);
		if (d->iommu_group < 0) {
			it = report_add(r, id, GROUP_IOMMU, LEVEL_WARN, what,
					"bound to %s but in no IOMMU group", d->driver);
			report_item_remedy(it, "enable the IOMMU (see above)");
			continue;
		}
		if (iommu_group_viable(i, d->iommu_group, &blocker)) {
			it = report_add(r, id, GROUP_IOMMU, LEVEL_PASS, what,
					"IOMMU group %d (%d device%s) is ready for VFIO: a "
					"container's /dev/vfio/%d passes it",
					d->iommu_group, iommu_group_size(i, d->iommu_group),
					iommu_group_size(i, d->iommu_group) == 1 ? "" : "s",
					d->iommu_group);
			bar_detail(it, d);
			continue;
		}
		it = report_add(r, id, GROUP_IOMMU, LEVEL_WARN, what,
				"IOMMU group %d is not viable: %s is bound to %s", d->iommu_group,
				blocker->bdf, blocker->driver);
		report_item_remedy(
		    it,
		    "bind every device of group %d to vfio-pci (`kata-setup --vfio-bind %s`), "
		    "or move the device to a slot with its own group",
		    d->iommu_group, blocker->bdf);
		report_item_fix(it, FIX_VFIO_BIND, blocker->bdf);
	}
}

void rules_iommu(const struct rules_input *in, struct report *r)
{
	rule_iommu(in->facts, r);
	rule_vfio_devices(in->facts, r);
}
