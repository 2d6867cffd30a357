/* wgo-push: send signed orders (and stops) to the bank, many requests at once,
 * retrying what can be retried, never sending again what the bank has accepted,
 * and saying what happened. */
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
	"  -q, --quiet                do not report each unreadable or repeated record\n"
	WGO_PROGRESS_USAGE
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"      --now INSTANT          take this as the current time (push records say when)\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 all accepted or already accepted, 1 some rejected, 75 some failed\n"
	"for a reason that may pass (run again later), 2 usage or operational error (the\n"
	"bank refused the office's token, key or request: nothing more is sent).\n";

enum { PENDING, ACCEPTED, REJECTED, FAILED, SKIPPED };
static const char *const state_names[] = { "pending", "accepted", "rejected", "failed", "skipped" };

struct item {
	json_t *order, *disb; /* for a stop: the stop, and its item */
	int stop, local;      /* local: refused here, never sent */
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

/* What the input held once: a reference, its content, and where it was first. */
struct seen {
	char hash[33];
	const char *file;
	unsigned long line;
};

static struct batch *queue, **qtail = &queue, *waiting, *cur;
static size_t active, answered;
static struct http http;
static struct bank bank;
static struct buf dry;
static struct progress tail;
static int tailing;

static const char *o_endpoint, *o_token, *o_key, *o_pass, *o_keyring, *o_rejects;
static long o_token_fd = -1;
static long o_batch = 100, o_conc = 8, o_attempts = 8, o_max_delay = 30;
static int o_force, o_dry, o_quiet;

static struct item *items;
static size_t nitems, citems, emitted;
static struct keyring ring;
static struct journal journal;
static struct hmap keys; /* office -> struct wkey * */
static struct hmap seen; /* reference -> struct seen */
static size_t nrepeated;
/* The bank refused the office itself (its token, key, clock, or this client's
 * request): nothing more is sent. */
static int halted;
static char halt_why[600], last_failure[600];

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
	case 6: wgo_set_home(arg); break;
	case 7: wgo_opt_now(arg); break;
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

static void
set_code(struct item *it, int code, const char *msg)
{
	snprintf(it->code, sizeof it->code, "%s", api_code(code)->code);
	snprintf(it->msg, sizeof it->msg, "%s", msg);
}

static int
on_order(struct rloop *L, json_t *o, const struct rpos *pos, struct werr *e)
{
	int stop = !strcmp(jstr(o, "kind"), "stop");
	char ref[96], hash[33];
	json_t *disb = NULL;
	if (stop)
		api_stop_reference(o, ref, sizeof ref);
	else
		api_reference_id(o, ref, sizeof ref);
	const struct werr *ve = L->precheck_err;
	if (ve && o_dry) {
		*e = *ve; /* reported as the loop reports a record it cannot take */
		return -1;
	}
	if (!ve) {
		uint8_t h[16];
		if (stop) {
			disb = api_stop_item(o);
			api_stop_hash(disb, h);
		} else {
			disb = api_disbursement(o);
			api_content_hash(disb, h);
		}
		sodium_bin2hex(hash, sizeof hash, h, 16);
		/* The same revision twice in the input is sent once and has one push record;
		 * another content under its reference is refused here: the bank would take
		 * one of the two, whichever came first. */
		int isnew;
		struct seen *s = hmap_put(&seen, ref, &isnew);
		if (!isnew) {
			json_decref(disb);
			if (strcmp(s->hash, hash))
				return werr_set(e, "order", "%s: other content under a reference the input "
				                "holds already (%s:%lu): only one of them can be sent",
				                ref, s->file, s->line);
			nrepeated++;
			if (!o_quiet)
				warnf("%s:%lu: %s: the same order revision as at line %lu: sent once, "
				      "reported once", pos->file, pos->line, ref, s->line);
			return 0;
		}
		memcpy(s->hash, hash, sizeof hash);
		s->file = pos->file;
		s->line = pos->line;
	}
	if (nitems == citems) {
		citems = citems ? citems * 2 : 1024;
		items = xrealloc(items, citems * sizeof *items);
	}
	struct item *it = &items[nitems++];
	memset(it, 0, sizeof *it);
	it->order = json_incref(o);
	it->disb = disb;
	it->stop = stop;
	snprintf(it->ref, sizeof it->ref, "%s", ref);
	snprintf(it->office, sizeof it->office, "%s", jstr(o, "office"));
	if (ve) {
		/* Never sent: the bank must only see orders the office signed. */
		it->state = REJECTED;
		it->local = 1;
		char m[sizeof it->msg];
		snprintf(m, sizeof m, "%s%s%s", ve->field, ve->field[0] ? ": " : "", ve->msg);
		set_code(it, API_L_ORDER_SIGNATURE, m);
		drive(0);
		return 0;
	}
	memcpy(it->hash, hash, sizeof hash);
	const char *br = o_dry ? NULL : journal_accepted(&journal, it->ref, it->hash);
	if (br && !o_force) {
		it->state = SKIPPED;
		snprintf(it->bank_ref, sizeof it->bank_ref, "%s", br);
	} else if (halted) {
		it->state = FAILED;
		set_code(it, API_L_NOT_SENT, halt_why);
	} else {
		enqueue(nitems - 1);
	}
	drive(0);
	return 0;
}

static void
emit(void)
{
	struct rw w = { 0 };
	struct buf b = { 0 };
	for (; emitted < nitems && items[emitted].state != PENDING; emitted++) {
		struct item *it = &items[emitted];
		rw_begin(&w, "push");
		rw_json(&w, "order_no", json_object_get(it->order, "order_no"));
		rw_json(&w, "revision", json_object_get(it->order, "revision"));
		rw_str(&w, "reference_id", it->ref);
		rw_str(&w, "status", state_names[it->state]);
		if (it->bank_ref[0])
			rw_str(&w, "bank_ref", it->bank_ref);
		if (it->code[0])
			rw_str(&w, "code", it->code);
		if (it->msg[0])
			rw_str(&w, "message", it->msg);
		rw_int(&w, "attempts", it->attempts);
		/* When the bank answered: the day an order was sent, for wgo-track and
		 * wgo-report (--now or SOURCE_DATE_EPOCH fix it for tests). */
		char ts[21];
		instant_fmt(wgo_now(), ts);
		rw_str(&w, "at", ts);
		rw_end(&w, &b);
		json_decref(it->order);
		json_decref(it->disb);
		it->order = it->disb = NULL;
	}
	if (b.n && fwrite(b.p, 1, b.n, stdout) != b.n)
		die("<stdout>: write error:");
	buf_free(&b);
	rw_free(&w);
	fflush(stdout);
}

static void
build(struct batch *b, struct buf *out)
{
	int ep = b->stop ? API_STOP : API_DISBURSE;
	json_t *ds = json_array();
	for (size_t i = 0; i < b->n; i++)
		json_array_append(ds, items[b->idx[i]].disb);
	const struct wkey *k = office_key(b->office);
	if (api_envelope(out, api_endpoint(ep)->action, b->office, bank_receiver(), (long)b->n,
	                 api_batch_message(ep, ds), k) < 0)
		die("cannot make the request's canonical form");
}

static void
settle(struct batch *b, int state, int code, const char *msg)
{
	for (size_t i = 0; i < b->n; i++) {
		struct item *it = &items[b->idx[i]];
		if (it->state != PENDING)
			continue;
		it->state = state;
		it->attempts = b->attempts;
		set_code(it, code, msg);
	}
}

static void
batch_free(struct batch *b)
{
	buf_free(&b->req.body);
	buf_free(&b->req.resp);
	free(b->idx);
	free(b);
}

/* The bank refused the office, or the request as this client makes it: another
 * try mends nothing, so nothing more is sent; what waits is settled now. */
static void
halt(const char *why)
{
	halted = 1;
	warnf("the bank refused the request: %s", why);
	snprintf(halt_why, sizeof halt_why, "not sent: the bank refused the office's request (%s)", why);
	struct batch *lists[] = { queue, waiting, cur };
	for (int l = 0; l < 3; l++)
		for (struct batch *b = lists[l], *next; b; b = next) {
			next = l == 2 ? NULL : b->next;
			settle(b, FAILED, API_L_NOT_SENT, halt_why);
			answered += b->n;
			batch_free(b);
		}
	queue = waiting = cur = NULL;
	qtail = &queue;
}

/* What the bank said: 0 when settled, -1 to try again (why says why), -2 when
 * the bank refused the office (halted). */
static int
answer(struct batch *b, struct werr *why)
{
	struct api_answer an;
	int ep = b->stop ? API_STOP : API_DISBURSE;
	api_answer_read(&an, ep, &b->req);
	if (an.outcome == API_ANSWER_RETRY) {
		werr_set(why, "", "%s", an.why);
		api_answer_free(&an);
		return -1;
	}
	if (an.outcome == API_ANSWER_STOP) {
		settle(b, FAILED, an.code >= 0 ? an.code : API_L_NOT_SENT, an.why);
		halt(an.why);
		api_answer_free(&an);
		return -2;
	}
	struct hmap by_ref;
	hmap_init(&by_ref, sizeof(json_t *));
	size_t i;
	json_t *s;
	const char *ref, *br, *code, *msg;
	json_array_foreach(an.list, i, s)
		if (api_item_read(s, &ref, &br, &code, &msg) >= 0)
			*(json_t **)hmap_put(&by_ref, ref, NULL) = s;
	for (i = 0; i < b->n; i++)
		if (!hmap_get(&by_ref, items[b->idx[i]].ref)) {
			hmap_free(&by_ref);
			api_answer_free(&an);
			werr_set(why, "", "the bank's answer leaves out some of the request's items");
			return -1;
		}
	for (i = 0; i < b->n; i++) {
		struct item *it = &items[b->idx[i]];
		int ok = api_item_read(*(json_t **)hmap_get(&by_ref, it->ref), &ref, &br, &code, &msg);
		it->attempts = b->attempts;
		if (ok) {
			it->state = ACCEPTED;
			snprintf(it->bank_ref, sizeof it->bank_ref, "%s", br ? br : "");
			journal_add(&journal, it->ref, it->hash, it->bank_ref);
		} else {
			it->state = REJECTED;
			snprintf(it->code, sizeof it->code, "%s", code ? code : "rjct");
			snprintf(it->msg, sizeof it->msg, "%s", msg ? msg : "");
		}
	}
	hmap_free(&by_ref);
	api_answer_free(&an);
	return 0;
}

static void
submit(struct batch *b)
{
	if (o_dry) {
		build(b, &dry);
		buf_addc(&dry, '\n');
		if (fwrite(dry.p, 1, dry.n, stdout) != dry.n)
			die("<stdout>: write error:");
		batch_free(b);
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
		while (!halted && queue && active < (size_t)o_conc) {
			struct batch *b = queue;
			queue = b->next;
			if (!queue)
				qtail = &queue;
			b->attempts++;
			build(b, &b->req.body);
			b->req.user = b;
			http_start(&http, &b->req, api_endpoint(b->stop ? API_STOP : API_DISBURSE)->path);
			active++;
		}
		size_t queued = 0;
		for (struct batch *b = queue; b; b = b->next)
			queued++;
		int must = wait ? (queue || waiting || active) : queued >= (size_t)o_conc;
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
		if (halted) {
			/* Answered after the bank refused the office: what it says still counts. */
			int rc = answer(b, &why);
			if (rc == -1)
				settle(b, FAILED, API_L_NOT_SENT, halt_why);
		} else {
			int rc = answer(b, &why);
			if (rc == -1) {
				snprintf(last_failure, sizeof last_failure, "%s", why.msg);
				if (b->attempts < o_attempts) {
					b->not_before = now_ms() + http_backoff(b->attempts, r->retry_after,
					                                        o_max_delay * 1000);
					b->next = waiting;
					waiting = b;
					continue;
				}
				settle(b, FAILED, API_L_TRANSIENT, why.msg);
			}
		}
		answered += b->n;
		if (journal_sync(&journal, &e) < 0)
			die("%s: %s", e.field, e.msg);
		emit();
		if (tailing)
			progress_tick(&tail, answered, 0);
		batch_free(b);
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
		WGO_PROGRESS_OPTIONS,
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
	hmap_init(&seen, sizeof(struct seen));

	struct rloop L = { 0 };
	L.cb = on_order;
	L.precheck = check_order;
	L.kinds = kinds;
	L.validate = 1;
	L.quiet = o_quiet;
	L.unit = "orders";
	if (o_rejects)
		rec_rejects_to(&L, o_rejects);
	int rc = rec_loop(&L, npos, pos);
	if (L.rejects && L.rejects != stderr && fclose(L.rejects) == EOF)
		die("%s: write error:", o_rejects);

	if (cur && cur->n && !halted) {
		submit(cur);
		cur = NULL;
	}
	/* What is still on its way is shown while it is answered. */
	if (!o_dry && answered < nitems) {
		progress_start(&tail, "orders answered", 0, nitems);
		tailing = 1;
	}
	drive(1);
	if (tailing)
		progress_end(&tail);
	if (!o_dry) {
		http_free(&http);
		bank_free(&bank);
	}
	emit();
	size_t n[5] = { 0 }, local = 0;
	for (size_t i = 0; i < nitems; i++) {
		n[items[i].state]++;
		local += items[i].local;
	}
	int st = 0;
	if (n[REJECTED])
		st = wgo_worse(st, WGO_EXIT_NEG);
	if (n[FAILED] && !halted) {
		st = wgo_worse(st, WGO_EXIT_TEMP);
		warnf("%zu order%s not accepted for now (%s); run again later: what was accepted "
		      "is not sent twice", n[FAILED], n[FAILED] == 1 ? "" : "s", last_failure);
	}
	if (halted) {
		st = wgo_worse(st, WGO_EXIT_USAGE);
		warnf("%zu order%s not sent: the bank refused the office's request; correct what it "
		      "says, then run again", n[FAILED], n[FAILED] == 1 ? "" : "s");
	}
	char unread[300];
	if (L.nrejected && L.rejects_name)
		snprintf(unread, sizeof unread, "%lu rejected (in %s)", L.nrejected, L.rejects_name);
	else
		snprintf(unread, sizeof unread, "%lu rejected", L.nrejected);
	if (o_dry) {
		for (size_t i = 0; i < nitems; i++) {
			json_decref(items[i].order);
			json_decref(items[i].disb);
		}
		buf_free(&dry);
		summary("%lu read, %zu would be sent, %zu repeated (sent once), %s", L.nread, nitems,
		        nrepeated, unread);
	} else {
		journal_close(&journal);
		summary("%lu read, %zu accepted, %zu skipped (accepted before), %zu rejected by the bank, "
		        "%zu not signed by the office (never sent), %zu failed%s, %zu repeated (sent once), %s",
		        L.nread, n[ACCEPTED], n[SKIPPED], n[REJECTED] - local, local, n[FAILED],
		        halted ? " (not sent)" : " for now", nrepeated, unread);
	}
	size_t i = 0;
	struct wkey **k;
	while ((k = hmap_iter(&keys, &i)))
		secret_free(*k);
	hmap_free(&keys);
	hmap_free(&seen);
	keyring_free(&ring);
	free(items);
	free(pos);
	return wgo_finish(wgo_worse(rc, st));
}
