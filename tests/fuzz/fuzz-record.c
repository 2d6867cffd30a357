/* The record reader and every kind's validation. The input is a stream of lines.
 * Each line goes through what the record loop does with it (rec_parse, then
 * rec_validate); rec_parse's fast path is checked against jansson on it; each
 * record that is accepted must dump to a line that reads back, validates, and
 * dumps to the same bytes, and is also validated as every other kind. The loop
 * itself (a file, its reader thread, the arenas, the rejects file) costs a thread
 * and a file an input, so it runs on one input in 16, chosen by the input's bytes,
 * and must account for every line. */
#include <jansson.h>

#include "fuzz.h"
#include "../unit/plain-oracle.h"

/* The line limit the fuzzed loop uses: longer lines are the loop's to refuse. */
#define MAXLINE 4096

static void
check_record(json_t *r)
{
	struct buf a = { 0 }, b = { 0 };
	rec_dump(r, &a);
	FUZZ_CHECK(a.n > 0 && a.p[a.n - 1] == '\n');
	struct werr e2;
	json_t *back = rec_parse(a.p, a.n - 1, &e2);
	FUZZ_CHECK(back != NULL);
	FUZZ_CHECK(rec_validate(back, &e2) == 0);
	rec_dump(back, &b);
	FUZZ_CHECK(a.n == b.n && !memcmp(a.p, b.p, a.n));
	/* The same object as each kind: refused or accepted, never a crash. (One
	 * object throughout: what validation normalises stays normalised.) */
	for (const char *const *k = rec_kinds(); *k; k++) {
		json_object_set_new(back, "kind", json_string(*k));
		if (rec_validate(back, &e2) == 0) {
			struct buf d = { 0 };
			rec_dump(back, &d);
			buf_free(&d);
		}
	}
	json_decref(back);
	buf_free(&a);
	buf_free(&b);
}

/* Through the loop, a record (in an arena, when transient) dumps as one line;
 * what it holds was checked line by line already. */
static int
on_rec(struct rloop *L, json_t *r, const struct rpos *pos, struct werr *e)
{
	(void)L, (void)pos, (void)e;
	struct buf a = { 0 };
	rec_dump(r, &a);
	FUZZ_CHECK(a.n > 0 && a.p[a.n - 1] == '\n' && !memchr(a.p, '\n', a.n - 1));
	buf_free(&a);
	return 0;
}

/* rec_parse's fast path against jansson (plain-oracle.h): what it takes, jansson
 * takes, with nothing but blanks after, and the two trees dump to the same bytes. */
static void
check_fast(const char *line, size_t len)
{
	FUZZ_CHECK(plain_agrees(line, len, NULL, 0) >= 0);
}

static int
blank(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		wgo_exit_hook = fuzz_exit;
		wgo_setprog("fuzz");
	}
	/* Line by line, as the loop's reader and consumer would take them. */
	size_t lines = 0, longer = 0;
	unsigned hash = 0;
	for (size_t at = 0; at < size;) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t len = nl ? (size_t)(nl - data) - at : size - at;
		for (size_t i = 0; i < len; i++)
			hash = hash * 31 + data[at + i];
		if (!blank(data + at, len) && len <= MAXLINE) {
			struct werr e;
			check_fast((const char *)data + at, len);
			json_t *r = rec_parse((const char *)data + at, len, &e);
			if (r && rec_validate(r, &e) == 0)
				check_record(r);
			json_decref(r);
			lines++;
		} else if (len > MAXLINE) {
			longer++;
		}
		at += len + 1;
	}
	if (hash % 16)
		return 0;
	const char *path = fuzz_file("in.jsonl", data, size);
	char *argv[] = { (char *)path };
	for (int transient = 0; transient <= 1; transient++) {
		struct rloop L = { 0 };
		L.cb = on_rec;
		L.validate = 1;
		L.transient = transient;
		L.quiet = 1;
		L.rejects = transient ? NULL : devnull; /* written once is enough */
		L.maxline = MAXLINE;
		int rc = rec_loop(&L, 1, argv);
		FUZZ_CHECK(rc == 0 || rc == 1);
		FUZZ_CHECK(L.nread == L.nok + L.nrejected);
		FUZZ_CHECK(L.nread == lines + longer); /* the long ones among the rejects */
	}
	return 0;
}
