/* Gathering a snapshot (see snapshot.h). */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

struct snapshot *snapshot_take(const struct host_root *root, const char *runtime_root)
{
	struct snapshot *s = xcalloc(1, sizeof(*s));

	assess(root, NULL, &s->a);
	sandboxes_read(root, runtime_root, s);
	vmcache_read(root, s);
	s->taken = time(NULL);
	return s;
}

void snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	assessment_free(&s->a);
	free(s->sandboxes);
	free(s->cached);
	free(s);
}
