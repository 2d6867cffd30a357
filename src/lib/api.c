/* The bank API of wgo-api(7): G2P Connect style envelopes (signature, header,
 * message), signed by the sending office over the RFC 8785 form of header and
 * message; disbursement items made from orders; the codes. Shared by the clients
 * (wgo-push, wgo-pull) and the sandbox bank. */
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "wgo.h"

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

int
api_open(const char *body, size_t n, const struct keyring *ring, int64_t now, int window,
         json_t **out, const struct wkey **key, struct api_err *e)
{
	struct werr pe;
	*out = NULL;
	json_t *env = rec_parse(body, n, &pe);
	if (!env)
		return api_err(e, 400, "err.request.bad", "%s", pe.msg);
	json_t *h = json_object_get(env, "header"), *m = json_object_get(env, "message");
	const char *sig = jstr(env, "signature");
	if (!json_is_object(h) || !json_is_object(m) || !sig) {
		json_decref(env);
		return api_err(e, 400, "err.request.bad", "an envelope has signature, header and message");
	}
	const char *need[] = { "version", "message_id", "message_ts", "action", "sender_id",
		               "receiver_id", "key_id" };
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
		if (!jstr(h, need[i])) {
			json_decref(env);
			return api_err(e, 400, "err.request.bad", "header.%s is missing", need[i]);
		}
	if (!json_is_integer(json_object_get(h, "total_count"))) {
		json_decref(env);
		return api_err(e, 400, "err.request.bad", "header.total_count is missing");
	}
	if (strcmp(jstr(h, "version"), API_VERSION)) {
		/* Said before the envelope (which holds the version) goes. */
		api_err(e, 400, "err.version.unsupported", "version %s is not %s", jstr(h, "version"),
		        API_VERSION);
		json_decref(env);
		return -1;
	}
	int64_t ts;
	const char *why;
	if (instant_parse(jstr(h, "message_ts"), &ts, &why) < 0) {
		json_decref(env);
		return api_err(e, 400, "err.request.bad", "header.message_ts: %s", why);
	}
	if (ts < now - window || ts > now + window) {
		json_decref(env);
		return api_err(e, 400, "err.msg_ts.stale", "message_ts is outside the %d-second replay window",
		               window);
	}
	uint8_t id[8], s[64];
	size_t bl;
	const char *kid = jstr(h, "key_id");
	if (strlen(kid) != 16 || sodium_hex2bin(id, 8, kid, 16, NULL, &bl, NULL) < 0 || bl != 8) {
		json_decref(env);
		return api_err(e, 400, "err.request.bad", "header.key_id is not 16 hex digits");
	}
	const struct wkey *k = keyring_find(ring, id);
	if (!k || strcmp(k->office, jstr(h, "sender_id"))) {
		/* Said before the envelope (which holds both strings) goes. */
		api_err(e, 401, "err.sender.unknown", "no key %s registered for %s", kid,
		        jstr(h, "sender_id"));
		json_decref(env);
		return -1;
	}
	/* A request is signed now: the key must be valid on the bank's day. */
	struct werr ke;
	if (key_valid_on(k, ring->today, ring->today, "the request was signed", &ke) < 0) {
		json_decref(env);
		return api_err(e, 401, "err.sender.key_invalid", "%s", ke.msg);
	}
	struct buf b = { 0 };
	int bad = sig_b64_decode(sig, s) < 0 || signed_bytes(h, m, &b) < 0 ||
	          sig_verify(k, b.p, b.n, s) != 0;
	buf_free(&b);
	if (bad) {
		json_decref(env);
		return api_err(e, 401, "err.signature.invalid", "the envelope's signature does not verify");
	}
	*out = env;
	*key = k;
	return 0;
}

int
api_err(struct api_err *e, int http, const char *code, const char *fmt, ...)
{
	va_list ap;
	e->http = http;
	snprintf(e->code, sizeof e->code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
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

/* Transient failures are worth retrying; everything else is final. */
int
api_http_transient(long http)
{
	return http == 0 || http == 408 || http == 425 || http == 429 || http >= 500;
}

/* ---- stops: the end of an order, sent to the bank (wgo-api(7), Stops) ---- */

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

/* The stop's own signature pins its content; the item is little more than it. */
void
api_stop_hash(json_t *item, uint8_t out[16])
{
	struct buf b = { 0 };
	jcs_dump(item, &b);
	crypto_generichash(out, 16, (const unsigned char *)b.p, b.n, NULL, 0);
	buf_free(&b);
}
