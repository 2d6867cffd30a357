/* Unit tests: records written through the schema (rec_new, struct rw). The
 * expected lines are written out by hand from wgo-record(5)'s key order. */
#include <jansson.h>
#include <setjmp.h>
#include <stdlib.h>
#include "tap.h"
#include "wgo.h"

static jmp_buf back;
static void
hook(int status)
{
	longjmp(back, status + 1);
}

int
main(void)
{
	struct rw w = { 0 };
	struct buf out = { 0 };
	wdate d;
	const char *why;
	date_parse("2026-01-05", &d, &why);

	/* Fields set out of order come out in the kind's order, kind and v first. */
	rw_begin(&w, "card_return");
	rw_date(&w, "returned", d);
	rw_str(&w, "office", "KHL");
	rw_month(&w, "last_month", date_month(d) - 1);
	rw_str(&w, "order_no", "KHL-2025-26-000001");
	rw_end(&w, &out);
	is_str(buf_str(&out),
	       "{\"kind\":\"card_return\",\"v\":1,\"order_no\":\"KHL-2025-26-000001\",\"office\":\"KHL\","
	       "\"last_month\":\"2025-12\",\"returned\":\"2026-01-05\"}\n",
	       "card_return in its key order");

	/* A nested object, and strings escaped. */
	out.n = 0;
	struct rw a = { 0 };
	struct buf acct = { 0 };
	rw_begin_obj(&a, "payment", "account");
	rw_str(&a, "number", "0012345");
	rw_str(&a, "routing", "200270522");
	rw_end(&a, &acct);
	is_str(buf_str(&acct), "{\"routing\":\"200270522\",\"number\":\"0012345\"}",
	       "a nested object in its order, no newline");
	rw_begin(&w, "discrepancy");
	rw_str(&w, "detail", "a \"quoted\" \\ line");
	rw_str(&w, "class", "late");
	rw_month(&w, "month", date_month(d));
	rw_end(&w, &out);
	is_str(buf_str(&out),
	       "{\"kind\":\"discrepancy\",\"v\":1,\"class\":\"late\",\"month\":\"2026-01\","
	       "\"detail\":\"a \\\"quoted\\\" \\\\ line\"}\n",
	       "quotes and backslashes escaped; the writer is reset after each line");

	/* What is written validates as its kind. */
	struct werr e;
	json_t *r = rec_parse(out.p, out.n - 1, &e);
	ok(r && rec_validate(r, &e) == 0, "the line validates (%s %s)", e.field, e.msg);
	json_decref(r);

	/* rec_new sets kind and v. */
	json_t *n = rec_new("verification");
	struct buf nb = { 0 };
	json_object_set_new(n, "order_no", json_string("X-1"));
	rec_dump(n, &nb);
	is_str(buf_str(&nb), "{\"kind\":\"verification\",\"v\":1,\"order_no\":\"X-1\"}\n", "rec_new");
	json_decref(n);

	/* A field the kind lacks, or set twice, is a programming error. */
	wgo_exit_hook = hook;
	int st = setjmp(back);
	if (!st) {
		rw_begin(&w, "card_return");
		rw_str(&w, "amount_poisha", "1");
	}
	is_int(st - 1, WGO_EXIT_USAGE, "an unknown field dies");
	st = setjmp(back);
	if (!st) {
		rw_begin(&w, "card_return");
		rw_str(&w, "office", "KHL");
		rw_str(&w, "office", "KHL");
	}
	is_int(st - 1, WGO_EXIT_USAGE, "a field set twice dies");
	st = setjmp(back);
	if (!st)
		rec_new("no-such-kind");
	is_int(st - 1, WGO_EXIT_USAGE, "an unknown kind dies");
	wgo_exit_hook = NULL;

	rw_free(&w);
	rw_free(&a);
	buf_free(&out);
	buf_free(&acct);
	buf_free(&nb);
	return done();
}
