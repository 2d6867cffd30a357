/* The record kinds of wgo-record(5): their fields in output order, types and checks. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wgo.h"

enum ftype {
	T_STR,     /* non-empty one-line text: nothing term_unsafe() */
	T_TEXT,    /* free text: the same, but newlines and tabs are allowed */
	T_ID,      /* identifier: letters, digits and . _ / - */
	T_INT,     /* integer in [lo, hi] */
	T_POISHA,  /* money: integer poisha, 0 to MAX_POISHA */
	T_SPOISHA, /* money that may be negative */
	T_DATE, T_MONTH, T_INSTANT,
	T_BOOL,
	T_ENUM,    /* one of a list */
	T_OBJ,     /* nested object */
	T_ARR,     /* array of objects */
	T_SARR,    /* array of strings */
	T_NID, T_MOBILE, T_ROUTING, T_ACCOUNT, T_OFFICE,
	T_HEX,     /* lower-case hex */
	T_B64,
	T_RAW,     /* any text, as read (a rejected line, a field name as it came) */
};

#define MAX_POISHA MONEY_MAX /* Tk 10 lakh crore: no single amount comes near */

struct schema;
struct fdef {
	const char *name;
	enum ftype type;
	int req;
	const void *arg;  /* enum list, or sub-schema */
	long long lo, hi; /* T_INT bounds; T_STR/T_ID/T_HEX/T_B64 max length in hi, and
	                   * T_HEX min length in lo (T_B64: lo > 0, not empty); a free
	                   * T_OBJ's greatest depth in hi (0: any) */
};
struct schema {
	const struct fdef *f;
	size_t n;
	int (*check)(json_t *o, struct werr *e); /* rules across fields */
	const char **order;                       /* built on first use */
};
#define SCHEMA(arr, chk) { arr, sizeof arr / sizeof arr[0], chk, NULL }

static const char *const grants[] = { "welfare", "group_insurance", "funeral", NULL };
static const char *const funeral_for[] = { "employee", "family", NULL };
static const char *const events[] = { "death_in_service", "death_after_retirement",
	                              "retired_invalid", NULL };
static const char *const relations[] = { "self", "wife", "husband", "son", "daughter",
	                                 "father", "mother", "other", NULL };
static const char *const push_states[] = { "accepted", "rejected", "failed", "skipped", NULL };
static const char *const return_codes[] = { "AC01", "AC03", "AC04", "AC06", "AG01", "AM05",
	                                    "BE01", "MD07", "RC01", "RR01", "NARR", NULL };
static const char *const lv_states[] = { "awaiting_first", "active", "due", "suspended",
	                                 "ended", "held", "stopped", NULL };
static const char *const disc_classes[] = {
	"missing", "underpaid", "overpaid", "duplicate", "unexpected", "paid_while_suspended",
	"paid_after_end", "paid_before_verification", "wrong_account", "late",
	"card_not_returned", "invalid", "paid_while_held", "paid_after_stop", NULL,
};
static const char *const complaint_events[] = { "add", "ack", "resolve", "escalate",
	                                        "reopen", NULL };
static const char *const decisions[] = { "upheld", "partly_upheld", "rejected", "withdrawn",
	                                 "referred", NULL };
static const char *const complaint_states[] = { "open", "acknowledged", "resolved", NULL };
static const char *const sig_algs[] = { "ed25519", NULL };
static const char *const stop_reasons[] = { "death", "withdrawal", "duplicate", "board_decision",
	                                    NULL };
static const char *const severities[] = { "low", "medium", "high", NULL };
static const char *const verdicts[] = { "confirmed", "false_positive", "needs_field_check", NULL };
static const char *const figure_units[] = { "count", "poisha", "working_days", "permille", "flag",
	                                    NULL };

/* ---- shared parts ---- */

static const struct fdef employee_f[] = {
	{ "name", T_STR, 1, NULL, 0, 200 },
	{ "designation", T_STR, 0, NULL, 0, 200 },
	{ "grade", T_INT, 0, NULL, 1, 20 },
	{ "event", T_ENUM, 1, events, 0, 0 },
	{ "event_date", T_DATE, 1, NULL, 0, 0 },
	{ "retirement_date", T_DATE, 0, NULL, 0, 0 },
	{ "birth_date", T_DATE, 0, NULL, 0, 0 },
	{ "id", T_ID, 0, NULL, 0, 40 },
};
static struct schema employee_s = SCHEMA(employee_f, NULL);

static int
beneficiary_check(json_t *o, struct werr *e)
{
	if (!json_object_get(o, "name_bn") && !json_object_get(o, "name_en"))
		return werr_set(e, "name_bn", "missing (name_bn or name_en is needed)");
	return 0;
}
static const struct fdef beneficiary_f[] = {
	{ "name_bn", T_STR, 0, NULL, 0, 200 },
	{ "name_en", T_STR, 0, NULL, 0, 200 },
	{ "relation", T_ENUM, 1, relations, 0, 0 },
	{ "nid", T_NID, 1, NULL, 0, 0 },
	{ "mobile", T_MOBILE, 1, NULL, 0, 0 },
	{ "birth_date", T_DATE, 0, NULL, 0, 0 },
};
static struct schema beneficiary_s = SCHEMA(beneficiary_f, beneficiary_check);

static const struct fdef account_f[] = {
	{ "routing", T_ROUTING, 1, NULL, 0, 0 },
	{ "number", T_ACCOUNT, 1, NULL, 0, 0 },
	{ "name", T_STR, 1, NULL, 0, 200 },
};
static struct schema account_s = SCHEMA(account_f, NULL);

/* The account a payment went to: the name is the bank's business. */
static const struct fdef paid_account_f[] = {
	{ "routing", T_ROUTING, 1, NULL, 0, 0 },
	{ "number", T_ACCOUNT, 1, NULL, 0, 0 },
};
static struct schema paid_account_s = SCHEMA(paid_account_f, NULL);

static const struct fdef sanction_f[] = {
	{ "officer", T_STR, 1, NULL, 0, 200 },
	{ "date", T_DATE, 1, NULL, 0, 0 },
	{ "amount_poisha", T_POISHA, 0, NULL, 0, 0 },
	{ "last_month", T_MONTH, 0, NULL, 0, 0 },
	{ "note", T_TEXT, 0, NULL, 0, 2000 },
};
static struct schema sanction_s = SCHEMA(sanction_f, NULL);

static const struct fdef signature_f[] = {
	{ "alg", T_ENUM, 1, sig_algs, 0, 0 },
	{ "key_id", T_HEX, 1, NULL, 16, 16 },
	{ "value", T_B64, 1, NULL, 1, 200 },
};
static struct schema signature_s = SCHEMA(signature_f, NULL);

static const struct fdef rate_f[] = {
	{ "from", T_MONTH, 1, NULL, 0, 0 },
	{ "to", T_MONTH, 1, NULL, 0, 0 },
	{ "monthly_poisha", T_POISHA, 1, NULL, 0, 0 },
};
static struct schema rate_s = SCHEMA(rate_f, NULL);

static const struct fdef amendment_f[] = {
	{ "reason", T_STR, 1, NULL, 0, 500 },
	{ "code", T_ENUM, 0, return_codes, 0, 0 },
	{ "changed", T_SARR, 1, NULL, 0, 64 },
	{ "date", T_DATE, 1, NULL, 0, 0 },
};
static struct schema amendment_s = SCHEMA(amendment_f, NULL);

/* ---- the kinds ---- */

static int
grant_check(json_t *o, struct werr *e)
{
	const char *g = jstr(o, "grant");
	json_t *ff = json_object_get(o, "funeral_for");
	if (!strcmp(g, "funeral") && !ff)
		return werr_set(e, "funeral_for", "missing (a funeral grant names employee or family)");
	if (strcmp(g, "funeral") && ff)
		return werr_set(e, "funeral_for", "only a funeral grant has this field");
	return 0;
}

static const struct fdef application_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "office", T_OFFICE, 1, NULL, 0, 0 },
	{ "application_no", T_ID, 1, NULL, 0, 64 },
	{ "received", T_DATE, 0, NULL, 0, 0 },
	{ "grant", T_ENUM, 1, grants, 0, 0 },
	{ "funeral_for", T_ENUM, 0, funeral_for, 0, 0 },
	{ "employee", T_OBJ, 1, &employee_s, 0, 0 },
	{ "beneficiary", T_OBJ, 1, &beneficiary_s, 0, 0 },
	{ "account", T_OBJ, 1, &account_s, 0, 0 },
	/* An application filed at the desk has none yet: wgo-issue needs it. */
	{ "sanction", T_OBJ, 0, &sanction_s, 0, 0 },
};

static int
order_check(json_t *o, struct werr *e)
{
	if (grant_check(o, e) < 0)
		return -1;
	int monthly = !strcmp(jstr(o, "grant"), "welfare");
	const char *need[] = { "first_month", "last_month", "rates" };
	for (int i = 0; i < 3; i++) {
		if (monthly && !json_object_get(o, need[i]))
			return werr_set(e, need[i], "missing (a monthly grant has it)");
		if (!monthly && json_object_get(o, need[i]))
			return werr_set(e, need[i], "only a monthly grant has this field");
	}
	if (monthly && json_object_get(o, "lump_poisha"))
		return werr_set(e, "lump_poisha", "a monthly grant has no lump sum");
	if (!monthly && !json_object_get(o, "lump_poisha"))
		return werr_set(e, "lump_poisha", "missing (a lump-sum grant has it)");
	if (jint(o, "revision", 0) > 0 && !json_object_get(o, "amendment"))
		return werr_set(e, "amendment", "missing (a revision after 0 says what changed)");
	long long total = jint(o, "total_poisha", -1);
	if (!monthly) {
		long long lump = jint(o, "lump_poisha", -1);
		if (total != lump)
			return werr_set(e, "total_poisha", "%lld, but a lump-sum order's total is its "
			                "lump_poisha, %lld", total, lump);
		return 0;
	}
	wmonth first, last, prev = 0;
	const char *why;
	month_parse(jstr(o, "first_month"), &first, &why);
	month_parse(jstr(o, "last_month"), &last, &why);
	if (last < first)
		return werr_set(e, "last_month", "before first_month");
	json_t *rates = json_object_get(o, "rates"), *r;
	size_t i;
	int64_t sum = 0;
	if (json_array_size(rates) == 0)
		return werr_set(e, "rates", "empty");
	json_array_foreach(rates, i, r) {
		wmonth f, t;
		char fld[32];
		month_parse(jstr(r, "from"), &f, &why);
		month_parse(jstr(r, "to"), &t, &why);
		snprintf(fld, sizeof fld, "rates[%zu]", i);
		if (t < f)
			return werr_set(e, fld, "to is before from");
		if (i == 0 && f != first)
			return werr_set(e, fld, "does not start at first_month");
		if (i > 0 && f != prev + 1)
			return werr_set(e, fld, "does not follow the previous rate");
		prev = t;
		int64_t seg;
		if (money_mul(&seg, jint(r, "monthly_poisha", 0), (int64_t)t - f + 1) < 0 ||
		    money_add(&sum, seg) < 0)
			return werr_set(e, "rates", "they come to more than any order can hold");
	}
	if (prev != last)
		return werr_set(e, "rates", "do not end at last_month");
	/* The total is what the order says it pays: it must be what its own months at
	 * its own rates come to. */
	if (total != sum)
		return werr_set(e, "total_poisha", "%lld, but the rates come to %lld over the months "
		                "from first_month to last_month", total, (long long)sum);
	return 0;
}

static const struct fdef order_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "order_no", T_ID, 1, NULL, 0, 64 },
	{ "revision", T_INT, 1, NULL, 0, 999 },
	{ "office", T_OFFICE, 1, NULL, 0, 0 },
	{ "legacy", T_BOOL, 0, NULL, 0, 0 },
	{ "issued", T_DATE, 1, NULL, 0, 0 },
	{ "issued_bn", T_STR, 1, NULL, 0, 100 },
	{ "application_no", T_ID, 1, NULL, 0, 64 },
	{ "received", T_DATE, 0, NULL, 0, 0 },
	{ "grant", T_ENUM, 1, grants, 0, 0 },
	{ "funeral_for", T_ENUM, 0, funeral_for, 0, 0 },
	{ "employee", T_OBJ, 1, &employee_s, 0, 0 },
	{ "beneficiary", T_OBJ, 1, &beneficiary_s, 0, 0 },
	{ "account", T_OBJ, 1, &account_s, 0, 0 },
	{ "first_month", T_MONTH, 0, NULL, 0, 0 },
	{ "last_month", T_MONTH, 0, NULL, 0, 0 },
	{ "rates", T_ARR, 0, &rate_s, 0, 0 },
	{ "lump_poisha", T_POISHA, 0, NULL, 0, 0 },
	{ "arrears_months", T_INT, 1, NULL, 0, 9999 },
	{ "arrears_poisha", T_POISHA, 1, NULL, 0, 0 },
	{ "total_poisha", T_POISHA, 1, NULL, 0, 0 },
	{ "sanction", T_OBJ, 1, &sanction_s, 0, 0 },
	{ "amendment", T_OBJ, 0, &amendment_s, 0, 0 },
	{ "signature", T_OBJ, 0, &signature_s, 0, 0 },
};

/* The end of an order: signed like an order, nothing after last_month is payable. */
static int
stop_check(json_t *o, struct werr *e)
{
	const char *r = jstr(o, "reason");
	int death = !strcmp(r, "death"), dup = !strcmp(r, "duplicate");
	if (death != !!json_object_get(o, "death_date"))
		return werr_set(e, "death_date", death ? "missing (a stop for death gives the date)"
		                                       : "only a stop for death has this field");
	if (dup != !!json_object_get(o, "duplicate_of"))
		return werr_set(e, "duplicate_of", dup ? "missing (a stop for a duplicate names the order "
		                                         "it duplicates)"
		                                       : "only a stop for a duplicate has this field");
	if (dup && !strcmp(jstr(o, "duplicate_of"), jstr(o, "order_no")))
		return werr_set(e, "duplicate_of", "an order cannot duplicate itself");
	return 0;
}

static const struct fdef stop_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "order_no", T_ID, 1, NULL, 0, 64 },
	{ "revision", T_INT, 1, NULL, 0, 999 },
	{ "office", T_OFFICE, 1, NULL, 0, 0 },
	{ "reason", T_ENUM, 1, stop_reasons, 0, 0 },
	{ "date", T_DATE, 1, NULL, 0, 0 },
	{ "death_date", T_DATE, 0, NULL, 0, 0 },
	{ "duplicate_of", T_ID, 0, NULL, 0, 64 },
	{ "last_month", T_MONTH, 0, NULL, 0, 0 },
	{ "officer", T_STR, 1, NULL, 0, 200 },
	{ "note", T_TEXT, 0, NULL, 0, 2000 },
	{ "signature", T_OBJ, 0, &signature_s, 0, 0 },
};

static const struct fdef correction_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "order_no", T_ID, 1, NULL, 0, 64 },
	{ "reason", T_STR, 1, NULL, 0, 500 },
	{ "code", T_ENUM, 0, return_codes, 0, 0 },
	{ "date", T_DATE, 0, NULL, 0, 0 },
	{ "changes", T_OBJ, 1, NULL, 0, 32 },
};

static const struct fdef push_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "order_no", T_ID, 1, NULL, 0, 64 },
	{ "revision", T_INT, 1, NULL, 0, 999 },
	{ "reference_id", T_ID, 1, NULL, 0, 80 },
	{ "status", T_ENUM, 1, push_states, 0, 0 },
	{ "bank_ref", T_ID, 0, NULL, 0, 80 },
	{ "code", T_STR, 0, NULL, 0, 80 },
	{ "message", T_STR, 0, NULL, 0, 1000 },
	{ "attempts", T_INT, 0, NULL, 0, 1000000 },
	{ "at", T_INSTANT, 0, NULL, 0, 0 },
};

static const struct fdef return_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "return_id", T_ID, 1, NULL, 0, 80 },
	{ "reference_id", T_ID, 1, NULL, 0, 80 },
	{ "order_no", T_ID, 1, NULL, 0, 64 },
	{ "revision", T_INT, 1, NULL, 0, 999 },
	{ "office", T_OFFICE, 1, NULL, 0, 0 },
	{ "code", T_ENUM, 1, return_codes, 0, 0 },
	{ "reason", T_STR, 0, NULL, 0, 1000 },
	{ "date", T_DATE, 1, NULL, 0, 0 },
};

static const struct fdef verification_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "verification_id", T_ID, 1, NULL, 0, 80 },
	{ "order_no", T_ID, 1, NULL, 0, 64 },
	{ "office", T_OFFICE, 0, NULL, 0, 0 },
	{ "date", T_DATE, 1, NULL, 0, 0 },
	{ "branch", T_ROUTING, 1, NULL, 0, 0 },
	{ "method", T_STR, 0, NULL, 0, 64 },
};

static const struct fdef status_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "order_no", T_ID, 1, NULL, 0, 64 },
	{ "revision", T_INT, 1, NULL, 0, 999 },
	{ "office", T_OFFICE, 1, NULL, 0, 0 },
	{ "grant", T_ENUM, 1, grants, 0, 0 },
	{ "as_of", T_DATE, 1, NULL, 0, 0 },
	{ "state", T_ENUM, 1, lv_states, 0, 0 },
	{ "first_verification", T_DATE, 0, NULL, 0, 0 },
	{ "last_verification", T_DATE, 0, NULL, 0, 0 },
	{ "first_verification_due", T_DATE, 0, NULL, 0, 0 },
	{ "window_from", T_DATE, 0, NULL, 0, 0 },
	{ "window_to", T_DATE, 0, NULL, 0, 0 },
	{ "suspended_from", T_DATE, 0, NULL, 0, 0 },
	{ "held_from", T_DATE, 0, NULL, 0, 0 },
	{ "return_code", T_ENUM, 0, return_codes, 0, 0 },
	{ "stopped_from", T_DATE, 0, NULL, 0, 0 },
	{ "stop_reason", T_ENUM, 0, stop_reasons, 0, 0 },
	{ "first_payment_due", T_DATE, 0, NULL, 0, 0 },
	{ "payable_months", T_INT, 1, NULL, 0, 9999 },
	{ "payable_poisha", T_POISHA, 1, NULL, 0, 0 },
	{ "arrears_months", T_INT, 1, NULL, 0, 9999 },
	{ "arrears_poisha", T_POISHA, 1, NULL, 0, 0 },
	{ "withheld_months", T_INT, 1, NULL, 0, 9999 },
	{ "forfeited_months", T_INT, 1, NULL, 0, 9999 },
	{ "forfeited_poisha", T_POISHA, 1, NULL, 0, 0 },
	{ "held_months", T_INT, 0, NULL, 0, 9999 },
	{ "held_poisha", T_POISHA, 0, NULL, 0, 0 },
	{ "lump_poisha", T_POISHA, 0, NULL, 0, 0 },
	{ "last_month", T_MONTH, 0, NULL, 0, 0 },
	{ "card_due", T_DATE, 0, NULL, 0, 0 },
};

static const struct fdef payment_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "payment_id", T_ID, 1, NULL, 0, 80 },
	{ "reference_id", T_ID, 1, NULL, 0, 80 },
	{ "order_no", T_ID, 1, NULL, 0, 64 },
	{ "revision", T_INT, 1, NULL, 0, 999 },
	{ "office", T_OFFICE, 1, NULL, 0, 0 },
	{ "month", T_MONTH, 0, NULL, 0, 0 },
	{ "amount_poisha", T_POISHA, 1, NULL, 0, 0 },
	{ "paid", T_DATE, 1, NULL, 0, 0 },
	{ "account", T_OBJ, 1, &paid_account_s, 0, 0 },
};

static const struct fdef card_return_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "order_no", T_ID, 1, NULL, 0, 64 },
	{ "office", T_OFFICE, 1, NULL, 0, 0 },
	{ "last_month", T_MONTH, 1, NULL, 0, 0 },
	{ "returned", T_DATE, 1, NULL, 0, 0 },
};

static const struct fdef discrepancy_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "class", T_ENUM, 1, disc_classes, 0, 0 },
	{ "office", T_OFFICE, 0, NULL, 0, 0 },
	{ "month", T_MONTH, 1, NULL, 0, 0 },
	{ "order_no", T_ID, 0, NULL, 0, 64 },
	{ "revision", T_INT, 0, NULL, 0, 999 },
	{ "payment_id", T_ID, 0, NULL, 0, 80 },
	{ "payable_month", T_MONTH, 0, NULL, 0, 0 },
	{ "expected_poisha", T_POISHA, 0, NULL, 0, 0 },
	{ "paid_poisha", T_POISHA, 0, NULL, 0, 0 },
	{ "due", T_DATE, 0, NULL, 0, 0 },
	{ "paid", T_DATE, 0, NULL, 0, 0 },
	{ "detail", T_STR, 1, NULL, 0, 1000 },
};

static const struct fdef class_sum_f[] = {
	{ "class", T_ENUM, 1, disc_classes, 0, 0 },
	{ "count", T_INT, 1, NULL, 0, 1LL << 53 },
	{ "poisha", T_POISHA, 1, NULL, 0, 0 },
};
static struct schema class_sum_s = SCHEMA(class_sum_f, NULL);

static const struct fdef summary_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "month", T_MONTH, 1, NULL, 0, 0 },
	{ "office", T_OFFICE, 0, NULL, 0, 0 },
	{ "payments", T_INT, 1, NULL, 0, 1LL << 53 },
	{ "payments_poisha", T_POISHA, 1, NULL, 0, 0 },
	{ "matched", T_INT, 1, NULL, 0, 1LL << 53 },
	{ "matched_poisha", T_POISHA, 1, NULL, 0, 0 },
	{ "classes", T_ARR, 1, &class_sum_s, 0, 0 },
	{ "balanced", T_BOOL, 1, NULL, 0, 0 },
};

static const struct fdef complaint_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "seq", T_INT, 1, NULL, 1, 1LL << 53 },
	{ "event", T_ENUM, 1, complaint_events, 0, 0 },
	{ "id", T_ID, 1, NULL, 0, 40 },
	{ "office", T_OFFICE, 1, NULL, 0, 0 },
	{ "at", T_INSTANT, 1, NULL, 0, 0 },
	{ "by", T_STR, 0, NULL, 0, 200 },
	{ "service", T_ID, 0, NULL, 0, 64 },
	{ "desk", T_STR, 0, NULL, 0, 100 },
	{ "category", T_ID, 0, NULL, 0, 64 },
	{ "name", T_STR, 0, NULL, 0, 200 },
	{ "mobile", T_MOBILE, 0, NULL, 0, 0 },
	{ "nid", T_NID, 0, NULL, 0, 0 },
	{ "text", T_TEXT, 0, NULL, 0, 8000 },
	{ "level", T_INT, 0, NULL, 0, 9 },
	{ "officer", T_STR, 0, NULL, 0, 200 },
	{ "decision", T_ENUM, 0, decisions, 0, 0 },
	{ "note", T_TEXT, 0, NULL, 0, 8000 },
	{ "prev", T_HEX, 1, NULL, 64, 64 },
};

/* Where one complaint stands (complaint-log list and show); mobile and nid masked. */
static const struct fdef complaint_state_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "id", T_ID, 1, NULL, 0, 40 },
	{ "office", T_OFFICE, 1, NULL, 0, 0 },
	{ "status", T_ENUM, 1, complaint_states, 0, 0 },
	{ "level", T_INT, 1, NULL, 0, 9 },
	{ "officer", T_STR, 0, NULL, 0, 200 },
	{ "service", T_ID, 0, NULL, 0, 64 },
	{ "desk", T_STR, 0, NULL, 0, 100 },
	{ "category", T_ID, 0, NULL, 0, 64 },
	{ "name", T_STR, 0, NULL, 0, 200 },
	{ "mobile", T_STR, 0, NULL, 0, 20 },
	{ "nid", T_STR, 0, NULL, 0, 20 },
	{ "text", T_TEXT, 0, NULL, 0, 8000 },
	{ "by", T_STR, 0, NULL, 0, 200 },
	{ "added", T_INSTANT, 1, NULL, 0, 0 },
	{ "deadline", T_DATE, 0, NULL, 0, 0 },
	{ "overdue", T_BOOL, 1, NULL, 0, 0 },
	{ "working_days", T_INT, 1, NULL, 0, 1 << 20 },
	{ "resolved", T_INSTANT, 0, NULL, 0, 0 },
	{ "decision", T_ENUM, 0, decisions, 0, 0 },
	{ "note", T_TEXT, 0, NULL, 0, 8000 },
	{ "events", T_INT, 1, NULL, 1, 1LL << 53 },
};

/* Complaints per office, service and month (complaint-log stats). */
static const struct fdef complaint_stats_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "office", T_OFFICE, 1, NULL, 0, 0 },
	{ "service", T_ID, 1, NULL, 0, 64 },
	{ "month", T_MONTH, 1, NULL, 0, 0 },
	{ "count", T_INT, 1, NULL, 0, 1LL << 53 },
	{ "resolved", T_INT, 1, NULL, 0, 1LL << 53 },
	{ "open", T_INT, 1, NULL, 0, 1LL << 53 },
	{ "overdue", T_INT, 1, NULL, 0, 1LL << 53 },
	{ "median_days", T_INT, 0, NULL, 0, 1 << 20 },
	{ "p90_days", T_INT, 0, NULL, 0, 1 << 20 },
};

static const struct fdef reject_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "source", T_STR, 1, NULL, 0, 4096 },
	{ "line", T_INT, 1, NULL, 0, 1LL << 53 },
	{ "field", T_RAW, 1, NULL, 0, 400 },
	{ "reason", T_STR, 1, NULL, 0, 1000 },
	{ "record", T_OBJ, 0, NULL, 0, 0 },
	{ "text", T_RAW, 0, NULL, 0, 1LL << 40 },
	{ "text_base64", T_B64, 0, NULL, 0, 1LL << 40 },
};

/* ---- wgo-scan ---- */

/* One finding of an integrity rule: what matched, and a fingerprint of it. */
static const struct fdef finding_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "rule", T_ID, 1, NULL, 0, 40 },
	{ "severity", T_ENUM, 1, severities, 0, 0 },
	{ "office", T_OFFICE, 1, NULL, 0, 0 },
	{ "as_of", T_DATE, 1, NULL, 0, 0 },
	{ "cluster", T_ID, 1, NULL, 0, 64 },
	{ "orders", T_SARR, 1, NULL, 0, 64 },
	{ "applications", T_SARR, 0, NULL, 0, 64 },
	{ "payments", T_SARR, 0, NULL, 0, 80 },
	{ "evidence", T_OBJ, 1, NULL, 0, 32 },
	{ "score", T_INT, 1, NULL, 0, 1000 },
	{ "fingerprint", T_ID, 1, NULL, 0, 80 },
	{ "review", T_ENUM, 0, verdicts, 0, 0 },
	{ "detail", T_STR, 1, NULL, 0, 1000 },
};

/* A reviewer's verdict on a finding, signed with the office's key: a line of the
 * scan's review log. */
static const struct fdef verdict_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "fingerprint", T_ID, 1, NULL, 0, 80 },
	{ "rule", T_ID, 1, NULL, 0, 40 },
	{ "verdict", T_ENUM, 1, verdicts, 0, 0 },
	{ "note", T_TEXT, 1, NULL, 0, 2000 },
	{ "office", T_OFFICE, 1, NULL, 0, 0 },
	{ "by", T_STR, 0, NULL, 0, 200 },
	{ "at", T_INSTANT, 1, NULL, 0, 0 },
	{ "signature", T_OBJ, 1, &signature_s, 0, 0 },
};

/* One entry of a death register. */
static const struct fdef death_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "nid", T_NID, 1, NULL, 0, 0 },
	{ "death_date", T_DATE, 1, NULL, 0, 0 },
	{ "name", T_STR, 0, NULL, 0, 200 },
	{ "register_no", T_ID, 0, NULL, 0, 80 },
	{ "source", T_STR, 0, NULL, 0, 200 },
};

/* One rule's findings and verdicts (wgo-scan stats). */
static const struct fdef rule_stats_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "rule", T_ID, 1, NULL, 0, 40 },
	{ "enabled", T_BOOL, 1, NULL, 0, 0 },
	{ "findings", T_INT, 1, NULL, 0, 1LL << 53 },
	{ "left_out", T_INT, 1, NULL, 0, 1LL << 53 },
	{ "confirmed", T_INT, 1, NULL, 0, 1LL << 53 },
	{ "false_positive", T_INT, 1, NULL, 0, 1LL << 53 },
	{ "needs_field_check", T_INT, 1, NULL, 0, 1LL << 53 },
	{ "precision_permille", T_INT, 0, NULL, 0, 1000 },
	{ "weight_milli", T_INT, 1, NULL, -1000000, 1000000 },
};

/* An order's risk: the rules it hit and what they come to. */
static const struct fdef risk_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "order_no", T_ID, 1, NULL, 0, 64 },
	{ "office", T_OFFICE, 1, NULL, 0, 0 },
	{ "as_of", T_DATE, 1, NULL, 0, 0 },
	{ "score", T_INT, 1, NULL, 0, 1000 },
	{ "rules", T_SARR, 1, NULL, 0, 40 },
};

/* ---- wgo-report ---- */

/* One figure of a period's report: an office's (or, without office, the board's)
 * measure, perhaps broken down by one thing (by, key). */
static int
figure_check(json_t *o, struct werr *e)
{
	if (!json_object_get(o, "by") != !json_object_get(o, "key"))
		return werr_set(e, json_object_get(o, "by") ? "key" : "by",
		                "missing (by and key go together)");
	const char *why;
	wdate f, t;
	if (date_parse(jstr(o, "from"), &f, &why) == 0 && date_parse(jstr(o, "to"), &t, &why) == 0 &&
	    t < f)
		return werr_set(e, "to", "before from");
	return 0;
}

static const struct fdef figure_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "office", T_OFFICE, 0, NULL, 0, 0 },
	{ "period", T_ID, 1, NULL, 0, 40 },
	{ "from", T_DATE, 1, NULL, 0, 0 },
	{ "to", T_DATE, 1, NULL, 0, 0 },
	{ "measure", T_ID, 1, NULL, 0, 64 },
	{ "by", T_ID, 0, NULL, 0, 32 },
	{ "key", T_STR, 0, NULL, 0, 200 },
	{ "value", T_INT, 1, NULL, -MAX_POISHA, MAX_POISHA },
	{ "unit", T_ENUM, 1, figure_units, 0, 0 },
};

/* ---- the service corner: wgo-track and wgo-apply ---- */

static const char *const track_matches[] = { "nid", "mobile", "order_no", "application_no",
	                                     "name", NULL };
static const char *const name_hows[] = { "same", "joined", "reordered", "initials", NULL };
static const char *const track_states[] = { "received", "approved", "awaiting_first", "active",
	                                    "due", "suspended", "ended", "held", "stopped", NULL };
static const char *const track_events[] = { "received", "approved", "issued", "amended", "sent",
	                                    "refused", "returned", "verified", "paid", "stopped",
	                                    "suspended", "card_returned", NULL };
static const char *const track_actions[] = { "approve", "issue", "send", "verify_first", "pay",
	                                     "verify", "verify_to_resume", "correct", "card_back",
	                                     "none", NULL };
static const char *const open_states[] = { "open", "acknowledged", NULL };

/* One step of an application's or order's life, as wgo-track tells it. */
static const struct fdef track_event_f[] = {
	{ "date", T_DATE, 1, NULL, 0, 0 },
	{ "event", T_ENUM, 1, track_events, 0, 0 },
	{ "revision", T_INT, 0, NULL, 0, 999 },
	{ "code", T_ENUM, 0, return_codes, 0, 0 },
	{ "reason", T_STR, 0, NULL, 0, 1000 },
	{ "branch", T_ROUTING, 0, NULL, 0, 0 },
	{ "month", T_MONTH, 0, NULL, 0, 0 },
	{ "amount_poisha", T_POISHA, 0, NULL, 0, 0 },
	{ "arrears", T_BOOL, 0, NULL, 0, 0 },
};
static struct schema track_event_s = SCHEMA(track_event_f, NULL);

/* What happens next, and by when. */
static const struct fdef track_next_f[] = {
	{ "action", T_ENUM, 1, track_actions, 0, 0 },
	{ "from", T_DATE, 0, NULL, 0, 0 },
	{ "by", T_DATE, 0, NULL, 0, 0 },
	{ "month", T_MONTH, 0, NULL, 0, 0 },
	{ "amount_poisha", T_POISHA, 0, NULL, 0, 0 },
};
static struct schema track_next_s = SCHEMA(track_next_f, NULL);

static const struct fdef track_complaint_f[] = {
	{ "id", T_ID, 1, NULL, 0, 40 },
	{ "status", T_ENUM, 1, open_states, 0, 0 },
	{ "level", T_INT, 1, NULL, 0, 9 },
	{ "service", T_ID, 0, NULL, 0, 64 },
	{ "category", T_ID, 0, NULL, 0, 64 },
	{ "added", T_DATE, 1, NULL, 0, 0 },
	{ "deadline", T_DATE, 1, NULL, 0, 0 },
	{ "overdue", T_BOOL, 1, NULL, 0, 0 },
};
static struct schema track_complaint_s = SCHEMA(track_complaint_f, NULL);

/* Where one person's application or order stands, and what comes next (wgo-track);
 * the NID and mobile masked unless they are what was asked. */
static const struct fdef track_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "match", T_ENUM, 1, track_matches, 0, 0 },
	{ "match_how", T_ENUM, 0, name_hows, 0, 0 },
	{ "office", T_OFFICE, 1, NULL, 0, 0 },
	{ "application_no", T_ID, 0, NULL, 0, 64 },
	{ "order_no", T_ID, 0, NULL, 0, 64 },
	{ "revision", T_INT, 0, NULL, 0, 999 },
	{ "grant", T_ENUM, 1, grants, 0, 0 },
	{ "funeral_for", T_ENUM, 0, funeral_for, 0, 0 },
	{ "name_bn", T_STR, 0, NULL, 0, 200 },
	{ "name_en", T_STR, 0, NULL, 0, 200 },
	{ "relation", T_ENUM, 0, relations, 0, 0 },
	{ "employee", T_STR, 0, NULL, 0, 200 },
	{ "nid", T_STR, 0, NULL, 0, 20 },
	{ "mobile", T_STR, 0, NULL, 0, 20 },
	{ "as_of", T_DATE, 1, NULL, 0, 0 },
	{ "state", T_ENUM, 1, track_states, 0, 0 },
	{ "since", T_DATE, 0, NULL, 0, 0 },
	{ "return_code", T_ENUM, 0, return_codes, 0, 0 },
	{ "stop_reason", T_ENUM, 0, stop_reasons, 0, 0 },
	{ "monthly_poisha", T_POISHA, 0, NULL, 0, 0 },
	{ "lump_poisha", T_POISHA, 0, NULL, 0, 0 },
	{ "first_month", T_MONTH, 0, NULL, 0, 0 },
	{ "last_month", T_MONTH, 0, NULL, 0, 0 },
	{ "paid_poisha", T_POISHA, 0, NULL, 0, 0 },
	{ "arrears_paid_poisha", T_POISHA, 0, NULL, 0, 0 },
	{ "unpaid_months", T_INT, 0, NULL, 0, 9999 },
	{ "unpaid_poisha", T_POISHA, 0, NULL, 0, 0 },
	{ "window_from", T_DATE, 0, NULL, 0, 0 },
	{ "window_to", T_DATE, 0, NULL, 0, 0 },
	{ "events", T_ARR, 1, &track_event_s, 0, 0 },
	{ "next", T_OBJ, 1, &track_next_s, 0, 0 },
	{ "complaints", T_ARR, 0, &track_complaint_s, 0, 0 },
};

static const struct fdef problem_f[] = {
	{ "field", T_RAW, 1, NULL, 0, 400 },
	{ "message", T_STR, 1, NULL, 0, 1000 },
	{ "message_bn", T_STR, 1, NULL, 0, 2000 },
};
static struct schema problem_s = SCHEMA(problem_f, NULL);

/* An application checked at the desk (wgo-apply): what must be corrected, in both
 * languages, or what it would bring. */
static const struct fdef application_check_f[] = {
	{ "kind", T_STR, 1, NULL, 0, 32 },
	{ "v", T_INT, 1, NULL, 1, 1 },
	{ "source", T_STR, 1, NULL, 0, 4096 },
	{ "line", T_INT, 1, NULL, 0, 1LL << 53 },
	{ "office", T_STR, 0, NULL, 0, 20 },
	{ "application_no", T_STR, 0, NULL, 0, 200 },
	{ "ok", T_BOOL, 1, NULL, 0, 0 },
	{ "problems", T_ARR, 1, &problem_s, 0, 0 },
	{ "first_month", T_MONTH, 0, NULL, 0, 0 },
	{ "last_month", T_MONTH, 0, NULL, 0, 0 },
	{ "lump_poisha", T_POISHA, 0, NULL, 0, 0 },
	{ "arrears_poisha", T_POISHA, 0, NULL, 0, 0 },
	{ "total_poisha", T_POISHA, 0, NULL, 0, 0 },
};

struct kind {
	const char *name;
	struct schema s;
};
static struct kind kinds[] = {
	{ "application", SCHEMA(application_f, grant_check) },
	{ "order", SCHEMA(order_f, order_check) },
	{ "correction", SCHEMA(correction_f, NULL) },
	{ "stop", SCHEMA(stop_f, stop_check) },
	{ "push", SCHEMA(push_f, NULL) },
	{ "return", SCHEMA(return_f, NULL) },
	{ "verification", SCHEMA(verification_f, NULL) },
	{ "status", SCHEMA(status_f, NULL) },
	{ "payment", SCHEMA(payment_f, NULL) },
	{ "card_return", SCHEMA(card_return_f, NULL) },
	{ "discrepancy", SCHEMA(discrepancy_f, NULL) },
	{ "summary", SCHEMA(summary_f, NULL) },
	{ "complaint", SCHEMA(complaint_f, NULL) },
	{ "complaint_state", SCHEMA(complaint_state_f, NULL) },
	{ "complaint_stats", SCHEMA(complaint_stats_f, NULL) },
	{ "reject", SCHEMA(reject_f, NULL) },
	{ "finding", SCHEMA(finding_f, NULL) },
	{ "verdict", SCHEMA(verdict_f, NULL) },
	{ "death", SCHEMA(death_f, NULL) },
	{ "risk", SCHEMA(risk_f, NULL) },
	{ "rule_stats", SCHEMA(rule_stats_f, NULL) },
	{ "figure", SCHEMA(figure_f, figure_check) },
	{ "track", SCHEMA(track_f, NULL) },
	{ "application_check", SCHEMA(application_check_f, NULL) },
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static const char *kind_names[NKINDS + 1];

const char *const *
rec_kinds(void)
{
	if (!kind_names[0])
		for (size_t i = 0; i < NKINDS; i++)
			kind_names[i] = kinds[i].name;
	return kind_names;
}

static struct kind *
find_kind(const char *k)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (!strcmp(kinds[i].name, k))
			return &kinds[i];
	return NULL;
}

int
rec_kind_known(const char *k)
{
	return find_kind(k) != NULL;
}

/* ---- offices ---- */

static const struct {
	const char *code, *en, *bn;
} offices[] = {
	{ "HQ", "Head Office, Dhaka", "প্রধান কার্যালয়, ঢাকা" },
	{ "DHK", "Dhaka", "ঢাকা" },
	{ "CTG", "Chattogram", "চট্টগ্রাম" },
	{ "RAJ", "Rajshahi", "রাজশাহী" },
	{ "KHL", "Khulna", "খুলনা" },
	{ "BAR", "Barishal", "বরিশাল" },
	{ "SYL", "Sylhet", "সিলেট" },
	{ "RNG", "Rangpur", "রংপুর" },
	{ "MYM", "Mymensingh", "ময়মনসিংহ" },
};
#define NOFFICES (sizeof offices / sizeof offices[0])
static const char *office_list[NOFFICES + 1];

int
office_valid(const char *code)
{
	for (size_t i = 0; i < NOFFICES; i++)
		if (!strcmp(code, offices[i].code))
			return 1;
	return 0;
}

const char *const *
office_codes(void)
{
	if (!office_list[0])
		for (size_t i = 0; i < NOFFICES; i++)
			office_list[i] = offices[i].code;
	return office_list;
}

const char *
office_name(const char *code, int bn)
{
	for (size_t i = 0; i < NOFFICES; i++)
		if (!strcmp(code, offices[i].code))
			return bn ? offices[i].bn : offices[i].en;
	return code;
}

/* ---- validation ---- */

static int validate_obj(json_t *o, struct schema *s, const char *path, struct werr *e);

#define PATHSZ 160
/* path.name, or path[i] when name is NULL; cut short rather than overflow. */
static void
subpath(char out[PATHSZ], const char *path, const char *name, size_t i)
{
	/* On every field of every record: memcpy, not printf. */
	size_t n = strlen(path), o = 0;
	char idx[24];
	const char *tail = name;
	if (!name) {
		char d[24];
		size_t k = 0, j = 0;
		do
			d[k++] = (char)('0' + i % 10);
		while ((i /= 10) && k < sizeof d);
		idx[j++] = '[';
		while (k)
			idx[j++] = d[--k];
		idx[j++] = ']';
		idx[j] = 0;
		tail = idx;
	}
	size_t t = strlen(tail);
	if (n > PATHSZ - 1)
		n = PATHSZ - 1;
	memcpy(out, path, n);
	o = n;
	if (name && n && o < PATHSZ - 1)
		out[o++] = '.';
	if (t > PATHSZ - 1 - o)
		t = PATHSZ - 1 - o;
	memcpy(out + o, tail, t);
	out[o + t] = 0;
}

static int
in_enum(const char *const *l, const char *v)
{
	for (; *l; l++)
		if (!strcmp(*l, v))
			return 1;
	return 0;
}

static void
enum_list(const char *const *l, char *out, size_t n)
{
	size_t o = 0;
	out[0] = 0;
	for (; *l && o < n; l++)
		o += (size_t)snprintf(out + o, n - o, "%s%s", o ? ", " : "", *l);
}

/* What a string or text field may hold: no code point that would act on a
 * terminal rather than show (term_unsafe: C0 and C1 controls, DEL, the line and
 * paragraph separators, bidirectional controls), except newlines and tabs in text.
 * Run on every string of every record, so the bytes are looked at first: every
 * such code point starts with a byte below 0x20, 0x7F, 0xC2, 0xD8 or 0xE2. */
static int
check_string(const char *s, size_t len, int oneline, long long max, const char *fld,
             struct werr *e)
{
	const unsigned char *p = (const unsigned char *)s;
	if ((long long)len > max)
		return werr_set(e, fld, "longer than %lld bytes", max);
	for (size_t i = 0; i < len; i++) {
		unsigned c = p[i];
		uint32_t cp;
		if (c >= 0x20 && c != 0x7F && c != 0xC2 && c != 0xD8 && c != 0xE2)
			continue;
		if (c == '\n' || c == '\t') {
			if (oneline)
				return werr_set(e, fld, "%s at byte %zu: this field is one line",
				                c == '\n' ? "a newline" : "a tab", i + 1);
			continue;
		}
		if (c < 0x80) {
			cp = c;
		} else if (!utf8_decode(p + i, len - i, &cp) || !term_unsafe(cp)) {
			continue;
		}
		const char *what = cp < 0xA0 ? "control character"
		                   : cp == 0x2028 || cp == 0x2029 ? "line or paragraph separator"
		                   : "bidirectional control";
		return werr_set(e, fld, "%s U+%04X at byte %zu: not allowed in %s", what, (unsigned)cp,
		                i + 1, oneline ? "a string" : "text");
	}
	return 0;
}

/* How many values validation has rewritten into their normal form, per thread. */
static _Thread_local unsigned long normalized;

static int
set_norm(json_t *o, const char *key, const char *orig, const char *norm)
{
	if (strcmp(orig, norm)) {
		json_object_set_new(o, key, json_string(norm));
		normalized++;
	}
	return 0;
}

static const char *
fp(char *buf, const char *path, const char *name)
{
	subpath(buf, path, name, 0);
	return buf;
}

/* Whether a free value holds objects or arrays more than n levels deep (the value
 * itself one level): SQLite's JSON functions, and json_valid in the CHECK
 * wgo-export gives such a column, refuse text nested 2,000 deep, which jansson
 * reads. Looks no deeper than n + 1. */
static int
deeper(json_t *v, long long n)
{
	if (!json_is_object(v) && !json_is_array(v))
		return 0;
	if (n <= 0)
		return 1;
	const char *k;
	json_t *m;
	size_t i;
	if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			if (deeper(m, n - 1))
				return 1;
		return 0;
	}
	json_object_foreach(v, k, m)
		if (deeper(m, n - 1))
			return 1;
	return 0;
}

/* The field's path is worked out only when there is something to say about it. */
static int
validate_field(json_t *o, const struct fdef *f, json_t *v, const char *path, struct werr *e)
{
	char fb[PATHSZ];
#define fld fp(fb, path, f->name)
	const char *why, *s = json_string_value(v);
	char norm[128];

	switch (f->type) {
	case T_RAW:
		if (!s)
			return werr_set(e, fld, "expected a string");
		if ((long long)json_string_length(v) > f->hi)
			return werr_set(e, fld, "longer than %lld bytes", f->hi);
		return 0;
	case T_STR:
	case T_TEXT:
		if (!s)
			return werr_set(e, fld, "expected a string");
		if (f->type == T_STR && !*s)
			return werr_set(e, fld, "empty");
		return check_string(s, json_string_length(v), f->type == T_STR, f->hi, fld, e);
	case T_ID:
		if (!s)
			return werr_set(e, fld, "expected a string");
		if (!*s)
			return werr_set(e, fld, "empty");
		if ((long long)strlen(s) > f->hi)
			return werr_set(e, fld, "longer than %lld characters", f->hi);
		if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/-") !=
		    strlen(s))
			return werr_set(e, fld, "only letters, digits and . _ / - are allowed");
		return 0;
	case T_INT:
		if (!json_is_integer(v))
			return werr_set(e, fld, "expected an integer");
		if (json_integer_value(v) < f->lo || json_integer_value(v) > f->hi)
			return werr_set(e, fld, "%lld is outside %lld to %lld",
			                (long long)json_integer_value(v), f->lo, f->hi);
		return 0;
	case T_POISHA:
	case T_SPOISHA:
		if (json_is_real(v))
			return werr_set(e, fld, "money is an integer of poisha, not a fraction");
		if (!json_is_integer(v))
			return werr_set(e, fld, "expected an integer of poisha");
		if (json_integer_value(v) > MAX_POISHA ||
		    json_integer_value(v) < (f->type == T_POISHA ? 0 : -MAX_POISHA))
			return werr_set(e, fld, json_integer_value(v) < 0 ? "negative amount"
			                                                   : "amount out of range");
		return 0;
	case T_DATE: {
		wdate d;
		if (!s)
			return werr_set(e, fld, "expected a date string");
		if (date_parse(s, &d, &why) < 0)
			return werr_set(e, fld, "%s", why);
		if (json_string_length(v) == 10)
			return 0; /* ten bytes that parse are ASCII YYYY-MM-DD already */
		date_fmt(d, norm);
		return set_norm(o, f->name, s, norm);
	}
	case T_MONTH: {
		wmonth m;
		if (!s)
			return werr_set(e, fld, "expected a month string");
		if (month_parse(s, &m, &why) < 0)
			return werr_set(e, fld, "%s", why);
		if (json_string_length(v) == 7)
			return 0;
		month_fmt(m, norm);
		return set_norm(o, f->name, s, norm);
	}
	case T_INSTANT: {
		int64_t t;
		if (!s)
			return werr_set(e, fld, "expected an instant string");
		if (instant_parse(s, &t, &why) < 0)
			return werr_set(e, fld, "%s", why);
		instant_fmt(t, norm);
		return set_norm(o, f->name, s, norm);
	}
	case T_BOOL:
		if (!json_is_boolean(v))
			return werr_set(e, fld, "expected true or false");
		return 0;
	case T_ENUM:
		if (!s)
			return werr_set(e, fld, "expected a string");
		if (!in_enum(f->arg, s)) {
			char l[400];
			enum_list(f->arg, l, sizeof l);
			return werr_set(e, fld, "unknown value \"%.60s\" (one of: %s)", s, l);
		}
		return 0;
	case T_OBJ:
		if (!json_is_object(v))
			return werr_set(e, fld, "expected an object");
		if (f->arg)
			return validate_obj(v, (struct schema *)f->arg, fld, e);
		if (f->hi && deeper(v, f->hi))
			return werr_set(e, fld, "nested more than %lld levels deep", f->hi);
		return 0;
	case T_ARR: {
		if (!json_is_array(v))
			return werr_set(e, fld, "expected an array");
		size_t i;
		json_t *m;
		json_array_foreach(v, i, m) {
			char sub[PATHSZ];
			subpath(sub, fld, NULL, i);
			if (!json_is_object(m))
				return werr_set(e, sub, "expected an object");
			if (validate_obj(m, (struct schema *)f->arg, sub, e) < 0)
				return -1;
		}
		return 0;
	}
	case T_SARR: {
		if (!json_is_array(v))
			return werr_set(e, fld, "expected an array of strings");
		size_t i;
		json_t *m;
		json_array_foreach(v, i, m) {
			char sub[PATHSZ];
			subpath(sub, fld, NULL, i);
			if (!json_is_string(m))
				return werr_set(e, sub, "expected a string");
			if (check_string(json_string_value(m), json_string_length(m), 1, f->hi, sub, e))
				return -1;
		}
		return 0;
	}
	case T_NID:
	case T_MOBILE:
	case T_ROUTING:
	case T_ACCOUNT: {
		int (*chk)(const char *, char *, size_t, const char **) =
			f->type == T_NID ? nid_check : f->type == T_MOBILE ? mobile_check
			: f->type == T_ROUTING ? routing_check : account_check;
		if (!s)
			return werr_set(e, fld, "expected a string (write numbers in quotes)");
		if (chk(s, norm, sizeof norm, &why) < 0)
			return werr_set(e, fld, "%s", why);
		return set_norm(o, f->name, s, norm);
	}
	case T_OFFICE:
		if (!s)
			return werr_set(e, fld, "expected a string");
		if (!office_valid(s)) {
			char l[200];
			enum_list(office_codes(), l, sizeof l);
			return werr_set(e, fld, "unknown office \"%.20s\" (one of: %s)", s, l);
		}
		return 0;
	case T_HEX:
		if (!s)
			return werr_set(e, fld, "expected a string");
		if ((long long)strlen(s) < f->lo || (long long)strlen(s) > f->hi ||
		    strspn(s, "0123456789abcdef") != strlen(s))
			return werr_set(e, fld, "expected %lld lower-case hex digits", f->hi);
		return 0;
	case T_B64:
		if (!s)
			return werr_set(e, fld, "expected a string");
		if (!*s && f->lo > 0)
			return werr_set(e, fld, "empty");
		if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") !=
		        strlen(s) || strlen(s) % 4)
			return werr_set(e, fld, "not base64");
		if ((long long)strlen(s) > f->hi)
			return werr_set(e, fld, "longer than %lld bytes", f->hi);
		return 0;
	}
	return 0;
#undef fld
}

static int
validate_obj(json_t *o, struct schema *s, const char *path, struct werr *e)
{
	char fld[PATHSZ];
	size_t present = 0;
	/* Keys in the schema's order, as every writer of records writes them, are found
	 * by walking the fields along with them instead of each looked up. A key out of
	 * that order or unknown leaves every field to be looked up: the same values
	 * either way, validated in the same order. */
	json_t *vals[64];
	size_t j = 0;
	int walked = s->n <= 64;
	for (void *it = json_object_iter(o); it && walked; it = json_object_iter_next(o, it)) {
		const char *key = json_object_iter_key(it);
		while (j < s->n && strcmp(s->f[j].name, key))
			vals[j++] = NULL;
		if (j == s->n)
			walked = 0;
		else
			vals[j++] = json_object_iter_value(it);
	}
	while (walked && j < s->n)
		vals[j++] = NULL;
	for (size_t i = 0; i < s->n; i++) {
		const struct fdef *f = &s->f[i];
		json_t *v = walked ? vals[i] : json_object_get(o, f->name);
		if (v)
			present++;
		if (!v || json_is_null(v)) {
			if (!v && !f->req)
				continue; /* the path is made only for a message */
			subpath(fld, path, f->name, 0);
			return werr_set(e, fld, v ? "null is not a value here" : "missing");
		}
		if (validate_field(o, f, v, path, e) < 0)
			return -1;
	}
	const char *key;
	json_t *v;
	if (present == json_object_size(o))
		goto checked; /* every key is a field of the kind */
	json_object_foreach(o, key, v) {
		size_t i;
		for (i = 0; i < s->n && strcmp(s->f[i].name, key); i++)
			;
		if (i == s->n) {
			subpath(fld, path, key, 0);
			return werr_set(e, fld, "unknown field");
		}
	}
checked:
	if (s->check && s->check(o, e) < 0) {
		if (*path)
			werr_prefix(e, path);
		return -1;
	}
	return 0;
}

int
rec_validate_canonical(json_t *rec, struct werr *e)
{
	unsigned long before = normalized;
	if (rec_validate(rec, e) < 0)
		return -1;
	if (normalized != before)
		return werr_set(e, "", "not in canonical form");
	return 0;
}

int
rec_validate(json_t *rec, struct werr *e)
{
	const char *k = jstr(rec, "kind");
	if (!k)
		return werr_set(e, "kind", json_object_get(rec, "kind") ? "not a string" : "missing");
	struct kind *kd = find_kind(k);
	if (!kd)
		return werr_set(e, "kind", "unknown kind \"%.40s\"", k);
	json_t *v = json_object_get(rec, "v");
	if (!v)
		return werr_set(e, "v", "missing (the format version, 1)");
	if (!json_is_integer(v) || json_integer_value(v) != WGO_FORMAT_VERSION)
		return werr_set(e, "v", "unsupported format version (this is version %d)",
		                WGO_FORMAT_VERSION);
	return validate_obj(rec, &kd->s, "", e);
}

static void
build_order(struct schema *s)
{
	if (s->order)
		return;
	s->order = xcalloc(s->n + 1, sizeof *s->order);
	for (size_t i = 0; i < s->n; i++) {
		s->order[i] = s->f[i].name;
		if ((s->f[i].type == T_OBJ || s->f[i].type == T_ARR) && s->f[i].arg)
			build_order((struct schema *)s->f[i].arg);
	}
}

/* Built before main, so that threads (the sandbox) only ever read them. */
__attribute__((constructor)) static void
build_orders(void)
{
	for (size_t i = 0; i < NKINDS; i++)
		build_order(&kinds[i].s);
	rec_kinds();
	office_codes();
}

const char *const *
rec_key_order(const char *kind, const char *path)
{
	struct kind *kd = find_kind(kind);
	if (!kd)
		return NULL;
	struct schema *s = &kd->s;
	while (*path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		size_t i;
		for (i = 0; i < s->n; i++)
			if (strlen(s->f[i].name) == n && !strncmp(s->f[i].name, path, n))
				break;
		if (i == s->n || (s->f[i].type != T_OBJ && s->f[i].type != T_ARR) || !s->f[i].arg)
			return NULL;
		s = (struct schema *)s->f[i].arg;
		path += n + (dot ? 1 : 0);
	}
	return s->order;
}

static const char *const type_names[] = {
	[T_STR] = "string", [T_TEXT] = "text", [T_ID] = "identifier", [T_INT] = "integer",
	[T_POISHA] = "poisha", [T_SPOISHA] = "signed poisha", [T_DATE] = "date",
	[T_MONTH] = "month", [T_INSTANT] = "instant", [T_BOOL] = "boolean", [T_ENUM] = "enum",
	[T_OBJ] = "object", [T_ARR] = "array", [T_SARR] = "strings", [T_NID] = "nid",
	[T_MOBILE] = "mobile", [T_ROUTING] = "routing", [T_ACCOUNT] = "account",
	[T_OFFICE] = "office", [T_HEX] = "hex", [T_B64] = "base64", [T_RAW] = "raw text",
};

/* ---- introspection ---- */

struct walk {
	const char *kind;
	rec_field_fn fn;
	void *ctx;
};

static int
walk(struct walk *w, const struct schema *s, const char *path, int depth,
     const struct rec_field *parent)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct fdef *d = &s->f[i];
		char p[PATHSZ];
		subpath(p, path, d->name, 0);
		struct rec_field rf = { 0 };
		rf.kind = w->kind;
		rf.name = d->name;
		rf.path = p;
		rf.type = type_names[d->type];
		rf.required = d->req;
		rf.depth = depth;
		rf.parent = parent;
		rf.values = d->type == T_ENUM ? d->arg : d->type == T_OFFICE ? office_codes() : NULL;
		rf.nested = (d->type == T_OBJ || d->type == T_ARR) && d->arg;
		rf.pii = d->type == T_NID ? PII_NID : d->type == T_MOBILE ? PII_MOBILE
		         : d->type == T_ACCOUNT ? PII_ACCOUNT : -1;
		switch (d->type) {
		case T_INT: case T_HEX: case T_STR: case T_TEXT: case T_ID: case T_B64: case T_SARR:
			rf.lo = d->lo;
			rf.hi = d->hi;
			break;
		case T_POISHA:
			rf.hi = MAX_POISHA;
			break;
		case T_SPOISHA:
			rf.lo = -MAX_POISHA;
			rf.hi = MAX_POISHA;
			break;
		default:
			break;
		}
		int rc = w->fn(&rf, w->ctx);
		if (rc)
			return rc;
		if (rf.nested) {
			char sub[PATHSZ + 2];
			snprintf(sub, sizeof sub, "%s%s", p, d->type == T_ARR ? "[]" : "");
			if ((rc = walk(w, d->arg, sub, depth + 1, &rf)))
				return rc;
		}
	}
	return 0;
}

int
rec_schema_walk(const char *kind, rec_field_fn fn, void *ctx)
{
	struct kind *kd = find_kind(kind);
	if (!kd)
		return -1;
	struct walk w = { kd->name, fn, ctx };
	return walk(&w, &kd->s, "", 0, NULL);
}

/* The fields that name one record of a kind, where the format has such a key:
 * two records with the same key are the same record, or one of them is wrong. */
static const struct {
	const char *kind;
	const char *const key[3];
} kind_keys[] = {
	{ "application", { "office", "application_no" } },
	{ "order", { "order_no", "revision" } },
	{ "stop", { "order_no" } },
	{ "return", { "return_id" } },
	{ "verification", { "verification_id" } },
	{ "status", { "order_no", "as_of" } },
	{ "payment", { "payment_id" } },
	{ "card_return", { "order_no", "last_month" } },
	{ "complaint", { "office", "seq" } },
};

const char *const *
rec_kind_key(const char *kind)
{
	for (size_t i = 0; i < sizeof kind_keys / sizeof kind_keys[0]; i++)
		if (!strcmp(kind_keys[i].kind, kind))
			return kind_keys[i].key;
	return NULL;
}

static int
dump_field(const struct rec_field *f, void *ctx)
{
	FILE *out = ctx;
	fprintf(out, "%s\t%s%s\t%s\t%s", f->kind, f->path, !strcmp(f->type, "array") ? "[]" : "",
	        f->type, f->required ? "required" : "optional");
	if (!strcmp(f->type, "enum")) {
		char l[400];
		enum_list(f->values, l, sizeof l);
		fprintf(out, "\t%s", l);
	}
	fputc('\n', out);
	return 0;
}

int
rec_schema_dump(FILE *f, const char *kind)
{
	int found = 0;
	for (size_t i = 0; i < NKINDS; i++) {
		if (kind && strcmp(kind, kinds[i].name))
			continue;
		rec_schema_walk(kinds[i].name, dump_field, f);
		found = 1;
	}
	return found ? 0 : -1;
}
