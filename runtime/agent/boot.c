/* The agent's first steps as /init: the kernel's filesystems, the modules
 * of the image (in the order computed when the image was built), a real
 * root filesystem to pivot containers away from, the kernel command line. */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static int mount_one(const char *src, const char *dst, const char *type, unsigned long flags,
		     const char *data)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, flags, data) < 0 && errno != EBUSY) {
		log_error("mount %s on %s: %s", type, dst, strerror(errno));
		return -1;
	}
	return 0;
}

int boot_mount_basics(void)
{
	int rc = 0;
	rc |= mount_one("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	rc |= mount_one("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	rc |= mount_one("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	return rc;
}

/* agent.log=debug|info|warn|error  agent.channel=serial|vsock
 * agent.port=NAME (virtio-serial port)  agent.vsock_port=N
 * agent.debug_console (log every request) */
void boot_parse_cmdline(const char *cmdline, struct boot_options *o)
{
	memset(o, 0, sizeof(*o));
	o->channel = CHANNEL_SERIAL;
	snprintf(o->port_name, sizeof(o->port_name), "%s", AGENT_DEFAULT_PORT);
	o->vsock_port = AGENT_DEFAULT_VSOCK_PORT;

	char *copy = strdup(cmdline ? cmdline : ""), *save = NULL;
	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		char *v = strchr(w, '=');
		if (v)
			*v++ = '\0';
		if (!strcmp(w, "agent.log") && v) {
			if (!strcmp(v, "debug"))
				agent_log_level = LOG_DEBUG;
			else if (!strcmp(v, "info"))
				agent_log_level = LOG_INFO;
			else if (!strcmp(v, "warn"))
				agent_log_level = LOG_WARN;
			else if (!strcmp(v, "error"))
				agent_log_level = LOG_ERROR;
		} else if (!strcmp(w, "agent.channel") && v) {
			o->channel = !strcmp(v, "vsock") ? CHANNEL_VSOCK : CHANNEL_SERIAL;
		} else if (!strcmp(w, "agent.port") && v && *v) {
			snprintf(o->port_name, sizeof(o->port_name), "%s", v);
		} else if (!strcmp(w, "agent.vsock_port") && v) {
			unsigned long n = strtoul(v, NULL, 10);
			if (n > 0 && n < 0xffffffffUL)
				o->vsock_port = (unsigned)n;
		} else if (!strcmp(w, "agent.debug_console")) {
			o->debug_console = true;
		}
	}
	free(copy);
}

/* modules.load lists the image's modules as "GROUP PATH", dependencies
 * first. A group is loaded the first time its feature is needed. The .ko
 * files are uncompressed, so finit_module() takes them as they are. */
int agent_load_modules(struct boot_times *t, const char *group)
{
	struct utsname u;
	double t0 = agent_uptime_ms();
	int failed = 0;

	for (int i = 0; i < t->ngroups_loaded; i++)
		if (!strcmp(t->groups_loaded[i], group))
			return 0;
	int slot = -1;
	if (t->ngroups_loaded < (int)(sizeof(t->groups_loaded) / sizeof(t->groups_loaded[0]))) {
		slot = t->ngroups_loaded++;
		snprintf(t->groups_loaded[slot], sizeof(t->groups_loaded[0]), "%s", group);
	}
	if (t->modules_dirfd < 0) {
		char dir[300];
		uname(&u);
		snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
		t->modules_dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (t->modules_dirfd < 0)
			return 0; /* no modules: everything is built in */
	}
	int lfd = openat(t->modules_dirfd, "modules.load", O_RDONLY | O_CLOEXEC);
	_cleanup_fclose_ FILE *f = lfd >= 0 ? fdopen(lfd, "re") : NULL;
	if (!f) {
		if (lfd >= 0)
			close(lfd);
		return 0;
	}
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *rel = strchr(line, ' ');
		if (!rel || line[0] == '#')
			continue;
		*rel++ = '\0';
		if (strcmp(line, group))
			continue;
		_cleanup_close_ int fd = openat(t->modules_dirfd, rel, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)) {
			log_warn("module %s: %s", rel, strerror(errno));
			t->modules_failed++;
			failed++;
		} else {
			t->modules_loaded++;
			if (slot >= 0)
				t->group_modules[slot]++;
		}
	}
	double ms = agent_uptime_ms() - t0;
	t->modules_ms += ms;
	if (slot >= 0)
		t->group_ms[slot] = ms;
	log_debug("modules of %s loaded in %.1f ms", group, ms);
	return failed ? -1 : 0;
}

/* Remove what the initramfs holds (it stays in memory otherwise); mount
 * points and the new root are left alone, and so are the modules, which
 * the agent reaches later through the directory fd it keeps. */
static void remove_tree(int dirfd, dev_t dev, bool top)
{
	DIR *d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (top && !strcmp(e->d_name, "lib")))
			continue;
		struct stat st;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				remove_tree(sub, dev, false);
			unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
		} else {
			unlinkat(dirfd, e->d_name, 0);
		}
	}
	closedir(d);
}

/* Bind SRC (a file, or a directory when DIR) on DST, created with its
 * parents, read-only. */
static void bind_readonly(const char *src, const char *dst, bool dir)
{
	if (dir) {
		agent_mkdir_p(dst);
	} else {
		char parent[320];
		snprintf(parent, sizeof(parent), "%s", dst);
		char *slash = strrchr(parent, '/');
		if (slash && slash != parent) {
			*slash = '\0';
			agent_mkdir_p(parent);
		}
		int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
		if (fd >= 0)
			close(fd);
	}
	if (mount(src, dst, NULL, MS_BIND | (dir ? MS_REC : 0), NULL) < 0 ||
	    mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) <
		0)
		log_warn("bind %s on %s: %s", src, dst, strerror(errno));
}

/* The initramfs is the kernel's rootfs, which pivot_root(2) cannot leave:
 * move everything onto a tmpfs and make that the root, as switch_root
 * does. Containers can then pivot_root away from it. */
int boot_switch_root(void)
{
	struct stat root;
	struct utsname u;
	if (mount_one("tmpfs", "/newroot", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		return -1;
	static const char *const moved[] = {"/proc", "/sys", "/dev"};
	for (size_t i = 0; i < sizeof(moved) / sizeof(moved[0]); i++) {
		char dst[64];
		snprintf(dst, sizeof(dst), "/newroot%s", moved[i]);
		mkdir(dst, 0755);
		if (mount(moved[i], dst, NULL, MS_MOVE, NULL) < 0) {
			log_error("move %s: %s", moved[i], strerror(errno));
			return -1;
		}
	}
	/* the kernel's module requests run /sbin/modprobe in this root: the
	 * agent (modprobe.c) and the image's modules, both read-only */
	bind_readonly("/init", "/newroot/sbin/modprobe", false);
	if (uname(&u) == 0) {
		char mods[300], dst[320];
		snprintf(mods, sizeof(mods), "/lib/modules/%s", u.release);
		snprintf(dst, sizeof(dst), "/newroot%s", mods);
		if (access(mods, F_OK) == 0)
			bind_readonly(mods, dst, true);
	}
	if (stat("/", &root) == 0) {
		int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			remove_tree(fd, root.st_dev, true);
	}
	if (chdir("/newroot") < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
	    chdir("/") < 0) {
		log_error("switch to the tmpfs root: %s", strerror(errno));
		return -1;
	}
	static const char *const dirs[] = {"/run", "/tmp", "/etc", "/sys/fs/cgroup"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		mkdir(dirs[i], 0755);
	chmod("/tmp", 01777);
	return 0;
}

static void loopback_up(void)
{
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			log_warn("lo up: %s", strerror(errno));
	}
}

static void write_file(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) < 0)
		log_debug("%s: %s", path, strerror(errno));
}

/* What containers and the agent need beyond the kernel's filesystems. */
int boot_mount_runtime(void)
{
	int rc = 0;
	rc |= mount_one("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
			"newinstance,ptmxmode=0666,mode=0620");
	rc |= mount_one("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	rc |= mount_one("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	rc |= mount_one("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	/* containers are cgroup v2 groups: freezing, limits, ps and kill-all */
	if (mount_one("cgroup2", AGENT_CGROUP, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) ==
	    0) {
		/* one at a time: a controller the kernel lacks must not stop the others */
		static const char *const controllers[] = {"+cpu", "+cpuset", "+memory", "+pids",
							  "+io"};
		for (size_t i = 0; i < sizeof(controllers) / sizeof(controllers[0]); i++)
			write_file(AGENT_CGROUP "/cgroup.subtree_control", controllers[i]);
	}
	write_file("/proc/sys/kernel/modprobe", "/sbin/modprobe");
	mkdir(AGENT_RUN, 0755);
	mkdir(AGENT_RUN "/shared", 0755);
	mkdir(AGENT_SHARED, 0755);
	mkdir(AGENT_RUN "/containers", 0755);
	if (symlink("pts/ptmx", "/dev/ptmx.new") == 0 && rename("/dev/ptmx.new", "/dev/ptmx") < 0)
		unlink("/dev/ptmx.new");
	loopback_up();
	return rc;
}
