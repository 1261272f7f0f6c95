/*
 * claw-init: PID 1 of a claw agent VM. It mounts the basics, reads the run spec, starts the agent
 * unprivileged, forwards its output to the host as frames, and powers the VM off when the agent
 * is gone. The contract with the host is docs/GUEST-PROTOCOL.md; design notes are in README.md.
 *
 * Build: musl-gcc -static -Os -s -Wall -Wextra -Werror -fno-asynchronous-unwind-tables \
 *            -o claw-init claw-init.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <dirent.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>

#define PROTOCOL_VERSION 2
#define SPEC_VERSION "2"
#define FRAME_MAX 65536
#define SPEC_PATH "/claw/spec"
#define SPEC_MAX (1 << 20)
#define LIST_MAX 4096
#define DEFAULT_CHANNEL "/dev/vport0p1"
#define CHANNEL_PARAM "claw.channel="
#define PROBE_PARAM "claw.probe"
#define ROOT_PARAM "claw.root="
#define ROOTFSTYPE_PARAM "claw.rootfstype="
#define SYSROOT "/sysroot"
#define NET_PARAM "claw.net="
#define NET_IFACE "eth0"
/* virtio-net is probed before init runs, like the root disk; the wait is only a margin. */
#define NET_WAIT_MS 2000
/* Virtio-serial ports are added from a kernel work queue, so the node may appear after we run. */
#define CHANNEL_WAIT_MS 10000
/* A virtio disk is probed before init runs; the wait is only a margin before saying it is gone. */
#define ROOT_WAIT_MS 2000
/* Output still open once every process is gone can only be an fd stuck in flight on a socket. */
#define DRAIN_TIMEOUT_MS 2000

#define CMDLINE_PATH "/proc/cmdline"
/* A generic kernel (Debian's cloud kernel) has virtio as modules; claw puts them here, named so
 * that name order is load order. claw's own kernel has virtio built in and no such folder. */
#define MODULES_DIR "/claw-modules"
#define MODULES_MAX 32
/* With claw.snapshot, init stops before the agent: the host saves the VM, and every restored
 * clone gets its own seed and clock in a G frame. */
#define SNAPSHOT_PARAM "claw.snapshot"
#define SEED_MIN 32
#define SEED_MAX 512
/* From <linux/random.h>, which musl does not ship: _IOW('R', 3, int[2]) and _IO('R', 7). */
#define RNDADDENTROPY 0x40085203
#define RNDRESEEDCRNG 0x5207

struct rand_pool_info {
	int entropy_count;
	int buf_size;
	unsigned char buf[];
};

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Not every libc's headers have these (musl's lack linux/capability.h and securebits.h). */
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#endif
#ifndef PR_CAP_AMBIENT_IS_SET
#define PR_CAP_AMBIENT_IS_SET 1
#endif
#ifndef PR_CAP_AMBIENT_CLEAR_ALL
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#define CAP_VERSION_3 0x20080522
#define SECBIT_NOROOT (1 << 0)
#define SECBIT_NOROOT_LOCKED (1 << 1)
#define SECBIT_NO_SETUID_FIXUP_LOCKED (1 << 3)
#define SECBIT_KEEP_CAPS_LOCKED (1 << 5)
#define SECBIT_NO_CAP_AMBIENT_RAISE (1 << 6)
#define SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED (1 << 7)

/* /tmp when the spec gives no size: a quarter of the guest's RAM, which /tmp lives in. */
#define TMP_SHARE_OF_RAM 4

#define PRINTF(a, b) __attribute__((format(printf, a, b)))

/* ---- seccomp: the kernel ABI (linux/seccomp.h, linux/filter.h); musl has no kernel headers ---- */

#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1U << 0)
/* BPF_MAXINSNS: the kernel refuses longer filters. */
#define FILTER_MAX 4096
/* Numbers the learning filter can report: it answers ENOSYS above claw's table (~450). */
#define SYSCALL_NR_MAX 1024

struct sock_filter {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

struct sock_fprog {
	unsigned short len;
	struct sock_filter *filter;
};

struct seccomp_data {
	int nr;
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t args[6];
};

struct seccomp_notif {
	uint64_t id;
	uint32_t pid;
	uint32_t flags;
	struct seccomp_data data;
};

struct seccomp_notif_resp {
	uint64_t id;
	int64_t val;
	int32_t error;
	uint32_t flags;
};

#define SECCOMP_IOCTL_NOTIF_RECV _IOWR('!', 0, struct seccomp_notif)
#define SECCOMP_IOCTL_NOTIF_SEND _IOWR('!', 1, struct seccomp_notif_resp)

static int chan = -1;
static unsigned char frame[5 + FRAME_MAX];
static char spec[SPEC_MAX + 1];

/* The agent's filter: read from the image before the fork, installed by the child just before
 * execve; its listener (the fd that receives the calls the filter does not allow) is init's. */
static struct {
	const char *path;
	int learn;
	struct sock_filter prog[FILTER_MAX];
	unsigned short len;
	int blocked;
	unsigned char used[SYSCALL_NR_MAX / 8];
} sc;
/* Apart from sc, which stays all zero and so in BSS rather than 32 KiB of the binary. */
static int listener = -1;

static struct {
	char *argv[LIST_MAX + 1];
	char *envp[LIST_MAX + 1];
	const char *cwd;
	uid_t uid;
	gid_t gid;
	unsigned long long tmp_bytes;
	const char *root_reason;
	unsigned argc, envc;
} run;

/* ---- output: console, frames, power-off ---- */

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static int write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void console(const char *msg)
{
	char line[1024];
	int n = snprintf(line, sizeof line, "claw-init: %s\n", msg);

	if (n > (int)sizeof line - 1)
		n = (int)sizeof line - 1;
	if (n > 0)
		write_all(2, line, (size_t)n);
}

static _Noreturn void power_off(void)
{
	sync();
	reboot(RB_AUTOBOOT);
	/* Returning from PID 1 would panic the kernel, which must never be how a run ends. */
	console("reboot failed; halting here");
	for (;;)
		pause();
}

static _Noreturn void channel_lost(void)
{
	char msg[128];

	snprintf(msg, sizeof msg, "writing to the host channel: %s", strerror(errno));
	chan = -1;
	console(msg);
	power_off();
}

/* Payload may already sit in frame[5..]: output is read there to avoid a copy. */
static void send_frame(char type, const void *payload, size_t len)
{
	frame[0] = (unsigned char)type;
	put_le(frame + 1, len, 4);
	if (payload != frame + 5)
		memcpy(frame + 5, payload, len);
	if (write_all(chan, frame, 5 + len) != 0)
		channel_lost();
}

static PRINTF(1, 2) _Noreturn void die(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	console(msg);
	if (chan >= 0)
		send_frame('F', msg, strlen(msg));
	power_off();
}

static PRINTF(1, 2) void log_host(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	send_frame('L', msg, strlen(msg));
}

/* ---- boot: mounts, console fds, channel ---- */

static int mount_at(const char *type, const char *dir, unsigned long flags, const char *data,
		    char *err, size_t errlen)
{
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	/* EBUSY: the kernel mounted it already (CONFIG_DEVTMPFS_MOUNT with a disk root). */
	if (mount(type, dir, type, flags, data) != 0 && errno != EBUSY) {
		snprintf(err, errlen, "mount %s on %s: %s", type, dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Exec allowed on /tmp: agents build and run code there, and noexec would not stop an agent
 * that can write anywhere else or run an interpreter anyway. Its size is capped: /tmp lives in
 * the guest's RAM, and an agent filling it must get ENOSPC, not starve init. */
static int mount_tmp(const char *dir, char *err, size_t errlen)
{
	char data[64];
	unsigned long long bytes = run.tmp_bytes;

	if (bytes == 0) {
		struct sysinfo si;
		bytes = sysinfo(&si) == 0 ? (unsigned long long)si.totalram * si.mem_unit /
						   TMP_SHARE_OF_RAM
					  : 16ULL << 20;
	}
	snprintf(data, sizeof data, "mode=1777,size=%llu", bytes);
	return mount_at("tmpfs", dir, MS_NOSUID | MS_NODEV, data, err, errlen);
}

/* hidepid=invisible: the agent sees only its own processes in /proc, not init (root) nor any
 * other uid's. "invisible" is Linux 5.8+; older kernels take the number 2 for the same. */
static int mount_proc(char *err, size_t errlen)
{
	const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (mount_at("proc", "/proc", flags, "hidepid=invisible", err, errlen) == 0)
		return 0;
	err[0] = '\0';
	return mount_at("proc", "/proc", flags, "hidepid=2", err, errlen);
}

/* Without /dev/console in the initramfs the kernel starts us with fds 0-2 closed; fill them so
 * that fd 2 is the console and no later pipe can land on 0-2 and be clobbered by dup2. */
static void claim_std_fds(void)
{
	const char *paths[] = { "/dev/console", "/dev/null" };

	for (int i = 0; i < 2; i++) {
		int fd;
		while ((fd = open(paths[i], O_RDWR | O_NOCTTY)) >= 0 && fd <= 2)
			;
		if (fd > 2) {
			close(fd);
			return;
		}
	}
}

/* The kernel command line, NUL-terminated; empty if it cannot be read. */
static void read_cmdline(char *cmd, size_t cap)
{
	ssize_t n = -1;
	int fd = open(CMDLINE_PATH, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		do
			n = read(fd, cmd, cap - 1);
		while (n < 0 && errno == EINTR);
		close(fd);
	}
	cmd[n > 0 ? n : 0] = '\0';
}

static int cmdline_has_word(const char *word)
{
	char cmd[4096];

	read_cmdline(cmd, sizeof cmd);
	for (char *tok = strtok(cmd, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
		if (strcmp(tok, word) == 0)
			return 1;
	}
	return 0;
}

/* The value of "param=value" on the kernel command line into out; 0 if it is not there. */
static int cmdline_value(const char *param, char *out, size_t cap)
{
	char cmd[4096];
	int found = 0;

	read_cmdline(cmd, sizeof cmd);
	/* Last occurrence wins, as for kernel parameters. */
	for (char *tok = strtok(cmd, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
		if (strncmp(tok, param, strlen(param)) == 0) {
			snprintf(out, cap, "%s", tok + strlen(param));
			found = 1;
		}
	}
	return found;
}

static void open_channel(void)
{
	char path[256];
	const struct timespec step = { 0, 10 * 1000 * 1000 };

	if (!cmdline_value(CHANNEL_PARAM, path, sizeof path))
		snprintf(path, sizeof path, "%s", DEFAULT_CHANNEL);
	for (int waited = 0;; waited += 10) {
		chan = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
		if (chan >= 0)
			return;
		if ((errno != ENOENT && errno != ENXIO && errno != ENODEV) ||
		    waited >= CHANNEL_WAIT_MS)
			die("cannot open channel %s: %s", path, strerror(errno));
		nanosleep(&step, NULL);
	}
}

static void send_hello(void)
{
	unsigned char p[12];

	put_le(p, PROTOCOL_VERSION, 4);
	put_le(p + 4, boottime_ns(), 8);
	send_frame('H', p, sizeof p);
}

/* ---- generic kernels: virtio drivers as modules ---- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_module(const char *name)
{
	char path[300];

	snprintf(path, sizeof path, "%s/%s", MODULES_DIR, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	/* Said on the console only: the channel may need this very module. */
	if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)) {
		char msg[400];
		snprintf(msg, sizeof msg, "loading module %s: %s", path, strerror(errno));
		console(msg);
	}
	if (fd >= 0)
		close(fd);
}

/* Loads every .ko in MODULES_DIR in name order; nothing to do for claw's own kernel. */
static void load_modules(void)
{
	char *names[MODULES_MAX];
	unsigned count = 0;
	struct dirent *d;
	DIR *dir = opendir(MODULES_DIR);

	if (!dir)
		return;
	while ((d = readdir(dir)) && count < MODULES_MAX) {
		size_t len = strlen(d->d_name);
		if (len > 3 && strcmp(d->d_name + len - 3, ".ko") == 0)
			names[count++] = strdup(d->d_name);
	}
	closedir(dir);
	qsort(names, count, sizeof names[0], by_name);
	for (unsigned i = 0; i < count; i++) {
		if (names[i])
			load_module(names[i]);
		free(names[i]);
	}
}

/* ---- root disk: claw.root= ---- */

static void wait_for_disk(const char *dev)
{
	const struct timespec step = { 0, 10 * 1000 * 1000 };
	struct stat st;

	for (int waited = 0; stat(dev, &st) != 0; waited += 10) {
		if (errno != ENOENT || waited >= ROOT_WAIT_MS)
			die("no root disk at %s (%s): is the image attached to the VM?", dev,
			    strerror(errno));
		nanosleep(&step, NULL);
	}
	if (!S_ISBLK(st.st_mode))
		die("claw.root=%s is not a block device", dev);
}

static _Noreturn void mount_failed(const char *dev, const char *type, int err)
{
	const char *what = strerror(err);

	switch (err) {
	case ENODEV:
		die("cannot mount %s (%s): %s: is the kernel built with %s?", dev, type, what, type);
	case EINVAL:
	case EUCLEAN:
	case EIO:
	case EBADMSG:
		die("cannot mount %s (%s): %s: is it an intact %s image? It may be damaged, or in "
		    "another format", dev, type, what, type);
	default:
		die("cannot mount %s (%s): %s", dev, type, what);
	}
}

/* A folder of the read-only root that init mounts on: the image must have it, as nothing
 * can make it now. */
static void need_folder(const char *path, int err)
{
	if (err == ENOENT || err == EROFS || err == ENOTDIR)
		die("the root image has no %s folder (%s): claw writes one into every disk image",
		    path + strlen(SYSROOT), strerror(err));
}

static void move_into_root(const char *from)
{
	char to[64];

	snprintf(to, sizeof to, "%s%s", SYSROOT, from);
	if (mount(from, to, NULL, MS_MOVE, NULL) != 0) {
		need_folder(to, errno);
		die("moving %s into the root image: %s", from, strerror(errno));
	}
}

/* Mounts the disk read-only at /sysroot, gives it a fresh /tmp and the kernel's /dev and /proc,
 * then makes it the root, as switch_root does; the initramfs stays below, unreachable. */
static void switch_to_disk(const char *dev, const char *type)
{
	char err[256] = "";

	wait_for_disk(dev);
	if (mkdir(SYSROOT, 0755) != 0 && errno != EEXIST)
		die("mkdir %s: %s", SYSROOT, strerror(errno));
	/* No device nodes and no setuid from the image: /dev is the kernel's, and the agent never
	 * gains privileges anyway. */
	if (mount(dev, SYSROOT, type, MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0)
		mount_failed(dev, type, errno);
	if (mount_tmp(SYSROOT "/tmp", err, sizeof err) != 0) {
		need_folder(SYSROOT "/tmp", errno);
		die("%s", err);
	}
	move_into_root("/dev");
	move_into_root("/proc");
	if (chdir(SYSROOT) != 0 || mount(".", "/", NULL, MS_MOVE, NULL) != 0 || chroot(".") != 0 ||
	    chdir("/") != 0)
		die("making %s the root: %s", SYSROOT, strerror(errno));
	log_host("root: %s (%s), read-only", dev, type);
}

/* ---- run spec ---- */

enum key { K_VERSION, K_ARG, K_ENV, K_CWD, K_UID, K_GID, K_TMPSIZE, K_ROOT, K_SECCOMP,
	   K_SECCOMP_MODE, K_COUNT };
static const char *const key_names[K_COUNT] = { "version", "arg", "env", "cwd", "uid", "gid",
						"tmpsize", "root", "seccomp", "seccomp_mode" };

static size_t read_spec(void)
{
	size_t len = 0;
	int fd = open(SPEC_PATH, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("cannot read %s: %s", SPEC_PATH, strerror(errno));
	/* Read one byte past the limit so an oversized spec is caught, not silently cut. */
	while (len <= SPEC_MAX) {
		ssize_t n = read(fd, spec + len, SPEC_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("cannot read %s: %s", SPEC_PATH, strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len > SPEC_MAX)
		die("spec: %s is larger than %d bytes", SPEC_PATH, SPEC_MAX);
	return len;
}

/* Decimal 0..4294967294 without sign or leading zero: (uid_t)-1 means "unchanged" to setresuid,
 * so it is refused here rather than trusted to later checks. 0 (root) is checked once the whole
 * spec is read: only a spec with a root record may ask for it. */
static uint32_t parse_id(const char *key, const char *v)
{
	uint64_t id = 0;
	size_t len = strlen(v);

	if (strcmp(v, "0") == 0)
		return 0;
	if (len == 0 || len > 10 || v[0] == '0' || strspn(v, "0123456789") != len)
		die("spec: %s=%.32s is not a decimal id without sign or leading zero", key, v);
	for (size_t i = 0; i < len; i++)
		id = id * 10 + (uint64_t)(v[i] - '0');
	if (id >= UINT32_MAX)
		die("spec: %s=%s is out of range", key, v);
	return (uint32_t)id;
}

/* Bytes, decimal, at least 1 MiB: a /tmp smaller than that is a mistake, not a policy. */
static unsigned long long parse_size(const char *v)
{
	unsigned long long n = 0;
	size_t len = strlen(v);

	if (len == 0 || len > 15 || v[0] == '0' || strspn(v, "0123456789") != len)
		die("spec: tmpsize=%.32s is not a decimal byte count", v);
	for (size_t i = 0; i < len; i++)
		n = n * 10 + (unsigned long long)(v[i] - '0');
	if (n < (1ULL << 20))
		die("spec: tmpsize=%s is below 1 MiB", v);
	return n;
}

static void take_list(char **list, unsigned *count, const char *key, char *v)
{
	if (*count >= LIST_MAX)
		die("spec: more than %d %s records", LIST_MAX, key);
	list[(*count)++] = v;
}

static void take(enum key k, char *v, size_t rec)
{
	switch (k) {
	case K_VERSION:
		if (strcmp(v, SPEC_VERSION) != 0)
			die("spec: version=%.32s is not supported (this init speaks version %s)", v,
			    SPEC_VERSION);
		break;
	case K_ARG:
		if (run.argc == 0 && v[0] != '/')
			die("spec: the first arg must be an absolute path, got \"%.200s\"", v);
		take_list(run.argv, &run.argc, "arg", v);
		break;
	case K_ENV:
		if (v[0] == '=' || !strchr(v, '='))
			die("spec: record %zu: env=%.200s is not NAME=VALUE", rec, v);
		take_list(run.envp, &run.envc, "env", v);
		break;
	case K_CWD:
		if (v[0] != '/')
			die("spec: cwd must be an absolute path, got \"%.200s\"", v);
		run.cwd = v;
		break;
	case K_UID:
		run.uid = parse_id("uid", v);
		break;
	case K_GID:
		run.gid = parse_id("gid", v);
		break;
	case K_SECCOMP:
		if (v[0] != '/')
			die("spec: seccomp must be an absolute path, got \"%.200s\"", v);
		sc.path = v;
		break;
	case K_SECCOMP_MODE:
		if (strcmp(v, "kill") != 0 && strcmp(v, "learn") != 0)
			die("spec: seccomp_mode=%.32s is neither kill nor learn", v);
		sc.learn = strcmp(v, "learn") == 0;
		break;
	case K_TMPSIZE:
		run.tmp_bytes = parse_size(v);
		break;
	case K_ROOT:
		if (v[0] == '\0')
			die("spec: root= needs the reason the agent must run as root");
		run.root_reason = v;
		break;
	default:
		break;
	}
}

static int key_index(const char *name)
{
	for (int k = 0; k < K_COUNT; k++) {
		if (strcmp(name, key_names[k]) == 0)
			return k;
	}
	return -1;
}

/* Root only when the spec asks for it with a reason, and then both ids are 0: a half-root
 * agent (uid 0 with another gid, or the reverse) is a mistake, never a policy. */
static void check_root(const char *reason)
{
	if (!reason && (run.uid == 0 || run.gid == 0))
		die("spec: %s=0 is root; init starts an agent as root only with a root= reason",
		    run.uid == 0 ? "uid" : "gid");
	if (reason && (run.uid != 0 || run.gid != 0))
		die("spec: root= is given but uid=%u gid=%u; a root agent has uid=0 and gid=0",
		    (unsigned)run.uid, (unsigned)run.gid);
}

/* Records must come in table order; only arg and env repeat, so order doubles as the
 * duplicate check. Counts are checked at the end to name whatever is missing. */
static void parse_spec(char *buf, size_t len)
{
	unsigned count[K_COUNT] = { 0 };
	int last = -1;
	size_t rec = 1;

	if (len == 0)
		die("spec: %s is empty", SPEC_PATH);
	if (buf[len - 1] != '\0')
		die("spec: the last record is not NUL-terminated");
	for (char *p = buf; p < buf + len; rec++) {
		char *next = p + strlen(p) + 1;
		char *eq = strchr(p, '=');
		if (!eq)
			die("spec: record %zu (\"%.64s\") has no '='", rec, p);
		*eq = '\0';
		int k = key_index(p);
		if (k < 0)
			die("spec: record %zu has unknown key \"%.64s\"", rec, p);
		if (rec == 1 && k != K_VERSION)
			die("spec: the first record must be version=2, not %s", p);
		if (k < last || (k == last && k != K_ARG && k != K_ENV))
			die("spec: record %zu: %s is repeated or out of order "
			    "(the order is version, arg..., env..., cwd, uid, gid, tmpsize, root, "
			    "seccomp, seccomp_mode)", rec, p);
		last = k;
		count[k]++;
		take((enum key)k, eq + 1, rec);
		p = next;
	}
	for (int k = 0; k < K_TMPSIZE; k++) {
		if (count[k] == 0 && k != K_ENV)
			die("spec: missing %s", key_names[k]);
	}
	if (count[K_SECCOMP] != count[K_SECCOMP_MODE])
		die("spec: seccomp and seccomp_mode come together or not at all");
	check_root(run.root_reason);
}

/* ---- starting the agent ---- */

enum stage { S_SETSID, S_STDIO, S_CAPS, S_GROUPS, S_GID, S_UID, S_VERIFY, S_NNP, S_CHDIR,
	     S_SIGNALS, S_FDS, S_SECCOMP, S_EXEC, S_OOM, S_SECUREBITS, S_AMBIENT, S_CAPSET,
	     S_LISTENER };

/* A failed stage with its errno, or (S_LISTENER) the number of the filter's listener fd. */
struct child_report {
	int stage;
	int err;
};

static _Noreturn void child_fail(int fd, enum stage stage, int err)
{
	struct child_report r = { stage, err };

	write_all(fd, &r, sizeof r);
	_exit(127);
}

/* ---- seccomp: loading the filter, installing it in the child, listening in init ---- */

static void load_filter(void)
{
	size_t len = 0;
	int fd = open(sc.path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("cannot read the seccomp filter %s: %s", sc.path, strerror(errno));
	for (;;) {
		ssize_t n = read(fd, (char *)sc.prog + len, sizeof sc.prog - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("cannot read the seccomp filter %s: %s", sc.path, strerror(errno));
		if (n == 0 || (len += (size_t)n) == sizeof sc.prog)
			break;
	}
	close(fd);
	if (len == 0 || len % sizeof sc.prog[0] != 0 || len == sizeof sc.prog)
		die("seccomp filter %s: %zu bytes is not 1 to %d instructions of 8 bytes", sc.path,
		    len, FILTER_MAX - 1);
	sc.len = (unsigned short)(len / sizeof sc.prog[0]);
}

/*
 * The last step before execve (after no_new_privs, which lets an unprivileged process install
 * a filter). From here every call goes through the filter, so the child makes only write, read
 * and execve, which the compiler insists every policy allows: it tells init the listener's fd
 * number and waits until init has taken a copy (pidfd_getfd), as the listener is close-on-exec
 * and the agent must never hold it.
 */
static void install_filter(int status_fd, int ack_fd)
{
	struct sock_fprog prog = { sc.len, sc.prog };
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
			  &prog);
	struct child_report r = { S_LISTENER, (int)fd };
	char ack;

	if (fd < 0)
		child_fail(status_fd, S_SECCOMP, errno);
	if (write_all(status_fd, &r, sizeof r) != 0 || read(ack_fd, &ack, 1) != 1)
		_exit(127);
}

/* Init's own copy of the child's listener fd, so it outlives the child's execve. */
static void take_listener(pid_t child, int child_fd, int ack_fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, child, 0);

	if (pidfd < 0)
		die("pidfd_open: %s (claw needs Linux 5.6 or later for seccomp)", strerror(errno));
	listener = (int)syscall(SYS_pidfd_getfd, pidfd, child_fd, 0);
	if (listener < 0)
		die("pidfd_getfd of the seccomp listener: %s", strerror(errno));
	close(pidfd);
	if (write_all(ack_fd, "k", 1) != 0)
		die("waking the agent after taking its seccomp listener: %s", strerror(errno));
}

static void send_blocked(const struct seccomp_notif *n)
{
	unsigned char p[8];

	put_le(p, (uint32_t)n->data.nr, 4);
	put_le(p + 4, n->pid, 4);
	send_frame('S', p, sizeof p);
}

/*
 * One call the filter handed to init. Learning: note its number and let it run (CONTINUE;
 * the usual warning about pointer arguments changing under a check does not apply, as nothing
 * is checked). Otherwise: the call is not allowed, so name it to the host and kill every
 * process but init; the call itself never runs.
 */
static void handle_notification(void)
{
	struct seccomp_notif n;
	struct seccomp_notif_resp resp;

	/* The kernel insists the buffer is zeroed. */
	memset(&n, 0, sizeof n);
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &n) != 0) {
		/* ENOENT: the caller died (killed) before we looked; nothing to answer. */
		if (errno != ENOENT && errno != EINTR)
			log_host("seccomp: receiving a notification: %s", strerror(errno));
		return;
	}
	if (!sc.learn) {
		if (!sc.blocked++)
			send_blocked(&n);
		kill(-1, SIGKILL);
		return;
	}
	if (n.data.nr >= 0 && n.data.nr < SYSCALL_NR_MAX)
		sc.used[n.data.nr / 8] |= (unsigned char)(1u << (n.data.nr % 8));
	memset(&resp, 0, sizeof resp);
	resp.id = n.id;
	resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0 && errno != ENOENT)
		log_host("seccomp: letting call %d run: %s", n.data.nr, strerror(errno));
}

/* Learning: every number the agent called, as u32s; the calls init made before execve too. */
static void send_used(void)
{
	static unsigned char p[SYSCALL_NR_MAX * 4];
	size_t len = 0;

	sc.used[SYS_read / 8] |= (unsigned char)(1u << (SYS_read % 8));
	sc.used[SYS_write / 8] |= (unsigned char)(1u << (SYS_write % 8));
	sc.used[SYS_execve / 8] |= (unsigned char)(1u << (SYS_execve % 8));
	for (int nr = 0; nr < SYSCALL_NR_MAX; nr++) {
		if (sc.used[nr / 8] & (1u << (nr % 8))) {
			put_le(p + len, (uint32_t)nr, 4);
			len += 4;
		}
	}
	send_frame('U', p, len);
}

struct cap_header {
	uint32_t version;
	int pid;
};

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

/* Empties effective, permitted and inheritable at once; dropping is always allowed. */
static int clear_capabilities(void)
{
	struct cap_header h = { CAP_VERSION_3, 0 };
	struct cap_data d[2] = { { 0, 0, 0 }, { 0, 0, 0 } };

	return (int)syscall(SYS_capset, &h, d);
}

/* Ambient capabilities survive execve; this kernel's list ends where IS_SET says EINVAL. */
static int has_any_capability(void)
{
	struct cap_header h = { CAP_VERSION_3, 0 };
	struct cap_data d[2];

	if (syscall(SYS_capget, &h, d) != 0)
		return 1;
	for (int i = 0; i < 2; i++) {
		if (d[i].effective || d[i].permitted || d[i].inheritable)
			return 1;
	}
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1 ||
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1)
			return 1;
	}
	return 0;
}

/* Init keeps -1000 so the OOM killer takes the agent, never PID 1 (which would panic the
 * guest); the agent starts from 0 and, without CAP_SYS_RESOURCE, cannot go below. */
static int reset_oom_score(void)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	int rc = fd < 0 ? -1 : write_all(fd, "0", 1);

	if (fd >= 0)
		close(fd);
	return rc;
}

/* While still root: uid 0 gains no capabilities by exec (NOROOT), no ambient capability can be
 * raised, and neither can be undone. NO_SETUID_FIXUP stays off and is locked off, so that the
 * change of uid below clears every capability, as for any process. */
static int lock_securebits(void)
{
	return prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
			     SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
			     SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
		     0, 0, 0);
}

static void drop_privileges(int status_fd)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (reset_oom_score() != 0)
		child_fail(status_fd, S_OOM, errno);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
		child_fail(status_fd, S_AMBIENT, errno);
	if (lock_securebits() != 0)
		child_fail(status_fd, S_SECUREBITS, errno);

	/* Empty the bounding set while still root, so no later exec (of a file with capabilities,
	 * say) can hand a capability back. The loop ends where this kernel's capabilities do. */
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
			child_fail(status_fd, S_CAPS, errno);
	}
	if (setgroups(0, NULL) != 0)
		child_fail(status_fd, S_GROUPS, errno);
	if (setresgid(run.gid, run.gid, run.gid) != 0)
		child_fail(status_fd, S_GID, errno);
	if (setresuid(run.uid, run.uid, run.uid) != 0)
		child_fail(status_fd, S_UID, errno);
	/* A change of uid clears them already; a root agent (uid 0 to 0) needs this to lose them. */
	if (clear_capabilities() != 0)
		child_fail(status_fd, S_CAPSET, errno);
	/* Trust but verify: a silently failed drop would run the agent as root. */
	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 ||
	    ru != run.uid || eu != run.uid || su != run.uid ||
	    rg != run.gid || eg != run.gid || sg != run.gid ||
	    getgroups(0, NULL) != 0 || (run.uid != 0 && setuid(0) == 0) || has_any_capability())
		child_fail(status_fd, S_VERIFY, EPERM);
}

static int reset_signals(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;

	/* Errors are expected for SIGKILL, SIGSTOP and libc-internal signals; nothing to reset. */
	for (int sig = 1; sig < _NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	return sigprocmask(SIG_SETMASK, &none, NULL);
}

/* close_range(CLOEXEC) is Linux 5.11+; a user's older --kernel gets the slow way round. */
static int cloexec_all(void)
{
	long max = sysconf(_SC_OPEN_MAX);

	if (errno != ENOSYS && errno != EINVAL)
		return -1;
	for (int fd = 3; fd < (max > 0 ? max : 1024); fd++) {
		int flags = fcntl(fd, F_GETFD);
		if (flags >= 0 && fcntl(fd, F_SETFD, flags | FD_CLOEXEC) != 0)
			return -1;
	}
	return 0;
}

static _Noreturn void run_child(int status_fd, int ack_fd, int null_fd, int out_fd, int err_fd)
{
	if (setsid() < 0)
		child_fail(status_fd, S_SETSID, errno);
	if (dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		child_fail(status_fd, S_STDIO, errno);
	drop_privileges(status_fd);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		child_fail(status_fd, S_NNP, errno);
	umask(022);
	/* After the drop, so the agent's own permissions decide whether it may enter cwd. */
	if (chdir(run.cwd) != 0)
		child_fail(status_fd, S_CHDIR, errno);
	if (reset_signals() != 0)
		child_fail(status_fd, S_SIGNALS, errno);
	/* CLOEXEC rather than close: the status pipe must stay open until execve itself. */
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0 && cloexec_all() != 0)
		child_fail(status_fd, S_FDS, errno);
	if (sc.path)
		install_filter(status_fd, ack_fd);
	execve(run.argv[0], run.argv, run.envp);
	child_fail(status_fd, S_EXEC, errno);
}

static const char *exec_hint(const struct child_report *r)
{
	/* Checked here, not in the child: after the filter, the child makes no other calls. */
	int exists = r->err == ENOENT && access(run.argv[0], F_OK) == 0;

	switch (r->err) {
	case EACCES:
		return ": is it executable, and are its directories searchable, by the agent uid?";
	case ENOENT:
		return exists ? ": the file exists, so its interpreter is missing: "
				   "is it dynamically linked?"
				 : ": no such file in the image";
	case ENOEXEC:
		return ": is it an x86_64 ELF binary, or a script starting with #!?";
	case E2BIG:
		return ": the arguments and environment are too large";
	default:
		return "";
	}
}

static const char *const stage_names[] = {
	[S_SETSID] = "setsid", [S_STDIO] = "redirecting stdio",
	[S_CAPS] = "prctl(PR_CAPBSET_DROP)", [S_GROUPS] = "setgroups",
	[S_GID] = "setresgid", [S_UID] = "setresuid", [S_VERIFY] = "checking the new ids",
	[S_NNP] = "prctl(PR_SET_NO_NEW_PRIVS)", [S_CHDIR] = "chdir",
	[S_SIGNALS] = "resetting signals", [S_FDS] = "close_range",
	[S_SECCOMP] = "installing the seccomp filter", [S_EXEC] = "execve",
	[S_OOM] = "resetting oom_score_adj", [S_SECUREBITS] = "prctl(PR_SET_SECUREBITS)",
	[S_AMBIENT] = "clearing ambient capabilities", [S_CAPSET] = "capset",
};

static _Noreturn void report_start_failure(const struct child_report *r)
{
	const char *what = strerror(r->err);

	switch (r->stage) {
	case S_EXEC:
		die("exec %s: %s%s", run.argv[0], what, exec_hint(r));
	case S_CHDIR:
		die("chdir %s as uid %u: %s", run.cwd, (unsigned)run.uid, what);
	case S_VERIFY:
		die("switching to uid %u gid %u did not stick; refusing to start the agent",
		    (unsigned)run.uid, (unsigned)run.gid);
	default:
		if (r->stage < 0 || r->stage >= S_LISTENER)
			die("starting the agent: garbled status from the child");
		die("starting the agent as uid %u gid %u: %s: %s", (unsigned)run.uid,
		    (unsigned)run.gid, stage_names[r->stage], what);
	}
}

static ssize_t read_report(int fd, struct child_report *r)
{
	size_t got = 0;

	while (got < sizeof *r) {
		ssize_t n = read(fd, (char *)r + got, sizeof *r - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (ssize_t)got;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static void make_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC) != 0)
		die("pipe: %s", strerror(errno));
}

/* Returns the agent's pid once execve has succeeded; out/err get the read ends of its output. */
static pid_t start_agent(int *out, int *err)
{
	int st[2], ack[2], o[2], e[2];
	struct child_report r;
	ssize_t n;

	make_pipe(st);
	make_pipe(ack);
	make_pipe(o);
	make_pipe(e);
	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0)
		die("open /dev/null: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		run_child(st[1], ack[0], null_fd, o[1], e[1]);
	close(st[1]);
	close(ack[0]);
	close(o[1]);
	close(e[1]);
	close(null_fd);
	while ((n = read_report(st[0], &r)) == (ssize_t)sizeof r && r.stage == S_LISTENER)
		take_listener(pid, r.err, ack[1]);
	close(st[0]);
	close(ack[1]);
	if (n == (ssize_t)sizeof r)
		report_start_failure(&r);
	if (n != 0)
		die("starting the agent: unreadable status from the child");
	*out = o[0];
	*err = e[0];
	return pid;
}

static void send_started(pid_t pid)
{
	unsigned char p[12];

	put_le(p, boottime_ns(), 8);
	put_le(p + 8, (uint32_t)pid, 4);
	send_frame('A', p, sizeof p);
}

/* ---- supervising ---- */

enum { P_SIGNAL, P_OUT, P_ERR, P_NOTIFY, P_COUNT };

static void forward_once(struct pollfd *pf, char type)
{
	ssize_t n = read(pf->fd, frame + 5, FRAME_MAX);

	if (n > 0) {
		send_frame(type, frame + 5, (size_t)n);
	} else if (n == 0) {
		close(pf->fd);
		pf->fd = -1;
	} else if (errno != EINTR && errno != EAGAIN) {
		die("reading the agent's %s: %s", type == 'O' ? "stdout" : "stderr",
		    strerror(errno));
	}
}

static void forward_ready(struct pollfd *p)
{
	if (p[P_OUT].fd >= 0 && p[P_OUT].revents)
		forward_once(&p[P_OUT], 'O');
	if (p[P_ERR].fd >= 0 && p[P_ERR].revents)
		forward_once(&p[P_ERR], 'E');
}

/* Reaps whatever has exited (orphans included); returns 1 once the agent is among them. */
static int reap(pid_t agent, int *status)
{
	int found = 0, st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == agent) {
			*status = st;
			found = 1;
		}
	}
	if (pid < 0 && errno != ECHILD && errno != EINTR)
		die("waitpid: %s", strerror(errno));
	return found;
}

static void drain_signalfd(int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof si) > 0)
		;
}

static int supervise(pid_t agent, struct pollfd *p)
{
	int status;

	for (;;) {
		if (poll(p, P_COUNT, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		forward_ready(p);
		if (p[P_NOTIFY].fd >= 0 && (p[P_NOTIFY].revents & POLLIN))
			handle_notification();
		else if (p[P_NOTIFY].fd >= 0 && p[P_NOTIFY].revents)
			p[P_NOTIFY].fd = -1; /* every process under the filter is gone */
		if (p[P_SIGNAL].revents) {
			drain_signalfd(p[P_SIGNAL].fd);
			if (reap(agent, &status))
				return status;
		}
	}
}

/* Re-killing after each reap costs nothing and leaves no window for a late fork. */
static unsigned kill_the_rest(void)
{
	unsigned n = 0;

	for (;;) {
		kill(-1, SIGKILL);
		if (waitpid(-1, NULL, 0) > 0)
			n++;
		else if (errno == ECHILD)
			return n;
		else if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	}
}

static void drain_output(struct pollfd *p)
{
	p[P_SIGNAL].fd = -1;
	p[P_NOTIFY].fd = -1;
	while (p[P_OUT].fd >= 0 || p[P_ERR].fd >= 0) {
		int r = poll(p, P_COUNT, DRAIN_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("poll: %s", strerror(errno));
		if (r == 0) {
			log_host("agent output still open after every process ended; not waiting");
			return;
		}
		forward_ready(p);
	}
}

static void send_exit(int status)
{
	unsigned char p[13];
	int signaled = WIFSIGNALED(status);

	p[0] = (unsigned char)signaled;
	put_le(p + 1, (uint32_t)(signaled ? WTERMSIG(status) : WEXITSTATUS(status)), 4);
	put_le(p + 5, boottime_ns(), 8);
	send_frame('X', p, sizeof p);
}

/* Write a sysctl; a kernel without it (a user's own --kernel) only loses that hardening. */
static void set_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write_all(fd, value, strlen(value)) != 0)
		log_host("could not set %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* PID 1 dying panics the guest: let the OOM killer take the agent instead. The agent is reset
 * to 0 before it starts (reset_oom_score). */
static void protect_init(void)
{
	set_sysctl("/proc/self/oom_score_adj", "-1000");
}

static void harden_guest(int disk_root)
{
	/* The initramfs root is a tmpfs whose root directory starts out 1777: without this, the
	 * agent could create files and folders such as /bin next to claw's own. A disk root is
	 * read-only and has the image's mode. */
	if (!disk_root && chmod("/", 0755) != 0)
		die("chmod /: %s", strerror(errno));
	/* Kernel addresses and the kernel log are of no use to an agent, but of use to an
	 * exploit. */
	set_sysctl("/proc/sys/kernel/kptr_restrict", "2");
	set_sysctl("/proc/sys/kernel/dmesg_restrict", "1");
	protect_init();
}

/* ---- network: claw.net= ---- */

/* The kernel's struct in6_ifreq (linux/ipv6.h), which musl's headers do not carry. */
struct claw_in6_ifreq {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

struct net_config {
	struct in_addr addr4, gateway4;
	struct in6_addr addr6, gateway6;
	unsigned prefix4, prefix6;
};

static int parse_prefixed(int family, char *text, void *addr, unsigned *prefix, unsigned max)
{
	char *slash = strchr(text, '/');
	char *end;

	if (!slash)
		return -1;
	*slash = '\0';
	unsigned long p = strtoul(slash + 1, &end, 10);
	if (*end || end == slash + 1 || p > max || inet_pton(family, text, addr) != 1)
		return -1;
	*prefix = (unsigned)p;
	return 0;
}

/* claw.net=ADDR4/P,GATEWAY4,ADDR6/P,GATEWAY6, written by the host (NetworkLayout). */
static void parse_net(char *value, struct net_config *c)
{
	char *field[4];
	char *rest = value;

	for (int i = 0; i < 4; i++) {
		field[i] = strsep(&rest, ",");
		if (!field[i])
			die("%s%s: expected ADDR4/P,GW4,ADDR6/P,GW6", NET_PARAM, value);
	}
	if (rest || parse_prefixed(AF_INET, field[0], &c->addr4, &c->prefix4, 32) != 0 ||
	    inet_pton(AF_INET, field[1], &c->gateway4) != 1 ||
	    parse_prefixed(AF_INET6, field[2], &c->addr6, &c->prefix6, 128) != 0 ||
	    inet_pton(AF_INET6, field[3], &c->gateway6) != 1)
		die("%s: not ADDR4/P,GW4,ADDR6/P,GW6 with numeric addresses", NET_PARAM);
}

static int wait_for_nic(void)
{
	const struct timespec step = { 0, 10 * 1000 * 1000 };

	for (int waited = 0;; waited += 10) {
		unsigned index = if_nametoindex(NET_IFACE);
		if (index)
			return (int)index;
		if (waited >= NET_WAIT_MS)
			die("claw.net is set but there is no %s: is the kernel built with virtio-net?",
			    NET_IFACE);
		nanosleep(&step, NULL);
	}
}

static void net_sysctl(const char *name, const char *value)
{
	char path[128];

	snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/%s", NET_IFACE, name);
	set_sysctl(path, value);
}

static void set_up(int fd, const char *name)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		die("%s: SIOCGIFFLAGS: %s", name, strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
		die("bringing %s up: %s", name, strerror(errno));
}

static void set_ipv4(int fd, const struct net_config *c)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", NET_IFACE);
	sin->sin_family = AF_INET;
	sin->sin_addr = c->addr4;
	if (ioctl(fd, SIOCSIFADDR, &ifr) != 0)
		die("%s: setting its IPv4 address: %s", NET_IFACE, strerror(errno));
	sin->sin_addr.s_addr = c->prefix4 ? htonl(~0u << (32 - c->prefix4)) : 0;
	if (ioctl(fd, SIOCSIFNETMASK, &ifr) != 0)
		die("%s: setting its netmask: %s", NET_IFACE, strerror(errno));
}

static void set_ipv6(int fd, int index, const struct net_config *c)
{
	struct claw_in6_ifreq req = { c->addr6, c->prefix6, index };

	if (ioctl(fd, SIOCSIFADDR, &req) != 0)
		die("%s: setting its IPv6 address: %s", NET_IFACE, strerror(errno));
}

static void set_default_routes(int fd4, int fd6, int index, const struct net_config *c)
{
	struct rtentry rt = { 0 };
	struct in6_rtmsg rt6 = { 0 };
	struct sockaddr_in *gw = (struct sockaddr_in *)&rt.rt_gateway;

	((struct sockaddr_in *)&rt.rt_dst)->sin_family = AF_INET;
	((struct sockaddr_in *)&rt.rt_genmask)->sin_family = AF_INET;
	gw->sin_family = AF_INET;
	gw->sin_addr = c->gateway4;
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	rt.rt_dev = (char *)NET_IFACE;
	if (ioctl(fd4, SIOCADDRT, &rt) != 0)
		die("adding the IPv4 default route: %s", strerror(errno));
	rt6.rtmsg_gateway = c->gateway6;
	rt6.rtmsg_flags = RTF_UP | RTF_GATEWAY;
	rt6.rtmsg_ifindex = index;
	rt6.rtmsg_metric = 1;
	if (ioctl(fd6, SIOCADDRT, &rt6) != 0)
		die("adding the IPv6 default route: %s", strerror(errno));
}

/* Configures eth0 from claw.net= with ioctls (no DHCP, no ip binary in the guest) and writes
 * no file: the host pins the address and MAC, so nothing here needs protecting from the agent,
 * and without claw.net the VM has no NIC and this does nothing. */
static void configure_network(void)
{
	char value[256];
	struct net_config c;
	char a4[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];

	if (!cmdline_value(NET_PARAM, value, sizeof value))
		return;
	parse_net(value, &c);
	int index = wait_for_nic();
	/* Before the link is up: no link-local address, no DAD delay, no router adverts. The
	 * host's firewall passes only the pinned address, so anything else would be dead. */
	net_sysctl("addr_gen_mode", "1");
	net_sysctl("accept_dad", "0");
	net_sysctl("accept_ra", "0");
	net_sysctl("autoconf", "0");
	int fd4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int fd6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd4 < 0 || fd6 < 0)
		die("socket for network set-up: %s", strerror(errno));
	set_ipv4(fd4, &c);
	set_up(fd4, "lo");
	set_up(fd4, NET_IFACE);
	set_ipv6(fd6, index, &c);
	set_default_routes(fd4, fd6, index, &c);
	close(fd4);
	close(fd6);
	log_host("network: %s %s/%u and %s/%u", NET_IFACE,
		 inet_ntop(AF_INET, &c.addr4, a4, sizeof a4), c.prefix4,
		 inet_ntop(AF_INET6, &c.addr6, a6, sizeof a6), c.prefix6);
}

/* ---- snapshots: ready, then a fresh identity per clone ---- */

static int read_all(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* Mixes the host's seed into the kernel's pool and reseeds now, so the agent's first
 * getrandom() already differs from every other clone of this snapshot. */
static void reseed(const unsigned char *seed, size_t len)
{
	static union {
		struct rand_pool_info info;
		unsigned char raw[sizeof(struct rand_pool_info) + SEED_MAX];
	} pool;
	int fd = open("/dev/urandom", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open /dev/urandom: %s", strerror(errno));
	pool.info.entropy_count = (int)len * 8;
	pool.info.buf_size = (int)len;
	memcpy(pool.info.buf, seed, len);
	if (ioctl(fd, RNDADDENTROPY, &pool.info) != 0 || ioctl(fd, RNDRESEEDCRNG) != 0)
		die("reseeding the kernel's random generator: %s", strerror(errno));
	close(fd);
}

/* The clock stood still while the snapshot lay on disk: take the host's. */
static void set_clock(uint64_t realtime_ns)
{
	struct timespec ts = { (time_t)(realtime_ns / 1000000000u),
			       (long)(realtime_ns % 1000000000u) };

	if (clock_settime(CLOCK_REALTIME, &ts) != 0)
		die("setting the clock: %s", strerror(errno));
}

/* Says R, then blocks until the host sends G: u64 CLOCK_REALTIME ns, then the seed. The host
 * saves the VM in between; what runs after the read runs in each restored clone. */
static void await_go(void)
{
	unsigned char head[5], body[8 + SEED_MAX];
	unsigned char p[8];

	put_le(p, boottime_ns(), 8);
	send_frame('R', p, sizeof p);
	if (read_all(chan, head, sizeof head) != 0)
		die("reading the host's go frame: %s", strerror(errno));
	uint64_t len = get_le(head + 1, 4);
	if (head[0] != 'G' || len < 8 + SEED_MIN || len > sizeof body)
		die("expected a G frame of %d..%d bytes from the host, got type 0x%02x, %llu bytes",
		    8 + SEED_MIN, 8 + SEED_MAX, head[0], (unsigned long long)len);
	if (read_all(chan, body, (size_t)len) != 0)
		die("reading the host's go frame: %s", strerror(errno));
	set_clock(get_le(body, 8));
	reseed(body + 8, (size_t)len - 8);
	log_host("restored: clock set, %u seed bytes mixed in", (unsigned)len - 8);
}

static int child_signal_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	/* Blocked before fork, so an agent that exits at once still leaves a signal to read. */
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		die("sigprocmask: %s", strerror(errno));
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		die("signalfd: %s", strerror(errno));
	return sfd;
}

int main(void)
{
	char err[256] = "", root_dev[64], root_type[32];

	/* Run by mistake on a real machine, the reboot below would take that machine down. */
	if (getpid() != 1) {
		console("must run as PID 1; refusing to start");
		return 1;
	}
	if (mount_at("devtmpfs", "/dev", MS_NOSUID | MS_NOEXEC, NULL, err, sizeof err) == 0)
		mount_proc(err, sizeof err);
	claim_std_fds();
	load_modules();
	/* claw boots once with claw.probe to learn whether KVM works here: getting this far is
	 * the answer, so say so and power off without waiting for a channel. */
	if (cmdline_has_word(PROBE_PARAM)) {
		console("probe: booted");
		power_off();
	}
	/* Said now, in case the channel cannot be opened either; reported as F once it is. */
	if (err[0])
		console(err);
	open_channel();
	send_hello();
	if (err[0]) {
		send_frame('F', err, strlen(err));
		power_off();
	}
	parse_spec(spec, read_spec());
	if (sc.path)
		load_filter();
	log_host("spec: %u args, %u env, uid %u, gid %u", run.argc, run.envc, (unsigned)run.uid,
		 (unsigned)run.gid);
	if (run.root_reason)
		log_host("the agent runs as root (with no capabilities): %s", run.root_reason);
	/* With claw.root= the root is a read-only disk, with its own /tmp; else the initramfs. */
	int disk_root = cmdline_value(ROOT_PARAM, root_dev, sizeof root_dev);
	if (disk_root) {
		if (!cmdline_value(ROOTFSTYPE_PARAM, root_type, sizeof root_type) || !root_type[0])
			die("%s%s needs %s on the kernel command line", ROOT_PARAM, root_dev,
			    ROOTFSTYPE_PARAM);
		switch_to_disk(root_dev, root_type);
	} else if (mount_tmp("/tmp", err, sizeof err) != 0) {
		die("%s", err);
	}
	harden_guest(disk_root);
	configure_network();
	if (cmdline_has_word(SNAPSHOT_PARAM))
		await_go();

	struct pollfd p[P_COUNT] = { { .fd = child_signal_fd(), .events = POLLIN } };
	pid_t agent = start_agent(&p[P_OUT].fd, &p[P_ERR].fd);
	p[P_OUT].events = p[P_ERR].events = POLLIN;
	p[P_NOTIFY].fd = listener;
	p[P_NOTIFY].events = POLLIN;
	send_started(agent);
	int status = supervise(agent, p);
	unsigned rest = kill_the_rest();
	if (rest)
		log_host("killed %u process(es) left behind by the agent", rest);
	drain_output(p);
	if (sc.learn)
		send_used();
	send_exit(status);
	power_off();
}
