/* rec_parse's fast path (json_parse_plain). What it must do was worked out by hand
 * from RFC 8259 and from what jansson 2.14 does with JSON_REJECT_DUPLICATES and no
 * JSON_ALLOW_NUL: each case below says whether the fast path takes the line and, if
 * it does, the tree as jansson's compact dump writes it (key order as in the line).
 * A case it gives up on must still come out of rec_parse as before: the same tree,
 * or the same message, which is written here by hand too. The last part checks it
 * against jansson itself over generated lines. */
#include <jansson.h>
#include <stdlib.h>

#include "plain-oracle.h"
#include "tap.h"
#include "wgo.h"

/* line: the input; want: the fast path's tree (compact), or NULL for "gives up". */
static void
fast(const char *line, const char *want, const char *what)
{
	json_t *v = json_parse_plain(line, strlen(line));
	char *got = v ? oracle_dump(v) : NULL;
	if (want)
		is_str(got, want, "takes %s", what);
	else
		ok(!v, "gives up on %s%s%s", what, got ? ": took " : "", got ? got : "");
	if (got)
		oracle_free(got);
	json_decref(v);
}

/* rec_parse's answer for a line the fast path gives up on: the tree, or the message. */
static void
slow(const char *line, const char *want_tree, const char *want_msg, const char *what)
{
	struct werr e = { { 0 }, { 0 } };
	json_t *v = rec_parse(line, strlen(line), &e);
	if (want_tree) {
		char *got = v ? oracle_dump(v) : NULL;
		is_str(got, want_tree, "rec_parse still reads %s", what);
		if (got)
			oracle_free(got);
	} else {
		ok(!v, "rec_parse refuses %s", what);
		is_str(e.msg, want_msg, "with jansson's message for %s", what);
	}
	json_decref(v);
}

int
main(void)
{
	/* Plain lines: the tree written back compactly is the line without its blanks. */
	fast("{}", "{}", "an empty object");
	fast(" {\"a\" : 1 ,\t\"b\":[ ],\"c\":{}}\r\n", "{\"a\":1,\"b\":[],\"c\":{}}", "blanks between tokens");
	fast("{\"z\":1,\"a\":2}", "{\"z\":1,\"a\":2}", "keys in the line's order, not sorted");
	fast("{\"t\":true,\"f\":false,\"n\":null}", "{\"t\":true,\"f\":false,\"n\":null}", "the three literals");
	fast("{\"a\":[1,[2,[3]],{\"b\":\"c\"}]}", "{\"a\":[1,[2,[3]],{\"b\":\"c\"}]}", "nesting");
	/* Integers: 18 digits is the most it takes; -0 is jansson's 0. */
	fast("{\"n\":-0}", "{\"n\":0}", "-0");
	fast("{\"n\":0}", "{\"n\":0}", "0");
	fast("{\"n\":999999999999999999}", "{\"n\":999999999999999999}", "18 nines");
	fast("{\"n\":-123456789012345678}", "{\"n\":-123456789012345678}", "18 digits, negative");
	fast("{\"n\":1234567890123456789}", NULL, "19 digits (jansson's strtoll decides)");
	/* A 19th digit is where a long long could overflow: 19 nines, and 2^63. */
	fast("{\"n\":9999999999999999999}", NULL, "19 nines");
	fast("{\"n\":9223372036854775808}", NULL, "2^63");
	fast("{\"n\":-9223372036854775809}", NULL, "-2^63 - 1");
	fast("{\"n\":123456789012345678901234567890}", NULL, "30 digits");
	fast("{\"n\":01}", NULL, "a leading zero");
	fast("{\"n\":-}", NULL, "a minus alone");
	fast("{\"n\":1.5}", NULL, "a fraction");
	fast("{\"n\":1e3}", NULL, "an exponent");
	fast("{\"n\":12a}", NULL, "a number run into a letter");
	fast("{\"n\":+1}", NULL, "a plus sign");
	/* Strings. The Bengali word is U+0995 U+09BE U+099C: E0 A6 95, E0 A6 BE, E0 A6 9C. */
	fast("{\"name\":\"\xE0\xA6\x95\xE0\xA6\xBE\xE0\xA6\x9C\"}", "{\"name\":\"\xE0\xA6\x95\xE0\xA6\xBE\xE0\xA6\x9C\"}",
	     "Bengali text as UTF-8");
	/* Escapes decode to the bytes; the dump escapes again only " \ and controls. */
	fast("{\"s\":\"a\\\"b\\\\c\\/d\\te\\nf\"}", "{\"s\":\"a\\\"b\\\\c/d\\te\\nf\"}", "the short escapes");
	/* \u0995 is the Bengali KA, E0 A6 95; \u00e9 is C3 A9. */
	fast("{\"s\":\"\\u0995\\u00e9\\u0041\"}", "{\"s\":\"\xE0\xA6\x95\xC3\xA9" "A\"}", "\\u escapes");
	/* U+1F600: D83D DE00, F0 9F 98 80. */
	fast("{\"s\":\"\\ud83d\\uDE00\"}", "{\"s\":\"\xF0\x9F\x98\x80\"}", "a surrogate pair");
	fast("{\"k\\u00e9y\":1}", "{\"k\xC3\xA9y\":1}", "an escape in a key");
	fast("{\"\":1}", "{\"\":1}", "an empty key");
	fast("{\"s\":\"\\u0000\"}", NULL, "\\u0000");
	fast("{\"s\":\"\\ud83d\"}", NULL, "a lone high surrogate");
	fast("{\"s\":\"\\ude00\"}", NULL, "a lone low surrogate");
	fast("{\"s\":\"\\ud83d\\u0041\"}", NULL, "a high surrogate before a plain \\u");
	fast("{\"s\":\"\\x41\"}", NULL, "an unknown escape");
	fast("{\"s\":\"\\u12g4\"}", NULL, "a \\u with a non-hex digit");
	fast("{\"s\":\"a\tb\"}", NULL, "a raw tab in a string");
	fast("{\"s\":\"\xC0\xAF\"}", NULL, "an overlong UTF-8 sequence");
	fast("{\"s\":\"\xED\xA0\x80\"}", NULL, "a surrogate in UTF-8");
	fast("{\"s\":\"\xF4\x90\x80\x80\"}", NULL, "a code point above U+10FFFF");
	fast("{\"s\":\"\xE0\xA6\"}", NULL, "a cut UTF-8 sequence");
	fast("{\"s\":\"abc}", NULL, "an unterminated string");
	/* Structure. */
	fast("{\"a\":1,\"a\":2}", NULL, "a duplicate key");
	fast("{\"a\":1,}", NULL, "a trailing comma in an object");
	fast("{\"a\":[1,]}", NULL, "a trailing comma in an array");
	fast("{\"a\" 1}", NULL, "a missing colon");
	fast("{a:1}", NULL, "a bare key");
	fast("{\"a\":tru}", NULL, "a cut literal");
	fast("{\"a\":truex}", NULL, "a literal run into letters");
	fast("{\"a\":1} x", NULL, "bytes after the object");
	fast("{\"a\":1}{}", NULL, "a second object");
	fast("[1]", NULL, "an array at the top");
	fast("\"s\"", NULL, "a string at the top");
	fast("", NULL, "an empty line");
	fast("  ", NULL, "a blank line");
	fast("{\"a\":1", NULL, "an object cut short");
	/* The object and 63 arrays inside it are 64 levels, the fast path's; one more
	 * is jansson's (its own limit is 2048). */
	{
		char deep[200];
		for (int k = 63; k <= 64; k++) {
			size_t n = 0;
			memcpy(deep, "{\"a\":", 5);
			n = 5;
			for (int i = 0; i < k; i++)
				deep[n++] = '[';
			for (int i = 0; i < k; i++)
				deep[n++] = ']';
			deep[n++] = '}';
			json_t *v = json_parse_plain(deep, n);
			ok(k == 63 ? v != NULL : v == NULL, "%s %d levels", k == 63 ? "takes" : "gives up on", k + 1);
			json_decref(v);
			struct werr e = { { 0 }, { 0 } };
			v = rec_parse(deep, n, &e);
			ok(v != NULL, "rec_parse reads %d levels%s", k + 1, k == 64 ? " (through jansson)" : "");
			json_decref(v);
		}
	}

	/* What the fast path gives up on still reads as before, through jansson. */
	slow("{\"n\":1.5}", "{\"n\":1.5}", NULL, "a fraction");
	slow("{\"n\":1234567890123456789}", "{\"n\":1234567890123456789}", NULL, "19 digits");
	slow("{\"n\":9223372036854775807}", "{\"n\":9223372036854775807}", NULL, "2^63 - 1");
	slow("{\"n\":-9223372036854775808}", "{\"n\":-9223372036854775808}", NULL, "-2^63");
	slow("{\"s\":\"\\ud83d\\ude00\"}", "{\"s\":\"\xF0\x9F\x98\x80\"}", NULL, "a surrogate pair, lower case");
	slow("{\"a\":1,\"a\":2}", NULL, "duplicate key at column 8", "a duplicate key");
	/* jansson decodes a string once it has read its closing quote (column 13), so it
	 * places the NUL escape just past it. */
	slow("{\"s\":\"\\u0000\"}", NULL, "\\u0000 in a string at column 14", "\\u0000");
	slow("{\"n\":99999999999999999999}", NULL, "number out of range at column 26", "an integer past 2^63");
	slow("{\"a\":1} x", NULL, "trailing garbage after the JSON value at column 8", "bytes after the object");
	slow("{\"s\":\"\xC0\xAF\"}", NULL, "invalid UTF-8 at column 7", "an overlong sequence");
	slow("{\"a\":1", NULL, "line ends inside the JSON value", "an object cut short");
	slow("[1]", NULL, "not a JSON object (a record is one object a line)", "an array");

	/* Against jansson itself: lines made by mutating plain records byte by byte.
	 * Whatever the fast path takes, jansson must take too, with the same dump;
	 * and every unmutated line must be the fast path's. */
	{
		static const char *base[] = {
			"{\"kind\":\"order\",\"order_no\":\"KHL-2025-000001\",\"amount\":150000,"
			"\"beneficiary\":{\"name\":\"\xE0\xA6\x95\xE0\xA6\xBE\\u099c\",\"nid\":\"0123456789\"},"
			"\"tags\":[true,false,null,-7,\"\\\"q\\\"\"]}",
			"{\"a\":[{},[],\"\\ud83d\\ude00\",0,-0,123456789012345678]}",
		};
		static const char bytes[] = "{}[]\",:\\0123456789-+.eEtfnu \t\x80\xA6\xE0\xC3\xF0";
		unsigned seed = 12345;
		int taken = 0, agreed = 0, tried = 0, plain = 0;
		for (size_t b = 0; b < sizeof base / sizeof *base; b++) {
			size_t bn = strlen(base[b]);
			json_t *v = json_parse_plain(base[b], bn);
			plain += v != NULL;
			json_decref(v);
			for (int i = 0; i < 20000; i++) {
				char line[512];
				memcpy(line, base[b], bn + 1);
				size_t n = bn;
				for (int m = 0; m < 1 + i % 3; m++) {
					seed = seed * 1103515245 + 12345;
					size_t at = (seed >> 8) % n;
					seed = seed * 1103515245 + 12345;
					unsigned op = (seed >> 8) % 3;
					seed = seed * 1103515245 + 12345;
					char c = bytes[(seed >> 8) % (sizeof bytes - 1)];
					if (op == 0) {
						line[at] = c;
					} else if (op == 1 && n + 1 < sizeof line) {
						memmove(line + at + 1, line + at, n - at + 1);
						line[at] = c;
						n++;
					} else if (n > 1) {
						memmove(line + at, line + at + 1, n - at);
						n--;
					}
				}
				tried++;
				char why[600];
				int r = plain_agrees(line, n, why, sizeof why);
				taken += r != 0;
				agreed += r == 1;
				if (r < 0)
					printf("# differs on %.*s\n#   %s\n", (int)n, line, why);
			}
		}
		is_int(plain, 2, "both unmutated lines are the fast path's");
		ok(taken > 1000, "the fast path took %d of %d mutated lines", taken, tried);
		is_int(agreed, taken, "jansson reads each of those %d the same", taken);
	}
	return done();
}
