/* PCI devices with their driver and IOMMU group (libpci), and the IOMMU
 * facts around them (ACPI tables, kernel parameters, sysfs). */
#ifndef KC_PCI_H
#define KC_PCI_H

#include "facts.h"
#include "hostroot.h"

/* libpci enumeration into iof->devs (pci.c). */
void pci_probe(const struct host_root *root, struct iommu_facts *iof);

/* Firmware tables, IOMMU units, groups and kernel parameters (iommu.c). */
void iommu_probe(const struct host_root *root, struct iommu_facts *iof);

/* A group is viable for VFIO when every member is bound to a VFIO driver,
 * to pci-stub or pcieport (bridges), or to nothing. On false, *blocker is
 * the first member that stops it. */
bool iommu_group_viable(const struct iommu_facts *iof, int group,
			const struct pci_device_fact **blocker);
int iommu_group_size(const struct iommu_facts *iof, int group);
bool pci_driver_is_vfio(const char *driver);

#endif
