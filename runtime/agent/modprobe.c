/* The agent as the guest kernel's /sbin/modprobe. When a container asks
 * for something whose module is not loaded (a bridge, a veth pair, an
 * iptables table or target, an nftables expression), the kernel runs
 * "/sbin/modprobe -q -- NAME" with NAME a module name or an alias
 * (rtnl-link-bridge, nfnetlink-subsys-10, ipt_MASQUERADE). The image's
 * modules.dep and modules.alias (written by depmod when the image was
 * built) resolve it; the module and its dependencies are loaded with
 * finit_module(), dependencies first. Only modules of the image can load:
 * the helper runs in the guest's root, which containers cannot write. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define MAX_DEPTH  16
#define MAX_LOADED 64

struct modules {
	int dirfd;
	char **dep_lines; /* modules.dep, one "PATH: DEP..." per entry */
	size_t ndep;
	bool quiet, dry_run;
	char dir[512]; /* [BASE]/lib/modules/VERSION, for dry-run's listing */
	/* loaded by this run: modules.dep lists a module's whole closure, so
	 * dependencies recur; each is read and loaded once */
	char loaded[MAX_LOADED][64];
	int nloaded;
};

/* Module names compare with '-' and '_' alike, as the kernel does. */
static void normalize(char *s)
{
	for (; *s; s++)
		if (*s == '-')
			*s = '_';
}

/* The module name of a path in the tree: kernel/net/bridge/bridge.ko -> bridge */
static void name_of_path(const char *path, size_t len, char *out, size_t outsz)
{
	const char *b = path;
	for (size_t i = 0; i < len; i++)
		if (path[i] == '/')
			b = path + i + 1;
	size_t n = (size_t)(path + len - b);
	const char *dot = memmem(b, n, ".ko", 3);
	if (dot)
		n = (size_t)(dot - b);
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, b, n);
	out[n] = '\0';
	normalize(out);
}

static FILE *open_index(struct modules *m, const char *name)
{
	int fd = openat(m->dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "re");
	if (!f)
		close(fd);
	return f;
}

/* GCC 12's analyzer loses the lines once they are in the grown array and
 * calls them leaked: they are m's, freed with it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
static int read_deps(struct modules *m)
{
	_cleanup_fclose_ FILE *f = open_index(m, "modules.dep");
	if (!f)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (!strchr(line, ':'))
			continue;
		char *copy = strdup(line);
		char **grown = copy ? realloc(m->dep_lines, (m->ndep + 1) * sizeof(*grown)) : NULL;
		if (!grown) {
			free(copy);
			free(line);
			return -1;
		}
		grown[m->ndep++] = copy;
		m->dep_lines = grown;
	}
	free(line);
	return 0;
}
#pragma GCC diagnostic pop

/* The modules.dep entry of a module name, or NULL. */
static const char *dep_entry(const struct modules *m, const char *name)
{
	char n[128];
	for (size_t i = 0; i < m->ndep; i++) {
		const char *l = m->dep_lines[i];
		name_of_path(l, strcspn(l, ":"), n, sizeof(n));
		if (!strcmp(n, name))
			return l;
	}
	return NULL;
}

static bool is_builtin(struct modules *m, const char *name)
{
	_cleanup_fclose_ FILE *f = open_index(m, "modules.builtin");
	if (!f)
		return false;
	char line[512], n[128];
	while (fgets(line, sizeof(line), f)) {
		name_of_path(line, strcspn(line, "\n"), n, sizeof(n));
		if (!strcmp(n, name))
			return true;
	}
	return false;
}

static int load_path(struct modules *m, const char *path)
{
	if (m->dry_run) {
		printf("insmod %s/%s\n", m->dir, path);
		return 0;
	}
	_cleanup_close_ int fd = openat(m->dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)) {
		if (!m->quiet)
			fprintf(stderr, "modprobe: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int probe(struct modules *m, const char *want, int depth);

/* modules.softdep: "softdep NAME pre: A B post: C". A pre-dependency is
 * loaded first, when the image holds it (libcrc32c needs a crc32c). */
static void load_pre_softdeps(struct modules *m, const char *name, int depth)
{
	_cleanup_fclose_ FILE *f = open_index(m, "modules.softdep");
	if (!f)
		return;
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *kw = strtok_r(line, " \t\n", &save);
		char *mod = strtok_r(NULL, " \t\n", &save);
		if (!kw || strcmp(kw, "softdep") || !mod)
			continue;
		normalize(mod);
		if (strcmp(mod, name))
			continue;
		bool pre = false;
		for (char *w = strtok_r(NULL, " \t\n", &save); w;
		     w = strtok_r(NULL, " \t\n", &save)) {
			if (!strcmp(w, "pre:"))
				pre = true;
			else if (!strcmp(w, "post:"))
				pre = false;
			else if (pre)
				probe(m, w, depth + 1);
		}
	}
}

/* Load a module after its dependencies (each of which has its own entry,
 * so the order does not depend on how depmod listed them). */
static int load_module(struct modules *m, const char *name, int depth)
{
	for (int i = 0; i < m->nloaded; i++)
		if (!strcmp(m->loaded[i], name))
			return 0;
	const char *entry = dep_entry(m, name);
	if (!entry) {
		if (!is_builtin(m, name))
			return -ENOENT;
		if (m->dry_run)
			printf("builtin %s\n", name);
		return 0;
	}
	if (depth > MAX_DEPTH)
		return -ELOOP;
	load_pre_softdeps(m, name, depth);
	const char *colon = strchr(entry, ':');
	_cleanup_free_ char *deps = strdup(colon + 1);
	char *save = NULL, dn[128];
	for (char *d = deps ? strtok_r(deps, " \t", &save) : NULL; d;
	     d = strtok_r(NULL, " \t", &save)) {
		name_of_path(d, strlen(d), dn, sizeof(dn));
		int rc = load_module(m, dn, depth + 1);
		if (rc < 0)
			return rc;
	}
	char path[512];
	snprintf(path, sizeof(path), "%.*s", (int)(colon - entry), entry);
	if (load_path(m, path) < 0)
		return -EIO;
	if (m->nloaded < MAX_LOADED)
		snprintf(m->loaded[m->nloaded++], sizeof(m->loaded[0]), "%s", name);
	return 0;
}

/* NAME is a module, or an alias of one or more: load them all. */
static int probe(struct modules *m, const char *want, int depth)
{
	char name[128];
	snprintf(name, sizeof(name), "%s", want);
	normalize(name);
	if (dep_entry(m, name) || is_builtin(m, name))
		return load_module(m, name, depth);

	_cleanup_fclose_ FILE *f = open_index(m, "modules.alias");
	if (!f)
		return -ENOENT;
	char line[1024];
	int found = 0, failed = 0;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *kw = strtok_r(line, " \t\n", &save);
		char *pattern = strtok_r(NULL, " \t\n", &save);
		char *module = strtok_r(NULL, " \t\n", &save);
		if (!kw || strcmp(kw, "alias") || !pattern || !module)
			continue;
		/* as written, then with '-' and '_' alike (as kmod does) */
		if (fnmatch(pattern, want, 0) != 0) {
			normalize(pattern);
			if (fnmatch(pattern, name, 0) != 0)
				continue;
		}
		normalize(module);
		found++;
		if (load_module(m, module, depth) < 0)
			failed++;
	}
	if (!found)
		return -ENOENT;
	return failed == found ? -EIO : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: modprobe [-q] [-n] [-d BASE] [-S VERSION] [--] MODULE|ALIAS...\n"
			"The guest's module loader: resolves names through the image's\n"
			"modules.dep, modules.alias and modules.softdep, and loads the\n"
			"modules, dependencies first (kata-agent(8)).\n"
			"  -q  quiet   -n  print what would load   -d BASE  modules under\n"
			"  BASE/lib/modules/VERSION   -S VERSION  not the running kernel's\n");
}

int agent_modprobe(int argc, char **argv)
{
	struct modules m = {.dirfd = -1};
	const char *base = "", *version = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			m.quiet = true;
		else if (!strcmp(argv[i], "-n") || !strcmp(argv[i], "--dry-run"))
			m.dry_run = true;
		else if (!strcmp(argv[i], "-d") && i + 1 < argc)
			base = argv[++i];
		else if (!strcmp(argv[i], "-S") && i + 1 < argc)
			version = argv[++i];
		else if (!strcmp(argv[i], "-b") || !strcmp(argv[i], "--use-blacklist") ||
			 !strcmp(argv[i], "-v"))
			continue; /* nothing is blacklisted in the image; nothing more to say */
		else {
			fprintf(stderr, "modprobe: unknown option '%s'\n", argv[i]);
			usage();
			return 1;
		}
	}
	if (i >= argc) {
		usage();
		return 1;
	}
	struct utsname u;
	uname(&u);
	snprintf(m.dir, sizeof(m.dir), "%s/lib/modules/%s", base, version ? version : u.release);
	m.dirfd = open(m.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (m.dirfd < 0 || read_deps(&m) < 0) {
		if (!m.quiet)
			fprintf(stderr, "modprobe: %s: %s\n", m.dir, strerror(errno));
		for (size_t k = 0; k < m.ndep; k++)
			free(m.dep_lines[k]);
		free(m.dep_lines);
		if (m.dirfd >= 0)
			close(m.dirfd);
		return 1;
	}
	int rc = 0;
	for (; i < argc; i++) {
		int r = probe(&m, argv[i], 0);
		if (r < 0) {
			rc = 1;
			if (!m.quiet)
				fprintf(stderr, "modprobe: %s: %s\n", argv[i],
					r == -ENOENT ? "not in the image" : strerror(-r));
		}
	}
	for (size_t k = 0; k < m.ndep; k++)
		free(m.dep_lines[k]);
	free(m.dep_lines);
	close(m.dirfd);
	return rc;
}
