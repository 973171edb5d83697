/* KVM probing (see kvm.h). The smoke guest is eight bytes of 16-bit code
 * (mov dx,0x3f8; mov al,'K'; out dx,al; hlt) at 0x1000: it proves that
 * KVM_RUN enters a guest and returns on an I/O exit and on HLT. A timer
 * bounds every KVM_RUN, so a broken hypervisor cannot hang kata-check. */
#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "recorded.h"
#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

#define SMOKE_TIMEOUT_MS 1000

static const struct {
	const char *name;
	int cap;
} kvm_caps[] = {
    {"irqchip", KVM_CAP_IRQCHIP},	  {"user-memory", KVM_CAP_USER_MEMORY},
    {"ioeventfd", KVM_CAP_IOEVENTFD},	  {"irqfd", KVM_CAP_IRQFD},
    {"nr-vcpus", KVM_CAP_NR_VCPUS},	  {"max-vcpus", KVM_CAP_MAX_VCPUS},
    {"nr-memslots", KVM_CAP_NR_MEMSLOTS}, {"immediate-exit", KVM_CAP_IMMEDIATE_EXIT},
};

const char *const kvm_cap_names[] = {
    "irqchip",	 "user-memory", "ioeventfd",	  "irqfd", "nr-vcpus",
    "max-vcpus", "nr-memslots", "immediate-exit", NULL,
};

static void caps_reset(struct kvm_facts *kf)
{
	kf->ncaps = 0;
	for (size_t i = 0; i < ARRAY_SIZE(kvm_caps) && i < KVM_CAPS_MAX; i++)
		kf->caps[kf->ncaps++] = (struct kvm_cap_fact){kvm_caps[i].name, -1};
}

static struct kvm_cap_fact *cap_by_name(struct kvm_facts *kf, const char *name)
{
	for (int i = 0; i < kf->ncaps; i++)
		if (!strcmp(kf->caps[i].name, name))
			return &kf->caps[i];
	return NULL;
}

int kvm_parse_recording(const char *text, struct kvm_facts *kf)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *cursor = copy, *line;
	int lineno = 0;

	caps_reset(kf);
	kf->attempted = true;
	kf->api_version = -1;
	kf->recorded_uid = -1;
	while ((line = next_line(&cursor))) {
		char *key, *val, *eq;
		lineno++;
		line = str_trim(line);
		if (!*line || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq)
			goto bad;
		*eq = '\0';
		key = str_trim(line);
		val = str_trim(eq + 1);
		if (!strcmp(key, "open")) {
			int e = errno_from_name(val);
			if (e < 0)
				goto bad;
			kf->open_errno = e;
		} else if (!strcmp(key, "api_version")) {
			unsigned v;
			if (parse_uint(val, 10, &v) < 0 || v > 1000)
				goto bad;
			kf->api_version = (int)v;
		} else if (!strcmp(key, "create_vm")) {
			int e = errno_from_name(val);
			if (e < 0)
				goto bad;
			kf->create_vm_probed = true;
			kf->create_vm_errno = e;
		} else if (!strcmp(key, "uid")) {
			unsigned v;
			if (parse_uint(val, 10, &v) < 0)
				goto bad;
			kf->recorded_uid = (int)v;
		} else if (str_startswith(key, "cap.")) {
			struct kvm_cap_fact *c = cap_by_name(kf, key + 4);
			int64_t v;
			if (!c || parse_i64(val, 10, &v) < 0 || v < 0 || v > 1 << 30)
				goto bad;
			c->value = (long)v;
		} else if (!strcmp(key, "smoke")) {
			char *colon = strchr(val, ':');
			if (colon) {
				*colon = '\0';
				str_copy(kf->smoke_detail, sizeof(kf->smoke_detail),
					 str_trim(colon + 1));
			}
			if (!strcmp(val, "ok"))
				kf->smoke = SMOKE_OK;
			else if (!strcmp(val, "failed"))
				kf->smoke = SMOKE_FAILED;
			else if (!strcmp(val, "skipped"))
				kf->smoke = SMOKE_SKIPPED;
			else
				goto bad;
		} else {
			goto bad;
		}
	}
	return 0;
bad:
	snprintf(kf->record_error, sizeof(kf->record_error),
		 "%s/kvm line %d: not a known 'key=value' (uid, open, api_version, create_vm, "
		 "cap.NAME, smoke)",
		 RECORDED_DIR, lineno);
	return -1;
}

static volatile sig_atomic_t smoke_alarm;

static void smoke_on_alarm(int sig _unused_)
{
	smoke_alarm = 1;
}

static double elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

#if defined(__x86_64__)
/* Real mode at 0x1000: "out 0x3f8, 'K'; hlt". NULL when the vCPU is ready
 * to run, else the step that failed (errno says why). */
static const char *smoke_vcpu_setup(int kvm, int vm, void *mem, int *vcpu, struct kvm_run **run,
				    long *run_size)
{
	static const unsigned char code[] = {0xba, 0xf8, 0x03, 0xb0, 'K', 0xee, 0xf4};
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	memcpy(mem, code, sizeof(code));
	struct kvm_userspace_memory_region region = {.slot = 0,
						     .guest_phys_addr = 0x1000,
						     .memory_size = 0x1000,
						     .userspace_addr = (unsigned long)mem};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return "KVM_SET_USER_MEMORY_REGION";
	*vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (*vcpu < 0)
		return "KVM_CREATE_VCPU";
	*run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (*run_size <= 0)
		return "KVM_GET_VCPU_MMAP_SIZE";
	*run = mmap(NULL, (size_t)*run_size, PROT_READ | PROT_WRITE, MAP_SHARED, *vcpu, 0);
	if (*run == MAP_FAILED)
		return "mmap kvm_run";
	if (ioctl(*vcpu, KVM_GET_SREGS, &sregs) < 0)
		return "KVM_GET_SREGS";
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(*vcpu, KVM_SET_SREGS, &sregs) < 0)
		return "KVM_SET_SREGS";
	memset(&regs, 0, sizeof(regs));
	regs.rip = 0x1000;
	regs.rflags = 0x2;
	if (ioctl(*vcpu, KVM_SET_REGS, &regs) < 0)
		return "KVM_SET_REGS";
	return NULL;
}

/* Runs the vCPU under a timer: an I/O exit with 'K', then HLT, is a pass. */
static void smoke_run(int vcpu, struct kvm_run *run, const struct timespec *t0,
		      struct kvm_facts *kf)
{
	struct sigaction sa = {.sa_handler = smoke_on_alarm}, old_sa;
	/* Aimed at this thread: the probe may run beside others, and only a
	 * signal to the thread inside KVM_RUN makes it return. */
	struct sigevent sev = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGALRM};
	struct itimerspec its = {
	    .it_value = {SMOKE_TIMEOUT_MS / 1000, (SMOKE_TIMEOUT_MS % 1000) * 1000000L}};
	timer_t timer;
	bool saw_io = false;

	smoke_alarm = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old_sa);
	sev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) < 0) {
		snprintf(kf->smoke_detail, sizeof(kf->smoke_detail), "timer_create: %s",
			 strerror(errno));
		sigaction(SIGALRM, &old_sa, NULL);
		return;
	}
	if (timer_settime(timer, 0, &its, NULL) < 0) {
		snprintf(kf->smoke_detail, sizeof(kf->smoke_detail), "timer_settime: %s",
			 strerror(errno));
		goto out;
	}
	for (int i = 0; i < 4; i++) {
		int r = ioctl(vcpu, KVM_RUN, 0);
		if (r < 0 && errno == EINTR && smoke_alarm) {
			snprintf(kf->smoke_detail, sizeof(kf->smoke_detail),
				 "the guest did not stop within %d ms", SMOKE_TIMEOUT_MS);
			goto out;
		}
		if (r < 0) {
			snprintf(kf->smoke_detail, sizeof(kf->smoke_detail), "KVM_RUN: %s",
				 strerror(errno));
			goto out;
		}
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == 0x3f8 &&
		    run->io.direction == KVM_EXIT_IO_OUT &&
		    ((char *)run)[run->io.data_offset] == 'K') {
			saw_io = true;
			continue;
		}
		if (run->exit_reason == KVM_EXIT_HLT && saw_io) {
			kf->smoke = SMOKE_OK;
			snprintf(kf->smoke_detail, sizeof(kf->smoke_detail),
				 "I/O exit then HLT in %.2f ms", elapsed_ms(t0));
			goto out;
		}
		snprintf(kf->smoke_detail, sizeof(kf->smoke_detail),
			 "unexpected exit reason %u (expected %s)", run->exit_reason,
			 saw_io ? "HLT" : "an I/O exit on port 0x3f8");
		goto out;
	}
	snprintf(kf->smoke_detail, sizeof(kf->smoke_detail), "KVM_RUN: no HLT after four exits");
out:
	timer_delete(timer);
	sigaction(SIGALRM, &old_sa, NULL);
}

static void smoke_guest(int kvm, int vm, struct kvm_facts *kf)
{
	struct kvm_run *run = MAP_FAILED;
	_cleanup_close_ int vcpu = -1;
	long run_size = 0;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	kf->smoke = SMOKE_FAILED;
	void *mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		snprintf(kf->smoke_detail, sizeof(kf->smoke_detail), "mmap guest memory: %s",
			 strerror(errno));
		return;
	}
	const char *step = smoke_vcpu_setup(kvm, vm, mem, &vcpu, &run, &run_size);
	if (step)
		snprintf(kf->smoke_detail, sizeof(kf->smoke_detail), "%s: %s", step,
			 strerror(errno));
	else
		smoke_run(vcpu, run, &t0, kf);
	if (run != MAP_FAILED)
		munmap(run, (size_t)run_size);
	munmap(mem, 0x1000);
}
#endif

static void probe_live(const struct host_root *root, enum host_arch arch, struct kvm_facts *kf)
{
	_cleanup_close_ int kvm = -1, vm = -1;
	struct stat st;

	kf->source = SRC_LIVE;
	kf->attempted = true;
	caps_reset(kf);
	/* Only a character device is opened: a regular file or FIFO planted at
	 * dev/kvm must not be read or block us. */
	if (host_stat(root, "/dev/kvm", &st, true) < 0 || !S_ISCHR(st.st_mode)) {
		kf->open_errno = host_stat(root, "/dev/kvm", &st, true) < 0 ? ENOENT : ENODEV;
		return;
	}
	kvm = host_open(root, "/dev/kvm", O_RDWR | O_NONBLOCK);
	if (kvm < 0) {
		kf->open_errno = -kvm;
		return;
	}
	kf->api_version = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (kf->api_version < 0)
		return;
	for (int i = 0; i < kf->ncaps; i++) {
		long v = ioctl(kvm, KVM_CHECK_EXTENSION, kvm_caps[i].cap);
		kf->caps[i].value = v < 0 ? 0 : v;
	}
	kf->create_vm_probed = true;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		kf->create_vm_errno = errno;
		return;
	}
#if defined(__x86_64__)
	if (arch == ARCH_X86_64) {
		smoke_guest(kvm, vm, kf);
		return;
	}
#endif
	kf->smoke = SMOKE_SKIPPED;
	snprintf(kf->smoke_detail, sizeof(kf->smoke_detail),
		 "the smoke guest is implemented for x86_64 only");
	(void)arch;
}

void kvm_probe(const struct host_root *root, enum host_arch arch, struct kvm_facts *kf)
{
	_cleanup_free_ char *text = NULL;
	int r;

	memset(kf, 0, sizeof(*kf));
	kf->api_version = -1;
	kf->recorded_uid = -1;
	caps_reset(kf);
	r = recorded_read(root, "kvm", &text);
	if (r < 0) {
		snprintf(kf->record_error, sizeof(kf->record_error), "%s/kvm: %s", RECORDED_DIR,
			 strerror(-r));
		return;
	}
	if (r > 0) {
		kf->source = SRC_RECORDED;
		if (kvm_parse_recording(text, kf) < 0) {
			kf->attempted = false;
			kf->source = SRC_NONE;
		}
		return;
	}
	/* With a recorded device table but no kvm recording, a fixture host
	 * has no /dev/kvm to speak of; never touch the build machine's. */
	if (!root->live && recorded_read(root, "devices", &text) > 0)
		return;
	probe_live(root, arch, kf);
}
