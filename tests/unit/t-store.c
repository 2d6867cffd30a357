/* Unit tests: the store. The lines a log must hold are worked out here with
 * libsodium's BLAKE2b directly, as wgo(7) defines the checks, not by the store. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "tap.h"
#include "wgo.h"

static char dir[64];

static char *
path(const char *name)
{
	static char p[4][160];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
	return p[k];
}

static char *
slurp(const char *p, size_t *n)
{
	FILE *f = fopen(p, "rb");
	struct buf b = { 0 };
	char c[4096];
	size_t k;
	while (f && (k = fread(c, 1, sizeof c, f)) > 0)
		buf_add(&b, c, k);
	if (f)
		fclose(f);
	*n = b.n;
	return (char *)buf_str(&b);
}

static void
spill(const char *p, const char *s)
{
	FILE *f = fopen(p, "wb");
	fputs(s, f);
	fclose(f);
}

/* A SUM line as wgo(7) says: the record, less its }, then ,"check":"<16 hex>"}. */
static void
sum_line(const char *rec, struct buf *out)
{
	uint8_t h[16];
	char hex[33];
	crypto_generichash(h, 16, (const uint8_t *)rec, strlen(rec), NULL, 0);
	sodium_bin2hex(hex, sizeof hex, h, 16);
	buf_add(out, rec, strlen(rec) - 1);
	buf_printf(out, ",\"check\":\"%.16s\"}\n", hex);
}

static void
hash256(const char *p, size_t n, char out[65])
{
	uint8_t h[32];
	crypto_generichash(h, 32, (const uint8_t *)p, n, NULL, 0);
	sodium_bin2hex(out, 65, h, 32);
}

struct seen {
	int n;
	char rec[8][128];
	unsigned long line[8];
	off_t off[8];
	size_t len[8];
	int refuse_at;
};

static int
collect(void *ctx, const struct store_rec *r, struct werr *e)
{
	struct seen *s = ctx;
	if (s->refuse_at && (int)r->line == s->refuse_at)
		return werr_set(e, "t", "not a line the owner knows");
	if (s->n < 8) {
		snprintf(s->rec[s->n], sizeof s->rec[s->n], "%.*s", (int)r->n, r->p);
		s->line[s->n] = r->line;
		s->off[s->n] = r->off;
		s->len[s->n] = r->len;
	}
	s->n++;
	return 0;
}

static int loop_seen;

static int
counted(struct rloop *L, struct json_t *r, const struct rpos *pos, struct werr *e)
{
	loop_seen++;
	return 0;
}

int
main(void)
{
	if (sodium_init() < 0)
		return 2;
	/* What the store says as it goes (a torn line moved aside, ...) is the shell
	 * tests' business; here, what it does. */
	if (!freopen("/dev/null", "w", stderr))
		return 2;
	snprintf(dir, sizeof dir, "/tmp/wgo-t-store.XXXXXX");
	if (!mkdtemp(dir))
		return 2;
	struct werr e;
	struct store s;
	struct seen seen;
	struct store_opts w = { .check = STORE_SUM, .lock = STORE_WAIT },
	                  r = { .check = STORE_SUM, .lock = STORE_READ };
	const char *recs[] = { "{\"t\":\"a\",\"n\":1}", "{\"t\":\"b\",\"s\":\"\\u00e9\"}", "{\"t\":\"c\"}" };
	struct buf want = { 0 };
	for (int i = 0; i < 3; i++)
		sum_line(recs[i], &want);

	/* ---- STORE_SUM: sealed, written, synced, replayed */
	ok(store_open(&s, path("log"), &w, NULL, NULL, &e) == 0, "a writer opens a new log");
	off_t o0 = store_add(&s, recs[0], strlen(recs[0]));
	off_t o1 = store_add(&s, recs[1], strlen(recs[1]));
	is_int(o0, 0, "the first record lands at 0");
	is_int(o1, strlen(recs[0]) - 1 + 28 + 1, "the second after the first line (27 bytes of check)");
	ok(store_flush(&s, &e) == 0, "flushed");
	store_add(&s, recs[2], strlen(recs[2]));
	ok(store_flush(&s, &e) == 0, "and again");
	size_t n;
	char *got = slurp(path("log"), &n);
	is_str(got, buf_str(&want), "the file holds each record with its BLAKE2b check");
	free(got);
	struct buf rec = { 0 };
	ok(store_get(&s, o1, strlen(recs[1]) - 1 + 28, &rec, &e) == 0, "a line read back");
	is_str(buf_str(&rec), recs[1], "is the record");
	store_close(&s);

	memset(&seen, 0, sizeof seen);
	ok(store_open(&s, path("log"), &r, collect, &seen, &e) == 0, "a reader replays it");
	is_int(seen.n, 3, "every line");
	is_str(seen.rec[1], recs[1], "each as its record, the check taken off");
	is_int(seen.line[2], 3, "numbered from 1");
	is_int(seen.off[1], o1, "with its offset");
	is_int(s.lines, 3, "the store counts its lines");
	store_close(&s);

	/* A reader of a log that is not there sees an empty one; a writer makes it. */
	memset(&seen, 0, sizeof seen);
	ok(store_open(&s, path("none"), &r, collect, &seen, &e) == 0 && seen.n == 0,
	   "a missing log is empty to a reader");
	ok(access(path("none"), F_OK) < 0, "and is not made by it");
	store_close(&s);

	/* ---- damage: a changed line, and a line its owner refuses */
	got = slurp(path("log"), &n);
	char *b = strstr(got, "\"t\":\"b\"");
	b[5] = 'x';
	spill(path("log"), got);
	memset(&seen, 0, sizeof seen);
	ok(store_open(&s, path("log"), &w, collect, &seen, &e) < 0, "a changed line stops the open");
	ok(strstr(e.field, "/log:2") != NULL, "naming the file and line 2 (%s)", e.field);
	ok(strstr(e.msg, "its check does not match") != NULL, "saying why (%s)", e.msg);
	is_int(seen.n, 1, "nothing after line 1 was handed over");
	ok(s.fd < 0 && s.lockfd < 0, "the store is closed");
	b[5] = 'b';
	spill(path("log"), got);
	free(got);
	memset(&seen, 0, sizeof seen);
	seen.refuse_at = 2;
	ok(store_open(&s, path("log"), &r, collect, &seen, &e) < 0, "a line the owner refuses stops it");
	ok(strstr(e.msg, "damaged: t: not a line the owner knows") != NULL, "with the owner's reason (%s)",
	   e.msg);

	/* ---- a torn tail: set aside by a writer, skipped by a reader */
	int fd = open(path("log"), O_WRONLY | O_APPEND);
	if (write(fd, "{\"t\":\"d\",\"n\"", 12) != 12)
		return 2;
	close(fd);
	memset(&seen, 0, sizeof seen);
	ok(store_open(&s, path("log"), &r, collect, &seen, &e) == 0 && seen.n == 3,
	   "a reader skips a torn tail");
	store_close(&s);
	ok(access(path("log.torn"), F_OK) < 0, "and leaves it where it is");
	ok(store_open(&s, path("log"), &w, NULL, NULL, &e) == 0, "a writer opens past it");
	got = slurp(path("log.torn"), &n);
	is_str(got, "{\"t\":\"d\",\"n\"\n", "it is moved to log.torn");
	free(got);
	got = slurp(path("log"), &n);
	is_str(got, buf_str(&want), "and the log is its whole lines");
	free(got);

	/* ---- the lock: a second writer that will not wait is refused, naming the first */
	struct store s2;
	struct store_opts t = { .check = STORE_SUM, .lock = STORE_TRY };
	ok(store_open(&s2, path("log"), &t, NULL, NULL, &e) < 0, "a second writer is refused");
	char pid[32];
	snprintf(pid, sizeof pid, "locked by process %ld", (long)getpid());
	ok(strstr(e.msg, pid) != NULL, "naming the process holding the lock (%s)", e.msg);

	/* ---- a write that fails leaves nothing, and takes nothing more */
	int ro = open(path("log"), O_RDONLY);
	int keep = s.fd;
	s.fd = ro;
	store_add(&s, recs[0], strlen(recs[0]));
	ok(store_write(&s, &e) < 0 && s.broken, "a failed write breaks the store");
	is_int(s.lines, 3, "the lines it sealed are dropped");
	ok(store_add(&s, recs[0], strlen(recs[0])) < 0, "and it takes nothing more");
	s.fd = keep;
	close(ro);
	store_close(&s);
	got = slurp(path("log"), &n);
	is_str(got, buf_str(&want), "the log is as it was");
	free(got);

	/* ---- STORE_CHAIN: each line carries the hash of the one before; the head */
	struct store_opts cw = { .check = STORE_CHAIN, .lock = STORE_WAIT, .from_head = 1 },
	                  cr = { .check = STORE_CHAIN, .lock = STORE_READ };
	ok(store_open(&s, path("chain"), &cw, NULL, NULL, &e) == 0, "a chain opens");
	for (int i = 0; i < 3; i++)
		store_add(&s, recs[i], strlen(recs[i]));
	buf_adds(&s.head, "id KHL-2026 3\n");
	ok(store_flush(&s, &e) == 0, "three lines");
	store_close(&s);
	struct buf cw_want = { 0 };
	char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000", h[65];
	for (int i = 0; i < 3; i++) {
		size_t at = cw_want.n;
		buf_add(&cw_want, recs[i], strlen(recs[i]) - 1);
		buf_printf(&cw_want, ",\"prev\":\"%s\"}", prev);
		hash256(cw_want.p + at, cw_want.n - at, h);
		memcpy(prev, h, 65);
		buf_addc(&cw_want, '\n');
	}
	got = slurp(path("chain"), &n);
	is_str(got, buf_str(&cw_want), "each line ends with the BLAKE2b-256 of the line before");
	free(got);
	struct buf hw = { 0 };
	buf_printf(&hw, "seq 3\nsize %zu\nhash %s\nid KHL-2026 3\n", cw_want.n, prev);
	got = slurp(path("chain.head"), &n);
	is_str(got, buf_str(&hw), "the head holds the count, size and last hash, then the owner's lines");
	free(got);
	memset(&seen, 0, sizeof seen);
	ok(store_open(&s, path("chain"), &cr, collect, &seen, &e) == 0 && seen.n == 3,
	   "a reader replays the chain");
	store_close(&s);

	/* A line changed in the middle: the line before the break is named. */
	got = slurp(path("chain"), &n);
	char *c = strstr(got, "\\u00e9");
	c[5] = 'a';
	spill(path("chain"), got);
	ok(store_open(&s, path("chain"), &cr, NULL, NULL, &e) < 0, "a changed line breaks the chain");
	ok(strstr(e.field, "/chain:2") && strstr(e.msg, "line 3 does not follow it"),
	   "line 2 is named, as line 3 does not follow it (%s: %s)", e.field, e.msg);
	c[5] = '9';
	spill(path("chain"), got);
	/* The last line cut: the head says the log lost its end. */
	got[n - 3] = 0;
	spill(path("chain"), got);
	ok(store_open(&s, path("chain"), &cw, NULL, NULL, &e) < 0, "a chain cut short of its head");
	ok(strstr(e.field, "/chain:3") && strstr(e.msg, "cut short"), "is damage at its last line (%s: %s)",
	   e.field, e.msg);
	ok(access(path("chain.torn"), F_OK) < 0, "and nothing is set aside as torn");
	free(got);
	spill(path("chain"), buf_str(&cw_want));
	/* A line written after the head (a crash before the head was): taken in. */
	struct buf more = { 0 };
	buf_add(&more, cw_want.p, cw_want.n);
	buf_printf(&more, "{\"t\":\"d\",\"prev\":\"%s\"}\n", prev);
	spill(path("chain"), buf_str(&more));
	ok(store_open(&s, path("chain"), &cw, NULL, NULL, &e) == 0, "a line after the head is taken in");
	is_int(s.lines, 4, "the chain has 4 lines");
	store_close(&s);

	/* ---- store_loop: the same check, in the record loop's reader thread */
	struct buf lw = { 0 };
	sum_line("{\"kind\":\"card_return\",\"v\":1,\"order_no\":\"A-1\",\"office\":\"KHL\",\"last_month\":\"2026-01\",\"returned\":\"2026-02-10\"}", &lw);
	sum_line("{\"kind\":\"card_return\",\"v\":1,\"order_no\":\"A-2\",\"office\":\"KHL\",\"last_month\":\"2026-01\",\"returned\":\"2026-02-11\"}", &lw);
	spill(path("loop"), buf_str(&lw));
	struct rloop L = { 0 };
	L.cb = counted;
	L.validate = 1;
	loop_seen = 0;
	is_int(store_loop(path("loop"), STORE_SUM, &L), 0, "store_loop reads a log through the record loop");
	is_int(loop_seen, 2, "each record, its check taken off and valid");
	char *lb = strstr(lw.p, "A-2");
	lb[2] = '3';
	spill(path("loop"), buf_str(&lw));
	memset(&L, 0, sizeof L);
	L.cb = counted;
	loop_seen = 0;
	is_int(store_loop(path("loop"), STORE_SUM, &L), 2, "a damaged line stops it, status 2");
	is_int(loop_seen, 1, "after the lines before it");
	buf_free(&lw);
	unlink(path("loop"));

	buf_free(&want);
	buf_free(&rec);
	buf_free(&cw_want);
	buf_free(&hw);
	buf_free(&more);
	const char *names[] = { "log", "log.lock", "log.torn", "chain", "chain.head", "chain.lock", "none.lock" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		unlink(path(names[i]));
	rmdir(dir);
	return done();
}
