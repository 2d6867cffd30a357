/* UTF-8 checks, Bengali digits both ways, and folding of Bengali spelling variants. */
#include <ctype.h>
#include <string.h>

#include "wgo.h"

int
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (n == 0)
		return 0;
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	int len;
	uint32_t v, min;
	if ((c & 0xE0) == 0xC0) {
		len = 2; v = c & 0x1F; min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3; v = c & 0x0F; min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4; v = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if ((size_t)len > n)
		return 0;
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

static int
zero_width(uint32_t c)
{
	return (c >= 0x0300 && c <= 0x036F) || c == 0x0981 || c == 0x09BC ||
	       (c >= 0x09C1 && c <= 0x09C4) || c == 0x09CD || c == 0x09E2 || c == 0x09E3 || c == 0x09FE ||
	       c == 0x200C || c == 0x200D || (c >= 0xFE00 && c <= 0xFE0F);
}

int
str_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

int
utf8_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	int w = 0;
	while (n) {
		uint32_t c;
		int k = utf8_decode(p, n, &c);
		if (k == 0) {
			k = 1;
			c = '?';
		}
		w += !zero_width(c);
		p += k;
		n -= (size_t)k;
	}
	return w;
}

int
utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

int
utf8_valid(const char *s, size_t n, size_t *bad_at)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		int k = utf8_decode(p + i, n - i, &cp);
		if (!k) {
			if (bad_at)
				*bad_at = i;
			return 0;
		}
		i += (size_t)k;
	}
	return 1;
}

/* Bengali digit zero U+09E6 is E0 A7 A6; nine U+09EF is E0 A7 AF. */
int
bn_digits_to_ascii(const char *s, char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	for (; *p; p++) {
		char c = (char)*p;
		if (p[0] == 0xE0 && p[1] == 0xA7 && p[2] >= 0xA6 && p[2] <= 0xAF) {
			c = (char)('0' + (p[2] - 0xA6));
			p += 2;
		}
		if (o + 1 >= outsz)
			return -1;
		out[o++] = c;
	}
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t' || out[o - 1] == '\r'))
		o--;
	out[o] = 0;
	return 0;
}

void
ascii_digits_to_bn(const char *s, struct buf *out)
{
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			char d[3] = { (char)0xE0, (char)0xA7, (char)(0xA6 + (*s - '0')) };
			buf_add(out, d, 3);
		} else {
			buf_addc(out, *s);
		}
	}
}

void
put_digits(FILE *f, const char *s, int bn)
{
	if (!bn) {
		fputs(s, f);
		return;
	}
	struct buf b = { 0 };
	ascii_digits_to_bn(s, &b);
	fwrite(b.p, 1, b.n, f);
	buf_free(&b);
}

int
term_unsafe(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x061C || c == 0x200E || c == 0x200F ||
	       (c >= 0x2028 && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

void
term_escape(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, from = 0;
	while (i < n) {
		uint32_t c = p[i];
		if (c >= 0x20 && c < 0x7F && c != '\\') {
			i++; /* printable ASCII, most of any message */
			continue;
		}
		int k = c < 0x80 ? 1 : utf8_decode(p + i, n - i, &c);
		if (k && c != '\\' && !term_unsafe(c)) {
			i += (size_t)k;
			continue;
		}
		buf_add(out, s + from, i - from);
		if (!k)
			buf_printf(out, "\\x%02X", p[i]); /* not UTF-8 */
		else if (c == '\\')
			buf_adds(out, "\\\\");
		else if (c == '\n')
			buf_adds(out, "\\n");
		else if (c == '\t')
			buf_adds(out, "\\t");
		else if (c == '\r')
			buf_adds(out, "\\r");
		else if (c == 0x1B)
			buf_adds(out, "\\e");
		else if (c < 0x80)
			buf_printf(out, "\\x%02X", (unsigned)c);
		else
			buf_printf(out, "\\u%04X", (unsigned)c);
		i += k ? (size_t)k : 1;
		from = i;
	}
	buf_add(out, s + from, n - from);
}

void
term_puts(FILE *f, const char *s)
{
	struct buf b = { 0 };
	term_escape(&b, s, strlen(s));
	if (b.n)
		fwrite(b.p, 1, b.n, f);
	buf_free(&b);
}

void
put_cell(FILE *f, const char *s, int width, int right, int bn)
{
	struct buf b = { 0 };
	if (bn) {
		struct buf t = { 0 };
		ascii_digits_to_bn(s, &t);
		term_escape(&b, t.p ? t.p : "", t.n);
		buf_free(&t);
	} else {
		term_escape(&b, s, strlen(s));
	}
	int w = utf8_width(buf_str(&b));
	int pad = width > w ? width - w : 0;
	fprintf(f, "%*s%s%*s", right ? pad : 0, "", buf_str(&b), right ? 0 : pad, "");
	buf_free(&b);
}

static void
put_cp(struct buf *out, uint32_t cp)
{
	char e[4];
	buf_add(out, e, (size_t)utf8_encode(cp, e));
}

void
bn_fold(const char *s, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	size_t i = 0;

	out->n = 0;
	while (i < n) {
		uint32_t cp;
		int k = utf8_decode(p + i, n - i, &cp);
		if (!k) {
			buf_addc(out, (char)p[i]);
			i++;
			continue;
		}
		i += (size_t)k;
		switch (cp) {
		case 0x200C: case 0x200D: case 0x00A0:
			continue; /* joiners and no-break space carry no letter */
		case 0x09DC: put_cp(out, 0x09A1); put_cp(out, 0x09BC); continue; /* ড় */
		case 0x09DD: put_cp(out, 0x09A2); put_cp(out, 0x09BC); continue; /* ঢ় */
		case 0x09DF: put_cp(out, 0x09AF); put_cp(out, 0x09BC); continue; /* য় */
		case 0x09CB: put_cp(out, 0x09C7); put_cp(out, 0x09BE); continue; /* ো */
		case 0x09CC: put_cp(out, 0x09C7); put_cp(out, 0x09D7); continue; /* ৌ */
		case 0x09A3: cp = 0x09A8; break; /* ণ and ন are both written */
		case 0x09C8: cp = 0x09C7; break; /* জ্যৈষ্ঠ and জ্যেষ্ঠ */
		default:
			if (cp < 0x80)
				cp = (uint32_t)tolower((int)cp);
		}
		put_cp(out, cp);
	}
	buf_str(out);
}

int
lang_parse(const char *s)
{
	if (!strcmp(s, "bn") || !strcmp(s, "ben") || !strcmp(s, "bn-BD"))
		return 1;
	if (!strcmp(s, "en") || !strcmp(s, "eng") || !strcmp(s, "C"))
		return 0;
	return -1;
}

int
uint_parse(const char *s, long max, long *out)
{
	char b[64];
	if (bn_digits_to_ascii(s, b, sizeof b) < 0 || !b[0])
		return -1;
	long v = 0;
	for (const char *p = b; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (v > (max - (*p - '0')) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	*out = v;
	return 0;
}

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
b64_encode(const unsigned char *p, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		buf_addc(out, b64chars[v >> 18 & 63]);
		buf_addc(out, b64chars[v >> 12 & 63]);
		buf_addc(out, i + 1 < n ? b64chars[v >> 6 & 63] : '=');
		buf_addc(out, i + 2 < n ? b64chars[v & 63] : '=');
	}
}

int
b64_decode(const char *s, size_t n, struct buf *out)
{
	unsigned v = 0;
	int bits = 0;
	size_t i = 0;
	for (; i < n && s[i] != '='; i++) {
		const char *c = memchr(b64chars, s[i], 64);
		if (!c || !s[i])
			return -1;
		v = v << 6 | (unsigned)(c - b64chars);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (char)(v >> bits & 0xFF));
		}
	}
	size_t pad = 0;
	for (; i < n; i++, pad++)
		if (s[i] != '=')
			return -1;
	if (pad > 2 || (n % 4 != 0) || (v & ((1u << bits) - 1)))
		return -1;
	return 0;
}
