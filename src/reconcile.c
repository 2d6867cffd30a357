/* reconcile: an office's monthly reconciliation with the bank. Every payment of
 * the month lands in exactly one class, matched or a discrepancy, and every taka
 * is accounted for; payable months left unpaid and cards not returned are found
 * too. `reconcile legacy` imports orders of the old software from CSV. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: reconcile --month YYYY-MM [OPTIONS] [FILE...]\n"
	"       reconcile legacy --date DATE [FILE.csv...]\n"
	"Read orders (every revision), verifications, payments and card returns, and\n"
	"write a discrepancy record for each difference between what the board ordered\n"
	"and what the bank paid in the month, then one summary record.\n"
	"\n"
	"Options:\n"
	"  -m, --month YYYY-MM        the month to reconcile\n"
	"  -o, --office OFFICE        only this office's orders and payments\n"
	"  -a, --as-of DATE           the day of the reconciliation (default: today)\n"
	"  -f, --format FORMAT        records (default) or table, a summary for people\n"
	"  -l, --lang LANG            en (default) or bn, for the table\n"
	"      --fail-on CLASSES      classes that make the exit status 1 (default: all;\n"
	"                             a comma-separated list, or none)\n"
	"      --interval MONTHS, --window MONTHS, --resume-arrears yes|no\n"
	"                             the payment model, as in lifeverify(1)\n"
	"  -H, --holidays FILE        holiday file for working days\n"
	"  -d, --date DATE            legacy: the day the orders are imported\n"
	"  -r, --rejects FILE         write rejected records to FILE, with their reasons\n"
	"  -q, --quiet                do not report each rejected record\n"
	WGO_PROGRESS_USAGE
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"      --now INSTANT          take this as the current time\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 no discrepancy, 1 discrepancies (or rejected records) found,\n"
	"2 usage or operational error, or the classes do not add up.\n";

enum cls {
	C_MATCHED, C_MISSING, C_UNDERPAID, C_OVERPAID, C_DUPLICATE, C_UNEXPECTED,
	C_SUSPENDED, C_AFTER_END, C_BEFORE_VER, C_WRONG_ACCOUNT, C_LATE, C_CARD, C_INVALID,
	C_HELD, C_AFTER_STOP, NCLS
};
static const char *const cls_name[NCLS] = {
	"matched", "missing", "underpaid", "overpaid", "duplicate", "unexpected",
	"paid_while_suspended", "paid_after_end", "paid_before_verification", "wrong_account",
	"late", "card_not_returned", "invalid", "paid_while_held", "paid_after_stop",
};
/* What each class is, for people reading the table: plain words, not the ids. */
static const char *const cls_en[NCLS] = {
	"paid as ordered", "due and not paid", "paid less than ordered", "paid more than ordered",
	"paid twice for one month", "paid, but no such order", "paid while suspended",
	"paid after the order ended", "paid before verification", "paid into another account",
	"paid after its deadline", "cards not returned", "payment lines unreadable",
	"paid while held by a return", "paid after a stop",
};
static const char *const cls_bn[NCLS] = {
	"আদেশমতো পরিশোধ", "প্রাপ্য, কিন্তু অপরিশোধিত", "কম পরিশোধ", "বেশি পরিশোধ",
	"এক মাসের দুবার পরিশোধ", "অজানা আদেশে পরিশোধ", "স্থগিত অবস্থায় পরিশোধ",
	"মেয়াদ শেষে পরিশোধ", "ভেরিফিকেশনের আগে পরিশোধ", "ভুল হিসাবে পরিশোধ", "বিলম্বে পরিশোধ",
	"কার্ড ফেরত আসেনি", "অপাঠযোগ্য লাইন", "ফেরত আদেশে পরিশোধ", "বন্ধ আদেশে পরিশোধ",
};

static const char *o_month, *o_office, *o_asof, *o_format = "records", *o_failon, *o_holidays,
                  *o_date, *o_rejects;
static struct sched_cli o_model = SCHED_CLI_INIT;
static int o_bn, o_quiet;

static wmonth month;
static wdate as_of, mfirst, mlast;
static struct calendar cal;
static struct sched_params params;
static struct rloop L;

/* ---- what is read: the order history, and the payments ---- */

static struct hist hist;

struct pay {
	char *id, *order_no, *routing, *number;
	wmonth m;      /* -1: a lump sum */
	int revision;
	int64_t amount;
	wdate paid;
	struct rpos pos;
	int invalid;   /* could not be read: only counted */
	int dup;       /* an earlier payment (by paid date, then id) pays the same month */
	char *why;
};

static struct pay *pays;
static size_t npays, cpays;
/* "ORDER_NO|MONTH" -> the index of the payment that paid it first */
static struct hmap firsts;

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'm': o_month = arg; break;
	case 'o': o_office = arg; break;
	case 'a': o_asof = arg; break;
	case 'f': o_format = arg; break;
	case 'l':
		if ((o_bn = lang_parse(arg)) < 0)
			die_usage("--lang: en or bn");
		break;
	case 1: o_failon = arg; break;
	case 2: sched_option(&o_model, "interval", arg); break;
	case 3: sched_option(&o_model, "window", arg); break;
	case 4: sched_option(&o_model, "resume-arrears", arg); break;
	case 'H': o_holidays = arg; break;
	case 'd': o_date = arg; break;
	case 'r': o_rejects = arg; break;
	case 'q': o_quiet = 1; break;
	case 5: wgo_set_home(arg); break;
	case 6: wgo_opt_now(arg); break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

static struct pay *
new_pay(void)
{
	if (npays == cpays) {
		cpays = cpays ? cpays * 2 : 1024;
		pays = xrealloc(pays, cpays * sizeof *pays);
	}
	struct pay *p = &pays[npays++];
	memset(p, 0, sizeof *p);
	return p;
}

static int
on_record(struct rloop *Lp, json_t *r, const struct rpos *pos, struct werr *e)
{
	const char *kind = jstr(r, "kind"), *why;
	if (strcmp(kind, "payment"))
		return hist_add(&hist, r, pos, e); /* every office's: a verification names no office */
	if (o_office && strcmp(jstr(r, "office"), o_office))
		return 0; /* another office's */
	struct pay *p = new_pay();
	p->id = xstrdup(jstr(r, "payment_id"));
	p->order_no = xstrdup(jstr(r, "order_no"));
	p->routing = xstrdup(json_string_value(jget(r, "account.routing")));
	p->number = xstrdup(json_string_value(jget(r, "account.number")));
	p->m = -1;
	if (jstr(r, "month"))
		month_parse(jstr(r, "month"), &p->m, &why);
	p->revision = (int)jint(r, "revision", 0);
	p->amount = jint(r, "amount_poisha", 0);
	date_parse(jstr(r, "paid"), &p->paid, &why);
	p->pos = *pos;
	return 0;
}

/* A payment that could not be read still counts, and so does a line that is not
 * even JSON (it may have been one): each lands in class "invalid". */
static void
on_reject(struct rloop *Lp, const struct rpos *pos, const json_t *rec, const struct werr *e)
{
	const char *k = rec ? jstr(rec, "kind") : NULL;
	if (rec && (!k || strcmp(k, "payment")))
		return;
	struct pay *p = new_pay();
	p->invalid = 1;
	p->pos = *pos;
	p->paid = mfirst;
	struct buf b = { 0 };
	buf_printf(&b, "%s:%lu: %s%s%s", pos->file, pos->line, e->field, e->field[0] ? ": " : "", e->msg);
	p->why = (char *)buf_str(&b);
}

/* ---- the classes ---- */

struct tally {
	long count;
	int64_t poisha;
	/* For the table: what the bank paid, and how far it is from what the order
	 * made due, short (less paid, or nothing: missing; or paid into another
	 * account) and over (more paid, or paid when nothing was due). */
	int64_t paid, shortfall, over;
} tally[NCLS];
static unsigned fail_mask = ~0u;
static struct buf out;
static struct rw rw;

/* A sum past what a record holds is an error where it happened, never a figure. */
_Noreturn static void
overflow(const struct rpos *pos, const char *field, const char *what)
{
	char ms[8];
	month_fmt(month, ms);
	die("%s:%lu: %s: %s of %s add up past the largest amount a record holds", pos->file,
	    pos->line, field, what, ms);
}

static void
discrepancy(enum cls c, const struct rpos *pos, const char *office, const char *order_no,
            int revision, const char *payment_id, wmonth pm, int64_t expected, int64_t paid,
            int has_due, wdate due, int has_paid, wdate paid_on, const char *detail)
{
	tally[c].count++;
	if (money_sum(&tally[c].poisha, paid >= 0 ? paid : expected >= 0 ? expected : 0) < 0)
		overflow(pos, paid >= 0 ? "amount_poisha" : "rates", c == C_MISSING ? "the months missing"
		                                                       : "the payments");
	int64_t pd = paid > 0 ? paid : 0, ex = expected > 0 ? expected : 0, sh = 0, ov = 0;
	switch (c) {
	case C_MATCHED: case C_UNDERPAID: case C_OVERPAID: case C_LATE:
		sh = ex > pd ? ex - pd : 0;
		ov = pd > ex ? pd - ex : 0;
		break;
	case C_MISSING:
		sh = ex;
		break;
	case C_WRONG_ACCOUNT: /* the order's account got nothing; another got the money */
		sh = ex;
		ov = pd;
		break;
	case C_CARD: case C_INVALID:
		break;
	default: /* paid when nothing was due for it */
		ov = pd;
		break;
	}
	if (money_sum(&tally[c].paid, pd) < 0 || money_sum(&tally[c].shortfall, sh) < 0 ||
	    money_sum(&tally[c].over, ov) < 0)
		overflow(pos, "amount_poisha", "the payments");
	if (c == C_MATCHED)
		return;
	rw_begin(&rw, "discrepancy");
	rw_str(&rw, "class", cls_name[c]);
	if (office && *office)
		rw_str(&rw, "office", office);
	rw_month(&rw, "month", month);
	if (order_no)
		rw_str(&rw, "order_no", order_no);
	if (revision >= 0)
		rw_int(&rw, "revision", revision);
	if (payment_id)
		rw_str(&rw, "payment_id", payment_id);
	if (pm >= 0)
		rw_month(&rw, "payable_month", pm);
	if (expected >= 0)
		rw_int(&rw, "expected_poisha", expected);
	if (paid >= 0)
		rw_int(&rw, "paid_poisha", paid);
	if (has_due)
		rw_date(&rw, "due", due);
	if (has_paid)
		rw_date(&rw, "paid", paid_on);
	rw_str(&rw, "detail", detail);
	out.n = 0;
	rw_end(&rw, &out);
	if (strcmp(o_format, "table") && fwrite(out.p, 1, out.n, stdout) != out.n)
		die("<stdout>: write error:");
}

static void
pay_key(struct buf *k, const char *no, wmonth m)
{
	k->n = 0;
	buf_printf(k, "%s|%d", no, (int)m);
}

/* Whether a payment comes before another of the same month: by paid date, then id,
 * then where it was read (never by the order of the input alone). */
static int
before(const struct pay *a, const struct pay *b)
{
	if (a->paid != b->paid)
		return a->paid < b->paid;
	int c = strcmp(a->id, b->id);
	if (c)
		return c < 0;
	c = strcmp(a->pos.file, b->pos.file);
	return c ? c < 0 : a->pos.line < b->pos.line;
}

/* Which payment paid each month first, among every payment read that pays a month
 * of an order's term: the others of that month are duplicates. */
static void
find_duplicates(void)
{
	struct buf k = { 0 };
	hmap_init(&firsts, sizeof(size_t));
	for (size_t i = 0; i < npays; i++) {
		struct pay *p = &pays[i];
		if (p->invalid)
			continue;
		struct hist_order *o = hist_find(&hist, p->order_no);
		if (!o || !hist_revision(o, p->revision))
			continue;
		const struct hist_rev *R = hist_schedule(o, as_of);
		if (R->so.lump ? p->m >= 0 : (p->m < R->so.first || p->m > R->so.last))
			continue;
		pay_key(&k, p->order_no, p->m);
		int isnew;
		size_t *f = hmap_put(&firsts, buf_str(&k), &isnew);
		if (isnew) {
			*f = i;
		} else if (before(p, &pays[*f])) {
			pays[*f].dup = 1;
			*f = i;
		} else {
			p->dup = 1;
		}
	}
	buf_free(&k);
}

/* Whether month m of the order was paid by a payment known on as_of. */
static int
paid_by_as_of(const char *no, wmonth m, struct buf *k)
{
	pay_key(k, no, m);
	size_t *f = hmap_get(&firsts, buf_str(k));
	return f && pays[*f].paid <= as_of;
}

static void
classify(struct pay *p)
{
	char d[300], ms[8], ds[11];
	if (p->invalid) {
		discrepancy(C_INVALID, &p->pos, NULL, NULL, -1, NULL, -1, -1, -1, 0, 0, 0, 0, p->why);
		return;
	}
	struct hist_order *o = hist_find(&hist, p->order_no);
	if (!o || !hist_revision(o, p->revision)) {
		snprintf(d, sizeof d, !o ? "no order %s" : "order %s has no revision %d", p->order_no,
		         p->revision);
		discrepancy(C_UNEXPECTED, &p->pos, o ? o->office : NULL, p->order_no, p->revision, p->id,
		            p->m, -1, p->amount, 0, 0, 1, p->paid, d);
		return;
	}
	const struct hist_item *items, *it;
	size_t n = hist_items(&hist, o, as_of, &items);
	const struct hist_rev *R = hist_schedule(o, as_of);
	it = hist_item_of(items, n, p->m);
	if (p->m >= 0)
		month_fmt(p->m, ms);
	else
		snprintf(ms, sizeof ms, "lump");
#define DISC(c, exp, hd, due, detail) \
	discrepancy(c, &p->pos, o->office, p->order_no, p->revision, p->id, p->m, exp, p->amount, hd, \
	            due, 1, p->paid, detail)
	if (!it) {
		snprintf(d, sizeof d, R->so.lump ? "a monthly payment of a lump-sum order"
		                                 : "%s is outside the order's term", ms);
		DISC(R->so.lump || p->m < R->so.first ? C_UNEXPECTED : C_AFTER_END, -1, 0, 0, d);
		return;
	}
	if (it->stopped && p->paid >= it->stopped_from) {
		const struct hist_stop *st = hist_stop_known(o, as_of, NULL);
		date_fmt(st->date, ds);
		if (it->kind == SCHED_LUMP)
			snprintf(d, sizeof d, "paid after the order was stopped (%s, on %s): its lump sum "
			         "is not paid", hist_stop_reason_name(st->reason), ds);
		else
			snprintf(d, sizeof d, "%s is after the last month the stop (%s, on %s) leaves", ms,
			         hist_stop_reason_name(st->reason), ds);
		DISC(C_AFTER_STOP, it->poisha, 0, 0, d);
		return;
	}
	if (p->dup) {
		struct buf k = { 0 };
		pay_key(&k, p->order_no, p->m);
		const struct pay *f = &pays[*(size_t *)hmap_get(&firsts, buf_str(&k))];
		buf_free(&k);
		date_fmt(f->paid, ds);
		snprintf(d, sizeof d, "%s was paid first by %s on %s", ms, f->id, ds);
		DISC(C_DUPLICATE, it->poisha, it->state == SCHED_DUE, it->due, d);
		return;
	}
	if (it->held && p->paid >= it->held_from && p->paid < it->held_to) {
		date_fmt(it->held_from, ds);
		if (it->held_to == HIST_NEVER)
			snprintf(d, sizeof d, "paid while the order was held by the bank's return of %s, "
			         "not yet corrected", ds);
		else {
			char cs[11];
			date_fmt(it->held_to, cs);
			snprintf(d, sizeof d, "paid while the order was held by the bank's return of %s, "
			         "before the correction of %s", ds, cs);
		}
		DISC(C_HELD, it->poisha, 0, 0, d);
		return;
	}
	/* Was anything payable for this month when the bank paid? */
	size_t nv = hist_known_verifications(o, as_of);
	if (!nv || p->paid < o->ver[0]) {
		DISC(C_BEFORE_VER, it->poisha, 0, 0, nv ? "paid before the first life verification"
		                                        : "paid with no life verification at all");
		return;
	}
	if (it->state != SCHED_DUE || (it->kind != SCHED_REGULAR && p->paid < it->released)) {
		DISC(C_SUSPENDED, it->poisha, 0, 0,
		     it->state == SCHED_FORFEITED ? "paid for a month forfeited in a lapse"
		                                  : "paid while the beneficiary was suspended");
		return;
	}
	const struct hist_rev *rv = hist_in_force(o, p->paid);
	if (!rv)
		rv = R;
	if (!p->routing || !p->number || strcmp(p->routing, rv->routing) || strcmp(p->number, rv->number)) {
		snprintf(d, sizeof d, "paid into %s@%s, not revision %d's %s@%s", p->number ? p->number : "?",
		         p->routing ? p->routing : "?", rv->revision, rv->number, rv->routing);
		DISC(C_WRONG_ACCOUNT, it->poisha, 1, it->due, d);
		return;
	}
	if (p->amount != it->poisha) {
		char a[MONEY_BUFSZ], b[MONEY_BUFSZ];
		money_fmt(a, sizeof a, p->amount, 0);
		money_fmt(b, sizeof b, it->poisha, 0);
		snprintf(d, sizeof d, "paid Tk %s, ordered Tk %s", a, b);
		DISC(p->amount < it->poisha ? C_UNDERPAID : C_OVERPAID, it->poisha, 1, it->due, d);
		return;
	}
	if (p->paid > it->due) {
		date_fmt(it->due, ds);
		snprintf(d, sizeof d, "paid after its deadline, %s", ds);
		DISC(C_LATE, it->poisha, 1, it->due, d);
		return;
	}
	DISC(C_MATCHED, it->poisha, 1, it->due, "");
#undef DISC
}

/* ---- legacy orders from the old software ---- */

static json_t *legacy_order(const char *const *v, wdate when, struct werr *e);

static const char *const legacy_cols[] = {
	"order_no", "office", "approved_on", "approved_by", "grant", "funeral_for",
	"employee_name", "event", "event_date", "retirement_date", "birth_date",
	"beneficiary_name", "relation", "nid", "mobile", "routing", "account_number",
	"account_name", "monthly_taka", "first_month", "last_month", "lump_taka", NULL,
};

/* One CSV record (RFC 4180 quoting); returns the number of fields, -1 at EOF. */
static int
csv_record(FILE *f, struct buf *line, char ***fields, unsigned long *ln, int *bad)
{
	int c, nf = 0, inq = 0, any = 0;
	size_t *starts = NULL, cap = 0;
	line->n = 0;
	*bad = 0;
	for (;;) {
		c = getc(f);
		if (c == EOF) {
			if (!any)
				return free(starts), -1;
			if (inq)
				*bad = 1;
			break;
		}
		any = 1;
		if (inq) {
			if (c == '"') {
				int d = getc(f);
				if (d == '"') {
					buf_addc(line, '"');
					continue;
				}
				inq = 0;
				if (d != EOF)
					ungetc(d, f);
				continue;
			}
			if (c == '\n')
				(*ln)++;
			buf_addc(line, (char)c);
			continue;
		}
		if ((size_t)nf >= cap) {
			cap = cap ? cap * 2 : 32;
			starts = xrealloc(starts, cap * sizeof *starts);
		}
		if (line->n == 0 && nf == 0)
			starts[nf++] = 0;
		if (c == '"') {
			inq = 1;
			continue;
		}
		if (c == '\r')
			continue;
		if (c == '\n')
			break;
		if (c == ',') {
			buf_addc(line, 0);
			starts[nf++] = line->n;
			continue;
		}
		buf_addc(line, (char)c);
	}
	(*ln)++;
	if (nf == 0)
		starts = xrealloc(starts, sizeof *starts), starts[nf++] = 0;
	buf_addc(line, 0);
	*fields = xrealloc(*fields, (size_t)nf * sizeof **fields);
	for (int i = 0; i < nf; i++)
		(*fields)[i] = line->p + starts[i];
	free(starts);
	return nf;
}

static int
legacy(int argc, char **argv)
{
	const char *why;
	wdate when;
	if (!o_date)
		die_usage("legacy needs --date DATE (the day the orders are imported)");
	if (date_parse(o_date, &when, &why) < 0)
		die_usage("--date: %s", why);
	FILE *rej = o_rejects ? rec_open_rejects(o_rejects) : NULL;
	struct rloop RL = { 0 };
	RL.rejects = rej;
	RL.quiet = o_quiet;
	int rc = 0;
	unsigned long nrows = 0;
	for (int a = 0; a < (argc ? argc : 1); a++) {
		const char *name = argc ? argv[a] : "<stdin>";
		FILE *f = argc && strcmp(argv[a], "-") ? fopen(argv[a], "r") : stdin;
		if (!f) {
			warnf("%s:", argv[a]);
			rc = WGO_EXIT_USAGE;
			continue;
		}
		struct buf line = { 0 };
		char **fl = NULL;
		unsigned long ln = 0;
		int bad, nf, col[32];
		size_t ncols = 0;
		while (legacy_cols[ncols])
			ncols++;
		nf = csv_record(f, &line, &fl, &ln, &bad);
		/* The header names the columns; their order is free. */
		for (size_t k = 0; k < ncols; k++) {
			col[k] = -1;
			for (int i = 0; i < nf; i++)
				if (!strcmp(fl[i], legacy_cols[k]))
					col[k] = i;
		}
		int header_ok = nf > 0;
		for (size_t k = 0; header_ok && k < ncols; k++)
			if (col[k] < 0) {
				warnf("%s:1: the header has no column %s", name, legacy_cols[k]);
				header_ok = 0;
			}
		if (!header_ok) {
			rc = WGO_EXIT_USAGE;
			nf = -1;
		}
		while (nf >= 0 && (nf = csv_record(f, &line, &fl, &ln, &bad)) >= 0) {
			struct rpos pos = { name, ln };
			struct werr e = { { 0 }, { 0 } };
			if (nf == 1 && !fl[0][0])
				continue; /* a blank line */
			nrows++;
			const char *v[32];
			for (size_t k = 0; k < ncols; k++)
				v[k] = col[k] < nf ? fl[col[k]] : "";
			json_t *o = NULL;
			if (bad)
				werr_set(&e, "", "a quoted field is not closed");
			else if (nf < (int)ncols)
				werr_set(&e, "", "%d fields, the header has %zu", nf, ncols);
			else
				o = legacy_order(v, when, &e);
			if (!o) {
				struct buf raw = { 0 };
				for (int i = 0; i < nf; i++) {
					if (i)
						buf_addc(&raw, ',');
					buf_adds(&raw, fl[i]);
				}
				rec_reject(&RL, &pos, NULL, raw.p ? raw.p : "", raw.n, &e);
				buf_free(&raw);
				continue;
			}
			if (rec_write(stdout, o) < 0)
				die("<stdout>: write error:");
			json_decref(o);
		}
		free(fl);
		buf_free(&line);
		if (f != stdin)
			fclose(f);
	}
	if (rej && rej != stderr && fclose(rej) == EOF)
		die("%s: write error:", o_rejects);
	if (o_rejects && RL.nrejected)
		summary("%lu rows read, %lu orders written, %lu rejected (in %s)", nrows, nrows - RL.nrejected,
		        RL.nrejected, strcmp(o_rejects, "-") ? o_rejects : "standard error");
	else
		summary("%lu rows read, %lu orders written, %lu rejected", nrows, nrows - RL.nrejected,
		        RL.nrejected);
	return wgo_worse(rc, RL.nrejected ? WGO_EXIT_NEG : 0);
}

static json_t *
opt_str(const char *s)
{
	return s && *s ? json_string(s) : NULL;
}

static void
set_if(json_t *o, const char *k, json_t *v)
{
	if (v)
		json_object_set_new(o, k, v);
}

/* An order record from one CSV row of the old software; NULL with e filled. */
static json_t *
legacy_order(const char *const *v, wdate when, struct werr *e)
{
	const char *why;
	int64_t monthly = -1, lump = -1;
	if (*v[18] && money_parse(v[18], 0, &monthly, &why) < 0)
		return werr_set(e, "monthly_taka", "%s", why), NULL;
	if (*v[21] && money_parse(v[21], 0, &lump, &why) < 0)
		return werr_set(e, "lump_taka", "%s", why), NULL;
	if ((monthly < 0) == (lump < 0))
		return werr_set(e, "monthly_taka", "give monthly_taka (with first_month and last_month) "
		                "or lump_taka, not both"), NULL;
	wdate issued;
	if (date_parse(v[2], &issued, &why) < 0)
		return werr_set(e, "approved_on", "%s", why), NULL;
	json_t *o = order_new(*v[0] ? v[0] : NULL, *v[1] ? v[1] : NULL, issued);
	char ds[11], note[80];
	date_fmt(issued, ds);
	json_object_set_new(o, "legacy", json_true());
	struct buf an = { 0 };
	buf_printf(&an, "LEGACY/%s", v[0]);
	json_object_set_new(o, "application_no", json_string(buf_str(&an)));
	buf_free(&an);
	set_if(o, "grant", opt_str(v[4]));
	set_if(o, "funeral_for", opt_str(v[5]));
	json_t *emp = json_object();
	set_if(emp, "name", opt_str(v[6]));
	set_if(emp, "event", opt_str(v[7]));
	set_if(emp, "event_date", opt_str(v[8]));
	set_if(emp, "retirement_date", opt_str(v[9]));
	set_if(emp, "birth_date", opt_str(v[10]));
	json_object_set_new(o, "employee", emp);
	json_t *ben = json_object();
	set_if(ben, str_ascii(v[11]) ? "name_en" : "name_bn", opt_str(v[11]));
	set_if(ben, "relation", opt_str(v[12]));
	set_if(ben, "nid", opt_str(v[13]));
	set_if(ben, "mobile", opt_str(v[14]));
	json_object_set_new(o, "beneficiary", ben);
	json_t *acc = json_object();
	set_if(acc, "routing", opt_str(v[15]));
	set_if(acc, "number", opt_str(v[16]));
	set_if(acc, "name", opt_str(v[17]));
	json_object_set_new(o, "account", acc);
	if (monthly >= 0) {
		wmonth first, last;
		if (month_parse(v[19], &first, &why) < 0) {
			json_decref(o);
			return werr_set(e, "first_month", "%s", why), NULL;
		}
		if (month_parse(v[20], &last, &why) < 0 || last < first) {
			json_decref(o);
			return werr_set(e, "last_month", "%s", last < first ? "before first_month" : why), NULL;
		}
		char m1[8], m2[8];
		month_fmt(first, m1);
		month_fmt(last, m2);
		json_object_set_new(o, "first_month", json_string(m1));
		json_object_set_new(o, "last_month", json_string(m2));
		json_t *rates = json_array(), *r = json_object();
		json_object_set_new(r, "from", json_string(m1));
		json_object_set_new(r, "to", json_string(m2));
		json_object_set_new(r, "monthly_poisha", json_integer(monthly));
		json_array_append_new(rates, r);
		json_object_set_new(o, "rates", rates);
	} else {
		json_object_set_new(o, "lump_poisha", json_integer(lump));
	}
	/* Arrears and total by the grant rules, as for an order wgo-issue makes. */
	if (order_totals(o, issued, e) < 0) {
		json_decref(o);
		snprintf(e->field, sizeof e->field, "%s", monthly >= 0 ? "monthly_taka" : "lump_taka");
		return NULL;
	}
	json_t *s = json_object();
	set_if(s, "officer", opt_str(v[3]));
	json_object_set_new(s, "date", json_string(ds));
	date_fmt(when, ds);
	snprintf(note, sizeof note, "imported from the old software on %s", ds);
	json_object_set_new(s, "note", json_string(note));
	json_object_set_new(o, "sanction", s);
	struct werr ve;
	if (rec_validate(o, &ve) < 0) {
		*e = ve;
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- the table ---- */

/* Each line is made here, then written without the blanks that pad its end. */
static FILE *tl;
static char *tl_buf;
static size_t tl_len;

static void
end_line(void)
{
	fflush(tl);
	long end = ftell(tl);
	size_t n = end > 0 ? (size_t)end : 0;
	while (n && tl_buf[n - 1] == ' ')
		n--;
	fwrite(tl_buf, 1, n, stdout);
	putchar('\n');
	rewind(tl);
}

static void
cell(const char *s, int width, int right)
{
	put_cell(tl, s, width, right, 0);
}

/* An amount, or a blank where there is none to show. */
static void
money_cell(int64_t v, int width, int blank_zero)
{
	char a[MONEY_BUFSZ];
	if (blank_zero && !v)
		a[0] = 0;
	else
		money_fmt(a, sizeof a, v, 0);
	put_cell(tl, a, width, 1, o_bn);
}

#define W_CLASS 28
#define W_COUNT 7
#define W_MONEY 15

static void
row(const char *label, long count, int has_paid, int64_t paid, int64_t shortfall, int64_t over,
    int blank_zero)
{
	char c[24];
	cell(label, W_CLASS, 0);
	snprintf(c, sizeof c, "%ld", count);
	put_cell(tl, c, W_COUNT, 1, o_bn);
	if (has_paid)
		money_cell(paid, W_MONEY, 0);
	else
		cell("", W_MONEY, 1);
	money_cell(shortfall, W_MONEY, blank_zero);
	money_cell(over, W_MONEY, blank_zero);
	end_line();
}

/* The summary for people: each class in plain words, what the bank paid in it,
 * and beside it what is short (to be paid to beneficiaries) and what is over (to
 * be recovered); then the months due and not paid, and the cards not back. */
static void
table(long npay, int64_t paysum)
{
	char m[8];
	month_fmt(month, m);
	if (!(tl = open_memstream(&tl_buf, &tl_len)))
		die("out of memory:");
	struct buf line = { 0 };
	buf_printf(&line, o_bn ? "রিকনসিলিয়েশন, %s%s%s" : "Reconciliation of %s%s%s", m,
	           o_office ? (o_bn ? ", কার্যালয় " : ", office ") : "",
	           o_office ? office_name(o_office, o_bn) : "");
	put_digits(stdout, buf_str(&line), o_bn);
	printf("\n\n");
	cell(o_bn ? "যা পাওয়া গেছে" : "what was found", W_CLASS, 0);
	cell(o_bn ? "সংখ্যা" : "count", W_COUNT, 1);
	cell(o_bn ? "পরিশোধ (টাকা)" : "paid (Tk)", W_MONEY, 1);
	cell(o_bn ? "কম (টাকা)" : "short (Tk)", W_MONEY, 1);
	cell(o_bn ? "বেশি (টাকা)" : "over (Tk)", W_MONEY, 1);
	end_line();
	int64_t sh = 0, ov = 0;
	for (int k = 0; k < NCLS; k++) {
		if (k == C_MISSING || k == C_CARD || (!tally[k].count && k != C_MATCHED))
			continue;
		row(o_bn ? cls_bn[k] : cls_en[k], tally[k].count, 1, tally[k].paid, tally[k].shortfall,
		    tally[k].over, 1);
		if (money_sum(&sh, tally[k].shortfall) < 0 || money_sum(&ov, tally[k].over) < 0)
			die("the classes add up past the largest amount a record holds");
	}
	row(o_bn ? "মাসের মোট পরিশোধ" : "payments of the month", npay, 1, paysum, sh, ov, 0);
	if (tally[C_MISSING].count)
		row(o_bn ? cls_bn[C_MISSING] : cls_en[C_MISSING], tally[C_MISSING].count, 0, 0,
		    tally[C_MISSING].shortfall, 0, 1);
	if (tally[C_CARD].count)
		row(o_bn ? cls_bn[C_CARD] : cls_en[C_CARD], tally[C_CARD].count, 0, 0, 0, 0, 1);
	buf_free(&line);
	fclose(tl);
	free(tl_buf);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "month", required_argument, NULL, 'm' },
		{ "office", required_argument, NULL, 'o' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "lang", required_argument, NULL, 'l' },
		{ "fail-on", required_argument, NULL, 1 },
		{ "interval", required_argument, NULL, 2 },
		{ "window", required_argument, NULL, 3 },
		{ "resume-arrears", required_argument, NULL, 4 },
		{ "holidays", required_argument, NULL, 'H' },
		{ "date", required_argument, NULL, 'd' },
		{ "rejects", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		WGO_PROGRESS_OPTIONS,
		{ "home", required_argument, NULL, 5 },
		{ "now", required_argument, NULL, 6 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static const char *const kinds[] = { "order", "verification", "payment", "card_return",
		                             "return", "stop", NULL };
	int npos;
	const char *why;
	wgo_setprog(argv[0]);
	char **pos = wgo_getopt(argc, argv, "m:o:a:f:l:H:d:r:qhV", lo, on_opt, &npos);
	if (npos && !strcmp(pos[0], "legacy")) {
		if (o_month)
			die_usage("legacy takes --date, not --month");
		wgo_config();
		int rc = legacy(npos - 1, pos + 1);
		free(pos);
		return wgo_finish(rc);
	}
	if (o_date)
		die_usage("--date goes with legacy");
	if (!o_month)
		die_usage("--month YYYY-MM is needed");
	if (month_parse(o_month, &month, &why) < 0)
		die_usage("--month: %s", why);
	if (o_office && !office_valid(o_office))
		die_usage("--office: unknown office '%s'", o_office);
	if (strcmp(o_format, "records") && strcmp(o_format, "table"))
		die_usage("--format: records or table");
	if (o_failon) {
		fail_mask = 0;
		char *list = xstrdup(o_failon);
		for (char *t = strtok(list, ","); t; t = strtok(NULL, ",")) {
			if (!strcmp(t, "none"))
				continue;
			if (!strcmp(t, "all")) {
				fail_mask = ~0u;
				continue;
			}
			int k;
			for (k = 1; k < NCLS && strcmp(cls_name[k], t); k++)
				;
			if (k == NCLS)
				die_usage("--fail-on: unknown class '%s'", t);
			fail_mask |= 1u << k;
		}
		free(list);
	}
	mfirst = month_first(month);
	mlast = month_last(month);
	as_of = wgo_today();
	if (o_asof && date_parse(o_asof, &as_of, &why) < 0)
		die_usage("--as-of: %s", why);
	sched_setup(&params, &cal, o_holidays, &o_model);
	/* A verification dated after today is an error; one after --as-of is not known
	 * yet on that day (nor is a return, a stop or a card return). */
	wdate today = wgo_today();
	hist_init(&hist, &params, as_of > today ? as_of : today);
	if (as_of > today)
		hist.horizon_name = "--as-of";
	hist.L = &L;

	L.cb = on_record;
	L.on_reject = on_reject;
	L.kinds = kinds;
	L.validate = 1;
	L.validate_here = 1;
	L.transient = 1;
	L.quiet = o_quiet;
	if (o_rejects)
		rec_rejects_to(&L, o_rejects);
	int rc = rec_loop(&L, npos, pos);
	if (rc == WGO_EXIT_USAGE)
		die("cannot read the input");
	hist_finish(&hist);
	if (L.nrejected)
		rc = wgo_worse(rc, WGO_EXIT_NEG);

	/* Every payment read counts to tell which paid a month first; the month's are
	 * classified, in the order they were read. */
	find_duplicates();
	long npay = 0;
	int64_t paysum = 0;
	for (size_t k = 0; k < npays; k++) {
		struct pay *p = &pays[k];
		if (!p->invalid && (p->paid < mfirst || p->paid > mlast))
			continue;
		npay++;
		if (money_sum(&paysum, p->amount) < 0)
			overflow(&p->pos, "amount_poisha", "the payments");
		classify(p);
	}
	/* Payable in the month, past its deadline, and not paid at all; cards not back. */
	size_t nord;
	struct hist_order *const *ords = hist_orders(&hist, &nord);
	struct buf key = { 0 };
	for (size_t s = 0; s < nord; s++) {
		const struct hist_order *o = ords[s];
		if (o_office && strcmp(o->office, o_office))
			continue;
		const struct hist_item *items;
		size_t n = hist_items(&hist, o, as_of, &items);
		int rev = hist_schedule(o, as_of)->revision;
		for (size_t k = 0; k < n; k++) {
			const struct hist_item *it = &items[k];
			if (!hist_item_payable(it) || it->due < mfirst || it->due > mlast || it->due >= as_of)
				continue;
			if (paid_by_as_of(o->order_no, it->month, &key))
				continue;
			char ms[8] = "lump", d[120], dd[11];
			if (it->month >= 0)
				month_fmt(it->month, ms);
			date_fmt(it->due, dd);
			snprintf(d, sizeof d, "%s was due by %s and is not paid", ms, dd);
			discrepancy(C_MISSING, &it->rev->pos, o->office, o->order_no, rev, NULL, it->month,
			            it->poisha, -1, 1, it->due, 0, 0, d);
		}
		wdate due;
		if (hist_card_due(o, as_of, &due) && !hist_card_returned(o, as_of) && due < as_of &&
		    due <= mlast) {
			char d[120], dd[11];
			date_fmt(due, dd);
			snprintf(d, sizeof d, hist_stop_known(o, as_of, NULL)
			         ? "the order was stopped; its card was due back by %s"
			         : "the order ended; its card was due back by %s", dd);
			discrepancy(C_CARD, &hist_latest(o)->pos, o->office, o->order_no, rev, NULL, -1, -1,
			            -1, 1, due, 0, 0, d);
		}
	}
	buf_free(&key);

	/* Every payment in exactly one class, every taka accounted for. */
	long counted = 0;
	int64_t counted_sum = 0;
	for (int k = 0; k < NCLS; k++)
		if (k != C_MISSING && k != C_CARD) {
			counted += tally[k].count;
			if (money_sum(&counted_sum, tally[k].poisha) < 0)
				die("the classes add up past the largest amount a record holds");
		}
	int balanced = counted == npay && counted_sum == paysum;
	char ms[8], a[MONEY_BUFSZ], b[MONEY_BUFSZ];
	month_fmt(month, ms);
	money_fmt(a, sizeof a, paysum, 0);
	money_fmt(b, sizeof b, counted_sum, 0);
	if (!o_quiet || !balanced)
		warnf("%s: %ld payments, Tk %s; %ld matched; in the classes %ld, Tk %s: %s", ms, npay, a,
		      tally[C_MATCHED].count, counted, b, balanced ? "balanced" : "NOT BALANCED");
	if (!strcmp(o_format, "table")) {
		table(npay, paysum);
	} else {
		struct rw cw = { 0 };
		struct buf classes = { 0 };
		buf_addc(&classes, '[');
		for (int k = 1; k < NCLS; k++) {
			if (!tally[k].count)
				continue;
			if (classes.n > 1)
				buf_addc(&classes, ',');
			rw_begin_obj(&cw, "summary", "classes");
			rw_str(&cw, "class", cls_name[k]);
			rw_int(&cw, "count", tally[k].count);
			rw_int(&cw, "poisha", tally[k].poisha);
			rw_end(&cw, &classes);
		}
		buf_addc(&classes, ']');
		rw_begin(&rw, "summary");
		rw_month(&rw, "month", month);
		if (o_office)
			rw_str(&rw, "office", o_office);
		rw_int(&rw, "payments", npay);
		rw_int(&rw, "payments_poisha", paysum);
		rw_int(&rw, "matched", tally[C_MATCHED].count);
		rw_int(&rw, "matched_poisha", tally[C_MATCHED].poisha);
		rw_raw(&rw, "classes", classes.p, classes.n);
		rw_bool(&rw, "balanced", balanced);
		out.n = 0;
		rw_end(&rw, &out);
		rw_free(&cw);
		buf_free(&classes);
		if (fwrite(out.p, 1, out.n, stdout) != out.n)
			die("<stdout>: write error:");
	}
	long ndisc = 0;
	for (int k = 1; k < NCLS; k++) {
		ndisc += tally[k].count;
		if (tally[k].count && (fail_mask & (1u << k)))
			rc = wgo_worse(rc, WGO_EXIT_NEG);
	}
	rec_summary(&L, "%ld payments of %s, %ld discrepancies", npay, ms, ndisc);
	if (!balanced)
		rc = WGO_EXIT_USAGE;
	if (L.rejects && L.rejects != stderr && fclose(L.rejects) == EOF) {
		warnf("%s: write error:", o_rejects);
		rc = WGO_EXIT_USAGE;
	}
	for (size_t k = 0; k < npays; k++) {
		free(pays[k].id);
		free(pays[k].order_no);
		free(pays[k].routing);
		free(pays[k].number);
		free(pays[k].why);
	}
	free(pays);
	hmap_free(&firsts);
	hist_free(&hist);
	buf_free(&out);
	rw_free(&rw);
	sched_params_free(&params);
	cal_free(&cal);
	free(pos);
	return wgo_finish(rc);
}
