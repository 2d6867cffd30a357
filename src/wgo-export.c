/* wgo-export: records of any kind into one typed SQLite database (or CSV files),
 * with tables made from the schema in libwgo and views for the usual questions. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: wgo-export -o DATABASE [OPTIONS] [FILE...]\n"
	"       wgo-export --csv DIR [OPTIONS] [FILE...]\n"
	"       wgo-export --schema [sqlite|duckdb] [--no-pii]\n"
	"Read records of any kind and add them to a SQLite database: one STRICT table a\n"
	"kind, typed from the schema, and views for the usual questions. Adding the same\n"
	"records again changes nothing; a record whose key is held with other content is\n"
	"an error, and then nothing is written. With --csv, write one CSV file a table.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE          the database to create or add to\n"
	"      --csv DIR              write DIR/TABLE.csv for every table\n"
	"  -a, --as-of DATE           fill order_status with where each order stands on DATE,\n"
	"                             and take DATE as the day for overdue complaints\n"
	"                             (default: today, and no order_status)\n"
	"      --index                keep the service corner's index in the database, for\n"
	"                             wgo-track (kept from then on without the option)\n"
	"      --no-pii               mask NIDs, mobile and account numbers in every table\n"
	"      --schema [FORMAT]      print the tables and views (sqlite, the default), or\n"
	"                             each kind's columns={...} for DuckDB's read_json (duckdb)\n"
	"  -H, --holidays FILE        holiday file for working days (order_status)\n"
	"  -r, --rejects FILE         write rejected records to FILE, with their reasons\n"
	"  -q, --quiet                do not report each rejected record\n"
	WGO_PROGRESS_USAGE
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"      --now INSTANT          take this as the current time\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 all added, 1 some records rejected or in conflict (on a conflict\n"
	"nothing is written), 2 usage or operational error, 75 the database is busy.\n";

static const char *o_output, *o_csv, *o_asof, *o_holidays, *o_rejects, *o_schema_fmt;
static int o_schema, o_nopii, o_quiet, o_index;

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'o': o_output = arg; break;
	case 1: o_csv = arg; break;
	case 'a': o_asof = arg; break;
	case 2: o_nopii = 1; break;
	case 3: o_schema = 1; o_schema_fmt = arg; break;
	case 'H': o_holidays = arg; break;
	case 'r': o_rejects = arg; break;
	case 'q': o_quiet = 1; break;
	case 6: wgo_set_home(arg); break;
	case 7: wgo_opt_now(arg); break;
	case 8: o_index = 1; break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

/* ---- tables from the schema ---- */

#define MAXDEPTH 8
#define MAXBLOCKS 24 /* blocks of one name's key: one a word that counts, and one more */
enum { C_TEXT, C_INT, C_BOOL, C_JSON };

struct col {
	char *name;               /* SQL name: the path with '_' for '.' */
	char *path;               /* dotted, from the record or the array item */
	char *comp[MAXDEPTH];     /* the path's keys */
	int ncomp;
	int samepar;              /* nested in the same object as the column before */
	int ctype, pii, notnull;
	char *type;               /* the schema's type name */
	char *check;              /* CHECK expression, or NULL */
	char *check_was;          /* the CHECK as wgo-export wrote it before 2026-11-30,
	                           * when it differs (IN lists), or NULL */
	char *duck;               /* DuckDB type */
};

struct table {
	char *name, *kind;
	struct table *parent;     /* for an array's table: the record's */
	char *arr;                /* the array's field, in the parent's record */
	struct col *c;
	size_t nc, cap;
	int key[8];               /* column indexes of the primary key */
	int nkey;
	int hashkey;              /* column 0 is record_key, a hash of the record */
	int idx;                  /* an array's table: the column of the item's index */
	struct table *child[8];
	int nchild;
	char *cols;               /* the columns' names, listed for SQL */
	sqlite3_stmt *ins, *sel, *kids;
	struct val *v;            /* values of the row being written */
	unsigned long added, held;
	struct pend *pend;        /* empty when the run began: new rows wait here */
};

struct val {
	int null, ctype;
	long long i;
	const char *s;
	size_t n;
	struct buf b;
};

static struct table *tables[64];
static int ntables;
static struct table *status_table; /* order_status: where each order stands on --as-of */

static char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

/* English plural of a kind, for its table: order -> orders, status -> statuses,
 * discrepancy -> discrepancies, push -> pushes, complaint_stats stays. */
static char *
plural(const char *k)
{
	size_t n = strlen(k);
	struct buf b = { 0 };
	buf_adds(&b, k);
	if (n > 1 && k[n - 1] == 'y' && !strchr("aeiou", k[n - 2])) {
		b.n--;
		buf_adds(&b, "ies");
	} else if ((n > 2 && (!strcmp(k + n - 2, "us") || !strcmp(k + n - 2, "ss") ||
	                      !strcmp(k + n - 2, "sh") || !strcmp(k + n - 2, "ch"))) ||
	           k[n - 1] == 'x') {
		buf_adds(&b, "es");
	} else if (k[n - 1] != 's') {
		buf_adds(&b, "s");
	}
	buf_str(&b);
	return b.p;
}

/* An identifier as SQL wants it: quoted when it is a keyword ("from", "to"). */
static void
ident(struct buf *b, const char *name)
{
	if (sqlite3_keyword_check(name, (int)strlen(name)))
		buf_printf(b, "\"%s\"", name);
	else
		buf_adds(b, name);
}

/* "x = 'a' OR x = 'b' ...", not "x IN ('a', 'b', ...)": SQLite answers an IN list
 * of more than two constants from a table it builds on each run of the statement,
 * and in a CHECK that is on every row (three microseconds each, which made the
 * CHECKs of a million orders cost more than their inserts). */
static void
sql_list(struct buf *b, const char *x, const char *const *l)
{
	buf_adds(b, "(");
	for (size_t i = 0; l[i]; i++)
		buf_printf(b, "%s%s = '%s'", i ? " OR " : "", x, l[i]);
	buf_adds(b, ")");
}

/* The same as wgo-export wrote it before: a table it made then is still taken. */
static void
sql_list_was(struct buf *b, const char *x, const char *const *l)
{
	buf_printf(b, "%s IN (", x);
	for (size_t i = 0; l[i]; i++)
		buf_printf(b, "%s'%s'", i ? ", " : "", l[i]);
	buf_adds(b, ")");
}

/* The column's type, its CHECK and its DuckDB type, from the schema's type. */
/* The column's type, its CHECK and its DuckDB type, from the schema's type. */
static void
col_type(struct col *c, const struct rec_field *f)
{
	struct buf k = { 0 }, q = { 0 }, was = { 0 };
	const char *t = f->type;
	const char *digits = o_nopii ? "0123456789*" : "0123456789";
	ident(&q, c->name);
	const char *n = buf_str(&q);
	c->ctype = C_TEXT;
	c->duck = "VARCHAR";
	if (!strcmp(t, "string") || !strcmp(t, "base64")) {
		buf_printf(&k, "%s <> ''", n);
	} else if (!strcmp(t, "text")) {
		/* anything */
	} else if (!strcmp(t, "identifier") || !strcmp(t, "hex")) {
		/* Their characters are checked on input; on every row of a million, a
		 * CHECK of them would cost more than the rest of the row. */
		buf_printf(&k, "%s <> ''", n);
	} else if (!strcmp(t, "integer") || !strcmp(t, "poisha") || !strcmp(t, "signed poisha")) {
		c->ctype = C_INT;
		c->duck = "BIGINT";
		buf_printf(&k, "%s BETWEEN %lld AND %lld", n, f->lo, f->hi);
	} else if (!strcmp(t, "boolean")) {
		c->ctype = C_BOOL;
		c->duck = "BOOLEAN";
		buf_printf(&k, "%s IN (0, 1)", n);
	} else if (!strcmp(t, "date")) {
		c->duck = "DATE";
		buf_printf(&k, "%s = date(%s, '+0 days')", n, n);
	} else if (!strcmp(t, "month")) {
		buf_printf(&k, "%s = strftime('%%Y-%%m', %s || '-01')", n, n);
	} else if (!strcmp(t, "instant")) {
		c->duck = "TIMESTAMPTZ";
		buf_printf(&k, "%s = strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', %s)", n, n);
	} else if (!strcmp(t, "enum") || !strcmp(t, "office")) {
		sql_list(&k, n, f->values);
		sql_list_was(&was, n, f->values);
	} else if (!strcmp(t, "nid")) {
		buf_printf(&k, "(length(%s) = 10 OR length(%s) = 13 OR length(%s) = 17) AND ltrim(%s, '%s') = ''",
		           n, n, n, n, digits);
		buf_printf(&was, "length(%s) IN (10, 13, 17) AND ltrim(%s, '%s') = ''", n, n, digits);
	} else if (!strcmp(t, "mobile")) {
		buf_printf(&k, "length(%s) = 14 AND substr(%s, 1, 5) = '+8801' AND substr(%s, 6, 1) "
		           "BETWEEN '3' AND '9' AND ltrim(substr(%s, 7), '%s') = ''", n, n, n, n, digits);
	} else if (!strcmp(t, "routing")) {
		buf_printf(&k, "length(%s) = 9 AND ltrim(%s, '0123456789') = ''", n, n);
	} else if (!strcmp(t, "account")) {
		buf_printf(&k, "%s <> '' AND ltrim(%s, '%s') = ''", n, n, digits);
	} else {
		/* A free object, an array of strings, or a type this version does not know:
		 * its JSON text. */
		c->ctype = C_JSON;
		c->duck = !strcmp(t, "strings") ? "VARCHAR[]" : "JSON";
		buf_printf(&k, "%s IS NULL OR json_valid(%s)", n, n);
	}
	c->check = k.n ? xstrdup(buf_str(&k)) : NULL;
	c->check_was = was.n ? xstrdup(buf_str(&was)) : NULL;
	buf_free(&k);
	buf_free(&was);
	buf_free(&q);
}

static struct col *
add_col(struct table *t, const char *name)
{
	if (t->nc == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->c = xrealloc(t->c, t->cap * sizeof *t->c);
	}
	struct col *c = &t->c[t->nc++];
	memset(c, 0, sizeof *c);
	c->name = xstrdup(name);
	c->path = xstrdup(name);
	c->comp[0] = c->path;
	c->ncomp = 1;
	c->pii = -1;
	return c;
}

static int
find_col(const struct table *t, const char *name)
{
	for (size_t i = 0; i < t->nc; i++)
		if (!strcmp(t->c[i].name, name))
			return (int)i;
	return -1;
}

struct build {
	struct table *top;
	struct table *arr[MAXDEPTH]; /* the table of each array field met, by depth */
};

/* The table a field's column goes in: its nearest enclosing array's, or the record's. */
static struct table *
owner(struct build *B, const struct rec_field *f, const struct rec_field **arrf)
{
	*arrf = NULL;
	for (const struct rec_field *p = f->parent; p; p = p->parent)
		if (!strcmp(p->type, "array")) {
			*arrf = p;
			return B->arr[p->depth];
		}
	return B->top;
}

static int
on_field(const struct rec_field *f, void *ctx)
{
	struct build *B = ctx;
	if (f->depth == 0 && (!strcmp(f->name, "kind") || !strcmp(f->name, "v")))
		return 0; /* the table says which kind; the version is 1 */
	const struct rec_field *af;
	struct table *t = owner(B, f, &af);
	int arrays = 0;
	for (const struct rec_field *p = f->parent; p; p = p->parent)
		arrays += !strcmp(p->type, "array");
	if (arrays > 1)
		return 0; /* inside an array in an array item: that array is a JSON column */
	if (f->nested && !strcmp(f->type, "object"))
		return 0; /* its fields become columns */
	/* The path below the table's record or item, and whether every object on it
	 * is required. */
	const struct rec_field *chain[MAXDEPTH];
	int n = 0, req = 1;
	for (const struct rec_field *p = f; p && p != af && n < MAXDEPTH; p = p->parent) {
		chain[n++] = p;
		req &= p->required;
	}
	if (f->nested && !strcmp(f->type, "array") && !af) {
		/* An array of objects: a table of its own, one row an item. */
		struct table *c = xcalloc(1, sizeof *c);
		struct buf nm = { 0 };
		buf_printf(&nm, "%s_", t->kind);
		for (int i = n - 1; i >= 0; i--)
			buf_printf(&nm, "%s%s", chain[i]->name, i ? "_" : "");
		c->name = xstrdup(buf_str(&nm));
		buf_free(&nm);
		c->kind = t->kind;
		c->parent = t;
		c->arr = xstrdup(f->path);
		t->child[t->nchild++] = c;
		B->arr[f->depth] = c;
		return 0;
	}
	struct buf nm = { 0 };
	for (int i = n - 1; i >= 0; i--)
		buf_printf(&nm, "%s%s", chain[i]->name, i ? "_" : "");
	if (find_col(t, buf_str(&nm)) >= 0)
		die("%s: two fields make the column %s", t->name, buf_str(&nm));
	struct col *c = add_col(t, buf_str(&nm));
	buf_free(&nm);
	free(c->path);
	struct buf p = { 0 };
	for (int i = n - 1; i >= 0; i--)
		buf_printf(&p, "%s%s", chain[i]->name, i ? "." : "");
	c->path = xstrdup(buf_str(&p));
	buf_free(&p);
	c->ncomp = 0;
	for (char *s = c->path, *dot; s; s = dot ? dot + 1 : NULL) {
		dot = strchr(s, '.');
		if (dot)
			*dot = 0;
		c->comp[c->ncomp++] = s;
	}
	/* comp[] points into path, now NUL-separated (col_dotted joins it again). */
	c->type = xstrdup(f->type);
	c->pii = f->pii;
	c->notnull = req;
	col_type(c, f);
	return 0;
}

static const char *
col_dotted(const struct col *c, struct buf *b)
{
	b->n = 0;
	for (int i = 0; i < c->ncomp; i++)
		buf_printf(b, "%s%s", i ? "." : "", c->comp[i]);
	return buf_str(b);
}

/* The key of an array's table: its record's key, then the item's index. */
static void
child_keys(struct table *c)
{
	struct table *p = c->parent;
	size_t own = c->nc;
	struct col *items = c->c;
	c->c = NULL;
	c->nc = c->cap = 0;
	for (int i = 0; i < p->nkey; i++) {
		struct col *k = add_col(c, p->c[p->key[i]].name);
		struct col *src = &p->c[p->key[i]];
		k->ctype = src->ctype;
		k->notnull = 1;
		k->type = xstrdup(src->type);
		k->duck = src->duck;
		c->key[c->nkey++] = (int)c->nc - 1;
	}
	struct col *ix = add_col(c, "idx");
	ix->ctype = C_INT;
	ix->notnull = 1;
	ix->type = xstrdup("integer");
	ix->duck = "BIGINT";
	ix->check = xstrdup("idx >= 0");
	c->idx = (int)c->nc - 1;
	c->key[c->nkey++] = c->idx;
	for (size_t i = 0; i < own; i++) {
		if (find_col(c, items[i].name) >= 0)
			die("%s: two fields make the column %s", c->name, items[i].name);
		struct col *d = add_col(c, "");
		free(d->name);
		free(d->path);
		*d = items[i];
	}
	free(items);
}

static struct table *
build_table(const char *kind, const char *name)
{
	struct table *t = xcalloc(1, sizeof *t);
	t->kind = xstrdup(kind);
	t->name = name ? xstrdup(name) : plural(kind);
	const char *const *key = rec_kind_key(kind);
	if (!key) {
		struct col *c = add_col(t, "record_key");
		c->type = xstrdup("hex");
		c->ctype = C_TEXT;
		c->notnull = 1;
		c->duck = "VARCHAR";
		c->check = xstrdup("length(record_key) = 32 AND ltrim(record_key, '0123456789abcdef') = ''");
		t->hashkey = 1;
	}
	struct build B = { t, { 0 } };
	rec_schema_walk(kind, on_field, &B);
	if (key) {
		for (int i = 0; key[i]; i++) {
			int k = find_col(t, key[i]);
			if (k < 0)
				die("%s: the key field %s is not a column", t->name, key[i]);
			t->key[t->nkey++] = k;
		}
	} else {
		t->key[t->nkey++] = 0;
	}
	for (int i = 0; i < t->nchild; i++)
		child_keys(t->child[i]);
	return t;
}

/* --no-pii: the personal numbers of a record masked in place, before anything of it
 * is written or hashed. A free object (a correction's changes) is masked at the
 * paths the schema marks personal in any kind: account.number, beneficiary.nid... */
struct pii_path {
	char *path;
	int what;
};
static struct pii_path *pii_paths;
static size_t npii_paths;

static int
on_pii(const struct rec_field *f, void *ctx)
{
	if (f->pii < 0 || strstr(f->path, "[]"))
		return 0;
	for (size_t i = 0; i < npii_paths; i++)
		if (!strcmp(pii_paths[i].path, f->path))
			return 0;
	pii_paths = xrealloc(pii_paths, (npii_paths + 1) * sizeof *pii_paths);
	pii_paths[npii_paths].path = xstrdup(f->path);
	pii_paths[npii_paths++].what = f->pii;
	return 0;
}

static void
mask_string(json_t *o, const char *key, int what)
{
	static struct buf m;
	const char *s = json_string_value(json_object_get(o, key));
	if (!s)
		return;
	pii_mask(what, s, &m);
	json_object_set_new(o, key, json_string(buf_str(&m)));
}

static void
mask_text(json_t *o, const char *key)
{
	static struct buf m;
	const char *s = json_string_value(json_object_get(o, key));
	if (!s)
		return;
	pii_mask_text(s, &m);
	if (strcmp(s, buf_str(&m)))
		json_object_set_new(o, key, json_string(buf_str(&m)));
}

static void
mask_free(json_t *o, struct buf *path)
{
	const char *key;
	json_t *v;
	size_t len = path->n;
	json_object_foreach(o, key, v) {
		path->n = len;
		buf_printf(path, "%s%s", len ? "." : "", key);
		if (json_is_object(v)) {
			mask_free(v, path);
		} else if (json_is_string(v)) {
			size_t i;
			for (i = 0; i < npii_paths; i++)
				if (!strcmp(pii_paths[i].path, buf_str(path)))
					break;
			if (i < npii_paths)
				mask_string(o, key, pii_paths[i].what);
			else
				mask_text(o, key);
		}
	}
	path->n = len;
}

static void
mask_record(struct table *t, json_t *o)
{
	for (size_t i = 0; i < t->nc; i++) {
		const struct col *c = &t->c[i];
		int text = !strcmp(c->type, "string") || !strcmp(c->type, "text");
		if (c->pii < 0 && c->ctype != C_JSON && !text)
			continue;
		json_t *holder = o;
		for (int k = 0; holder && k < c->ncomp - 1; k++)
			holder = json_object_get(holder, c->comp[k]);
		json_t *x = json_object_get(holder, c->comp[c->ncomp - 1]);
		if (!x)
			continue;
		if (c->pii >= 0) {
			mask_string(holder, c->comp[c->ncomp - 1], c->pii);
		} else if (text) {
			mask_text(holder, c->comp[c->ncomp - 1]);
		} else if (json_is_object(x)) {
			struct buf p = { 0 };
			mask_free(x, &p);
			buf_free(&p);
		}
	}
	for (int k = 0; k < t->nchild; k++) {
		json_t *item;
		size_t i;
		json_array_foreach(jget(o, t->child[k]->arr), i, item)
			mask_record(t->child[k], item);
	}
}

static void
build_tables(void)
{
	for (const char *const *k = rec_kinds(); *k; k++) {
		if (!strcmp(*k, "reject"))
			continue; /* every reader unwraps a reject: none ever reaches a table */
		tables[ntables++] = build_table(*k, NULL);
	}
	status_table = build_table("status", "order_status");
	if (o_nopii)
		for (const char *const *k = rec_kinds(); *k; k++)
			rec_schema_walk(*k, on_pii, NULL);
}

static int
has_col(const struct table *t, const char *name)
{
	return find_col(t, name) >= 0;
}

static struct table *
table_named(const char *name)
{
	for (int i = 0; i < ntables; i++)
		if (!strcmp(tables[i]->name, name))
			return tables[i];
	return NULL;
}

/* ---- the DDL ---- */

/* was: with the CHECKs as wgo-export wrote them before 2026-11-30. */
static void
create_table(struct buf *b, const struct table *t, int was)
{
	buf_printf(b, "CREATE TABLE %s (\n", t->name);
	for (size_t i = 0; i < t->nc; i++) {
		const struct col *c = &t->c[i];
		buf_adds(b, "  ");
		ident(b, c->name);
		buf_printf(b, " %s%s", c->ctype == C_TEXT || c->ctype == C_JSON ? "TEXT" : "INTEGER",
		           c->notnull ? " NOT NULL" : "");
		if (was && c->check_was)
			buf_printf(b, " CHECK (%s)", c->check_was);
		else if (c->check)
			buf_printf(b, " CHECK (%s)", c->check);
		buf_adds(b, ",\n");
	}
	buf_adds(b, "  PRIMARY KEY (");
	for (int i = 0; i < t->nkey; i++) {
		buf_adds(b, i ? ", " : "");
		ident(b, t->c[t->key[i]].name);
	}
	buf_adds(b, ")");
	if (t->parent) {
		buf_adds(b, ",\n  FOREIGN KEY (");
		for (int i = 0; i < t->parent->nkey; i++) {
			buf_adds(b, i ? ", " : "");
			ident(b, t->c[t->key[i]].name);
		}
		buf_printf(b, ") REFERENCES %s ON DELETE CASCADE", t->parent->name);
	} else if (strcmp(t->kind, "order") && has_col(t, "order_no") && has_col(t, "revision")) {
		/* Declared for the reader and for PRAGMA foreign_key_check; not enforced,
		 * so that a payment to an order not held is still loaded. */
		buf_adds(b, ",\n  FOREIGN KEY (order_no, revision) REFERENCES orders (order_no, revision)");
	}
	buf_adds(b, "\n) STRICT");
}

/* An index for the joins on an order: where a table names orders but is not
 * keyed by them. */
static int
create_index(struct buf *b, const struct table *t)
{
	if (t->parent || !has_col(t, "order_no") || !strcmp(t->c[t->key[0]].name, "order_no"))
		return 0;
	int rev = has_col(t, "revision");
	buf_printf(b, "CREATE INDEX %s_order ON %s (order_no%s)", t->name, t->name,
	           rev ? ", revision" : "");
	return 1;
}

/* What the SQL views do with a masked column: libwgo's rule (pii_keep), spelled in
 * SQL so that a plain sqlite3 can read the views. */
static void
mask_sql(struct buf *b, const char *q, int what)
{
	int h, t;
	pii_keep(what, &h, &t);
	buf_printf(b, "CASE WHEN length(%s) <= %d THEN %s ELSE substr(%s, 1, %d) || "
	           "replace(hex(zeroblob(length(%s) - %d)), '00', '*') || substr(%s, length(%s) - %d) END",
	           q, h + t, q, q, h, q, h + t, q, q, t - 1);
}

struct view {
	const char *name;
	const char *needs[3];
	const char *sql;
};

static const struct view views[] = {
	{ "orders_in_force", { "orders", "stops" },
	  "SELECT o.*, s.reason AS stop_reason, s.date AS stop_date, s.last_month AS stop_last_month\n"
	  "FROM orders o LEFT JOIN stops s ON s.order_no = o.order_no\n"
	  "WHERE o.revision = (SELECT max(x.revision) FROM orders x WHERE x.order_no = o.order_no)" },
	{ "payments_by_office_month", { "payments" },
	  "SELECT office, substr(paid, 1, 7) AS month, count(*) AS payments,\n"
	  "  count(DISTINCT order_no) AS orders, sum(amount_poisha) AS amount_poisha\n"
	  "FROM payments GROUP BY office, substr(paid, 1, 7)" },
	{ "discrepancies_by_class", { "discrepancies" },
	  "SELECT month, office, class, count(*) AS discrepancies,\n"
	  "  coalesce(sum(expected_poisha), 0) AS expected_poisha,\n"
	  "  coalesce(sum(paid_poisha), 0) AS paid_poisha\n"
	  "FROM discrepancies GROUP BY month, office, class" },
	/* The latest state held of each complaint: the one with most events, then most
	 * working days; overdue days counted to meta's as_of. */
	{ "complaint_deadlines", { "complaint_states" },
	  "SELECT c.id, c.office, c.status, c.level, c.officer, c.service, c.category, c.added,\n"
	  "  c.deadline, c.resolved, c.working_days,\n"
	  "  CASE WHEN c.status <> 'resolved' AND c.deadline < m.value\n"
	  "    THEN CAST(julianday(m.value) - julianday(c.deadline) AS INTEGER) ELSE 0 END AS overdue_days\n"
	  "FROM complaint_states c, (SELECT value FROM meta WHERE key = 'as_of') m\n"
	  "WHERE c.record_key = (SELECT x.record_key FROM complaint_states x WHERE x.id = c.id\n"
	  "  ORDER BY x.events DESC, x.working_days DESC, x.record_key LIMIT 1)" },
};

static void
print_view(struct buf *b, const char *name, const char *sql)
{
	buf_printf(b, "CREATE VIEW %s AS\n%s", name, sql);
}

/* findings_by_rule, from whichever of office, rule and severity the finding kind has. */
static int
findings_view(struct buf *b)
{
	struct table *t = table_named("findings");
	if (!t)
		return 0;
	const char *by[] = { "office", "rule", "severity" };
	struct buf g = { 0 };
	for (size_t i = 0; i < 3; i++)
		if (has_col(t, by[i]))
			buf_printf(&g, "%s%s", g.n ? ", " : "", by[i]);
	if (!g.n) {
		buf_free(&g);
		return 0;
	}
	struct buf s = { 0 };
	buf_printf(&s, "SELECT %s, count(*) AS findings FROM findings GROUP BY %s", buf_str(&g),
	           buf_str(&g));
	print_view(b, "findings_by_rule", buf_str(&s));
	buf_free(&g);
	buf_free(&s);
	return 1;
}

static int
masked_view(struct buf *b, const struct table *t)
{
	int any = 0;
	for (size_t i = 0; i < t->nc; i++)
		any |= t->c[i].pii >= 0;
	if (!any)
		return 0;
	struct buf s = { 0 }, q = { 0 }, nm = { 0 };
	buf_adds(&s, "SELECT ");
	for (size_t i = 0; i < t->nc; i++) {
		q.n = 0;
		ident(&q, t->c[i].name);
		buf_adds(&s, i ? ", " : "");
		if (t->c[i].pii >= 0) {
			mask_sql(&s, buf_str(&q), t->c[i].pii);
			buf_printf(&s, " AS %s", buf_str(&q));
		} else {
			buf_adds(&s, buf_str(&q));
		}
	}
	buf_printf(&s, "\nFROM %s", t->name);
	buf_printf(&nm, "%s_masked", t->name);
	print_view(b, buf_str(&nm), buf_str(&s));
	buf_free(&s);
	buf_free(&q);
	buf_free(&nm);
	return 1;
}

/* Every statement of the schema, in order, each without its ';'. */
struct stmt_list {
	char **s;
	char **was; /* a table's SQL as wgo-export wrote it before, when it differs */
	char *type; /* t table, i index, v view */
	size_t n;
};

static void
push_stmt(struct stmt_list *l, struct buf *b, char type)
{
	l->s = xrealloc(l->s, (l->n + 1) * sizeof *l->s);
	l->was = xrealloc(l->was, (l->n + 1) * sizeof *l->was);
	l->type = xrealloc(l->type, l->n + 1);
	l->type[l->n] = type;
	l->was[l->n] = NULL;
	l->s[l->n++] = xstrdup(buf_str(b));
	b->n = 0;
}

/* A table's statement, with its earlier form (in was) when that differs. */
static void
push_table(struct stmt_list *l, struct buf *b, struct buf *was)
{
	push_stmt(l, b, 't');
	if (strcmp(buf_str(was), l->s[l->n - 1]))
		l->was[l->n - 1] = xstrdup(buf_str(was));
	was->n = 0;
}

static void
stmt_list_free(struct stmt_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->s[i]);
		free(l->was[i]);
	}
	free(l->s);
	free(l->was);
	free(l->type);
}

static const char meta_sql[] =
	"CREATE TABLE meta (\n  key TEXT NOT NULL PRIMARY KEY,\n  value TEXT NOT NULL\n) STRICT";

/* The service corner's index (wgo-track(1)): who each order, application and
 * complaint is for, by what a person at the desk gives. lookup_ids holds NIDs, mobile
 * numbers and application numbers in their normal form; lookup_names the blocks of
 * each name's key (names.c: a name matching another shares a block with it), the
 * key, whether it has initials and how many words count in it. */
static void
lookup_table(struct buf *b, int ids, int was)
{
	static const char *const name_kinds[] = { "order", "application", NULL };
	static const char *const id_kinds[] = { "order", "application", "complaint", NULL };
	static const char *const whats[] = { "nid", "mobile", "application_no", NULL };
	void (*list)(struct buf *, const char *, const char *const *) = was ? sql_list_was : sql_list;
	if (!ids) {
		buf_adds(b, "CREATE TABLE lookup_names (\n"
		            "  block INTEGER NOT NULL,\n"
		            "  initials INTEGER NOT NULL CHECK (initials IN (0, 1)),\n"
		            "  words INTEGER NOT NULL,\n"
		            "  kind TEXT NOT NULL CHECK (");
		list(b, "kind", name_kinds);
		buf_adds(b, "),\n"
		            "  office TEXT NOT NULL,\n"
		            "  ref TEXT NOT NULL,\n"
		            "  name_key TEXT NOT NULL,\n"
		            "  PRIMARY KEY (block, initials, words, kind, office, ref, name_key)\n"
		            ") WITHOUT ROWID, STRICT");
		return;
	}
	buf_adds(b, "CREATE TABLE lookup_ids (\n  what TEXT NOT NULL CHECK (");
	list(b, "what", whats);
	buf_adds(b, "),\n  value TEXT NOT NULL,\n  kind TEXT NOT NULL CHECK (");
	list(b, "kind", id_kinds);
	buf_adds(b, "),\n"
	            "  office TEXT NOT NULL,\n"
	            "  ref TEXT NOT NULL,\n"
	            "  PRIMARY KEY (what, value, kind, office, ref)\n"
	            ") WITHOUT ROWID, STRICT");
}
static const char track_complaints_sql[] = "CREATE INDEX complaints_id ON complaints (office, id)";

static void
schema_stmts(struct stmt_list *l)
{
	struct buf b = { 0 }, was = { 0 };
	memset(l, 0, sizeof *l);
	buf_adds(&b, meta_sql);
	push_stmt(l, &b, 't');
	for (int ids = 0; ids < 2; ids++) {
		lookup_table(&was, ids, 1);
		lookup_table(&b, ids, 0);
		push_table(l, &b, &was);
	}
	for (int i = 0; i <= ntables; i++) {
		struct table *t = i < ntables ? tables[i] : status_table;
		for (int k = -1; k < t->nchild; k++) {
			const struct table *x = k < 0 ? t : t->child[k];
			create_table(&was, x, 1);
			create_table(&b, x, 0);
			push_table(l, &b, &was);
		}
	}
	for (int i = 0; i <= ntables; i++)
		if (create_index(&b, i < ntables ? tables[i] : status_table))
			push_stmt(l, &b, 'i');
	for (size_t v = 0; v < sizeof views / sizeof views[0]; v++) {
		int ok = 1;
		for (int k = 0; views[v].needs[k]; k++)
			ok &= table_named(views[v].needs[k]) != NULL;
		if (!ok)
			continue;
		print_view(&b, views[v].name, views[v].sql);
		push_stmt(l, &b, 'v');
	}
	if (findings_view(&b))
		push_stmt(l, &b, 'v');
	if (table_named("complaints")) {
		buf_adds(&b, track_complaints_sql);
		push_stmt(l, &b, 'i');
	}
	for (int i = 0; i < ntables; i++)
		if (masked_view(&b, tables[i]))
			push_stmt(l, &b, 'v');
	buf_free(&b);
	buf_free(&was);
}

/* ---- DuckDB's columns={...} ---- */

struct dfield {
	char *name, *type, *duck;
	int depth, nested;
};
struct dlist {
	struct dfield *f;
	size_t n;
};

static int
on_duck(const struct rec_field *f, void *ctx)
{
	struct dlist *d = ctx;
	d->f = xrealloc(d->f, (d->n + 1) * sizeof *d->f);
	struct dfield *x = &d->f[d->n++];
	x->name = xstrdup(f->name);
	x->type = xstrdup(f->type);
	x->depth = f->depth;
	x->nested = f->nested;
	struct col c = { 0 };
	c.name = (char *)f->name;
	col_type(&c, f);
	free(c.check);
	free(c.check_was);
	x->duck = xstrdup(!strcmp(f->name, "v") && f->depth == 0 ? "INTEGER" : c.duck);
	return 0;
}

/* The DuckDB type of field i and its subtree; returns the index after it. */
static size_t
duck_type(const struct dlist *d, size_t i, struct buf *b)
{
	const struct dfield *x = &d->f[i];
	if (!x->nested) {
		buf_adds(b, x->duck);
		return i + 1;
	}
	buf_adds(b, "STRUCT(");
	size_t j = i + 1;
	int first = 1;
	while (j < d->n && d->f[j].depth > x->depth) {
		buf_printf(b, "%s\"%s\" ", first ? "" : ", ", d->f[j].name);
		first = 0;
		j = duck_type(d, j, b);
	}
	buf_adds(b, ")");
	if (!strcmp(x->type, "array"))
		buf_adds(b, "[]");
	return j;
}

static void
print_duckdb(void)
{
	for (const char *const *k = rec_kinds(); *k; k++) {
		if (!strcmp(*k, "reject"))
			continue;
		struct dlist d = { 0 };
		rec_schema_walk(*k, on_duck, &d);
		struct buf b = { 0 };
		buf_printf(&b, "%s\tcolumns={", *k);
		for (size_t i = 0; i < d.n;) {
			buf_printf(&b, "%s'%s': '", i ? ", " : "", d.f[i].name);
			i = duck_type(&d, i, &b);
			buf_adds(&b, "'");
		}
		buf_adds(&b, "}\n");
		fputs(buf_str(&b), stdout);
		buf_free(&b);
		for (size_t i = 0; i < d.n; i++) {
			free(d.f[i].name);
			free(d.f[i].type);
			free(d.f[i].duck);
		}
		free(d.f);
	}
}

/* ---- the database ---- */

static sqlite3 *db;
static const char *db_path;

static _Noreturn void
db_die(const char *what)
{
	int code = sqlite3_errcode(db);
	warnf("%s: %s: %s", db_path, what, sqlite3_errmsg(db));
	sqlite3_close(db);
	db = NULL;
	exit(wgo_finish(code == SQLITE_BUSY || code == SQLITE_LOCKED ? WGO_EXIT_TEMP : WGO_EXIT_USAGE));
}

static void
exec(const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		db_die(sql);
}

static sqlite3_stmt *
prepare(const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		db_die(sql);
	return st;
}

/* The SQL a schema object was made with, or NULL when there is none. */
static char *
held_sql(const char *type, const char *name)
{
	sqlite3_stmt *st = prepare("SELECT sql FROM sqlite_schema WHERE type = ? AND name = ?");
	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	char *s = NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		s = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return s;
}

static char *
stmt_name(const char *sql)
{
	const char *p = strncmp(sql, "CREATE TABLE ", 13) == 0 ? sql + 13
	                : strncmp(sql, "CREATE INDEX ", 13) == 0 ? sql + 13 : sql + 12;
	return xstrndup(p, strcspn(p, " \n("));
}

static void
meta_set(const char *key, const char *value)
{
	sqlite3_stmt *st = prepare("INSERT INTO meta (key, value) VALUES (?, ?) "
	                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		db_die("meta");
	sqlite3_finalize(st);
}

static char *
meta_get(const char *key)
{
	sqlite3_stmt *st = prepare("SELECT value FROM meta WHERE key = ?");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	char *s = NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		s = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return s;
}

/* Tables made or found as this schema makes them; views made anew. Indexes are
 * made at the end, after a fresh database's rows are in. */
static void
setup_schema(const struct stmt_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->type[i] == 'i')
			continue;
		char *name = stmt_name(l->s[i]);
		char *held = held_sql(l->type[i] == 't' ? "table" : "view", name);
		if (l->type[i] == 'v') {
			/* A view holds no rows: one of another version is made anew. */
			if (held && strcmp(held, l->s[i])) {
				struct buf d = { 0 };
				buf_printf(&d, "DROP VIEW %s", name);
				exec(buf_str(&d));
				buf_free(&d);
			}
			if (!held || strcmp(held, l->s[i]))
				exec(l->s[i]);
		} else if (!held) {
			exec(l->s[i]);
		} else if (strcmp(held, l->s[i]) && !(l->was[i] && !strcmp(held, l->was[i]))) {
			warnf("%s: table %s was made by another version of wgo-export's schema; "
			      "export into a new database", db_path, name);
			free(held);
			free(name);
			sqlite3_close(db);
			exit(wgo_finish(WGO_EXIT_USAGE));
		}
		free(held);
		free(name);
	}
}

/* INSERT of rows rows of t's columns (cols, their list), a row held already left. */
static sqlite3_stmt *
insert_stmt(const struct table *t, const char *cols, int rows)
{
	struct buf b = { 0 };
	buf_printf(&b, "INSERT INTO %s (%s) VALUES ", t->name, cols);
	for (int r = 0; r < rows; r++) {
		buf_adds(&b, r ? ", (" : "(");
		for (size_t i = 0; i < t->nc; i++)
			buf_adds(&b, i ? ", ?" : "?");
		buf_adds(&b, ")");
	}
	buf_adds(&b, " ON CONFLICT DO NOTHING");
	sqlite3_stmt *st = prepare(buf_str(&b));
	buf_free(&b);
	return st;
}

static void
prepare_table(struct table *t)
{
	struct buf b = { 0 }, cols = { 0 };
	for (size_t i = 0; i < t->nc; i++) {
		buf_adds(&cols, i ? ", " : "");
		ident(&cols, t->c[i].name);
	}
	t->cols = xstrdup(buf_str(&cols));
	t->ins = insert_stmt(t, t->cols, 1);
	buf_printf(&b, "SELECT %s FROM %s WHERE ", buf_str(&cols), t->name);
	for (int i = 0; i < t->nkey; i++) {
		buf_adds(&b, i ? " AND " : "");
		ident(&b, t->c[t->key[i]].name);
		buf_printf(&b, " = ?%d", i + 1);
	}
	t->sel = prepare(buf_str(&b));
	if (t->parent) {
		/* An item's rows, in order, by its record's key. */
		b.n = 0;
		buf_printf(&b, "SELECT %s FROM %s WHERE ", buf_str(&cols), t->name);
		for (int i = 0; i < t->parent->nkey; i++) {
			buf_adds(&b, i ? " AND " : "");
			ident(&b, t->c[t->key[i]].name);
			buf_printf(&b, " = ?%d", i + 1);
		}
		buf_adds(&b, " ORDER BY idx");
		t->kids = prepare(buf_str(&b));
	}
	t->v = xcalloc(t->nc, sizeof *t->v);
	for (size_t i = 1; i < t->nc; i++) {
		const struct col *c = &t->c[i], *p = &t->c[i - 1];
		int same = c->ncomp > 1 && c->ncomp == p->ncomp;
		for (int k = 0; same && k < c->ncomp - 1; k++)
			same = !strcmp(c->comp[k], p->comp[k]);
		t->c[i].samepar = same;
	}
	buf_free(&b);
	buf_free(&cols);
	for (int i = 0; i < t->nchild; i++)
		prepare_table(t->child[i]);
}

/* ---- rows from records ---- */

/* FNV-1a, 128 bits, of the record's canonical line: the key of a kind without one. */
__extension__ typedef unsigned __int128 u128;
static void
record_hash(const char *s, size_t n, char out[33])
{
	u128 h = ((u128)0x6c62272e07bb0142ULL << 64) | 0x62b821756295c58dULL;
	const u128 prime = ((u128)0x0000000001000000ULL << 64) | 0x000000000000013BULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= prime;
	}
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)(h >> 64), (unsigned long long)h);
}

static json_t *
at(json_t *o, const struct col *c)
{
	for (int i = 0; o && i < c->ncomp; i++)
		o = json_object_get(o, c->comp[i]);
	return o;
}

/* The values of one row: from the object (the record, or an array item). */
static void
fill(struct table *t, json_t *o, const char *hash, const struct val *pkey, long idx,
     json_t *const *xs)
{
	for (size_t i = 0; i < t->nc; i++) {
		struct col *c = &t->c[i];
		struct val *v = &t->v[i];
		v->null = 0;
		v->ctype = c->ctype == C_JSON ? C_TEXT : c->ctype;
		if (t->hashkey && i == 0) {
			v->s = hash;
			v->n = 32;
			continue;
		}
		if (t->parent && (int)i < t->idx) {
			*v = pkey[i];
			v->b = (struct buf){ 0 };
			continue;
		}
		if (t->parent && (int)i == t->idx) {
			v->i = idx;
			continue;
		}
		json_t *x = xs ? xs[i] : at(o, c);
		if (!x) {
			v->null = 1;
			continue;
		}
		switch (c->ctype) {
		case C_TEXT:
			v->s = json_string_value(x);
			v->n = json_string_length(x);
			break;
		case C_INT:
			v->i = json_integer_value(x);
			break;
		case C_BOOL:
			v->i = json_is_true(x);
			break;
		default:
			v->b.n = 0;
			json_dump_compact(x, &v->b);
			v->s = buf_str(&v->b);
			v->n = v->b.n;
			break;
		}
	}
}

static void
bind_val(sqlite3_stmt *st, int k, const struct val *v)
{
	if (v->null)
		sqlite3_bind_null(st, k);
	else if (v->ctype == C_TEXT)
		sqlite3_bind_text(st, k, v->s, (int)v->n, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, k, v->i);
}

static void
bind_row(struct table *t, sqlite3_stmt *st, int only_key)
{
	int n = only_key ? t->nkey : (int)t->nc;
	for (int j = 0; j < n; j++)
		bind_val(st, j + 1, &t->v[only_key ? t->key[j] : j]);
}

static void
show_val(struct buf *b, const struct val *v)
{
	if (v->null)
		buf_adds(b, "none");
	else if (v->ctype == C_TEXT)
		buf_printf(b, "%.*s", v->n > 60 ? 60 : (int)v->n, v->s);
	else
		buf_printf(b, "%lld", v->i);
}

static void
show_col(struct buf *b, sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		buf_adds(b, "none");
	else
		buf_printf(b, "%.60s", (const char *)sqlite3_column_text(st, i));
}

/* Whether column i of the held row is v. */
static int
same(sqlite3_stmt *st, int i, const struct val *v)
{
	int ty = sqlite3_column_type(st, i);
	if (v->null || ty == SQLITE_NULL)
		return v->null && ty == SQLITE_NULL;
	if (v->ctype == C_TEXT)
		return ty == SQLITE_TEXT && (size_t)sqlite3_column_bytes(st, i) == v->n &&
		       !memcmp(sqlite3_column_text(st, i), v->s, v->n);
	return ty == SQLITE_INTEGER && sqlite3_column_int64(st, i) == v->i;
}

static void
key_text(struct buf *b, const struct table *t)
{
	for (int k = 0; k < t->nkey; k++) {
		buf_printf(b, "%s%s ", k ? ", " : "", t->c[t->key[k]].name);
		show_val(b, &t->v[t->key[k]]);
	}
}

/* The held row of t's key against the values: -1 with e filled when they differ. */
static int
compare_held(struct table *t, const char *prefix, struct werr *e)
{
	sqlite3_reset(t->sel);
	bind_row(t, t->sel, 1);
	int rc = sqlite3_step(t->sel);
	if (rc != SQLITE_ROW)
		db_die("reading back a held row");
	for (size_t i = 0; i < t->nc; i++) {
		if (same(t->sel, (int)i, &t->v[i]))
			continue;
		struct buf f = { 0 }, m = { 0 }, d = { 0 };
		buf_printf(&f, "%s%s", prefix, col_dotted(&t->c[i], &d));
		buf_printf(&m, "the %s ", t->kind);
		key_text(&m, t);
		buf_adds(&m, " is held with ");
		show_col(&m, t->sel, (int)i);
		buf_adds(&m, "; this record has ");
		show_val(&m, &t->v[i]);
		werr_set(e, buf_str(&f), "%s (a record may be added again, not changed)", buf_str(&m));
		buf_free(&f);
		buf_free(&m);
		buf_free(&d);
		sqlite3_reset(t->sel);
		return -1;
	}
	sqlite3_reset(t->sel);
	return 0;
}

static unsigned long nconflict;

/* ---- the service corner's index: filled as records are added ---- */

static struct table *table_of(const char *kind);
static int track_on;                 /* not for masked numbers, nor for CSV alone */
static struct name_rules track_rules;

/* The index's rows wait in two sorters, and go in at the end in the order of the
 * tables' primary keys: a row at a time as the records come, the keys' hashes
 * would land all over the index's B-trees, which would cost more than all else
 * the export does. A row is kept as bytes whose memcmp order is the order of its
 * primary key (SQLite's, for these INTEGER and TEXT columns):
 *   lookup_names: block (8 bytes, big-endian, its sign bit flipped), initials (1),
 *                 words (4, big-endian), kind (1: its rank among the kinds' names),
 *                 then "office\0ref\0name_key";
 *   lookup_ids:   what (1: its rank), "value\0", kind (1), "office\0ref".
 * The strings hold no NUL (JSON's \u0000 is refused on input), so each ends
 * before any longer string it begins, as in SQLite. */
#define TRACK_SORT ((size_t)64 << 20) /* each sorter's memory, unless WGO_SORT_MEM says */
static const char *const track_kinds[3] = { "order", "application", "complaint" };
static const char *const track_whats[3] = { "nid", "mobile", "application_no" };
static const uint8_t kind_rank[3] = { 2, 0, 1 }, what_rank[3] = { 2, 1, 0 };
static struct xsort tq_names, tq_ids;
static struct buf tq_row;

static void
row_text(const char *s, int nul)
{
	buf_add(&tq_row, s, strlen(s) + (size_t)nul);
}

static void
row_be(uint64_t v, int bytes)
{
	char b[8];
	for (int i = 0; i < bytes; i++)
		b[i] = (char)(v >> (8 * (bytes - 1 - i)));
	buf_add(&tq_row, b, (size_t)bytes);
}

static int
rank_index(const uint8_t rank[3], uint8_t r)
{
	for (int i = 0; i < 3; i++)
		if (rank[i] == r)
			return i;
	die("lookup index: a row of no kind (%u)", r);
}

static void
bind_id(sqlite3_stmt *st, int o, const char *p, size_t n)
{
	const char *value = p + 1, *office = value + strlen(value) + 2;
	const char *ref = office + strlen(office) + 1;
	sqlite3_bind_text(st, o + 1, track_whats[rank_index(what_rank, (uint8_t)p[0])], -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(st, o + 2, value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, o + 3, track_kinds[rank_index(kind_rank, (uint8_t)value[strlen(value) + 1])],
	                  -1, SQLITE_STATIC);
	sqlite3_bind_text(st, o + 4, office, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, o + 5, ref, (int)(p + n - ref), SQLITE_STATIC);
}

static void
bind_name(sqlite3_stmt *st, int o, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	uint64_t block = 0;
	uint32_t words = 0;
	for (int i = 0; i < 8; i++)
		block = block << 8 | u[i];
	for (int i = 9; i < 13; i++)
		words = words << 8 | u[i];
	const char *office = p + 14, *ref = office + strlen(office) + 1;
	const char *key = ref + strlen(ref) + 1;
	sqlite3_bind_int64(st, o + 1, (sqlite3_int64)(block ^ UINT64_C(1) << 63));
	sqlite3_bind_int(st, o + 2, u[8]);
	sqlite3_bind_int(st, o + 3, (int)words);
	sqlite3_bind_text(st, o + 4, track_kinds[rank_index(kind_rank, u[13])], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, o + 5, office, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, o + 6, ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, o + 7, key, (int)(p + n - key), SQLITE_STATIC);
}

/* Rows go in TRACK_ROWS to a statement: one statement a row would open the
 * table anew for each and look for its place from the root, where one statement
 * of many rows keeps its place, and a row after the last is put there at once. */
#define TRACK_ROWS 32

struct track_ins {
	const char *table;
	int ncols;
	void (*bind)(sqlite3_stmt *st, int o, const char *p, size_t n);
	sqlite3_stmt *one, *many;
};
static struct track_ins track_ins_ids = { "lookup_ids", 5, bind_id, NULL, NULL },
                        track_ins_names = { "lookup_names", 7, bind_name, NULL, NULL };

static void
track_ins_prepare(struct track_ins *t)
{
	struct buf q = { 0 }, row = { 0 };
	buf_adds(&row, "(");
	for (int i = 0; i < t->ncols; i++)
		buf_adds(&row, i ? ", ?" : "?");
	buf_adds(&row, ")");
	buf_printf(&q, "INSERT OR IGNORE INTO %s VALUES %s", t->table, buf_str(&row));
	t->one = prepare(buf_str(&q));
	for (int i = 1; i < TRACK_ROWS; i++)
		buf_printf(&q, ", %s", buf_str(&row));
	t->many = prepare(buf_str(&q));
	buf_free(&q);
	buf_free(&row);
}

static void
step_done(sqlite3_stmt *st, const char *table)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		db_die(table);
	sqlite3_reset(st);
}

/* The sorted rows of x into the index. */
static void
track_put(struct xsort *x, struct track_ins *t)
{
	struct buf b = { 0 };
	size_t off[TRACK_ROWS + 1], k = 0, n;
	const char *p;
	while ((p = xsort_next(x, &n))) {
		off[k++] = b.n;
		buf_add(&b, p, n);
		if (k < TRACK_ROWS)
			continue;
		off[k] = b.n;
		for (size_t i = 0; i < k; i++)
			t->bind(t->many, (int)i * t->ncols, b.p + off[i], off[i + 1] - off[i]);
		step_done(t->many, t->table);
		b.n = 0;
		k = 0;
	}
	off[k] = b.n;
	for (size_t i = 0; i < k; i++) {
		t->bind(t->one, 0, b.p + off[i], off[i + 1] - off[i]);
		step_done(t->one, t->table);
	}
	buf_free(&b);
}

static void
track_flush(void)
{
	track_put(&tq_ids, &track_ins_ids);
	track_put(&tq_names, &track_ins_names);
}

static void
track_id(int what, const char *value, int kind, const char *office, const char *ref)
{
	if (!value || !*value)
		return;
	tq_row.n = 0;
	buf_addc(&tq_row, (char)what_rank[what]);
	row_text(value, 1);
	buf_addc(&tq_row, (char)kind_rank[kind]);
	row_text(office, 1);
	row_text(ref, 0);
	xsort_add(&tq_ids, tq_row.p, tq_row.n);
}

/* A name's key and its blocks, as the index holds them. */
struct tname {
	int words, initials;
	size_t nb, off, len; /* the key is len bytes at off in its text */
	uint64_t blocks[MAXBLOCKS];
};

/* The keys of a record's (up to three) names: made in a parser thread when the
 * record is new (track_prepare), so that the thread that writes the database does
 * not wait on them. */
struct tkeys {
	struct tname t[3];
	char text[];
};

static void
name_keys(const char *name, struct tname *t, struct buf *text)
{
	memset(t, 0, sizeof *t);
	if (!name || !*name)
		return;
	size_t off = text->n;
	t->words = name_key(&track_rules, name, text);
	t->off = off;
	t->len = text->n - off;
	buf_addc(text, '\0');
	const char *k = text->p + off;
	t->nb = name_key_blocks(k, t->blocks, MAXBLOCKS);
	t->initials = memchr(k, '.', t->len) != NULL;
}

static void
track_name(const struct tname *t, const char *text, int kind, const char *office,
           const char *ref)
{
	for (size_t i = 0; i < t->nb; i++) {
		tq_row.n = 0;
		row_be(t->blocks[i] ^ UINT64_C(1) << 63, 8);
		buf_addc(&tq_row, (char)t->initials);
		row_be((uint64_t)t->words, 4);
		buf_addc(&tq_row, (char)kind_rank[kind]);
		row_text(office, 1);
		row_text(ref, 1);
		buf_add(&tq_row, text + t->off, t->len);
		xsort_add(&tq_names, tq_row.p, tq_row.n);
	}
}

/* The keys of three names (any may be NULL), in one block. */
static void *
tkeys_block(const char *const names[3], size_t head, struct tkeys **out)
{
	struct buf text = { 0 };
	struct tname t[3];
	for (int i = 0; i < 3; i++)
		name_keys(names[i], &t[i], &text);
	char *blk = xmalloc(head + sizeof **out + text.n + 1);
	struct tkeys *p = (struct tkeys *)(blk + head);
	memcpy(p->t, t, sizeof t);
	if (text.n)
		memcpy(p->text, text.p, text.n);
	p->text[text.n] = '\0';
	buf_free(&text);
	*out = p;
	return blk;
}

static struct tkeys *
tkeys_of(const char *const names[3])
{
	struct tkeys *p;
	tkeys_block(names, 0, &p);
	return p;
}

/* One record's keys: s[] is its office, its ref, its application number, the NID,
 * the mobile, then up to three names (a beneficiary's two and the employee's),
 * whose keys are in pre when a parser made them. */
static void
track_keys(int kind, const char *const s[8], const struct tkeys *pre)
{
	if (!s[0] || !s[1])
		die("lookup index: a %s without its office or reference", track_kinds[kind]);
	track_id(0, s[3], kind, s[0], s[1]);
	track_id(1, s[4], kind, s[0], s[1]);
	track_id(2, s[2], kind, s[0], s[1]);
	struct tkeys *own = pre ? NULL : tkeys_of(s + 5);
	const struct tkeys *k = pre ? pre : own;
	for (int i = 0; i < 3; i++)
		track_name(&k->t[i], k->text, kind, s[0], s[1]);
	free(own);
}

static const char *const track_paths[3][8] = {
	{ "office", "order_no", "application_no", "beneficiary.nid", "beneficiary.mobile",
	  "beneficiary.name_bn", "beneficiary.name_en", "employee.name" },
	{ "office", "application_no", "application_no", "beneficiary.nid", "beneficiary.mobile",
	  "beneficiary.name_bn", "beneficiary.name_en", "employee.name" },
	{ "office", "id", NULL, "nid", "mobile", NULL, NULL, NULL },
};

/* The column of a dotted field path (NULL: none), or -1. */
static int
path_col(const struct table *t, const char *path)
{
	if (!path)
		return -1;
	struct buf d = { 0 };
	for (const char *p = path; *p; p++)
		buf_addc(&d, *p == '.' ? '_' : *p);
	int c = find_col(t, buf_str(&d));
	buf_free(&d);
	return c;
}

/* Made in a parser thread for every record, while its tree is in that thread's
 * cache: where each of its table's columns is in the tree, and the name keys of
 * an order or an application (used if it is new). The thread that writes the
 * database then neither looks the fields up nor keys the names. Not for masked
 * numbers: masking changes the tree after. */
struct prep {
	struct table *t;
	struct tkeys *keys; /* in the same block, or NULL */
	json_t *x[];        /* the value of each of t's columns, or NULL */
};

static void *
export_prepare(json_t *rec, void *ctx)
{
	(void)ctx;
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	struct table *t = kind ? table_of(kind) : NULL;
	if (!t)
		return NULL;
	size_t head = sizeof(struct prep) + t->nc * sizeof(json_t *);
	struct prep *pp;
	struct tkeys *keys = NULL;
	int k;
	for (k = 0; k < 2 && strcmp(kind, track_kinds[k]); k++)
		;
	if (track_on && k < 2) {
		const char *names[3];
		for (int i = 0; i < 3; i++)
			names[i] = json_string_value(jget(rec, track_paths[k][5 + i]));
		pp = tkeys_block(names, head, &keys);
	} else {
		pp = xmalloc(head);
	}
	pp->t = t;
	pp->keys = keys;
	/* Columns of one nested object come one after another: it is looked up once. */
	json_t *par = NULL;
	for (size_t i = 0; i < t->nc; i++) {
		const struct col *c = &t->c[i];
		if (t->hashkey && i == 0) {
			pp->x[i] = NULL;
			continue;
		}
		if (!c->samepar) {
			par = rec;
			for (int d = 0; par && d < c->ncomp - 1; d++)
				par = json_object_get(par, c->comp[d]);
		}
		pp->x[i] = par ? json_object_get(par, c->comp[c->ncomp - 1]) : NULL;
	}
	return pp;
}

/* A new record's keys, from the values of its row (t->v, just written). */
static void
track_record(const struct table *t, const struct tkeys *pre)
{
	static int col[3][8], known[3];
	for (int k = 0; k < 3; k++) {
		if (strcmp(t->kind, track_kinds[k]))
			continue;
		if (!known[k]) {
			for (int i = 0; i < 8; i++) {
				int c = path_col(t, track_paths[k][i]);
				col[k][i] = c >= 0 && t->c[c].ctype == C_TEXT ? c : -1;
			}
			known[k] = 1;
		}
		const char *s[8];
		for (int i = 0; i < 8; i++) {
			int c = col[k][i];
			s[i] = c >= 0 && !t->v[c].null ? t->v[c].s : NULL;
		}
		track_keys(k, s, pre);
	}
}

/* The index made anew from what the tables hold: for a database made before it,
 * or keyed by other name rules than the configuration's now. */
static void
track_refill(const char *rules)
{
	exec("DELETE FROM lookup_names");
	exec("DELETE FROM lookup_ids");
	for (int k = 0; k < 3; k++) {
		struct table *t = table_of(track_kinds[k]);
		if (!t)
			continue;
		struct buf q = { 0 };
		buf_adds(&q, "SELECT ");
		for (int i = 0; i < 8; i++) {
			int c = path_col(t, track_paths[k][i]);
			buf_adds(&q, i ? ", " : "");
			if (c < 0)
				buf_adds(&q, "NULL");
			else
				ident(&q, t->c[c].name);
		}
		buf_printf(&q, " FROM %s", t->name);
		sqlite3_stmt *st = prepare(buf_str(&q));
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *s[8];
			for (int i = 0; i < 8; i++)
				s[i] = (const char *)sqlite3_column_text(st, i);
			track_keys(k, s, NULL);
		}
		sqlite3_finalize(st);
		buf_free(&q);
	}
	track_flush();
	meta_set("lookup_names", rules);
}

/* held: the name rules the database's index was keyed by, or NULL */
static void
track_setup(const char *held)
{
	struct werr e;
	char id[17];
	if (name_rules_load(&track_rules, wgo_config(), &e) < 0)
		die("%s: %s", e.field, e.msg);
	size_t mem = TRACK_SORT;
	const char *m = getenv("WGO_SORT_MEM");
	if (m && *m) {
		char *end;
		errno = 0;
		unsigned long long k = strtoull(m, &end, 10);
		if (*end || errno || k == 0 || k > SIZE_MAX / 2048 || *m == '-')
			die_usage("WGO_SORT_MEM: %s: not a number of KiB", m);
		mem = (size_t)k * 1024;
	}
	xsort_init(&tq_names, mem, "lookup_names");
	xsort_init(&tq_ids, mem, "lookup_ids");
	track_ins_prepare(&track_ins_ids);
	track_ins_prepare(&track_ins_names);
	name_rules_id(wgo_config(), id);
	if (!held || strcmp(held, id))
		track_refill(id);
	track_on = 1;
}

static void
track_free(void)
{
	sqlite3_finalize(track_ins_ids.one);
	sqlite3_finalize(track_ins_ids.many);
	sqlite3_finalize(track_ins_names.one);
	sqlite3_finalize(track_ins_names.many);
	if (track_on)
		name_rules_free(&track_rules);
	xsort_free(&tq_names);
	xsort_free(&tq_ids);
	buf_free(&tq_row);
}


/* ---- rows certainly new, written many a statement ----
 * A table that was empty when the run began holds, of a key, only what this run
 * wrote. A record whose key the run has not seen yet is new then, with nothing to
 * compare: its row, and its items' rows, wait here and go in PEND_ROWS to a
 * statement, which SQLite takes more than twice as fast as a statement a row
 * (3,000,000 payments into their table: 9.4 s a row a statement, 3.5 s 32 a
 * statement). A key seen before in the run, and every row of a table that held
 * some, take the way of a row at a time, which compares; the rows waiting are
 * written first. The keys seen are kept as 32-bit hashes, 4 bytes a key in a table
 * at most three quarters full (3,000,000 payments: 16 MiB): two keys with one hash
 * only send the second the slow way. */
#define PEND_ROWS 32

struct pval {
	int null, ctype;
	long long i;
	size_t off, n;
};

struct pend {
	sqlite3_stmt *many;  /* INSERT of PEND_ROWS rows */
	struct pval *v;      /* PEND_ROWS rows of nc values */
	size_t n;            /* rows waiting */
	struct buf text;     /* their strings */
	uint32_t *seen;      /* open addressing, 0 for none; a top-level table's */
	size_t cap, nseen;
};

static int
table_empty(const struct table *t)
{
	struct buf q = { 0 };
	buf_adds(&q, "SELECT 1 FROM ");
	ident(&q, t->name);
	buf_adds(&q, " LIMIT 1");
	sqlite3_stmt *st = prepare(buf_str(&q));
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_die(t->name);
	sqlite3_finalize(st);
	buf_free(&q);
	return rc == SQLITE_DONE;
}

/* The tables empty now, and the tables of their arrays empty too, write their new
 * rows many a statement. */
static void
pend_setup(struct table *t)
{
	if (!table_empty(t))
		return;
	struct pend *p = xcalloc(1, sizeof *p);
	p->many = insert_stmt(t, t->cols, PEND_ROWS);
	p->v = xcalloc(PEND_ROWS * t->nc, sizeof *p->v);
	t->pend = p;
	for (int k = 0; k < t->nchild; k++)
		pend_setup(t->child[k]);
}

/* Whether the key of the row in t->v is one the run has not seen (and now has). */
static int
pend_unseen(struct table *t)
{
	struct pend *p = t->pend;
	/* FNV-1a over each key value: its kind, then its length and bytes, or the
	 * integer's 8 bytes. */
	uint64_t h = 1469598103934665603ull;
	for (int j = 0; j < t->nkey; j++) {
		const struct val *v = &t->v[t->key[j]];
		int text = !v->null && v->ctype == C_TEXT;
		uint64_t w = v->null ? 0 : text ? (uint64_t)v->n : (uint64_t)v->i;
		h = (h ^ (uint64_t)(v->null ? 0 : text ? 1 : 2)) * 1099511628211ull;
		for (int k = 0; k < 8; k++)
			h = (h ^ ((w >> (8 * k)) & 0xff)) * 1099511628211ull;
		for (size_t k = 0; text && k < v->n; k++)
			h = (h ^ (unsigned char)v->s[k]) * 1099511628211ull;
	}
	h ^= h >> 31;
	h *= 0x9e3779b97f4a7c15ull;
	h ^= h >> 29;
	uint32_t f = (uint32_t)(h >> 32) ? (uint32_t)(h >> 32) : 1;
	if (4 * (p->nseen + 1) > 3 * p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 1024;
		uint32_t *s = xcalloc(cap, sizeof *s);
		for (size_t i = 0; i < p->cap; i++)
			if (p->seen[i]) {
				size_t j = p->seen[i] & (cap - 1);
				while (s[j])
					j = (j + 1) & (cap - 1);
				s[j] = p->seen[i];
			}
		free(p->seen);
		p->seen = s;
		p->cap = cap;
	}
	size_t j = f & (p->cap - 1);
	for (; p->seen[j]; j = (j + 1) & (p->cap - 1))
		if (p->seen[j] == f)
			return 0;
	p->seen[j] = f;
	p->nseen++;
	return 1;
}

static void pend_flush(struct table *t);

/* The row in t->v, to be written with the rows waiting. */
static void
pend_row(struct table *t)
{
	struct pend *p = t->pend;
	struct pval *pv = &p->v[p->n * t->nc];
	for (size_t i = 0; i < t->nc; i++) {
		const struct val *v = &t->v[i];
		pv[i] = (struct pval){ v->null, v->ctype, v->i, 0, 0 };
		if (!v->null && v->ctype == C_TEXT) {
			pv[i].off = p->text.n;
			pv[i].n = v->n;
			buf_add(&p->text, v->s, v->n);
		}
	}
	if (++p->n == PEND_ROWS)
		pend_flush(t);
}

/* Write the rows waiting in t and its arrays' tables. */
static void
pend_flush(struct table *t)
{
	struct pend *p = t->pend;
	for (int k = 0; k < t->nchild; k++)
		if (t->child[k]->pend)
			pend_flush(t->child[k]);
	if (!p || !p->n)
		return;
	int many = p->n == PEND_ROWS;
	for (size_t r = 0; r < p->n; r++) {
		sqlite3_stmt *st = many ? p->many : t->ins;
		int base = many ? (int)(r * t->nc) : 0;
		if (!many)
			sqlite3_reset(st);
		for (size_t i = 0; i < t->nc; i++) {
			const struct pval *pv = &p->v[r * t->nc + i];
			struct val v = { .null = pv->null, .ctype = pv->ctype, .i = pv->i,
			                 .s = p->text.p + pv->off, .n = pv->n };
			bind_val(st, base + (int)i + 1, &v);
		}
		if (many && r + 1 < p->n)
			continue;
		if (sqlite3_step(st) != SQLITE_DONE)
			db_die(t->name);
		if (sqlite3_changes(db) != (many ? PEND_ROWS : 1))
			die("%s: a row taken for new was held already (a fault of wgo-export's)", t->name);
		sqlite3_reset(st);
	}
	p->n = 0;
	p->text.n = 0;
}

static void
pend_flush_all(void)
{
	for (int i = 0; i < ntables; i++)
		pend_flush(tables[i]);
}

static void
pend_free(struct table *t)
{
	if (!t->pend)
		return;
	sqlite3_finalize(t->pend->many);
	free(t->pend->v);
	free(t->pend->seen);
	buf_free(&t->pend->text);
	free(t->pend);
	t->pend = NULL;
}

/* A new item's row (in c->v): with the rows waiting, or written now. */
static void
add_item_row(struct table *c)
{
	if (c->pend) {
		pend_row(c);
	} else {
		sqlite3_reset(c->ins);
		bind_row(c, c->ins, 0);
		if (sqlite3_step(c->ins) != SQLITE_DONE)
			db_die(c->name);
	}
	c->added++;
}

/* Add one record (or compare it with the one held under its key). */
static int
put_record(struct table *t, json_t *rec, const struct prep *pp, struct werr *e)
{
	const struct tkeys *pre = pp ? pp->keys : NULL;
	char hash[33] = "";
	if (o_nopii)
		mask_record(t, rec);
	if (t->hashkey) {
		static struct buf line;
		line.n = 0;
		rec_dump(rec, &line);
		record_hash(line.p, line.n - 1, hash);
	}
	fill(t, rec, hash, NULL, 0, pp && pp->t == t ? pp->x : NULL);
	if (t->pend && pend_unseen(t)) {
		t->added++;
		if (track_on && !t->parent)
			track_record(t, pre);
		pend_row(t);
		struct val pkey[8];
		for (int j = 0; j < t->nkey; j++)
			pkey[j] = t->v[t->key[j]];
		for (int k = 0; k < t->nchild; k++) {
			struct table *c = t->child[k];
			json_t *arr = jget(rec, c->arr), *item;
			for (size_t i = 0; (item = json_array_get(arr, i)); i++) {
				fill(c, item, NULL, pkey, (long)i, NULL);
				add_item_row(c);
			}
		}
		return 0;
	}
	if (t->pend)
		pend_flush(t); /* the key was seen in this run: its row may be waiting */
	sqlite3_reset(t->ins);
	bind_row(t, t->ins, 0);
	int rc = sqlite3_step(t->ins);
	if (rc != SQLITE_DONE)
		db_die(t->name);
	int isnew = sqlite3_changes(db) > 0;
	if (isnew)
		t->added++;
	else
		t->held++;
	if (isnew && track_on && !t->parent)
		track_record(t, pre);
	if (!isnew && !t->hashkey && compare_held(t, "", e) < 0)
		return -1;
	for (int k = 0; k < t->nchild; k++) {
		struct table *c = t->child[k];
		json_t *arr = jget(rec, c->arr), *item;
		size_t i;
		/* The record's key values, for the items' rows. */
		struct val pkey[8];
		for (int j = 0; j < t->nkey; j++)
			pkey[j] = t->v[t->key[j]];
		if (!isnew) {
			sqlite3_reset(c->kids);
			for (int j = 0; j < t->nkey; j++)
				bind_val(c->kids, j + 1, &pkey[j]);
		}
		size_t n = json_array_size(arr);
		for (i = 0; i <= n; i++) {
			item = json_array_get(arr, i);
			if (isnew) {
				if (!item)
					break;
				fill(c, item, NULL, pkey, (long)i, NULL);
				add_item_row(c);
				continue;
			}
			int row = sqlite3_step(c->kids) == SQLITE_ROW;
			if (!row && !item)
				break;
			if (item)
				fill(c, item, NULL, pkey, (long)i, NULL);
			struct buf f = { 0 };
			buf_printf(&f, "%s[%zu]", c->arr, i);
			if (!row || !item) {
				struct buf m = { 0 };
				buf_printf(&m, "the %s ", t->kind);
				key_text(&m, t);
				buf_printf(&m, " is held with %s%zu items in %s; this record has %zu",
				           row ? "more than " : "", i, c->arr, n);
				werr_set(e, buf_str(&f), "%s (a record may be added again, not changed)",
				         buf_str(&m));
				buf_free(&m);
				buf_free(&f);
				sqlite3_reset(c->kids);
				return -1;
			}
			for (size_t j = (size_t)c->idx + 1; j < c->nc; j++) {
				if (same(c->kids, (int)j, &c->v[j]))
					continue;
				struct buf m = { 0 }, d = { 0 };
				buf_printf(&f, ".%s", col_dotted(&c->c[j], &d));
				buf_printf(&m, "the %s ", t->kind);
				key_text(&m, t);
				buf_adds(&m, " is held with ");
				show_col(&m, c->kids, (int)j);
				buf_adds(&m, "; this record has ");
				show_val(&m, &c->v[j]);
				werr_set(e, buf_str(&f), "%s (a record may be added again, not changed)",
				         buf_str(&m));
				buf_free(&m);
				buf_free(&d);
				buf_free(&f);
				sqlite3_reset(c->kids);
				return -1;
			}
			buf_free(&f);
			c->held++;
		}
		if (!isnew)
			sqlite3_reset(c->kids);
	}
	return 0;
}

static struct table *
table_of(const char *kind)
{
	for (int i = 0; i < ntables; i++)
		if (!strcmp(tables[i]->kind, kind))
			return tables[i];
	return NULL;
}

/* ---- records from rows (for what is asked of the records held) ---- */

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

static json_t *
row_object(const struct table *t, sqlite3_stmt *st, size_t from)
{
	json_t *o = json_object();
	for (size_t i = from; i < t->nc; i++) {
		const struct col *c = &t->c[i];
		if (sqlite3_column_type(st, (int)i) == SQLITE_NULL)
			continue;
		const char *s = (const char *)sqlite3_column_text(st, (int)i);
		json_t *v;
		if (c->ctype == C_INT)
			v = json_integer(sqlite3_column_int64(st, (int)i));
		else if (c->ctype == C_BOOL)
			v = json_boolean(sqlite3_column_int64(st, (int)i));
		else if (c->ctype == C_JSON)
			v = json_loads(s, JSON_DECODE_ANY, NULL);
		else
			v = json_string(s);
		if (v)
			set_path(o, c, v);
	}
	return o;
}

/* The record in st's current row of t (selected as t's columns, in order), with
 * its arrays from the child tables. */
static json_t *
row_record(struct table *t, sqlite3_stmt *st)
{
	json_t *rec = row_object(t, st, t->hashkey ? 1 : 0);
	json_t *full = rec_new(t->kind);
	json_object_update(full, rec);
	json_decref(rec);
	rec = full;
	for (int k = 0; k < t->nchild; k++) {
		struct table *c = t->child[k];
		sqlite3_reset(c->kids);
		for (int j = 0; j < t->nkey; j++)
			sqlite3_bind_value(c->kids, j + 1, sqlite3_column_value(st, t->key[j]));
		json_t *arr = json_array();
		while (sqlite3_step(c->kids) == SQLITE_ROW)
			json_array_append_new(arr, row_object(c, c->kids, (size_t)c->idx + 1));
		sqlite3_reset(c->kids);
		if (json_array_size(arr)) {
			struct col at = { 0 };
			char *p = xstrdup(c->arr);
			for (char *s = p, *dot; s; s = dot ? dot + 1 : NULL) {
				if ((dot = strchr(s, '.')))
					*dot = 0;
				at.comp[at.ncomp++] = s;
			}
			set_path(rec, &at, arr);
			free(p);
		} else {
			json_decref(arr);
		}
	}
	return rec;
}

/* ---- where each order stands on --as-of ---- */

/* Asked of the one order history in libwgo (hist.c), fed every record the
 * database holds that it reads, as lifeverify would be fed the same records. */
static struct calendar cal;
static struct sched_params params;

/* Every record held in the table of kind, to the history; refusals are warned of
 * (they are records the history does not count, as lifeverify would reject them). */
static void
feed_history(struct hist *h, const char *kind)
{
	struct table *t = table_of(kind);
	struct buf q = { 0 };
	buf_adds(&q, "SELECT ");
	for (size_t i = 0; i < t->nc; i++) {
		buf_adds(&q, i ? ", " : "");
		ident(&q, t->c[i].name);
	}
	buf_printf(&q, " FROM %s ORDER BY rowid", t->name);
	sqlite3_stmt *st = prepare(buf_str(&q));
	buf_free(&q);
	unsigned long row = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct rpos pos = { t->name, ++row };
		struct werr e = { { 0 }, { 0 } };
		json_t *rec = row_record(t, st);
		if (hist_add(h, rec, &pos, &e) < 0)
			warnf("%s row %lu: %s%s%s (not counted in order_status)", t->name, row, e.field,
			      e.field[0] ? ": " : "", e.msg);
		json_decref(rec);
	}
	sqlite3_finalize(st);
}

/* order_status for as_of, made anew from every record held. */
static unsigned long
fill_status(wdate as_of)
{
	static const char *const kinds[] = { "order", "verification", "return", "stop", "card_return" };
	char d[11];
	date_fmt(as_of, d);
	sqlite3_stmt *del = prepare("DELETE FROM order_status WHERE as_of = ?");
	sqlite3_bind_text(del, 1, d, -1, SQLITE_STATIC);
	if (sqlite3_step(del) != SQLITE_DONE)
		db_die("order_status");
	sqlite3_finalize(del);
	struct hist h;
	wdate today = wgo_today();
	hist_init(&h, &params, as_of > today ? as_of : today);
	h.defer = 1;
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		feed_history(&h, kinds[k]);
	hist_finish(&h);
	size_t n;
	struct hist_order *const *ords = hist_orders(&h, &n);
	struct rw w = { 0 };
	struct buf line = { 0 };
	unsigned long done = 0;
	for (size_t k = 0; k < n; k++) {
		struct hist_status hs;
		struct werr e = { { 0 }, { 0 } };
		line.n = 0;
		if (hist_status(&h, ords[k], as_of, &hs, &e) < 0) {
			warnf("order %s: no status on %s: %s%s%s", ords[k]->order_no, d, e.field,
			      e.field[0] ? ": " : "", e.msg);
			continue;
		}
		hist_status_record(ords[k], as_of, &hs, &w, &line);
		json_t *st = rec_parse(line.p, line.n - 1, &e);
		if (!st || rec_validate(st, &e) < 0 || put_record(status_table, st, NULL, &e) < 0)
			warnf("order %s: status on %s: %s: %s", ords[k]->order_no, d, e.field, e.msg);
		else
			done++;
		json_decref(st);
	}
	rw_free(&w);
	buf_free(&line);
	hist_free(&h);
	return done;
}

/* ---- CSV ---- */

static void
csv_field(FILE *f, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
write_csv(const char *dir, const struct table *t)
{
	struct buf path = { 0 }, tmp = { 0 }, q = { 0 };
	buf_printf(&path, "%s/%s.csv", dir, t->name);
	buf_printf(&tmp, "%s/.%s.csv.tmp", dir, t->name);
	FILE *f = fopen(buf_str(&tmp), "w");
	if (!f)
		die("%s:", buf_str(&tmp));
	buf_adds(&q, "SELECT * FROM ");
	buf_adds(&q, t->name);
	buf_adds(&q, " ORDER BY ");
	for (int i = 0; i < t->nkey; i++) {
		buf_adds(&q, i ? ", " : "");
		ident(&q, t->c[t->key[i]].name);
	}
	sqlite3_stmt *st = prepare(buf_str(&q));
	for (size_t i = 0; i < t->nc; i++) {
		fputs(i ? "," : "", f);
		csv_field(f, t->c[i].name);
	}
	fputs("\r\n", f);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (size_t i = 0; i < t->nc; i++) {
			fputs(i ? "," : "", f);
			if (sqlite3_column_type(st, (int)i) != SQLITE_NULL)
				csv_field(f, (const char *)sqlite3_column_text(st, (int)i));
		}
		fputs("\r\n", f);
	}
	sqlite3_finalize(st);
	if (fflush(f) == EOF || fsync(fileno(f)) < 0 || fclose(f) == EOF)
		die("%s: write error:", buf_str(&tmp));
	if (rename(buf_str(&tmp), buf_str(&path)) < 0)
		die("%s:", buf_str(&path));
	buf_free(&path);
	buf_free(&tmp);
	buf_free(&q);
}

/* ---- the record loop ---- */

static struct rloop L;

static int
on_record(struct rloop *Lp, json_t *r, const struct rpos *pos, struct werr *e)
{
	struct table *t = table_of(jstr(r, "kind"));
	if (!t)
		return werr_set(e, "kind", "%s keeps no \"%s\" records", wgo_prog, jstr(r, "kind"));
	if (put_record(t, r, Lp->prepared, e) < 0) {
		nconflict++;
		return -1;
	}
	return 0;
}

static void
free_table(struct table *t)
{
	for (int i = 0; i < t->nchild; i++)
		free_table(t->child[i]);
	for (size_t i = 0; i < t->nc; i++) {
		free(t->c[i].name);
		free(t->c[i].path);
		free(t->c[i].type);
		free(t->c[i].check);
		free(t->c[i].check_was);
		if (t->v)
			buf_free(&t->v[i].b);
	}
	pend_free(t);
	free(t->cols);
	sqlite3_finalize(t->ins);
	sqlite3_finalize(t->sel);
	sqlite3_finalize(t->kids);
	free(t->v);
	free(t->c);
	free(t->name);
	if (!t->parent)
		free(t->kind);
	free(t->arr);
	free(t);
}

static unsigned long
sum(int added)
{
	unsigned long n = 0;
	for (int i = 0; i < ntables; i++)
		n += added ? tables[i]->added : tables[i]->held;
	return n;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "csv", required_argument, NULL, 1 },
		{ "as-of", required_argument, NULL, 'a' },
		{ "no-pii", no_argument, NULL, 2 },
		{ "index", no_argument, NULL, 8 },
		{ "schema", optional_argument, NULL, 3 },
		{ "holidays", required_argument, NULL, 'H' },
		{ "rejects", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		WGO_PROGRESS_OPTIONS,
		{ "home", required_argument, NULL, 6 },
		{ "now", required_argument, NULL, 7 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int npos;
	const char *why, *schema_fmt = "sqlite";
	wgo_setprog(argv[0]);
	char **pos = wgo_getopt(argc, argv, "o:a:H:r:qhV", lo, on_opt, &npos);
	/* --schema=FORMAT, or --schema FORMAT as the one argument */
	if (o_schema_fmt)
		schema_fmt = o_schema_fmt;
	else if (o_schema && npos == 1) {
		schema_fmt = pos[0];
		npos = 0;
	}
	if (o_schema) {
		if (strcmp(schema_fmt, "sqlite") && strcmp(schema_fmt, "duckdb"))
			die_usage("--schema: sqlite or duckdb, not '%s'", schema_fmt);
		if (npos || o_output || o_csv || o_asof || o_index)
			die_usage("--schema prints the schema: it takes no files, --output, --csv, --as-of "
			          "or --index");
		build_tables();
		if (!strcmp(schema_fmt, "duckdb")) {
			print_duckdb();
		} else {
			struct stmt_list l;
			schema_stmts(&l);
			for (size_t i = 0; i < l.n; i++)
				printf("%s;\n", l.s[i]);
			stmt_list_free(&l);
		}
		for (int i = 0; i < ntables; i++)
			free_table(tables[i]);
		free_table(status_table);
		free(pos);
		return wgo_finish(0);
	}
	if (!o_output && !o_csv)
		die_usage("say where to write: -o DATABASE or --csv DIR");
	if (o_index && (o_nopii || !o_output))
		die_usage("--index: %s", o_nopii ? "a database of masked numbers can answer for no NID or "
		                                   "mobile number, and keeps no index"
		                                 : "the index is kept in a database (-o), not in CSV");
	wdate as_of = wgo_today();
	if (o_asof && date_parse(o_asof, &as_of, &why) < 0)
		die_usage("--as-of: %s: %s", o_asof, why);
	if (o_asof)
		sched_setup(&params, &cal, o_holidays, NULL);

	char *tmpdb = NULL;
	if (o_csv) {
		struct werr e;
		if (mkdirs(o_csv, &e) < 0)
			die("%s: %s", e.field, e.msg);
	}
	if (!o_output) {
		/* CSV only: the rows pass through a database beside them, removed after. */
		struct buf b = { 0 };
		buf_printf(&b, "%s/.wgo-export.%ld.sqlite", o_csv, (long)getpid());
		tmpdb = xstrdup(buf_str(&b));
		buf_free(&b);
		unlink(tmpdb);
	}
	db_path = o_output ? o_output : tmpdb;
	build_tables();
	/* Only this thread uses SQLite: no locks, no memory statistics. */
	sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                    NULL) != SQLITE_OK)
		db_die("open");
	sqlite3_busy_timeout(db, 5000);
	exec("PRAGMA cache_size = -131072"); /* 128 MiB: the keys' indexes stay in memory */
	exec("PRAGMA temp_store = FILE");
	/* Every row written here is of a record that passed the schema's checks, which
	 * the CHECKs are made from (or is made by the index or the order history from
	 * such records): SQLite checking them again would cost a third of the export.
	 * They stay in the tables for every other writer, and PRAGMA integrity_check
	 * checks them (the tests do, on every kind of record with every kind of
	 * value). */
	exec("PRAGMA ignore_check_constraints = ON");
	if (tmpdb)
		exec("PRAGMA journal_mode = OFF");
	exec("BEGIN IMMEDIATE");
	/* A database keeps the personal numbers whole or masked, never both. */
	char *mode = NULL, *has_meta = held_sql("table", "meta");
	if (has_meta)
		mode = meta_get("pii");
	const char *want = o_nopii ? "masked" : "full";
	if (mode && strcmp(mode, want)) {
		if (o_index)
			warnf("%s: holds personal numbers masked (--no-pii), and such a database keeps no "
			      "index; export into another with --index", db_path);
		else
			warnf("%s: holds personal numbers %s; export %s --no-pii", db_path, mode,
			      o_nopii ? "without" : "with");
		free(mode);
		free(has_meta);
		sqlite3_close(db);
		exit(wgo_finish(WGO_EXIT_USAGE));
	}
	free(mode);
	free(has_meta);
	struct stmt_list l;
	schema_stmts(&l);
	setup_schema(&l);
	meta_set("pii", want);
	char d[11];
	date_fmt(as_of, d);
	meta_set("as_of", d);
	for (int i = 0; i < ntables; i++) {
		prepare_table(tables[i]);
		pend_setup(tables[i]);
	}
	prepare_table(status_table);
	/* The service corner's index, when asked for or held already (meta names the
	 * name rules it was keyed by). A database of masked numbers can answer no one's
	 * NID or mobile number. */
	char *held_index = meta_get("lookup_names");
	if (held_index && !strcmp(held_index, "none")) {
		free(held_index);
		held_index = NULL;
	}
	if (!o_nopii && !tmpdb && (o_index || held_index))
		track_setup(held_index);
	else
		meta_set("lookup_names", "none");
	free(held_index);

	L.cb = on_record;
	if (!o_nopii)
		L.prepare = export_prepare;
	L.validate = 1;
	L.transient = 1;
	L.quiet = o_quiet;
	if (o_rejects)
		rec_rejects_to(&L, o_rejects);
	/* No file, and a terminal for standard input: nothing to read (wgo-export --index
	 * -o DB makes the index of what DB holds, and stops). */
	int rc = !npos && isatty(0) ? 0 : rec_loop(&L, npos, pos);
	unsigned long nstatus = 0;
	if (nconflict || L.stop) {
		exec("ROLLBACK");
		if (nconflict)
			warnf("%s: %lu record%s in conflict with what it holds: nothing written", db_path,
			      nconflict, nconflict == 1 ? "" : "s");
	} else {
		pend_flush_all();
		if (track_on)
			track_flush();
		for (size_t i = 0; i < l.n; i++)
			if (l.type[i] == 'i') {
				char *name = stmt_name(l.s[i]);
				char *held = held_sql("index", name);
				if (!held)
					exec(l.s[i]);
				free(held);
				free(name);
			}
		if (o_asof)
			nstatus = fill_status(as_of);
		exec("COMMIT");
		if (o_csv) {
			for (int i = 0; i <= ntables; i++) {
				struct table *t = i < ntables ? tables[i] : status_table;
				write_csv(o_csv, t);
				for (int k = 0; k < t->nchild; k++)
					write_csv(o_csv, t->child[k]);
			}
		}
	}
	if (nconflict || !o_asof)
		rec_summary(&L, "%lu added to %s, %lu held already", nconflict ? 0 : sum(1),
		            o_output ? o_output : o_csv, sum(0));
	else
		rec_summary(&L, "%lu added to %s, %lu held already, where %lu orders stand on %s",
		            sum(1), o_output ? o_output : o_csv, sum(0), nstatus, d);
	track_free();
	for (int i = 0; i < ntables; i++)
		free_table(tables[i]);
	free_table(status_table);
	if (sqlite3_close(db) != SQLITE_OK)
		db_die("close");
	if (tmpdb) {
		unlink(tmpdb);
		free(tmpdb);
	}
	if (L.rejects && L.rejects != stderr && fclose(L.rejects) == EOF) {
		warnf("%s: write error:", o_rejects);
		rc = WGO_EXIT_USAGE;
	}
	stmt_list_free(&l);
	for (size_t i = 0; i < npii_paths; i++)
		free(pii_paths[i].path);
	free(pii_paths);
	if (o_asof) {
		sched_params_free(&params);
		cal_free(&cal);
	}
	free(pos);
	return wgo_finish(rc);
}
