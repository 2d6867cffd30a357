/* wgo-issue: approved applications in, numbered and signed Welfare Grants Orders out;
 * --amend makes the next revision of an order from a correction. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: wgo-issue [OPTIONS] [FILE...]\n"
	"       wgo-issue --amend [OPTIONS] [FILE...]\n"
	"Read application records and write one signed order record for each, numbered\n"
	"OFFICE-YYYY-YY-NNNNNN per office and fiscal year and kept in the register.\n"
	"With --amend, read correction records and write the next revision of each order.\n"
	"\n"
	"Options:\n"
	"  -d, --date DATE            the issue date (default: today in Bangladesh)\n"
	"  -a, --amend                read corrections and issue revisions\n"
	"  -k, --key FILE             the office's secret key (default $WGO_HOME/keys/OFFICE.sec)\n"
	"  -P, --passphrase-file FILE read the key's passphrase from FILE (mode 0600)\n"
	"      --no-sign              issue unsigned orders (wgo-push refuses them)\n"
	"  -n, --dry-run              check and compute, number DRYRUN-..., sign and record nothing\n"
	"  -r, --rejects FILE         write rejected records to FILE, with their reasons\n"
	"  -q, --quiet                do not report each rejected record\n"
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"      --now INSTANT          take this as the current time\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 all issued, 1 some rejected, 2 usage or operational error.\n";

static const char *opt_date, *opt_key, *opt_pass, *opt_rejects;
static int opt_amend, opt_nosign, opt_dry, opt_quiet;

static wdate issued;
static struct rules rules;
static struct reg reg;
static struct hmap keys; /* office -> struct wkey *, in secret memory */
static struct signq *signq; /* signing on worker threads, or NULL */

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

/* Number, sign, record. Returns 0, -1 (reject) or -2 (stop). */
static int
finish(json_t *order, const char *office, struct werr *e)
{
	const struct wkey *k = NULL;
	int fatal;
	if (!opt_nosign && !opt_dry && !(k = office_key(office, e, &fatal)))
		return fatal;
	if (!json_object_get(order, "order_no") || !strcmp(jstr(order, "order_no"), "-")) {
		char no[64];
		if (reg_number(&reg, office, fiscal_year(issued), no, sizeof no, e) < 0)
			return -2;
		json_object_set_new(order, "order_no", json_string(no));
	}
	if (k && signq) {
		/* Sign on a worker; the line goes to the register with a placeholder that
		 * is filled in before the register is written or read back. */
		static struct buf msg, line;
		if (order_sign_later(order, k, &msg, e) < 0)
			return -1;
		line.n = 0;
		rec_dump(order, &line);
		long at = signq_placeholder(line.p, line.n);
		if (at < 0)
			return werr_set(e, "signature", "cannot place the signature"), -2;
		if (signq_pending(signq) == SIGNQ_CAP && reg_flush(&reg, stdout, e) < 0)
			return -2;
		signq_submit(signq, k, &msg, reg.pending.n + (size_t)at);
		return reg_add_line(&reg, order, line.p, line.n, stdout, e) < 0 ? -2 : 0;
	}
	if (k && order_sign(order, k, e) < 0)
		return -1;
	if (reg_add(&reg, order, stdout, e) < 0)
		return -2;
	return 0;
}

static void
settle(void *q, struct buf *pending)
{
	signq_settle(q, pending);
}

static int
on_application(struct rloop *L, json_t *app, const struct rpos *pos, struct werr *e)
{
	const char *dup = reg_duplicate(&reg, app, date_month(issued));
	if (dup)
		return werr_set(e, "", "duplicate: order %s is live for this grant, employee and "
		                "beneficiary", dup);
	json_t *order = order_from_application(app, issued, &rules, e);
	if (!order)
		return -1;
	int rc = finish(order, jstr(app, "office"), e);
	json_decref(order);
	return rc;
}

/* Apply one object of changes onto dst, noting each leaf that really changed. */
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
		} else if (!old || !json_equal(old, v)) {
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
	json_t *latest = reg_latest(&reg, no, e);
	if (!latest)
		return -1;
	json_t *app = order_to_application(latest), *changed = json_array();
	json_t *order = NULL;
	int rc = -1;
	if (merge(app, changes, "", changed, e) < 0) {
		werr_prefix(e, "changes");
		goto out;
	}
	if (json_array_size(changed) == 0) {
		werr_set(e, "changes", "nothing differs from revision %lld of %s",
		         jint(latest, "revision", 0), no);
		goto out;
	}
	if (rec_validate(app, e) < 0) {
		werr_prefix(e, "changes");
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
	rc = finish(order, jstr(order, "office"), e);
out:
	json_decref(order);
	json_decref(app);
	json_decref(changed);
	json_decref(latest);
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static const char *const app_kinds[] = { "application", NULL };
	static const char *const cor_kinds[] = { "correction", NULL };
	int npos;
	struct werr e;

	wgo_setprog(argv[0]);
	secrets_protect(); /* the office key, and its passphrase */
	char **pos = wgo_getopt(argc, argv, "d:ak:P:nr:qhV", lo, on_opt, &npos);
	if (opt_nosign && (opt_key || opt_pass))
		die_usage("--no-sign goes with neither --key nor --passphrase-file");
	sign_init();
	const char *why;
	if (opt_date) {
		if (date_parse(opt_date, &issued, &why) < 0)
			die_usage("--date: %s: %s", opt_date, why);
	} else {
		issued = wgo_today();
	}
	if (rules_load(wgo_config(), &rules, &e) < 0)
		die("%s: %s", e.field, e.msg);
	hmap_init(&keys, sizeof(struct wkey *));
	if (reg_open(&reg, opt_dry, &e) < 0)
		die("%s: %s", e.field, e.msg);
	if (!opt_nosign && !opt_dry && (signq = signq_new())) {
		reg.settle = settle;
		reg.settle_ctx = signq;
	}

	struct rloop L = { 0 };
	L.cb = opt_amend ? on_correction : on_application;
	L.kinds = opt_amend ? cor_kinds : app_kinds;
	L.validate = 1;
	L.transient = 1; /* an order outlives its application only as a line */
	L.quiet = opt_quiet;
	if (opt_rejects)
		L.rejects = rec_open_rejects(opt_rejects);
	int rc = rec_loop(&L, npos, pos);
	if (reg_close(&reg, stdout, &e) < 0) {
		warnf("%s: %s", e.field, e.msg);
		rc = WGO_EXIT_USAGE;
	}
	if (L.rejects && L.rejects != stderr && fclose(L.rejects) == EOF) {
		warnf("%s: write error:", opt_rejects);
		rc = WGO_EXIT_USAGE;
	}
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
