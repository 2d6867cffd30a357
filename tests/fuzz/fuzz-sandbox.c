/* The sandbox bank's request handling (bank.c), from the token on, linked from
 * libwgo as ddp-sandbox links it. The first byte picks the endpoint; the second,
 * the token and method, and whether the rest is the raw body or a message to seal
 * in a correctly signed envelope (its orders and stops signed too), so that what
 * lies behind the signature check is reached. Whatever comes, the bank answers an
 * envelope whose code is one of wgo-api(7)'s, with that code's HTTP status: it
 * never dies. */
#include <stdio.h>

#include <jansson.h>

#include "fuzz.h"

static struct wkey fkey;

static void
init(void)
{
	const char *dir = fuzz_dir();
	static char state[160], tokp[160], sec[160];
	snprintf(state, sizeof state, "%s/sb", dir);
	snprintf(tokp, sizeof tokp, "%s/tokens", dir);
	snprintf(sec, sizeof sec, "%s/KHL.sec", dir);
	const char tok[] = "KHL fuzz-token\nADMIN fuzz-admin\n";
	fuzz_file("tokens", (const uint8_t *)tok, sizeof tok - 1);
	chmod(tokp, 0600);
	FILE *in = fopen(FUZZ_KEYS "/KHL.sec", "rb");
	char kb[4096];
	size_t kn = in ? fread(kb, 1, sizeof kb, in) : 0;
	if (!in || !kn)
		abort();
	fclose(in);
	fuzz_file("KHL.sec", (const uint8_t *)kb, kn);
	chmod(sec, 0600);
	struct werr e;
	if (seckey_load(sec, NULL, &fkey, &e) < 0)
		abort();
	struct sbank_opts o;
	sbank_defaults(&o);
	o.state = state;
	o.tokens = tokp;
	o.keyring = FUZZ_KEYS;
	o.today = date_from_ymd(2025, 12, 10);
	o.no_log = 1;
	o.return_rate = 0.3;
	o.max_batch = 50;
	int busy;
	if (sbank_open(&o, &busy, &e) < 0)
		abort();
}

static void
check_answer(const struct sbank_answer *a)
{
	FUZZ_CHECK(a->http >= 200 && a->http < 600);
	json_t *j = json_loadb(a->body.p, a->body.n, JSON_REJECT_DUPLICATES, NULL);
	FUZZ_CHECK(json_is_object(j)); /* every answer is JSON ... */
	json_t *h = json_object_get(j, "header");
	const char *st = jstr(h, "status");
	FUZZ_CHECK(st && jstr(h, "version") && jstr(h, "message_id") && jstr(h, "action")); /* ... an envelope */
	if (!strcmp(st, "rjct")) {
		int c = api_code_find(jstr(h, "status_reason_code"));
		FUZZ_CHECK(c >= 0 && api_code(c)->scope == API_SCOPE_REQUEST);
		FUZZ_CHECK(api_code(c)->http == a->http); /* the code's status, as the table says */
	} else {
		FUZZ_CHECK(!strcmp(st, "succ") && a->http == 200);
	}
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		init();
		ready = 1;
	}
	static const char *const tokens[] = { "Bearer fuzz-token", "Bearer fuzz-admin", NULL,
		                              "Bearer wrong" };
	static const char *const methods[] = { NULL, "GET", "PUT" };
	if (size < 2)
		return 0;
	int ep = data[0] % (API_NEP + 1); /* API_NEP: a path that is none */
	const char *url = ep < API_NEP ? api_endpoint(ep)->path : "/no/such/thing";
	const char *action = ep < API_NEP ? api_endpoint(ep)->action : "x";
	int seal = data[1] & 1;
	const char *authz = tokens[(data[1] >> 1) & 3];
	const char *method = methods[(data[1] >> 3) % 3];
	if (!method)
		method = ep < API_NEP ? api_endpoint(ep)->method : "POST";
	const char *body = (const char *)data + 2;
	size_t n = size - 2;
	struct buf sealed = { 0 };
	if (seal && action) {
		json_t *m = json_loadb(body, n, JSON_REJECT_DUPLICATES, NULL);
		if (json_is_object(m)) {
			json_t *ds = json_object_get(m, "disbursements"), *d;
			size_t i;
			struct werr e;
			json_array_foreach(ds, i, d) {
				json_t *o = json_object_get(d, "order");
				if (json_is_object(o))
					(void)order_sign(o, &fkey, &e);
			}
			json_t *ss = json_object_get(m, "stops");
			json_array_foreach(ss, i, d) {
				json_t *o = json_object_get(d, "stop");
				if (json_is_object(o))
					(void)order_sign(o, &fkey, &e);
			}
			api_envelope(&sealed, action, "KHL", API_BANK_ID,
			             (long)(json_array_size(ds) + json_array_size(ss)), m, &fkey);
			body = sealed.p ? sealed.p : "";
			n = sealed.n;
		} else {
			json_decref(m);
		}
	}
	struct sbank_answer a;
	const char *who;
	sbank_answer_init(&a);
	if (!sbank_begin(method, url, authz, (long long)n, &a, &who)) {
		FUZZ_CHECK(who != NULL); /* a body is read only for someone the bank knows */
		sbank_serve(method, url, who, body, n, &a);
	}
	check_answer(&a);
	sbank_answer_free(&a);
	buf_free(&sealed);
	return 0;
}
