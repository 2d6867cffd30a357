/* Unit tests: the strict record reader, the writer's key order, and RFC 8785. */
#include <jansson.h>
#include <stdlib.h>
#include "tap.h"
#include "wgo.h"

static void
refused(const char *line, size_t len, const char *field, const char *msg, const char *what)
{
	struct werr e = { { 0 }, { 0 } };
	json_t *v = rec_parse(line, len, &e);
	ok(!v && !strcmp(e.field, field) && strstr(e.msg, msg), "%s: [%s] %s (got [%s] %s)",
	   what, field, msg, e.field, e.msg);
	json_decref(v);
}

static void
jcs(const char *in, const char *want, const char *what)
{
	json_error_t err;
	json_t *v = json_loads(in, JSON_DECODE_ANY, &err);
	struct buf b = { 0 };
	ok(v && jcs_dump(v, &b) == 0, "%s: canonical form made", what);
	is_str(buf_str(&b), want, "%s", what);
	buf_free(&b);
	json_decref(v);
}

static int seen;
static int
count(struct rloop *L, json_t *rec, const struct rpos *pos, struct werr *e)
{
	seen++;
	return 0;
}

/* prepare runs in a parser thread; what it made must reach the callback of the
 * same record, in the caller's thread. */
static int prepared_right, prepared_wrong;
static void *
prep_order_no(json_t *rec, void *ctx)
{
	(void)ctx;
	return xstrdup(jstr(rec, "order_no"));
}

static int
check_prepared(struct rloop *L, json_t *rec, const struct rpos *pos, struct werr *e)
{
	(void)pos;
	(void)e;
	if (L->prepared && !strcmp(L->prepared, jstr(rec, "order_no")))
		prepared_right++;
	else
		prepared_wrong++;
	return 0;
}

int
main(void)
{
	struct werr e;
	/* Each malformed class has its own message. */
	refused("{\"a\":1,\"a\":2}", 13, "a", "duplicate key", "duplicate keys");
	refused("{\"a\":\"\xff\"}", 8, "", "invalid UTF-8 at column 7", "invalid UTF-8");
	refused("{\"a\":\"\xc0\xaf\"}", 9, "", "invalid UTF-8 at column 7", "overlong UTF-8");
	refused("{\"a\":\"\xed\xa0\x80\"}", 10, "", "invalid UTF-8", "UTF-8 surrogate");
	refused("{\"a\":1}\0", 8, "", "NUL byte at column 8", "a NUL byte");
	refused("[1,2]", 5, "", "not a JSON object", "an array is not a record");
	refused("\"x\"", 3, "", "not a JSON object", "a string is not a record");
	refused("{\"a\":1} x", 9, "", "trailing garbage after the JSON value at column 8", "trailing garbage");
	refused("{\"a\":1}{}", 9, "", "trailing garbage", "two objects on a line");
	refused("{\"a\":1", 6, "", "line ends inside the JSON value", "an unclosed object");
	refused("{\"a\":\"\\u0000\"}", 14, "", "\\u0000 in a string", "an escaped NUL");
	refused("{\"a\":123456789012345678901234567890}", 36, "", "number out of range", "a huge integer");
	refused("{\"a\":tru}", 9, "", "invalid JSON at column", "a bad literal");
	refused("{a:1}", 5, "", "invalid JSON", "an unquoted key");
	json_t *v = rec_parse("{\"a\":1}  \r", 10, &e);
	ok(v != NULL, "trailing blanks and CR are allowed");
	json_decref(v);

	/* The loop: blank lines skipped, missing final newline accepted, long line refused. */
	const char *p = "/tmp/wgo-t-rec.jsonl";
	FILE *f = fopen(p, "w");
	fputs("{\"kind\":\"card_return\",\"v\":1,\"order_no\":\"A\",\"office\":\"KHL\",\"last_month\":\"2025-01\",\"returned\":\"2025-02-10\"}\n", f);
	fputs("\n   \n", f);
	fputc('{', f);
	for (int i = 0; i < 200; i++)
		fputc(' ', f);
	fputs("}\n", f);
	fputs("{\"kind\":\"card_return\",\"v\":1,\"order_no\":\"B\",\"office\":\"KHL\",\"last_month\":\"2025-01\",\"returned\":\"2025-02-10\"}", f);
	fclose(f);
	struct rloop L = { 0 };
	L.cb = count;
	L.validate = 1;
	L.quiet = 1;
	L.maxline = 120;
	char *args[] = { (char *)p };
	int rc = rec_loop(&L, 1, args);
	is_int(seen, 2, "two good records, the last without a newline");
	is_int(L.nrejected, 1, "the over-long line is refused");
	is_int(L.nread, 3, "blank lines are not records");
	is_int(rc, 1, "exit status 1 when a record was refused");
	remove(p);

	/* 20,000 records (many batches, parsed on several threads where there are
	 * cores), every 1,000th of them invalid: each valid one's callback sees what
	 * prepare made of that record and no other; the invalid ones are not prepared. */
	f = fopen(p, "w");
	for (int i = 0; i < 20000; i++)
		fprintf(f, "{\"kind\":\"card_return\",\"v\":1,\"order_no\":\"O%d\",\"office\":\"KHL\","
		           "\"last_month\":\"2025-01\",\"returned\":\"%s\"}\n",
		        i, i % 1000 == 999 ? "2025-02-30" : "2025-02-10");
	fclose(f);
	struct rloop P = { 0 };
	P.cb = check_prepared;
	P.prepare = prep_order_no;
	P.validate = 1;
	P.transient = 1;
	P.quiet = 1;
	rc = rec_loop(&P, 1, args);
	is_int(prepared_right, 19980, "prepare: 19,980 valid records, each with its own");
	is_int(prepared_wrong, 0, "prepare: none with another's or none");
	is_int(P.nrejected, 20, "prepare: the 20 invalid ones are refused");
	ok(P.prepared == NULL, "prepare: nothing left in prepared after the loop");
	remove(p);

	/* The writer puts each kind's fields in its fixed order, nested ones too. */
	v = json_loads("{\"branch\":\"010010048\",\"date\":\"2025-12-10\",\"order_no\":\"X\","
	               "\"verification_id\":\"V1\",\"v\":1,\"kind\":\"verification\"}", 0, NULL);
	struct buf b = { 0 };
	rec_dump(v, &b);
	is_str(buf_str(&b), "{\"kind\":\"verification\",\"v\":1,\"verification_id\":\"V1\",\"order_no\":\"X\",\"date\":\"2025-12-10\",\"branch\":\"010010048\"}\n",
	       "verification fields in their order");
	json_decref(v);
	b.n = 0;
	v = json_loads("{\"account\":{\"number\":\"1234567\",\"routing\":\"010010048\"},\"kind\":\"payment\","
	               "\"note\":\"\\u0001\\\"\\u20ac\"}", 0, NULL);
	rec_dump(v, &b);
	is_str(buf_str(&b), "{\"kind\":\"payment\",\"account\":{\"routing\":\"010010048\",\"number\":\"1234567\"},\"note\":\"\\u0001\\\"€\"}\n",
	       "nested order, unknown keys after, escapes minimal");
	json_decref(v);
	buf_free(&b);

	/* Validation normalises Bengali digits and mobile numbers. */
	v = json_loads("{\"kind\":\"verification\",\"v\":1,\"verification_id\":\"V1\",\"order_no\":\"X\","
	               "\"date\":\"২০২৫-১২-১০\",\"branch\":\"০১০০১০০৪৮\"}", 0, NULL);
	ok(rec_validate(v, &e) == 0, "a verification with Bengali digits is valid");
	is_str(jstr(v, "date"), "2025-12-10", "its date is written in ASCII");
	is_str(jstr(v, "branch"), "010010048", "its branch too");
	json_decref(v);
	v = json_loads("{\"kind\":\"verification\",\"v\":1,\"verification_id\":\"V1\",\"order_no\":\"X\","
	               "\"date\":\"2025-12-10\"}", 0, NULL);
	ok(rec_validate(v, &e) < 0 && !strcmp(e.field, "branch") && !strcmp(e.msg, "missing"),
	   "a missing field is named (%s: %s)", e.field, e.msg);
	json_decref(v);

	/* RFC 8785 examples. */
	jcs("{\"numbers\":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"
	    "\"string\":\"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\","
	    "\"literals\":[null,true,false]}",
	    "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
	    "\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}",
	    "RFC 8785 section 3.2.2 example");
	jcs("{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\","
	    "\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\","
	    "\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}",
	    "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\","
	    "\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}",
	    "RFC 8785 sorting by UTF-16 code units");
	jcs("[1e21,1e20,0.000001,1e-7,-0.0,5e-324,1.7976931348623157e308,123.456,-1.5]",
	    "[1e+21,100000000000000000000,0.000001,1e-7,0,5e-324,1.7976931348623157e+308,123.456,-1.5]",
	    "ECMAScript number forms");
	jcs("{\"b\":{\"z\":1,\"a\":[{\"y\":2,\"x\":1}]},\"a\":\"x\"}", "{\"a\":\"x\",\"b\":{\"a\":[{\"x\":1,\"y\":2}],\"z\":1}}",
	    "nested objects sorted");
	v = json_loads("[9007199254740993]", 0, NULL);
	b.n = 0;
	ok(jcs_dump(v, &b) < 0, "integers beyond 2^53 are refused in the canonical form");
	json_decref(v);
	buf_free(&b);
	return done();
}
