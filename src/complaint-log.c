/* complaint-log: the complaint bell, in software. Options, then one command over
 * the complaint log: the model, the log and its chain are libwgo's (complaint.c);
 * what is here is the form on a terminal, the tables and the alerts. */
#include <getopt.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include <jansson.h>
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
	"everywhere:\n"
	"  -f, --format FORMAT        table or records (default: table on a terminal);\n"
	"                             add prints what it logged as a line for people in a table\n"
	"  -l, --lang LANG            en (default) or bn: the form, tables and messages\n"
	"      --reveal               show mobile numbers and NIDs unmasked\n"
	"watch:\n"
	"      --count N              stop after N complaints\n"
	"verify:\n"
	"      --expect HASH          the chain must pass through this line hash\n"
	"      --log FILE             the log (default $WGO_HOME/complaints.jsonl)\n"
	"  -H, --holidays FILE        holiday file for working days\n"
	"  -r, --rejects FILE         add: write rejected records to FILE\n"
	"  -q, --quiet                do not report each rejected record\n"
	WGO_PROGRESS_USAGE
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
static struct cpl_rules rules;
static wdate as_of;
static int table_out;   /* lists and stats as a table */
static int people_out;  /* events added as lines for people, not records */
static int status_now;  /* the worst status met while telling (alerts) */

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

static const char *
login_name(void)
{
	const char *u = getenv("USER");
	if (u && *u)
		return u;
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_name && *pw->pw_name ? pw->pw_name : "unknown";
}

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

/* ---- printing for people ---- */

static void
label(const char *prefix, const char *id, struct buf *out)
{
	cpl_label(wgo_config(), prefix, id, o_bn, out);
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

/* A date as people read it: 2026-12-14, or ১৪ ডিসেম্বর ২০২৬. */
static void
add_date(struct buf *b, wdate d)
{
	char s[11];
	if (o_bn) {
		greg_fmt(d, 1, b);
		return;
	}
	date_fmt(d, s);
	buf_adds(b, s);
}

/* A month as people read it: 2026-11, or নভেম্বর ২০২৬. */
static void
month_text(wmonth m, struct buf *b)
{
	char s[16];
	b->n = 0;
	if (o_bn) {
		int y = m / 12;
		buf_printf(b, "%s ", greg_month_name(m % 12 + 1, 1));
		snprintf(s, sizeof s, "%d", y);
		ascii_digits_to_bn(s, b);
		buf_str(b);
		return;
	}
	month_fmt(m, s);
	buf_adds(b, s);
}

/* BD local time "YYYY-MM-DD HH:MM". */
static void
local_time(int64_t t, char out[17])
{
	int64_t s = t + 6 * 3600;
	int64_t sod = (s % 86400 + 86400) % 86400;
	char d[11];
	date_fmt(bd_day(t), d);
	snprintf(out, 17, "%s %02d:%02d", d, (int)(sod / 3600), (int)(sod / 60 % 60));
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

/* An event logged, as one line for people: what was done, and what follows. */
static void
event_line(const json_t *ev, int again)
{
	struct buf b = { 0 }, m = { 0 };
	const char *event = jstr(ev, "event");
	int level = (int)jint(ev, "level", 0);
	addt(&b, jstr(ev, "id"));
	buf_adds(&b, ": ");
	if (!strcmp(event, "add")) {
		buf_adds(&b, again ? tr("logged before: ", "আগেই লিপিবদ্ধ: ")
		                   : tr("recorded: ", "লিপিবদ্ধ: "));
		label("service.", jstr(ev, "service"), &m);
		addt(&b, buf_str(&m));
		if (jstr(ev, "category")) {
			label("category.", jstr(ev, "category"), &m);
			buf_adds(&b, " / ");
			addt(&b, buf_str(&m));
		}
	} else if (!strcmp(event, "ack")) {
		buf_adds(&b, tr("acknowledged", "প্রাপ্তি স্বীকার করা হয়েছে"));
	} else if (!strcmp(event, "resolve")) {
		buf_adds(&b, tr("resolved", "নিষ্পত্তি হয়েছে"));
		buf_printf(&b, " (%s)", jstr(ev, "decision"));
	} else if (!strcmp(event, "escalate")) {
		char lv[16];
		snprintf(lv, sizeof lv, "%d", level);
		buf_adds(&b, tr("escalated to level ", "স্তরে উন্নীত: "));
		addn(&b, lv);
		buf_printf(&b, " (%s)", cpl_level_name(level, o_bn));
	} else {
		buf_adds(&b, tr("reopened", "পুনরায় খোলা হয়েছে"));
	}
	if (jstr(ev, "officer") && (!strcmp(event, "add") || !strcmp(event, "escalate"))) {
		buf_adds(&b, tr("; with ", "; দায়িত্বে: "));
		addt(&b, jstr(ev, "officer"));
	}
	if (strcmp(event, "ack") && strcmp(event, "resolve") && !again) {
		buf_adds(&b, tr("; deadline ", "; সময়সীমা "));
		add_date(&b, cpl_deadline_from(&rules, level, event_at(ev)));
	}
	buf_addc(&b, '\n');
	fputs(buf_str(&b), stdout);
	buf_free(&b);
	buf_free(&m);
}

/* Told once durable: the event on stdout (a record, its mobile and NID left out
 * unless revealed; or a line for people), and a new complaint's alert. */
static void
tell(void *ctx, json_t *ev, int again)
{
	int quiet_stdout = ctx != NULL; /* the form has told the visitor on stderr */
	if (people_out) {
		if (!quiet_stdout)
			event_line(ev, again);
	} else {
		json_t *c = json_copy(ev);
		if (!o_reveal) {
			json_object_del(c, "mobile");
			json_object_del(c, "nid");
		}
		if (rec_write(stdout, c) < 0)
			die("<stdout>: write error:");
		json_decref(c);
	}
	const char *cmd = o_notify ? o_notify : cfg_get(wgo_config(), "complaint.notify");
	if (!again && cmd && *cmd && !strcmp(jstr(ev, "event"), "add")) {
		int rc = cpl_notify(cmd, ev);
		if (rc) {
			warnf("notify: '%s' failed (%s %d) for %s; the complaint is logged", cmd,
			      rc < 0 ? "error" : "status", rc, jstr(ev, "id"));
			status_now = wgo_worse(status_now, WGO_EXIT_NEG);
		}
	}
}

static void
writer_open(struct cpl_writer *w, int bulk, void *ctx)
{
	struct werr e;
	w->tell = tell;
	w->ctx = ctx;
	if (cpl_writer_open(w, log_path, lock_path, bulk, &e) < 0)
		die("%s: %s (complaint-log verify says more)", e.field, e.msg);
}

static void
writer_put(struct cpl_writer *w, json_t *ev)
{
	if (cpl_writer_put(w, ev) < 0)
		die("%s: cannot be written to now", log_path);
}

static int
writer_close(struct cpl_writer *w)
{
	struct werr e;
	if (cpl_writer_close(w, &e) < 0)
		die("%s: %s", e.field, e.msg);
	return status_now;
}

static void
load(struct cpl_set *s, int keep_text, const char *only, json_t *history)
{
	struct werr e;
	cpl_set_init(s, &rules, keep_text);
	if (cpl_log_read(s, log_path, only, history, &e) < 0)
		die("%s: %s", e.field, e.msg);
}

/* ---- add ---- */

/* Bulk: complaint records with the complainant's fields; the rest is assigned. */
struct bulk {
	struct cpl_writer w;
	unsigned long since_sync, logged, again;
};
/* Bulk adds are fsynced once per this many complaints; a single add at once. */
#define BULK_SYNC 1000

static void
bulk_sync(struct bulk *b)
{
	struct werr e;
	if (++b->since_sync < BULK_SYNC)
		return;
	if (cpl_writer_flush(&b->w, &e) < 0)
		die("%s: %s", e.field, e.msg);
	b->since_sync = 0;
}

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
	struct cpl_fields f = {
		jstr(r, "office") ? jstr(r, "office") : default_office(), jstr(r, "service"),
		jstr(r, "desk"), jstr(r, "category"), jstr(r, "name"), jstr(r, "mobile"),
		jstr(r, "nid"), jstr(r, "text"), jstr(r, "by") ? jstr(r, "by") : o_by ? o_by : login_name(),
	};
	json_t *ev = cpl_add_event(&f, e);
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
	struct werr ge = { { 0 }, { 0 } };
	json_t *old = cpl_writer_again(&b->w, ev, at != NULL, &ge);
	if (old) {
		json_decref(ev);
		b->again++;
		if (!o_quiet)
			warnf("%s:%lu: logged before as %s: printed again", pos->file, pos->line,
			      jstr(old, "id"));
		json_decref(old);
		bulk_sync(b);
		return 0;
	}
	if (ge.msg[0]) {
		json_decref(ev);
		return werr_set(e, ge.field, "%s", ge.msg);
	}
	writer_put(&b->w, ev);
	json_decref(ev);
	b->logged++;
	bulk_sync(b);
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
	L.unit = "complaints";
	if (o_rejects)
		rec_rejects_to(&L, o_rejects);
	writer_open(&b.w, 1, NULL);
	int rc = rec_loop(&L, argc, argv);
	rc = wgo_worse(rc, writer_close(&b.w));
	if (b.again)
		warnf("%lu complaint%s logged before: printed again, not logged twice", b.again,
		      b.again == 1 ? "" : "s");
	rec_summary(&L, "%lu logged, %lu logged before", b.logged, b.again);
	if (L.rejects && L.rejects != stderr && fclose(L.rejects) == EOF) {
		warnf("%s: write error:", o_rejects);
		rc = WGO_EXIT_USAGE;
	}
	return rc;
}

static int
add_one(json_t *ev, void *ctx)
{
	struct cpl_writer w;
	writer_open(&w, 0, ctx);
	writer_put(&w, ev);
	return writer_close(&w);
}

/* ---- add, on a terminal ---- */

/* Ask for one field; NULL at end of input. The answer is checked (and may be
 * turned into the id it names) by check(), and asked again while it is wrong. A
 * private answer (a name, a mobile number, an NID, the complaint) never goes into
 * the history, where the next person at the terminal would find it with the Up
 * arrow. */
enum { PUBLIC, PRIVATE };
typedef int (*check_fn)(const char *s, struct buf *id, struct werr *e);
static char *
ask(const char *en, const char *bn, const char *dflt, char **choices, check_fn check,
    int optional, int private)
{
	struct buf prompt = { 0 }, id = { 0 };
	for (;;) {
		prompt.n = 0;
		buf_adds(&prompt, tr(en, bn));
		if (dflt && *dflt)
			buf_printf(&prompt, " [%s]", dflt);
		else if (optional)
			buf_adds(&prompt, tr(" (optional)", " (ঐচ্ছিক)"));
		buf_adds(&prompt, ": ");
		form_choices(choices, 0);
		char *line = readline(buf_str(&prompt));
		form_choices(NULL, 0);
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
		form_remember(s, private);
		if (!*s && dflt && *dflt)
			s = (char *)dflt;
		if (!*s && optional) {
			free(line);
			buf_free(&prompt);
			return xstrdup("");
		}
		struct werr e = { { 0 }, { 0 } };
		id.n = 0;
		if (!*s)
			werr_set(&e, "", "%s", tr("an answer is needed", "উত্তর দিন"));
		else if (check)
			check(s, &id, &e);
		if (!e.msg[0]) {
			char *r = xstrdup(id.n ? buf_str(&id) : s);
			free(line);
			buf_free(&prompt);
			buf_free(&id);
			return r;
		}
		fputs("  ", stderr);
		term_puts(stderr, e.msg); /* it may quote what was typed */
		fputc('\n', stderr);
		free(line);
	}
}

static int
check_office(const char *s, struct buf *id, struct werr *e)
{
	for (const char *const *c = office_codes(); *c; c++)
		if (!strcmp(s, *c) || !strcmp(s, office_name(*c, 0)) || !strcmp(s, office_name(*c, 1))) {
			buf_adds(id, *c);
			return 0;
		}
	return werr_set(e, "office", o_bn ? "'%s' নামে কোনো কার্যালয় নেই" : "no office '%s'", s);
}

/* A service or category: its id, or its label in either language. */
static int
check_listed(const char *prefix, const char *what, const char *s, struct buf *id, struct werr *e)
{
	const char *found = cpl_answer(wgo_config(), prefix, s);
	if (found) {
		buf_adds(id, found);
		return 0;
	}
	return cpl_check_listed(wgo_config(), prefix, what, s, o_bn, e);
}

static int
check_service(const char *s, struct buf *id, struct werr *e)
{
	return check_listed("service.", "service", s, id, e);
}

static int
check_category(const char *s, struct buf *id, struct werr *e)
{
	return check_listed("category.", "category", s, id, e);
}

static int
check_mobile(const char *s, struct buf *id, struct werr *e)
{
	char n[32];
	const char *why;
	(void)id;
	if (mobile_check(s, n, sizeof n, &why) == 0)
		return 0;
	if (o_bn)
		return werr_set(e, "mobile", "মোবাইল নম্বরটি সঠিক নয়: ০১ বা +৮৮০১ দিয়ে শুরু, তারপর "
		                "অপারেটরের একটি অঙ্ক (৩-৯) ও আরও ৮টি অঙ্ক");
	return werr_set(e, "mobile", "%s", why);
}

static int
check_nid(const char *s, struct buf *id, struct werr *e)
{
	char n[32];
	const char *why;
	(void)id;
	if (nid_check(s, n, sizeof n, &why) == 0)
		return 0;
	if (o_bn)
		return werr_set(e, "nid", "এনআইডি নম্বরটি সঠিক নয়: ১০, ১৩ বা ১৭ অঙ্কের হয়");
	return werr_set(e, "nid", "%s", why);
}

static int
check_yes(const char *s, struct buf *id, struct werr *e)
{
	static const char *const yes[] = { "y", "yes", "হ্যাঁ", "হাঁ", "হ্যা", "জি", NULL };
	static const char *const no[] = { "n", "no", "না", NULL };
	struct buf f = { 0 }, k = { 0 };
	bn_fold(s, &f);
	for (int pass = 0; pass < 2; pass++)
		for (const char *const *w = pass ? no : yes; *w; w++) {
			bn_fold(*w, &k);
			if (!strcmp(buf_str(&f), buf_str(&k))) {
				buf_adds(id, pass ? "n" : "y");
				buf_free(&f);
				buf_free(&k);
				return 0;
			}
		}
	buf_free(&f);
	buf_free(&k);
	return werr_set(e, "", "%s", tr("y or n", "হ্যাঁ বা না লিখুন"));
}

static char **
list_dup(char **l, const char *s)
{
	size_t n = 0;
	while (l && l[n])
		n++;
	l = xrealloc(l, (n + 2) * sizeof *l);
	l[n] = xstrdup(s);
	l[n + 1] = NULL;
	return l;
}

/* What Tab offers: ids in English, labels in Bengali (both are accepted). */
static char **
choice_list(const char *prefix)
{
	char **ids = cpl_ids(wgo_config(), prefix), **l = NULL;
	struct buf b = { 0 };
	for (size_t i = 0; ids && ids[i]; i++) {
		if (o_bn) {
			cpl_label(wgo_config(), prefix, ids[i], 1, &b);
			l = list_dup(l, buf_str(&b));
		} else {
			l = list_dup(l, ids[i]);
		}
	}
	buf_free(&b);
	cpl_ids_free(ids);
	return l;
}

static char **
office_list(void)
{
	char **l = NULL;
	for (const char *const *c = office_codes(); *c; c++)
		l = list_dup(l, o_bn ? office_name(*c, 1) : *c);
	return l;
}

static char **
officer_list(void)
{
	const struct cfg *c = wgo_config();
	char **l = NULL;
	for (size_t i = 0; i < c->n; i++)
		if (!strncmp(c->it[i].key, "officer.", 8))
			l = list_dup(l, c->it[i].val);
	return l;
}

/* The default shown for an id: its label in Bengali, the id in English. */
static char *
shown(const char *prefix, const char *id)
{
	if (!id)
		return NULL;
	if (!o_bn)
		return xstrdup(id);
	struct buf b = { 0 };
	if (!strcmp(prefix, "office."))
		buf_adds(&b, office_name(id, 1));
	else
		cpl_label(wgo_config(), prefix, id, 1, &b);
	char *s = xstrdup(buf_str(&b));
	buf_free(&b);
	return s;
}

static int
add_interactive(void)
{
	/* A label is several words: Tab completes the whole answer. */
	form_open("complaint-log", "complaint-history", "\n", 1);
	char **offices = office_list(), **services = choice_list("service."),
	     **categories = choice_list("category."), **officers = officer_list();
	char *d_office = shown("office.", o_office ? o_office : cfg_get(wgo_config(), "office"));
	char *d_service = shown("service.", o_service), *d_category = shown("category.", o_category);
	fprintf(stderr, "%s\n", tr("A complaint (Tab completes; Ctrl-D stops without recording).",
	                           "অভিযোগ (ট্যাব চাপলে বাকিটা আসে; Ctrl-D চাপলে কিছু লিপিবদ্ধ হয় না)।"));
	char *f[9] = { 0 }, *yes = NULL;
	int rc = WGO_EXIT_USAGE, i = 0;
	json_t *ev = NULL;
	if (!(f[i++] = ask("Office", "কার্যালয়", d_office, offices, check_office, 0, PUBLIC)) ||
	    !(f[i++] = ask("Service", "সেবা", d_service, services, check_service, 0, PUBLIC)) ||
	    !(f[i++] = ask("Desk", "ডেস্ক", o_desk, NULL, NULL, 1, PUBLIC)) ||
	    !(f[i++] = ask("Category", "অভিযোগের ধরন", d_category, categories, check_category, 0,
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
	struct cpl_fields cf = { f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8] };
	if (!(ev = cpl_add_event(&cf, &e))) {
		warnf("%s: %s", e.field, e.msg);
		goto out;
	}
	yes = ask("Record this complaint? (y/n)", "অভিযোগটি লিপিবদ্ধ করবেন? (হ্যাঁ/না)",
	          tr("y", "হ্যাঁ"), NULL, check_yes, 0, PRIVATE);
	if (!yes || strcmp(yes, "y")) {
		fprintf(stderr, "%s\n", tr("Nothing was recorded.", "কিছুই লিপিবদ্ধ হয়নি।"));
		goto out;
	}
	rc = add_one(ev, people_out ? ev : NULL);
	struct buf l = { 0 }, days = { 0 };
	char dn[8];
	snprintf(dn, sizeof dn, "%d", rules.days[0]);
	addn(&days, dn);
	buf_printf(&l, tr("Recorded %s. The %s (%s) has it now; the deadline is %s working days, ",
	                  "লিপিবদ্ধ হয়েছে: %s। %s (%s) এখনই জানলেন; সময়সীমা %s কার্যদিবস, "),
	           jstr(ev, "id"), cpl_level_name(0, o_bn),
	           jstr(ev, "officer") ? jstr(ev, "officer") : "-", buf_str(&days));
	add_date(&l, cpl_deadline_from(&rules, 0, event_at(ev)));
	buf_adds(&l, tr(".", "।"));
	struct buf el = { 0 };
	term_escape(&el, l.p, l.n); /* the officer's name is the configuration's */
	fputs("\n", stderr);
	fputs(buf_str(&el), stderr);
	fputs("\n", stderr);
	buf_free(&el);
	buf_free(&l);
	buf_free(&days);
out:
	json_decref(ev);
	free(yes);
	for (int k = 0; k < 9; k++)
		free(f[k]);
	free(d_office);
	free(d_service);
	free(d_category);
	cpl_ids_free(offices);
	cpl_ids_free(services);
	cpl_ids_free(categories);
	cpl_ids_free(officers);
	form_close(o_quiet);
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
	struct cpl_fields f = { default_office(), o_service, o_desk, o_category, o_name, o_mobile,
	                        o_nid, o_text, o_by ? o_by : login_name() };
	json_t *ev = cpl_add_event(&f, &e);
	if (!ev)
		die_usage("--%s: %s", e.field, e.msg);
	int rc = add_one(ev, NULL);
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
	struct cpl_writer w;
	writer_open(&w, 0, NULL); /* under the lock: the state cannot change while we look */
	struct cpl_set set;
	load(&set, 1, id, NULL);
	struct cpl *c = cpl_get(&set, id);
	if (!c) {
		store_close(&w.s);
		die("no complaint %s", id);
	}
	json_t *ev = cpl_event_new(event, id, c->office, o_by ? o_by : login_name());
	int rc;
	if (!strcmp(event, "escalate") && c->status != CPL_RESOLVED && !o_early &&
	    c->level + 1 < rules.nlevels && bd_day(wgo_now()) <= cpl_deadline(&set, c)) {
		/* An unresolved complaint goes up when its level's time is over; before
		 * that only on purpose. A resolved one, when the complainant appeals. */
		char d[11];
		date_fmt(cpl_deadline(&set, c), d);
		warnf("%s: %s at level %d until its deadline, %s: escalate it after that day, or "
		      "now with --early and a --note saying why", id, cpl_status_name(c->status),
		      c->level, d);
		json_decref(ev);
		writer_close(&w);
		cpl_set_free(&set);
		return WGO_EXIT_NEG;
	}
	if (!strcmp(event, "escalate")) {
		json_object_set_new(ev, "level", json_integer(c->level + 1));
		const char *off = o_officer ? o_officer : cpl_officer(wgo_config(), c->office, c->level + 1);
		if (off)
			json_object_set_new(ev, "officer", json_string(off));
	}
	if (o_decision)
		json_object_set_new(ev, "decision", json_string(o_decision));
	if (o_note)
		json_object_set_new(ev, "note", json_string(o_note));
	struct werr e = { { 0 }, { 0 } };
	if (rec_validate(ev, &e) < 0 || cpl_apply(&set, ev, &e) < 0) {
		warnf("%s: %s%s%s", id, e.field, e.field[0] ? ": " : "", e.msg);
		rc = WGO_EXIT_NEG;
		writer_close(&w);
	} else {
		writer_put(&w, ev);
		rc = writer_close(&w);
	}
	json_decref(ev);
	cpl_set_free(&set);
	return rc;
}

/* ---- list and show ---- */

static struct cpl_filter
filter(void)
{
	struct cpl_filter f = { 0 };
	f.office = o_office;
	f.service = o_service;
	f.has_from = date_opt("from", o_from, &f.from);
	f.has_to = date_opt("to", o_to, &f.to);
	return f;
}

static void
mask(int what, const char *s, struct buf *out)
{
	if (o_reveal) {
		out->n = 0;
		buf_adds(out, s);
		buf_str(out);
		return;
	}
	pii_mask(what, s, out);
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
			for (k = 0; k < 3 && strcmp(t, cpl_status_name(k)); k++)
				;
			if (k == 3)
				die_usage("--status: open, acknowledged or resolved, not '%s'", t);
			want |= 1u << k;
		}
		free(s);
	}
	struct cpl_filter f = filter();
	struct cpl_set set;
	load(&set, 1, NULL, NULL);
	size_t n;
	struct cpl **v = cpl_sorted(&set, &n);
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
	long shown_n = 0, late = 0;
	for (size_t i = 0; i < n; i++) {
		struct cpl *c = v[i];
		if (!cpl_match(&set, c, &f) || (want && !(want & 1u << c->status)) ||
		    (o_overdue && !cpl_overdue(&set, c, as_of)))
			continue;
		shown_n++;
		if (!table_out) {
			json_t *r = cpl_state_record(&set, c, as_of, o_reveal);
			if (rec_write(stdout, r) < 0)
				die("<stdout>: write error:");
			json_decref(r);
			continue;
		}
		char ds[11], dl[16];
		date_fmt(bd_day(c->added), ds);
		if (c->status == CPL_RESOLVED)
			snprintf(dl, sizeof dl, "-");
		else
			date_fmt(cpl_deadline(&set, c), dl);
		if (cpl_overdue(&set, c, as_of)) {
			strcat(dl, "!");
			late++;
		}
		put(cpl_id(&set, c), 20, 0);
		putn(ds, 12, 0);
		label("service.", c->service ? c->service : "-", &m);
		put(buf_str(&m), 24, 0);
		put(o_bn ? cpl_status_bn(c->status) : cpl_status_name(c->status), 18, 0);
		char lv[16];
		snprintf(lv, sizeof lv, "%d", c->level);
		putn(lv, 6, 1);
		printf("  ");
		putn(dl, 12, 0);
		put(c->name ? c->name : "-", 22, 0);
		if (c->mobile)
			mask(PII_MOBILE, c->mobile, &m);
		else
			buf_adds((m.n = 0, &m), "-");
		put(buf_str(&m), 0, 0);
		printf("\n");
	}
	if (table_out) {
		/* The mark is explained only where one is shown. */
		char t[120];
		if (late)
			snprintf(t, sizeof t, tr("%ld complaint%s, %ld past the deadline (!)",
			                         "%ld টি অভিযোগ%s, %ld টি সময়সীমা পার (!)"),
			         shown_n, o_bn || shown_n == 1 ? "" : "s", late);
		else
			snprintf(t, sizeof t, tr("%ld complaint%s, none past the deadline",
			                         "%ld টি অভিযোগ%s, কোনোটি সময়সীমা পার হয়নি"),
			         shown_n, o_bn || shown_n == 1 ? "" : "s");
		put_digits(stdout, t, o_bn);
		printf("\n");
	}
	buf_free(&m);
	free(v);
	cpl_set_free(&set);
	return 0;
}

static int
cmd_show(int argc, char **argv)
{
	if (argc != 1)
		die_usage("show takes one complaint ID");
	const char *id = argv[0];
	json_t *history = json_array();
	struct cpl_set set;
	load(&set, 1, id, history);
	struct cpl *c = cpl_get(&set, id);
	if (!c) {
		json_decref(history);
		cpl_set_free(&set);
		die("no complaint %s", id);
	}
	if (!table_out) {
		json_t *r = cpl_state_record(&set, c, as_of, o_reveal);
		if (rec_write(stdout, r) < 0)
			die("<stdout>: write error:");
		json_decref(r);
		json_decref(history);
		cpl_set_free(&set);
		return 0;
	}
	struct buf b = { 0 }, m = { 0 };
	char t[17], lv[8];
	snprintf(lv, sizeof lv, "%d", c->level);
	buf_printf(&b, "%s  %s, %s ", id, o_bn ? cpl_status_bn(c->status) : cpl_status_name(c->status),
	           tr("level", "স্তর"));
	addn(&b, lv);
	buf_printf(&b, " (%s)", cpl_level_name(c->level, o_bn));
	if (c->status != CPL_RESOLVED) {
		char d[11];
		date_fmt(cpl_deadline(&set, c), d);
		buf_printf(&b, ", %s ", tr("deadline", "সময়সীমা"));
		addn(&b, d);
		buf_adds(&b, cpl_overdue(&set, c, as_of) ? tr(" (overdue)", " (সময় পার)") : "");
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
			mask(PII_MOBILE, c->mobile, &v);
		else if (!strcmp(rows[i].en, "nid") && c->nid)
			mask(PII_NID, c->nid, &v);
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
	fputs(buf_str(&b), stdout);
	buf_free(&b);
	buf_free(&m);
	cpl_set_free(&set);
	return 0;
}

/* ---- stats ---- */

static int
cmd_stats(int argc, char **argv)
{
	(void)argv;
	if (argc)
		die_usage("stats takes no arguments");
	struct cpl_filter f = filter();
	struct cpl_set set;
	load(&set, 0, NULL, NULL);
	struct cpl_group *v;
	size_t n = cpl_stats(&set, &f, as_of, &v);
	struct buf m = { 0 };
	long tot[4] = { 0 };
	int mw = o_bn ? 16 : 8; /* নভেম্বর ২০২৬ */
	if (table_out) {
		put(tr("office", "কার্যালয়"), 10, 0);
		put(tr("service", "সেবা"), 24, 0);
		put(tr("month", "মাস"), mw, 0);
		put(tr("count", "সংখ্যা"), 8, 1);
		put(tr("resolved", "নিষ্পন্ন"), 10, 1);
		put(tr("open", "খোলা"), 8, 1);
		put(tr("overdue", "সময় পার"), 10, 1);
		put(tr("median", "মধ্যমা"), 8, 1);
		put(tr("p90", "৯০%"), 6, 1);
		printf("\n");
	}
	for (size_t k = 0; k < n; k++) {
		struct cpl_group *g = &v[k];
		tot[0] += g->count, tot[1] += g->resolved, tot[2] += g->open, tot[3] += g->overdue;
		if (!table_out) {
			json_t *r = cpl_stats_record(g);
			if (rec_write(stdout, r) < 0)
				die("<stdout>: write error:");
			json_decref(r);
			continue;
		}
		char a[24];
		put(o_bn ? office_name(g->office, 1) : g->office, 10, 0);
		label("service.", g->service, &m);
		put(buf_str(&m), 24, 0);
		month_text(g->month, &m);
		put(buf_str(&m), mw, 0);
		long cols[] = { g->count, g->resolved, g->open, g->overdue };
		int w[] = { 8, 10, 8, 10 };
		for (int q = 0; q < 4; q++) {
			snprintf(a, sizeof a, "%ld", cols[q]);
			putn(a, w[q], 1);
		}
		if (g->resolved) {
			snprintf(a, sizeof a, "%d", g->median);
			putn(a, 8, 1);
			snprintf(a, sizeof a, "%d", g->p90);
			putn(a, 6, 1);
		} else {
			put("-", 8, 1);
			put("-", 6, 1);
		}
		printf("\n");
	}
	if (table_out) {
		char a[24];
		put(tr("all", "মোট"), 34 + mw, 0);
		for (int q = 0; q < 4; q++) {
			snprintf(a, sizeof a, "%ld", tot[q]);
			putn(a, q == 1 || q == 3 ? 10 : 8, 1);
		}
		printf("\n");
		put(tr("median and p90: working days to resolve", "মধ্যমা ও ৯০%: নিষ্পত্তিতে কার্যদিবস"), 0, 0);
		printf("\n");
	}
	free(v);
	buf_free(&m);
	cpl_set_free(&set);
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
		mask(PII_MOBILE, jstr(ev, "mobile"), &m);
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

/* Follow the log's growth: each whole new line that is a complaint of the office
 * rings. Only what comes from now on; a log that shrinks was changed. */
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
					pos = st.st_size;
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
				if (ev && rec_validate(ev, &e) == 0 && !strcmp(jstr(ev, "kind"), "complaint") &&
				    !strcmp(jstr(ev, "event"), "add") && !strcmp(jstr(ev, "office"), office)) {
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

static int
cmd_verify(int argc, char **argv)
{
	(void)argv;
	if (argc)
		die_usage("verify takes no arguments");
	if (o_expect && (strlen(o_expect) != 64 || strspn(o_expect, "0123456789abcdef") != 64))
		die_usage("--expect: a line hash, 64 hex digits");
	struct cpl_verify r;
	long problems = cpl_log_verify(log_path, o_expect, &rules, &r);
	if (problems) {
		warnf("%s: %ld problem%s in %ld lines: the log was changed", log_path, problems,
		      problems == 1 ? "" : "s", r.lines);
		return WGO_EXIT_NEG;
	}
	printf("%s: %ld events, %u complaints, the chain is whole; last line %s\n", log_path,
	       r.lines, r.complaints, r.last);
	if (r.after)
		warnf("%s: the last %ld event%s came after the head was written (a crash before "
		      "it was); the next add takes them in", log_path, r.after, r.after == 1 ? "" : "s");
	return 0;
}

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
		WGO_PROGRESS_OPTIONS,
		{ "home", required_argument, NULL, 14 },
		{ "now", required_argument, NULL, 15 },
		{ "early", no_argument, NULL, 16 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int npos;
	struct werr e;
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
	if (wgo_calendar(&cal, o_holidays, &e) < 0)
		die("%s: %s", e.field, e.msg);
	if (cpl_rules_config(&rules, wgo_config(), &cal, &e) < 0)
		die("%s: %s", e.field, e.msg);
	as_of = wgo_today();
	date_opt("as-of", o_asof, &as_of);
	table_out = o_format ? !strcmp(o_format, "table") : isatty(1);
	people_out = table_out;
	log_path = o_log ? xstrdup(o_log) : home_path("complaints.jsonl");
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
