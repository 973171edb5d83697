/* kata-runtime's verbs, one function each (runtime/cli/cmd_*.c): they
 * parse runc's flags and call the lifecycle core (runtime.h). */
#ifndef KC_COMMANDS_H
#define KC_COMMANDS_H

#include "error.h"
#include "runtime.h"

/* Commands: 0 success, 1 error (err set), or a process's exit status for
 * the foreground ones. */
int cmd_create(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_run(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_start(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_state(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_kill(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_delete(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_exec(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_ps(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_list(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_pause(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_resume(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_events(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_update(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_spec(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_features(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_checkpoint(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_kata_network(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_kata_overhead(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_factory(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_restore(struct rt *rt, int argc, char **argv, struct kc_error *err);

#endif
