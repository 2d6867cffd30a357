/* The payment model of domain.md, in one place: what an order makes payable, when,
 * given the beneficiary's life verifications. lifeverify, reconcile and the sandbox
 * bank all use it.
 *
 * A month M of a monthly grant is regularly due on the due_wd-th working day of
 * M+1. With L the last verification on or before a date d, the beneficiary is in
 * good standing on d when d is not after L's window end (L + interval + window
 * months, less a day). On its regular due date a month is paid if the beneficiary
 * is in good standing, else withheld. At the first verification V every withheld
 * month becomes due by V + pay_days working days (arrears); at a verification that
 * ends a suspension, the months withheld in the lapse become due the same way, or
 * are forfeited when resume_arrears is off. A lump sum is due by the first
 * verification + pay_days. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wgo.h"

void
sched_defaults(struct sched_params *p, const struct calendar *cal)
{
	p->interval = 10;
	p->window = 1;
	p->pay_days = 3;
	p->due_wd = 3;
	p->resume_arrears = 1;
	p->first_days = 30;
	p->cal = cal;
	p->due_cache = NULL;
}

void
sched_params_free(struct sched_params *p)
{
	free(p->due_cache);
	p->due_cache = NULL;
}

int
sched_order_load(const json_t *o, struct sched_order *so, struct werr *e)
{
	const char *why;
	memset(so, 0, sizeof *so);
	if (date_parse(jstr(o, "issued") ? jstr(o, "issued") : "", &so->issued, &why) < 0)
		return werr_set(e, "issued", "%s", why);
	json_t *lump = json_object_get(o, "lump_poisha");
	if (lump) {
		so->lump = 1;
		so->lump_poisha = json_integer_value(lump);
		return 0;
	}
	if (month_parse(jstr(o, "first_month") ? jstr(o, "first_month") : "", &so->first, &why) < 0)
		return werr_set(e, "first_month", "%s", why);
	if (month_parse(jstr(o, "last_month") ? jstr(o, "last_month") : "", &so->last, &why) < 0)
		return werr_set(e, "last_month", "%s", why);
	json_t *rates = json_object_get(o, "rates"), *r;
	size_t i;
	so->nrates = json_array_size(rates);
	if (so->nrates > SCHED_MAX_RATES)
		return werr_set(e, "rates", "more than %d rates", SCHED_MAX_RATES);
	so->rate = xmalloc((so->nrates ? so->nrates : 1) * sizeof *so->rate);
	json_array_foreach(rates, i, r) {
		if (month_parse(jstr(r, "from") ? jstr(r, "from") : "", &so->rate[i].from, &why) < 0 ||
		    month_parse(jstr(r, "to") ? jstr(r, "to") : "", &so->rate[i].to, &why) < 0) {
			sched_order_free(so);
			return werr_set(e, "rates", "%s", why);
		}
		so->rate[i].poisha = jint(r, "monthly_poisha", 0);
	}
	return 0;
}

void
sched_order_free(struct sched_order *so)
{
	free(so->rate);
	so->rate = NULL;
	so->nrates = 0;
}

int64_t
sched_month_amount(const struct sched_order *so, wmonth m)
{
	for (size_t i = 0; i < so->nrates; i++)
		if (m >= so->rate[i].from && m <= so->rate[i].to)
			return so->rate[i].poisha;
	return 0;
}

#define CACHE_FIRST (DATE_MIN_YEAR * 12)
#define CACHE_MONTHS ((DATE_MAX_YEAR - DATE_MIN_YEAR + 1) * 12)

/* A month's regular due date depends only on the month and the calendar: it is
 * worked out once. (Callers that share params across threads hold a lock.) */
wdate
sched_regular_due(const struct sched_params *p, wmonth m)
{
	struct sched_params *mp = (struct sched_params *)p;
	long i = (long)m - CACHE_FIRST;
	if (i < 0 || i >= CACHE_MONTHS - 1)
		return cal_add_workdays(p->cal, month_first(m + 1) - 1, p->due_wd);
	if (!mp->due_cache)
		mp->due_cache = xcalloc(CACHE_MONTHS, sizeof *mp->due_cache);
	if (!mp->due_cache[i])
		mp->due_cache[i] = cal_add_workdays(p->cal, month_first(m + 1) - 1, p->due_wd);
	return mp->due_cache[i];
}

wdate
sched_window_from(const struct sched_params *p, wdate last_verified)
{
	return date_add_months(last_verified, p->interval);
}

wdate
sched_window_to(const struct sched_params *p, wdate last_verified)
{
	return date_add_months(last_verified, p->interval + p->window) - 1;
}

wdate
sched_card_due(wmonth last)
{
	return month_first(last + 1) + 14;
}

/* The last verification on or before d: its index, or -1. v is sorted. */
static long
last_on_or_before(const wdate *v, size_t n, wdate d)
{
	long lo = 0, hi = (long)n;
	while (lo < hi) {
		long mid = (lo + hi) / 2;
		if (v[mid] <= d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

size_t
sched_items(const struct sched_order *so, const wdate *v, size_t nv, const struct sched_params *p,
            struct sched_item *out, size_t cap)
{
	size_t n = 0;
	if (so->lump) {
		if (cap < 1)
			return 0;
		struct sched_item *it = &out[n++];
		memset(it, 0, sizeof *it);
		it->month = -1;
		it->poisha = so->lump_poisha;
		it->kind = SCHED_LUMP;
		it->regular_due = so->issued;
		if (nv) {
			it->state = SCHED_DUE;
			it->due = cal_add_workdays(p->cal, v[0], p->pay_days);
		} else {
			it->state = SCHED_WITHHELD;
		}
		return n;
	}
	/* Each verification's window end, worked out once, not once a month. */
	wdate small[16], *wend = nv <= 16 ? small : xmalloc(nv * sizeof *wend);
	for (size_t i = 0; i < nv; i++)
		wend[i] = sched_window_to(p, v[i]);
	size_t ri = 0;
	for (wmonth m = so->first; m <= so->last && n < cap; m++) {
		struct sched_item *it = &out[n++];
		memset(it, 0, sizeof *it);
		it->month = m;
		while (ri + 1 < so->nrates && so->rate[ri].to < m)
			ri++;
		it->poisha = so->nrates && m >= so->rate[ri].from && m <= so->rate[ri].to
		             ? so->rate[ri].poisha : sched_month_amount(so, m);
		wdate rd = sched_regular_due(p, m);
		it->regular_due = rd;
		long li = last_on_or_before(v, nv, rd);
		if (li >= 0 && rd <= wend[li]) {
			it->state = SCHED_DUE;
			it->kind = SCHED_REGULAR;
			it->due = rd;
			continue;
		}
		/* Withheld: released by the next verification, if there is one. */
		size_t next = (size_t)(li + 1);
		if (next >= nv) {
			it->state = SCHED_WITHHELD;
			it->kind = li < 0 ? SCHED_ARREARS : SCHED_RESUMED;
			continue;
		}
		if (li < 0) {
			it->state = SCHED_DUE;
			it->kind = SCHED_ARREARS;
		} else {
			it->kind = SCHED_RESUMED;
			it->state = p->resume_arrears ? SCHED_DUE : SCHED_FORFEITED;
		}
		it->released = v[next];
		if (it->state == SCHED_DUE)
			it->due = cal_add_workdays(p->cal, v[next], p->pay_days);
	}
	if (wend != small)
		free(wend);
	return n;
}

size_t
sched_count(const struct sched_order *so)
{
	return so->lump ? 1 : (size_t)(so->last - so->first + 1);
}

int
sched_status(const struct sched_order *so, const wdate *v, size_t nv, const struct sched_params *p,
             wdate as_of, struct sched_status *st)
{
	int over = 0;
	memset(st, 0, sizeof *st);
	nv = (size_t)(last_on_or_before(v, nv, as_of) + 1); /* what is known on as_of */
	st->has_first = st->has_last = nv > 0;
	if (nv) {
		st->first_verification = v[0];
		st->last_verification = v[nv - 1];
		st->first_payment_due = cal_add_workdays(p->cal, v[0], p->pay_days);
	}
	/* Reused from call to call: a million orders need no million allocations. */
	static _Thread_local struct sched_item *items;
	static _Thread_local size_t items_cap;
	size_t cap = sched_count(so);
	if (cap > items_cap) {
		free(items);
		items_cap = cap < 512 ? 512 : cap;
		items = xmalloc(items_cap * sizeof *items);
	}
	size_t n = sched_items(so, v, nv, p, items, cap);
	int needs_window = 0;
	if (nv && !so->lump) {
		st->window_from = sched_window_from(p, v[nv - 1]);
		st->window_to = sched_window_to(p, v[nv - 1]);
		st->has_window = 1;
	}
	for (size_t i = 0; i < n; i++) {
		struct sched_item *it = &items[i];
		if (st->has_window && it->regular_due > st->window_to)
			needs_window = 1;
		if (it->state == SCHED_DUE && it->due <= as_of) {
			if (it->kind != SCHED_LUMP)
				st->payable_months++;
			over |= money_sum(&st->payable_poisha, it->poisha);
			if (it->kind == SCHED_ARREARS || it->kind == SCHED_RESUMED) {
				st->arrears_months++;
				over |= money_sum(&st->arrears_poisha, it->poisha);
			}
		} else if (it->state == SCHED_WITHHELD && it->regular_due <= as_of && it->kind != SCHED_LUMP) {
			st->withheld_months++;
		} else if (it->state == SCHED_FORFEITED && it->regular_due <= as_of) {
			st->forfeited_months++;
			over |= money_sum(&st->forfeited_poisha, it->poisha);
		}
	}
	st->needs_window = needs_window;
	if (so->lump) {
		st->state = !nv ? SCHED_AWAITING_FIRST
		            : as_of <= st->first_payment_due ? SCHED_ACTIVE : SCHED_ENDED;
		return over ? -1 : 0;
	}
	st->card_due = sched_card_due(so->last);
	if (date_month(as_of) > so->last)
		st->state = SCHED_ENDED;
	else if (!nv)
		st->state = SCHED_AWAITING_FIRST;
	else if (as_of > st->window_to && needs_window)
		st->state = SCHED_SUSPENDED;
	else if (as_of >= st->window_from && needs_window)
		st->state = SCHED_DUE_STATE;
	else
		st->state = SCHED_ACTIVE;
	if (st->state == SCHED_SUSPENDED)
		st->suspended_from = st->window_to + 1;
	return over ? -1 : 0;
}

const char *
sched_state_name(int state)
{
	static const char *const names[] = { "awaiting_first", "active", "due", "suspended", "ended" };
	return state >= 0 && state <= SCHED_ENDED ? names[state] : "?";
}

int
sched_params_config(struct sched_params *p, const struct cfg *c, struct werr *e)
{
	static const struct {
		const char *key;
		long max;
	} keys[] = {
		{ "lifeverify.interval", 120 }, { "lifeverify.window", 24 },
		{ "lifeverify.payment_days", 60 }, { "lifeverify.due_day", 20 },
		{ "lifeverify.first_days", 366 },
	};
	int *dst[] = { &p->interval, &p->window, &p->pay_days, &p->due_wd, &p->first_days };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *v = cfg_get(c, keys[i].key);
		long n;
		if (!v)
			continue;
		if (uint_parse(v, keys[i].max, &n) < 0 || (n == 0 && i != 2 && i != 4))
			return werr_set(e, c->path ? c->path : "wgo.conf", "%s: not a number %d to %ld",
			                keys[i].key, i == 2 || i == 4 ? 0 : 1, keys[i].max);
		*dst[i] = (int)n;
	}
	const char *v = cfg_get(c, "lifeverify.resume_arrears");
	if (v) {
		if (!strcmp(v, "yes"))
			p->resume_arrears = 1;
		else if (!strcmp(v, "no"))
			p->resume_arrears = 0;
		else
			return werr_set(e, c->path ? c->path : "wgo.conf",
			                "lifeverify.resume_arrears: yes or no");
	}
	return 0;
}

void
sched_option(struct sched_cli *c, const char *name, const char *arg)
{
	if (!strcmp(name, "interval")) {
		if (uint_parse(arg, 120, &c->interval) < 0 || c->interval < 1)
			die_usage("--interval: 1 to 120 months");
	} else if (!strcmp(name, "window")) {
		if (uint_parse(arg, 24, &c->window) < 0 || c->window < 1)
			die_usage("--window: 1 to 24 months");
	} else if (!strcmp(name, "first-days")) {
		if (uint_parse(arg, 366, &c->first_days) < 0)
			die_usage("--first-days: 0 to 366 days");
	} else if (!strcmp(arg, "yes") || !strcmp(arg, "no")) {
		c->resume = !strcmp(arg, "yes");
	} else {
		die_usage("--resume-arrears: yes or no");
	}
}

void
sched_setup(struct sched_params *p, struct calendar *cal, const char *holidays,
            const struct sched_cli *c)
{
	struct werr e;
	if (wgo_calendar(cal, holidays, &e) < 0)
		die("%s: %s", e.field, e.msg);
	sched_defaults(p, cal);
	if (sched_params_config(p, wgo_config(), &e) < 0)
		die("%s: %s", e.field, e.msg);
	if (c && c->interval > 0)
		p->interval = (int)c->interval;
	if (c && c->window > 0)
		p->window = (int)c->window;
	if (c && c->resume >= 0)
		p->resume_arrears = c->resume;
	if (c && c->first_days >= 0)
		p->first_days = (int)c->first_days;
}
