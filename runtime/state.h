/* The runtime's state: one directory per container under --root holding
 * state.json (written atomically), locked with flock(2) on the directory
 * so commands on one id are serialized and different ids run in parallel.
 *
 * Everything under --root is reached through a handle of it, without
 * following symlinks, and state.json is read only if it is a regular
 * file. Container ids are runc's ([A-Za-z0-9_+.-], not starting with a
 * dot): the runtime's own entries there start with a dot and can never be
 * named by an id. */
#ifndef KC_STATE_H
#define KC_STATE_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "strutil.h"

#define STATE_FILE_MAX (4u << 20) /* state.json and sandbox records */

struct state_dir {
	char *root; /* --root */
	char *dir;  /* root/ID, for messages */
	char *id;
	int rootfd; /* --root */
	int fd;	    /* the locked directory, -1 */
};

/* Make root/ID (it must not exist: "container with id exists") and lock it. */
int state_create(struct state_dir *s, const char *root, const char *id, struct kc_error *err);
/* Lock an existing container; -1 with "container ID does not exist". */
int state_open(struct state_dir *s, const char *root, const char *id, struct kc_error *err);
void state_close(struct state_dir *s);
/* Remove the directory (everything in it) and unlock. */
int state_remove(struct state_dir *s);

json_t *state_read(const struct state_dir *s, struct kc_error *err);
int state_write(const struct state_dir *s, json_t *state, struct kc_error *err);

/* A handle of --root, made if missing (-errno). */
int state_open_root(const char *root, bool create);
/* A JSON object from a regular file beneath dirfd (NULL with err). */
json_t *state_load_json(int dirfd, const char *name, const char *what, struct kc_error *err);

/* Ids of every container under root (sorted); NULL-terminated, free with strv_free. */
char **state_list(const char *root);

/* RFC 3339 with nanoseconds, UTC, as runc writes "created". */
void rfc3339_now(char *buf, size_t len);

#endif
