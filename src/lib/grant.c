/* The grant rules: rates with the dates they take effect, terms, and the order an
 * approved application makes (payable months, rates, arrears, total). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wgo.h"

static const char *const rate_keys[RATE_KINDS] = {
	"rate.welfare", "rate.group_insurance", "rate.funeral.employee", "rate.funeral.family",
};
static const char *const term_keys[] = {
	"term.death_in_service", "term.death_after_retirement", "term.retired_invalid",
	"term.retired_invalid_age",
};

static int
ratecmp(const void *a, const void *b)
{
	const struct rate *x = a, *y = b;
	return (x->from > y->from) - (x->from < y->from);
}

static int
rules_read(const struct cfg *c, struct rules *r, struct werr *e)
{
	char where[sizeof e->field];
	for (int k = 0; k < RATE_KINDS; k++) {
		struct ratelist *l = &r->rate[k];
		for (const struct cfg_item *it = cfg_next(c, rate_keys[k], NULL); it;
		     it = cfg_next(c, rate_keys[k], it)) {
			snprintf(where, sizeof where, "%s:%lu", c->path, it->line);
			char d[32], *sp = strpbrk(it->val, " \t");
			const char *why;
			if (!sp || (size_t)(sp - it->val) >= sizeof d)
				return werr_set(e, where, "%s: expected DATE AMOUNT", rate_keys[k]);
			memcpy(d, it->val, (size_t)(sp - it->val));
			d[sp - it->val] = 0;
			struct rate rt;
			if (date_parse(d, &rt.from, &why) < 0)
				return werr_set(e, where, "%s: %s: %s", rate_keys[k], d, why);
			if (money_parse(sp + 1, 0, &rt.poisha, &why) < 0)
				return werr_set(e, where, "%s: %s", rate_keys[k], why);
			for (size_t i = 0; i < l->n; i++)
				if (l->r[i].from == rt.from)
					return werr_set(e, where, "%s: two rates from %s", rate_keys[k], d);
			l->r = xrealloc(l->r, (l->n + 1) * sizeof *l->r);
			l->r[l->n++] = rt;
		}
		if (l->n > 1)
			qsort(l->r, l->n, sizeof *l->r, ratecmp);
	}
	int *terms[] = { &r->term_death_in_service, &r->term_death_after_retirement,
		         &r->term_retired_invalid, &r->retired_invalid_age };
	for (int k = 0; k < 4; k++) {
		const char *v = cfg_get(c, term_keys[k]);
		long n;
		if (!v)
			continue;
		if (uint_parse(v, 1200, &n) < 0 || n == 0)
			return werr_set(e, c->path ? c->path : "wgo.conf", "%s: not a number 1 to 1200",
			                term_keys[k]);
		*terms[k] = (int)n;
	}
	return 0;
}

const char *const *
rules_config_keys(void)
{
	static const char *const keys[] = {
		"rate.welfare", "rate.group_insurance", "rate.funeral.employee", "rate.funeral.family",
		"term.death_in_service", "term.death_after_retirement", "term.retired_invalid",
		"term.retired_invalid_age", NULL,
	};
	return keys;
}

/* Rates and terms from the configuration; on an error nothing is left allocated. */
int
rules_load(const struct cfg *c, struct rules *r, struct werr *e)
{
	memset(r, 0, sizeof *r);
	int rc = rules_read(c, r, e);
	if (rc < 0)
		rules_free(r);
	return rc;
}

void
rules_free(struct rules *r)
{
	for (int k = 0; k < RATE_KINDS; k++)
		free(r->rate[k].r);
	memset(r, 0, sizeof *r);
}

/* The rate in force on day d, or -1. */
static int64_t
rate_on(const struct ratelist *l, wdate d)
{
	int64_t v = -1;
	for (size_t i = 0; i < l->n && l->r[i].from <= d; i++)
		v = l->r[i].poisha;
	return v;
}

static int
need_config(const struct rules *r, int kind, struct werr *e)
{
	if (r->rate[kind].n == 0)
		return werr_set(e, "grant", "no %s in the configuration (see wgo.conf.example)",
		                rate_keys[kind]);
	return 0;
}

static int
need_term(int v, const char *key, struct werr *e)
{
	if (!v)
		return werr_set(e, "employee.event", "no %s in the configuration (see wgo.conf.example)",
		                key);
	return 0;
}

static wdate
dfield(const json_t *o, const char *path, int *have)
{
	const char *s = json_string_value(jget(o, path));
	wdate d = 0;
	const char *why;
	*have = s && date_parse(s, &d, &why) == 0;
	return d;
}

static json_t *
month_str(wmonth m)
{
	char t[8];
	month_fmt(m, t);
	return json_string(t);
}

int
order_terms(const json_t *app, wdate issued, const struct rules *r, json_t *order, struct werr *e)
{
	int h;
	char ds[11], ds2[11];
	date_fmt(issued, ds);
	if (!jget(app, "sanction"))
		return werr_set(e, "sanction", "missing: the application is not approved yet (the "
		                "sanction gives the officer and the date)");
	const char *dates[] = { "employee.event_date", "employee.retirement_date",
		                "employee.birth_date", "beneficiary.birth_date", "received",
		                "sanction.date" };
	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
		wdate d = dfield(app, dates[i], &h);
		if (h && d > issued)
			return werr_set(e, dates[i], "in the future (after the issue date %s)", ds);
	}
	wdate event = dfield(app, "employee.event_date", &h);
	wdate sanctioned = dfield(app, "sanction.date", &h);
	if (event > sanctioned) {
		date_fmt(sanctioned, ds2);
		return werr_set(e, "employee.event_date", "after the sanction (%s)", ds2);
	}
	int hrc;
	wdate received = dfield(app, "received", &hrc);
	if (hrc && received > sanctioned) {
		date_fmt(sanctioned, ds2);
		return werr_set(e, "received", "after the sanction (%s): an application is received "
		                "before it is approved", ds2);
	}
	if (hrc && received < event) {
		date_fmt(event, ds2);
		return werr_set(e, "received", "before the event it is for (%s)", ds2);
	}
	int hb, hr;
	wdate born = dfield(app, "employee.birth_date", &hb);
	wdate retired = dfield(app, "employee.retirement_date", &hr);
	if (hb && born >= event)
		return werr_set(e, "employee.birth_date", "not before the event");
	if (hr && hb && retired <= born)
		return werr_set(e, "employee.retirement_date", "not after the birth date");

	const char *grant = jstr(app, "grant"), *ev = json_string_value(jget(app, "employee.event"));
	/* Who may have the grant: the employee retired on illness or disability, or the
	 * family of one who died (a funeral grant for a family member aside). */
	const char *rel = json_string_value(jget(app, "beneficiary.relation"));
	int family_funeral = !strcmp(grant, "funeral") && jstr(app, "funeral_for") &&
	                     !strcmp(jstr(app, "funeral_for"), "family");
	if (rel && !family_funeral) {
		int self = !strcmp(rel, "self");
		if (!strcmp(ev, "retired_invalid") && !self)
			return werr_set(e, "beneficiary.relation", "not eligible: after a retirement on "
			                "illness or disability the grant is the employee's own (self), not "
			                "a %s's", rel);
		if (strcmp(ev, "retired_invalid") && self)
			return werr_set(e, "beneficiary.relation", "not eligible: the employee died; the "
			                "grant goes to a member of the family, not to self");
	}
	json_t *amount = jget(app, "sanction.amount_poisha");
	json_t *last_override = jget(app, "sanction.last_month");
	wmonth issue_month = date_month(issued);

	if (strcmp(grant, "welfare")) {
		int kind = !strcmp(grant, "group_insurance") ? RATE_GROUP_INSURANCE
		           : !strcmp(jstr(app, "funeral_for"), "employee") ? RATE_FUNERAL_EMPLOYEE
		                                                          : RATE_FUNERAL_FAMILY;
		if (last_override)
			return werr_set(e, "sanction.last_month", "a lump sum has no term");
		int64_t lump;
		if (amount) {
			lump = json_integer_value(amount);
		} else {
			if (need_config(r, kind, e) < 0)
				return -1;
			lump = rate_on(&r->rate[kind], event);
			if (lump < 0) {
				date_fmt(event, ds2);
				return werr_set(e, "employee.event_date", "no %s in force on %s",
				                rate_keys[kind], ds2);
			}
		}
		if (lump > MONEY_MAX)
			return werr_set(e, amount ? "sanction.amount_poisha" : "grant",
			                "the lump sum, %lld poisha, is over the most a record holds "
			                "(%lld)", (long long)lump, MONEY_MAX);
		json_object_set_new(order, "lump_poisha", json_integer(lump));
		return order_totals(order, issued, e);
	}

	/* The monthly grant: from the month after the event to the end of the term. */
	wmonth first = date_month(event) + 1, last;
	if (!strcmp(ev, "death_in_service")) {
		if (need_term(r->term_death_in_service, "term.death_in_service", e) < 0)
			return -1;
		last = first + r->term_death_in_service - 1;
	} else if (!strcmp(ev, "death_after_retirement")) {
		if (!hr)
			return werr_set(e, "employee.retirement_date", "missing (needed for a death after retirement)");
		if (retired > event)
			return werr_set(e, "employee.retirement_date", "after the death");
		if (need_term(r->term_death_after_retirement, "term.death_after_retirement", e) < 0)
			return -1;
		/* Until N months from retirement: the last month is the one holding the day before. */
		last = date_month(date_add_months(retired, r->term_death_after_retirement) - 1);
	} else {
		if (!hb)
			return werr_set(e, "employee.birth_date", "missing (needed for a retirement on illness)");
		if (need_term(r->term_retired_invalid, "term.retired_invalid", e) < 0 ||
		    need_term(r->retired_invalid_age, "term.retired_invalid_age", e) < 0)
			return -1;
		last = first + r->term_retired_invalid - 1;
		wmonth age_end = date_month(date_add_months(born, 12 * r->retired_invalid_age) - 1);
		if (age_end < last)
			last = age_end;
	}
	if (last_override) {
		const char *why;
		month_parse(json_string_value(last_override), &last, &why);
	}
	char ms[8];
	wmonth end_of_time = date_month(date_from_ymd(DATE_MAX_YEAR, 12, 31));
	if (first > end_of_time || last > end_of_time) {
		month_fmt(end_of_time, ms);
		return werr_set(e, first > end_of_time ? "employee.event_date" : "sanction.last_month",
		                "the term would run past %s, the last month a record holds", ms);
	}
	if (last < first) {
		month_fmt(last, ms);
		return werr_set(e, last_override ? "sanction.last_month" : "employee.event_date",
		                "not eligible: the term ended in %s, before its first month", ms);
	}
	if (last < issue_month) {
		month_fmt(last, ms);
		return werr_set(e, last_override ? "sanction.last_month" : "employee.event_date",
		                "the term is already over (it ended in %s)", ms);
	}
	/* The rate changes only where a rate takes effect: walk the segments, not the
	 * months. A rate applies from the first month that starts on or after its date. */
	const struct ratelist *rl = &r->rate[RATE_WELFARE];
	if (!amount && need_config(r, RATE_WELFARE, e) < 0)
		return -1;
	json_t *rates = json_array();
	size_t ri = 0;
	wmonth m = first;
	while (m <= last) {
		int64_t v;
		wmonth end = last;
		if (amount) {
			v = json_integer_value(amount);
		} else {
			/* The rate in force on the first of m, and the month the next one starts. */
			while (ri + 1 < rl->n && rl->r[ri + 1].from <= month_first(m))
				ri++;
			if (rl->r[ri].from > month_first(m)) {
				json_decref(rates);
				month_fmt(m, ms);
				return werr_set(e, "employee.event_date", "no rate.welfare in force for %s", ms);
			}
			v = rl->r[ri].poisha;
			if (ri + 1 < rl->n) {
				wdate nf = rl->r[ri + 1].from;
				wmonth starts = date_month(nf) + (nf == month_first(date_month(nf)) ? 0 : 1);
				if (starts - 1 < end)
					end = starts - 1;
			}
		}
		json_t *seg = json_object();
		json_object_set_new(seg, "from", month_str(m));
		json_object_set_new(seg, "to", month_str(end));
		json_object_set_new(seg, "monthly_poisha", json_integer(v));
		json_array_append_new(rates, seg);
		m = end + 1;
	}
	json_object_set_new(order, "first_month", month_str(first));
	json_object_set_new(order, "last_month", month_str(last));
	json_object_set_new(order, "rates", rates);
	if (order_totals(order, issued, e) < 0) {
		snprintf(e->field, sizeof e->field, "%s", amount ? "sanction.amount_poisha" : "grant");
		return -1;
	}
	return 0;
}

/* What an order comes to: every month of its term at its rate, or the lump sum;
 * and of that, the months before the month it is issued in (the arrears). A sum
 * past what a record holds is an error. */
int
order_totals(json_t *order, wdate issued, struct werr *e)
{
	int64_t total = 0, arrears = 0;
	long narrears = 0;
	json_t *lump = json_object_get(order, "lump_poisha");
	if (lump) {
		total = json_integer_value(lump);
		if (total < 0 || total > MONEY_MAX)
			return werr_set(e, "lump_poisha", "amount out of range");
	} else {
		json_t *r;
		size_t i;
		wmonth im = date_month(issued);
		json_array_foreach(json_object_get(order, "rates"), i, r) {
			wmonth from, to;
			const char *why;
			if (month_parse(jstr(r, "from") ? jstr(r, "from") : "", &from, &why) < 0 ||
			    month_parse(jstr(r, "to") ? jstr(r, "to") : "", &to, &why) < 0 || to < from)
				return werr_set(e, "rates", "not a month range");
			int64_t v = jint(r, "monthly_poisha", 0), seg, arr;
			long n_arr = from < im ? (to < im ? to : im - 1) - from + 1 : 0;
			if (money_mul(&seg, v, (int64_t)(to - from + 1)) < 0 || money_sum(&total, seg) < 0 ||
			    money_mul(&arr, v, n_arr) < 0 || money_sum(&arrears, arr) < 0)
				return werr_set(e, "total_poisha", "the order's total would be over %lld "
				                "poisha, the most a record holds (at %lld poisha a month "
				                "from %s)", MONEY_MAX, (long long)v, jstr(r, "from"));
			narrears += n_arr;
		}
	}
	json_object_set_new(order, "arrears_months", json_integer(narrears));
	json_object_set_new(order, "arrears_poisha", json_integer(arrears));
	json_object_set_new(order, "total_poisha", json_integer(total));
	return 0;
}

json_t *
order_new(const char *order_no, const char *office, wdate issued)
{
	json_t *o = json_object();
	char ds[11];
	struct bdate b;
	struct buf bn = { 0 };
	date_fmt(issued, ds);
	bangla_from_date(issued, &b);
	bangla_fmt(&b, 0, &bn);
	json_object_set_new(o, "kind", json_string("order"));
	json_object_set_new(o, "v", json_integer(WGO_FORMAT_VERSION));
	if (order_no)
		json_object_set_new(o, "order_no", json_string(order_no));
	json_object_set_new(o, "revision", json_integer(0));
	if (office)
		json_object_set_new(o, "office", json_string(office));
	json_object_set_new(o, "issued", json_string(ds));
	json_object_set_new(o, "issued_bn", json_stringn(bn.p, bn.n));
	buf_free(&bn);
	return o;
}

json_t *
order_from_application(const json_t *app, wdate issued, const struct rules *r, struct werr *e)
{
	json_t *o = order_new("-", jstr(app, "office"), issued);
	const char *copy[] = { "application_no", "received", "grant", "funeral_for", "employee",
		               "beneficiary", "account" };
	/* Shared, not copied: nobody changes the application's parts afterwards. */
	for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++) {
		json_t *v = json_object_get(app, copy[i]);
		if (v)
			json_object_set(o, copy[i], v);
	}
	if (order_terms(app, issued, r, o, e) < 0) {
		json_decref(o);
		return NULL;
	}
	json_object_set(o, "sanction", json_object_get(app, "sanction"));
	return o;
}

json_t *
order_to_application(const json_t *order)
{
	json_t *a = json_object();
	json_object_set_new(a, "kind", json_string("application"));
	json_object_set_new(a, "v", json_integer(WGO_FORMAT_VERSION));
	const char *copy[] = { "office", "application_no", "received", "grant", "funeral_for",
		               "employee", "beneficiary", "account", "sanction" };
	for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++) {
		json_t *v = json_object_get(order, copy[i]);
		if (v)
			json_object_set_new(a, copy[i], json_deep_copy(v));
	}
	return a;
}
