/*
 * claw-probe: run by `claw audit` in the agent's place (same uid, environment, restrictions),
 * it reports what an attacker inside the VM would find. One fact per line on stdout:
 * "key<TAB>value"; keys that repeat (writable, interpreter, netif) give one item each.
 * dev.claw.audit.AuditReport reads them; nothing here judges, the host does.
 *
 * Build: musl-gcc -static -Os -s -Wall -Wextra -Werror -o claw-probe claw-probe.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Walking deeper than this in an agent image means a loop or a hostile tree; stop. */
#define MAX_DEPTH 32

static const char *const interpreters[] = {
	"sh", "bash", "dash", "ash", "busybox", "python", "python3", "perl", "ruby", "node",
	"nodejs", "lua", "php", "tclsh", "awk", "gawk", "mawk", "java", "gdb", "ld.so", NULL,
};

static unsigned long executables, setuid_files, writable_files;

static void fact(const char *key, const char *value)
{
	printf("%s\t%s\n", key, value);
}

static void fact_file(const char *key, const char *path)
{
	char buf[256] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n < 0) {
		snprintf(buf, sizeof buf, "unreadable: %s", strerror(errno));
	} else {
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
	}
	fact(key, buf);
}

/* The lines of /proc/self/status the audit reports, under their own names. */
static void status(void)
{
	const char *keys[] = { "Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd",
			       "CapAmb", "NoNewPrivs", "Seccomp", NULL };
	FILE *f = fopen("/proc/self/status", "r");
	char line[512];

	while (f && fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		for (int i = 0; keys[i]; i++) {
			if (strcmp(line, keys[i]) == 0) {
				char *v = colon + 1 + strspn(colon + 1, " \t");
				v[strcspn(v, "\n")] = '\0';
				fact(keys[i], v);
			}
		}
	}
	if (f)
		fclose(f);
}

static int is_interpreter(const char *name)
{
	for (int i = 0; interpreters[i]; i++) {
		size_t n = strlen(interpreters[i]);
		/* python3.11, perl5.36 and the like count as their family. */
		if (strncmp(name, interpreters[i], n) == 0 &&
		    (name[n] == '\0' || name[n] == '.' || (name[n] >= '0' && name[n] <= '9')))
			return 1;
	}
	return 0;
}

static void visit_file(const char *path, const char *name, const struct stat *st)
{
	if (S_ISREG(st->st_mode) && (st->st_mode & 0111)) {
		executables++;
		if (is_interpreter(name))
			fact("interpreter", path);
	}
	if (S_ISREG(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID))) {
		setuid_files++;
		fact("setuid", path);
	}
	if ((S_ISREG(st->st_mode) || S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) &&
	    access(path, W_OK) == 0) {
		writable_files++;
		fact(S_ISREG(st->st_mode) ? "writable-file" : "writable-device", path);
	}
}

/* Depth-first over one filesystem tree; /proc is the kernel's and not part of the image. */
static void walk(const char *dir, int depth)
{
	DIR *d;
	struct dirent *e;

	if (depth > MAX_DEPTH || !(d = opendir(dir)))
		return;
	if (access(dir, W_OK) == 0)
		fact("writable-dir", dir);
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, e->d_name);
		if (strcmp(path, "/proc") == 0 || lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk(path, depth + 1);
		else
			visit_file(path, e->d_name, &st);
	}
	closedir(d);
}

static void processes(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int others = 0;
	char n[32];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && atoi(e->d_name) != getpid())
			others++;
	}
	if (d)
		closedir(d);
	snprintf(n, sizeof n, "%d", others);
	fact("other-processes", n);
}

static void network(void)
{
	FILE *f = fopen("/proc/net/dev", "r");
	char line[512];

	for (int i = 0; f && fgets(line, sizeof line, f); i++) {
		char *colon = strchr(line, ':');
		if (i < 2 || !colon)
			continue;
		*colon = '\0';
		char *name = line + strspn(line, " ");
		if (strcmp(name, "lo") != 0)
			fact("netif", name);
	}
	if (f)
		fclose(f);
}

static void mounts(void)
{
	FILE *f = fopen("/proc/self/mounts", "r");
	char dev[128], dir[256], type[64], opts[512];

	while (f && fscanf(f, "%127s %255s %63s %511s %*[^\n]", dev, dir, type, opts) == 4) {
		char line[1024];
		snprintf(line, sizeof line, "%s %s %s", dir, type, opts);
		fact("mount", line);
	}
	if (f)
		fclose(f);
}

static void tmp_size(void)
{
	struct statfs sf;
	char v[32] = "none";

	if (statfs("/tmp", &sf) == 0)
		snprintf(v, sizeof v, "%llu", (unsigned long long)sf.f_blocks * sf.f_bsize);
	fact("tmp-bytes", v);
}

int main(void)
{
	struct utsname u;
	char n[32];

	status();
	if (uname(&u) == 0)
		fact("kernel", u.release);
	fact_file("randomize_va_space", "/proc/sys/kernel/randomize_va_space");
	fact_file("kptr_restrict", "/proc/sys/kernel/kptr_restrict");
	fact_file("dmesg_restrict", "/proc/sys/kernel/dmesg_restrict");
	/* The first symbol's address as this uid sees it: zeros when kernel pointers are hidden. */
	fact_file("kallsyms", "/proc/kallsyms");
	fact_file("cmdline", "/proc/cmdline");
	processes();
	fact("sys-mounted", access("/sys/kernel", F_OK) == 0 ? "yes" : "no");
	tmp_size();
	network();
	mounts();
	walk("/", 0);
	snprintf(n, sizeof n, "%lu", executables);
	fact("executables", n);
	snprintf(n, sizeof n, "%lu", setuid_files);
	fact("setuid-files", n);
	return 0;
}
