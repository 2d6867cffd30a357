/* Test helper: a seeded office's records for the property tests of lifeverify and
 * reconcile: orders (some amended, some lump sums), life verifications (kept up,
 * lapsed, late, twice on a day, after the as-of date), the bank's returns, stops,
 * card returns and payments, many of them wrong on purpose. It only makes inputs:
 * what is right is decided by tests/model/paymodel.py, never here, and nothing here
 * asks the payment model (no sched_*, no order history).
 *
 *   recon-gen SEED N HOLIDAYS OUT.jsonl
 *
 * The month is 2026-06, reconciled on 2026-07-20. Payments fall on the days a bank
 * would pick by a plain reading of the rules (the 3rd working day of the next
 * month; 3 working days after the first verification), or near them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wgo.h"

static unsigned long long rs;
static unsigned long long
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}
static int
chance(int percent)
{
	return (int)(rnd() % 100) < percent;
}
static long
between(long lo, long hi)
{
	return lo + (long)(rnd() % (unsigned long long)(hi - lo + 1));
}

static FILE *out;
static struct calendar cal;
static long npay;

static void
emit(json_t *r)
{
	if (rec_write(out, r) < 0)
		die("write error:");
	json_decref(r);
}

static json_t *
str_date(wdate d)
{
	char s[11];
	date_fmt(d, s);
	return json_string(s);
}

static json_t *
str_month(wmonth m)
{
	char s[8];
	month_fmt(m, s);
	return json_string(s);
}

struct rev {
	int revision;
	wdate from;
	char number[16];
};

static void
payment(const char *no, const struct rev *rv, wmonth m, long long amount, wdate paid, const char *acct)
{
	char id[64], ref[64];
	snprintf(id, sizeof id, "P%06ld", ++npay);
	snprintf(ref, sizeof ref, "%s-r%d", no, rv->revision);
	json_t *p = rec_new("payment");
	json_object_set_new(p, "payment_id", json_string(id));
	json_object_set_new(p, "reference_id", json_string(ref));
	json_object_set_new(p, "order_no", json_string(no));
	json_object_set_new(p, "revision", json_integer(rv->revision));
	json_object_set_new(p, "office", json_string("KHL"));
	if (m >= 0)
		json_object_set_new(p, "month", str_month(m));
	json_object_set_new(p, "amount_poisha", json_integer(amount));
	json_object_set_new(p, "paid", str_date(paid));
	json_t *a = json_object();
	json_object_set_new(a, "routing", json_string("200472441"));
	json_object_set_new(a, "number", json_string(acct));
	json_object_set_new(p, "account", a);
	emit(p);
}

/* The revision a bank would pay on day d: the highest in force by then. */
static const struct rev *
rev_on(const struct rev *r, int nr, wdate d)
{
	const struct rev *best = &r[0];
	for (int i = 0; i < nr; i++)
		if (r[i].from <= d)
			best = &r[i];
	return best;
}

int
main(int argc, char **argv)
{
	if (argc != 5)
		die_usage("usage: recon-gen SEED N HOLIDAYS OUT.jsonl");
	rs = 0x9E3779B97F4A7C15ull ^ (unsigned long long)atoll(argv[1]) * 2654435761ull;
	for (int i = 0; i < 8; i++)
		rnd();
	int n = atoi(argv[2]);
	struct werr e;
	cal_init(&cal);
	if (cal_load(&cal, argv[3], &e) < 0)
		die("%s: %s", e.field, e.msg);
	if (!(out = fopen(argv[4], "w")))
		die("%s:", argv[4]);
	wmonth M = date_month(date_from_ymd(2026, 6, 1));
	wdate as_of = date_from_ymd(2026, 7, 20), start = date_from_ymd(2024, 7, 1);
	static const char *const codes[] = { "AC01", "AC04", "AC06", "MD07", "BE01", "AM05", "RC01" };
	for (int i = 1; i <= n; i++) {
		char no[40];
		snprintf(no, sizeof no, "KHL-2024-25-%06d", i);
		wdate issued = start + (wdate)between(0, 540);
		int lump = chance(12);
		long long lump_amt = 100 * between(20000, 300000);
		wmonth first = date_month(issued) - (wmonth)between(0, 8), last = first + (wmonth)between(2, 40);
		wmonth split = first + (wmonth)between(0, last - first); /* a second rate from here */
		long long r1 = 100 * between(2000, 3000), r2 = chance(40) ? r1 + 100000 : r1;
		if (last < date_month(issued))
			last = date_month(issued);
		/* Revisions: some amended, most of those with another account. */
		struct rev rv[3];
		int nr = 1;
		rv[0].revision = 0;
		rv[0].from = issued;
		snprintf(rv[0].number, sizeof rv[0].number, "%013lld", 5000000000000ll + i);
		if (chance(25)) {
			int k = chance(25) ? 2 : 1;
			for (int j = 1; j <= k; j++) {
				rv[j].revision = j;
				rv[j].from = rv[j - 1].from + (wdate)between(1, 300);
				if (chance(75))
					snprintf(rv[j].number, sizeof rv[j].number, "%013lld", 6000000000000ll + i * 10 + j);
				else
					memcpy(rv[j].number, rv[j - 1].number, sizeof rv[j].number);
			}
			nr = k + 1;
		}
		for (int j = 0; j < nr; j++) {
			json_t *o = order_new(no, "KHL", issued);
			json_object_set_new(o, "revision", json_integer(rv[j].revision));
			char an[32];
			snprintf(an, sizeof an, "A-%d", i);
			json_object_set_new(o, "application_no", json_string(an));
			json_object_set_new(o, "grant", json_string(lump ? "funeral" : "welfare"));
			if (lump)
				json_object_set_new(o, "funeral_for", json_string("family"));
			json_t *emp = json_object();
			json_object_set_new(emp, "name", json_string("E"));
			json_object_set_new(emp, "event", json_string("death_in_service"));
			json_object_set_new(emp, "event_date", json_string("2024-05-01"));
			json_object_set_new(o, "employee", emp);
			json_t *ben = json_object();
			json_object_set_new(ben, "name_en", json_string("B"));
			json_object_set_new(ben, "relation", json_string("wife"));
			char nid[16];
			snprintf(nid, sizeof nid, "%010d", 1000000000 + i);
			json_object_set_new(ben, "nid", json_string(nid));
			json_object_set_new(ben, "mobile", json_string("+8801712345678"));
			json_object_set_new(o, "beneficiary", ben);
			json_t *acc = json_object();
			json_object_set_new(acc, "routing", json_string("200472441"));
			json_object_set_new(acc, "number", json_string(rv[j].number));
			json_object_set_new(acc, "name", json_string("B"));
			json_object_set_new(o, "account", acc);
			if (lump) {
				json_object_set_new(o, "lump_poisha", json_integer(lump_amt + 100000 * j));
			} else {
				json_object_set_new(o, "first_month", str_month(first));
				json_object_set_new(o, "last_month", str_month(last));
				json_t *rates = json_array(), *seg = json_object();
				long long a1 = r1 + 50000 * j; /* an amendment may change the rate */
				json_object_set_new(seg, "from", str_month(first));
				json_object_set_new(seg, "to", str_month(split == first ? last : split - 1));
				json_object_set_new(seg, "monthly_poisha", json_integer(a1));
				json_array_append_new(rates, seg);
				if (split > first) {
					seg = json_object();
					json_object_set_new(seg, "from", str_month(split));
					json_object_set_new(seg, "to", str_month(last));
					json_object_set_new(seg, "monthly_poisha", json_integer(r2 + 50000 * j));
					json_array_append_new(rates, seg);
				}
				json_object_set_new(o, "rates", rates);
			}
			if (order_totals(o, issued, &e) < 0)
				die("%s", e.msg);
			json_t *s = json_object();
			json_object_set_new(s, "officer", json_string("DD"));
			json_object_set_new(s, "date", str_date(issued - 5));
			json_object_set_new(o, "sanction", s);
			if (j > 0) {
				json_t *am = json_object();
				json_object_set_new(am, "reason", json_string("corrected"));
				json_t *ch = json_array();
				json_array_append_new(ch, json_string("account.number"));
				json_object_set_new(am, "changed", ch);
				json_object_set_new(am, "date", str_date(rv[j].from));
				json_object_set_new(o, "amendment", am);
			}
			emit(o);
		}
		/* Verifications: never, kept up, lapsed, late; now and then twice on a day. */
		wdate v[16];
		int nv = 0, kind = (int)between(0, 9);
		if (kind > 0) {
			v[nv++] = issued + (wdate)between(0, 400);
			while (nv < 12) {
				wdate from = date_add_months(v[nv - 1], 10), to = date_add_months(v[nv - 1], 11) - 1;
				wdate next = kind >= 7 && chance(50) ? to + (wdate)between(1, 120)
				                                     : from + (wdate)between(0, to - from);
				if (next > as_of + 40)
					break;
				v[nv++] = next;
			}
		}
		for (int k = 0; k < nv; k++) {
			for (int twice = 0; twice < (chance(5) ? 2 : 1); twice++) {
				json_t *r = rec_new("verification");
				char id[40];
				snprintf(id, sizeof id, "V%d-%d-%d", i, k, twice);
				json_object_set_new(r, "verification_id", json_string(id));
				json_object_set_new(r, "order_no", json_string(no));
				json_object_set_new(r, "date", str_date(v[k]));
				json_object_set_new(r, "branch", json_string("200472441"));
				emit(r);
			}
		}
		/* The bank's returns, each of one revision. */
		if (chance(18)) {
			int j = (int)between(0, nr - 1);
			json_t *r = rec_new("return");
			char id[40], ref[64];
			snprintf(id, sizeof id, "RT%d", i);
			snprintf(ref, sizeof ref, "%s-r%d", no, rv[j].revision);
			json_object_set_new(r, "return_id", json_string(id));
			json_object_set_new(r, "reference_id", json_string(ref));
			json_object_set_new(r, "order_no", json_string(no));
			json_object_set_new(r, "revision", json_integer(rv[j].revision));
			json_object_set_new(r, "office", json_string("KHL"));
			json_object_set_new(r, "code", json_string(codes[between(0, 6)]));
			json_object_set_new(r, "date", str_date(rv[j].from + (wdate)between(1, 500)));
			emit(r);
		}
		/* Stops: a death, a withdrawal, a decision of the board. */
		if (chance(10)) {
			json_t *s = rec_new("stop");
			wdate sd = issued + (wdate)between(10, 700);
			int why = (int)between(0, 2);
			json_object_set_new(s, "order_no", json_string(no));
			json_object_set_new(s, "revision", json_integer(0));
			json_object_set_new(s, "office", json_string("KHL"));
			json_object_set_new(s, "reason", json_string(why == 0 ? "death" : why == 1 ? "withdrawal"
			                                                                     : "board_decision"));
			json_object_set_new(s, "date", str_date(sd));
			if (why == 0)
				json_object_set_new(s, "death_date", str_date(sd - (wdate)between(5, 90)));
			if (!lump && chance(50))
				json_object_set_new(s, "last_month", str_month(date_month(sd) - (wmonth)between(0, 3)));
			json_object_set_new(s, "officer", json_string("DD"));
			emit(s);
		}
		/* Card returns, some before the as-of date, some after. */
		if (!lump && chance(60)) {
			json_t *c = rec_new("card_return");
			json_object_set_new(c, "order_no", json_string(no));
			json_object_set_new(c, "office", json_string("KHL"));
			json_object_set_new(c, "last_month", str_month(last));
			json_object_set_new(c, "returned", str_date(month_first(last + 1) + (wdate)between(0, 40)));
			emit(c);
		}
		/* Payments of the months due around the reconciled month, as a bank would
		 * make them, with errors. */
		wdate lo = month_first(M - 3), hi = month_last(M);
		if (lump) {
			wdate due = nv ? cal_add_workdays(&cal, v[0], 3) : issued + (wdate)between(0, 60);
			if (due >= lo && due <= hi + 20 && chance(85)) {
				wdate pd = chance(80) ? due : due + (wdate)between(-10, 6);
				const struct rev *p = rev_on(rv, nr, pd);
				payment(no, p, -1, lump_amt + 100000 * p->revision, pd, p->number);
			}
		} else {
			for (wmonth m = first; m <= last; m++) {
				wdate due = cal_add_workdays(&cal, month_first(m + 1) - 1, 3);
				if (nv && due < v[0])
					due = cal_add_workdays(&cal, v[0], 3); /* arrears */
				if (due < lo || due > hi + 20 || !chance(85))
					continue;
				wdate pd = due;
				int err = chance(25) ? (int)between(0, 5) : -1;
				const struct rev *p = rev_on(rv, nr, pd);
				long long amt = (m >= split ? r2 : r1) + 50000 * p->revision;
				const char *acct = p->number;
				switch (err) {
				case 0: amt -= 10000; break;
				case 1: amt += 20000; break;
				case 2: acct = "9999999999999"; break;
				case 3: pd = due + (wdate)between(1, 6); break;
				case 4: pd = due - (wdate)between(5, 60); break;
				default: break;
				}
				payment(no, p, m, amt, pd, acct);
				if (err == 5)
					payment(no, p, m, amt, pd + (wdate)between(0, 40), acct);
			}
			if (last < M && chance(10))
				payment(no, &rv[0], last + 1, r2, month_first(M) + 2, rv[0].number);
		}
	}
	for (int k = 0; k < 3; k++) {
		struct rev x = { 0, 0, "5000000000001" };
		payment("KHL-2024-25-999999", &x, M - 1, 300000, month_first(M) + 5 + k, x.number);
	}
	fputs("not a record at all\n", out);
	if (fclose(out))
		die("write error:");
	cal_free(&cal);
	return 0;
}
