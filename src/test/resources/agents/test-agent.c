/* One static agent that behaves as each integration test needs, chosen by argv[1]. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

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
		FILE *status = fopen("/proc/self/status", "r");
		char line[256];
		while (status && fgets(line, sizeof line, status)) {
			if (strncmp(line, "Cap", 3) == 0 || strncmp(line, "NoNewPrivs", 10) == 0)
				fputs(line, stdout);
		}
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
