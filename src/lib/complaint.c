/* The complaint model and the complaint log: events folded into where each
 * complaint stands, deadlines in working days, statistics, and the log itself (read,
 * written and verified through the store's chain), for complaint-log and
 * wgo-report alike. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "wgo.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

static const char *const st_name[] = { "open", "acknowledged", "resolved" };
static const char *const st_bn[] = { "খোলা", "প্রাপ্তি স্বীকৃত", "নিষ্পন্ন" };

const char *
cpl_status_name(int status)
{
	return st_name[status];
}

const char *
cpl_status_bn(int status)
{
	return st_bn[status];
}

const char *
cpl_level_name(int level, int bn)
{
	static const char *const en[] = { "resolving officer", "appeal officer", "review" };
	static const char *const b[] = { "অভিযোগ নিষ্পত্তি কর্মকর্তা", "আপিল কর্মকর্তা", "পর্যালোচনা" };
	int i = level < 2 ? level : 2;
	return bn ? b[i] : en[i];
}

int
cpl_rules_config(struct cpl_rules *r, const struct cfg *c, const struct calendar *cal,
                 struct werr *e)
{
	const char *v = cfg_get(c, "complaint.deadlines");
	const char *path = c && c->path ? c->path : "wgo.conf";
	memset(r, 0, sizeof *r);
	r->cal = cal;
	if (!v) {
		r->days[0] = 30, r->days[1] = 20, r->days[2] = 20;
		r->nlevels = 3;
		return 0;
	}
	char *s = xstrdup(v), *save = NULL;
	for (char *t = strtok_r(s, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
		long n;
		if (r->nlevels == CPL_MAX_LEVELS || uint_parse(t, 365, &n) < 0 || n < 1) {
			free(s);
			return werr_set(e, path, "complaint.deadlines: up to %d numbers of working "
			                "days, 1 to 365", CPL_MAX_LEVELS);
		}
		r->days[r->nlevels++] = (int)n;
	}
	free(s);
	if (!r->nlevels)
		return werr_set(e, path, "complaint.deadlines: give the working days of each level");
	return 0;
}

wdate
bd_day(int64_t t)
{
	int64_t s = t + 6 * 3600;
	return (wdate)((s - (s % 86400 + 86400) % 86400) / 86400);
}

static int64_t
event_at(const json_t *ev)
{
	int64_t t = 0;
	const char *why, *s = jstr(ev, "at");
	if (s)
		instant_parse(s, &t, &why);
	return t;
}

/* ---- the fold ---- */

void
cpl_set_init(struct cpl_set *s, const struct cpl_rules *r, int keep_text)
{
	memset(s, 0, sizeof *s);
	hmap_init(&s->m, sizeof(struct cpl));
	s->r = r;
	s->keep_text = keep_text;
}

void
cpl_set_free(struct cpl_set *s)
{
	size_t i = 0;
	struct cpl *c;
	while ((c = hmap_iter(&s->m, &i))) {
		char **f[] = { &c->service, &c->desk, &c->category, &c->name, &c->mobile, &c->nid,
			       &c->text, &c->by, &c->officer, &c->decision, &c->note };
		for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
			free(*f[k]);
	}
	hmap_free(&s->m);
	s->n = 0;
}

static void
set_str(char **dst, const json_t *ev, const char *key)
{
	const char *v = jstr(ev, key);
	if (!v)
		return;
	free(*dst);
	*dst = xstrdup(v);
}

int
cpl_apply(struct cpl_set *s, const json_t *ev, struct werr *e)
{
	const char *id = jstr(ev, "id"), *event = jstr(ev, "event");
	if (!id || !event)
		return werr_set(e, id ? "event" : "id", "missing");
	struct cpl *c = hmap_get(&s->m, id);
	int64_t at = event_at(ev);
	if (!strcmp(event, "add")) {
		if (c && c->nevents)
			return werr_set(e, "id", "%s was added already", id);
		int isnew;
		c = hmap_put(&s->m, id, &isnew);
		if (isnew)
			c->order = s->n++;
		snprintf(c->office, sizeof c->office, "%s", jstr(ev, "office") ? jstr(ev, "office") : "");
		c->status = CPL_OPEN;
		c->level = (int)jint(ev, "level", 0);
		c->added = c->start = at;
		set_str(&c->service, ev, "service");
		set_str(&c->desk, ev, "desk");
		if (s->keep_text) {
			set_str(&c->category, ev, "category");
			set_str(&c->name, ev, "name");
			set_str(&c->mobile, ev, "mobile");
			set_str(&c->nid, ev, "nid");
			set_str(&c->text, ev, "text");
			set_str(&c->by, ev, "by");
			set_str(&c->officer, ev, "officer");
		}
		c->nevents++;
		return 0;
	}
	if (!c || !c->nevents)
		return werr_set(e, "id", "no complaint %s", id);
	if (!strcmp(event, "ack")) {
		if (c->status != CPL_OPEN)
			return werr_set(e, "event", "%s is %s, not open", id, st_name[c->status]);
		c->status = CPL_ACK;
	} else if (!strcmp(event, "resolve")) {
		if (c->status == CPL_RESOLVED)
			return werr_set(e, "event", "%s is resolved already", id);
		if (!jstr(ev, "decision") || !jstr(ev, "note"))
			return werr_set(e, jstr(ev, "decision") ? "note" : "decision",
			                "a resolution needs a decision and a note");
		c->status = CPL_RESOLVED;
		c->resolved = at;
		c->resolved_level = c->level;
		c->resolved_start = c->start;
		if (s->keep_text) {
			set_str(&c->decision, ev, "decision");
			set_str(&c->note, ev, "note");
		}
	} else if (!strcmp(event, "escalate")) {
		int to = (int)jint(ev, "level", -1);
		if (to != c->level + 1)
			return werr_set(e, "level", "%s is at level %d; it goes to %d, not %d", id,
			                c->level, c->level + 1, to);
		if (to >= s->r->nlevels)
			return werr_set(e, "level", "there is no level %d (complaint.deadlines has %d)",
			                to, s->r->nlevels);
		c->level = to;
		c->status = CPL_OPEN;
		c->start = at;
		c->escalations++;
		if (s->keep_text)
			set_str(&c->officer, ev, "officer");
	} else if (!strcmp(event, "reopen")) {
		if (c->status != CPL_RESOLVED)
			return werr_set(e, "event", "%s is %s; only a resolved complaint reopens", id,
			                st_name[c->status]);
		c->status = CPL_OPEN;
		c->start = at;
	} else {
		return werr_set(e, "event", "not an event of a complaint");
	}
	c->nevents++;
	return 0;
}

struct cpl *
cpl_get(const struct cpl_set *s, const char *id)
{
	struct cpl *c = hmap_get(&s->m, id);
	return c && c->nevents ? c : NULL;
}

const char *
cpl_id(const struct cpl_set *s, const struct cpl *c)
{
	return hmap_key(&s->m, c);
}

static int
by_order(const void *a, const void *b)
{
	const struct cpl *x = *(const struct cpl *const *)a, *y = *(const struct cpl *const *)b;
	return x->order < y->order ? -1 : x->order > y->order;
}

struct cpl **
cpl_sorted(const struct cpl_set *s, size_t *n)
{
	struct cpl **v = xmalloc((s->m.n + 1) * sizeof *v), *c;
	size_t i = 0, k = 0;
	while ((c = hmap_iter(&s->m, &i)))
		if (c->nevents)
			v[k++] = c;
	if (k > 1)
		qsort(v, k, sizeof *v, by_order);
	*n = k;
	return v;
}

wdate
cpl_deadline_from(const struct cpl_rules *r, int level, int64_t start)
{
	int lv = level < r->nlevels ? level : r->nlevels - 1;
	return cal_add_workdays(r->cal, bd_day(start), r->days[lv]);
}

wdate
cpl_deadline(const struct cpl_set *s, const struct cpl *c)
{
	return cpl_deadline_from(s->r, c->level, c->start);
}

int
cpl_overdue(const struct cpl_set *s, const struct cpl *c, wdate as_of)
{
	return c->status != CPL_RESOLVED && as_of > cpl_deadline(s, c);
}

int
cpl_working_days(const struct cpl_set *s, const struct cpl *c, wdate as_of)
{
	wdate a = bd_day(c->added);
	wdate b = c->status == CPL_RESOLVED ? bd_day(c->resolved) : as_of;
	return b > a ? cal_workdays_between(s->r->cal, a, b) : 0;
}

int
cpl_resolved_in_time(const struct cpl_set *s, const struct cpl *c)
{
	return c->status == CPL_RESOLVED &&
	       bd_day(c->resolved) <= cpl_deadline_from(s->r, c->resolved_level, c->resolved_start);
}

json_t *
cpl_state_record(const struct cpl_set *s, const struct cpl *c, wdate as_of, int reveal)
{
	json_t *r = rec_new("complaint_state");
	char d[21];
	struct buf m = { 0 };
	json_object_set_new(r, "id", json_string(cpl_id(s, c)));
	json_object_set_new(r, "office", json_string(c->office));
	json_object_set_new(r, "status", json_string(st_name[c->status]));
	json_object_set_new(r, "level", json_integer(c->level));
	const char *f[] = { "officer", c->officer, "service", c->service, "desk", c->desk,
		            "category", c->category, "name", c->name, "text", c->text, "by", c->by };
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i += 2)
		if (f[i + 1])
			json_object_set_new(r, f[i], json_string(f[i + 1]));
	const char *pii[] = { c->mobile, c->nid };
	const char *key[] = { "mobile", "nid" };
	for (int k = 0; k < 2; k++) {
		if (!pii[k])
			continue;
		m.n = 0;
		if (reveal)
			buf_adds(&m, pii[k]);
		else
			pii_mask(k ? PII_NID : PII_MOBILE, pii[k], &m);
		json_object_set_new(r, key[k], json_string(buf_str(&m)));
	}
	buf_free(&m);
	instant_fmt(c->added, d);
	json_object_set_new(r, "added", json_string(d));
	if (c->status != CPL_RESOLVED) {
		date_fmt(cpl_deadline(s, c), d);
		json_object_set_new(r, "deadline", json_string(d));
	}
	json_object_set_new(r, "overdue", json_boolean(cpl_overdue(s, c, as_of)));
	json_object_set_new(r, "working_days", json_integer(cpl_working_days(s, c, as_of)));
	if (c->status == CPL_RESOLVED) {
		instant_fmt(c->resolved, d);
		json_object_set_new(r, "resolved", json_string(d));
		if (c->decision)
			json_object_set_new(r, "decision", json_string(c->decision));
		if (c->note)
			json_object_set_new(r, "note", json_string(c->note));
	}
	json_object_set_new(r, "events", json_integer(c->nevents));
	return r;
}

/* ---- statistics ---- */

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return x < y ? -1 : x > y;
}

int
rank_nearest(int *v, size_t n, int q)
{
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_int);
	size_t k = ((size_t)q * n + 99) / 100;
	return v[k ? k - 1 : 0];
}

int
cpl_match(const struct cpl_set *s, const struct cpl *c, const struct cpl_filter *f)
{
	(void)s;
	wdate d = bd_day(c->added);
	return !((f->office && strcmp(c->office, f->office)) ||
	         (f->service && (!c->service || strcmp(c->service, f->service))) ||
	         (f->has_from && d < f->from) || (f->has_to && d > f->to));
}

struct group_acc {
	struct cpl_group g;
	int *days;
	size_t ndays, cdays;
};

static int
cmp_group(const void *a, const void *b)
{
	const struct cpl_group *x = a, *y = b;
	int c = strcmp(x->office, y->office);
	if (!c)
		c = strcmp(x->service, y->service);
	if (!c)
		c = x->month < y->month ? -1 : x->month > y->month;
	return c;
}

size_t
cpl_stats(const struct cpl_set *s, const struct cpl_filter *f, wdate as_of, struct cpl_group **out)
{
	struct hmap groups;
	hmap_init(&groups, sizeof(struct group_acc));
	size_t i = 0;
	struct cpl *c;
	while ((c = hmap_iter(&s->m, &i))) {
		if (!c->nevents || !cpl_match(s, c, f))
			continue;
		wdate d = bd_day(c->added);
		char key[128], ms[8];
		month_fmt(date_month(d), ms);
		snprintf(key, sizeof key, "%s|%s|%s", c->office, c->service ? c->service : "-", ms);
		int isnew;
		struct group_acc *g = hmap_put(&groups, key, &isnew);
		if (isnew) {
			memcpy(g->g.office, c->office, 4);
			snprintf(g->g.service, sizeof g->g.service, "%s", c->service ? c->service : "-");
			g->g.month = date_month(d);
		}
		g->g.count++;
		if (c->status == CPL_RESOLVED) {
			g->g.resolved++;
			if (g->ndays == g->cdays) {
				g->cdays = g->cdays ? g->cdays * 2 : 8;
				g->days = xrealloc(g->days, g->cdays * sizeof *g->days);
			}
			g->days[g->ndays++] = cpl_working_days(s, c, as_of);
		} else {
			g->g.open++;
			g->g.overdue += cpl_overdue(s, c, as_of);
		}
	}
	struct cpl_group *v = xmalloc((groups.n + 1) * sizeof *v);
	size_t n = 0;
	struct group_acc *g;
	i = 0;
	while ((g = hmap_iter(&groups, &i))) {
		if (g->ndays) {
			g->g.median = rank_nearest(g->days, g->ndays, 50);
			g->g.p90 = rank_nearest(g->days, g->ndays, 90);
		}
		free(g->days);
		v[n++] = g->g;
	}
	hmap_free(&groups);
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_group);
	*out = v;
	return n;
}

json_t *
cpl_stats_record(const struct cpl_group *g)
{
	char ms[8];
	month_fmt(g->month, ms);
	json_t *r = rec_new("complaint_stats");
	json_object_set_new(r, "office", json_string(g->office));
	json_object_set_new(r, "service", json_string(g->service));
	json_object_set_new(r, "month", json_string(ms));
	json_object_set_new(r, "count", json_integer(g->count));
	json_object_set_new(r, "resolved", json_integer(g->resolved));
	json_object_set_new(r, "open", json_integer(g->open));
	json_object_set_new(r, "overdue", json_integer(g->overdue));
	if (g->resolved) {
		json_object_set_new(r, "median_days", json_integer(g->median));
		json_object_set_new(r, "p90_days", json_integer(g->p90));
	}
	return r;
}

/* ---- the configuration's lists and labels ---- */

char **
cpl_ids(const struct cfg *c, const char *prefix)
{
	size_t n = 0, pl = strlen(prefix);
	char **ids = NULL;
	for (size_t i = 0; c && i < c->n; i++) {
		const char *k = c->it[i].key;
		if (strncmp(k, prefix, pl) || !k[pl] || strchr(k + pl, '.'))
			continue;
		size_t j;
		for (j = 0; j < n && strcmp(ids[j], k + pl); j++)
			;
		if (j < n)
			continue; /* set again: the last setting's label counts */
		ids = xrealloc(ids, (n + 2) * sizeof *ids);
		ids[n++] = xstrdup(k + pl);
		ids[n] = NULL;
	}
	return ids;
}

void
cpl_ids_free(char **ids)
{
	for (size_t i = 0; ids && ids[i]; i++)
		free(ids[i]);
	free(ids);
}

void
cpl_label(const struct cfg *c, const char *prefix, const char *id, int bn, struct buf *out)
{
	char k[160];
	snprintf(k, sizeof k, "%s%s", prefix, id);
	const char *v = cfg_get(c, k);
	out->n = 0;
	if (!v) {
		buf_adds(out, id);
		return;
	}
	const char *sl = strstr(v, " / ");
	if (!sl)
		buf_adds(out, v);
	else if (bn)
		buf_adds(out, sl + 3);
	else
		buf_add(out, v, (size_t)(sl - v));
	buf_str(out);
}

static int
same_words(const char *a, const char *b)
{
	struct buf x = { 0 }, y = { 0 };
	bn_fold(a, &x);
	bn_fold(b, &y);
	int same = !strcmp(buf_str(&x), buf_str(&y));
	buf_free(&x);
	buf_free(&y);
	return same;
}

const char *
cpl_answer(const struct cfg *c, const char *prefix, const char *answer)
{
	char **ids = cpl_ids(c, prefix);
	static char found[128];
	int hits = 0;
	for (size_t i = 0; ids && ids[i]; i++) {
		if (!strcmp(ids[i], answer)) {
			snprintf(found, sizeof found, "%s", ids[i]);
			cpl_ids_free(ids);
			return found; /* an id is itself, whatever a label says */
		}
	}
	struct buf l = { 0 };
	for (size_t i = 0; ids && ids[i]; i++)
		for (int bn = 0; bn < 2; bn++) {
			cpl_label(c, prefix, ids[i], bn, &l);
			if (same_words(buf_str(&l), answer) && (!hits || strcmp(found, ids[i]))) {
				snprintf(found, sizeof found, "%s", ids[i]);
				hits++;
			}
		}
	buf_free(&l);
	cpl_ids_free(ids);
	return hits == 1 ? found : NULL;
}

int
cpl_check_listed(const struct cfg *c, const char *prefix, const char *what, const char *id,
                 int bn, struct werr *e)
{
	char **ids = cpl_ids(c, prefix);
	int ok = !ids;
	for (size_t i = 0; ids && ids[i]; i++)
		ok |= !strcmp(ids[i], id);
	if (!ok) {
		struct buf b = { 0 }, l = { 0 };
		for (size_t i = 0; ids[i]; i++) {
			if (bn) {
				cpl_label(c, prefix, ids[i], 1, &l);
				buf_printf(&b, "%s%s", i ? ", " : "", buf_str(&l));
			} else {
				buf_printf(&b, "%s%s", i ? ", " : "", ids[i]);
			}
		}
		if (bn)
			werr_set(e, what, "'%s' তালিকায় নেই; যেকোনো একটি লিখুন: %s", id, buf_str(&b));
		else
			werr_set(e, what, "'%s' is not one of %s", id, buf_str(&b));
		buf_free(&b);
		buf_free(&l);
	}
	cpl_ids_free(ids);
	return ok ? 0 : -1;
}

const char *
cpl_officer(const struct cfg *c, const char *office, int level)
{
	char k[64];
	snprintf(k, sizeof k, "officer.%s.%d", office, level);
	const char *v = cfg_get(c, k);
	if (!v) {
		snprintf(k, sizeof k, "officer.%d", level);
		v = cfg_get(c, k);
	}
	return v;
}

/* ---- events ---- */

json_t *
cpl_add_event(const struct cpl_fields *f, struct werr *e)
{
	const struct cfg *c = wgo_config();
	json_t *ev = rec_new("complaint");
	json_object_set_new(ev, "seq", json_integer(1));
	json_object_set_new(ev, "event", json_string("add"));
	json_object_set_new(ev, "id", json_string("-"));
	json_object_set_new(ev, "prev", json_string(ZERO_HASH));
	const char *kv[] = { "office", f->office, "service", f->service, "desk", f->desk,
		             "category", f->category, "name", f->name, "mobile", f->mobile,
		             "nid", f->nid, "text", f->text, "by", f->by };
	for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i += 2)
		if (kv[i + 1] && *kv[i + 1])
			json_object_set_new(ev, kv[i], json_string(kv[i + 1]));
	char ab[21];
	instant_fmt(wgo_now(), ab);
	json_object_set_new(ev, "at", json_string(ab));
	json_object_set_new(ev, "level", json_integer(0));
	const char *off = jstr(ev, "office");
	if (off && office_valid(off) && cpl_officer(c, off, 0))
		json_object_set_new(ev, "officer", json_string(cpl_officer(c, off, 0)));
	static const char *const need[] = { "office", "service", "category", "text" };
	for (size_t i = 0; i < 4; i++)
		if (!jstr(ev, need[i])) {
			werr_set(e, need[i], "missing");
			json_decref(ev);
			return NULL;
		}
	if (rec_validate(ev, e) < 0 ||
	    cpl_check_listed(c, "service.", "service", jstr(ev, "service"), 0, e) < 0 ||
	    cpl_check_listed(c, "category.", "category", jstr(ev, "category"), 0, e) < 0) {
		json_decref(ev);
		return NULL;
	}
	return ev;
}

json_t *
cpl_event_new(const char *event, const char *id, const char *office, const char *by)
{
	json_t *ev = rec_new("complaint");
	char ab[21];
	json_object_set_new(ev, "seq", json_integer(1));
	json_object_set_new(ev, "event", json_string(event));
	json_object_set_new(ev, "id", json_string(id));
	json_object_set_new(ev, "office", json_string(office));
	instant_fmt(wgo_now(), ab);
	json_object_set_new(ev, "at", json_string(ab));
	if (by)
		json_object_set_new(ev, "by", json_string(by));
	json_object_set_new(ev, "prev", json_string(ZERO_HASH));
	return ev;
}

/* ---- reading the log ---- */

struct reader {
	struct cpl_set *s;
	const char *path, *only;
	json_t *history;
	long bad;
};

static int
on_log(struct rloop *L, json_t *ev, const struct rpos *pos, struct werr *e)
{
	struct reader *rd = L->ctx;
	if (jint(ev, "seq", 0) != (long long)pos->line) {
		char where[300];
		snprintf(where, sizeof where, "%s:%lu", pos->file, pos->line);
		return werr_set(e, where, "damaged: seq is %lld", jint(ev, "seq", 0)), -2;
	}
	int mine = !rd->only || !strcmp(jstr(ev, "id"), rd->only);
	if (rd->history && mine)
		json_array_append_new(rd->history, json_deep_copy(ev));
	struct werr ae;
	if (mine && cpl_apply(rd->s, ev, &ae) < 0 && rd->bad++ < 5)
		warnf("%s:%lu: %s: %s (complaint-log verify says more)", rd->path, pos->line,
		      ae.field, ae.msg);
	return 0;
}

/* A line that is no complaint event is damage: the loop stops there. */
static void
on_damage(struct rloop *L, const struct rpos *pos, const json_t *rec, const struct werr *e)
{
	(void)pos, (void)rec, (void)e;
	L->stop = 1;
}

int
cpl_log_read(struct cpl_set *s, const char *path, const char *only, json_t *history,
             struct werr *e)
{
	static const char *const kinds[] = { "complaint", NULL };
	struct reader rd = { s, path, only, history, 0 };
	struct rloop L = { 0 };
	L.cb = on_log;
	L.ctx = &rd;
	L.kinds = kinds;
	L.validate = 1;
	L.transient = !history; /* show keeps the events it prints */
	L.on_reject = on_damage;
	L.unit = "events";
	if (store_loop(path, STORE_CHAIN, &L) != 0 || L.stop)
		return werr_set(e, path, "damaged: nothing is read from it (complaint-log verify "
		                "says more)");
	return 0;
}

/* ---- writing ---- */

struct cpl_told {
	json_t *ev;
	int again;
};

/* A line of the log as an event: valid, a complaint's, numbered by its line. */
static json_t *
log_event(const struct store_rec *r, struct werr *e)
{
	json_t *ev = rec_parse(r->p, r->n, e);
	if (!ev)
		return NULL;
	if (rec_validate(ev, e) < 0)
		goto bad;
	if (strcmp(jstr(ev, "kind"), "complaint")) {
		werr_set(e, "kind", "a %s record, not a complaint event", jstr(ev, "kind"));
		goto bad;
	}
	if (jint(ev, "seq", 0) != (long long)r->line) {
		werr_set(e, "seq", "%lld on line %lu", jint(ev, "seq", 0), r->line);
		goto bad;
	}
	return ev;
bad:
	json_decref(ev);
	return NULL;
}

/* What a complaint added in bulk is known by: what it was given, and its time
 * when that was given too; as BLAKE2b-128 digests in hex (k[0] without the time,
 * k[1] with it, either may be NULL), so that a large log's index stays small. */
static void
bulk_keys(const json_t *ev, struct buf *k0, struct buf *k1)
{
	static const char *const f[] = { "office", "service", "desk", "category", "name",
		                         "mobile", "nid", "text", "by", "at" };
	enum { NF = sizeof f / sizeof f[0] };
	crypto_generichash_state st[2];
	struct buf *k[2] = { k0, k1 };
	for (int j = 0; j < 2; j++)
		if (k[j])
			crypto_generichash_init(&st[j], NULL, 0, 16);
	for (size_t i = 0; i < NF; i++) {
		json_t *v = json_object_get(ev, f[i]);
		const char *s = json_string_value(v);
		/* Each value with its length: no two lists of values hash alike. */
		uint64_t n = s ? json_string_length(v) + 1 : 0;
		for (int j = 0; j < 2; j++) {
			if (!k[j] || (j == 0 && i == NF - 1))
				continue;
			crypto_generichash_update(&st[j], (const uint8_t *)&n, sizeof n);
			if (s)
				crypto_generichash_update(&st[j], (const uint8_t *)s, n - 1);
		}
	}
	for (int j = 0; j < 2; j++) {
		if (!k[j])
			continue;
		uint8_t h[16];
		crypto_generichash_final(&st[j], h, sizeof h);
		buf_grow(k[j], 33);
		sodium_bin2hex(k[j]->p, 33, h, sizeof h);
		k[j]->n = 32;
	}
}

static void
note_id(struct cpl_writer *w, const json_t *ev)
{
	const char *id = jstr(ev, "id");
	long long num;
	char key[64];
	int year;
	if (strcmp(jstr(ev, "event"), "add") || strlen(id) <= 3 ||
	    sscanf(id + 3, "-C-%d-%lld", &year, &num) != 2 || num <= 0)
		return;
	snprintf(key, sizeof key, "%.3s-%d", id, year);
	long long *v = hmap_put(&w->ids, key, NULL);
	if (num > *v)
		*v = num;
}

static void
note_given(struct cpl_writer *w, const json_t *ev, off_t off, size_t len)
{
	if (!w->bulk || strcmp(jstr(ev, "event"), "add"))
		return;
	struct buf k[2] = { { 0 }, { 0 } };
	bulk_keys(ev, &k[0], &k[1]);
	for (int j = 0; j < 2; j++) {
		struct store_rec *r = hmap_put(&w->given, k[j].p, NULL);
		r->off = off;
		r->len = len;
		buf_free(&k[j]);
	}
}

static int
on_written(void *ctx, const struct store_rec *r, struct werr *e)
{
	struct cpl_writer *w = ctx;
	json_t *ev = log_event(r, e);
	if (!ev)
		return -1;
	note_id(w, ev);
	note_given(w, ev, r->off, r->len);
	json_decref(ev);
	return 0;
}

int
cpl_writer_open(struct cpl_writer *w, const char *path, const char *lockpath, int bulk,
                struct werr *e)
{
	void (*tell)(void *, json_t *, int) = w->tell;
	void *ctx = w->ctx;
	memset(w, 0, sizeof *w);
	w->tell = tell;
	w->ctx = ctx;
	w->bulk = bulk;
	hmap_init(&w->ids, sizeof(long long));
	hmap_init(&w->given, sizeof(struct store_rec));
	struct store_opts o = { .check = STORE_CHAIN, .lock = STORE_WAIT, .lockpath = lockpath,
	                        .from_head = !bulk };
	if (store_open(&w->s, path, &o, on_written, w, e) < 0) {
		hmap_free(&w->ids);
		hmap_free(&w->given);
		return -1;
	}
	/* The numbers given, as the head (read under the lock) has them; replay has
	 * noted those of the lines after it. */
	struct buf extra = { 0 };
	buf_add(&extra, w->s.head.p, w->s.head.n);
	char *save, *l = extra.n ? strtok_r((char *)buf_str(&extra), "\n", &save) : NULL;
	for (; l; l = strtok_r(NULL, "\n", &save)) {
		char key[64];
		long long n;
		if (sscanf(l, "id %63s %lld", key, &n) == 2 && n >= 0) {
			long long *v = hmap_put(&w->ids, key, NULL);
			if (n > *v)
				*v = n;
		}
	}
	buf_free(&extra);
	return 0;
}

static void
told(struct cpl_writer *w, json_t *ev, int again)
{
	if (w->ndone == w->cdone) {
		w->cdone = w->cdone ? w->cdone * 2 : 64;
		w->done = xrealloc(w->done, w->cdone * sizeof *w->done);
	}
	w->done[w->ndone].ev = json_incref(ev);
	w->done[w->ndone++].again = again;
}

int
cpl_writer_put(struct cpl_writer *w, json_t *ev)
{
	char ab[21];
	if (!jstr(ev, "at")) {
		instant_fmt(wgo_now(), ab);
		json_object_set_new(ev, "at", json_string(ab));
	}
	if (!strcmp(jstr(ev, "event"), "add")) {
		char key[16], id[40];
		int y, m, d;
		date_to_ymd(bd_day(event_at(ev)), &y, &m, &d);
		snprintf(key, sizeof key, "%s-%d", jstr(ev, "office"), y);
		long long *v = hmap_put(&w->ids, key, NULL);
		++*v;
		snprintf(id, sizeof id, "%s-C-%d-%06lld", jstr(ev, "office"), y, *v);
		json_object_set_new(ev, "id", json_string(id));
	}
	json_object_set_new(ev, "seq", json_integer((json_int_t)w->s.lines + 1));
	/* The store puts the chain's link on, last, where the kind has it. */
	json_object_del(ev, "prev");
	struct buf line = { 0 };
	char prev[65];
	memcpy(prev, w->s.hash, sizeof prev);
	rec_dump(ev, &line);
	size_t before = w->s.pending.n;
	off_t off = store_add(&w->s, line.p, line.n - 1);
	buf_free(&line);
	if (off < 0)
		return -1;
	json_object_set_new(ev, "prev", json_string(prev));
	note_given(w, ev, off, w->s.pending.n - before - 1);
	told(w, ev, 0);
	return 0;
}

json_t *
cpl_writer_again(struct cpl_writer *w, const json_t *ev, int has_at, struct werr *e)
{
	struct buf bk = { 0 };
	bulk_keys(ev, has_at ? NULL : &bk, has_at ? &bk : NULL);
	struct store_rec *was = hmap_get(&w->given, bk.p);
	buf_free(&bk);
	if (!was)
		return NULL;
	struct buf line = { 0 };
	struct werr ge;
	json_t *old = store_get(&w->s, was->off, was->len, &line, &ge) == 0
	              ? rec_parse(line.p, line.n, &ge) : NULL;
	buf_free(&line);
	if (!old) {
		werr_set(e, "", "%s: %s", ge.field, ge.msg);
		return NULL;
	}
	told(w, old, 1);
	return old;
}

int
cpl_writer_flush(struct cpl_writer *w, struct werr *e)
{
	if (w->s.pending.n) {
		w->s.head.n = 0;
		size_t i = 0;
		long long *v;
		while ((v = hmap_iter(&w->ids, &i)))
			buf_printf(&w->s.head, "id %s %lld\n", hmap_key(&w->ids, v), *v);
		if (store_flush(&w->s, e) < 0)
			return -1;
	}
	for (size_t i = 0; i < w->ndone; i++) {
		if (w->tell)
			w->tell(w->ctx, w->done[i].ev, w->done[i].again);
		json_decref(w->done[i].ev);
	}
	w->ndone = 0;
	return 0;
}

int
cpl_writer_close(struct cpl_writer *w, struct werr *e)
{
	int rc = cpl_writer_flush(w, e);
	for (size_t i = 0; i < w->ndone; i++)
		json_decref(w->done[i].ev); /* not durable: never told */
	store_close(&w->s);
	hmap_free(&w->ids);
	hmap_free(&w->given);
	free(w->done);
	w->done = NULL;
	w->ndone = w->cdone = 0;
	return rc;
}

int
cpl_notify(const char *cmd, const json_t *ev)
{
	struct buf b = { 0 };
	rec_dump(ev, &b);
	int pfd[2];
	if (pipe(pfd) < 0) {
		buf_free(&b);
		return -1;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		buf_free(&b);
		return -1;
	}
	if (pid == 0) {
		dup2(pfd[0], 0);
		close(pfd[0]);
		close(pfd[1]);
		dup2(2, 1); /* its chatter is not our output */
		unsetenv("WGO_BANK_TOKEN"); /* nor our secrets its business */
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(pfd[0]);
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	(void)write_all(pfd[1], b.p, b.n);
	close(pfd[1]);
	signal(SIGPIPE, old);
	buf_free(&b);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- verify ---- */

struct verifier {
	const char *path;
	long problems;
};

static void
problem(struct verifier *v, long line, const char *fmt, ...) WGO_ATTR_FMT(3, 4);

static void
problem(struct verifier *v, long line, const char *fmt, ...)
{
	if (++v->problems > 100)
		return;
	char m[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	if (line)
		warnf("%s:%ld: %s", v->path, line, m);
	else
		warnf("%s", m);
}

long
cpl_log_verify(const char *path, const char *expect, const struct cpl_rules *rules,
               struct cpl_verify *res)
{
	struct verifier V = { path, 0 };
	struct cpl_set set;
	cpl_set_init(&set, rules, 1);
	memset(res, 0, sizeof *res);
	struct store_head hd;
	struct werr he;
	int hr = store_head_read(path, &hd, NULL, &he);
	char at_head[65] = ZERO_HASH;
	off_t size_at_head = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT)
		problem(&V, 0, "%s: %s", path, strerror(errno));
	char prev[65] = ZERO_HASH, h[65];
	long ln = 0;
	long long want_seq = 1;
	off_t size = 0;
	int found_expect = 0;
	if (fd >= 0) {
		struct store_scan sc;
		struct store_line l;
		struct werr se;
		int got;
		store_scan_open(&sc, fd, 0, 0);
		while ((got = store_scan_next(&sc, &l, &se)) > 0) {
			ln = (long)l.line;
			size = l.off + (off_t)l.n + l.complete;
			store_line_hash(l.p, l.n, h);
			found_expect |= expect && !strcmp(h, expect);
			if (!l.complete)
				problem(&V, ln, "the last line has no newline: it is incomplete (a crash "
				        "while writing, or an edit)");
			struct werr e = { { 0 }, { 0 } };
			json_t *ev = rec_parse(l.p, l.n, &e);
			if (!ev || rec_validate(ev, &e) < 0) {
				problem(&V, ln, "%s%s%s: the line was changed", e.field, e.field[0] ? ": " : "",
				        e.msg);
			} else if (strcmp(jstr(ev, "kind"), "complaint")) {
				problem(&V, ln, "a %s record, not a complaint event: the line was changed",
				        jstr(ev, "kind"));
			} else {
				long long seq = jint(ev, "seq", 0);
				if (seq != want_seq)
					problem(&V, ln, "seq is %lld where %lld was due: %s", seq, want_seq,
					        seq > want_seq ? "a line was removed before it"
					                       : "a line was inserted or moved here");
				want_seq = seq + 1;
				/* A line is vouched for by the next one's prev: when that fails, it
				 * is the line before that was changed (or lines went missing or came
				 * in between). */
				if (strcmp(jstr(ev, "prev"), prev)) {
					if (ln == 1)
						problem(&V, 1, "prev is not zero: lines were removed before it");
					else
						problem(&V, ln - 1, "the line was changed, or lines were removed, "
						        "inserted or moved after it: line %ld's prev is not its hash",
						        ln);
				}
				struct buf b = { 0 };
				rec_dump(ev, &b);
				if (b.n - 1 != l.n || memcmp(b.p, l.p, l.n))
					problem(&V, ln, "the line is not in the form the log writes: it was "
					        "edited");
				buf_free(&b);
				if (cpl_apply(&set, ev, &e) < 0)
					problem(&V, ln, "%s: %s", e.field, e.msg);
			}
			json_decref(ev);
			memcpy(prev, h, 65);
			if (hr == 0 && (unsigned long)ln == hd.seq) {
				memcpy(at_head, h, 65);
				size_at_head = size;
			}
		}
		if (got < 0)
			problem(&V, 0, "%s: %s", path, se.msg);
		store_scan_close(&sc);
		close(fd);
	}
	long after = 0;
	if (hr < 0)
		problem(&V, 0, "%s: %s", he.field, he.msg);
	else if (hr == 1 && ln > 0)
		problem(&V, 0, "%s.head: missing: the last lines cannot be checked", path);
	else if (hr == 0 && hd.seq < (unsigned long)ln && !strcmp(at_head, hd.hash) &&
	         size_at_head == hd.size)
		/* Whole lines that chain on from the head: written before a crash. */
		after = ln - (long)hd.seq;
	else if (hr == 0 && (hd.seq > (unsigned long)ln))
		problem(&V, 0, "%s.head: the head says %lu events, the log has %ld: %lu removed", path,
		        hd.seq, ln, hd.seq - (unsigned long)ln);
	else if (hr == 0 && hd.seq < (unsigned long)ln && !strcmp(at_head, hd.hash))
		problem(&V, 0, "%s.head: the log is %lld bytes long up to line %lu, the head says "
		        "%lld: a line before it changed its length", path, (long long)size_at_head,
		        hd.seq, hd.size);
	else if (hr == 0 && hd.seq < (unsigned long)ln)
		problem(&V, 0, "%s.head: the head says %lu events, the log has %ld: lines were added "
		        "outside complaint-log", path, hd.seq, ln);
	else if (hr == 0 && strcmp(hd.hash, prev))
		problem(&V, ln, "the last line is not the line last written (the head has its hash): "
		        "it was changed");
	else if (hr == 0 && hd.size != size)
		/* The last line is the one written: what differs is before it, and the
		 * chain has said where. */
		problem(&V, 0, "%s.head: the log is %lld bytes long, the head says %lld: a line "
		        "before the last changed its length", path, (long long)size, hd.size);
	if (expect && !found_expect)
		problem(&V, 0, "no line of the log has the hash %s: the log was rewritten", expect);
	if (V.problems > 100)
		warnf("... and %ld more problems", V.problems - 100);
	res->lines = ln;
	res->after = after;
	res->complaints = set.n;
	memcpy(res->last, prev, sizeof res->last);
	cpl_set_free(&set);
	return V.problems;
}
