/* Small language helpers shared by every file: scope-based cleanup, array
 * sizes, ownership hand-over, attributes. Nothing here knows about hosts. */
#ifndef KC_MACROS_H
#define KC_MACROS_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define _printf_(fmt, args) __attribute__((format(printf, fmt, args)))
#define _unused_	    __attribute__((unused))
#define _noreturn_	    __attribute__((noreturn))
#define _warn_unused_	    __attribute__((warn_unused_result))

static inline void kc_freep(void *p)
{
	free(*(void **)p);
}

static inline void kc_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void kc_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void kc_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

#define _cleanup_(fn)	   __attribute__((cleanup(fn)))
#define _cleanup_free_	   _cleanup_(kc_freep)
#define _cleanup_close_	   _cleanup_(kc_closep)
#define _cleanup_fclose_   _cleanup_(kc_fclosep)
#define _cleanup_closedir_ _cleanup_(kc_closedirp)

/* Hand ownership out of a _cleanup_ variable: `*out = steal_pointer(&buf);` */
static inline void *kc_steal_pointer(void *pp)
{
	void **p = pp;
	void *v = *p;
	*p = NULL;
	return v;
}
#define steal_pointer(pp) kc_steal_pointer(pp)

static inline int kc_steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

#endif
