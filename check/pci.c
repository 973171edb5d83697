/* PCI enumeration through libpci's sysfs backend, pointed at the host
 * root's /sys/bus/pci. The only file that includes libpci.
 *
 * libpci reports fatal errors (a malformed sysfs entry in a fixture, say)
 * through a callback that must not return; we jump back out of it and
 * record the message instead of letting libpci exit the process. */
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci.h"
#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

static jmp_buf pci_jump;
static char pci_message[160];

_noreturn_ static void pci_on_error(char *msg, ...)
{
	va_list ap;
	va_start(ap, msg);
	vsnprintf(pci_message, sizeof(pci_message), msg, ap);
	va_end(ap);
	longjmp(pci_jump, 1);
}

static void pci_on_warning(char *msg _unused_, ...)
{
}

static int cmp_bdf(const void *a, const void *b)
{
	return strcmp(((const struct pci_device_fact *)a)->bdf,
		      ((const struct pci_device_fact *)b)->bdf);
}

/* The memory BARs' sizes, by whether they need 64-bit addressing (the
 * kernel's IORESOURCE flags, as sysfs' resource file gives them). */
static void add_bar_sizes(const struct pci_dev *d, struct pci_device_fact *f)
{
	for (int i = 0; i < 6; i++) {
		if (!(d->flags[i] & PCI_IORESOURCE_MEM) || !d->size[i])
			continue;
		if (d->flags[i] & PCI_IORESOURCE_MEM_64)
			f->mmio64 += d->size[i];
		else
			f->mmio32 += d->size[i];
	}
}

void pci_probe(const struct host_root *root, struct iommu_facts *iof)
{
	/* volatile: modified between setjmp and a possible longjmp */
	struct pci_access *volatile pacc = NULL;
	struct pci_device_fact *volatile devs = NULL;
	volatile int ndevs = 0;
	_cleanup_free_ char *sysfs = host_path(root, "/sys/bus/pci");

	iof->pci_scanned = false;
	if (!host_exists(root, "/sys/bus/pci/devices")) {
		snprintf(iof->pci_error, sizeof(iof->pci_error), "no /sys/bus/pci/devices");
		return;
	}
	if (setjmp(pci_jump)) {
		snprintf(iof->pci_error, sizeof(iof->pci_error), "libpci: %s", pci_message);
		if (pacc)
			pci_cleanup(pacc);
		free(devs);
		return;
	}
	pacc = pci_alloc();
	pacc->error = pci_on_error;
	pacc->warning = pci_on_warning;
	pacc->debug = pci_on_warning;
	pacc->method = PCI_ACCESS_SYS_BUS_PCI;
	pci_set_param(pacc, (char *)"sysfs.path", sysfs);
	pci_init(pacc);
	pci_scan_bus(pacc);

	int count = 0;
	for (struct pci_dev *d = pacc->devices; d; d = d->next)
		count++;
	devs = xcalloc((size_t)count + 1, sizeof(*devs));
	for (struct pci_dev *d = pacc->devices; d; d = d->next) {
		struct pci_device_fact *f = &devs[ndevs];
		int known =
		    pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_DRIVER |
					 PCI_FILL_IOMMU_GROUP | PCI_FILL_SIZES | PCI_FILL_IO_FLAGS);
		snprintf(f->bdf, sizeof(f->bdf), "%04x:%02x:%02x.%d", d->domain, d->bus, d->dev,
			 d->func);
		f->vendor = d->vendor_id;
		f->device = d->device_id;
		f->class = d->device_class;
		const char *drv = pci_get_string_property(d, PCI_FILL_DRIVER);
		str_copy(f->driver, sizeof(f->driver), drv ? drv : "");
		const char *grp = pci_get_string_property(d, PCI_FILL_IOMMU_GROUP);
		unsigned g;
		f->iommu_group = grp && parse_uint(grp, 10, &g) == 0 ? (int)g : -1;
		if ((known & PCI_FILL_SIZES) && (known & PCI_FILL_IO_FLAGS))
			add_bar_sizes(d, f);
		ndevs++;
	}
	pci_cleanup(pacc);
	qsort(devs, (size_t)ndevs, sizeof(*devs), cmp_bdf);
	iof->devs = devs;
	iof->ndevs = ndevs;
	iof->pci_scanned = true;
}
