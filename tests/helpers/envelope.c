/* Test helper: wrap a message (JSON on stdin) in a signed envelope, so tests can send
 * the bank anything: envelope ACTION OFFICE KEYFILE [--ts INSTANT] [--total N]. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "wgo.h"

int
main(int argc, char **argv)
{
	struct werr e;
	struct wkey k;
	const char *why;
	long total = -1;
	wgo_setprog(argv[0]);
	if (argc < 4)
		die_usage("usage: envelope ACTION OFFICE KEYFILE [--ts INSTANT] [--total N]");
	for (int i = 4; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--ts")) {
			int64_t t;
			if (instant_parse(argv[i + 1], &t, &why) < 0)
				die_usage("--ts: %s", why);
			wgo_set_now(t);
			api_use_fixed_clock(1);
		} else if (!strcmp(argv[i], "--total")) {
			total = atol(argv[i + 1]);
		}
	}
	sign_init();
	if (office_key_load(argv[3], NULL, NULL, &k, &e) < 0) /* any office: tests forge senders */
		die("%s: %s", e.field, e.msg);
	json_error_t err;
	json_t *m = json_loadf(stdin, 0, &err);
	if (!m)
		die("stdin: %s", err.text);
	if (total < 0)
		total = (long)json_array_size(json_object_get(m, "disbursements"));
	struct buf b = { 0 };
	if (api_envelope(&b, argv[1], argv[2], API_BANK_ID, total, m, &k) < 0)
		die("no canonical form");
	fwrite(b.p, 1, b.n, stdout);
	putchar('\n');
	buf_free(&b);
	return wgo_finish(0);
}
