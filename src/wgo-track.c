/* wgo-track: the service corner's question, "where is my grant?". Every application
 * and order matching a NID, a mobile number, an application or order number, or a
 * name, read back from the index wgo-export keeps, and for each, where it stands and
 * what happens next (the one order history says), as the desk would say it. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <sqlite3.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: wgo-track [OPTIONS] QUERY...\n"
	"Find every application and order of a person, by NID, mobile number, application\n"
	"or order number, or name (Bengali or English), and tell where each stands and what\n"
	"happens next: in Bengali, in English with --lang en, or as track records.\n"
	"The answer is read from the index wgo-export keeps (wgo-track(1) says how to keep\n"
	"it up to date). Words of QUERY are one name.\n"
	"\n"
	"Options:\n"
	"  -d, --database FILE        the index (default: track.database in wgo.conf, else\n"
	"                             $WGO_HOME/track.sqlite)\n"
	"  -l, --lang LANG            bn (default) or en\n"
	"      --records              write one track record per match instead of text\n"
	"  -a, --as-of DATE           tell where things stand on DATE (default: today)\n"
	"  -n, --limit N              tell at most N matches (default 10; 0: all)\n"
	"  -H, --holidays FILE        holiday file for working days\n"
	"      --branches FILE        branch names by routing number (default\n"
	"                             $WGO_HOME/branches)\n"
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"      --now INSTANT          take this as the current time\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 something found, 1 nothing found, 2 usage or operational error.\n";

static const char *o_db, *o_asof, *o_holidays, *o_branches;
static int o_records, o_bn = 1;
static long o_limit = 10;

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'd': o_db = arg; break;
	case 'l':
		if ((o_bn = lang_parse(arg)) < 0)
			die_usage("--lang: bn or en, not '%s'", arg);
		break;
	case 1: o_records = 1; break;
	case 'a': o_asof = arg; break;
	case 'n':
		if (uint_parse(arg, 1000000, &o_limit) < 0)
			die_usage("--limit: a number, 0 or more");
		break;
	case 'H': o_holidays = arg; break;
	case 2: o_branches = arg; break;
	case 3: wgo_set_home(arg); break;
	case 4: wgo_opt_now(arg); break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

static const char *
tr(const char *en, const char *bn)
{
	return o_bn ? bn : en;
}

static sqlite3 *db;
static const char *db_path;
static struct calendar cal;
static struct sched_params params;
static struct name_rules names;
static struct branches branches;
static wdate as_of, today;

static _Noreturn void
db_die(const char *what)
{
	warnf("%s: %s: %s", db_path, what, sqlite3_errmsg(db));
	sqlite3_close(db);
	exit(wgo_finish(WGO_EXIT_USAGE));
}

static sqlite3_stmt *
prepare(const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		db_die(sql);
	return st;
}

/* Statements asked for again and again (each order's records): prepared once,
 * reset and cleared for each use, finalized at the end. */
struct cached {
	char *sql;
	sqlite3_stmt *st;
};
static struct cached *stc;
static size_t nstc;

static sqlite3_stmt *
prepare_cached(const char *sql)
{
	for (size_t i = 0; i < nstc; i++)
		if (!strcmp(stc[i].sql, sql)) {
			sqlite3_reset(stc[i].st);
			sqlite3_clear_bindings(stc[i].st);
			return stc[i].st;
		}
	stc = xrealloc(stc, (nstc + 1) * sizeof *stc);
	stc[nstc].sql = xstrdup(sql);
	stc[nstc].st = prepare(sql);
	return stc[nstc++].st;
}

static void
cache_free(void)
{
	for (size_t i = 0; i < nstc; i++) {
		free(stc[i].sql);
		sqlite3_finalize(stc[i].st);
	}
	free(stc);
}

static void
bind(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* ---- records back from wgo-export's tables ----
 * A table holds a kind's records, a column a field: its path with '_' for '.'
 * (wgo-export(1)), an array of objects a table of its own, KIND_ARRAY, keyed by the
 * record's key and the item's idx. The schema says which column is which. */

enum { C_TEXT, C_INT, C_BOOL, C_JSON };
struct col {
	char *name;
	char *comp[8];
	int ncomp, ctype;
};
struct kmap {
	const char *kind, *table;
	struct col *c;
	size_t nc;
	/* its array of objects, if it has one (an order's rates) */
	char *arr, *arr_table;
	struct col *ac;
	size_t nac;
};

static void
col_add(struct col **cs, size_t *n, const struct rec_field *f, const struct rec_field *stop)
{
	const struct rec_field *chain[8];
	int k = 0;
	for (const struct rec_field *p = f; p && p != stop && k < 8; p = p->parent)
		chain[k++] = p;
	*cs = xrealloc(*cs, (*n + 1) * sizeof **cs);
	struct col *c = &(*cs)[(*n)++];
	memset(c, 0, sizeof *c);
	struct buf b = { 0 };
	for (int i = k - 1; i >= 0; i--) {
		buf_printf(&b, "%s%s", chain[i]->name, i ? "_" : "");
		c->comp[c->ncomp++] = xstrdup(chain[i]->name);
	}
	c->name = xstrdup(buf_str(&b));
	buf_free(&b);
	const char *t = f->type;
	c->ctype = !strcmp(t, "integer") || !strcmp(t, "poisha") || !strcmp(t, "signed poisha") ? C_INT
	           : !strcmp(t, "boolean")                                                      ? C_BOOL
	           : !strcmp(t, "strings") || !strcmp(t, "object")                              ? C_JSON
	                                                                                         : C_TEXT;
}

static int
on_field(const struct rec_field *f, void *ctx)
{
	struct kmap *m = ctx;
	if (f->depth == 0 && (!strcmp(f->name, "kind") || !strcmp(f->name, "v")))
		return 0;
	const struct rec_field *arr = NULL;
	for (const struct rec_field *p = f->parent; p; p = p->parent)
		if (!strcmp(p->type, "array")) {
			if (arr)
				return 0; /* an array in an array item: not read here */
			arr = p;
		}
	if (f->nested && !strcmp(f->type, "object"))
		return 0;
	if (f->nested && !strcmp(f->type, "array")) {
		if (!arr && !m->arr) {
			struct buf b = { 0 };
			buf_printf(&b, "%s_%s", m->kind, f->name);
			m->arr_table = xstrdup(buf_str(&b));
			m->arr = xstrdup(f->name);
			buf_free(&b);
		}
		return 0;
	}
	if (arr)
		col_add(&m->ac, &m->nac, f, arr);
	else
		col_add(&m->c, &m->nc, f, NULL);
	return 0;
}

#define KM(k, t) { .kind = k, .table = t }
static struct kmap kmaps[] = {
	KM("order", "orders"), KM("application", "applications"), KM("return", "returns"),
	KM("verification", "verifications"), KM("payment", "payments"), KM("stop", "stops"),
	KM("card_return", "card_returns"), KM("push", "pushes"), KM("complaint", "complaints"),
};
#define NKMAPS (sizeof kmaps / sizeof kmaps[0])

static struct kmap *
kmap(const char *kind)
{
	for (size_t i = 0; i < NKMAPS; i++)
		if (!strcmp(kmaps[i].kind, kind)) {
			if (!kmaps[i].c)
				rec_schema_walk(kind, on_field, &kmaps[i]);
			return &kmaps[i];
		}
	die("internal error: no table for %s", kind);
}

static void
cols_free(struct col *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].name);
		for (int k = 0; k < c[i].ncomp; k++)
			free(c[i].comp[k]);
	}
	free(c);
}

static void
set_path(json_t *o, const struct col *c, json_t *v)
{
	for (int i = 0; i < c->ncomp - 1; i++) {
		json_t *n = json_object_get(o, c->comp[i]);
		if (!n) {
			n = json_object();
			json_object_set_new(o, c->comp[i], n);
		}
		o = n;
	}
	json_object_set_new(o, c->comp[c->ncomp - 1], v);
}

/* The row's columns named as cs names them, into o. */
static void
row_into(json_t *o, sqlite3_stmt *st, const struct col *cs, size_t nc)
{
	int n = sqlite3_column_count(st);
	for (int i = 0; i < n; i++) {
		if (sqlite3_column_type(st, i) == SQLITE_NULL)
			continue;
		const char *name = sqlite3_column_name(st, i);
		const struct col *c = NULL;
		for (size_t k = 0; k < nc && !c; k++)
			if (!strcmp(cs[k].name, name))
				c = &cs[k];
		if (!c)
			continue; /* record_key, or a key repeated in an item's row */
		const char *s = (const char *)sqlite3_column_text(st, i);
		json_t *v = c->ctype == C_INT    ? json_integer(sqlite3_column_int64(st, i))
		            : c->ctype == C_BOOL ? json_boolean(sqlite3_column_int64(st, i))
		            : c->ctype == C_JSON ? json_loads(s, JSON_DECODE_ANY, NULL)
		                                 : json_string(s);
		if (v)
			set_path(o, c, v);
	}
}

/* Every record of kind whose columns in where (SQL, with ?1, ?2 ...) equal the
 * values, in order, each checked by the schema; damage is warned of and left out. */
static json_t *
records(const char *kind, const char *where, const char *order, const char *v1, const char *v2)
{
	struct kmap *m = kmap(kind);
	struct buf q = { 0 };
	buf_printf(&q, "SELECT * FROM %s WHERE %s ORDER BY %s", m->table, where, order);
	sqlite3_stmt *st = prepare_cached(buf_str(&q)), *kids = NULL;
	bind(st, 1, v1);
	if (v2)
		bind(st, 2, v2);
	if (m->arr) {
		q.n = 0;
		const char *const *key = rec_kind_key(kind);
		buf_printf(&q, "SELECT * FROM %s WHERE ", m->arr_table);
		for (int i = 0; key[i]; i++)
			buf_printf(&q, "%s%s = ?%d", i ? " AND " : "", key[i], i + 1);
		buf_adds(&q, " ORDER BY idx");
		kids = prepare_cached(buf_str(&q));
	}
	json_t *out = json_array();
	unsigned long row = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *r = rec_new(kind);
		row++;
		row_into(r, st, m->c, m->nc);
		if (kids) {
			const char *const *key = rec_kind_key(kind);
			sqlite3_reset(kids);
			for (int i = 0; key[i]; i++) {
				json_t *kv = json_object_get(r, key[i]);
				if (json_is_integer(kv))
					sqlite3_bind_int64(kids, i + 1, json_integer_value(kv));
				else
					bind(kids, i + 1, json_string_value(kv));
			}
			json_t *items = json_array();
			while (sqlite3_step(kids) == SQLITE_ROW) {
				json_t *it = json_object();
				row_into(it, kids, m->ac, m->nac);
				json_array_append_new(items, it);
			}
			if (json_array_size(items))
				json_object_set_new(r, m->arr, items);
			else
				json_decref(items);
		}
		struct werr e;
		if (rec_validate(r, &e) < 0) {
			warnf("%s: %s row %lu: %s: %s (left out)", db_path, m->table, row, e.field, e.msg);
			json_decref(r);
			continue;
		}
		json_array_append_new(out, r);
	}
	if (sqlite3_errcode(db) != SQLITE_DONE && sqlite3_errcode(db) != SQLITE_ROW &&
	    sqlite3_errcode(db) != SQLITE_OK)
		db_die(m->table);
	sqlite3_reset(st);
	if (kids)
		sqlite3_reset(kids);
	buf_free(&q);
	return out;
}

/* ---- complaints: where each stands, from the complaint model (complaint.c) ---- */

struct complaint {
	char office[8], id[48];
};

static struct cpl_rules crules;

/* The day in Bangladesh of an instant as a record gives it (the epoch's when it
 * is not one: records here passed the schema). */
static wdate
at_day(const char *instant)
{
	int64_t t = 0;
	const char *why;
	instant_parse(instant ? instant : "", &t, &why);
	return bd_day(t);
}

/* Where the complaint stands on as_of: its events (in seq order) made by then,
 * folded by the model into s; NULL when it was not made by then. */
static const struct cpl *
complaint_fold(struct cpl_set *s, json_t *evs, const char *id)
{
	json_t *ev;
	size_t i;
	json_array_foreach(evs, i, ev) {
		int64_t t;
		const char *why;
		if (instant_parse(jstr(ev, "at") ? jstr(ev, "at") : "", &t, &why) < 0 || bd_day(t) > as_of)
			break;
		struct werr e;
		if (cpl_apply(s, ev, &e) < 0)
			warnf("%s: %s: %s (the event left out)", id, e.field, e.msg);
	}
	return cpl_get(s, id);
}

/* ---- who was asked about ---- */

enum { M_NID, M_MOBILE, M_ORDER, M_APPLICATION, M_NAME };
static const char *const match_names[] = { "nid", "mobile", "order_no", "application_no", "name" };

struct subject {
	char office[8];
	char ref[80];   /* the order's number, or the application's */
	int order;      /* 1 for an order */
	int match, how; /* how it was found: M_*, and NAME_* for a name */
};
static struct subject *subj;
static size_t nsubj;
static char q_nid[32], q_mobile[32]; /* the query's NID and mobile, in normal form */
static struct complaint *qcpl; /* complaints found by the query's own numbers */
static size_t nqcpl;

static struct hmap subj_seen; /* "o|a OFFICE REF": each subject once */

static void
add_subject(const char *kind, const char *office, const char *ref, int match, int how)
{
	int order = !strcmp(kind, "order"), isnew;
	char key[120];
	if (!subj_seen.cap)
		hmap_init(&subj_seen, 1);
	snprintf(key, sizeof key, "%c %s %s", order ? 'o' : 'a', office, ref);
	hmap_put(&subj_seen, key, &isnew);
	if (!isnew)
		return;
	subj = xrealloc(subj, (nsubj + 1) * sizeof *subj);
	struct subject *s = &subj[nsubj++];
	memset(s, 0, sizeof *s);
	snprintf(s->office, sizeof s->office, "%s", office);
	snprintf(s->ref, sizeof s->ref, "%s", ref);
	s->order = order;
	s->match = match;
	s->how = how;
}

static void
by_id(const char *what, const char *value, int match)
{
	sqlite3_stmt *st = prepare("SELECT kind, office, ref FROM lookup_ids WHERE what = ?1 AND "
	                           "value = ?2 ORDER BY kind DESC, office, ref");
	bind(st, 1, what);
	bind(st, 2, value);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *office = (const char *)sqlite3_column_text(st, 1);
		const char *ref = (const char *)sqlite3_column_text(st, 2);
		if (strcmp(k, "complaint")) {
			add_subject(k, office, ref, match, 0);
			continue;
		}
		qcpl = xrealloc(qcpl, (nqcpl + 1) * sizeof *qcpl);
		memset(&qcpl[nqcpl], 0, sizeof *qcpl);
		snprintf(qcpl[nqcpl].office, sizeof qcpl->office, "%s", office);
		snprintf(qcpl[nqcpl].id, sizeof qcpl->id, "%s", ref);
		nqcpl++;
	}
	sqlite3_finalize(st);
}

static void
by_order_no(const char *q)
{
	char no[80];
	snprintf(no, sizeof no, "%s", q);
	/* A reference the bank gives, ORDER_NO-rREVISION, names the order too. */
	char *r = strrchr(no, '-');
	if (r && r[1] == 'r' && r[2] && strspn(r + 2, "0123456789") == strlen(r + 2))
		*r = 0;
	sqlite3_stmt *st = prepare("SELECT DISTINCT office FROM orders WHERE order_no = ?");
	bind(st, 1, no);
	while (sqlite3_step(st) == SQLITE_ROW)
		add_subject("order", (const char *)sqlite3_column_text(st, 0), no, M_ORDER, 0);
	sqlite3_finalize(st);
}

/* A candidate of the name search: its key, and how many of the query's word blocks
 * it shares. */
struct cand {
	char kind[12], office[8], ref[80];
	char *key;
	unsigned seen; /* a bit per query word block */
	int joined;    /* found by the block of the letters run together */
};

/* Whether key has every block of bl[] but the letters run together (jb). */
static int
in_every_block(const char *key, const uint64_t *bl, size_t nb, uint64_t jb)
{
	uint64_t cb[32];
	size_t nc = name_key_blocks(key, cb, 32);
	for (size_t i = 0; i < nb; i++) {
		if (bl[i] == jb)
			continue;
		size_t k = 0;
		while (k < nc && cb[k] != bl[i])
			k++;
		if (k == nc)
			return 0;
	}
	return 1;
}

/* Of the word blocks (all but jb), the one with the fewest rows without initials
 * and with as many words: the blocks are stepped through side by side, a row of
 * each in turn, and the first to end is the rarest; reading stops there. (A count
 * of each read whole every common block, Akter's or Begum's: 158,000 rows.) */
static size_t
rarest_block(const uint64_t *bl, size_t nb, uint64_t jb, int words)
{
	sqlite3_stmt *s[32];
	size_t rare = nb;
	int any = 0;
	for (size_t i = 0; i < nb; i++) {
		s[i] = NULL;
		if (bl[i] == jb)
			continue;
		s[i] = prepare("SELECT 1 FROM lookup_names WHERE block = ?1 AND initials = 0 AND words = ?2");
		sqlite3_bind_int64(s[i], 1, (sqlite3_int64)bl[i]);
		sqlite3_bind_int(s[i], 2, words);
		any = 1;
	}
	while (any && rare == nb)
		for (size_t i = 0; i < nb && rare == nb; i++)
			if (s[i] && sqlite3_step(s[i]) != SQLITE_ROW)
				rare = i;
	for (size_t i = 0; i < nb; i++)
		sqlite3_finalize(s[i]);
	return rare;
}

/* The name search: the candidates that share the query's word blocks and have as
 * many words that count, or share one with initials on either side, or share its
 * letters run together, each then compared by the name matcher (names.c), as
 * wgo-scan compares names. A name that matches is always such a candidate
 * (t-names checks it over the labelled pairs). */
static void
by_name(const char *q)
{
	struct buf key = { 0 };
	int words = name_key(&names, q, &key);
	if (words == 0) {
		buf_free(&key);
		return;
	}
	uint64_t bl[32];
	size_t nb = name_key_blocks(buf_str(&key), bl, 32);
	uint64_t jb = name_key_joined_block(buf_str(&key));
	int qinit = strchr(buf_str(&key), '.') != NULL;
	struct hmap cands;
	hmap_init(&cands, sizeof(struct cand));
	static const char cols[] = "SELECT kind, office, ref, name_key FROM lookup_names WHERE ";
	struct buf sql = { 0 };
	sqlite3_stmt *st[4];
	/* A word's block: the rows with as many words and no initials, and those with
	 * initials; with initials in the query, every row. */
	buf_printf(&sql, "%sblock = ?1 AND initials = 0 AND words = ?2 UNION ALL %sblock = ?1 AND "
	           "initials = 1", cols, cols);
	st[0] = prepare(buf_str(&sql));
	sql.n = 0;
	buf_printf(&sql, "%sblock = ?1 AND ?2 = ?2", cols);
	st[1] = prepare(buf_str(&sql));
	sql.n = 0;
	buf_printf(&sql, "%sblock = ?1 AND initials = 0 AND words <> ?2", cols);
	st[2] = prepare(buf_str(&sql));
	sql.n = 0;
	buf_printf(&sql, "%sblock = ?1 AND initials = 1 AND ?2 = ?2", cols);
	st[3] = prepare(buf_str(&sql));
	/* A name without initials matches one without initials (the same words, or
	 * reordered) only if it is in every word's block: so in the rarest, and the
	 * others need only give the names with initials. (A common word, Md or
	 * Begum, has a block of tens of thousands of names.) */
	size_t rare = nb;
	if (!qinit)
		rare = rarest_block(bl, nb, jb, words);
	unsigned rare_bit = 0;
	int nword = 0;
	struct buf ck = { 0 };
	for (size_t i = 0; i < nb; i++) {
		int joined = bl[i] == jb;
		sqlite3_stmt *s = joined ? st[2] : qinit ? st[1] : i == rare ? st[0] : st[3];
		unsigned bit = joined ? 0 : 1u << (nword < 31 ? nword++ : 31);
		if (i == rare)
			rare_bit = bit;
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, (sqlite3_int64)bl[i]);
		sqlite3_bind_int(s, 2, words);
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *v[4];
			for (int k = 0; k < 4; k++)
				v[k] = (const char *)sqlite3_column_text(s, k);
			ck.n = 0;
			for (int k = 0; k < 4; k++) {
				buf_adds(&ck, v[k] ? v[k] : "");
				if (k < 3)
					buf_addc(&ck, '\t');
			}
			int isnew;
			struct cand *c = hmap_put(&cands, buf_str(&ck), &isnew);
			if (isnew) {
				snprintf(c->kind, sizeof c->kind, "%s", v[0]);
				snprintf(c->office, sizeof c->office, "%s", v[1]);
				snprintf(c->ref, sizeof c->ref, "%s", v[2]);
				c->key = xstrdup(v[3]);
			}
			c->seen |= bit;
			c->joined |= joined;
		}
	}
	size_t it = 0;
	struct cand *c;
	while ((c = hmap_iter(&cands, &it))) {
		int init = qinit || strchr(c->key, '.');
		/* Without initials, and not by the letters run together, a name that
		 * matches is in every word's block, not only the rarest (t-names): that
		 * much is checked on its key before the matcher, which costs more. */
		if (!init && !c->joined && (c->seen & rare_bit) && !in_every_block(c->key, bl, nb, jb)) {
			free(c->key);
			continue;
		}
		if (c->joined || (init ? c->seen != 0 : (c->seen & rare_bit) != 0)) {
			int how = name_key_match(buf_str(&key), c->key);
			if (how)
				add_subject(c->kind, c->office, c->ref, M_NAME, how);
		}
		free(c->key);
	}
	hmap_free(&cands);
	for (int k = 0; k < 4; k++)
		sqlite3_finalize(st[k]);
	buf_free(&sql);
	buf_free(&key);
	buf_free(&ck);
}

/* Whether s has a letter (Latin or Bengali) and no digit. */
static int
namelike(const char *s)
{
	int letter = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		uint32_t c;
		int k = utf8_decode(p, strlen((const char *)p), &c);
		if (!k)
			return 0;
		if ((c >= '0' && c <= '9') || (c >= 0x09E6 && c <= 0x09EF))
			return 0;
		letter |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0x0985 && c <= 0x09DF);
		p += k;
	}
	return letter;
}

static int
subject_cmp(const void *a, const void *b)
{
	const struct subject *x = a, *y = b;
	if (x->match != y->match)
		return x->match - y->match;
	if (x->how != y->how)
		return x->how - y->how;
	if (x->order != y->order)
		return y->order - x->order;
	int c = strcmp(x->office, y->office);
	return c ? c : strcmp(x->ref, y->ref);
}

/* An application that became an order is told as the order. */
static void
fold_applications(void)
{
	sqlite3_stmt *st = prepare("SELECT ref FROM lookup_ids WHERE what = 'application_no' AND "
	                           "value = ?1 AND kind = 'order' AND office = ?2");
	size_t n = nsubj;
	for (size_t i = 0; i < n; i++) {
		if (subj[i].order)
			continue;
		sqlite3_reset(st);
		bind(st, 1, subj[i].ref);
		bind(st, 2, subj[i].office);
		int had = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			add_subject("order", subj[i].office, (const char *)sqlite3_column_text(st, 0),
			            subj[i].match, subj[i].how);
			had = 1;
		}
		if (had)
			subj[i].ref[0] = 0; /* dropped below */
	}
	sqlite3_finalize(st);
	size_t k = 0;
	for (size_t i = 0; i < nsubj; i++)
		if (subj[i].ref[0])
			subj[k++] = subj[i];
	nsubj = k;
}

static void
find(const char *q)
{
	char t[256], norm[32];
	const char *why;
	/* Digits as typed, Bengali or not, with the spaces and hyphens people put in. */
	size_t o = 0;
	if (bn_digits_to_ascii(q, t, sizeof t) == 0)
		for (size_t i = 0; t[i]; i++)
			if (t[i] != ' ' && t[i] != '-')
				t[o++] = t[i];
	t[o] = 0;
	if (o && nid_check(t, norm, sizeof norm, &why) == 0) {
		snprintf(q_nid, sizeof q_nid, "%s", norm);
		by_id("nid", norm, M_NID);
	}
	if (o && mobile_check(t, norm, sizeof norm, &why) == 0) {
		snprintf(q_mobile, sizeof q_mobile, "%s", norm);
		by_id("mobile", norm, M_MOBILE);
	}
	by_order_no(q);
	by_id("application_no", q, M_APPLICATION);
	if (!nsubj && !nqcpl && namelike(q))
		by_name(q);
	fold_applications();
	if (nsubj > 1)
		qsort(subj, nsubj, sizeof *subj, subject_cmp);
}

/* ---- one order's story, as of as_of ---- */

enum { EV_RECEIVED, EV_APPROVED, EV_ISSUED, EV_AMENDED, EV_SENT, EV_REFUSED, EV_RETURNED,
       EV_VERIFIED, EV_PAID, EV_STOPPED, EV_SUSPENDED, EV_CARD };
static const char *const ev_names[] = { "received", "approved", "issued", "amended", "sent",
	                                "refused", "returned", "verified", "paid", "stopped",
	                                "suspended", "card_returned" };

struct event {
	wdate date;
	int type, revision, arrears;
	char code[8], branch[10];
	const char *reason;
	wmonth month;
	int64_t amount;
	int has_month, has_amount, has_revision;
};

struct story {
	struct event *ev;
	size_t n;
};

static struct event *
ev_new(struct story *s, wdate d, int type)
{
	s->ev = xrealloc(s->ev, (s->n + 1) * sizeof *s->ev);
	struct event *e = &s->ev[s->n++];
	memset(e, 0, sizeof *e);
	e->date = d;
	e->type = type;
	return e;
}

static int
ev_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->type != y->type)
		return x->type - y->type;
	if (x->revision != y->revision)
		return x->revision - y->revision;
	return x->month < y->month ? -1 : x->month > y->month;
}

static int
jdate(const json_t *r, const char *path, wdate *d)
{
	const char *why, *s = json_string_value(jget(r, path));
	return s && date_parse(s, d, &why) == 0;
}

static json_t *
date_json(wdate d)
{
	char s[11];
	date_fmt(d, s);
	return json_string(s);
}

static json_t *
month_json(wmonth m)
{
	char s[8];
	month_fmt(m, s);
	return json_string(s);
}

/* A NID or mobile number: whole when it is what was asked, masked otherwise. */
static json_t *
masked(int what, const char *s)
{
	if (!s)
		return NULL;
	if ((what == PII_NID && !strcmp(s, q_nid)) || (what == PII_MOBILE && !strcmp(s, q_mobile)))
		return json_string(s);
	struct buf b = { 0 };
	pii_mask(what, s, &b);
	json_t *v = json_string(buf_str(&b));
	buf_free(&b);
	return v;
}

static void
set_opt(json_t *o, const char *key, json_t *v)
{
	if (v)
		json_object_set_new(o, key, v);
}

/* The complaints filed under the numbers of a person (and the query's own). */
static void
complaints_of(json_t *tr, json_t *people)
{
	sqlite3_stmt *ids = prepare_cached("SELECT office, ref FROM lookup_ids WHERE what = ?1 AND "
	                                   "value = ?2 AND kind = 'complaint'");
	struct complaint *cs = NULL;
	size_t n = 0;
	for (size_t i = 0; i < nqcpl; i++) {
		cs = xrealloc(cs, (n + 1) * sizeof *cs);
		cs[n++] = qcpl[i];
	}
	json_t *p;
	size_t i;
	json_array_foreach(people, i, p) {
		const char *what[] = { "nid", "mobile" };
		const char *val[] = { json_string_value(jget(p, "beneficiary.nid")),
			              json_string_value(jget(p, "beneficiary.mobile")) };
		for (int k = 0; k < 2; k++) {
			if (!val[k])
				continue;
			sqlite3_reset(ids);
			bind(ids, 1, what[k]);
			bind(ids, 2, val[k]);
			while (sqlite3_step(ids) == SQLITE_ROW) {
				const char *off = (const char *)sqlite3_column_text(ids, 0);
				const char *id = (const char *)sqlite3_column_text(ids, 1);
				size_t j;
				for (j = 0; j < n && (strcmp(cs[j].office, off) || strcmp(cs[j].id, id)); j++)
					;
				if (j < n)
					continue;
				cs = xrealloc(cs, (n + 1) * sizeof *cs);
				memset(&cs[n], 0, sizeof *cs);
				snprintf(cs[n].office, sizeof cs->office, "%s", off);
				snprintf(cs[n].id, sizeof cs->id, "%s", id);
				n++;
			}
		}
	}
	sqlite3_reset(ids);
	json_t *arr = json_array();
	for (size_t k = 0; k < n; k++) {
		json_t *evs = records("complaint", "office = ?1 AND id = ?2", "seq", cs[k].office, cs[k].id);
		struct cpl_set set;
		cpl_set_init(&set, &crules, 1);
		const struct cpl *c = complaint_fold(&set, evs, cs[k].id);
		if (c && c->status != CPL_RESOLVED) {
			json_t *o = json_object();
			wdate dl = cpl_deadline(&set, c);
			json_object_set_new(o, "id", json_string(cs[k].id));
			json_object_set_new(o, "status", json_string(cpl_status_name(c->status)));
			json_object_set_new(o, "level", json_integer(c->level));
			if (c->service && *c->service)
				json_object_set_new(o, "service", json_string(c->service));
			if (c->category && *c->category)
				json_object_set_new(o, "category", json_string(c->category));
			json_object_set_new(o, "added", date_json(bd_day(c->added)));
			json_object_set_new(o, "deadline", date_json(dl));
			json_object_set_new(o, "overdue", json_boolean(cpl_overdue(&set, c, as_of)));
			json_array_append_new(arr, o);
		}
		cpl_set_free(&set);
		json_decref(evs);
	}
	free(cs);
	if (json_array_size(arr))
		json_object_set_new(tr, "complaints", arr);
	else
		json_decref(arr);
}

/* The person and the grant, from the latest revision (or the application). */
static void
head(json_t *tr, const struct subject *s, const json_t *r)
{
	json_object_set_new(tr, "match", json_string(match_names[s->match]));
	if (s->match == M_NAME)
		json_object_set_new(tr, "match_how", json_string(name_match_how(s->how)));
	json_object_set_new(tr, "office", json_string(s->office));
	set_opt(tr, "application_no", json_deep_copy(json_object_get(r, "application_no")));
	json_object_set_new(tr, "grant", json_string(jstr(r, "grant")));
	set_opt(tr, "funeral_for", json_deep_copy(json_object_get(r, "funeral_for")));
	const char *keys[][2] = { { "name_bn", "beneficiary.name_bn" },
		                  { "name_en", "beneficiary.name_en" },
		                  { "relation", "beneficiary.relation" },
		                  { "employee", "employee.name" } };
	for (size_t i = 0; i < 4; i++)
		set_opt(tr, keys[i][0], json_deep_copy(jget(r, keys[i][1])));
	set_opt(tr, "nid", masked(PII_NID, json_string_value(jget(r, "beneficiary.nid"))));
	set_opt(tr, "mobile", masked(PII_MOBILE, json_string_value(jget(r, "beneficiary.mobile"))));
	json_object_set_new(tr, "as_of", date_json(as_of));
}

static json_t *
events_json(struct story *s)
{
	if (s->n > 1)
		qsort(s->ev, s->n, sizeof *s->ev, ev_cmp);
	json_t *a = json_array();
	for (size_t i = 0; i < s->n; i++) {
		const struct event *e = &s->ev[i];
		json_t *o = json_object();
		json_object_set_new(o, "date", date_json(e->date));
		json_object_set_new(o, "event", json_string(ev_names[e->type]));
		if (e->has_revision)
			json_object_set_new(o, "revision", json_integer(e->revision));
		if (e->code[0])
			json_object_set_new(o, "code", json_string(e->code));
		if (e->reason && *e->reason)
			json_object_set_new(o, "reason", json_string(e->reason));
		if (e->branch[0])
			json_object_set_new(o, "branch", json_string(e->branch));
		if (e->has_month)
			json_object_set_new(o, "month", month_json(e->month));
		if (e->has_amount)
			json_object_set_new(o, "amount_poisha", json_integer(e->amount));
		if (e->type == EV_PAID)
			json_object_set_new(o, "arrears", json_boolean(e->arrears));
		json_array_append_new(a, o);
	}
	return a;
}

static void
next_json(json_t *tr, const char *action, wdate from, wdate by, wmonth month, int64_t amount)
{
	json_t *n = json_object();
	json_object_set_new(n, "action", json_string(action));
	if (from)
		json_object_set_new(n, "from", date_json(from));
	if (by)
		json_object_set_new(n, "by", date_json(by));
	if (month >= 0)
		json_object_set_new(n, "month", month_json(month));
	if (amount >= 0)
		json_object_set_new(n, "amount_poisha", json_integer(amount));
	json_object_set_new(tr, "next", n);
}

/* An application before its order: a (the application, or the order when the
 * application is not held) received, or approved, on as_of. */
static json_t *
application_stage(const struct subject *s, const json_t *a, json_t *apps)
{
	json_t *tr = rec_new("track");
	head(tr, s, a);
	struct story st = { 0 };
	wdate d;
	if (jdate(a, "received", &d) && d <= as_of)
		ev_new(&st, d, EV_RECEIVED);
	int approved = jdate(a, "sanction.date", &d) && d <= as_of;
	if (approved)
		ev_new(&st, d, EV_APPROVED);
	json_object_set_new(tr, "state", json_string(approved ? "approved" : "received"));
	if (approved || jdate(a, "received", &d))
		json_object_set_new(tr, "since", date_json(d));
	json_object_set_new(tr, "events", events_json(&st));
	next_json(tr, approved ? "issue" : "approve", 0, 0, -1, -1);
	complaints_of(tr, apps);
	free(st.ev);
	return tr;
}

/* An application with no order yet. */
static json_t *
tell_application(const struct subject *s)
{
	json_t *apps = records("application", "office = ?1 AND application_no = ?2", "application_no",
	                       s->office, s->ref);
	json_t *a = json_array_get(apps, 0);
	json_t *tr = a ? application_stage(s, a, apps) : NULL;
	json_decref(apps);
	return tr;
}

/* The orders' records as the history takes them, each with where it was read. */
static void
feed(struct hist *h, json_t *recs, const char *table)
{
	json_t *r;
	size_t i;
	json_array_foreach(recs, i, r) {
		struct rpos pos = { table, (unsigned long)i + 1 };
		struct werr e;
		if (hist_add(h, r, &pos, &e) < 0)
			warnf("%s: %s row %zu: %s: %s (not counted)", db_path, table, i + 1, e.field, e.msg);
	}
}

static json_t *
tell_order(const struct subject *s)
{
	const char *no = s->ref;
	json_t *ords = records("order", "order_no = ?1", "revision", no, NULL);
	if (!json_array_size(ords)) {
		json_decref(ords);
		return NULL;
	}
	json_t *rets = records("return", "order_no = ?1", "date, return_id", no, NULL);
	json_t *vers = records("verification", "order_no = ?1", "date, verification_id", no, NULL);
	json_t *pays = records("payment", "order_no = ?1", "paid, payment_id", no, NULL);
	json_t *stops = records("stop", "order_no = ?1", "date", no, NULL);
	json_t *cards = records("card_return", "order_no = ?1", "returned", no, NULL);
	json_t *pushes = records("push", "order_no = ?1", "at, revision", no, NULL);
	json_t *r0 = json_array_get(ords, 0);
	json_t *apps = records("application", "office = ?1 AND application_no = ?2", "application_no",
	                       s->office, jstr(r0, "application_no"));

	struct hist h;
	hist_init(&h, &params, as_of > today ? as_of : today);
	json_t *tr = NULL;
	wdate issued;
	if (jdate(r0, "issued", &issued) && issued > as_of) {
		/* No order yet on that day: where its application stood. */
		json_t *app = json_array_get(apps, 0);
		tr = application_stage(s, app ? app : r0, apps);
		goto out;
	}
	feed(&h, ords, "orders");
	feed(&h, rets, "returns");
	feed(&h, vers, "verifications");
	feed(&h, stops, "stops");
	feed(&h, cards, "card_returns");
	hist_finish(&h);
	const struct hist_order *o = hist_find(&h, no);
	struct hist_status st;
	struct werr e;
	if (!o || hist_status(&h, o, as_of, &st, &e) < 0) {
		if (o)
			warnf("order %s: %s: %s", no, e.field, e.msg);
		goto out;
	}
	/* The revision that counts on as_of names the person and the grant. */
	json_t *cur = NULL, *r;
	size_t i;
	json_array_foreach(ords, i, r)
		if (jint(r, "revision", -1) == st.rev->revision)
			cur = r;
	tr = rec_new("track");
	head(tr, s, cur);
	json_object_set_new(tr, "order_no", json_string(no));
	json_object_set_new(tr, "revision", json_integer(st.rev->revision));

	struct story sy = { 0 };
	struct event *ev;
	wdate d;
	json_t *app = json_array_get(apps, 0);
	if ((jdate(r0, "received", &d) || (app && jdate(app, "received", &d))) && d <= as_of)
		ev_new(&sy, d, EV_RECEIVED);
	if (jdate(r0, "sanction.date", &d) && d <= as_of)
		ev_new(&sy, d, EV_APPROVED);
	json_array_foreach(ords, i, r) {
		int rev = (int)jint(r, "revision", 0);
		if (rev == 0) {
			if (jdate(r, "issued", &d) && d <= as_of)
				ev = ev_new(&sy, d, EV_ISSUED), ev->has_revision = 1;
			continue;
		}
		if (!jdate(r, "amendment.date", &d) || d > as_of)
			continue;
		ev = ev_new(&sy, d, EV_AMENDED);
		ev->revision = rev;
		ev->has_revision = 1;
		const char *ac = json_string_value(jget(r, "amendment.code"));
		snprintf(ev->code, sizeof ev->code, "%s", ac ? ac : "");
		ev->reason = json_string_value(jget(r, "amendment.reason"));
	}
	/* Sent: the first acceptance of each revision; a refusal while none is accepted. */
	json_array_foreach(pushes, i, r) {
		const char *stt = jstr(r, "status");
		int rev = (int)jint(r, "revision", 0), acc = !strcmp(stt, "accepted");
		if (!jstr(r, "at") || (!acc && strcmp(stt, "rejected")))
			continue;
		d = at_day(jstr(r, "at"));
		if (d > as_of)
			continue;
		size_t k;
		for (k = 0; k < sy.n && !(sy.ev[k].type == EV_SENT && sy.ev[k].revision == rev); k++)
			;
		if (k < sy.n)
			continue;
		ev = ev_new(&sy, d, acc ? EV_SENT : EV_REFUSED);
		ev->revision = rev;
		ev->has_revision = 1;
		if (!acc)
			ev->reason = jstr(r, "message") ? jstr(r, "message") : jstr(r, "code");
	}
	json_array_foreach(rets, i, r) {
		if (!jdate(r, "date", &d) || d > as_of)
			continue;
		ev = ev_new(&sy, d, EV_RETURNED);
		ev->revision = (int)jint(r, "revision", 0);
		ev->has_revision = 1;
		snprintf(ev->code, sizeof ev->code, "%s", jstr(r, "code"));
		ev->reason = jstr(r, "reason");
	}
	/* Verifications: the days the history counts, each at the branch first named. */
	size_t nv = hist_known_verifications(o, as_of);
	for (size_t k = 0; k < nv; k++) {
		ev = ev_new(&sy, o->ver[k], EV_VERIFIED);
		json_array_foreach(vers, i, r)
			if (jdate(r, "date", &d) && d == o->ver[k]) {
				snprintf(ev->branch, sizeof ev->branch, "%s", jstr(r, "branch"));
				break;
			}
	}
	const struct hist_item *items;
	size_t nitems = hist_items(&h, o, as_of, &items);
	int64_t paid = 0, arrears_paid = 0;
	int any_paid = 0;
	json_array_foreach(pays, i, r) {
		if (!jdate(r, "paid", &d) || d > as_of)
			continue;
		ev = ev_new(&sy, d, EV_PAID);
		ev->revision = (int)jint(r, "revision", 0);
		ev->amount = jint(r, "amount_poisha", 0);
		ev->has_amount = 1;
		const char *m = jstr(r, "month"), *why;
		if (m && month_parse(m, &ev->month, &why) == 0) {
			ev->has_month = 1;
			const struct hist_item *x = hist_item_of(items, nitems, ev->month);
			ev->arrears = x && (x->kind == SCHED_ARREARS || x->kind == SCHED_RESUMED);
		}
		money_sum(&paid, ev->amount);
		if (ev->arrears)
			money_sum(&arrears_paid, ev->amount);
		any_paid = 1;
	}
	const struct hist_stop *stop = hist_stop_known(o, as_of, NULL);
	if (stop) {
		ev = ev_new(&sy, stop->date, EV_STOPPED);
		ev->reason = hist_stop_reason_name(stop->reason);
	}
	if (st.state == SCHED_SUSPENDED)
		ev_new(&sy, st.suspended_from, EV_SUSPENDED);
	if (hist_card_returned(o, as_of))
		ev_new(&sy, o->card, EV_CARD);

	static const char *const states[] = { "awaiting_first", "active", "due", "suspended", "ended",
		                              "held", "stopped" };
	json_object_set_new(tr, "state", json_string(states[st.state]));
	wdate since = 0;
	switch (st.state) {
	case SCHED_AWAITING_FIRST: since = st.rev->from; break;
	case SCHED_ACTIVE: since = st.has_first ? st.last_verification : st.rev->from; break;
	case SCHED_DUE_STATE: since = st.window_from; break;
	case SCHED_SUSPENDED: since = st.suspended_from; break;
	case SCHED_ENDED: since = st.lump ? (nitems ? items[0].due : 0) : month_last(st.last_month) + 1; break;
	case HIST_HELD: since = st.held_by->returned; break;
	case HIST_STOPPED: since = st.stop->date; break;
	}
	if (since && since > HIST_ALWAYS && since < HIST_NEVER)
		json_object_set_new(tr, "since", date_json(since));
	if (st.state == HIST_HELD)
		json_object_set_new(tr, "return_code", json_string(st.held_by->code));
	if (st.state == HIST_STOPPED)
		json_object_set_new(tr, "stop_reason", json_string(hist_stop_reason_name(st.stop->reason)));
	if (st.lump) {
		json_object_set_new(tr, "lump_poisha", json_integer(st.lump_poisha));
	} else {
		wmonth m = date_month(as_of);
		if (m < st.rev->so.first)
			m = st.rev->so.first;
		if (m > st.rev->so.last)
			m = st.rev->so.last;
		json_object_set_new(tr, "monthly_poisha", json_integer(sched_month_amount(&st.rev->so, m)));
		json_object_set_new(tr, "first_month", month_json(st.rev->so.first));
		json_object_set_new(tr, "last_month", month_json(st.last_month));
	}
	if (any_paid) {
		json_object_set_new(tr, "paid_poisha", json_integer(paid));
		json_object_set_new(tr, "arrears_paid_poisha", json_integer(arrears_paid));
	}
	if (st.has_window && st.needs_window && st.state != HIST_STOPPED && st.state != HIST_HELD) {
		json_object_set_new(tr, "window_from", date_json(st.window_from));
		json_object_set_new(tr, "window_to", date_json(st.window_to));
	}
	json_object_set_new(tr, "events", events_json(&sy));

	/* What happens next. */
	int64_t amount = 0;
	switch (st.state) {
	case SCHED_AWAITING_FIRST:
		/* What the first verification releases, were it today: every month due by
		 * now (the arrears), or the lump sum. */
		for (size_t k = 0; k < nitems; k++)
			if (!items[k].stopped && (items[k].kind == SCHED_LUMP || items[k].regular_due <= as_of))
				money_sum(&amount, items[k].poisha);
		next_json(tr, "verify_first", 0, 0, -1, amount);
		break;
	case SCHED_ACTIVE:
	case SCHED_ENDED:
	case HIST_STOPPED: {
		/* The first payable month with no payment for it: due, or late; and how
		 * many are late, and what they come to. */
		const struct hist_item *x = NULL;
		int64_t late = 0;
		long nlate = 0;
		for (size_t k = 0; k < nitems; k++) {
			if (!hist_item_payable(&items[k]) || (x && items[k].due > as_of))
				continue;
			int done = 0;
			json_array_foreach(pays, i, r) {
				const char *m = jstr(r, "month"), *why;
				wmonth pm;
				if (items[k].kind == SCHED_LUMP ? !m
				                                : m && month_parse(m, &pm, &why) == 0 &&
				                                  pm == items[k].month)
					done = jdate(r, "paid", &d) && d <= as_of;
				if (done)
					break;
			}
			if (done)
				continue;
			if (!x)
				x = &items[k];
			if (items[k].due <= as_of) {
				nlate++;
				money_sum(&late, items[k].poisha);
			}
		}
		if (nlate) {
			json_object_set_new(tr, "unpaid_months", json_integer(nlate));
			json_object_set_new(tr, "unpaid_poisha", json_integer(late));
		}
		if (x && (st.state == SCHED_ACTIVE || x->due <= as_of))
			next_json(tr, "pay", 0, x->due, x->month, x->poisha);
		else if (st.state == SCHED_ACTIVE && st.has_window && st.needs_window)
			next_json(tr, "verify", st.window_from, st.window_to, -1, -1);
		else if (st.state == SCHED_ENDED && !st.lump && st.has_card_due &&
		         !hist_card_returned(o, as_of))
			next_json(tr, "card_back", 0, st.card_due, -1, -1);
		else
			next_json(tr, "none", 0, 0, -1, -1);
		break;
	}
	case SCHED_DUE_STATE: next_json(tr, "verify", st.window_from, st.window_to, -1, -1); break;
	case SCHED_SUSPENDED: next_json(tr, "verify_to_resume", st.suspended_from, 0, -1, -1); break;
	case HIST_HELD: next_json(tr, "correct", st.held_by->returned, 0, -1, -1); break;
	}
	complaints_of(tr, ords);
	free(sy.ev);
out:
	hist_free(&h);
	json_decref(ords);
	json_decref(rets);
	json_decref(vers);
	json_decref(pays);
	json_decref(stops);
	json_decref(cards);
	json_decref(pushes);
	json_decref(apps);
	return tr;
}

/* ---- telling it ---- */

static struct buf out;

static void
say(const char *s)
{
	buf_adds(&out, s);
}

/* Text from records: escaped for the terminal (term_escape). */
static void
say_text(const char *s)
{
	term_escape(&out, s, strlen(s));
}

static void
say_date(wdate d)
{
	date_long(d, o_bn, &out);
}

static void
say_month(wmonth m)
{
	month_long(m, o_bn, &out);
}

static void
say_money(int64_t p)
{
	char m[MONEY_BUFSZ];
	money_fmt(m, sizeof m, p, o_bn ? MONEY_BN : 0);
	buf_printf(&out, o_bn ? "%s টাকা" : "Tk %s", m);
}

static void
say_num(long long n)
{
	char t[24];
	snprintf(t, sizeof t, "%lld", n);
	if (o_bn)
		ascii_digits_to_bn(t, &out);
	else
		buf_adds(&out, t);
}

static wdate
jd(const json_t *o, const char *path)
{
	wdate d = 0;
	jdate(o, path, &d);
	return d;
}

static wmonth
jm(const json_t *o, const char *path)
{
	wmonth m = -1;
	const char *why, *s = json_string_value(jget(o, path));
	if (s)
		month_parse(s, &m, &why);
	return m;
}

/* The grant, as the first words of a sentence. */
static const char *
grant_name(const char *g, const char *ff)
{
	if (!strcmp(g, "welfare"))
		return tr("Monthly welfare grant", "মাসিক কল্যাণ অনুদান");
	if (!strcmp(g, "group_insurance"))
		return tr("Group insurance grant", "যৌথবীমা অনুদান");
	if (ff && !strcmp(ff, "family"))
		return tr("Funeral grant (for a family member)", "দাফন/অন্ত্যেষ্টিক্রিয়া অনুদান (পরিবারের সদস্য)");
	return tr("Funeral grant", "দাফন/অন্ত্যেষ্টিক্রিয়া অনুদান");
}

static const char *
relation_name(const char *r)
{
	static const char *const k[] = { "self", "wife", "husband", "son", "daughter", "father",
		                         "mother", "other" };
	static const char *const bn[] = { "নিজে", "স্ত্রী", "স্বামী", "পুত্র", "কন্যা", "পিতা", "মাতা",
		                          "অন্যান্য" };
	for (size_t i = 0; i < 8; i++)
		if (!strcmp(r, k[i]))
			return o_bn ? bn[i] : k[i];
	return r;
}

/* What a bank's return code means, as the desk says it. */
static const char *
code_name(const char *c)
{
	static const char *const t[][3] = {
		{ "AC01", "the account number is wrong", "হিসাব নম্বর ভুল" },
		{ "AC03", "the account is not valid", "হিসাবটি সঠিক নয়" },
		{ "AC04", "the account is closed", "হিসাবটি বন্ধ" },
		{ "AC06", "the account is blocked", "হিসাবটি স্থগিত" },
		{ "AG01", "the account may not take this payment", "হিসাবে এই লেনদেন নিষিদ্ধ" },
		{ "AM05", "it is a duplicate", "আদেশটি দ্বৈত" },
		{ "BE01", "the name does not match the account holder's", "নাম হিসাবধারীর নামের সাথে মেলে না" },
		{ "MD07", "the bank reports the beneficiary dead", "ব্যাংকের তথ্যে উপকারভোগী মৃত" },
		{ "RC01", "the routing number is wrong", "রাউটিং নম্বর ভুল" },
		{ "RR01", "account details are missing", "হিসাবের তথ্য অসম্পূর্ণ" },
		{ "NARR", "see the bank's note", "ব্যাংকের মন্তব্য দেখুন" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(c, t[i][0]))
			return o_bn ? t[i][2] : t[i][1];
	return c;
}

static const char *
stop_name(const char *r)
{
	if (!strcmp(r, "death"))
		return tr("the beneficiary died", "উপকারভোগীর মৃত্যু");
	if (!strcmp(r, "withdrawal"))
		return tr("the grant was withdrawn", "অনুদান প্রত্যাহার");
	if (!strcmp(r, "duplicate"))
		return tr("it duplicated another order", "অন্য আদেশের দ্বৈত");
	return tr("a decision of the board", "বোর্ডের সিদ্ধান্ত");
}

static void
say_branch(const char *routing)
{
	const struct branch *b = branch_find(&branches, routing);
	say(tr("branch ", "শাখা "));
	if (b) {
		say_text(o_bn && b->bn ? b->bn : b->en);
		say(" (");
		say(routing);
		say(")");
	} else {
		say(routing);
	}
}

static void
say_event(const json_t *e)
{
	const char *what = jstr(e, "event"), *code = jstr(e, "code"), *reason = jstr(e, "reason");
	int rev = (int)jint(e, "revision", -1);
	say("  ");
	say_date(jd(e, "date"));
	say(": ");
	if (!strcmp(what, "received")) {
		say(tr("the application was received.", "আবেদন গ্রহণ করা হয়েছে।"));
	} else if (!strcmp(what, "approved")) {
		say(tr("the application was approved.", "আবেদন অনুমোদিত হয়েছে।"));
	} else if (!strcmp(what, "issued")) {
		say(tr("the order was issued.", "আদেশ জারি হয়েছে।"));
	} else if (!strcmp(what, "amended")) {
		say(tr("the order was corrected (revision ", "আদেশ সংশোধন করা হয়েছে (সংশোধনী "));
		say_num(rev);
		say(")");
		if (reason) {
			say(": ");
			say_text(reason);
		}
		say(o_bn ? "।" : ".");
	} else if (!strcmp(what, "sent")) {
		if (rev > 0) {
			say(tr("revision ", "সংশোধনী "));
			say_num(rev);
			say(tr(" was sent to the bank.", " ব্যাংকে পাঠানো হয়েছে।"));
		} else {
			say(tr("the order was sent to the bank.", "আদেশ ব্যাংকে পাঠানো হয়েছে।"));
		}
	} else if (!strcmp(what, "refused")) {
		say(tr("the bank did not take the order", "ব্যাংক আদেশটি গ্রহণ করেনি"));
		if (reason) {
			say(": ");
			say_text(reason);
		}
		say(o_bn ? "।" : ".");
	} else if (!strcmp(what, "returned")) {
		say(tr("the bank returned the order: ", "ব্যাংক আদেশ ফেরত দিয়েছে: "));
		say(code_name(code));
		say(" (");
		say(code);
		say(")");
		if (reason) {
			say(", ");
			say_text(reason);
		}
		say(o_bn ? "।" : ".");
	} else if (!strcmp(what, "verified")) {
		say(tr("life verification at Sonali Bank, ", "সোনালী ব্যাংকে লাইফ ভেরিফিকেশন হয়েছে, "));
		if (jstr(e, "branch"))
			say_branch(jstr(e, "branch"));
		say(o_bn ? "।" : ".");
	} else if (!strcmp(what, "paid")) {
		int arrears = json_is_true(json_object_get(e, "arrears"));
		wmonth m = jm(e, "month");
		if (o_bn) {
			if (m >= 0) {
				say_month(m);
				say(" মাসের ");
			}
			say_money(jint(e, "amount_poisha", 0));
			say(arrears ? " (বকেয়া) পরিশোধ করা হয়েছে।" : " পরিশোধ করা হয়েছে।");
		} else {
			say("paid ");
			say_money(jint(e, "amount_poisha", 0));
			if (m >= 0) {
				say(" for ");
				say_month(m);
			}
			say(arrears ? " (arrears)." : ".");
		}
	} else if (!strcmp(what, "stopped")) {
		say(tr("the order was stopped: ", "আদেশ বন্ধ করা হয়েছে: "));
		say(stop_name(reason ? reason : ""));
		say(o_bn ? "।" : ".");
	} else if (!strcmp(what, "suspended")) {
		say(tr("payment stopped: no life verification in the window.",
		       "নির্ধারিত সময়ে লাইফ ভেরিফিকেশন না হওয়ায় পরিশোধ স্থগিত।"));
	} else if (!strcmp(what, "card_returned")) {
		say(tr("the bank returned the order's card to the office.",
		       "ব্যাংক আদেশের কার্ড কার্যালয়ে ফেরত দিয়েছে।"));
	}
	say("\n");
}

static void
say_next(const json_t *t)
{
	const json_t *n = json_object_get(t, "next");
	const char *a = jstr(n, "action");
	wdate from = jd(n, "from"), by = jd(n, "by");
	wmonth m = jm(n, "month");
	int64_t amount = jint(n, "amount_poisha", -1);
	say(tr("  Next: ", "  এরপর: "));
	if (!strcmp(a, "approve")) {
		say(tr("the application waits for approval by the board's officer.",
		       "আবেদনটি বোর্ডের কর্মকর্তার অনুমোদনের অপেক্ষায়।"));
	} else if (!strcmp(a, "issue")) {
		say(tr("the office issues the order and sends it to the bank.",
		       "কার্যালয় আদেশ জারি করে ব্যাংকে পাঠাবে।"));
	} else if (!strcmp(a, "verify_first")) {
		int lump = json_object_get(t, "lump_poisha") != NULL;
		if (o_bn) {
			say("যেকোনো সোনালী ব্যাংক শাখায় প্রথম লাইফ ভেরিফিকেশন করুন; এর পর ");
			say_num(params.pay_days);
			say(" কার্যদিবসের মধ্যে ব্যাংক ");
			if (amount > 0) {
				say_money(amount);
				say(lump ? " " : " (এ পর্যন্ত প্রাপ্য, বকেয়াসহ) ");
			}
			say("পরিশোধ করবে।");
		} else {
			say("go to any Sonali Bank branch for the first life verification; the bank pays ");
			if (amount > 0) {
				say_money(amount);
				say(lump ? " " : " (all that is due so far, arrears included) ");
			}
			say("within ");
			say_num(params.pay_days);
			say(" working days of it.");
		}
	} else if (!strcmp(a, "pay")) {
		if (o_bn) {
			if (m >= 0) {
				say_month(m);
				say(" মাসের ");
			}
			say_money(amount);
			say(" ");
			say_date(by);
			say(by < as_of ? "-এর মধ্যে পাওয়ার কথা ছিল; পরিশোধের কোনো রেকর্ড এখনও নেই।"
			               : "-এর মধ্যে পাওয়ার কথা।");
		} else {
			say("the payment");
			if (m >= 0) {
				say(" for ");
				say_month(m);
			}
			say(", ");
			say_money(amount);
			say(by < as_of ? ", was due by " : ", is due by ");
			say_date(by);
			say(by < as_of ? "; no payment of it is on record yet." : ".");
		}
		long nu = (long)jint(t, "unpaid_months", 0);
		if (nu > 1) {
			say(tr(" In all ", " সব মিলিয়ে "));
			say_num(nu);
			say(tr(" payments due by now, ", "টি পাওনা, "));
			say_money(jint(t, "unpaid_poisha", 0));
			say(tr(", have none on record.", ", যার পরিশোধের রেকর্ড নেই।"));
		}
	} else if (!strcmp(a, "verify")) {
		say(tr("the next life verification, at any Sonali Bank branch, from ",
		       "পরবর্তী লাইফ ভেরিফিকেশন, যেকোনো সোনালী ব্যাংক শাখায়, "));
		say_date(from);
		say(tr(" to ", " থেকে "));
		say_date(by);
		say(tr("; without it payment stops.", "-এর মধ্যে; না করলে পরিশোধ বন্ধ হবে।"));
	} else if (!strcmp(a, "verify_to_resume")) {
		say(tr("a life verification at any Sonali Bank branch starts the payments again",
		       "যেকোনো সোনালী ব্যাংক শাখায় লাইফ ভেরিফিকেশন করলে পরিশোধ আবার শুরু হবে"));
		say(params.resume_arrears ? tr(", with the months missed.", ", বাদ পড়া মাসগুলোসহ।")
		                          : tr("; the months missed are not paid.",
		                               "; বাদ পড়া মাসগুলো পরিশোধ হবে না।"));
	} else if (!strcmp(a, "correct")) {
		const char *code = jstr(t, "return_code");
		if (code && hist_account_code(code))
			say(tr("the office corrects the account in the order (bring the right account "
			       "details) and sends it again; the bank pays what is due after that.",
			       "কার্যালয় আদেশে হিসাবের তথ্য সংশোধন করে আবার পাঠাবে (সঠিক হিসাবের তথ্য দিন); "
			       "এরপর ব্যাংক প্রাপ্য পরিশোধ করবে।"));
		else if (code && !strcmp(code, "MD07"))
			say(tr("the office confirms the death with a stop, or corrects the order if the "
			       "bank is wrong.",
			       "কার্যালয় মৃত্যু নিশ্চিত হলে আদেশ বন্ধ করবে, ব্যাংকের তথ্য ভুল হলে আদেশ সংশোধন করবে।"));
		else
			say(tr("the office corrects the order and sends it again.",
			       "কার্যালয় আদেশ সংশোধন করে আবার পাঠাবে।"));
	} else if (!strcmp(a, "card_back")) {
		say(tr("the bank returns the order's card to the office by ",
		       "ব্যাংক আদেশের কার্ড কার্যালয়ে ফেরত দেবে "));
		say_date(by);
		say(tr(".", "-এর মধ্যে।"));
	} else {
		say(tr("nothing more is to be paid on this order.", "এই আদেশে আর কিছু পরিশোধযোগ্য নেই।"));
	}
	say("\n");
}

static void
say_state(const json_t *t)
{
	const char *s = jstr(t, "state");
	wdate since = jd(t, "since");
	say(tr("  Now: ", "  এখন: "));
	if (!strcmp(s, "received")) {
		say(tr("received, not approved yet.", "গৃহীত, এখনও অনুমোদিত হয়নি।"));
	} else if (!strcmp(s, "approved")) {
		say(tr("approved; no order has been issued yet.", "অনুমোদিত; আদেশ এখনও জারি হয়নি।"));
	} else if (!strcmp(s, "awaiting_first")) {
		say(tr("waiting for the first life verification; nothing is paid before it.",
		       "প্রথম লাইফ ভেরিফিকেশনের অপেক্ষায়; তার আগে কিছু পরিশোধ হয় না।"));
	} else if (!strcmp(s, "active")) {
		say(tr("being paid.", "চালু, নিয়মিত পরিশোধ হচ্ছে।"));
	} else if (!strcmp(s, "due")) {
		say(tr("the life verification window is open since ", "লাইফ ভেরিফিকেশনের সময় চলছে, শুরু "));
		say_date(since);
		say(o_bn ? "।" : ".");
	} else if (!strcmp(s, "suspended")) {
		say(tr("payment suspended since ", "পরিশোধ স্থগিত, "));
		say_date(since);
		say(tr(": no life verification was made by ", " থেকে: "));
		if (o_bn) {
			say_date(since - 1);
			say("-এর মধ্যে লাইফ ভেরিফিকেশন হয়নি।");
		} else {
			say_date(since - 1);
			say(".");
		}
	} else if (!strcmp(s, "held")) {
		const char *code = jstr(t, "return_code");
		say(tr("held since ", "স্থগিত, "));
		say_date(since);
		say(tr(": the bank returned it (", " থেকে: ব্যাংক ফেরত দিয়েছে ("));
		say(code_name(code));
		say(tr("); nothing is paid until it is corrected.", "); সংশোধন না হওয়া পর্যন্ত পরিশোধ হবে না।"));
	} else if (!strcmp(s, "stopped")) {
		say(tr("stopped since ", "বন্ধ, "));
		say_date(since);
		say(tr(": ", " থেকে: "));
		say(stop_name(jstr(t, "stop_reason")));
		say(o_bn ? "।" : ".");
	} else if (!strcmp(s, "ended")) {
		wmonth lm = jm(t, "last_month");
		if (lm >= 0) {
			say(tr("the grant's term is over (its last month was ", "অনুদানের মেয়াদ শেষ (শেষ মাস "));
			say_month(lm);
			say(")");
		} else {
			say(tr("the lump sum fell due by ", "এককালীন অনুদান প্রাপ্য ছিল "));
			say_date(since);
			say(tr("", "-এর মধ্যে"));
		}
		say(o_bn ? "।" : ".");
	}
	say("\n");
}

/* A service or category as the configuration names it: "English / বাংলা". */
static void
say_label(const char *prefix, const char *id)
{
	char k[128];
	snprintf(k, sizeof k, "%s%s", prefix, id);
	const char *v = cfg_get(wgo_config(), k), *sl = v ? strstr(v, " / ") : NULL;
	struct buf b = { 0 };
	if (!v)
		buf_adds(&b, id);
	else if (!sl)
		buf_adds(&b, v);
	else if (o_bn)
		buf_adds(&b, sl + 3);
	else
		buf_add(&b, v, (size_t)(sl - v));
	say_text(buf_str(&b));
	buf_free(&b);
}

static void
say_complaints(const json_t *arr)
{
	json_t *c;
	size_t i;
	json_array_foreach(arr, i, c) {
		say(tr("  Complaint ", "  অভিযোগ "));
		say_text(jstr(c, "id"));
		if (jstr(c, "service") || jstr(c, "category")) {
			say(" (");
			if (jstr(c, "service"))
				say_label("service.", jstr(c, "service"));
			if (jstr(c, "service") && jstr(c, "category"))
				say(", ");
			if (jstr(c, "category"))
				say_label("category.", jstr(c, "category"));
			say(")");
		}
		say(!strcmp(jstr(c, "status"), "open") ? tr(" is open", " খোলা আছে")
		                                        : tr(" is acknowledged", " প্রাপ্তি স্বীকার করা হয়েছে"));
		if (jint(c, "level", 0) > 0) {
			say(tr(" (at appeal, level ", " (আপিল পর্যায় "));
			say_num(jint(c, "level", 0));
			say(")");
		}
		say(tr("; it is to be settled by ", "; নিষ্পত্তির সময়সীমা "));
		say_date(jd(c, "deadline"));
		if (json_is_true(json_object_get(c, "overdue")))
			say(tr(", which has passed.", ", যা পেরিয়ে গেছে।"));
		else
			say(o_bn ? "।" : ".");
		say("\n");
	}
}

static void
say_track(const json_t *t, size_t k, size_t n)
{
	const char *no = jstr(t, "order_no"), *app = jstr(t, "application_no");
	if (k)
		say("\n");
	if (n > 1) {
		say_num((long long)k + 1);
		say(". ");
	}
	if (no) {
		say(tr("Order ", "আদেশ "));
		say_text(no);
		if (jint(t, "revision", 0) > 0) {
			say(tr(", revision ", ", সংশোধনী "));
			say_num(jint(t, "revision", 0));
		}
	} else {
		say(tr("Application ", "আবেদন "));
		say_text(app);
	}
	say(", ");
	say(office_name(jstr(t, "office"), o_bn));
	say("\n  ");
	say(grant_name(jstr(t, "grant"), jstr(t, "funeral_for")));
	int64_t mp = jint(t, "monthly_poisha", -1), lp = jint(t, "lump_poisha", -1);
	if (mp >= 0) {
		say(tr(", ", ", প্রতি মাসে "));
		say_money(mp);
		say(tr(" a month from ", ", "));
		say_month(jm(t, "first_month"));
		say(tr(" to ", " থেকে "));
		say_month(jm(t, "last_month"));
		say(tr("", " পর্যন্ত"));
	} else if (lp >= 0) {
		say(", ");
		say_money(lp);
	}
	say(o_bn ? "।\n" : ".\n");
	const char *nm = o_bn ? (jstr(t, "name_bn") ? jstr(t, "name_bn") : jstr(t, "name_en"))
	                      : (jstr(t, "name_en") ? jstr(t, "name_en") : jstr(t, "name_bn"));
	say(tr("  For ", "  উপকারভোগী: "));
	say_text(nm ? nm : "-");
	if (jstr(t, "relation")) {
		say(" (");
		say(relation_name(jstr(t, "relation")));
		say(")");
	}
	if (jstr(t, "employee")) {
		say(tr("; employee ", "; কর্মচারী "));
		say_text(jstr(t, "employee"));
	}
	say(o_bn ? "।\n" : ".\n");
	if (jstr(t, "nid") || jstr(t, "mobile")) {
		say("  ");
		if (jstr(t, "nid")) {
			say(tr("NID ", "এনআইডি "));
			say_text(jstr(t, "nid"));
		}
		if (jstr(t, "mobile")) {
			say(jstr(t, "nid") ? ", " : "");
			say(tr("mobile ", "মোবাইল "));
			say_text(jstr(t, "mobile"));
		}
		if (!strcmp(jstr(t, "match"), "name")) {
			say(tr(" (found by name", " (নাম মিলিয়ে পাওয়া"));
			const char *how = jstr(t, "match_how");
			if (how && strcmp(how, "same"))
				say(!strcmp(how, "initials") ? tr(", by initials", ", আদ্যক্ষরে")
				    : !strcmp(how, "joined") ? tr(", written apart or together", ", আলাদা বা একসাথে লেখা")
				                             : tr(", words in another order", ", শব্দের ক্রম ভিন্ন"));
			say(tr(": check the NID)", "; এনআইডি মিলিয়ে নিন)"));
		}
		say("\n");
	}
	json_t *e;
	size_t i;
	json_array_foreach(json_object_get(t, "events"), i, e)
		say_event(e);
	if (json_object_get(t, "paid_poisha")) {
		say(tr("  Paid so far: ", "  এ পর্যন্ত পরিশোধ: "));
		say_money(jint(t, "paid_poisha", 0));
		if (jint(t, "arrears_paid_poisha", 0) > 0) {
			say(tr(", arrears included: ", ", এর মধ্যে বকেয়া "));
			say_money(jint(t, "arrears_paid_poisha", 0));
		}
		say(o_bn ? "।\n" : ".\n");
	}
	say_state(t);
	if (jstr(t, "window_from") && !strcmp(jstr(t, "state"), "active") &&
	    strcmp(jstr(json_object_get(t, "next"), "action"), "verify")) {
		say(tr("  Next life verification: from ", "  পরবর্তী লাইফ ভেরিফিকেশন: "));
		say_date(jd(t, "window_from"));
		say(tr(" to ", " থেকে "));
		say_date(jd(t, "window_to"));
		say(tr(".\n", "-এর মধ্যে।\n"));
	}
	say_next(t);
	say_complaints(json_object_get(t, "complaints"));
}

/* ---- the index ---- */

static char *
meta(const char *key)
{
	sqlite3_stmt *st;
	char *v = NULL;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	bind(st, 1, key);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

/* Said when the register or the complaint log has changed since the index was. */
static void
stale_check(struct stat *dbst)
{
	static const char *const logs[] = { "register/orders.jsonl", "complaints.jsonl" };
	for (size_t i = 0; i < 2; i++) {
		char *p = home_path(logs[i]);
		struct stat st;
		if (stat(p, &st) == 0 && st.st_mtime > dbst->st_mtime)
			warnf("%s: older than %s: what came since is not told (update the index: "
			      "wgo-track(1))", db_path, p);
		free(p);
	}
}

static char *db_default;

static void
open_index(void)
{
	if (!o_db) {
		const char *v = cfg_get(wgo_config(), "track.database");
		db_default = home_path(v ? v : "track.sqlite");
	}
	db_path = o_db ? o_db : db_default;
	struct stat st;
	if (stat(db_path, &st) < 0) {
		warnf("%s: no index (%s): make it with wgo-export --index -o %s FILE...", db_path,
		      strerror(errno), db_path);
		exit(wgo_finish(WGO_EXIT_USAGE));
	}
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		db_die("open");
	sqlite3_busy_timeout(db, 5000);
	char *pii = meta("pii"), *rules = meta("lookup_names");
	if (!pii || !rules || !strcmp(rules, "none")) {
		if (pii && !strcmp(pii, "masked"))
			warnf("%s: holds personal numbers masked (wgo-export --no-pii): it cannot answer "
			      "for a NID or a mobile number; export into another database with --index, "
			      "without --no-pii", db_path);
		else if (!pii)
			warnf("%s: not a database wgo-export made", db_path);
		else
			warnf("%s: has no index of names and numbers: make it from what it holds with "
			      "wgo-export --index -o %s </dev/null", db_path, db_path);
		free(pii);
		free(rules);
		exit(wgo_finish(WGO_EXIT_USAGE));
	}
	char id[17];
	name_rules_id(wgo_config(), id);
	if (strcmp(rules, id))
		warnf("%s: its names were keyed by other name rules than wgo.conf's now; names may be "
		      "missed until wgo-export -o %s runs again", db_path, db_path);
	free(pii);
	free(rules);
	stale_check(&st);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "database", required_argument, NULL, 'd' },
		{ "lang", required_argument, NULL, 'l' },
		{ "records", no_argument, NULL, 1 },
		{ "as-of", required_argument, NULL, 'a' },
		{ "limit", required_argument, NULL, 'n' },
		{ "holidays", required_argument, NULL, 'H' },
		{ "branches", required_argument, NULL, 2 },
		{ "home", required_argument, NULL, 3 },
		{ "now", required_argument, NULL, 4 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int npos;
	const char *why;
	struct werr e;
	wgo_setprog(argv[0]);
	char **pos = wgo_getopt(argc, argv, "d:l:a:n:H:hV", lo, on_opt, &npos);
	struct buf q = { 0 };
	for (int i = 0; i < npos; i++)
		buf_printf(&q, "%s%s", i ? " " : "", pos[i]);
	char *query = xstrdup(q.p ? q.p : "");
	buf_free(&q);
	/* Trimmed; inner blanks as one space. */
	{
		char *w = query;
		for (char *r = query; *r; r++)
			if (!(*r == ' ' || *r == '\t') || (w > query && w[-1] != ' '))
				*w++ = *r == '\t' ? ' ' : *r;
		while (w > query && w[-1] == ' ')
			w--;
		*w = 0;
	}
	if (!*query)
		die_usage("say whom to look for: a NID, a mobile number, an application or order "
		          "number, or a name");
	size_t bad;
	if (!utf8_valid(query, strlen(query), &bad))
		die_usage("the query is not UTF-8 text");
	today = wgo_today();
	as_of = today;
	if (o_asof && date_parse(o_asof, &as_of, &why) < 0)
		die_usage("--as-of: %s: %s", o_asof, why);
	sched_setup(&params, &cal, o_holidays, NULL);
	if (name_rules_load(&names, wgo_config(), &e) < 0)
		die("%s: %s", e.field, e.msg);
	if (wgo_branches(&branches, o_branches, &e) < 0)
		die("%s: %s", e.field, e.msg);
	if (cpl_rules_config(&crules, wgo_config(), &cal, &e) < 0)
		die("%s: %s", e.field, e.msg);
	open_index();

	find(query);
	size_t shown = 0, more = 0;
	for (size_t i = 0; i < nsubj; i++) {
		if (o_limit && shown == (size_t)o_limit) {
			more = nsubj - i;
			break;
		}
		json_t *t = subj[i].order ? tell_order(&subj[i]) : tell_application(&subj[i]);
		if (!t)
			continue;
		if (rec_validate(t, &e) < 0)
			die("internal error: a track record: %s: %s", e.field, e.msg);
		if (o_records) {
			if (rec_write(stdout, t) < 0)
				die("<stdout>: write error:");
		} else {
			out.n = 0;
			say_track(t, shown, nsubj);
			if (fwrite(out.p, 1, out.n, stdout) != out.n)
				die("<stdout>: write error:");
		}
		json_decref(t);
		shown++;
	}
	int rc = shown ? WGO_EXIT_OK : WGO_EXIT_NEG;
	if (!o_records) {
		out.n = 0;
		if (!shown) {
			/* No application or order; the query's own complaints may still be
			 * found (a visitor who only complained), and then something was. */
			json_t *t = json_object();
			if (nqcpl)
				complaints_of(t, NULL);
			json_t *cs = json_object_get(t, "complaints");
			if (json_array_size(cs)) {
				say(tr("No application or order for \"", "\""));
				say_text(query);
				say(tr("\"; its complaints:\n", "\"-এর কোনো আবেদন বা আদেশ নেই; অভিযোগ:\n"));
				say_complaints(cs);
				rc = WGO_EXIT_OK;
			} else {
				say(tr("Nothing found for \"", "\""));
				say_text(query);
				say(tr("\".\n", "\": কিছু পাওয়া যায়নি।\n"));
			}
			json_decref(t);
		} else if (more) {
			say("\n");
			say(tr("... and ", "... আরও "));
			say_num((long long)more);
			say(tr(" more; give the NID, the mobile number or the order number to narrow it "
			       "down (or --limit 0 for all).\n",
			       "টি; সংখ্যা কমাতে এনআইডি, মোবাইল বা আদেশ নম্বর দিন (সবগুলো দেখতে --limit 0)।\n"));
		}
		if (fwrite(out.p, 1, out.n, stdout) != out.n)
			die("<stdout>: write error:");
	}
	buf_free(&out);
	free(subj);
	if (subj_seen.cap)
		hmap_free(&subj_seen);
	free(qcpl);
	free(query);
	free(pos);
	for (size_t i = 0; i < NKMAPS; i++) {
		cols_free(kmaps[i].c, kmaps[i].nc);
		cols_free(kmaps[i].ac, kmaps[i].nac);
		free(kmaps[i].arr);
		free(kmaps[i].arr_table);
	}
	branches_free(&branches);
	name_rules_free(&names);
	sched_params_free(&params);
	cal_free(&cal);
	cache_free();
	sqlite3_close(db);
	free(db_default);
	return wgo_finish(rc);
}
