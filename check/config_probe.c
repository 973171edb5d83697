/* Loading the active configuration for kata-check (see config_probe.h). */
#include "config_probe.h"

#include <errno.h>
#include <string.h>

#include "qemu_binary.h"
#include "strutil.h"
#include "xalloc.h"

void config_probe(const struct host_root *root, const char *explicit_path, unsigned host_cpus,
		  struct config_state *st)
{
	_cleanup_error_ struct kc_error err = {0};
	int r;

	memset(st, 0, sizeof(*st));
	st->qemu_seccomp = TRI_STATE_UNKNOWN;
	r = config_load(root, explicit_path, &st->cfg, &st->src, &err);
	if (r < 0) {
		st->missing = r == -ENOENT && !st->src.path;
		st->error = xstrdup(kc_error_msg(&err));
		return;
	}
	st->loaded = true;
	kc_error_clear(&err);
	st->values_ok = config_check_values(&st->cfg, host_cpus, &st->notes, &err) == 0;
	if (!st->values_ok)
		st->error = xstrdup(kc_error_msg(&err));
	st->npaths = config_check_paths(&st->cfg, root, st->paths, CONFIG_PATHS_MAX);
	st->qemu_seccomp = qemu_binary_has_seccomp(root, st->cfg.hypervisor.path);
}

void config_state_free(struct config_state *st)
{
	config_free(&st->cfg);
	config_source_free(&st->src);
	strlist_free(&st->notes);
	free(st->error);
	st->error = NULL;
}
