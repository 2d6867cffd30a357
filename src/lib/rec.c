/* The record stream: a strict reader of JSON lines with file:line positions, the
 * record loop over files or standard input, and the rejects file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "wgo.h"

static int
is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* jansson reports a duplicate key without its name; find the last key before pos. */
static void
dup_key_name(const char *line, size_t pos, char *out, size_t outsz)
{
	json_error_t err;
	out[0] = 0;
	/* Re-parse permissively and look for a key seen twice at the same depth is
	 * costly; instead scan back from the error for the last "...": */
	size_t i = pos < 1 ? 0 : pos;
	while (i > 0 && line[i - 1] != ':')
		i--;
	if (i == 0)
		return;
	size_t end = i - 1;
	while (end > 0 && line[end - 1] != '"')
		end--;
	if (end == 0)
		return;
	size_t start = end - 1;
	while (start > 0 && !(line[start - 1] == '"' && (start < 2 || line[start - 2] != '\\')))
		start--;
	if (start == 0)
		return;
	json_t *k = json_loadb(line + start - 1, end - start + 1, JSON_DECODE_ANY, &err);
	if (k && json_is_string(k))
		snprintf(out, outsz, "%s", json_string_value(k));
	json_decref(k);
}

json_t *
rec_parse(const char *line, size_t len, struct werr *e)
{
	json_error_t err;
	const char *nul = memchr(line, 0, len);
	if (nul)
		return werr_set(e, "", "NUL byte at column %zu", (size_t)(nul - line) + 1), NULL;
	json_t *v = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK |
	                                     JSON_DECODE_ANY, &err);
	if (!v) {
		size_t bad;
		if (!utf8_valid(line, len, &bad))
			return werr_set(e, "", "invalid UTF-8 at column %zu", bad + 1), NULL;
		size_t col = (size_t)err.position + 1;
		switch (json_error_code(&err)) {
		case json_error_duplicate_key: {
			char k[64];
			dup_key_name(line, (size_t)err.position, k, sizeof k);
			if (k[0])
				return werr_set(e, k, "duplicate key at column %zu", col), NULL;
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

static void
one_line(struct rloop *L, const struct rpos *pos, const char *line, size_t len)
{
	struct werr e = { { 0 }, { 0 } };
	if (is_blank(line, len))
		return; /* blank lines are allowed and skipped */
	L->nread++;
	if (len > L->maxline) {
		werr_set(&e, "", "line longer than %zu bytes", L->maxline);
		rec_reject(L, pos, NULL, line, len, &e);
		return;
	}
	json_t *rec = rec_parse(line, len, &e);
	if (!rec) {
		rec_reject(L, pos, NULL, line, len, &e);
		return;
	}
	const char *kind = jstr(rec, "kind");
	if (kind && !strcmp(kind, "reject")) {
		json_t *inner = unwrap_reject(rec, &e);
		json_decref(rec);
		if (!inner) {
			rec_reject(L, pos, NULL, line, len, &e);
			return;
		}
		rec = inner;
		kind = jstr(rec, "kind");
	}
	json_t *k = json_object_get(rec, "kind");
	if (!k || !json_is_string(k)) {
		werr_set(&e, "kind", k ? "not a string" : "missing");
		rec_reject(L, pos, rec, line, len, &e);
	} else if (!rec_kind_known(kind)) {
		werr_set(&e, "kind", "unknown kind \"%s\"", kind);
		rec_reject(L, pos, rec, line, len, &e);
	} else if (!kind_wanted(L, kind)) {
		if (L->passthrough) {
			L->npassed++;
			if (rec_write(stdout, rec) < 0)
				die("<stdout>: write error:");
		} else {
			werr_set(&e, "kind", "%s does not read \"%s\" records", wgo_prog, kind);
			rec_reject(L, pos, rec, line, len, &e);
		}
	} else if (L->validate && rec_validate(rec, &e) < 0) {
		rec_reject(L, pos, rec, line, len, &e);
	} else {
		int rc = L->cb ? L->cb(L, rec, pos, &e) : 0;
		if (rc == 0)
			L->nok++;
		else if (rc == -1)
			rec_reject(L, pos, rec, line, len, &e);
		else {
			/* The tool cannot go on (no key, a full disk): say so and stop reading. */
			if (e.msg[0])
				warnf("%s%s%s", e.field, e.field[0] ? ": " : "", e.msg);
			L->status = wgo_worse(L->status, WGO_EXIT_USAGE);
			L->stop = 1;
		}
	}
	json_decref(rec);
}

/* A line longer than this many times the limit is not held in memory whole: the
 * rejects file gets its first part and the rest is skipped to the newline. */
#define HOLD_FACTOR 4

static int
read_fd(struct rloop *L, int fd, const char *name)
{
	size_t cap = 1 << 20, have = 0, start = 0;
	size_t hold = L->maxline * HOLD_FACTOR;
	char *b = xmalloc(cap);
	struct rpos pos = { name, 0 };
	int eof = 0, rc = 0, skipping = 0;

	while (!eof || start < have) {
		char *nl = memchr(b + start, '\n', have - start);
		if (skipping) {
			start = nl ? (size_t)(nl - b) + 1 : have;
			skipping = !nl;
			if (!skipping)
				continue;
		} else if (!nl && !eof && have - start > hold) {
			struct werr e;
			pos.line++;
			L->nread++;
			werr_set(&e, "", "line longer than %zu bytes (only the first %zu kept)",
			         L->maxline, hold);
			rec_reject(L, &pos, NULL, b + start, hold, &e);
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
				warnf("%s: read error:", name);
				rc = WGO_EXIT_USAGE;
				break;
			}
			if (r == 0)
				eof = 1;
			have += (size_t)r;
			continue;
		}
		if (start >= have)
			break;
		/* A missing final newline is accepted. */
		size_t len = nl ? (size_t)(nl - (b + start)) : have - start;
		pos.line++;
		one_line(L, &pos, b + start, len);
		start += len + (nl ? 1 : 0);
		if (L->stop)
			break;
	}
	free(b);
	return rc;
}

int
rec_loop(struct rloop *L, int argc, char **argv)
{
	if (!L->maxline)
		L->maxline = REC_MAX_LINE;
	if (argc == 0) {
		L->status = wgo_worse(L->status, read_fd(L, 0, "<stdin>"));
	}
	for (int i = 0; i < argc && !L->stop; i++) {
		if (!strcmp(argv[i], "-")) {
			L->status = wgo_worse(L->status, read_fd(L, 0, "<stdin>"));
			continue;
		}
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			warnf("%s:", argv[i]);
			L->status = wgo_worse(L->status, WGO_EXIT_USAGE);
			continue;
		}
		L->status = wgo_worse(L->status, read_fd(L, fd, argv[i]));
		close(fd);
	}
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
