/* Test helper: sign records (stops, orders) read on stdin with a secret key, as an
 * office would, until wgo-issue makes stops: sign-record KEYFILE < in > out. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "wgo.h"

int
main(int argc, char **argv)
{
	struct werr e;
	struct wkey k;
	wgo_setprog(argv[0]);
	if (argc != 2)
		die_usage("usage: sign-record KEYFILE < records");
	sign_init();
	if (office_key_load(argv[1], NULL, NULL, &k, &e) < 0)
		die("%s: %s", e.field, e.msg);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		json_t *r = rec_parse(line, (size_t)(line[n - 1] == '\n' ? n - 1 : n), &e);
		if (!r || rec_validate(r, &e) < 0 || order_sign(r, &k, &e) < 0)
			die("%s: %s", e.field, e.msg);
		if (rec_write(stdout, r) < 0)
			die("<stdout>:");
		json_decref(r);
	}
	free(line);
	key_wipe(&k);
	return wgo_finish(0);
}
