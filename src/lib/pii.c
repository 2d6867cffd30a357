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
