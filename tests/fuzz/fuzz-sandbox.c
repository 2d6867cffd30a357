/* The sandbox bank's request handling, from the body on (authentication by token
 * is done before). The first byte picks the endpoint; the second, whether the
 * rest is the raw body or a message to seal in a correctly signed envelope (its
 * orders signed too), so that what lies behind the signature check is reached.
 * Whatever comes, the bank answers: it never dies. */
#include <stdio.h>
int sandbox_main(int argc, char **argv);
#define main sandbox_main
#include "../../src/ddp-sandbox.c"
#undef main

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
	o_state = state;
	o_tokens = tokp;
	o_keyring = FUZZ_KEYS;
	today = date_from_ymd(2025, 12, 10);
	reqlog = NULL;
	free(setup());
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		init();
		ready = 1;
	}
	static const struct {
		const char *url, *action, *method;
	} eps[] = {
		{ "/disburse/sync/disburse", "disburse", "POST" },
		{ "/disburse/sync/txn/status", "txn-status", "POST" },
		{ "/disburse/sync/stop", "stop", "POST" },
		{ "/bank/sync/returns", "returns", "POST" },
		{ "/bank/sync/verifications", "verifications", "POST" },
		{ "/bank/sync/payments", "payments", "POST" },
		{ "/bank/sync/card-returns", "card-returns", "POST" },
		{ "/sandbox/verify", NULL, "POST" },
		{ "/sandbox/simulate", NULL, "POST" },
		{ "/sandbox/run-month", NULL, "POST" },
		{ "/sandbox/state", NULL, "GET" },
		{ "/no/such/thing", "x", "POST" },
	};
	if (size < 2)
		return 0;
	size_t k = data[0] % (sizeof eps / sizeof eps[0]);
	int seal = data[1] & 1;
	const char *who = data[1] & 2 ? "ADMIN" : "KHL";
	const char *body = (const char *)data + 2;
	size_t n = size - 2;
	struct buf sealed = { 0 };
	if (seal && eps[k].action) {
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
			api_envelope(&sealed, eps[k].action, "KHL", API_BANK_ID,
			             (long)(json_array_size(ds) + json_array_size(ss)), m, &fkey);
			body = sealed.p ? sealed.p : "";
			n = sealed.n;
		} else {
			json_decref(m);
		}
	}
	struct answer a = { 0 };
	a.retry_after = -1;
	serve(eps[k].url, eps[k].method, who, body, n, &a);
	FUZZ_CHECK(a.http >= 200 && a.http < 600);
	FUZZ_CHECK(a.body.n > 0);
	json_t *j = json_loadb(a.body.p, a.body.n, 0, NULL);
	FUZZ_CHECK(j != NULL); /* every answer is JSON */
	json_decref(j);
	buf_free(&a.body);
	buf_free(&sealed);
	return 0;
}
