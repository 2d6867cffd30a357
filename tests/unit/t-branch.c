/* Branch files: the form wgo-apply(1) documents, each routing number checked. */
#include <stdlib.h>

#include "tap.h"
#include "wgo.h"

static const char *path = "/tmp/wgo-t-branch.tsv";

static int
load(const char *text, struct branches *b, struct werr *e)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return branches_load(b, path, e);
}

int
main(void)
{
	struct branches b;
	struct werr e;
	/* The check digits worked out by hand: 20047244 -> 5*2+3*0+9*0+5*4+3*7+9*2+5*4+3*4
	 * = 10+0+0+20+21+18+20+12 = 101 -> 1; 20047160 -> 10+0+0+20+21+9+30+0 = 90 -> 0. */
	ok(load("# Sonali Bank\n200472441\tSHAHPUR\tশাহপুর\n\n200471600\tKHULNA CORPORATE\n", &b, &e) == 0,
	   "a file with a comment, a blank line and an optional Bengali name loads");
	is_int(b.n, 2, "two branches");
	const struct branch *x = branch_find(&b, "200472441");
	ok(x && !strcmp(x->name, "SHAHPUR") && x->name_bn && !strcmp(x->name_bn, "শাহপুর"),
	   "found by routing number, both names");
	x = branch_find(&b, "200471600");
	ok(x && !x->name_bn, "no Bengali name where the file gives none");
	ok(!branch_find(&b, "200472442"), "a routing number not listed is not found");
	branches_free(&b);
	ok(load("200472441\tA\n200472442\tB\n", &b, &e) < 0 && strstr(e.field, ":2") &&
	   strstr(e.msg, "check digit"), "a bad check digit is an error at its line (%s: %s)", e.field, e.msg);
	ok(load("200472441 SHAHPUR\n", &b, &e) < 0 && strstr(e.msg, "ROUTING<TAB>NAME"),
	   "a line without a tab says the form");
	ok(load("200472441\tA\n200472441\tB\n", &b, &e) < 0 && strstr(e.msg, "listed twice"),
	   "a routing number listed twice is an error");
	ok(load("200472441\tA\x1b[2J\n", &b, &e) < 0 && strstr(e.msg, "one line of UTF-8"),
	   "a name with an escape sequence is refused");
	ok(branches_load(&b, "/nonexistent/branches", &e) < 0 && strstr(e.msg, "cannot open"),
	   "a missing file is an error");
	remove(path);
	return done();
}
