/* Unit tests: NID, mobile, routing and account numbers, against real routing data. */
#include <stdlib.h>
#include "tap.h"
#include "wgo.h"

typedef int (*chk)(const char *, char *, size_t, const char **);

static void
good(chk f, const char *name, const char *in, const char *want)
{
	char n[64];
	const char *why = "";
	int rc = f(in, n, sizeof n, &why);
	ok(rc == 0 && !strcmp(n, want), "%s '%s' -> %s (%s)", name, in, want, rc ? why : n);
}

static void
bad(chk f, const char *name, const char *in, const char *want)
{
	char n[64];
	const char *why = "";
	int rc = f(in, n, sizeof n, &why);
	ok(rc < 0 && !strcmp(why, want), "%s '%s' refused: %s (got %s)", name, in, want, rc ? why : "ok");
}

int
main(int argc, char **argv)
{
	/* Terminal columns, for tables: Bengali signs that sit on a letter take none. */
	is_int(utf8_width("class"), 5, "ASCII: one column a character");
	is_int(utf8_width("শ্রেণি"), 5, "শ্রেণি: the hasant takes no column, the vowel signs do");
	is_int(utf8_width("কুমিল্লা"), 6, "কুমিল্লা: u-kar and hasant take none");
	is_int(utf8_width("টাকা"), 4, "টাকা: aa-kar takes one");
	is_int(utf8_width("a\xff" "b"), 3, "a bad byte takes one, as the ? it would show as");
	good(nid_check, "nid", "1234567890", "1234567890");
	good(nid_check, "nid", "1234567890123", "1234567890123");
	good(nid_check, "nid", "19851234567890123", "19851234567890123");
	good(nid_check, "nid", "১২৩৪৫৬৭৮৯০", "1234567890");
	good(nid_check, "nid", "123 456 7890", "1234567890");
	bad(nid_check, "nid", "12345", "an NID has 10, 13 or 17 digits, not 5");
	bad(nid_check, "nid", "123456789X", "an NID has digits only");
	bad(nid_check, "nid", "18001234567890123", "a 17-digit NID starts with a birth year");
	good(mobile_check, "mobile", "01712345678", "+8801712345678");
	good(mobile_check, "mobile", "+8801912345678", "+8801912345678");
	good(mobile_check, "mobile", "8801312345678", "+8801312345678");
	good(mobile_check, "mobile", "০১৭১২-৩৪৫৬৭৮", "+8801712345678");
	bad(mobile_check, "mobile", "01212345678", "the operator digit must be 3 to 9");
	bad(mobile_check, "mobile", "0171234567", "a mobile number is 11 digits: 01, the operator's digit and 8 more");
	bad(mobile_check, "mobile", "1712345678", "a mobile number starts with +880, 880 or 0");
	bad(mobile_check, "mobile", "02712345678", "a mobile number starts 01 (or +8801)");
	good(routing_check, "routing", "200270522", "200270522");
	bad(routing_check, "routing", "200270523", "check digit is 3, expected 2");
	bad(routing_check, "routing", "20027052", "a routing number has 9 digits, not 8");
	bad(routing_check, "routing", "20027052A", "a routing number has digits only");
	good(account_check, "account", "0123456789012", "0123456789012");
	bad(account_check, "account", "12345", "an account number has 6 to 20 digits, not 5");
	bad(account_check, "account", "12345X789", "an account number has digits only");

	/* Every one of the 10,026 published routing numbers passes; each with its check
	 * digit changed fails. */
	const char *path = argc > 1 ? argv[1] : getenv("WGO_ROUTING");
	if (!path)
		path = "tests/data/bd-routing/routing-numbers.tsv";
	FILE *f = fopen(path, "r");
	ok(f != NULL, "routing data opens (%s)", path);
	if (f) {
		char line[256];
		int n = 0, pass = 0, caught = 0, sonali = 0;
		while (fgets(line, sizeof line, f)) {
			char *tab = strchr(line, '\t'), norm[16];
			const char *why;
			if (!tab)
				continue;
			*tab = 0;
			n++;
			if (routing_check(line, norm, sizeof norm, &why) == 0)
				pass++;
			if (!strncmp(line, SONALI_BANK_CODE, 3))
				sonali++;
			for (char d = '0'; d <= '9'; d++) {
				if (d == line[8])
					continue;
				char m[10];
				memcpy(m, line, 10);
				m[8] = d;
				if (routing_check(m, norm, sizeof norm, &why) < 0)
					caught++;
			}
		}
		fclose(f);
		is_int(n, 10026, "10,026 routing numbers read");
		is_int(pass, n, "every one passes the check digit");
		is_int(caught, n * 9, "every wrong check digit is caught");
		ok(sonali > 1000, "Sonali Bank (200) has %d branches in the data", sonali);
	}
	/* What a form keeps out of its history (worked out by hand from the rule:
	 * a mobile or NID, or six digits or more, but for "NAME ROUTING"). */
	ok(form_private("01712345678"), "a mobile number is private");
	ok(form_private("০১৭১২৩৪৫৬৭৮"), "in Bengali digits too");
	ok(form_private("19714384063381352"), "an NID is private");
	ok(form_private("6444357787857"), "an account number (13 digits) is private");
	ok(form_private("acct 123456"), "six digits in a line are private");
	ok(!form_private("12345"), "five digits are not");
	ok(!form_private("KHULNA CORPORATE 200471600"), "a branch as completion writes it is not private");
	ok(form_private("KHULNA 2004716001 200471600"), "but not when the line holds more digits");
	ok(!form_private("welfare"), "a word is not private");
	ok(!form_private("মাসিক কল্যাণ অনুদান"), "nor a Bengali label");
	return done();
}
