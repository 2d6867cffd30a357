/* lifeverify: from orders, life verifications, the bank's returns, stops and card
 * returns, where each order stands on a date (the order history says: awaiting its
 * first verification, active, due, suspended, ended, held by a return, stopped),
 * what is payable and when; and who must appear at a branch soon. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: lifeverify [OPTIONS] [FILE...]\n"
	"       lifeverify due --within DAYS [--notice] [OPTIONS] [FILE...]\n"
	"Read order records (every revision), verification, return, stop and card_return\n"
	"records, and write one status record per order as of a date. With 'due', list only the\n"
	"orders whose verification window opens or closes within DAYS, and those never\n"
	"verified whose first verification is expected by then (or was, before); with\n"
	"--notice, write a reminder in Bengali for each beneficiary instead: MOBILE<TAB>TEXT.\n"
	"\n"
	"Options:\n"
	"  -a, --as-of DATE           the date to report on (default: today in Bangladesh)\n"
	"  -w, --within DAYS          due: the days ahead to look\n"
	"      --notice               due: write SMS reminders instead of records\n"
	"      --branches FILE        the branch file the reminders name branches from\n"
	"      --first-days DAYS      days from an order's issue to its first verification's\n"
	"                             deadline (default 30)\n"
	"      --interval MONTHS      months from a verification to the next window (default 10)\n"
	"      --window MONTHS        months the window stays open (default 1)\n"
	"      --resume-arrears yes|no  pay the months missed while suspended (default yes)\n"
	"  -H, --holidays FILE        holiday file for working days\n"
	"  -r, --rejects FILE         write rejected records to FILE, with their reasons\n"
	"  -q, --quiet                do not report each rejected record\n"
	WGO_PROGRESS_USAGE
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"      --now INSTANT          take this as the current time\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 all read, 1 some records rejected, 2 usage or operational error.\n";

static const char *o_asof, *o_holidays, *o_rejects, *o_branches;
static long o_within = -1;
static struct sched_cli o_model = SCHED_CLI_INIT;
static int o_notice, o_quiet;

static struct calendar cal;
static struct sched_params params;
static wdate as_of, today;
static struct rloop L;
static struct branches branches;

/* What the notices need of an order besides its history: from its highest revision. */
struct contact {
	int revision;
	char *name, *mobile;
};

static struct hist hist;

static char *
dupstr(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

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
	case 7: o_branches = arg; break;
	case 8: sched_option(&o_model, "first-days", arg); break;
	case 'H': o_holidays = arg; break;
	case 'r': o_rejects = arg; break;
	case 'q': o_quiet = 1; break;
	case 5: wgo_set_home(arg); break;
	case 6: wgo_opt_now(arg); break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

static int
on_record(struct rloop *Lp, json_t *r, const struct rpos *pos, struct werr *e)
{
	if (hist_add(&hist, r, pos, e) < 0)
		return -1;
	if (!o_notice || strcmp(jstr(r, "kind"), "order"))
		return 0;
	struct hist_order *o = hist_find(&hist, jstr(r, "order_no"));
	struct contact *c = o->user;
	int rev = (int)jint(r, "revision", 0);
	if (c && c->revision > rev)
		return 0;
	if (!c)
		o->user = c = xcalloc(1, sizeof *c);
	free(c->name);
	free(c->mobile);
	c->revision = rev;
	c->name = dupstr(json_string_value(jget(r, "beneficiary.name_bn")));
	if (!c->name)
		c->name = dupstr(json_string_value(jget(r, "beneficiary.name_en")));
	c->mobile = dupstr(json_string_value(jget(r, "beneficiary.mobile")));
	return 0;
}

/* The reminder: at most NOTICE_MAX characters, two concatenated SMS of 67 UCS-2
 * characters (Bengali cannot go in the 160-character GSM alphabet). */
#define NOTICE_MAX 134

static size_t
chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* name cut to keep characters, ending in "…" (keep >= 1). */
static void
cut_name(char *name, size_t sz, size_t keep)
{
	size_t seen = 0;
	for (size_t i = 0; name[i]; i++)
		if (((unsigned char)name[i] & 0xC0) != 0x80 && seen++ == keep) {
			snprintf(name + i, sz - i, "…");
			return;
		}
}

static void
notice_text(struct buf *t, const char *name, const char *no, const struct hist_status *st,
            const char *date, const char *branch)
{
	t->n = 0;
	if (!st->has_first_due)
		buf_printf(t, "%s, আদেশ %s: %s-এর মধ্যে সোনালী ব্যাংক %s শাখায় লাইফ ভেরিফিকেশন করুন",
		           name, no, date, branch);
	else if (st->first_verification_due >= as_of)
		buf_printf(t, "%s, আদেশ %s: %s-এর মধ্যে সোনালী ব্যাংক %s শাখায় প্রথম লাইফ ভেরিফিকেশন "
		           "করুন", name, no, date, branch);
	else /* its day has passed: said without it */
		buf_printf(t, "%s, আদেশ %s: প্রথম লাইফ ভেরিফিকেশন এখনো হয়নি; দ্রুত সোনালী ব্যাংক %s "
		           "শাখায় আসুন", name, no, branch);
}

/* The branch by its name in the branch file (Bengali where it has one), else by
 * its routing number; the beneficiary's name shortened, and then the branch given
 * by its number, when the text would be too long. */
static void
notice(const struct hist_order *o, const struct hist_status *st)
{
	const struct contact *c = o->user;
	struct bdate b;
	struct buf date = { 0 }, text = { 0 }, digits = { 0 };
	bangla_from_date(st->has_first_due ? st->first_verification_due : st->window_to, &b);
	bangla_fmt(&b, 0, &date);
	ascii_digits_to_bn(st->rev->routing, &digits);
	const char *bname = branch_name(&branches, st->rev->routing, 1);
	const char *branch = bname ? bname : buf_str(&digits);
	char full[160], name[160];
	snprintf(full, sizeof full, "%s", c && c->name ? c->name : "");
	for (int pass = 0; pass < 2; pass++) {
		snprintf(name, sizeof name, "%s", full);
		notice_text(&text, name, o->order_no, st, buf_str(&date), branch);
		size_t n = chars(buf_str(&text)), nl = chars(name);
		if (n <= NOTICE_MAX)
			break;
		/* Too long: shorten the name, which the office has on file anyway. */
		size_t over = n - NOTICE_MAX;
		if (nl > over + 1) {
			cut_name(name, sizeof name, nl - over - 1);
			notice_text(&text, name, o->order_no, st, buf_str(&date), branch);
			break;
		}
		/* Not even then: the branch by its number, which is short. */
		if (branch == buf_str(&digits)) {
			cut_name(name, sizeof name, 1);
			notice_text(&text, name, o->order_no, st, buf_str(&date), branch);
			break;
		}
		branch = buf_str(&digits);
	}
	printf("%s\t%s\n", c && c->mobile ? c->mobile : "", buf_str(&text));
	buf_free(&date);
	buf_free(&text);
	buf_free(&digits);
}

/* Whether the order is for the due list: never verified, and its first
 * verification expected within the days ahead or already overdue; or its window
 * opens or closes within the days ahead, and a month still to be paid falls due
 * after the window closes (even when the term has ended and only its last month
 * waits for the visit). An order held by a return or stopped waits for the office,
 * not for a visit. */
static int
soon(const struct hist_status *st)
{
	wdate until = as_of + (wdate)o_within;
	if (st->has_first_due)
		return st->first_verification_due <= until; /* overdue ones most of all */
	if (!st->needs_window || st->state == HIST_HELD || st->state == HIST_STOPPED ||
	    st->state == SCHED_SUSPENDED || !st->has_window)
		return 0;
	return (st->window_from >= as_of && st->window_from <= until) ||
	       (st->window_to >= as_of && st->window_to <= until);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "as-of", required_argument, NULL, 'a' },
		{ "within", required_argument, NULL, 'w' },
		{ "notice", no_argument, NULL, 1 },
		{ "branches", required_argument, NULL, 7 },
		{ "first-days", required_argument, NULL, 8 },
		{ "interval", required_argument, NULL, 2 },
		{ "window", required_argument, NULL, 3 },
		{ "resume-arrears", required_argument, NULL, 4 },
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
	static const char *const kinds[] = { "order", "verification", "return", "stop",
		                             "card_return", NULL };
	int npos;
	const char *why;
	wgo_setprog(argv[0]);
	char **pos = wgo_getopt(argc, argv, "a:w:H:r:qhV", lo, on_opt, &npos);
	int due = npos > 0 && !strcmp(pos[0], "due");
	if (due && o_within < 0)
		die_usage("due needs --within DAYS");
	if (!due && (o_within >= 0 || o_notice))
		die_usage("--within and --notice go with 'due'");
	if (o_branches && !o_notice)
		die_usage("--branches goes with --notice");
	today = wgo_today();
	if (o_asof) {
		if (date_parse(o_asof, &as_of, &why) < 0)
			die_usage("--as-of: %s: %s", o_asof, why);
	} else {
		as_of = today;
	}
	sched_setup(&params, &cal, o_holidays, &o_model);
	struct werr be;
	if (o_notice && wgo_branches(&branches, o_branches, &be) < 0)
		die("%s: %s", be.field, be.msg);
	/* A record dated after today is an error; after --as-of (not after today), it
	 * is simply not known yet on that day. An --as-of ahead of today moves the
	 * horizon with it. */
	hist_init(&hist, &params, as_of > today ? as_of : today);
	if (as_of > today)
		hist.horizon_name = "--as-of";
	hist.L = &L;

	L.cb = on_record;
	L.kinds = kinds;
	L.validate = 1;
	L.validate_here = 1; /* parsing alone keeps the reader busier than the rest */
	L.transient = 1;     /* nothing keeps a record after its callback */
	L.quiet = o_quiet;
	L.unit = "records";
	if (o_rejects)
		rec_rejects_to(&L, o_rejects);
	int rc = rec_loop(&L, npos - due, pos + due);
	hist_finish(&hist); /* records that came before their order */

	/* The orders, in the order they were first read. */
	size_t n;
	struct hist_order *const *ords = hist_orders(&hist, &n);
	struct buf line = { 0 };
	struct rw w = { 0 };
	unsigned long nout = 0;
	for (size_t k = 0; k < n; k++) {
		struct hist_status st;
		struct werr e;
		const struct hist_order *o = ords[k];
		if (hist_status(&hist, o, as_of, &st, &e) < 0) {
			const struct hist_rev *rv = hist_latest(o);
			warnf("%s:%lu: %s: %s", rv->pos.file, rv->pos.line, e.field, e.msg);
			rc = wgo_worse(rc, WGO_EXIT_NEG);
			continue;
		}
		if (due && !soon(&st))
			continue;
		nout++;
		if (due && o_notice) {
			notice(o, &st);
			continue;
		}
		line.n = 0;
		hist_status_record(o, as_of, &st, &w, &line);
		if (fwrite(line.p, 1, line.n, stdout) != line.n)
			die("<stdout>: write error:");
	}
	if (L.nrejected)
		rc = wgo_worse(rc, WGO_EXIT_NEG);
	if (due)
		rec_summary(&L, "%zu orders, %lu due (%s)", n, nout, o_notice ? "notices" : "records");
	else
		rec_summary(&L, "%zu orders", n);
	if (L.rejects && L.rejects != stderr && fclose(L.rejects) == EOF) {
		warnf("%s: write error:", o_rejects);
		rc = WGO_EXIT_USAGE;
	}
	for (size_t k = 0; k < n; k++) {
		struct contact *c = ords[k]->user;
		if (c) {
			free(c->name);
			free(c->mobile);
			free(c);
		}
	}
	hist_free(&hist);
	branches_free(&branches);
	buf_free(&line);
	rw_free(&w);
	sched_params_free(&params);
	free(pos);
	cal_free(&cal);
	return wgo_finish(rc);
}
