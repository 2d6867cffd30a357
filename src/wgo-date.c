/* wgo-date: Gregorian and Bangla dates, fiscal years and working days. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: wgo-date [OPTIONS] COMMAND [ARGS]\n"
	"Convert between Gregorian and Bangla dates and count working days.\n"
	"With no ARGS, each line of standard input holds one set of them.\n"
	"\n"
	"Commands:\n"
	"  to-bangla DATE           2025-12-10 -> ২৫ অগ্রহায়ণ ১৪৩২\n"
	"  from-bangla BDATE        '২৫ অগ্রহায়ন ১৪৩২' or 1432-08-25 -> 2025-12-10\n"
	"  workdays-after DATE N    the date N working days after DATE (before, if N < 0)\n"
	"  workdays-between A B     working days after A up to and including B\n"
	"  add-months DATE N        DATE plus N months, clamped to the month's end\n"
	"  fiscal-year DATE         2025-12-10 -> 2025-26\n"
	"  weekday DATE             the weekday, and whether it is a working day\n"
	"  today                    today's date in Bangladesh (UTC+6)\n"
	"\n"
	"Options:\n"
	"  -H, --holidays FILE      holiday file (default: $WGO_HOME/holidays if present)\n"
	"  -a, --ascii              to-bangla: print YYYY-MM-DD in the Bangla calendar\n"
	"  -l, --lang LANG          en (default) or bn: Bengali digits and names in output\n"
	"      --home DIR           state directory (default $WGO_HOME)\n"
	"      --now INSTANT        take this as the current time (YYYY-MM-DDTHH:MM:SSZ)\n"
	"  -h, --help               show this help\n"
	"  -V, --version            show the version\n"
	"\n"
	"Exit status: 0 all converted, 1 some input invalid, 2 usage error.\n";

static struct calendar cal;
static int opt_ascii, opt_bn;

static const char *const wday_en[] = { "Sunday", "Monday", "Tuesday", "Wednesday",
	                               "Thursday", "Friday", "Saturday" };
static const char *const wday_bn[] = { "রবিবার", "সোমবার", "মঙ্গলবার", "বুধবার",
	                               "বৃহস্পতিবার", "শুক্রবার", "শনিবার" };

enum cmd { C_TO, C_FROM, C_WAFTER, C_WBETWEEN, C_ADDM, C_FY, C_WDAY, C_TODAY };
static const struct {
	const char *name;
	enum cmd c;
	int nargs;
} cmds[] = {
	{ "to-bangla", C_TO, 1 },          { "from-bangla", C_FROM, 1 },
	{ "workdays-after", C_WAFTER, 2 }, { "workdays-between", C_WBETWEEN, 2 },
	{ "add-months", C_ADDM, 2 },       { "fiscal-year", C_FY, 1 },
	{ "weekday", C_WDAY, 1 },          { "today", C_TODAY, 0 },
};

static int
get_int(const char *s, int *v)
{
	long x;
	int neg = 0;
	if (*s == '-' || *s == '+') {
		neg = *s == '-';
		s++;
	}
	if (uint_parse(s, 100000, &x) < 0)
		return -1;
	*v = neg ? -(int)x : (int)x;
	return 0;
}

/* Runs one command on its arguments; prints the result line or an error. */
static int
run(enum cmd c, char **a, struct buf *out, const char **why)
{
	wdate d, d2;
	int n;
	char t[16];
	struct bdate b;

	out->n = 0;
	switch (c) {
	case C_TODAY:
		date_fmt(wgo_today(), t);
		buf_adds(out, t);
		return 0;
	case C_FROM:
		if (bangla_parse(a[0], &b, why) < 0 || bangla_to_date(&b, &d, why) < 0)
			return -1;
		date_fmt(d, t);
		buf_adds(out, t);
		return 0;
	default:
		break;
	}
	if (date_parse(a[0], &d, why) < 0)
		return -1;
	switch (c) {
	case C_TO:
		bangla_from_date(d, &b);
		bangla_fmt(&b, opt_ascii, out);
		return 0;
	case C_WAFTER:
	case C_ADDM:
		if (get_int(a[1], &n) < 0) {
			*why = "not a whole number";
			return -1;
		}
		d = c == C_WAFTER ? cal_add_workdays(&cal, d, n) : date_add_months(d, n);
		if (d < date_from_ymd(DATE_MIN_YEAR, 1, 1) || d > date_from_ymd(DATE_MAX_YEAR, 12, 31)) {
			*why = "result outside 1900 to 2199";
			return -1;
		}
		date_fmt(d, t);
		buf_adds(out, t);
		return 0;
	case C_WBETWEEN:
		if (date_parse(a[1], &d2, why) < 0)
			return -1;
		buf_printf(out, "%d", cal_workdays_between(&cal, d, d2));
		return 0;
	case C_FY:
		fiscal_fmt(fiscal_year(d), t);
		buf_adds(out, t);
		return 0;
	case C_WDAY: {
		int w = date_weekday(d);
		const struct holiday *h = cal_holiday(&cal, d);
		buf_adds(out, opt_bn ? wday_bn[w] : wday_en[w]);
		if (cal.weekend & (1u << w))
			buf_adds(out, opt_bn ? "\tসাপ্তাহিক ছুটি" : "\tweekend");
		else if (h)
			buf_printf(out, "\t%s%s%s", opt_bn ? "ছুটি" : "holiday", h->name[0] ? "\t" : "",
			           h->name);
		else
			buf_adds(out, opt_bn ? "\tকর্মদিবস" : "\tworkday");
		return 0;
	}
	default:
		return -1;
	}
}

static int
emit(enum cmd c, char **a, const char *ctx)
{
	struct buf out = { 0 };
	const char *why = "invalid";
	int rc = 0;
	if (run(c, a, &out, &why) < 0) {
		warnf("%s: %s", ctx, why);
		putchar('\n'); /* keeps output lines aligned with input lines */
		rc = WGO_EXIT_NEG;
	} else {
		/* Digits go Bengali with --lang bn; to-bangla is Bengali already unless --ascii. */
		put_digits(stdout, buf_str(&out), opt_bn && !(c == C_TO && opt_ascii));
		putchar('\n');
	}
	buf_free(&out);
	return rc;
}

static const char *holidays;

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'H': holidays = arg; break;
	case 'a': opt_ascii = 1; break;
	case 'l':
		if ((opt_bn = lang_parse(arg)) < 0)
			die_usage("--lang: unknown language '%s' (en or bn)", arg);
		break;
	case 1: wgo_set_home(arg); break;
	case 2: wgo_opt_now(arg); break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "holidays", required_argument, NULL, 'H' },
		{ "ascii", no_argument, NULL, 'a' },
		{ "lang", required_argument, NULL, 'l' },
		{ "home", required_argument, NULL, 1 },
		{ "now", required_argument, NULL, 2 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int npos, k;
	wgo_setprog(argv[0]);
	char **pos = wgo_getopt(argc, argv, "H:al:hV", lo, on_opt, &npos);
	if (npos == 0)
		die_usage("no command given (to-bangla, from-bangla, workdays-after, workdays-between, "
		          "add-months, fiscal-year, weekday or today; see --help)");
	int ncmds = (int)(sizeof cmds / sizeof cmds[0]);
	for (k = 0; k < ncmds && strcmp(cmds[k].name, pos[0]); k++)
		;
	if (k == ncmds)
		die_usage("unknown command '%s'", pos[0]);
	int need = cmds[k].nargs, rc = 0;
	struct werr e;
	if (wgo_calendar(&cal, holidays, &e) < 0)
		die("%s: %s", e.field, e.msg);

	if (need == 0) {
		if (npos > 1)
			die_usage("%s takes no arguments", cmds[k].name);
		rc = emit(cmds[k].c, pos, "today");
	} else if (npos > 1) {
		if (need == 2 && npos != 3)
			die_usage("%s takes two arguments, or none to read them from standard input",
			          cmds[k].name);
		for (int i = 1; i < npos; i += need)
			rc = wgo_worse(rc, emit(cmds[k].c, pos + i, pos[i]));
	} else {
		char *line = NULL, ctx[200];
		size_t cap = 0;
		ssize_t len;
		unsigned long ln = 0;
		while ((len = getline(&line, &cap, stdin)) >= 0) {
			ln++;
			if (len && line[len - 1] == '\n')
				line[--len] = 0;
			if ((size_t)len != strlen(line) || !utf8_valid(line, (size_t)len, NULL)) {
				warnf("<stdin>:%lu: not UTF-8 text", ln);
				putchar('\n');
				rc = wgo_worse(rc, WGO_EXIT_NEG);
				continue;
			}
			snprintf(ctx, sizeof ctx, "<stdin>:%lu: %.100s", ln, line);
			char *a[2] = { line, NULL };
			if (need == 2) {
				a[0] = strtok(line, " \t");
				a[1] = a[0] ? strtok(NULL, " \t") : NULL;
				if (!a[1] || strtok(NULL, " \t")) {
					warnf("%s: expected two values on the line", ctx);
					putchar('\n');
					rc = wgo_worse(rc, WGO_EXIT_NEG);
					continue;
				}
			}
			rc = wgo_worse(rc, emit(cmds[k].c, a, ctx));
		}
		free(line);
	}
	free(pos);
	cal_free(&cal);
	return wgo_finish(rc);
}
