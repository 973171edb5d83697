/* What the firmware allows: whether it locked hardware virtualization off,
 * and what it offers for confidential guests. Read from the kernel's log
 * (the kernel says "disabled by BIOS" when it finds the lock) and, where
 * the msr driver is loaded, the model-specific registers the firmware
 * locks. A host root other than "/" is judged from its recordings
 * (.kata-check/kmsg, .kata-check/msr; tests/fixtures/README.md). */
#ifndef KC_FIRMWARE_H
#define KC_FIRMWARE_H

#include "facts.h"
#include "error.h"
#include "hostroot.h"

#define MSR_IA32_FEATURE_CONTROL 0x3aU
#define MSR_AMD_VM_CR		 0xc0010114U
/* IA32_FEATURE_CONTROL: bit 0 locks the register, bit 2 allows VMX outside SMX */
#define FEATURE_CONTROL_LOCKED	    (1ULL << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE (1ULL << 2)
/* VM_CR bit 4: SVMDIS, the firmware disabled SVM */
#define VM_CR_SVMDIS (1ULL << 4)

/* After the CPU and KVM probes: the live kernel log is read only where it
 * can change a judgement. */
void firmware_probe(const struct host_root *root, const struct host_facts *f,
		    struct firmware_facts *fw);

/* Parse kernel log text (dmesg's lines, or /dev/kmsg records) into fw.
 * Exposed for the unit tests. */
void firmware_parse_log(const char *text, struct firmware_facts *fw);
/* Parse an msr recording: "0xADDR=0xVALUE" lines. -1 with err on a bad line. */
int firmware_parse_msr(const char *text, struct firmware_facts *fw, struct kc_error *err);

#endif
