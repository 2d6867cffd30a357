/* Gregorian and Bangla dates, months, fiscal years and instants: what parses
 * formats back to something that parses to the same value. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	const char *why;
	char out[32];
	wdate d, d2;
	if (date_parse(s, &d, &why) == 0) {
		date_fmt(d, out);
		FUZZ_CHECK(date_parse(out, &d2, &why) == 0 && d2 == d);
		struct bdate b, b2;
		bangla_from_date(d, &b);
		FUZZ_CHECK(bangla_to_date(&b, &d2, &why) == 0 && d2 == d);
		for (int ascii = 0; ascii <= 1; ascii++) {
			struct buf bf = { 0 };
			bangla_fmt(&b, ascii, &bf);
			FUZZ_CHECK(bangla_parse(buf_str(&bf), &b2, &why) == 0 && b2.y == b.y &&
			           b2.m == b.m && b2.d == b.d);
			buf_free(&bf);
		}
		(void)date_add_months(d, (int)(size % 240) - 120);
		(void)fiscal_year(d);
		(void)date_weekday(d);
	}
	wmonth m, m2;
	if (month_parse(s, &m, &why) == 0) {
		month_fmt(m, out);
		FUZZ_CHECK(month_parse(out, &m2, &why) == 0 && m2 == m);
	}
	int fy, fy2;
	if (fiscal_parse(s, &fy, &why) == 0) {
		fiscal_fmt(fy, out);
		FUZZ_CHECK(fiscal_parse(out, &fy2, &why) == 0 && fy2 == fy);
	}
	int64_t t, t2;
	if (instant_parse(s, &t, &why) == 0) {
		char ib[21];
		instant_fmt(t, ib);
		FUZZ_CHECK(instant_parse(ib, &t2, &why) == 0 && t2 == t);
	}
	struct bdate b;
	if (bangla_parse(s, &b, &why) == 0 && bangla_to_date(&b, &d, &why) == 0) {
		struct bdate b2;
		bangla_from_date(d, &b2);
		FUZZ_CHECK(b2.y == b.y && b2.m == b.m && b2.d == b.d);
	}
	free(s);
	return 0;
}
