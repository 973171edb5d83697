/* A fast reader for the output benches: reads standard input to its end
 * and prints "BYTES MS", MS being the milliseconds from the first byte to
 * the end of input - the drain alone, without what came before the first
 * byte (a VM's boot, an exec's set-up).
 *
 *   producer | bench_drain */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int main(void)
{
	static char buf[1 << 20];
	unsigned long long total = 0;
	double first = 0;
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("bench_drain: read");
			return 1;
		}
		if (n == 0)
			break;
		if (!total)
			first = now_ms();
		total += (unsigned long long)n;
	}
	printf("%llu %.0f\n", total, total ? now_ms() - first : 0.0);
	return 0;
}
