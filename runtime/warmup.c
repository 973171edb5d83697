/* Under TCG a VM's guest code is translated when it first runs, and a VM
 * from a template has translated nothing of what creating and starting a
 * container runs: the agent's handlers, clone with namespaces, the mounts
 * on the share, pivot_root, execve, exit and wait. A cached VM runs one
 * container before it waits, so the pod that takes it finds that done
 * (under KVM it costs a few ms and saves about as much).
 *
 * The container: an empty directory of the VM directory's, shared as any
 * rootfs is, holding one program - the smallest static x86-64 ELF that
 * exits 0, written here (the guest runs the host's architecture) - and
 * nothing else; it and its share go after it. */
#include "warmup.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beneath.h"
#include "clock.h"
#include "json_cleanup.h"
#include "log.h"
#include "share.h"
#include "timeouts.h"

#define WARMUP_ID "kata-vmcache-warmup"

#if defined(__x86_64__)
/* ELF64 header, one PT_LOAD program header (R+X, the file at 0x400000),
 * and the code at 0x400078: mov eax, 60 (exit); xor edi, edi; syscall */
static const unsigned char exit0_elf[] = {
    0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x02, 0x00, 0x3e, 0x00, 0x01, 0x00, 0x00, 0x00, 0x78, 0x00, 0x40, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x38, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x81,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xb8, 0x3c, 0x00, 0x00, 0x00, 0x31, 0xff, 0x0f, 0x05};

static int write_program(int rootfs)
{
	int fd =
	    openat(rootfs, "exit0", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0755);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, exit0_elf, sizeof(exit0_elf));
	int e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)sizeof(exit0_elf) ? 0 : -1;
}
#endif

static int run_container(struct agent_client *ac, json_t *spec, struct kc_error *err)
{
	_cleanup_json_ json_t *c =
	    agent_client_call(ac, "create_container",
			      json_pack("{s:s, s:s, s:O}", "container_id", WARMUP_ID, "rootfs",
					WARMUP_ID "/rootfs", "spec", spec),
			      AGENT_CALL_MS, err);
	if (!c)
		return -1;
	_cleanup_json_ json_t *s =
	    agent_client_call(ac, "start_container", json_pack("{s:s}", "container_id", WARMUP_ID),
			      AGENT_CALL_MS, err);
	_cleanup_json_ json_t *w =
	    s ? agent_client_call(ac, "wait_process", json_pack("{s:s}", "container_id", WARMUP_ID),
				  AGENT_CALL_MS, err)
	      : NULL;
	_cleanup_error_ struct kc_error rerr = {0};
	_cleanup_json_ json_t *r =
	    agent_client_call(ac, "remove_container", json_pack("{s:s}", "container_id", WARMUP_ID),
			      AGENT_CALL_MS, &rerr);
	if (!r)
		kc_warn("a cached VM's warm-up container: %s", kc_error_msg(&rerr));
	return w ? 0 : -1;
}

void warmup_cached_vm(int vmfd, struct agent_client *ac)
{
#if defined(__x86_64__)
	_cleanup_error_ struct kc_error err = {0};
	long long t0 = monotonic_ms();
	if (mkdirat(vmfd, WARMUP_DIR, 0755) < 0) {
		kc_warn("a cached VM's warm-up container: " WARMUP_DIR ": %s", strerror(errno));
		return;
	}
	_cleanup_close_ int rootfs =
	    openat(vmfd, WARMUP_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_json_ json_t *spec = json_pack(
	    "{s:s, s:{s:[s], s:s, s:b, s:{s:i, s:i}, s:[s]}, s:{s:s}, "
	    "s:{s:[{s:s}, {s:s}, {s:s}, {s:s}]}}",
	    "ociVersion", "1.0.2", "process", "args", "/exit0", "cwd", "/", "terminal", 0, "user",
	    "uid", 0, "gid", 0, "env", "PATH=/", "root", "path", "rootfs", "linux", "namespaces",
	    "type", "pid", "type", "mount", "type", "ipc", "type", "uts");
	_cleanup_json_ json_t *guest_spec = NULL;
	if (rootfs < 0 || write_program(rootfs) < 0)
		kc_error_set(&err, errno, "%s", WARMUP_DIR);
	else
		guest_spec = share_container(vmfd, WARMUP_ID, rootfs, spec, &err);
	if (guest_spec) {
		if (run_container(ac, guest_spec, &err) < 0)
			kc_warn("a cached VM's warm-up container: %s", kc_error_msg(&err));
		kc_error_clear(&err);
		if (unshare_container(vmfd, WARMUP_ID, &err) < 0)
			kc_warn("a cached VM's warm-up container: %s", kc_error_msg(&err));
	} else {
		kc_warn("a cached VM's warm-up container: %s", kc_error_msg(&err));
	}
	int rm = beneath_remove_tree(vmfd, WARMUP_DIR);
	if (rm < 0)
		kc_warn("a cached VM's warm-up container: " WARMUP_DIR ": %s", strerror(-rm));
	kc_info("a cached VM's warm-up container ran in %lld ms", monotonic_ms() - t0);
#else
	(void)vmfd;
	(void)ac;
#endif
}
