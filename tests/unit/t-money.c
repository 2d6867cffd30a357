/* Unit tests: money parsing, formatting and checked arithmetic. */
#include <stdint.h>
#include "tap.h"
#include "wgo.h"

static void
parses(const char *s, int flags, long long want)
{
	int64_t v = -1;
	const char *why = "";
	int rc = money_parse(s, flags, &v, &why);
	ok(rc == 0 && v == want, "parse '%s' = %lld (got %lld, %s)", s, want, (long long)v,
	   rc ? why : "ok");
}

static void
rejects(const char *s, int flags, const char *want)
{
	int64_t v;
	const char *why = "";
	int rc = money_parse(s, flags, &v, &why);
	ok(rc < 0 && !strcmp(why, want), "reject '%s': %s (got: %s)", s, want, rc ? why : "accepted");
}

static void
formats(long long v, int flags, const char *want)
{
	char b[64];
	money_fmt(b, sizeof b, v, flags);
	is_str(b, want, "format %lld", v);
}

int
main(void)
{
	parses("1234.50", 0, 123450);
	parses("1,23,456", 0, 12345600);
	parses("১,২৩৪.৫০", 0, 123450);
	parses("1,234,567.5", 0, 123456750);
	parses("12,34,567", 0, 123456700);
	parses("0.05", 0, 5);
	parses("7", 0, 700);
	parses("  3000.00 ", 0, 300000);
	parses("-12.34", MONEY_SIGNED, -1234);
	parses("+12.34", MONEY_SIGNED, 1234);
	parses("92233720368547758.07", 0, INT64_MAX);
	parses("-92233720368547758.08", MONEY_SIGNED, INT64_MIN);
	rejects("1.234", 0, "more than two decimal places");
	rejects("-5", 0, "a sign is not allowed here");
	rejects("+5", 0, "a sign is not allowed here");
	rejects("92233720368547758.08", 0, "amount too large");
	rejects("99999999999999999999999", 0, "amount too large");
	rejects("", 0, "empty amount");
	rejects("12,34,5", 0, "misplaced digit-group comma");
	rejects("123,45,678", 0, "misplaced digit-group comma");
	rejects(",123", 0, "misplaced digit-group comma");
	rejects("1,,234", 0, "misplaced digit-group comma");
	rejects("12.", 0, "no digits after the decimal point");
	rejects(".5", 0, "no digits before the decimal point");
	rejects("12a", 0, "not a number");
	rejects("1.2.3", 0, "not a number");
	formats(1234567800, 0, "1,23,45,678.00");
	formats(12345678, 0, "1,23,456.78");
	formats(100000, 0, "1,000.00");
	formats(5, 0, "0.05");
	formats(0, 0, "0.00");
	formats(-30000000, 0, "-3,00,000.00");
	formats(123450, MONEY_BN, "১,২৩৪.৫০");
	formats(1234567800, MONEY_PLAIN, "12345678.00");
	formats(INT64_MIN, 0, "-92,23,37,20,36,85,47,758.08");
	int64_t a = INT64_MAX - 1;
	ok(money_add(&a, 1) == 0 && a == INT64_MAX, "add up to the limit");
	ok(money_add(&a, 1) < 0, "add past the limit overflows");
	int64_t m;
	ok(money_mul(&m, INT64_MAX / 2, 3) < 0, "multiplication overflow is caught");
	ok(money_mul(&m, 300000, 180) == 0 && m == 54000000, "180 months of Tk 3,000");
	return done();
}
