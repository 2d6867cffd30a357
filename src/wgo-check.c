/* wgo-check: validate identifiers, amounts, dates and whole record streams. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: wgo-check KIND [VALUE...]\n"
	"       wgo-check records [--rejects FILE] [FILE...]\n"
	"Check values, one per argument or one a line on standard input, and print\n"
	"VALUE<TAB>ok<TAB>NORMALISED or VALUE<TAB>invalid<TAB>REASON for each (VALUE with\n"
	"control characters, bidi controls and backslashes escaped: \\e, \\u202E, \\\\).\n"
	"\n"
	"Kinds:\n"
	"  routing   bank routing number: 9 digits with its check digit\n"
	"  nid       national ID: 10, 13 or 17 digits\n"
	"  mobile    +8801XXXXXXXXX, 8801XXXXXXXXX or 01XXXXXXXXX (normalised to +880...)\n"
	"  account   account number: digits, length from the configuration\n"
	"  amount    taka, e.g. 1,23,456.50 or ১,২৩৪.৫০ (normalised to poisha)\n"
	"  date      YYYY-MM-DD, or a Bangla date such as '২৫ অগ্রহায়ণ ১৪৩২'\n"
	"  records   whole record streams (wgo-record(5)): valid records go to standard\n"
	"            output in canonical form, each invalid one is reported as\n"
	"            FILE:LINE: FIELD: REASON\n"
	"  schema    print the fields of each record kind (or of the kinds named)\n"
	"\n"
	"Options:\n"
	"  -r, --rejects FILE   records: write rejected records there, with their reasons\n"
	"  -q, --quiet          records: do not report each rejected record\n"
	"      --progress       records: show progress on stderr even when it is not a terminal\n"
	"      --no-progress    records: show no progress or summary, even on a terminal\n"
	"      --summary        records: end with a one-line summary on stderr\n"
	"      --signed         amount: allow a sign\n"
	"      --home DIR       state directory (default $WGO_HOME)\n"
	"  -h, --help           show this help\n"
	"  -V, --version        show the version\n"
	"\n"
	"Exit status: 0 all valid, 1 some invalid, 2 usage error.\n";

static int opt_signed;

static int
check_one(const char *kind, const char *v, size_t len)
{
	char norm[128];
	const char *why = "invalid";
	int rc = -1;

	if (strlen(v) != len) {
		why = "NUL byte in the value";
	} else if (!utf8_valid(v, len, NULL)) {
		why = "not UTF-8 text";
	} else if (!strcmp(kind, "routing")) {
		rc = routing_check(v, norm, sizeof norm, &why);
	} else if (!strcmp(kind, "nid")) {
		rc = nid_check(v, norm, sizeof norm, &why);
	} else if (!strcmp(kind, "mobile")) {
		rc = mobile_check(v, norm, sizeof norm, &why);
	} else if (!strcmp(kind, "account")) {
		rc = account_check(v, norm, sizeof norm, &why);
	} else if (!strcmp(kind, "amount")) {
		int64_t p;
		rc = money_parse(v, opt_signed ? MONEY_SIGNED : 0, &p, &why);
		if (rc == 0)
			snprintf(norm, sizeof norm, "%lld", (long long)p);
	} else if (!strcmp(kind, "date")) {
		wdate d;
		struct bdate b;
		const char *why2;
		rc = date_parse(v, &d, &why);
		/* A Bangla date is read only when it names its month: 1432-08-25 stays an
		 * error here rather than quietly changing calendars. */
		if (rc < 0 && strpbrk(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\xe0") &&
		    bangla_parse(v, &b, &why2) == 0 && bangla_to_date(&b, &d, &why2) == 0)
			rc = 0;
		if (rc == 0)
			date_fmt(d, norm);
	}
	/* The value as given, escaped: it may hold anything, and this is read by people
	 * (and split on tabs by scripts). */
	struct buf q = { 0 };
	term_escape(&q, v, len);
	if (rc == 0)
		printf("%s\tok\t%s\n", buf_str(&q), norm);
	else
		printf("%s\tinvalid\t%s\n", buf_str(&q), why);
	buf_free(&q);
	return rc == 0 ? 0 : WGO_EXIT_NEG;
}

static int
on_record(struct rloop *L, json_t *rec, const struct rpos *pos, struct werr *e)
{
	if (rec_write(stdout, rec) < 0)
		die("<stdout>: write error:");
	return 0;
}

static const char *rejects;
static int quiet, progress_given;

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'r': rejects = arg; break;
	case 'q': quiet = 1; break;
	case 1: opt_signed = 1; break;
	case 2: wgo_set_home(arg); break;
	case 3: progress_given = 1; progress_option("progress"); break;
	case 4: progress_given = 1; progress_option("no-progress"); break;
	case 5: progress_given = 1; progress_option("summary"); break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "rejects", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "signed", no_argument, NULL, 1 },
		/* WGO_PROGRESS_OPTIONS, told apart: they go with 'records' only */
		{ "progress", no_argument, NULL, 3 },
		{ "no-progress", no_argument, NULL, 4 },
		{ "summary", no_argument, NULL, 5 },
		{ "home", required_argument, NULL, 2 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static const char *const kinds[] = { "routing", "nid", "mobile", "account",
		                              "amount", "date", "records", "schema", NULL };
	int npos;

	wgo_setprog(argv[0]);
	char **pos = wgo_getopt(argc, argv, "r:qhV", lo, on_opt, &npos);
	if (npos < 1)
		die_usage("no KIND given");
	const char *kind = pos[0];
	const char *const *k;
	for (k = kinds; *k && strcmp(*k, kind); k++)
		;
	if (!*k)
		die_usage("unknown kind '%s'", kind);
	if (strcmp(kind, "records") && (rejects || quiet || progress_given))
		die_usage("--rejects, --quiet, --progress, --no-progress and --summary go with 'records'");
	if (opt_signed && strcmp(kind, "amount"))
		die_usage("--signed goes with 'amount'");
	wgo_config();

	int rc = 0;
	if (!strcmp(kind, "schema")) {
		if (npos == 1)
			rec_schema_dump(stdout, NULL);
		for (int i = 1; i < npos; i++)
			if (rec_schema_dump(stdout, pos[i]) < 0) {
				warnf("%s: unknown record kind", pos[i]);
				rc = WGO_EXIT_NEG;
			}
	} else if (!strcmp(kind, "records")) {
		struct rloop L = { 0 };
		L.cb = on_record;
		L.validate = 1;
		L.quiet = quiet;
		if (rejects)
			rec_rejects_to(&L, rejects);
		rc = rec_loop(&L, npos - 1, pos + 1);
		rec_summary(&L, "%lu valid", L.nok);
		if (L.rejects && L.rejects != stderr && fclose(L.rejects) == EOF)
			die("%s: write error:", rejects);
	} else if (npos > 1) {
		for (int i = 1; i < npos; i++)
			rc = wgo_worse(rc, check_one(kind, pos[i], strlen(pos[i])));
	} else {
		char *line = NULL;
		size_t cap = 0;
		ssize_t len;
		while ((len = getline(&line, &cap, stdin)) >= 0) {
			if (len && line[len - 1] == '\n')
				line[--len] = 0;
			if (len && line[len - 1] == '\r')
				line[--len] = 0;
			rc = wgo_worse(rc, check_one(kind, line, (size_t)len));
		}
		free(line);
	}
	free(pos);
	return wgo_finish(rc);
}
