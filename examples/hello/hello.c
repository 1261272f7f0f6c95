/* The smallest claw agent: says where it runs, then exits 0. Linked statically (musl), so its
 * image needs no base at all. */
#include <stdio.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void)
{
	struct utsname host;

	if (uname(&host) != 0)
		return 1;
	printf("hello from an agent in its own microVM: Linux %s, uid %d\n", host.release,
	       (int)getuid());
	return 0;
}
