/* lifeverify: from orders and life verifications, where each order stands on a
 * date: awaiting its first verification, active, due, suspended or ended, what is
 * payable and when; and who must appear at a branch soon. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: lifeverify [OPTIONS] [FILE...]\n"
	"       lifeverify due --within DAYS [--notice] [OPTIONS] [FILE...]\n"
	"Read order records (every revision; the latest counts) and verification records,\n"
	"and write one status record per order as of a date. With 'due', list only the\n"
	"orders whose verification window opens or closes within DAYS; with --notice,\n"
	"write a reminder in Bengali for each beneficiary instead: MOBILE<TAB>TEXT.\n"
	"\n"
	"Options:\n"
	"  -a, --as-of DATE           the date to report on (default: today in Bangladesh)\n"
	"  -w, --within DAYS          due: the days ahead to look\n"
	"      --notice               due: write SMS reminders instead of records\n"
	"      --interval MONTHS      months from a verification to the next window (default 10)\n"
	"      --window MONTHS        months the window stays open (default 1)\n"
	"      --resume-arrears yes|no  pay the months missed while suspended (default yes)\n"
	"  -H, --holidays FILE        holiday file for working days\n"
	"  -r, --rejects FILE         write rejected records to FILE, with their reasons\n"
	"  -q, --quiet                do not report each rejected record\n"
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"      --now INSTANT          take this as the current time\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 all read, 1 some records rejected, 2 usage or operational error.\n";

static const char *o_asof, *o_holidays, *o_rejects;
static long o_within = -1;
static struct sched_cli o_model = SCHED_CLI_INIT;
static int o_notice, o_quiet;

static struct calendar cal;
static struct sched_params params;
static wdate as_of, today;
static struct rloop L;

/* An order, as small as a million of them need. */
struct ord {
	uint32_t seq;      /* when it was first seen: the output order */
	int revision;
	char office[4];
	char grant[16];
	struct sched_order so;
	wdate *ver;
	uint32_t nver, vcap;
	char *name, *mobile, *branch; /* --notice only */
};

/* A verification whose order has not been read yet. */
struct waiting {
	struct waiting *next;
	struct rpos pos;
	wdate date;
	char *text;
};

static struct hmap orders;  /* order_no -> struct ord */
static struct hmap pending; /* order_no -> struct waiting * */
static uint32_t nseq;

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'a': o_asof = arg; break;
	case 'w':
		if (uint_parse(arg, 3660, &o_within) < 0)
			die_usage("--within: a number of days, 0 to 3660");
		break;
	case 1: o_notice = 1; break;
	case 2: sched_option(&o_model, "interval", arg); break;
	case 3: sched_option(&o_model, "window", arg); break;
	case 4: sched_option(&o_model, "resume-arrears", arg); break;
	case 'H': o_holidays = arg; break;
	case 'r': o_rejects = arg; break;
	case 'q': o_quiet = 1; break;
	case 5: wgo_set_home(arg); break;
	case 6: wgo_opt_now(arg); break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

static char *
dupstr(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Add a verification to a known order; -1 with e filled when it cannot be. */
static int
add_verification(struct ord *o, wdate d, struct werr *e)
{
	char ds[11];
	if (d < o->so.issued) {
		date_fmt(o->so.issued, ds);
		return werr_set(e, "date", "before the order was issued (%s)", ds);
	}
	uint32_t i = o->nver;
	while (i > 0 && o->ver[i - 1] > d)
		i--;
	if (i > 0 && o->ver[i - 1] == d)
		return werr_set(e, "date", "a duplicate: the order was verified on that day already");
	if (o->nver == o->vcap) {
		o->vcap = o->vcap ? o->vcap * 2 : 2;
		o->ver = xrealloc(o->ver, o->vcap * sizeof *o->ver);
	}
	memmove(o->ver + i + 1, o->ver + i, (o->nver - i) * sizeof *o->ver);
	o->ver[i] = d;
	o->nver++;
	return 0;
}

static void
reject_text(const struct rpos *pos, const char *text, const struct werr *e)
{
	struct werr pe;
	json_t *rec = rec_parse(text, strlen(text), &pe);
	rec_reject(&L, pos, rec, text, strlen(text), e);
	json_decref(rec);
}

static int
on_record(struct rloop *Lp, json_t *r, const struct rpos *pos, struct werr *e)
{
	const char *kind = jstr(r, "kind"), *no = jstr(r, "order_no");
	if (!strcmp(kind, "order")) {
		int isnew;
		struct ord *o = hmap_put(&orders, no, &isnew);
		int rev = (int)jint(r, "revision", 0);
		if (!isnew && rev <= o->revision) {
			if (rev == o->revision)
				return werr_set(e, "revision", "revision %d of %s was read already", rev, no);
			return 0; /* an older revision: the latest counts */
		}
		struct sched_order so;
		if (sched_order_load(r, &so, e) < 0) {
			if (isnew)
				memset(o, 0, sizeof *o); /* not an order we can use: forget it */
			return -1;
		}
		if (isnew)
			o->seq = nseq++;
		else
			sched_order_free(&o->so);
		o->so = so;
		o->revision = rev;
		snprintf(o->office, sizeof o->office, "%s", jstr(r, "office"));
		snprintf(o->grant, sizeof o->grant, "%s", jstr(r, "grant"));
		if (o_notice) {
			free(o->name);
			free(o->mobile);
			free(o->branch);
			o->name = dupstr(json_string_value(jget(r, "beneficiary.name_bn")));
			if (!o->name)
				o->name = dupstr(json_string_value(jget(r, "beneficiary.name_en")));
			o->mobile = dupstr(json_string_value(jget(r, "beneficiary.mobile")));
			o->branch = dupstr(json_string_value(jget(r, "account.routing")));
		}
		/* Verifications that came before their order. */
		struct waiting **wp = hmap_get(&pending, no);
		for (struct waiting *w = wp ? *wp : NULL, *next; w; w = next) {
			struct werr ve;
			next = w->next;
			if (add_verification(o, w->date, &ve) < 0)
				reject_text(&w->pos, w->text, &ve);
			free(w->text);
			free(w);
		}
		if (wp)
			*wp = NULL;
		return 0;
	}
	/* A verification. */
	wdate d;
	const char *why;
	char ds[11];
	date_parse(jstr(r, "date"), &d, &why);
	/* After today is an error; after --as-of it is simply not known yet on that day. */
	if (d > today) {
		date_fmt(today, ds);
		return werr_set(e, "date", "in the future (today is %s)", ds);
	}
	struct ord *o = hmap_get(&orders, no);
	if (o && o->so.issued)
		return add_verification(o, d, e);
	struct waiting *w = xcalloc(1, sizeof *w);
	struct buf b = { 0 };
	rec_dump(r, &b);
	b.p[b.n - 1] = 0;
	w->text = b.p;
	w->pos = *pos;
	w->date = d;
	struct waiting **wp = hmap_put(&pending, no, NULL);
	w->next = *wp;
	*wp = w;
	return 0;
}

/* A status record, written straight out in its fixed order: a million of them need
 * no JSON objects (every value here is a date, a number or a plain identifier). */
static void
put_date(struct buf *b, const char *key, wdate d)
{
	char t[11];
	date_fmt(d, t);
	buf_printf(b, ",\"%s\":\"%s\"", key, t);
}

static void
status_line(struct buf *b, const char *no, const struct ord *o, const struct sched_status *st)
{
	b->n = 0;
	buf_adds(b, "{\"kind\":\"status\",\"v\":1,\"order_no\":");
	json_put_string(b, no, strlen(no));
	buf_printf(b, ",\"revision\":%d,\"office\":\"%s\",\"grant\":\"%s\"", o->revision, o->office,
	           o->grant);
	put_date(b, "as_of", as_of);
	buf_printf(b, ",\"state\":\"%s\"", sched_state_name(st->state));
	if (st->has_first) {
		put_date(b, "first_verification", st->first_verification);
		put_date(b, "last_verification", st->last_verification);
	}
	if (st->has_window) {
		put_date(b, "window_from", st->window_from);
		put_date(b, "window_to", st->window_to);
	}
	if (st->state == SCHED_SUSPENDED)
		put_date(b, "suspended_from", st->suspended_from);
	if (st->has_first)
		put_date(b, "first_payment_due", st->first_payment_due);
	buf_printf(b, ",\"payable_months\":%d,\"payable_poisha\":%lld,\"arrears_months\":%d,"
	           "\"arrears_poisha\":%lld,\"withheld_months\":%d,\"forfeited_months\":%d,"
	           "\"forfeited_poisha\":%lld", st->payable_months, (long long)st->payable_poisha,
	           st->arrears_months, (long long)st->arrears_poisha, st->withheld_months,
	           st->forfeited_months, (long long)st->forfeited_poisha);
	if (o->so.lump) {
		buf_printf(b, ",\"lump_poisha\":%lld", (long long)o->so.lump_poisha);
	} else {
		char m[8];
		month_fmt(o->so.last, m);
		buf_printf(b, ",\"last_month\":\"%s\"", m);
		put_date(b, "card_due", st->card_due);
	}
	buf_add(b, "}\n", 2);
}

/* The reminder: at most NOTICE_MAX characters, two concatenated SMS of 67 UCS-2
 * characters (Bengali cannot go in the 160-character GSM alphabet). */
#define NOTICE_MAX 134
static void
notice(const struct ord *o, const char *no, const struct sched_status *st)
{
	struct bdate b;
	struct buf date = { 0 }, text = { 0 }, br = { 0 };
	bangla_from_date(st->window_to, &b);
	bangla_fmt(&b, 0, &date);
	ascii_digits_to_bn(o->branch ? o->branch : "", &br);
	char name[160];
	snprintf(name, sizeof name, "%s", o->name ? o->name : "");
	for (int pass = 0; pass < 2; pass++) {
		text.n = 0;
		buf_printf(&text, "%s, আদেশ %s: %s-এর মধ্যে সোনালী ব্যাংক %s শাখায় লাইফ ভেরিফিকেশন করুন",
		           name, no, buf_str(&date), buf_str(&br));
		size_t chars = 0;
		for (size_t i = 0; i < text.n; i++)
			chars += ((unsigned char)text.p[i] & 0xC0) != 0x80;
		if (chars <= NOTICE_MAX || pass)
			break;
		/* Too long: shorten the name, which the office has on file anyway. */
		size_t over = chars - NOTICE_MAX, keep = 0, seen = 0;
		size_t nlen = strlen(name), cut = nlen;
		for (size_t i = 0; i < nlen; i++)
			if (((unsigned char)name[i] & 0xC0) != 0x80)
				seen++;
		keep = seen > over + 1 ? seen - over - 1 : 1;
		seen = 0;
		for (size_t i = 0; i < nlen; i++)
			if (((unsigned char)name[i] & 0xC0) != 0x80 && seen++ == keep) {
				cut = i;
				break;
			}
		snprintf(name + cut, sizeof name - cut, "…");
	}
	printf("%s\t%s\n", o->mobile ? o->mobile : "", buf_str(&text));
	buf_free(&date);
	buf_free(&text);
	buf_free(&br);
}

struct pick {
	const char *no;
	struct ord *o;
};

static int
by_seq(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;
	return (x->o->seq > y->o->seq) - (x->o->seq < y->o->seq);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "as-of", required_argument, NULL, 'a' },
		{ "within", required_argument, NULL, 'w' },
		{ "notice", no_argument, NULL, 1 },
		{ "interval", required_argument, NULL, 2 },
		{ "window", required_argument, NULL, 3 },
		{ "resume-arrears", required_argument, NULL, 4 },
		{ "holidays", required_argument, NULL, 'H' },
		{ "rejects", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "home", required_argument, NULL, 5 },
		{ "now", required_argument, NULL, 6 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static const char *const kinds[] = { "order", "verification", NULL };
	int npos;
	const char *why;
	wgo_setprog(argv[0]);
	char **pos = wgo_getopt(argc, argv, "a:w:H:r:qhV", lo, on_opt, &npos);
	int due = npos > 0 && !strcmp(pos[0], "due");
	if (due && o_within < 0)
		die_usage("due needs --within DAYS");
	if (!due && (o_within >= 0 || o_notice))
		die_usage("--within and --notice go with 'due'");
	today = wgo_today();
	if (o_asof) {
		if (date_parse(o_asof, &as_of, &why) < 0)
			die_usage("--as-of: %s: %s", o_asof, why);
	} else {
		as_of = today;
	}
	sched_setup(&params, &cal, o_holidays, &o_model);
	hmap_init(&orders, sizeof(struct ord));
	hmap_init(&pending, sizeof(struct waiting *));

	L.cb = on_record;
	L.kinds = kinds;
	L.validate = 1;
	L.validate_here = 1; /* parsing alone keeps the reader busier than the rest */
	L.transient = 1;     /* nothing keeps a record after its callback */
	L.quiet = o_quiet;
	if (o_rejects)
		L.rejects = rec_open_rejects(o_rejects);
	int rc = rec_loop(&L, npos - due, pos + due);
	/* Verifications of orders never read. */
	size_t i = 0;
	struct waiting **wp;
	while ((wp = hmap_iter(&pending, &i))) {
		const char *no = hmap_key(&pending, wp);
		struct ord *o = hmap_get(&orders, no);
		for (struct waiting *w = *wp, *next; w; w = next) {
			struct werr ve;
			next = w->next;
			if (o && o->so.issued) {
				if (add_verification(o, w->date, &ve) < 0)
					reject_text(&w->pos, w->text, &ve);
			} else {
				werr_set(&ve, "order_no", "no order %s was read", no);
				reject_text(&w->pos, w->text, &ve);
			}
			free(w->text);
			free(w);
		}
	}
	if (L.nrejected)
		rc = wgo_worse(rc, WGO_EXIT_NEG);

	/* The orders, in the order they were first read. */
	struct pick *picks = xmalloc((orders.n + 1) * sizeof *picks);
	size_t n = 0;
	struct ord *o;
	i = 0;
	while ((o = hmap_iter(&orders, &i)))
		if (o->so.issued) {
			picks[n].no = hmap_key(&orders, o);
			picks[n++].o = o;
		}
	qsort(picks, n, sizeof *picks, by_seq);
	struct buf line = { 0 };
	for (size_t k = 0; k < n; k++) {
		struct sched_status st;
		o = picks[k].o;
		sched_status(&o->so, o->ver, o->nver, &params, as_of, &st);
		if (due) {
			/* A window that opens or closes within the days ahead, for an order
			 * that still has months to be paid after it. */
			wdate until = as_of + (wdate)o_within;
			int soon = st.needs_window &&
			           (st.state == SCHED_ACTIVE || st.state == SCHED_DUE_STATE) &&
			           ((st.window_from >= as_of && st.window_from <= until) ||
			            (st.window_to >= as_of && st.window_to <= until));
			if (!soon)
				continue;
			if (o_notice) {
				notice(o, picks[k].no, &st);
				continue;
			}
		}
		status_line(&line, picks[k].no, o, &st);
		if (fwrite(line.p, 1, line.n, stdout) != line.n)
			die("<stdout>: write error:");
	}
	if (L.rejects && L.rejects != stderr && fclose(L.rejects) == EOF) {
		warnf("%s: write error:", o_rejects);
		rc = WGO_EXIT_USAGE;
	}
	i = 0;
	while ((o = hmap_iter(&orders, &i))) {
		sched_order_free(&o->so);
		free(o->ver);
		free(o->name);
		free(o->mobile);
		free(o->branch);
	}
	hmap_free(&orders);
	hmap_free(&pending);
	buf_free(&line);
	sched_params_free(&params);
	free(picks);
	free(pos);
	cal_free(&cal);
	return wgo_finish(rc);
}
