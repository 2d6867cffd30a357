/* Unit tests: the order history on timelines worked out by hand (no holidays;
 * Friday and Saturday off; the defaults: window 10 + 1 months, 3 working days). */
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

static wmonth
M(const char *s)
{
	wmonth m;
	const char *why;
	if (month_parse(s, &m, &why) < 0)
		exit(2);
	return m;
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

/* A monthly order: Tk 3,000 a month, 2025-09 to 2026-12, issued 2025-12-10;
 * revision r in force from its amendment date, with the account given. */
static json_t *
order(int rev, const char *amended, const char *number)
{
	json_t *o = json_pack("{s:s, s:i, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s},"
	                      " s:s, s:s, s:[{s:s, s:s, s:i}]}",
	                      "kind", "order", "v", 1, "order_no", "KHL-1", "revision", rev, "office", "KHL",
	                      "issued", "2025-12-10", "issued_bn", "x", "application_no", "A1", "grant", "welfare",
	                      "account", "routing", "200472441", "number", number, "name", "B",
	                      "first_month", "2025-09", "last_month", "2026-12", "rates", "from", "2025-09",
	                      "to", "2026-12", "monthly_poisha", 300000);
	if (amended)
		json_object_set_new(o, "amendment", json_pack("{s:s}", "date", amended));
	return o;
}

static json_t *
rec(const char *fmt, ...)
{
	va_list ap;
	json_error_t err;
	va_start(ap, fmt);
	json_t *r = json_vpack_ex(&err, 0, fmt, ap);
	va_end(ap);
	if (!r) {
		printf("# pack: %s\n", err.text);
		exit(2);
	}
	return r;
}

static struct rpos pos = { "t", 1 };

static void
add(struct hist *h, json_t *r)
{
	struct werr e;
	if (hist_add(h, r, &pos, &e) < 0)
		printf("# refused: %s: %s\n", e.field, e.msg);
	json_decref(r);
}

int
main(void)
{
	struct calendar cal;
	struct sched_params p;
	struct hist h;
	struct hist_status st;
	struct werr e;
	const struct hist_item *it;
	cal_init(&cal);
	sched_defaults(&p, &cal);

	/* Revisions in force, and the verification rule. */
	hist_init(&h, &p, D("2026-11-01"));
	add(&h, order(0, NULL, "1111111111111"));
	add(&h, order(1, "2026-03-08", "1111111111111")); /* the mobile, say: same account */
	add(&h, order(2, "2026-03-15", "2222222222222"));
	struct hist_order *o = hist_find(&h, "KHL-1");
	ok(o != NULL, "the order is found by number");
	ok(hist_in_force(o, D("2025-12-09")) == NULL, "no revision is in force before the issue date");
	is_int(hist_in_force(o, D("2026-03-07"))->revision, 0, "revision 0 until 2026-03-07");
	is_int(hist_in_force(o, D("2026-03-08"))->revision, 1, "revision 1 from its amendment date");
	is_int(hist_in_force(o, D("2026-03-15"))->revision, 2, "revision 2 from 2026-03-15");
	is_int(hist_verification_check(&h, o, D("2025-12-09"), &e), -1, "a verification before the issue date is refused");
	is_str(e.msg, "before the order was issued (2025-12-10)", "saying so");
	is_int(hist_verification_check(&h, o, D("2026-11-02"), &e), -1, "after the horizon: refused");
	add(&h, rec("{s:s, s:i, s:s, s:s, s:s, s:s}", "kind", "verification", "v", 1, "verification_id", "V1",
	            "order_no", "KHL-1", "date", "2025-12-11", "branch", "200472441"));
	is_int(hist_verification_check(&h, o, D("2025-12-11"), &e), 1, "the same day again is a duplicate");
	add(&h, rec("{s:s, s:i, s:s, s:s, s:s, s:s}", "kind", "verification", "v", 1, "verification_id", "V2",
	            "order_no", "KHL-1", "date", "2025-12-11", "branch", "200472441"));
	is_int(o->nver, 1, "and is dropped");

	/* Verified Thu 2025-12-11: September to November fall due 3 working days on, Tue
	 * 12-16; February 2026 is due Tue 2026-03-03. An AC04 return of revision 0 on
	 * 2026-03-02 holds it; revision 1 (same account) does not release it; revision 2
	 * (another account, Sun 03-15) does: due Wed 03-18. */
	add(&h, rec("{s:s, s:i, s:s, s:s, s:s, s:i, s:s, s:s, s:s}", "kind", "return", "v", 1, "return_id", "R1",
	            "reference_id", "KHL-1-r0", "order_no", "KHL-1", "revision", 0, "office", "KHL", "code", "AC04",
	            "date", "2026-03-02"));
	size_t n = hist_items(&h, o, D("2026-03-10"), &it);
	const struct hist_item *feb = hist_item_of(it, n, M("2026-02"));
	is_str(F(hist_item_of(it, n, M("2025-09"))->due), "2025-12-16", "arrears due Tue 2025-12-16");
	ok(feb->held && feb->held_to == HIST_NEVER && !hist_item_payable(feb),
	   "known on 03-10: February is held, not payable");
	is_str(F(feb->held_from), "2026-03-02", "held from the return's date");
	n = hist_items(&h, o, D("2026-03-20"), &it);
	feb = hist_item_of(it, n, M("2026-02"));
	ok(hist_item_payable(feb), "known on 03-20: released");
	is_str(F(feb->held_to), "2026-03-15", "by revision 2, which changes the account");
	is_str(F(feb->due), "2026-03-18", "due 3 working days after it took force");
	is_int(feb->rev->revision, 2, "paid under revision 2");
	is_str(feb->rev->number, "2222222222222", "into its account");
	ok(hist_status(&h, o, D("2026-03-10"), &st, &e) == 0 && st.state == HIST_HELD, "held on 03-10");
	is_int(st.held_months, 1, "one month held");
	is_str(st.held_by->code, "AC04", "by the AC04 return");
	hist_status(&h, o, D("2026-03-20"), &st, &e);
	is_str(hist_state_name(st.state), "active", "active again on 03-20");

	/* A withdrawal decided 2026-05-10 with no last month: May is the last. */
	add(&h, rec("{s:s, s:i, s:s, s:i, s:s, s:s, s:s, s:s}", "kind", "stop", "v", 1, "order_no", "KHL-1",
	            "revision", 2, "office", "KHL", "reason", "withdrawal", "date", "2026-05-10", "officer", "DD"));
	wmonth last;
	ok(hist_stop_known(o, D("2026-05-09"), &last) == NULL, "the stop is not known the day before");
	ok(hist_stop_known(o, D("2026-05-10"), &last) != NULL && last == M("2026-05"),
	   "without last_month, the month of the decision is the last");
	n = hist_items(&h, o, D("2026-06-01"), &it);
	ok(!hist_item_of(it, n, M("2026-05"))->stopped && hist_item_of(it, n, M("2026-06"))->stopped,
	   "May is payable, June is not");
	hist_status(&h, o, D("2026-06-01"), &st, &e);
	is_str(hist_state_name(st.state), "stopped", "stopped");
	wdate cd = 0;
	int has = hist_card_due(o, D("2026-06-01"), &cd);
	ok(has && cd == D("2026-06-15"), "the card is due by the 15th after the month of the stop (May): %s",
	   F(cd));
	hist_free(&h);

	/* The same records in another order give the same history. */
	hist_init(&h, &p, D("2026-11-01"));
	add(&h, rec("{s:s, s:i, s:s, s:s, s:s, s:s}", "kind", "verification", "v", 1, "verification_id", "V1",
	            "order_no", "KHL-1", "date", "2025-12-11", "branch", "200472441"));
	add(&h, rec("{s:s, s:i, s:s, s:s, s:s, s:i, s:s, s:s, s:s}", "kind", "return", "v", 1, "return_id", "R1",
	            "reference_id", "KHL-1-r0", "order_no", "KHL-1", "revision", 0, "office", "KHL", "code", "AC04",
	            "date", "2026-03-02"));
	add(&h, order(2, "2026-03-15", "2222222222222"));
	add(&h, order(0, NULL, "1111111111111"));
	hist_finish(&h);
	o = hist_find(&h, "KHL-1");
	n = hist_items(&h, o, D("2026-03-20"), &it);
	feb = hist_item_of(it, n, M("2026-02"));
	is_str(F(feb->due), "2026-03-18", "verification and return before their order: the same February");
	hist_free(&h);

	/* A lump sum stopped before it falls due is not paid; one due before is. */
	hist_init(&h, &p, D("2026-11-01"));
	json_t *l = order(0, NULL, "1111111111111");
	json_object_del(l, "first_month");
	json_object_del(l, "last_month");
	json_object_del(l, "rates");
	json_object_set_new(l, "lump_poisha", json_integer(5000000));
	add(&h, l);
	o = hist_find(&h, "KHL-1");
	add(&h, rec("{s:s, s:i, s:s, s:s, s:s, s:s}", "kind", "verification", "v", 1, "verification_id", "V1",
	            "order_no", "KHL-1", "date", "2025-12-11", "branch", "200472441"));
	add(&h, rec("{s:s, s:i, s:s, s:i, s:s, s:s, s:s, s:s}", "kind", "stop", "v", 1, "order_no", "KHL-1",
	            "revision", 0, "office", "KHL", "reason", "board_decision", "date", "2025-12-16", "officer", "DD"));
	n = hist_items(&h, o, D("2026-01-01"), &it);
	ok(n == 1 && it[0].stopped && !hist_item_payable(&it[0]),
	   "a lump sum due on its stop's day (12-16) is not paid");
	hist_free(&h);

	/* Sums never wrap (issue 19, item 6). The schema refuses an order whose total
	 * is not what its rates come to, so no valid record gets here; the history
	 * holds its own line behind it: 16 months of Tk 10 lakh crore (each a valid
	 * amount) make more payable than a record holds, an error, never a wrapped sum. */
	hist_init(&h, &p, D("2026-11-01"));
	json_t *big = order(0, NULL, "1111111111111");
	json_object_set_new(json_array_get(json_object_get(big, "rates"), 0), "monthly_poisha",
	                    json_integer(MONEY_MAX));
	add(&h, big);
	add(&h, rec("{s:s, s:i, s:s, s:s, s:s, s:s}", "kind", "verification", "v", 1, "verification_id", "V1",
	            "order_no", "KHL-1", "date", "2025-12-11", "branch", "200472441"));
	o = hist_find(&h, "KHL-1");
	struct hist_status hs;
	struct werr he = { { 0 }, { 0 } };
	is_int(hist_status(&h, o, D("2026-10-01"), &hs, &he), -1, "a payable sum past MONEY_MAX is an error");
	ok(strstr(he.msg, "largest amount") != NULL, "saying so (%s: %s)", he.field, he.msg);
	hist_free(&h);
	sched_params_free(&p);
	cal_free(&cal);
	done();
	return tap_fail != 0;
}
