/* The sandbox bank of ddp-sandbox(1), all of it but the HTTP server: its state (a
 * ledger in the store, replayed into the order history), and what it does with a
 * request, from the token to the answer, through the protocol of api.c. One bank a
 * process; the server and the fuzz target drive it the same way. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "wgo.h"

/* ---- state ---- */

struct acc {
	uint8_t hash[16];
	char bank_ref[24];
	char order_no[64];
	char office[6];
	int revision, returned, pending; /* pending: to come back, not published yet */
	wdate accepted;
};

/* A stop the bank took (POST /disburse/sync/stop): idempotent by content. */
struct stopref {
	uint8_t hash[16];
	char bank_ref[24];
	char office[6];
};

enum { F_RETURNS, F_VERIFICATIONS, F_PAYMENTS, F_CARDS, NFEEDS };
/* The ledger's names of the feeds (kept as they were written). */
static const char *const feed_names[NFEEDS] = { "returns", "verifications", "payments",
	                                        "card_returns" };
#define NOFFICES 9

struct feed {
	json_t **rec;
	size_t n, cap;
};

static struct sbank_opts o;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct hmap accs;   /* reference_id -> struct acc */
static struct hist hist;   /* every accepted order's life: revisions, returns, stops, ... */
static struct hmap stops;  /* ORDER_NO-stop -> struct stopref */
static struct hmap msgs;   /* message_id -> char: every signed request's, on any endpoint */
static struct hmap paid;   /* "order_no|month" -> int (times paid) */
static struct hmap months; /* "YYYY-MM" -> char: month runs done */
static struct hmap ids;    /* every id handed out: bank refs, return, verification and
                            * payment ids */
static char **pending;     /* references accepted that are to come back, not yet in
                            * the returns feed */
static size_t npending, cpending;
static struct feed feeds[NOFFICES][NFEEDS];
static struct store ledger;     /* STATE/ledger.jsonl, in the store; added to under mu */
static atomic_int ledger_broken; /* a write or sync failed: take nothing more */
static atomic_int sync_failed;   /* a sync failed: no write before it is known durable */
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
static int opened;

void
sbank_defaults(struct sbank_opts *p)
{
	memset(p, 0, sizeof *p);
	p->today = -1;
	p->seed = 1;
	p->replay_window = 300;
	p->max_batch = 1000;
	p->max_body = 16 << 20;
	p->retry_after = 1;
}

static int
office_index(const char *code)
{
	const char *const *c = office_codes();
	for (int i = 0; c[i] && i < NOFFICES; i++)
		if (code && !strcmp(c[i], code))
			return i;
	return -1;
}

/* BLAKE2b-64 of the seed (8 bytes, little-endian), salt and key, read as a
 * big-endian number: every choice the bank makes, and every id it gives, is this
 * hash of what it is about, so the same input and seed give the same bytes however
 * the requests interleave. */
static uint64_t
seeded(const char *salt, const char *key, uint32_t round)
{
	uint8_t h[8], seed[8];
	crypto_generichash_state s;
	for (int i = 0; i < 8; i++)
		seed[i] = (uint8_t)(o.seed >> (8 * i));
	crypto_generichash_init(&s, NULL, 0, sizeof h);
	crypto_generichash_update(&s, seed, sizeof seed);
	crypto_generichash_update(&s, (const uint8_t *)salt, strlen(salt));
	crypto_generichash_update(&s, (const uint8_t *)key, strlen(key));
	if (round) {
		uint8_t r[4] = { (uint8_t)round, (uint8_t)(round >> 8), (uint8_t)(round >> 16),
			         (uint8_t)(round >> 24) };
		crypto_generichash_update(&s, r, sizeof r);
	}
	crypto_generichash_final(&s, h, sizeof h);
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | h[i];
	return v;
}

/* A deterministic share: is the hash of (seed, salt, key) below rate? */
static double
unit(const char *salt, const char *key)
{
	return (double)(seeded(salt, key, 0) >> 11) / 9007199254740992.0;
}

/* An id for key: PREFIX and 16 digits of its seeded hash; in the unlikely event
 * that another thing holds them, the hash with a round number after it. */
static void
derive_id(char *out, size_t n, const char *prefix, const char *salt, const char *key)
{
	for (uint32_t r = 0;; r++) {
		snprintf(out, n, "%s%016llu", prefix,
		         (unsigned long long)(seeded(salt, key, r) % 10000000000000000ULL));
		if (!hmap_get(&ids, out))
			return;
	}
}

static uint64_t
splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* ---- the ledger: every change, written and synced before it is answered ---- */

static void
ledger_add(json_t *line)
{
	struct buf b = { 0 };
	json_dump_compact(line, &b);
	store_add(&ledger, b.p, b.n);
	buf_free(&b);
}

/* Under the lock: write what this request changed. When the write fails, the
 * state in memory has run ahead of the disk: nothing more is answered from it
 * until a restart replays the ledger. */
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
 * ever lost, and requests do not queue behind each other's syncs. A write that
 * failed later (another request's) took back only its own bytes: what was written
 * before it stands. A sync that failed anywhere, though, may have lost pages of
 * any write before it, whatever a later sync says: nothing is trusted then. */
static int
ledger_durable(void)
{
	struct werr e;
	if (store_sync(&ledger, &e) < 0) {
		warnf("%s: %s", e.field, e.msg);
		sync_failed = 1;
		ledger_broken = 1;
		return -1;
	}
	return sync_failed ? -1 : 0;
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

static void
id_taken(const char *id)
{
	if (id && *id)
		hmap_put(&ids, id, NULL);
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
	snprintf(a->office, sizeof a->office, "%s", jstr(order, "office") ? jstr(order, "office") : "");
	a->accepted = date;
	id_taken(bank_ref);
	to_history(order);
}

/* A stop taken: idempotency, and the history (nothing after it is paid). */
static void
apply_stop(json_t *l)
{
	uint8_t hash[16];
	size_t hl;
	json_t *stop = json_object_get(l, "stop");
	struct stopref *sr = hmap_put(&stops, jstr(l, "ref"), NULL);
	sodium_hex2bin(hash, 16, jstr(l, "hash"), 32, NULL, &hl, NULL);
	memcpy(sr->hash, hash, 16);
	snprintf(sr->bank_ref, sizeof sr->bank_ref, "%s", jstr(l, "bank_ref"));
	snprintf(sr->office, sizeof sr->office, "%s", jstr(stop, "office") ? jstr(stop, "office") : "");
	id_taken(sr->bank_ref);
	to_history(stop);
}

static int
feed_index(const char *name)
{
	for (int i = 0; name && i < NFEEDS; i++)
		if (!strcmp(feed_names[i], name))
			return i;
	return -1;
}

/* Apply one ledger line to memory: at start-up, and as each change is made. The
 * line was checked (ledger_check) or made here. */
static void
apply(json_t *l)
{
	const char *t = jstr(l, "t");
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
		int fi = feed_index(jstr(l, "feed")), oi = office_index(jstr(rec, "office"));
		feed_add(oi, fi, rec);
		if (fi != F_PAYMENTS)
			to_history(rec);
		const char *no = jstr(rec, "order_no");
		if (fi == F_RETURNS) {
			struct acc *a = hmap_get(&accs, jstr(rec, "reference_id"));
			if (a) {
				a->returned = 1;
				a->pending = 0;
			}
			id_taken(jstr(rec, "return_id"));
		} else if (fi == F_VERIFICATIONS) {
			id_taken(jstr(rec, "verification_id"));
		} else if (fi == F_PAYMENTS) {
			char k[96];
			snprintf(k, sizeof k, "%s|%s", no, jstr(rec, "month") ? jstr(rec, "month") : "lump");
			int *c = hmap_put(&paid, k, NULL);
			(*c)++;
			id_taken(jstr(rec, "payment_id"));
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

static void
feed_commit(int f, json_t *rec)
{
	json_t *l = json_object();
	json_object_set_new(l, "t", json_string("feed"));
	json_object_set_new(l, "feed", json_string(feed_names[f]));
	json_object_set_new(l, "rec", rec);
	commit(l);
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

static int
hex32(const char *s)
{
	return s && strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32;
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
	wdate d;
	if (!t)
		return werr_set(e, "t", "missing: not a ledger line");
	if (!strcmp(t, "acc") || !strcmp(t, "stop")) {
		int acc = !strcmp(t, "acc");
		const char *what = acc ? "order" : "stop";
		json_t *rec = json_object_get(l, what);
		char want[96];
		if (!jstr(l, "ref") || !hex32(jstr(l, "hash")) || !jstr(l, "bank_ref"))
			return werr_set(e, t, "%s has ref, hash (32 hex digits) and bank_ref",
			                acc ? "an acceptance" : "a stop taken");
		if (!jstr(l, "date") || date_parse(jstr(l, "date"), &d, &why) < 0)
			return werr_set(e, "date", "not a date");
		if (!json_is_object(rec) || !jstr(rec, "kind") || strcmp(jstr(rec, "kind"), what))
			return werr_set(e, what, "missing");
		json_t *c = json_deep_copy(rec);
		int rc = verify_as_of(c, d, e);
		json_decref(c);
		if (rc < 0) {
			werr_prefix(e, what);
			return -1;
		}
		if (acc ? strcmp(api_reference_id(rec, want, sizeof want), jstr(l, "ref"))
		        : strcmp(api_stop_reference(rec, want, sizeof want), jstr(l, "ref")))
			return werr_set(e, "ref", "not the %s's reference (%s)", what, want);
	} else if (!strcmp(t, "msg")) {
		if (!jstr(l, "id"))
			return werr_set(e, "id", "a message line has its message_id");
	} else if (!strcmp(t, "month")) {
		wmonth m;
		if (!jstr(l, "month") || month_parse(jstr(l, "month"), &m, &why) < 0)
			return werr_set(e, "month", "not a month");
	} else if (!strcmp(t, "feed")) {
		int fi = feed_index(jstr(l, "feed"));
		json_t *rec = json_object_get(l, "rec");
		if (fi < 0)
			return werr_set(e, "feed", "not one of the bank's feeds");
		if (!json_is_object(rec))
			return werr_set(e, "rec", "missing");
		json_t *r = json_deep_copy(rec);
		int rc = rec_validate(r, e);
		if (rc == 0 && strcmp(jstr(r, "kind"), feed_kinds[fi]))
			rc = werr_set(e, "kind", "a %s record in the %s feed", jstr(r, "kind"), feed_names[fi]);
		if (rc == 0 && office_index(jstr(r, "office")) < 0)
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

static int
refcmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Whether an accepted revision comes back: the BLAKE2b-64 of the seed, "return"
 * and its reference below the rate (ddp-sandbox(1) says so, for tests to tell). */
static int
comes_back(const char *ref)
{
	return o.return_rate > 0 && unit("return", ref) < o.return_rate;
}

static void
pend(const char *ref)
{
	if (npending == cpending) {
		cpending = cpending ? cpending * 2 : 64;
		pending = xrealloc(pending, cpending * sizeof *pending);
	}
	pending[npending++] = xstrdup(ref);
}

/* Under the lock: the returns of what was accepted, made when anything but a
 * disbursement or a stop is asked, in the order of their references, so the
 * returns feed is the same whatever order the acceptances came in. */
static void
publish_returns(void)
{
	static const char *const rcodes[] = { "AC01", "AC01", "AC01", "AC04", "AC06", "BE01", "MD07" };
	static const char *const reasons[] = {
		"incorrect account number", "incorrect account number", "incorrect account number",
		"closed account", "blocked account", "inconsistent with end customer",
		"end customer deceased" };
	if (!npending)
		return;
	qsort(pending, npending, sizeof *pending, refcmp);
	for (size_t i = 0; i < npending; i++) {
		const char *ref = pending[i];
		struct acc *a = hmap_get(&accs, ref);
		if (!a || a->returned)
			continue;
		int k = (int)(unit("return-code", ref) * 7);
		char rid[24], rd[11];
		derive_id(rid, sizeof rid, "RT", "return-id", ref);
		date_fmt(cal_add_workdays(&cal, a->accepted, 1), rd);
		json_t *r = rec_new("return");
		json_object_set_new(r, "return_id", json_string(rid));
		json_object_set_new(r, "reference_id", json_string(ref));
		json_object_set_new(r, "order_no", json_string(a->order_no));
		json_object_set_new(r, "revision", json_integer(a->revision));
		json_object_set_new(r, "office", json_string(a->office));
		json_object_set_new(r, "code", json_string(rcodes[k]));
		json_object_set_new(r, "reason", json_string(reasons[k]));
		json_object_set_new(r, "date", json_string(rd));
		feed_commit(F_RETURNS, r);
	}
	for (size_t i = 0; i < npending; i++)
		free(pending[i]);
	npending = 0;
}

/* ---- tokens ---- */

static int
load_tokens(const char *path, int given, struct werr *e)
{
	char *text = secret_alloc(16384);
	tokens = secret_alloc(MAX_TOKENS * sizeof *tokens);
	if ((given ? secret_read_opt("--token-file", path, text, 16384, e)
	           : secret_read(path, text, 16384, e)) < 0) {
		secret_free(text);
		return -1;
	}
	char *save, *line = strtok_r(text, "\n", &save);
	unsigned long ln = 0;
	int rc = 0;
	for (; line && rc == 0; line = strtok_r(NULL, "\n", &save)) {
		ln++;
		char of[6], t[256];
		if (line[0] == '#' || !line[strspn(line, " \t\r")])
			continue;
		if (sscanf(line, "%5s %255s", of, t) != 2 || (!office_valid(of) && strcmp(of, "ADMIN")))
			rc = werr_set(e, path, "line %lu: expected OFFICE TOKEN", ln);
		else if (ntokens == MAX_TOKENS)
			rc = werr_set(e, path, "too many tokens");
		if (rc == 0) {
			snprintf(tokens[ntokens].office, sizeof tokens[ntokens].office, "%s", of);
			snprintf(tokens[ntokens].token, sizeof tokens[ntokens].token, "%s", t);
			ntokens++;
		}
		sodium_memzero(t, sizeof t);
	}
	secret_free(text);
	if (rc == 0 && !ntokens)
		rc = werr_set(e, path, "no tokens");
	return rc;
}

const char *
sbank_who(const char *h)
{
	if (!h || strncmp(h, "Bearer ", 7))
		return NULL;
	const char *t = h + 7;
	size_t tl = strlen(t);
	const char *who = NULL;
	/* Every token compared, in constant time each: no early exit to time. */
	for (int i = 0; i < ntokens; i++) {
		size_t l = strlen(tokens[i].token);
		if (l == tl && sodium_memcmp(tokens[i].token, t, l) == 0)
			who = tokens[i].office;
	}
	return who;
}

/* ---- opening and closing ---- */

int
sbank_open(const struct sbank_opts *opt, int *busy, struct werr *e)
{
	o = *opt;
	*busy = 0;
	sign_init();
	wgo_config();
	if (o.today < 0)
		o.today = wgo_today();
	char *state = o.state ? xstrdup(o.state) : home_path("sandbox");
	if (mkdirs(state, e) < 0) {
		free(state);
		return -1;
	}
	char *kr = o.keyring ? xstrdup(o.keyring) : home_path("keyring");
	int rc = keyring_load(&ring, kr, e);
	free(kr);
	if (rc < 0) {
		free(state);
		return -1;
	}
	ring.today = o.today; /* keys are judged on the bank's business date */
	char *tp = state_file(o.tokens, state, "tokens");
	if (o.tokens || !o.no_tokens)
		rc = load_tokens(tp, o.tokens != NULL, e);
	free(tp);
	if (rc < 0) {
		free(state);
		return -1;
	}
	if (wgo_calendar(&cal, o.holidays, e) < 0) {
		free(state);
		return -1;
	}
	sched_defaults(&params, &cal);
	if (sched_params_config(&params, wgo_config(), e) < 0) {
		free(state);
		return -1;
	}
	hmap_init(&accs, sizeof(struct acc));
	hist_init(&hist, &params, o.today + 366); /* a verification a year ahead at most */
	hist.horizon_name = "the bank's horizon, a year past its date,";
	hist.defer = 0;
	hmap_init(&stops, sizeof(struct stopref));
	hmap_init(&msgs, 1);
	hmap_init(&paid, sizeof(int));
	hmap_init(&months, 1);
	hmap_init(&ids, 1);
	json_object_seed(0);
	/* The ledger, locked: a second bank on the same state refuses to start. */
	char *p = state_file(NULL, state, "ledger.jsonl"), *lp = state_file(NULL, state, "lock");
	struct store_opts so = { .check = STORE_SUM, .lock = STORE_TRY, .lockpath = lp };
	rc = store_open(&ledger, p, &so, on_ledger_line, NULL, e);
	if (rc < 0 && !strcmp(e->field, lp)) {
		*busy = 1;
		snprintf(e->msg + strlen(e->msg), sizeof e->msg - strlen(e->msg),
		         " by another ddp-sandbox on this state directory");
	}
	free(p);
	free(lp);
	if (rc < 0) {
		free(state);
		return -1;
	}
	/* What was accepted and is to come back, but has not yet. */
	size_t i = 0;
	struct acc *a;
	while ((a = hmap_iter(&accs, &i)))
		if (!a->returned && comes_back(hmap_key(&accs, a))) {
			a->pending = 1;
			pend(hmap_key(&accs, a));
		}
	if (o.log || !o.no_log) {
		char *lg = state_file(o.log, state, "requests.log");
		reqlog = fopen(lg, "a");
		if (!reqlog) {
			werr_set(e, lg, "%s", strerror(errno));
			free(lg);
			free(state);
			store_close(&ledger);
			return -1;
		}
		free(lg);
	}
	free(state);
	opened = 1;
	return 0;
}

void
sbank_close(void)
{
	if (!opened)
		return;
	if (reqlog)
		fclose(reqlog);
	reqlog = NULL;
	store_close(&ledger);
	opened = 0;
}

/* ---- answers ---- */

void
sbank_answer_init(struct sbank_answer *a)
{
	memset(a, 0, sizeof *a);
	a->retry_after = -1;
}

void
sbank_answer_free(struct sbank_answer *a)
{
	buf_free(&a->body);
}

static void
answer(struct sbank_answer *a, int ep, const char *receiver, const struct api_err *e, long total,
       long done, json_t *message)
{
	a->http = e ? e->http : 200;
	if (e)
		snprintf(a->code, sizeof a->code, "%s", e->code);
	api_answer(&a->body, ep, receiver, e, total, done, message);
}

void
sbank_error(struct sbank_answer *a, int ep, int code, const char *msg)
{
	struct api_err e;
	api_err(&e, code, "%s", msg);
	answer(a, ep, a->sender[0] ? a->sender : NULL, &e, 0, 0, NULL);
}

static void
refused(struct sbank_answer *a, int ep, const char *receiver, const struct api_err *e)
{
	answer(a, ep, receiver, e, 0, 0, NULL);
}

static void
storage_error(struct sbank_answer *a, int ep, const char *receiver)
{
	struct api_err e;
	api_err(&e, API_SERVER_STORAGE, "the bank could not write its ledger; it takes nothing "
	        "more, and answers nothing from memory, until it is restarted");
	refused(a, ep, receiver, &e);
}

/* Under the lock: a signed request's message_id, never seen before on any
 * endpoint, is taken. -1 (answered) when it was seen. */
static int
take_message_id(struct sbank_answer *a, int ep, const json_t *h)
{
	const char *id = jstr(h, "message_id");
	if (hmap_get(&msgs, id)) {
		struct api_err e;
		api_err(&e, API_MESSAGE_ID_DUPLICATE, "this message_id was seen before");
		refused(a, ep, jstr(h, "sender_id"), &e);
		return -1;
	}
	json_t *ml = json_object();
	json_object_set_new(ml, "t", json_string("msg"));
	json_object_set_new(ml, "id", json_string(id));
	commit(ml);
	return 0;
}

/* After the lock: the request's changes are durable, or it is answered 500. */
static int
settle(struct sbank_answer *a, int ep, const char *receiver, int written)
{
	if (written == 0 && ledger_durable() == 0)
		return 0;
	storage_error(a, ep, receiver);
	return -1;
}

/* ---- disbursements and stops ---- */

static json_t *
accept_item(json_t *d, const uint8_t hash[16], const char *order_text)
{
	const char *ref = jstr(d, "reference_id");
	json_t *order = json_object_get(d, "order");
	struct api_err e;
	struct acc *a = hmap_get(&accs, ref);
	if (a) {
		if (memcmp(a->hash, hash, 16)) {
			api_err(&e, API_R_REFERENCE_DUPLICATE, "this reference_id was accepted with other content");
			return api_item_status(ref, &e, NULL, NULL);
		}
		return api_item_status(ref, NULL, a->bank_ref, NULL); /* the same again */
	}
	struct hist_order *ho = hist_find(&hist, jstr(order, "order_no"));
	if (ho && hist_latest(ho)->revision > jint(order, "revision", 0)) {
		api_err(&e, API_R_REVISION_SUPERSEDED, "revision %d of this order is in force",
		        hist_latest(ho)->revision);
		return api_item_status(ref, &e, NULL, NULL);
	}
	char br[24], hex[33], ds[11];
	derive_id(br, sizeof br, "DDP", "bank-ref", ref);
	sodium_bin2hex(hex, sizeof hex, hash, 16);
	date_fmt(o.today, ds);
	/* The order was written out before the lock was taken. */
	struct buf line = { 0 };
	buf_adds(&line, "{\"t\":\"acc\",\"ref\":");
	json_put_string(&line, ref, strlen(ref));
	buf_printf(&line, ",\"hash\":\"%s\",\"bank_ref\":\"%s\",\"date\":\"%s\",\"order\":", hex, br, ds);
	buf_adds(&line, order_text);
	buf_addc(&line, '}');
	store_add(&ledger, line.p, line.n);
	buf_free(&line);
	apply_acc(ref, hash, br, o.today, order);
	if (comes_back(ref)) {
		((struct acc *)hmap_get(&accs, ref))->pending = 1;
		pend(ref);
	}
	return api_item_status(ref, NULL, br, NULL);
}

static json_t *
accept_stop(json_t *d, const uint8_t hash[16])
{
	const char *ref = jstr(d, "reference_id");
	json_t *stop = json_object_get(d, "stop");
	struct api_err e;
	struct stopref *sr = hmap_get(&stops, ref);
	if (sr) {
		if (memcmp(sr->hash, hash, 16)) {
			api_err(&e, API_R_REFERENCE_DUPLICATE, "the order was stopped with other content");
			return api_item_status(ref, &e, NULL, NULL);
		}
		return api_item_status(ref, NULL, sr->bank_ref, NULL); /* the same again */
	}
	struct hist_order *ho = hist_find(&hist, jstr(stop, "order_no"));
	if (!ho) {
		api_err(&e, API_R_ORDER_UNKNOWN, "no accepted order by that number");
		return api_item_status(ref, &e, NULL, NULL);
	}
	wdate sd;
	const char *why;
	if (date_parse(jstr(stop, "date"), &sd, &why) < 0 || sd < ho->issued) {
		api_err(&e, API_R_STOP_INVALID, "the stop is dated before the order");
		return api_item_status(ref, &e, NULL, NULL);
	}
	char br[24], hex[33], ds[11];
	derive_id(br, sizeof br, "DDP", "bank-ref", ref);
	sodium_bin2hex(hex, sizeof hex, hash, 16);
	date_fmt(o.today, ds);
	json_t *l = json_object();
	json_object_set_new(l, "t", json_string("stop"));
	json_object_set_new(l, "ref", json_string(ref));
	json_object_set_new(l, "hash", json_string(hex));
	json_object_set_new(l, "bank_ref", json_string(br));
	json_object_set_new(l, "date", json_string(ds));
	json_object_set(l, "stop", stop);
	commit(l);
	return api_item_status(ref, NULL, br, NULL);
}

/* POST /disburse/sync/disburse and /disburse/sync/stop: the expensive checks
 * (signatures) outside the lock, in parallel; under it, the message id, each
 * item's acceptance and the write; after it, the sync. */
static void
do_batch(struct sbank_answer *a, int ep, json_t *env)
{
	json_t *h = json_object_get(env, "header"), *ds;
	const char *sender = jstr(h, "sender_id");
	int isstop = ep == API_STOP;
	struct api_err e;
	if (api_batch_read(env, ep, o.max_batch, &ds, &e) < 0) {
		refused(a, ep, sender, &e);
		return;
	}
	size_t n = json_array_size(ds), i;
	a->items = (long)n;
	json_t **st = xcalloc(n ? n : 1, sizeof *st);
	uint8_t (*hash)[16] = xcalloc(n ? n : 1, 16);
	char **text = xcalloc(n ? n : 1, sizeof *text);
	json_t *d;
	json_array_foreach(ds, i, d) {
		int rc = !json_is_object(d) ? api_err(&e, API_R_ITEM_BAD, "not an object")
		         : isstop ? api_stop_check(d, sender, &ring, hash[i], &e)
		                  : api_disbursement_check(d, sender, &ring, hash[i], &e);
		if (rc < 0) {
			st[i] = api_item_status(json_is_object(d) ? jstr(d, "reference_id") : NULL, &e, NULL, NULL);
		} else if (!isstop) {
			struct buf b = { 0 };
			rec_dump(json_object_get(d, "order"), &b);
			b.p[b.n - 1] = 0; /* no newline */
			text[i] = b.p;
		}
	}
	pthread_mutex_lock(&mu);
	int written = -1;
	long done = 0;
	if (ledger_broken) {
		pthread_mutex_unlock(&mu);
		storage_error(a, ep, sender);
		goto out;
	}
	if (take_message_id(a, ep, h) < 0) {
		pthread_mutex_unlock(&mu);
		goto out;
	}
	json_array_foreach(ds, i, d) {
		if (!st[i])
			st[i] = isstop ? accept_stop(d, hash[i]) : accept_item(d, hash[i], text[i]);
		done += !strcmp(jstr(st[i], "status"), "succ");
	}
	written = ledger_write();
	pthread_mutex_unlock(&mu);
	if (settle(a, ep, sender, written) == 0) {
		json_t *out = json_array();
		for (i = 0; i < n; i++) {
			json_array_append_new(out, st[i]);
			st[i] = NULL;
		}
		json_t *msg = json_object();
		json_object_set(msg, "transaction_id", json_object_get(json_object_get(env, "message"),
		                                                       "transaction_id"));
		json_object_set_new(msg, api_endpoint(ep)->statuses, out);
		answer(a, ep, sender, NULL, (long)n, done, msg);
	}
out:
	for (i = 0; i < n; i++) {
		json_decref(st[i]);
		free(text[i]);
	}
	free(st);
	free(hash);
	free(text);
}

/* ---- /disburse/sync/txn/status ---- */

static void
do_status(struct sbank_answer *a, json_t *env)
{
	json_t *h = json_object_get(env, "header"), *refs, *r;
	const char *sender = jstr(h, "sender_id");
	struct api_err e, note;
	if (api_status_read(env, &refs, &e) < 0) {
		refused(a, API_TXN_STATUS, sender, &e);
		return;
	}
	api_err(&note, API_R_RETURNED, "accepted, then returned");
	json_t *out = json_array();
	size_t i;
	pthread_mutex_lock(&mu);
	if (ledger_broken || take_message_id(a, API_TXN_STATUS, h) < 0) {
		pthread_mutex_unlock(&mu);
		json_decref(out);
		if (ledger_broken)
			storage_error(a, API_TXN_STATUS, sender);
		return;
	}
	publish_returns();
	json_array_foreach(refs, i, r) {
		const char *ref = json_string_value(r);
		struct acc *ac = ref ? hmap_get(&accs, ref) : NULL;
		struct stopref *sr = ref ? hmap_get(&stops, ref) : NULL;
		if (ac && !strcmp(ac->office, sender)) {
			json_array_append_new(out, api_item_status(ref, NULL, ac->bank_ref,
			                                           ac->returned ? &note : NULL));
		} else if (sr && !strcmp(sr->office, sender)) {
			json_array_append_new(out, api_item_status(ref, NULL, sr->bank_ref, NULL));
		} else {
			api_err(&e, API_R_REFERENCE_INVALID, "no such disbursement or stop of the office");
			json_array_append_new(out, api_item_status(ref, &e, NULL, NULL));
		}
	}
	int written = ledger_write();
	pthread_mutex_unlock(&mu);
	if (settle(a, API_TXN_STATUS, sender, written) < 0) {
		json_decref(out);
		return;
	}
	json_t *msg = json_object();
	if (json_object_get(json_object_get(env, "message"), "transaction_id"))
		json_object_set(msg, "transaction_id",
		                json_object_get(json_object_get(env, "message"), "transaction_id"));
	json_object_set_new(msg, api_endpoint(API_TXN_STATUS)->statuses, out);
	long k = (long)json_array_size(out);
	answer(a, API_TXN_STATUS, sender, NULL, k, k, msg);
}

/* ---- the feeds ---- */

static void
do_feed(struct sbank_answer *a, int ep, json_t *env)
{
	json_t *h = json_object_get(env, "header");
	const char *sender = jstr(h, "sender_id");
	int f = ep - API_RETURNS, oi = office_index(sender);
	uint64_t from;
	long limit;
	wmonth want;
	struct api_err e;
	const char *why;
	if (api_feed_read(env, ep, &from, &limit, &want, &e) < 0) {
		refused(a, ep, sender, &e);
		return;
	}
	json_t *recs = json_array();
	pthread_mutex_lock(&mu);
	if (ledger_broken || take_message_id(a, ep, h) < 0) {
		pthread_mutex_unlock(&mu);
		json_decref(recs);
		if (ledger_broken)
			storage_error(a, ep, sender);
		return;
	}
	publish_returns();
	struct feed *fd = &feeds[oi][f];
	/* A cursor is a place in the office's feed that the bank has given: none past
	 * its end, where a hand-edited cursor would skip records unseen. */
	if (from > fd->n) {
		int written = ledger_write();
		pthread_mutex_unlock(&mu);
		json_decref(recs);
		if (settle(a, ep, sender, written) == 0) {
			api_err(&e, API_CURSOR_INVALID, "cursor %llu is past the end of the %s feed (%zu)",
			        (unsigned long long)from, api_endpoint(ep)->feed, fd->n);
			refused(a, ep, sender, &e);
		}
		return;
	}
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
	int written = ledger_write();
	pthread_mutex_unlock(&mu);
	if (settle(a, ep, sender, written) < 0) {
		json_decref(recs);
		return;
	}
	long k = (long)json_array_size(recs);
	answer(a, ep, sender, NULL, k, k, api_feed_answer(ep, recs, (uint64_t)i, more));
}

/* ---- the sandbox's own endpoints: branches, simulation, the bank's month ---- */

static json_t *
verification_rec(const struct hist_order *ho, wdate d, const char *branch, const char *method)
{
	char id[24], ds[11], key[96];
	date_fmt(d, ds);
	snprintf(key, sizeof key, "%s|%s", ho->order_no, ds);
	derive_id(id, sizeof id, "LV", "verification-id", key);
	json_t *r = rec_new("verification");
	json_object_set_new(r, "verification_id", json_string(id));
	json_object_set_new(r, "order_no", json_string(ho->order_no));
	json_object_set_new(r, "office", json_string(ho->office));
	json_object_set_new(r, "date", json_string(ds));
	json_object_set_new(r, "branch", json_string(branch));
	if (method)
		json_object_set_new(r, "method", json_string(method));
	return r;
}

static void
sb_refuse(struct sbank_answer *a, int ep, const char *who, int code, const char *fmt, ...)
	WGO_ATTR_FMT(5, 6);
static void
sb_refuse(struct sbank_answer *a, int ep, const char *who, int code, const char *fmt, ...)
{
	struct api_err e;
	char m[sizeof e.msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	api_err(&e, code, "%s", m);
	refused(a, ep, who, &e);
}

/* A branch records an appearance, by the toolkit's one rule for verifications:
 * not on a day the order was verified already, not before the order was issued,
 * not more than a year after the bank's date. */
static void
do_verify(struct sbank_answer *a, const char *who, json_t *b)
{
	const char *no = jstr(b, "order_no"), *ds = jstr(b, "date"), *br = jstr(b, "branch"), *why;
	wdate d;
	char norm[16];
	struct werr e;
	if (!no || !ds || date_parse(ds, &d, &why) < 0) {
		sb_refuse(a, API_SB_VERIFY, who, API_REQUEST_BAD,
		          "give order_no, date (YYYY-MM-DD) and branch");
		return;
	}
	pthread_mutex_lock(&mu);
	struct hist_order *ho = hist_find(&hist, no);
	int rule;
	if (!ho) {
		pthread_mutex_unlock(&mu);
		sb_refuse(a, API_SB_VERIFY, who, API_ORDER_UNKNOWN, "no accepted order by that number");
		return;
	}
	if (!br)
		br = hist_in_force(ho, d) ? hist_in_force(ho, d)->routing : hist_latest(ho)->routing;
	if (routing_check(br, norm, sizeof norm, &why) < 0) {
		pthread_mutex_unlock(&mu);
		sb_refuse(a, API_SB_VERIFY, who, API_REQUEST_BAD, "branch is not a valid routing number: %s",
		          why);
		return;
	}
	if ((rule = hist_verification_check(&hist, ho, d, &e)) != 0) {
		pthread_mutex_unlock(&mu);
		sb_refuse(a, API_SB_VERIFY, who, rule > 0 ? API_VERIFICATION_DUPLICATE : API_VERIFICATION_DATE,
		          "%s", e.msg);
		return;
	}
	json_t *r = verification_rec(ho, d, norm, jstr(b, "method"));
	if (rec_validate(r, &e) < 0) {
		/* Nothing goes into the ledger that the bank could not read back. */
		pthread_mutex_unlock(&mu);
		json_decref(r);
		sb_refuse(a, API_SB_VERIFY, who, API_REQUEST_BAD, "%s: %s", e.field, e.msg);
		return;
	}
	json_incref(r);
	feed_commit(F_VERIFICATIONS, r);
	int written = ledger_write();
	pthread_mutex_unlock(&mu);
	if (settle(a, API_SB_VERIFY, who, written) < 0) {
		json_decref(r);
		return;
	}
	answer(a, API_SB_VERIFY, who, NULL, 1, 1, r);
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
	struct hist_order **s = xmalloc((*n + 1) * sizeof *s);
	if (*n) {
		memcpy(s, all, *n * sizeof *s);
		qsort(s, *n, sizeof *s, namecmp);
	}
	return s;
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
accepted_on(const struct hist_order *ho)
{
	wdate first = HIST_NEVER;
	for (uint32_t i = 0; i < ho->nrev; i++) {
		char ref[96];
		snprintf(ref, sizeof ref, "%s-r%d", ho->order_no, ho->rev[i].revision);
		const struct acc *ac = hmap_get(&accs, ref);
		if (ac && ac->accepted < first)
			first = ac->accepted;
	}
	return first == HIST_NEVER ? ho->issued : first;
}

static int
share(json_t *b, const char *key, double *v)
{
	json_t *x = json_object_get(b, key);
	if (!x)
		return 0;
	if (!json_is_number(x))
		return -1;
	*v = json_number_value(x);
	return *v >= 0 && *v <= 1 ? 0 : -1;
}

static void
do_simulate(struct sbank_answer *a, const char *who, json_t *b)
{
	const char *why, *th = jstr(b, "through");
	wdate through;
	double late = 0, never = 0;
	json_t *fw = json_object_get(b, "first_within");
	long within = fw ? (json_is_integer(fw) ? (long)json_integer_value(fw) : -1) : 10;
	if (!th || date_parse(th, &through, &why) < 0 || share(b, "late", &late) < 0 ||
	    share(b, "never", &never) < 0 || late + never > 1 || within < 1 || within > 365) {
		sb_refuse(a, API_SB_SIMULATE, who, API_REQUEST_BAD,
		          "give through (YYYY-MM-DD), late and never (shares), first_within (days)");
		return;
	}
	if (through > hist.horizon) {
		char hs[11];
		date_fmt(hist.horizon, hs);
		sb_refuse(a, API_SB_SIMULATE, who, API_REQUEST_BAD,
		          "through is after %s, a year after the bank's date", hs);
		return;
	}
	long counts[3] = { 0 }, added = 0;
	pthread_mutex_lock(&mu);
	if (ledger_broken) {
		pthread_mutex_unlock(&mu);
		storage_error(a, API_SB_SIMULATE, who);
		return;
	}
	publish_returns();
	size_t n;
	struct hist_order **ords = sorted_orders(&n);
	for (size_t i = 0; i < n; i++) {
		struct hist_order *ho = ords[i];
		if (ho->nver)
			continue; /* already has verifications: leave it as it is */
		const char *no = ho->order_no;
		double u = unit("population", no);
		int kind = u < never ? 2 : u < never + late ? 1 : 0; /* 0 on time, 1 late, 2 never */
		counts[kind]++;
		if (kind == 2)
			continue;
		const char *branch = hist_latest(ho)->routing;
		wdate d = workday_on_or_after(accepted_on(ho) + 1 + (wdate)(unit("first", no) * (double)within));
		int round = 0;
		int lump = hist_latest(ho)->so.lump;
		while (d <= through) {
			struct werr e;
			if (hist_verification_check(&hist, ho, d, &e) == 0) {
				feed_commit(F_VERIFICATIONS, verification_rec(ho, d, branch, "biometric"));
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
	int written = ledger_write();
	pthread_mutex_unlock(&mu);
	if (settle(a, API_SB_SIMULATE, who, written) < 0)
		return;
	json_t *j = json_object();
	json_object_set_new(j, "on_time", json_integer(counts[0]));
	json_object_set_new(j, "late", json_integer(counts[1]));
	json_object_set_new(j, "never", json_integer(counts[2]));
	json_object_set_new(j, "verifications", json_integer(added));
	answer(a, API_SB_SIMULATE, who, NULL, 1, 1, j);
}

/* A payment of an item: against the revision in force on its due date, into the
 * account given (that revision's, unless the bank erred). Its id is derived from
 * the order, the month and how many payments of it came before. */
static json_t *
payment_rec(const struct hist_order *ho, const struct hist_item *it, int64_t amount, wdate paid_on,
            const char *routing, const char *number, int nth)
{
	char id[24], ref[96], ds[11], ms[8] = "lump", key[128];
	if (it->month >= 0)
		month_fmt(it->month, ms);
	snprintf(key, sizeof key, "%s|%s|%d", ho->order_no, ms, nth);
	derive_id(id, sizeof id, "PAY", "payment-id", key);
	snprintf(ref, sizeof ref, "%s-r%d", ho->order_no, it->rev->revision);
	date_fmt(paid_on, ds);
	json_t *p = rec_new("payment");
	json_object_set_new(p, "payment_id", json_string(id));
	json_object_set_new(p, "reference_id", json_string(ref));
	json_object_set_new(p, "order_no", json_string(ho->order_no));
	json_object_set_new(p, "revision", json_integer(it->rev->revision));
	json_object_set_new(p, "office", json_string(ho->office));
	if (it->month >= 0)
		json_object_set_new(p, "month", json_string(ms));
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
pay(struct staged *s, const struct hist_order *ho, const struct hist_item *it, int64_t amount,
    wdate paid_on, const char *routing, const char *number, int nth)
{
	if (money_sum(&s->sum, amount) < 0) {
		s->over = 1;
		return;
	}
	stage(s, payment_rec(ho, it, amount, paid_on, routing, number, nth));
	s->npay++;
}

/* The bank's month: every item the order history makes payable in the month, as
 * known at its end, paid on its due date into the account of the revision in force
 * then (a held or stopped order is not paid); some with an error when asked; and
 * the cards of ended and stopped orders returned by the 15th. */
static void
do_run_month(struct sbank_answer *a, const char *who, json_t *b)
{
	const char *ms = jstr(b, "month"), *why;
	wmonth m;
	double err_rate = o.pay_error_rate;
	if (!ms || month_parse(ms, &m, &why) < 0 || share(b, "pay_error_rate", &err_rate) < 0) {
		sb_refuse(a, API_SB_RUN_MONTH, who, API_REQUEST_BAD,
		          "give month (YYYY-MM), and pay_error_rate a share from 0 to 1 if any");
		return;
	}
	if (month_first(m) > o.today + 366 || m < date_month(o.today) - 12 * 30) {
		/* The order history looks a year ahead at most; thirty years back is
		 * before any order the bank holds could be due. */
		sb_refuse(a, API_SB_RUN_MONTH, who, API_REQUEST_BAD,
		          "month %s is not within a year ahead of the bank's date, nor thirty years back",
		          ms);
		return;
	}
	pthread_mutex_lock(&mu);
	if (ledger_broken) {
		pthread_mutex_unlock(&mu);
		storage_error(a, API_SB_RUN_MONTH, who);
		return;
	}
	if (hmap_get(&months, ms)) {
		pthread_mutex_unlock(&mu);
		sb_refuse(a, API_SB_RUN_MONTH, who, API_MONTH_DONE, "%s has been run already", ms);
		return;
	}
	publish_returns();
	wdate lo = month_first(m), hi = month_last(m);
	long ncards = 0, nerr[4] = { 0 };
	struct staged sg = { 0 };
	size_t n;
	struct hist_order **ords = sorted_orders(&n);
	for (size_t i = 0; i < n && !sg.over; i++) {
		struct hist_order *ho = ords[i];
		const char *no = ho->order_no;
		const struct hist_item *it;
		size_t k = hist_items(&hist, ho, hi, &it);
		for (size_t j = 0; j < k && !sg.over; j++) {
			char key[96], mm[8] = "lump";
			if (it[j].month >= 0)
				month_fmt(it[j].month, mm);
			snprintf(key, sizeof key, "%s|%s", no, mm);
			int *before = hmap_get(&paid, key);
			int nth = before ? *before : 0;
			int due_here = hist_item_payable(&it[j]) && it[j].due >= lo && it[j].due <= hi;
			int withheld_here = it[j].state == SCHED_WITHHELD && it[j].kind == SCHED_RESUMED &&
			                    !it[j].stopped && it[j].regular_due >= lo && it[j].regular_due <= hi;
			char pid[128];
			snprintf(pid, sizeof pid, "%s|%d", key, nth);
			int erred = err_rate > 0 && unit("payerr", pid) < err_rate;
			int kind = (int)(unit("payerr-kind", pid) * 4);
			const struct hist_rev *rv = it[j].rev;
			if (withheld_here && erred && kind == 2 && !before) {
				/* Paid while suspended: the bank missed the lapse. */
				pay(&sg, ho, &it[j], it[j].poisha, it[j].regular_due, rv->routing, rv->number, nth);
				nerr[2]++;
				continue;
			}
			if (!due_here || before)
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
				for (uint32_t r = 0; r < ho->nrev && ho->rev[r].revision < rv->revision; r++)
					prev = &ho->rev[r];
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
			pay(&sg, ho, &it[j], amt, it[j].due, routing, number, nth);
			if (erred && kind == 1) {
				pay(&sg, ho, &it[j], amt, it[j].due, routing, number, nth + 1);
				nerr[1]++;
			}
		}
		/* Cards due back this month go back to their office by the 15th. */
		wdate cd;
		if (hist_card_due(ho, hi, &cd) && cd >= lo && cd <= hi && !hist_card_returned(ho, hi)) {
			char rd[11], lm[8];
			wmonth last = hist_schedule(ho, hi)->so.last, sl;
			if (hist_stop_known(ho, hi, &sl) && sl < last)
				last = sl;
			date_fmt(workday_on_or_after(month_first(m) + 9), rd);
			month_fmt(last, lm);
			json_t *c = rec_new("card_return");
			json_object_set_new(c, "order_no", json_string(no));
			json_object_set_new(c, "office", json_string(ho->office));
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
			feed_commit(!strcmp(jstr(sg.rec[i], "kind"), "payment") ? F_PAYMENTS : F_CARDS, sg.rec[i]);
	}
	free(sg.rec);
	if (sg.over) {
		int written = ledger_write(); /* the returns published, if any */
		pthread_mutex_unlock(&mu);
		if (settle(a, API_SB_RUN_MONTH, who, written) == 0)
			sb_refuse(a, API_SB_RUN_MONTH, who, API_MONTH_OVERFLOW,
			          "the month's payments add up past the largest amount a record holds; "
			          "nothing was paid");
		return;
	}
	json_t *ml = json_object();
	json_object_set_new(ml, "t", json_string("month"));
	json_object_set_new(ml, "month", json_string(ms));
	commit(ml);
	int written = ledger_write();
	pthread_mutex_unlock(&mu);
	if (settle(a, API_SB_RUN_MONTH, who, written) < 0)
		return;
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
	answer(a, API_SB_RUN_MONTH, who, NULL, 1, 1, j);
}

static void
do_state(struct sbank_answer *a, const char *who)
{
	pthread_mutex_lock(&mu);
	if (ledger_broken) {
		pthread_mutex_unlock(&mu);
		storage_error(a, API_SB_STATE, who);
		return;
	}
	publish_returns();
	int written = ledger_write();
	json_t *j = json_object();
	json_object_set_new(j, "accepted", json_integer((json_int_t)accs.n));
	json_object_set_new(j, "stops", json_integer((json_int_t)stops.n));
	json_object_set_new(j, "orders", json_integer((json_int_t)hist.n));
	json_t *f = json_object();
	for (int k = 0; k < NFEEDS; k++) {
		size_t t = 0;
		for (int of = 0; of < NOFFICES; of++)
			t += feeds[of][k].n;
		json_object_set_new(f, feed_names[k], json_integer((json_int_t)t));
	}
	json_object_set_new(j, "feeds", f);
	json_object_set_new(j, "months", json_integer((json_int_t)months.n));
	char ds[11];
	date_fmt(o.today, ds);
	json_object_set_new(j, "today", json_string(ds));
	pthread_mutex_unlock(&mu);
	if (settle(a, API_SB_STATE, who, written) < 0) {
		json_decref(j);
		return;
	}
	answer(a, API_SB_STATE, who, NULL, 1, 1, j);
}

/* ---- dispatch ---- */

static int
roll(double rate, uint64_t *r)
{
	if (rate <= 0)
		return 0;
	*r = splitmix(*r);
	return (double)(*r >> 11) / 9007199254740992.0 < rate;
}

int
sbank_begin(const char *method, const char *url, const char *authz, long long length,
            struct sbank_answer *a, const char **who)
{
	uint64_t r = o.seed * 0x2545F4914F6CDD1Dull + atomic_fetch_add(&reqno, 1);
	*who = NULL;
	if (o.latency_ms > 0)
		usleep((useconds_t)o.latency_ms * 1000);
	if (roll(o.fail_rate, &r)) {
		snprintf(a->fault, sizeof a->fault, "503");
		a->retry_after = o.retry_after;
		sbank_error(a, -1, API_SERVER_UNAVAILABLE, "the bank is busy; try again");
		return 1;
	}
	if (roll(o.throttle_rate, &r)) {
		snprintf(a->fault, sizeof a->fault, "429");
		a->retry_after = o.retry_after;
		sbank_error(a, -1, API_RATE_LIMITED, "too many requests; try again later");
		return 1;
	}
	a->drop = roll(o.drop_rate, &r);
	a->slow = roll(o.slow_rate, &r);
	a->truncate = roll(o.truncate_rate, &r);
	if (a->drop)
		snprintf(a->fault, sizeof a->fault, "drop");
	else if (a->truncate)
		snprintf(a->fault, sizeof a->fault, "truncate");
	else if (a->slow)
		snprintf(a->fault, sizeof a->fault, "slow");
	/* Who asks is known before a byte of the body is read: a stranger's body is
	 * never read, let alone held. */
	if (!(*who = sbank_who(authz))) {
		sbank_error(a, -1, API_AUTH_INVALID, "no valid bearer token");
		return 1;
	}
	int ep = api_endpoint_find(url);
	if (ep < 0) {
		sbank_error(a, -1, API_NOT_FOUND, "no such endpoint");
		return 1;
	}
	if (strcmp(method, api_endpoint(ep)->method)) {
		a->allow = api_endpoint(ep)->method;
		sbank_error(a, ep, API_METHOD, strcmp(api_endpoint(ep)->method, "GET") ? "POST only" : "GET only");
		return 1;
	}
	if (length > o.max_body) {
		char m[80];
		snprintf(m, sizeof m, "the body is over %ld bytes", o.max_body);
		sbank_error(a, ep, API_REQUEST_TOO_LARGE, m);
		return 1;
	}
	return 0;
}

long
sbank_max_body(void)
{
	return o.max_body;
}

void
sbank_serve(const char *method, const char *url, const char *who, const char *body, size_t n,
            struct sbank_answer *a)
{
	struct api_err e;
	int ep = api_endpoint_find(url);
	if (ep < 0) {
		sbank_error(a, -1, API_NOT_FOUND, "no such endpoint");
		return;
	}
	if (strcmp(method, api_endpoint(ep)->method)) {
		a->allow = api_endpoint(ep)->method;
		sbank_error(a, ep, API_METHOD, "a method the endpoint does not take");
		return;
	}
	if (ledger_broken) {
		storage_error(a, ep, who);
		return;
	}
	if (ep == API_SB_STATE) {
		do_state(a, who);
		return;
	}
	if (api_is_sandbox(ep)) {
		json_t *b = n ? json_loadb(body, n, JSON_REJECT_DUPLICATES, NULL) : NULL;
		if (!json_is_object(b)) {
			json_decref(b);
			sb_refuse(a, ep, who, API_REQUEST_BAD, "the body is a JSON object");
			return;
		}
		if (ep == API_SB_VERIFY)
			do_verify(a, who, b);
		else if (ep == API_SB_SIMULATE)
			do_simulate(a, who, b);
		else
			do_run_month(a, who, b);
		json_decref(b);
		return;
	}
	json_t *env;
	const struct wkey *key;
	/* The request is parsed into an arena: nothing of it is kept (what the bank
	 * keeps, it copies), and its values cost no malloc and no free. What checking
	 * it adds to its objects later (a key taken out and put back) is malloc'd, so
	 * the tree is still released before the arena goes. */
	struct json_arena *ar = json_arena_new(), *was = json_arena_use(ar);
	int opened_ok = api_open(body ? body : "", n, &ring, (int64_t)time(NULL), o.replay_window, &env,
	                         &key, &e);
	json_arena_use(was);
	if (opened_ok < 0) {
		refused(a, ep, NULL, &e);
		json_arena_free(ar);
		return;
	}
	json_t *h = json_object_get(env, "header");
	snprintf(a->sender, sizeof a->sender, "%s", jstr(h, "sender_id"));
	snprintf(a->message_id, sizeof a->message_id, "%s", jstr(h, "message_id"));
	if (api_request_check(env, ep, who, &e) < 0)
		refused(a, ep, a->sender, &e);
	else if (ep == API_DISBURSE || ep == API_STOP)
		do_batch(a, ep, env);
	else if (ep == API_TXN_STATUS)
		do_status(a, env);
	else
		do_feed(a, ep, env);
	json_decref(env);
	json_arena_free(ar);
}

void
sbank_log(const char *method, const char *url, const struct sbank_answer *a, double ms)
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
	if (a->code[0])
		json_object_set_new(l, "code", json_string(a->code));
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
