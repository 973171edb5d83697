/* A fake kernel for kata-setup's tests, loaded with LD_PRELOAD (the idea
 * of kmod's testsuite). With KC_FAKE_ROOT set to a fixture host it:
 *  - redirects the paths libkmod reads from the running system
 *    (/sys/module, /proc/modules, /proc/cmdline) into the fixture;
 *  - answers finit_module/init_module/delete_module by marking modules
 *    live (sys/module/NAME, proc/modules) or gone in the fixture, and
 *    creating the device nodes they bring in the fixture's recordings;
 *    KC_FAKE_MODULES="name=ERRNO,..." makes chosen loads fail;
 *  - gives writes under sys/ sysfs semantics (each write replaces the
 *    file) and emulates PCI driver binding (driver/unbind, drivers_probe
 *    with driver_override);
 *  - appends "load NAME ARGS" / "unload NAME" lines to KC_FAKE_LOG.
 * It is test infrastructure only: nothing in the product loads it. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The fixture; "" once the process has chrooted into it (kata-setup and
 * kata-check run libkmod confined to the host root), where its paths are
 * already the fixture's. */
static const char *fake_root(void)
{
	const char *r = getenv("KC_FAKE_ROOT");
	if (!r || !*r)
		return NULL;
	return access(r, F_OK) == 0 ? r : "";
}

/* Opened before any chroot, so that the log outside the fixture stays
 * reachable. */
static int log_fd = -1;

__attribute__((constructor)) static void open_log(void)
{
	const char *log = getenv("KC_FAKE_LOG");
	if (log && *log)
		log_fd = (int)syscall(SYS_openat, AT_FDCWD, log,
				      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

static bool redirected(const char *path)
{
	return path && fake_root() &&
	       (!strncmp(path, "/sys/module", 11) || !strcmp(path, "/proc/modules") ||
		!strcmp(path, "/proc/cmdline"));
}

static const char *redirect(const char *path, char *buf, size_t len)
{
	if (!redirected(path))
		return path;
	snprintf(buf, len, "%s%s", fake_root(), path);
	return buf;
}

#define REAL(name)                                                                                 \
	static typeof(name) *real_##name;                                                          \
	if (!real_##name)                                                                          \
	real_##name = dlsym(RTLD_NEXT, #name)

/* The module files opened, by descriptor: finit_module names its module
 * by fd, and a process confined to the fixture has no /proc to ask. */
static char ko_paths[256][128];

static int note_ko(int fd, const char *path)
{
	if (fd >= 0 && fd < 256 && path && strstr(path, ".ko"))
		snprintf(ko_paths[fd], sizeof(ko_paths[fd]), "%s", path);
	return fd;
}

int open(const char *path, int flags, ...)
{
	REAL(open);
	char buf[4096];
	mode_t mode = 0;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return note_ko(real_open(redirect(path, buf, sizeof(buf)), flags, mode), path);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	REAL(openat);
	char buf[4096];
	mode_t mode = 0;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return note_ko(real_openat(dirfd, redirect(path, buf, sizeof(buf)), flags, mode), path);
}

FILE *fopen(const char *path, const char *mode)
{
	REAL(fopen);
	char buf[4096];
	return real_fopen(redirect(path, buf, sizeof(buf)), mode);
}

DIR *opendir(const char *path)
{
	REAL(opendir);
	char buf[4096];
	return real_opendir(redirect(path, buf, sizeof(buf)));
}

int stat(const char *path, struct stat *st)
{
	REAL(stat);
	char buf[4096];
	return real_stat(redirect(path, buf, sizeof(buf)), st);
}

int lstat(const char *path, struct stat *st)
{
	REAL(lstat);
	char buf[4096];
	return real_lstat(redirect(path, buf, sizeof(buf)), st);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	REAL(fstatat);
	char buf[4096];
	return real_fstatat(dirfd, redirect(path, buf, sizeof(buf)), st, flags);
}

/* ---- module emulation ---- */

static void fake_log(const char *fmt, ...)
{
	if (log_fd < 0)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	(void)!syscall(SYS_write, log_fd, line, (size_t)n);
}

static void put_file(const char *path, const char *content, bool append)
{
	FILE *f = fopen(path, append ? "a" : "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static void mkdirs(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	mkdir(buf, 0755);
}

static int injected_errno(const char *name)
{
	const char *spec = getenv("KC_FAKE_MODULES");
	size_t nl = strlen(name);
	static const struct {
		const char *n;
		int e;
	} names[] = {
	    {"EEXIST", EEXIST}, {"ENOENT", ENOENT}, {"EPERM", EPERM},	  {"EINVAL", EINVAL},
	    {"ENODEV", ENODEV}, {"EBUSY", EBUSY},   {"ENOEXEC", ENOEXEC},
	};
	for (const char *p = spec; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len > nl && !strncmp(p, name, nl) && p[nl] == '=') {
			for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				if (strlen(names[i].n) == len - nl - 1 &&
				    !strncmp(p + nl + 1, names[i].n, len - nl - 1))
					return names[i].e;
			return EINVAL;
		}
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

static const struct {
	const char *module, *line;
} device_of[] = {
    {"kvm_intel", "/dev/kvm c 10:232 0660 root kvm rw"},
    {"kvm_amd", "/dev/kvm c 10:232 0660 root kvm rw"},
    {"vhost_net", "/dev/vhost-net c 10:238 0600 root root rw"},
    {"vhost_vsock", "/dev/vhost-vsock c 10:241 0600 root root rw"},
    {"vfio", "/dev/vfio/vfio c 10:196 0666 root root rw"},
};

static void bring_devices(const char *root, const char *name)
{
	char path[4096];
	for (size_t i = 0; i < sizeof(device_of) / sizeof(device_of[0]); i++) {
		if (strcmp(device_of[i].module, name))
			continue;
		snprintf(path, sizeof(path), "%s/.kata-check/devices", root);
		if (access(path, F_OK) == 0) {
			char line[256];
			snprintf(line, sizeof(line), "%s\n", device_of[i].line);
			put_file(path, line, true);
		}
		if (!strncmp(name, "kvm_", 4)) {
			snprintf(path, sizeof(path), "%s/.kata-check/kvm", root);
			if (access(path, F_OK) != 0)
				put_file(path,
					 "open=ok\napi_version=12\ncreate_vm=ok\ncap.irqchip=1\n"
					 "cap.user-memory=1\ncap.ioeventfd=1\ncap.irqfd=1\ncap.max-"
					 "vcpus=1024\n"
					 "cap.nr-memslots=32764\nsmoke=ok: fake kernel\n",
					 false);
		}
	}
	if (!strcmp(name, "vfio_pci")) {
		snprintf(path, sizeof(path), "%s/sys/bus/pci/drivers/vfio-pci", root);
		mkdirs(path);
		snprintf(path, sizeof(path), "%s/sys/bus/pci/drivers/vfio-pci/unbind", root);
		put_file(path, "", false);
	}
}

static int fake_load(const char *name, const char *args)
{
	const char *root = fake_root();
	char path[4096];
	int e = injected_errno(name);

	fake_log("load %s %s", name, args ? args : "");
	if (e) {
		errno = e;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/sys/module/%s/initstate", root, name);
	if (access(path, F_OK) == 0) {
		errno = EEXIST;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/sys/module/%s/parameters", root, name);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/sys/module/%s/initstate", root, name);
	put_file(path, "live\n", false);
	snprintf(path, sizeof(path), "%s/sys/module/%s/refcnt", root, name);
	put_file(path, "0\n", false);
	/* "nested=1 x=y" become parameters */
	char copy[1024];
	snprintf(copy, sizeof(copy), "%s", args ? args : "");
	for (char *save = NULL, *t = strtok_r(copy, " ", &save); t;
	     t = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(t, '=');
		if (!eq)
			continue;
		*eq = '\0';
		snprintf(path, sizeof(path), "%s/sys/module/%s/parameters/%s", root, name, t);
		char v[256];
		snprintf(v, sizeof(v), "%s\n", eq + 1);
		put_file(path, v, false);
	}
	snprintf(path, sizeof(path), "%s/proc/modules", root);
	char line[256];
	snprintf(line, sizeof(line), "%s 16384 0 - Live 0x0000000000000000\n", name);
	put_file(path, line, true);
	bring_devices(root, name);
	return 0;
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int delete_module(const char *name, unsigned int flags)
{
	const char *root = fake_root();
	char path[4096], refcnt[32] = "0";
	(void)flags;

	if (!root) {
		errno = EPERM;
		return -1;
	}
	fake_log("unload %s", name);
	snprintf(path, sizeof(path), "%s/sys/module/%s/refcnt", root, name);
	FILE *f = fopen(path, "r");
	if (!f) {
		errno = ENOENT;
		return -1;
	}
	if (!fgets(refcnt, sizeof(refcnt), f))
		refcnt[0] = '0';
	fclose(f);
	if (atoi(refcnt) > 0) {
		errno = EWOULDBLOCK;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/sys/module/%s", root, name);
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	/* drop its /proc/modules line */
	snprintf(path, sizeof(path), "%s/proc/modules", root);
	char *text = NULL;
	size_t cap = 0;
	FILE *in = fopen(path, "r");
	if (in) {
		char l[512], out[65536] = "";
		size_t used = 0;
		while (fgets(l, sizeof(l), in)) {
			size_t nl = strlen(name);
			if (!strncmp(l, name, nl) && l[nl] == ' ')
				continue;
			used += (size_t)snprintf(out + used, sizeof(out) - used, "%s", l);
		}
		fclose(in);
		put_file(path, out, false);
	}
	free(text);
	(void)cap;
	return 0;
}

static void name_from_fd(int fd, char *name, size_t len)
{
	char link[64], target[4096];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	if (n <= 0 && fd >= 0 && fd < 256)
		snprintf(target, sizeof(target), "%s", ko_paths[fd]);
	const char *base = strrchr(target, '/');
	snprintf(name, len, "%s", base ? base + 1 : target);
	char *dot = strstr(name, ".ko");
	if (dot)
		*dot = '\0';
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
}

int init_module(void *image, unsigned long len, const char *args)
{
	char name[256] = "";
	const char *p = memmem(image, len, "name=", 5);
	if (!fake_root()) {
		errno = EPERM;
		return -1;
	}
	if (p)
		snprintf(name, sizeof(name), "%s", p + 5);
	return fake_load(name, args);
}

long syscall(long number, ...)
{
	REAL(syscall);
	va_list ap;
	long a[6];
	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (number == SYS_finit_module && fake_root()) {
		char name[256];
		name_from_fd((int)a[0], name, sizeof(name));
		return fake_load(name, (const char *)a[1]);
	}
	if (number == SYS_delete_module && fake_root())
		return delete_module((const char *)a[0], (unsigned)a[1]);
	return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* ---- sysfs writes ---- */

static void pci_write(const char *path, const char *buf, size_t n)
{
	const char *root = fake_root();
	char bdf[64], p[4096];
	snprintf(bdf, sizeof(bdf), "%.*s", (int)(n < sizeof(bdf) ? n : sizeof(bdf) - 1), buf);
	bdf[strcspn(bdf, "\n")] = '\0';
	size_t pl = strlen(path);
	if (pl > 7 && !strcmp(path + pl - 7, "/unbind")) {
		snprintf(p, sizeof(p), "%s/sys/bus/pci/devices/%s/driver", root, bdf);
		unlink(p);
	} else if (pl > 14 && !strcmp(path + pl - 14, "/drivers_probe")) {
		char drv[128] = "";
		snprintf(p, sizeof(p), "%s/sys/bus/pci/devices/%s/driver_override", root, bdf);
		FILE *f = fopen(p, "r");
		if (f) {
			if (!fgets(drv, sizeof(drv), f))
				drv[0] = '\0';
			fclose(f);
		}
		drv[strcspn(drv, "\n")] = '\0';
		if (!drv[0] || !strcmp(drv, "(null)")) {
			/* no override: the device's natural driver, as the fixture says */
			snprintf(p, sizeof(p), "%s/sys/bus/pci/devices/%s/fake_default_driver",
				 root, bdf);
			f = fopen(p, "r");
			drv[0] = '\0';
			if (f) {
				if (!fgets(drv, sizeof(drv), f))
					drv[0] = '\0';
				fclose(f);
			}
			drv[strcspn(drv, "\n")] = '\0';
		}
		snprintf(p, sizeof(p), "%s/sys/bus/pci/drivers/%s", root, drv);
		if (!drv[0] || access(p, F_OK) != 0)
			return; /* no such driver: stays unbound, as the kernel would */
		snprintf(p, sizeof(p), "%s/sys/bus/pci/devices/%s/driver", root, bdf);
		unlink(p);
		char target[256];
		snprintf(target, sizeof(target), "../../drivers/%s", drv);
		if (symlink(target, p) < 0)
			return;
	}
}

ssize_t write(int fd, const void *buf, size_t n)
{
	REAL(write);
	ssize_t r = real_write(fd, buf, n);
	const char *root = fake_root();
	if (!root || r < 0 || fd <= 2)
		return r;
	char link[64], path[4096], sys[4096];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t l = readlink(link, path, sizeof(path) - 1);
	if (l <= 0)
		return r;
	path[l] = '\0';
	snprintf(sys, sizeof(sys), "%s/sys/", root);
	if (strncmp(path, sys, strlen(sys)))
		return r;
	/* sysfs: a write replaces the attribute */
	if (ftruncate(fd, r) < 0)
		return r;
	snprintf(sys, sizeof(sys), "%s/sys/bus/pci/", root);
	if (!strncmp(path, sys, strlen(sys)))
		pci_write(path, buf, (size_t)r);
	return r;
}
