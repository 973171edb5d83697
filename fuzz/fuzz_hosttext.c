/* libFuzzer target: the host text formats kata-check reads from a host root
 * it does not trust - /proc/cpuinfo, a CPUID dump, /proc/meminfo, the
 * kernel log and an MSR recording - never crash, leak or read past the
 * text. The first input byte picks the parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "firmware.h"
#include "resources.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	unsigned which = data[0] % 5;
	char *text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';

	struct cpu_facts cpu = {0};
	struct firmware_facts fw = {0};
	struct resource_facts res = {0};
	_cleanup_error_ struct kc_error err = {0};
	switch (which) {
	case 0:
		cpu_parse_cpuinfo(text, &cpu);
		(void)cpu_flag_in_cpuinfo(&cpu, "vmx");
		break;
	case 1:
		if (cpuid_parse_dump(text, &cpu, &err) == 0) {
			cpu.arch = ARCH_X86_64;
			cpu.cpuid_source = SRC_RECORDED;
			cpu_decode_cpuid(&cpu);
			(void)cpu_flag_in_cpuid(&cpu, "sev_snp");
		}
		break;
	case 2: resources_parse_meminfo(text, &res); break;
	case 3: firmware_parse_log(text, &fw); break;
	case 4: (void)firmware_parse_msr(text, &fw, &err); break;
	}
	free(cpu.cpuinfo_flags);
	free(text);
	return 0;
}
