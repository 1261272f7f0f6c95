/* One static agent that behaves as each integration test needs, chosen by argv[1]. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/route.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
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

/* ---- network probes: each prints one line saying what happened ---- */

static int resolve(const char *host, const char *port, int family, int type,
		   struct sockaddr_storage *out, socklen_t *len)
{
	struct addrinfo hints = { .ai_family = family, .ai_socktype = type }, *res;
	int rc = getaddrinfo(host, port, &hints, &res);

	if (rc != 0)
		return rc;
	memcpy(out, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int family_of(const char *arg)
{
	return !arg ? AF_UNSPEC : strcmp(arg, "6") == 0 ? AF_INET6 : AF_INET;
}

static int wait_fd(int fd, short events, int ms)
{
	struct pollfd p = { fd, events, 0 };
	return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

/* connect HOST PORT [4|6]: a TCP connection and an HTTP/1.0 GET; prints the first line. */
static void probe_connect(const char *host, const char *port, const char *fam)
{
	struct sockaddr_storage sa;
	socklen_t len;
	char buf[256] = "";
	int err = 0, rc = resolve(host, port, family_of(fam), SOCK_STREAM, &sa, &len);
	socklen_t elen = sizeof err;

	printf("connect %s %s%s%s: ", host, port, fam ? " " : "", fam ? fam : "");
	if (rc != 0) {
		printf("no address (%s)\n", gai_strerror(rc));
		return;
	}
	int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (connect(fd, (struct sockaddr *)&sa, len) != 0 && errno != EINPROGRESS) {
		printf("refused (%s)\n", strerror(errno));
		close(fd);
		return;
	}
	if (!(wait_fd(fd, POLLOUT, 3000) & POLLOUT)) {
		printf("blocked (no answer in 3 s)\n");
		close(fd);
		return;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
	if (err) {
		printf("refused (%s)\n", strerror(err));
		close(fd);
		return;
	}
	dprintf(fd, "GET / HTTP/1.0\r\nHost: %s\r\n\r\n", host);
	ssize_t n = wait_fd(fd, POLLIN, 3000) ? read(fd, buf, sizeof buf - 1) : -1;
	buf[n > 0 ? n : 0] = '\0';
	char *body = strstr(buf, "\r\n\r\n");
	printf("ok %s\n", body ? strtok(body + 4, "\n") : "(no HTTP answer)");
	close(fd);
}

/* resolve NAME: the addresses the resolver gives, or its error. */
static void probe_resolve(const char *name)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *r;
	char text[INET6_ADDRSTRLEN];
	int rc = getaddrinfo(name, NULL, &hints, &res);

	printf("resolve %s:", name);
	if (rc != 0) {
		printf(" failed (%s)\n", gai_strerror(rc));
		return;
	}
	for (r = res; r; r = r->ai_next) {
		void *a = r->ai_family == AF_INET ? (void *)&((struct sockaddr_in *)r->ai_addr)->sin_addr
						  : (void *)&((struct sockaddr_in6 *)r->ai_addr)->sin6_addr;
		printf(" %s", inet_ntop(r->ai_family, a, text, sizeof text));
	}
	printf("\n");
	freeaddrinfo(res);
}

/* udp ADDR PORT: one datagram to an echo server; is anything sent back? */
static void probe_udp(const char *host, const char *port)
{
	struct sockaddr_storage sa;
	socklen_t len;
	char buf[64];

	printf("udp %s %s: ", host, port);
	if (resolve(host, port, AF_UNSPEC, SOCK_DGRAM, &sa, &len) != 0) {
		printf("no address\n");
		return;
	}
	int fd = socket(sa.ss_family, SOCK_DGRAM, 0);
	if (sendto(fd, "ping", 4, 0, (struct sockaddr *)&sa, len) != 4)
		printf("cannot send (%s)\n", strerror(errno));
	else if (wait_fd(fd, POLLIN, 2000) && recv(fd, buf, sizeof buf, 0) > 0)
		printf("reply\n");
	else
		printf("no reply\n");
	close(fd);
}

/* icmp ADDR: an IPv4 echo request (raw socket: root only); is there an echo reply? */
static void probe_icmp(const char *host)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct icmphdr echo = { .type = ICMP_ECHO, .un.echo.id = htons(7) };
	unsigned char buf[256];
	uint32_t sum = 0;

	printf("icmp %s: ", host);
	inet_pton(AF_INET, host, &sa.sin_addr);
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0) {
		printf("cannot send (%s)\n", strerror(errno));
		return;
	}
	for (size_t i = 0; i < sizeof echo / 2; i++)
		sum += ((uint16_t *)&echo)[i];
	echo.checksum = (uint16_t) ~((sum & 0xffff) + (sum >> 16));
	sendto(fd, &echo, sizeof echo, 0, (struct sockaddr *)&sa, sizeof sa);
	for (int i = 0; i < 4 && wait_fd(fd, POLLIN, 500); i++) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n >= 28 && buf[20] == ICMP_ECHOREPLY) {
			printf("reply\n");
			close(fd);
			return;
		}
	}
	printf("no reply\n");
	close(fd);
}

/* ifaces: the names of the network interfaces the guest has. */
static void probe_ifaces(void)
{
	struct if_nameindex *list = if_nameindex();

	printf("interfaces:");
	for (struct if_nameindex *i = list; i && i->if_index; i++)
		printf(" %s", i->if_name);
	printf("\n");
	if_freenameindex(list);
}

/* ---- as root (PID 1 in place of claw's init): re-address eth0 at will ---- */

struct in6_ifreq_k {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

static int ioctl_ok(int fd, unsigned long req, void *arg, const char *what)
{
	if (ioctl(fd, req, arg) == 0)
		return 1;
	printf("ifconfig: %s: %s\n", what, strerror(errno));
	return 0;
}

/* ifconfig ADDR4 PREFIX4 GW4 ADDR6 PREFIX6 GW6 MAC: whatever root in the guest likes. */
static void root_ifconfig(char **a)
{
	int fd4 = socket(AF_INET, SOCK_DGRAM, 0), fd6 = socket(AF_INET6, SOCK_DGRAM, 0);
	int index = (int)if_nametoindex("eth0");
	struct ifreq ifr = { .ifr_name = "eth0" };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	struct in6_ifreq_k r6 = { .prefixlen = (uint32_t)atoi(a[4]), .ifindex = index };
	struct rtentry rt = { .rt_flags = RTF_UP | RTF_GATEWAY, .rt_dev = "eth0" };
	struct in6_rtmsg m6 = { .rtmsg_flags = RTF_UP | RTF_GATEWAY, .rtmsg_ifindex = index,
				.rtmsg_metric = 1 };

	/* Down first: the MAC can only change then, and it drops the old routes. */
	ioctl_ok(fd4, SIOCGIFFLAGS, &ifr, "flags");
	ifr.ifr_flags &= ~IFF_UP;
	ioctl_ok(fd4, SIOCSIFFLAGS, &ifr, "down");
	ifr.ifr_hwaddr.sa_family = 1; /* ARPHRD_ETHER */
	sscanf(a[6], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &ifr.ifr_hwaddr.sa_data[0],
	       &ifr.ifr_hwaddr.sa_data[1], &ifr.ifr_hwaddr.sa_data[2], &ifr.ifr_hwaddr.sa_data[3],
	       &ifr.ifr_hwaddr.sa_data[4], &ifr.ifr_hwaddr.sa_data[5]);
	ioctl_ok(fd4, SIOCSIFHWADDR, &ifr, "mac");
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, a[0], &sin->sin_addr);
	ioctl_ok(fd4, SIOCSIFADDR, &ifr, "ipv4");
	sin->sin_addr.s_addr = htonl(~0u << (32 - atoi(a[1])));
	ioctl_ok(fd4, SIOCSIFNETMASK, &ifr, "netmask");
	ifr.ifr_flags |= IFF_UP;
	ioctl_ok(fd4, SIOCSIFFLAGS, &ifr, "up");
	inet_pton(AF_INET6, a[3], &r6.addr);
	ioctl_ok(fd6, SIOCSIFADDR, &r6, "ipv6");
	((struct sockaddr_in *)&rt.rt_dst)->sin_family = AF_INET;
	((struct sockaddr_in *)&rt.rt_genmask)->sin_family = AF_INET;
	((struct sockaddr_in *)&rt.rt_gateway)->sin_family = AF_INET;
	inet_pton(AF_INET, a[2], &((struct sockaddr_in *)&rt.rt_gateway)->sin_addr);
	ioctl_ok(fd4, SIOCADDRT, &rt, "route4");
	inet_pton(AF_INET6, a[5], &m6.rtmsg_gateway);
	ioctl_ok(fd6, SIOCADDRT, &m6, "route6");
	printf("ifconfig: eth0 %s/%s %s/%s mac %s\n", a[0], a[1], a[3], a[4], a[6]);
	close(fd4);
	close(fd6);
}

static int command(int argc, char **argv);

/* batch FILE: one command per line, run in order. */
static int batch(const char *file)
{
	FILE *f = fopen(file, "r");
	char line[512];

	if (!f) {
		perror(file);
		return 4;
	}
	while (fgets(line, sizeof line, f)) {
		char *args[16] = { "test-agent" };
		int n = 1;
		for (char *t = strtok(line, " \n"); t && n < 15; t = strtok(NULL, " \n"))
			args[n++] = t;
		if (n > 1)
			command(n, args);
		fflush(stdout);
	}
	fclose(f);
	return 0;
}

/* serve NAME UDP_PORT TCP_PORT...: a test host's servers, on every address of its namespace:
 * HTTP answers with NAME, UDP echoes. */
static int serve(int argc, char **argv)
{
	struct pollfd p[16];
	int n = 0, zero = 0, one = 1;

	for (int i = 4; i < argc && n < 15; i++, n++) {
		struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(atoi(argv[i])) };
		p[n].fd = socket(AF_INET6, SOCK_STREAM, 0);
		setsockopt(p[n].fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
		setsockopt(p[n].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(p[n].fd, (struct sockaddr *)&sa, sizeof sa) || listen(p[n].fd, 16))
			return perror("tcp"), 1;
		p[n].events = POLLIN;
	}
	struct sockaddr_in6 ua = { .sin6_family = AF_INET6, .sin6_port = htons(atoi(argv[3])) };
	p[n].fd = socket(AF_INET6, SOCK_DGRAM, 0);
	setsockopt(p[n].fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
	if (bind(p[n].fd, (struct sockaddr *)&ua, sizeof ua))
		return perror("udp"), 1;
	p[n].events = POLLIN;
	printf("serving\n");
	fflush(stdout);
	for (;;) {
		poll(p, (nfds_t)n + 1, -1);
		for (int i = 0; i < n; i++) {
			if (!p[i].revents)
				continue;
			int c = accept(p[i].fd, NULL, NULL);
			char req[512];
			if (c < 0)
				continue;
			if (wait_fd(c, POLLIN, 2000))
				(void)!read(c, req, sizeof req);
			dprintf(c, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n%s\n", argv[2]);
			close(c);
		}
		if (p[n].revents) {
			char buf[512];
			struct sockaddr_storage from;
			socklen_t len = sizeof from;
			ssize_t got = recvfrom(p[n].fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
			if (got > 0)
				sendto(p[n].fd, buf, (size_t)got, 0, (struct sockaddr *)&from, len);
		}
	}
}

/* PID 1 in place of claw's init, with every capability: runs /app/steps and powers off. */
static int as_init(void)
{
	mount("proc", "/proc", "proc", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	printf("root-agent: start\n");
	batch("/app/steps");
	printf("root-agent: done\n");
	fflush(stdout);
	sync();
	reboot(RB_AUTOBOOT);
	return 0;
}

static int net_command(int argc, char **argv)
{
	const char *mode = argv[1];

	if (strcmp(mode, "connect") == 0 && argc > 3)
		probe_connect(argv[2], argv[3], argc > 4 ? argv[4] : NULL);
	else if (strcmp(mode, "resolve") == 0 && argc > 2)
		probe_resolve(argv[2]);
	else if (strcmp(mode, "udp") == 0 && argc > 3)
		probe_udp(argv[2], argv[3]);
	else if (strcmp(mode, "icmp") == 0 && argc > 2)
		probe_icmp(argv[2]);
	else if (strcmp(mode, "ifaces") == 0)
		probe_ifaces();
	else if (strcmp(mode, "ifconfig") == 0 && argc > 8)
		root_ifconfig(argv + 2);
	else if (strcmp(mode, "batch") == 0 && argc > 2)
		return batch(argv[2]);
	else if (strcmp(mode, "serve") == 0 && argc > 4)
		return serve(argc, argv);
	else
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	/* Only as the kernel's /init: under a container runtime the agent is PID 1 too. The
	 * name first: the seccomp tests count every call an ordinary run makes. */
	if (strcmp(argv[0], "/init") == 0 && getpid() == 1)
		return as_init();
	return command(argc, argv);
}

static int command(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int attacked = attack(mode, argc, argv);

	if (attacked >= 0)
		return attacked;

	if (argc > 1) {
		int rc = net_command(argc, argv);
		if (rc >= 0)
			return rc;
	}

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
