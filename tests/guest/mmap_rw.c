/* A test program run inside containers (static: the test rootfs is a bare
 * busybox): writes through a shared mapping of FILE and reads the bytes
 * back with read(), then maps the file read-only and prints its first
 * line - what the host wrote, when the host wrote it.
 *
 *   mmap-rw write FILE TEXT OFFSET    (the file grows to OFFSET + TEXT)
 *   mmap-rw head FILE */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what, const char *file)
{
	fprintf(stderr, "mmap-rw: %s %s: %m\n", what, file);
	return 1;
}

static int write_mapped(const char *file, const char *text, long off)
{
	size_t len = strlen(text);
	int fd = open(file, O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		return fail("open", file);
	if (ftruncate(fd, off + (long)len) < 0)
		return fail("ftruncate", file);
	char *m = mmap(NULL, (size_t)off + len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return fail("mmap", file);
	memcpy(m + off, text, len);
	if (msync(m, (size_t)off + len, MS_SYNC) < 0)
		return fail("msync", file);
	munmap(m, (size_t)off + len);
	close(fd);
	/* read back through the file, not the mapping */
	char *back = calloc(1, len + 1);
	fd = open(file, O_RDONLY);
	if (!back || fd < 0 || pread(fd, back, len, off) != (ssize_t)len)
		return fail("read back", file);
	close(fd);
	printf("%s\n",
	       strcmp(back, text) ? "mmap-rw: read back differs" : "mapped write read back");
	free(back);
	return 0;
}

static int head_mapped(const char *file)
{
	int fd = open(file, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !st.st_size)
		return fail("open", file);
	char *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return fail("mmap", file);
	size_t n = 0;
	while (n < (size_t)st.st_size && m[n] != '\n')
		n++;
	printf("%.*s\n", (int)n, m);
	munmap(m, (size_t)st.st_size);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "write"))
		return write_mapped(argv[2], argv[3], atol(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "head"))
		return head_mapped(argv[2]);
	fprintf(stderr, "usage: mmap-rw write FILE TEXT OFFSET | mmap-rw head FILE\n");
	return 2;
}
