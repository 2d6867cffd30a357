/* The record reader and every kind's validation. The input is a stream of lines
 * read by the same loop the programs use; each record that is accepted must dump
 * to a line that reads back, validates, and dumps to the same bytes; each object
 * is also validated as every other kind. */
#include <jansson.h>

#include "fuzz.h"

static int
on_rec(struct rloop *L, json_t *r, const struct rpos *pos, struct werr *e)
{
	(void)L, (void)pos, (void)e;
	struct buf a = { 0 }, b = { 0 };
	rec_dump(r, &a);
	FUZZ_CHECK(a.n > 0 && a.p[a.n - 1] == '\n');
	struct werr e2;
	json_t *back = rec_parse(a.p, a.n - 1, &e2);
	FUZZ_CHECK(back != NULL);
	FUZZ_CHECK(rec_validate(back, &e2) == 0);
	rec_dump(back, &b);
	FUZZ_CHECK(a.n == b.n && !memcmp(a.p, b.p, a.n));
	/* The same object as each kind: refused or accepted, never a crash. */
	for (const char *const *k = rec_kinds(); *k; k++) {
		json_t *c = json_deep_copy(back);
		json_object_set_new(c, "kind", json_string(*k));
		if (rec_validate(c, &e2) == 0) {
			struct buf d = { 0 };
			rec_dump(c, &d);
			buf_free(&d);
		}
		json_decref(c);
	}
	json_decref(back);
	buf_free(&a);
	buf_free(&b);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	const char *path = fuzz_file("in.jsonl", data, size);
	char *argv[] = { (char *)path };
	for (int transient = 0; transient <= 1; transient++) {
		struct rloop L = { 0 };
		L.cb = on_rec;
		L.validate = 1;
		L.transient = transient;
		L.quiet = 1;
		L.rejects = devnull;
		L.maxline = 4096;
		int rc = rec_loop(&L, 1, argv);
		FUZZ_CHECK(rc == 0 || rc == 1);
		FUZZ_CHECK(L.nread == L.nok + L.nrejected);
	}
	return 0;
}
