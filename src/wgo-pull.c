/* wgo-pull: fetch what the bank reports back (returns, life verifications, the
 * month's payments, card returns) as records, only what is new since last time. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	"  -o, --output FILE          append the new records to FILE (never truncated; records\n"
	"                             it holds already are not added again)\n"
	"  -s, --since CURSOR         start here instead of at the saved cursor (0: from the start)\n"
	"      --office OFFICE        the office asking (default: office in wgo.conf)\n"
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
	WGO_PROGRESS_USAGE
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 all fetched, 1 some records from the bank were not valid, 75 the\n"
	"bank could not be reached (run again later), 2 usage or operational error (a\n"
	"cursor file that is not one, the bank refusing the office's token or key).\n";

static const char *o_month, *o_since, *o_office, *o_endpoint, *o_token, *o_key, *o_pass,
                  *o_rejects, *o_output;
static long o_token_fd = -1;
static long o_limit = 500, o_attempts = 8, o_max_delay = 30;
static int o_quiet;

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'm': o_month = arg; break;
	case 's': o_since = arg; break;
	case 7: o_office = arg; break;
	case 'o': o_output = arg; break;
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

/* A record's key (wgo-record(5)), its fields' values joined: what makes two
 * records of a kind the same record. */
static void
record_key(const json_t *r, const char *const *key, struct buf *out)
{
	out->n = 0;
	for (int i = 0; key[i]; i++) {
		json_t *v = json_object_get(r, key[i]);
		if (i)
			buf_addc(out, '|');
		if (json_is_string(v))
			buf_adds(out, json_string_value(v));
		else if (json_is_integer(v))
			buf_printf(out, "%lld", (long long)json_integer_value(v));
	}
}

/* -o FILE: opened to append, never truncated; the keys of the records of this kind
 * it holds, so that a rerun (after a crash, or with --since) adds nothing twice. A
 * file that ends in the middle of a line, or holds a line that is not JSON, is not
 * appended to: the error names it. */
static int
open_output(const char *path, const char *kind, struct hmap *have)
{
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		die("%s:", path);
	struct store_scan sc;
	struct store_line l;
	struct werr e;
	struct buf k = { 0 };
	const char *const *key = rec_kind_key(kind);
	int rc;
	store_scan_open(&sc, fd, 0, 0);
	while ((rc = store_scan_next(&sc, &l, &e)) > 0) {
		if (!l.complete)
			die("%s:%lu: the last line is incomplete (a run cut short while writing it?): "
			    "correct the file, then pull again; nothing was appended", path, l.line);
		if (l.n == 0)
			continue;
		json_t *r = json_loadb(l.p, l.n, JSON_REJECT_DUPLICATES, NULL);
		if (!json_is_object(r))
			die("%s:%lu: not a record: correct the file, then pull again; nothing was appended",
			    path, l.line);
		if (jstr(r, "kind") && !strcmp(jstr(r, "kind"), kind)) {
			record_key(r, key, &k);
			hmap_put(have, buf_str(&k), NULL);
		}
		json_decref(r);
	}
	if (rc < 0)
		die("%s: %s", e.field, e.msg);
	store_scan_close(&sc);
	buf_free(&k);
	return fd;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "month", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, 's' },
		{ "office", required_argument, NULL, 7 },
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
		WGO_PROGRESS_OPTIONS,
		{ "home", required_argument, NULL, 5 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int npos;
	struct werr e;
	wgo_setprog(argv[0]);
	secrets_protect(); /* the bank token and the office key */
	char **pos = wgo_getopt(argc, argv, "m:o:s:e:k:P:r:qhV", lo, on_opt, &npos);
	if (o_token && o_token_fd >= 0)
		die_usage("--token-file and --token-fd: one token, from one place");
	if (npos != 1)
		die_usage(npos ? "one feed at a time" : "no feed given (returns, verifications, payments, card-returns)");
	int ep = api_feed_find(pos[0]);
	if (ep < 0)
		die_usage("unknown feed '%s' (returns, verifications, payments, card-returns)", pos[0]);
	const struct api_endpoint *fe = api_endpoint(ep);
	if (o_output && office_valid(o_output) && access(o_output, F_OK) < 0)
		die_usage("-o %s: -o is the output file; the office asking is --office %s", o_output,
		          o_output);
	wmonth month = -1;
	const char *why;
	if (ep == API_PAYMENTS) {
		if (!o_month)
			die_usage("payments needs --month YYYY-MM");
		if (month_parse(o_month, &month, &why) < 0)
			die_usage("--month: %s", why);
	} else if (o_month) {
		die_usage("--month goes with payments");
	}
	uint64_t since = 0;
	if (o_since && api_cursor_parse(o_since, &since) < 0)
		die_usage("--since: not a cursor (digits, no sign, no leading zero)");
	sign_init();
	struct cfg *cfg = wgo_config();
	const char *office = o_office ? o_office : cfg_get(cfg, "office");
	if (!office)
		die_usage("no office: give --office, or set office in wgo.conf");
	if (!office_valid(office))
		die_usage("unknown office '%s'", office);
	char ms[8] = "", rel[64];
	if (month >= 0)
		month_fmt(month, ms);
	char *dir = home_path("pull");
	if (mkdirs(dir, &e) < 0)
		die("%s: %s", e.field, e.msg);
	snprintf(rel, sizeof rel, "pull/%s%s%s.cursor", fe->feed, ms[0] ? "-" : "", ms);
	char *cpath = home_path(rel);
	uint64_t cursor = 0;
	if (o_since)
		cursor = since;
	else if (api_cursor_load(cpath, &cursor, &e) < 0)
		die("%s: %s; give --since to start again from a cursor of your choice", e.field, e.msg);
	struct wkey *key = secret_alloc(sizeof *key);
	if (office_key_load(o_key, office, o_pass, key, &e) < 0)
		die("%s: %s", e.field, e.msg);
	struct bank bank;
	if (bank_load(&bank, o_endpoint, o_token, (int)o_token_fd, &e) < 0)
		die("%s: %s", e.field, e.msg);
	struct hmap have;
	hmap_init(&have, 1);
	int outfd = o_output && strcmp(o_output, "-") ? open_output(o_output, fe->kind, &have) : -1;

	struct rloop R = { 0 };
	R.quiet = o_quiet;
	if (o_rejects)
		rec_rejects_to(&R, o_rejects);
	struct http http;
	if (http_init(&http, &bank, 1) < 0)
		die("cannot start libcurl");
	struct http_req req = { 0 };
	struct progress prog;
	progress_start(&prog, "records", 0, 0);
	int rc = 0, more = 1;
	unsigned long nrej = 0, nrec = 0, nnew = 0, nheld = 0;
	struct buf page = { 0 }, k = { 0 };
	const char *const *kkey = rec_kind_key(fe->kind);
	while (more) {
		json_t *m = api_feed_message(cursor, o_limit, ms[0] ? ms : NULL);
		struct api_answer an = { 0 };
		int attempt = 0;
		for (;;) {
			attempt++;
			if (api_envelope(&req.body, fe->action, office, bank.receiver, 0, json_deep_copy(m), key) < 0)
				die("cannot make the request's canonical form");
			http_post(&http, &req, fe->path);
			if (api_answer_read(&an, ep, &req) != API_ANSWER_RETRY)
				break;
			if (attempt >= o_attempts)
				break;
			api_answer_free(&an);
			usleep((useconds_t)http_backoff(attempt, req.retry_after, o_max_delay * 1000) * 1000);
		}
		json_decref(m);
		if (an.outcome == API_ANSWER_RETRY) {
			warnf("%s; run again later", an.why);
			rc = WGO_EXIT_TEMP;
			api_answer_free(&an);
			break;
		}
		if (an.outcome == API_ANSWER_STOP) {
			warnf("the bank refused: %s", an.why);
			rc = WGO_EXIT_USAGE;
			api_answer_free(&an);
			break;
		}
		if (an.next < cursor) {
			warnf("the bank sent a next_cursor (%llu) before the cursor asked with (%llu)",
			      (unsigned long long)an.next, (unsigned long long)cursor);
			rc = WGO_EXIT_USAGE;
			api_answer_free(&an);
			break;
		}
		json_t *r;
		size_t i;
		page.n = 0;
		json_array_foreach(an.list, i, r) {
			struct werr ve;
			char where[64];
			snprintf(where, sizeof where, "bank:%s@%llu", fe->feed, (unsigned long long)cursor);
			struct rpos p = { where, (unsigned long)i + 1 };
			nrec++;
			int bad = rec_validate(r, &ve) < 0;
			if (!bad && strcmp(jstr(r, "kind"), fe->kind))
				bad = werr_set(&ve, "kind", "a %s feed sent a %s record", fe->feed, jstr(r, "kind"));
			if (!bad && jstr(r, "office") && strcmp(jstr(r, "office"), office))
				bad = werr_set(&ve, "office", "a record of another office");
			if (bad) {
				rec_reject(&R, &p, r, NULL, 0, &ve);
				nrej++;
				continue;
			}
			if (outfd >= 0) {
				int isnew;
				record_key(r, kkey, &k);
				hmap_put(&have, buf_str(&k), &isnew);
				if (!isnew) {
					nheld++;
					continue;
				}
			}
			rec_dump(r, &page);
			nnew++;
		}
		more = an.more;
		/* The records are out, and durable in FILE, before the cursor moves: a crash
		 * repeats a page, never loses one. */
		if (outfd >= 0) {
			if (write_all(outfd, page.p, page.n) < 0 || fsync(outfd) < 0)
				die("%s: write error:", o_output);
		} else if ((page.n && fwrite(page.p, 1, page.n, stdout) != page.n) || fflush(stdout) == EOF) {
			die("<stdout>: write error:");
		}
		cursor = an.next;
		api_answer_free(&an);
		if (api_cursor_save(cpath, cursor, &e) < 0)
			die("%s: %s", e.field, e.msg);
		progress_tick(&prog, nrec, 0);
	}
	progress_end(&prog);
	if (R.rejects && R.rejects != stderr && fclose(R.rejects) == EOF)
		die("%s: write error:", o_rejects);
	if (outfd >= 0 && close(outfd) < 0)
		die("%s: write error:", o_output);
	if (o_output && strcmp(o_output, "-"))
		summary("%lu fetched, %lu new appended to %s, %lu held there already, %lu rejected%s%s%s",
		        nrec, nnew, o_output, nheld, nrej, nrej && R.rejects_name ? " (in " : "",
		        nrej && R.rejects_name ? R.rejects_name : "", nrej && R.rejects_name ? ")" : "");
	else
		summary("%lu fetched, %lu written, %lu rejected%s%s%s", nrec, nnew, nrej,
		        nrej && R.rejects_name ? " (in " : "", nrej && R.rejects_name ? R.rejects_name : "",
		        nrej && R.rejects_name ? ")" : "");
	buf_free(&page);
	buf_free(&k);
	hmap_free(&have);
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
