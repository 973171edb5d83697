/* The pod's cgroup on the host (see host_cgroup.h). */
#include "host_cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "macros.h"
#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

/* ---- the path ------------------------------------------------------------- */

static bool valid_component(const char *c, size_t n)
{
	if (!n || n > 255 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (c[i] == '/' || c[i] == '\n' || (unsigned char)c[i] < 0x20)
			return false;
	return true;
}

/* systemd's slice naming: "a-b-c.slice" lives in a.slice/a-b.slice/. */
static int expand_slice(const char *slice, struct strbuf *sb, struct kc_error *err)
{
	size_t n = strlen(slice);
	if (n < 6 || strcmp(slice + n - 6, ".slice"))
		return kc_error_set(err, 0, "linux.cgroupsPath: '%s' is not a systemd slice",
				    slice);
	if (!strcmp(slice, "-.slice"))
		return 0;
	size_t base = n - 6;
	if (slice[0] == '-' || slice[base - 1] == '-' || strstr(slice, "--") ||
	    !valid_component(slice, n))
		return kc_error_set(err, 0, "linux.cgroupsPath: invalid slice name '%s'", slice);
	for (size_t i = 0; i < base; i++)
		if (slice[i] == '-')
			strbuf_appendf(sb, "%s%.*s.slice", sb->len ? "/" : "", (int)i, slice);
	strbuf_appendf(sb, "%s%s", sb->len ? "/" : "", slice);
	return 0;
}

int host_cgroup_path(const char *cgroups_path, bool systemd, char **out, struct kc_error *err)
{
	*out = NULL;
	if (!cgroups_path || !*cgroups_path)
		return 0;
	if (strlen(cgroups_path) > 4096)
		return kc_error_set(err, 0, "linux.cgroupsPath is longer than 4096 bytes");
	struct strbuf sb = STRBUF_INIT;
	const char *c1 = strchr(cgroups_path, ':');
	if (systemd || (c1 && cgroups_path[0] != '/')) {
		const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c1 || !c2 || strchr(c2 + 1, ':'))
			return kc_error_set(err, 0,
					    "linux.cgroupsPath: '%s' is not systemd's "
					    "slice:prefix:name",
					    cgroups_path);
		_cleanup_free_ char *slice = strndup(cgroups_path, (size_t)(c1 - cgroups_path));
		_cleanup_free_ char *prefix = strndup(c1 + 1, (size_t)(c2 - c1 - 1));
		const char *name = c2 + 1;
		if (expand_slice(*slice ? slice : "system.slice", &sb, err) < 0) {
			strbuf_release(&sb);
			return -1;
		}
		_cleanup_free_ char *unit = NULL;
		size_t nl = strlen(name);
		if (nl > 6 && !strcmp(name + nl - 6, ".slice"))
			unit = strdup(name);
		else
			unit = *prefix ? xasprintf("%s-%s.scope", prefix, name)
				       : xasprintf("%s.scope", name);
		if (!*name || !valid_component(unit, strlen(unit))) {
			strbuf_release(&sb);
			return kc_error_set(err, 0, "linux.cgroupsPath: invalid unit name in '%s'",
					    cgroups_path);
		}
		strbuf_appendf(&sb, "%s%s", sb.len ? "/" : "", unit);
	} else {
		/* cgroupfs: a path below each hierarchy's root */
		for (const char *p = cgroups_path; *p;) {
			while (*p == '/')
				p++;
			size_t n = strcspn(p, "/");
			if (!n)
				break;
			if (!valid_component(p, n)) {
				strbuf_release(&sb);
				return kc_error_set(
				    err, 0,
				    "linux.cgroupsPath: '%s' has a component that "
				    "leaves its hierarchy (\".\", \"..\" or control "
				    "characters)",
				    cgroups_path);
			}
			strbuf_appendf(&sb, "%s%.*s", sb.len ? "/" : "", (int)n, p);
			p += n;
		}
	}
	if (!sb.len) {
		strbuf_release(&sb);
		return kc_error_set(err, 0, "linux.cgroupsPath: '%s' names the root cgroup",
				    cgroups_path);
	}
	*out = sb.s;
	return 0;
}

/* ---- the hierarchies ---------------------------------------------------------- */

struct hier {
	char mount[256];
	bool cpuset, v2;
};

/* Each cgroup hierarchy mounted under /sys/fs/cgroup, once. */
static int hierarchies(struct hier *h, int max)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return 0;
	char line[4096];
	int n = 0;
	char seen[HOST_CGROUP_MAX][128];
	while (n < max && fgets(line, sizeof(line), f)) {
		char mnt[256], fstype[32], super[128];
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %255s", mnt) != 1 ||
		    sscanf(dash + 3, "%31s %*s %127s", fstype, super) != 2)
			continue;
		bool v2 = !strcmp(fstype, "cgroup2");
		if ((!v2 && strcmp(fstype, "cgroup")) || strncmp(mnt, "/sys/fs/cgroup", 14))
			continue;
		bool dup = false;
		for (int i = 0; i < n; i++)
			if (!strcmp(seen[i], super) && !v2 == !h[i].v2)
				dup = true;
		if (dup)
			continue;
		snprintf(seen[n], sizeof(seen[n]), "%s", super);
		snprintf(h[n].mount, sizeof(h[n].mount), "%s", mnt);
		h[n].v2 = v2;
		h[n].cpuset = !v2 && (strstr(super, ",cpuset") || !strncmp(super, "cpuset", 6));
		n++;
	}
	fclose(f);
	return n;
}

int host_cgroup_mounts(char mounts[][256], int max)
{
	struct hier h[HOST_CGROUP_MAX];
	int n = hierarchies(h, max < HOST_CGROUP_MAX ? max : HOST_CGROUP_MAX);
	for (int i = 0; i < n; i++)
		str_copy(mounts[i], 256, h[i].mount); /* both 256 bytes: it fits */
	return n;
}

/* A small file of a cgroup directory. */
static int read_at(int dir, const char *name, char *buf, size_t len)
{
	int fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = '\0';
	return (int)n;
}

static int write_at(int dir, const char *name, const char *value)
{
	int fd = openat(dir, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, value, strlen(value));
	int e = errno;
	close(fd);
	return n < 0 ? -e : 0;
}

/* A new cpuset cgroup has no CPUs or memory nodes: a process cannot join
 * it until they are given (its parent's). */
static void cpuset_inherit(int parent, int dir)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	for (size_t i = 0; i < 2; i++) {
		char v[4096];
		if (read_at(dir, files[i], v, sizeof(v)) > 0 && v[0] != '\n')
			continue;
		if (read_at(parent, files[i], v, sizeof(v)) > 0)
			write_at(dir, files[i], v);
	}
}

/* Walk (and with make, create) the path in one hierarchy: the leaf's
 * handle. No component is a symlink or leaves the hierarchy. */
static int walk(const struct hier *h, const char *path, bool make, struct kc_error *err)
{
	int dir = open(h->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dir < 0)
		return kc_error_set(err, errno, "%s", h->mount);
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		if (!valid_component(p, n)) {
			close(dir);
			return kc_error_set(err, EINVAL, "cgroup path %s", path);
		}
		char comp[256];
		snprintf(comp, sizeof(comp), "%.*s", (int)n, p);
		bool made = false;
		if (make) {
			if (mkdirat(dir, comp, 0755) == 0)
				made = true;
			else if (errno != EEXIST) {
				int e = errno;
				close(dir);
				return kc_error_set(err, e, "cgroup %s/%s", h->mount, path);
			}
		}
		int next = openat(dir, comp, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (next < 0) {
			int e = errno;
			close(dir);
			return make ? kc_error_set(err, e, "cgroup %s/%s", h->mount, path) : -e;
		}
		if (made && h->cpuset)
			cpuset_inherit(dir, next);
		/* v2: the parent hands its controllers down to what we made */
		if (made && h->v2)
			write_at(dir, "cgroup.subtree_control", "+cpu +memory +pids +io");
		close(dir);
		dir = next;
		p += n;
		if (*p == '/')
			p++;
	}
	return dir;
}

static int open_procs(bool make, const char *path, int *fds, int max, struct kc_error *err)
{
	struct hier h[HOST_CGROUP_MAX];
	int n = hierarchies(h, HOST_CGROUP_MAX), k = 0;
	for (int i = 0; i < n && k < max; i++) {
		int dir = walk(&h[i], path, make, err);
		if (dir < 0) {
			host_cgroup_close_fds(fds, k);
			return -1;
		}
		fds[k] = openat(dir, "cgroup.procs", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		int e = errno;
		close(dir);
		if (fds[k] < 0) {
			host_cgroup_close_fds(fds, k);
			return kc_error_set(err, e, "cgroup %s/%s/cgroup.procs", h[i].mount, path);
		}
		k++;
	}
	return k;
}

int host_cgroup_create(const char *path, int *fds, int max, struct kc_error *err)
{
	return open_procs(true, path, fds, max, err);
}

int host_cgroup_open_procs(const char *path, int *fds, int max, struct kc_error *err)
{
	return open_procs(false, path, fds, max, err);
}

void host_cgroup_close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

void host_cgroup_remove(const char *path)
{
	if (!path || !*path)
		return;
	struct hier h[HOST_CGROUP_MAX];
	int n = hierarchies(h, HOST_CGROUP_MAX);
	const char *slash = strrchr(path, '/');
	_cleanup_free_ char *parent = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup("");
	const char *leaf = slash ? slash + 1 : path;
	for (int i = 0; i < n; i++) {
		_cleanup_error_ struct kc_error ignore = {0};
		int dir = *parent ? walk(&h[i], parent, false, &ignore)
				  : open(h[i].mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0)
			continue;
		/* the processes that were in it may still be exiting */
		for (int t = 0; t < 200; t++) {
			if (unlinkat(dir, leaf, AT_REMOVEDIR) == 0 || errno != EBUSY)
				break;
			struct timespec ts = {0, 10 * 1000000L};
			nanosleep(&ts, NULL);
		}
		close(dir);
	}
}

/* One controller file; a hierarchy without the controller has no such
 * file, which is not an error. */
static int set_one(int dir, const struct hier *h, const char *path, const char *file,
		   const char *value, struct kc_error *err)
{
	int rc = write_at(dir, file, value);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return kc_error_set(err, -rc, "cgroup %s/%s/%s: cannot write '%s'", h->mount, path,
				    file, value);
	return 1;
}

int host_cgroup_set_limits(const char *path, const struct host_limits *l, struct kc_error *err)
{
	struct hier h[HOST_CGROUP_MAX];
	int n = hierarchies(h, HOST_CGROUP_MAX);
	char mem[32], quota[32], period[32], cpumax[64];
	unsigned long long per = l->cpu_period ? l->cpu_period : 100000;
	snprintf(mem, sizeof(mem), "%lld", l->memory > 0 ? l->memory : -1LL);
	snprintf(quota, sizeof(quota), "%lld", l->cpu_quota > 0 ? l->cpu_quota : -1LL);
	snprintf(period, sizeof(period), "%llu", per);
	if (l->cpu_quota > 0)
		snprintf(cpumax, sizeof(cpumax), "%lld %llu", l->cpu_quota, per);
	else
		snprintf(cpumax, sizeof(cpumax), "max %llu", per);
	for (int i = 0; i < n; i++) {
		int dir = walk(&h[i], path, false, err);
		if (dir < 0) {
			if (dir == -ENOENT)
				continue; /* not made in this hierarchy */
			return -1;
		}
		int rc = 0;
		if (h[i].v2) {
			if (set_one(dir, &h[i], path, "memory.max", l->memory > 0 ? mem : "max",
				    err) < 0 ||
			    set_one(dir, &h[i], path, "cpu.max", cpumax, err) < 0)
				rc = -1;
		} else if (set_one(dir, &h[i], path, "memory.limit_in_bytes", mem, err) < 0 ||
			   /* the period first: a quota is checked against it */
			   set_one(dir, &h[i], path, "cpu.cfs_period_us", period, err) < 0 ||
			   set_one(dir, &h[i], path, "cpu.cfs_quota_us", quota, err) < 0) {
			rc = -1;
		}
		close(dir);
		if (rc < 0)
			return -1;
	}
	return 0;
}
