/* Unit tests: text on its way to a terminal (term_unsafe, term_escape) and what the
 * record format lets into string and text fields. Every expectation is written out
 * by hand from the code charts: C0 is U+0000-001F, DEL U+007F, C1 U+0080-009F; the
 * bidirectional controls are ALM U+061C, LRM and RLM U+200E-200F, LRE RLE PDF LRO
 * RLO U+202A-202E, LRI RLI FSI PDI U+2066-2069; the separators U+2028-2029. */
#include <jansson.h>
#include <stdlib.h>

#include "tap.h"
#include "wgo.h"

static void
esc(const char *in, const char *want, const char *what)
{
	struct buf b = { 0 };
	term_escape(&b, in, strlen(in));
	is_str(buf_str(&b), want, "%s", what);
	buf_free(&b);
}

/* A complaint whose field key holds value (a JSON string literal's inside). */
static void
field(const char *key, const char *json_value, const char *want_err, const char *what)
{
	char line[512];
	struct werr e = { { 0 }, { 0 } };
	snprintf(line, sizeof line,
	         "{\"kind\":\"complaint\",\"v\":1,\"seq\":1,\"event\":\"add\",\"id\":\"KHL-C-2026-000001\","
	         "\"office\":\"KHL\",\"at\":\"2026-11-01T04:00:00Z\",\"service\":\"welfare\","
	         "\"category\":\"delay\",\"%s\":\"%s\",\"level\":0,\"prev\":"
	         "\"0000000000000000000000000000000000000000000000000000000000000000\"}",
	         key, json_value);
	json_t *r = rec_parse(line, strlen(line), &e);
	int rc = r ? rec_validate(r, &e) : -2;
	json_decref(r);
	if (!want_err) {
		ok(rc == 0, "%s: accepted%s%s", what, rc ? " -- got: " : "", rc ? e.msg : "");
	} else {
		char got[700];
		snprintf(got, sizeof got, "%s: %s", e.field, e.msg);
		ok(rc == -1 && !strcmp(got, want_err), "%s: refused", what);
		if (rc != -1 || strcmp(got, want_err))
			printf("#   got: %d '%s'\n#   expected: '%s'\n", rc, got, want_err);
	}
}

int
main(void)
{
	/* Which code points are unsafe, over all of Unicode, against the ranges above. */
	long wrong = 0, unsafe = 0;
	for (uint32_t c = 0; c <= 0x10FFFF; c++) {
		int want = c <= 0x1F || (c >= 0x7F && c <= 0x9F) || c == 0x061C || c == 0x200E ||
		           c == 0x200F || (c >= 0x2028 && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
		unsafe += want;
		wrong += !!term_unsafe(c) != want;
	}
	is_int(wrong, 0, "term_unsafe: exactly C0, DEL, C1, U+061C, U+200E-200F, U+2028-202E, U+2066-2069");
	is_int(unsafe, 32 + 33 + 1 + 2 + 7 + 4, "(that is 79 code points)");

	esc("plain text, রহিমা খাতুন", "plain text, রহিমা খাতুন", "plain text and Bengali pass as they are");
	esc("a\xe2\x80\x8d" "b\xe2\x80\x8c" "c", "a\xe2\x80\x8d" "b\xe2\x80\x8c" "c", "ZWJ and ZWNJ (Bengali needs them) pass");
	esc("x \xe2\x80\x94 y\xc2\xa0z", "x \xe2\x80\x94 y\xc2\xa0z", "an em dash and a no-break space pass");
	esc("one\ntwo\tthree\rfour", "one\\ntwo\\tthree\\rfour", "newline, tab, carriage return: \\n \\t \\r");
	esc("\x1b[2J\x1b[31mred", "\\e[2J\\e[31mred", "ESC: \\e, so no escape sequence runs");
	esc("\x01\x07\x08\x7f", "\\x01\\x07\\x08\\x7F", "other C0 and DEL: \\xHH");
	esc("\xc2\x9b" "31m\xc2\x85", "\\u009B31m\\u0085", "C1 (CSI U+009B, NEL U+0085): \\uHHHH");
	esc("abc\xe2\x80\xae" "fdp.exe", "abc\\u202Efdp.exe", "RLO U+202E");
	esc("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", "\\u202A\\u202B\\u202C\\u202D", "LRE RLE PDF LRO");
	esc("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", "\\u2066\\u2067\\u2068\\u2069", "LRI RLI FSI PDI");
	esc("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "\\u200E\\u200F\\u061C", "LRM RLM ALM");
	esc("\xe2\x80\xa8\xe2\x80\xa9", "\\u2028\\u2029", "line and paragraph separators");
	esc("a\\nb", "a\\\\nb", "a backslash is doubled, so \\n typed is not a newline shown");
	esc("\xff\xe2\x80", "\\xFF\\xE2\\x80", "bytes that are not UTF-8: \\xHH each");
	esc("", "", "nothing stays nothing");

	/* A table cell is as wide as what it shows. */
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);
	put_cell(f, "a\nb", 6, 0, 0);
	put_cell(f, "\xe2\x80\xae" "x", 8, 1, 0);
	fclose(f);
	is_str(p, "a\\nb  " " \\u202Ex", "put_cell escapes, then pads to the escaped width (4 + 2, then 1 + 7)");
	free(p);

	/* What the record format accepts (wgo-record(5)): a string is one line with none
	 * of the above; text may hold newlines and tabs, and none of the rest. */
	field("text", "line one\\nline two\\tand a tab", NULL, "text: a newline and a tab");
	field("text", "রহিমা\xe2\x80\x8d", NULL, "text: Bengali with ZWJ");
	field("name", "Rahima\\nKhatun", "name: a newline at byte 7: this field is one line", "name: a newline");
	field("name", "a\\tb", "name: a tab at byte 2: this field is one line", "name: a tab");
	field("text", "x\\u001b[2J", "text: control character U+001B at byte 2: not allowed in text", "text: ESC");
	field("text", "x\\r", "text: control character U+000D at byte 2: not allowed in text", "text: CR");
	field("text", "x\\u007f", "text: control character U+007F at byte 2: not allowed in text", "text: DEL");
	field("text", "ab\\u009b31m", "text: control character U+009B at byte 3: not allowed in text", "text: C1 CSI");
	field("text", "ab\\u202e", "text: bidirectional control U+202E at byte 3: not allowed in text", "text: RLO");
	field("name", "\\u2066x\\u2069", "name: bidirectional control U+2066 at byte 1: not allowed in a string", "name: LRI");
	field("name", "x\\u061c", "name: bidirectional control U+061C at byte 2: not allowed in a string", "name: ALM");
	field("desk", "3\\u2028", "desk: line or paragraph separator U+2028 at byte 2: not allowed in a string", "desk: LS");
	field("text", "\\u00a0\\u2014\\u200d", NULL, "text: no-break space, em dash, ZWJ");
	return done();
}
