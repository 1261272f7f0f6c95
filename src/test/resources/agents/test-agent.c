/* One static agent that behaves as each integration test needs, chosen by argv[1]. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	fprintf(stderr, "test-agent: unknown mode '%s'\n", mode);
	return 64;
}
