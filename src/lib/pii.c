/* Masking NIDs, mobile numbers and account numbers, one rule for every program that
 * shows or shares them (complaint-log's lists, wgo-export's PII-free views). */
#include <string.h>

#include "wgo.h"

/* Enough stays to tell two people apart on a call or at a desk, not to use the number:
 * a mobile keeps +880, the operator and the last two digits; an NID or an account its
 * last three. */
static const struct {
	int head, tail;
} keep[] = {
	[PII_NID] = { 0, 3 },
	[PII_MOBILE] = { 6, 2 },
	[PII_ACCOUNT] = { 0, 3 },
};

void
pii_keep(int what, int *head, int *tail)
{
	*head = keep[what].head;
	*tail = keep[what].tail;
}

void
pii_mask(int what, const char *s, struct buf *out)
{
	size_t n = strlen(s), head = (size_t)keep[what].head, tail = (size_t)keep[what].tail;
	out->n = 0;
	for (size_t i = 0; i < n; i++)
		buf_addc(out, i < head || i + tail >= n ? s[i] : '*');
	buf_str(out);
}

/* Free text (a discrepancy's detail, a note) names accounts and phones as it likes:
 * every run of PII_TEXT_DIGITS or more digits that does not continue a word or an
 * identifier ("KHL-2025-26-000003") is masked as an account number is. */
void
pii_mask_text(const char *s, struct buf *out)
{
	size_t n = strlen(s), tail = (size_t)keep[PII_ACCOUNT].tail;
	out->n = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && s[j] >= '0' && s[j] <= '9')
			j++;
		unsigned char before = i ? (unsigned char)s[i - 1] : ' ';
		int joined = before == '-' || before == '_' || before == '/' || before == '.' ||
		             (before >= 'A' && before <= 'Z') || (before >= 'a' && before <= 'z');
		if (j - i >= PII_TEXT_DIGITS && !joined) {
			for (size_t k = i; k < j; k++)
				buf_addc(out, k + tail >= j ? s[k] : '*');
			i = j;
		} else if (j > i) {
			buf_add(out, s + i, j - i);
			i = j;
		} else {
			buf_addc(out, s[i++]);
		}
	}
	buf_str(out);
}

/* A line a form must not keep in its history (form.c): a mobile number or an NID,
 * or six digits or more (ASCII or Bengali) -- an account number, a date of birth
 * typed as digits -- but a branch as completion writes it ("NAME ROUTING") is not
 * private. */
int
form_private(const char *s)
{
	char n[32];
	const char *why;
	if (mobile_check(s, n, sizeof n, &why) == 0 || nid_check(s, n, sizeof n, &why) == 0)
		return 1;
	int digits = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (p[0] == 0xe0 && p[1] == 0xa7 && p[2] >= 0xa6 && p[2] <= 0xaf) /* ০..৯ */
			digits++, p += 2;
	}
	if (digits < 6)
		return 0;
	const char *sp = strrchr(s, ' ');
	return !(sp && sp > s && strlen(sp + 1) == 9 && strspn(sp + 1, "0123456789") == 9 &&
	         digits == 9);
}
