/* Unit tests: Gregorian and Bangla dates, months, fiscal years, working days. */
#include <stdlib.h>
#include "tap.h"
#include "wgo.h"

static wdate
D(const char *s)
{
	wdate d;
	const char *why;
	if (date_parse(s, &d, &why) < 0) {
		printf("# bad test date %s\n", s);
		exit(2);
	}
	return d;
}

static const char *
F(wdate d)
{
	static char b[4][11];
	static int i;
	i = (i + 1) % 4;
	date_fmt(d, b[i]);
	return b[i];
}

static void
to_bn(const char *g, int ascii, const char *want)
{
	struct bdate b;
	struct buf o = { 0 };
	bangla_from_date(D(g), &b);
	bangla_fmt(&b, ascii, &o);
	is_str(buf_str(&o), want, "%s is %s", g, want);
	buf_free(&o);
}

static void
from_bn(const char *s, const char *want)
{
	struct bdate b;
	wdate d = 0;
	const char *why = "";
	int rc = bangla_parse(s, &b, &why);
	if (rc == 0)
		rc = bangla_to_date(&b, &d, &why);
	ok(rc == 0 && !strcmp(F(d), want), "%s is %s (got %s)", s, want, rc ? why : F(d));
}

static void
bad_bn(const char *s, const char *want)
{
	struct bdate b;
	const char *why = "";
	int rc = bangla_parse(s, &b, &why);
	ok(rc < 0 && !strcmp(why, want), "'%s' is refused: %s (got %s)", s, want, rc ? why : "ok");
}

int
main(void)
{
	const char *why;
	wdate d;
	wmonth m;

	/* Dates from the board's own letters. */
	from_bn("২৫ অগ্রহায়ন ১৪৩২", "2025-12-10");
	from_bn("২৫ অগ্রহায়ণ ১৪৩২", "2025-12-10");
	from_bn("25 অগ্রহায়ন 1432", "2025-12-10");
	from_bn("06 ফাল্গুন 1431", "2025-02-19");
	from_bn("০৬ ফাল্গুন ১৪৩১", "2025-02-19");
	from_bn("1432-08-25", "2025-12-10");
	from_bn("১৪৩২-০৮-২৫", "2025-12-10");
	to_bn("2025-12-10", 0, "২৫ অগ্রহায়ণ ১৪৩২");
	to_bn("2025-12-10", 1, "1432-08-25");
	to_bn("2025-02-19", 0, "০৬ ফাল্গুন ১৪৩১");
	/* Leap-year Falgun has 30 days; others 29. */
	from_bn("30 ফাল্গুন 1430", "2024-03-14");
	to_bn("2024-02-29", 1, "1430-11-16");
	from_bn("1 চৈত্র 1430", "2024-03-15");
	bad_bn("30 ফাল্গুন 1431", "no such day in that Bangla month");
	from_bn("29 ফাল্গুন 1431", "2025-03-14");
	/* The new year on 14 April. */
	to_bn("2024-04-14", 0, "০১ বৈশাখ ১৪৩১");
	to_bn("2024-04-13", 1, "1430-12-30");
	to_bn("2026-04-14", 1, "1433-01-01");
	/* Spelling variants, independent of Unicode normalisation. */
	from_bn("১ জ্যেষ্ঠ ১৪৩২", "2025-05-15");
	from_bn("১ জ্যৈষ্ঠ ১৪৩২", "2025-05-15");
	from_bn("১ শ্রাবন ১৪৩২", "2025-07-16");
	from_bn("১ শ্রাবণ ১৪৩২", "2025-07-16");
	from_bn("১ আষাঢ় ১৪৩২", "2025-06-15");
	from_bn("১ আষা\u09a2\u09bc ১৪৩২", "2025-06-15");       /* ঢ + nukta */
	from_bn("২৫ অগ্রহা\u09af\u09bcন ১৪৩২", "2025-12-10"); /* য + nukta */
	from_bn("২৫ অগ্র\u200cহায়ণ ১৪৩২", "2025-12-10");       /* a stray ZWNJ */
	from_bn("১ পৌষ ১৪৩২", "2025-12-16");
	from_bn("১ পে\u09d7ষ ১৪৩২", "2025-12-16");            /* ৌ written as ে + ৗ */
	from_bn("25 Agrahayan 1432", "2025-12-10");
	from_bn("25 agrahayan 1432 BS", "2025-12-10");
	from_bn("২৫ অগ্রহায়ণ ১৪৩২ বঙ্গাব্দ", "2025-12-10");
	bad_bn("25 Foo 1432", "unknown Bangla month name");
	bad_bn("32 বৈশাখ 1432", "no such day in that Bangla month");
	bad_bn("garbage", "not a Bangla date (day, month name, year)");
	bad_bn("1432-13-01", "no such Bangla month");
	/* Every day from 1900 to 2199 goes there and back. */
	int bad = 0, prevd = -1;
	for (d = D("1900-04-14"); d <= D("2199-12-31"); d++) {
		struct bdate b;
		wdate back;
		bangla_from_date(d, &b);
		if (bangla_to_date(&b, &back, &why) < 0 || back != d)
			bad++;
		if (prevd >= 0 && !(b.d == prevd + 1 || b.d == 1))
			bad++;
		prevd = b.d;
	}
	is_int(bad, 0, "every day 1900-2199 round-trips through the Bangla calendar");

	/* ISO dates and months. */
	ok(date_parse("২০২৪-০২-২৯", &d, &why) == 0 && !strcmp(F(d), "2024-02-29"), "Bengali digits in a date");
	ok(date_parse("2023-02-29", &d, &why) < 0 && !strcmp(why, "no such day in the calendar"), "2023-02-29 refused");
	ok(date_parse("2025-1-01", &d, &why) < 0, "2025-1-01 refused");
	ok(date_parse("1899-12-31", &d, &why) < 0, "years before 1900 refused");
	ok(month_parse("2025-12", &m, &why) == 0 && m == 2025 * 12 + 11, "month 2025-12");
	ok(month_parse("2025-13", &m, &why) < 0, "month 13 refused");
	is_str(F(date_add_months(D("2024-01-31"), 1)), "2024-02-29", "Jan 31 + 1 month clamps to Feb 29");
	is_str(F(date_add_months(D("2023-01-31"), 1)), "2023-02-28", "clamps to Feb 28");
	is_str(F(date_add_months(D("2024-02-29"), 12)), "2025-02-28", "leap day + 12 months");
	is_str(F(date_add_months(D("2025-03-31"), -1)), "2025-02-28", "minus a month clamps");
	is_str(F(date_add_months(D("2025-12-10"), 10)), "2026-10-10", "10 months on");
	char t[16];
	fiscal_fmt(fiscal_year(D("2025-12-10")), t);
	is_str(t, "2025-26", "fiscal year of 2025-12-10");
	fiscal_fmt(fiscal_year(D("2025-06-30")), t);
	is_str(t, "2024-25", "30 June closes the year");
	fiscal_fmt(fiscal_year(D("2025-07-01")), t);
	is_str(t, "2025-26", "1 July opens the year");
	fiscal_fmt(fiscal_year(D("1999-07-01")), t);
	is_str(t, "1999-00", "the century turns");
	int fy;
	ok(fiscal_parse("2025-26", &fy, &why) == 0 && fy == 2025, "parse 2025-26");
	ok(fiscal_parse("2025-27", &fy, &why) < 0, "2025-27 refused");
	int64_t ts;
	ok(instant_parse("2025-12-10T04:05:06Z", &ts, &why) == 0, "instant parses");
	char it[21];
	instant_fmt(ts, it);
	is_str(it, "2025-12-10T04:05:06Z", "instant round-trips");
	is_int(date_weekday(D("2025-12-10")), 3, "2025-12-10 is a Wednesday");

	/* Working days: Friday, Saturday and the holiday file. */
	struct calendar c;
	struct werr e;
	const char *hf = "/tmp/wgo-t-date-holidays";
	FILE *f = fopen(hf, "w");
	fputs("# test holidays\n2025-12-16 Victory Day\n\n২০২৫-১২-২৫\tবড়দিন\n", f);
	fclose(f);
	cal_init(&c);
	ok(cal_load(&c, hf, &e) == 0, "holiday file loads");
	is_int(c.n, 2, "two holidays");
	is_str(cal_holiday(&c, D("2025-12-25"))->name, "বড়দিন", "holiday name kept");
	is_str(F(cal_add_workdays(&c, D("2025-12-10"), 3)), "2025-12-15", "Wed + 3 skips Fri and Sat");
	is_str(F(cal_add_workdays(&c, D("2025-12-11"), 3)), "2025-12-17", "Thu + 3 skips the weekend and 16 Dec");
	is_str(F(cal_add_workdays(&c, D("2025-12-17"), -3)), "2025-12-11", "back 3 working days, over the holiday and the weekend");
	is_str(F(cal_add_workdays(&c, D("2025-12-12"), 0)), "2025-12-12", "zero days is the same day");
	is_int(cal_workdays_between(&c, D("2025-12-10"), D("2025-12-17")), 4, "working days in (10, 17]");
	ok(!cal_is_workday(&c, D("2025-12-26")), "a Friday is not a working day");
	ok(cal_is_workday(&c, D("2025-12-14")), "a Sunday is");
	cal_free(&c);
	f = fopen(hf, "w");
	fputs("2025-12-16 ok\n2025-13-01 bad\n", f);
	fclose(f);
	cal_init(&c);
	ok(cal_load(&c, hf, &e) < 0 && strstr(e.field, ":2") && strstr(e.msg, "no such day"),
	   "a bad holiday line is reported with its line (%s: %s)", e.field, e.msg);
	cal_free(&c);
	remove(hf);

	/* Dates as people say them; the Bengali month names as the board's letters
	 * write them ("১০ ডিসেম্বর ২০২৫", seed 000). */
	struct buf b = { 0 };
	date_long(D("2025-12-10"), 1, &b);
	is_str(buf_str(&b), "১০ ডিসেম্বর ২০২৫", "10 December 2025 in Bengali");
	b.n = 0;
	date_long(D("2026-01-05"), 0, &b);
	is_str(buf_str(&b), "5 January 2026", "a day without a leading zero");
	b.n = 0;
	month_long(date_month(D("2026-09-30")), 1, &b);
	is_str(buf_str(&b), "সেপ্টেম্বর ২০২৬", "a month in Bengali");
	b.n = 0;
	month_long(date_month(D("2025-02-01")), 0, &b);
	is_str(buf_str(&b), "February 2025", "a month in English");
	buf_free(&b);
	return done();
}
