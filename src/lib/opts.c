/* Option parsing shared by every program: options may come before or after the
 * arguments, a negative number is an argument, and errors read "prog: ...". */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "wgo.h"

static int
negnum(const char *s)
{
	return s[0] == '-' && ((s[1] >= '0' && s[1] <= '9') || !strncmp(s + 1, "\xe0\xa7", 2));
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
		if (c == '?') {
			if (optopt)
				die_usage("unknown option '-%c'", optopt);
			die_usage("unknown option '%s'", argv[optind - 1]);
		}
		if (c == ':')
			die_usage("option '%s' needs a value", argv[optind - 1]);
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
