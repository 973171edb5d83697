/* Firmware facts (see firmware.h). */
#include "firmware.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

#include "cpu.h"
#include "recorded.h"
#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

/* /dev/kmsg records after boot can be many; the lines we want come early */
#define KMSG_RECORDS_MAX 65536

/* Lines of interest, by what they say. The first match of each is kept:
 * the boot's own word, not a later module reload's. */
static const struct log_pattern {
	size_t field;	       /* offsetof(struct firmware_facts, ...) */
	const char *needle[3]; /* all must appear (case-insensitively) */
} log_patterns[] = {
    /* "x86/cpu: VMX (outside TXT) disabled by BIOS" (Linux 5.8+),
     * "kvm: disabled by bios" (kvm_intel/kvm_amd before 5.8),
     * "kvm_amd: SVM disabled (by BIOS) in MSR_VM_CR" */
    {offsetof(struct firmware_facts, virt_disabled), {"disabled by bios", "vmx", NULL}},
    {offsetof(struct firmware_facts, virt_disabled), {"kvm", "disabled by bios", NULL}},
    {offsetof(struct firmware_facts, virt_disabled), {"svm disabled", "bios", NULL}},
    {offsetof(struct firmware_facts, sev_snp), {"sev-snp", "supported", NULL}},
    {offsetof(struct firmware_facts, sev_snp), {"sev-snp", "enabled", NULL}},
    {offsetof(struct firmware_facts, sev_es), {"sev-es supported", NULL}},
    {offsetof(struct firmware_facts, sev), {"sev supported", NULL}},
    {offsetof(struct firmware_facts, tdx_bios), {"virt/tdx", "bios enabled", NULL}},
    {offsetof(struct firmware_facts, tdx), {"virt/tdx", "module initialized", NULL}},
};

static bool line_matches(const char *line, const char *const needle[3])
{
	for (int i = 0; i < 3 && needle[i]; i++)
		if (!strcasestr(line, needle[i]))
			return false;
	return true;
}

void firmware_parse_log(const char *text, struct firmware_facts *fw)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *cursor = copy, *line;

	while ((line = next_line(&cursor))) {
		/* /dev/kmsg: "PRI,SEQ,USEC,FLAGS;message"; dmesg: "[  0.1] message";
		 * syslog(2): "<6>[  0.1] message" */
		char *msg = line;
		if (*msg == '<' && strchr(msg, '>'))
			msg = line = strchr(msg, '>') + 1;
		char *semi = strchr(line, ';');
		if (semi && strspn(line, "0123456789,-c+") == (size_t)(semi - line))
			msg = semi + 1;
		else if (*line == '[' && strchr(line, ']'))
			msg = strchr(line, ']') + 1;
		msg = str_trim(msg);
		/* every pattern names the BIOS, SEV or TDX: most lines go no further */
		if (!strcasestr(msg, "bios") && !strcasestr(msg, "sev") && !strcasestr(msg, "tdx"))
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(log_patterns); i++) {
			char *field = (char *)fw + log_patterns[i].field;
			if (!field[0] && line_matches(msg, log_patterns[i].needle)) {
				str_copy(field, FW_LINE_MAX, msg);
				break;
			}
		}
	}
}

int firmware_parse_msr(const char *text, struct firmware_facts *fw, struct kc_error *err)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *cursor = copy, *line;
	int lineno = 0;

	while ((line = next_line(&cursor))) {
		lineno++;
		line = str_trim(line);
		if (!*line || *line == '#')
			continue;
		char *eq = strchr(line, '=');
		unsigned long long addr, value;
		char *end;
		if (!eq)
			return kc_error_set(err, 0, "line %d: expected 0xADDRESS=0xVALUE", lineno);
		*eq = '\0';
		errno = 0;
		addr = strtoull(str_trim(line), &end, 0);
		if (errno || *end)
			return kc_error_set(err, 0, "line %d: bad MSR address '%s'", lineno, line);
		value = strtoull(str_trim(eq + 1), &end, 0);
		if (errno || *end)
			return kc_error_set(err, 0, "line %d: bad MSR value '%s'", lineno, eq + 1);
		if (addr == MSR_IA32_FEATURE_CONTROL) {
			fw->feature_control = value;
			fw->feature_control_known = true;
		} else if (addr == MSR_AMD_VM_CR) {
			fw->vm_cr = value;
			fw->vm_cr_known = true;
		}
	}
	return 0;
}

/* The kernel log in one call (syslog(2)'s READ_ALL: "<6>[  0.1] message"
 * lines), where /dev/kmsg would take a read per record. Both need
 * CAP_SYSLOG where kernel.dmesg_restrict is set: without it the log is
 * simply not a source. */
static char *read_klog(void)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	if (size <= 0 || size > (64 << 20))
		return NULL;
	char *buf = xmalloc((size_t)size + 1);
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static char *read_kmsg(char *why, size_t len)
{
	char *all = read_klog();
	if (all)
		return all;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct strbuf sb = STRBUF_INIT;
	char rec[8192];

	if (fd < 0) {
		snprintf(why, len, "/dev/kmsg: %s", strerror(errno));
		return NULL;
	}
	for (int n = 0; n < KMSG_RECORDS_MAX; n++) {
		ssize_t r = read(fd, rec, sizeof(rec) - 1);
		if (r < 0 && errno == EPIPE)
			continue; /* overwritten while we read: go on with the next */
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		rec[r] = '\0';
		/* continuation lines (" KEY=value") are not messages */
		char *nl = strchr(rec, '\n');
		if (nl)
			nl[1] = '\0';
		strbuf_append(&sb, rec);
	}
	close(fd);
	return strbuf_steal(&sb);
}

static int read_msr(int fd, uint32_t addr, uint64_t *value)
{
	return pread(fd, value, sizeof(*value), addr) == (ssize_t)sizeof(*value) ? 0 : -1;
}

static void probe_msr_live(struct firmware_facts *fw, enum host_arch arch, enum cpu_vendor v)
{
	if (arch != ARCH_X86_64)
		return;
	int fd = open("/dev/cpu/0/msr", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(fw->msr_error, sizeof(fw->msr_error), "/dev/cpu/0/msr: %s%s",
			 strerror(errno), errno == ENOENT ? " (the msr module is not loaded)" : "");
		return;
	}
	fw->msr_source = SRC_LIVE;
	if (v == VENDOR_AMD || v == VENDOR_HYGON)
		fw->vm_cr_known = read_msr(fd, MSR_AMD_VM_CR, &fw->vm_cr) == 0;
	else
		fw->feature_control_known =
		    read_msr(fd, MSR_IA32_FEATURE_CONTROL, &fw->feature_control) == 0;
	close(fd);
}

/* Reading the live kernel log costs milliseconds (the kernel formats every
 * record): read it where it can change a judgement - a CPU that offers
 * VT-x/AMD-V whose KVM does not run guests (a firmware lock?), an AMD CPU
 * with SEV, an Intel CPU with total memory encryption (which TDX needs). */
static const char *log_needed(const struct host_facts *f)
{
	const struct cpu_facts *c = &f->cpu;
	if (c->arch != ARCH_X86_64)
		return "not needed on this architecture";
	if (!kvm_runs_guests(&f->kvm) &&
	    (cpu_flag_in_cpuid(c, "vmx") != TRI_NO || cpu_flag_in_cpuid(c, "svm") != TRI_NO))
		return NULL;
	if (cpu_flag_in_cpuid(c, "sev") == TRI_YES)
		return NULL;
	const struct cpuid_leaf *l7 = facts_cpuid(c, 7, 0);
	if (c->vendor == VENDOR_INTEL && (!l7 || (l7->ecx >> 13) & 1))
		return NULL;
	return "not needed: KVM runs guests, and the CPU has no SEV or TME";
}

void firmware_probe(const struct host_root *root, const struct host_facts *f,
		    struct firmware_facts *fw)
{
	const struct cpu_facts *cpu = &f->cpu;
	const char *skip = NULL;
	_cleanup_free_ char *text = NULL;
	/* the running kernel is the host's, for "/" and for a DaemonSet's mount
	 * of the node; a recorded host has only its recordings */
	bool running_kernel = root->live || !recorded_present(root);
	int r;

	memset(fw, 0, sizeof(*fw));
	/* s390x: the ultravisor says whether the host runs Secure Execution */
	fw->s390_prot_virt_host = -1;
	char uv[8];
	unsigned v;
	if (cpu->arch == ARCH_S390X &&
	    host_read_attr(root, "/sys/firmware/uv/prot_virt_host", uv, sizeof(uv)) == 0 &&
	    parse_uint(uv, 10, &v) == 0)
		fw->s390_prot_virt_host = v != 0;
	/* the kernel log */
	r = recorded_read(root, "kmsg", &text);
	if (r > 0) {
		fw->log_source = SRC_RECORDED;
		firmware_parse_log(text, fw);
	} else if (r < 0) {
		snprintf(fw->log_error, sizeof(fw->log_error), "%s/kmsg: %s", RECORDED_DIR,
			 r == -EINVAL ? "not a regular file" : strerror(-r));
	} else if (running_kernel && (skip = log_needed(f))) {
		snprintf(fw->log_error, sizeof(fw->log_error), "%s", skip);
	} else if (running_kernel) {
		text = read_kmsg(fw->log_error, sizeof(fw->log_error));
		if (text) {
			fw->log_source = SRC_LIVE;
			firmware_parse_log(text, fw);
		}
	} else {
		snprintf(fw->log_error, sizeof(fw->log_error), "not recorded");
	}

	/* the MSRs */
	free(text);
	text = NULL;
	r = recorded_read(root, "msr", &text);
	if (r > 0) {
		_cleanup_error_ struct kc_error err = {0};
		if (firmware_parse_msr(text, fw, &err) < 0) {
			fw->feature_control_known = fw->vm_cr_known = false;
			snprintf(fw->msr_error, sizeof(fw->msr_error), "%s/msr %s", RECORDED_DIR,
				 kc_error_msg(&err));
		} else {
			fw->msr_source = SRC_RECORDED;
		}
	} else if (r < 0) {
		snprintf(fw->msr_error, sizeof(fw->msr_error), "%s/msr: %s", RECORDED_DIR,
			 r == -EINVAL ? "not a regular file" : strerror(-r));
	} else if (running_kernel) {
		probe_msr_live(fw, cpu->arch, cpu->vendor);
	} else {
		snprintf(fw->msr_error, sizeof(fw->msr_error), "not recorded");
	}
}
