/* The record stream: a strict reader of JSON lines with file:line positions, the
 * record loop over files or standard input, and the rejects file. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "wgo.h"

/* JSON's white space. */
static inline int
json_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!json_ws((unsigned char)s[i]))
			return 0;
	return 1;
}

/* jansson reports a duplicate key by the position just after the key's closing
 * quote: the key is the string that ends there. Returns where it starts (its
 * opening quote), or pos when there is no such string. */
static size_t
dup_key_name(const char *line, size_t pos, char *out, size_t outsz)
{
	out[0] = 0;
	if (pos < 2 || line[pos - 1] != '"')
		return pos;
	/* Back to the opening quote: the first quote not escaped by an odd run of
	 * backslashes. */
	size_t start = pos - 1;
	for (;;) {
		if (start == 0)
			return pos;
		start--;
		if (line[start] != '"')
			continue;
		size_t bs = 0;
		while (start > bs && line[start - 1 - bs] == '\\')
			bs++;
		if (bs % 2 == 0)
			break;
	}
	json_error_t err;
	json_t *k = json_loadb(line + start, pos - start, JSON_DECODE_ANY, &err);
	if (k && json_is_string(k))
		snprintf(out, outsz, "%s", json_string_value(k));
	json_decref(k);
	return out[0] ? start : pos;
}

/* The plain line's fast path. jansson reads a line a byte at a time through its
 * stream and copies every string twice; this reads it in one pass and builds the
 * same tree with jansson's own constructors. It takes only what it is sure of:
 * anything else (a number with a fraction or exponent, \u0000, a lone surrogate,
 * a duplicate key, bad UTF-8, a control byte, deep nesting, bytes after the value,
 * any syntax error) makes it give up, and jansson parses the line and says what is
 * wrong, so every message is jansson's as before. */
struct fastp {
	const unsigned char *p, *end;
	struct buf tmp; /* an escaped string, decoded */
};

/* Bytes a string's plain run stops at: the quote, the backslash, controls, and
 * the lead of a multi-byte character (checked as UTF-8). */
static const unsigned char fast_stop[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1,
	[0x80] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static void
fast_ws(struct fastp *s)
{
	while (s->p < s->end && json_ws(*s->p))
		s->p++;
}

static int
fast_hex4(const unsigned char *p, const unsigned char *end, uint32_t *v)
{
	if (end - p < 4)
		return -1;
	*v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned c = p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

/* A string at s->p (just after its opening quote): sets *str and *len to its
 * text (in the line itself when it has no escape, else in s->tmp). */
static int
fast_string(struct fastp *s, const char **str, size_t *len)
{
	const unsigned char *p = s->p, *start = p;
	int escaped = 0;
	s->tmp.n = 0;
	for (;;) {
		while (p < s->end && !fast_stop[*p])
			p++;
		if (p >= s->end || *p < 0x20)
			return -1;
		if (*p >= 0x80) {
			uint32_t cp;
			int k = utf8_decode(p, (size_t)(s->end - p), &cp);
			if (!k)
				return -1;
			p += k;
			continue;
		}
		if (*p == '"')
			break;
		/* a backslash */
		buf_add(&s->tmp, (const char *)start, (size_t)(p - start));
		escaped = 1;
		if (s->end - p < 2)
			return -1;
		char c;
		switch (p[1]) {
		case '"': c = '"'; break;
		case '\\': c = '\\'; break;
		case '/': c = '/'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u': {
			uint32_t v, lo;
			if (fast_hex4(p + 2, s->end, &v) < 0 || v == 0 || (v >= 0xDC00 && v <= 0xDFFF))
				return -1;
			p += 6;
			if (v >= 0xD800 && v <= 0xDBFF) {
				if (s->end - p < 2 || p[0] != '\\' || p[1] != 'u' ||
				    fast_hex4(p + 2, s->end, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
					return -1;
				v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
				p += 6;
			}
			char u[4];
			int un = utf8_encode(v, u);
			buf_add(&s->tmp, u, (size_t)un);
			start = p;
			continue;
		}
		default:
			return -1;
		}
		buf_addc(&s->tmp, c);
		p += 2;
		start = p;
	}
	if (escaped) {
		buf_add(&s->tmp, (const char *)start, (size_t)(p - start));
		*str = s->tmp.p;
		*len = s->tmp.n;
	} else {
		*str = (const char *)start;
		*len = (size_t)(p - start);
	}
	s->p = p + 1;
	return 0;
}

/* A literal: its value, or NULL when the word is not there. What follows a scalar
 * is its container's to check (a comma or its closing bracket), so "truex" and
 * "12a" are given up there. */
static json_t *
fast_word(struct fastp *s, const char *w, json_t *v)
{
	size_t n = strlen(w);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n))
		return NULL;
	s->p += n;
	return v;
}

static json_t *
fast_value(struct fastp *s, int depth)
{
	fast_ws(s);
	if (s->p >= s->end)
		return NULL;
	const unsigned char *p = s->p;
	switch (*p) {
	case '{': {
		if (depth >= 64)
			return NULL;
		json_t *o = json_object();
		s->p++;
		fast_ws(s);
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return o;
		}
		for (;;) {
			const char *k;
			size_t kn;
			if (s->p >= s->end || *s->p != '"')
				goto bad_obj;
			s->p++;
			if (fast_string(s, &k, &kn) < 0)
				goto bad_obj;
			fast_ws(s);
			if (s->p >= s->end || *s->p != ':')
				goto bad_obj;
			s->p++;
			/* The key is copied before the value can reuse s->tmp. */
			char small[64], *kc = kn < sizeof small ? small : xmalloc(kn + 1);
			memcpy(kc, k, kn);
			json_t *v = fast_value(s, depth + 1);
			size_t before = json_object_size(o);
			int dup = v ? (json_object_setn_new_nocheck(o, kc, kn, v) < 0 ||
			               json_object_size(o) == before)
			            : 1;
			if (kc != small)
				free(kc);
			if (dup) /* no value, or a key twice: jansson says which */
				goto bad_obj;
			fast_ws(s);
			if (s->p < s->end && *s->p == ',') {
				s->p++;
				fast_ws(s);
				continue;
			}
			if (s->p < s->end && *s->p == '}') {
				s->p++;
				return o;
			}
		bad_obj:
			json_decref(o);
			return NULL;
		}
	}
	case '[': {
		if (depth >= 64)
			return NULL;
		json_t *a = json_array();
		s->p++;
		fast_ws(s);
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return a;
		}
		for (;;) {
			json_t *v = fast_value(s, depth + 1);
			if (!v || json_array_append_new(a, v) < 0)
				break;
			fast_ws(s);
			if (s->p < s->end && *s->p == ',') {
				s->p++;
				continue;
			}
			if (s->p < s->end && *s->p == ']') {
				s->p++;
				return a;
			}
			break;
		}
		json_decref(a);
		return NULL;
	}
	case '"': {
		const char *t;
		size_t tn;
		s->p++;
		if (fast_string(s, &t, &tn) < 0)
			return NULL;
		return json_stringn_nocheck(t, tn);
	}
	case 't':
		return fast_word(s, "true", json_true());
	case 'f':
		return fast_word(s, "false", json_false());
	case 'n':
		return fast_word(s, "null", json_null());
	default: {
		/* An integer of at most 18 digits, no leading zero: jansson's strtoll
		 * takes it whole. Anything longer, or with a fraction or exponent, is
		 * jansson's. */
		int neg = *p == '-';
		if (neg)
			p++;
		const unsigned char *d = p;
		long long v = 0;
		while (p < s->end && *p >= '0' && *p <= '9') {
			if (p - d == 18) /* a 19th digit: past it v could overflow */
				return NULL;
			v = v * 10 + (*p++ - '0');
		}
		size_t nd = (size_t)(p - d);
		if (nd == 0 || (nd > 1 && *d == '0'))
			return NULL;
		s->p = p;
		return json_integer(neg ? -v : v);
	}
	}
}

json_t *
json_parse_plain(const char *line, size_t len)
{
	struct fastp s = { (const unsigned char *)line, (const unsigned char *)line + len, { 0 } };
	fast_ws(&s);
	if (s.p >= s.end || *s.p != '{')
		return NULL;
	json_t *v = fast_value(&s, 0);
	buf_free(&s.tmp);
	if (v && !is_blank((const char *)s.p, (size_t)(s.end - s.p))) {
		json_decref(v);
		return NULL;
	}
	return v;
}

json_t *
rec_parse(const char *line, size_t len, struct werr *e)
{
	json_t *fast = json_parse_plain(line, len);
	if (fast)
		return fast;
	json_error_t err;
	json_t *v = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK |
	                                     JSON_DECODE_ANY, &err);
	/* jansson refuses a NUL byte too; the scan for it is only needed to say so. */
	const char *nul = v ? NULL : memchr(line, 0, len);
	if (nul)
		return werr_set(e, "", "NUL byte at column %zu", (size_t)(nul - line) + 1), NULL;
	if (!v) {
		size_t bad;
		if (len >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3))
			return werr_set(e, "", "the line starts with a UTF-8 byte order mark (BOM): "
			                "save the file as UTF-8 without one"), NULL;
		if (!utf8_valid(line, len, &bad))
			return werr_set(e, "", "invalid UTF-8 at column %zu", bad + 1), NULL;
		size_t col = (size_t)err.position + 1;
		switch (json_error_code(&err)) {
		case json_error_duplicate_key: {
			char k[64];
			size_t at = dup_key_name(line, (size_t)err.position, k, sizeof k);
			if (k[0])
				return werr_set(e, k, "duplicate key at column %zu", at + 1), NULL;
			return werr_set(e, "", "duplicate key at column %zu", col), NULL;
		}
		case json_error_null_character:
			return werr_set(e, "", "\\u0000 in a string at column %zu", col), NULL;
		case json_error_numeric_overflow:
			return werr_set(e, "", "number out of range at column %zu", col), NULL;
		case json_error_premature_end_of_input:
			return werr_set(e, "", "line ends inside the JSON value"), NULL;
		case json_error_stack_overflow:
			return werr_set(e, "", "nested too deeply at column %zu", col), NULL;
		default:
			return werr_set(e, "", "invalid JSON at column %zu: %s", col, err.text), NULL;
		}
	}
	size_t used = (size_t)err.position;
	if (used < len && !is_blank(line + used, len - used)) {
		json_decref(v);
		const char *z = memchr(line, 0, len);
		if (z)
			return werr_set(e, "", "NUL byte at column %zu", (size_t)(z - line) + 1), NULL;
		size_t bad;
		if (!utf8_valid(line, len, &bad))
			return werr_set(e, "", "invalid UTF-8 at column %zu", bad + 1), NULL;
		return werr_set(e, "", "trailing garbage after the JSON value at column %zu",
		                used + 1), NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		return werr_set(e, "", "not a JSON object (a record is one object a line)"), NULL;
	}
	return v;
}

void
rec_rejects_to(struct rloop *L, const char *path)
{
	L->rejects = rec_open_rejects(path);
	L->rejects_name = strcmp(path, "-") ? path : "standard error";
}

void
rec_summary(const struct rloop *L, const char *what, ...)
{
	if (!summary_enabled())
		return;
	struct buf b = { 0 };
	va_list ap;
	va_start(ap, what);
	int n = vsnprintf(NULL, 0, what, ap);
	va_end(ap);
	buf_grow(&b, (size_t)n + 1);
	va_start(ap, what);
	vsnprintf(b.p, (size_t)n + 1, what, ap);
	va_end(ap);
	if (L->nrejected && L->rejects_name)
		summary("%lu read, %s, %lu rejected (in %s)", L->nread, b.p, L->nrejected,
		        L->rejects_name);
	else
		summary("%lu read, %s, %lu rejected", L->nread, b.p, L->nrejected);
	buf_free(&b);
}

FILE *
rec_open_rejects(const char *path)
{
	if (!strcmp(path, "-"))
		return stderr;
	FILE *f = fopen(path, "w");
	if (!f)
		die("%s:", path);
	return f;
}

void
rec_reject(struct rloop *L, const struct rpos *pos, const json_t *rec, const char *raw,
           size_t rawlen, const struct werr *e)
{
	L->nrejected++;
	if (!L->quiet) {
		if (e->field[0])
			warnf("%s:%lu: %s: %s", pos->file, pos->line, e->field, e->msg);
		else
			warnf("%s:%lu: %s", pos->file, pos->line, e->msg);
	}
	if (L->on_reject)
		L->on_reject(L, pos, rec, e);
	if (!L->rejects)
		return;
	json_t *r = json_object();
	json_object_set_new(r, "kind", json_string("reject"));
	json_object_set_new(r, "v", json_integer(WGO_FORMAT_VERSION));
	json_object_set_new(r, "source", json_string(pos->file));
	json_object_set_new(r, "line", json_integer((json_int_t)pos->line));
	json_object_set_new(r, "field", json_string(e->field));
	json_object_set_new(r, "reason", json_string(e->msg));
	if (rec) {
		json_object_set(r, "record", (json_t *)rec);
	} else if (raw && utf8_valid(raw, rawlen, NULL) && !memchr(raw, 0, rawlen)) {
		json_object_set_new(r, "text", json_stringn(raw, rawlen));
	} else if (raw) {
		struct buf b = { 0 };
		b64_encode((const unsigned char *)raw, rawlen, &b);
		json_object_set_new(r, "text_base64", json_stringn(b.p ? b.p : "", b.n));
		buf_free(&b);
	}
	if (rec_write(L->rejects, r) < 0)
		die("rejects: write error:");
	json_decref(r);
}

static int
kind_wanted(const struct rloop *L, const char *kind)
{
	if (!L->kinds)
		return 1;
	for (const char *const *k = L->kinds; *k; k++)
		if (!strcmp(*k, kind))
			return 1;
	return 0;
}

/* A corrected reject fed back in: its record, or its text parsed again. */
static json_t *
unwrap_reject(json_t *r, struct werr *e)
{
	json_t *in = json_object_get(r, "record");
	if (json_is_object(in))
		return json_incref(in);
	const char *t = jstr(r, "text");
	if (t)
		return rec_parse(t, json_string_length(json_object_get(r, "text")), e);
	t = jstr(r, "text_base64");
	if (t) {
		struct buf b = { 0 };
		json_t *v = NULL;
		if (b64_decode(t, strlen(t), &b) < 0)
			werr_set(e, "text_base64", "not base64");
		else
			v = rec_parse(b.p ? b.p : "", b.n, e);
		buf_free(&b);
		return v;
	}
	werr_set(e, "record", "a reject carries a record, text or text_base64");
	return NULL;
}

/* ---- jansson's memory ----
 * Every allocation jansson makes carries a 16-byte header saying where it came
 * from: malloc, or the arena of a batch of records in a loop whose records do not
 * outlive their callback (rloop.transient). Such records cost no malloc and no
 * free at all: the arena is reset when the batch is recycled. */

struct arena_chunk {
	struct arena_chunk *next;
	size_t cap, used, pad; /* keeps data 16-byte aligned */
	char data[];
};
struct arena {
	struct arena_chunk *head;
};
static _Thread_local struct arena *cur_arena;
#define HDR 16
#define ARENA_CHUNK (256 * 1024)

static void *
json_alloc(size_t n)
{
	struct arena *a = cur_arena;
	if (!a) {
		unsigned char *p = malloc(n + HDR);
		if (!p)
			return NULL;
		p[0] = 0;
		return p + HDR;
	}
	size_t need = ((n + 15) & ~(size_t)15) + HDR;
	struct arena_chunk *c = a->head;
	if (!c || c->cap - c->used < need) {
		size_t cap = need > ARENA_CHUNK ? need : ARENA_CHUNK;
		struct arena_chunk *nc = malloc(sizeof *nc + cap);
		if (!nc)
			return NULL;
		nc->cap = cap;
		nc->used = 0;
		nc->next = c;
		a->head = c = nc;
	}
	unsigned char *p = (unsigned char *)c->data + c->used;
	c->used += need;
	p[0] = 1;
	return p + HDR;
}

static void
json_release(void *ptr)
{
	if (!ptr)
		return;
	unsigned char *p = (unsigned char *)ptr - HDR;
	if (!p[0])
		free(p);
}

/* Keep one chunk for the next batch; give the rest back. */
static void
arena_reset(struct arena *a, int keep)
{
	struct arena_chunk *c = a->head;
	a->head = NULL;
	while (c) {
		struct arena_chunk *next = c->next;
		if (keep && !a->head && c->cap == ARENA_CHUNK) {
			c->used = 0;
			c->next = NULL;
			a->head = c;
		} else {
			free(c);
		}
		c = next;
	}
}

struct json_arena *
json_arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

struct json_arena *
json_arena_use(struct json_arena *a)
{
	struct arena *old = cur_arena;
	cur_arena = (struct arena *)a;
	return (struct json_arena *)old;
}

void
json_arena_free(struct json_arena *a)
{
	if (!a)
		return;
	arena_reset((struct arena *)a, 0);
	free(a);
}

__attribute__((constructor)) static void
json_memory(void)
{
	json_set_alloc_funcs(json_alloc, json_release);
}

/* The loop runs in threads: a reader that reads and splits lines into batches,
 * parsers (one a core, up to four) that each take a whole batch and parse and
 * check its lines, and the caller's thread, which takes the batches in input
 * order, reports rejects and runs the callback. Parsing is most of the work of
 * many tools, so on two cores it no longer waits on one thread. On one core the
 * reader parses each batch itself. */

enum { IT_OK, IT_PASS, IT_REJECT, IT_MSG, IT_STOP, IT_TODO };

struct item {
	int state;
	unsigned long line;
	const char *file;
	json_t *rec;
	char *raw; /* the line, kept only when it did not parse */
	size_t rawlen;
	size_t off; /* IT_TODO: the line is rawlen bytes at off in the batch's text */
	struct werr *e;
	void *prep; /* what L->prepare made of the record (malloc'd) */
};

#define BATCH 256
#define QUEUE 6
#define BATCH_TEXT (4u << 20) /* a batch's lines are parsed once they hold this much */
#define MAX_PARSERS 4

struct batch {
	struct item it[BATCH];
	struct arena arena; /* the records' memory, when the loop is transient */
	struct buf text;    /* the lines still to parse */
	size_t n;
	int claimed, ready; /* taken by a parser; parsed */
	struct batch *next; /* on the list of batches handed back to be freed */
};

struct reader {
	struct rloop *L;
	int argc;
	char **argv;
	pthread_mutex_t mu;
	pthread_cond_t more, room, work;
	int nparsers;
	pthread_t parsers[MAX_PARSERS];
	struct batch *q[QUEUE];
	size_t head, count;
	int done, quit, status, finished;
	struct batch *cur;
	struct batch *used; /* consumed batches, freed by the reader that made them */
	struct batch *spare; /* emptied batches, kept: allocating a large one each time
	                      * makes malloc consolidate its free lists over and over */
	_Atomic uint64_t bytes; /* read so far, for the progress */
};

static void free_item(struct item *it);

/* Memory goes back to the thread that allocated it: freeing another thread's
 * objects makes glibc's malloc fight over its arena locks. */
static void
free_transient(struct item *it)
{
	/* The record and all its parts are in the batch's arena. */
	free(it->raw);
	free(it->e);
	free(it->prep);
}

static void
free_used(struct reader *R)
{
	pthread_mutex_lock(&R->mu);
	struct batch *b = R->used;
	R->used = NULL;
	pthread_mutex_unlock(&R->mu);
	while (b) {
		struct batch *next = b->next;
		for (size_t i = 0; i < b->n; i++)
			if (R->L->transient)
				free_transient(&b->it[i]);
			else
				free_item(&b->it[i]);
		arena_reset(&b->arena, 1);
		b->n = 0;
		b->text.n = 0;
		b->next = R->spare;
		R->spare = b;
		b = next;
	}
}

static void parse_batch(struct reader *R, struct batch *b);

static void
push_batch(struct reader *R)
{
	struct batch *b = R->cur;
	b->claimed = b->ready = 0;
	if (!R->nparsers) {
		parse_batch(R, b);
		b->claimed = b->ready = 1;
	}
	pthread_mutex_lock(&R->mu);
	while (R->count == QUEUE && !R->quit)
		pthread_cond_wait(&R->room, &R->mu);
	if (R->quit) {
		pthread_mutex_unlock(&R->mu);
		return; /* the consumer frees what it never took */
	}
	R->q[(R->head + R->count) % QUEUE] = b;
	R->count++;
	R->cur = NULL;
	pthread_cond_broadcast(b->ready ? &R->more : &R->work);
	pthread_mutex_unlock(&R->mu);
}

/* A parser: the oldest batch no one has taken, parsed, until the reader is done
 * (or the consumer has stopped) and nothing is left to take. Once the consumer
 * has stopped, a batch is only marked parsed: it will not be read. The first
 * parser always works; the others only while the consumer has less than two
 * parsed batches before it: when the consumer is the slower (a database to
 * write), they would take the core it needs. */
struct parser {
	struct reader *R;
	int first;
};

static void *
parser_main(void *arg)
{
	struct parser *P = arg;
	struct reader *R = P->R;
	pthread_mutex_lock(&R->mu);
	for (;;) {
		struct batch *b = NULL;
		size_t ready = 0;
		for (size_t i = 0; i < R->count && R->q[(R->head + i) % QUEUE]->ready; i++)
			ready++;
		for (size_t i = 0; i < R->count && !b; i++)
			if (!R->q[(R->head + i) % QUEUE]->claimed)
				b = R->q[(R->head + i) % QUEUE];
		if (b && !P->first && ready >= 2 && !R->quit && !R->done) {
			pthread_cond_wait(&R->work, &R->mu);
			continue;
		}
		if (!b) {
			if (R->done || R->quit)
				break;
			pthread_cond_wait(&R->work, &R->mu);
			continue;
		}
		b->claimed = 1;
		int skip = R->quit;
		pthread_mutex_unlock(&R->mu);
		if (!skip)
			parse_batch(R, b);
		pthread_mutex_lock(&R->mu);
		b->ready = 1;
		pthread_cond_broadcast(&R->more);
	}
	pthread_mutex_unlock(&R->mu);
	return NULL;
}

static struct item *
new_item(struct reader *R, const char *file, unsigned long line)
{
	if (!R->cur) {
		free_used(R);
		if (R->spare) {
			R->cur = R->spare;
			R->spare = R->cur->next;
		} else {
			R->cur = xcalloc(1, sizeof *R->cur);
		}
	}
	struct item *it = &R->cur->it[R->cur->n++];
	memset(it, 0, sizeof *it);
	it->file = file;
	it->line = line;
	return it;
}

static void
item_done(struct reader *R)
{
	if (R->cur->n == BATCH || R->cur->text.n >= BATCH_TEXT)
		push_batch(R);
}

static void
item_reject(struct item *it, json_t *rec, const char *raw, size_t len, struct werr *e)
{
	it->state = IT_REJECT;
	it->rec = rec;
	if (!rec) {
		it->raw = xmalloc(len + 1);
		memcpy(it->raw, raw, len);
		it->rawlen = len;
	}
	it->e = xmalloc(sizeof *it->e);
	*it->e = *e;
}

/* In the reader: a line into the batch, to be parsed. */
static void
prep_line(struct reader *R, const char *file, unsigned long ln, const char *line, size_t len)
{
	struct rloop *L = R->L;
	if (is_blank(line, len))
		return; /* blank lines are allowed and skipped */
	struct item *it = new_item(R, file, ln);
	if (len > L->maxline) {
		struct werr e = { { 0 }, { 0 } };
		werr_set(&e, "", "line longer than %zu bytes", L->maxline);
		item_reject(it, NULL, line, len, &e);
	} else {
		it->state = IT_TODO;
		it->off = R->cur->text.n;
		it->rawlen = len;
		buf_add(&R->cur->text, line, len);
	}
	item_done(R);
}

/* In a parser: everything about one line that does not depend on the tool's
 * state. */
static void
parse_item(struct rloop *L, struct item *it, const char *line, size_t len)
{
	struct werr e = { { 0 }, { 0 } };
	it->rawlen = 0;
	json_t *rec = rec_parse(line, len, &e);
	if (!rec) {
		item_reject(it, NULL, line, len, &e);
		return;
	}
	const char *kind = jstr(rec, "kind");
	if (kind && !strcmp(kind, "reject")) {
		json_t *inner = unwrap_reject(rec, &e);
		json_decref(rec);
		if (!inner) {
			item_reject(it, NULL, line, len, &e);
			return;
		}
		rec = inner;
		kind = jstr(rec, "kind");
	}
	json_t *k = json_object_get(rec, "kind");
	if (!k || !json_is_string(k)) {
		werr_set(&e, "kind", k ? "not a string" : "missing");
		item_reject(it, rec, line, len, &e);
	} else if (!rec_kind_known(kind)) {
		werr_set(&e, "kind", "unknown kind \"%.40s\"", kind);
		item_reject(it, rec, line, len, &e);
	} else if (!kind_wanted(L, kind)) {
		if (L->passthrough) {
			it->state = IT_PASS;
			it->rec = rec;
		} else {
			werr_set(&e, "kind", "%s does not read \"%s\" records", wgo_prog, kind);
			item_reject(it, rec, line, len, &e);
		}
	} else if (L->validate && !L->validate_here && rec_validate(rec, &e) < 0) {
		item_reject(it, rec, line, len, &e);
	} else {
		it->state = IT_OK;
		it->rec = rec;
		if (L->precheck && !L->validate_here && L->precheck(rec, &e, L->ctx) < 0) {
			it->e = xmalloc(sizeof *it->e);
			*it->e = e;
		}
		if (L->prepare && !L->validate_here)
			it->prep = L->prepare(rec, L->ctx);
	}
}

static void
parse_batch(struct reader *R, struct batch *b)
{
	struct rloop *L = R->L;
	cur_arena = L->transient ? &b->arena : NULL;
	for (size_t i = 0; i < b->n; i++)
		if (b->it[i].state == IT_TODO)
			parse_item(L, &b->it[i], b->text.p + b->it[i].off, b->it[i].rawlen);
	cur_arena = NULL;
}

static void
prep_msg(struct reader *R, const char *file, const char *fmt, ...)
{
	struct item *it = new_item(R, file, 0);
	va_list ap;
	it->state = IT_MSG;
	it->e = xcalloc(1, sizeof *it->e);
	va_start(ap, fmt);
	vsnprintf(it->e->msg, sizeof it->e->msg, fmt, ap);
	va_end(ap);
	item_done(R);
}

/* A line longer than this many times the limit is not held in memory whole: the
 * rejects file gets its first part and the rest is skipped to the newline. */
#define HOLD_FACTOR 4

static int
read_fd(struct reader *R, int fd, const char *name)
{
	struct rloop *L = R->L;
	size_t cap = 1 << 20, have = 0, start = 0;
	size_t hold = L->maxline * HOLD_FACTOR;
	/* A small file gets a buffer its size (it grows if the file does): a program
	 * reading a log of a few lines, or a fuzz target, needs no megabyte. */
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
	    (size_t)st.st_size + 1 < cap)
		cap = (size_t)st.st_size + 1 < 4096 ? 4096 : (size_t)st.st_size + 1;
	char *b = xmalloc(cap);
	unsigned long ln = 0;
	int eof = 0, rc = 0, skipping = 0;

	while ((!eof || start < have) && !R->quit) {
		char *nl = memchr(b + start, '\n', have - start);
		if (skipping) {
			start = nl ? (size_t)(nl - b) + 1 : have;
			skipping = !nl;
			if (!skipping)
				continue;
		} else if (!nl && !eof && have - start > hold) {
			struct werr e;
			werr_set(&e, "", "line longer than %zu bytes (only the first %zu kept)",
			         L->maxline, hold);
			item_reject(new_item(R, name, ++ln), NULL, b + start, hold, &e);
			item_done(R);
			skipping = 1;
			start = have;
			continue;
		}
		if (!nl && !eof) {
			if (start > 0) {
				memmove(b, b + start, have - start);
				have -= start;
				start = 0;
			}
			if (have == cap) {
				cap *= 2;
				b = xrealloc(b, cap);
			}
			ssize_t r = read(fd, b + have, cap - have);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				prep_msg(R, name, "%s: read error: %s", name, strerror(errno));
				rc = WGO_EXIT_USAGE;
				break;
			}
			if (r == 0)
				eof = 1;
			have += (size_t)r;
			atomic_fetch_add_explicit(&R->bytes, (uint64_t)r, memory_order_relaxed);
			continue;
		}
		if (start >= have)
			break;
		/* A missing final newline is accepted. */
		size_t len = nl ? (size_t)(nl - (b + start)) : have - start, use = len;
		int c = 0;
		struct werr e = { { 0 }, { 0 } };
		if (L->line_check && (c = L->line_check(L->line_ctx, b + start, &use, nl != NULL, &e)) < 0) {
			struct item *it = new_item(R, name, ++ln);
			it->state = IT_STOP;
			it->e = xmalloc(sizeof *it->e);
			*it->e = e;
			item_done(R);
			rc = WGO_EXIT_USAGE;
			break;
		}
		if (c == 0)
			prep_line(R, name, ++ln, b + start, use);
		else
			ln++;
		start += len + (nl ? 1 : 0);
	}
	free(b);
	return rc;
}

static void *
reader_main(void *arg)
{
	struct reader *R = arg;
	int st = 0;
	if (R->argc == 0)
		st = wgo_worse(st, read_fd(R, 0, "<stdin>"));
	for (int i = 0; i < R->argc && !R->quit; i++) {
		if (!strcmp(R->argv[i], "-")) {
			st = wgo_worse(st, read_fd(R, 0, "<stdin>"));
			continue;
		}
		int fd = open(R->argv[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			prep_msg(R, R->argv[i], "%s: %s", R->argv[i], strerror(errno));
			st = wgo_worse(st, WGO_EXIT_USAGE);
			continue;
		}
		st = wgo_worse(st, read_fd(R, fd, R->argv[i]));
		close(fd);
	}
	if (R->cur && R->cur->n)
		push_batch(R);
	pthread_mutex_lock(&R->mu);
	R->status = st;
	R->done = 1;
	pthread_cond_signal(&R->more);
	pthread_cond_broadcast(&R->work);
	/* Free what comes back until the consumer has taken everything. */
	while (!R->quit && (R->count > 0 || !R->finished)) {
		pthread_mutex_unlock(&R->mu);
		free_used(R);
		pthread_mutex_lock(&R->mu);
		if (!R->quit && (R->count > 0 || !R->finished) && !R->used)
			pthread_cond_wait(&R->room, &R->mu);
	}
	pthread_mutex_unlock(&R->mu);
	free_used(R);
	return NULL;
}

static void
free_item(struct item *it)
{
	json_decref(it->rec);
	free(it->raw);
	free(it->e);
	free(it->prep);
}

static void
consume(struct rloop *L, struct item *it)
{
	struct rpos pos = { it->file, it->line };
	struct werr e = { { 0 }, { 0 } };
	switch (it->state) {
	case IT_MSG:
		warnf("%s", it->e->msg);
		return;
	case IT_STOP:
		warnf("%s%s%s", it->e->field, it->e->field[0] ? ": " : "", it->e->msg);
		L->status = wgo_worse(L->status, WGO_EXIT_USAGE);
		L->stop = 1;
		return;
	case IT_REJECT:
		L->nread++;
		rec_reject(L, &pos, it->rec, it->raw, it->rawlen, it->e);
		return;
	case IT_PASS:
		L->nread++;
		L->npassed++;
		if (rec_write(stdout, it->rec) < 0)
			die("<stdout>: write error:");
		return;
	}
	L->nread++;
	if (L->validate && L->validate_here) {
		if (rec_validate(it->rec, &e) < 0) {
			rec_reject(L, &pos, it->rec, NULL, 0, &e);
			return;
		}
		if (L->precheck && !it->e && L->precheck(it->rec, &e, L->ctx) < 0) {
			it->e = xmalloc(sizeof *it->e);
			*it->e = e;
		}
		if (L->prepare)
			it->prep = L->prepare(it->rec, L->ctx);
	}
	L->precheck_err = it->e;
	L->prepared = it->prep;
	int rc = L->cb ? L->cb(L, it->rec, &pos, &e) : 0;
	L->precheck_err = NULL;
	L->prepared = NULL;
	if (rc == 0) {
		L->nok++;
	} else if (rc == -1) {
		rec_reject(L, &pos, it->rec, NULL, 0, &e);
	} else {
		/* The tool cannot go on (no key, a full disk): say so and stop reading. */
		if (e.msg[0])
			warnf("%s%s%s", e.field, e.field[0] ? ": " : "", e.msg);
		L->status = wgo_worse(L->status, WGO_EXIT_USAGE);
		L->stop = 1;
	}
}

/* The bytes the loop will read, when every input is a regular file; else 0. */
static uint64_t
input_size(int argc, char **argv)
{
	struct stat st;
	uint64_t n = 0;
	for (int i = 0; i < (argc ? argc : 1); i++) {
		int ok = !argc || !strcmp(argv[i], "-") ? fstat(0, &st) == 0 : stat(argv[i], &st) == 0;
		if (!ok || !S_ISREG(st.st_mode))
			return 0;
		n += (uint64_t)st.st_size;
	}
	return n;
}

int
rec_loop(struct rloop *L, int argc, char **argv)
{
	if (!L->maxline)
		L->maxline = REC_MAX_LINE;
	progress_start(&L->progress, L->unit ? L->unit : "records",
	               progress_enabled() ? input_size(argc, argv) : 0, 0);
	json_object_seed(0); /* before a second thread makes objects */
	struct reader R = { 0 };
	R.L = L;
	R.argc = argc;
	R.argv = argv;
	pthread_mutex_init(&R.mu, NULL);
	pthread_cond_init(&R.more, NULL);
	pthread_cond_init(&R.room, NULL);
	pthread_cond_init(&R.work, NULL);
	/* The parsers first: the reader reads how many there are. With none (one
	 * core, or no thread to be had), the reader parses. */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int want = cores > 1 ? (cores > MAX_PARSERS ? MAX_PARSERS : (int)cores) : 0;
	struct parser P[MAX_PARSERS];
	while (R.nparsers < want) {
		P[R.nparsers] = (struct parser){ &R, R.nparsers == 0 };
		if (pthread_create(&R.parsers[R.nparsers], NULL, parser_main, &P[R.nparsers]) != 0)
			break;
		R.nparsers++;
	}
	pthread_t th;
	if (pthread_create(&th, NULL, reader_main, &R) != 0)
		die("cannot start the reader thread");
	for (;;) {
		pthread_mutex_lock(&R.mu);
		while ((R.count == 0 && !R.done) || (R.count > 0 && !R.q[R.head]->ready))
			pthread_cond_wait(&R.more, &R.mu);
		if (R.count == 0 && R.done) {
			pthread_mutex_unlock(&R.mu);
			break;
		}
		struct batch *b = R.q[R.head];
		R.head = (R.head + 1) % QUEUE;
		R.count--;
		pthread_cond_signal(&R.room);
		if (R.nparsers > 1)
			pthread_cond_broadcast(&R.work);
		pthread_mutex_unlock(&R.mu);
		/* A transient loop's callback allocates in the batch's arena too, so that
		 * everything attached to its records goes when the batch does. */
		cur_arena = L->transient ? &b->arena : NULL;
		for (size_t i = 0; i < b->n && !L->stop; i++)
			consume(L, &b->it[i]);
		cur_arena = NULL;
		progress_tick(&L->progress, L->nread,
		              atomic_load_explicit(&R.bytes, memory_order_relaxed));
		pthread_mutex_lock(&R.mu);
		b->next = R.used;
		R.used = b;
		if (L->stop) {
			R.quit = 1;
			pthread_cond_broadcast(&R.work);
		}
		pthread_cond_signal(&R.room);
		pthread_mutex_unlock(&R.mu);
	}
	progress_end(&L->progress);
	pthread_mutex_lock(&R.mu);
	R.finished = 1;
	pthread_cond_signal(&R.room);
	pthread_mutex_unlock(&R.mu);
	pthread_join(th, NULL);
	/* The reader is done: the parsers finish what they hold and go. */
	pthread_mutex_lock(&R.mu);
	R.done = 1;
	pthread_cond_broadcast(&R.work);
	pthread_mutex_unlock(&R.mu);
	for (int k = 0; k < R.nparsers; k++)
		pthread_join(R.parsers[k], NULL);
	free_used(&R);
	while (R.spare) {
		struct batch *b = R.spare;
		R.spare = b->next;
		arena_reset(&b->arena, 0);
		buf_free(&b->text);
		free(b);
	}
	/* What the reader made after we stopped and never queued. */
	for (size_t i = 0; R.cur && i < R.cur->n; i++)
		free_item(&R.cur->it[i]);
	if (R.cur) {
		arena_reset(&R.cur->arena, 0);
		buf_free(&R.cur->text);
	}
	free(R.cur);
	for (size_t k = 0; k < R.count; k++) {
		struct batch *b = R.q[(R.head + k) % QUEUE];
		for (size_t i = 0; i < b->n; i++)
			free_item(&b->it[i]);
		arena_reset(&b->arena, 0);
		buf_free(&b->text);
		free(b);
	}
	pthread_mutex_destroy(&R.mu);
	pthread_cond_destroy(&R.more);
	pthread_cond_destroy(&R.room);
	pthread_cond_destroy(&R.work);
	L->status = wgo_worse(L->status, R.status);
	if (L->rejects && L->rejects != stderr && fflush(L->rejects) == EOF) {
		warnf("rejects: write error:");
		L->status = wgo_worse(L->status, WGO_EXIT_USAGE);
	}
	int st = L->nrejected ? WGO_EXIT_NEG : WGO_EXIT_OK;
	return wgo_worse(st, L->status);
}

/* ---- small helpers over jansson ---- */

const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

long long
jint(const json_t *o, const char *key, long long dflt)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

json_t *
jget(const json_t *o, const char *path)
{
	char k[128];
	const char *p = path;
	const json_t *cur = o;
	while (cur && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof k)
			return NULL;
		memcpy(k, p, n);
		k[n] = 0;
		cur = json_object_get(cur, k);
		p += n + (dot ? 1 : 0);
	}
	return (json_t *)cur;
}
