/* Test helper for reconcile's property test: a seeded month of orders,
 * verifications, payments and card returns, with errors injected on purpose, and
 * the list of those errors. recon-gen SEED N INPUT.jsonl EXPECTED.tsv
 * The month is 2026-06, reconciled on 2026-07-20, with no holidays. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static FILE *in, *ex;
static long npay;

static void
payment(const char *id, const char *no, wmonth m, long long amount, wdate paid, const char *acct)
{
	char ms[8], ds[11];
	date_fmt(paid, ds);
	fprintf(in, "{\"kind\":\"payment\",\"v\":1,\"payment_id\":\"%s\",\"reference_id\":\"%s-r0\","
	        "\"order_no\":\"%s\",\"revision\":0,\"office\":\"KHL\",", id, no, no);
	if (m >= 0) {
		month_fmt(m, ms);
		fprintf(in, "\"month\":\"%s\",", ms);
	}
	fprintf(in, "\"amount_poisha\":%lld,\"paid\":\"%s\",\"account\":{\"routing\":\"200472441\","
	        "\"number\":\"%s\"}}\n", amount, ds, acct);
	npay++;
}

int
main(int argc, char **argv)
{
	if (argc != 5)
		die_usage("usage: recon-gen SEED N INPUT EXPECTED");
	rs = 0x9E3779B97F4A7C15ull ^ (unsigned long long)atoll(argv[1]) * 2654435761ull;
	for (int i = 0; i < 8; i++)
		rnd();
	int n = atoi(argv[2]);
	in = fopen(argv[3], "w");
	ex = fopen(argv[4], "w");
	if (!in || !ex)
		die("cannot write the output:");
	struct calendar cal;
	struct sched_params p;
	cal_init(&cal);
	sched_defaults(&p, &cal);
	const char *why;
	wmonth M;
	month_parse("2026-06", &M, &why);
	wdate lo = month_first(M), hi = month_last(M), as_of, issued;
	date_parse("2026-07-20", &as_of, &why);
	date_parse("2025-01-10", &issued, &why);
	struct sched_item *it = xmalloc(400 * sizeof *it);
	for (int i = 1; i <= n; i++) {
		char no[40], acct[20], id[64], ms[8], ms2[8];
		snprintf(no, sizeof no, "KHL-2024-25-%06d", i);
		snprintf(acct, sizeof acct, "%013lld", 5000000000000ll + i);
		struct sched_order so = { 0 };
		struct sched_rate rate;
		so.issued = issued;
		so.lump = chance(12);
		if (so.lump) {
			so.lump_poisha = 100 * between(100000, 300000);
		} else {
			month_parse("2024-06", &so.first, &why);
			so.first += (wmonth)between(0, 18);
			so.last = so.first + (wmonth)between(3, 40);
			rate.from = so.first;
			rate.to = so.last;
			rate.poisha = 100 * between(2000, 3000);
			so.rate = &rate;
			so.nrates = 1;
		}
		/* The order. */
		month_fmt(so.first, ms);
		month_fmt(so.last, ms2);
		fprintf(in, "{\"kind\":\"order\",\"v\":1,\"order_no\":\"%s\",\"revision\":0,\"office\":\"KHL\","
		        "\"issued\":\"2025-01-10\",\"issued_bn\":\"২৭ পৌষ ১৪৩১\",\"application_no\":\"A-%d\","
		        "\"grant\":\"%s\",%s\"employee\":{\"name\":\"E %d\",\"event\":\"death_in_service\","
		        "\"event_date\":\"2024-05-01\"},\"beneficiary\":{\"name_en\":\"B %d\",\"relation\":\"wife\","
		        "\"nid\":\"%010d\",\"mobile\":\"01712345678\"},\"account\":{\"routing\":\"200472441\","
		        "\"number\":\"%s\",\"name\":\"B\"},", no, i, so.lump ? "funeral" : "welfare",
		        so.lump ? "\"funeral_for\":\"family\"," : "", i, i, 1000000000 + i, acct);
		if (so.lump)
			fprintf(in, "\"lump_poisha\":%lld,", (long long)so.lump_poisha);
		else
			fprintf(in, "\"first_month\":\"%s\",\"last_month\":\"%s\",\"rates\":[{\"from\":\"%s\","
			        "\"to\":\"%s\",\"monthly_poisha\":%lld}],", ms, ms2, ms, ms2, (long long)rate.poisha);
		/* The total an order holds is its months at its rate (or its lump sum). */
		fprintf(in, "\"arrears_months\":0,\"arrears_poisha\":0,\"total_poisha\":%lld,"
		        "\"sanction\":{\"officer\":\"DD\",\"date\":\"2025-01-05\"}}\n",
		        so.lump ? (long long)so.lump_poisha
		                : (long long)rate.poisha * (long long)(so.last - so.first + 1));
		/* Verifications: never, kept up, or lapsed after one or two. */
		wdate v[8];
		int nv = 0, kind = (int)(rnd() % 10);
		if (kind > 0) {
			v[nv++] = issued + (wdate)between(1, 500);
			int lapse = kind >= 7 ? (int)between(1, 2) : 99;
			while (nv < lapse && nv < 8) {
				wdate from = sched_window_from(&p, v[nv - 1]), to = sched_window_to(&p, v[nv - 1]);
				wdate next = from + (wdate)between(0, to - from);
				if (next > as_of)
					break;
				v[nv++] = next;
			}
		}
		for (int k = 0; k < nv; k++) {
			char ds[11];
			date_fmt(v[k], ds);
			fprintf(in, "{\"kind\":\"verification\",\"v\":1,\"verification_id\":\"V%d-%d\","
			        "\"order_no\":\"%s\",\"date\":\"%s\",\"branch\":\"200472441\"}\n", i, k, no, ds);
		}
		size_t ni = sched_items(&so, v, (size_t)nv, &p, it, 400);
		/* The month's payments, some with an error. */
		for (size_t k = 0; k < ni; k++) {
			if (it[k].state != SCHED_DUE || it[k].due < lo || it[k].due > hi || it[k].due >= as_of)
				continue;
			if (it[k].month >= 0)
				month_fmt(it[k].month, ms);
			else
				snprintf(ms, sizeof ms, "lump");
			snprintf(id, sizeof id, "P%d-%s", i, ms);
			int err = chance(15) ? (int)(rnd() % 6) : -1;
			if (err == 4 && it[k].due == hi)
				err = -1; /* cannot be late within the month */
			switch (err) {
			case 0:
				payment(id, no, it[k].month, it[k].poisha - 10000, it[k].due, acct);
				fprintf(ex, "underpaid\t%s\n", id);
				break;
			case 1:
				payment(id, no, it[k].month, it[k].poisha + 20000, it[k].due, acct);
				fprintf(ex, "overpaid\t%s\n", id);
				break;
			case 2: {
				char dup[80];
				payment(id, no, it[k].month, it[k].poisha, it[k].due, acct);
				snprintf(dup, sizeof dup, "%s-again", id);
				payment(dup, no, it[k].month, it[k].poisha, it[k].due, acct);
				fprintf(ex, "duplicate\t%s\n", dup);
				break;
			}
			case 3:
				payment(id, no, it[k].month, it[k].poisha, it[k].due, "9999999999999");
				fprintf(ex, "wrong_account\t%s\n", id);
				break;
			case 4: {
				wdate late = it[k].due + (wdate)between(1, 3);
				if (late > hi)
					late = hi;
				payment(id, no, it[k].month, it[k].poisha, late, acct);
				fprintf(ex, "late\t%s\n", id);
				break;
			}
			case 5:
				fprintf(ex, "missing\t%s|%s\n", no, ms);
				break;
			default:
				payment(id, no, it[k].month, it[k].poisha, it[k].due, acct);
			}
		}
		/* Errors that are not a payment gone wrong. */
		if (!so.lump && so.last < M && chance(10)) {
			snprintf(id, sizeof id, "X%d-after", i);
			payment(id, no, so.last + 1, 300000, lo + 2, acct);
			fprintf(ex, "paid_after_end\t%s\n", id);
		}
		if (!so.lump && nv == 0 && so.last >= M - 1 && so.first <= M - 1 && chance(40)) {
			snprintf(id, sizeof id, "X%d-early", i);
			payment(id, no, M - 1, 300000, sched_regular_due(&p, M - 1), acct);
			fprintf(ex, "paid_before_verification\t%s\n", id);
		}
		for (size_t k = 0; k < ni && nv > 0; k++)
			if (it[k].state == SCHED_WITHHELD && it[k].kind == SCHED_RESUMED &&
			    it[k].regular_due >= lo && it[k].regular_due <= hi && chance(50)) {
				snprintf(id, sizeof id, "X%d-suspended", i);
				payment(id, no, it[k].month, it[k].poisha, it[k].regular_due, acct);
				fprintf(ex, "paid_while_suspended\t%s\n", id);
				break;
			}
		if (!so.lump) {
			wdate due = sched_card_due(so.last);
			if (due < as_of && due <= hi) {
				if (chance(15))
					fprintf(ex, "card_not_returned\t%s\n", no);
				else
					fprintf(in, "{\"kind\":\"card_return\",\"v\":1,\"order_no\":\"%s\",\"office\":\"KHL\","
					        "\"last_month\":\"%s\",\"returned\":\"%s\"}\n", no, ms2, "2026-07-01");
			}
		}
	}
	for (int k = 0; k < 3; k++) {
		char id[32];
		snprintf(id, sizeof id, "X-unknown-%d", k);
		payment(id, "KHL-2024-25-999999", M - 1, 300000, lo + 5, "5000000000001");
		fprintf(ex, "unexpected\t%s\n", id);
	}
	free(it);
	if (fclose(in) || fclose(ex))
		die("write error:");
	return 0;
}
