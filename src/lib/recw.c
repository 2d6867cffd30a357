/* Writing records through the schema: kind and v are set in one place, keys come
 * out in the kind's order, and a key the kind does not have is a programming error
 * caught the first time the line is written. rec_new serves programs that build
 * jansson objects; struct rw serves hot loops that write millions of lines. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wgo.h"

json_t *
rec_new(const char *kind)
{
	if (!rec_kind_known(kind))
		die("internal error: no record kind \"%s\"", kind);
	json_t *r = json_object();
	json_object_set_new(r, "kind", json_string(kind));
	json_object_set_new(r, "v", json_integer(WGO_FORMAT_VERSION));
	return r;
}

static void
rw_init(struct rw *w, const char *kind, const char *path)
{
	w->kind = kind;
	w->path = path;
	w->order = rec_key_order(kind, path);
	if (!w->order)
		die("internal error: record kind \"%s\" has no object \"%s\"", kind, path);
	w->nkeys = 0;
	while (w->order[w->nkeys])
		w->nkeys++;
	if (w->nkeys > RW_MAX_KEYS)
		die("internal error: %s has more than %d fields", kind, RW_MAX_KEYS);
	w->set = 0;
	w->last = 0;
	w->vals.n = 0;
}

void
rw_begin(struct rw *w, const char *kind)
{
	rw_init(w, kind, "");
	rw_str(w, "kind", kind);
	rw_int(w, "v", WGO_FORMAT_VERSION);
}

void
rw_begin_obj(struct rw *w, const char *kind, const char *path)
{
	rw_init(w, kind, path);
}

/* The slot of key: callers mostly set fields in the schema's order, so the search
 * starts after the last one found. */
static size_t
slot(struct rw *w, const char *key)
{
	for (size_t k = 0; k < w->nkeys; k++) {
		size_t i = (w->last + k) % w->nkeys;
		if (!strcmp(w->order[i], key)) {
			w->last = i + 1;
			if (w->set & (UINT64_C(1) << i))
				die("internal error: %s%s%s.%s written twice", w->kind, *w->path ? "." : "",
				    w->path, key);
			w->set |= UINT64_C(1) << i;
			w->off[i] = (uint32_t)w->vals.n;
			return i;
		}
	}
	die("internal error: %s%s%s records have no field \"%s\"", w->kind, *w->path ? "." : "",
	    w->path, key);
}

static void
done(struct rw *w, size_t i)
{
	w->len[i] = (uint32_t)(w->vals.n - w->off[i]);
}

void
rw_str(struct rw *w, const char *key, const char *s)
{
	size_t i = slot(w, key);
	json_put_string(&w->vals, s, strlen(s));
	done(w, i);
}

void
rw_int(struct rw *w, const char *key, long long v)
{
	size_t i = slot(w, key);
	buf_printf(&w->vals, "%lld", v);
	done(w, i);
}

void
rw_bool(struct rw *w, const char *key, int v)
{
	size_t i = slot(w, key);
	buf_adds(&w->vals, v ? "true" : "false");
	done(w, i);
}

void
rw_date(struct rw *w, const char *key, wdate d)
{
	char t[11];
	date_fmt(d, t);
	size_t i = slot(w, key);
	buf_addc(&w->vals, '"');
	buf_add(&w->vals, t, 10);
	buf_addc(&w->vals, '"');
	done(w, i);
}

void
rw_month(struct rw *w, const char *key, wmonth m)
{
	char t[8];
	month_fmt(m, t);
	size_t i = slot(w, key);
	buf_addc(&w->vals, '"');
	buf_add(&w->vals, t, 7);
	buf_addc(&w->vals, '"');
	done(w, i);
}

void
rw_raw(struct rw *w, const char *key, const char *json, size_t n)
{
	size_t i = slot(w, key);
	buf_add(&w->vals, json, n);
	done(w, i);
}

void
rw_json(struct rw *w, const char *key, const json_t *v)
{
	size_t i = slot(w, key);
	json_dump_compact(v, &w->vals);
	done(w, i);
}

int
rw_has(const struct rw *w, const char *key)
{
	for (size_t i = 0; i < w->nkeys; i++)
		if (!strcmp(w->order[i], key))
			return !!(w->set & (UINT64_C(1) << i));
	return 0;
}

void
rw_end(struct rw *w, struct buf *out)
{
	int first = 1;
	buf_addc(out, '{');
	for (size_t i = 0; i < w->nkeys; i++) {
		if (!(w->set & (UINT64_C(1) << i)))
			continue;
		if (!first)
			buf_addc(out, ',');
		first = 0;
		json_put_string(out, w->order[i], strlen(w->order[i]));
		buf_addc(out, ':');
		buf_add(out, w->vals.p + w->off[i], w->len[i]);
	}
	buf_addc(out, '}');
	if (!*w->path)
		buf_addc(out, '\n');
	w->set = 0;
	w->vals.n = 0;
}

void
rw_free(struct rw *w)
{
	buf_free(&w->vals);
}
