/* Test helper: crash with a secret in memory, to see what a core file holds.
 * secret-core WORD [protect]: puts WORD with each letter moved one on (HAL: IBM)
 * after "SECRET-" in memory from secret_alloc(), and after "PLAIN-" in memory from
 * malloc() (so that neither text is in the arguments), calls secrets_protect()
 * when asked, then raises SIGSEGV. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "wgo.h"

static void
fill(char *dst, const char *prefix, const char *word)
{
	size_t n = strlen(prefix);
	memcpy(dst, prefix, n);
	for (size_t i = 0; word[i]; i++)
		dst[n + i] = (char)(word[i] + 1);
	dst[n + strlen(word)] = 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	size_t n = strlen(argv[1]) + 16;
	char *secret = secret_alloc(n), *plain = malloc(n);
	if (!plain)
		return 2;
	fill(secret, "SECRET-", argv[1]);
	fill(plain, "PLAIN-", argv[1]);
	if (argc > 2 && !strcmp(argv[2], "protect"))
		secrets_protect();
	/* Both stay reachable until the end. */
	volatile char *keep[2] = { secret, plain };
	(void)keep;
	raise(SIGSEGV);
	return 1;
}
