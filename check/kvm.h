/* /dev/kvm: open, API version, VM creation, capabilities and a smoke guest,
 * through ioctls on the live device or from HOSTROOT/.kata-check/kvm. */
#ifndef KC_KVM_H
#define KC_KVM_H

#include "facts.h"
#include "hostroot.h"

void kvm_probe(const struct host_root *root, enum host_arch arch, struct kvm_facts *kf);

/* Parse a recorded `.kata-check/kvm` (key=value lines). Returns 0 or -1
 * with "line N: ..." in kf->record_error. */
int kvm_parse_recording(const char *text, struct kvm_facts *kf);

/* Names of the capabilities probed, in table order (for recordings and docs). */
extern const char *const kvm_cap_names[];

#endif
