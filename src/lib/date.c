/* Gregorian dates and months, fiscal years, RFC 3339 instants, and working days. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wgo.h"

int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

int
date_valid_ymd(int y, int m, int d)
{
	return y >= DATE_MIN_YEAR && y <= DATE_MAX_YEAR && m >= 1 && m <= 12 && d >= 1 &&
	       d <= days_in_month(y, m);
}

/* Days from civil, after H. Hinnant's public-domain algorithm. */
wdate
date_from_ymd(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
date_to_ymd(wdate z, int *y, int *m, int *d)
{
	z += 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

int
date_weekday(wdate d)
{
	int w = (d + 4) % 7; /* 1970-01-01 was a Thursday */
	return w < 0 ? w + 7 : w;
}

static int
digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
date_parse(const char *s, wdate *d, const char **why)
{
	char b[32];
	int y, m, dd;
	if (bn_digits_to_ascii(s, b, sizeof b) < 0 || strlen(b) != 10 || b[4] != '-' ||
	    b[7] != '-' || digits(b, 4, &y) || digits(b + 5, 2, &m) || digits(b + 8, 2, &dd)) {
		*why = "not a date of the form YYYY-MM-DD";
		return -1;
	}
	if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR) {
		*why = "year outside 1900 to 2199";
		return -1;
	}
	if (m < 1 || m > 12 || dd < 1 || dd > days_in_month(y, m)) {
		*why = "no such day in the calendar";
		return -1;
	}
	*d = date_from_ymd(y, m, dd);
	return 0;
}

int
month_parse(const char *s, wmonth *mo, const char **why)
{
	char b[32];
	int y, m;
	if (bn_digits_to_ascii(s, b, sizeof b) < 0 || strlen(b) != 7 || b[4] != '-' ||
	    digits(b, 4, &y) || digits(b + 5, 2, &m)) {
		*why = "not a month of the form YYYY-MM";
		return -1;
	}
	if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR) {
		*why = "year outside 1900 to 2199";
		return -1;
	}
	if (m < 1 || m > 12) {
		*why = "no such month";
		return -1;
	}
	*mo = y * 12 + m - 1;
	return 0;
}

static char *
put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

static char *
put4(char *p, unsigned v)
{
	return put2(put2(p, v / 100 % 100), v % 100);
}

void
date_fmt(wdate d, char out[11])
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	char *p = put4(out, (unsigned)y);
	*p++ = '-';
	p = put2(p, (unsigned)m);
	*p++ = '-';
	p = put2(p, (unsigned)dd);
	*p = 0;
}

void
month_fmt(wmonth m, char out[8])
{
	char *p = put4(out, (unsigned)(m / 12));
	*p++ = '-';
	p = put2(p, (unsigned)(m % 12 + 1));
	*p = 0;
}

wmonth
date_month(wdate d)
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	return y * 12 + m - 1;
}

wdate
month_first(wmonth m)
{
	return date_from_ymd(m / 12, m % 12 + 1, 1);
}

wdate
month_last(wmonth m)
{
	return month_first(m + 1) - 1;
}

wdate
date_add_months(wdate d, int n)
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	int t = y * 12 + (m - 1) + n;
	y = t / 12;
	m = t % 12 + 1;
	int dim = days_in_month(y, m);
	return date_from_ymd(y, m, dd > dim ? dim : dd);
}

int
fiscal_year(wdate d)
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	return m >= 7 ? y : y - 1;
}

void
fiscal_fmt(int fy, char out[8])
{
	char *p = put4(out, (unsigned)fy);
	*p++ = '-';
	p = put2(p, (unsigned)(fy + 1) % 100);
	*p = 0;
}

int
fiscal_parse(const char *s, int *fy, const char **why)
{
	char b[32];
	int y, y2;
	if (bn_digits_to_ascii(s, b, sizeof b) < 0 || strlen(b) != 7 || b[4] != '-' ||
	    digits(b, 4, &y) || digits(b + 5, 2, &y2)) {
		*why = "not a fiscal year of the form YYYY-YY";
		return -1;
	}
	if ((y + 1) % 100 != y2) {
		*why = "the second year must follow the first";
		return -1;
	}
	*fy = y;
	return 0;
}

int
instant_parse(const char *s, int64_t *epoch, const char **why)
{
	char b[40];
	int y, mo, d, h, mi, se;
	if (bn_digits_to_ascii(s, b, sizeof b) < 0 || strlen(b) != 20 || b[4] != '-' ||
	    b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[19] != 'Z' ||
	    digits(b, 4, &y) || digits(b + 5, 2, &mo) || digits(b + 8, 2, &d) ||
	    digits(b + 11, 2, &h) || digits(b + 14, 2, &mi) || digits(b + 17, 2, &se)) {
		*why = "not an instant of the form YYYY-MM-DDTHH:MM:SSZ";
		return -1;
	}
	if (!date_valid_ymd(y, mo, d) || h > 23 || mi > 59 || se > 60) {
		*why = "no such instant";
		return -1;
	}
	*epoch = (int64_t)date_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	return 0;
}

void
instant_fmt(int64_t t, char out[21])
{
	int64_t day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t sec = t - day * 86400;
	int y, m, d;
	date_to_ymd((wdate)day, &y, &m, &d);
	date_fmt((wdate)day, out);
	char *p = out + 10;
	*p++ = 'T';
	p = put2(p, (unsigned)(sec / 3600));
	*p++ = ':';
	p = put2(p, (unsigned)(sec / 60 % 60));
	*p++ = ':';
	p = put2(p, (unsigned)(sec % 60));
	*p++ = 'Z';
	*p = 0;
}

static int64_t fixed_now = -1;

void
wgo_set_now(int64_t t)
{
	fixed_now = t;
}

int64_t
wgo_now(void)
{
	if (fixed_now >= 0)
		return fixed_now;
	const char *e = getenv("SOURCE_DATE_EPOCH");
	if (e && *e) {
		char *end;
		errno = 0;
		long long v = strtoll(e, &end, 10);
		if (!*end && !errno && v >= 0)
			return v;
	}
	return (int64_t)time(NULL);
}

/* ---- dates as people say them ---- */

static const char *const greg_month[2][12] = {
	{ "January", "February", "March", "April", "May", "June", "July", "August", "September",
	  "October", "November", "December" },
	{ "জানুয়ারি", "ফেব্রুয়ারি", "মার্চ", "এপ্রিল", "মে", "জুন", "জুলাই", "আগস্ট", "সেপ্টেম্বর",
	  "অক্টোবর", "নভেম্বর", "ডিসেম্বর" },
};

void
date_long(wdate d, int bn, struct buf *out)
{
	int y, m, dd;
	char t[16];
	date_to_ymd(d, &y, &m, &dd);
	snprintf(t, sizeof t, "%d", dd);
	bn ? ascii_digits_to_bn(t, out) : buf_adds(out, t);
	buf_printf(out, " %s ", greg_month[!!bn][m - 1]);
	snprintf(t, sizeof t, "%d", y);
	bn ? ascii_digits_to_bn(t, out) : buf_adds(out, t);
}

void
month_long(wmonth mo, int bn, struct buf *out)
{
	char t[16];
	buf_printf(out, "%s ", greg_month[!!bn][mo % 12]);
	snprintf(t, sizeof t, "%d", mo / 12);
	bn ? ascii_digits_to_bn(t, out) : buf_adds(out, t);
}

/* Dates are the board's dates: Bangladesh time, UTC+6, all year. */
wdate
wgo_today(void)
{
	int64_t t = wgo_now() + 6 * 3600;
	return (wdate)(t / 86400);
}

/* ---- working days ---- */

void
cal_init(struct calendar *c)
{
	memset(c, 0, sizeof *c);
	c->weekend = 1u << 5 | 1u << 6; /* Friday, Saturday */
}

void
cal_free(struct calendar *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->h[i].name);
	free(c->h);
	free(c->path);
	cal_init(c);
}

static int
hcmp(const void *a, const void *b)
{
	const struct holiday *x = a, *y = b;
	return (x->d > y->d) - (x->d < y->d);
}

int
cal_load(struct calendar *c, const char *path, struct werr *e)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return werr_set(e, path, "cannot open: %s", strerror(errno));
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	ssize_t len;
	unsigned long ln = 0;
	int rc = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		ln++;
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		if (len && line[len - 1] == '\r')
			line[--len] = 0;
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		if (strlen(p) != (size_t)(len - (p - line)) || !utf8_valid(p, strlen(p), NULL)) {
			char where[sizeof e->field];
			snprintf(where, sizeof where, "%s:%lu", path, ln);
			rc = werr_set(e, where, "not UTF-8 text");
			break;
		}
		/* The date is the first word: ten ASCII or 30 bytes of Bengali digits. */
		char *q = p;
		while (*q && *q != ' ' && *q != '\t')
			q++;
		char save = *q;
		*q = 0;
		wdate d;
		const char *why;
		if (date_parse(p, &d, &why) < 0) {
			char where[sizeof e->field];
			snprintf(where, sizeof where, "%s:%lu", path, ln);
			rc = werr_set(e, where, "%s: %s", p, why);
			break;
		}
		*q = save;
		while (*q == ' ' || *q == '\t')
			q++;
		if (c->n == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			c->h = xrealloc(c->h, alloc * sizeof *c->h);
		}
		c->h[c->n].d = d;
		c->h[c->n].name = xstrdup(q);
		c->n++;
	}
	if (!rc && ferror(f))
		rc = werr_set(e, path, "read error: %s", strerror(errno));
	free(line);
	fclose(f);
	if (rc)
		return rc;
	if (c->n > 1)
		qsort(c->h, c->n, sizeof *c->h, hcmp);
	free(c->path);
	c->path = xstrdup(path);
	return 0;
}

const struct holiday *
cal_holiday(const struct calendar *c, wdate d)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->h[mid].d < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && c->h[lo].d == d ? &c->h[lo] : NULL;
}

int
cal_is_workday(const struct calendar *c, wdate d)
{
	return !(c->weekend & (1u << date_weekday(d))) && !cal_holiday(c, d);
}

wdate
cal_add_workdays(const struct calendar *c, wdate d, int n)
{
	int step = n >= 0 ? 1 : -1;
	if (c->weekend == 0x7F)
		return d; /* no working days at all: nothing to count */
	for (int k = n * step; k > 0;) {
		d += step;
		if (cal_is_workday(c, d))
			k--;
	}
	return d;
}

int
cal_workdays_between(const struct calendar *c, wdate a, wdate b)
{
	int n = 0, sign = 1;
	if (b < a) {
		wdate t = a;
		a = b;
		b = t;
		sign = -1;
	}
	for (wdate d = a + 1; d <= b; d++)
		n += cal_is_workday(c, d);
	return sign * n;
}
