/* ddp-sandbox: a bank on loopback that speaks wgo-api(7), for rehearsal, demos,
 * tests and measurements: it checks envelopes and orders, accepts idempotently,
 * records life verifications, runs the bank's month, and injects faults. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: ddp-sandbox [OPTIONS]\n"
	"Serve the bank's side of wgo-api(7) on loopback, keeping its state in a directory.\n"
	"Prints the port it listens on, then serves until stopped (or --exit-after).\n"
	"\n"
	"Serving:\n"
	"  -d, --state DIR          state directory (default $WGO_HOME/sandbox)\n"
	"  -p, --port N             port; 0 picks a free one (default 8470)\n"
	"  -l, --listen ADDR        address to listen on (default 127.0.0.1)\n"
	"  -k, --keyring PATH       office public keys (default $WGO_HOME/keyring)\n"
	"  -t, --token-file FILE    \"OFFICE TOKEN\" lines, mode 0600 (default STATE/tokens)\n"
	"      --tls                serve HTTPS with --cert and --key (PEM files)\n"
	"      --cert FILE, --key FILE\n"
	"      --client-ca FILE     with --tls: require client certificates signed by FILE\n"
	"      --threads N          worker threads (default 4)\n"
	"      --log FILE           one JSON line per request (default STATE/requests.log)\n"
	"      --exit-after SECONDS stop by itself after this long\n"
	"\n"
	"The bank:\n"
	"      --today DATE         the bank's business date (default: today in Bangladesh)\n"
	"      --holidays FILE      holiday file for working days\n"
	"      --seed N             seed for returns, simulations, errors and faults (default 1)\n"
	"      --return-rate R      share of accepted orders sent back as returns (default 0)\n"
	"      --pay-error-rate R   share of payments made with an error by run-month (default 0)\n"
	"      --replay-window S    seconds message_ts may be off the clock (default 300)\n"
	"      --max-batch N        disbursements in one request (default 1000)\n"
	"      --max-body BYTES     request body limit (default 16777216)\n"
	"\n"
	"Faults (each a share of requests, seeded):\n"
	"      --latency MS         added before each request is handled\n"
	"      --fail-rate R        answered 503 before being handled\n"
	"      --throttle-rate R    answered 429 with Retry-After before being handled\n"
	"      --retry-after S      the Retry-After of 429 and 503 (default 1)\n"
	"      --drop-rate R        handled, then the connection is dropped without an answer\n"
	"      --slow-rate R        the answer is sent slowly, a few bytes at a time\n"
	"      --truncate-rate R    the answer is cut off half way\n"
	"\n"
	"  -h, --help               show this help\n"
	"  -V, --version            show the version\n"
	"\n"
	"Exit status: 0 stopped cleanly, 2 usage or operational error.\n";

/* ---- options ---- */

static const char *o_state, *o_listen = "127.0.0.1", *o_keyring, *o_tokens, *o_cert, *o_key,
                  *o_client_ca, *o_log, *o_holidays;
static int o_port = 8470, o_tls, o_threads = 4, o_replay = 300, o_max_batch = 1000,
           o_retry_after = 1, o_latency;
static long o_exit_after = -1, o_max_body = 16 << 20;
static uint64_t o_seed = 1;
static double o_return_rate, o_pay_error_rate, o_fail_rate, o_throttle_rate, o_drop_rate,
              o_slow_rate, o_truncate_rate;
static wdate today;

/* ---- state ---- */

struct acc {
	uint8_t hash[16];
	char bank_ref[24];
	char order_no[64];
	int revision, returned;
	json_t *order;
	wdate accepted;
};

/* A stop the bank took (POST /disburse/sync/stop): idempotent by content. */
struct stopref {
	uint8_t hash[16];
	char bank_ref[24];
};

enum { F_RETURNS, F_VERIFICATIONS, F_PAYMENTS, F_CARDS, NFEEDS };
static const char *const feed_names[NFEEDS] = { "returns", "verifications", "payments", "card_returns" };

struct feed {
	json_t **rec;
	size_t n, cap;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct hmap accs;     /* reference_id -> struct acc */
static struct hist hist;     /* every accepted order's life: revisions, returns, stops, ... */
static struct hmap stops;    /* ORDER_NO-stop -> struct stopref */
static struct hmap msgs;     /* message_id -> char */
static struct hmap paid;     /* "order_no|month" -> int (times paid) */
static struct hmap months;   /* "YYYY-MM" -> char: month runs done */
static struct feed feeds[9][NFEEDS];
static long long seq_bank_ref, seq_pay, seq_ver, seq_ret;
static struct store ledger;        /* STATE/ledger.jsonl, in the store; added to under mu */
static atomic_int ledger_broken;    /* a write or sync failed: take nothing more */
static struct keyring ring;
static struct calendar cal;
static struct sched_params params;
#define MAX_TOKENS 32
static struct token {
	char office[6];
	char token[256];
} *tokens; /* MAX_TOKENS of them, in secret memory */
static int ntokens;
static FILE *reqlog;
static pthread_mutex_t logmu = PTHREAD_MUTEX_INITIALIZER;
static atomic_ulong reqno;
static volatile sig_atomic_t stop_now;

static int
office_index(const char *o)
{
	const char *const *c = office_codes();
	for (int i = 0; c[i]; i++)
		if (!strcmp(c[i], o))
			return i;
	return -1;
}

/* A deterministic share: is the hash of (seed, salt, key) below rate? */
static double
unit(const char *salt, const char *key)
{
	uint8_t h[8];
	crypto_generichash_state s;
	crypto_generichash_init(&s, NULL, 0, sizeof h);
	crypto_generichash_update(&s, (const uint8_t *)&o_seed, sizeof o_seed);
	crypto_generichash_update(&s, (const uint8_t *)salt, strlen(salt));
	crypto_generichash_update(&s, (const uint8_t *)key, strlen(key));
	crypto_generichash_final(&s, h, sizeof h);
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | h[i];
	return (double)(v >> 11) / 9007199254740992.0;
}

static uint64_t
splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* ---- the ledger: every change, appended and synced before it is answered ---- */

static void
ledger_add(json_t *line)
{
	struct buf b = { 0 };
	json_dump_compact(line, &b);
	store_add(&ledger, b.p, b.n);
	buf_free(&b);
}

/* Under the lock: write what this request changed. What it wrote goes, whole lines
 * of it and all, when the write fails: the state in memory has run ahead of the
 * disk, so nothing more is taken until a restart replays the ledger. */
static int
ledger_write(void)
{
	struct werr e;
	if (store_write(&ledger, &e) < 0) {
		warnf("%s: %s", e.field, e.msg);
		ledger_broken = 1;
		return -1;
	}
	return 0;
}

/* After the lock, before answering: every write so far reaches the disk. Each
 * answer waits for a sync that began after its own write, so nothing answered is
 * ever lost, and requests do not queue behind each other's syncs. */
static int
ledger_durable(void)
{
	struct werr e;
	if (store_sync(&ledger, &e) < 0) {
		warnf("%s: %s", e.field, e.msg);
		ledger_broken = 1;
		return -1;
	}
	return 0;
}

static int
ledger_sync(void)
{
	return ledger_write() < 0 ? -1 : ledger_durable();
}

static void
feed_add(int office, int f, json_t *rec)
{
	struct feed *fd = &feeds[office][f];
	if (fd->n == fd->cap) {
		fd->cap = fd->cap ? fd->cap * 2 : 64;
		fd->rec = xrealloc(fd->rec, fd->cap * sizeof *fd->rec);
	}
	fd->rec[fd->n++] = json_incref(rec);
}

/* What the ledger holds goes into the order history; a line it refuses is reported
 * (the ledger was edited by hand) and otherwise left alone. */
static void
to_history(json_t *rec)
{
	static const struct rpos where = { "ledger.jsonl", 0 };
	struct werr e;
	if (hist_add(&hist, rec, &where, &e) < 0)
		warnf("ledger: %s %s: %s: %s", jstr(rec, "kind") ? jstr(rec, "kind") : "record",
		      jstr(rec, "order_no") ? jstr(rec, "order_no") : "?", e.field, e.msg);
}

static long long
num_after(const char *s, const char *prefix)
{
	return s && !strncmp(s, prefix, strlen(prefix)) ? atoll(s + strlen(prefix)) : 0;
}

static void
apply_acc(const char *ref, const uint8_t hash[16], const char *bank_ref, wdate date, json_t *order)
{
	int isnew;
	struct acc *a = hmap_put(&accs, ref, &isnew);
	memcpy(a->hash, hash, 16);
	snprintf(a->bank_ref, sizeof a->bank_ref, "%s", bank_ref);
	snprintf(a->order_no, sizeof a->order_no, "%s", jstr(order, "order_no"));
	a->revision = (int)jint(order, "revision", 0);
	a->order = json_incref(order);
	a->accepted = date;
	long long br = num_after(a->bank_ref, "DDP");
	if (br > seq_bank_ref)
		seq_bank_ref = br;
	to_history(order);
}

/* A stop taken: idempotency, and the history (nothing after it is paid). */
static void
apply_stop(json_t *l)
{
	uint8_t hash[16];
	size_t hl;
	json_t *stop = json_object_get(l, "stop");
	if (!jstr(l, "ref") || !jstr(l, "hash") || !json_is_object(stop))
		return;
	struct stopref *sr = hmap_put(&stops, jstr(l, "ref"), NULL);
	sodium_hex2bin(hash, 16, jstr(l, "hash"), 32, NULL, &hl, NULL);
	memcpy(sr->hash, hash, 16);
	snprintf(sr->bank_ref, sizeof sr->bank_ref, "%s", jstr(l, "bank_ref") ? jstr(l, "bank_ref") : "");
	long long br = num_after(sr->bank_ref, "DDP");
	if (br > seq_bank_ref)
		seq_bank_ref = br;
	to_history(stop);
}

/* A feed record the history reads: a return, a verification, a card return. */
static void
feed_to_history(int f, json_t *rec)
{
	if (f == F_RETURNS || f == F_VERIFICATIONS || f == F_CARDS)
		to_history(rec);
}

/* Apply one ledger line to memory: at start-up, and as each change is made. */
static void
apply(json_t *l)
{
	const char *t = jstr(l, "t");
	if (!t)
		return;
	if (!strcmp(t, "acc")) {
		uint8_t hash[16];
		size_t hl;
		wdate d;
		const char *why;
		sodium_hex2bin(hash, 16, jstr(l, "hash"), 32, NULL, &hl, NULL);
		date_parse(jstr(l, "date"), &d, &why);
		apply_acc(jstr(l, "ref"), hash, jstr(l, "bank_ref"), d, json_object_get(l, "order"));
	} else if (!strcmp(t, "msg")) {
		hmap_put(&msgs, jstr(l, "id"), NULL);
	} else if (!strcmp(t, "month")) {
		hmap_put(&months, jstr(l, "month"), NULL);
	} else if (!strcmp(t, "stop")) {
		apply_stop(l);
	} else if (!strcmp(t, "feed")) {
		json_t *rec = json_object_get(l, "rec");
		const char *f = jstr(l, "feed");
		int fi;
		for (fi = 0; fi < NFEEDS && strcmp(feed_names[fi], f); fi++)
			;
		int oi = office_index(jstr(rec, "office") ? jstr(rec, "office") : "");
		if (fi == NFEEDS || oi < 0)
			return;
		feed_add(oi, fi, rec);
		feed_to_history(fi, rec);
		const char *no = jstr(rec, "order_no");
		if (fi == F_RETURNS) {
			struct acc *a = hmap_get(&accs, jstr(rec, "reference_id"));
			if (a)
				a->returned = 1;
			long long v = num_after(jstr(rec, "return_id"), "RT");
			if (v > seq_ret)
				seq_ret = v;
		} else if (fi == F_VERIFICATIONS) {
			long long v = num_after(jstr(rec, "verification_id"), "LV");
			if (v > seq_ver)
				seq_ver = v;
		} else if (fi == F_PAYMENTS) {
			char k[96];
			snprintf(k, sizeof k, "%s|%s", no, jstr(rec, "month") ? jstr(rec, "month") : "lump");
			int *c = hmap_put(&paid, k, NULL);
			(*c)++;
			long long v = num_after(jstr(rec, "payment_id"), "PAY");
			if (v > seq_pay)
				seq_pay = v;
		}
	}
}

static void
commit(json_t *l)
{
	ledger_add(l);
	apply(l);
	json_decref(l);
}

/* The file an option names, or else NAME in the state directory. */
static char *
state_file(const char *given, const char *dir, const char *name)
{
	if (given)
		return xstrdup(given);
	char *p = xmalloc(strlen(dir) + strlen(name) + 2);
	sprintf(p, "%s/%s", dir, name);
	return p;
}

/* A signed record the ledger holds, checked as it was on the day the bank took it:
 * a key revoked since does not undo what the bank accepted before (it refuses
 * what comes signed with it from then on). */
static int
verify_as_of(json_t *rec, wdate taken, struct werr *e)
{
	wdate was = ring.today;
	ring.today = taken;
	int rc = order_verify(rec, &ring, e);
	ring.today = was;
	return rc;
}

/* A ledger line the sandbox wrote has what apply() needs, and an order it took
 * is one the bank can still stand behind: valid, in canonical form, signed by its
 * office's key. Anything else is damage, named by its line. */
static int
ledger_check(json_t *l, struct werr *e)
{
	static const char *const feed_kinds[NFEEDS] = { "return", "verification", "payment",
		                                        "card_return" };
	const char *t = jstr(l, "t"), *why;
	if (!t)
		return werr_set(e, "t", "missing: not a ledger line");
	if (!strcmp(t, "acc")) {
		const char *ref = jstr(l, "ref"), *hash = jstr(l, "hash"), *br = jstr(l, "bank_ref");
		json_t *order = json_object_get(l, "order");
		wdate d;
		char want[96];
		if (!ref || !hash || strlen(hash) != 32 || strspn(hash, "0123456789abcdef") != 32 || !br)
			return werr_set(e, "acc", "an acceptance has ref, hash (32 hex digits) and bank_ref");
		if (!jstr(l, "date") || date_parse(jstr(l, "date"), &d, &why) < 0)
			return werr_set(e, "date", "not a date");
		if (!json_is_object(order))
			return werr_set(e, "order", "missing");
		json_t *o = json_deep_copy(order);
		int rc = verify_as_of(o, d, e);
		json_decref(o);
		if (rc < 0) {
			werr_prefix(e, "order");
			return -1;
		}
		if (strcmp(api_reference_id(order, want, sizeof want), ref))
			return werr_set(e, "ref", "not the order's reference (%s)", want);
	} else if (!strcmp(t, "stop")) {
		const char *ref = jstr(l, "ref"), *hash = jstr(l, "hash"), *br = jstr(l, "bank_ref");
		json_t *stop = json_object_get(l, "stop");
		wdate d;
		if (!ref || !hash || strlen(hash) != 32 || strspn(hash, "0123456789abcdef") != 32 || !br)
			return werr_set(e, "stop", "a stop taken has ref, hash (32 hex digits) and bank_ref");
		if (!jstr(l, "date") || date_parse(jstr(l, "date"), &d, &why) < 0)
			return werr_set(e, "date", "not a date");
		if (!json_is_object(stop) || !jstr(stop, "kind") || strcmp(jstr(stop, "kind"), "stop"))
			return werr_set(e, "stop", "missing");
		json_t *o = json_deep_copy(stop);
		int rc = verify_as_of(o, d, e);
		json_decref(o);
		if (rc < 0) {
			werr_prefix(e, "stop");
			return -1;
		}
	} else if (!strcmp(t, "msg")) {
		if (!jstr(l, "id"))
			return werr_set(e, "id", "a message line has its message_id");
	} else if (!strcmp(t, "month")) {
		wmonth m;
		if (!jstr(l, "month") || month_parse(jstr(l, "month"), &m, &why) < 0)
			return werr_set(e, "month", "not a month");
	} else if (!strcmp(t, "feed")) {
		const char *f = jstr(l, "feed");
		json_t *rec = json_object_get(l, "rec");
		int fi;
		for (fi = 0; f && fi < NFEEDS && strcmp(feed_names[fi], f); fi++)
			;
		if (!f || fi == NFEEDS)
			return werr_set(e, "feed", "not one of the bank's feeds");
		if (!json_is_object(rec))
			return werr_set(e, "rec", "missing");
		json_t *r = json_deep_copy(rec);
		int rc = rec_validate(r, e);
		if (rc == 0 && strcmp(jstr(r, "kind"), feed_kinds[fi]))
			rc = werr_set(e, "kind", "a %s record in the %s feed", jstr(r, "kind"), f);
		if (rc == 0 && !jstr(r, "office"))
			rc = werr_set(e, "office", "missing: the feed is the office's");
		json_decref(r);
		if (rc < 0) {
			werr_prefix(e, "rec");
			return -1;
		}
	} else {
		return werr_set(e, "t", "unknown line \"%.20s\"", t);
	}
	return 0;
}

static int
on_ledger_line(void *ctx, const struct store_rec *r, struct werr *e)
{
	json_t *l = json_loadb(r->p, r->n, JSON_REJECT_DUPLICATES, NULL);
	if (!l)
		return werr_set(e, "", "not JSON");
	int rc = ledger_check(l, e);
	if (rc == 0)
		apply(l);
	json_decref(l);
	return rc;
}

/* The ledger, locked: a second sandbox on the same state refuses to start. */
static int
ledger_open(const char *dir, struct werr *e)
{
	char *p = state_file(NULL, dir, "ledger.jsonl"), *lp = state_file(NULL, dir, "lock");
	struct store_opts o = { .check = STORE_SUM, .lock = STORE_TRY, .lockpath = lp };
	int rc = store_open(&ledger, p, &o, on_ledger_line, NULL, e);
	if (rc < 0 && !strcmp(e->field, lp))
		snprintf(e->msg + strlen(e->msg), sizeof e->msg - strlen(e->msg),
		         " by another ddp-sandbox on this state directory");
	free(p);
	free(lp);
	return rc;
}

/* ---- answers ---- */

struct answer {
	int http;
	struct buf body;
	int drop;     /* handled, then drop the connection */
	int slow, truncate;
	long retry_after;
	char fault[16];
	char sender[8], message_id[40];
	long items;
};

static void
answer_json(struct answer *a, int http, json_t *j)
{
	a->http = http;
	a->body.n = 0;
	json_dump_compact(j, &a->body);
	json_decref(j);
}

static json_t *
resp_header(const char *action, const char *receiver, const char *status, const char *code,
            const char *msg, long total, long done)
{
	char mid[33], ts[21];
	api_message_id(mid);
	instant_fmt((int64_t)time(NULL), ts);
	json_t *h = json_object();
	json_object_set_new(h, "version", json_string(API_VERSION));
	json_object_set_new(h, "message_id", json_string(mid));
	json_object_set_new(h, "message_ts", json_string(ts));
	json_object_set_new(h, "action", json_string(action));
	json_object_set_new(h, "status", json_string(status));
	if (code) {
		json_object_set_new(h, "status_reason_code", json_string(code));
		json_object_set_new(h, "status_reason_message", json_string(msg));
	}
	json_object_set_new(h, "total_count", json_integer(total));
	json_object_set_new(h, "completed_count", json_integer(done));
	json_object_set_new(h, "sender_id", json_string(API_BANK_ID));
	json_object_set_new(h, "receiver_id", json_string(receiver ? receiver : ""));
	return h;
}

static void
answer_error(struct answer *a, const struct api_err *e, const char *action, const char *receiver)
{
	json_t *env = json_object();
	json_object_set_new(env, "header",
	                    resp_header(action, receiver, "rjct", e->code, e->msg, 0, 0));
	answer_json(a, e->http, env);
}

/* ---- authentication ---- */

static const char *
token_office(struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!h || strncmp(h, "Bearer ", 7))
		return NULL;
	const char *t = h + 7;
	size_t tl = strlen(t);
	const char *who = NULL;
	for (int i = 0; i < ntokens; i++) {
		size_t l = strlen(tokens[i].token);
		if (l == tl && sodium_memcmp(tokens[i].token, t, l) == 0)
			who = tokens[i].office;
	}
	return who;
}

/* ---- /disburse/sync/disburse ---- */

static json_t *
item_status(const char *ref, const char *status, const char *code, const char *msg,
            const char *bank_ref)
{
	char ts[21];
	instant_fmt((int64_t)time(NULL), ts);
	json_t *s = json_object();
	json_object_set_new(s, "reference_id", json_string(ref ? ref : ""));
	json_object_set_new(s, "timestamp", json_string(ts));
	json_object_set_new(s, "status", json_string(status));
	if (code) {
		json_object_set_new(s, "status_reason_code", json_string(code));
		json_object_set_new(s, "status_reason_message", json_string(msg));
	}
	if (bank_ref)
		json_object_set_new(s, "bank_ref", json_string(bank_ref));
	return s;
}

/* Checks that need no shared state: NULL when the item may be accepted. */
static json_t *
check_item(json_t *d, const char *sender, uint8_t hash[16])
{
	const char *ref = jstr(d, "reference_id");
	json_t *order = json_object_get(d, "order");
	char no[64], number[64], routing[32], want[96];
	int rev;
	struct werr e;
	if (!ref || api_parse_reference(ref, no, sizeof no, &rev) < 0)
		return item_status(ref, "rjct", "rjct.reference_id.invalid", "not ORDER_NO-rREVISION", NULL);
	if (!json_is_object(order) || !jstr(order, "kind") || strcmp(jstr(order, "kind"), "order"))
		return item_status(ref, "rjct", "rjct.order.invalid", "the disbursement carries no order", NULL);
	if (order_verify(order, &ring, &e) < 0) {
		char m[sizeof e.field + sizeof e.msg + 4];
		snprintf(m, sizeof m, "%s%s%s", e.field, e.field[0] ? ": " : "", e.msg);
		const char *code = !strncmp(e.field, "signature", 9) || strstr(e.msg, "key")
		                   ? "rjct.order.signature" : "rjct.order.invalid";
		return item_status(ref, "rjct", code, m, NULL);
	}
	if (strcmp(jstr(order, "office"), sender))
		return item_status(ref, "rjct", "rjct.order.office", "the order is another office's", NULL);
	api_reference_id(order, want, sizeof want);
	if (strcmp(want, ref))
		return item_status(ref, "rjct", "rjct.reference_id.invalid",
		                   "reference_id is not the order's number and revision", NULL);
	char payer[32];
	snprintf(payer, sizeof payer, "bkkb:%s", sender);
	if (!jstr(d, "payer_fa") || strcmp(jstr(d, "payer_fa"), payer))
		return item_status(ref, "rjct", "rjct.payer_fa.invalid", "payer_fa is not the office's", NULL);
	if (api_parse_payee_fa(jstr(d, "payee_fa"), number, routing) < 0)
		return item_status(ref, "rjct", "rjct.payee_fa.invalid", "payee_fa is not account:NUMBER@ROUTING", NULL);
	char norm[32];
	const char *why;
	if (routing_check(routing, norm, sizeof norm, &why) < 0) {
		char m[200];
		snprintf(m, sizeof m, "routing number: %s", why);
		return item_status(ref, "rjct", "rjct.payee_fa.invalid", m, NULL);
	}
	if (account_check(number, norm, sizeof norm, &why) < 0) {
		char m[200];
		snprintf(m, sizeof m, "account number: %s", why);
		return item_status(ref, "rjct", "rjct.payee_fa.invalid", m, NULL);
	}
	if (strcmp(number, json_string_value(jget(order, "account.number"))) ||
	    strcmp(routing, json_string_value(jget(order, "account.routing"))))
		return item_status(ref, "rjct", "rjct.payee_fa.invalid", "payee_fa is not the order's account", NULL);
	if (!jstr(d, "currency_code") || strcmp(jstr(d, "currency_code"), "BDT"))
		return item_status(ref, "rjct", "rjct.currency_code.invalid", "the currency is BDT", NULL);
	int64_t amt;
	if (api_amount_parse(jstr(d, "amount"), &amt, &why) < 0)
		return item_status(ref, "rjct", "rjct.amount.invalid", why, NULL);
	if (amt != jint(order, "total_poisha", -1))
		return item_status(ref, "rjct", "rjct.amount.invalid", "amount is not the order's total", NULL);
	api_content_hash(d, hash);
	return NULL;
}

static json_t *
accept_item(json_t *d, const uint8_t hash[16], const char *order_text)
{
	const char *ref = jstr(d, "reference_id");
	json_t *order = json_object_get(d, "order");
	struct acc *a = hmap_get(&accs, ref);
	if (a) {
		if (memcmp(a->hash, hash, 16))
			return item_status(ref, "rjct", "rjct.reference_id.duplicate",
			                   "this reference_id was accepted with other content", NULL);
		return item_status(ref, "succ", NULL, NULL, a->bank_ref); /* the same again */
	}
	struct hist_order *o = hist_find(&hist, jstr(order, "order_no"));
	if (o && hist_latest(o)->revision > jint(order, "revision", 0)) {
		char m[100];
		snprintf(m, sizeof m, "revision %d of this order is in force", hist_latest(o)->revision);
		return item_status(ref, "rjct", "rjct.revision.superseded", m, NULL);
	}
	char br[24], hex[33], ds[11];
	snprintf(br, sizeof br, "DDP%010lld", seq_bank_ref + 1);
	sodium_bin2hex(hex, sizeof hex, hash, 16);
	date_fmt(today, ds);
	/* The order was written out before the lock was taken. */
	struct buf line = { 0 };
	buf_adds(&line, "{\"t\":\"acc\",\"ref\":");
	json_put_string(&line, ref, strlen(ref));
	buf_printf(&line, ",\"hash\":\"%s\",\"bank_ref\":\"%s\",\"date\":\"%s\",\"order\":", hex, br, ds);
	buf_adds(&line, order_text);
	buf_addc(&line, '}');
	store_add(&ledger, line.p, line.n);
	buf_free(&line);
	apply_acc(ref, hash, br, today, order);
	/* Some accepted orders come back: the bank found them faulty. */
	if (o_return_rate > 0 && unit("return", ref) < o_return_rate) {
		static const char *const codes[] = { "AC01", "AC01", "AC01", "AC04", "AC06", "BE01", "MD07" };
		static const char *const reasons[] = {
			"incorrect account number", "incorrect account number", "incorrect account number",
			"closed account", "blocked account", "inconsistent with end customer",
			"end customer deceased" };
		int k = (int)(unit("return-code", ref) * 7);
		char rid[24], rd[11];
		snprintf(rid, sizeof rid, "RT%010lld", ++seq_ret);
		date_fmt(cal_add_workdays(&cal, today, 1), rd);
		json_t *r = rec_new("return");
		json_object_set_new(r, "return_id", json_string(rid));
		json_object_set_new(r, "reference_id", json_string(ref));
		json_object_set(r, "order_no", json_object_get(order, "order_no"));
		json_object_set(r, "revision", json_object_get(order, "revision"));
		json_object_set(r, "office", json_object_get(order, "office"));
		json_object_set_new(r, "code", json_string(codes[k]));
		json_object_set_new(r, "reason", json_string(reasons[k]));
		json_object_set_new(r, "date", json_string(rd));
		json_t *fl = json_object();
		json_object_set_new(fl, "t", json_string("feed"));
		json_object_set_new(fl, "feed", json_string("returns"));
		json_object_set_new(fl, "rec", r);
		commit(fl);
	}
	return item_status(ref, "succ", NULL, NULL, br);
}

static void
do_disburse(struct answer *a, json_t *env)
{
	json_t *h = json_object_get(env, "header"), *m = json_object_get(env, "message");
	const char *sender = jstr(h, "sender_id");
	json_t *ds = json_object_get(m, "disbursements");
	struct api_err e;
	if (!json_is_array(ds) || !jstr(m, "transaction_id")) {
		api_err(&e, 400, "err.request.bad", "message has transaction_id and disbursements[]");
		answer_error(a, &e, "on-disburse", sender);
		return;
	}
	size_t n = json_array_size(ds);
	if ((long)n != jint(h, "total_count", -1)) {
		api_err(&e, 400, "err.request.bad", "total_count is not the number of disbursements");
		answer_error(a, &e, "on-disburse", sender);
		return;
	}
	if (n > (size_t)o_max_batch) {
		api_err(&e, 413, "err.batch.too_large", "at most %d disbursements a request", o_max_batch);
		answer_error(a, &e, "on-disburse", sender);
		return;
	}
	a->items = (long)n;
	/* The expensive checks (signatures) run outside the lock, in parallel. */
	json_t **st = xcalloc(n ? n : 1, sizeof *st);
	uint8_t (*hash)[16] = xcalloc(n ? n : 1, 16);
	char **text = xcalloc(n ? n : 1, sizeof *text);
	size_t i;
	json_t *d;
	json_array_foreach(ds, i, d) {
		st[i] = json_is_object(d) ? check_item(d, sender, hash[i])
		                          : item_status(NULL, "rjct", "rjct.request.bad", "not an object", NULL);
		if (!st[i]) {
			struct buf b = { 0 };
			rec_dump(json_object_get(d, "order"), &b);
			b.p[b.n - 1] = 0; /* no newline */
			text[i] = b.p;
		}
	}
	pthread_mutex_lock(&mu);
	if (hmap_get(&msgs, jstr(h, "message_id"))) {
		pthread_mutex_unlock(&mu);
		for (i = 0; i < n; i++) {
			json_decref(st[i]);
			free(text[i]);
		}
		free(st);
		free(hash);
		free(text);
		api_err(&e, 409, "err.message_id.duplicate", "this message_id was seen before");
		answer_error(a, &e, "on-disburse", sender);
		return;
	}
	json_t *ml = json_object();
	json_object_set_new(ml, "t", json_string("msg"));
	json_object_set(ml, "id", json_object_get(h, "message_id"));
	commit(ml);
	long done = 0;
	json_array_foreach(ds, i, d) {
		if (!st[i])
			st[i] = accept_item(d, hash[i], text[i]);
		done += !strcmp(jstr(st[i], "status"), "succ");
	}
	int rc = ledger_write();
	pthread_mutex_unlock(&mu);
	if (rc == 0)
		rc = ledger_durable();
	free(hash);
	for (i = 0; i < n; i++)
		free(text[i]);
	free(text);
	json_t *out = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(out, st[i]);
	free(st);
	if (rc < 0) {
		json_decref(out);
		api_err(&e, 500, "err.server.storage", "the bank could not record the request");
		answer_error(a, &e, "on-disburse", sender);
		return;
	}
	json_t *msg = json_object();
	json_object_set(msg, "transaction_id", json_object_get(m, "transaction_id"));
	json_object_set_new(msg, "disbursements_status", out);
	json_t *r = json_object();
	json_object_set_new(r, "header", resp_header("on-disburse", sender, "succ", NULL, NULL, (long)n, done));
	json_object_set_new(r, "message", msg);
	answer_json(a, 200, r);
}

/* ---- /disburse/sync/stop: the end of an order ---- */

/* Checks that need no shared state: NULL when the stop may be taken. */
static json_t *
check_stop(json_t *d, const char *sender, uint8_t hash[16])
{
	const char *ref = jstr(d, "reference_id");
	json_t *stop = json_object_get(d, "stop");
	char want[96];
	struct werr e;
	if (!json_is_object(stop) || !jstr(stop, "kind") || strcmp(jstr(stop, "kind"), "stop"))
		return item_status(ref, "rjct", "rjct.stop.invalid", "the item carries no stop", NULL);
	if (!ref || strcmp(api_stop_reference(stop, want, sizeof want), ref))
		return item_status(ref, "rjct", "rjct.reference_id.invalid",
		                   "reference_id is not the stop's ORDER_NO-stop", NULL);
	if (order_verify(stop, &ring, &e) < 0) {
		char m[sizeof e.field + sizeof e.msg + 4];
		snprintf(m, sizeof m, "%s%s%s", e.field, e.field[0] ? ": " : "", e.msg);
		const char *code = !strncmp(e.field, "signature", 9) || strstr(e.msg, "key")
		                   ? "rjct.stop.signature" : "rjct.stop.invalid";
		return item_status(ref, "rjct", code, m, NULL);
	}
	if (strcmp(jstr(stop, "office"), sender))
		return item_status(ref, "rjct", "rjct.order.office", "the stop is another office's", NULL);
	api_stop_hash(d, hash);
	return NULL;
}

static json_t *
accept_stop(json_t *d, const uint8_t hash[16])
{
	const char *ref = jstr(d, "reference_id");
	json_t *stop = json_object_get(d, "stop");
	struct stopref *sr = hmap_get(&stops, ref);
	if (sr) {
		if (memcmp(sr->hash, hash, 16))
			return item_status(ref, "rjct", "rjct.reference_id.duplicate",
			                   "the order was stopped with other content", NULL);
		return item_status(ref, "succ", NULL, NULL, sr->bank_ref); /* the same again */
	}
	struct hist_order *o = hist_find(&hist, jstr(stop, "order_no"));
	if (!o)
		return item_status(ref, "rjct", "rjct.order.unknown", "no accepted order by that number", NULL);
	wdate sd;
	const char *why;
	if (date_parse(jstr(stop, "date"), &sd, &why) < 0 || sd < o->issued)
		return item_status(ref, "rjct", "rjct.stop.invalid", "the stop is dated before the order", NULL);
	char br[24], hex[33], ds[11];
	snprintf(br, sizeof br, "DDP%010lld", seq_bank_ref + 1);
	sodium_bin2hex(hex, sizeof hex, hash, 16);
	date_fmt(today, ds);
	json_t *l = json_object();
	json_object_set_new(l, "t", json_string("stop"));
	json_object_set_new(l, "ref", json_string(ref));
	json_object_set_new(l, "hash", json_string(hex));
	json_object_set_new(l, "bank_ref", json_string(br));
	json_object_set_new(l, "date", json_string(ds));
	json_object_set(l, "stop", stop);
	commit(l);
	return item_status(ref, "succ", NULL, NULL, br);
}

static void
do_stop(struct answer *a, json_t *env)
{
	json_t *h = json_object_get(env, "header"), *m = json_object_get(env, "message");
	const char *sender = jstr(h, "sender_id");
	json_t *ds = json_object_get(m, "stops");
	struct api_err e;
	if (!json_is_array(ds) || !jstr(m, "transaction_id")) {
		api_err(&e, 400, "err.request.bad", "message has transaction_id and stops[]");
		answer_error(a, &e, "on-stop", sender);
		return;
	}
	size_t n = json_array_size(ds);
	if ((long)n != jint(h, "total_count", -1)) {
		api_err(&e, 400, "err.request.bad", "total_count is not the number of stops");
		answer_error(a, &e, "on-stop", sender);
		return;
	}
	if (n > (size_t)o_max_batch) {
		api_err(&e, 413, "err.batch.too_large", "at most %d stops a request", o_max_batch);
		answer_error(a, &e, "on-stop", sender);
		return;
	}
	a->items = (long)n;
	/* Signatures are checked outside the lock. */
	json_t **st = xcalloc(n ? n : 1, sizeof *st);
	uint8_t (*hash)[16] = xcalloc(n ? n : 1, 16);
	size_t i;
	json_t *d;
	json_array_foreach(ds, i, d)
		st[i] = json_is_object(d) ? check_stop(d, sender, hash[i])
		                          : item_status(NULL, "rjct", "rjct.request.bad", "not an object", NULL);
	pthread_mutex_lock(&mu);
	if (hmap_get(&msgs, jstr(h, "message_id"))) {
		pthread_mutex_unlock(&mu);
		for (i = 0; i < n; i++)
			json_decref(st[i]);
		free(st);
		free(hash);
		api_err(&e, 409, "err.message_id.duplicate", "this message_id was seen before");
		answer_error(a, &e, "on-stop", sender);
		return;
	}
	json_t *ml = json_object();
	json_object_set_new(ml, "t", json_string("msg"));
	json_object_set(ml, "id", json_object_get(h, "message_id"));
	commit(ml);
	long done = 0;
	json_array_foreach(ds, i, d) {
		if (!st[i])
			st[i] = accept_stop(d, hash[i]);
		done += !strcmp(jstr(st[i], "status"), "succ");
	}
	int rc = ledger_write();
	pthread_mutex_unlock(&mu);
	if (rc == 0)
		rc = ledger_durable();
	free(hash);
	json_t *out = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(out, st[i]);
	free(st);
	if (rc < 0) {
		json_decref(out);
		api_err(&e, 500, "err.server.storage", "the bank could not record the request");
		answer_error(a, &e, "on-stop", sender);
		return;
	}
	json_t *msg = json_object();
	json_object_set(msg, "transaction_id", json_object_get(m, "transaction_id"));
	json_object_set_new(msg, "stops_status", out);
	json_t *r = json_object();
	json_object_set_new(r, "header", resp_header("on-stop", sender, "succ", NULL, NULL, (long)n, done));
	json_object_set_new(r, "message", msg);
	answer_json(a, 200, r);
}

/* ---- /disburse/sync/txn/status ---- */

static void
do_status(struct answer *a, json_t *env)
{
	json_t *h = json_object_get(env, "header"), *m = json_object_get(env, "message");
	json_t *refs = json_object_get(m, "reference_ids"), *r;
	const char *sender = jstr(h, "sender_id");
	struct api_err e;
	if (!json_is_array(refs)) {
		api_err(&e, 400, "err.request.bad", "message has reference_ids[]");
		answer_error(a, &e, "on-txn-status", sender);
		return;
	}
	json_t *out = json_array();
	size_t i;
	pthread_mutex_lock(&mu);
	json_array_foreach(refs, i, r) {
		const char *ref = json_string_value(r);
		struct acc *ac = ref ? hmap_get(&accs, ref) : NULL;
		if (ac && !strcmp(jstr(ac->order, "office"), sender))
			json_array_append_new(out, item_status(ref, "succ", ac->returned ? "rjct.returned" : NULL,
			                                       ac->returned ? "accepted, then returned" : NULL,
			                                       ac->bank_ref));
		else
			json_array_append_new(out, item_status(ref, "rjct", "rjct.reference_id.invalid",
			                                       "no such disbursement", NULL));
	}
	pthread_mutex_unlock(&mu);
	json_t *msg = json_object();
	if (json_object_get(m, "transaction_id"))
		json_object_set(msg, "transaction_id", json_object_get(m, "transaction_id"));
	json_object_set_new(msg, "disbursements_status", out);
	json_t *resp = json_object();
	json_object_set_new(resp, "header", resp_header("on-txn-status", sender, "succ", NULL, NULL,
	                                                (long)json_array_size(out), (long)json_array_size(out)));
	json_object_set_new(resp, "message", msg);
	answer_json(a, 200, resp);
}

/* ---- the feeds ---- */

static void
do_feed(struct answer *a, json_t *env, int f)
{
	json_t *h = json_object_get(env, "header"), *m = json_object_get(env, "message");
	const char *sender = jstr(h, "sender_id"), *cur = jstr(m, "cursor"), *mon = jstr(m, "month");
	long limit = jint(m, "limit", 500), from = 0;
	struct api_err e;
	wmonth want = -1;
	const char *why;
	if (cur && uint_parse(cur, 1L << 40, &from) < 0) {
		api_err(&e, 400, "err.cursor.invalid", "cursor is not one this bank gave");
		answer_error(a, &e, "on-feed", sender);
		return;
	}
	if (limit < 1 || limit > 5000) {
		api_err(&e, 400, "err.request.bad", "limit is 1 to 5000");
		answer_error(a, &e, "on-feed", sender);
		return;
	}
	if (f == F_PAYMENTS && (!mon || month_parse(mon, &want, &why) < 0)) {
		api_err(&e, 400, "err.request.bad", "the payments feed needs month YYYY-MM");
		answer_error(a, &e, "on-feed", sender);
		return;
	}
	int oi = office_index(sender);
	json_t *recs = json_array();
	pthread_mutex_lock(&mu);
	struct feed *fd = &feeds[oi][f];
	size_t i = (size_t)from;
	for (; i < fd->n && (long)json_array_size(recs) < limit; i++) {
		json_t *r = fd->rec[i];
		if (want >= 0) {
			wdate pd;
			if (date_parse(jstr(r, "paid"), &pd, &why) < 0 || date_month(pd) != want)
				continue;
		}
		json_array_append(recs, r);
	}
	int more = i < fd->n;
	pthread_mutex_unlock(&mu);
	char next[24];
	snprintf(next, sizeof next, "%zu", i);
	json_t *msg = json_object();
	json_object_set_new(msg, "feed", json_string(feed_names[f]));
	json_object_set_new(msg, "records", recs);
	json_object_set_new(msg, "next_cursor", json_string(next));
	json_object_set_new(msg, "more", json_boolean(more));
	json_t *resp = json_object();
	json_object_set_new(resp, "header", resp_header("on-feed", sender, "succ", NULL, NULL,
	                                                (long)json_array_size(recs), (long)json_array_size(recs)));
	json_object_set_new(resp, "message", msg);
	answer_json(a, 200, resp);
}

/* ---- the sandbox's own endpoints: branches, simulation, the bank's month ---- */

static json_t *
verification_rec(const struct hist_order *o, wdate d, const char *branch, const char *method)
{
	char id[24];
	snprintf(id, sizeof id, "LV%010lld", seq_ver + 1);
	json_t *r = rec_new("verification");
	json_object_set_new(r, "verification_id", json_string(id));
	json_object_set_new(r, "order_no", json_string(o->order_no));
	json_object_set_new(r, "office", json_string(o->office));
	char ds[11];
	date_fmt(d, ds);
	json_object_set_new(r, "date", json_string(ds));
	json_object_set_new(r, "branch", json_string(branch));
	if (method)
		json_object_set_new(r, "method", json_string(method));
	return r;
}

static void
feed_commit(const char *feed, json_t *rec)
{
	json_t *l = json_object();
	json_object_set_new(l, "t", json_string("feed"));
	json_object_set_new(l, "feed", json_string(feed));
	json_object_set_new(l, "rec", rec);
	commit(l);
}

static void
plain_error(struct answer *a, int http, const char *code, const char *msg)
{
	json_t *j = json_object();
	json_object_set_new(j, "error", json_string(code));
	json_object_set_new(j, "message", json_string(msg));
	answer_json(a, http, j);
}

/* A branch records an appearance, by the toolkit's one rule for verifications:
 * not on a day the order was verified already, not before the order was issued,
 * not more than a year after the bank's date. */
static void
do_verify(struct answer *a, json_t *b)
{
	const char *no = jstr(b, "order_no"), *ds = jstr(b, "date"), *br = jstr(b, "branch"), *why;
	wdate d;
	char norm[16];
	if (!no || !ds || date_parse(ds, &d, &why) < 0) {
		plain_error(a, 400, "err.request.bad", "give order_no, date (YYYY-MM-DD) and branch");
		return;
	}
	pthread_mutex_lock(&mu);
	struct hist_order *o = hist_find(&hist, no);
	if (!o) {
		pthread_mutex_unlock(&mu);
		plain_error(a, 404, "err.order.unknown", "no accepted order by that number");
		return;
	}
	if (!br)
		br = hist_in_force(o, d) ? hist_in_force(o, d)->routing : hist_latest(o)->routing;
	if (routing_check(br, norm, sizeof norm, &why) < 0) {
		pthread_mutex_unlock(&mu);
		plain_error(a, 400, "err.request.bad", "branch is not a valid routing number");
		return;
	}
	struct werr e;
	int rule = hist_verification_check(&hist, o, d, &e);
	if (rule) {
		pthread_mutex_unlock(&mu);
		plain_error(a, rule > 0 ? 409 : 400,
		            rule > 0 ? "err.verification.duplicate" : "err.verification.date", e.msg);
		return;
	}
	json_t *r = verification_rec(o, d, norm, jstr(b, "method"));
	json_incref(r);
	feed_commit("verifications", r);
	int rc = ledger_sync();
	pthread_mutex_unlock(&mu);
	if (rc < 0) {
		json_decref(r);
		plain_error(a, 500, "err.server.storage", "could not record it");
		return;
	}
	answer_json(a, 200, r);
}

static int
namecmp(const void *x, const void *y)
{
	return strcmp((*(struct hist_order *const *)x)->order_no, (*(struct hist_order *const *)y)->order_no);
}

/* Orders by number, for runs that must come out the same every time. */
static struct hist_order **
sorted_orders(size_t *n)
{
	struct hist_order *const *all = hist_orders(&hist, n);
	struct hist_order **o = xmalloc((*n + 1) * sizeof *o);
	if (*n) {
		memcpy(o, all, *n * sizeof *o);
		qsort(o, *n, sizeof *o, namecmp);
	}
	return o;
}

static wdate
workday_on_or_after(wdate d)
{
	while (!cal_is_workday(&cal, d))
		d++;
	return d;
}

/* The day the bank first accepted a revision of the order. */
static wdate
accepted_on(const struct hist_order *o)
{
	wdate first = HIST_NEVER;
	for (uint32_t i = 0; i < o->nrev; i++) {
		char ref[96];
		snprintf(ref, sizeof ref, "%s-r%d", o->order_no, o->rev[i].revision);
		const struct acc *ac = hmap_get(&accs, ref);
		if (ac && ac->accepted < first)
			first = ac->accepted;
	}
	return first == HIST_NEVER ? o->issued : first;
}

static void
do_simulate(struct answer *a, json_t *b)
{
	const char *why, *th = jstr(b, "through");
	wdate through;
	double late = json_number_value(json_object_get(b, "late"));
	double never = json_number_value(json_object_get(b, "never"));
	long within = jint(b, "first_within", 10);
	if (!th || date_parse(th, &through, &why) < 0 || late < 0 || never < 0 || late + never > 1 ||
	    within < 1 || within > 365) {
		plain_error(a, 400, "err.request.bad",
		            "give through (YYYY-MM-DD), late and never (shares), first_within (days)");
		return;
	}
	if (through > hist.horizon) {
		char hs[11], m[120];
		date_fmt(hist.horizon, hs);
		snprintf(m, sizeof m, "through is after %s, a year after the bank's date", hs);
		plain_error(a, 400, "err.request.bad", m);
		return;
	}
	long counts[3] = { 0 }, added = 0;
	pthread_mutex_lock(&mu);
	size_t n;
	struct hist_order **ords = sorted_orders(&n);
	for (size_t i = 0; i < n; i++) {
		struct hist_order *o = ords[i];
		if (o->nver)
			continue; /* already has verifications: leave it as it is */
		const char *no = o->order_no;
		double u = unit("population", no);
		int kind = u < never ? 2 : u < never + late ? 1 : 0; /* 0 on time, 1 late, 2 never */
		counts[kind]++;
		if (kind == 2)
			continue;
		const char *branch = hist_latest(o)->routing;
		wdate d = workday_on_or_after(accepted_on(o) + 1 + (wdate)(unit("first", no) * (double)within));
		int round = 0;
		int lump = hist_latest(o)->so.lump;
		while (d <= through) {
			struct werr e;
			if (hist_verification_check(&hist, o, d, &e) == 0) {
				feed_commit("verifications", verification_rec(o, d, branch, "biometric"));
				added++;
			}
			if (lump)
				break;
			char salt[32];
			snprintf(salt, sizeof salt, "next%d", ++round);
			wdate from = sched_window_from(&params, d), to = sched_window_to(&params, d);
			if (kind == 0)
				d = workday_on_or_after(from + (wdate)(unit(salt, no) * (double)(to - from)));
			else
				d = workday_on_or_after(to + 1 + (wdate)(unit(salt, no) * 60));
		}
	}
	free(ords);
	int rc = ledger_sync();
	pthread_mutex_unlock(&mu);
	if (rc < 0) {
		plain_error(a, 500, "err.server.storage", "could not record it");
		return;
	}
	json_t *j = json_object();
	json_object_set_new(j, "on_time", json_integer(counts[0]));
	json_object_set_new(j, "late", json_integer(counts[1]));
	json_object_set_new(j, "never", json_integer(counts[2]));
	json_object_set_new(j, "verifications", json_integer(added));
	answer_json(a, 200, j);
}

/* A payment of an item: against the revision in force on its due date, into the
 * account given (that revision's, unless the bank erred). */
static json_t *
payment_rec(const struct hist_order *o, const struct hist_item *it, int64_t amount, wdate paid_on,
            const char *routing, const char *number, long long seq)
{
	char id[24], ref[96], ds[11], ms[8];
	snprintf(id, sizeof id, "PAY%010lld", seq);
	snprintf(ref, sizeof ref, "%s-r%d", o->order_no, it->rev->revision);
	date_fmt(paid_on, ds);
	json_t *p = rec_new("payment");
	json_object_set_new(p, "payment_id", json_string(id));
	json_object_set_new(p, "reference_id", json_string(ref));
	json_object_set_new(p, "order_no", json_string(o->order_no));
	json_object_set_new(p, "revision", json_integer(it->rev->revision));
	json_object_set_new(p, "office", json_string(o->office));
	if (it->month >= 0) {
		month_fmt(it->month, ms);
		json_object_set_new(p, "month", json_string(ms));
	}
	json_object_set_new(p, "amount_poisha", json_integer(amount));
	json_object_set_new(p, "paid", json_string(ds));
	json_t *acct = json_object();
	json_object_set_new(acct, "routing", json_string(routing));
	json_object_set_new(acct, "number", json_string(number));
	json_object_set_new(p, "account", acct);
	return p;
}

/* A month's records, staged: nothing is committed until the whole month adds up. */
struct staged {
	json_t **rec;
	size_t n, cap, npay;
	int64_t sum;
	int over; /* the payments add up past what a record holds */
};

static void
stage(struct staged *s, json_t *rec)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->rec = xrealloc(s->rec, s->cap * sizeof *s->rec);
	}
	s->rec[s->n++] = rec;
}

static void
pay(struct staged *s, const struct hist_order *o, const struct hist_item *it, int64_t amount,
    wdate paid_on, const char *routing, const char *number)
{
	if (money_sum(&s->sum, amount) < 0) {
		s->over = 1;
		return;
	}
	stage(s, payment_rec(o, it, amount, paid_on, routing, number, seq_pay + 1 + (long long)s->npay));
	s->npay++;
}

/* The bank's month: every item the order history makes payable in the month, as
 * known at its end, paid on its due date into the account of the revision in force
 * then (a held or stopped order is not paid); some with an error when asked; and
 * the cards of ended and stopped orders returned by the 15th. */
static void
do_run_month(struct answer *a, json_t *b)
{
	const char *ms = jstr(b, "month"), *why;
	wmonth m;
	if (!ms || month_parse(ms, &m, &why) < 0) {
		plain_error(a, 400, "err.request.bad", "give month (YYYY-MM)");
		return;
	}
	double err_rate = json_object_get(b, "pay_error_rate")
	                  ? json_number_value(json_object_get(b, "pay_error_rate")) : o_pay_error_rate;
	pthread_mutex_lock(&mu);
	if (hmap_get(&months, ms)) {
		pthread_mutex_unlock(&mu);
		plain_error(a, 409, "err.month.done", "that month has been run already");
		return;
	}
	wdate lo = month_first(m), hi = month_last(m);
	long ncards = 0, nerr[4] = { 0 };
	struct staged sg = { 0 };
	size_t n;
	struct hist_order **ords = sorted_orders(&n);
	for (size_t i = 0; i < n && !sg.over; i++) {
		struct hist_order *o = ords[i];
		const char *no = o->order_no;
		const struct hist_item *it;
		size_t k = hist_items(&hist, o, hi, &it);
		for (size_t j = 0; j < k && !sg.over; j++) {
			char key[96], mm[8] = "lump";
			if (it[j].month >= 0)
				month_fmt(it[j].month, mm);
			snprintf(key, sizeof key, "%s|%s", no, mm);
			int due_here = hist_item_payable(&it[j]) && it[j].due >= lo && it[j].due <= hi;
			int withheld_here = it[j].state == SCHED_WITHHELD && it[j].kind == SCHED_RESUMED &&
			                    !it[j].stopped && it[j].regular_due >= lo && it[j].regular_due <= hi;
			char pid[128];
			snprintf(pid, sizeof pid, "%s|%lld", key, seq_pay + 1 + (long long)sg.npay);
			int erred = err_rate > 0 && unit("payerr", pid) < err_rate;
			int kind = (int)(unit("payerr-kind", pid) * 4);
			const struct hist_rev *rv = it[j].rev;
			if (withheld_here && erred && kind == 2 && !hmap_get(&paid, key)) {
				/* Paid while suspended: the bank missed the lapse. */
				pay(&sg, o, &it[j], it[j].poisha, it[j].regular_due, rv->routing, rv->number);
				nerr[2]++;
				continue;
			}
			if (!due_here || hmap_get(&paid, key))
				continue;
			int64_t amt = it[j].poisha;
			const char *routing = rv->routing, *number = rv->number;
			char wrong[64];
			if (erred && kind == 0) {
				amt -= 50000; /* Tk 500 short */
				nerr[0]++;
			} else if (erred && kind == 3) {
				/* Into an old account: the revision before, or a mistyped number. */
				const struct hist_rev *prev = NULL;
				for (uint32_t r = 0; r < o->nrev && o->rev[r].revision < rv->revision; r++)
					prev = &o->rev[r];
				if (prev && (strcmp(prev->number, rv->number) || strcmp(prev->routing, rv->routing))) {
					routing = prev->routing;
					number = prev->number;
				} else {
					snprintf(wrong, sizeof wrong, "%s", rv->number);
					size_t l = strlen(wrong);
					wrong[l - 1] = wrong[l - 1] == '9' ? '0' : (char)(wrong[l - 1] + 1);
					number = wrong;
				}
				nerr[3]++;
			}
			pay(&sg, o, &it[j], amt, it[j].due, routing, number);
			if (erred && kind == 1) {
				pay(&sg, o, &it[j], amt, it[j].due, routing, number);
				nerr[1]++;
			}
		}
		/* Cards due back this month go back to their office by the 15th. */
		wdate cd;
		if (hist_card_due(o, hi, &cd) && cd >= lo && cd <= hi && !hist_card_returned(o, hi)) {
			char rd[11], lm[8];
			wmonth last = hist_schedule(o, hi)->so.last, sl;
			if (hist_stop_known(o, hi, &sl) && sl < last)
				last = sl;
			date_fmt(workday_on_or_after(month_first(m) + 9), rd);
			month_fmt(last, lm);
			json_t *c = rec_new("card_return");
			json_object_set_new(c, "order_no", json_string(no));
			json_object_set_new(c, "office", json_string(o->office));
			json_object_set_new(c, "last_month", json_string(lm));
			json_object_set_new(c, "returned", json_string(rd));
			stage(&sg, c);
			ncards++;
		}
	}
	free(ords);
	for (size_t i = 0; i < sg.n; i++) {
		if (sg.over)
			json_decref(sg.rec[i]);
		else
			feed_commit(!strcmp(jstr(sg.rec[i], "kind"), "payment") ? "payments" : "card_returns",
			            sg.rec[i]);
	}
	free(sg.rec);
	if (sg.over) {
		pthread_mutex_unlock(&mu);
		plain_error(a, 500, "err.month.overflow",
		            "the month's payments add up past the largest amount a record holds; "
		            "nothing was paid");
		return;
	}
	json_t *ml = json_object();
	json_object_set_new(ml, "t", json_string("month"));
	json_object_set_new(ml, "month", json_string(ms));
	commit(ml);
	int rc = ledger_sync();
	pthread_mutex_unlock(&mu);
	if (rc < 0) {
		plain_error(a, 500, "err.server.storage", "could not record it");
		return;
	}
	json_t *j = json_object();
	json_object_set_new(j, "month", json_string(ms));
	json_object_set_new(j, "payments", json_integer((json_int_t)sg.npay));
	json_object_set_new(j, "payments_poisha", json_integer(sg.sum));
	json_object_set_new(j, "card_returns", json_integer(ncards));
	json_t *er = json_object();
	json_object_set_new(er, "wrong_amount", json_integer(nerr[0]));
	json_object_set_new(er, "duplicate", json_integer(nerr[1]));
	json_object_set_new(er, "paid_while_suspended", json_integer(nerr[2]));
	json_object_set_new(er, "wrong_account", json_integer(nerr[3]));
	json_object_set_new(j, "errors", er);
	answer_json(a, 200, j);
}

static void
do_state(struct answer *a)
{
	pthread_mutex_lock(&mu);
	json_t *j = json_object();
	json_object_set_new(j, "accepted", json_integer((json_int_t)accs.n));
	json_object_set_new(j, "orders", json_integer((json_int_t)hist.n));
	json_t *f = json_object();
	for (int k = 0; k < NFEEDS; k++) {
		size_t t = 0;
		for (int o = 0; o < 9; o++)
			t += feeds[o][k].n;
		json_object_set_new(f, feed_names[k], json_integer((json_int_t)t));
	}
	json_object_set_new(j, "feeds", f);
	json_object_set_new(j, "today", json_string(""));
	char ds[11];
	date_fmt(today, ds);
	json_object_set_new(j, "today", json_string(ds));
	pthread_mutex_unlock(&mu);
	answer_json(a, 200, j);
}

/* ---- dispatch ---- */

struct conn {
	struct buf body;
	int too_big;
};

static int
roll(double rate, uint64_t *r)
{
	if (rate <= 0)
		return 0;
	*r = splitmix(*r);
	return (double)(*r >> 11) / 9007199254740992.0 < rate;
}

static void serve(const char *url, const char *method, const char *who, const char *body,
                  size_t n, struct answer *a);

static void
route(struct MHD_Connection *c, const char *url, const char *method, struct conn *cc,
      struct answer *a)
{
	struct api_err e;
	uint64_t r = o_seed * 0x2545F4914F6CDD1Dull + atomic_fetch_add(&reqno, 1);
	if (o_latency > 0)
		usleep((useconds_t)o_latency * 1000);
	if (roll(o_fail_rate, &r)) {
		snprintf(a->fault, sizeof a->fault, "503");
		a->retry_after = o_retry_after;
		api_err(&e, 503, "err.server.unavailable", "the bank is busy; try again");
		answer_error(a, &e, "on-request", NULL);
		return;
	}
	if (roll(o_throttle_rate, &r)) {
		snprintf(a->fault, sizeof a->fault, "429");
		a->retry_after = o_retry_after;
		api_err(&e, 429, "err.rate.limited", "too many requests; try again later");
		answer_error(a, &e, "on-request", NULL);
		return;
	}
	a->drop = roll(o_drop_rate, &r);
	a->slow = roll(o_slow_rate, &r);
	a->truncate = roll(o_truncate_rate, &r);
	if (a->drop)
		snprintf(a->fault, sizeof a->fault, "drop");
	else if (a->truncate)
		snprintf(a->fault, sizeof a->fault, "truncate");
	else if (a->slow)
		snprintf(a->fault, sizeof a->fault, "slow");

	if (cc->too_big) {
		api_err(&e, 413, "err.request.too_large", "the body is over %ld bytes", o_max_body);
		answer_error(a, &e, "on-request", NULL);
		return;
	}
	const char *who = token_office(c);
	if (!who) {
		api_err(&e, 401, "err.auth.invalid", "no valid bearer token");
		answer_error(a, &e, "on-request", NULL);
		return;
	}
	serve(url, method, who, cc->body.p, cc->body.n, a);
}

/* A request from an authenticated office (or ADMIN): what every endpoint does. */
static void
serve(const char *url, const char *method, const char *who, const char *body, size_t n,
      struct answer *a)
{
	struct api_err e;
	if (!strcmp(method, "GET") && !strcmp(url, "/sandbox/state")) {
		do_state(a);
		return;
	}
	if (ledger_broken && (!strncmp(url, "/sandbox/", 9) || !strcmp(url, "/disburse/sync/disburse") ||
	                      !strcmp(url, "/disburse/sync/stop"))) {
		plain_error(a, 500, "err.server.storage",
		            "the bank could not write its ledger; it takes nothing more until restarted");
		return;
	}
	if (strcmp(method, "POST")) {
		api_err(&e, 405, "err.method", "POST only");
		answer_error(a, &e, "on-request", NULL);
		return;
	}
	if (!strncmp(url, "/sandbox/", 9)) {
		json_t *b = n ? json_loadb(body, n, JSON_REJECT_DUPLICATES, NULL) : NULL;
		if (!json_is_object(b)) {
			json_decref(b);
			plain_error(a, 400, "err.request.bad", "the body is a JSON object");
			return;
		}
		if (!strcmp(url, "/sandbox/verify"))
			do_verify(a, b);
		else if (!strcmp(url, "/sandbox/simulate"))
			do_simulate(a, b);
		else if (!strcmp(url, "/sandbox/run-month"))
			do_run_month(a, b);
		else
			plain_error(a, 404, "err.not_found", "no such endpoint");
		json_decref(b);
		return;
	}
	static const struct {
		const char *path, *action;
		int feed;
	} eps[] = {
		{ "/disburse/sync/disburse", "disburse", -1 },
		{ "/disburse/sync/txn/status", "txn-status", -2 },
		{ "/disburse/sync/stop", "stop", -3 },
		{ "/bank/sync/returns", "returns", F_RETURNS },
		{ "/bank/sync/verifications", "verifications", F_VERIFICATIONS },
		{ "/bank/sync/payments", "payments", F_PAYMENTS },
		{ "/bank/sync/card-returns", "card-returns", F_CARDS },
	};
	size_t k;
	for (k = 0; k < sizeof eps / sizeof eps[0] && strcmp(eps[k].path, url); k++)
		;
	if (k == sizeof eps / sizeof eps[0]) {
		api_err(&e, 404, "err.not_found", "no such endpoint");
		answer_error(a, &e, "on-request", NULL);
		return;
	}
	json_t *env;
	const struct wkey *key;
	if (api_open(body ? body : "", n, &ring, (int64_t)time(NULL), o_replay, &env, &key, &e) < 0) {
		answer_error(a, &e, "on-request", NULL);
		return;
	}
	json_t *h = json_object_get(env, "header");
	snprintf(a->sender, sizeof a->sender, "%s", jstr(h, "sender_id"));
	snprintf(a->message_id, sizeof a->message_id, "%s", jstr(h, "message_id"));
	if (strcmp(who, jstr(h, "sender_id")) && strcmp(who, "ADMIN")) {
		api_err(&e, 401, "err.auth.invalid", "the token is not the sender's");
		answer_error(a, &e, "on-request", a->sender);
	} else if (strcmp(jstr(h, "action"), eps[k].action)) {
		api_err(&e, 400, "err.request.bad", "header.action is not %s", eps[k].action);
		answer_error(a, &e, "on-request", a->sender);
	} else if (strcmp(jstr(h, "receiver_id"), API_BANK_ID)) {
		api_err(&e, 400, "err.request.bad", "header.receiver_id is not %s", API_BANK_ID);
		answer_error(a, &e, "on-request", a->sender);
	} else if (eps[k].feed == -1) {
		do_disburse(a, env);
	} else if (eps[k].feed == -2) {
		do_status(a, env);
	} else if (eps[k].feed == -3) {
		do_stop(a, env);
	} else {
		do_feed(a, env, eps[k].feed);
	}
	json_decref(env);
}

struct slow {
	struct buf body;
	size_t stop; /* bytes to send before failing; body.n when not truncated */
	int slow;
};

static ssize_t
slow_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct slow *s = cls;
	if (pos >= s->stop)
		return s->stop < s->body.n ? MHD_CONTENT_READER_END_WITH_ERROR
		                           : MHD_CONTENT_READER_END_OF_STREAM;
	size_t n = s->body.n - (size_t)pos;
	if (s->slow) {
		usleep(2000);
		if (n > 256)
			n = 256;
	}
	if (n > max)
		n = max;
	if ((size_t)pos + n > s->stop)
		n = s->stop - (size_t)pos;
	memcpy(buf, s->body.p + pos, n);
	return (ssize_t)n;
}

static void
slow_free(void *cls)
{
	struct slow *s = cls;
	buf_free(&s->body);
	free(s);
}

static void
log_request(const char *method, const char *url, const struct answer *a, double ms)
{
	if (!reqlog)
		return;
	char ts[21];
	instant_fmt((int64_t)time(NULL), ts);
	json_t *l = json_object();
	json_object_set_new(l, "ts", json_string(ts));
	json_object_set_new(l, "method", json_string(method));
	json_object_set_new(l, "path", json_string(url));
	json_object_set_new(l, "status", json_integer(a->drop ? 0 : a->http));
	if (a->sender[0])
		json_object_set_new(l, "sender", json_string(a->sender));
	if (a->message_id[0])
		json_object_set_new(l, "message_id", json_string(a->message_id));
	if (a->items)
		json_object_set_new(l, "items", json_integer(a->items));
	if (a->fault[0])
		json_object_set_new(l, "fault", json_string(a->fault));
	json_object_set_new(l, "us", json_integer((json_int_t)(ms * 1000)));
	struct buf t = { 0 };
	json_dump_compact(l, &t);
	pthread_mutex_lock(&logmu);
	fprintf(reqlog, "%s\n", buf_str(&t));
	fflush(reqlog);
	pthread_mutex_unlock(&logmu);
	buf_free(&t);
	json_decref(l);
}

static int
client_cert_ok(struct MHD_Connection *c)
{
	if (!o_client_ca)
		return 1;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!ci || !ci->tls_session)
		return 0;
	unsigned status = 0;
	if (gnutls_certificate_verify_peers2((gnutls_session_t)ci->tls_session, &status) != 0)
		return 0;
	unsigned n = 0;
	if (!gnutls_certificate_get_peers((gnutls_session_t)ci->tls_session, &n) || n == 0)
		return 0;
	return status == 0;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
       const char *version, const char *upload, size_t *upload_size, void **ctx)
{
	struct conn *cc = *ctx;
	if (!cc) {
		*ctx = cc = xcalloc(1, sizeof *cc);
		return MHD_YES;
	}
	if (*upload_size) {
		if (cc->body.n + *upload_size > (size_t)o_max_body)
			cc->too_big = 1;
		else
			buf_add(&cc->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct answer a = { 0 };
	a.retry_after = -1;
	if (!client_cert_ok(c)) {
		struct api_err e;
		api_err(&e, 401, "err.tls.client_certificate", "a client certificate the bank trusts is needed");
		answer_error(&a, &e, "on-request", NULL);
	} else {
		route(c, url, method, cc, &a);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_request(method, url, &a,
	            (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	if (a.drop) {
		buf_free(&a.body);
		return MHD_NO; /* handled, but the client never hears */
	}
	struct MHD_Response *r;
	if (a.slow || a.truncate) {
		struct slow *s = xcalloc(1, sizeof *s);
		s->body = a.body;
		s->stop = a.truncate ? a.body.n / 2 : a.body.n;
		s->slow = a.slow;
		r = MHD_create_response_from_callback(a.body.n, 1024, slow_reader, s, slow_free);
	} else {
		r = MHD_create_response_from_buffer(a.body.n, a.body.p, MHD_RESPMEM_MUST_COPY);
		buf_free(&a.body);
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (a.retry_after >= 0) {
		char ra[24];
		snprintf(ra, sizeof ra, "%ld", a.retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	enum MHD_Result rc = MHD_queue_response(c, (unsigned)a.http, r);
	MHD_destroy_response(r);
	return rc;
}

static void
done_conn(void *cls, struct MHD_Connection *c, void **ctx, enum MHD_RequestTerminationCode tc)
{
	struct conn *cc = *ctx;
	if (cc) {
		buf_free(&cc->body);
		free(cc);
	}
	*ctx = NULL;
}

/* ---- start-up ---- */

static void
on_signal(int s)
{
	stop_now = 1;
}

static double
rate_arg(const char *name, const char *v)
{
	char *end;
	double d = strtod(v, &end);
	if (*end || d < 0 || d > 1)
		die_usage("%s: a share from 0 to 1, not '%s'", name, v);
	return d;
}

static long
num_arg(const char *name, const char *v, long max)
{
	long n;
	if (uint_parse(v, max, &n) < 0)
		die_usage("%s: a whole number up to %ld, not '%s'", name, max, v);
	return n;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		die("%s:", path);
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return (char *)buf_str(&b);
}

/* The TLS key, read straight into secret memory. */
static char *
slurp_secret(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		die("%s:", path);
	if (st.st_size > (1 << 20))
		die("%s: too big for a key", path);
	size_t want = (size_t)st.st_size, n = 0;
	char *s = secret_alloc(want + 1);
	ssize_t r = 0;
	while (n < want && (r = read(fd, s + n, want - n)) > 0)
		n += (size_t)r;
	if (r < 0)
		die("%s:", path);
	close(fd);
	return s;
}

static void
load_tokens(const char *path)
{
	char *text = secret_alloc(16384);
	struct werr e;
	tokens = secret_alloc(MAX_TOKENS * sizeof *tokens);
	if ((o_tokens ? secret_read_opt("--token-file", path, text, 16384, &e)
	              : secret_read(path, text, 16384, &e)) < 0)
		die("%s: %s", e.field, e.msg);
	char *save, *line = strtok_r(text, "\n", &save);
	unsigned long ln = 0;
	for (; line; line = strtok_r(NULL, "\n", &save)) {
		ln++;
		char o[6], t[256];
		if (line[0] == '#' || !line[strspn(line, " \t\r")])
			continue;
		if (sscanf(line, "%5s %255s", o, t) != 2 || (!office_valid(o) && strcmp(o, "ADMIN")))
			die("%s:%lu: expected OFFICE TOKEN", path, ln);
		if (ntokens == MAX_TOKENS)
			die("%s: too many tokens", path);
		snprintf(tokens[ntokens].office, sizeof tokens[ntokens].office, "%s", o);
		snprintf(tokens[ntokens].token, sizeof tokens[ntokens].token, "%s", t);
		sodium_memzero(t, sizeof t);
		ntokens++;
	}
	secret_free(text);
	if (!ntokens)
		die("%s: no tokens", path);
}

static void
on_opt(int c, char *arg)
{
	const char *why;
	switch (c) {
	case 'd': o_state = arg; break;
	case 'p': o_port = (int)num_arg("--port", arg, 65535); break;
	case 'l': o_listen = arg; break;
	case 'k': o_keyring = arg; break;
	case 't': o_tokens = arg; break;
	case 1: o_tls = 1; break;
	case 2: o_cert = arg; break;
	case 3: o_key = arg; break;
	case 4: o_client_ca = arg; break;
	case 5: o_threads = (int)num_arg("--threads", arg, 64); break;
	case 6: o_log = arg; break;
	case 7: o_exit_after = num_arg("--exit-after", arg, 86400 * 365); break;
	case 8:
		if (date_parse(arg, &today, &why) < 0)
			die_usage("--today: %s", why);
		break;
	case 9: o_holidays = arg; break;
	case 10: o_seed = (uint64_t)num_arg("--seed", arg, 1L << 62); break;
	case 11: o_return_rate = rate_arg("--return-rate", arg); break;
	case 12: o_pay_error_rate = rate_arg("--pay-error-rate", arg); break;
	case 13: o_replay = (int)num_arg("--replay-window", arg, 86400); break;
	case 14: o_max_batch = (int)num_arg("--max-batch", arg, 100000); break;
	case 15: o_max_body = num_arg("--max-body", arg, 1L << 30); break;
	case 16: o_latency = (int)num_arg("--latency", arg, 60000); break;
	case 17: o_fail_rate = rate_arg("--fail-rate", arg); break;
	case 18: o_throttle_rate = rate_arg("--throttle-rate", arg); break;
	case 19: o_retry_after = (int)num_arg("--retry-after", arg, 3600); break;
	case 20: o_drop_rate = rate_arg("--drop-rate", arg); break;
	case 21: o_slow_rate = rate_arg("--slow-rate", arg); break;
	case 22: o_truncate_rate = rate_arg("--truncate-rate", arg); break;
	case 23: wgo_set_home(arg); break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

/* Everything before listening: keys, tokens, the calendar, the ledger replayed,
 * the request log. Returns the state directory. */
static char *
setup(void)
{
	sign_init();
	wgo_config();
	if (today < 0)
		today = wgo_today();
	struct werr e;
	char *state = o_state ? xstrdup(o_state) : home_path("sandbox");
	if (mkdirs(state, &e) < 0)
		die("%s: %s", e.field, e.msg);
	char *kr = o_keyring ? xstrdup(o_keyring) : home_path("keyring");
	if (keyring_load(&ring, kr, &e) < 0)
		die("%s: %s", e.field, e.msg);
	ring.today = today; /* keys are judged on the bank's business date */
	free(kr);
	char *tp = state_file(o_tokens, state, "tokens");
	load_tokens(tp);
	free(tp);
	sched_setup(&params, &cal, o_holidays, NULL);
	hmap_init(&accs, sizeof(struct acc));
	hist_init(&hist, &params, today + 366); /* a verification a year ahead at most */
	hist.horizon_name = "the bank's horizon, a year past its date,";
	hist.defer = 0;
	hmap_init(&stops, sizeof(struct stopref));
	hmap_init(&msgs, 1);
	hmap_init(&paid, sizeof(int));
	hmap_init(&months, 1);
	json_object_seed(0);
	if (ledger_open(state, &e) < 0)
		die("%s: %s", e.field, e.msg);
	char *lp = state_file(o_log, state, "requests.log");
	if (!(reqlog = fopen(lp, "a")))
		die("%s:", lp);
	free(lp);
	return state;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "state", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "listen", required_argument, NULL, 'l' },
		{ "keyring", required_argument, NULL, 'k' },
		{ "token-file", required_argument, NULL, 't' },
		{ "tls", no_argument, NULL, 1 },
		{ "cert", required_argument, NULL, 2 },
		{ "key", required_argument, NULL, 3 },
		{ "client-ca", required_argument, NULL, 4 },
		{ "threads", required_argument, NULL, 5 },
		{ "log", required_argument, NULL, 6 },
		{ "exit-after", required_argument, NULL, 7 },
		{ "today", required_argument, NULL, 8 },
		{ "holidays", required_argument, NULL, 9 },
		{ "seed", required_argument, NULL, 10 },
		{ "return-rate", required_argument, NULL, 11 },
		{ "pay-error-rate", required_argument, NULL, 12 },
		{ "replay-window", required_argument, NULL, 13 },
		{ "max-batch", required_argument, NULL, 14 },
		{ "max-body", required_argument, NULL, 15 },
		{ "latency", required_argument, NULL, 16 },
		{ "fail-rate", required_argument, NULL, 17 },
		{ "throttle-rate", required_argument, NULL, 18 },
		{ "retry-after", required_argument, NULL, 19 },
		{ "drop-rate", required_argument, NULL, 20 },
		{ "slow-rate", required_argument, NULL, 21 },
		{ "truncate-rate", required_argument, NULL, 22 },
		{ "home", required_argument, NULL, 23 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int npos;
	wgo_setprog(argv[0]);
	secrets_protect(); /* the offices' tokens, and the TLS key */
	today = -1;
	char **pos = wgo_getopt(argc, argv, "d:p:l:k:t:hV", lo, on_opt, &npos);
	if (npos)
		die_usage("unexpected argument '%s'", pos[0]);
	free(pos);
	if (o_tls && (!o_cert || !o_key))
		die_usage("--tls needs --cert and --key");
	if (!o_tls && (o_cert || o_key || o_client_ca))
		die_usage("--cert, --key and --client-ca go with --tls");
	char *state = setup();

	struct sockaddr_in sa = { 0 };
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)o_port);
	if (inet_pton(AF_INET, o_listen, &sa.sin_addr) != 1)
		die_usage("--listen: not an IPv4 address: %s", o_listen);
	char *cert = o_tls ? slurp(o_cert) : NULL, *key = o_tls ? slurp_secret(o_key) : NULL;
	char *ca = o_client_ca ? slurp(o_client_ca) : NULL;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | (o_tls ? MHD_USE_TLS : 0);
	struct MHD_OptionItem opts[] = {
		{ MHD_OPTION_SOCK_ADDR, 0, &sa },
		{ MHD_OPTION_THREAD_POOL_SIZE, o_threads, NULL },
		{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)done_conn, NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, 60, NULL },
		{ MHD_OPTION_CONNECTION_LIMIT, 1000, NULL },
		{ o_tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert },
		{ o_tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key },
		{ ca ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, 0, ca },
		{ MHD_OPTION_END, 0, NULL },
	};
	/* Options after an END are not read: put the optional ones last and compact. */
	struct MHD_OptionItem use[sizeof opts / sizeof opts[0]];
	size_t nu = 0;
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		if (opts[i].option != MHD_OPTION_END)
			use[nu++] = opts[i];
	use[nu].option = MHD_OPTION_END;
	struct MHD_Daemon *d = MHD_start_daemon(flags, 0, NULL, NULL, handle, NULL,
	                                        MHD_OPTION_ARRAY, use, MHD_OPTION_END);
	if (!d)
		die("cannot listen on %s:%d", o_listen, o_port);
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("%u\n", di ? (unsigned)di->port : (unsigned)o_port);
	fflush(stdout);
	struct sigaction sa2 = { 0 };
	sa2.sa_handler = on_signal;
	sigaction(SIGTERM, &sa2, NULL);
	sigaction(SIGINT, &sa2, NULL);
	signal(SIGPIPE, SIG_IGN);
	time_t start = time(NULL);
	while (!stop_now && (o_exit_after < 0 || time(NULL) - start < o_exit_after))
		usleep(100000);
	MHD_stop_daemon(d);
	fclose(reqlog);
	store_close(&ledger);
	free(cert);
	secret_free(key);
	free(ca);
	free(state);
	return wgo_finish(0);
}
