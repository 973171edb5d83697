/* The QEMU binary's dynamic section (see qemu_binary.h): the ELF header,
 * the section headers, the .dynamic section and its string table - a
 * few kilobytes read with pread, whatever the binary's size. */
#include "qemu_binary.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "xalloc.h"

#define MAX_SECTIONS 256
#define MAX_DYNAMIC  (64u << 10)

static bool read_at(int fd, void *buf, size_t len, off_t off)
{
	return pread(fd, buf, len, off) == (ssize_t)len;
}

enum tri_state qemu_binary_has_seccomp(const struct host_root *root, const char *path)
{
	_cleanup_close_ int fd = host_open(root, path, O_RDONLY | O_NONBLOCK);
	struct stat st;
	Elf64_Ehdr eh;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    !read_at(fd, &eh, sizeof(eh), 0) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    !eh.e_shnum || eh.e_shnum > MAX_SECTIONS)
		return TRI_STATE_UNKNOWN;
	Elf64_Shdr sh[MAX_SECTIONS];
	if (!read_at(fd, sh, eh.e_shnum * sizeof(Elf64_Shdr), (off_t)eh.e_shoff))
		return TRI_STATE_UNKNOWN;
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		if (sh[i].sh_type != SHT_DYNAMIC || sh[i].sh_link >= eh.e_shnum)
			continue;
		const Elf64_Shdr *strs = &sh[sh[i].sh_link];
		if (sh[i].sh_size > MAX_DYNAMIC || strs->sh_size > MAX_DYNAMIC || !strs->sh_size)
			return TRI_STATE_UNKNOWN;
		_cleanup_free_ Elf64_Dyn *dyn = xmalloc(sh[i].sh_size);
		_cleanup_free_ char *names = xmalloc(strs->sh_size + 1);
		if (!read_at(fd, dyn, sh[i].sh_size, (off_t)sh[i].sh_offset) ||
		    !read_at(fd, names, strs->sh_size, (off_t)strs->sh_offset))
			return TRI_STATE_UNKNOWN;
		names[strs->sh_size] = '\0';
		for (size_t k = 0; k < sh[i].sh_size / sizeof(Elf64_Dyn) && dyn[k].d_tag != DT_NULL;
		     k++)
			if (dyn[k].d_tag == DT_NEEDED && dyn[k].d_un.d_val < strs->sh_size &&
			    !strncmp(names + dyn[k].d_un.d_val, "libseccomp.so", 13))
				return TRI_STATE_YES;
		return TRI_STATE_NO;
	}
	return TRI_STATE_UNKNOWN; /* statically linked: it may well have it */
}
