/* The order history: everything known of each order, put together from records
 * read in any order, and what follows from it on a date by the payment model of
 * sched.c. lifeverify, reconcile and the sandbox bank ask it where an order stands;
 * none keeps its own picture of an order's life.
 *
 * The rules it adds to the model (domain.md, rule 4a; lifeverify(1) says them):
 * - A revision takes force on its amendment.date (revision 0 on its issue date);
 *   the one in force on a day is the highest that had taken force by then. The
 *   schedule is the one of the revision in force on the day asked about; each
 *   item's amount and account are those of the revision in force on its due date.
 * - A return holds a revision from the return's date until a correction takes
 *   force: for a return about the account (AC01, AC03, AC04, AC06, RC01), a later
 *   revision with another account; for any other, any later revision. An item
 *   falling due while held is not payable; released, it falls due by the
 *   correction's date plus the payment days, as arrears do.
 * - A stop ends the order: no month after its last month is payable, and a lump
 *   sum not due before the stop's date is not paid.
 * - A record dated after the day asked about is not known yet on that day. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wgo.h"

struct hist_pending {
	struct hist_pending *next;
	struct rpos pos;
	char *text; /* the record, to be added or refused after the loop */
};

struct hist_chunk {
	struct hist_chunk *next;
	char data[];
};

#define CHUNK (1024 * 1024 - 64)

/* Memory that lives as long as the history: orders and strings, a million of them
 * with no malloc each. */
static void *
halloc(struct hist *h, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (h->chunk_left < n) {
		size_t sz = n > CHUNK ? n : CHUNK;
		struct hist_chunk *c = xmalloc(sizeof *c + sz + 16);
		c->next = h->chunks;
		h->chunks = c;
		uintptr_t a = ((uintptr_t)c->data + 15) & ~(uintptr_t)15;
		h->chunk_at = (char *)a;
		h->chunk_left = sz;
	}
	void *p = h->chunk_at;
	h->chunk_at += n;
	h->chunk_left -= n;
	memset(p, 0, n);
	return p;
}

static const char *
hstrdup(struct hist *h, const char *s)
{
	if (!s)
		s = "";
	size_t n = strlen(s);
	char *p = halloc(h, n + 1);
	memcpy(p, s, n + 1);
	return p;
}

void
hist_init(struct hist *h, const struct sched_params *p, wdate horizon)
{
	memset(h, 0, sizeof *h);
	h->p = p;
	h->horizon = horizon;
	h->horizon_name = "today";
	h->defer = 1;
	h->pend_tail = &h->pend;
	hmap_init(&h->index, sizeof(struct hist_order *));
}

void
hist_free(struct hist *h)
{
	for (size_t i = 0; i < h->n; i++) {
		struct hist_order *o = h->byseq[i];
		for (uint32_t k = 0; k < o->nrev; k++)
			sched_order_free(&o->rev[k].so);
		free(o->rev);
		free(o->ver);
	}
	for (struct hist_pending *p = h->pend, *next; p; p = next) {
		next = p->next;
		free(p->text);
		free(p);
	}
	for (struct hist_chunk *c = h->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(h->byseq);
	free(h->sitems);
	free(h->items);
	hmap_free(&h->index);
	memset(h, 0, sizeof *h);
}

struct hist_order *
hist_find(const struct hist *h, const char *order_no)
{
	struct hist_order **op = hmap_get(&h->index, order_no);
	return op ? *op : NULL;
}

struct hist_order *const *
hist_orders(const struct hist *h, size_t *n)
{
	*n = h->n;
	return h->byseq;
}

const struct hist_rev *
hist_revision(const struct hist_order *o, int revision)
{
	for (uint32_t i = 0; i < o->nrev; i++)
		if (o->rev[i].revision == revision)
			return &o->rev[i];
	return NULL;
}

const struct hist_rev *
hist_latest(const struct hist_order *o)
{
	return o->nrev ? &o->rev[o->nrev - 1] : NULL;
}

const struct hist_rev *
hist_in_force(const struct hist_order *o, wdate d)
{
	const struct hist_rev *best = NULL;
	for (uint32_t i = 0; i < o->nrev; i++)
		if (o->rev[i].from <= d)
			best = &o->rev[i]; /* sorted by revision: the last that qualifies is the highest */
	return best;
}

const struct hist_rev *
hist_schedule(const struct hist_order *o, wdate d)
{
	const struct hist_rev *r = hist_in_force(o, d);
	return r ? r : &o->rev[0];
}

size_t
hist_known_verifications(const struct hist_order *o, wdate d)
{
	size_t lo = 0, hi = o->nver;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (o->ver[mid] <= d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const char *const stop_reasons[] = { "death", "withdrawal", "duplicate", "board_decision" };

const char *
hist_stop_reason_name(int reason)
{
	return reason >= 0 && reason < 4 ? stop_reasons[reason] : "?";
}

const char *
hist_state_name(int state)
{
	static const char *const names[] = { "awaiting_first", "active", "due", "suspended", "ended",
		                             "held", "stopped" };
	return state >= 0 && state < HIST_NSTATES ? names[state] : "?";
}

int
hist_account_code(const char *code)
{
	static const char *const acc[] = { "AC01", "AC03", "AC04", "AC06", "RC01" };
	for (size_t i = 0; i < sizeof acc / sizeof acc[0]; i++)
		if (!strcmp(code, acc[i]))
			return 1;
	return 0;
}

/* The last payable month a stop leaves a monthly order: its last_month; without
 * one (wgo-issue --stop always gives one), the month of death, or else the month
 * the board decided in. */
static wmonth
stop_last(const struct hist_stop *s)
{
	if (s->last >= 0)
		return s->last;
	if (s->has_death)
		return date_month(s->death_date);
	return date_month(s->date);
}

const struct hist_stop *
hist_stop_known(const struct hist_order *o, wdate d, wmonth *last)
{
	if (!o->has_stop || o->stop.date > d)
		return NULL;
	if (last)
		*last = hist_schedule(o, d)->so.lump ? -1 : stop_last(&o->stop);
	return &o->stop;
}

/* ---- adding records ---- */

static void
note(struct hist *h, const struct rpos *pos, const char *field, const char *fmt, ...)
	WGO_ATTR_FMT(4, 5);
static void
note(struct hist *h, const struct rpos *pos, const char *field, const char *fmt, ...)
{
	if (!h->L || h->L->quiet)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	warnf("%s:%lu: %s: %s", pos->file, pos->line, field, msg);
}

static int
jdate(const json_t *r, const char *key, wdate *d)
{
	const char *why, *s = json_string_value(jget(r, key));
	return s && date_parse(s, d, &why) == 0;
}

static struct hist_order *
new_order(struct hist *h, const char *no)
{
	struct hist_order *o = halloc(h, sizeof *o);
	o->order_no = hstrdup(h, no);
	o->seq = (uint32_t)h->n;
	*(struct hist_order **)hmap_put(&h->index, no, NULL) = o;
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 1024;
		h->byseq = xrealloc(h->byseq, h->cap * sizeof *h->byseq);
	}
	h->byseq[h->n++] = o;
	return o;
}

static int
add_order(struct hist *h, json_t *r, const char *no, const struct rpos *pos, struct werr *e)
{
	int revision = (int)jint(r, "revision", 0);
	wdate issued, from;
	char ds[11];
	if (!jdate(r, "issued", &issued))
		return werr_set(e, "issued", "missing or not a date");
	struct hist_order *o = hist_find(h, no);
	if (o) {
		if (hist_revision(o, revision))
			return werr_set(e, "revision", "revision %d of %s was read already", revision, no);
		if (o->issued != issued) {
			date_fmt(o->issued, ds);
			return werr_set(e, "issued", "not the issue date of revision %d of %s (%s)",
			                o->rev[0].revision, no, ds);
		}
	}
	struct sched_order so;
	if (sched_order_load(r, &so, e) < 0)
		return -1;
	if (!jdate(r, "amendment.date", &from))
		from = issued;
	if (!o) {
		o = new_order(h, no);
		o->issued = issued;
	}
	o->rev = xrealloc(o->rev, (o->nrev + 1) * sizeof *o->rev);
	uint32_t i = o->nrev;
	while (i > 0 && o->rev[i - 1].revision > revision)
		i--;
	memmove(o->rev + i + 1, o->rev + i, (o->nrev - i) * sizeof *o->rev);
	o->nrev++;
	struct hist_rev *rv = &o->rev[i];
	memset(rv, 0, sizeof *rv);
	rv->revision = revision;
	rv->from = from;
	rv->so = so;
	rv->routing = hstrdup(h, json_string_value(jget(r, "account.routing")));
	rv->number = hstrdup(h, json_string_value(jget(r, "account.number")));
	rv->pos = *pos;
	if (i == o->nrev - 1) {
		/* The highest revision names the office and the grant. */
		snprintf(o->office, sizeof o->office, "%s", jstr(r, "office") ? jstr(r, "office") : "");
		snprintf(o->grant, sizeof o->grant, "%s", jstr(r, "grant") ? jstr(r, "grant") : "");
	}
	return 0;
}

int
hist_verification_check(const struct hist *h, const struct hist_order *o, wdate d, struct werr *e)
{
	char ds[11];
	if (d > h->horizon) {
		date_fmt(h->horizon, ds);
		return werr_set(e, "date", "in the future (%s is %s)", h->horizon_name, ds);
	}
	if (o && d < o->issued) {
		date_fmt(o->issued, ds);
		return werr_set(e, "date", "before the order was issued (%s)", ds);
	}
	size_t i = o ? hist_known_verifications(o, d) : 0;
	if (i > 0 && o->ver[i - 1] == d) {
		date_fmt(d, ds);
		werr_set(e, "date", "a duplicate: %s was verified on %s already", o->order_no, ds);
		return 1;
	}
	return 0;
}

/* The one rule for a life verification of a known order. */
static int
add_verification(struct hist *h, struct hist_order *o, wdate d, const struct rpos *pos,
                 struct werr *e)
{
	int rc = hist_verification_check(h, o, d, e);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		note(h, pos, e->field, "%s; dropped", e->msg);
		return 0;
	}
	size_t i = hist_known_verifications(o, d);
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
add_return(struct hist_order *o, json_t *r, struct werr *e)
{
	struct hist_rev *rv = (struct hist_rev *)hist_revision(o, (int)jint(r, "revision", 0));
	wdate d;
	const char *code = jstr(r, "code") ? jstr(r, "code") : "";
	if (!jdate(r, "date", &d))
		return werr_set(e, "date", "missing or not a date");
	/* The first return of a revision counts: the same return pulled twice changes nothing. */
	if (!rv->has_return || d < rv->returned || (d == rv->returned && strcmp(code, rv->code) < 0)) {
		rv->has_return = 1;
		rv->returned = d;
		snprintf(rv->code, sizeof rv->code, "%s", code);
	}
	return 0;
}

static int
add_stop(struct hist *h, struct hist_order *o, json_t *r, const struct rpos *pos, struct werr *e)
{
	struct hist_stop s = { 0 };
	const char *why, *reason = jstr(r, "reason") ? jstr(r, "reason") : "";
	char ds[11];
	if (!jdate(r, "date", &s.date))
		return werr_set(e, "date", "missing or not a date");
	if (s.date < o->issued) {
		date_fmt(o->issued, ds);
		return werr_set(e, "date", "before the order was issued (%s)", ds);
	}
	for (s.reason = 0; s.reason < 4 && strcmp(stop_reasons[s.reason], reason); s.reason++)
		;
	if (s.reason == 4)
		return werr_set(e, "reason", "not a reason to stop an order");
	s.has_death = jdate(r, "death_date", &s.death_date);
	s.last = -1;
	if (jstr(r, "last_month") && month_parse(jstr(r, "last_month"), &s.last, &why) < 0)
		return werr_set(e, "last_month", "%s", why);
	s.revision = (int)jint(r, "revision", 0);
	s.pos = *pos;
	if (o->has_stop) {
		struct hist_stop *t = &o->stop;
		if (t->date == s.date && t->reason == s.reason && t->last == s.last &&
		    t->has_death == s.has_death && (!s.has_death || t->death_date == s.death_date))
			return 0; /* the same stop again */
		/* Two different stops: the earlier counts, whichever was read first. */
		int earlier = s.date < t->date || (s.date == t->date && stop_last(&s) < stop_last(t));
		date_fmt(earlier ? t->date : s.date, ds);
		note(h, earlier ? &t->pos : pos, "date", "a second stop of %s; the one of %s counts",
		     o->order_no, ds);
		if (!earlier)
			return 0;
	}
	o->stop = s;
	o->has_stop = 1;
	return 0;
}

static int
add_card(struct hist_order *o, json_t *r, struct werr *e)
{
	wdate d;
	if (!jdate(r, "returned", &d))
		return werr_set(e, "returned", "missing or not a date");
	if (!o->has_card || d < o->card) {
		o->has_card = 1;
		o->card = d;
	}
	return 0;
}

static void
keep(struct hist *h, json_t *r, const struct rpos *pos)
{
	struct hist_pending *p = xcalloc(1, sizeof *p);
	struct buf b = { 0 };
	rec_dump(r, &b);
	b.p[b.n - 1] = 0; /* no newline */
	p->text = b.p;
	p->pos = *pos;
	*h->pend_tail = p;
	h->pend_tail = &p->next;
}

int
hist_add(struct hist *h, json_t *r, const struct rpos *pos, struct werr *e)
{
	const char *kind = jstr(r, "kind"), *no = jstr(r, "order_no");
	if (!kind || !no)
		return werr_set(e, kind ? "order_no" : "kind", "missing");
	if (!strcmp(kind, "order"))
		return add_order(h, r, no, pos, e);
	int ver = !strcmp(kind, "verification"), ret = !strcmp(kind, "return");
	int stop = !strcmp(kind, "stop"), card = !strcmp(kind, "card_return");
	if (!ver && !ret && !stop && !card)
		return werr_set(e, "kind", "%s is not a record of an order's history", kind);
	wdate d = 0;
	if (ver) {
		if (!jdate(r, "date", &d))
			return werr_set(e, "date", "missing or not a date");
		/* After the horizon is an error wherever the order is. */
		if (hist_verification_check(h, NULL, d, e) < 0)
			return -1;
	}
	struct hist_order *o = hist_find(h, no);
	int revision = (int)jint(r, "revision", 0);
	if (!o || (ret && !hist_revision(o, revision))) {
		if (h->defer) {
			keep(h, r, pos);
			return 0;
		}
		if (!o)
			return werr_set(e, "order_no", "no order %s was read", no);
		return werr_set(e, "revision", "order %s has no revision %d", no, revision);
	}
	if (ver)
		return add_verification(h, o, d, pos, e);
	if (ret)
		return add_return(o, r, e);
	if (stop)
		return add_stop(h, o, r, pos, e);
	return add_card(o, r, e);
}

void
hist_finish(struct hist *h)
{
	int defer = h->defer;
	h->defer = 0;
	struct hist_pending *p = h->pend, *next;
	h->pend = NULL;
	h->pend_tail = &h->pend;
	for (; p; p = next) {
		next = p->next;
		struct werr e = { { 0 }, { 0 } };
		size_t n = strlen(p->text);
		json_t *r = rec_parse(p->text, n, &e);
		if (r && hist_add(h, r, &p->pos, &e) == 0) {
			json_decref(r);
		} else if (h->L) {
			rec_reject(h->L, &p->pos, r, p->text, n, &e);
			json_decref(r);
		} else {
			warnf("%s:%lu: %s: %s", p->pos.file, p->pos.line, e.field, e.msg);
			json_decref(r);
		}
		free(p->text);
		free(p);
	}
	h->defer = defer;
}

/* ---- what follows from it ---- */

/* The day the return of revision i stops holding the order, as known on known:
 * when a revision that corrects it took force, or HIST_NEVER. */
static wdate
corrected_on(const struct hist_order *o, uint32_t i, wdate known)
{
	const struct hist_rev *r = &o->rev[i];
	int account = hist_account_code(r->code);
	wdate c = HIST_NEVER;
	for (uint32_t j = i + 1; j < o->nrev; j++) {
		const struct hist_rev *x = &o->rev[j];
		if (x->from > known)
			continue; /* not in force yet */
		if (account && !strcmp(x->routing, r->routing) && !strcmp(x->number, r->number))
			continue; /* the account is not corrected */
		if (x->from < c)
			c = x->from;
	}
	return c;
}

/* The hold on t, as known on known: the returned revision's index (its return on
 * *from, released on *to, HIST_NEVER while it waits), or -1. Of two holds, the one
 * that lasts longer. */
static int
hold_at(const struct hist_order *o, wdate t, wdate known, wdate *from, wdate *to)
{
	int best = -1;
	for (uint32_t i = 0; i < o->nrev; i++) {
		const struct hist_rev *r = &o->rev[i];
		if (!r->has_return || r->returned > known || r->returned > t)
			continue;
		wdate c = corrected_on(o, i, known);
		if (t >= c)
			continue; /* corrected by then (or before the return came) */
		if (best < 0 || c > *to || (c == *to && r->returned < *from)) {
			best = (int)i;
			*from = r->returned;
			*to = c;
		}
	}
	return best;
}

static int
any_return(const struct hist_order *o, wdate known)
{
	for (uint32_t i = 0; i < o->nrev; i++)
		if (o->rev[i].has_return && o->rev[i].returned <= known)
			return 1;
	return 0;
}

int
hist_item_payable(const struct hist_item *it)
{
	return it->state == SCHED_DUE && !it->stopped && !(it->held && it->held_to == HIST_NEVER);
}

size_t
hist_items(struct hist *h, const struct hist_order *o, wdate known, const struct hist_item **out)
{
	const struct hist_rev *R = hist_schedule(o, known);
	const struct sched_params *p = h->p;
	size_t cap = sched_count(&R->so);
	if (cap > h->items_cap) {
		h->items_cap = cap < 512 ? 512 : cap;
		free(h->sitems);
		free(h->items);
		h->sitems = xmalloc(h->items_cap * sizeof *h->sitems);
		h->items = xmalloc(h->items_cap * sizeof *h->items);
	}
	size_t nv = hist_known_verifications(o, known);
	size_t n = sched_items(&R->so, o->ver, nv, p, h->sitems, cap);
	struct hist_item *it = h->items;
	for (size_t i = 0; i < n; i++) {
		const struct sched_item *s = &h->sitems[i];
		struct hist_item *x = &it[i];
		x->month = s->month;
		x->poisha = s->poisha;
		x->kind = s->kind;
		x->state = s->state;
		x->held = x->stopped = 0;
		x->regular_due = s->regular_due;
		x->due = s->due;
		x->released = s->released;
		if (s->kind == SCHED_LUMP && nv)
			x->released = o->ver[0]; /* a lump sum is payable from the first verification */
		x->held_from = x->held_to = 0;
		x->stopped_from = HIST_NEVER;
		x->rev = R;
	}
	/* Returns: an item falling due while its revision is held waits for the correction. */
	if (any_return(o, known))
		for (size_t i = 0; i < n; i++) {
			struct hist_item *x = &it[i];
			if (x->state != SCHED_DUE)
				continue;
			wdate t = x->due, from, to;
			for (uint32_t k = 0; k <= o->nrev && hold_at(o, t, known, &from, &to) >= 0; k++) {
				if (!x->held || from < x->held_from)
					x->held_from = from;
				x->held = 1;
				x->held_to = to;
				if (to == HIST_NEVER)
					break;
				t = x->due = cal_add_workdays(p->cal, to, p->pay_days);
			}
		}
	/* A stop: nothing after its last month; a lump sum not due before it. */
	wmonth last;
	const struct hist_stop *st = hist_stop_known(o, known, &last);
	if (st)
		for (size_t i = 0; i < n; i++) {
			struct hist_item *x = &it[i];
			if (x->kind == SCHED_LUMP) {
				if (x->state != SCHED_DUE || (x->held && x->held_to == HIST_NEVER) ||
				    x->due >= st->date) {
					x->stopped = 1;
					x->stopped_from = st->date;
				}
			} else if (x->month > last) {
				x->stopped = 1;
				x->stopped_from = HIST_ALWAYS;
			}
		}
	/* Each item at the rate of the revision in force when it falls due. */
	if (o->nrev > 1)
		for (size_t i = 0; i < n; i++) {
			struct hist_item *x = &it[i];
			const struct hist_rev *rv = hist_in_force(o, x->state == SCHED_DUE ? x->due : x->regular_due);
			if (!rv || rv == R)
				continue;
			x->rev = rv;
			if (x->kind == SCHED_LUMP) {
				if (rv->so.lump)
					x->poisha = rv->so.lump_poisha;
			} else if (!rv->so.lump && x->month >= rv->so.first && x->month <= rv->so.last) {
				x->poisha = sched_month_amount(&rv->so, x->month);
			}
		}
	*out = it;
	return n;
}

const struct hist_item *
hist_item_of(const struct hist_item *items, size_t n, wmonth m)
{
	if (!n)
		return NULL;
	if (items[0].kind == SCHED_LUMP)
		return m < 0 ? &items[0] : NULL;
	if (m < items[0].month || m > items[n - 1].month)
		return NULL;
	return &items[m - items[0].month];
}

size_t
hist_due(struct hist *h, const struct hist_order *o, wdate from, wdate to, wdate known,
         const struct hist_item **items)
{
	const struct hist_item *all;
	size_t n = hist_items(h, o, known, &all), k = 0;
	struct hist_item *it = h->items;
	for (size_t i = 0; i < n; i++)
		if (hist_item_payable(&all[i]) && all[i].due >= from && all[i].due <= to)
			it[k++] = all[i];
	*items = it;
	return k;
}

static int
in_range(wdate d)
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	return y >= DATE_MIN_YEAR && y <= DATE_MAX_YEAR;
}

int
hist_card_due(const struct hist_order *o, wdate d, wdate *due)
{
	const struct hist_rev *R = hist_schedule(o, d);
	if (R->so.lump)
		return 0;
	wmonth m = R->so.last, sl;
	const struct hist_stop *st = hist_stop_known(o, d, &sl);
	if (st) {
		/* A stopped order's card comes back after its last month, or after the month
		 * the board decided if that is later. */
		wmonth sm = date_month(st->date) > sl ? date_month(st->date) : sl;
		if (sm < m)
			m = sm;
	}
	*due = sched_card_due(m);
	return in_range(*due);
}

int
hist_card_returned(const struct hist_order *o, wdate d)
{
	return o->has_card && o->card <= d;
}

int
hist_status(struct hist *h, const struct hist_order *o, wdate d, struct hist_status *st,
            struct werr *e)
{
	const struct sched_params *p = h->p;
	memset(st, 0, sizeof *st);
	const struct hist_item *it;
	size_t n = hist_items(h, o, d, &it);
	const struct hist_rev *R = hist_schedule(o, d);
	st->rev = R;
	st->lump = R->so.lump;
	size_t nv = hist_known_verifications(o, d);
	st->has_first = nv > 0;
	if (nv) {
		st->first_verification = o->ver[0];
		st->last_verification = o->ver[nv - 1];
		st->first_payment_due = cal_add_workdays(p->cal, o->ver[0], p->pay_days);
		if (!st->lump) {
			st->window_from = sched_window_from(p, o->ver[nv - 1]);
			st->window_to = sched_window_to(p, o->ver[nv - 1]);
			st->has_window = 1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct hist_item *x = &it[i];
		int ok = 0;
		if (st->has_window && !x->stopped && x->regular_due > st->window_to)
			st->needs_window = 1;
		if (hist_item_payable(x) && x->due <= d) {
			if (x->kind != SCHED_LUMP)
				st->payable_months++;
			ok = money_sum(&st->payable_poisha, x->poisha);
			if (ok == 0 && (x->kind == SCHED_ARREARS || x->kind == SCHED_RESUMED)) {
				st->arrears_months++;
				ok = money_sum(&st->arrears_poisha, x->poisha);
			}
		} else if (x->stopped) {
			continue;
		} else if (x->state == SCHED_DUE && x->held && x->held_to == HIST_NEVER) {
			if (x->due > d)
				continue; /* not due yet: held only when it falls due */
			if (x->kind != SCHED_LUMP)
				st->held_months++;
			ok = money_sum(&st->held_poisha, x->poisha);
		} else if (x->state == SCHED_WITHHELD && x->regular_due <= d && x->kind != SCHED_LUMP) {
			st->withheld_months++;
		} else if (x->state == SCHED_FORFEITED && x->regular_due <= d) {
			st->forfeited_months++;
			ok = money_sum(&st->forfeited_poisha, x->poisha);
		}
		if (ok < 0)
			return werr_set(e, "rates", "what the order makes payable adds up past the largest "
			                "amount a record holds");
	}
	if (st->lump) {
		st->lump_poisha = R->so.lump_poisha;
	} else {
		wmonth sl;
		st->last_month = R->so.last;
		if (hist_stop_known(o, d, &sl) && sl < st->last_month)
			st->last_month = sl;
	}
	st->has_card_due = hist_card_due(o, d, &st->card_due);
	wdate hf, ht;
	int held = hold_at(o, d, d, &hf, &ht);
	if ((st->stop = hist_stop_known(o, d, NULL))) {
		st->state = HIST_STOPPED;
	} else if (held >= 0) {
		st->state = HIST_HELD;
		st->held_by = &o->rev[held];
	} else if (st->lump) {
		st->state = !nv ? SCHED_AWAITING_FIRST
		            : n && hist_item_payable(&it[0]) && d <= it[0].due ? SCHED_ACTIVE
		                                                              : SCHED_ENDED;
	} else if (date_month(d) > R->so.last) {
		st->state = SCHED_ENDED;
	} else if (!nv) {
		st->state = SCHED_AWAITING_FIRST;
	} else if (d > st->window_to && st->needs_window) {
		st->state = SCHED_SUSPENDED;
		st->suspended_from = st->window_to + 1;
	} else if (d >= st->window_from && st->needs_window) {
		st->state = SCHED_DUE_STATE;
	} else {
		st->state = SCHED_ACTIVE;
	}
	if (!nv && st->state != HIST_STOPPED && st->state != HIST_HELD &&
	    (st->state == SCHED_AWAITING_FIRST || st->withheld_months)) {
		st->has_first_due = 1;
		st->first_verification_due = o->issued + p->first_days;
	}
	return 0;
}

/* A date the record format can hold; one past 2199 (a window after a verification
 * late in 2199) is left out rather than written as a record nobody can read. */
static void
put_date(struct rw *w, const char *key, wdate d)
{
	if (in_range(d))
		rw_date(w, key, d);
}

/* The status record of where an order stands (lifeverify, wgo-export, wgo-track):
 * written through the schema straight from the values, so that a million of them
 * need no JSON objects. */
void
hist_status_record(const struct hist_order *o, wdate as_of, const struct hist_status *st,
                   struct rw *w, struct buf *b)
{
	rw_begin(w, "status");
	rw_str(w, "order_no", o->order_no);
	rw_int(w, "revision", st->rev->revision);
	rw_str(w, "office", o->office);
	rw_str(w, "grant", o->grant);
	rw_date(w, "as_of", as_of);
	rw_str(w, "state", hist_state_name(st->state));
	if (st->has_first) {
		rw_date(w, "first_verification", st->first_verification);
		rw_date(w, "last_verification", st->last_verification);
	}
	if (st->has_first_due)
		put_date(w, "first_verification_due", st->first_verification_due);
	if (st->has_window) {
		put_date(w, "window_from", st->window_from);
		put_date(w, "window_to", st->window_to);
	}
	if (st->state == SCHED_SUSPENDED)
		put_date(w, "suspended_from", st->suspended_from);
	if (st->state == HIST_HELD) {
		rw_date(w, "held_from", st->held_by->returned);
		rw_str(w, "return_code", st->held_by->code);
	}
	if (st->state == HIST_STOPPED) {
		rw_date(w, "stopped_from", st->stop->date);
		rw_str(w, "stop_reason", hist_stop_reason_name(st->stop->reason));
	}
	if (st->has_first)
		put_date(w, "first_payment_due", st->first_payment_due);
	rw_int(w, "payable_months", st->payable_months);
	rw_int(w, "payable_poisha", st->payable_poisha);
	rw_int(w, "arrears_months", st->arrears_months);
	rw_int(w, "arrears_poisha", st->arrears_poisha);
	rw_int(w, "withheld_months", st->withheld_months);
	rw_int(w, "forfeited_months", st->forfeited_months);
	rw_int(w, "forfeited_poisha", st->forfeited_poisha);
	if (st->held_months || st->held_poisha) {
		rw_int(w, "held_months", st->held_months);
		rw_int(w, "held_poisha", st->held_poisha);
	}
	if (st->lump) {
		rw_int(w, "lump_poisha", st->lump_poisha);
	} else {
		rw_month(w, "last_month", st->last_month);
		if (st->has_card_due)
			rw_date(w, "card_due", st->card_due);
	}
	rw_end(w, b);
}
