/* Writing TOML from a JSON object (jansson): objects become tables (keys
 * first, then sub-tables), arrays of objects become arrays of tables,
 * other arrays and scalars are values; JSON null is left out, since TOML
 * has no null. Used by kata-env, whose data is built once and printed as
 * either JSON or TOML. */
#ifndef KC_TOML_WRITE_H
#define KC_TOML_WRITE_H

#include <jansson.h>
#include <stdio.h>

/* Returns 0, or -1 on a write error or a value TOML cannot express
 * (an array mixing tables with other values, a nested null). */
int toml_write(FILE *out, const json_t *table);

#endif
