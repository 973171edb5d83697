/* Version and source commit, for --version and kata-env. The commit comes
 * from a generated header so that a new commit rebuilds only this file. */
#include "version.h"

#include <stdio.h>

#include "commit.h"

const char kc_version[] = KC_VERSION;
const char kc_commit[] = KC_COMMIT;

void kc_print_version(const char *prog, const char *extra)
{
	printf("%s version %s\ncommit: %s\n%s%s", prog, kc_version, kc_commit, extra ?: "",
	       extra ? "\n" : "");
}
