/* wgo-keygen: make an office's Ed25519 signing keypair. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: wgo-keygen --office OFFICE [OPTIONS]\n"
	"Make an office's signing keypair: the secret key (mode 0600, sealed with a\n"
	"passphrase unless --no-passphrase) and the public key, which is also added to\n"
	"the keyring. Prints the public key, whose comment line holds the key id.\n"
	"\n"
	"Options:\n"
	"  -o, --office OFFICE        HQ, DHK, CTG, RAJ, KHL, BAR, SYL, RNG or MYM\n"
	"  -s, --secret FILE          where the secret key goes (default $WGO_HOME/keys/OFFICE.sec)\n"
	"  -p, --public FILE          where the public key goes (default $WGO_HOME/keys/OFFICE.pub)\n"
	"  -P, --passphrase-file FILE seal the secret key with the passphrase in FILE (mode 0600)\n"
	"      --no-passphrase        do not seal the secret key\n"
	"      --no-keyring           do not add the public key to $WGO_HOME/keyring\n"
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Without --passphrase-file or --no-passphrase, the passphrase is asked for twice\n"
	"on the terminal.\n"
	"\n"
	"Exit status: 0 the keys were made, 2 usage or operational error.\n";

static const char *opt_office, *opt_sec, *opt_pub, *opt_pass;
static int opt_nopass, opt_nokeyring;

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'o': opt_office = arg; break;
	case 's': opt_sec = arg; break;
	case 'p': opt_pub = arg; break;
	case 'P': opt_pass = arg; break;
	case 1: opt_nopass = 1; break;
	case 2: opt_nokeyring = 1; break;
	case 3: wgo_set_home(arg); break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

static char *
default_path(const char *dir, const char *name, const char *ext)
{
	char *rel = xmalloc(strlen(dir) + strlen(name) + strlen(ext) + 3);
	sprintf(rel, "%s/%s%s", dir, name, ext);
	char *p = home_path(rel);
	free(rel);
	return p;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "office", required_argument, NULL, 'o' },
		{ "secret", required_argument, NULL, 's' },
		{ "public", required_argument, NULL, 'p' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "no-passphrase", no_argument, NULL, 1 },
		{ "no-keyring", no_argument, NULL, 2 },
		{ "home", required_argument, NULL, 3 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int npos;
	struct werr e;

	wgo_setprog(argv[0]);
	secrets_protect(); /* the new secret key and its passphrase */
	char **pos = wgo_getopt(argc, argv, "o:s:p:P:hV", lo, on_opt, &npos);
	if (npos)
		die_usage("unexpected argument '%s'", pos[0]);
	free(pos);
	if (!opt_office)
		die_usage("--office is needed");
	if (!office_valid(opt_office))
		die_usage("--office: unknown office '%s' (HQ, DHK, CTG, RAJ, KHL, BAR, SYL, RNG, MYM)",
		          opt_office);
	if (opt_nopass && opt_pass)
		die_usage("--no-passphrase and --passphrase-file contradict each other");
	sign_init();

	char *pass = secret_alloc(512);
	if (!opt_nopass && read_passphrase(opt_pass, "Passphrase for the new key: ", 1, pass,
	                                   512, &e) < 0)
		die("%s: %s (or use --no-passphrase)", e.field, e.msg);

	char *sec = opt_sec ? xstrdup(opt_sec) : default_path("keys", opt_office, ".sec");
	char *pub = opt_pub ? xstrdup(opt_pub) : default_path("keys", opt_office, ".pub");
	if (!opt_sec || !opt_pub) {
		char *d = home_path("keys");
		if (mkdirs(d, &e) < 0)
			die("%s: %s", e.field, e.msg);
		free(d);
	}
	struct wkey *k = secret_alloc(sizeof *k);
	key_generate(k, opt_office);
	int rc = seckey_write(sec, k, opt_nopass ? NULL : pass, &e);
	secret_free(pass);
	if (rc < 0)
		die("%s: %s", e.field, e.msg);
	sodium_memzero(k->sk, sizeof k->sk);
	k->has_sk = 0;
	if (pubkey_write(pub, k, &e) < 0)
		die("%s: %s", e.field, e.msg);
	if (!opt_nokeyring) {
		char hex[17], name[40];
		keyid_hex(k->id, hex);
		snprintf(name, sizeof name, "%s-%s", k->office, hex);
		char *d = home_path("keyring"), *kr = default_path("keyring", name, ".pub");
		if (mkdirs(d, &e) < 0 || pubkey_write(kr, k, &e) < 0)
			die("%s: %s", e.field, e.msg);
		free(d);
		free(kr);
	}
	struct buf b = { 0 };
	pubkey_text(k, &b);
	secret_free(k);
	fwrite(b.p, 1, b.n, stdout);
	buf_free(&b);
	free(sec);
	free(pub);
	return wgo_finish(0);
}
