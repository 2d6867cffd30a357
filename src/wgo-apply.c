/* wgo-apply: the service corner's application form. On a terminal it asks for each
 * field in Bengali or English, checks each answer as it is typed by the rules
 * wgo-issue applies (the schema, the identifiers' checks, order_terms), explains
 * what is wrong in the applicant's language, shows the whole application with what
 * it would bring, and writes one application record; given files, it checks
 * applications in bulk and says, for each, what must be corrected. */
#include <getopt.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>
#include <readline/readline.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: wgo-apply [OPTIONS]\n"
	"       wgo-apply [OPTIONS] FILE...\n"
	"On a terminal, with no FILE: the application form. It asks for each field (Tab\n"
	"completes grants, offices, relations, designations and branch names), checks each\n"
	"answer by the rules wgo-issue applies, shows the application with what it would\n"
	"bring, and writes one application record. With FILE (or a pipe): check each\n"
	"application record and say what must be corrected in it.\n"
	"\n"
	"Options:\n"
	"  -l, --lang LANG            bn (default) or en\n"
	"  -o, --output FILE          the form: add the record to FILE (default: standard output)\n"
	"      --records              check: write application_check records instead of text\n"
	"  -d, --date DATE            work the amounts out as if issued on DATE, and take it as\n"
	"                             the day received (default: today)\n"
	"      --office OFFICE        the office (default: office in wgo.conf)\n"
	"      --branches FILE        branch names by routing number (default\n"
	"                             $WGO_HOME/branches)\n"
	"      --designations FILE    designations to complete (default\n"
	"                             $WGO_HOME/designations.txt)\n"
	"  -q, --quiet                check: tell only the applications to correct\n"
	WGO_PROGRESS_USAGE
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"      --now INSTANT          take this as the current time\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 saved, or every application correct; 1 nothing saved, or some\n"
	"application to correct; 2 usage or operational error.\n";

static const char *o_output, *o_date, *o_office, *o_branches, *o_designations;
static int o_bn = 1, o_records, o_quiet;

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'l':
		if ((o_bn = lang_parse(arg)) < 0)
			die_usage("--lang: bn or en, not '%s'", arg);
		break;
	case 'o': o_output = arg; break;
	case 1: o_records = 1; break;
	case 'd': o_date = arg; break;
	case 2: o_office = arg; break;
	case 3: o_branches = arg; break;
	case 4: o_designations = arg; break;
	case 'q': o_quiet = 1; break;
	case 5: wgo_set_home(arg); break;
	case 6: wgo_opt_now(arg); break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

static const char *
tr(const char *en, const char *bn)
{
	return o_bn ? bn : en;
}

static wdate day;          /* the day the amounts are worked out for */
static struct rules rules;
static struct branches branches;

/* ---- the fields, their names in both languages ---- */

enum { K_TEXT, K_DATE, K_INT, K_CHOICE, K_ROUTING, K_OFFICE, K_DESIG };
struct field {
	const char *path, *en, *bn;
	int kind, private;
};
/* In the order asked: who may have which grant first (the event, its date, the
 * relation), so that an applicant who is not eligible is told before the rest. */
static const struct field fields[] = {
	{ "office", "Office", "কার্যালয়", K_OFFICE, 0 },
	{ "application_no", "Application number", "আবেদন নম্বর", K_TEXT, 0 },
	{ "grant", "Grant", "অনুদান", K_CHOICE, 0 },
	{ "funeral_for", "Funeral grant for", "দাফন অনুদান কার জন্য", K_CHOICE, 0 },
	{ "employee.event", "What happened", "কী ঘটেছে", K_CHOICE, 0 },
	{ "employee.event_date", "Date of the event", "ঘটনার তারিখ", K_DATE, 1 },
	{ "employee.retirement_date", "Date of retirement", "অবসরের তারিখ", K_DATE, 1 },
	{ "employee.birth_date", "Employee's date of birth", "কর্মচারীর জন্মতারিখ", K_DATE, 1 },
	{ "received", "Received on", "আবেদন গ্রহণের তারিখ", K_DATE, 0 },
	{ "beneficiary.relation", "The applicant is the employee's", "কর্মচারীর সাথে আবেদনকারীর সম্পর্ক", K_CHOICE, 0 },
	{ "employee.name", "Employee's name", "কর্মচারীর নাম", K_TEXT, 1 },
	{ "employee.designation", "Employee's designation", "কর্মচারীর পদবি", K_DESIG, 0 },
	{ "employee.grade", "Employee's grade", "কর্মচারীর গ্রেড", K_INT, 0 },
	{ "employee.id", "Employee's ID", "কর্মচারীর আইডি", K_TEXT, 1 },
	{ "beneficiary.name_bn", "Applicant's name in Bengali", "আবেদনকারীর নাম (বাংলায়)", K_TEXT, 1 },
	{ "beneficiary.name_en", "Applicant's name in English", "আবেদনকারীর নাম (ইংরেজিতে)", K_TEXT, 1 },
	{ "beneficiary.nid", "Applicant's NID", "আবেদনকারীর এনআইডি নম্বর", K_TEXT, 1 },
	{ "beneficiary.mobile", "Applicant's mobile number", "আবেদনকারীর মোবাইল নম্বর", K_TEXT, 1 },
	{ "beneficiary.birth_date", "Applicant's date of birth", "আবেদনকারীর জন্মতারিখ", K_DATE, 1 },
	{ "account.routing", "Bank branch (name or routing number)", "ব্যাংক শাখা (নাম বা রাউটিং নম্বর)", K_ROUTING, 0 },
	{ "account.number", "Account number", "হিসাব নম্বর", K_TEXT, 1 },
	{ "account.name", "Account name", "হিসাবের নাম", K_TEXT, 1 },
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static const struct field sanction_fields[] = {
	{ "sanction", "Approval", "অনুমোদন", K_TEXT, 0 },
	{ "sanction.officer", "Approved by", "অনুমোদনকারী", K_TEXT, 0 },
	{ "sanction.date", "Approved on", "অনুমোদনের তারিখ", K_DATE, 0 },
	{ "sanction.amount_poisha", "Sanctioned amount", "অনুমোদিত অঙ্ক", K_INT, 0 },
	{ "sanction.last_month", "Sanctioned last month", "অনুমোদিত শেষ মাস", K_TEXT, 0 },
	{ "sanction.note", "Note of the approval", "অনুমোদনের মন্তব্য", K_TEXT, 0 },
	{ "employee", "Employee", "কর্মচারী", K_TEXT, 0 },
	{ "beneficiary", "Applicant", "আবেদনকারী", K_TEXT, 0 },
	{ "account", "Bank account", "ব্যাংক হিসাব", K_TEXT, 0 },
	{ "kind", "Kind of record", "রেকর্ডের ধরন", K_TEXT, 0 },
};

static const struct field *
field_of(const char *path)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (!strcmp(fields[i].path, path))
			return &fields[i];
	for (size_t i = 0; i < sizeof sanction_fields / sizeof sanction_fields[0]; i++)
		if (!strcmp(sanction_fields[i].path, path))
			return &sanction_fields[i];
	return NULL;
}

static const char *
label(const char *path, int bn)
{
	const struct field *f = field_of(path);
	if (!*path)
		return bn ? "লাইন" : "The line";
	return f ? (bn ? f->bn : f->en) : path;
}

/* The values of a choice, and what they are called. */
struct choice {
	const char *path, *id, *en, *bn;
};
static const struct choice choices[] = {
	{ "grant", "welfare", "monthly welfare grant", "মাসিক কল্যাণ অনুদান" },
	{ "grant", "group_insurance", "group insurance", "যৌথবীমা" },
	{ "grant", "funeral", "funeral grant", "দাফন/অন্ত্যেষ্টিক্রিয়া অনুদান" },
	{ "funeral_for", "employee", "the employee", "কর্মচারী" },
	{ "funeral_for", "family", "a family member", "পরিবারের সদস্য" },
	{ "employee.event", "death_in_service", "died in service", "চাকরিরত অবস্থায় মৃত্যু" },
	{ "employee.event", "death_after_retirement", "died after retirement", "অবসরের পর মৃত্যু" },
	{ "employee.event", "retired_invalid", "retired for illness or disability", "অসুস্থতা/অক্ষমতায় অবসর" },
	{ "beneficiary.relation", "self", "self", "নিজে" },
	{ "beneficiary.relation", "wife", "wife", "স্ত্রী" },
	{ "beneficiary.relation", "husband", "husband", "স্বামী" },
	{ "beneficiary.relation", "son", "son", "পুত্র" },
	{ "beneficiary.relation", "daughter", "daughter", "কন্যা" },
	{ "beneficiary.relation", "father", "father", "পিতা" },
	{ "beneficiary.relation", "mother", "mother", "মাতা" },
	{ "beneficiary.relation", "other", "other", "অন্যান্য" },
};
#define NCHOICES (sizeof choices / sizeof choices[0])

static const char *
choice_name(const char *path, const char *id, int bn)
{
	for (size_t i = 0; i < NCHOICES; i++)
		if (!strcmp(choices[i].path, path) && !strcmp(choices[i].id, id))
			return bn ? choices[i].bn : choices[i].en;
	return id;
}

/* ---- what is wrong, in the applicant's language ----
 * The library says it in English; each message it gives for an application has its
 * Bengali here: a pattern (each * takes a word or more), and the Bengali with $1,
 * $2 ... for what the stars took (dates and numbers said in Bengali). */
static const char *const said[][2] = {
	{ "missing (name_bn or name_en is needed)", "আবেদনকারীর নাম বাংলায় বা ইংরেজিতে অন্তত একভাবে দিন" },
	{ "missing (a funeral grant names employee or family)", "দাফন অনুদান কার জন্য, কর্মচারী না পরিবারের সদস্য, তা দিন" },
	{ "missing (needed for a death after retirement)", "অবসরের পর মৃত্যুর ক্ষেত্রে অবসরের তারিখ লাগবে" },
	{ "missing (needed for a retirement on illness)", "অসুস্থতা বা অক্ষমতায় অবসরের ক্ষেত্রে কর্মচারীর জন্মতারিখ লাগবে" },
	{ "missing", "দেওয়া হয়নি; এটি লাগবে" },
	{ "an answer is needed", "উত্তর দিন; এটি লাগবে" },
	{ "only a funeral grant has this field", "এটি কেবল দাফন অনুদানের আবেদনে থাকে; বাদ দিন" },
	{ "empty", "ফাঁকা; কিছু লিখুন" },
	{ "too long", "অনেক লম্বা" },
	{ "longer than * bytes", "অনেক লম্বা (সর্বোচ্চ $1 বাইট)" },
	{ "longer than * characters", "অনেক লম্বা (সর্বোচ্চ $1 অক্ষর)" },
	{ "an NID has digits only", "এনআইডি নম্বরে কেবল অঙ্ক থাকে; জাতীয় পরিচয়পত্র দেখে লিখুন" },
	{ "an NID has 10, 13 or 17 digits, not *", "এনআইডি নম্বর ১০, ১৩ বা ১৭ অঙ্কের হয়, এখানে $1টি অঙ্ক; জাতীয় পরিচয়পত্র দেখে আবার লিখুন" },
	{ "a 17-digit NID starts with a birth year", "১৭ অঙ্কের এনআইডি নম্বর জন্মসাল দিয়ে শুরু হয় (যেমন ১৯৭১...)" },
	{ "a mobile number starts with +880, 880 or 0", "মোবাইল নম্বর ০ বা +৮৮০ দিয়ে শুরু হয়" },
	{ "a mobile number is 11 digits: 01, the operator's digit and 8 more", "মোবাইল নম্বর ০১ দিয়ে শুরু হয়ে মোট ১১ অঙ্কের হয় (যেমন ০১৭১১২২৩৩৪৪)" },
	{ "a mobile number starts 01 (or +8801)", "মোবাইল নম্বর ০১ দিয়ে শুরু হয়" },
	{ "the operator digit must be 3 to 9", "০১-এর পরের অঙ্কটি (অপারেটরের) ৩ থেকে ৯ হয়" },
	{ "a routing number has digits only", "রাউটিং নম্বরে কেবল অঙ্ক থাকে; বা শাখার নাম লিখে ট্যাব চাপুন" },
	{ "a routing number has 9 digits, not *", "রাউটিং নম্বর ৯ অঙ্কের, এখানে $1টি; চেক বই দেখুন, বা শাখার নাম লিখে ট্যাব চাপুন" },
	{ "check digit is *, expected *", "রাউটিং নম্বরের শেষ অঙ্ক $2 হওয়ার কথা, $1 নয়: কোনো অঙ্ক ভুল লেখা হয়েছে" },
	{ "an account number has digits only", "হিসাব নম্বরে কেবল অঙ্ক থাকে" },
	{ "an account number has * to * digits, not *", "হিসাব নম্বর $1 থেকে $2 অঙ্কের হয়, এখানে $3টি; পাস বই দেখে লিখুন" },
	{ "not a date of the form YYYY-MM-DD", "তারিখ লিখুন বছর-মাস-দিন আকারে, যেমন ২০২৫-১২-১০" },
	{ "year outside 1900 to 2199", "সাল ১৯০০ থেকে ২১৯৯-এর মধ্যে হয়" },
	{ "no such day in the calendar", "এমন তারিখ ক্যালেন্ডারে নেই" },
	{ "unknown value \"*\" (one of: *)", "\"$1\" চলবে না; এগুলোর একটি: $2" },
	{ "unknown office \"*\" (one of: *)", "\"$1\" নামে কোনো কার্যালয় নেই; এগুলোর একটি: $2" },
	{ "* is outside * to *", "$2 থেকে $3-এর মধ্যে একটি সংখ্যা লিখুন" },
	{ "expected an integer", "একটি সংখ্যা লিখুন" },
	{ "expected a string (write numbers in quotes)", "নম্বরটি উদ্ধৃতিচিহ্নের মধ্যে লিখুন" },
	{ "expected a string", "লেখা দিন" },
	{ "expected a date string", "তারিখ লিখুন বছর-মাস-দিন আকারে" },
	{ "expected an object", "এর ভেতরের ঘরগুলো দিন" },
	{ "unknown field", "আবেদনে এমন কোনো ঘর নেই; বাদ দিন" },
	{ "null is not a value here", "ফাঁকা রাখা যাবে না" },
	{ "only letters, digits and . _ / - are allowed", "কেবল অক্ষর, অঙ্ক এবং . _ / - চলবে" },
	{ "* at byte *: this field is one line", "এক লাইনে লিখুন" },
	{ "* at byte *: not allowed in *", "এই চিহ্ন এখানে চলবে না" },
	{ "in the future (after the issue date *)", "ভবিষ্যতের তারিখ হতে পারে না (আজ $1)" },
	{ "after the sanction (*): an application is received before it is approved", "আবেদন অনুমোদনের ($1) আগে গ্রহণ করা হয়" },
	{ "after the sanction (*)", "অনুমোদনের তারিখের ($1) পরে হতে পারে না" },
	{ "before the event it is for (*)", "যে ঘটনার জন্য আবেদন, তার তারিখের ($1) আগে আবেদন গ্রহণ হতে পারে না" },
	{ "not before the event", "জন্মতারিখ ঘটনার তারিখের আগে হয়" },
	{ "not after the birth date", "অবসরের তারিখ জন্মতারিখের পরে হয়" },
	{ "after the death", "অবসরের তারিখ মৃত্যুর তারিখের পরে হতে পারে না" },
	{ "not eligible: the term ended in *, before its first month", "অনুদান পাওয়ার যোগ্য নয়: অনুদানের মেয়াদ শুরুর আগেই, $1-এ, শেষ" },
	{ "the term is already over (it ended in *)", "অনুদানের মেয়াদ $1-এ শেষ হয়ে গেছে; এখন আর পাওয়া যাবে না" },
	{ "not eligible: after a retirement on illness or disability the grant is the employee's own (self), not a *'s",
	  "যোগ্য নয়: অসুস্থতা বা অক্ষমতায় অবসরের অনুদান কর্মচারীর নিজের; সম্পর্ক হবে 'নিজে'" },
	{ "not eligible: the employee died; the grant goes to a member of the family, not to self",
	  "যোগ্য নয়: কর্মচারী মৃত, অনুদান পাবেন পরিবারের কোনো সদস্য; সম্পর্ক 'নিজে' হতে পারে না" },
	{ "no * in force on *", "$2 তারিখে প্রযোজ্য কোনো হার কার্যালয়ের কনফিগারেশনে নেই; কার্যালয়কে জানান" },
	{ "no * in force for *", "$2-এর জন্য প্রযোজ্য কোনো হার কার্যালয়ের কনফিগারেশনে নেই; কার্যালয়কে জানান" },
	{ "no * in the configuration (see wgo.conf.example)", "কার্যালয়ের কনফিগারেশনে $1 নেই; কার্যালয়কে জানান" },
	{ "the term would run past *, the last month a record holds", "মেয়াদ $1 পেরিয়ে যায়; তারিখগুলো দেখুন" },
	{ "no branch called *", "\"$1\" নামে কোনো শাখা তালিকায় নেই; নামের শুরু লিখে ট্যাব চাপুন, বা রাউটিং নম্বর লিখুন" },
	{ "several branches are called *", "\"$1\" নামে কয়েকটি শাখা আছে; ট্যাব চাপুন এবং রাউটিং নম্বরসহ বেছে নিন" },
	{ "not one of: *", "এগুলোর একটি লিখুন: $1" },
	{ "a grade is a number from 1 to 20", "গ্রেড ১ থেকে ২০-এর মধ্যে একটি সংখ্যা" },
	{ "invalid JSON*", "এটি কোনো রেকর্ড নয়, JSON হিসেবে পড়া যায় না" },
	{ "not an application", "এটি আবেদনের রেকর্ড নয়" },
	{ "unknown kind *", "এটি আবেদনের রেকর্ড নয়" },
};

/* What a star took, said in Bengali: a date or a month in words, digits in
 * Bengali digits, anything else as it is. */
static void
say_bn(const char *s, size_t n, struct buf *out)
{
	char t[64];
	wdate d;
	wmonth m;
	const char *why;
	snprintf(t, sizeof t, "%.*s", (int)(n < sizeof t - 1 ? n : sizeof t - 1), s);
	if (n == 10 && date_parse(t, &d, &why) == 0)
		date_long(d, 1, out);
	else if (n == 7 && month_parse(t, &m, &why) == 0)
		month_long(m, 1, out);
	else if (strspn(t, "0123456789") == n)
		ascii_digits_to_bn(t, out);
	else
		buf_add(out, s, n);
}

/* Whether msg matches pat (each * one or more characters), what each took in cap. */
static int
match(const char *pat, const char *msg, const char *cap[][2], int *ncap)
{
	if (!*pat)
		return !*msg;
	if (*pat == '*') {
		const char *next = pat + 1;
		for (const char *e = msg + 1; e <= msg + strlen(msg); e++) {
			int n = *ncap;
			if (*next && *e != *next)
				continue;
			cap[n][0] = msg;
			cap[n][1] = e;
			*ncap = n + 1;
			if (match(next, e, cap, ncap))
				return 1;
			*ncap = n;
		}
		return 0;
	}
	return *pat == *msg && match(pat + 1, msg + 1, cap, ncap);
}

/* The message of a check as the applicant reads it. */
/* Text for a record: control and bidi characters escaped as on a terminal
 * (term_escape), at most max bytes, cut at a character. */
static json_t *
safe_text(const char *s, size_t n, size_t max)
{
	struct buf t = { 0 };
	term_escape(&t, s ? s : "", s ? n : 0);
	size_t k = t.n;
	if (k > max) {
		k = max - 3;
		while (k && ((unsigned char)t.p[k] & 0xc0) == 0x80)
			k--;
		t.n = k;
		buf_adds(&t, "...");
	}
	json_t *j = json_stringn(t.p ? t.p : "", t.n);
	buf_free(&t);
	return j;
}

static void
explain_msg(const char *msg, int bn, struct buf *out)
{
	if (!bn) {
		buf_adds(out, msg);
		return;
	}
	for (size_t i = 0; i < sizeof said / sizeof said[0]; i++) {
		const char *cap[4][2];
		int ncap = 0;
		if (!match(said[i][0], msg, cap, &ncap))
			continue;
		for (const char *b = said[i][1]; *b; b++) {
			if (*b == '$' && b[1] >= '1' && b[1] <= '4' && b[1] - '1' < ncap) {
				int k = b[1] - '1';
				size_t len = (size_t)(cap[k][1] - cap[k][0]);
				if (b > said[i][1] && b[-1] == '"')
					buf_add(out, cap[k][0], len); /* what was typed, as typed */
				else
					say_bn(cap[k][0], len, out);
				b++;
			} else {
				buf_addc(out, *b);
			}
		}
		return;
	}
	buf_printf(out, "ঠিক নয় (%s)", msg);
}

/* "Field: what is wrong". */
static void
explain(const char *field, const char *msg, int bn, struct buf *out)
{
	buf_adds(out, label(field, bn));
	buf_adds(out, ": ");
	explain_msg(msg, bn, out);
	if (bn)
		buf_adds(out, "।");
	else if (out->n && out->p[out->n - 1] != '.')
		buf_addc(out, '.');
}

/* ---- checking a draft by the rules wgo-issue applies ---- */

struct problem {
	char field[200];
	char msg[400];
};
struct problems {
	struct problem *p;
	size_t n;
};

static void
add_problem(struct problems *ps, const char *field, const char *msg)
{
	for (size_t i = 0; i < ps->n; i++)
		if (!strcmp(ps->p[i].field, field))
			return; /* one at a field: the first */
	ps->p = xrealloc(ps->p, (ps->n + 1) * sizeof *ps->p);
	snprintf(ps->p[ps->n].field, sizeof ps->p->field, "%s", field);
	snprintf(ps->p[ps->n].msg, sizeof ps->p->msg, "%s", msg);
	ps->n++;
}

/* The schema's fields of an application, for the stand-ins below. */
struct sfield {
	char *path, *type;
	const char *const *values;
	long long lo;
	int required;
};
static struct sfield *sf;
static size_t nsf;

static int
on_sfield(const struct rec_field *f, void *ctx)
{
	sf = xrealloc(sf, (nsf + 1) * sizeof *sf);
	sf[nsf].path = xstrdup(f->path);
	sf[nsf].type = xstrdup(f->type);
	sf[nsf].values = f->values;
	sf[nsf].lo = f->lo;
	sf[nsf].required = f->required;
	nsf++;
	return 0;
}

static const struct sfield *
sfield(const char *path)
{
	if (!sf)
		rec_schema_walk("application", on_sfield, NULL);
	for (size_t i = 0; i < nsf; i++)
		if (!strcmp(sf[i].path, path))
			return &sf[i];
	return NULL;
}

static void
set_path(json_t *o, const char *path, json_t *v)
{
	char p[200];
	snprintf(p, sizeof p, "%s", path);
	char *s = p, *dot;
	while ((dot = strchr(s, '.'))) {
		*dot = 0;
		json_t *n = json_object_get(o, s);
		if (!json_is_object(n)) {
			n = json_object();
			json_object_set_new(o, s, n);
		}
		o = n;
		s = dot + 1;
	}
	if (v)
		json_object_set_new(o, s, v);
	else
		json_object_del(o, s);
}

/* A value of the field's type that passes its check, to stand for a field not
 * answered yet (or one already found wrong), so that the rest can be checked. */
static json_t *
stand_in(const json_t *work, const char *path)
{
	const struct sfield *f = sfield(path);
	if (!f)
		return NULL;
	const char *t = f->type;
	if (!strcmp(path, "beneficiary.relation")) {
		/* One the event allows, so that the rest of the terms can be checked. */
		const char *ev = json_string_value(jget(work, "employee.event"));
		return json_string(ev && !strcmp(ev, "retired_invalid") ? "self" : "wife");
	}
	if (!strcmp(path, "employee.event"))
		return json_string("death_in_service");
	if (!strcmp(t, "enum"))
		return json_string(f->values[0]);
	if (!strcmp(t, "office"))
		return json_string("KHL");
	if (!strcmp(t, "date")) {
		char d[11];
		date_fmt(day - 60, d);
		return json_string(d);
	}
	if (!strcmp(t, "integer") || !strcmp(t, "poisha"))
		return json_integer(f->lo > 0 ? f->lo : 1);
	if (!strcmp(t, "nid"))
		return json_string("1000000000");
	if (!strcmp(t, "mobile"))
		return json_string("+8801700000000");
	if (!strcmp(t, "routing"))
		return json_string("200472441");
	if (!strcmp(t, "account"))
		return json_string("1000000000");
	if (!strcmp(t, "object"))
		return json_object();
	return json_string("X");
}

/* The fields order_terms reads whose value its checks turn on: the terms are not
 * worked out with a stand-in for one of them. (For the relation and whom a
 * funeral grant is for, a stand-in the rest allows will do.) */
static int
terms_field(const char *p)
{
	static const char *const t[] = { "grant", "received", "employee.event", "employee.event_date",
		                          "employee.retirement_date", "employee.birth_date",
		                          "beneficiary.birth_date" };
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(p, t[i]))
			return 1;
	return !strncmp(p, "sanction", 8);
}

/* Check an application: the schema's checks (each field found wrong stood in for,
 * and the rest checked again), then, unless a field order_terms reads was wrong or
 * is not there yet, order_terms as wgo-issue would run it on the day, with the
 * approval it would have (the day) where it has none yet. known(path) says whether
 * a field is the applicant's to answer for: a field not known is stood in for
 * silently (the form's fields not asked yet). The normal form of what passed, and
 * what it would bring, go to *norm and *order when asked for. */
static void
check(const json_t *app, int (*known)(const char *path), struct problems *ps, json_t **norm,
      json_t **order)
{
	json_t *work = json_deep_copy(app);
	int terms_ok = 1;
	struct werr e;
	for (int round = 0; round < 64; round++) {
		json_t *v = json_deep_copy(work);
		int rc = rec_validate(v, &e);
		if (rc == 0) {
			json_decref(work);
			work = v;
			break;
		}
		json_decref(v);
		const char *f = e.field;
		if (!*f || !sfield(f)) {
			/* Not a field of the form: an unknown field, or the record itself. */
			if (*f && jget(work, f) && !strchr(f, '[')) {
				add_problem(ps, f, e.msg);
				set_path(work, f, NULL);
				continue;
			}
			add_problem(ps, f, e.msg);
			terms_ok = 0;
			json_decref(work);
			work = NULL;
			break;
		}
		if (!known || known(f))
			add_problem(ps, f, e.msg);
		if (terms_field(f))
			terms_ok = 0;
		/* A field that must not be there goes; any other is stood in for. */
		if (strstr(e.msg, "only a funeral grant has this field") || !strcmp(e.msg, "unknown field"))
			set_path(work, f, NULL);
		else
			set_path(work, f, stand_in(work, f));
	}
	if (work && terms_ok) {
		json_t *a = json_deep_copy(work);
		if (!json_object_get(a, "sanction")) {
			json_t *s = json_object();
			char d[11];
			date_fmt(day, d);
			json_object_set_new(s, "officer", json_string("-"));
			json_object_set_new(s, "date", json_string(d));
			json_object_set_new(a, "sanction", s);
		}
		json_t *o = order_from_application(a, day, &rules, &e);
		if (!o && (!known || known(e.field)))
			add_problem(ps, e.field, e.msg);
		if (order)
			*order = o;
		else
			json_decref(o);
		json_decref(a);
	}
	if (norm)
		*norm = work;
	else
		json_decref(work);
}

/* What an order would bring, in words: "Tk 3,000.00 a month from ... to ...;
 * arrears Tk ...; in all Tk ...". */
static void
say_terms(const json_t *o, int bn, struct buf *out)
{
	char m[MONEY_BUFSZ];
	int fl = bn ? MONEY_BN : 0;
	const char *why;
	if (json_object_get(o, "lump_poisha")) {
		money_fmt(m, sizeof m, jint(o, "lump_poisha", 0), fl);
		buf_printf(out, bn ? "এককালীন %s টাকা" : "Tk %s once", m);
		return;
	}
	json_t *r, *rates = json_object_get(o, "rates");
	size_t i;
	json_array_foreach(rates, i, r) {
		wmonth a, b;
		month_parse(jstr(r, "from"), &a, &why);
		month_parse(jstr(r, "to"), &b, &why);
		money_fmt(m, sizeof m, jint(r, "monthly_poisha", 0), fl);
		if (i)
			buf_adds(out, bn ? ", তারপর " : ", then ");
		buf_printf(out, bn ? "মাসে %s টাকা, " : "Tk %s a month from ", m);
		month_long(a, bn, out);
		buf_adds(out, bn ? " থেকে " : " to ");
		month_long(b, bn, out);
	}
	if (jint(o, "arrears_poisha", 0) > 0) {
		money_fmt(m, sizeof m, jint(o, "arrears_poisha", 0), fl);
		buf_printf(out, bn ? "; এর মধ্যে এ পর্যন্ত বকেয়া %s টাকা" : "; of it, Tk %s arrears so far", m);
	}
	money_fmt(m, sizeof m, jint(o, "total_poisha", 0), fl);
	buf_printf(out, bn ? "; সব মিলিয়ে %s টাকা" : "; Tk %s in all", m);
}

/* ---- the bulk check ---- */

static struct rloop L;
static unsigned long nchecked, nbad;

static int
all_known(const char *path)
{
	return 1;
}

static void
report(const struct rpos *pos, const json_t *app, struct problems *ps, const json_t *order)
{
	const char *no = app ? jstr(app, "application_no") : NULL;
	const char *office = app ? jstr(app, "office") : NULL;
	nchecked++;
	if (ps->n)
		nbad++;
	if (o_records) {
		json_t *r = rec_new("application_check");
		json_object_set_new(r, "source", json_string(pos->file));
		json_object_set_new(r, "line", json_integer((json_int_t)pos->line));
		/* As the application gives them, if they are text a record may hold. */
		struct werr e;
		if (office && strlen(office) <= 20)
			json_object_set_new(r, "office", json_string(office));
		if (no && strlen(no) <= 200)
			json_object_set_new(r, "application_no", json_string(no));
		json_object_set_new(r, "ok", json_boolean(ps->n == 0));
		json_t *arr = json_array();
		for (size_t i = 0; i < ps->n; i++) {
			json_t *p = json_object();
			struct buf bn = { 0 };
			explain_msg(ps->p[i].msg, 1, &bn);
			/* A message may quote what the application gave: escaped as on a
			 * terminal, and cut to what the record holds. */
			json_object_set_new(p, "field", json_string(ps->p[i].field));
			json_object_set_new(p, "message", safe_text(ps->p[i].msg, strlen(ps->p[i].msg), 1000));
			json_object_set_new(p, "message_bn", safe_text(bn.p, bn.n, 2000));
			json_array_append_new(arr, p);
			buf_free(&bn);
		}
		json_object_set_new(r, "problems", arr);
		if (order && !ps->n) {
			const char *keys[] = { "first_month", "last_month", "lump_poisha", "arrears_poisha",
				               "total_poisha" };
			for (size_t i = 0; i < 5; i++)
				if (json_object_get(order, keys[i]))
					json_object_set(r, keys[i], json_object_get(order, keys[i]));
		}
		if (rec_validate(r, &e) < 0) {
			/* What the application gave is not text a record holds (a control
			 * character in its number): left out. */
			json_object_del(r, "office");
			json_object_del(r, "application_no");
		}
		if (rec_validate(r, &e) < 0) {
			/* A message too long for the record (a long unknown field): cut. */
			json_t *p;
			size_t i;
			json_array_foreach(arr, i, p) {
				json_object_set_new(p, "field", json_string("?"));
				json_object_set_new(p, "message", json_string("(see the text report)"));
			}
		}
		if (rec_write(stdout, r) < 0)
			die("<stdout>: write error:");
		json_decref(r);
		return;
	}
	if (!ps->n && o_quiet)
		return;
	/* What the application says may be anything: escaped, a piece at a time. */
	struct buf t = { 0 };
	term_escape(&t, pos->file, strlen(pos->file));
	buf_printf(&t, ":%lu: ", pos->line);
	if (no) {
		buf_adds(&t, tr("application ", "আবেদন "));
		term_escape(&t, no, strlen(no));
		buf_adds(&t, ": ");
	}
	if (!ps->n) {
		buf_adds(&t, tr("nothing to correct", "সংশোধনের কিছু নেই"));
		if (order) {
			buf_adds(&t, tr("; approved and issued on ", "; "));
			date_long(day, o_bn, &t);
			buf_adds(&t, tr(", it would bring ", " তারিখে অনুমোদিত ও জারি হলে: "));
			say_terms(order, o_bn, &t);
		}
		buf_adds(&t, o_bn ? "।\n" : ".\n");
	} else {
		char n[24];
		snprintf(n, sizeof n, "%zu", ps->n);
		if (o_bn) {
			ascii_digits_to_bn(n, &t);
			buf_adds(&t, "টি সংশোধন দরকার:\n");
		} else {
			buf_printf(&t, "%s to correct:\n", n);
		}
		for (size_t i = 0; i < ps->n; i++) {
			snprintf(n, sizeof n, "%zu", i + 1);
			buf_adds(&t, "  ");
			if (o_bn)
				ascii_digits_to_bn(n, &t);
			else
				buf_adds(&t, n);
			buf_adds(&t, ". ");
			struct buf x = { 0 };
			explain(ps->p[i].field, ps->p[i].msg, o_bn, &x);
			term_escape(&t, x.p, x.n);
			buf_free(&x);
			buf_addc(&t, '\n');
		}
	}
	if (fwrite(t.p, 1, t.n, stdout) != t.n)
		die("<stdout>: write error:");
	buf_free(&t);
}

static int
on_app(struct rloop *Lp, json_t *app, const struct rpos *pos, struct werr *e)
{
	struct problems ps = { 0 };
	json_t *order = NULL;
	if (strcmp(jstr(app, "kind"), "application")) {
		add_problem(&ps, "kind", "not an application");
	} else {
		check(app, all_known, &ps, NULL, &order);
	}
	report(pos, app, &ps, order);
	json_decref(order);
	free(ps.p);
	return 0;
}

/* A line that is no record at all. */
static void
on_bad_line(struct rloop *Lp, const struct rpos *pos, const json_t *rec, const struct werr *e)
{
	struct problems ps = { 0 };
	add_problem(&ps, e->field, e->msg);
	report(pos, NULL, &ps, NULL);
	free(ps.p);
}

static int
bulk(int argc, char **argv)
{
	L.cb = on_app;
	L.on_reject = on_bad_line;
	L.quiet = 1;
	L.unit = "applications";
	int rc = rec_loop(&L, argc, argv);
	summary("%lu applications checked, %lu to correct", nchecked, nbad);
	if (rc == WGO_EXIT_NEG)
		rc = WGO_EXIT_OK; /* lines that are no record were told, as applications to correct */
	return wgo_worse(rc, nbad ? WGO_EXIT_NEG : WGO_EXIT_OK);
}

/* ---- the form ---- */

static void
list_add(char ***l, size_t *n, const char *s)
{
	*l = xrealloc(*l, (*n + 2) * sizeof **l);
	(*l)[(*n)++] = xstrdup(s);
	(*l)[*n] = NULL;
}

static void
list_free(char **l)
{
	for (size_t i = 0; l && l[i]; i++)
		free(l[i]);
	free(l);
}

/* Designations: "English / Bengali" a line, from --designations, the configuration's
 * "designations", or $WGO_HOME/designations.txt. */
static char **desig_en, **desig_all;

static void
load_designations(void)
{
	const char *v = cfg_get(wgo_config(), "designations");
	char *p = o_designations ? xstrdup(o_designations) : home_path(v ? v : "designations.txt");
	FILE *f = fopen(p, "r");
	size_t ne = 0, na = 0;
	if (!f && (o_designations || v))
		die("%s:", p);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while (f && (len = getline(&line, &cap, f)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (!len || line[0] == '#')
			continue;
		char *sl = strstr(line, " / ");
		if (sl)
			*sl = 0;
		list_add(&desig_en, &ne, line);
		list_add(&desig_all, &na, line);
		if (sl)
			list_add(&desig_all, &na, sl + 3);
	}
	free(line);
	if (f)
		fclose(f);
	free(p);
}

/* A designation answered in Bengali is written in English. */
static const char *
designation_en(const char *s)
{
	for (size_t i = 0, k = 0; desig_all && desig_all[i]; i++) {
		if (!strcmp(desig_all[i], s))
			return desig_en[k];
		if (desig_all[i + 1] && desig_en[k + 1] && !strcmp(desig_all[i + 1], desig_en[k + 1]))
			k++;
	}
	return s;
}

static char **
choice_list(const char *path)
{
	char **l = NULL;
	size_t n = 0;
	for (size_t i = 0; i < NCHOICES; i++)
		if (!strcmp(choices[i].path, path)) {
			list_add(&l, &n, choices[i].id);
			list_add(&l, &n, choices[i].bn);
		}
	return l;
}

static char **
branch_list(void)
{
	char **l = NULL;
	size_t n = 0;
	struct buf b = { 0 };
	for (size_t i = 0; i < branches.n; i++) {
		b.n = 0;
		buf_printf(&b, "%s %s", branches.v[i]->en, branches.v[i]->routing);
		list_add(&l, &n, buf_str(&b));
		if (branches.v[i]->bn) {
			b.n = 0;
			buf_printf(&b, "%s %s", branches.v[i]->bn, branches.v[i]->routing);
			list_add(&l, &n, buf_str(&b));
		}
	}
	buf_free(&b);
	return l;
}

/* What was typed for a choice, as its id: the id itself, or its name in either
 * language; NULL with e filled when it is none. */
static const char *
choice_id(const char *path, const char *s, struct werr *e)
{
	for (size_t i = 0; i < NCHOICES; i++)
		if (!strcmp(choices[i].path, path) &&
		    (!strcmp(choices[i].id, s) || !strcmp(choices[i].bn, s) || !strcasecmp(choices[i].en, s)))
			return choices[i].id;
	struct buf l = { 0 };
	for (size_t i = 0; i < NCHOICES; i++)
		if (!strcmp(choices[i].path, path))
			buf_printf(&l, "%s%s", l.n ? ", " : "", o_bn ? choices[i].bn : choices[i].id);
	werr_set(e, path, "not one of: %s", buf_str(&l));
	buf_free(&l);
	return NULL;
}

/* A branch typed as its routing number, or its name (with the routing number, as
 * completion writes it, or alone when only one branch has it). */
static int
routing_of(const char *s, char *out, struct werr *e)
{
	char t[256];
	if (bn_digits_to_ascii(s, t, sizeof t) < 0)
		return werr_set(e, "account.routing", "too long");
	size_t n = strlen(t);
	const char *sp = strrchr(t, ' ');
	if (sp && strlen(sp + 1) == 9 && strspn(sp + 1, "0123456789") == 9) {
		snprintf(out, 10, "%s", sp + 1);
		return 0;
	}
	if (strspn(t, "0123456789 -") == n) {
		if (n > 60)
			return werr_set(e, "account.routing", "too long");
		memcpy(out, t, n + 1);
		return 0;
	}
	const struct branch *found = NULL;
	int many = 0;
	for (size_t i = 0; i < branches.n; i++) {
		const struct branch *b = branches.v[i];
		if (!strcasecmp(b->en, s) || (b->bn && !strcmp(b->bn, s))) {
			many += found != NULL;
			found = b;
		}
	}
	if (many)
		return werr_set(e, "account.routing", "several branches are called %s", s);
	if (!found)
		return werr_set(e, "account.routing", "no branch called %s", s);
	snprintf(out, 10, "%s", found->routing);
	return 0;
}

static json_t *draft;      /* what has been answered */
static unsigned char asked[NFIELDS]; /* answered (or passed over, if optional) */

static size_t field_index(const char *path);

static int
known_now(const char *path)
{
	size_t n = strlen(path);
	/* One of the two names is needed: said of the first once both are asked. */
	if (!strcmp(path, "beneficiary.name_bn") && !asked[field_index("beneficiary.name_en")])
		return 0;
	int parent = 0, all = 1;
	for (size_t i = 0; i < NFIELDS; i++) {
		if (!strcmp(fields[i].path, path))
			return asked[i];
		if (!strncmp(fields[i].path, path, n) && fields[i].path[n] == '.') {
			parent = 1; /* an object: known once all its fields are */
			all &= asked[i];
		}
	}
	return parent ? all : 1;
}

/* Whether field i is asked, and whether it may be left empty, given what was
 * answered before it. */
static int
wanted(size_t i, int *optional)
{
	const char *p = fields[i].path;
	const char *grant = jstr(draft, "grant");
	const char *ev = json_string_value(jget(draft, "employee.event"));
	*optional = 0;
	if (!strcmp(p, "funeral_for"))
		return grant && !strcmp(grant, "funeral");
	if (!strcmp(p, "employee.retirement_date"))
		return ev && !strcmp(ev, "death_after_retirement");
	if (!strcmp(p, "employee.birth_date")) {
		*optional = !(ev && !strcmp(ev, "retired_invalid"));
		return 1;
	}
	if (!strcmp(p, "employee.designation") || !strcmp(p, "employee.grade") ||
	    !strcmp(p, "employee.id") || !strcmp(p, "beneficiary.birth_date") ||
	    !strcmp(p, "beneficiary.name_bn") || !strcmp(p, "beneficiary.name_en"))
		*optional = 1;
	return 1;
}

static const char *
default_of(size_t i, struct buf *b)
{
	const char *p = fields[i].path;
	b->n = 0;
	if (!strcmp(p, "office"))
		return o_office ? o_office : cfg_get(wgo_config(), "office");
	if (!strcmp(p, "received")) {
		char d[11];
		date_fmt(day, d);
		buf_adds(b, d);
		return buf_str(b);
	}
	if (!strcmp(p, "beneficiary.relation")) {
		const char *ev = json_string_value(jget(draft, "employee.event"));
		return ev && !strcmp(ev, "retired_invalid") ? choice_name(p, "self", o_bn) : NULL;
	}
	if (!strcmp(p, "account.name")) {
		const char *n = json_string_value(jget(draft, "beneficiary.name_en"));
		return n ? n : json_string_value(jget(draft, "beneficiary.name_bn"));
	}
	return NULL;
}

/* The answer as the field's value: NULL with e filled when it is not one. */
static json_t *
value_of(size_t i, const char *s, struct werr *e)
{
	const struct field *f = &fields[i];
	switch (f->kind) {
	case K_CHOICE: {
		const char *id = choice_id(f->path, s, e);
		return id ? json_string(id) : NULL;
	}
	case K_INT: {
		long n;
		if (uint_parse(s, 1000, &n) < 0 || n < 1 || n > 20)
			return werr_set(e, f->path, "a grade is a number from 1 to 20"), NULL;
		return json_integer(n);
	}
	case K_ROUTING: {
		char r[64];
		if (routing_of(s, r, e) < 0)
			return NULL;
		return json_string(r);
	}
	case K_DESIG:
		return json_string(designation_en(s));
	case K_OFFICE: {
		char u[16];
		size_t k;
		for (k = 0; s[k] && k < sizeof u - 1; k++)
			u[k] = (char)(s[k] >= 'a' && s[k] <= 'z' ? s[k] - 32 : s[k]);
		u[k] = 0;
		for (const char *const *o = office_codes(); *o; o++)
			if (!strcmp(*o, u) || !strcmp(office_name(*o, 1), s) || !strcasecmp(office_name(*o, 0), s))
				return json_string(*o);
		return json_string(s); /* the schema says what is wrong with it */
	}
	default:
		return json_string(s);
	}
}

/* Ask field i; NULL at the end of input. */
static char *
ask(size_t i, int optional, struct buf *dflt, char **choicel)
{
	const struct field *f = &fields[i];
	const char *d = default_of(i, dflt);
	struct buf prompt = { 0 };
	buf_adds(&prompt, o_bn ? f->bn : f->en);
	if (d && *d) {
		buf_adds(&prompt, " [");
		term_escape(&prompt, d, strlen(d));
		buf_adds(&prompt, "]");
	} else if (optional) {
		buf_adds(&prompt, tr(" (optional)", " (ঐচ্ছিক)"));
	}
	buf_adds(&prompt, ": ");
	form_choices(choicel, f->kind == K_ROUTING); /* branch names: whatever their case */
	char *line = readline(buf_str(&prompt));
	form_choices(NULL, 0);
	buf_free(&prompt);
	if (!line)
		return NULL;
	char *s = line;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = 0;
	char *r = xstrdup(!*s && d ? d : s);
	free(line);
	return r;
}

static void
say_err(const char *field, const char *msg)
{
	struct buf b = { 0 }, o = { 0 };
	explain(field, msg, o_bn, &b);
	buf_adds(&o, "  ! ");
	term_escape(&o, b.p, b.n);
	buf_addc(&o, '\n');
	fputs(buf_str(&o), stderr);
	buf_free(&b);
	buf_free(&o);
}

static size_t
field_index(const char *path)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (!strcmp(fields[i].path, path))
			return i;
	return NFIELDS;
}

/* The application as it stands, a line a field, with what it would bring. */
static void
show(const json_t *app, const json_t *order)
{
	struct buf b = { 0 }, o = { 0 };
	buf_adds(&b, tr("\nThe application:\n", "\nআবেদন:\n"));
	for (size_t i = 0; i < NFIELDS; i++) {
		json_t *v = jget(app, fields[i].path);
		if (!v)
			continue;
		buf_printf(&b, "  %s: ", o_bn ? fields[i].bn : fields[i].en);
		if (json_is_integer(v)) {
			char t[24];
			snprintf(t, sizeof t, "%lld", (long long)json_integer_value(v));
			o_bn ? ascii_digits_to_bn(t, &b) : buf_adds(&b, t);
		} else if (fields[i].kind == K_CHOICE) {
			buf_adds(&b, choice_name(fields[i].path, json_string_value(v), o_bn));
		} else if (fields[i].kind == K_DATE) {
			wdate d;
			const char *why;
			date_parse(json_string_value(v), &d, &why);
			date_long(d, o_bn, &b);
		} else if (fields[i].kind == K_OFFICE) {
			buf_adds(&b, office_name(json_string_value(v), o_bn));
		} else if (fields[i].kind == K_ROUTING) {
			const struct branch *br = branch_find(&branches, json_string_value(v));
			buf_adds(&b, json_string_value(v));
			if (br)
				buf_printf(&b, " (%s)", o_bn && br->bn ? br->bn : br->en);
		} else {
			buf_adds(&b, json_string_value(v));
		}
		buf_addc(&b, '\n');
	}
	if (order) {
		buf_adds(&b, tr("Approved and issued on ", "অনুমোদিত হয়ে "));
		date_long(day, o_bn, &b);
		buf_adds(&b, tr(", it would bring: ", " তারিখে জারি হলে পাওয়া যাবে: "));
		say_terms(order, o_bn, &b);
		buf_adds(&b, o_bn ? "।\n" : ".\n");
		buf_adds(&b, tr("Payment starts after the first life verification at a Sonali Bank branch.\n",
		                "প্রথম লাইফ ভেরিফিকেশনের পর সোনালী ব্যাংক থেকে পরিশোধ শুরু হবে।\n"));
	}
	/* Keep the newlines; escape the rest. */
	for (const char *p = buf_str(&b), *nl; *p; p = nl + 1) {
		if (!(nl = strchr(p, '\n')))
			nl = p + strlen(p);
		term_escape(&o, p, (size_t)(nl - p));
		buf_addc(&o, '\n');
		if (!*nl)
			break;
	}
	fputs(buf_str(&o), stderr);
	buf_free(&b);
	buf_free(&o);
}

static int
save(json_t *app)
{
	struct buf line = { 0 };
	rec_dump(app, &line);
	if (!o_output) {
		if (fwrite(line.p, 1, line.n, stdout) != line.n)
			die("<stdout>: write error:");
		buf_free(&line);
		return 0;
	}
	FILE *f = fopen(o_output, "a");
	if (!f)
		die("%s:", o_output);
	if (fwrite(line.p, 1, line.n, f) != line.n || fflush(f) == EOF || fsync(fileno(f)) < 0 ||
	    fclose(f) == EOF)
		die("%s: write error:", o_output);
	buf_free(&line);
	return 0;
}

static int
form(void)
{
	form_open("wgo-apply", "apply-history", "", 0);
	load_designations();
	char **offices = NULL, **blist = branch_list();
	size_t no = 0;
	for (const char *const *o = office_codes(); *o; o++)
		list_add(&offices, &no, *o);
	fprintf(stderr, "%s\n", tr("An application (Tab completes; Ctrl-D stops without saving).",
	                           "আবেদন (ট্যাব চাপলে বাকিটা আসে; Ctrl-D চাপলে কিছু সংরক্ষণ হয় না)।"));
	draft = rec_new("application");
	memset(asked, 0, sizeof asked);
	int rc = WGO_EXIT_NEG;
	struct buf dflt = { 0 };
	json_t *norm = NULL, *order = NULL;
	for (size_t i = 0; i < NFIELDS;) {
		int optional;
		if (!wanted(i, &optional)) {
			set_path(draft, fields[i].path, NULL);
			asked[i] = 1;
			i++;
			continue;
		}
		char **cl = fields[i].kind == K_CHOICE    ? choice_list(fields[i].path)
		            : fields[i].kind == K_OFFICE  ? offices
		            : fields[i].kind == K_ROUTING ? blist
		            : fields[i].kind == K_DESIG   ? desig_all
		                                          : NULL;
		char *s = ask(i, optional, &dflt, cl);
		if (fields[i].kind == K_CHOICE)
			list_free(cl);
		if (!s)
			goto out;
		struct werr e = { { 0 }, { 0 } };
		json_t *v = NULL;
		if (!*s && !optional)
			werr_set(&e, fields[i].path, "an answer is needed");
		else if (*s)
			v = value_of(i, s, &e);
		if (e.msg[0]) {
			free(s);
			say_err(e.field, e.msg);
			continue;
		}
		set_path(draft, fields[i].path, v);
		asked[i] = 1;
		/* Everything answered so far, checked as wgo-issue would check it. */
		struct problems ps = { 0 };
		check(draft, known_now, &ps, NULL, NULL);
		if (ps.n) {
			say_err(ps.p[0].field, ps.p[0].msg);
			/* Asked again: this field, or an earlier one the answer now disagrees with. */
			size_t k = field_index(ps.p[0].field);
			if (k < i) {
				for (size_t j = k; j <= i; j++)
					asked[j] = 0;
				i = k;
			}
			asked[i] = 0;
			free(ps.p);
			free(s);
			continue;
		}
		free(ps.p);
		/* Only an answer that was taken goes into the history (a wrong one may be
		 * anything: a name typed at the wrong prompt), and never a private one
		 * (names, numbers, dates of a person), where the next applicant at the
		 * desk would find it. */
		form_remember(s, fields[i].private || fields[i].kind == K_TEXT || fields[i].kind == K_DATE);
		free(s);
		i++;
	}
	struct problems ps = { 0 };
	check(draft, NULL, &ps, &norm, &order);
	if (ps.n) {
		for (size_t k = 0; k < ps.n; k++)
			say_err(ps.p[k].field, ps.p[k].msg);
		free(ps.p);
		goto out;
	}
	free(ps.p);
	show(norm, order);
	for (;;) {
		char *yes = readline(tr("Save this application? (y/n): ", "আবেদনটি সংরক্ষণ করবেন? (হ্যাঁ/না): "));
		if (!yes)
			break;
		int y = yes[0] == 'y' || yes[0] == 'Y' || !strncmp(yes, "হ", 3);
		int n = yes[0] == 'n' || yes[0] == 'N' || !strncmp(yes, "ন", 3);
		free(yes);
		if (y) {
			save(norm);
			fprintf(stderr, "%s\n", tr("Saved.", "সংরক্ষণ করা হয়েছে।"));
			rc = WGO_EXIT_OK;
			break;
		}
		if (n)
			break;
	}
out:
	if (rc != WGO_EXIT_OK)
		fprintf(stderr, "\n%s\n", tr("Nothing was saved.", "কিছুই সংরক্ষণ হয়নি।"));
	json_decref(norm);
	json_decref(order);
	json_decref(draft);
	buf_free(&dflt);
	list_free(offices);
	list_free(blist);
	list_free(desig_en);
	list_free(desig_all);
	form_close(0);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "lang", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "records", no_argument, NULL, 1 },
		{ "date", required_argument, NULL, 'd' },
		{ "office", required_argument, NULL, 2 },
		{ "branches", required_argument, NULL, 3 },
		{ "designations", required_argument, NULL, 4 },
		{ "quiet", no_argument, NULL, 'q' },
		WGO_PROGRESS_OPTIONS,
		{ "home", required_argument, NULL, 5 },
		{ "now", required_argument, NULL, 6 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int npos;
	struct werr e;
	const char *why;
	wgo_setprog(argv[0]);
	char **pos = wgo_getopt(argc, argv, "l:o:d:qhV", lo, on_opt, &npos);
	day = wgo_today();
	if (o_date && date_parse(o_date, &day, &why) < 0)
		die_usage("--date: %s: %s", o_date, why);
	if (o_office && !office_valid(o_office))
		die_usage("--office: unknown office '%s'", o_office);
	if (rules_load(wgo_config(), &rules, &e) < 0)
		die("%s: %s", e.field, e.msg);
	if (wgo_branches(&branches, o_branches, &e) < 0)
		die("%s: %s", e.field, e.msg);
	int interactive = !npos && isatty(0);
	if (interactive && o_records)
		die_usage("--records goes with applications to check, not the form");
	if (!interactive && o_output)
		die_usage("--output goes with the form (on a terminal, with no FILE)");
	int rc = interactive ? form() : bulk(npos, pos);
	for (size_t i = 0; i < nsf; i++) {
		free(sf[i].path);
		free(sf[i].type);
	}
	free(sf);
	branches_free(&branches);
	rules_free(&rules);
	free(pos);
	return wgo_finish(rc);
}
