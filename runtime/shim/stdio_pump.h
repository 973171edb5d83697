/* One process's stdio between local fds and its stream on the agent
 * channel, until the process exits: output is written out and its credit
 * granted back (so the agent never sends more than we have taken), input
 * is sent within the agent's credit and closed at end of file. */
#ifndef KC_STDIO_PUMP_H
#define KC_STDIO_PUMP_H

#include <stdbool.h>
#include <stdint.h>

#include "agent_client.h"

/* The credit granted for a process's output: bytes the agent may have on
 * their way to us. A guest under TCG answers a grant in a millisecond or
 * more, so the window must cover that long at full speed: 256 KiB held a
 * flood to 0.7x of the VM's own pipe, 1 MiB lets it run at the pipe's
 * speed (bench_stdio.sh, bench_shimv2.sh); it is also what the proxy may
 * hold for a stream whose reader is slow. */
#define STDIO_OUTPUT_WINDOW (1u << 20)

struct stdio_pump {
	struct agent_client *ac;
	const char *container_id, *exec_id;
	uint32_t stream;
	bool terminal;
	int in_fd, out_fd, err_fd; /* local ends; -1 for none */
	/* optional: one more fd to watch, and what to do when it is readable
	 * (the shim's signalfd); return -1 to stop */
	int extra_fd;
	int (*on_extra)(struct stdio_pump *p, void *ctx);
	void *ctx;
	/* optional: called once, when the first output byte arrives */
	void (*on_first_output)(struct stdio_pump *p);
	/* state */
	bool got_output;
	uint64_t in_credit;
	uint32_t out_owed[3]; /* output taken, its credit not yet granted back */
	bool in_done, out_done, err_done;
	json_int_t wait_id;
	bool exited;
	int exit_status;
	bool oom_killed; /* the guest's OOM killer took a process of the container */
};

void stdio_pump_init(struct stdio_pump *p, struct agent_client *ac, const char *container_id,
		     const char *exec_id, uint32_t stream, bool terminal);
/* Run until the process's exit status is known: 0 with p->exit_status,
 * -1 with err when the channel failed. */
int stdio_pump_run(struct stdio_pump *p, struct kc_error *err);

#endif
