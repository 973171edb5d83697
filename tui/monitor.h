/* Device and module events (libudev): /dev/kvm appearing, a module
 * loading, a PCI device changing driver all call for a new report. */
#ifndef KC_MONITOR_H
#define KC_MONITOR_H

#include <stdbool.h>

struct monitor;

/* Listen for udev events (or the kernel's, where no udevd runs). Returns
 * NULL if events cannot be had; the dashboard then refreshes on a timer. */
struct monitor *monitor_open(void);
int monitor_fd(const struct monitor *m);
/* Read the pending events; true if any was one we care about. */
bool monitor_drain(struct monitor *m);
void monitor_close(struct monitor *m);

#endif
