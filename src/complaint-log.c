/* complaint-log: the complaint bell, in software. Complaints and what is done
 * about them are events in one append-only log, each line carrying the BLAKE2b
 * hash of the line before it; every append is fsynced under a file lock, and a
 * head file beside the log remembers the last line, so that any edit, removal,
 * insertion or reordering is found by `verify`. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <sodium.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: complaint-log add [--office OFFICE --service ID --category ID --name NAME\n"
	"                          --mobile NUMBER --text TEXT ...] [FILE...]\n"
	"       complaint-log list [--office OFFICE] [--status LIST] [--service ID]\n"
	"                          [--from DATE] [--to DATE] [--overdue]\n"
	"       complaint-log show ID\n"
	"       complaint-log ack|resolve|escalate|reopen ID [--note TEXT] ...\n"
	"       complaint-log stats [--office OFFICE] [--from DATE] [--to DATE]\n"
	"       complaint-log watch [--office OFFICE]\n"
	"       complaint-log verify [--expect HASH]\n"
	"Log complaints at the office, alert the resolving officer at once, and record\n"
	"acknowledgement, resolution and escalation in a hash-chained log.\n"
	"\n"
	"add (on a terminal with no --text: asks for each field; with FILE or a pipe:\n"
	"complaint records in bulk):\n"
	"  -o, --office OFFICE        the office (default: the configuration's)\n"
	"  -s, --service ID           the service complained about\n"
	"      --desk TEXT            the desk or counter\n"
	"  -c, --category ID          what kind of complaint\n"
	"  -n, --name NAME            the complainant\n"
	"  -m, --mobile NUMBER        the complainant's mobile number\n"
	"      --nid NID              the complainant's NID\n"
	"  -t, --text TEXT            the complaint\n"
	"      --notify CMD           run CMD with each new complaint as JSON on its input\n"
	"ack, resolve, escalate, reopen:\n"
	"  -d, --decision DECISION    resolve: upheld, partly_upheld, rejected, withdrawn\n"
	"                             or referred\n"
	"      --note TEXT            what was done or decided (resolve needs one)\n"
	"      --officer NAME         escalate: the officer of the next level\n"
	"      --early                escalate an unresolved complaint before its deadline\n"
	"                             has passed (with a --note saying why)\n"
	"  -b, --by NAME              who records the event (default: the login name)\n"
	"list, stats:\n"
	"      --status LIST          open, acknowledged, resolved (comma-separated)\n"
	"      --from DATE, --to DATE complaints made in these days\n"
	"      --overdue              only those past their deadline\n"
	"  -a, --as-of DATE           the day deadlines are judged on (default: today)\n"
	"  -f, --format FORMAT        table or records (default: table on a terminal)\n"
	"  -l, --lang LANG            en (default) or bn\n"
	"      --reveal               show mobile numbers and NIDs unmasked\n"
	"watch:\n"
	"      --count N              stop after N complaints\n"
	"verify:\n"
	"      --expect HASH          the chain must pass through this line hash\n"
	"everywhere:\n"
	"      --log FILE             the log (default $WGO_HOME/complaints.jsonl)\n"
	"  -H, --holidays FILE        holiday file for working days\n"
	"  -r, --rejects FILE         add: write rejected records to FILE\n"
	"  -q, --quiet                do not report each rejected record\n"
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"      --now INSTANT          take this as the current time\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 done; 1 records rejected, an alert failed (the complaint is\n"
	"logged), or verify found the log changed; 2 usage or operational error.\n";

static const char *o_office, *o_service, *o_desk, *o_category, *o_name, *o_mobile, *o_nid,
                  *o_text, *o_by, *o_decision, *o_note, *o_officer, *o_status, *o_from, *o_to,
                  *o_asof, *o_format, *o_notify, *o_expect, *o_log, *o_holidays, *o_rejects;
static int o_overdue, o_reveal, o_bn, o_quiet, o_early;
static long o_count = -1;

static char *log_path, *lock_path;
static struct calendar cal;
static int days[10], nlevels;
static int table_out;

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
/* Bulk adds are fsynced once per this many complaints; a single add at once. */
#define BULK_SYNC 1000

enum { ST_OPEN, ST_ACK, ST_RESOLVED };
static const char *const st_name[] = { "open", "acknowledged", "resolved" };
static const char *const st_bn[] = { "খোলা", "প্রাপ্তি স্বীকৃত", "নিষ্পন্ন" };

static const char *
tr(const char *en, const char *bn)
{
	return o_bn ? bn : en;
}

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'o': o_office = arg; break;
	case 's': o_service = arg; break;
	case 1: o_desk = arg; break;
	case 'c': o_category = arg; break;
	case 'n': o_name = arg; break;
	case 'm': o_mobile = arg; break;
	case 2: o_nid = arg; break;
	case 't': o_text = arg; break;
	case 3: o_notify = arg; break;
	case 'd': {
		static const char *const ok[] = { "upheld", "partly_upheld", "rejected", "withdrawn",
			                          "referred", NULL };
		int k;
		for (k = 0; ok[k] && strcmp(ok[k], arg); k++)
			;
		if (!ok[k])
			die_usage("--decision: upheld, partly_upheld, rejected, withdrawn or referred, "
			          "not '%s'", arg);
		o_decision = arg;
		break;
	}
	case 4: o_note = arg; break;
	case 5: o_officer = arg; break;
	case 'b': o_by = arg; break;
	case 6: o_status = arg; break;
	case 7: o_from = arg; break;
	case 8: o_to = arg; break;
	case 9: o_overdue = 1; break;
	case 'a': o_asof = arg; break;
	case 'f':
		if (strcmp(arg, "table") && strcmp(arg, "records"))
			die_usage("--format: table or records");
		o_format = arg;
		break;
	case 'l':
		if ((o_bn = lang_parse(arg)) < 0)
			die_usage("--lang: en or bn");
		break;
	case 10: o_reveal = 1; break;
	case 11:
		if (uint_parse(arg, 1000000000, &o_count) < 0 || o_count < 1)
			die_usage("--count: a number, 1 or more");
		break;
	case 12: o_expect = arg; break;
	case 13: o_log = arg; break;
	case 'H': o_holidays = arg; break;
	case 'r': o_rejects = arg; break;
	case 'q': o_quiet = 1; break;
	case 14: wgo_set_home(arg); break;
	case 15: wgo_opt_now(arg); break;
	case 16: o_early = 1; break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

/* ---- configuration ---- */

static const char *
default_office(void)
{
	const char *o = o_office ? o_office : cfg_get(wgo_config(), "office");
	if (!o)
		die_usage("--office is needed (or office in wgo.conf)");
	if (!office_valid(o))
		die_usage("--office: unknown office '%s'", o);
	return o;
}

/* The officer at a level: officer.OFFICE.LEVEL, else officer.LEVEL. */
static const char *
officer_for(const char *office, int level)
{
	char k[64];
	snprintf(k, sizeof k, "officer.%s.%d", office, level);
	const char *v = cfg_get(wgo_config(), k);
	if (!v) {
		snprintf(k, sizeof k, "officer.%d", level);
		v = cfg_get(wgo_config(), k);
	}
	return v;
}

static const char *
level_name(int level)
{
	static const char *const en[] = { "resolving officer", "appeal officer", "review" };
	static const char *const bn[] = { "অভিযোগ নিষ্পত্তি কর্মকর্তা", "আপিল কর্মকর্তা", "পর্যালোচনা" };
	int i = level < 2 ? level : 2;
	return o_bn ? bn[i] : en[i];
}

static void
load_deadlines(void)
{
	const struct cfg *c = wgo_config();
	const char *v = cfg_get(c, "complaint.deadlines");
	nlevels = 0;
	if (!v) {
		days[0] = 30, days[1] = 20, days[2] = 20;
		nlevels = 3;
		return;
	}
	char *s = xstrdup(v), *save = NULL;
	for (char *t = strtok_r(s, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
		long n;
		if (nlevels == 10 || uint_parse(t, 365, &n) < 0 || n < 1)
			die("%s: complaint.deadlines: up to 10 numbers of working days, 1 to 365",
			    c->path ? c->path : "wgo.conf");
		days[nlevels++] = (int)n;
	}
	free(s);
	if (!nlevels)
		die("%s: complaint.deadlines: give the working days of each level",
		    c->path ? c->path : "wgo.conf");
}

/* The ids of a configured list (service.* or category.*), NULL-terminated, or
 * NULL when the configuration names none. */
static char **
cfg_ids(const char *prefix)
{
	const struct cfg *c = wgo_config();
	size_t n = 0, pl = strlen(prefix);
	char **ids = NULL;
	for (size_t i = 0; i < c->n; i++) {
		const char *k = c->it[i].key;
		if (strncmp(k, prefix, pl) || !k[pl] || strchr(k + pl, '.'))
			continue;
		ids = xrealloc(ids, (n + 2) * sizeof *ids);
		ids[n++] = xstrdup(k + pl);
		ids[n] = NULL;
	}
	return ids;
}

static void
free_list(char **l)
{
	for (size_t i = 0; l && l[i]; i++)
		free(l[i]);
	free(l);
}

/* "English / বাংলা": the label in the language asked for. */
static void
label(const char *prefix, const char *id, struct buf *out)
{
	char k[128];
	snprintf(k, sizeof k, "%s%s", prefix, id);
	const char *v = cfg_get(wgo_config(), k);
	out->n = 0;
	if (!v) {
		buf_adds(out, id);
		return;
	}
	const char *sl = strstr(v, " / ");
	if (!sl)
		buf_adds(out, v);
	else if (o_bn)
		buf_adds(out, sl + 3);
	else
		buf_add(out, v, (size_t)(sl - v));
}

/* An id the configuration lists, when it lists any. */
static int
check_listed(const char *prefix, const char *what, const char *id, struct werr *e)
{
	char **ids = cfg_ids(prefix);
	int ok = !ids;
	for (size_t i = 0; ids && ids[i]; i++)
		ok |= !strcmp(ids[i], id);
	if (!ok) {
		struct buf b = { 0 };
		for (size_t i = 0; ids[i]; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", ids[i]);
		werr_set(e, what, "'%s' is not one of %s", id, buf_str(&b));
		buf_free(&b);
	}
	free_list(ids);
	return ok ? 0 : -1;
}

static const char *
login_name(void)
{
	const char *u = getenv("USER");
	if (u && *u)
		return u;
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_name && *pw->pw_name ? pw->pw_name : "unknown";
}

/* ---- time ---- */

static wdate
bd_date(int64_t t)
{
	int64_t s = t + 6 * 3600;
	return (wdate)((s - (s % 86400 + 86400) % 86400) / 86400);
}

static int64_t
event_at(const json_t *ev)
{
	int64_t t = 0;
	const char *why;
	const char *s = jstr(ev, "at");
	if (s)
		instant_parse(s, &t, &why);
	return t;
}

/* ---- complaints: the events folded into where each stands ---- */

struct cpl {
	uint32_t order;
	char office[4];
	int status, level, nevents;
	int64_t added, start, resolved;
	char *service, *desk, *category, *name, *mobile, *nid, *text, *by, *officer, *decision,
	     *note;
};

static struct hmap cpls; /* id -> struct cpl */
static uint32_t ncpls;
static int keep_text; /* keep what list and show print, not only what stats counts */

static void
set_str(char **dst, const json_t *ev, const char *key)
{
	const char *v = jstr(ev, key);
	if (!v)
		return;
	free(*dst);
	*dst = xstrdup(v);
}

/* Apply one event; -1 with e filled when it does not follow from the state
 * (the state is left as it was). */
static int
apply(const json_t *ev, struct werr *e)
{
	const char *id = jstr(ev, "id"), *event = jstr(ev, "event");
	int isnew;
	struct cpl *c = hmap_put(&cpls, id, &isnew);
	if (isnew)
		c->order = ncpls++;
	int64_t at = event_at(ev);
	if (!strcmp(event, "add")) {
		if (c->nevents)
			return werr_set(e, "id", "%s was added already", id);
		snprintf(c->office, sizeof c->office, "%s", jstr(ev, "office"));
		c->status = ST_OPEN;
		c->level = (int)jint(ev, "level", 0);
		c->added = c->start = at;
		set_str(&c->service, ev, "service");
		if (keep_text) {
			set_str(&c->desk, ev, "desk");
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
	if (!c->nevents)
		return werr_set(e, "id", "no complaint %s", id);
	if (!strcmp(event, "ack")) {
		if (c->status != ST_OPEN)
			return werr_set(e, "event", "%s is %s, not open", id, st_name[c->status]);
		c->status = ST_ACK;
	} else if (!strcmp(event, "resolve")) {
		if (c->status == ST_RESOLVED)
			return werr_set(e, "event", "%s is resolved already", id);
		if (!jstr(ev, "decision") || !jstr(ev, "note"))
			return werr_set(e, jstr(ev, "decision") ? "note" : "decision",
			                "a resolution needs a decision and a note");
		c->status = ST_RESOLVED;
		c->resolved = at;
		if (keep_text) {
			set_str(&c->decision, ev, "decision");
			set_str(&c->note, ev, "note");
		}
	} else if (!strcmp(event, "escalate")) {
		int to = (int)jint(ev, "level", -1);
		if (to != c->level + 1)
			return werr_set(e, "level", "%s is at level %d; it goes to %d, not %d", id,
			                c->level, c->level + 1, to);
		if (to >= nlevels)
			return werr_set(e, "level", "there is no level %d (complaint.deadlines has %d)",
			                to, nlevels);
		c->level = to;
		c->status = ST_OPEN;
		c->start = at;
		if (keep_text)
			set_str(&c->officer, ev, "officer");
	} else if (!strcmp(event, "reopen")) {
		if (c->status != ST_RESOLVED)
			return werr_set(e, "event", "%s is %s; only a resolved complaint reopens", id,
			                st_name[c->status]);
		c->status = ST_OPEN;
		c->start = at;
	}
	c->nevents++;
	return 0;
}

static void
cpls_free(void)
{
	size_t i = 0;
	struct cpl *c;
	while ((c = hmap_iter(&cpls, &i))) {
		char **s[] = { &c->service, &c->desk, &c->category, &c->name, &c->mobile, &c->nid,
			       &c->text, &c->by, &c->officer, &c->decision, &c->note };
		for (size_t k = 0; k < sizeof s / sizeof s[0]; k++)
			free(*s[k]);
	}
	hmap_free(&cpls);
}

static const char *load_only;
static long load_bad;
static json_t *history; /* show: the events of load_only, in the log's order */

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

static int
on_log(struct rloop *L, json_t *ev, const struct rpos *pos, struct werr *e)
{
	if (jint(ev, "seq", 0) != (long long)pos->line) {
		char where[300];
		snprintf(where, sizeof where, "%s:%lu", pos->file, pos->line);
		return werr_set(e, where, "damaged: seq is %lld", jint(ev, "seq", 0)), -2;
	}
	struct werr ae;
	if (history && load_only && !strcmp(jstr(ev, "id"), load_only))
		json_array_append_new(history, json_deep_copy(ev));
	if ((!load_only || !strcmp(jstr(ev, "id"), load_only)) && apply(ev, &ae) < 0 &&
	    load_bad++ < 5)
		warnf("%s:%lu: %s: %s (complaint-log verify says more)", log_path, pos->line, ae.field,
		      ae.msg);
	return 0;
}

/* A line that is no complaint event is damage: the loop stops there. */
static void
on_damage(struct rloop *L, const struct rpos *pos, const json_t *rec, const struct werr *e)
{
	L->stop = 1;
}

/* Read the whole log into cpls, every line checked against the chain and the
 * head (in two threads: parsing is most of the work); a damaged line stops the
 * command. Events that do not follow from the state before them are reported
 * (verify says more) and skipped. */
static void
load_log(const char *only_id)
{
	static const char *const kinds[] = { "complaint", NULL };
	hmap_init(&cpls, sizeof(struct cpl));
	load_only = only_id;
	struct rloop L = { 0 };
	L.cb = on_log;
	L.kinds = kinds;
	L.validate = 1;
	L.transient = !history; /* show keeps the events it prints */
	L.on_reject = on_damage;
	if (store_loop(log_path, STORE_CHAIN, &L) != 0 || L.stop)
		die("%s: damaged: nothing is read from it (complaint-log verify says more)", log_path);
}

/* ---- writing: in the store, under its lock, each line chained to the one before ---- */

struct told {
	json_t *ev;
	int again; /* logged before: printed again, not alerted */
};

struct writer {
	struct store s;
	struct hmap ids;   /* "KHL-2026" -> long long: the last number given */
	int bulk;          /* index what each complaint logged was given */
	struct hmap given; /* bulk key -> struct store_rec of the add event (p unused) */
	struct told *done; /* events written or met again, to tell once durable */
	size_t ndone, cdone;
	int status;
};

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
note_id(struct writer *w, const json_t *ev)
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
note_given(struct writer *w, const json_t *ev, off_t off, size_t len)
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
	struct writer *w = ctx;
	json_t *ev = log_event(r, e);
	if (!ev)
		return -1;
	note_id(w, ev);
	note_given(w, ev, r->off, r->len);
	json_decref(ev);
	return 0;
}

/* Take the lock and the log; a writer for a bulk add reads it all, to know what
 * was logged before, others only what follows the head. A damaged log stops here:
 * nothing is ever appended after a line that cannot be read. */
static void
writer_open(struct writer *w, int bulk)
{
	memset(w, 0, sizeof *w);
	w->bulk = bulk;
	hmap_init(&w->ids, sizeof(long long));
	hmap_init(&w->given, sizeof(struct store_rec));
	struct store_opts o = { .check = STORE_CHAIN, .lock = STORE_WAIT, .lockpath = lock_path,
	                          .from_head = !bulk };
	struct werr e;
	if (store_open(&w->s, log_path, &o, on_written, w, &e) < 0) {
		hmap_free(&w->ids);
		hmap_free(&w->given);
		die("%s: %s (complaint-log verify says more)", e.field, e.msg);
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
}

static void
told(struct writer *w, json_t *ev, int again)
{
	if (w->ndone == w->cdone) {
		w->cdone = w->cdone ? w->cdone * 2 : 64;
		w->done = xrealloc(w->done, w->cdone * sizeof *w->done);
	}
	w->done[w->ndone].ev = json_incref(ev);
	w->done[w->ndone++].again = again;
}

static void
writer_put(struct writer *w, json_t *ev)
{
	char ab[21];
	if (!jstr(ev, "at")) {
		instant_fmt(wgo_now(), ab);
		json_object_set_new(ev, "at", json_string(ab));
	}
	if (!strcmp(jstr(ev, "event"), "add")) {
		char key[16], id[40];
		int y, m, d;
		date_to_ymd(bd_date(event_at(ev)), &y, &m, &d);
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
	if (off < 0)
		die("%s: cannot be written to now", log_path);
	json_object_set_new(ev, "prev", json_string(prev));
	note_given(w, ev, off, w->s.pending.n - before - 1);
	buf_free(&line);
	told(w, ev, 0);
}

/* Run the notify command with ev on its standard input; 0 when it succeeded. */
static int
notify(const char *cmd, const json_t *ev)
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
	int wrc = write_all(pfd[1], b.p, b.n);
	close(pfd[1]);
	signal(SIGPIPE, old);
	buf_free(&b);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	(void)wrc;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void print_event(const json_t *ev);

/* Make what is pending durable, then tell: the records on stdout, the alerts. */
static void
writer_flush(struct writer *w)
{
	struct werr e;
	if (w->s.pending.n) {
		w->s.head.n = 0;
		size_t i = 0;
		long long *v;
		while ((v = hmap_iter(&w->ids, &i)))
			buf_printf(&w->s.head, "id %s %lld\n", hmap_key(&w->ids, v), *v);
		if (store_flush(&w->s, &e) < 0)
			die("%s: %s", e.field, e.msg);
	}
	const char *cmd = o_notify ? o_notify : cfg_get(wgo_config(), "complaint.notify");
	for (size_t i = 0; i < w->ndone; i++) {
		json_t *ev = w->done[i].ev;
		print_event(ev);
		if (!w->done[i].again && cmd && *cmd && !strcmp(jstr(ev, "event"), "add")) {
			int rc = notify(cmd, ev);
			if (rc) {
				warnf("notify: '%s' failed (%s %d) for %s; the complaint is logged", cmd,
				      rc < 0 ? "error" : "status", rc, jstr(ev, "id"));
				w->status = wgo_worse(w->status, WGO_EXIT_NEG);
			}
		}
		json_decref(ev);
	}
	w->ndone = 0;
}

static int
writer_close(struct writer *w)
{
	writer_flush(w);
	store_close(&w->s);
	hmap_free(&w->ids);
	hmap_free(&w->given);
	free(w->done);
	return w->status;
}

/* ---- masking and printing ---- */

/* libwgo's one masking rule, unless --reveal. */
static void
mask(int what, const char *s, struct buf *out)
{
	if (o_reveal) {
		out->n = 0;
		buf_adds(out, s);
		return;
	}
	pii_mask(what, s, out);
}

static void
mask_mobile(const char *s, struct buf *out)
{
	mask(PII_MOBILE, s, out); /* +88017******44 */
}

static void
mask_nid(const char *s, struct buf *out)
{
	mask(PII_NID, s, out);
}

/* An event as written, on stdout: mobile and NID left out unless revealed. */
static void
print_event(const json_t *ev)
{
	json_t *c = json_copy((json_t *)ev);
	if (!o_reveal) {
		json_object_del(c, "mobile");
		json_object_del(c, "nid");
	}
	if (rec_write(stdout, c) < 0)
		die("<stdout>: write error:");
	json_decref(c);
}

/* BD local time "YYYY-MM-DD HH:MM". */
static void
local_time(int64_t t, char out[17])
{
	int64_t s = t + 6 * 3600;
	int64_t sod = (s % 86400 + 86400) % 86400;
	char d[11];
	date_fmt(bd_date(t), d);
	snprintf(out, 17, "%s %02d:%02d", d, (int)(sod / 3600), (int)(sod / 60 % 60));
}

static wdate
deadline_of(const struct cpl *c)
{
	int lv = c->level < nlevels ? c->level : nlevels - 1;
	return cal_add_workdays(&cal, bd_date(c->start), days[lv]);
}

static wdate as_of;

static int
overdue(const struct cpl *c)
{
	return c->status != ST_RESOLVED && as_of > deadline_of(c);
}

static int
working_days(const struct cpl *c)
{
	wdate a = bd_date(c->added);
	wdate b = c->status == ST_RESOLVED ? bd_date(c->resolved) : as_of;
	return b > a ? cal_workdays_between(&cal, a, b) : 0;
}

static json_t *
state_record(const char *id, const struct cpl *c)
{
	json_t *r = json_object();
	char d[21];
	struct buf m = { 0 };
	json_object_set_new(r, "kind", json_string("complaint_state"));
	json_object_set_new(r, "v", json_integer(1));
	json_object_set_new(r, "id", json_string(id));
	json_object_set_new(r, "office", json_string(c->office));
	json_object_set_new(r, "status", json_string(st_name[c->status]));
	json_object_set_new(r, "level", json_integer(c->level));
	const char *s[] = { "officer", c->officer, "service", c->service, "desk", c->desk,
		            "category", c->category, "name", c->name, "text", c->text, "by", c->by };
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i += 2)
		if (s[i + 1])
			json_object_set_new(r, s[i], json_string(s[i + 1]));
	if (c->mobile) {
		mask_mobile(c->mobile, &m);
		json_object_set_new(r, "mobile", json_string(buf_str(&m)));
	}
	if (c->nid) {
		mask_nid(c->nid, &m);
		json_object_set_new(r, "nid", json_string(buf_str(&m)));
	}
	buf_free(&m);
	instant_fmt(c->added, d);
	json_object_set_new(r, "added", json_string(d));
	if (c->status != ST_RESOLVED) {
		date_fmt(deadline_of(c), d);
		json_object_set_new(r, "deadline", json_string(d));
	}
	json_object_set_new(r, "overdue", json_boolean(overdue(c)));
	json_object_set_new(r, "working_days", json_integer(working_days(c)));
	if (c->status == ST_RESOLVED) {
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

/* A table cell: text as it is (ids, names), or a number or date (putn), in
 * Bengali digits with --lang bn. */
static void
put(const char *s, int width, int right)
{
	put_cell(stdout, s, width, right, 0);
}

static void
putn(const char *s, int width, int right)
{
	put_cell(stdout, s, width, right, o_bn);
}

/* Append text from a record (or the configuration) for a person to read: escaped,
 * so that it cannot move the cursor, forge a line of ours or reorder the line. */
static void
addt(struct buf *b, const char *s)
{
	term_escape(b, s, strlen(s));
}

/* Append ascii with its digits in Bengali when asked. */
static void
addn(struct buf *b, const char *ascii)
{
	if (o_bn)
		ascii_digits_to_bn(ascii, b);
	else
		buf_adds(b, ascii);
}

/* ---- add ---- */

static json_t *
add_event(const char *office, const char *service, const char *desk, const char *category,
          const char *name, const char *mobile, const char *nid, const char *text,
          const char *by, struct werr *e)
{
	json_t *ev = json_object();
	json_object_set_new(ev, "kind", json_string("complaint"));
	json_object_set_new(ev, "v", json_integer(1));
	json_object_set_new(ev, "seq", json_integer(1));
	json_object_set_new(ev, "event", json_string("add"));
	json_object_set_new(ev, "id", json_string("-"));
	json_object_set_new(ev, "prev", json_string(ZERO_HASH));
	const char *kv[] = { "office", office, "service", service, "desk", desk,
		             "category", category, "name", name, "mobile", mobile, "nid", nid,
		             "text", text, "by", by };
	for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i += 2)
		if (kv[i + 1] && *kv[i + 1])
			json_object_set_new(ev, kv[i], json_string(kv[i + 1]));
	char ab[21];
	instant_fmt(wgo_now(), ab);
	json_object_set_new(ev, "at", json_string(ab));
	json_object_set_new(ev, "level", json_integer(0));
	const char *off = jstr(ev, "office");
	if (off && office_valid(off) && officer_for(off, 0))
		json_object_set_new(ev, "officer", json_string(officer_for(off, 0)));
	const char *need[] = { "office", "service", "category", "text" };
	for (size_t i = 0; i < 4; i++)
		if (!jstr(ev, need[i])) {
			werr_set(e, need[i], "missing");
			json_decref(ev);
			return NULL;
		}
	if (rec_validate(ev, e) < 0 ||
	    check_listed("service.", "service", jstr(ev, "service"), e) < 0 ||
	    check_listed("category.", "category", jstr(ev, "category"), e) < 0) {
		json_decref(ev);
		return NULL;
	}
	return ev;
}

/* Bulk: complaint records with the complainant's fields; the rest is assigned. */
struct bulk {
	struct writer w;
	long since_sync;
};

static unsigned long again; /* complaints of a bulk add logged before */

static int
on_bulk(struct rloop *L, json_t *r, const struct rpos *pos, struct werr *e)
{
	struct bulk *b = L->ctx;
	const char *event = jstr(r, "event");
	if (event && strcmp(event, "add"))
		return werr_set(e, "event", "only \"add\" records are added in bulk, not \"%s\"", event);
	static const char *const allowed[] = { "kind", "v", "event", "office", "service", "desk",
		"category", "name", "mobile", "nid", "text", "by", "at", NULL };
	const char *k;
	json_t *v;
	json_object_foreach(r, k, v) {
		size_t i;
		for (i = 0; allowed[i] && strcmp(allowed[i], k); i++)
			;
		if (!allowed[i])
			return werr_set(e, k, "not given in bulk (the log assigns it)");
		if (!json_is_string(v) && strcmp(k, "v"))
			return werr_set(e, k, "not a string");
	}
	if (!json_is_integer(json_object_get(r, "v")) || json_integer_value(json_object_get(r, "v")) != 1)
		return werr_set(e, "v", "must be 1");
	const char *office = jstr(r, "office") ? jstr(r, "office") : default_office();
	json_t *ev = add_event(office, jstr(r, "service"), jstr(r, "desk"), jstr(r, "category"),
	                       jstr(r, "name"), jstr(r, "mobile"), jstr(r, "nid"), jstr(r, "text"),
	                       jstr(r, "by") ? jstr(r, "by") : o_by ? o_by : login_name(), e);
	if (!ev)
		return -1;
	const char *at = jstr(r, "at");
	if (at) {
		int64_t t;
		const char *why;
		if (instant_parse(at, &t, &why) < 0) {
			json_decref(ev);
			return werr_set(e, "at", "%s", why);
		}
		if (t > wgo_now()) {
			json_decref(ev);
			return werr_set(e, "at", "in the future");
		}
		char ab[21];
		instant_fmt(t, ab);
		json_object_set_new(ev, "at", json_string(ab));
	}
	/* A complaint logged before (a rerun after a failure part-way) is printed
	 * again as it was logged, and not logged twice. */
	struct buf bk = { 0 };
	bulk_keys(ev, at ? NULL : &bk, at ? &bk : NULL);
	struct store_rec *was = hmap_get(&b->w.given, bk.p);
	buf_free(&bk);
	if (was) {
		struct buf line = { 0 };
		struct werr ge;
		json_t *old = store_get(&b->w.s, was->off, was->len, &line, &ge) == 0
		              ? rec_parse(line.p, line.n, &ge) : NULL;
		buf_free(&line);
		json_decref(ev);
		if (!old)
			return werr_set(e, "", "%s: %s", ge.field, ge.msg);
		again++;
		if (!o_quiet)
			warnf("%s:%lu: logged before as %s: printed again", pos->file, pos->line,
			      jstr(old, "id"));
		told(&b->w, old, 1);
		json_decref(old);
		if (++b->since_sync == BULK_SYNC) {
			writer_flush(&b->w);
			b->since_sync = 0;
		}
		return 0;
	}
	writer_put(&b->w, ev);
	json_decref(ev);
	if (++b->since_sync == BULK_SYNC) {
		writer_flush(&b->w);
		b->since_sync = 0;
	}
	return 0;
}

static int
add_bulk(int argc, char **argv)
{
	static const char *const kinds[] = { "complaint", NULL };
	struct bulk b = { 0 };
	struct rloop L = { 0 };
	L.cb = on_bulk;
	L.ctx = &b;
	L.kinds = kinds;
	L.quiet = o_quiet;
	if (o_rejects)
		L.rejects = rec_open_rejects(o_rejects);
	writer_open(&b.w, 1);
	int rc = rec_loop(&L, argc, argv);
	rc = wgo_worse(rc, writer_close(&b.w));
	if (again)
		warnf("%lu complaint%s logged before: printed again, not logged twice", again,
		      again == 1 ? "" : "s");
	if (L.rejects && L.rejects != stderr && fclose(L.rejects) == EOF) {
		warnf("%s: write error:", o_rejects);
		rc = WGO_EXIT_USAGE;
	}
	return rc;
}

static int
add_one(json_t *ev)
{
	struct writer w;
	writer_open(&w, 0);
	writer_put(&w, ev);
	return writer_close(&w);
}

/* ---- add, on a terminal ---- */

static char **completions;

static char *
complete_gen(const char *text, int state)
{
	static size_t i, len;
	if (!state) {
		i = 0;
		len = strlen(text);
	}
	while (completions && completions[i]) {
		const char *c = completions[i++];
		if (!strncmp(c, text, len))
			return xstrdup(c);
	}
	return NULL;
}

static char **
complete(const char *text, int start, int end)
{
	(void)start;
	(void)end;
	rl_attempted_completion_over = 1; /* never file names */
	return rl_completion_matches(text, complete_gen);
}

/* Ask for one field; NULL at end of input. The answer is checked by check(), and
 * asked again while it is wrong. A private answer (a name, a mobile number, an NID,
 * the complaint) never goes into the history, where the next person at the
 * terminal would find it with the Up arrow. */
enum { PUBLIC, PRIVATE };
static char *
ask(const char *en, const char *bn, const char *dflt, char **choices,
    int (*check)(const char *s, struct werr *e), int optional, int private)
{
	struct buf prompt = { 0 };
	for (;;) {
		prompt.n = 0;
		buf_adds(&prompt, tr(en, bn));
		if (dflt && *dflt)
			buf_printf(&prompt, " [%s]", dflt);
		else if (optional)
			buf_adds(&prompt, tr(" (optional)", " (ঐচ্ছিক)"));
		buf_adds(&prompt, ": ");
		completions = choices;
		char *line = readline(buf_str(&prompt));
		completions = NULL;
		if (!line) {
			buf_free(&prompt);
			return NULL;
		}
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		size_t n = strlen(s);
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			s[--n] = 0;
		if (*s && !private)
			add_history(s);
		if (!*s && dflt && *dflt)
			s = (char *)dflt;
		if (!*s && optional) {
			free(line);
			buf_free(&prompt);
			return xstrdup("");
		}
		struct werr e = { { 0 }, { 0 } };
		if (!*s)
			werr_set(&e, "", "%s", tr("an answer is needed", "উত্তর দিন"));
		else if (check)
			check(s, &e);
		if (!e.msg[0]) {
			char *r = xstrdup(s);
			free(line);
			buf_free(&prompt);
			return r;
		}
		fputs("  ", stderr);
		term_puts(stderr, e.msg); /* it may quote what was typed */
		fputc('\n', stderr);
		free(line);
	}
}

static int
check_office(const char *s, struct werr *e)
{
	return office_valid(s) ? 0 : werr_set(e, "office", "no office '%s'", s);
}

static int
check_service(const char *s, struct werr *e)
{
	return check_listed("service.", "service", s, e);
}

static int
check_category(const char *s, struct werr *e)
{
	return check_listed("category.", "category", s, e);
}

static int
check_mobile(const char *s, struct werr *e)
{
	char n[32];
	const char *why;
	return mobile_check(s, n, sizeof n, &why) < 0 ? werr_set(e, "mobile", "%s", why) : 0;
}

static int
check_nid(const char *s, struct werr *e)
{
	char n[32];
	const char *why;
	return nid_check(s, n, sizeof n, &why) < 0 ? werr_set(e, "nid", "%s", why) : 0;
}

static char **
office_list(void)
{
	static const char *const all[] = { "HQ", "DHK", "CTG", "RAJ", "KHL", "BAR", "SYL", "RNG",
		                           "MYM", NULL };
	char **l = xcalloc(10, sizeof *l);
	for (int i = 0; all[i]; i++)
		l[i] = xstrdup(all[i]);
	return l;
}

static char **
officer_list(void)
{
	const struct cfg *c = wgo_config();
	char **l = NULL;
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		if (!strncmp(c->it[i].key, "officer.", 8)) {
			l = xrealloc(l, (n + 2) * sizeof *l);
			l[n++] = xstrdup(c->it[i].val);
			l[n] = NULL;
		}
	return l;
}

/* A history written before private answers were kept out of it may hold mobile
 * numbers and NIDs: those go (the file is written again at the end). */
static void
forget_private(void)
{
	for (int i = history_length - 1; i >= 0; i--) {
		HIST_ENTRY *h = history_get(history_base + i);
		char n[32];
		const char *why;
		if (h && h->line && (mobile_check(h->line, n, sizeof n, &why) == 0 ||
		                     nid_check(h->line, n, sizeof n, &why) == 0)) {
			h = remove_history(i);
			if (h)
				free_history_entry(h);
		}
	}
}

static int
add_interactive(void)
{
	setlocale(LC_CTYPE, "");
	rl_readline_name = "complaint-log";
	rl_outstream = stderr;
	rl_attempted_completion_function = complete;
	rl_variable_bind("input-meta", "on");
	rl_variable_bind("output-meta", "on");
	rl_variable_bind("convert-meta", "off");
	char *hist = home_path("complaint-history");
	using_history();
	read_history(hist);
	forget_private();
	char **offices = office_list(), **services = cfg_ids("service."),
	     **categories = cfg_ids("category."), **officers = officer_list();
	const char *off0 = o_office ? o_office : cfg_get(wgo_config(), "office");
	fprintf(stderr, "%s\n", tr("A complaint (Tab completes; Ctrl-D stops without recording).",
	                           "অভিযোগ (ট্যাব চাপলে বাকিটা আসে; Ctrl-D চাপলে কিছু লিপিবদ্ধ হয় না)।"));
	char *f[9] = { 0 };
	int rc = WGO_EXIT_USAGE, i = 0;
	if (!(f[i++] = ask("Office", "কার্যালয়", off0, offices, check_office, 0, PUBLIC)) ||
	    !(f[i++] = ask("Service", "সেবা", o_service, services, check_service, 0, PUBLIC)) ||
	    !(f[i++] = ask("Desk", "ডেস্ক", o_desk, NULL, NULL, 1, PUBLIC)) ||
	    !(f[i++] = ask("Category", "অভিযোগের ধরন", o_category, categories, check_category, 0,
	                   PUBLIC)) ||
	    !(f[i++] = ask("Name", "নাম", o_name, NULL, NULL, 0, PRIVATE)) ||
	    !(f[i++] = ask("Mobile", "মোবাইল", o_mobile, NULL, check_mobile, 1, PRIVATE)) ||
	    !(f[i++] = ask("NID", "এনআইডি", o_nid, NULL, check_nid, 1, PRIVATE)) ||
	    !(f[i++] = ask("Complaint", "অভিযোগ", o_text, NULL, NULL, 0, PRIVATE)) ||
	    !(f[i++] = ask("Recorded by", "লিপিবদ্ধকারী", o_by ? o_by : login_name(), officers, NULL, 0,
	                   PUBLIC))) {
		fprintf(stderr, "\n%s\n", tr("Nothing was recorded.", "কিছুই লিপিবদ্ধ হয়নি।"));
		goto out;
	}
	struct werr e = { { 0 }, { 0 } };
	json_t *ev = add_event(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], &e);
	if (!ev) {
		warnf("%s: %s", e.field, e.msg);
		goto out;
	}
	char *yes = ask("Record this complaint? (y/n)", "অভিযোগটি লিপিবদ্ধ করবেন? (হ্যাঁ/না)", "y", NULL,
	                NULL, 0, PRIVATE);
	if (!yes || !(yes[0] == 'y' || yes[0] == 'Y' || !strncmp(yes, "হ", 3))) {
		fprintf(stderr, "%s\n", tr("Nothing was recorded.", "কিছুই লিপিবদ্ধ হয়নি।"));
		free(yes);
		json_decref(ev);
		goto out;
	}
	free(yes);
	rc = add_one(ev);
	struct buf l = { 0 };
	buf_printf(&l, tr("Recorded %s. The %s (%s) has it now; the deadline is %d working days.",
	                  "লিপিবদ্ধ হয়েছে: %s। %s (%s) এখনই জানলেন; সময়সীমা %d কার্যদিবস।"),
	           jstr(ev, "id"), level_name(0),
	           jstr(ev, "officer") ? jstr(ev, "officer") : "-", days[0]);
	struct buf el = { 0 };
	term_escape(&el, l.p, l.n); /* the officer's name is the configuration's */
	fputs("\n", stderr);
	put_digits(stderr, buf_str(&el), o_bn);
	fputs("\n", stderr);
	buf_free(&el);
	buf_free(&l);
	json_decref(ev);
out:
	for (int k = 0; k < 9; k++)
		free(f[k]);
	free_list(offices);
	free_list(services);
	free_list(categories);
	free_list(officers);
	stifle_history(500);
	if (write_history(hist) != 0 && !o_quiet)
		warnf("%s: cannot save the history", hist);
	free(hist);
	rl_clear_history();
	return rc;
}

static int
cmd_add(int argc, char **argv)
{
	if (!o_text && argc == 0 && isatty(0))
		return add_interactive();
	if (!o_text)
		return add_bulk(argc, argv);
	if (argc)
		die_usage("add takes --text or files, not both");
	struct werr e = { { 0 }, { 0 } };
	json_t *ev = add_event(default_office(), o_service, o_desk, o_category, o_name, o_mobile,
	                       o_nid, o_text, o_by ? o_by : login_name(), &e);
	if (!ev)
		die_usage("--%s: %s", e.field, e.msg);
	int rc = add_one(ev);
	json_decref(ev);
	return rc;
}

/* ---- ack, resolve, escalate, reopen ---- */

static int
cmd_event(const char *event, int argc, char **argv)
{
	if (argc != 1)
		die_usage("%s takes one complaint ID", event);
	const char *id = argv[0];
	if (!strcmp(event, "resolve")) {
		if (!o_decision)
			die_usage("resolve needs --decision (upheld, partly_upheld, rejected, withdrawn "
			          "or referred)");
		if (!o_note)
			die_usage("resolve needs --note: what was decided, and why");
	} else if (o_decision) {
		die_usage("--decision goes with resolve");
	}
	if (o_early && strcmp(event, "escalate"))
		die_usage("--early goes with escalate");
	if (o_early && !o_note)
		die_usage("escalate --early needs --note: why it cannot wait for the deadline");
	struct writer w;
	writer_open(&w, 0); /* under the lock: the state cannot change while we look */
	keep_text = 1;
	load_log(id);
	struct cpl *c = hmap_get(&cpls, id);
	if (!c || !c->nevents) {
		store_close(&w.s);
		die("no complaint %s", id);
	}
	json_t *ev = json_object();
	json_object_set_new(ev, "kind", json_string("complaint"));
	json_object_set_new(ev, "v", json_integer(1));
	json_object_set_new(ev, "event", json_string(event));
	json_object_set_new(ev, "id", json_string(id));
	json_object_set_new(ev, "office", json_string(c->office));
	char ab[21];
	instant_fmt(wgo_now(), ab);
	json_object_set_new(ev, "at", json_string(ab));
	json_object_set_new(ev, "by", json_string(o_by ? o_by : login_name()));
	if (!strcmp(event, "escalate") && c->status != ST_RESOLVED && !o_early &&
	    c->level + 1 < nlevels && bd_date(wgo_now()) <= deadline_of(c)) {
		/* An unresolved complaint goes up when its level's time is over; before
		 * that only on purpose. A resolved one, when the complainant appeals. */
		char d[11];
		date_fmt(deadline_of(c), d);
		warnf("%s: %s at level %d until its deadline, %s: escalate it after that day, or "
		      "now with --early and a --note saying why", id, st_name[c->status], c->level, d);
		json_decref(ev);
		writer_close(&w);
		cpls_free();
		return WGO_EXIT_NEG;
	}
	if (!strcmp(event, "escalate")) {
		json_object_set_new(ev, "level", json_integer(c->level + 1));
		const char *off = o_officer ? o_officer : officer_for(c->office, c->level + 1);
		if (off)
			json_object_set_new(ev, "officer", json_string(off));
	}
	if (o_decision)
		json_object_set_new(ev, "decision", json_string(o_decision));
	if (o_note)
		json_object_set_new(ev, "note", json_string(o_note));
	json_object_set_new(ev, "seq", json_integer(1));
	json_object_set_new(ev, "prev", json_string(ZERO_HASH));
	struct werr e = { { 0 }, { 0 } };
	int rc;
	if (rec_validate(ev, &e) < 0 || apply(ev, &e) < 0) {
		warnf("%s: %s%s%s", id, e.field, e.field[0] ? ": " : "", e.msg);
		rc = WGO_EXIT_NEG;
		writer_close(&w);
	} else {
		writer_put(&w, ev);
		rc = writer_close(&w);
	}
	json_decref(ev);
	cpls_free();
	return rc;
}

/* ---- list and show ---- */

static int
date_opt(const char *name, const char *s, wdate *d)
{
	const char *why;
	if (!s)
		return 0;
	if (date_parse(s, d, &why) < 0)
		die_usage("--%s: %s", name, why);
	return 1;
}

static int
by_order(const void *a, const void *b)
{
	const struct cpl *x = *(const struct cpl *const *)a, *y = *(const struct cpl *const *)b;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The complaints in log order. */
static struct cpl **
sorted(size_t *n)
{
	struct cpl **v = xmalloc((cpls.n + 1) * sizeof *v), *c;
	size_t i = 0, k = 0;
	while ((c = hmap_iter(&cpls, &i)))
		if (c->nevents)
			v[k++] = c;
	qsort(v, k, sizeof *v, by_order);
	*n = k;
	return v;
}

static int
cmd_list(int argc, char **argv)
{
	(void)argv;
	if (argc)
		die_usage("list takes no arguments");
	unsigned want = 0;
	if (o_status) {
		char *s = xstrdup(o_status), *save = NULL;
		for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			int k;
			for (k = 0; k < 3 && strcmp(t, st_name[k]); k++)
				;
			if (k == 3)
				die_usage("--status: open, acknowledged or resolved, not '%s'", t);
			want |= 1u << k;
		}
		free(s);
	}
	wdate from = 0, to = 0;
	int hf = date_opt("from", o_from, &from), ht = date_opt("to", o_to, &to);
	keep_text = 1;
	load_log(NULL);
	size_t n;
	struct cpl **v = sorted(&n);
	struct buf m = { 0 };
	if (table_out) {
		put(tr("complaint", "অভিযোগ"), 20, 0);
		put(tr("made", "তারিখ"), 12, 0);
		put(tr("service", "সেবা"), 24, 0);
		put(tr("status", "অবস্থা"), 18, 0);
		put(tr("level", "স্তর"), 6, 1);
		printf("  ");
		put(tr("deadline", "সময়সীমা"), 12, 0);
		put(tr("name", "নাম"), 22, 0);
		put(tr("mobile", "মোবাইল"), 0, 0);
		printf("\n");
	}
	long shown = 0;
	for (size_t i = 0; i < n; i++) {
		struct cpl *c = v[i];
		const char *id = hmap_key(&cpls, c);
		wdate d = bd_date(c->added);
		if ((o_office && strcmp(c->office, o_office)) || (want && !(want & 1u << c->status)) ||
		    (o_service && (!c->service || strcmp(c->service, o_service))) || (hf && d < from) ||
		    (ht && d > to) || (o_overdue && !overdue(c)))
			continue;
		shown++;
		if (!table_out) {
			json_t *r = state_record(id, c);
			if (rec_write(stdout, r) < 0)
				die("<stdout>: write error:");
			json_decref(r);
			continue;
		}
		char ds[11], dl[16];
		date_fmt(d, ds);
		if (c->status == ST_RESOLVED)
			snprintf(dl, sizeof dl, "-");
		else
			date_fmt(deadline_of(c), dl);
		if (overdue(c))
			strcat(dl, "!");
		put(id, 20, 0);
		putn(ds, 12, 0);
		label("service.", c->service ? c->service : "-", &m);
		put(buf_str(&m), 24, 0);
		put(o_bn ? st_bn[c->status] : st_name[c->status], 18, 0);
		char lv[8];
		snprintf(lv, sizeof lv, "%d", c->level);
		putn(lv, 6, 1);
		printf("  ");
		putn(dl, 12, 0);
		put(c->name ? c->name : "-", 22, 0);
		if (c->mobile)
			mask_mobile(c->mobile, &m);
		else
			buf_adds((m.n = 0, &m), "-");
		put(buf_str(&m), 0, 0);
		printf("\n");
	}
	if (table_out) {
		char t[80];
		snprintf(t, sizeof t,
		         tr(shown == 1 ? "%ld complaint; ! past the deadline" : "%ld complaints; ! past the deadline",
		            "%ld টি অভিযোগ; ! সময়সীমা পার"),
		         shown);
		put_digits(stdout, t, o_bn);
		printf("\n");
	}
	buf_free(&m);
	free(v);
	cpls_free();
	return 0;
}

static int
cmd_show(int argc, char **argv)
{
	if (argc != 1)
		die_usage("show takes one complaint ID");
	const char *id = argv[0];
	keep_text = 1;
	history = json_array();
	load_log(id);
	struct cpl *c = hmap_get(&cpls, id);
	if (!c || !c->nevents) {
		cpls_free();
		die("no complaint %s", id);
	}
	if (!table_out) {
		json_t *r = state_record(id, c);
		if (rec_write(stdout, r) < 0)
			die("<stdout>: write error:");
		json_decref(r);
		cpls_free();
		return 0;
	}
	struct buf b = { 0 }, m = { 0 };
	char t[17], d[11], lv[8];
	snprintf(lv, sizeof lv, "%d", c->level);
	buf_printf(&b, "%s  %s, %s ", id, o_bn ? st_bn[c->status] : st_name[c->status],
	           tr("level", "স্তর"));
	addn(&b, lv);
	buf_printf(&b, " (%s)", level_name(c->level));
	if (c->status != ST_RESOLVED) {
		date_fmt(deadline_of(c), d);
		buf_printf(&b, ", %s ", tr("deadline", "সময়সীমা"));
		addn(&b, d);
		buf_adds(&b, overdue(c) ? tr(" (overdue)", " (সময় পার)") : "");
	}
	buf_addc(&b, '\n');
	struct {
		const char *en, *bn, *val;
	} rows[] = {
		{ "office", "কার্যালয়", office_name(c->office, o_bn) },
		{ "service", "সেবা", NULL },
		{ "desk", "ডেস্ক", c->desk },
		{ "category", "ধরন", NULL },
		{ "officer", "কর্মকর্তা", c->officer },
		{ "name", "নাম", c->name },
		{ "mobile", "মোবাইল", NULL },
		{ "nid", "এনআইডি", NULL },
		{ "complaint", "অভিযোগ", c->text },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct buf v = { 0 };
		if (!strcmp(rows[i].en, "service") && c->service)
			label("service.", c->service, &v);
		else if (!strcmp(rows[i].en, "category") && c->category)
			label("category.", c->category, &v);
		else if (!strcmp(rows[i].en, "mobile") && c->mobile)
			mask_mobile(c->mobile, &v);
		else if (!strcmp(rows[i].en, "nid") && c->nid)
			mask_nid(c->nid, &v);
		else if (rows[i].val)
			buf_adds(&v, rows[i].val);
		if (v.n) {
			m.n = 0;
			buf_adds(&m, tr(rows[i].en, rows[i].bn));
			buf_adds(&b, "  ");
			buf_adds(&b, buf_str(&m));
			for (int k = utf8_width(buf_str(&m)); k < 12; k++)
				buf_addc(&b, ' ');
			/* Record text, escaped: a newline in it must not start a line of ours. */
			term_escape(&b, v.p, v.n);
			buf_addc(&b, '\n');
		}
		buf_free(&v);
	}
	fputs(buf_str(&b), stdout);
	b.n = 0;
	/* The history: the events load_log kept, in the log's order. */
	printf("%s\n", tr("history:", "ইতিহাস:"));
	static const char *const ev_bn[][2] = { { "add", "অভিযোগ" }, { "ack", "প্রাপ্তি স্বীকার" },
		{ "resolve", "নিষ্পত্তি" }, { "escalate", "আপিলে" }, { "reopen", "পুনরায় খোলা" } };
	size_t hi;
	json_t *ev;
	json_array_foreach(history, hi, ev) {
		const char *evn = jstr(ev, "event");
		for (size_t k = 0; k < 5; k++)
			if (o_bn && !strcmp(ev_bn[k][0], evn))
				evn = ev_bn[k][1];
		local_time(event_at(ev), t);
		buf_adds(&b, "  ");
		addn(&b, t);
		buf_printf(&b, "  %s", evn);
		if (jstr(ev, "by")) {
			buf_printf(&b, "%s ", tr(" by", ","));
			addt(&b, jstr(ev, "by"));
		}
		if (!strcmp(jstr(ev, "event"), "escalate")) {
			snprintf(lv, sizeof lv, "%d", (int)jint(ev, "level", 0));
			buf_printf(&b, " → %s ", tr("level", "স্তর"));
			addn(&b, lv);
			if (jstr(ev, "officer")) {
				buf_adds(&b, ", ");
				addt(&b, jstr(ev, "officer"));
			}
		}
		if (jstr(ev, "decision"))
			buf_printf(&b, ": %s", jstr(ev, "decision"));
		if (jstr(ev, "note")) {
			buf_adds(&b, " (");
			addt(&b, jstr(ev, "note"));
			buf_addc(&b, ')');
		}
		buf_addc(&b, '\n');
	}
	json_decref(history);
	history = NULL;
	fputs(buf_str(&b), stdout);
	buf_free(&b);
	buf_free(&m);
	cpls_free();
	return 0;
}

/* ---- stats ---- */

struct group {
	char office[4];
	const char *service;
	wmonth month;
	long count, resolved, open, overdue;
	int *days;
	size_t ndays, cdays;
};

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return x < y ? -1 : x > y;
}

static int
cmp_group(const void *a, const void *b)
{
	const struct group *x = *(const struct group *const *)a, *y = *(const struct group *const *)b;
	int c = strcmp(x->office, y->office);
	if (!c)
		c = strcmp(x->service, y->service);
	if (!c)
		c = x->month < y->month ? -1 : x->month > y->month;
	return c;
}

/* The nearest-rank percentile of sorted v: the smallest value with at least q of
 * the values at or below it. */
static int
rank(const int *v, size_t n, int q)
{
	size_t k = ((size_t)q * n + 99) / 100;
	return v[k ? k - 1 : 0];
}

static int
cmd_stats(int argc, char **argv)
{
	(void)argv;
	if (argc)
		die_usage("stats takes no arguments");
	wdate from = 0, to = 0;
	int hf = date_opt("from", o_from, &from), ht = date_opt("to", o_to, &to);
	load_log(NULL);
	struct hmap groups;
	hmap_init(&groups, sizeof(struct group));
	size_t i = 0;
	struct cpl *c;
	while ((c = hmap_iter(&cpls, &i))) {
		if (!c->nevents)
			continue;
		wdate d = bd_date(c->added);
		if ((o_office && strcmp(c->office, o_office)) ||
		    (o_service && (!c->service || strcmp(c->service, o_service))) || (hf && d < from) ||
		    (ht && d > to))
			continue;
		char key[128], ms[8];
		month_fmt(date_month(d), ms);
		snprintf(key, sizeof key, "%s|%s|%s", c->office, c->service ? c->service : "-", ms);
		int isnew;
		struct group *g = hmap_put(&groups, key, &isnew);
		if (isnew) {
			memcpy(g->office, c->office, 4);
			g->month = date_month(d);
		}
		g->count++;
		if (c->status == ST_RESOLVED) {
			g->resolved++;
			if (g->ndays == g->cdays) {
				g->cdays = g->cdays ? g->cdays * 2 : 8;
				g->days = xrealloc(g->days, g->cdays * sizeof *g->days);
			}
			g->days[g->ndays++] = working_days(c);
		} else {
			g->open++;
			g->overdue += overdue(c);
		}
	}
	struct group **v = xmalloc((groups.n + 1) * sizeof *v), *g;
	size_t n = 0;
	i = 0;
	while ((g = hmap_iter(&groups, &i))) {
		/* the service is the key's middle part */
		const char *k = hmap_key(&groups, g);
		g->service = strchr(k, '|') + 1;
		v[n++] = g;
	}
	/* services compare up to the '|' that follows them */
	for (size_t k = 0; k < n; k++)
		*strchr((char *)v[k]->service, '|') = 0;
	qsort(v, n, sizeof *v, cmp_group);
	struct buf m = { 0 };
	long tot[4] = { 0 };
	if (table_out) {
		put(tr("office", "কার্যালয়"), 10, 0);
		put(tr("service", "সেবা"), 24, 0);
		put(tr("month", "মাস"), 8, 0);
		put(tr("count", "সংখ্যা"), 8, 1);
		put(tr("resolved", "নিষ্পন্ন"), 10, 1);
		put(tr("open", "খোলা"), 8, 1);
		put(tr("overdue", "সময় পার"), 10, 1);
		put(tr("median", "মধ্যমা"), 8, 1);
		put(tr("p90", "৯০%"), 6, 1);
		printf("\n");
	}
	for (size_t k = 0; k < n; k++) {
		g = v[k];
		if (g->ndays > 1)
			qsort(g->days, g->ndays, sizeof *g->days, cmp_int);
		char ms[8];
		month_fmt(g->month, ms);
		tot[0] += g->count, tot[1] += g->resolved, tot[2] += g->open, tot[3] += g->overdue;
		if (!table_out) {
			json_t *r = json_object();
			json_object_set_new(r, "kind", json_string("complaint_stats"));
			json_object_set_new(r, "v", json_integer(1));
			json_object_set_new(r, "office", json_string(g->office));
			json_object_set_new(r, "service", json_string(g->service));
			json_object_set_new(r, "month", json_string(ms));
			json_object_set_new(r, "count", json_integer(g->count));
			json_object_set_new(r, "resolved", json_integer(g->resolved));
			json_object_set_new(r, "open", json_integer(g->open));
			json_object_set_new(r, "overdue", json_integer(g->overdue));
			if (g->ndays) {
				json_object_set_new(r, "median_days", json_integer(rank(g->days, g->ndays, 50)));
				json_object_set_new(r, "p90_days", json_integer(rank(g->days, g->ndays, 90)));
			}
			if (rec_write(stdout, r) < 0)
				die("<stdout>: write error:");
			json_decref(r);
			continue;
		}
		char a[24];
		put(g->office, 10, 0);
		label("service.", g->service, &m);
		put(buf_str(&m), 24, 0);
		putn(ms, 8, 0);
		long cols[] = { g->count, g->resolved, g->open, g->overdue };
		int w[] = { 8, 10, 8, 10 };
		for (int q = 0; q < 4; q++) {
			snprintf(a, sizeof a, "%ld", cols[q]);
			putn(a, w[q], 1);
		}
		if (g->ndays) {
			snprintf(a, sizeof a, "%d", rank(g->days, g->ndays, 50));
			putn(a, 8, 1);
			snprintf(a, sizeof a, "%d", rank(g->days, g->ndays, 90));
			putn(a, 6, 1);
		} else {
			put("-", 8, 1);
			put("-", 6, 1);
		}
		printf("\n");
	}
	if (table_out) {
		char a[24];
		put(tr("all", "মোট"), 42, 0);
		for (int q = 0; q < 4; q++) {
			snprintf(a, sizeof a, "%ld", tot[q]);
			putn(a, q == 1 || q == 3 ? 10 : 8, 1);
		}
		printf("\n");
		put(tr("median and p90: working days to resolve", "মধ্যমা ও ৯০%: নিষ্পত্তিতে কার্যদিবস"), 0, 0);
		printf("\n");
	}
	for (size_t k = 0; k < n; k++)
		free(v[k]->days);
	free(v);
	buf_free(&m);
	hmap_free(&groups);
	cpls_free();
	return 0;
}

/* ---- watch ---- */

static volatile sig_atomic_t stop_watch;

static void
on_signal(int s)
{
	(void)s;
	stop_watch = 1;
}

static void
ring(const json_t *ev)
{
	struct buf b = { 0 }, m = { 0 };
	char t[17];
	local_time(event_at(ev), t);
	buf_adds(&b, "\a"); /* the bell, ours; every text below is the record's, escaped */
	addn(&b, t);
	buf_adds(&b, "  ");
	addt(&b, jstr(ev, "id"));
	buf_adds(&b, "  ");
	label("service.", jstr(ev, "service"), &m);
	addt(&b, buf_str(&m));
	if (jstr(ev, "category")) {
		label("category.", jstr(ev, "category"), &m);
		buf_adds(&b, " / ");
		addt(&b, buf_str(&m));
	}
	if (jstr(ev, "desk")) {
		buf_printf(&b, ", %s ", tr("desk", "ডেস্ক"));
		addt(&b, jstr(ev, "desk"));
	}
	buf_adds(&b, ": ");
	if (jstr(ev, "name"))
		addt(&b, jstr(ev, "name"));
	if (jstr(ev, "mobile")) {
		mask_mobile(jstr(ev, "mobile"), &m);
		buf_adds(&b, " (");
		addt(&b, buf_str(&m));
		buf_addc(&b, ')');
	}
	buf_adds(&b, " — ");
	addt(&b, jstr(ev, "text") ? jstr(ev, "text") : "");
	buf_addc(&b, '\n');
	fputs(buf_str(&b), stdout);
	if (fflush(stdout) == EOF)
		die("<stdout>: write error:");
	buf_free(&b);
	buf_free(&m);
}

static int
cmd_watch(int argc, char **argv)
{
	(void)argv;
	if (argc)
		die_usage("watch takes no arguments");
	const char *office = default_office();
	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int fd = -1;
	off_t pos = 0;
	struct buf part = { 0 };
	long seen = 0;
	int first = 1;
	while (!stop_watch) {
		if (fd < 0) {
			fd = open(log_path, O_RDONLY | O_CLOEXEC);
			if (fd >= 0 && first) {
				struct stat st;
				if (fstat(fd, &st) == 0)
					pos = st.st_size; /* only what comes from now on */
			}
			first = 0;
		}
		if (fd >= 0) {
			struct stat st;
			if (fstat(fd, &st) < 0)
				die("%s:", log_path);
			if (st.st_size < pos)
				die("%s: the log shrank: it was changed (complaint-log verify)", log_path);
			while (st.st_size > pos) {
				char chunk[65536];
				ssize_t k = pread(fd, chunk, sizeof chunk, pos);
				if (k <= 0)
					break;
				pos += k;
				buf_add(&part, chunk, (size_t)k);
			}
			char *s = part.p, *nl;
			while (s && (nl = memchr(s, '\n', part.n - (size_t)(s - part.p)))) {
				struct werr e;
				json_t *ev = rec_parse(s, (size_t)(nl - s), &e);
				if (ev && rec_validate(ev, &e) == 0 && !strcmp(jstr(ev, "event"), "add") &&
				    !strcmp(jstr(ev, "office"), office)) {
					ring(ev);
					seen++;
				}
				json_decref(ev);
				s = nl + 1;
				if (o_count > 0 && seen >= o_count)
					break;
			}
			if (s) {
				size_t left = part.n - (size_t)(s - part.p);
				memmove(part.p, s, left);
				part.n = left;
			}
			if (o_count > 0 && seen >= o_count)
				break;
		}
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (fd >= 0)
		close(fd);
	buf_free(&part);
	return 0;
}

/* ---- verify ---- */

static long problems;

static void
problem(long line, const char *fmt, ...) WGO_ATTR_FMT(2, 3);

static void
problem(long line, const char *fmt, ...)
{
	if (++problems > 100)
		return;
	char m[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	if (line)
		warnf("%s:%ld: %s", log_path, line, m);
	else
		warnf("%s", m);
}

static int
cmd_verify(int argc, char **argv)
{
	(void)argv;
	if (argc)
		die_usage("verify takes no arguments");
	if (o_expect && (strlen(o_expect) != 64 || strspn(o_expect, "0123456789abcdef") != 64))
		die_usage("--expect: a line hash, 64 hex digits");
	hmap_init(&cpls, sizeof(struct cpl));
	struct store_head hd;
	struct werr he;
	int hr = store_head_read(log_path, &hd, NULL, &he);
	char at_head[65] = ZERO_HASH;
	off_t size_at_head = 0;
	int fd = open(log_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT)
		die("%s:", log_path);
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
			found_expect |= o_expect && !strcmp(h, o_expect);
			if (!l.complete)
				problem(ln, "the last line has no newline: it is incomplete (a crash while "
				            "writing, or an edit)");
			struct werr e = { { 0 }, { 0 } };
			json_t *ev = rec_parse(l.p, l.n, &e);
			if (!ev || rec_validate(ev, &e) < 0) {
				problem(ln, "%s%s%s: the line was changed", e.field, e.field[0] ? ": " : "",
				        e.msg);
			} else if (strcmp(jstr(ev, "kind"), "complaint")) {
				problem(ln, "a %s record, not a complaint event: the line was changed",
				        jstr(ev, "kind"));
			} else {
				long long seq = jint(ev, "seq", 0);
				if (seq != want_seq)
					problem(ln, "seq is %lld where %lld was due: %s", seq, want_seq,
					        seq > want_seq ? "a line was removed before it"
					                       : "a line was inserted or moved here");
				want_seq = seq + 1;
				/* A line is vouched for by the next one's prev: when that fails, it
				 * is the line before that was changed (or lines went missing or came
				 * in between). */
				if (strcmp(jstr(ev, "prev"), prev)) {
					if (ln == 1)
						problem(1, "prev is not zero: lines were removed before it");
					else
						problem(ln - 1, "the line was changed, or lines were removed, "
						        "inserted or moved after it: line %ld's prev is not its hash",
						        ln);
				}
				struct buf b = { 0 };
				rec_dump(ev, &b);
				if (b.n - 1 != l.n || memcmp(b.p, l.p, l.n))
					problem(ln, "the line is not in the form the log writes: it was edited");
				buf_free(&b);
				if (apply(ev, &e) < 0)
					problem(ln, "%s: %s", e.field, e.msg);
			}
			json_decref(ev);
			memcpy(prev, h, 65);
			if (hr == 0 && (unsigned long)ln == hd.seq) {
				memcpy(at_head, h, 65);
				size_at_head = size;
			}
		}
		if (got < 0)
			die("%s: %s", log_path, se.msg);
		store_scan_close(&sc);
		close(fd);
	}
	long after = 0;
	if (hr < 0)
		problem(0, "%s: %s", he.field, he.msg);
	else if (hr == 1 && ln > 0)
		problem(0, "%s.head: missing: the last lines cannot be checked", log_path);
	else if (hr == 0 && hd.seq < (unsigned long)ln && !strcmp(at_head, hd.hash) &&
	         size_at_head == hd.size) {
		/* Whole lines that chain on from the head: written before a crash. */
		after = ln - (long)hd.seq;
	} else if (hr == 0 && (hd.seq > (unsigned long)ln))
		problem(0, "%s.head: the head says %lu events, the log has %ld: %lu removed", log_path,
		        hd.seq, ln, hd.seq - (unsigned long)ln);
	else if (hr == 0 && hd.seq < (unsigned long)ln && !strcmp(at_head, hd.hash))
		problem(0, "%s.head: the log is %lld bytes long up to line %lu, the head says %lld: "
		        "a line before it changed its length", log_path, (long long)size_at_head,
		        hd.seq, hd.size);
	else if (hr == 0 && hd.seq < (unsigned long)ln)
		problem(0, "%s.head: the head says %lu events, the log has %ld: lines were added "
		        "outside complaint-log", log_path, hd.seq, ln);
	else if (hr == 0 && strcmp(hd.hash, prev))
		problem(ln, "the last line is not the line last written (the head has its hash): "
		            "it was changed");
	else if (hr == 0 && hd.size != size)
		/* The last line is the one written: what differs is before it, and the
		 * chain has said where. */
		problem(0, "%s.head: the log is %lld bytes long, the head says %lld: a line before "
		        "the last changed its length", log_path, (long long)size, hd.size);
	if (o_expect && !found_expect)
		problem(0, "no line of the log has the hash %s: the log was rewritten", o_expect);
	if (problems > 100)
		warnf("... and %ld more problems", problems - 100);
	if (problems) {
		warnf("%s: %ld problem%s in %ld lines: the log was changed", log_path, problems,
		      problems == 1 ? "" : "s", ln);
	} else {
		printf("%s: %ld events, %u complaints, the chain is whole; last line %s\n", log_path, ln,
		       ncpls, prev);
		if (after)
			warnf("%s: the last %ld event%s came after the head was written (a crash before "
			      "it was); the next add takes them in", log_path, after, after == 1 ? "" : "s");
	}
	cpls_free();
	return problems ? WGO_EXIT_NEG : 0;
}

/* ---- main ---- */

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "office", required_argument, NULL, 'o' },
		{ "service", required_argument, NULL, 's' },
		{ "desk", required_argument, NULL, 1 },
		{ "category", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "mobile", required_argument, NULL, 'm' },
		{ "nid", required_argument, NULL, 2 },
		{ "text", required_argument, NULL, 't' },
		{ "notify", required_argument, NULL, 3 },
		{ "decision", required_argument, NULL, 'd' },
		{ "note", required_argument, NULL, 4 },
		{ "officer", required_argument, NULL, 5 },
		{ "by", required_argument, NULL, 'b' },
		{ "status", required_argument, NULL, 6 },
		{ "from", required_argument, NULL, 7 },
		{ "to", required_argument, NULL, 8 },
		{ "overdue", no_argument, NULL, 9 },
		{ "as-of", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "lang", required_argument, NULL, 'l' },
		{ "reveal", no_argument, NULL, 10 },
		{ "count", required_argument, NULL, 11 },
		{ "expect", required_argument, NULL, 12 },
		{ "log", required_argument, NULL, 13 },
		{ "holidays", required_argument, NULL, 'H' },
		{ "rejects", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "home", required_argument, NULL, 14 },
		{ "now", required_argument, NULL, 15 },
		{ "early", no_argument, NULL, 16 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int npos;
	wgo_setprog(argv[0]);
	char **pos = wgo_getopt(argc, argv, "o:s:c:n:m:t:d:b:a:f:l:H:r:qhV", lo, on_opt, &npos);
	if (npos == 0)
		die_usage("a command is needed: add, list, show, ack, resolve, escalate, reopen, "
		          "stats, watch or verify");
	if (sodium_init() < 0)
		die("libsodium failed to start");
	const char *cmd = pos[0];
	if (o_office && !office_valid(o_office))
		die_usage("--office: unknown office '%s'", o_office);
	wgo_config();
	load_deadlines();
	struct werr e;
	if (wgo_calendar(&cal, o_holidays, &e) < 0)
		die("%s: %s", e.field, e.msg);
	as_of = wgo_today();
	date_opt("as-of", o_asof, &as_of);
	table_out = o_format ? !strcmp(o_format, "table") : isatty(1);
	if (o_log) {
		log_path = xstrdup(o_log);
	} else {
		log_path = home_path("complaints.jsonl");
	}
	struct buf b = { 0 };
	buf_printf(&b, "%s.lock", log_path);
	lock_path = xstrdup(buf_str(&b));
	buf_free(&b);
	int rc;
	if (!strcmp(cmd, "add"))
		rc = cmd_add(npos - 1, pos + 1);
	else if (!strcmp(cmd, "list"))
		rc = cmd_list(npos - 1, pos + 1);
	else if (!strcmp(cmd, "show"))
		rc = cmd_show(npos - 1, pos + 1);
	else if (!strcmp(cmd, "ack") || !strcmp(cmd, "resolve") || !strcmp(cmd, "escalate") ||
	         !strcmp(cmd, "reopen"))
		rc = cmd_event(cmd, npos - 1, pos + 1);
	else if (!strcmp(cmd, "stats"))
		rc = cmd_stats(npos - 1, pos + 1);
	else if (!strcmp(cmd, "watch"))
		rc = cmd_watch(npos - 1, pos + 1);
	else if (!strcmp(cmd, "verify"))
		rc = cmd_verify(npos - 1, pos + 1);
	else
		die_usage("unknown command '%s'", cmd);
	free(pos);
	free(log_path);
	free(lock_path);
	cal_free(&cal);
	return wgo_finish(rc);
}
