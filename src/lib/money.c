/* Money as int64 poisha: parsing (Bengali digits, both groupings), Bangladeshi formatting. */
#include <string.h>

#include "wgo.h"

int
money_add(int64_t *acc, int64_t v)
{
	return __builtin_add_overflow(*acc, v, acc) ? -1 : 0;
}

int
money_mul(int64_t *out, int64_t a, int64_t b)
{
	return __builtin_mul_overflow(a, b, out) ? -1 : 0;
}

int
money_sum(int64_t *acc, int64_t v)
{
	int64_t r;
	if (__builtin_add_overflow(*acc, v, &r) || r > MONEY_MAX || r < -MONEY_MAX)
		return -1;
	*acc = r;
	return 0;
}

/* Groups after the first must be all 2 digits but a last 3 (1,23,45,678),
 * or all 3 (1,234,567). */
static int
grouping_ok(const int *len, int ng)
{
	if (ng == 1)
		return len[0] >= 1;
	if (len[ng - 1] != 3 || len[0] < 1 || len[0] > 3)
		return 0;
	int indian = len[0] <= 2, intl = 1;
	for (int i = 1; i < ng - 1; i++) {
		if (len[i] != 2)
			indian = 0;
		if (len[i] != 3)
			intl = 0;
	}
	return indian || intl;
}

int
money_parse(const char *s, int flags, int64_t *poisha, const char **why)
{
	char b[128];
	int neg = 0;

	if (bn_digits_to_ascii(s, b, sizeof b) < 0) {
		*why = "amount too long";
		return -1;
	}
	const char *p = b;
	if (!*p) {
		*why = "empty amount";
		return -1;
	}
	if (*p == '-' || *p == '+') {
		if (!(flags & MONEY_SIGNED)) {
			*why = "a sign is not allowed here";
			return -1;
		}
		neg = *p == '-';
		p++;
	}
	uint64_t taka = 0;
	int glen[64], ng = 0, cur = 0, any = 0, over = 0;
	for (; *p && *p != '.'; p++) {
		if (*p == ',') {
			if (cur == 0 || ng >= 63) {
				*why = "misplaced digit-group comma";
				return -1;
			}
			glen[ng++] = cur;
			cur = 0;
			continue;
		}
		if (*p < '0' || *p > '9') {
			*why = "not a number";
			return -1;
		}
		if (taka > (UINT64_MAX - 9) / 10)
			over = 1;
		else
			taka = taka * 10 + (uint64_t)(*p - '0');
		cur++;
		any = 1;
	}
	if (!any) {
		*why = "no digits before the decimal point";
		return -1;
	}
	glen[ng++] = cur;
	if (ng > 1 && !grouping_ok(glen, ng)) {
		*why = "misplaced digit-group comma";
		return -1;
	}
	uint64_t frac = 0;
	if (*p == '.') {
		p++;
		int nd = 0;
		for (; *p; p++, nd++) {
			if (*p < '0' || *p > '9') {
				*why = "not a number";
				return -1;
			}
			if (nd < 2)
				frac = frac * 10 + (uint64_t)(*p - '0');
		}
		if (nd == 0) {
			*why = "no digits after the decimal point";
			return -1;
		}
		if (nd > 2) {
			*why = "more than two decimal places";
			return -1;
		}
		if (nd == 1)
			frac *= 10;
	}
	uint64_t limit = (uint64_t)INT64_MAX + (neg ? 1u : 0u);
	if (over || taka > limit / 100 || taka * 100 > limit - frac) {
		*why = "amount too large";
		return -1;
	}
	uint64_t v = taka * 100 + frac;
	*poisha = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

size_t
money_fmt(char *out, size_t outsz, int64_t poisha, int flags)
{
	char digits[32], tmp[64];
	uint64_t v = poisha < 0 ? 0 - (uint64_t)poisha : (uint64_t)poisha;
	int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)(v / 100));
	size_t o = 0;

	if (poisha < 0)
		tmp[o++] = '-';
	for (int i = 0; i < n; i++) {
		int left = n - i; /* digits remaining, this one included */
		if (i > 0 && !(flags & MONEY_PLAIN) && (left == 3 || (left > 3 && (left - 3) % 2 == 0)))
			tmp[o++] = ',';
		tmp[o++] = digits[i];
	}
	o += (size_t)snprintf(tmp + o, sizeof tmp - o, ".%02u", (unsigned)(v % 100));
	tmp[o] = 0;
	if (flags & MONEY_BN) {
		struct buf b = { 0 };
		ascii_digits_to_bn(tmp, &b);
		size_t k = b.n < outsz ? b.n : outsz - 1;
		while (k > 0 && k < b.n && ((unsigned char)b.p[k] & 0xC0) == 0x80)
			k--; /* never cut a character in two */
		memcpy(out, b.p, k);
		out[k] = 0;
		buf_free(&b);
		return k;
	}
	snprintf(out, outsz, "%s", tmp);
	return o < outsz ? o : outsz - 1;
}

/* A count grouped the way the board writes amounts (lakh and crore): "12,34,567",
 * in Bengali digits with MONEY_BN. */
size_t
num_fmt(char *out, size_t outsz, int64_t n, int flags)
{
	char m[MONEY_BUFSZ];
	int64_t lim = INT64_MAX / 100;
	money_fmt(m, sizeof m, (n > lim ? lim : n < -lim ? -lim : n) * 100, flags & ~MONEY_BN);
	char *dot = strrchr(m, '.');
	if (dot)
		*dot = 0;
	if (flags & MONEY_BN) {
		struct buf b = { 0 };
		ascii_digits_to_bn(m, &b);
		snprintf(out, outsz, "%s", buf_str(&b));
		buf_free(&b);
	} else {
		snprintf(out, outsz, "%s", m);
	}
	return strlen(out);
}
