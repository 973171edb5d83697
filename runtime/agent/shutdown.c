/* The guest's end, and its entropy at the start. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/random.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <unistd.h>

/* Every process gets SIGTERM, then SIGKILL; the filesystems are synced and
 * the VM powered off (QEMU exits). */
void agent_poweroff(struct agent *a)
{
	(void)a;
	log_info("powering off");
	kill(-1, SIGTERM);
	usleep(20000);
	kill(-1, SIGKILL);
	sync();
	umount2(AGENT_SHARED, MNT_DETACH);
	reboot(RB_POWER_OFF);
	/* only reached if the kernel refused */
	log_error("power off: %s", strerror(errno));
	_exit(1);
}

/* Up to 256 bytes of hex from the host, credited to the kernel's pool. */
void agent_add_entropy(const char *hex)
{
	size_t n = strlen(hex) / 2;
	if (n > 256)
		n = 256;
	if (!n)
		return;
	struct {
		struct rand_pool_info info;
		unsigned char buf[256];
	} e;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return;
		e.buf[i] = (unsigned char)v;
	}
	e.info.entropy_count = (int)(n * 8);
	e.info.buf_size = (int)n;
	int fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (ioctl(fd, RNDADDENTROPY, &e) < 0)
		log_debug("RNDADDENTROPY: %s", strerror(errno));
	close(fd);
}

/* The host's time (ns since the epoch), when the guest's is more than a
 * second off: a guest resumed from a VM template wakes with the
 * template's clock. A guest that booted keeps its own (the RTC's). */
void agent_set_clock(long long host_ns)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	long long guest_ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
	long long off = guest_ns - host_ns;
	if (off > -1000000000LL && off < 1000000000LL)
		return;
	struct timespec set = {.tv_sec = host_ns / 1000000000LL, .tv_nsec = host_ns % 1000000000LL};
	if (clock_settime(CLOCK_REALTIME, &set) < 0)
		log_warn("set the clock: %s", strerror(errno));
	else
		log_info("clock set from the host's (it was %.1f s off)", (double)off / 1e9);
}
