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
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define PROTOCOL_VERSION 1
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

#define PRINTF(a, b) __attribute__((format(printf, a, b)))

static int chan = -1;
static unsigned char frame[5 + FRAME_MAX];
static char spec[SPEC_MAX + 1];

static struct {
	char *argv[LIST_MAX + 1];
	char *envp[LIST_MAX + 1];
	const char *cwd;
	uid_t uid;
	gid_t gid;
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
 * that can write anywhere else or run an interpreter anyway. */
static int mount_tmp(const char *dir, char *err, size_t errlen)
{
	return mount_at("tmpfs", dir, MS_NOSUID | MS_NODEV, "mode=1777", err, errlen);
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

enum key { K_VERSION, K_ARG, K_ENV, K_CWD, K_UID, K_GID, K_COUNT };
static const char *const key_names[K_COUNT] = { "version", "arg", "env", "cwd", "uid", "gid" };

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

/* Decimal 1..4294967294 without sign or leading zero: (uid_t)-1 means "unchanged" to setresuid,
 * and 0 is root, so both are refused here rather than trusted to later checks. */
static uint32_t parse_id(const char *key, const char *v)
{
	uint64_t id = 0;
	size_t len = strlen(v);

	if (strcmp(v, "0") == 0)
		die("spec: %s=0 is root; init never starts an agent as root", key);
	if (len == 0 || len > 10 || v[0] == '0' || strspn(v, "0123456789") != len)
		die("spec: %s=%.32s is not a decimal id without sign or leading zero", key, v);
	for (size_t i = 0; i < len; i++)
		id = id * 10 + (uint64_t)(v[i] - '0');
	if (id >= UINT32_MAX)
		die("spec: %s=%s is out of range", key, v);
	return (uint32_t)id;
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
		if (strcmp(v, "1") != 0)
			die("spec: version=%.32s is not supported (this init speaks version 1)", v);
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
			die("spec: the first record must be version=1, not %s", p);
		if (k < last || (k == last && k != K_ARG && k != K_ENV))
			die("spec: record %zu: %s is repeated or out of order "
			    "(the order is version, arg..., env..., cwd, uid, gid)", rec, p);
		last = k;
		count[k]++;
		take((enum key)k, eq + 1, rec);
		p = next;
	}
	for (int k = 0; k < K_COUNT; k++) {
		if (count[k] == 0 && k != K_ENV)
			die("spec: missing %s", key_names[k]);
	}
}

/* ---- starting the agent ---- */

enum stage { S_SETSID, S_STDIO, S_CAPS, S_GROUPS, S_GID, S_UID, S_VERIFY, S_NNP, S_CHDIR,
	     S_SIGNALS, S_FDS, S_EXEC };

struct child_report {
	int stage;
	int err;
	int exists;
};

static _Noreturn void child_fail(int fd, enum stage stage, int err)
{
	struct child_report r = { stage, err, 0 };

	if (stage == S_EXEC && err == ENOENT)
		r.exists = access(run.argv[0], F_OK) == 0;
	write_all(fd, &r, sizeof r);
	_exit(127);
}

static void drop_privileges(int status_fd)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

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
	/* Trust but verify: a silently failed drop would run the agent as root. */
	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 ||
	    ru != run.uid || eu != run.uid || su != run.uid ||
	    rg != run.gid || eg != run.gid || sg != run.gid ||
	    getgroups(0, NULL) != 0 || setuid(0) == 0)
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

static _Noreturn void run_child(int status_fd, int null_fd, int out_fd, int err_fd)
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
	execve(run.argv[0], run.argv, run.envp);
	child_fail(status_fd, S_EXEC, errno);
}

static const char *exec_hint(const struct child_report *r)
{
	switch (r->err) {
	case EACCES:
		return ": is it executable, and are its directories searchable, by the agent uid?";
	case ENOENT:
		return r->exists ? ": the file exists, so its interpreter is missing: "
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
	[S_SIGNALS] = "resetting signals", [S_FDS] = "close_range", [S_EXEC] = "execve",
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
		if (r->stage < 0 || r->stage > S_EXEC)
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
	int st[2], o[2], e[2];
	struct child_report r;

	make_pipe(st);
	make_pipe(o);
	make_pipe(e);
	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0)
		die("open /dev/null: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		run_child(st[1], null_fd, o[1], e[1]);
	close(st[1]);
	close(o[1]);
	close(e[1]);
	close(null_fd);
	ssize_t n = read_report(st[0], &r);
	close(st[0]);
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

enum { P_SIGNAL, P_OUT, P_ERR, P_COUNT };

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
		mount_at("proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err, sizeof err);
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
	log_host("spec: %u args, %u env, uid %u, gid %u", run.argc, run.envc, (unsigned)run.uid,
		 (unsigned)run.gid);
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
	if (cmdline_has_word(SNAPSHOT_PARAM))
		await_go();

	struct pollfd p[P_COUNT] = { { .fd = child_signal_fd(), .events = POLLIN } };
	pid_t agent = start_agent(&p[P_OUT].fd, &p[P_ERR].fd);
	p[P_OUT].events = p[P_ERR].events = POLLIN;
	send_started(agent);
	int status = supervise(agent, p);
	unsigned rest = kill_the_rest();
	if (rest)
		log_host("killed %u process(es) left behind by the agent", rest);
	drain_output(p);
	send_exit(status);
	power_off();
}
