/* Option parsing shared by every program: options may come before or after the
 * arguments, a negative number is an argument, and errors read "prog: ...". */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wgo.h"

static int
negnum(const char *s)
{
	return s[0] == '-' && ((s[1] >= '0' && s[1] <= '9') || !strncmp(s + 1, "\xe0\xa7", 2));
}

/* What a message may say of a command-line word: an option's name as typed, up to
 * any '=' (whose value may be a secret), and only if it looks like a name at all. */
static void
opt_name(const char *word, char *out, size_t n)
{
	size_t len = strcspn(word, "=");
	int plain = len > 0 && len < n && len <= 64;
	for (size_t i = 0; plain && i < len; i++)
		plain = (word[i] >= 'a' && word[i] <= 'z') || (word[i] >= 'A' && word[i] <= 'Z') ||
		        (word[i] >= '0' && word[i] <= '9') || word[i] == '-' || word[i] == '_';
	if (plain)
		snprintf(out, n, "%.*s", (int)len, word);
	else
		snprintf(out, n, "%s", word[0] == '-' && word[1] == '-' ? "--?" : "-?");
}

/* getopt_long takes any unambiguous prefix of a long option: "--token SECRET"
 * would be --token-file with the secret for a file name, which the error then
 * prints. A long option is taken only when it is spelled in full. */
static void
exact_long(const char *word, const struct option *lo)
{
	const char *name = word + 2;
	size_t n = strcspn(name, "=");
	for (; lo && lo->name; lo++)
		if (strlen(lo->name) == n && !strncmp(lo->name, name, n))
			return;
	char shown[80];
	opt_name(word, shown, sizeof shown);
	die_usage("unknown option '%s'", shown);
}

char **
wgo_getopt(int argc, char **argv, const char *shortopts, const struct option *lo,
           void (*on_opt)(int c, char *arg), int *npos)
{
	/* Kept reachable from here, so that an exit while parsing leaks nothing. */
	static char **pos;
	pos = xcalloc((size_t)argc + 1, sizeof *pos);
	char so[128];
	int n = 0;

	snprintf(so, sizeof so, "+:%s", shortopts);
	opterr = 0;
	optind = 1;
	for (;;) {
		while (optind < argc && negnum(argv[optind]))
			pos[n++] = argv[optind++];
		int prev = optind;
		/* A word starting "--" here is about to be read as a long option (an
		 * option's value, or a cluster of short options, is never looked at here). */
		if (optind < argc && argv[optind][0] == '-' && argv[optind][1] == '-' &&
		    argv[optind][2])
			exact_long(argv[optind], lo);
		int c = getopt_long(argc, argv, so, lo, NULL);
		if (c == -1) {
			if (optind >= argc)
				break;
			if (optind > prev && !strcmp(argv[optind - 1], "--")) {
				while (optind < argc)
					pos[n++] = argv[optind++];
				break;
			}
			pos[n++] = argv[optind++];
			continue;
		}
		if (c == '?' || c == ':') {
			const char *w = argv[optind - 1];
			char shown[80];
			int islong = w[0] == '-' && w[1] == '-';
			if (islong)
				opt_name(w, shown, sizeof shown);
			else if (optopt > ' ' && optopt < 127)
				snprintf(shown, sizeof shown, "-%c", optopt);
			else
				snprintf(shown, sizeof shown, "-?");
			if (c == ':')
				die_usage("option '%s' needs a value", shown);
			if (islong && strchr(w, '='))
				die_usage("option '%s' takes no value", shown);
			die_usage("unknown option '%s'", shown);
		}
		if (c == WGO_OPT_PROGRESS || c == WGO_OPT_NO_PROGRESS || c == WGO_OPT_SUMMARY) {
			progress_option(c == WGO_OPT_PROGRESS ? "progress"
			                : c == WGO_OPT_SUMMARY ? "summary" : "no-progress");
			continue;
		}
		on_opt(c, optarg);
	}
	*npos = n;
	return pos;
}

void
wgo_opt_now(const char *arg)
{
	int64_t t;
	const char *why;
	if (instant_parse(arg, &t, &why) < 0)
		die_usage("--now: %s", why);
	wgo_set_now(t);
}

void
wgo_help(const char *usage)
{
	if (usage)
		fputs(usage, stdout);
	else
		wgo_version();
	exit(wgo_finish(0));
}
