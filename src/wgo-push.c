/* wgo-push: send signed orders (and stops) to the bank, many requests at once,
 * retrying what can be retried, never sending again what the bank has accepted. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: wgo-push [OPTIONS] [FILE...]\n"
	"Send order records to the bank (wgo-api(7)) and write one push record per order\n"
	"revision, in input order: accepted, rejected, failed or skipped. Stop records\n"
	"in the input go to the bank's stop endpoint the same way.\n"
	"\n"
	"Options:\n"
	"  -e, --endpoint URL         the bank (default bank.endpoint in wgo.conf)\n"
	"      --token-file FILE      the bearer token, mode 0600 (default bank.token_file)\n"
	"      --token-fd N           the bearer token, read from descriptor N\n"
	"  -k, --key FILE             the office's secret key (default $WGO_HOME/keys/OFFICE.sec)\n"
	"  -P, --passphrase-file FILE the key's passphrase (mode 0600)\n"
	"      --keyring PATH         office public keys to check orders against\n"
	"  -b, --batch N              orders per request (default 100)\n"
	"  -c, --concurrency N        requests at once (default 8)\n"
	"      --attempts N           tries of a request before it counts as failed (default 8)\n"
	"      --max-delay SECONDS    longest wait between tries (default 30)\n"
	"  -f, --force                send again what the journal says was accepted\n"
	"  -n, --dry-run              print the requests instead of sending them\n"
	"  -r, --rejects FILE         write unreadable records to FILE, with their reasons\n"
	"  -q, --quiet                do not report each unreadable record\n"
	"      --progress             show progress on stderr even when it is not a terminal\n"
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"      --now INSTANT          take this as the current time (push records say when)\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 all accepted or already accepted, 1 some rejected, 75 some failed\n"
	"for a reason that may pass (run again later), 2 usage or operational error.\n";

enum { PENDING, ACCEPTED, REJECTED, FAILED, SKIPPED };
static const char *const state_names[] = { "pending", "accepted", "rejected", "failed", "skipped" };

struct item {
	json_t *order, *disb; /* for a stop: the stop, and its item */
	int stop;
	char ref[96], hash[33], office[5];
	int state, attempts;
	char bank_ref[32], code[64], msg[sizeof ((struct werr *)0)->field + sizeof ((struct werr *)0)->msg + 4];
};

struct batch {
	size_t *idx, n;
	int attempts, stop;
	long long not_before;
	struct http_req req;
	char office[5];
	struct batch *next;
};

static struct batch *queue, **qtail = &queue, *waiting, *cur;
static size_t active, done, total;
static struct http http;
static struct bank bank;
static int show;
static long long t0;
static struct buf dry;

static const char *o_endpoint, *o_token, *o_key, *o_pass, *o_keyring, *o_rejects;
static long o_token_fd = -1;
static long o_batch = 100, o_conc = 8, o_attempts = 8, o_max_delay = 30;
static int o_force, o_dry, o_quiet, o_progress, have_now;

static struct item *items;
static size_t nitems, citems, emitted;
static struct keyring ring;
static struct journal journal;
static struct hmap keys; /* office -> struct wkey * */

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'e': o_endpoint = arg; break;
	case 1: o_token = arg; break;
	case 8:
		if (uint_parse(arg, 1 << 20, &o_token_fd) < 0)
			die_usage("--token-fd: a descriptor number");
		break;
	case 'k': o_key = arg; break;
	case 'P': o_pass = arg; break;
	case 2: o_keyring = arg; break;
	case 'b':
		if (uint_parse(arg, 10000, &o_batch) < 0 || o_batch < 1)
			die_usage("--batch: 1 to 10000");
		break;
	case 'c':
		if (uint_parse(arg, 256, &o_conc) < 0 || o_conc < 1)
			die_usage("--concurrency: 1 to 256");
		break;
	case 3:
		if (uint_parse(arg, 100, &o_attempts) < 0 || o_attempts < 1)
			die_usage("--attempts: 1 to 100");
		break;
	case 4:
		if (uint_parse(arg, 3600, &o_max_delay) < 0 || o_max_delay < 1)
			die_usage("--max-delay: 1 to 3600 seconds");
		break;
	case 'f': o_force = 1; break;
	case 'n': o_dry = 1; break;
	case 'r': o_rejects = arg; break;
	case 'q': o_quiet = 1; break;
	case 5: o_progress = 1; break;
	case 6: wgo_set_home(arg); break;
	case 7:
		wgo_opt_now(arg);
		have_now = 1;
		break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

static long long
now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static const struct wkey *
office_key(const char *office)
{
	int isnew;
	struct wkey **kp = hmap_put(&keys, office, &isnew);
	if (isnew) {
		struct werr e;
		*kp = secret_alloc(sizeof **kp);
		if (office_key_load(o_key, office, o_pass, *kp, &e) < 0)
			die("%s: %s", e.field, e.msg);
	}
	return *kp;
}

/* In the reader thread: the order's signature, checked before it is sent. */
static int
check_order(json_t *o, struct werr *e, void *ctx)
{
	return order_verify(o, &ring, e);
}

static void enqueue(size_t i);
static void drive(int wait);

static int
on_order(struct rloop *L, json_t *o, const struct rpos *pos, struct werr *e)
{
	if (nitems == citems) {
		citems = citems ? citems * 2 : 1024;
		items = xrealloc(items, citems * sizeof *items);
	}
	struct item *it = &items[nitems++];
	memset(it, 0, sizeof *it);
	it->order = json_incref(o);
	it->stop = !strcmp(jstr(o, "kind"), "stop");
	if (it->stop)
		api_stop_reference(o, it->ref, sizeof it->ref);
	else
		api_reference_id(o, it->ref, sizeof it->ref);
	snprintf(it->office, sizeof it->office, "%s", jstr(o, "office"));
	const struct werr *ve = L->precheck_err;
	if (ve) {
		/* Never sent: the bank must only see orders the office signed. */
		it->state = REJECTED;
		snprintf(it->code, sizeof it->code, "local.order.signature");
		snprintf(it->msg, sizeof it->msg, "%s%s%s", ve->field, ve->field[0] ? ": " : "", ve->msg);
		drive(0);
		return 0;
	}
	uint8_t h[16];
	if (it->stop) {
		it->disb = api_stop_item(o);
		api_stop_hash(it->disb, h);
	} else {
		it->disb = api_disbursement(o);
		api_content_hash(it->disb, h);
	}
	sodium_bin2hex(it->hash, sizeof it->hash, h, 16);
	const char *br = o_dry ? NULL : journal_accepted(&journal, it->ref, it->hash);
	if (br && !o_force) {
		it->state = SKIPPED;
		snprintf(it->bank_ref, sizeof it->bank_ref, "%s", br);
	} else {
		enqueue(nitems - 1);
	}
	drive(0);
	return 0;
}

static void
emit(void)
{
	for (; emitted < nitems && items[emitted].state != PENDING; emitted++) {
		struct item *it = &items[emitted];
		json_t *p = json_object();
		json_object_set_new(p, "kind", json_string("push"));
		json_object_set_new(p, "v", json_integer(1));
		json_object_set(p, "order_no", json_object_get(it->order, "order_no"));
		json_object_set(p, "revision", json_object_get(it->order, "revision"));
		json_object_set_new(p, "reference_id", json_string(it->ref));
		json_object_set_new(p, "status", json_string(state_names[it->state]));
		if (it->bank_ref[0])
			json_object_set_new(p, "bank_ref", json_string(it->bank_ref));
		if (it->code[0])
			json_object_set_new(p, "code", json_string(it->code));
		if (it->msg[0])
			json_object_set_new(p, "message", json_string(it->msg));
		json_object_set_new(p, "attempts", json_integer(it->attempts));
		if (have_now || getenv("SOURCE_DATE_EPOCH")) {
			char ts[21];
			instant_fmt(wgo_now(), ts);
			json_object_set_new(p, "at", json_string(ts));
		}
		if (rec_write(stdout, p) < 0)
			die("<stdout>: write error:");
		json_decref(p);
		json_decref(it->order);
		json_decref(it->disb);
		it->order = it->disb = NULL;
	}
	fflush(stdout);
}

static void
build(struct batch *b, struct buf *out)
{
	char txn[33];
	api_message_id(txn);
	json_t *m = json_object(), *ds = json_array();
	json_object_set_new(m, "transaction_id", json_string(txn));
	for (size_t i = 0; i < b->n; i++)
		json_array_append(ds, items[b->idx[i]].disb);
	json_object_set_new(m, b->stop ? "stops" : "disbursements", ds);
	const struct wkey *k = office_key(b->office);
	if (api_envelope(out, b->stop ? "stop" : "disburse", b->office, API_BANK_ID, (long)b->n, m, k) < 0)
		die("cannot make the request's canonical form");
}

static void
settle(struct batch *b, int state, const char *code, const char *msg)
{
	for (size_t i = 0; i < b->n; i++) {
		struct item *it = &items[b->idx[i]];
		if (it->state != PENDING)
			continue;
		it->state = state;
		it->attempts = b->attempts;
		snprintf(it->code, sizeof it->code, "%s", code);
		snprintf(it->msg, sizeof it->msg, "%s", msg);
	}
}

/* What the bank said; 0 when settled, -1 to try again. */
static int
answer(struct batch *b, struct werr *why)
{
	struct http_req *r = &b->req;
	if (r->curl_code && http_curl_permanent(r->curl_code))
		die("%s: %s", r->url, r->err); /* TLS or configuration: no retry will help */
	if (r->curl_code) {
		werr_set(why, "", "%s", r->err);
		return -1;
	}
	json_t *resp = json_loadb(r->resp.p ? r->resp.p : "", r->resp.n, 0, NULL);
	json_t *h = json_object_get(resp, "header");
	/* A reused connection that died is sometimes retried by libcurl itself, with the
	 * same envelope: the bank then knows the message id but we never heard its
	 * answer. A new envelope with the same content gets that answer. */
	int dup_msg = r->status == 409 && jstr(h, "status_reason_code") &&
	              !strcmp(jstr(h, "status_reason_code"), "err.message_id.duplicate");
	if (api_http_transient(r->status) || dup_msg) {
		werr_set(why, "", "HTTP %ld%s%s", r->status, jstr(h, "status_reason_code") ? " " : "",
		         jstr(h, "status_reason_code") ? jstr(h, "status_reason_code") : "");
		json_decref(resp);
		return -1;
	}
	if (r->status != 200) {
		char code[64];
		snprintf(code, sizeof code, "%s", jstr(h, "status_reason_code") ? jstr(h, "status_reason_code")
		                                                                 : "err.http");
		char msg[256];
		snprintf(msg, sizeof msg, "HTTP %ld: %s", r->status,
		         jstr(h, "status_reason_message") ? jstr(h, "status_reason_message") : "refused");
		settle(b, REJECTED, code, msg);
		json_decref(resp);
		return 0;
	}
	json_t *st = jget(resp, b->stop ? "message.stops_status" : "message.disbursements_status");
	if (!json_is_array(st)) {
		werr_set(why, "", "the bank's answer is not a disburse response");
		json_decref(resp);
		return -1;
	}
	struct hmap by_ref;
	hmap_init(&by_ref, sizeof(json_t *));
	size_t i;
	json_t *s;
	json_array_foreach(st, i, s)
		if (jstr(s, "reference_id"))
			*(json_t **)hmap_put(&by_ref, jstr(s, "reference_id"), NULL) = s;
	int missing = 0;
	for (i = 0; i < b->n; i++) {
		json_t **sp = hmap_get(&by_ref, items[b->idx[i]].ref);
		if (!sp || !jstr(*sp, "status"))
			missing = 1;
	}
	if (missing) {
		hmap_free(&by_ref);
		json_decref(resp);
		werr_set(why, "", "the bank's answer leaves out some disbursements");
		return -1;
	}
	for (i = 0; i < b->n; i++) {
		struct item *it = &items[b->idx[i]];
		json_t *x = *(json_t **)hmap_get(&by_ref, it->ref);
		it->attempts = b->attempts;
		if (!strcmp(jstr(x, "status"), "succ")) {
			it->state = ACCEPTED;
			snprintf(it->bank_ref, sizeof it->bank_ref, "%s", jstr(x, "bank_ref") ? jstr(x, "bank_ref") : "");
			journal_add(&journal, it->ref, it->hash, it->bank_ref);
		} else {
			it->state = REJECTED;
			snprintf(it->code, sizeof it->code, "%s",
			         jstr(x, "status_reason_code") ? jstr(x, "status_reason_code") : "rjct");
			snprintf(it->msg, sizeof it->msg, "%s",
			         jstr(x, "status_reason_message") ? jstr(x, "status_reason_message") : "");
		}
	}
	hmap_free(&by_ref);
	json_decref(resp);
	return 0;
}

static void
progress(size_t ndone, size_t ntotal, long long start, int final)
{
	static long long last;
	long long t = now_ms();
	if (!final && t - last < 1000)
		return;
	last = t;
	double secs = (double)(t - start) / 1000;
	fprintf(stderr, "\rwgo-push: %zu of %zu orders, %.0f/s   %s", ndone, ntotal,
	        secs > 0 ? (double)ndone / secs : 0.0, final ? "\n" : "");
}

static void
submit(struct batch *b)
{
	total += b->n;
	if (o_dry) {
		build(b, &dry);
		fwrite(dry.p, 1, dry.n, stdout);
		putchar('\n');
		free(b->idx);
		free(b);
		return;
	}
	b->next = NULL;
	*qtail = b;
	qtail = &b->next;
}

/* Batches hold one office's orders (or stops), up to --batch, in input order. */
static void
enqueue(size_t i)
{
	if (cur && (strcmp(cur->office, items[i].office) || cur->stop != items[i].stop ||
	            cur->n == (size_t)o_batch)) {
		submit(cur);
		cur = NULL;
	}
	if (!cur) {
		cur = xcalloc(1, sizeof *cur);
		cur->stop = items[i].stop;
		snprintf(cur->office, sizeof cur->office, "%s", items[i].office);
		cur->idx = xmalloc((size_t)o_batch * sizeof *cur->idx);
	}
	cur->idx[cur->n++] = i;
	if (cur->n == (size_t)o_batch) {
		submit(cur);
		cur = NULL;
	}
}

/* Start what can start, take in what has finished; with wait, until all is done.
 * While reading, it also waits when the queue runs far ahead of the connections. */
static void
drive(int wait)
{
	if (o_dry)
		return;
	for (;;) {
		long long t = now_ms();
		/* Batches whose wait is over go back in line, ahead of new ones. */
		for (struct batch **p = &waiting; *p;) {
			if ((*p)->not_before <= t) {
				struct batch *b = *p;
				*p = b->next;
				b->next = queue;
				if (!queue)
					qtail = &b->next;
				queue = b;
			} else {
				p = &(*p)->next;
			}
		}
		while (queue && active < (size_t)o_conc) {
			struct batch *b = queue;
			queue = b->next;
			if (!queue)
				qtail = &queue;
			b->attempts++;
			build(b, &b->req.body);
			b->req.user = b;
			http_start(&http, &b->req, b->stop ? "/disburse/sync/stop" : "/disburse/sync/disburse");
			active++;
		}
		size_t queued = 0;
		for (struct batch *b = queue; b; b = b->next)
			queued++;
		int must = wait ? (queue || waiting || active) : (queued >= (size_t)o_conc);
		long pause = 1000;
		for (struct batch *b = waiting; b; b = b->next)
			if (b->not_before - t < pause)
				pause = (long)(b->not_before - t);
		struct http_req *r = active ? http_next_within(&http, must ? (pause < 0 ? 0 : pause) : 0) : NULL;
		if (!r) {
			if (!must)
				return;
			if (!active && waiting && pause > 0)
				usleep((useconds_t)pause * 1000);
			continue;
		}
		active--;
		struct batch *b = r->user;
		struct werr why, e;
		if (answer(b, &why) < 0) {
			if (b->attempts < o_attempts) {
				b->not_before = now_ms() + http_backoff(b->attempts, r->retry_after, o_max_delay * 1000);
				b->next = waiting;
				waiting = b;
				continue;
			}
			settle(b, FAILED, "err.transient", why.msg);
		}
		done += b->n;
		if (journal_sync(&journal, &e) < 0)
			die("%s: %s", e.field, e.msg);
		emit();
		if (show)
			progress(done, total, t0, 0);
		buf_free(&b->req.body);
		buf_free(&b->req.resp);
		free(b->idx);
		free(b);
	}
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "endpoint", required_argument, NULL, 'e' },
		{ "token-file", required_argument, NULL, 1 },
		{ "token-fd", required_argument, NULL, 8 },
		{ "key", required_argument, NULL, 'k' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "keyring", required_argument, NULL, 2 },
		{ "batch", required_argument, NULL, 'b' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "attempts", required_argument, NULL, 3 },
		{ "max-delay", required_argument, NULL, 4 },
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "rejects", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "progress", no_argument, NULL, 5 },
		{ "home", required_argument, NULL, 6 },
		{ "now", required_argument, NULL, 7 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static const char *const kinds[] = { "order", "stop", NULL };
	int npos;
	struct werr e;
	wgo_setprog(argv[0]);
	secrets_protect(); /* the bank token and the office key */
	char **pos = wgo_getopt(argc, argv, "e:k:P:b:c:fnr:qhV", lo, on_opt, &npos);
	if (o_token && o_token_fd >= 0)
		die_usage("--token-file and --token-fd: one token, from one place");
	if (o_dry && o_force)
		die_usage("--dry-run sends nothing, so --force means nothing with it");
	api_use_fixed_clock(o_dry);
	sign_init();
	struct cfg *cfg = wgo_config();
	const char *kv = cfg_get(cfg, "keyring");
	char *kr = o_keyring ? xstrdup(o_keyring) : home_path(kv ? kv : "keyring");
	if (keyring_load(&ring, kr, &e) < 0)
		die("%s: %s", e.field, e.msg);
	free(kr);
	if (!o_dry) {
		if (bank_load(&bank, o_endpoint, o_token, (int)o_token_fd, &e) < 0)
			die("%s: %s", e.field, e.msg);
		if (journal_open(&journal, &e) < 0)
			die("%s: %s", e.field, e.msg);
		if (http_init(&http, &bank, (int)o_conc) < 0)
			die("cannot start libcurl");
	}
	hmap_init(&keys, sizeof(struct wkey *));
	show = !o_dry && (o_progress || isatty(2));
	t0 = now_ms();

	struct rloop L = { 0 };
	L.cb = on_order;
	L.precheck = check_order;
	L.kinds = kinds;
	L.validate = 1;
	L.quiet = o_quiet;
	if (o_rejects)
		L.rejects = rec_open_rejects(o_rejects);
	int rc = rec_loop(&L, npos, pos);
	if (L.rejects && L.rejects != stderr && fclose(L.rejects) == EOF)
		die("%s: write error:", o_rejects);

	if (cur && cur->n)
		submit(cur);
	cur = NULL;
	drive(1);
	if (show && total)
		progress(done, total, t0, 1);
	if (!o_dry) {
		http_free(&http);
		bank_free(&bank);
	}
	emit();
	int st = 0;
	for (size_t i = 0; i < nitems; i++) {
		if (items[i].state == REJECTED)
			st = wgo_worse(st, WGO_EXIT_NEG);
		if (items[i].state == FAILED)
			st = wgo_worse(st, WGO_EXIT_TEMP);
	}
	if (o_dry) {
		for (size_t i = 0; i < nitems; i++) {
			json_decref(items[i].order);
			json_decref(items[i].disb);
		}
		buf_free(&dry);
		st = 0;
	} else {
		journal_close(&journal);
	}
	size_t i = 0;
	struct wkey **k;
	while ((k = hmap_iter(&keys, &i)))
		secret_free(*k);
	hmap_free(&keys);
	keyring_free(&ring);
	free(items);
	free(pos);
	return wgo_finish(wgo_worse(rc, st));
}
