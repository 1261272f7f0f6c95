/* One static agent that behaves as each integration test needs, chosen by argv[1]. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Prints the capability lines of /proc/self/status. */
static void print_caps(void)
{
	FILE *status = fopen("/proc/self/status", "r");
	char line[256];

	while (status && fgets(line, sizeof line, status)) {
		if (strncmp(line, "Cap", 3) == 0 || strncmp(line, "NoNewPrivs", 10) == 0 ||
		    strncmp(line, "Seccomp:", 8) == 0)
			fputs(line, stdout);
	}
}

/* Attacks on the seccomp filter; a mode that should be killed says what it tries first. */
static int attack(const char *mode, int argc, char **argv)
{
	if (strcmp(mode, "syscall") == 0) {
		/* Raw numbers with zero arguments: blocked, unknown, newer than the table. */
		for (int i = 2; i < argc; i++) {
			long nr = strtol(argv[i], NULL, 0);
			printf("calling %ld\n", nr);
			fflush(stdout);
			long r = syscall(nr, 0, 0, 0, 0, 0, 0);
			printf("syscall %ld: %s\n", nr, r < 0 ? strerror(errno) : "ok");
		}
		return 0;
	}
	if (strcmp(mode, "int80") == 0) {
		/* The 32-bit entry: getpid is 20 there, and numbers mean other calls. */
		long r;
		printf("int 0x80\n");
		fflush(stdout);
		__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
		printf("int 0x80 returned %ld\n", r);
		return 0;
	}
	if (strcmp(mode, "capset") == 0) {
		/* Ask for CAP_SYS_ADMIN (21) in every set, version 3 of the capability ABI. */
		struct { uint32_t version; int pid; } head = { 0x20080522, 0 };
		struct { uint32_t effective, permitted, inheritable; } data[2] = {
			{ 1u << 21, 1u << 21, 1u << 21 }, { 0, 0, 0 } };
		long r = syscall(SYS_capset, &head, data);
		printf("capset CAP_SYS_ADMIN: %s\n", r == 0 ? "ALLOWED" : strerror(errno));
		print_caps();
		return 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int attacked = attack(mode, argc, argv);

	if (attacked >= 0)
		return attacked;

	if (strcmp(mode, "exit") == 0)
		return argc > 2 ? atoi(argv[2]) : 0;
	if (strcmp(mode, "streams") == 0) {
		printf("to stdout\n");
		fflush(stdout);
		fprintf(stderr, "to stderr\n");
		return 0;
	}
	if (strcmp(mode, "segv") == 0) {
		printf("about to crash\n");
		fflush(stdout);
		raise(SIGSEGV);
	}
	if (strcmp(mode, "hang") == 0) {
		printf("hanging\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	if (strcmp(mode, "whoami") == 0) {
		printf("uid=%d gid=%d cwd=%s env=%s\n", (int)getuid(), (int)getgid(),
		       getcwd((char[256]){ 0 }, 256), getenv("CLAW_TEST") ? getenv("CLAW_TEST") : "-");
		return 0;
	}
	if (strcmp(mode, "cat") == 0 && argc > 2) {
		FILE *f = fopen(argv[2], "r");
		int c;
		if (!f) {
			perror(argv[2]);
			return 4;
		}
		while ((c = fgetc(f)) != EOF)
			putchar(c);
		return 0;
	}
	if (strcmp(mode, "attack-root") == 0) {
		/* What an agent would try first to change the image it runs from. */
		const char *tries[] = { "/x", "/init", "/claw/spec", "/etc/passwd", "/app/test-agent" };
		for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
			FILE *f = fopen(tries[i], "a");
			printf("write %s: %s\n", tries[i], f ? "ALLOWED" : "denied");
			if (f)
				fclose(f);
		}
		printf("mkdir /bin: %s\n", mkdir("/bin", 0755) == 0 ? "ALLOWED" : "denied");
		print_caps();
		return 0;
	}
	if (strcmp(mode, "create") == 0) {
		/* Which of the given paths the agent may create a file at, and why not. */
		for (int i = 2; i < argc; i++) {
			int fd = open(argv[i], O_WRONLY | O_CREAT | O_EXCL, 0644);
			printf("create %s: %s\n", argv[i], fd >= 0 ? "ok" : strerror(errno));
			if (fd >= 0)
				close(fd);
		}
		return 0;
	}
	fprintf(stderr, "test-agent: unknown mode '%s'\n", mode);
	return 64;
}
