/* Test helper: wrap a message (JSON on stdin) in a signed envelope, so tests can send
 * the bank anything: envelope ACTION OFFICE KEYFILE [--ts INSTANT] [--total N]
 * [--message-id ID] [--version V]: the header's fields given are put in before it is
 * signed, whatever their form. */
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
	const char *mid = NULL, *version = NULL;
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
		} else if (!strcmp(argv[i], "--message-id")) {
			mid = argv[i + 1];
		} else if (!strcmp(argv[i], "--version")) {
			version = argv[i + 1];
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
	if (mid || version) {
		/* Signed anew over the header as changed: the bank must judge the field, not
		 * a broken signature. */
		json_t *env = json_loadb(b.p, b.n, 0, &err), *h = json_object_get(env, "header");
		if (mid)
			json_object_set_new(h, "message_id", json_string(mid));
		if (version)
			json_object_set_new(h, "version", json_string(version));
		json_t *t = json_object();
		json_object_set(t, "header", h);
		json_object_set(t, "message", json_object_get(env, "message"));
		struct buf c = { 0 }, s = { 0 };
		jcs_dump(t, &c);
		uint8_t sig[64];
		sig_detached(&k, c.p, c.n, sig);
		b64_encode(sig, 64, &s);
		json_object_set_new(env, "signature", json_stringn(s.p, s.n));
		b.n = 0;
		json_dump_compact(env, &b);
		json_decref(t);
		json_decref(env);
		buf_free(&c);
		buf_free(&s);
	}
	fwrite(b.p, 1, b.n, stdout);
	putchar('\n');
	buf_free(&b);
	return wgo_finish(0);
}
