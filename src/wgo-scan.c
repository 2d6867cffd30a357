/* wgo-scan: integrity and fraud checks over the board's records, one finding a
 * line with its evidence; a signed review log of verdicts that teaches the scan
 * which findings to leave out and which rules matter; per-rule statistics and
 * per-order risk. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: wgo-scan [OPTIONS] [FILE...]\n"
	"       wgo-scan stats [-f table|records] [--lang bn] [OPTIONS] [FILE...]\n"
	"       wgo-scan risk [OPTIONS] [FILE...]\n"
	"       wgo-scan review FINGERPRINT --verdict VERDICT --note TEXT [--by NAME]\n"
	"       wgo-scan rules\n"
	"Read orders (every revision), applications, verifications, payments, returns,\n"
	"card returns, order stops and death register entries, and write a finding\n"
	"record for each case an integrity rule finds, with the values that matched.\n"
	"'review' records a verdict on a finding in the signed review log; 'stats'\n"
	"prints each rule's findings, verdicts and measured precision; 'risk' each\n"
	"order's risk; 'rules' the rules.\n"
	"\n"
	"Options:\n"
	"  -a, --as-of DATE           the day to reason about (default: today)\n"
	"      --rules LIST           only these rules (ids, comma-separated)\n"
	"      --skip LIST            not these rules\n"
	"      --serving FILE         NIDs of serving employees, one a line\n"
	"      --pensioners FILE      NIDs of pensioners, one a line\n"
	"      --deaths FILE          a death register: death records\n"
	"      --all                  also the findings left out as false positives\n"
	"  -f, --format FORMAT        stats, risk: records or table (default: table for\n"
	"                             stats on a terminal, else records)\n"
	"  -l, --lang LANG            en (default) or bn, for tables\n"
	"      --verdict VERDICT      review: confirmed, false-positive or needs-field-check\n"
	"      --note TEXT            review: why\n"
	"      --by NAME              review: who reviewed\n"
	"  -k, --key FILE             review: the office's secret key (default\n"
	"                             $WGO_HOME/keys/OFFICE.sec)\n"
	"  -P, --passphrase-file FILE review: the key's passphrase (mode 0600)\n"
	"  -K, --keyring PATH         public keys the review log is checked against\n"
	"                             (default $WGO_HOME/keyring)\n"
	"      --interval MONTHS, --window MONTHS, --resume-arrears yes|no\n"
	"                             the payment model, as in lifeverify(1)\n"
	"  -H, --holidays FILE        holiday file for working days\n"
	"  -r, --rejects FILE         write rejected records to FILE, with their reasons\n"
	"  -q, --quiet                do not report each rejected record, nor rules not applied\n"
	WGO_PROGRESS_USAGE
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"      --now INSTANT          take this as the current time\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 nothing found, 1 findings (or rejected records, or review log\n"
	"lines that do not hold), 2 usage or operational error.\n";

static const char *o_asof, *o_only, *o_skip, *o_serving, *o_pensioners, *o_deaths, *o_format,
	*o_verdict, *o_note, *o_by, *o_key, *o_pass, *o_keyring, *o_holidays, *o_rejects;
static struct sched_cli o_model = SCHED_CLI_INIT;
static int o_all, o_bn, o_quiet;

static struct scan *S;
static struct rloop L;

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'a': o_asof = arg; break;
	case 1: o_only = arg; break;
	case 2: o_skip = arg; break;
	case 3: o_serving = arg; break;
	case 4: o_pensioners = arg; break;
	case 5: o_deaths = arg; break;
	case 6: o_all = 1; break;
	case 'f': o_format = arg; break;
	case 'l':
		if ((o_bn = lang_parse(arg)) < 0)
			die_usage("--lang: en or bn");
		break;
	case 7: o_verdict = arg; break;
	case 8: o_note = arg; break;
	case 9: o_by = arg; break;
	case 'k': o_key = arg; break;
	case 'P': o_pass = arg; break;
	case 'K': o_keyring = arg; break;
	case 10: sched_option(&o_model, "interval", arg); break;
	case 11: sched_option(&o_model, "window", arg); break;
	case 12: sched_option(&o_model, "resume-arrears", arg); break;
	case 'H': o_holidays = arg; break;
	case 'r': o_rejects = arg; break;
	case 'q': o_quiet = 1; break;
	case 14: wgo_set_home(arg); break;
	case 15: wgo_opt_now(arg); break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

static int
on_record(struct rloop *Lp, json_t *r, const struct rpos *pos, struct werr *e)
{
	return scan_add(S, r, e) < 0 ? -1 : 0;
}

static void
on_verdict(const json_t *v, void *ctx)
{
	scan_verdict(S, jstr(v, "fingerprint"), jstr(v, "rule"), verdict_lookup(jstr(v, "verdict")));
}

/* The keyring the review log's signatures are checked against. */
static void
load_ring(struct keyring *ring)
{
	struct werr e;
	const char *kv = cfg_get(wgo_config(), "keyring");
	char *kr = o_keyring ? xstrdup(o_keyring) : home_path(kv ? kv : "keyring");
	if (keyring_load(ring, kr, &e) < 0)
		die("%s: cannot check the review log's signatures: %s", e.field, e.msg);
	free(kr);
}

/* The review log's verdicts, each checked by the store and against the keyring; a
 * log that does not exist yet has none. */
static int
load_verdicts(void)
{
	struct revlog log;
	struct werr e;
	revlog_open(&log, 0, NULL, &e);
	if (access(log.path, F_OK) < 0) {
		revlog_close(&log);
		return 0;
	}
	struct keyring ring;
	load_ring(&ring);
	/* A damaged log (a line whose checksum or signature fails) gives no verdict:
	 * none is left out or marked, and the status says the log needs repair. */
	int rc = 0;
	if (revlog_replay(&log, &ring, on_verdict, NULL, &e) < 0) {
		warnf("%s%s%s; no verdict of the review log is used until it is repaired", e.field,
		      e.field[0] ? ": " : "", e.msg);
		rc = WGO_EXIT_NEG;
	}
	keyring_free(&ring);
	revlog_close(&log);
	return rc;
}

/* ---- review ---- */

static int
review(int argc, char **argv)
{
	struct werr e;
	if (argc != 1)
		die_usage("review takes one FINGERPRINT");
	const char *fp = argv[0];
	/* RULE-HEX: the rule is the fingerprint's own. */
	const char *dash = strrchr(fp, '-');
	char rule[64];
	if (!dash || strlen(dash + 1) != 20 || strspn(dash + 1, "0123456789abcdef") != 20 ||
	    (size_t)(dash - fp) >= sizeof rule)
		die_usage("%s: not a fingerprint (RULE-20 hex digits, as a finding gives it)", fp);
	snprintf(rule, sizeof rule, "%.*s", (int)(dash - fp), fp);
	if (scan_rule_lookup(rule) < 0)
		die_usage("%s: no rule \"%s\" (wgo-scan rules lists them)", fp, rule);
	if (!o_verdict)
		die_usage("review needs --verdict confirmed, false-positive or needs-field-check");
	int v = verdict_lookup(o_verdict);
	if (v < 0)
		die_usage("--verdict: confirmed, false-positive or needs-field-check");
	if (!o_note || !*o_note)
		die_usage("review needs --note TEXT: why");
	sign_init();
	const char *office = cfg_get(wgo_config(), "office");
	if (!o_key && !office)
		die("no office: set office in wgo.conf, or give --key");
	struct wkey k;
	if (office_key_load(o_key, o_key ? NULL : office, o_pass, &k, &e) < 0)
		die("%s: %s", e.field, e.msg);
	json_t *r = rec_new("verdict");
	json_object_set_new(r, "fingerprint", json_string(fp));
	json_object_set_new(r, "rule", json_string(rule));
	json_object_set_new(r, "verdict", json_string(verdict_name(v)));
	json_object_set_new(r, "note", json_string(o_note));
	json_object_set_new(r, "office", json_string(k.office));
	if (o_by)
		json_object_set_new(r, "by", json_string(o_by));
	char at[21];
	instant_fmt(wgo_now(), at);
	json_object_set_new(r, "at", json_string(at));
	if (order_sign(r, &k, &e) < 0)
		die("%s: %s", e.field, e.msg);
	key_wipe(&k);
	if (rec_validate_canonical(r, &e) < 0)
		die_usage("%s: %s", e.field, e.msg);
	struct buf line = { 0 };
	rec_dump(r, &line);
	struct revlog log;
	struct keyring ring;
	load_ring(&ring);
	int bad = revlog_open(&log, 1, &ring, &e) < 0 || revlog_append(&log, line.p, line.n, &e) < 0;
	revlog_close(&log);
	keyring_free(&ring);
	if (bad) {
		/* Nothing is left behind unfreed: die() leaves no frame to hold it. */
		buf_free(&line);
		json_decref(r);
		die("%s%s%s", e.field, e.field[0] ? ": " : "", e.msg);
	}
	if (fwrite(line.p, 1, line.n, stdout) != line.n)
		die("<stdout>: write error:");
	buf_free(&line);
	json_decref(r);
	return 0;
}

/* ---- tables ---- */

static void
cell(const char *s, int width, int right)
{
	put_cell(stdout, s, width, right, o_bn);
}

static void
stats_table(void)
{
	struct scan_rule_stats st[SCAN_NRULES];
	double bias;
	long ex;
	scan_stats(S, st, &bias, &ex);
	static const char *const head_en[] = { "rule", "findings", "left out", "confirmed", "false pos.",
		                               "field check", "precision", "weight" };
	static const char *const head_bn[] = { "নিয়ম", "ফলাফল", "বাদ", "নিশ্চিত", "ভুল সংকেত",
		                               "মাঠ যাচাই", "নির্ভুলতা", "ওজন" };
	static const int width[] = { 26, 9, 9, 10, 11, 12, 10, 8 };
	for (int c = 0; c < 8; c++)
		cell(o_bn ? head_bn[c] : head_en[c], width[c], c > 0);
	putchar('\n');
	for (int r = 0; r < SCAN_NRULES; r++) {
		char t[32];
		cell(scan_rule_name(r), width[0], 0);
		long v[5] = { st[r].findings, st[r].left_out, st[r].verdicts[VERDICT_CONFIRMED],
			      st[r].verdicts[VERDICT_FALSE_POSITIVE], st[r].verdicts[VERDICT_FIELD_CHECK] };
		for (int c = 0; c < 5; c++) {
			snprintf(t, sizeof t, "%ld", v[c]);
			cell(t, width[c + 1], 1);
		}
		long dec = v[2] + v[3];
		if (dec)
			snprintf(t, sizeof t, "%.2f", (double)v[2] / (double)dec);
		else
			snprintf(t, sizeof t, "-");
		cell(t, width[6], 1);
		snprintf(t, sizeof t, "%.2f", st[r].weight);
		cell(t, width[7], 1);
		if (!st[r].enabled)
			fputs(o_bn ? "  (বন্ধ)" : "  (off)", stdout);
		putchar('\n');
	}
	char t[64];
	snprintf(t, sizeof t, "%.2f", bias);
	struct buf b = { 0 };
	buf_printf(&b, o_bn ? "\nঝুঁকির ভিত্তি %s; %ld রায় থেকে ওজন নির্ণীত\n"
	                    : "\nrisk bias %s; weights fitted on %ld verdicts\n", t, ex);
	put_digits(stdout, buf_str(&b), o_bn);
	buf_free(&b);
}

static void
stats_records(struct buf *out)
{
	struct scan_rule_stats st[SCAN_NRULES];
	double bias;
	long ex;
	scan_stats(S, st, &bias, &ex);
	struct rw w = { 0 };
	for (int r = 0; r < SCAN_NRULES; r++) {
		rw_begin(&w, "rule_stats");
		rw_str(&w, "rule", scan_rule_name(r));
		rw_bool(&w, "enabled", st[r].enabled);
		rw_int(&w, "findings", st[r].findings);
		rw_int(&w, "left_out", st[r].left_out);
		rw_int(&w, "confirmed", st[r].verdicts[VERDICT_CONFIRMED]);
		rw_int(&w, "false_positive", st[r].verdicts[VERDICT_FALSE_POSITIVE]);
		rw_int(&w, "needs_field_check", st[r].verdicts[VERDICT_FIELD_CHECK]);
		long dec = st[r].verdicts[VERDICT_CONFIRMED] + st[r].verdicts[VERDICT_FALSE_POSITIVE];
		if (dec)
			rw_int(&w, "precision_permille",
			       (st[r].verdicts[VERDICT_CONFIRMED] * 1000 + dec / 2) / dec);
		rw_int(&w, "weight_milli", (long long)(st[r].weight * 1000 + (st[r].weight < 0 ? -0.5 : 0.5)));
		rw_end(&w, out);
	}
	rw_free(&w);
}

static void
rules_list(void)
{
	for (int r = 0; r < SCAN_NRULES; r++) {
		printf("%s\t%s\t", scan_rule_name(r), scan_enabled(S, r) ? "on" : "off");
		struct scan_rule_stats st[SCAN_NRULES];
		double bias;
		long ex;
		scan_stats(S, st, &bias, &ex);
		printf("%.2f\t%s\n", st[r].weight, scan_rule_title(r, o_bn));
	}
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "as-of", required_argument, NULL, 'a' },
		{ "rules", required_argument, NULL, 1 },
		{ "skip", required_argument, NULL, 2 },
		{ "serving", required_argument, NULL, 3 },
		{ "pensioners", required_argument, NULL, 4 },
		{ "deaths", required_argument, NULL, 5 },
		{ "all", no_argument, NULL, 6 },
		{ "format", required_argument, NULL, 'f' },
		{ "lang", required_argument, NULL, 'l' },
		{ "verdict", required_argument, NULL, 7 },
		{ "note", required_argument, NULL, 8 },
		{ "by", required_argument, NULL, 9 },
		{ "key", required_argument, NULL, 'k' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "keyring", required_argument, NULL, 'K' },
		{ "interval", required_argument, NULL, 10 },
		{ "window", required_argument, NULL, 11 },
		{ "resume-arrears", required_argument, NULL, 12 },
		{ "holidays", required_argument, NULL, 'H' },
		{ "rejects", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		WGO_PROGRESS_OPTIONS,
		{ "home", required_argument, NULL, 14 },
		{ "now", required_argument, NULL, 15 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int npos;
	const char *why;
	struct werr e;
	wgo_setprog(argv[0]);
	char **pos = wgo_getopt(argc, argv, "a:f:l:k:P:K:H:r:qhV", lo, on_opt, &npos);
	const char *cmd = npos && (!strcmp(pos[0], "review") || !strcmp(pos[0], "stats") ||
	                           !strcmp(pos[0], "risk") || !strcmp(pos[0], "rules"))
	                  ? pos[0] : "scan";
	int skip = strcmp(cmd, "scan") != 0;
	int is_review = !strcmp(cmd, "review");
	if (!is_review && (o_verdict || o_note || o_by || o_key || o_pass))
		die_usage("--verdict, --note, --by, --key and --passphrase-file go with 'review'");
	if (o_format && strcmp(cmd, "stats") && strcmp(cmd, "risk"))
		die_usage("--format goes with 'stats' or 'risk'");
	if (o_format && strcmp(o_format, "records") && strcmp(o_format, "table"))
		die_usage("--format: records or table");
	if (o_format && !strcmp(o_format, "table") && !strcmp(cmd, "risk"))
		die_usage("risk writes records only");
	if (o_all && strcmp(cmd, "scan"))
		die_usage("--all goes with a scan");
	if (is_review) {
		int rc = review(npos - 1, pos + 1);
		free(pos);
		return wgo_finish(rc);
	}
	if (!strcmp(cmd, "rules") && npos > 1)
		die_usage("rules takes no arguments");

	wdate today = wgo_today(), as_of = today;
	if (o_asof && date_parse(o_asof, &as_of, &why) < 0)
		die_usage("--as-of: %s: %s", o_asof, why);
	struct calendar cal;
	struct sched_params params;
	sched_setup(&params, &cal, o_holidays, &o_model);
	sign_init();
	S = scan_new(as_of, &params);
	if (scan_config(S, wgo_config(), &e) < 0)
		die("%s: %s", e.field, e.msg);
	if ((o_only && scan_select(S, o_only, 1, &e) < 0) || (o_skip && scan_select(S, o_skip, 0, &e) < 0))
		die_usage("%s: %s", e.field, e.msg);
	if (!strcmp(cmd, "rules")) {
		rules_list();
		scan_free(S);
		sched_params_free(&params);
		cal_free(&cal);
		free(pos);
		return wgo_finish(0);
	}
	if (!wgo_config()->path && !o_quiet) {
		/* No office at all: one message, not one for each rule it leaves short. */
		struct buf rl = { 0 };
		for (int r = 0; r < SCAN_NRULES; r++)
			if (scan_unmet(S, r))
				buf_printf(&rl, "%s%s", rl.n ? ", " : "", scan_rule_name(r));
		char *cp = home_path("wgo.conf");
		if (rl.n)
			warnf("%s: no configuration: %s are applied without the names, terms and rates "
			      "it would give; make the office with wgo-init (wgo-init(1))", cp, buf_str(&rl));
		free(cp);
		buf_free(&rl);
	} else {
		for (int r = 0; r < SCAN_NRULES && !o_quiet; r++)
			if (scan_unmet(S, r))
				warnf("%s: %s", scan_rule_name(r), scan_unmet(S, r));
	}
	if ((o_serving && scan_nid_list(S, SR_SERVING, o_serving, &e) < 0) ||
	    (o_pensioners && scan_nid_list(S, SR_PENSIONER, o_pensioners, &e) < 0))
		die("%s: %s", e.field, e.msg);

	/* The death register is read like any input, before the rest. */
	int nin = npos - skip;
	char **in = xcalloc((size_t)nin + 3, sizeof *in);
	int k = 0;
	if (o_deaths)
		in[k++] = (char *)o_deaths;
	for (int i = 0; i < nin; i++)
		in[k++] = pos[skip + i];
	if (o_deaths && !nin)
		in[k++] = "-";
	L.cb = on_record;
	L.validate = 1;
	L.validate_here = 1; /* the parse in the reader is the longer part */
	L.transient = 1;
	L.quiet = o_quiet;
	if (o_rejects)
		rec_rejects_to(&L, o_rejects);
	int rc = rec_loop(&L, k, in);
	free(in);
	if (rc == WGO_EXIT_USAGE)
		die("cannot read the input");
	scan_run(S);
	rc = wgo_worse(rc, load_verdicts());
	scan_score(S);

	struct buf out = { 0 };
	int table = !strcmp(cmd, "stats") && (o_format ? !strcmp(o_format, "table") : isatty(1));
	size_t written = 0;
	if (!strcmp(cmd, "scan"))
		written = scan_write(S, o_all, &out);
	else if (!strcmp(cmd, "risk"))
		scan_write_risk(S, &out);
	else if (!table)
		stats_records(&out);
	else
		stats_table();
	if (out.n && fwrite(out.p, 1, out.n, stdout) != out.n)
		die("<stdout>: write error:");
	buf_free(&out);

	struct scan_counts c;
	scan_counts(S, &c);
	if (summary_enabled()) {
		struct buf b = { 0 };
#define PL(n) (n) == 1 ? "" : "s"
		char day[11];
		date_fmt(as_of, day);
		buf_printf(&b, "%ld order%s, %ld application%s, %ld verification%s, %ld payment%s",
		           c.orders, PL(c.orders), c.applications, PL(c.applications),
		           c.verifications, PL(c.verifications), c.payments, PL(c.payments));
		if (c.later)
			buf_printf(&b, ", %ld dated after %s (not known yet)", c.later, day);
		if (c.left_aside)
			buf_printf(&b, ", %ld of other kinds", c.left_aside);
		buf_printf(&b, "; %ld finding%s", c.findings, PL(c.findings));
		int first = 1;
		for (int r = 0; r < SCAN_NRULES; r++)
			if (c.by_rule[r]) {
				buf_printf(&b, "%s%ld %s", first ? " (" : ", ", c.by_rule[r], scan_rule_name(r));
				first = 0;
			}
		if (!first)
			buf_addc(&b, ')');
		if (c.left_out)
			buf_printf(&b, ", %ld left out as false positive%s", c.left_out, PL(c.left_out));
		if (c.confirmed)
			buf_printf(&b, ", %ld confirmed", c.confirmed);
		rec_summary(&L, "%s", buf_str(&b));
		buf_free(&b);
	}
	if (L.nrejected)
		rc = wgo_worse(rc, WGO_EXIT_NEG);
	if (!strcmp(cmd, "scan") && written)
		rc = wgo_worse(rc, WGO_EXIT_NEG);
	if (L.rejects && L.rejects != stderr && fclose(L.rejects) == EOF) {
		warnf("%s: write error:", o_rejects);
		rc = WGO_EXIT_USAGE;
	}
	scan_free(S);
	sched_params_free(&params);
	cal_free(&cal);
	free(pos);
	return wgo_finish(rc);
}
