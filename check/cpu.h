/* CPU probing: CPUID (the instruction, or a recording) and /proc/cpuinfo. */
#ifndef KC_CPU_H
#define KC_CPU_H

#include <stddef.h>

#include "error.h"
#include "facts.h"
#include "hostroot.h"

enum tri { TRI_UNKNOWN = -1, TRI_NO = 0, TRI_YES = 1 };

void cpu_probe(const struct host_root *root, struct cpu_facts *cpu);

/* Parse a `cpuid -r` dump (first CPU only) into cpu->cpuid[]. Returns 0, or
 * -1 with "line N: ..." in errbuf. */
int cpuid_parse_dump(const char *text, struct cpu_facts *cpu, struct kc_error *err);

/* Fill vendor, family/model, brand and hypervisor fields from cpu->cpuid[]. */
void cpu_decode_cpuid(struct cpu_facts *cpu);

/* Parse /proc/cpuinfo text (any architecture). */
void cpu_parse_cpuinfo(const char *text, struct cpu_facts *cpu);

/* A named x86 feature as CPUID reports it (TRI_UNKNOWN without CPUID or for
 * a name not in the feature table) and as /proc/cpuinfo lists it. */
enum tri cpu_flag_in_cpuid(const struct cpu_facts *cpu, const char *flag);
enum tri cpu_flag_in_cpuinfo(const struct cpu_facts *cpu, const char *flag);

/* "Vendor Name" for a CPUID vendor string, NULL when unknown. */
const char *cpu_vendor_display(const char *vendor_id);

#endif
