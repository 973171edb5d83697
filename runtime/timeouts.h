/* How long the runtime waits for each party, in one place. A caller
 * (containerd, CRI-O) has its own timeout around every command, so none of
 * these may be unbounded; the agent's boot is the configuration's
 * dial_timeout instead. */
#ifndef KC_TIMEOUTS_H
#define KC_TIMEOUTS_H

#define AGENT_CONNECT_MS   10000 /* connect + HELLO through kata-proxy */
#define AGENT_CALL_MS	   30000 /* a request that starts things in the guest */
#define AGENT_QUERY_MS	   10000 /* a request that only looks or signals */
#define AGENT_TEARDOWN_MS  5000	 /* remove_container and the like while tearing down */
#define QMP_CALL_MS	   5000	 /* a QMP command (hot-plug) */
#define QEMU_POWEROFF_MS   3000	 /* after the agent's shutdown, before QMP quit */
#define QEMU_QUIT_MS	   2000	 /* after QMP quit, before SIGKILL */
#define PROXY_EXIT_MS	   1000	 /* kata-proxy leaves by itself once QEMU has gone */
#define SHIM_READY_MS	   15000 /* kata-shim attaching to its stream */
#define SHIM_EXIT_MS	   2000	 /* a shim whose process was killed */
#define VIRTIOFSD_START_MS 5000	 /* virtiofsd creating its socket */
#define KILL_WAIT_MS	   5000	 /* a SIGKILLed process leaving the process table */

#endif
