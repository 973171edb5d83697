/* `make bench` for kata-check: the median wall time of a full
 * `kata-check --json` on this host (fork + exec + probe + rules + JSON),
 * its peak RSS, and the in-process cost of each phase. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "assess.h"
#include "hostroot.h"
#include "probe.h"
#include "render.h"
#include "rules.h"

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void run_binary(const char *bin, const char *root, int runs)
{
	double *t = calloc((size_t)runs, sizeof(double));
	long max_rss = 0;

	for (int i = 0; i < runs; i++) {
		double t0 = now_ms();
		pid_t pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);
			dup2(null, 1);
			execl(bin, bin, "--json", "--host-root", root, (char *)NULL);
			_exit(127);
		}
		int status;
		struct rusage ru;
		if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) > 1) {
			fprintf(stderr, "bench: %s failed\n", bin);
			exit(1);
		}
		t[i] = now_ms() - t0;
		if (ru.ru_maxrss > max_rss)
			max_rss = ru.ru_maxrss;
	}
	double med = median(t, runs); /* sorts t */
	printf(
	    "kata-check --json --host-root %s: median %.2f ms over %d runs (min %.2f, max %.2f); "
	    "peak RSS %.2f MB\n",
	    root, med, runs, t[0], t[runs - 1], (double)max_rss / 1024.0);
	free(t);
}

static void run_phases(const char *root_dir, int runs)
{
	double *probe = calloc((size_t)runs, sizeof(double)),
	       *rules = calloc((size_t)runs, sizeof(double)),
	       *json = calloc((size_t)runs, sizeof(double));
	_cleanup_error_ struct kc_error err = {0};
	struct host_root root;

	if (host_root_open(&root, root_dir, &err) < 0) {
		fprintf(stderr, "bench: %s\n", kc_error_msg(&err));
		exit(1);
	}
	for (int i = 0; i < runs; i++) {
		struct host_facts *f = calloc(1, sizeof(*f));
		struct assessment a;
		double t0 = now_ms();
		host_probe(&root, f);
		double t1 = now_ms();
		assess(&root, NULL, &a);
		double t2 = now_ms();
		json_t *j = assessment_to_json(&a, false);
		char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		double t3 = now_ms();
		free(s);
		json_decref(j);
		assessment_free(&a);
		host_facts_free(f);
		free(f);
		probe[i] = t1 - t0;
		rules[i] = t2 - t1;
		json[i] = t3 - t2;
	}
	printf("  in-process medians: probe %.3f ms, whole assessment (probe, configuration, "
	       "rules, adaptation) "
	       "%.3f ms, JSON %.3f ms\n",
	       median(probe, runs), median(rules, runs), median(json, runs));
	host_root_close(&root);
	free(probe);
	free(rules);
	free(json);
}

int main(int argc, char **argv)
{
	const char *bin = argc > 1 ? argv[1] : "build/bin/kata-check";
	int runs = argc > 2 ? atoi(argv[2]) : 200;

	for (int i = 3; i < argc || i == 3; i++) {
		const char *root = i < argc ? argv[i] : "/";
		run_binary(bin, root, runs);
		run_phases(root, runs);
		if (i >= argc)
			break;
	}
	return 0;
}
