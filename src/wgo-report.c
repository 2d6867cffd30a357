/* wgo-report: the quarterly (or annual) service report of an office and of the
 * board: figures from the period's records, as figure records, a table, or one
 * self-contained HTML page in Bengali for the website. Where orders stand comes
 * from the order history (hist.c), complaints from the complaint model
 * (complaint.c); what is here is counting, and the page. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: wgo-report --quarter YYYY-YYQN | --year YYYY-YY | --from DATE --to DATE\n"
	"                  [OPTIONS] [FILE...]\n"
	"Read the records of the board (orders with their revisions, pushes, returns, stops,\n"
	"verifications, payments, card returns, discrepancies, complaint events) and write\n"
	"the period's figures, per office and for the board: as figure records, a table,\n"
	"or one HTML page for the website (Bengali by default), with the citizen charter's\n"
	"promised time limits beside the time taken.\n"
	"\n"
	"Options:\n"
	"      --quarter Q            a quarter of the fiscal year (July to June): 2025-26Q2\n"
	"      --year FY              a fiscal year: 2025-26\n"
	"      --from DATE, --to DATE the first and last day of another period\n"
	"  -o, --office OFFICE        only this office's figures (no board total)\n"
	"  -f, --format FORMAT        records (default), table or html\n"
	"  -l, --lang LANG            the table's and the page's language: en, or bn\n"
	"                             (the page's default)\n"
	"  -c, --complaints           read the complaint log of the state directory too\n"
	"  -H, --holidays FILE        holiday file for working days\n"
	"  -r, --rejects FILE         write rejected records to FILE, with their reasons\n"
	"  -q, --quiet                do not report each rejected record\n"
	WGO_PROGRESS_USAGE
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"      --now INSTANT          take this as the current time (the page's date)\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 all read, 1 some records rejected, 2 usage or operational error.\n";

static const char *o_quarter, *o_year, *o_from, *o_to, *o_office, *o_format, *o_holidays,
                  *o_rejects;
static int o_lang = -1, o_quiet, o_complaints;

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 1: o_quarter = arg; break;
	case 2: o_year = arg; break;
	case 3: o_from = arg; break;
	case 4: o_to = arg; break;
	case 'o':
		if (!office_valid(arg))
			die_usage("--office: unknown office '%s'", arg);
		o_office = arg;
		break;
	case 'f':
		if (strcmp(arg, "records") && strcmp(arg, "table") && strcmp(arg, "html"))
			die_usage("--format: records, table or html");
		o_format = arg;
		break;
	case 'l':
		if ((o_lang = lang_parse(arg)) < 0)
			die_usage("--lang: en or bn");
		break;
	case 'c': o_complaints = 1; break;
	case 'H': o_holidays = arg; break;
	case 'r': o_rejects = arg; break;
	case 'q': o_quiet = 1; break;
	case 5: wgo_set_home(arg); break;
	case 6: wgo_opt_now(arg); break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

/* ---- the period ---- */

static wdate from, to;
static char period[48];
static int fy = -1, quarter; /* for the page's title */

static void
period_setup(void)
{
	const char *why;
	int given = !!o_quarter + !!o_year + !!(o_from || o_to);
	if (given != 1)
		die_usage("give one period: --quarter, --year, or --from and --to");
	if (o_quarter) {
		char b[32], y[8];
		if (bn_digits_to_ascii(o_quarter, b, sizeof b) < 0 || strlen(b) != 9 ||
		    (b[7] != 'Q' && b[7] != 'q') || b[8] < '1' || b[8] > '4')
			die_usage("--quarter: %s: not a quarter of the form 2025-26Q2", o_quarter);
		memcpy(y, b, 7);
		y[7] = 0;
		if (fiscal_parse(y, &fy, &why) < 0)
			die_usage("--quarter: %s: %s", o_quarter, why);
		quarter = b[8] - '0';
		/* Q1 July to September of the first year, ..., Q4 April to June of the next. */
		wmonth m0 = fy * 12 + 6 + (quarter - 1) * 3;
		from = month_first(m0);
		to = month_last(m0 + 2);
		snprintf(period, sizeof period, "%sQ%d", y, quarter);
	} else if (o_year) {
		if (fiscal_parse(o_year, &fy, &why) < 0)
			die_usage("--year: %s: %s", o_year, why);
		from = date_from_ymd(fy, 7, 1);
		to = date_from_ymd(fy + 1, 6, 30);
		fiscal_fmt(fy, period);
	} else {
		if (!o_from || !o_to)
			die_usage("--from and --to go together");
		if (date_parse(o_from, &from, &why) < 0)
			die_usage("--from: %s: %s", o_from, why);
		if (date_parse(o_to, &to, &why) < 0)
			die_usage("--to: %s: %s", o_to, why);
		if (to < from)
			die_usage("--to is before --from");
		char a[11], b[11];
		date_fmt(from, a);
		date_fmt(to, b);
		snprintf(period, sizeof period, "%s..%s", a, b);
	}
}

static int
in_period(wdate d)
{
	return d >= from && d <= to;
}

/* ---- offices ---- */

#define NOFF 9
#define BOARD NOFF
static int seen_office[NOFF + 1];

static int
office_index(const char *code)
{
	const char *const *c = office_codes();
	for (int i = 0; c[i]; i++)
		if (code && !strcmp(code, c[i]))
			return i;
	return -1;
}

/* ---- the measures ---- */

enum { U_COUNT, U_POISHA, U_DAYS, U_PERMILLE, U_FLAG };
static const char *const unit_name[] = { "count", "poisha", "working_days", "permille", "flag" };

enum { S_ORDERS, S_BENEF, S_PAY, S_RECON, S_COMPL, S_CHARTER, NSECT };
static const char *const sect_en[] = { "Orders", "Beneficiaries and life verification", "Payments",
	                               "Reconciliation with the bank", "Complaints",
	                               "The citizen charter" };
static const char *const sect_bn[] = { "আদেশ", "উপকারভোগী ও লাইফ ভেরিফিকেশন", "পরিশোধ",
	                               "ব্যাংকের সাথে সমন্বয়", "অভিযোগ", "সিটিজেন চার্টার" };

struct measure {
	const char *id;
	int unit, sect;
	const char *en, *bn;
};
static const struct measure M[] = {
	{ "applications_approved", U_COUNT, S_ORDERS, "applications approved", "অনুমোদিত আবেদন" },
	{ "orders_issued", U_COUNT, S_ORDERS, "orders issued", "জারি করা আদেশ" },
	{ "orders_pushed", U_COUNT, S_ORDERS, "sent to the bank", "ব্যাংকে পাঠানো" },
	{ "orders_accepted", U_COUNT, S_ORDERS, "accepted by the bank", "ব্যাংকে গৃহীত" },
	{ "orders_returned", U_COUNT, S_ORDERS, "returned by the bank", "ব্যাংক থেকে ফেরত" },
	{ "orders_corrected", U_COUNT, S_ORDERS, "corrected (revisions in force)", "সংশোধিত" },
	{ "orders_stopped", U_COUNT, S_ORDERS, "stopped", "বন্ধ করা" },
	{ "approval_to_issue_median", U_DAYS, S_ORDERS, "approval to issue, median",
	  "অনুমোদন থেকে জারি, মধ্যমা" },
	{ "approval_to_issue_p90", U_DAYS, S_ORDERS, "approval to issue, 90th percentile",
	  "অনুমোদন থেকে জারি, ৯০তম শতাংশিক" },
	{ "issue_to_verification_median", U_DAYS, S_ORDERS, "issue to first verification, median",
	  "জারি থেকে প্রথম লাইফ ভেরিফিকেশন, মধ্যমা" },
	{ "issue_to_verification_p90", U_DAYS, S_ORDERS,
	  "issue to first verification, 90th percentile",
	  "জারি থেকে প্রথম লাইফ ভেরিফিকেশন, ৯০তম শতাংশিক" },
	{ "verification_to_payment_median", U_DAYS, S_ORDERS,
	  "first verification to first payment, median",
	  "প্রথম ভেরিফিকেশন থেকে প্রথম পরিশোধ, মধ্যমা" },
	{ "verification_to_payment_p90", U_DAYS, S_ORDERS,
	  "first verification to first payment, 90th percentile",
	  "প্রথম ভেরিফিকেশন থেকে প্রথম পরিশোধ, ৯০তম শতাংশিক" },
	{ "return_to_correction_median", U_DAYS, S_ORDERS, "return to correction, median",
	  "ফেরত থেকে সংশোধন, মধ্যমা" },
	{ "return_to_correction_p90", U_DAYS, S_ORDERS, "return to correction, 90th percentile",
	  "ফেরত থেকে সংশোধন, ৯০তম শতাংশিক" },
	{ "first_payments_due", U_COUNT, S_ORDERS, "first payments due", "প্রথম পরিশোধ প্রাপ্য" },
	{ "first_payments_on_time", U_COUNT, S_ORDERS, "paid within the promised working days",
	  "প্রতিশ্রুত কার্যদিবসের মধ্যে পরিশোধিত" },
	{ "paid_within_promise", U_PERMILLE, S_ORDERS, "share paid within the promise",
	  "প্রতিশ্রুত সময়ে পরিশোধের হার" },
	{ "verifications", U_COUNT, S_BENEF, "life verifications", "লাইফ ভেরিফিকেশন" },
	{ "verified_first", U_COUNT, S_BENEF, "first verifications", "প্রথম ভেরিফিকেশন" },
	{ "verified_on_time", U_COUNT, S_BENEF, "again, within the window", "সময়মতো পুনঃভেরিফিকেশন" },
	{ "verified_resumed", U_COUNT, S_BENEF, "after a suspension (payment resumed)",
	  "স্থগিতের পর (পরিশোধ পুনরায় চালু)" },
	{ "suspended_in_period", U_COUNT, S_BENEF, "suspended in the period", "এই সময়ে স্থগিত" },
	{ "beneficiaries_due", U_COUNT, S_BENEF, "due to verify at the end", "সময়শেষে ভেরিফিকেশন বাকি" },
	{ "beneficiaries_suspended", U_COUNT, S_BENEF, "suspended at the end", "সময়শেষে স্থগিত" },
	{ "payments", U_COUNT, S_PAY, "payments", "পরিশোধের সংখ্যা" },
	{ "payments_poisha", U_POISHA, S_PAY, "paid", "পরিশোধিত অর্থ" },
	{ "arrears_paid", U_COUNT, S_PAY, "arrears payments", "বকেয়া পরিশোধের সংখ্যা" },
	{ "arrears_paid_poisha", U_POISHA, S_PAY, "arrears paid", "পরিশোধিত বকেয়া" },
	{ "discrepancies", U_COUNT, S_RECON, "discrepancies", "অসংগতি" },
	{ "discrepancies_poisha", U_POISHA, S_RECON, "taka at stake", "সংশ্লিষ্ট অর্থ" },
	{ "cards_not_returned", U_COUNT, S_RECON, "cards not returned by the 15th",
	  "১৫ তারিখের মধ্যে ফেরত না আসা কার্ড" },
	{ "complaints_received", U_COUNT, S_COMPL, "complaints received", "প্রাপ্ত অভিযোগ" },
	{ "complaints_resolved", U_COUNT, S_COMPL, "resolved", "নিষ্পন্ন" },
	{ "complaints_resolved_in_time", U_COUNT, S_COMPL, "resolved within the deadline",
	  "নির্ধারিত সময়ের মধ্যে নিষ্পন্ন" },
	{ "complaints_resolved_in_time_share", U_PERMILLE, S_COMPL,
	  "share resolved within the deadline", "নির্ধারিত সময়ে নিষ্পত্তির হার" },
	{ "complaint_days_median", U_DAYS, S_COMPL, "working days to resolve, median",
	  "নিষ্পত্তিতে কার্যদিবস, মধ্যমা" },
	{ "complaint_days_p90", U_DAYS, S_COMPL, "working days to resolve, 90th percentile",
	  "নিষ্পত্তিতে কার্যদিবস, ৯০তম শতাংশিক" },
	{ "complaints_escalated", U_COUNT, S_COMPL, "escalated", "উর্ধ্বতন পর্যায়ে প্রেরিত" },
	{ "complaints_open", U_COUNT, S_COMPL, "open at the end", "সময়শেষে অনিষ্পন্ন" },
	{ "complaints_overdue", U_COUNT, S_COMPL, "past the deadline at the end",
	  "সময়শেষে সময়সীমা পার" },
	{ "charter_limit_days", U_DAYS, S_CHARTER, "promised time limit", "প্রতিশ্রুত সময়সীমা" },
	{ "charter_cases", U_COUNT, S_CHARTER, "cases", "সেবা প্রদানের সংখ্যা" },
	{ "charter_median_days", U_DAYS, S_CHARTER, "time taken, median", "প্রকৃত সময়, মধ্যমা" },
	{ "charter_p90_days", U_DAYS, S_CHARTER, "time taken, 90th percentile",
	  "প্রকৃত সময়, ৯০তম শতাংশিক" },
	{ "charter_within_share", U_PERMILLE, S_CHARTER, "share within the limit",
	  "সময়সীমার মধ্যে সেবার হার" },
	{ "charter_kept", U_FLAG, S_CHARTER, "promise kept", "প্রতিশ্রুতি রক্ষিত" },
};
#define NM (sizeof M / sizeof M[0])

static int
measure_index(const char *id)
{
	for (size_t i = 0; i < NM; i++)
		if (!strcmp(M[i].id, id))
			return (int)i;
	die("no measure %s", id); /* a programming error */
}

/* The figures: per office (and the board) a map of "MEASURE\x1fBY\x1fKEY" to a
 * value; the spans, lists of working days, per office and "SPAN" or "SPAN@GRANT". */
static struct hmap figs[NOFF + 1], spans[NOFF + 1];
struct span {
	int *v;
	size_t n, cap;
};

static void
fig_add1(int off, const char *measure, const char *by, const char *key, int64_t v)
{
	char k[400];
	snprintf(k, sizeof k, "%s\x1f%s\x1f%s", measure, by ? by : "", key ? key : "");
	int64_t *p = hmap_put(&figs[off], k, NULL);
	if (money_sum(p, v) < 0)
		die("%s: a figure passes the largest a record holds", measure);
}

/* Add to an office's figure and to the board's. */
static void
fig_add(int off, const char *measure, const char *by, const char *key, int64_t v)
{
	if (off >= 0) {
		seen_office[off] = 1;
		fig_add1(off, measure, by, key, v);
	}
	fig_add1(BOARD, measure, by, key, v);
}

static void
fig_set(int off, const char *measure, int64_t v)
{
	char k[400];
	snprintf(k, sizeof k, "%s\x1f\x1f", measure);
	*(int64_t *)hmap_put(&figs[off], k, NULL) = v;
}

static void
span_add1(int off, const char *span, int days)
{
	struct span *s = hmap_put(&spans[off], span, NULL);
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = days;
}

/* A case's working days, under its span, and its grant's when it has one. */
static void
span_add(int off, const char *span, const char *grant, int days)
{
	char k[96];
	for (int b = 0; b < 2; b++) {
		int o = b ? BOARD : off;
		if (o < 0)
			continue;
		span_add1(o, span, days);
		if (grant && *grant) {
			snprintf(k, sizeof k, "%s@%s", span, grant);
			span_add1(o, k, days);
		}
	}
}

static struct calendar cal;

static int
workdays(wdate a, wdate b)
{
	return b > a ? cal_workdays_between(&cal, a, b) : 0;
}

/* ---- reading ---- */

static struct sched_params params;
static struct hist hist;
static struct cpl_rules crules;
static struct cpl_set cset;
static struct rloop L;

/* What the report keeps of an order besides its history. */
struct ordx {
	const char *no;
	wdate sanctioned, first_paid;
	char has_sanction, has_paid;
};
static struct hmap oxi; /* order_no -> uint32_t index in ox */
static struct ordx *ox;
static size_t nox, cox;

static uint32_t
ordx_of(const char *no)
{
	int isnew;
	uint32_t *i = hmap_put(&oxi, no, &isnew);
	if (isnew) {
		if (nox == cox) {
			cox = cox ? cox * 2 : 1024;
			ox = xrealloc(ox, cox * sizeof *ox);
		}
		memset(&ox[nox], 0, sizeof *ox);
		ox[nox].no = hmap_key(&oxi, i);
		*i = (uint32_t)nox++;
	}
	return *i;
}

struct pay {
	uint64_t id;   /* the payment_id, hashed: a payment read twice counts once */
	uint32_t x;
	int32_t month; /* -1: a lump sum */
	int64_t poisha;
	int32_t paid;
	int8_t office;
};
static struct pay *pays;
static size_t npay, cpay;

struct push {
	uint32_t x;
	int32_t day; /* INT32_MIN: not given */
	int16_t revision;
	int8_t accepted;
};
static struct push *pushes;
static size_t npush, cpush;

static unsigned long later, aside;
static struct hmap apps; /* application numbers counted */

/* The kinds the report reads; the others are left aside. */
static int
is_read(const char *kind)
{
	static const char *const k[] = { "order", "verification", "return", "stop", "card_return",
		                         "push", "payment", "discrepancy", "complaint", "application",
		                         NULL };
	for (int i = 0; k[i]; i++)
		if (!strcmp(k[i], kind))
			return 1;
	return 0;
}

static int
jdate(const json_t *r, const char *key, wdate *d)
{
	const char *why, *s = json_string_value(jget(r, key));
	return s && date_parse(s, d, &why) == 0;
}

static int64_t
jinstant(const json_t *r, const char *key)
{
	int64_t t = 0;
	const char *why, *s = jstr(r, key);
	if (s)
		instant_parse(s, &t, &why);
	return t;
}

/* The taka a discrepancy puts at stake: what is short, over, or paid (or due)
 * wrongly. */
static int64_t
at_stake(const json_t *r)
{
	const char *c = jstr(r, "class");
	int64_t ex = jint(r, "expected_poisha", -1), pd = jint(r, "paid_poisha", -1);
	if (!strcmp(c, "card_not_returned"))
		return 0;
	if (!strcmp(c, "underpaid") && ex >= 0 && pd >= 0)
		return ex - pd;
	if (!strcmp(c, "overpaid") && ex >= 0 && pd >= 0)
		return pd - ex;
	if (!strcmp(c, "missing"))
		return ex > 0 ? ex : 0;
	return pd > 0 ? pd : ex > 0 ? ex : 0;
}

static int
on_complaint(json_t *r, struct werr *e)
{
	int64_t at = jinstant(r, "at");
	if (bd_day(at) > to) {
		later++; /* not known yet at the period's end */
		return 0;
	}
	if (cpl_apply(&cset, r, e) < 0)
		return -1;
	const char *ev = jstr(r, "event");
	int off = office_index(jstr(r, "office"));
	if (!strcmp(ev, "escalate") && in_period(bd_day(at)))
		fig_add(off, "complaints_escalated", NULL, NULL, 1);
	return 0;
}

static int
on_record(struct rloop *Lp, json_t *r, const struct rpos *pos, struct werr *e)
{
	(void)Lp;
	const char *kind = jstr(r, "kind");
	wdate d;
	if (!strcmp(kind, "complaint"))
		return on_complaint(r, e);
	if (!strcmp(kind, "application")) {
		/* approved on its sanction's date; counted once however often it is read */
		if (jdate(r, "sanction.date", &d) && in_period(d)) {
			int isnew;
			hmap_put(&apps, jstr(r, "application_no"), &isnew);
			if (isnew)
				fig_add(office_index(jstr(r, "office")), "applications_approved", NULL, NULL, 1);
		}
		return 0;
	}
	if (!is_read(kind)) {
		aside++;
		return 0;
	}
	if (!strcmp(kind, "discrepancy")) {
		wmonth m;
		const char *why;
		if (month_parse(jstr(r, "month"), &m, &why) < 0)
			return werr_set(e, "month", "%s", why);
		if (m > date_month(to)) {
			later++;
			return 0;
		}
		if (m < date_month(from))
			return 0;
		int off = office_index(jstr(r, "office"));
		fig_add(off, "discrepancies", NULL, NULL, 1);
		fig_add(off, "discrepancies", "class", jstr(r, "class"), 1);
		fig_add(off, "discrepancies_poisha", NULL, NULL, at_stake(r));
		fig_add(off, "discrepancies_poisha", "class", jstr(r, "class"), at_stake(r));
		return 0;
	}
	if (!strcmp(kind, "payment")) {
		jdate(r, "paid", &d);
		if (d > to) {
			later++;
			return 0;
		}
		uint32_t x = ordx_of(jstr(r, "order_no"));
		if (!ox[x].has_paid || d < ox[x].first_paid) {
			ox[x].first_paid = d;
			ox[x].has_paid = 1;
		}
		if (d < from)
			return 0;
		if (npay == cpay) {
			cpay = cpay ? cpay * 2 : 4096;
			pays = xrealloc(pays, cpay * sizeof *pays);
		}
		wmonth m = -1;
		const char *why;
		if (jstr(r, "month"))
			month_parse(jstr(r, "month"), &m, &why);
		uint64_t h = 1469598103934665603u; /* FNV-1a */
		for (const char *c = jstr(r, "payment_id"); c && *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211u;
		pays[npay++] = (struct pay){ h, x, m, jint(r, "amount_poisha", 0), d,
			                     (int8_t)office_index(jstr(r, "office")) };
		return 0;
	}
	if (!strcmp(kind, "push")) {
		int32_t day = INT32_MIN;
		if (jstr(r, "at")) {
			day = bd_day(jinstant(r, "at"));
			if (day > to) {
				later++;
				return 0;
			}
		}
		const char *st = jstr(r, "status");
		if (strcmp(st, "accepted") && strcmp(st, "rejected"))
			return 0; /* not delivered (failed), or accepted before (skipped) */
		if (npush == cpush) {
			cpush = cpush ? cpush * 2 : 1024;
			pushes = xrealloc(pushes, cpush * sizeof *pushes);
		}
		pushes[npush++] = (struct push){ ordx_of(jstr(r, "order_no")), day,
			                         (int16_t)jint(r, "revision", 0), !strcmp(st, "accepted") };
		return 0;
	}
	/* The order history's records: those dated after the period are not known. */
	const char *dk = !strcmp(kind, "order") ? (jget(r, "amendment.date") ? "amendment.date"
	                                                                      : "issued")
	               : !strcmp(kind, "card_return") ? "returned" : "date";
	if (jdate(r, dk, &d) && d > to) {
		later++;
		return 0;
	}
	if (!strcmp(kind, "order") && jint(r, "revision", 0) == 0 && jdate(r, "sanction.date", &d)) {
		uint32_t x = ordx_of(jstr(r, "order_no"));
		ox[x].sanctioned = d;
		ox[x].has_sanction = 1;
	}
	return hist_add(&hist, r, pos, e);
}

/* ---- working out the figures ---- */

static int
cmp_pay(const void *a, const void *b)
{
	const struct pay *x = a, *y = b;
	return x->x < y->x ? -1 : x->x > y->x;
}

static const char *
grant_of(uint32_t x, const struct hist_order **op)
{
	const struct hist_order *o = hist_find(&hist, ox[x].no);
	if (op)
		*op = o;
	return o ? o->grant : "unknown";
}

static void
order_figures(void)
{
	size_t n;
	struct hist_order *const *ords = hist_orders(&hist, &n);
	for (size_t k = 0; k < n; k++) {
		const struct hist_order *o = ords[k];
		int off = office_index(o->office);
		uint32_t *xi = hmap_get(&oxi, o->order_no);
		const struct ordx *x = xi ? &ox[*xi] : NULL;
		if (off >= 0)
			seen_office[off] = 1;
		if (in_period(o->issued)) {
			fig_add(off, "orders_issued", NULL, NULL, 1);
			if (x && x->has_sanction)
				span_add(off, "approval_to_issue", o->grant, workdays(x->sanctioned, o->issued));
		}
		for (uint32_t i = 0; i < o->nrev; i++) {
			const struct hist_rev *rv = &o->rev[i];
			if (rv->revision > 0 && in_period(rv->from))
				fig_add(off, "orders_corrected", NULL, NULL, 1);
			if (rv->has_return && in_period(rv->returned)) {
				fig_add(off, "orders_returned", NULL, NULL, 1);
				fig_add(off, "orders_returned", "code", rv->code, 1);
			}
			/* The return's correction: the first later revision in force. */
			if (rv->has_return)
				for (uint32_t j = i + 1; j < o->nrev; j++)
					if (o->rev[j].from >= rv->returned) {
						if (in_period(o->rev[j].from))
							span_add(off, "return_to_correction", o->grant,
							         workdays(rv->returned, o->rev[j].from));
						break;
					}
		}
		if (o->has_stop && in_period(o->stop.date)) {
			fig_add(off, "orders_stopped", NULL, NULL, 1);
			fig_add(off, "orders_stopped", "reason", hist_stop_reason_name(o->stop.reason), 1);
		}
		/* Verifications: the first, then each within the window the one before
		 * opened, or after it closed (the suspension it ends). */
		for (uint32_t i = 0; i < o->nver; i++) {
			wdate v = o->ver[i];
			if (!in_period(v))
				continue;
			fig_add(off, "verifications", NULL, NULL, 1);
			if (i == 0)
				fig_add(off, "verified_first", NULL, NULL, 1);
			else if (v <= sched_window_to(&params, o->ver[i - 1]))
				fig_add(off, "verified_on_time", NULL, NULL, 1);
			else
				fig_add(off, "verified_resumed", NULL, NULL, 1);
		}
		if (o->nver && in_period(o->ver[0]))
			span_add(off, "issue_to_verification", o->grant, workdays(o->issued, o->ver[0]));
		if (x && x->has_paid && in_period(x->first_paid) && o->nver && o->ver[0] <= x->first_paid)
			span_add(off, "verification_to_payment", o->grant,
			         workdays(o->ver[0], x->first_paid));
		struct hist_status st;
		struct werr e;
		if (hist_status(&hist, o, to, &st, &e) < 0) {
			const struct hist_rev *rv = hist_latest(o);
			warnf("%s:%lu: %s: %s", rv->pos.file, rv->pos.line, e.field, e.msg);
			L.status = wgo_worse(L.status, WGO_EXIT_NEG);
			continue;
		}
		if (st.state == SCHED_DUE_STATE)
			fig_add(off, "beneficiaries_due", NULL, NULL, 1);
		if (st.state == SCHED_SUSPENDED) {
			fig_add(off, "beneficiaries_suspended", NULL, NULL, 1);
			if (in_period(st.suspended_from))
				fig_add(off, "suspended_in_period", NULL, NULL, 1);
		}
		/* The board's promise: the first payment within the payment days of the
		 * first verification, for those whose deadline fell in the period. */
		if (st.has_first && in_period(st.first_payment_due)) {
			fig_add(off, "first_payments_due", NULL, NULL, 1);
			fig_add(off, "first_payments_on_time", NULL, NULL,
			        x && x->has_paid && x->first_paid <= st.first_payment_due);
		}
		wdate due;
		if (hist_card_due(o, to, &due) && in_period(due) && !hist_card_returned(o, due))
			fig_add(off, "cards_not_returned", NULL, NULL, 1);
	}
}

static int
cmp_pay_id(const void *a, const void *b)
{
	const struct pay *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* A payment read twice (the same statement given twice, or two pulls) is one
 * payment; the same payment_id with other contents is not a payment anyone can
 * count: said, and counted once, as first read. Returns how many conflicted. */
static size_t
payments_once(void)
{
	size_t n = 0, bad = 0;
	if (npay > 1)
		qsort(pays, npay, sizeof *pays, cmp_pay_id); /* stable enough: ties keep one */
	for (size_t i = 0; i < npay; i++) {
		if (n && pays[n - 1].id == pays[i].id) {
			const struct pay *a = &pays[n - 1], *b = &pays[i];
			if (a->x != b->x || a->month != b->month || a->poisha != b->poisha || a->paid != b->paid) {
				warnf("a payment of order %s is given twice with different contents: counted once",
				      ox[a->x].no);
				bad++;
			}
			continue;
		}
		pays[n++] = pays[i];
	}
	npay = n;
	return bad;
}

static void
payment_figures(void)
{
	if (npay > 1)
		qsort(pays, npay, sizeof *pays, cmp_pay);
	for (size_t i = 0; i < npay;) {
		size_t j = i;
		while (j < npay && pays[j].x == pays[i].x)
			j++;
		const struct hist_order *o;
		const char *grant = grant_of(pays[i].x, &o);
		const struct hist_item *items = NULL;
		size_t nit = o ? hist_items(&hist, o, to, &items) : 0;
		for (size_t k = i; k < j; k++) {
			const struct pay *p = &pays[k];
			fig_add(p->office, "payments", NULL, NULL, 1);
			fig_add(p->office, "payments", "grant", grant, 1);
			fig_add(p->office, "payments_poisha", NULL, NULL, p->poisha);
			fig_add(p->office, "payments_poisha", "grant", grant, p->poisha);
			const struct hist_item *it = o ? hist_item_of(items, nit, p->month) : NULL;
			if (it && (it->kind == SCHED_ARREARS || it->kind == SCHED_RESUMED)) {
				fig_add(p->office, "arrears_paid", NULL, NULL, 1);
				fig_add(p->office, "arrears_paid_poisha", NULL, NULL, p->poisha);
			}
		}
		i = j;
	}
}

static void
push_figures(void)
{
	/* Each order revision once: sent if the bank answered, accepted if it took it. */
	struct hmap seen;
	hmap_init(&seen, sizeof(int));
	for (size_t i = 0; i < npush; i++) {
		const struct push *p = &pushes[i];
		const struct hist_order *o = hist_find(&hist, ox[p->x].no);
		if (!o)
			continue;
		const struct hist_rev *rv = hist_revision(o, p->revision);
		wdate day = p->day != INT32_MIN ? p->day : rv ? rv->from : o->issued;
		if (!in_period(day))
			continue;
		char k[128];
		snprintf(k, sizeof k, "%s-r%d", o->order_no, p->revision);
		int *s = hmap_put(&seen, k, NULL);
		int off = office_index(o->office);
		if (!(*s & 1))
			fig_add(off, "orders_pushed", NULL, NULL, 1);
		if (p->accepted && !(*s & 2))
			fig_add(off, "orders_accepted", NULL, NULL, 1);
		*s |= 1 | (p->accepted ? 2 : 0);
	}
	hmap_free(&seen);
}

static void
complaint_figures(void)
{
	size_t n;
	struct cpl **v = cpl_sorted(&cset, &n);
	for (size_t i = 0; i < n; i++) {
		const struct cpl *c = v[i];
		int off = office_index(c->office);
		const char *svc = c->service ? c->service : "-";
		if (in_period(bd_day(c->added))) {
			fig_add(off, "complaints_received", NULL, NULL, 1);
			fig_add(off, "complaints_received", "service", svc, 1);
			if (c->desk)
				fig_add(off, "complaints_received", "desk", c->desk, 1);
		}
		if (c->status == CPL_RESOLVED && in_period(bd_day(c->resolved))) {
			int ok = cpl_resolved_in_time(&cset, c);
			fig_add(off, "complaints_resolved", NULL, NULL, 1);
			fig_add(off, "complaints_resolved", "service", svc, 1);
			fig_add(off, "complaints_resolved_in_time", NULL, NULL, ok);
			fig_add(off, "complaints_resolved_in_time", "service", svc, ok);
			if (c->desk) {
				fig_add(off, "complaints_resolved", "desk", c->desk, 1);
				fig_add(off, "complaints_resolved_in_time", "desk", c->desk, ok);
			}
			span_add(off, "complaint_days", NULL, cpl_working_days(&cset, c, to));
		}
		if (c->status != CPL_RESOLVED) {
			fig_add(off, "complaints_open", NULL, NULL, 1);
			if (cpl_overdue(&cset, c, to)) {
				fig_add(off, "complaints_overdue", NULL, NULL, 1);
				fig_add(off, "complaints_overdue", "service", svc, 1);
			}
		}
	}
	free(v);
}

/* ---- the citizen charter (service.ID.days, .measure, .officer, .grant) ---- */

static const char *const charter_measures[] = { "approval_to_issue", "issue_to_verification",
	                                        "verification_to_payment", "return_to_correction",
	                                        "complaint_resolution", NULL };
struct charter {
	char *id;
	int days;
	const char *measure, *officer, *grant;
};
static struct charter *charter;
static size_t ncharter;

static void
charter_load(void)
{
	const struct cfg *c = wgo_config();
	const char *path = c && c->path ? c->path : "wgo.conf";
	for (size_t i = 0; c && i < c->n; i++) {
		const char *k = c->it[i].key;
		size_t kl = strlen(k);
		if (strncmp(k, "service.", 8) || kl < 14 || strcmp(k + kl - 5, ".days"))
			continue;
		char id[128], key[160];
		snprintf(id, sizeof id, "%.*s", (int)(kl - 13), k + 8);
		long days;
		if (uint_parse(c->it[i].val, 3650, &days) < 0 || days < 1)
			die("%s:%lu: %s: a number of working days, 1 to 3650", path, c->it[i].line, k);
		snprintf(key, sizeof key, "service.%s.measure", id);
		const char *m = cfg_get(c, key);
		size_t j;
		for (j = 0; m && charter_measures[j] && strcmp(charter_measures[j], m); j++)
			;
		if (!m || !charter_measures[j])
			die("%s: %s: one of approval_to_issue, issue_to_verification, "
			    "verification_to_payment, return_to_correction, complaint_resolution "
			    "(what the time taken for service %s is)", path, key, id);
		for (j = 0; j < ncharter && strcmp(charter[j].id, id); j++)
			;
		if (j == ncharter) {
			charter = xrealloc(charter, (ncharter + 1) * sizeof *charter);
			ncharter++;
			charter[j].id = xstrdup(id);
		}
		charter[j].days = (int)days;
		charter[j].measure = !strcmp(m, "complaint_resolution") ? "complaint_days" : m;
		snprintf(key, sizeof key, "service.%s.officer", id);
		charter[j].officer = cfg_get(c, key);
		snprintf(key, sizeof key, "service.%s.grant", id);
		charter[j].grant = cfg_get(c, key);
	}
}

static void
charter_figures(void)
{
	for (int off = 0; off <= BOARD; off++) {
		if (off < BOARD && !seen_office[off])
			continue;
		for (size_t i = 0; i < ncharter; i++) {
			const struct charter *ch = &charter[i];
			char k[160];
			if (ch->grant)
				snprintf(k, sizeof k, "%s@%s", ch->measure, ch->grant);
			else
				snprintf(k, sizeof k, "%s", ch->measure);
			struct span *s = hmap_get(&spans[off], k);
			fig_add1(off, "charter_limit_days", "service", ch->id, ch->days);
			fig_add1(off, "charter_cases", "service", ch->id, s ? (int64_t)s->n : 0);
			if (!s || !s->n)
				continue;
			size_t within = 0;
			for (size_t q = 0; q < s->n; q++)
				within += s->v[q] <= ch->days;
			int *copy = xmalloc(s->n * sizeof *copy);
			memcpy(copy, s->v, s->n * sizeof *copy);
			int med = rank_nearest(copy, s->n, 50), p90 = rank_nearest(copy, s->n, 90);
			free(copy);
			fig_add1(off, "charter_median_days", "service", ch->id, med);
			fig_add1(off, "charter_p90_days", "service", ch->id, p90);
			fig_add1(off, "charter_within_share", "service", ch->id,
			         (int64_t)((within * 1000 + s->n / 2) / s->n));
			/* Kept when nine cases in ten, or more, were served within the limit. */
			fig_add1(off, "charter_kept", "service", ch->id, p90 <= ch->days);
		}
	}
}

/* Medians, percentiles and shares, once everything is counted. */
static void
derived_figures(void)
{
	static const char *const sp[] = { "approval_to_issue", "issue_to_verification",
		                          "verification_to_payment", "return_to_correction",
		                          "complaint_days", NULL };
	for (int off = 0; off <= BOARD; off++) {
		for (int i = 0; sp[i]; i++) {
			struct span *s = hmap_get(&spans[off], sp[i]);
			if (!s || !s->n)
				continue;
			char m[80];
			snprintf(m, sizeof m, "%s_median", sp[i]);
			fig_set(off, m, rank_nearest(s->v, s->n, 50));
			snprintf(m, sizeof m, "%s_p90", sp[i]);
			fig_set(off, m, rank_nearest(s->v, s->n, 90));
		}
		static const char *const share[][3] = {
			{ "paid_within_promise", "first_payments_on_time", "first_payments_due" },
			{ "complaints_resolved_in_time_share", "complaints_resolved_in_time",
			  "complaints_resolved" },
		};
		for (int i = 0; i < 2; i++) {
			char a[80], b[80];
			snprintf(a, sizeof a, "%s\x1f\x1f", share[i][1]);
			snprintf(b, sizeof b, "%s\x1f\x1f", share[i][2]);
			int64_t *num = hmap_get(&figs[off], a), *den = hmap_get(&figs[off], b);
			if (den && *den > 0)
				fig_set(off, share[i][0], ((num ? *num : 0) * 1000 + *den / 2) / *den);
		}
	}
}

/* ---- the figures in order ---- */

struct fig {
	int off;      /* 0..8, or BOARD */
	int m;        /* index in M */
	const char *by, *key;
	int64_t value;
};
static struct fig *F;
static size_t nF;

static int
cmp_fig(const void *a, const void *b)
{
	const struct fig *x = a, *y = b;
	/* The board first, then the offices in their order; measures in M's order; the
	 * whole before its parts, the parts by what they are broken down by, then by
	 * key. */
	int ox_ = x->off == BOARD ? -1 : x->off, oy = y->off == BOARD ? -1 : y->off;
	if (ox_ != oy)
		return ox_ < oy ? -1 : 1;
	if (x->m != y->m)
		return x->m < y->m ? -1 : 1;
	int c = strcmp(x->by, y->by);
	return c ? c : strcmp(x->key, y->key);
}

static void
collect(void)
{
	for (int off = 0; off <= BOARD; off++) {
		if (o_office ? off != office_index(o_office) : off < BOARD && !seen_office[off])
			continue;
		size_t i = 0;
		int64_t *v;
		while ((v = hmap_iter(&figs[off], &i))) {
			const char *k = hmap_key(&figs[off], v);
			const char *s1 = strchr(k, '\x1f'), *s2 = strchr(s1 + 1, '\x1f');
			char mid[80];
			snprintf(mid, sizeof mid, "%.*s", (int)(s1 - k), k);
			F = xrealloc(F, (nF + 1) * sizeof *F);
			F[nF].off = off;
			F[nF].m = measure_index(mid);
			/* by and key point into the map's own key, which lives as long. */
			char *by = xmalloc((size_t)(s2 - s1));
			memcpy(by, s1 + 1, (size_t)(s2 - s1 - 1));
			by[s2 - s1 - 1] = 0;
			F[nF].by = by;
			F[nF].key = s2 + 1;
			F[nF].value = *v;
			nF++;
		}
	}
	/* Counts that are zero are figures too: every office has each whole count. */
	for (int off = 0; off <= BOARD; off++) {
		if (o_office ? off != office_index(o_office) : off < BOARD && !seen_office[off])
			continue;
		for (size_t m = 0; m < NM; m++) {
			if (M[m].unit != U_COUNT && M[m].unit != U_POISHA)
				continue;
			if (M[m].sect == S_CHARTER)
				continue;
			char k[96];
			snprintf(k, sizeof k, "%s\x1f\x1f", M[m].id);
			if (hmap_get(&figs[off], k))
				continue;
			F = xrealloc(F, (nF + 1) * sizeof *F);
			F[nF] = (struct fig){ off, (int)m, xstrdup(""), "", 0 };
			nF++;
		}
	}
	if (nF > 1)
		qsort(F, nF, sizeof *F, cmp_fig);
}

static const char *
office_code(int off)
{
	return off == BOARD ? NULL : office_codes()[off];
}

static void
write_records(void)
{
	struct rw w = { 0 };
	struct buf out = { 0 };
	for (size_t i = 0; i < nF; i++) {
		const struct fig *f = &F[i];
		rw_begin(&w, "figure");
		if (f->off != BOARD)
			rw_str(&w, "office", office_code(f->off));
		rw_str(&w, "period", period);
		rw_date(&w, "from", from);
		rw_date(&w, "to", to);
		rw_str(&w, "measure", M[f->m].id);
		if (*f->by) {
			rw_str(&w, "by", f->by);
			rw_str(&w, "key", f->key);
		}
		rw_int(&w, "value", f->value);
		rw_str(&w, "unit", unit_name[M[f->m].unit]);
		rw_end(&w, &out);
		if (out.n > 65536) {
			if (fwrite(out.p, 1, out.n, stdout) != out.n)
				die("<stdout>: write error:");
			out.n = 0;
		}
	}
	if (out.n && fwrite(out.p, 1, out.n, stdout) != out.n)
		die("<stdout>: write error:");
	buf_free(&out);
	rw_free(&w);
}

/* ---- for people: labels and values ---- */

static int bn;

static void
fmt_value(int unit, int64_t v, struct buf *out)
{
	char s[MONEY_BUFSZ];
	out->n = 0;
	switch (unit) {
	case U_COUNT:
	case U_DAYS:
		num_fmt(s, sizeof s, v, bn ? MONEY_BN : 0);
		buf_adds(out, s);
		break;
	case U_POISHA:
		money_fmt(s, sizeof s, v, bn ? MONEY_BN : 0);
		buf_printf(out, "%s%s", bn ? "৳ " : "Tk ", s);
		break;
	case U_PERMILLE:
		snprintf(s, sizeof s, "%lld.%lld%%", (long long)(v / 10), (long long)(v % 10));
		if (bn)
			ascii_digits_to_bn(s, out);
		else
			buf_adds(out, s);
		break;
	case U_FLAG:
		buf_adds(out, v ? (bn ? "হ্যাঁ" : "yes") : (bn ? "না" : "no"));
		break;
	}
	buf_str(out);
}

static const char *
by_label(const char *by)
{
	static const char *const t[][3] = {
		{ "code", "return code", "ফেরতের কারণ" }, { "reason", "reason", "কারণ" },
		{ "grant", "grant", "অনুদান" }, { "class", "class", "ধরন" },
		{ "service", "service", "সেবা" }, { "desk", "desk", "ডেস্ক" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(t[i][0], by))
			return t[i][bn ? 2 : 1];
	return by;
}

static void
key_label(const char *by, const char *key, struct buf *out)
{
	static const char *const t[][3] = {
		{ "welfare", "monthly welfare grant", "মাসিক কল্যাণ অনুদান" },
		{ "group_insurance", "group insurance", "যৌথ বীমা অনুদান" },
		{ "funeral", "funeral grant", "দাফন/অন্ত্যেষ্টিক্রিয়া অনুদান" },
		{ "unknown", "unknown order", "অজানা আদেশ" },
		{ "death", "death", "মৃত্যু" }, { "withdrawal", "withdrawal", "প্রত্যাহার" },
		{ "duplicate", "duplicate", "দ্বৈত" }, { "board_decision", "board's decision", "বোর্ডের সিদ্ধান্ত" },
	};
	out->n = 0;
	if (!strcmp(by, "service")) {
		cpl_label(wgo_config(), "service.", key, bn, out);
		return;
	}
	if (!strcmp(by, "grant") || !strcmp(by, "reason"))
		for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
			if (!strcmp(t[i][0], key)) {
				buf_adds(out, t[i][bn ? 2 : 1]);
				return;
			}
	buf_adds(out, key);
	buf_str(out);
}

static const char *
tr(const char *en, const char *b)
{
	return bn ? b : en;
}

/* The offices shown, as columns: the board first. */
static int cols[NOFF + 1], ncols;

static void
columns(void)
{
	ncols = 0;
	if (o_office) {
		cols[ncols++] = office_index(o_office);
		return;
	}
	cols[ncols++] = BOARD;
	for (int off = 0; off < NOFF; off++)
		if (seen_office[off])
			cols[ncols++] = off;
}

static const char *
col_name(int off)
{
	if (off == BOARD)
		return tr("Board", "বোর্ড");
	return bn ? office_name(office_code(off), 1) : office_code(off);
}

/* The value of a figure, or NULL. */
static const struct fig *
find_fig(int off, int m, const char *by, const char *key)
{
	for (size_t i = 0; i < nF; i++)
		if (F[i].off == off && F[i].m == m && !strcmp(F[i].by, by) && !strcmp(F[i].key, key))
			return &F[i];
	return NULL;
}

/* The rows: each measure's whole, then its parts, in the order of F (the board's
 * or the office's rows first, then any part only an office has). */
struct row {
	int m;
	const char *by, *key;
};
static struct row *rows;
static size_t nrows;

static void
make_rows(void)
{
	for (size_t i = 0; i < nF; i++) {
		size_t r;
		for (r = 0; r < nrows; r++)
			if (rows[r].m == F[i].m && !strcmp(rows[r].by, F[i].by) &&
			    !strcmp(rows[r].key, F[i].key))
				break;
		if (r < nrows)
			continue;
		rows = xrealloc(rows, (nrows + 1) * sizeof *rows);
		rows[nrows++] = (struct row){ F[i].m, F[i].by, F[i].key };
	}
	/* in measure order, the whole first, then the parts */
	for (size_t a = 1; a < nrows; a++)
		for (size_t b = a; b > 0; b--) {
			struct row *x = &rows[b - 1], *y = &rows[b];
			int c = x->m != y->m ? (x->m < y->m ? -1 : 1) : strcmp(x->by, y->by);
			if (!c)
				c = strcmp(x->key, y->key);
			if (c <= 0)
				break;
			struct row t = *x;
			*x = *y;
			*y = t;
		}
}

static void
row_label(const struct row *r, struct buf *out)
{
	out->n = 0;
	if (!*r->by) {
		buf_adds(out, bn ? M[r->m].bn : M[r->m].en);
		return;
	}
	struct buf k = { 0 };
	key_label(r->by, r->key, &k);
	buf_printf(out, "  %s: %s", by_label(r->by), buf_str(&k));
	buf_free(&k);
}

/* ---- --format table ---- */

static void
write_table(void)
{
	struct buf l = { 0 }, v = { 0 }, t = { 0 };
	int lw = 56, vw = 18;
	greg_fmt(from, bn, &t);
	buf_adds(&t, " – ");
	greg_fmt(to, bn, &t);
	struct buf ps = { 0 };
	if (bn)
		ascii_digits_to_bn(period, &ps);
	else
		buf_adds(&ps, period);
	printf("%s: %s (%s)\n", tr("Service report", "সেবা প্রদান প্রতিবেদন"), buf_str(&ps), buf_str(&t));
	buf_free(&ps);
	int sect = -1;
	for (size_t r = 0; r < nrows; r++) {
		if (M[rows[r].m].sect != sect) {
			sect = M[rows[r].m].sect;
			printf("\n");
			put_cell(stdout, bn ? sect_bn[sect] : sect_en[sect], lw, 0, 0);
			for (int c = 0; c < ncols; c++)
				put_cell(stdout, col_name(cols[c]), vw, 1, 0);
			printf("\n");
		}
		if (*rows[r].by && (!r || rows[r - 1].m != rows[r].m)) {
			/* A measure given only in parts: its name heads them. */
			printf("%s\n", bn ? M[rows[r].m].bn : M[rows[r].m].en);
		}
		row_label(&rows[r], &l);
		put_cell(stdout, buf_str(&l), lw, 0, 0);
		for (int c = 0; c < ncols; c++) {
			const struct fig *f = find_fig(cols[c], rows[r].m, rows[r].by, rows[r].key);
			if (f)
				fmt_value(M[f->m].unit, f->value, &v);
			else
				buf_adds((v.n = 0, &v), "-");
			put_cell(stdout, buf_str(&v), vw, 1, 0);
		}
		printf("\n");
	}
	buf_free(&l);
	buf_free(&v);
	buf_free(&t);
}

/* ---- --format html ---- */

static struct buf H;

static void
h(const char *s)
{
	buf_adds(&H, s);
}

/* Text from records or the configuration, escaped for HTML. */
static void
hx(const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': h("&amp;"); break;
		case '<': h("&lt;"); break;
		case '>': h("&gt;"); break;
		case '"': h("&quot;"); break;
		case '\'': h("&#39;"); break;
		default: buf_addc(&H, *s);
		}
}

static void
hf(const char *fmt, ...) WGO_ATTR_FMT(1, 2);
static void
hf(const char *fmt, ...)
{
	va_list ap;
	char tmp[1024];
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	h(tmp);
}

static int64_t
figv(int off, const char *measure, const char *by, const char *key, int *found)
{
	const struct fig *f = find_fig(off, measure_index(measure), by ? by : "", key ? key : "");
	if (found)
		*found = f != NULL;
	return f ? f->value : 0;
}

static void
hval(int unit, int64_t v)
{
	struct buf b = { 0 };
	fmt_value(unit, v, &b);
	hx(buf_str(&b));
	buf_free(&b);
}

/* A horizontal bar chart: one group a label, one bar a series, inline SVG. */
struct series {
	const char *name, *color;
};
static void
svg_bars(const char *title, const char *const *labels, size_t n, const struct series *ser,
         int nser, const int64_t *vals, int unit)
{
	int64_t max = 1;
	for (size_t i = 0; i < n * (size_t)nser; i++)
		if (vals[i] > max)
			max = vals[i];
	int lw = 230, bw = 330, bh = 16, gap = 8, top = 28;
	int gh = nser * bh + gap, height = top + (int)n * gh + 24;
	hf("<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
	   "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\"><title>", lw + bw + 120, height,
	   lw + bw + 120, height);
	hx(title);
	h("</title>");
	hf("<text x=\"0\" y=\"16\" class=\"ct\">");
	hx(title);
	h("</text>");
	for (size_t i = 0; i < n; i++) {
		int y = top + (int)i * gh;
		hf("<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"cl\">", lw - 8,
		   y + nser * bh / 2 + 5);
		hx(labels[i]);
		h("</text>");
		for (int s = 0; s < nser; s++) {
			int64_t v = vals[i * (size_t)nser + (size_t)s];
			int w = (int)(v * bw / max);
			hf("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", lw,
			   y + s * bh, w > 0 ? w : 1, bh - 2, ser[s].color);
			hf("<text x=\"%d\" y=\"%d\" class=\"cv\">", lw + (w > 0 ? w : 1) + 4, y + s * bh + 12);
			hval(unit, v);
			h("</text>");
		}
	}
	if (nser > 1) {
		int x = lw, y = top + (int)n * gh + 8;
		for (int s = 0; s < nser; s++) {
			hf("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", x, y,
			   ser[s].color);
			hf("<text x=\"%d\" y=\"%d\" class=\"cl\">", x + 16, y + 11);
			hx(ser[s].name);
			h("</text>");
			x += 16 + 9 * (int)utf8_width(ser[s].name) + 24;
		}
	}
	h("</svg></figure>\n");
}

static const char css[] =
	"*{box-sizing:border-box}"
	"body{font-family:'Noto Sans Bengali','Noto Serif Bengali','Lohit Bengali','Mukti',"
	"'Noto Sans','DejaVu Sans',sans-serif;color:#1b1b1b;background:#fff;margin:0;"
	"line-height:1.5}"
	"main{max-width:1000px;margin:0 auto;padding:24px}"
	"header{border-bottom:4px solid #006a4e;padding-bottom:12px;margin-bottom:16px}"
	"header .board{font-size:1.5em;font-weight:700;color:#006a4e;margin:0}"
	"header .title{font-size:1.25em;margin:4px 0}"
	"header .date{text-align:right;color:#444}"
	"h2{color:#006a4e;border-bottom:1px solid #cfd8d3;margin-top:28px}"
	".cards{display:flex;flex-wrap:wrap;gap:12px}"
	".card{flex:1 1 200px;border:1px solid #cfd8d3;border-left:6px solid #006a4e;"
	"padding:10px 14px;border-radius:4px}"
	".card .v{font-size:1.6em;font-weight:700}"
	".card .l{color:#444}"
	"table{border-collapse:collapse;width:100%;margin:8px 0}"
	"th,td{border:1px solid #cfd8d3;padding:4px 8px;text-align:left;vertical-align:top}"
	"td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}"
	"th{background:#eef4f1}"
	"tr.part td:first-child{padding-left:24px;color:#333}"
	"tr.sect th{background:#006a4e;color:#fff}"
	".kept{color:#006a4e;font-weight:700}.broken{color:#b3261e;font-weight:700}"
	"figure.chart{margin:12px 0}"
	"svg .ct{font-size:15px;font-weight:700;fill:#1b1b1b}"
	"svg .cl{font-size:13px;fill:#1b1b1b}svg .cv{font-size:12px;fill:#333}"
	"footer{margin-top:32px;color:#555;font-size:.9em;border-top:1px solid #cfd8d3}"
	"@page{size:A4;margin:15mm}"
	"@media print{main{max-width:none;padding:0}h2{break-after:avoid}"
	"table,figure{break-inside:avoid}.card{border-left-width:3px}"
	"a{color:inherit;text-decoration:none}}";

static void
html_card(const char *measure, const char *en, const char *b)
{
	int found;
	int off = cols[0];
	int64_t v = figv(off, measure, NULL, NULL, &found);
	h("<div class=\"card\"><div class=\"v\">");
	if (found)
		hval(M[measure_index(measure)].unit, v);
	else
		h("–");
	h("</div><div class=\"l\">");
	hx(tr(en, b));
	h("</div></div>\n");
}

static void
write_html(void)
{
	int off = cols[0]; /* the board, or the one office */
	struct buf t = { 0 }, d = { 0 };
	hf("<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n", bn ? "bn" : "en");
	h("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	hx(tr("Service delivery report", "সেবা প্রদান প্রতিবেদন"));
	h(" ");
	hx(period);
	h("</title>\n<style>");
	h(css);
	h("</style>\n</head>\n<body>\n<main>\n<header>\n<p class=\"board\">");
	hx(tr("Bangladesh Employees Welfare Board", "বাংলাদেশ কর্মচারী কল্যাণ বোর্ড"));
	h("</p>\n<p class=\"office\">");
	hx(o_office ? office_name(o_office, bn)
	            : tr("Head office and divisional offices", "প্রধান কার্যালয় ও বিভাগীয় কার্যালয়সমূহ"));
	h("</p>\n<p class=\"title\">");
	/* The period: a quarter of the fiscal year, the year, or the days. */
	t.n = 0;
	if (fy >= 0) {
		char fys[8];
		fiscal_fmt(fy, fys);
		if (bn) {
			ascii_digits_to_bn(fys, &t);
			buf_adds(&t, " অর্থবছরের ");
			if (quarter) {
				static const char *const q[] = { "১ম", "২য়", "৩য়", "৪র্থ" };
				buf_printf(&t, "%s প্রান্তিকের সেবা প্রদান প্রতিবেদন", q[quarter - 1]);
			} else {
				buf_adds(&t, "বার্ষিক সেবা প্রদান প্রতিবেদন");
			}
		} else if (quarter) {
			buf_printf(&t, "Service delivery report, quarter %d of the fiscal year %s", quarter, fys);
		} else {
			buf_printf(&t, "Annual service delivery report, fiscal year %s", fys);
		}
	} else {
		buf_adds(&t, tr("Service delivery report", "সেবা প্রদান প্রতিবেদন"));
	}
	hx(buf_str(&t));
	h("<br>");
	t.n = 0;
	greg_fmt(from, bn, &t);
	buf_adds(&t, " – ");
	greg_fmt(to, bn, &t);
	hx(buf_str(&t));
	h("</p>\n<p class=\"date\">");
	/* The day it was made, in both calendars, as the board's letters carry them. */
	wdate today = wgo_today();
	struct bdate bd;
	bangla_from_date(today, &bd);
	d.n = 0;
	bangla_fmt(&bd, 0, &d);
	if (!bn) {
		/* An English page gives the Bangla date in Bengali too: it is the letter's. */
	}
	hx(tr("Date: ", "তারিখ: "));
	hx(buf_str(&d));
	h(" / ");
	d.n = 0;
	greg_fmt(today, bn, &d);
	hx(buf_str(&d));
	h("</p>\n</header>\n");

	/* The headline figures. */
	h("<section class=\"cards\">\n");
	html_card("orders_issued", "orders issued", "জারি করা আদেশ");
	html_card("paid_within_promise", "first payments within 3 working days of verification",
	          "লাইফ ভেরিফিকেশনের ৩ কার্যদিবসের মধ্যে প্রথম পরিশোধ");
	html_card("payments_poisha", "paid to beneficiaries", "উপকারভোগীদের পরিশোধ");
	html_card("complaints_resolved_in_time_share", "complaints resolved within the deadline",
	          "নির্ধারিত সময়ে নিষ্পন্ন অভিযোগ");
	h("</section>\n");

	/* The citizen charter. */
	h("<h2>");
	hx(tr("The citizen charter: promised and kept", "সিটিজেন চার্টার: প্রতিশ্রুতি ও বাস্তবায়ন"));
	h("</h2>\n");
	if (!ncharter) {
		h("<p>");
		hx(tr("The configuration names no service with a promised time limit (service.ID.days).",
		      "কনফিগারেশনে প্রতিশ্রুত সময়সীমাসহ কোনো সেবা নেই (service.ID.days)।"));
		h("</p>\n");
	} else {
		h("<table class=\"charter\">\n<thead><tr><th>");
		hx(tr("Service", "সেবা"));
		h("</th><th>");
		hx(tr("Responsible officer", "দায়িত্বপ্রাপ্ত কর্মকর্তা"));
		h("</th><th>");
		hx(tr("Promised (working days)", "প্রতিশ্রুত সময় (কার্যদিবস)"));
		h("</th><th>");
		hx(tr("Cases", "সেবার সংখ্যা"));
		h("</th><th>");
		hx(tr("Median", "মধ্যমা"));
		h("</th><th>");
		hx(tr("90th percentile", "৯০তম শতাংশিক"));
		h("</th><th>");
		hx(tr("Within the limit", "সময়সীমার মধ্যে"));
		h("</th><th>");
		hx(tr("Promise kept", "প্রতিশ্রুতি রক্ষিত"));
		h("</th></tr></thead>\n<tbody>\n");
		const char **labels = xmalloc(ncharter * sizeof *labels);
		int64_t *vals = xmalloc(ncharter * 2 * sizeof *vals);
		struct buf *lb = xcalloc(ncharter, sizeof *lb);
		for (size_t i = 0; i < ncharter; i++) {
			const struct charter *ch = &charter[i];
			int has;
			cpl_label(wgo_config(), "service.", ch->id, bn, &lb[i]);
			labels[i] = buf_str(&lb[i]);
			h("<tr><td>");
			hx(labels[i]);
			h("</td><td>");
			if (ch->officer) {
				const char *sl = strstr(ch->officer, " / ");
				if (!sl)
					hx(ch->officer);
				else if (bn)
					hx(sl + 3);
				else {
					char *e = xstrdup(ch->officer);
					e[sl - ch->officer] = 0;
					hx(e);
					free(e);
				}
			}
			h("</td>");
			static const char *const cm[] = { "charter_limit_days", "charter_cases",
				                          "charter_median_days", "charter_p90_days",
				                          "charter_within_share" };
			for (int k = 0; k < 5; k++) {
				int64_t v = figv(off, cm[k], "service", ch->id, &has);
				h("<td class=\"n\">");
				if (has)
					hval(M[measure_index(cm[k])].unit, v);
				else
					h("–");
				h("</td>");
			}
			int64_t kept = figv(off, "charter_kept", "service", ch->id, &has);
			h("<td>");
			if (has) {
				hf("<span class=\"%s\">", kept ? "kept" : "broken");
				hx(kept ? tr("✓ kept", "✓ রক্ষিত") : tr("✗ not kept", "✗ রক্ষিত হয়নি"));
				h("</span>");
			} else {
				h("–");
			}
			h("</td></tr>\n");
			vals[2 * i] = ch->days;
			vals[2 * i + 1] = figv(off, "charter_p90_days", "service", ch->id, NULL);
		}
		h("</tbody>\n</table>\n");
		struct series ser[] = { { tr("promised", "প্রতিশ্রুত"), "#7aa899" },
			                { tr("taken (90th percentile)", "প্রকৃত (৯০তম শতাংশিক)"), "#006a4e" } };
		svg_bars(tr("Working days: promised and taken", "কার্যদিবস: প্রতিশ্রুত ও প্রকৃত"), labels,
		         ncharter, ser, 2, vals, U_DAYS);
		for (size_t i = 0; i < ncharter; i++)
			buf_free(&lb[i]);
		free(lb);
		free(labels);
		free(vals);
		h("<p class=\"note\">");
		hx(tr("A promise is kept when nine cases in ten, or more, were served within the limit.",
		      "দশটির মধ্যে অন্তত নয়টি সেবা সময়সীমার মধ্যে দেওয়া হলে প্রতিশ্রুতি রক্ষিত ধরা হয়।"));
		h("</p>\n");
	}

	/* Charts. */
	h("<h2>");
	hx(tr("Orders", "আদেশ"));
	h("</h2>\n");
	{
		static const char *const om[] = { "orders_issued", "orders_pushed", "orders_accepted",
			                          "orders_returned", "orders_corrected", "orders_stopped" };
		const char *labels[6];
		int64_t vals[6];
		for (int i = 0; i < 6; i++) {
			labels[i] = bn ? M[measure_index(om[i])].bn : M[measure_index(om[i])].en;
			vals[i] = figv(off, om[i], NULL, NULL, NULL);
		}
		struct series ser[] = { { "", "#006a4e" } };
		svg_bars(tr("Orders in the period", "এই সময়ের আদেশ"), labels, 6, ser, 1, vals, U_COUNT);
	}
	h("<h2>");
	hx(tr("Payments by grant", "অনুদান অনুযায়ী পরিশোধ"));
	h("</h2>\n");
	{
		const char *labels[8];
		int64_t vals[8];
		struct buf lb[8] = { { 0 } };
		size_t n = 0;
		int pm = measure_index("payments_poisha");
		for (size_t i = 0; i < nF && n < 8; i++)
			if (F[i].off == off && F[i].m == pm && !strcmp(F[i].by, "grant")) {
				key_label("grant", F[i].key, &lb[n]);
				labels[n] = buf_str(&lb[n]);
				vals[n++] = F[i].value;
			}
		struct series ser[] = { { "", "#006a4e" } };
		if (n)
			svg_bars(tr("Taka paid", "পরিশোধিত টাকা"), labels, n, ser, 1, vals, U_POISHA);
		for (size_t i = 0; i < n; i++)
			buf_free(&lb[i]);
	}
	h("<h2>");
	hx(tr("Complaints by service", "সেবা অনুযায়ী অভিযোগ"));
	h("</h2>\n");
	{
		size_t n = 0, cap = 0;
		const char **labels = NULL;
		int64_t *vals = NULL;
		struct buf *lb = NULL;
		int rm = measure_index("complaints_received");
		for (size_t i = 0; i < nF; i++)
			if (F[i].off == off && F[i].m == rm && !strcmp(F[i].by, "service")) {
				if (n == cap) {
					cap = cap ? cap * 2 : 8;
					labels = xrealloc(labels, cap * sizeof *labels);
					vals = xrealloc(vals, cap * 3 * sizeof *vals);
					lb = xrealloc(lb, cap * sizeof *lb);
				}
				memset(&lb[n], 0, sizeof lb[n]);
				key_label("service", F[i].key, &lb[n]);
				vals[3 * n] = F[i].value;
				vals[3 * n + 1] = figv(off, "complaints_resolved", "service", F[i].key, NULL);
				vals[3 * n + 2] = figv(off, "complaints_resolved_in_time", "service", F[i].key, NULL);
				n++;
			}
		for (size_t i = 0; i < n; i++)
			labels[i] = buf_str(&lb[i]);
		struct series ser[] = { { tr("received", "প্রাপ্ত"), "#7aa899" },
			                { tr("resolved", "নিষ্পন্ন"), "#3d8a72" },
			                { tr("within the deadline", "সময়ের মধ্যে"), "#006a4e" } };
		if (n)
			svg_bars(tr("Complaints", "অভিযোগ"), labels, n, ser, 3, vals, U_COUNT);
		for (size_t i = 0; i < n; i++)
			buf_free(&lb[i]);
		free(lb);
		free(labels);
		free(vals);
	}

	/* Every figure. */
	h("<h2>");
	hx(tr("Every figure", "সকল পরিসংখ্যান"));
	h("</h2>\n<table class=\"figures\">\n");
	struct buf l = { 0 };
	int sect = -1;
	for (size_t r = 0; r < nrows; r++) {
		if (M[rows[r].m].sect != sect) {
			sect = M[rows[r].m].sect;
			h("<tr class=\"sect\"><th>");
			hx(bn ? sect_bn[sect] : sect_en[sect]);
			h("</th>");
			for (int c = 0; c < ncols; c++) {
				h("<th>");
				hx(col_name(cols[c]));
				h("</th>");
			}
			h("</tr>\n");
		}
		row_label(&rows[r], &l);
		hf("<tr%s data-measure=\"%s\"><td>", *rows[r].by ? " class=\"part\"" : "", M[rows[r].m].id);
		const char *lab = buf_str(&l);
		while (*lab == ' ')
			lab++;
		hx(lab);
		h("</td>");
		for (int c = 0; c < ncols; c++) {
			const struct fig *f = find_fig(cols[c], rows[r].m, rows[r].by, rows[r].key);
			h("<td class=\"n\">");
			if (f)
				hval(M[f->m].unit, f->value);
			else
				h("–");
			h("</td>");
		}
		h("</tr>\n");
	}
	buf_free(&l);
	h("</table>\n<footer><p>");
	hx(tr("Made by wgo-report from the board's records. Working days leave out Fridays, "
	      "Saturdays and the holiday file's days; medians and percentiles are by nearest rank.",
	      "বোর্ডের রেকর্ড থেকে wgo-report দিয়ে তৈরি। কার্যদিবসে শুক্র ও শনিবার এবং ছুটির তালিকার "
	      "দিন বাদ; মধ্যমা ও শতাংশিক নিকটতম ক্রম অনুযায়ী।"));
	h("</p></footer>\n</main>\n</body>\n</html>\n");
	if (fwrite(H.p, 1, H.n, stdout) != H.n)
		die("<stdout>: write error:");
	buf_free(&H);
	buf_free(&t);
	buf_free(&d);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "quarter", required_argument, NULL, 1 },
		{ "year", required_argument, NULL, 2 },
		{ "from", required_argument, NULL, 3 },
		{ "to", required_argument, NULL, 4 },
		{ "office", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "lang", required_argument, NULL, 'l' },
		{ "complaints", no_argument, NULL, 'c' },
		{ "holidays", required_argument, NULL, 'H' },
		{ "rejects", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		WGO_PROGRESS_OPTIONS,
		{ "home", required_argument, NULL, 5 },
		{ "now", required_argument, NULL, 6 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int npos;
	struct werr e;
	wgo_setprog(argv[0]);
	char **pos = wgo_getopt(argc, argv, "o:f:l:cH:r:qhV", lo, on_opt, &npos);
	period_setup();
	const char *fmt = o_format ? o_format : "records";
	bn = o_lang >= 0 ? o_lang : !strcmp(fmt, "html");
	sched_setup(&params, &cal, o_holidays, NULL);
	if (cpl_rules_config(&crules, wgo_config(), &cal, &e) < 0)
		die("%s: %s", e.field, e.msg);
	charter_load();
	/* Records dated after the period are not known at its end: the history's
	 * horizon is the period's last day, and what comes later is left out. */
	hist_init(&hist, &params, to);
	hist.horizon_name = "the period's last day";
	hist.L = &L;
	cpl_set_init(&cset, &crules, 0);
	hmap_init(&oxi, sizeof(uint32_t));
	hmap_init(&apps, 1);
	for (int i = 0; i <= BOARD; i++) {
		hmap_init(&figs[i], sizeof(int64_t));
		hmap_init(&spans[i], sizeof(struct span));
	}
	L.cb = on_record;
	L.validate = 1;
	L.transient = 1;
	L.quiet = o_quiet;
	L.unit = "records";
	if (o_rejects)
		rec_rejects_to(&L, o_rejects);
	int rc = 0;
	if (o_complaints) {
		char *lp = home_path("complaints.jsonl");
		struct rloop C = L;
		C.kinds = (const char *const[]){ "complaint", NULL };
		C.rejects = NULL;
		if (store_loop(lp, STORE_CHAIN, &C) != 0 || C.stop)
			die("%s: damaged: nothing is read from it (complaint-log verify says more)", lp);
		free(lp);
	}
	rc = wgo_worse(rc, rec_loop(&L, npos, pos));
	hist_finish(&hist);
	if (payments_once())
		rc = wgo_worse(rc, WGO_EXIT_NEG);
	order_figures();
	payment_figures();
	push_figures();
	complaint_figures();
	charter_figures();
	derived_figures();
	collect();
	if (!strcmp(fmt, "records")) {
		write_records();
	} else {
		columns();
		make_rows();
		if (!strcmp(fmt, "table"))
			write_table();
		else
			write_html();
	}
	if (L.nrejected)
		rc = wgo_worse(rc, WGO_EXIT_NEG);
	rc = wgo_worse(rc, L.status);
	rec_summary(&L, "%zu figures, %lu dated after the period, %lu of other kinds left aside", nF,
	            later, aside);
	if (L.rejects && L.rejects != stderr && fclose(L.rejects) == EOF) {
		warnf("%s: write error:", o_rejects);
		rc = WGO_EXIT_USAGE;
	}
	hmap_free(&apps);
	for (size_t i = 0; i < nF; i++)
		free((char *)F[i].by);
	free(F);
	free(rows);
	for (int i = 0; i <= BOARD; i++) {
		size_t k = 0;
		struct span *s;
		while ((s = hmap_iter(&spans[i], &k)))
			free(s->v);
		hmap_free(&spans[i]);
		hmap_free(&figs[i]);
	}
	for (size_t i = 0; i < ncharter; i++)
		free(charter[i].id);
	free(charter);
	free(pays);
	free(pushes);
	free(ox);
	hmap_free(&oxi);
	cpl_set_free(&cset);
	hist_free(&hist);
	sched_params_free(&params);
	cal_free(&cal);
	free(pos);
	return wgo_finish(rc);
}
