/* runc's default config.json (see oci_default.c). */
#ifndef KC_OCI_DEFAULT_H
#define KC_OCI_DEFAULT_H

#include <jansson.h>

json_t *oci_default_spec(void);

#endif
