/* The order register in the state directory: every revision of every order and
 * every stop, in the store; the truth an office's numbers, duplicates and
 * reprints come from. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "wgo.h"

#define FLUSH_RECORDS 4096    /* orders held before the register is synced */
#define FLUSH_BYTES (4 << 20)

/* Where a line is, or will be once the pending lines are written: the store
 * lays them out as they come, so a line's offset is known when it is added. */
struct reg_loc {
	off_t off;
	uint32_t len, line;
};

struct reg_order {
	struct reg_loc latest, first, stop; /* stop.len 0: not stopped */
	int revision;
	wmonth last;      /* last payable month; lump sums never end */
	int lump;
	const char *same; /* the order issued before it with the same key, or NULL */
};


/* The duplicate key: the same grant for the same employee's event and beneficiary. */
static void
dup_key(const json_t *o, struct buf *k)
{
	const char *parts[] = { "grant", "funeral_for", "employee.event_date", "beneficiary.nid",
		                "employee.name" };
	k->n = 0;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		json_t *s = jget(o, parts[i]);
		const char *v = json_string_value(s);
		size_t n = json_string_length(s);
		buf_grow(k, n + 2);
		if (i)
			k->p[k->n++] = '|';
		for (size_t j = 0; j < n; j++)
			if (v[j] != ' ')
				k->p[k->n++] = (char)(v[j] >= 'A' && v[j] <= 'Z' ? v[j] + 32 : v[j]);
	}
	buf_str(k);
}

/* OFFICE-YYYY-YY-N: the series and the number, or -1 (a legacy or foreign number). */
static int
parse_number(const char *order_no, char *series, size_t n, long long *num)
{
	const char *dash = strrchr(order_no, '-');
	if (!dash || (size_t)(dash - order_no) >= n)
		return -1;
	size_t digits = strlen(dash + 1);
	if (digits < 1 || digits > 9 || strspn(dash + 1, "0123456789") != digits)
		return -1;
	*num = atoll(dash + 1);
	if (*num <= 0)
		return -1;
	memcpy(series, order_no, (size_t)(dash - order_no));
	series[dash - order_no] = 0;
	return 0;
}

static void
count_number(struct reg *r, const json_t *o)
{
	char series[40];
	long long num;
	if (jint(o, "legacy", 0) || parse_number(jstr(o, "order_no"), series, sizeof series, &num) < 0)
		return;
	long long *used = hmap_put(&r->series, series, NULL);
	if (num > *used)
		*used = num;
}

/* Index one line: an order revision or a stop. 0 (its order's key in orders in
 * *key), or -1 with e filled. */
static int
index_line(struct reg *r, const json_t *o, struct reg_loc at, const char **keyp,
           struct werr *e)
{
	const char *no = jstr(o, "order_no");
	int isnew;
	if (!strcmp(jstr(o, "kind"), "stop")) {
		struct reg_order *ro = hmap_get(&r->orders, no);
		if (!ro)
			return werr_set(e, "order_no", "a stop of %s, which is not in the register before it",
			                no);
		if (ro->stop.len)
			return werr_set(e, "order_no", "a second stop of %s", no);
		ro->stop = at;
		*keyp = hmap_key(&r->orders, ro);
		return 0;
	}
	struct reg_order *ro = hmap_put(&r->orders, no, &isnew);
	int rev = (int)jint(o, "revision", 0);
	if (isnew && rev != 0)
		return werr_set(e, "revision", "revision %d of %s, before its revision 0", rev, no);
	if (!isnew && rev == 0)
		return werr_set(e, "revision", "%s has a revision 0 already", no);
	if (!isnew && rev != ro->revision + 1)
		return werr_set(e, "revision", "revision %d of %s follows revision %d", rev, no,
		                ro->revision);
	if (!isnew && ro->stop.len)
		return werr_set(e, "revision", "a revision of %s after its stop", no);
	ro->latest = at;
	if (isnew)
		ro->first = at;
	ro->revision = rev;
	ro->lump = !json_object_get(o, "last_month");
	if (!ro->lump) {
		const char *why;
		month_parse(jstr(o, "last_month"), &ro->last, &why);
	}
	const char *key = hmap_key(&r->orders, ro);
	*keyp = key;
	struct buf k = { 0 };
	dup_key(o, &k);
	/* The live order of a key is its latest; what an application was issued as is
	 * found along the chain of orders issued with its key. */
	*(const char **)hmap_put(&r->dups, k.p, NULL) = key;
	if (rev == 0) {
		const char **first = hmap_put(&r->firsts, k.p, &isnew);
		ro->same = isnew ? NULL : *first;
		*first = key;
	}
	buf_free(&k);
	count_number(r, o);
	return 0;
}

static int
on_line(void *ctx, const struct store_rec *sr, struct werr *e)
{
	struct reg *r = ctx;
	json_t *o = rec_parse(sr->p, sr->n, e);
	const char *key;
	int rc = -1;
	if (o && rec_validate(o, e) == 0) {
		const char *k = jstr(o, "kind");
		if (strcmp(k, "order") && strcmp(k, "stop"))
			werr_set(e, "kind", "a %s record: the register holds orders and stops", k);
		else
			rc = index_line(r, o, (struct reg_loc){ sr->off, (uint32_t)sr->len,
			                                        (uint32_t)sr->line }, &key, e);
	}
	json_decref(o);
	return rc;
}

int
reg_open(struct reg *r, int dry, struct werr *e)
{
	memset(r, 0, sizeof *r);
	r->dry = dry;
	hmap_init(&r->orders, sizeof(struct reg_order));
	hmap_init(&r->dups, sizeof(const char *));
	hmap_init(&r->firsts, sizeof(const char *));
	hmap_init(&r->series, sizeof(long long));
	char *path = home_path("register/orders.jsonl"), *lock = home_path("register/lock");
	/* A register of an earlier wgo (no checks) is sealed by the first run that
	 * writes; a dry run reads it as it is. */
	struct store_opts o = { .check = STORE_SUM, .lock = dry ? STORE_READ : STORE_WAIT,
	                          .lockpath = lock, .adopt = 1 };
	int rc = store_open(&r->s, path, &o, on_line, r, e);
	if (rc < 0 && strstr(e->field, ".jsonl:"))
		snprintf(e->msg + strlen(e->msg), sizeof e->msg - strlen(e->msg),
		         "; the register is not trusted until it is repaired");
	r->next = r->s.size;
	free(path);
	free(lock);
	return rc;
}

/* ---- reading a line back, verified ---- */

static void
load_ring(struct reg *r)
{
	if (r->ring)
		return;
	r->ring = xcalloc(1, sizeof *r->ring);
	const char *kv = cfg_get(wgo_config(), "keyring");
	char *dirs[] = { home_path(kv ? kv : "keyring"), home_path("keys") };
	for (size_t i = 0; i < 2; i++) {
		struct keyring k;
		struct werr e;
		if (access(dirs[i], F_OK) == 0) {
			if (keyring_load(&k, dirs[i], &e) < 0) {
				warnf("%s: %s", e.field, e.msg);
			} else if (k.n) { /* an empty directory has no keys to copy (k.k NULL) */
				r->ring->k = xrealloc(r->ring->k, (r->ring->n + k.n + 1) * sizeof *k.k);
				memcpy(r->ring->k + r->ring->n, k.k, k.n * sizeof *k.k);
				r->ring->n += k.n;
				keyring_free(&k);
			}
		}
		free(dirs[i]);
	}
}

static void
free_ring(struct reg *r)
{
	if (r->ring)
		keyring_free(r->ring);
	free(r->ring);
	r->ring = NULL;
}

void
reg_trust(struct reg *r, const struct wkey *k)
{
	load_ring(r);
	if (keyring_find(r->ring, k->id))
		return;
	r->ring->k = xrealloc(r->ring->k, (r->ring->n + 1) * sizeof *r->ring->k);
	struct wkey *p = &r->ring->k[r->ring->n++];
	memset(p, 0, sizeof *p);
	memcpy(p->office, k->office, sizeof p->office);
	memcpy(p->id, k->id, sizeof p->id);
	memcpy(p->pk, k->pk, sizeof p->pk);
}

/* A record read back from the register, checked before anything is made from it:
 * its form, and its signature when it has one; sign_from: something is to be
 * signed from it, so it must be signed. */
static int
verify_rec(struct reg *r, json_t *o, int sign_from, unsigned long line, struct werr *e)
{
	int rc;
	if (json_object_get(o, "signature")) {
		load_ring(r);
		uint8_t id[8];
		size_t n;
		const char *kid = json_string_value(jget(o, "signature.key_id")), *office = jstr(o, "office");
		const struct wkey *k;
		if (r->key_of && kid && office && strlen(kid) == 16 &&
		    sodium_hex2bin(id, sizeof id, kid, 16, NULL, &n, NULL) == 0 && n == 8 &&
		    !keyring_find(r->ring, id) && (k = r->key_of(r->key_ctx, office)))
			reg_trust(r, k);
		rc = order_verify(o, r->ring, e);
	} else if (sign_from) {
		rc = werr_set(e, "signature", "missing: %s was issued unsigned; what follows from it is "
		              "issued with --no-sign", jstr(o, "order_no"));
	} else {
		rc = rec_validate_canonical(o, e);
	}
	if (rc < 0) {
		char m[sizeof e->msg + 64], where[300];
		snprintf(m, sizeof m, "%.120s%s%.100s; refused: nothing is made from it", e->field,
		         e->field[0] ? ": " : "", e->msg);
		snprintf(where, sizeof where, "%s:%lu", r->s.path, line);
		werr_set(e, where, "%s", m);
	}
	return rc;
}

/* The record at loc, parsed into *out and its bytes (no newline) into raw; a line
 * of the file is verified (verify_rec). */
static int
reg_read(struct reg *r, struct reg_loc loc, int sign_from, json_t **out, struct buf *raw,
         struct werr *e)
{
	*out = NULL;
	raw->n = 0;
	if (loc.off >= r->s.size + (off_t)r->s.pending.n) {
		/* Not written yet: in pending (a dry run writes nothing and keeps only
		 * what it has not printed). */
		size_t lo = 0, hi = r->npend;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (r->pend[mid].off < loc.off)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == r->npend || r->pend[lo].off != loc.off)
			return werr_set(e, "order_no", "not kept by a dry run");
		const struct reg_pend *p = &r->pend[lo];
		if (r->settle)
			r->settle(r->settle_ctx, &r->pending);
		buf_add(raw, r->pending.p + p->at, p->n - 1);
		buf_str(raw);
		*out = rec_parse(raw->p, raw->n, e);
		return *out ? 0 : -1;
	}
	json_t *o = NULL;
	int rc = store_get(&r->s, loc.off, loc.len, raw, e);
	if (rc == 0 && !(o = rec_parse(raw->p, raw->n, e)))
		rc = -1;
	if (rc == 0)
		rc = verify_rec(r, o, sign_from, loc.line, e);
	if (rc < 0) {
		json_decref(o);
		return -1;
	}
	*out = o;
	return 0;
}

json_t *
reg_latest(struct reg *r, const char *order_no, struct buf *raw, struct werr *e)
{
	struct reg_order *ro = hmap_get(&r->orders, order_no);
	if (!ro) {
		werr_set(e, "order_no", "no order %s in the register", order_no);
		return NULL;
	}
	struct buf own = { 0 };
	json_t *o;
	int rc = reg_read(r, ro->latest, !r->dry && r->signing, &o, raw ? raw : &own, e);
	buf_free(&own);
	return rc < 0 ? NULL : o;
}

json_t *
reg_stop_of(struct reg *r, const char *order_no, struct buf *raw, struct werr *e)
{
	struct reg_order *ro = hmap_get(&r->orders, order_no);
	e->field[0] = e->msg[0] = 0;
	if (!ro || !ro->stop.len)
		return NULL;
	struct buf own = { 0 };
	json_t *o;
	int rc = reg_read(r, ro->stop, 0, &o, raw ? raw : &own, e);
	buf_free(&own);
	return rc < 0 ? NULL : o;
}

int
reg_state(struct reg *r, const char *order_no, wmonth now)
{
	struct reg_order *ro = hmap_get(&r->orders, order_no);
	if (!ro)
		return REG_UNKNOWN;
	if (ro->stop.len)
		return REG_STOPPED;
	return ro->lump || ro->last >= now ? REG_LIVE : REG_ENDED;
}

/* ---- duplicates and applications issued before ---- */

const char *
reg_duplicate(struct reg *r, const json_t *order, wmonth now)
{
	struct buf k = { 0 };
	dup_key(order, &k);
	const char **no = hmap_get(&r->dups, k.p);
	buf_free(&k);
	return no && reg_state(r, *no, now) == REG_LIVE ? *no : NULL;
}

int
reg_lookup(struct reg *r, const json_t *app, wmonth now, char *no, size_t n, struct werr *e)
{
	struct buf k = { 0 }, raw = { 0 };
	dup_key(app, &k);
	const char **first = hmap_get(&r->firsts, k.p), **live = hmap_get(&r->dups, k.p);
	int rc = 0;
	/* Along the orders issued with this key, the one issued from this very
	 * application (there is never more than a handful). */
	for (const char *o = first ? *first : NULL; o && !rc;) {
		struct reg_order *ro = hmap_get(&r->orders, o);
		json_t *rec;
		if (reg_read(r, ro->first, 0, &rec, &raw, e) < 0) {
			if (!r->dry || strcmp(e->msg, "not kept by a dry run"))
				rc = -1;
		} else {
			json_t *was = order_to_application(rec);
			if (json_equal(was, (json_t *)app)) {
				snprintf(no, n, "%s", o);
				reg_print(r, raw.p, raw.n);
				rc = 1;
			}
			json_decref(was);
			json_decref(rec);
		}
		o = ro->same;
	}
	if (!rc && live && reg_state(r, *live, now) == REG_LIVE) {
		snprintf(no, n, "%s", *live);
		rc = 2;
	}
	buf_free(&k);
	buf_free(&raw);
	return rc;
}

/* ---- numbers ---- */

int
reg_number(struct reg *r, const char *office, int fy, char *out, size_t n, struct werr *e)
{
	char series[40], fys[8];
	fiscal_fmt(fy, fys);
	snprintf(series, sizeof series, "%s-%s", office, fys);
	long long *used = hmap_put(&r->series, series, NULL);
	if (*used >= REG_SERIAL_MAX)
		return werr_set(e, "office", "the numbers of %s have run out: %lld are issued, the "
		                "most a fiscal year holds", series, REG_SERIAL_MAX);
	++*used;
	snprintf(out, n, "%s%s-%06lld", r->dry ? "DRYRUN-" : "", series, *used);
	return 0;
}

void
reg_unnumber(struct reg *r, const char *order_no)
{
	char series[40];
	long long num;
	const char *no = strncmp(order_no, "DRYRUN-", 7) ? order_no : order_no + 7;
	if (parse_number(no, series, sizeof series, &num) < 0)
		return;
	long long *used = hmap_get(&r->series, series);
	if (used && *used == num)
		--*used;
}

/* ---- adding, and printing after the register is synced ---- */

static void
pend_new(struct reg *r, size_t at, const char *no, off_t off)
{
	if (r->npend == r->cpend) {
		r->cpend = r->cpend ? r->cpend * 2 : 256;
		r->pend = xrealloc(r->pend, r->cpend * sizeof *r->pend);
	}
	struct reg_pend *p = &r->pend[r->npend++];
	p->at = at;
	p->n = r->pending.n - at;
	p->no = no;
	p->off = off;
}

int
reg_flush(struct reg *r, FILE *out, struct werr *e)
{
	if (!r->npend)
		return 0;
	if (r->halted) {
		/* Standard output or the register failed: register nothing more. */
		r->pending.n = 0;
		r->npend = 0;
		return 0;
	}
	if (r->settle)
		r->settle(r->settle_ctx, &r->pending);
	for (size_t i = 0; !r->dry && i < r->npend; i++) {
		struct reg_pend *p = &r->pend[i];
		if (p->off >= 0 && store_add(&r->s, r->pending.p + p->at, p->n - 1) != p->off)
			die("internal error: the register's line for %s is not where it was foreseen",
			    p->no);
	}
	if (!r->dry && store_flush(&r->s, e) < 0) {
		r->halted = 1;
		r->pending.n = 0;
		r->npend = 0;
		return -1;
	}
	/* Every line, registered or printed again, is in pending in input order. */
	if (fwrite(r->pending.p, 1, r->pending.n, out) != r->pending.n || fflush(out) == EOF) {
		/* What the buffer held is lost with what failed: count the batch. */
		int err = errno;
		r->halted = 1;
		for (size_t j = 0; j < r->npend; j++)
			if (r->pend[j].off >= 0 && !r->dry && !r->lost++)
				snprintf(r->lost_first, sizeof r->lost_first, "%s", r->pend[j].no);
		r->pending.n = 0;
		r->npend = 0;
		return werr_set(e, "<stdout>", "write error: %s", strerror(err));
	}
	r->pending.n = 0;
	r->npend = 0;
	return 0;
}

static int
added(struct reg *r, FILE *out, struct werr *e)
{
	if (r->npend >= FLUSH_RECORDS || r->pending.n >= FLUSH_BYTES)
		return reg_flush(r, out, e);
	return 0;
}

int
reg_add_line(struct reg *r, const json_t *rec, const char *line, size_t n, FILE *out,
             struct werr *e)
{
	size_t at = r->pending.n;
	buf_add(&r->pending, line, n);
	struct reg_loc loc = { r->next, (uint32_t)(store_line_len(&r->s, n - 1) - 1), 0 };
	const char *no;
	if (index_line(r, rec, loc, &no, e) < 0) {
		r->pending.n = at;
		return -1;
	}
	pend_new(r, at, no, r->next);
	r->next += (off_t)loc.len + 1;
	return added(r, out, e);
}

int
reg_add(struct reg *r, const json_t *rec, FILE *out, struct werr *e)
{
	struct buf b = { 0 };
	rec_dump(rec, &b);
	int rc = reg_add_line(r, rec, b.p, b.n, out, e);
	buf_free(&b);
	return rc;
}

void
reg_print(struct reg *r, const char *rec, size_t n)
{
	size_t at = r->pending.n;
	buf_add(&r->pending, rec, n);
	buf_addc(&r->pending, '\n');
	pend_new(r, at, NULL, -1);
}

int
reg_close(struct reg *r, FILE *out, struct werr *e)
{
	int rc = reg_flush(r, out, e);
	store_close(&r->s);
	hmap_free(&r->orders);
	hmap_free(&r->dups);
	hmap_free(&r->firsts);
	hmap_free(&r->series);
	buf_free(&r->pending);
	free(r->pend);
	free_ring(r);
	return rc;
}

/* ---- printing what the register holds ---- */

struct reprint {
	struct reg_select *sel;
	struct reg *r;
	FILE *out;
	struct hmap dated; /* orders issued on sel->date */
	unsigned long printed, refused;
};

static int
selected(struct reprint *rp, const json_t *o)
{
	struct reg_select *sel = rp->sel;
	const char *no = jstr(o, "order_no");
	int any = 0;
	if (sel->since) {
		any = 1;
		if (!sel->since_found && !strcmp(no, sel->since))
			sel->since_found = 1;
		if (sel->since_found)
			return 1;
	}
	for (size_t i = 0; i < sel->nnumbers; i++) {
		any = 1;
		if (!strcmp(no, sel->numbers[i]))
			return sel->found[i] = 1;
	}
	if (sel->by_date) {
		any = 1;
		const char *is = jstr(o, "issued");
		wdate d;
		const char *why;
		if (is && date_parse(is, &d, &why) == 0 && d == sel->date)
			hmap_put(&rp->dated, no, NULL);
		if (hmap_get(&rp->dated, no))
			return 1;
	}
	return !any;
}

static int
on_reprint(void *ctx, const struct store_rec *sr, struct werr *e)
{
	struct reprint *rp = ctx;
	json_t *o = rec_parse(sr->p, sr->n, e);
	if (!o || rec_validate(o, e) < 0) {
		json_decref(o);
		return -1;
	}
	int sel = selected(rp, o);
	json_decref(o);
	if (!sel)
		return 0;
	struct werr ve;
	o = rec_parse(sr->p, sr->n, &ve);
	if (verify_rec(rp->r, o, 0, sr->line, &ve) < 0) {
		json_decref(o);
		warnf("%s: %s", ve.field, ve.msg);
		rp->refused++;
		return 0;
	}
	json_decref(o);
	if (fwrite(sr->p, 1, sr->n, rp->out) != sr->n || putc('\n', rp->out) == EOF)
		return werr_set(e, "<stdout>", "write error: %s", strerror(errno)), -2;
	rp->printed++;
	return 0;
}

int
reg_reprint(struct reg_select *sel, FILE *out, unsigned long *printed, unsigned long *refused,
            struct werr *e)
{
	struct reg r;
	memset(&r, 0, sizeof r);
	struct reprint rp = { sel, &r, out, { 0 }, 0, 0 };
	hmap_init(&rp.dated, 1);
	char *path = home_path("register/orders.jsonl");
	struct store_opts o = { .check = STORE_SUM, .lock = STORE_READ, .adopt = 1 };
	int rc = store_open(&r.s, path, &o, on_reprint, &rp, e);
	store_close(&r.s);
	free(path);
	free_ring(&r);
	hmap_free(&rp.dated);
	*printed = rp.printed;
	*refused = rp.refused;
	return rc;
}
