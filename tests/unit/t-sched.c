/* Unit tests: the payment model on timelines worked out by hand. */
#include <jansson.h>
#include <stdlib.h>
#include "tap.h"
#include "wgo.h"

static wdate
D(const char *s)
{
	wdate d;
	const char *why;
	if (date_parse(s, &d, &why) < 0)
		exit(2);
	return d;
}

static const char *
F(wdate d)
{
	static char b[8][11];
	static int i;
	i = (i + 1) % 8;
	date_fmt(d, b[i]);
	return b[i];
}

static wmonth
M(const char *s)
{
	wmonth m;
	const char *why;
	month_parse(s, &m, &why);
	return m;
}

static struct sched_item *
item(struct sched_item *it, size_t n, const char *month)
{
	for (size_t i = 0; i < n; i++)
		if (it[i].month == M(month))
			return &it[i];
	return NULL;
}

int
main(void)
{
	struct calendar cal;
	struct sched_params p;
	cal_init(&cal);
	struct holiday h[] = { { D("2025-12-16"), (char *)"Victory Day" } };
	cal.h = h;
	cal.n = 1;
	sched_defaults(&p, &cal);
	struct sched_order so = { 0 };
	so.issued = D("2025-12-10");
	so.first = M("2025-04");
	so.last = M("2040-03");
	so.nrates = 2;
	struct sched_rate rt[2];
	so.rate = rt;
	so.rate[0].from = M("2025-04"), so.rate[0].to = M("2025-08"), so.rate[0].poisha = 200000;
	so.rate[1].from = M("2025-09"), so.rate[1].to = M("2040-03"), so.rate[1].poisha = 300000;
	size_t cap = sched_count(&so);
	struct sched_item *it = calloc(cap, sizeof *it);

	is_int(cap, 180, "180 payable months");
	is_str(F(sched_regular_due(&p, M("2025-12"))), "2026-01-05", "December is due on the 3rd working day of January");

	/* First verification on a Thursday before the weekend and a holiday. */
	wdate v1[] = { D("2025-12-11") };
	size_t n = sched_items(&so, v1, 1, &p, it, cap);
	is_int(n, 180, "an item per month");
	is_str(F(item(it, n, "2025-04")->due), "2025-12-17", "arrears due 3 working days after Thu 11 Dec: skips Fri, Sat and 16 Dec");
	is_int(item(it, n, "2025-04")->kind, SCHED_ARREARS, "April is arrears");
	is_int(item(it, n, "2025-04")->poisha, 200000, "at Tk 2,000");
	is_int(item(it, n, "2025-11")->kind, SCHED_ARREARS, "November is arrears too");
	is_int(item(it, n, "2025-12")->kind, SCHED_REGULAR, "December is regular");
	is_str(F(sched_window_from(&p, v1[0])), "2026-10-11", "the window opens 10 months on");
	is_str(F(sched_window_to(&p, v1[0])), "2026-11-10", "and closes the day before 11 months on");
	is_int(item(it, n, "2026-09")->state, SCHED_DUE, "September 2026, due 2026-10-05, is paid");
	is_int(item(it, n, "2026-10")->state, SCHED_DUE, "October 2026, due 2026-11-03 inside the window, is paid");
	is_int(item(it, n, "2026-11")->state, SCHED_WITHHELD, "November 2026, due 2026-12-03 after the window, is withheld");

	struct sched_status st;
	sched_status(&so, v1, 1, &p, D("2025-12-20"), &st);
	is_str(sched_state_name(st.state), "active", "after the first verification: active");
	is_int(st.arrears_months, 8, "8 months of arrears");
	is_int(st.arrears_poisha, 5 * 200000 + 3 * 300000, "Tk 19,000 of arrears");
	sched_status(&so, v1, 1, &p, D("2025-12-01"), &st);
	is_str(sched_state_name(st.state), "awaiting_first", "before it: awaiting the first");
	is_int(st.withheld_months, 7, "7 months withheld so far");
	sched_status(&so, v1, 1, &p, D("2026-10-20"), &st);
	is_str(sched_state_name(st.state), "due", "inside the window: due");
	sched_status(&so, v1, 1, &p, D("2026-11-11"), &st);
	is_str(sched_state_name(st.state), "suspended", "the day after the window: suspended");
	is_str(F(st.suspended_from), "2026-11-11", "suspended from then");

	/* Verified inside the window: nothing is withheld. */
	wdate v2[] = { D("2025-12-11"), D("2026-10-20") };
	n = sched_items(&so, v2, 2, &p, it, cap);
	is_int(item(it, n, "2026-11")->kind, SCHED_REGULAR, "verified in the window: November is regular");
	is_str(F(sched_window_to(&p, v2[1])), "2027-09-19", "and the next window closes 2027-09-19");

	/* A missed window, then a late verification: resume-arrears on and off. */
	wdate v3[] = { D("2025-12-11"), D("2027-02-15") };
	n = sched_items(&so, v3, 2, &p, it, cap);
	is_int(item(it, n, "2026-10")->kind, SCHED_REGULAR, "October 2026 was paid before the lapse");
	is_int(item(it, n, "2026-11")->kind, SCHED_RESUMED, "November 2026 was withheld in the lapse");
	is_str(F(item(it, n, "2026-11")->due), "2027-02-18", "and is due 3 working days after the late verification");
	is_int(item(it, n, "2027-01")->kind, SCHED_RESUMED, "January 2027 (due 2027-02-03) too");
	is_int(item(it, n, "2027-02")->kind, SCHED_REGULAR, "February 2027 is regular again");
	p.resume_arrears = 0;
	n = sched_items(&so, v3, 2, &p, it, cap);
	is_int(item(it, n, "2026-11")->state, SCHED_FORFEITED, "with resume-arrears off, the lapse is forfeited");
	sched_status(&so, v3, 2, &p, D("2027-03-01"), &st);
	is_int(st.forfeited_months, 3, "3 months forfeited (Nov 2026 to Jan 2027)");
	p.resume_arrears = 1;

	/* A lump sum. */
	struct sched_order lump = { 0 };
	lump.issued = D("2025-12-10");
	lump.lump = 1;
	lump.lump_poisha = 30000000;
	n = sched_items(&lump, v1, 1, &p, it, cap);
	ok(n == 1 && it[0].kind == SCHED_LUMP && it[0].state == SCHED_DUE && !strcmp(F(it[0].due), "2025-12-17"),
	   "a lump sum is due 3 working days after the first verification");
	n = sched_items(&lump, NULL, 0, &p, it, cap);
	ok(n == 1 && it[0].state == SCHED_WITHHELD, "and withheld before it");
	free(it);
	sched_params_free(&p);
	return done();
}
