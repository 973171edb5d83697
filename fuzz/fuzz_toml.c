/* libFuzzer target: any input to toml_parse() must parse or fail cleanly,
 * without a crash, a leak, undefined behaviour or a hang. */
#include <stddef.h>
#include <stdint.h>

#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_error_ struct kc_error err = {0};
	struct toml_value *doc = toml_parse((const char *)data, size, "fuzz", &err);

	if (doc) {
		/* walk what was built, as the configuration loader will */
		(void)toml_get_path(doc, "hypervisor.qemu.path");
		toml_free(doc);
	}
	return 0;
}
