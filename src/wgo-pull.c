/* wgo-pull: fetch what the bank reports back (returns, life verifications, the
 * month's payments, card returns) as records, only what is new since last time. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: wgo-pull FEED [OPTIONS]\n"
	"Fetch one of the bank's feeds and write its records: returns, verifications,\n"
	"payments (a month's statement: give --month) or card-returns. A cursor kept in\n"
	"the state directory makes a repeated pull give only what is new.\n"
	"\n"
	"Options:\n"
	"  -m, --month YYYY-MM        payments: the month of the statement\n"
	"  -s, --since CURSOR         start here instead of at the saved cursor (0: from the start)\n"
	"  -o, --office OFFICE        the office asking (default: office in wgo.conf)\n"
	"  -e, --endpoint URL         the bank (default bank.endpoint in wgo.conf)\n"
	"      --token-file FILE      the bearer token, mode 0600 (default bank.token_file)\n"
	"      --token-fd N           the bearer token, read from descriptor N\n"
	"  -k, --key FILE             the office's secret key (default $WGO_HOME/keys/OFFICE.sec)\n"
	"  -P, --passphrase-file FILE the key's passphrase (mode 0600)\n"
	"      --limit N              records a page (default 500)\n"
	"      --attempts N           tries of a page before giving up (default 8)\n"
	"      --max-delay SECONDS    longest wait between tries (default 30)\n"
	"  -r, --rejects FILE         write records the bank sent that are not valid to FILE\n"
	"  -q, --quiet                do not report each such record\n"
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 all fetched, 1 some records from the bank were not valid, 75 the\n"
	"bank could not be reached (run again later), 2 usage or operational error.\n";

static const char *o_month, *o_since, *o_office, *o_endpoint, *o_token, *o_key, *o_pass,
                  *o_rejects;
static long o_token_fd = -1;
static long o_limit = 500, o_attempts = 8, o_max_delay = 30;
static int o_quiet;

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'm': o_month = arg; break;
	case 's': o_since = arg; break;
	case 'o': o_office = arg; break;
	case 'e': o_endpoint = arg; break;
	case 1: o_token = arg; break;
	case 6:
		if (uint_parse(arg, 1 << 20, &o_token_fd) < 0)
			die_usage("--token-fd: a descriptor number");
		break;
	case 'k': o_key = arg; break;
	case 'P': o_pass = arg; break;
	case 2:
		if (uint_parse(arg, 5000, &o_limit) < 0 || o_limit < 1)
			die_usage("--limit: 1 to 5000");
		break;
	case 3:
		if (uint_parse(arg, 100, &o_attempts) < 0 || o_attempts < 1)
			die_usage("--attempts: 1 to 100");
		break;
	case 4:
		if (uint_parse(arg, 3600, &o_max_delay) < 0 || o_max_delay < 1)
			die_usage("--max-delay: 1 to 3600 seconds");
		break;
	case 'r': o_rejects = arg; break;
	case 'q': o_quiet = 1; break;
	case 5: wgo_set_home(arg); break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "month", required_argument, NULL, 'm' },
		{ "since", required_argument, NULL, 's' },
		{ "office", required_argument, NULL, 'o' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "token-file", required_argument, NULL, 1 },
		{ "token-fd", required_argument, NULL, 6 },
		{ "key", required_argument, NULL, 'k' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "limit", required_argument, NULL, 2 },
		{ "attempts", required_argument, NULL, 3 },
		{ "max-delay", required_argument, NULL, 4 },
		{ "rejects", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "home", required_argument, NULL, 5 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static const struct {
		const char *name, *path, *action, *kind;
	} feeds[] = {
		{ "returns", "/bank/sync/returns", "returns", "return" },
		{ "verifications", "/bank/sync/verifications", "verifications", "verification" },
		{ "payments", "/bank/sync/payments", "payments", "payment" },
		{ "card-returns", "/bank/sync/card-returns", "card-returns", "card_return" },
	};
	int npos;
	struct werr e;
	wgo_setprog(argv[0]);
	secrets_protect(); /* the bank token and the office key */
	char **pos = wgo_getopt(argc, argv, "m:s:o:e:k:P:r:qhV", lo, on_opt, &npos);
	if (o_token && o_token_fd >= 0)
		die_usage("--token-file and --token-fd: one token, from one place");
	if (npos != 1)
		die_usage(npos ? "one feed at a time" : "no feed given (returns, verifications, payments, card-returns)");
	size_t f;
	for (f = 0; f < sizeof feeds / sizeof feeds[0] && strcmp(feeds[f].name, pos[0]); f++)
		;
	if (f == sizeof feeds / sizeof feeds[0])
		die_usage("unknown feed '%s' (returns, verifications, payments, card-returns)", pos[0]);
	wmonth month = -1;
	const char *why;
	if (!strcmp(feeds[f].name, "payments")) {
		if (!o_month)
			die_usage("payments needs --month YYYY-MM");
		if (month_parse(o_month, &month, &why) < 0)
			die_usage("--month: %s", why);
	} else if (o_month) {
		die_usage("--month goes with payments");
	}
	long since;
	if (o_since && uint_parse(o_since, 1L << 40, &since) < 0)
		die_usage("--since: not a cursor");
	sign_init();
	struct cfg *cfg = wgo_config();
	const char *office = o_office ? o_office : cfg_get(cfg, "office");
	if (!office)
		die_usage("no office: give --office, or set office in wgo.conf");
	if (!office_valid(office))
		die_usage("unknown office '%s'", office);
	struct wkey *key = secret_alloc(sizeof *key);
	if (office_key_load(o_key, office, o_pass, key, &e) < 0)
		die("%s: %s", e.field, e.msg);
	struct bank bank;
	if (bank_load(&bank, o_endpoint, o_token, (int)o_token_fd, &e) < 0)
		die("%s: %s", e.field, e.msg);
	char ms[8] = "", rel[64];
	if (month >= 0)
		month_fmt(month, ms);
	char *dir = home_path("pull");
	if (mkdirs(dir, &e) < 0)
		die("%s: %s", e.field, e.msg);
	snprintf(rel, sizeof rel, "pull/%s%s%s.cursor", feeds[f].name, ms[0] ? "-" : "", ms);
	char *cpath = home_path(rel);
	long long cursor = 0;
	if (o_since)
		cursor = since;
	else if (counter_read(cpath, &cursor, &e) < 0)
		die("%s: %s", e.field, e.msg);

	FILE *rejects = o_rejects ? rec_open_rejects(o_rejects) : NULL;
	struct http http;
	if (http_init(&http, &bank, 1) < 0)
		die("cannot start libcurl");
	struct http_req req = { 0 };
	int rc = 0, more = 1;
	unsigned long nrej = 0;
	while (more) {
		json_t *m = json_object();
		char cs[24];
		snprintf(cs, sizeof cs, "%lld", cursor);
		json_object_set_new(m, "cursor", json_string(cs));
		json_object_set_new(m, "limit", json_integer(o_limit));
		if (ms[0])
			json_object_set_new(m, "month", json_string(ms));
		json_t *resp = NULL;
		int attempt = 0;
		for (;;) {
			attempt++;
			if (api_envelope(&req.body, feeds[f].action, office, bank.receiver, 0,
			                 json_deep_copy(m), key) < 0)
				die("cannot make the request's canonical form");
			http_post(&http, &req, feeds[f].path);
			if (req.curl_code && http_curl_permanent(req.curl_code))
				die("%s: %s", req.url, req.err); /* TLS or configuration: no retry will help */
			resp = req.curl_code ? NULL : json_loadb(req.resp.p ? req.resp.p : "", req.resp.n, 0, NULL);
			int transient = req.curl_code || api_http_transient(req.status) ||
			                (req.status == 200 && !json_is_array(jget(resp, "message.records")));
			if (!transient)
				break;
			json_decref(resp);
			resp = NULL;
			if (attempt >= o_attempts) {
				warnf("%s: %s", bank.endpoint, req.curl_code ? req.err : "the bank did not answer properly");
				rc = WGO_EXIT_TEMP;
				break;
			}
			usleep((useconds_t)http_backoff(attempt, req.retry_after, o_max_delay * 1000) * 1000);
		}
		json_decref(m);
		if (!resp)
			break;
		if (req.status != 200) {
			json_t *h = json_object_get(resp, "header");
			warnf("the bank refused: HTTP %ld %s: %s", req.status,
			      jstr(h, "status_reason_code") ? jstr(h, "status_reason_code") : "",
			      jstr(h, "status_reason_message") ? jstr(h, "status_reason_message") : "");
			json_decref(resp);
			rc = WGO_EXIT_USAGE;
			break;
		}
		json_t *recs = jget(resp, "message.records"), *r;
		size_t i;
		json_array_foreach(recs, i, r) {
			struct werr ve;
			char where[64];
			snprintf(where, sizeof where, "bank:%s@%lld", feeds[f].name, cursor);
			struct rpos p = { where, (unsigned long)i + 1 };
			int bad = rec_validate(r, &ve) < 0;
			if (!bad && strcmp(jstr(r, "kind"), feeds[f].kind))
				bad = werr_set(&ve, "kind", "a %s feed sent a %s record", feeds[f].name, jstr(r, "kind"));
			if (!bad && jstr(r, "office") && strcmp(jstr(r, "office"), office))
				bad = werr_set(&ve, "office", "a record of another office");
			if (bad) {
				struct rloop L = { 0 };
				L.rejects = rejects;
				L.quiet = o_quiet;
				rec_reject(&L, &p, r, NULL, 0, &ve);
				nrej++;
				continue;
			}
			if (rec_write(stdout, r) < 0)
				die("<stdout>: write error:");
		}
		long next;
		if (!jstr(jget(resp, "message"), "next_cursor") ||
		    uint_parse(jstr(jget(resp, "message"), "next_cursor"), 1L << 40, &next) < 0 ||
		    next < cursor) {
			warnf("the bank sent no usable next_cursor");
			json_decref(resp);
			rc = WGO_EXIT_USAGE;
			break;
		}
		more = json_is_true(jget(resp, "message.more"));
		json_decref(resp);
		/* The records are out before the cursor moves: a crash repeats, never loses. */
		if (fflush(stdout) == EOF)
			die("<stdout>: write error:");
		cursor = next;
		if (counter_write(cpath, cursor, &e) < 0)
			die("%s: %s", e.field, e.msg);
	}
	if (rejects && rejects != stderr && fclose(rejects) == EOF)
		die("%s: write error:", o_rejects);
	buf_free(&req.body);
	buf_free(&req.resp);
	http_free(&http);
	bank_free(&bank);
	secret_free(key);
	free(cpath);
	free(dir);
	free(pos);
	if (nrej)
		rc = wgo_worse(rc, WGO_EXIT_NEG);
	return wgo_finish(rc);
}
