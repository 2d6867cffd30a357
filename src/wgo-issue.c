/* wgo-issue: approved applications in, numbered and signed Welfare Grants Orders out;
 * --amend makes the next revision of an order from a correction, --stop ends one,
 * --reprint prints what the register holds. */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: wgo-issue [OPTIONS] [FILE...]\n"
	"       wgo-issue --amend [OPTIONS] [FILE...]\n"
	"       wgo-issue --stop [OPTIONS] [FILE...]\n"
	"       wgo-issue --reprint [--since ORDER_NO] [--date DATE] [ORDER_NO...]\n"
	"Read application records and write one signed order record for each, numbered\n"
	"OFFICE-YYYY-YY-NNNNNN per office and fiscal year and kept in the register; an\n"
	"application issued before is printed again as it was issued.\n"
	"With --amend, read correction records and write the next revision of each order;\n"
	"with --stop, read stop records and write each, signed, ending its order; with\n"
	"--reprint, print what the register holds.\n"
	"\n"
	"Options:\n"
	"  -d, --date DATE            the issue date (default: today in Bangladesh); with\n"
	"                             --reprint, the orders issued that day\n"
	"  -a, --amend                read corrections and issue revisions\n"
	"      --stop                 read stops and issue them\n"
	"      --reprint              print the register's lines: of each ORDER_NO, of\n"
	"                             --date, from --since on; all of them with none\n"
	"      --since ORDER_NO       with --reprint: every line from that order's first on\n"
	"  -k, --key FILE             the office's secret key (default $WGO_HOME/keys/OFFICE.sec)\n"
	"  -P, --passphrase-file FILE read the key's passphrase from FILE (mode 0600)\n"
	"      --no-sign              issue unsigned orders (wgo-push refuses them)\n"
	"  -n, --dry-run              check and compute, number DRYRUN-..., sign and record nothing\n"
	"  -r, --rejects FILE         write rejected records to FILE, with their reasons\n"
	"  -q, --quiet                do not report each rejected or reprinted record\n"
	WGO_PROGRESS_USAGE
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"      --now INSTANT          take this as the current time\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 all issued (or printed again), 1 some rejected (or refused),\n"
	"2 usage or operational error.\n";

static const char *opt_date, *opt_key, *opt_pass, *opt_rejects, *opt_since;
static int opt_amend, opt_stop, opt_reprint, opt_nosign, opt_dry, opt_quiet;

static wdate issued;
static struct rules rules;
static struct reg reg;
static struct hmap keys; /* office -> struct wkey *, in secret memory */
static struct signq *signq; /* signing on worker threads, or NULL */
static unsigned long nagain; /* records issued before, printed again */

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'd': opt_date = arg; break;
	case 'a': opt_amend = 1; break;
	case 'k': opt_key = arg; break;
	case 'P': opt_pass = arg; break;
	case 1: opt_nosign = 1; break;
	case 'n': opt_dry = 1; break;
	case 'r': opt_rejects = arg; break;
	case 'q': opt_quiet = 1; break;
	case 2: wgo_set_home(arg); break;
	case 3: wgo_opt_now(arg); break;
	case 4: opt_stop = 1; break;
	case 5: opt_reprint = 1; break;
	case 6: opt_since = arg; break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

/* The office's key, loaded (and unsealed) on first use. NULL with e filled: -1 in
 * *fatal for a record of the wrong office, -2 when no key can be had at all. */
static const struct wkey *
office_key(const char *office, struct werr *e, int *fatal)
{
	int isnew;
	struct wkey **kp = hmap_put(&keys, opt_key ? "-" : office, &isnew);
	*fatal = -2;
	if (isnew)
		*kp = secret_alloc(sizeof **kp);
	struct wkey *k = *kp;
	if (isnew) {
		int rc = office_key_load(opt_key, opt_key ? NULL : office, opt_pass, k, e);
		if (rc < 0 && !opt_key && strstr(e->msg, "(make one with wgo-keygen")) {
			size_t n = strlen(e->msg) - 1;
			snprintf(e->msg + n, sizeof e->msg - n, ", or use --no-sign)");
		}
		if (rc < 0) {
			k->has_sk = -1; /* remembered: do not ask again */
			return NULL;
		}
	}
	if (k->has_sk < 0)
		return werr_set(e, "office", "no usable key for %s", office), NULL;
	if (strcmp(k->office, office)) {
		*fatal = -1;
		werr_set(e, "office", "the key is %s's; this order is %s's", k->office, office);
		return NULL;
	}
	return k;
}

/* Number (an order without one), sign, register. Returns 0, -1 (reject) or -2
 * (stop). A number taken for a record that is then not issued is given back. */
static int
finish(json_t *rec, const char *office, struct werr *e)
{
	const struct wkey *k = NULL;
	int fatal;
	if (!opt_nosign && !opt_dry && !(k = office_key(office, e, &fatal)))
		return fatal;
	if (k)
		reg_trust(&reg, k);
	char no[64] = "";
	if (!strcmp(jstr(rec, "order_no"), "-")) {
		if (reg_number(&reg, office, fiscal_year(issued), no, sizeof no, e) < 0)
			return -1;
		json_object_set_new(rec, "order_no", json_string(no));
	}
	if (k && signq) {
		/* Sign on a worker; the line goes to the register with a placeholder that
		 * is filled in before the register is written or read back. */
		static struct buf msg, line;
		if (order_sign_later(rec, k, &msg, e) < 0)
			goto unnumber;
		line.n = 0;
		rec_dump(rec, &line);
		long at = signq_placeholder(line.p, line.n);
		if (at < 0)
			return werr_set(e, "signature", "cannot place the signature"), -2;
		if (signq_pending(signq) == SIGNQ_CAP && reg_flush(&reg, stdout, e) < 0)
			return -2;
		signq_submit(signq, k, &msg, reg.pending.n + (size_t)at);
		return reg_add_line(&reg, rec, line.p, line.n, stdout, e) < 0 ? -2 : 0;
	}
	if (k && order_sign(rec, k, e) < 0)
		goto unnumber;
	if (reg_add(&reg, rec, stdout, e) < 0)
		return -2;
	return 0;
unnumber:
	if (*no)
		reg_unnumber(&reg, no);
	return -1;
}

/* Said of a record printed again rather than issued. */
static void
again(const struct rpos *pos, const char *fmt, ...) WGO_ATTR_FMT(2, 3);

static void
again(const struct rpos *pos, const char *fmt, ...)
{
	nagain++;
	if (opt_quiet)
		return;
	char m[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	warnf("%s:%lu: %s: printed again from the register", pos->file, pos->line, m);
}

/* For the register: the key of an office, to verify what it signed before. */
static const struct wkey *
key_of(void *ctx, const char *office)
{
	struct werr e;
	int fatal;
	const struct wkey *k = office_key(office, &e, &fatal);
	return k && k->has_sk > 0 ? k : NULL;
}

static void
settle(void *q, struct buf *pending)
{
	signq_settle(q, pending);
}

static int
on_application(struct rloop *L, json_t *app, const struct rpos *pos, struct werr *e)
{
	char no[64];
	int was = reg_lookup(&reg, app, date_month(issued), no, sizeof no, e);
	if (was < 0)
		return -1;
	if (was == 1) {
		again(pos, "issued before as %s", no);
		return 0;
	}
	if (was == 2)
		return werr_set(e, "", "duplicate: order %s is live for this grant, employee and "
		                "beneficiary", no);
	json_t *order = order_from_application(app, issued, &rules, e);
	if (!order)
		return -1;
	int rc = finish(order, jstr(app, "office"), e);
	json_decref(order);
	return rc;
}

/* Apply one object of changes onto dst, noting each leaf it sets or removes. */
static int
merge(json_t *dst, json_t *chg, const char *path, json_t *changed, struct werr *e)
{
	const char *k;
	json_t *v;
	json_object_foreach(chg, k, v) {
		char p[200];
		snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", k);
		json_t *old = json_object_get(dst, k);
		if (json_is_object(v)) {
			if (old && !json_is_object(old))
				return werr_set(e, p, "is not an object in the order");
			if (!old) {
				old = json_object();
				json_object_set_new(dst, k, old);
			}
			if (merge(old, v, p, changed, e) < 0)
				return -1;
		} else if (json_is_null(v)) {
			if (old) {
				json_object_del(dst, k);
				json_array_append_new(changed, json_string(p));
			}
		} else {
			json_object_set(dst, k, v);
			json_array_append_new(changed, json_string(p));
		}
	}
	return 0;
}

static int
on_correction(struct rloop *L, json_t *cor, const struct rpos *pos, struct werr *e)
{
	static const char *const amendable[] = { "employee", "beneficiary", "account", "sanction", NULL };
	json_t *changes = json_object_get(cor, "changes");
	const char *k;
	json_t *v;
	json_object_foreach(changes, k, v) {
		const char *const *a;
		for (a = amendable; *a && strcmp(*a, k); a++)
			;
		if (!*a)
			return werr_set(e, "changes", "%.60s cannot be amended (only employee, "
			                "beneficiary, account and sanction can)", k);
		if (!json_is_object(v))
			return werr_set(e, "changes", "%.60s: expected an object of fields", k);
	}
	const char *no = jstr(cor, "order_no");
	if (reg_state(&reg, no, date_month(issued)) == REG_STOPPED)
		return werr_set(e, "order_no", "%s is stopped: a stopped order is not amended", no);
	struct buf raw = { 0 };
	json_t *latest = reg_latest(&reg, no, &raw, e);
	if (!latest) {
		buf_free(&raw);
		return -1;
	}
	json_t *app = order_to_application(latest), *changed = json_array();
	json_t *order = NULL;
	int rc = -1;
	if (merge(app, changes, "", changed, e) < 0) {
		werr_prefix(e, "changes");
		goto out;
	}
	if (rec_validate(app, e) < 0) {
		werr_prefix(e, "changes");
		goto out;
	}
	/* What changed is judged on normal forms: a mobile number written another
	 * way is no change. */
	json_t *before = order_to_application(latest), *really = json_array(), *p;
	size_t i;
	json_array_foreach(changed, i, p) {
		json_t *x = jget(before, json_string_value(p)), *y = jget(app, json_string_value(p));
		if (x ? !y || !json_equal(x, y) : y != NULL)
			json_array_append(really, p);
	}
	json_decref(before);
	json_decref(changed);
	changed = really;
	if (json_array_size(changed) == 0) {
		/* The same correction again, after its revision was registered and its
		 * output lost: that revision, printed again. */
		json_t *am = json_object_get(latest, "amendment");
		if (am && json_equal(json_object_get(am, "reason"), json_object_get(cor, "reason")) &&
		    (!json_object_get(cor, "code") || json_equal(json_object_get(am, "code"),
		                                                 json_object_get(cor, "code"))) &&
		    (!jstr(cor, "date") || json_equal(json_object_get(am, "date"),
		                                      json_object_get(cor, "date")))) {
			reg_print(&reg, raw.p, raw.n);
			again(pos, "applied before as revision %lld of %s", jint(latest, "revision", 0), no);
			rc = 0;
			goto out;
		}
		werr_set(e, "changes", "nothing differs from revision %lld of %s",
		         jint(latest, "revision", 0), no);
		goto out;
	}
	if (jint(latest, "revision", 0) >= 999) {
		werr_set(e, "order_no", "%s has 999 revisions, the most an order has", no);
		goto out;
	}
	const char *dup = reg_duplicate(&reg, app, date_month(issued));
	if (dup && strcmp(dup, no)) {
		werr_set(e, "changes", "would duplicate live order %s", dup);
		goto out;
	}
	wdate orig;
	const char *why;
	date_parse(jstr(latest, "issued"), &orig, &why);
	order = order_from_application(app, orig, &rules, e);
	if (!order)
		goto out;
	json_object_set(order, "order_no", json_object_get(latest, "order_no"));
	json_object_set_new(order, "revision", json_integer(jint(latest, "revision", 0) + 1));
	if (json_object_get(latest, "legacy"))
		json_object_set(order, "legacy", json_object_get(latest, "legacy"));
	json_t *am = json_object();
	char ds[11];
	json_object_set(am, "reason", json_object_get(cor, "reason"));
	if (json_object_get(cor, "code"))
		json_object_set(am, "code", json_object_get(cor, "code"));
	json_object_set(am, "changed", changed);
	date_fmt(issued, ds);
	json_object_set_new(am, "date", jstr(cor, "date") ? json_string(jstr(cor, "date"))
	                                                  : json_string(ds));
	json_object_set_new(order, "amendment", am);
	/* Everything of the revision is within the bounds of wgo-record(5) before it
	 * is signed and registered. */
	if (rec_validate(order, e) < 0)
		goto out;
	rc = finish(order, jstr(order, "office"), e);
out:
	json_decref(order);
	json_decref(app);
	json_decref(changed);
	json_decref(latest);
	buf_free(&raw);
	return rc;
}

/* ---- stops ---- */

static int
same_value(const json_t *a, const json_t *b, const char *k)
{
	json_t *x = json_object_get(a, k), *y = json_object_get(b, k);
	return x ? y && json_equal(x, y) : !y;
}

/* Whether a stop asked for is the one registered: the same reason, dates,
 * officer and note; the date and last month as well, where it gives them. */
static int
same_stop(const json_t *req, const json_t *stop, const json_t *had)
{
	static const char *const always[] = { "reason", "death_date", "duplicate_of", "officer",
		                              "note" };
	static const char *const given[] = { "date", "last_month", "revision" };
	for (size_t i = 0; i < sizeof always / sizeof always[0]; i++)
		if (!same_value(stop, had, always[i]))
			return 0;
	for (size_t i = 0; i < sizeof given / sizeof given[0]; i++)
		if (json_object_get(req, given[i]) && !same_value(stop, had, given[i]))
			return 0;
	return 1;
}

static int
month_of(const json_t *o, const char *k, wmonth *m)
{
	const char *why;
	return jstr(o, k) ? month_parse(jstr(o, k), m, &why) : -1;
}

static wdate
date_of(const json_t *o, const char *k)
{
	wdate d = 0;
	const char *why;
	if (jstr(o, k))
		date_parse(jstr(o, k), &d, &why);
	return d;
}

static int
on_stop(struct rloop *L, json_t *req, const struct rpos *pos, struct werr *e)
{
	if (json_object_get(req, "signature"))
		return werr_set(e, "signature", "not given: wgo-issue signs the stop");
	const char *no = jstr(req, "order_no");
	if (!no)
		return werr_set(e, "order_no", json_object_get(req, "order_no") ? "expected a string"
		                                                               : "missing");
	wmonth now = date_month(issued);
	int state = reg_state(&reg, no, now);
	if (state == REG_UNKNOWN)
		return werr_set(e, "order_no", "no order %s in the register", no);
	json_t *order = reg_latest(&reg, no, NULL, e);
	if (!order)
		return -1;
	json_t *stop = json_deep_copy(req), *had = NULL;
	struct buf raw = { 0 };
	char ds[11];
	int rc = -1;
	if (!json_object_get(stop, "revision"))
		json_object_set(stop, "revision", json_object_get(order, "revision"));
	if (!json_object_get(stop, "office"))
		json_object_set(stop, "office", json_object_get(order, "office"));
	if (!json_object_get(stop, "date")) {
		date_fmt(issued, ds);
		json_object_set_new(stop, "date", json_string(ds));
	}
	if (rec_validate(stop, e) < 0)
		goto out;
	if (state == REG_STOPPED) {
		if (!(had = reg_stop_of(&reg, no, &raw, e)))
			goto out;
		if (!same_stop(req, stop, had)) {
			werr_set(e, "order_no", "%s was stopped already (%s, decided %s); a different stop "
			         "is refused", no, jstr(had, "reason"), jstr(had, "date"));
			goto out;
		}
		reg_print(&reg, raw.p, raw.n);
		again(pos, "%s was stopped before", no);
		rc = 0;
		goto out;
	}
	if (!json_equal(json_object_get(stop, "revision"), json_object_get(order, "revision"))) {
		werr_set(e, "revision", "%lld is not the revision of %s in force (%lld)",
		         jint(stop, "revision", 0), no, jint(order, "revision", 0));
		goto out;
	}
	if (!json_equal(json_object_get(stop, "office"), json_object_get(order, "office"))) {
		werr_set(e, "office", "%s is %s's order", no, jstr(order, "office"));
		goto out;
	}
	if (state == REG_ENDED) {
		werr_set(e, "order_no", "%s has ended (its last month was %s): there is nothing to stop",
		         no, jstr(order, "last_month"));
		goto out;
	}
	wdate d = date_of(stop, "date"), died = date_of(stop, "death_date");
	date_fmt(issued, ds);
	if (d > issued) {
		werr_set(e, "date", "in the future (after the issue date %s)", ds);
		goto out;
	}
	if (d < date_of(order, "issued")) {
		werr_set(e, "date", "before %s was issued (%s)", no, jstr(order, "issued"));
		goto out;
	}
	if (json_object_get(stop, "death_date") && died > d) {
		werr_set(e, "death_date", "after the decision (%s)", jstr(stop, "date"));
		goto out;
	}
	const char *dupof = jstr(stop, "duplicate_of");
	if (dupof && reg_state(&reg, dupof, now) == REG_UNKNOWN) {
		werr_set(e, "duplicate_of", "no order %s in the register", dupof);
		goto out;
	}
	wmonth last, given, ends;
	if (month_of(order, "last_month", &ends) < 0) {
		if (json_object_get(stop, "last_month")) {
			werr_set(e, "last_month", "%s is a lump sum: its stop has no last month", no);
			goto out;
		}
	} else {
		/* Nothing after the month of death is payable; for any other reason,
		 * nothing after the month of the decision. */
		last = date_month(json_object_get(stop, "death_date") ? died : d);
		if (month_of(stop, "last_month", &given) == 0) {
			if (given > ends) {
				werr_set(e, "last_month", "after %s, the last month of %s: a stop does not "
				         "lengthen an order", jstr(order, "last_month"), no);
				goto out;
			}
			last = given;
		}
		if (last > ends)
			last = ends;
		char ms[8];
		month_fmt(last, ms);
		json_object_set_new(stop, "last_month", json_string(ms));
	}
	if (rec_validate(stop, e) < 0)
		goto out;
	rc = finish(stop, jstr(stop, "office"), e);
out:
	json_decref(stop);
	json_decref(had);
	json_decref(order);
	buf_free(&raw);
	return rc;
}

/* ---- printing the register again ---- */

static int
reprint(int npos, char **pos)
{
	struct reg_select sel = { pos, (size_t)npos, xcalloc((size_t)npos + 1, sizeof(int)),
		                  opt_since, 0, issued, opt_date != NULL };
	unsigned long printed, refused;
	struct werr e;
	int rc = reg_reprint(&sel, stdout, &printed, &refused, &e);
	if (rc < 0)
		warnf("%s: %s", e.field, e.msg);
	rc = rc < 0 ? WGO_EXIT_USAGE : refused ? WGO_EXIT_NEG : 0;
	for (int i = 0; i < npos; i++)
		if (!sel.found[i]) {
			warnf("%s: no order by that number in the register", pos[i]);
			rc = wgo_worse(rc, WGO_EXIT_NEG);
		}
	if (opt_since && !sel.since_found) {
		warnf("--since %s: no order by that number in the register", opt_since);
		rc = wgo_worse(rc, WGO_EXIT_NEG);
	}
	if (refused)
		warnf("%lu line%s of the register refused: they fail verification", refused,
		      refused == 1 ? "" : "s");
	free(sel.found);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "amend", no_argument, NULL, 'a' },
		{ "key", required_argument, NULL, 'k' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "no-sign", no_argument, NULL, 1 },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "rejects", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "home", required_argument, NULL, 2 },
		{ "now", required_argument, NULL, 3 },
		{ "stop", no_argument, NULL, 4 },
		{ "reprint", no_argument, NULL, 5 },
		{ "since", required_argument, NULL, 6 },
		WGO_PROGRESS_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static const char *const app_kinds[] = { "application", NULL };
	static const char *const cor_kinds[] = { "correction", NULL };
	static const char *const stop_kinds[] = { "stop", NULL };
	int npos;
	struct werr e;

	wgo_setprog(argv[0]);
	secrets_protect(); /* the office key, and its passphrase */
	char **pos = wgo_getopt(argc, argv, "d:ak:P:nr:qhV", lo, on_opt, &npos);
	if (opt_nosign && (opt_key || opt_pass))
		die_usage("--no-sign goes with neither --key nor --passphrase-file");
	if (opt_amend + opt_stop + opt_reprint > 1)
		die_usage("--amend, --stop and --reprint are three ways to run: give one");
	if (opt_since && !opt_reprint)
		die_usage("--since goes with --reprint");
	if (opt_reprint && (opt_key || opt_pass || opt_nosign || opt_dry || opt_rejects))
		die_usage("--reprint prints what the register holds: it takes none of --key, "
		          "--passphrase-file, --no-sign, --dry-run, --rejects");
	sign_init();
	const char *why;
	if (opt_date) {
		if (date_parse(opt_date, &issued, &why) < 0)
			die_usage("--date: %s: %s", opt_date, why);
	} else {
		issued = wgo_today();
	}
	if (opt_reprint) {
		int rc = reprint(npos, pos);
		free(pos);
		return wgo_finish(rc);
	}
	wgo_config_need(rules_config_keys()); /* once, not for every application */
	if (rules_load(wgo_config(), &rules, &e) < 0)
		die("%s: %s", e.field, e.msg);
	hmap_init(&keys, sizeof(struct wkey *));
	if (reg_open(&reg, opt_dry, &e) < 0)
		die("%s: %s", e.field, e.msg);
	reg.signing = !opt_nosign;
	if (!opt_nosign && !opt_dry)
		reg.key_of = key_of;
	if (!opt_nosign && !opt_dry && (signq = signq_new())) {
		reg.settle = settle;
		reg.settle_ctx = signq;
	}

	struct rloop L = { 0 };
	L.cb = opt_amend ? on_correction : opt_stop ? on_stop : on_application;
	L.kinds = opt_amend ? cor_kinds : opt_stop ? stop_kinds : app_kinds;
	L.validate = !opt_stop; /* a stop asked for is validated once it is filled in */
	L.transient = 1; /* an order outlives its application only as a line */
	L.quiet = opt_quiet;
	L.unit = opt_amend ? "corrections" : opt_stop ? "stops" : "applications";
	if (opt_rejects)
		rec_rejects_to(&L, opt_rejects);
	int rc = rec_loop(&L, npos, pos);
	if (reg_close(&reg, stdout, &e) < 0) {
		warnf("%s: %s", e.field, e.msg);
		rc = WGO_EXIT_USAGE;
	}
	if (nagain)
		warnf("%lu record%s issued before: printed again from the register", nagain,
		      nagain == 1 ? "" : "s");
	if (reg.lost)
		warnf("%lu record%s registered from %s on did not reach standard output: they are "
		      "in the register; run again with the same input to print them, or "
		      "wgo-issue --reprint --since %s", reg.lost, reg.lost == 1 ? "" : "s",
		      reg.lost_first, reg.lost_first);
	if (L.rejects && L.rejects != stderr && fclose(L.rejects) == EOF) {
		warnf("%s: write error:", opt_rejects);
		rc = WGO_EXIT_USAGE;
	}
	/* What was issued: accepted, less what was printed again and what never
	 * reached standard output. */
	unsigned long issued_n = L.nok - nagain - (reg.lost < L.nok - nagain ? reg.lost : L.nok - nagain);
	rec_summary(&L, "%lu %s%s, %lu printed again from the register", issued_n,
	            opt_dry ? "checked (dry run)" : opt_stop ? "stopped" : "issued",
	            opt_amend ? " as revisions" : "", nagain);
	signq_free(signq);
	size_t i = 0;
	struct wkey **k;
	while ((k = hmap_iter(&keys, &i)))
		secret_free(*k);
	hmap_free(&keys);
	rules_free(&rules);
	free(pos);
	return wgo_finish(rc);
}
