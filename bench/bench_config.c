/* `make bench` for the configuration: parsing, loading and validating the
 * shipped configuration.toml, median of many runs, in process. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "config.h"
#include "config_validate.h"
#include "fs.h"
#include "toml.h"

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "build/data/configuration.toml";
	int runs = argc > 2 ? atoi(argv[2]) : 2000;
	double *parse = calloc((size_t)runs, sizeof(double)),
	       *load = calloc((size_t)runs, sizeof(double));
	char *text;
	size_t len;

	if (read_file(path, 1 << 20, &text, &len) < 0) {
		fprintf(stderr, "bench: cannot read %s\n", path);
		return 1;
	}
	for (int i = 0; i < runs; i++) {
		_cleanup_error_ struct kc_error err = {0};
		double t0 = now_ms();
		struct toml_value *v = toml_parse(text, len, path, &err);
		double t1 = now_ms();
		toml_free(v);
		struct kc_config c;
		struct strlist notes = {0};
		double t2 = now_ms();
		config_defaults(&c);
		if (config_load_text(&c, text, len, path, &err) < 0 ||
		    config_check_values(&c, 8, &notes, &err) < 0) {
			fprintf(stderr, "bench: %s\n", kc_error_msg(&err));
			return 1;
		}
		double t3 = now_ms();
		config_free(&c);
		strlist_free(&notes);
		parse[i] = t1 - t0;
		load[i] = t3 - t2;
	}
	qsort(parse, (size_t)runs, sizeof(double), cmp);
	qsort(load, (size_t)runs, sizeof(double), cmp);
	printf("configuration %s (%zu bytes): TOML parse median %.3f ms; load + validate median "
	       "%.3f ms "
	       "(max %.3f) over %d runs\n",
	       path, len, parse[runs / 2], load[runs / 2], load[runs - 1], runs);
	free(text);
	free(parse);
	free(load);
	return 0;
}
