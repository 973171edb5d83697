/* kata-agent: /init of the guest image. Boots the guest's userspace (the
 * kernel's filesystems, the image's modules, a tmpfs root), opens the
 * channel to the host and serves the protocol until told to power off. */
#include "agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "version.h"

int main(int argc, char **argv)
{
	/* the kernel runs us as /sbin/modprobe (boot_switch_root binds it) */
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	if (argc > 0 && !strcmp(base ? base + 1 : argv[0], "modprobe"))
		return agent_modprobe(argc, argv);
	if (argc > 1 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))) {
		char proto[32];
		snprintf(proto, sizeof(proto), "protocol: %d", PROTO_VERSION);
		kc_print_version("kata-agent", proto);
		return 0;
	}
	if (getpid() != 1) {
		fprintf(
		    stderr,
		    "kata-agent: runs as PID 1 (/init) of the guest image; see kata-agent(8)\n");
		return 2;
	}
	static struct agent a;
	a.times.start_ms = agent_uptime_ms();
	boot_mount_basics();
	char cmdline[4096] = "";
	FILE *f = fopen("/proc/cmdline", "re");
	if (f) {
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = '\0';
		fclose(f);
	}
	boot_parse_cmdline(cmdline, &a.opts);
	a.times.modules_dirfd = -1;
	agent_load_modules(&a.times, "transport");
	agent_load_modules(&a.times, a.opts.channel == CHANNEL_VSOCK ? "vsock" : "serial");
	if (boot_switch_root() < 0)
		log_error("staying on the initramfs: containers cannot pivot_root");
	boot_mount_runtime();
	if (agent_loop_init(&a) < 0 || channel_open(&a.ch, &a.opts, a.epfd) < 0) {
		log_error("no channel to the host: powering off");
		agent_poweroff(&a);
	}
	a.times.ready_ms = agent_uptime_ms();
	a.times.boot_modules_ms = a.times.modules_ms;
	log_info("ready in %.1f ms (modules %.1f ms, %d loaded, %d failed)",
		 a.times.ready_ms - a.times.start_ms, a.times.modules_ms, a.times.modules_loaded,
		 a.times.modules_failed);
	agent_loop(&a);
	agent_poweroff(&a);
}
