/*
 * What a hostile agent tries first to gain privileges inside its VM. Each attempt prints one
 * line "name: result"; the test asserts every line. argv[1] picks a mode:
 *   attacks       every attempt below
 *   suid-helper   run as the planted setuid-root binary: report the ids it got
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char *outcome(int rc)
{
	return rc == 0 ? "ALLOWED" : strerror(errno);
}

static void suid_helper(void)
{
	printf("suid euid: %d\n", (int)geteuid());
	printf("suid setuid(0): %s\n", outcome(setuid(0)));
}

static void run_suid(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { "/app/suid-helper", "suid-helper", NULL };
		fflush(stdout);
		execv(argv[0], argv);
		printf("suid exec: %s\n", strerror(errno));
		_exit(1);
	}
	waitpid(pid, NULL, 0);
}

static void status_lines(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];

	while (f && fgets(line, sizeof line, f)) {
		if (strncmp(line, "Cap", 3) == 0 || strncmp(line, "NoNewPrivs", 10) == 0)
			fputs(line, stdout);
	}
	if (f)
		fclose(f);
}

static void gain_capability(void)
{
	printf("setuid(0): %s\n", outcome(setuid(0)));
	printf("ambient raise: %s\n",
	       outcome(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 21 /* SYS_ADMIN */, 0, 0)));
	printf("mount tmpfs: %s\n", outcome(mount("x", "/tmp", "tmpfs", 0, NULL)));
	printf("unshare user: %s\n", outcome(unshare(CLONE_NEWUSER)));
}

static void session(void)
{
	char c = 'x';
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);

	printf("own session: %s\n", getsid(0) == getpid() ? "yes" : "no");
	printf("open /dev/console: %s\n", fd >= 0 ? "ALLOWED" : strerror(errno));
	fd = open("/dev/tty", O_RDWR);
	printf("open /dev/tty: %s\n", fd >= 0 ? "ALLOWED" : strerror(errno));
	printf("TIOCSTI on stdin: %s\n", outcome(ioctl(0, TIOCSTI, &c)));
}

/* Every process this agent can see other than itself; hidepid should leave none. */
static void processes(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int others = 0;
	struct stat st;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && atoi(e->d_name) != getpid())
			others++;
	}
	if (d)
		closedir(d);
	printf("other processes: %d\n", others);
	printf("stat /proc/1: %s\n", outcome(stat("/proc/1", &st)));
}

static void sys_and_mounts(void)
{
	FILE *f = fopen("/proc/self/mounts", "r");
	char dev[64], dir[128], type[32];
	struct stat st;

	printf("stat /sys/kernel: %s\n", outcome(stat("/sys/kernel", &st)));
	while (f && fscanf(f, "%63s %127s %31s %*[^\n]", dev, dir, type) == 3) {
		if (strcmp(type, "sysfs") == 0 || strcmp(dir, "/proc") == 0)
			printf("mount %s %s\n", dir, type);
	}
	if (f)
		fclose(f);
}

static void fill_tmp(void)
{
	static char block[1 << 20];
	struct statfs sf;
	long mib = 0;
	int fd = open("/tmp/fill", O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (statfs("/tmp", &sf) == 0)
		printf("tmp size MiB: %ld\n", (long)(sf.f_blocks * sf.f_bsize >> 20));
	memset(block, 'x', sizeof block);
	while (fd >= 0 && write(fd, block, sizeof block) == (ssize_t)sizeof block)
		mib++;
	printf("fill /tmp: %s after %ld MiB\n", strerror(errno), mib);
	unlink("/tmp/fill");
}

static void oom(void)
{
	char value[16] = "";
	int fd = open("/proc/self/oom_score_adj", O_RDWR);

	if (fd >= 0 && read(fd, value, sizeof value - 1) > 0)
		value[strcspn(value, "\n")] = '\0';
	printf("oom_score_adj: %s\n", value);
	printf("oom_score_adj -1000: %s\n", fd >= 0 ? outcome(write(fd, "-1000", 5) == 5 ? 0 : -1)
						   : strerror(errno));
}

/* An orphan that exits is reparented to init, which must reap it. */
static void orphan(void)
{
	int p[2];
	pid_t grandchild = 0;
	char path[64];
	struct stat st;
	const struct timespec step = { 0, 10 * 1000 * 1000 };

	if (pipe(p) != 0)
		return;
	pid_t child = fork();
	if (child == 0) {
		pid_t g = fork();
		if (g == 0) {
			usleep(100 * 1000);
			_exit(0);
		}
		write(p[1], &g, sizeof g);
		_exit(0);
	}
	read(p[0], &grandchild, sizeof grandchild);
	waitpid(child, NULL, 0);
	snprintf(path, sizeof path, "/proc/%d", (int)grandchild);
	for (int i = 0; i < 1000 && stat(path, &st) == 0; i++)
		nanosleep(&step, NULL);
	printf("orphan reaped: %s\n", stat(path, &st) != 0 ? "yes" : "no");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(mode, "suid-helper") == 0) {
		suid_helper();
		return 0;
	}
	if (strcmp(mode, "attacks") != 0) {
		fprintf(stderr, "attack-agent: unknown mode '%s'\n", mode);
		return 64;
	}
	printf("uid: %d gid: %d\n", (int)getuid(), (int)getgid());
	status_lines();
	run_suid();
	gain_capability();
	session();
	processes();
	sys_and_mounts();
	fill_tmp();
	oom();
	orphan();
	return 0;
}
