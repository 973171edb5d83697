/* Structured logs for the runtime's processes (kata-runtime, kata-proxy,
 * kata-shim): one line per message, logfmt or JSON, with the component,
 * pid and the fields set for this process (the container id). The JSON
 * form has "level" and "msg" as containerd's runc shim reads them. */
#ifndef KC_LOG_H
#define KC_LOG_H

#include <stdbool.h>

#include "macros.h"

enum kc_log_level { KC_LOG_ERROR, KC_LOG_WARN, KC_LOG_INFO, KC_LOG_DEBUG };

/* path NULL or "": stderr. Returns -1 (and logs to stderr) when the file
 * cannot be opened. */
int kc_log_init(const char *component, const char *path, bool json, enum kc_log_level level);
void kc_log_set_level(enum kc_log_level level);
void kc_log_field(const char *key, const char *value); /* up to 4 fields, replaced by key */
void kc_log(enum kc_log_level level, const char *fmt, ...) _printf_(2, 3);
void kc_log_close(void);
bool kc_log_to_stderr(void);
bool kc_log_level_enabled(enum kc_log_level level);

#define kc_error_log(...) kc_log(KC_LOG_ERROR, __VA_ARGS__)
#define kc_warn(...)	  kc_log(KC_LOG_WARN, __VA_ARGS__)
#define kc_info(...)	  kc_log(KC_LOG_INFO, __VA_ARGS__)
#define kc_debug(...)	  kc_log(KC_LOG_DEBUG, __VA_ARGS__)

#endif
