/* IOMMU facts: firmware tables (DMAR for Intel VT-d, IVRS for AMD-Vi, IORT
 * for Arm SMMU), the IOMMU units and groups the kernel made, the kernel
 * parameters that switch it on or off, and group viability for VFIO. */
#include <stdio.h>
#include <string.h>

#include "pci.h"
#include "strbuf.h"
#include "strutil.h"

static const char *const iommu_params[] = {
    "intel_iommu=", "amd_iommu=", "iommu=", "iommu.passthrough=", "iommu.strict=", NULL,
};

static void read_cmdline(const struct host_root *root, struct iommu_facts *iof)
{
	_cleanup_free_ char *text = NULL;
	struct strbuf sb = STRBUF_INIT;
	char *save = NULL, *tok;

	if (host_read_file(root, "/proc/cmdline", 64 * 1024, &text, NULL) < 0)
		return;
	iof->cmdline_read = true;
	for (tok = strtok_r(text, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
		if (!strcmp(tok, "--"))
			break; /* the rest belongs to init */
		for (size_t i = 0; iommu_params[i]; i++)
			if (str_startswith(tok, iommu_params[i])) {
				if (sb.len)
					strbuf_putc(&sb, ' ');
				strbuf_append(&sb, tok);
			}
	}
	str_copy(iof->cmdline_iommu, sizeof(iof->cmdline_iommu), strbuf_str(&sb));
	strbuf_release(&sb);
}

void iommu_probe(const struct host_root *root, struct iommu_facts *iof)
{
	_cleanup_closedir_ DIR *units = NULL, *groups = NULL;
	struct dirent *de;
	struct strbuf sb = STRBUF_INIT;

	iof->acpi_dmar = host_exists(root, "/sys/firmware/acpi/tables/DMAR");
	iof->acpi_ivrs = host_exists(root, "/sys/firmware/acpi/tables/IVRS");
	iof->acpi_iort = host_exists(root, "/sys/firmware/acpi/tables/IORT");

	units = host_opendir(root, "/sys/class/iommu");
	while (units && (de = readdir(units))) {
		if (de->d_name[0] == '.')
			continue;
		if (sb.len)
			strbuf_putc(&sb, ' ');
		strbuf_append(&sb, de->d_name);
	}
	str_copy(iof->units, sizeof(iof->units), strbuf_str(&sb));
	strbuf_release(&sb);

	iof->ngroups = -1;
	groups = host_opendir(root, "/sys/kernel/iommu_groups");
	if (groups) {
		iof->ngroups = 0;
		while ((de = readdir(groups)))
			if (de->d_name[0] != '.')
				iof->ngroups++;
	}
	read_cmdline(root, iof);
	pci_probe(root, iof);
}

bool pci_driver_is_vfio(const char *driver)
{
	/* vfio-pci and its vendor variants (mlx5_vfio_pci, ...) */
	return !strcmp(driver, "vfio-pci") || str_endswith(driver, "vfio_pci") ||
	       str_endswith(driver, "vfio-pci");
}

static bool driver_allowed_in_group(const char *driver)
{
	return !driver[0] || pci_driver_is_vfio(driver) || !strcmp(driver, "pci-stub") ||
	       !strcmp(driver, "pcieport");
}

bool iommu_group_viable(const struct iommu_facts *iof, int group,
			const struct pci_device_fact **blocker)
{
	if (blocker)
		*blocker = NULL;
	for (int i = 0; i < iof->ndevs; i++) {
		const struct pci_device_fact *d = &iof->devs[i];
		if (d->iommu_group != group || driver_allowed_in_group(d->driver))
			continue;
		if (blocker)
			*blocker = d;
		return false;
	}
	return true;
}

int iommu_group_size(const struct iommu_facts *iof, int group)
{
	int n = 0;
	for (int i = 0; i < iof->ndevs; i++)
		n += iof->devs[i].iommu_group == group;
	return n;
}
