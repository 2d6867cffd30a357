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
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"      --now INSTANT          take this as the current time\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 no discrepancy, 1 discrepancies (or rejected records) found,\n"
	"2 usage or operational error, or the classes do not add up.\n";

enum cls {
	C_MATCHED, C_MISSING, C_UNDERPAID, C_OVERPAID, C_DUPLICATE, C_UNEXPECTED,
	C_SUSPENDED, C_AFTER_END, C_BEFORE_VER, C_WRONG_ACCOUNT, C_LATE, C_CARD, C_INVALID, NCLS
};
static const char *const cls_name[NCLS] = {
	"matched", "missing", "underpaid", "overpaid", "duplicate", "unexpected",
	"paid_while_suspended", "paid_after_end", "paid_before_verification", "wrong_account",
	"late", "card_not_returned", "invalid",
};
static const char *const cls_bn[NCLS] = {
	"মিলেছে", "অপরিশোধিত", "কম পরিশোধ", "বেশি পরিশোধ", "দ্বৈত পরিশোধ", "অজানা আদেশ",
	"স্থগিত অবস্থায় পরিশোধ", "মেয়াদ শেষে পরিশোধ", "ভেরিফিকেশনের আগে পরিশোধ", "ভুল হিসাবে পরিশোধ",
	"বিলম্বে পরিশোধ", "কার্ড ফেরত আসেনি", "অপাঠযোগ্য লাইন",
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

/* ---- what is read ---- */

struct rev {            /* one revision's account and when it took force */
	int revision;
	wdate from;
	char *routing, *number;
};

struct ord {
	uint32_t seq;
	int latest;
	char office[4];
	struct sched_order so;
	int loaded;
	struct rev *revs;
	uint32_t nrevs;
	wdate *ver;
	uint32_t nver, vcap;
	int card_returned;
	struct paidm *paid; /* payable months paid, with how many times */
	uint32_t npaid, cpaid;
};

struct paidm {
	wmonth m; /* -1: the lump sum */
	int count;
};

struct pay {
	char *id, *order_no, *routing, *number;
	wmonth m;      /* -1: a lump sum */
	int revision;
	int64_t amount;
	wdate paid;
	struct rpos pos;
	int invalid;   /* could not be read: only counted */
	char *why;
};

static struct hmap orders; /* order_no -> struct ord */
static uint32_t nseq;
static struct pay *pays;
static size_t npays, cpays;

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

static struct ord *
order_for(const char *no)
{
	int isnew;
	struct ord *o = hmap_put(&orders, no, &isnew);
	if (isnew)
		o->seq = nseq++;
	return o;
}

/* How many times month m (-1: the lump sum) of o is paid, to count one more. An
 * order has few distinct months paid, so a short list searched in place will do. */
static int *
paid_count(struct ord *o, wmonth m, int add)
{
	for (uint32_t i = 0; i < o->npaid; i++)
		if (o->paid[i].m == m)
			return &o->paid[i].count;
	if (!add)
		return NULL;
	if (o->npaid == o->cpaid) {
		o->cpaid = o->cpaid ? o->cpaid * 2 : 2;
		o->paid = xrealloc(o->paid, o->cpaid * sizeof *o->paid);
	}
	o->paid[o->npaid] = (struct paidm){ m, 0 };
	return &o->paid[o->npaid++].count;
}

static int
add_date(struct ord *o, wdate d)
{
	uint32_t i = o->nver;
	while (i > 0 && o->ver[i - 1] > d)
		i--;
	if (i > 0 && o->ver[i - 1] == d)
		return 0; /* the same appearance reported twice counts once */
	if (o->nver == o->vcap) {
		o->vcap = o->vcap ? o->vcap * 2 : 2;
		o->ver = xrealloc(o->ver, o->vcap * sizeof *o->ver);
	}
	memmove(o->ver + i + 1, o->ver + i, (o->nver - i) * sizeof *o->ver);
	o->ver[i] = d;
	o->nver++;
	return 0;
}

static int
on_record(struct rloop *Lp, json_t *r, const struct rpos *pos, struct werr *e)
{
	const char *kind = jstr(r, "kind"), *why;
	if (o_office && jstr(r, "office") && strcmp(jstr(r, "office"), o_office))
		return 0; /* another office's */
	if (!strcmp(kind, "order")) {
		struct ord *o = order_for(jstr(r, "order_no"));
		int rev = (int)jint(r, "revision", 0);
		for (uint32_t i = 0; i < o->nrevs; i++)
			if (o->revs[i].revision == rev)
				return werr_set(e, "revision", "revision %d of %s was read already", rev,
				                jstr(r, "order_no"));
		o->revs = xrealloc(o->revs, (o->nrevs + 1) * sizeof *o->revs);
		struct rev *rv = &o->revs[o->nrevs++];
		rv->revision = rev;
		const char *from = json_string_value(jget(r, "amendment.date"));
		date_parse(from ? from : jstr(r, "issued"), &rv->from, &why);
		rv->routing = xstrdup(json_string_value(jget(r, "account.routing")));
		rv->number = xstrdup(json_string_value(jget(r, "account.number")));
		if (!o->loaded || rev > o->latest) {
			struct sched_order so;
			if (sched_order_load(r, &so, e) < 0)
				return -1;
			if (o->loaded)
				sched_order_free(&o->so);
			o->so = so;
			o->loaded = 1;
			o->latest = rev;
			snprintf(o->office, sizeof o->office, "%s", jstr(r, "office"));
		}
		return 0;
	}
	if (!strcmp(kind, "verification")) {
		wdate d;
		date_parse(jstr(r, "date"), &d, &why);
		return add_date(order_for(jstr(r, "order_no")), d);
	}
	if (!strcmp(kind, "card_return")) {
		order_for(jstr(r, "order_no"))->card_returned = 1;
		return 0;
	}
	/* A payment. */
	if (npays == cpays) {
		cpays = cpays ? cpays * 2 : 1024;
		pays = xrealloc(pays, cpays * sizeof *pays);
	}
	struct pay *p = &pays[npays++];
	memset(p, 0, sizeof *p);
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
	if (npays == cpays) {
		cpays = cpays ? cpays * 2 : 1024;
		pays = xrealloc(pays, cpays * sizeof *pays);
	}
	struct pay *p = &pays[npays++];
	memset(p, 0, sizeof *p);
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
} tally[NCLS];
static unsigned fail_mask = ~0u;
static struct buf out;

static void
put_kv(const char *k, const char *v)
{
	buf_printf(&out, ",\"%s\":", k);
	json_put_string(&out, v, strlen(v));
}

static void
discrepancy(enum cls c, const char *office, const char *order_no, int revision,
            const char *payment_id, wmonth pm, int64_t expected, int64_t paid, wdate due,
            wdate paid_on, const char *detail)
{
	char t[11], m[8];
	tally[c].count++;
	money_add(&tally[c].poisha, paid >= 0 ? paid : expected >= 0 ? expected : 0);
	if (c == C_MATCHED)
		return;
	out.n = 0;
	month_fmt(month, m);
	buf_printf(&out, "{\"kind\":\"discrepancy\",\"v\":1,\"class\":\"%s\"", cls_name[c]);
	if (office && *office)
		put_kv("office", office);
	put_kv("month", m);
	if (order_no)
		put_kv("order_no", order_no);
	if (revision >= 0)
		buf_printf(&out, ",\"revision\":%d", revision);
	if (payment_id)
		put_kv("payment_id", payment_id);
	if (pm >= 0) {
		month_fmt(pm, m);
		put_kv("payable_month", m);
	}
	if (expected >= 0)
		buf_printf(&out, ",\"expected_poisha\":%lld", (long long)expected);
	if (paid >= 0)
		buf_printf(&out, ",\"paid_poisha\":%lld", (long long)paid);
	if (due) {
		date_fmt(due, t);
		put_kv("due", t);
	}
	if (paid_on) {
		date_fmt(paid_on, t);
		put_kv("paid", t);
	}
	put_kv("detail", detail);
	buf_add(&out, "}\n", 2);
	if (strcmp(o_format, "table") && fwrite(out.p, 1, out.n, stdout) != out.n)
		die("<stdout>: write error:");
}

/* The revision in force on a day: the latest that had taken force by then. */
static const struct rev *
in_force(const struct ord *o, wdate d)
{
	const struct rev *best = NULL;
	for (uint32_t i = 0; i < o->nrevs; i++)
		if (o->revs[i].from <= d && (!best || o->revs[i].revision > best->revision))
			best = &o->revs[i];
	if (!best)
		for (uint32_t i = 0; i < o->nrevs; i++)
			if (!best || o->revs[i].revision < best->revision)
				best = &o->revs[i];
	return best;
}

static const struct sched_item *
find_item(const struct sched_item *it, size_t n, const struct ord *o, wmonth m)
{
	if (o->so.lump)
		return m < 0 && n ? &it[0] : NULL;
	if (m < o->so.first || m > o->so.last)
		return NULL;
	return &it[m - o->so.first];
}

static struct sched_item *items;
static size_t items_cap;

static size_t
schedule(const struct ord *o)
{
	size_t cap = sched_count(&o->so);
	if (cap > items_cap) {
		free(items);
		items_cap = cap;
		items = xmalloc(cap * sizeof *items);
	}
	return sched_items(&o->so, o->ver, o->nver, &params, items, cap);
}

static void
classify(struct pay *p)
{
	char d[200], ms[8];
	if (p->invalid) {
		discrepancy(C_INVALID, NULL, NULL, -1, NULL, -1, -1, -1, 0, 0, p->why);
		return;
	}
	struct ord *o = hmap_get(&orders, p->order_no);
	int known_rev = 0;
	for (uint32_t i = 0; o && i < o->nrevs; i++)
		known_rev |= o->revs[i].revision == p->revision;
	if (!o || !o->loaded || !known_rev) {
		snprintf(d, sizeof d, !o || !o->loaded ? "no order %s" : "order %s has no revision %d",
		         p->order_no, p->revision);
		discrepancy(C_UNEXPECTED, o ? o->office : NULL, p->order_no, p->revision, p->id, p->m, -1,
		            p->amount, 0, p->paid, d);
		return;
	}
	size_t n = schedule(o);
	const struct sched_item *it = find_item(items, n, o, p->m);
	if (p->m >= 0)
		month_fmt(p->m, ms);
	else
		snprintf(ms, sizeof ms, "lump");
	if (!it) {
		snprintf(d, sizeof d, o->so.lump ? "a monthly payment of a lump-sum order"
		                                 : "%s is outside the order's term", ms);
		discrepancy(o->so.lump || p->m < o->so.first ? C_UNEXPECTED : C_AFTER_END, o->office,
		            p->order_no, p->revision, p->id, p->m, -1, p->amount, 0, p->paid, d);
		return;
	}
	int *count = paid_count(o, p->m, 1);
	if ((*count)++ > 0) {
		snprintf(d, sizeof d, "%s was paid %d times", ms, *count);
		discrepancy(C_DUPLICATE, o->office, p->order_no, p->revision, p->id, p->m, it->poisha,
		            p->amount, it->due, p->paid, d);
		return;
	}
	/* Was anything payable for this month when the bank paid? */
	if (it->state != SCHED_DUE || p->paid < (it->kind == SCHED_REGULAR ? 0 : it->released)) {
		int never = !o->nver || p->paid < o->ver[0];
		if (never) {
			discrepancy(C_BEFORE_VER, o->office, p->order_no, p->revision, p->id, p->m,
			            it->poisha, p->amount, 0, p->paid,
			            o->nver ? "paid before the first life verification"
			                    : "paid with no life verification at all");
		} else {
			discrepancy(C_SUSPENDED, o->office, p->order_no, p->revision, p->id, p->m, it->poisha,
			            p->amount, 0, p->paid,
			            it->state == SCHED_FORFEITED ? "paid for a month forfeited in a lapse"
			                                         : "paid while the beneficiary was suspended");
		}
		return;
	}
	const struct rev *rv = in_force(o, p->paid);
	if (!p->routing || !p->number || strcmp(p->routing, rv->routing) || strcmp(p->number, rv->number)) {
		snprintf(d, sizeof d, "paid into %s@%s, not revision %d's %s@%s", p->number ? p->number : "?",
		         p->routing ? p->routing : "?", rv->revision, rv->number, rv->routing);
		discrepancy(C_WRONG_ACCOUNT, o->office, p->order_no, p->revision, p->id, p->m, it->poisha,
		            p->amount, it->due, p->paid, d);
		return;
	}
	if (p->amount != it->poisha) {
		char a[32], b[32];
		money_fmt(a, sizeof a, p->amount, 0);
		money_fmt(b, sizeof b, it->poisha, 0);
		snprintf(d, sizeof d, "paid Tk %s, ordered Tk %s", a, b);
		discrepancy(p->amount < it->poisha ? C_UNDERPAID : C_OVERPAID, o->office, p->order_no,
		            p->revision, p->id, p->m, it->poisha, p->amount, it->due, p->paid, d);
		return;
	}
	if (p->paid > it->due) {
		char a[11];
		date_fmt(it->due, a);
		snprintf(d, sizeof d, "paid after its deadline, %s", a);
		discrepancy(C_LATE, o->office, p->order_no, p->revision, p->id, p->m, it->poisha, p->amount,
		            it->due, p->paid, d);
		return;
	}
	discrepancy(C_MATCHED, o->office, p->order_no, p->revision, p->id, p->m, it->poisha, p->amount,
	            it->due, p->paid, "");
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
	int64_t total = 0, arrears = 0;
	int narrears = 0;
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
		wmonth im = date_month(issued);
		for (wmonth m = first; m <= last; m++) {
			if (money_add(&total, monthly) < 0) {
				json_decref(o);
				return werr_set(e, "monthly_taka", "the total overflows"), NULL;
			}
			if (m < im) {
				narrears++;
				money_add(&arrears, monthly);
			}
		}
	} else {
		json_object_set_new(o, "lump_poisha", json_integer(lump));
		total = lump;
	}
	json_object_set_new(o, "arrears_months", json_integer(narrears));
	json_object_set_new(o, "arrears_poisha", json_integer(arrears));
	json_object_set_new(o, "total_poisha", json_integer(total));
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

static void
cell(const char *s, int width, int right)
{
	put_cell(stdout, s, width, right, 0);
}

static void
digits_cell(const char *ascii, int width)
{
	put_cell(stdout, ascii, width, 1, o_bn);
}

static void
table(long npay, int64_t paysum)
{
	char a[48], c[24], m[8];
	month_fmt(month, m);
	struct buf line = { 0 };
	buf_printf(&line, o_bn ? "রিকনসিলিয়েশন %s%s%s" : "Reconciliation %s%s%s", m,
	           o_office ? (o_bn ? ", কার্যালয় " : ", office ") : "",
	           o_office ? office_name(o_office, o_bn) : "");
	put_digits(stdout, buf_str(&line), o_bn);
	printf("\n\n");
	cell(o_bn ? "শ্রেণি" : "class", 26, 0);
	cell(o_bn ? "সংখ্যা" : "count", 10, 1);
	cell(o_bn ? "টাকা" : "taka", 20, 1);
	printf("\n");
	for (int k = 0; k < NCLS; k++) {
		if (!tally[k].count && k != C_MATCHED)
			continue;
		cell(o_bn ? cls_bn[k] : cls_name[k], 26, 0);
		snprintf(c, sizeof c, "%ld", tally[k].count);
		digits_cell(c, 10);
		money_fmt(a, sizeof a, tally[k].poisha, 0);
		digits_cell(a, 20);
		printf("\n");
	}
	snprintf(c, sizeof c, "%ld", npay);
	money_fmt(a, sizeof a, paysum, 0);
	cell(o_bn ? "মোট পরিশোধ" : "payments of the month", 26, 0);
	digits_cell(c, 10);
	digits_cell(a, 20);
	printf("\n");
	buf_free(&line);
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
		{ "home", required_argument, NULL, 5 },
		{ "now", required_argument, NULL, 6 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static const char *const kinds[] = { "order", "verification", "payment", "card_return", NULL };
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
	hmap_init(&orders, sizeof(struct ord));

	L.cb = on_record;
	L.on_reject = on_reject;
	L.kinds = kinds;
	L.validate = 1;
	L.validate_here = 1;
	L.transient = 1;
	L.quiet = o_quiet;
	if (o_rejects)
		L.rejects = rec_open_rejects(o_rejects);
	int rc = rec_loop(&L, npos, pos);
	if (rc == WGO_EXIT_USAGE)
		die("cannot read the input");

	/* History first (earlier months' payments), then the month's, in input order. */
	size_t i = 0;
	struct ord *o;
	long npay = 0;
	int64_t paysum = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < npays; k++) {
			struct pay *p = &pays[k];
			int mine = p->paid >= mfirst && p->paid <= mlast;
			if (pass == 0 && !mine && !p->invalid) {
				struct ord *po = hmap_get(&orders, p->order_no);
				if (po && po->loaded)
					(*paid_count(po, p->m, 1))++;
			}
			if (pass == 1 && (mine || p->invalid)) {
				npay++;
				money_add(&paysum, p->amount);
				classify(p);
			}
		}
	/* Payable in the month, past its deadline, and not paid at all. */
	struct ord **byseq = xmalloc((orders.n + 1) * sizeof *byseq);
	i = 0;
	while ((o = hmap_iter(&orders, &i)))
		byseq[o->seq] = o;
	for (uint32_t s = 0; s < nseq; s++) {
		o = byseq[s];
		if (!o->loaded)
			continue;
		const char *no = hmap_key(&orders, o);
		size_t n = schedule(o);
		for (size_t k = 0; k < n; k++) {
			const struct sched_item *it = &items[k];
			if (it->state != SCHED_DUE || it->due < mfirst || it->due > mlast || it->due >= as_of)
				continue;
			char ms[8] = "lump", d[120], dd[11];
			if (it->month >= 0)
				month_fmt(it->month, ms);
			if (paid_count(o, it->month, 0))
				continue;
			date_fmt(it->due, dd);
			snprintf(d, sizeof d, "%s was due by %s and is not paid", ms, dd);
			discrepancy(C_MISSING, o->office, no, o->latest, NULL, it->month, it->poisha, -1,
			            it->due, 0, d);
		}
		if (!o->so.lump && !o->card_returned) {
			wdate due = sched_card_due(o->so.last);
			if (due < as_of && due <= mlast) {
				char d[120], dd[11];
				date_fmt(due, dd);
				snprintf(d, sizeof d, "the order ended; its card was due back by %s", dd);
				discrepancy(C_CARD, o->office, no, o->latest, NULL, -1, -1, -1, due, 0, d);
			}
		}
	}
	free(byseq);

	/* Every payment in exactly one class, every taka accounted for. */
	long counted = 0;
	int64_t counted_sum = 0;
	for (int k = 0; k < NCLS; k++)
		if (k != C_MISSING && k != C_CARD) {
			counted += tally[k].count;
			money_add(&counted_sum, tally[k].poisha);
		}
	int balanced = counted == npay && counted_sum == paysum;
	char ms[8], a[48], b[48];
	month_fmt(month, ms);
	money_fmt(a, sizeof a, paysum, 0);
	money_fmt(b, sizeof b, counted_sum, 0);
	if (!o_quiet || !balanced)
		warnf("%s: %ld payments, Tk %s; %ld matched; in the classes %ld, Tk %s: %s", ms, npay, a,
		      tally[C_MATCHED].count, counted, b, balanced ? "balanced" : "NOT BALANCED");
	if (!strcmp(o_format, "table")) {
		table(npay, paysum);
	} else {
		out.n = 0;
		buf_printf(&out, "{\"kind\":\"summary\",\"v\":1,\"month\":\"%s\"", ms);
		if (o_office)
			put_kv("office", o_office);
		buf_printf(&out, ",\"payments\":%ld,\"payments_poisha\":%lld,\"matched\":%ld,\"matched_poisha\":%lld,\"classes\":[",
		           npay, (long long)paysum, tally[C_MATCHED].count, (long long)tally[C_MATCHED].poisha);
		int first = 1;
		for (int k = 1; k < NCLS; k++) {
			if (!tally[k].count)
				continue;
			buf_printf(&out, "%s{\"class\":\"%s\",\"count\":%ld,\"poisha\":%lld}", first ? "" : ",",
			           cls_name[k], tally[k].count, (long long)tally[k].poisha);
			first = 0;
		}
		buf_printf(&out, "],\"balanced\":%s}\n", balanced ? "true" : "false");
		if (fwrite(out.p, 1, out.n, stdout) != out.n)
			die("<stdout>: write error:");
	}
	for (int k = 1; k < NCLS; k++)
		if (tally[k].count && (fail_mask & (1u << k)))
			rc = wgo_worse(rc, WGO_EXIT_NEG);
	if (!balanced)
		rc = WGO_EXIT_USAGE;
	if (L.rejects && L.rejects != stderr && fclose(L.rejects) == EOF) {
		warnf("%s: write error:", o_rejects);
		rc = WGO_EXIT_USAGE;
	}
	i = 0;
	while ((o = hmap_iter(&orders, &i))) {
		if (o->loaded)
			sched_order_free(&o->so);
		for (uint32_t k = 0; k < o->nrevs; k++) {
			free(o->revs[k].routing);
			free(o->revs[k].number);
		}
		free(o->revs);
		free(o->ver);
		free(o->paid);
	}
	for (size_t k = 0; k < npays; k++) {
		free(pays[k].id);
		free(pays[k].order_no);
		free(pays[k].routing);
		free(pays[k].number);
		free(pays[k].why);
	}
	free(pays);
	free(items);
	hmap_free(&orders);
	buf_free(&out);
	sched_params_free(&params);
	cal_free(&cal);
	free(pos);
	return wgo_finish(rc);
}
