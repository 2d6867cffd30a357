/* wgo-verify: check orders' signatures against the keyring of office public keys. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: wgo-verify [OPTIONS] [FILE...]\n"
	"Check each order's (and stop's) signature against the keyring: the key id is\n"
	"known, the key is the order's office's, the signature holds over the order's\n"
	"canonical form, the order is in canonical form, and the key was valid on the\n"
	"order's issue date and is not revoked today. Good orders go to standard output;\n"
	"each bad one is reported as FILE:LINE: FIELD: REASON with its order number.\n"
	"\n"
	"Options:\n"
	"  -k, --keyring PATH         a file of public keys, or a directory of *.pub files\n"
	"                             (default $WGO_HOME/keyring)\n"
	"  -r, --rejects FILE         write the orders that fail to FILE, with their reasons\n"
	"  -q, --quiet                do not report each failure\n"
	WGO_PROGRESS_USAGE
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"      --now INSTANT          take this as the current time (revocations are judged on it)\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 every order verified, 1 some did not, 2 usage or operational error.\n";

static const char *opt_keyring, *opt_rejects;
static int opt_quiet;
static struct keyring ring;

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'k': opt_keyring = arg; break;
	case 'r': opt_rejects = arg; break;
	case 'q': opt_quiet = 1; break;
	case 1: wgo_set_home(arg); break;
	case 2: wgo_opt_now(arg); break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

static int
on_order(struct rloop *L, json_t *o, const struct rpos *pos, struct werr *e)
{
	if (order_verify(o, &ring, e) < 0) {
		const char *no = jstr(o, "order_no");
		if (no) {
			size_t n = strlen(e->msg);
			snprintf(e->msg + n, sizeof e->msg - n, " (order %.64s revision %lld)", no,
			         jint(o, "revision", -1));
		}
		return -1;
	}
	if (rec_write(stdout, o) < 0)
		die("<stdout>: write error:");
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "keyring", required_argument, NULL, 'k' },
		{ "rejects", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		WGO_PROGRESS_OPTIONS,
		{ "home", required_argument, NULL, 1 },
		{ "now", required_argument, NULL, 2 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static const char *const kinds[] = { "order", "stop", NULL };
	int npos;
	struct werr e;

	wgo_setprog(argv[0]);
	char **pos = wgo_getopt(argc, argv, "k:r:qhV", lo, on_opt, &npos);
	sign_init();
	wgo_config();
	const char *kv = cfg_get(wgo_config(), "keyring");
	char *kr = opt_keyring ? xstrdup(opt_keyring) : home_path(kv ? kv : "keyring");
	if (!opt_keyring && !kv && access(kr, F_OK) < 0)
		wgo_config_need(NULL); /* no keyring because there is no office at all? */
	if (keyring_load(&ring, kr, &e) < 0)
		die("%s: %s", e.field, e.msg);
	free(kr);
	struct rloop L = { 0 };
	L.cb = on_order;
	L.kinds = kinds;
	L.unit = "orders";
	L.quiet = opt_quiet;
	if (opt_rejects)
		rec_rejects_to(&L, opt_rejects);
	int rc = rec_loop(&L, npos, pos);
	rec_summary(&L, "%lu verified", L.nok);
	if (L.rejects && L.rejects != stderr && fclose(L.rejects) == EOF) {
		warnf("%s: write error:", opt_rejects);
		rc = WGO_EXIT_USAGE;
	}
	keyring_free(&ring);
	free(pos);
	return wgo_finish(rc);
}
