/* Keeping secrets out of core dumps and away from other processes: a program that
 * holds a key, a bank token or a passphrase calls secrets_protect() first, and
 * keeps each secret in memory from secret_alloc(). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sodium.h>

#include "wgo.h"

extern char **environ;

void
secrets_protect(void)
{
	/* Not dumpable: no core file (unless the machine's fs.suid_dumpable says
	 * otherwise, for root's eyes only), no ptrace or /proc/PID/mem from other
	 * processes of the same user, /proc/PID/environ readable by root only. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die("prctl(PR_SET_DUMPABLE):");
	/* And should a dump be made all the same, it is empty: no core size, and no
	 * anonymous or file-backed memory in it. */
	struct rlimit none = { 0, 0 };
	if (setrlimit(RLIMIT_CORE, &none) < 0)
		die("setrlimit(RLIMIT_CORE):");
	int fd = open("/proc/self/coredump_filter", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "0\n", 2) != 2) {
			/* an old kernel: the two guards above still hold */
		}
		close(fd);
	}
}

void *
secret_alloc(size_t n)
{
	if (sodium_init() < 0)
		die("libsodium failed to initialise");
	/* Guard pages around it, locked out of swap where the limit allows, and marked
	 * MADV_DONTDUMP; sodium_free() wipes it. */
	void *p = sodium_malloc(n ? n : 1);
	if (!p)
		die("out of memory for secrets (sodium_malloc):");
	sodium_memzero(p, n ? n : 1);
	return p;
}

void
secret_free(void *p)
{
	if (p)
		sodium_free(p);
}

char *
secret_getenv(const char *name)
{
	size_t nl = strlen(name);
	char *copy = NULL;
	for (char **e = environ; e && *e; e++) {
		if (strncmp(*e, name, nl) || (*e)[nl] != '=')
			continue;
		char *v = *e + nl + 1;
		size_t vl = strlen(v);
		if (!copy && vl) {
			copy = secret_alloc(vl + 1);
			memcpy(copy, v, vl + 1);
		}
		/* The bytes the kernel shows in /proc/PID/environ are these very ones (for
		 * a variable the program was started with): unsetenv() alone would only
		 * drop the pointer. */
		sodium_memzero(v, vl);
	}
	unsetenv(name);
	return copy;
}
