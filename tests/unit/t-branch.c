/* The branch file (branch.c): names by routing number, and each bad line refused
 * with its line number. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "wgo.h"

static char dir[] = "/tmp/t-branch.XXXXXX";

static const char *
file(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

/* Loading text fails at line ln with a message holding want. */
static void
refused(const char *text, unsigned long ln, const char *want, const char *what)
{
	struct branches b;
	struct werr e;
	const char *p = file("bad", text);
	int rc = branches_load(&b, p, &e);
	char where[300];
	snprintf(where, sizeof where, "%s:%lu", p, ln);
	ok(rc < 0 && !strcmp(e.field, where) && strstr(e.msg, want), "%s: refused at line %lu", what,
	   ln);
	if (rc == 0)
		branches_free(&b);
	else if (strcmp(e.field, where) || !strstr(e.msg, want))
		printf("#   got %s: %s\n", e.field, e.msg);
}

int
main(void)
{
	struct branches b;
	struct werr e;
	if (!mkdtemp(dir))
		return 2;
	/* 200471600 and 200472441 are Sonali's Khulna Corporate and Shahpur branches in
	 * the public list; 200270522's check digit is 2 (wgo-check(1)'s example). */
	const char *p = file("ok", "# Khulna's branches\n"
	                           "\n"
	                           "200471600\tKHULNA CORPORATE\tখুলনা কর্পোরেট\n"
	                           "200472441\tSHAHPUR\n"
	                           "  200270522 \t B.U.E.T. \r\n");
	ok(branches_load(&b, p, &e) == 0, "a good file loads");
	is_int(b.n, 3, "three branches");
	is_str(branch_name(&b, "200471600", 1), "খুলনা কর্পোরেট", "the Bengali name when asked");
	is_str(branch_name(&b, "200471600", 0), "KHULNA CORPORATE", "the English name");
	is_str(branch_name(&b, "200472441", 1), "SHAHPUR", "the English name where no Bengali is given");
	is_str(branch_name(&b, "200270522", 0), "B.U.E.T.", "blanks around fields and a CR are trimmed");
	ok(branch_name(&b, "200270523", 0) == NULL, "an unknown routing number has no name");
	ok(branch_name(&b, NULL, 0) == NULL, "nor does none");
	ok(branch_find(&b, "200472441") && !branch_find(&b, "200472441")->bn, "no Bengali name is NULL");
	branches_free(&b);

	refused("200471600\tA\n200270523\tB\n", 2, "check digit is 3, expected 2", "a bad check digit");
	refused("20047160\tA\n", 1, "9 digits", "a short routing number");
	refused("200471600 KHULNA\n", 1, "expected ROUTING<TAB>NAME", "no tab");
	refused("200471600\tA\tB\tC\n", 1, "more than three fields", "four fields");
	refused("200471600\tA\n\n200471600\tB\n", 3, "given twice", "a routing number twice");
	refused("200471600\t\n", 1, "empty", "an empty name");
	refused("200471600\tA\x1b[2J\n", 1, "control character", "an escape in a name");
	refused("200471600\tA\xff\n", 1, "not UTF-8", "a name not UTF-8");
	refused("200471600\tA\t\xe2\x80\xae\n", 1, "control character",
	        "a bidirectional control in the Bengali name");
	char longname[300] = "200471600\t";
	size_t k = strlen(longname);
	while (k < 10 + 201)
		longname[k++] = 'A';
	snprintf(longname + k, sizeof longname - k, "\n");
	refused(longname, 1, "longer than 200 bytes", "a name of 201 bytes");
	ok(branches_load(&b, "/nonexistent/branches", &e) < 0 && strstr(e.msg, "cannot open"),
	   "a missing file is an error");

	/* The shipped file: the routing numbers of bank code 200 in the public list but
	 * the one that is not a branch, the cheque truncation point 200270001, where no one
	 * can be sent (awk -F'\t' '$1 ~ /^200/ && $3 != "TRUNCATION POINT"'
	 * tests/data/bd-routing/routing-numbers.tsv | wc -l: 1,208). */
	ok(branches_load(&b, "src/etc/branches-sonali.tsv", &e) == 0, "src/etc/branches-sonali.tsv loads");
	is_int(b.n, 1208, "with Sonali Bank's 1,208 branches");
	ok(!branch_find(&b, "200270001"), "and not the truncation point, which is not a branch");
	is_str(branch_name(&b, "200471600", 1), "খুলনা কর্পোরেট", "Khulna Corporate in Bengali");
	branches_free(&b);

	unlink(file("ok", ""));
	unlink(file("bad", ""));
	rmdir(dir);
	return done();
}
