/* The revised (2019) Bangla Academy calendar: 1 Boishakh = 14 April, six months of 31
 * days, Falgun 29 (30 when its February is in a Gregorian leap year), the rest 30. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "wgo.h"

static const char *const bn_month[12] = {
	"বৈশাখ", "জ্যৈষ্ঠ", "আষাঢ়", "শ্রাবণ", "ভাদ্র", "আশ্বিন",
	"কার্তিক", "অগ্রহায়ণ", "পৌষ", "মাঘ", "ফাল্গুন", "চৈত্র",
};

/* Romanised names seen in English-language letters, lower case. */
static const char *const en_month[12][6] = {
	{ "boishakh", "baishakh", "boisakh", "baisakh", "vaisakh", NULL },
	{ "joishtho", "jyoishtho", "jaistha", "jyaistha", "jyoishtha", NULL },
	{ "asharh", "ashar", "asar", "asadh", "asharh", NULL },
	{ "srabon", "shrabon", "shraban", "sraban", "shrabon", NULL },
	{ "bhadro", "bhadra", NULL },
	{ "ashwin", "aswin", "ashshin", "ashwin", NULL },
	{ "kartik", "kartick", NULL },
	{ "agrahayan", "ogrohayon", "agrahayon", "agrohayon", "ograhayan", NULL },
	{ "poush", "paush", "pous", "pousho", NULL },
	{ "magh", "mag", NULL },
	{ "falgun", "phalgun", "falgoon", NULL },
	{ "chaitra", "choitro", "chaitro", "choitra", NULL },
};

const char *
bangla_month_name(int m)
{
	return m >= 1 && m <= 12 ? bn_month[m - 1] : "?";
}

/* Gregorian year in which Falgun of Bangla year by falls (its February). */
static int
falgun_greg_year(int by)
{
	return by + 594;
}

int
bangla_month_days(int by, int bm)
{
	if (bm <= 6)
		return 31;
	if (bm == 11)
		return is_leap(falgun_greg_year(by)) ? 30 : 29;
	return 30;
}

static wdate
year_start(int by)
{
	return date_from_ymd(by + 593, 4, 14);
}

void
bangla_from_date(wdate d, struct bdate *b)
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	int by = (m > 4 || (m == 4 && dd >= 14)) ? y - 593 : y - 594;
	int off = d - year_start(by);
	int bm = 1;
	while (off >= bangla_month_days(by, bm)) {
		off -= bangla_month_days(by, bm);
		bm++;
	}
	b->y = by;
	b->m = bm;
	b->d = off + 1;
}

int
bangla_to_date(const struct bdate *b, wdate *d, const char **why)
{
	if (b->y < DATE_MIN_YEAR - 594 || b->y > DATE_MAX_YEAR - 593) {
		*why = "Bangla year outside 1306 to 1606";
		return -1;
	}
	if (b->m < 1 || b->m > 12) {
		*why = "no such Bangla month";
		return -1;
	}
	if (b->d < 1 || b->d > bangla_month_days(b->y, b->m)) {
		*why = "no such day in that Bangla month";
		return -1;
	}
	wdate r = year_start(b->y);
	for (int m = 1; m < b->m; m++)
		r += bangla_month_days(b->y, m);
	r += b->d - 1;
	if (r < date_from_ymd(DATE_MIN_YEAR, 1, 1) || r > date_from_ymd(DATE_MAX_YEAR, 12, 31)) {
		*why = "date outside 1900 to 2199";
		return -1;
	}
	*d = r;
	return 0;
}

void
bangla_fmt(const struct bdate *b, int ascii, struct buf *out)
{
	char t[32];
	if (ascii) {
		buf_printf(out, "%04d-%02d-%02d", b->y, b->m, b->d);
		return;
	}
	snprintf(t, sizeof t, "%02d", b->d);
	ascii_digits_to_bn(t, out);
	buf_addc(out, ' ');
	buf_adds(out, bn_month[b->m - 1]);
	buf_addc(out, ' ');
	snprintf(t, sizeof t, "%d", b->y);
	ascii_digits_to_bn(t, out);
}

int
bangla_month_lookup(const char *name)
{
	struct buf a = { 0 }, k = { 0 };
	int found = 0;
	bn_fold(name, &a);
	for (int m = 0; m < 12 && !found; m++) {
		bn_fold(bn_month[m], &k);
		if (!strcmp(a.p, k.p))
			found = m + 1;
		for (int j = 0; !found && en_month[m][j]; j++)
			if (!strcasecmp(name, en_month[m][j]))
				found = m + 1;
	}
	buf_free(&a);
	buf_free(&k);
	return found;
}

static int
num(const char *s, int *v)
{
	if (!*s)
		return -1;
	long x;
	if (uint_parse(s, 99999, &x) < 0)
		return -1;
	*v = (int)x;
	return 0;
}

int
bangla_parse(const char *s, struct bdate *b, const char **why)
{
	char t[160];
	if (bn_digits_to_ascii(s, t, sizeof t) < 0) {
		*why = "too long for a date";
		return -1;
	}
	/* YYYY-MM-DD in Bangla reckoning. */
	if (strlen(t) == 10 && t[4] == '-' && t[7] == '-') {
		t[4] = t[7] = 0;
		if (num(t, &b->y) || num(t + 5, &b->m) || num(t + 8, &b->d)) {
			*why = "not a Bangla date of the form YYYY-MM-DD";
			return -1;
		}
	} else {
		/* DD MONTH YYYY, optionally followed by বঙ্গাব্দ. */
		char *w[4] = { 0 };
		int nw = 0;
		for (char *p = strtok(t, " \t,"); p && nw < 4; p = strtok(NULL, " \t,"))
			w[nw++] = p;
		if (nw == 4 && bangla_month_lookup(w[3]) == 0) {
			struct buf f = { 0 }, g = { 0 };
			bn_fold(w[3], &f);
			bn_fold("বঙ্গাব্দ", &g);
			if (!strcmp(f.p, g.p) || !strcasecmp(w[3], "BS"))
				nw = 3;
			buf_free(&f);
			buf_free(&g);
		}
		if (nw != 3 || num(w[0], &b->d) || num(w[2], &b->y)) {
			*why = "not a Bangla date (day, month name, year)";
			return -1;
		}
		b->m = bangla_month_lookup(w[1]);
		if (!b->m) {
			*why = "unknown Bangla month name";
			return -1;
		}
	}
	wdate d;
	return bangla_to_date(b, &d, why);
}

/* Gregorian months as Bengali letters write them. */
static const char *const greg_bn[12] = {
	"জানুয়ারি", "ফেব্রুয়ারি", "মার্চ", "এপ্রিল", "মে", "জুন",
	"জুলাই", "আগস্ট", "সেপ্টেম্বর", "অক্টোবর", "নভেম্বর", "ডিসেম্বর",
};
static const char *const greg_en[12] = {
	"January", "February", "March", "April", "May", "June",
	"July", "August", "September", "October", "November", "December",
};

const char *
greg_month_name(int m, int bn)
{
	if (m < 1 || m > 12)
		return "?";
	return bn ? greg_bn[m - 1] : greg_en[m - 1];
}

void
greg_fmt(wdate d, int bn, struct buf *out)
{
	int y, m, dd;
	char t[32];
	date_to_ymd(d, &y, &m, &dd);
	snprintf(t, sizeof t, bn ? "%02d" : "%d", dd);
	if (bn)
		ascii_digits_to_bn(t, out);
	else
		buf_adds(out, t);
	buf_printf(out, " %s ", greg_month_name(m, bn));
	snprintf(t, sizeof t, "%d", y);
	if (bn)
		ascii_digits_to_bn(t, out);
	else
		buf_adds(out, t);
}
