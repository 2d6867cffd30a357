/* The bank protocol of wgo-api(7), in one place for both sides: the endpoints, the
 * codes, the envelope (G2P Connect style: signature, header, message, signed by the
 * sending office over the RFC 8785 form of header and message), the disbursement
 * and the stop made from a record and checked against it, the answers, the feeds
 * and their cursors. wgo-push, wgo-pull and the sandbox bank (bank.c) speak through
 * it; no endpoint path or code is written anywhere else. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "wgo.h"

/* ---- the endpoints ---- */

static const struct api_endpoint endpoints[API_NEP] = {
	[API_DISBURSE] = { "/disburse/sync/disburse", "POST", "disburse", "on-disburse",
	                   "disbursements", "disbursements_status", NULL, NULL },
	[API_TXN_STATUS] = { "/disburse/sync/txn/status", "POST", "txn-status", "on-txn-status",
	                     "reference_ids", "disbursements_status", NULL, NULL },
	[API_STOP] = { "/disburse/sync/stop", "POST", "stop", "on-stop", "stops", "stops_status",
	               NULL, NULL },
	[API_RETURNS] = { "/bank/sync/returns", "POST", "returns", "on-feed", NULL, NULL, "returns",
	                  "return" },
	[API_VERIFICATIONS] = { "/bank/sync/verifications", "POST", "verifications", "on-feed", NULL,
	                        NULL, "verifications", "verification" },
	[API_PAYMENTS] = { "/bank/sync/payments", "POST", "payments", "on-feed", NULL, NULL,
	                   "payments", "payment" },
	[API_CARD_RETURNS] = { "/bank/sync/card-returns", "POST", "card-returns", "on-feed", NULL,
	                       NULL, "card-returns", "card_return" },
	[API_SB_VERIFY] = { "/sandbox/verify", "POST", NULL, "on-verify", NULL, NULL, NULL, NULL },
	[API_SB_SIMULATE] = { "/sandbox/simulate", "POST", NULL, "on-simulate", NULL, NULL, NULL,
	                      NULL },
	[API_SB_RUN_MONTH] = { "/sandbox/run-month", "POST", NULL, "on-run-month", NULL, NULL, NULL,
	                       NULL },
	[API_SB_STATE] = { "/sandbox/state", "GET", NULL, "on-state", NULL, NULL, NULL, NULL },
};

const struct api_endpoint *
api_endpoint(int ep)
{
	return ep >= 0 && ep < API_NEP ? &endpoints[ep] : NULL;
}

int
api_endpoint_find(const char *path)
{
	for (int i = 0; path && i < API_NEP; i++)
		if (!strcmp(endpoints[i].path, path))
			return i;
	return -1;
}

int
api_feed_find(const char *name)
{
	for (int i = 0; name && i < API_NEP; i++)
		if (endpoints[i].feed && !strcmp(endpoints[i].feed, name))
			return i;
	return -1;
}

int
api_is_feed(int ep)
{
	return ep >= API_RETURNS && ep <= API_CARD_RETURNS;
}

int
api_is_sandbox(int ep)
{
	return ep >= API_SB_VERIFY && ep < API_NEP;
}

/* ---- the codes ---- */

#define REQ(c, h, r, m) { c, h, API_SCOPE_REQUEST, r, 0, m }
#define SBX(c, h, m) { c, h, API_SCOPE_REQUEST, 0, 1, m }
#define ITEM(c, m) { c, 200, API_SCOPE_ITEM, 0, 0, m }
#define LOCAL(c, m) { c, 0, API_SCOPE_LOCAL, 0, 0, m }
static const struct api_code codes[API_NCODES] = {
	[API_REQUEST_BAD] = REQ("err.request.bad", 400, 0,
		"not JSON, not an envelope, or a message without what its endpoint needs"),
	[API_VERSION_UNSUPPORTED] = REQ("err.version.unsupported", 400, 0, "header.version is not 1.0.0"),
	[API_MSG_TS_STALE] = REQ("err.msg_ts.stale", 400, 0,
		"message_ts is outside the replay window of the bank's clock"),
	[API_MESSAGE_ID_INVALID] = REQ("err.message_id.invalid", 400, 0,
		"message_id is not 32 lowercase hex digits"),
	[API_CURSOR_INVALID] = REQ("err.cursor.invalid", 400, 0,
		"the cursor is not one the bank gave for this feed"),
	[API_VERIFICATION_DATE] = SBX("err.verification.date", 400,
		"a verification dated before the order was issued, or after the bank's horizon"),
	[API_AUTH_INVALID] = REQ("err.auth.invalid", 401, 0,
		"no bearer token, an unknown one, or another office's"),
	[API_SENDER_UNKNOWN] = REQ("err.sender.unknown", 401, 0, "no such key registered for the sender"),
	[API_SENDER_KEY_INVALID] = REQ("err.sender.key_invalid", 401, 0,
		"the sender's key is not valid on the bank's day: retired, revoked, or not yet valid"),
	[API_SIGNATURE_INVALID] = REQ("err.signature.invalid", 401, 0,
		"the envelope's signature does not verify"),
	[API_TLS_CLIENT_CERTIFICATE] = REQ("err.tls.client_certificate", 401, 0,
		"no client certificate the bank trusts"),
	[API_NOT_FOUND] = REQ("err.not_found", 404, 0, "no such endpoint"),
	[API_ORDER_UNKNOWN] = SBX("err.order.unknown", 404, "no accepted order by that number"),
	[API_METHOD] = REQ("err.method", 405, 0, "a method the endpoint does not take"),
	[API_MESSAGE_ID_DUPLICATE] = REQ("err.message_id.duplicate", 409, 1,
		"the message_id was used before, on any endpoint: send a new envelope"),
	[API_MONTH_DONE] = SBX("err.month.done", 409, "that month has been run already"),
	[API_VERIFICATION_DUPLICATE] = SBX("err.verification.duplicate", 409,
		"the order was verified on that day already"),
	[API_REQUEST_TOO_LARGE] = REQ("err.request.too_large", 413, 0, "the body is too large"),
	[API_BATCH_TOO_LARGE] = REQ("err.batch.too_large", 413, 0, "too many items in one request"),
	[API_MONTH_OVERFLOW] = SBX("err.month.overflow", 422,
		"the month's payments would add up past the largest amount a record holds"),
	[API_RATE_LIMITED] = REQ("err.rate.limited", 429, 1,
		"too many requests: wait Retry-After seconds"),
	[API_SERVER_STORAGE] = REQ("err.server.storage", 500, 1,
		"the bank could not record the request; nothing of it was taken"),
	[API_SERVER_UNAVAILABLE] = REQ("err.server.unavailable", 503, 1,
		"busy: wait Retry-After seconds"),
	[API_R_REFERENCE_INVALID] = ITEM("rjct.reference_id.invalid",
		"not ORDER_NO-rREVISION (ORDER_NO-stop), not the record's own, or unknown to txn-status"),
	[API_R_REFERENCE_DUPLICATE] = ITEM("rjct.reference_id.duplicate",
		"other content under a reference_id the bank took before"),
	[API_R_REVISION_SUPERSEDED] = ITEM("rjct.revision.superseded",
		"a later revision of the order is in force"),
	[API_R_ORDER_INVALID] = ITEM("rjct.order.invalid", "no order, or not a valid order record"),
	[API_R_ORDER_SIGNATURE] = ITEM("rjct.order.signature",
		"the order's signature does not verify, or its key was not valid on its issue date, or is revoked"),
	[API_R_ORDER_OFFICE] = ITEM("rjct.order.office", "the order or stop is another office's"),
	[API_R_ORDER_UNKNOWN] = ITEM("rjct.order.unknown", "a stop of an order the bank never took"),
	[API_R_PAYER_FA_INVALID] = ITEM("rjct.payer_fa.invalid", "the payer is not the office"),
	[API_R_PAYEE_FA_INVALID] = ITEM("rjct.payee_fa.invalid",
		"the payee's account or routing number is not valid, or not the order's"),
	[API_R_AMOUNT_INVALID] = ITEM("rjct.amount.invalid",
		"the amount is not in its one wire form, or not the order's total"),
	[API_R_CURRENCY_CODE_INVALID] = ITEM("rjct.currency_code.invalid", "the currency is not BDT"),
	[API_R_ITEM_BAD] = ITEM("rjct.request.bad", "the item is not a JSON object"),
	[API_R_STOP_INVALID] = ITEM("rjct.stop.invalid",
		"no stop, not a valid stop record, or one dated before the order was issued"),
	[API_R_STOP_SIGNATURE] = ITEM("rjct.stop.signature", "the stop's signature does not verify"),
	[API_R_RETURNED] = ITEM("rjct.returned",
		"txn-status: accepted (status succ), then returned; the return is in the returns feed"),
	[API_L_ORDER_SIGNATURE] = LOCAL("local.order.signature",
		"the order's signature does not verify here: it is never sent"),
	[API_L_TRANSIENT] = LOCAL("err.transient", "a temporary failure outlasted the attempts"),
	[API_L_NOT_SENT] = LOCAL("local.not_sent",
		"not sent: the bank refused the office's requests (the reason is on standard error)"),
};

const struct api_code *
api_code(int id)
{
	return id >= 0 && id < API_NCODES ? &codes[id] : NULL;
}

int
api_code_find(const char *code)
{
	for (int i = 0; code && i < API_NCODES; i++)
		if (!strcmp(codes[i].code, code))
			return i;
	return -1;
}

int
api_err(struct api_err *e, int id, const char *fmt, ...)
{
	va_list ap;
	e->id = id;
	e->http = codes[id].http;
	snprintf(e->code, sizeof e->code, "%s", codes[id].code);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- the parts of a request ---- */

static int fixed_clock;

/* message_ts is the real time, unless a dry run asked for --now's. */
void
api_use_fixed_clock(int on)
{
	fixed_clock = on;
}

int64_t
api_clock(void)
{
	return fixed_clock ? wgo_now() : (int64_t)time(NULL);
}

const char *
api_reference_id(const json_t *order, char *out, size_t n)
{
	snprintf(out, n, "%s-r%lld", jstr(order, "order_no") ? jstr(order, "order_no") : "",
	         jint(order, "revision", 0));
	return out;
}

int
api_parse_reference(const char *ref, char *order_no, size_t n, int *revision)
{
	const char *r = strrchr(ref, '-');
	if (!r || r[1] != 'r' || !r[2] || (size_t)(r - ref) >= n || r == ref)
		return -1;
	long v;
	if (uint_parse(r + 2, 999, &v) < 0)
		return -1;
	memcpy(order_no, ref, (size_t)(r - ref));
	order_no[r - ref] = 0;
	*revision = (int)v;
	return 0;
}

void
api_payee_fa(const char *number, const char *routing, char *out, size_t n)
{
	snprintf(out, n, "account:%s@%s", number, routing);
}

int
api_parse_payee_fa(const char *fa, char *number, char *routing)
{
	const char *at;
	if (!fa || strncmp(fa, "account:", 8) || !(at = strchr(fa, '@')))
		return -1;
	size_t nl = (size_t)(at - fa - 8), rl = strlen(at + 1);
	if (nl == 0 || nl > 40 || rl == 0 || rl > 20)
		return -1;
	memcpy(number, fa + 8, nl);
	number[nl] = 0;
	memcpy(routing, at + 1, rl + 1);
	return 0;
}

int
api_amount_parse(const char *s, int64_t *poisha, const char **why)
{
	/* Exactly what api_disbursement writes: ASCII digits, no sign, no grouping, no
	 * leading zero, a point and two decimals. Anything else (Bengali digits among
	 * them) would be a second spelling of the same amount, and a second content
	 * hash for the same disbursement. */
	*why = "the amount is ASCII digits, a point and two decimals, as 408000.00";
	size_t n = s ? strlen(s) : 0, ip = s ? strspn(s, "0123456789") : 0;
	if (n < 4 || n > 24 || ip == 0 || ip != n - 3 || s[ip] != '.' ||
	    strspn(s + ip + 1, "0123456789") != 2 || (s[0] == '0' && ip > 1))
		return -1;
	return money_parse(s, 0, poisha, why);
}

void
api_message_id(char out[33])
{
	uint8_t r[16];
	randombytes_buf(r, sizeof r);
	sodium_bin2hex(out, 33, r, sizeof r);
}

int
api_message_id_valid(const char *s)
{
	return s && strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32;
}

/* ---- the envelope ---- */

/* The signed bytes: the canonical form of {"header": ..., "message": ...}. */
static int
signed_bytes(json_t *header, json_t *message, struct buf *b)
{
	json_t *t = json_object();
	json_object_set(t, "header", header);
	json_object_set(t, "message", message);
	int rc = jcs_dump(t, b);
	json_decref(t);
	return rc;
}

int
api_envelope(struct buf *out, const char *action, const char *sender, const char *receiver,
             long total, json_t *message, const struct wkey *k)
{
	char mid[33], ts[21], hex[17];
	api_message_id(mid);
	instant_fmt(api_clock(), ts);
	keyid_hex(k->id, hex);
	json_t *h = json_object();
	json_object_set_new(h, "version", json_string(API_VERSION));
	json_object_set_new(h, "message_id", json_string(mid));
	json_object_set_new(h, "message_ts", json_string(ts));
	json_object_set_new(h, "action", json_string(action));
	json_object_set_new(h, "sender_id", json_string(sender));
	json_object_set_new(h, "receiver_id", json_string(receiver));
	json_object_set_new(h, "total_count", json_integer(total));
	json_object_set_new(h, "key_id", json_string(hex));
	struct buf b = { 0 };
	int rc = signed_bytes(h, message, &b);
	if (rc == 0) {
		uint8_t sig[64];
		sig_detached(k, b.p, b.n, sig);
		json_t *env = json_object();
		struct buf s = { 0 };
		b64_encode(sig, 64, &s);
		json_object_set_new(env, "signature", json_stringn(s.p, s.n));
		json_object_set(env, "header", h);
		json_object_set(env, "message", message);
		out->n = 0;
		json_dump_compact(env, out);
		json_decref(env);
		buf_free(&s);
	}
	buf_free(&b);
	json_decref(h);
	json_decref(message);
	return rc;
}

static int
refuse(json_t *env, struct api_err *e, int id, const char *fmt, ...) WGO_ATTR_FMT(4, 5);
static int
refuse(json_t *env, struct api_err *e, int id, const char *fmt, ...)
{
	char m[sizeof e->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	json_decref(env);
	return api_err(e, id, "%s", m);
}

int
api_open(const char *body, size_t n, const struct keyring *ring, int64_t now, int window,
         json_t **out, const struct wkey **key, struct api_err *e)
{
	struct werr pe;
	*out = NULL;
	json_t *env = rec_parse(body, n, &pe);
	if (!env)
		return api_err(e, API_REQUEST_BAD, "%s", pe.msg);
	json_t *h = json_object_get(env, "header"), *m = json_object_get(env, "message");
	const char *sig = jstr(env, "signature");
	if (!json_is_object(h) || !json_is_object(m) || !sig)
		return refuse(env, e, API_REQUEST_BAD, "an envelope has signature, header and message");
	const char *need[] = { "version", "message_id", "message_ts", "action", "sender_id",
		               "receiver_id", "key_id" };
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
		if (!jstr(h, need[i]))
			return refuse(env, e, API_REQUEST_BAD, "header.%s is missing", need[i]);
	if (!json_is_integer(json_object_get(h, "total_count")))
		return refuse(env, e, API_REQUEST_BAD, "header.total_count is missing");
	if (strcmp(jstr(h, "version"), API_VERSION))
		return refuse(env, e, API_VERSION_UNSUPPORTED, "version %.40s is not %s",
		              jstr(h, "version"), API_VERSION);
	if (!api_message_id_valid(jstr(h, "message_id")))
		return refuse(env, e, API_MESSAGE_ID_INVALID,
		              "header.message_id is not 32 lowercase hex digits");
	int64_t ts;
	const char *why;
	if (instant_parse(jstr(h, "message_ts"), &ts, &why) < 0)
		return refuse(env, e, API_REQUEST_BAD, "header.message_ts: %s", why);
	if (ts < now - window || ts > now + window)
		return refuse(env, e, API_MSG_TS_STALE,
		              "message_ts is outside the %d-second replay window", window);
	uint8_t id[8], s[64];
	size_t bl;
	const char *kid = jstr(h, "key_id");
	if (strlen(kid) != 16 || sodium_hex2bin(id, 8, kid, 16, NULL, &bl, NULL) < 0 || bl != 8)
		return refuse(env, e, API_REQUEST_BAD, "header.key_id is not 16 hex digits");
	const struct wkey *k = keyring_find(ring, id);
	if (!k || strcmp(k->office, jstr(h, "sender_id"))) {
		char sender[16];
		snprintf(sender, sizeof sender, "%s", jstr(h, "sender_id"));
		return refuse(env, e, API_SENDER_UNKNOWN, "no key %s registered for %s", kid, sender);
	}
	/* A request is signed now: the key must be valid on the bank's day. */
	struct werr ke;
	if (key_valid_on(k, ring->today, ring->today, "the request was signed", &ke) < 0)
		return refuse(env, e, API_SENDER_KEY_INVALID, "%s", ke.msg);
	struct buf b = { 0 };
	int bad = sig_b64_decode(sig, s) < 0 || signed_bytes(h, m, &b) < 0 ||
	          sig_verify(k, b.p, b.n, s) != 0;
	buf_free(&b);
	if (bad)
		return refuse(env, e, API_SIGNATURE_INVALID, "the envelope's signature does not verify");
	*out = env;
	*key = k;
	return 0;
}

int
api_request_check(const json_t *env, int ep, const char *who, struct api_err *e)
{
	const json_t *h = json_object_get(env, "header");
	const char *sender = jstr(h, "sender_id");
	if (strcmp(who, sender) && strcmp(who, "ADMIN"))
		return api_err(e, API_AUTH_INVALID, "the token is not the sender's");
	if (strcmp(jstr(h, "action"), endpoints[ep].action))
		return api_err(e, API_REQUEST_BAD, "header.action is not %s", endpoints[ep].action);
	if (strcmp(jstr(h, "receiver_id"), API_BANK_ID))
		return api_err(e, API_REQUEST_BAD, "header.receiver_id is not %s", API_BANK_ID);
	return 0;
}

/* ---- disbursements and stops ---- */

json_t *
api_disbursement(json_t *order)
{
	char ref[96], fa[96], amt[32], payer[32];
	json_t *d = json_object();
	api_reference_id(order, ref, sizeof ref);
	snprintf(payer, sizeof payer, "bkkb:%s", jstr(order, "office"));
	api_payee_fa(json_string_value(jget(order, "account.number")),
	             json_string_value(jget(order, "account.routing")), fa, sizeof fa);
	money_fmt(amt, sizeof amt, jint(order, "total_poisha", 0), MONEY_PLAIN);
	const char *name = json_string_value(jget(order, "beneficiary.name_bn"));
	if (!name)
		name = json_string_value(jget(order, "beneficiary.name_en"));
	const char *grant = jstr(order, "grant");
	char note[128];
	snprintf(note, sizeof note, "%s %s",
	         !strcmp(grant, "welfare") ? "কল্যাণ অনুদান"
	         : !strcmp(grant, "group_insurance") ? "যৌথবীমা অনুদান" : "দাফন/অন্ত্যেষ্টিক্রিয়া অনুদান",
	         jstr(order, "order_no"));
	json_object_set_new(d, "reference_id", json_string(ref));
	json_object_set_new(d, "payer_fa", json_string(payer));
	json_object_set_new(d, "payee_fa", json_string(fa));
	json_object_set_new(d, "amount", json_string(amt));
	json_object_set_new(d, "currency_code", json_string("BDT"));
	json_object_set_new(d, "payee_name", json_string(name ? name : ""));
	json_object_set_new(d, "note", json_string(note));
	json_object_set_new(d, "locale", json_string("ben"));
	json_object_set(d, "order", order);
	return d;
}

/* A failed check of a signed record: the field and why, as one message. */
static int
record_refused(struct api_err *e, int invalid, int signature, const struct werr *we)
{
	int sig = !strncmp(we->field, "signature", 9) || strstr(we->msg, "key");
	return api_err(e, sig ? signature : invalid, "%s%s%s", we->field, we->field[0] ? ": " : "",
	               we->msg);
}

int
api_disbursement_check(json_t *d, const char *sender, const struct keyring *ring,
                       uint8_t hash[16], struct api_err *e)
{
	const char *ref = jstr(d, "reference_id");
	json_t *order = json_object_get(d, "order");
	char no[64], number[64], routing[32], want[96], norm[32], payer[32];
	int rev;
	struct werr we;
	const char *why;
	if (!ref || api_parse_reference(ref, no, sizeof no, &rev) < 0)
		return api_err(e, API_R_REFERENCE_INVALID, "not ORDER_NO-rREVISION");
	if (!json_is_object(order) || !jstr(order, "kind") || strcmp(jstr(order, "kind"), "order"))
		return api_err(e, API_R_ORDER_INVALID, "the disbursement carries no order");
	if (order_verify(order, ring, &we) < 0)
		return record_refused(e, API_R_ORDER_INVALID, API_R_ORDER_SIGNATURE, &we);
	if (strcmp(jstr(order, "office"), sender))
		return api_err(e, API_R_ORDER_OFFICE, "the order is another office's");
	if (strcmp(api_reference_id(order, want, sizeof want), ref))
		return api_err(e, API_R_REFERENCE_INVALID,
		               "reference_id is not the order's number and revision");
	snprintf(payer, sizeof payer, "bkkb:%s", sender);
	if (!jstr(d, "payer_fa") || strcmp(jstr(d, "payer_fa"), payer))
		return api_err(e, API_R_PAYER_FA_INVALID, "payer_fa is not the office's");
	if (api_parse_payee_fa(jstr(d, "payee_fa"), number, routing) < 0)
		return api_err(e, API_R_PAYEE_FA_INVALID, "payee_fa is not account:NUMBER@ROUTING");
	if (routing_check(routing, norm, sizeof norm, &why) < 0)
		return api_err(e, API_R_PAYEE_FA_INVALID, "routing number: %s", why);
	if (account_check(number, norm, sizeof norm, &why) < 0)
		return api_err(e, API_R_PAYEE_FA_INVALID, "account number: %s", why);
	if (strcmp(number, json_string_value(jget(order, "account.number"))) ||
	    strcmp(routing, json_string_value(jget(order, "account.routing"))))
		return api_err(e, API_R_PAYEE_FA_INVALID, "payee_fa is not the order's account");
	if (!jstr(d, "currency_code") || strcmp(jstr(d, "currency_code"), "BDT"))
		return api_err(e, API_R_CURRENCY_CODE_INVALID, "the currency is BDT");
	int64_t amt;
	if (api_amount_parse(jstr(d, "amount"), &amt, &why) < 0)
		return api_err(e, API_R_AMOUNT_INVALID, "%s", why);
	if (amt != jint(order, "total_poisha", -1))
		return api_err(e, API_R_AMOUNT_INVALID, "amount is not the order's total");
	api_content_hash(d, hash);
	return 0;
}

void
api_content_hash(json_t *item, uint8_t out[16])
{
	struct buf b = { 0 };
	json_t *order = json_object_get(item, "order");
	json_incref(order);
	json_object_del(item, "order");
	jcs_dump(item, &b);
	if (order)
		json_object_set_new(item, "order", order);
	const char *sig = json_string_value(jget(order, "signature.value"));
	buf_addc(&b, '|');
	if (sig)
		buf_adds(&b, sig);
	crypto_generichash(out, 16, (const unsigned char *)b.p, b.n, NULL, 0);
	buf_free(&b);
}

const char *
api_stop_reference(const json_t *stop, char *out, size_t n)
{
	snprintf(out, n, "%s-stop", jstr(stop, "order_no") ? jstr(stop, "order_no") : "");
	return out;
}

json_t *
api_stop_item(json_t *stop)
{
	char ref[96];
	json_t *d = json_object();
	json_object_set_new(d, "reference_id", json_string(api_stop_reference(stop, ref, sizeof ref)));
	json_object_set(d, "stop", stop);
	return d;
}

int
api_stop_check(json_t *d, const char *sender, const struct keyring *ring, uint8_t hash[16],
               struct api_err *e)
{
	const char *ref = jstr(d, "reference_id");
	json_t *stop = json_object_get(d, "stop");
	char want[96];
	struct werr we;
	if (!json_is_object(stop) || !jstr(stop, "kind") || strcmp(jstr(stop, "kind"), "stop"))
		return api_err(e, API_R_STOP_INVALID, "the item carries no stop");
	if (!ref || strcmp(api_stop_reference(stop, want, sizeof want), ref))
		return api_err(e, API_R_REFERENCE_INVALID, "reference_id is not the stop's ORDER_NO-stop");
	if (order_verify(stop, ring, &we) < 0)
		return record_refused(e, API_R_STOP_INVALID, API_R_STOP_SIGNATURE, &we);
	if (strcmp(jstr(stop, "office"), sender))
		return api_err(e, API_R_ORDER_OFFICE, "the stop is another office's");
	api_stop_hash(d, hash);
	return 0;
}

/* The stop's own signature pins its content; the item is little more than it. */
void
api_stop_hash(json_t *item, uint8_t out[16])
{
	struct buf b = { 0 };
	jcs_dump(item, &b);
	crypto_generichash(out, 16, (const unsigned char *)b.p, b.n, NULL, 0);
	buf_free(&b);
}

/* ---- messages ---- */

json_t *
api_batch_message(int ep, json_t *items)
{
	char txn[33];
	api_message_id(txn);
	json_t *m = json_object();
	json_object_set_new(m, "transaction_id", json_string(txn));
	json_object_set_new(m, endpoints[ep].items, items);
	return m;
}

json_t *
api_status_message(json_t *refs)
{
	json_t *m = json_object();
	json_object_set_new(m, endpoints[API_TXN_STATUS].items, refs);
	return m;
}

json_t *
api_feed_message(uint64_t cursor, long limit, const char *month)
{
	char cs[24];
	snprintf(cs, sizeof cs, "%llu", (unsigned long long)cursor);
	json_t *m = json_object();
	json_object_set_new(m, "cursor", json_string(cs));
	json_object_set_new(m, "limit", json_integer(limit));
	if (month)
		json_object_set_new(m, "month", json_string(month));
	return m;
}

int
api_batch_read(const json_t *env, int ep, long max, json_t **items, struct api_err *e)
{
	const json_t *h = json_object_get(env, "header"), *m = json_object_get(env, "message");
	json_t *ds = json_object_get(m, endpoints[ep].items);
	if (!json_is_array(ds) || !jstr(m, "transaction_id"))
		return api_err(e, API_REQUEST_BAD, "message has transaction_id and %s[]",
		               endpoints[ep].items);
	long n = (long)json_array_size(ds);
	if (n != jint(h, "total_count", -1))
		return api_err(e, API_REQUEST_BAD, "total_count is not the number of %s",
		               endpoints[ep].items);
	if (n > max)
		return api_err(e, API_BATCH_TOO_LARGE, "at most %ld %s a request", max, endpoints[ep].items);
	*items = ds;
	return 0;
}

int
api_status_read(const json_t *env, json_t **refs, struct api_err *e)
{
	json_t *r = json_object_get(json_object_get(env, "message"), endpoints[API_TXN_STATUS].items);
	if (!json_is_array(r))
		return api_err(e, API_REQUEST_BAD, "message has %s[]", endpoints[API_TXN_STATUS].items);
	*refs = r;
	return 0;
}

int
api_feed_read(const json_t *env, int ep, uint64_t *cursor, long *limit, wmonth *month,
              struct api_err *e)
{
	const json_t *m = json_object_get(env, "message");
	const json_t *c = json_object_get(m, "cursor"), *l = json_object_get(m, "limit");
	const char *mon = jstr(m, "month"), *why;
	*cursor = 0;
	*limit = 500;
	*month = -1;
	if (c && (!json_is_string(c) || api_cursor_parse(json_string_value(c), cursor) < 0))
		return api_err(e, API_CURSOR_INVALID, "cursor is not one this bank gave");
	if (l && (!json_is_integer(l) || json_integer_value(l) < 1 || json_integer_value(l) > 5000))
		return api_err(e, API_REQUEST_BAD, "limit is 1 to 5000");
	if (l)
		*limit = (long)json_integer_value(l);
	if (ep == API_PAYMENTS) {
		if (!mon || month_parse(mon, month, &why) < 0)
			return api_err(e, API_REQUEST_BAD, "the payments feed needs month YYYY-MM");
	} else if (json_object_get(m, "month")) {
		return api_err(e, API_REQUEST_BAD, "only the payments feed takes a month");
	}
	return 0;
}

/* ---- answers ---- */

void
api_answer(struct buf *out, int ep, const char *receiver, const struct api_err *e, long total,
           long done, json_t *message)
{
	char mid[33], ts[21];
	api_message_id(mid);
	instant_fmt((int64_t)time(NULL), ts);
	json_t *h = json_object();
	json_object_set_new(h, "version", json_string(API_VERSION));
	json_object_set_new(h, "message_id", json_string(mid));
	json_object_set_new(h, "message_ts", json_string(ts));
	json_object_set_new(h, "action", json_string(ep >= 0 ? endpoints[ep].answer : "on-request"));
	json_object_set_new(h, "status", json_string(e ? "rjct" : "succ"));
	if (e) {
		json_object_set_new(h, "status_reason_code", json_string(e->code));
		json_object_set_new(h, "status_reason_message", json_string(e->msg));
	}
	json_object_set_new(h, "total_count", json_integer(total));
	json_object_set_new(h, "completed_count", json_integer(done));
	json_object_set_new(h, "sender_id", json_string(API_BANK_ID));
	json_object_set_new(h, "receiver_id", json_string(receiver ? receiver : ""));
	json_t *env = json_object();
	json_object_set_new(env, "header", h);
	if (message)
		json_object_set_new(env, "message", message);
	out->n = 0;
	json_dump_compact(env, out);
	json_decref(env);
}

json_t *
api_item_status(const char *ref, const struct api_err *e, const char *bank_ref,
                const struct api_err *note)
{
	char ts[21];
	instant_fmt((int64_t)time(NULL), ts);
	json_t *s = json_object();
	const struct api_err *why = e ? e : note;
	json_object_set_new(s, "reference_id", json_string(ref ? ref : ""));
	json_object_set_new(s, "timestamp", json_string(ts));
	json_object_set_new(s, "status", json_string(e ? "rjct" : "succ"));
	if (why) {
		json_object_set_new(s, "status_reason_code", json_string(why->code));
		json_object_set_new(s, "status_reason_message", json_string(why->msg));
	}
	if (!e && bank_ref)
		json_object_set_new(s, "bank_ref", json_string(bank_ref));
	return s;
}

json_t *
api_feed_answer(int ep, json_t *records, uint64_t next, int more)
{
	char cs[24];
	snprintf(cs, sizeof cs, "%llu", (unsigned long long)next);
	json_t *m = json_object();
	json_object_set_new(m, "feed", json_string(endpoints[ep].feed));
	json_object_set_new(m, "records", records);
	json_object_set_new(m, "next_cursor", json_string(cs));
	json_object_set_new(m, "more", json_boolean(more));
	return m;
}

/* Transient failures are worth retrying; everything else is final. */
int
api_http_transient(long http)
{
	return http == 0 || http == 408 || http == 425 || http == 429 || http >= 500;
}

static int
answer_is(struct api_answer *a, int outcome, const char *fmt, ...) WGO_ATTR_FMT(3, 4);
static int
answer_is(struct api_answer *a, int outcome, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->why, sizeof a->why, fmt, ap);
	va_end(ap);
	return a->outcome = outcome;
}

int
api_answer_read(struct api_answer *a, int ep, const struct http_req *r)
{
	memset(a, 0, sizeof *a);
	a->code = -1;
	a->http = r->status;
	if (r->curl_code)
		return answer_is(a, http_curl_permanent(r->curl_code) ? API_ANSWER_STOP : API_ANSWER_RETRY,
		                 "%s: %s", r->url, r->err);
	a->env = json_loadb(r->resp.p ? r->resp.p : "", r->resp.n, JSON_REJECT_DUPLICATES, NULL);
	json_t *h = json_object_get(a->env, "header");
	const char *status = jstr(h, "status");
	if (!status || (strcmp(status, "succ") && strcmp(status, "rjct"))) {
		/* Not the bank's envelope: a proxy's page, or an answer garbled on the way. */
		if (api_http_transient(r->status) || r->status == 200)
			return answer_is(a, API_ANSWER_RETRY, "HTTP %ld: the answer is not the bank's envelope",
			                 r->status);
		return answer_is(a, API_ANSWER_STOP, "HTTP %ld: the answer is not the bank's envelope",
		                 r->status);
	}
	const char *code = jstr(h, "status_reason_code"), *msg = jstr(h, "status_reason_message");
	a->code = api_code_find(code);
	if (strcmp(status, "succ") || r->status != 200) {
		int retry = a->code >= 0 ? codes[a->code].retry : api_http_transient(r->status);
		return answer_is(a, retry ? API_ANSWER_RETRY : API_ANSWER_STOP, "HTTP %ld %s: %s", r->status,
		                 code ? code : "(no code)", msg ? msg : "(no message)");
	}
	const json_t *m = json_object_get(a->env, "message");
	if (api_is_sandbox(ep)) {
		a->list = (json_t *)m;
		if (!json_is_object(m))
			return answer_is(a, API_ANSWER_RETRY, "the bank's answer has no message");
	} else if (api_is_feed(ep)) {
		a->list = json_object_get(m, "records");
		if (!json_is_array(a->list))
			return answer_is(a, API_ANSWER_RETRY, "the bank's answer has no records[]");
		if (!jstr(m, "next_cursor") || api_cursor_parse(jstr(m, "next_cursor"), &a->next) < 0)
			return answer_is(a, API_ANSWER_STOP, "the bank sent no usable next_cursor");
		a->more = json_is_true(json_object_get(m, "more"));
	} else {
		a->list = json_object_get(m, endpoints[ep].statuses);
		if (!json_is_array(a->list))
			return answer_is(a, API_ANSWER_RETRY, "the bank's answer has no %s[]",
			                 endpoints[ep].statuses);
	}
	return a->outcome = API_ANSWER_OK;
}

void
api_answer_free(struct api_answer *a)
{
	json_decref(a->env);
	a->env = a->list = NULL;
}

int
api_item_read(const json_t *st, const char **ref, const char **bank_ref, const char **code,
              const char **msg)
{
	const char *s = jstr(st, "status");
	*ref = jstr(st, "reference_id");
	*bank_ref = jstr(st, "bank_ref");
	*code = jstr(st, "status_reason_code");
	*msg = jstr(st, "status_reason_message");
	if (!s || !*ref)
		return -1;
	if (!strcmp(s, "succ"))
		return 1;
	return strcmp(s, "rjct") ? -1 : 0;
}

/* ---- cursors ---- */

int
api_cursor_parse(const char *s, uint64_t *v)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 15 || strspn(s, "0123456789") != n || (s[0] == '0' && n > 1))
		return -1;
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++)
		x = x * 10 + (uint64_t)(s[i] - '0');
	if (x > API_CURSOR_MAX)
		return -1;
	*v = x;
	return 0;
}

int
api_cursor_load(const char *path, uint64_t *v, struct werr *e)
{
	*v = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : werr_set(e, path, "%s", strerror(errno));
	char line[64];
	size_t n = fread(line, 1, sizeof line - 1, f);
	int err = ferror(f);
	fclose(f);
	if (err)
		return werr_set(e, path, "read error");
	line[n] = 0;
	/* Exactly the digits the bank gave and a newline: "3junk", "1e5", " 1" or an
	 * empty file is a damaged cursor, which would skip or repeat records. */
	if (n < 2 || line[n - 1] != '\n' || strlen(line) != n)
		return werr_set(e, path, "not a cursor: a cursor file holds the digits the bank gave "
		                "and a newline");
	line[n - 1] = 0;
	if (api_cursor_parse(line, v) < 0) {
		struct buf b = { 0 };
		term_escape(&b, line, n - 1);
		werr_set(e, path, "not a cursor: \"%.40s\" (the bank's cursors are digits, no sign, no "
		         "leading zero)", buf_str(&b));
		buf_free(&b);
		return -1;
	}
	return 0;
}

int
api_cursor_save(const char *path, uint64_t v, struct werr *e)
{
	char line[32];
	int n = snprintf(line, sizeof line, "%llu\n", (unsigned long long)v);
	return atomic_write(path, line, (size_t)n, 0600, e);
}
