/* Writing records: compact JSON in each kind's fixed key order, and the RFC 8785
 * canonical form that orders are signed over. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wgo.h"

/* Bytes that must be escaped in a JSON string: controls, the quote, the backslash. */
static const unsigned char needs_escape[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1,
};

void
json_put_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	buf_grow(b, n + 2);
	b->p[b->n++] = '"';
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		if (!needs_escape[p[i]])
			continue;
		buf_add(b, s + run, i - run);
		run = i + 1;
		unsigned char c = p[i];
		switch (c) {
		case '"': buf_add(b, "\\\"", 2); break;
		case '\\': buf_add(b, "\\\\", 2); break;
		case '\b': buf_add(b, "\\b", 2); break;
		case '\f': buf_add(b, "\\f", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			buf_add(b, u, 6);
		}
		}
	}
	buf_add(b, s + run, n - run);
	buf_addc(b, '"');
}

/* ECMAScript Number::toString for a finite double: shortest digits that round-trip. */
static void
put_real(struct buf *b, double v)
{
	char t[40], digits[24];
	int exp10 = 0, nd = 0;
	if (v == 0) {
		buf_addc(b, '0');
		return;
	}
	if (v < 0) {
		buf_addc(b, '-');
		v = -v;
	}
	for (int p = 0; p < 17; p++) {
		snprintf(t, sizeof t, "%.*e", p, v);
		if (strtod(t, NULL) == v)
			break;
	}
	/* t is d[.ddd]e[+-]xx */
	char *e = strchr(t, 'e');
	exp10 = atoi(e + 1);
	for (char *p = t; p < e; p++)
		if (*p != '.')
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = 0;
	int n = exp10 + 1; /* position of the decimal point */
	if (nd <= n && n <= 21) {
		buf_add(b, digits, (size_t)nd);
		for (int i = nd; i < n; i++)
			buf_addc(b, '0');
	} else if (0 < n && n <= 21) {
		buf_add(b, digits, (size_t)n);
		buf_addc(b, '.');
		buf_add(b, digits + n, (size_t)(nd - n));
	} else if (-6 < n && n <= 0) {
		buf_add(b, "0.", 2);
		for (int i = 0; i < -n; i++)
			buf_addc(b, '0');
		buf_add(b, digits, (size_t)nd);
	} else {
		buf_addc(b, digits[0]);
		if (nd > 1) {
			buf_addc(b, '.');
			buf_add(b, digits + 1, (size_t)(nd - 1));
		}
		buf_printf(b, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
	}
}

static void put_value(struct buf *b, const json_t *v, const char *kind, const char *path);

static int
in_list(const char *const *l, const char *k)
{
	for (; l && *l; l++)
		if (!strcmp(*l, k))
			return 1;
	return 0;
}

/* Are the object's keys, as stored, a subsequence of the order? */
static int
in_order(const json_t *v, const char *const *order)
{
	const char *key;
	json_t *m;
	json_object_foreach((json_t *)v, key, m) {
		while (*order && strcmp(*order, key))
			order++;
		if (!*order)
			return 0;
		order++;
	}
	return 1;
}

static void
put_member(struct buf *b, int *first, const char *k, const json_t *v, const char *kind,
           const char *path)
{
	if (!*first)
		buf_addc(b, ',');
	*first = 0;
	size_t kn = strlen(k);
	json_put_string(b, k, kn);
	buf_addc(b, ':');
	if (json_is_object(v) || json_is_array(v)) {
		char sub[160];
		size_t pn = strlen(path);
		if (pn + kn + 2 > sizeof sub) {
			put_value(b, v, NULL, ""); /* deeper than any kind's schema: keys as stored */
			return;
		}
		memcpy(sub, path, pn);
		if (pn)
			sub[pn++] = '.';
		memcpy(sub + pn, k, kn + 1);
		put_value(b, v, kind, sub);
	} else {
		put_value(b, v, kind, path);
	}
}

static void
put_value(struct buf *b, const json_t *v, const char *kind, const char *path)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *const *order = kind ? rec_key_order(kind, path) : NULL;
		int first = 1;
		const char *key;
		json_t *m;
		buf_addc(b, '{');
		if (order && in_order(v, order)) {
			/* Already in the kind's order (the usual case): no lookups needed. */
			json_object_foreach((json_t *)v, key, m)
				put_member(b, &first, key, m, kind, path);
			buf_addc(b, '}');
			break;
		}
		for (const char *const *k = order; k && *k; k++) {
			json_t *mv = json_object_get(v, *k);
			if (mv)
				put_member(b, &first, *k, mv, kind, path);
		}
		json_object_foreach((json_t *)v, key, m)
			if (!in_list(order, key))
				put_member(b, &first, key, m, kind, path);
		buf_addc(b, '}');
		break;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *m;
		buf_addc(b, '[');
		json_array_foreach(v, i, m) {
			if (i)
				buf_addc(b, ',');
			put_value(b, m, kind, path);
		}
		buf_addc(b, ']');
		break;
	}
	case JSON_STRING:
		json_put_string(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER: {
		char t[24], *e = t + sizeof t, *q = e;
		json_int_t x = json_integer_value(v);
		unsigned long long u = x < 0 ? 0ull - (unsigned long long)x : (unsigned long long)x;
		do
			*--q = (char)('0' + u % 10);
		while (u /= 10);
		if (x < 0)
			*--q = '-';
		buf_add(b, q, (size_t)(e - q));
		break;
	}
	case JSON_REAL:
		put_real(b, json_real_value(v));
		break;
	case JSON_TRUE: buf_add(b, "true", 4); break;
	case JSON_FALSE: buf_add(b, "false", 5); break;
	case JSON_NULL: buf_add(b, "null", 4); break;
	}
}

void
json_dump_compact(const json_t *v, struct buf *out)
{
	put_value(out, v, NULL, "");
}

void
rec_dump(const json_t *rec, struct buf *out)
{
	const char *kind = jstr(rec, "kind");
	put_value(out, rec, kind && rec_kind_known(kind) ? kind : NULL, "");
	buf_addc(out, '\n');
}

int
rec_write(FILE *f, const json_t *rec)
{
	static struct buf b;
	b.n = 0;
	rec_dump(rec, &b);
	if (fwrite(b.p, 1, b.n, f) != b.n)
		return -1;
	return 0;
}

/* ---- RFC 8785 ---- */

/* Compare two UTF-8 strings by their UTF-16 code units. */
static int
utf16_cmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
	size_t na = strlen(a), nb = strlen(b);
	uint16_t ua[2], ub[2];
	int ka = 0, kb = 0, ia = 0, ib = 0;
	for (;;) {
		if (ia == ka) {
			uint32_t cp;
			int k = na ? utf8_decode(p, na, &cp) : 0;
			if (!k && na)
				cp = *p, k = 1;
			p += k;
			na -= (size_t)k;
			ia = 0;
			ka = !k ? 0 : cp >= 0x10000 ? 2 : 1;
			if (ka == 2) {
				ua[0] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
				ua[1] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
			} else if (ka == 1) {
				ua[0] = (uint16_t)cp;
			}
		}
		if (ib == kb) {
			uint32_t cp;
			int k = nb ? utf8_decode(q, nb, &cp) : 0;
			if (!k && nb)
				cp = *q, k = 1;
			q += k;
			nb -= (size_t)k;
			ib = 0;
			kb = !k ? 0 : cp >= 0x10000 ? 2 : 1;
			if (kb == 2) {
				ub[0] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
				ub[1] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
			} else if (kb == 1) {
				ub[0] = (uint16_t)cp;
			}
		}
		if (!ka || !kb)
			return ka - kb;
		if (ua[ia] != ub[ib])
			return ua[ia] < ub[ib] ? -1 : 1;
		ia++;
		ib++;
	}
}

/* For ASCII keys, byte order is UTF-16 order. */
static int
keycmp2(const char *a, const char *b)
{
	return str_ascii(a) && str_ascii(b) ? strcmp(a, b) : utf16_cmp(a, b);
}

static int
keycmp(const void *x, const void *y)
{
	/* The first field of jcs_dump's struct member is its key. */
	return keycmp2(*(const char *const *)x, *(const char *const *)y);
}

int
jcs_dump(const json_t *v, struct buf *b)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		/* The members sorted by key, each with its value (no second lookup). */
		struct member {
			const char *key;
			size_t len;
			const json_t *val;
		};
		size_t n = json_object_size(v), i = 0;
		struct member small[32];
		struct member *ms = n <= 32 ? small : xmalloc(n * sizeof *ms);
		const char *key;
		json_t *m;
		int all_ascii = 1;
		json_object_foreach((json_t *)v, key, m)
			if (!str_ascii(key))
				all_ascii = 0;
		json_object_foreach((json_t *)v, key, m) {
			/* Insertion sort: objects are small, and mostly in order already. */
			size_t j = i++;
			while (n <= 32 && j > 0 &&
			       (all_ascii ? strcmp(ms[j - 1].key, key) : keycmp2(ms[j - 1].key, key)) > 0) {
				ms[j] = ms[j - 1];
				j--;
			}
			ms[j] = (struct member){ key, strlen(key), m };
		}
		if (n > 32)
			qsort(ms, n, sizeof *ms, keycmp);
		buf_addc(b, '{');
		for (i = 0; i < n; i++) {
			if (i)
				buf_addc(b, ',');
			json_put_string(b, ms[i].key, ms[i].len);
			buf_addc(b, ':');
			if (jcs_dump(ms[i].val, b) < 0) {
				if (ms != small)
					free(ms);
				return -1;
			}
		}
		buf_addc(b, '}');
		if (ms != small)
			free(ms);
		return 0;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *m;
		buf_addc(b, '[');
		json_array_foreach(v, i, m) {
			if (i)
				buf_addc(b, ',');
			if (jcs_dump(m, b) < 0)
				return -1;
		}
		buf_addc(b, ']');
		return 0;
	}
	case JSON_INTEGER: {
		json_int_t x = json_integer_value(v);
		/* I-JSON: integers beyond 2^53 cannot be represented the same everywhere. */
		if (x > 9007199254740991LL || x < -9007199254740991LL)
			return -1;
		put_value(b, v, NULL, "");
		return 0;
	}
	case JSON_REAL:
		if (!isfinite(json_real_value(v)))
			return -1;
		put_real(b, json_real_value(v));
		return 0;
	default:
		put_value(b, v, NULL, "");
		return 0;
	}
}
