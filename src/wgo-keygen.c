/* wgo-keygen: make an office's Ed25519 signing keypair, rotate it, revoke a key, and
 * list the keyring with each key's validity. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: wgo-keygen --office OFFICE [OPTIONS]\n"
	"       wgo-keygen rotate --office OFFICE [--date DATE] [OPTIONS]\n"
	"       wgo-keygen revoke KEYID [--date DATE] [--keyring PATH]\n"
	"       wgo-keygen list [--keyring PATH]\n"
	"Make an office's signing keypair: the secret key (mode 0600, sealed with a\n"
	"passphrase unless --no-passphrase) and the public key, which is also added to\n"
	"the keyring. Prints the public key, whose comment line holds the key id.\n"
	"rotate makes the office a new keypair in place of its current one: the new key\n"
	"is valid from DATE, the old one retired from DATE (orders issued before it still\n"
	"verify). revoke marks a key revoked from DATE: from that day on nothing it\n"
	"signed is trusted. list prints each key of the keyring with its dates.\n"
	"\n"
	"Options:\n"
	"  -o, --office OFFICE        HQ, DHK, CTG, RAJ, KHL, BAR, SYL, RNG or MYM\n"
	"  -s, --secret FILE          where the secret key goes (default $WGO_HOME/keys/OFFICE.sec)\n"
	"  -p, --public FILE          where the public key goes (default $WGO_HOME/keys/OFFICE.pub)\n"
	"  -P, --passphrase-file FILE seal the secret key with the passphrase in FILE (mode 0600)\n"
	"      --no-passphrase        do not seal the secret key\n"
	"      --no-keyring           do not add the public key to the keyring\n"
	"  -k, --keyring PATH         the keyring, a file or a directory (default $WGO_HOME/keyring)\n"
	"  -d, --date DATE            a new key: valid from DATE; rotate: the day of the change\n"
	"                             (default today); revoke: revoked from DATE (default today)\n"
	"      --home DIR             state directory (default $WGO_HOME)\n"
	"      --now INSTANT          take this as the current time\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Without --passphrase-file or --no-passphrase, the passphrase is read from the file\n"
	"key.passphrase_file in wgo.conf names, or else asked for twice on the terminal.\n"
	"--office defaults to the configuration's office.\n"
	"\n"
	"Exit status: 0 done, 2 usage or operational error.\n";

static const char *opt_office, *opt_sec, *opt_pub, *opt_pass, *opt_keyring, *opt_date;
static int opt_nopass, opt_nokeyring;

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'o': opt_office = arg; break;
	case 's': opt_sec = arg; break;
	case 'p': opt_pub = arg; break;
	case 'P': opt_pass = arg; break;
	case 'k': opt_keyring = arg; break;
	case 'd': opt_date = arg; break;
	case 1: opt_nopass = 1; break;
	case 2: opt_nokeyring = 1; break;
	case 3: wgo_set_home(arg); break;
	case 4: wgo_opt_now(arg); break;
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

static char *
keyring_path(void)
{
	const char *kv = cfg_get(wgo_config(), "keyring");
	return opt_keyring ? xstrdup(opt_keyring) : home_path(kv ? kv : "keyring");
}

static wdate
date_arg(void)
{
	wdate d;
	const char *why;
	if (!opt_date)
		return wgo_today();
	if (date_parse(opt_date, &d, &why) < 0)
		die_usage("--date: %s", why);
	return d;
}

static void
need_office(void)
{
	if (!opt_office)
		opt_office = cfg_get(wgo_config(), "office"); /* the office's own */
	if (!opt_office)
		die_usage("--office is needed (or office in wgo.conf)");
	if (!office_valid(opt_office))
		die_usage("--office: unknown office '%s' (HQ, DHK, CTG, RAJ, KHL, BAR, SYL, RNG, MYM)",
		          opt_office);
	if (opt_nopass && opt_pass)
		die_usage("--no-passphrase and --passphrase-file contradict each other");
}

/* A new keypair of the office in secret memory, its secret key written to sec
 * (sealed unless --no-passphrase), its public key to pub. */
static struct wkey *
make_pair(const char *sec, const char *pub)
{
	struct werr e;
	char *pass = secret_alloc(512);
	/* The office's passphrase file seals its new key too, unless told otherwise. */
	const char *cf = opt_pass || opt_nopass ? NULL : cfg_get(wgo_config(), "key.passphrase_file");
	char *pf = cf ? home_path(cf) : NULL;
	if (!opt_nopass && read_passphrase(opt_pass ? opt_pass : pf, "Passphrase for the new key: ",
	                                   !pf, pass, 512, &e) < 0)
		die("%s: %s (or use --no-passphrase)", e.field, e.msg);
	free(pf);
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
	return k;
}

static void
make_keys_dir(void)
{
	struct werr e;
	if (!opt_sec || !opt_pub) {
		char *d = home_path("keys");
		if (mkdirs(d, &e) < 0)
			die("%s: %s", e.field, e.msg);
		free(d);
	}
}

static void
print_pub(const struct wkey *k)
{
	struct buf b = { 0 };
	pubkey_text(k, &b);
	fwrite(b.p, 1, b.n, stdout);
	buf_free(&b);
}

static int
cmd_make(void)
{
	struct werr e;
	need_office();
	char *sec = opt_sec ? xstrdup(opt_sec) : default_path("keys", opt_office, ".sec");
	char *pub = opt_pub ? xstrdup(opt_pub) : default_path("keys", opt_office, ".pub");
	make_keys_dir();
	struct wkey *k = make_pair(sec, pub);
	if (opt_date) {
		k->dates |= KEY_FROM;
		k->valid_from = date_arg();
	}
	if (!opt_nokeyring) {
		char *kr = keyring_path();
		if (keyring_add(kr, k, &e) < 0)
			die("%s: %s", e.field, e.msg);
		free(kr);
	}
	print_pub(k);
	secret_free(k);
	free(sec);
	free(pub);
	return 0;
}

/* The office's key now: the public key file beside its secret key. */
static void
current_key(const char *pub, struct wkey *k)
{
	char text[1024];
	struct werr e;
	FILE *f = fopen(pub, "r");
	if (!f) {
		if (errno == ENOENT)
			die("%s: no key to rotate (make one with wgo-keygen --office %s)", pub, opt_office);
		die("%s:", pub);
	}
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = 0;
	if (pubkey_parse(text, pub, k, &e) < 0)
		die("%s: %s", e.field, e.msg);
	if (strcmp(k->office, opt_office))
		die("%s: the key is %s's, not %s's", pub, k->office, opt_office);
}

static int
cmd_rotate(void)
{
	struct werr e;
	need_office();
	if (opt_nokeyring)
		die_usage("rotate retires the old key in the keyring: --no-keyring makes no sense");
	wdate day = date_arg();
	char *sec = opt_sec ? xstrdup(opt_sec) : default_path("keys", opt_office, ".sec");
	char *pub = opt_pub ? xstrdup(opt_pub) : default_path("keys", opt_office, ".pub");
	char *kr = keyring_path();
	struct wkey old;
	current_key(pub, &old);
	struct keyring ring;
	if (keyring_load(&ring, kr, &e) < 0)
		die("%s: %s", e.field, e.msg);
	char oh[17], nh[17], ds[11];
	keyid_hex(old.id, oh);
	const struct wkey *ok = keyring_find(&ring, old.id);
	if (!ok)
		die("%s: the office's key %s is not in the keyring: nothing to retire", kr, oh);
	/* A revoked key (one that was stolen, say) needs no retiring; a retired one
	 * means the office's key files are not the ones the keyring expects. */
	int revoked = (ok->dates & KEY_REVOKED) != 0;
	if (!revoked && (ok->dates & KEY_RETIRED))
		die("%s: key %s is retired already (is %s the office's key?)", kr, oh, pub);
	keyring_free(&ring);
	/* The new pair beside the old one, then in its place: an interrupted rotation
	 * leaves the office's key as it was (and the .new files, which stop the next
	 * one until they are removed). */
	struct buf sn = { 0 }, pn = { 0 };
	buf_printf(&sn, "%s.new", sec);
	buf_printf(&pn, "%s.new", pub);
	struct wkey *k = make_pair(buf_str(&sn), buf_str(&pn));
	k->dates |= KEY_FROM;
	k->valid_from = day;
	if (keyring_add(kr, k, &e) < 0 ||
	    (!revoked && keyring_set_date(kr, old.id, KEY_RETIRED, day, &e) < 0))
		die("%s: %s", e.field, e.msg);
	if (rename(buf_str(&sn), sec) < 0)
		die("%s:", sec);
	if (rename(buf_str(&pn), pub) < 0)
		die("%s:", pub);
	keyid_hex(k->id, nh);
	date_fmt(day, ds);
	if (revoked)
		warnf("%s: key %s was revoked; key %s valid from %s", opt_office, oh, nh, ds);
	else
		warnf("%s: key %s retired from %s; key %s valid from %s", opt_office, oh, ds, nh, ds);
	print_pub(k);
	secret_free(k);
	buf_free(&sn);
	buf_free(&pn);
	free(sec);
	free(pub);
	free(kr);
	return 0;
}

static int
cmd_revoke(const char *hex)
{
	struct werr e;
	uint8_t id[8];
	size_t bl;
	if (strlen(hex) != 16 || sodium_hex2bin(id, 8, hex, 16, NULL, &bl, NULL) < 0 || bl != 8)
		die_usage("revoke: a key id is 16 hex digits (wgo-keygen list shows them)");
	wdate day = date_arg();
	char *kr = keyring_path();
	struct keyring ring;
	if (keyring_load(&ring, kr, &e) < 0)
		die("%s: %s", e.field, e.msg);
	const struct wkey *k = keyring_find(&ring, id);
	if (!k)
		die("%s: no key %s in the keyring", kr, hex);
	if ((k->dates & KEY_REVOKED) && k->revoked <= day)
		die("%s: key %s is revoked already", kr, hex);
	char office[5], ds[11];
	snprintf(office, sizeof office, "%s", k->office);
	keyring_free(&ring);
	if (keyring_set_date(kr, id, KEY_REVOKED, day, &e) < 0)
		die("%s: %s", e.field, e.msg);
	date_fmt(day, ds);
	warnf("%s: key %s revoked from %s: nothing it signed is trusted from then on", office, hex, ds);
	/* The office's own key? Then it has none to sign with until it rotates. */
	char *pub = default_path("keys", office, ".pub");
	FILE *f = fopen(pub, "r");
	if (f) {
		char text[1024];
		size_t n = fread(text, 1, sizeof text - 1, f);
		struct wkey cur;
		fclose(f);
		text[n] = 0;
		if (pubkey_parse(text, pub, &cur, &e) == 0 && !memcmp(cur.id, id, 8))
			warnf("%s: it is %s's current key: make a new one with wgo-keygen rotate --office %s, "
			      "and issue again what it signed", pub, office, office);
	}
	free(pub);
	free(kr);
	return 0;
}

/* The keys by office, then by the day each took effect (one valid from the
 * start first), then by id: the order they came in, whatever the directory's. */
static int
key_order(const void *a, const void *b)
{
	const struct wkey *x = *(const struct wkey *const *)a, *y = *(const struct wkey *const *)b;
	int c = strcmp(x->office, y->office);
	if (c)
		return c;
	wdate fx = x->dates & KEY_FROM ? x->valid_from : HIST_ALWAYS;
	wdate fy = y->dates & KEY_FROM ? y->valid_from : HIST_ALWAYS;
	if (fx != fy)
		return fx < fy ? -1 : 1;
	return memcmp(x->id, y->id, sizeof x->id);
}

static int
cmd_list(void)
{
	struct werr e;
	char *kr = keyring_path();
	struct keyring ring;
	if (keyring_load(&ring, kr, &e) < 0)
		die("%s: %s", e.field, e.msg);
	printf("office\tkey_id\tvalid_from\tretired\trevoked\tnow\n");
	const struct wkey **keys = xcalloc(ring.n + 1, sizeof *keys);
	for (size_t i = 0; i < ring.n; i++)
		keys[i] = &ring.k[i];
	qsort(keys, ring.n, sizeof *keys, key_order);
	for (size_t i = 0; i < ring.n; i++) {
		const struct wkey *k = keys[i];
		char hex[17], d[3][11];
		keyid_hex(k->id, hex);
		const wdate *dates[] = { &k->valid_from, &k->retired, &k->revoked };
		const unsigned bits[] = { KEY_FROM, KEY_RETIRED, KEY_REVOKED };
		for (int w = 0; w < 3; w++) {
			if (k->dates & bits[w])
				date_fmt(*dates[w], d[w]);
			else
				snprintf(d[w], sizeof d[w], "-");
		}
		/* What it may sign today. */
		const char *now = key_revoked(k, ring.today, &e) < 0 ? "revoked"
		                  : key_valid_on(k, ring.today, ring.today, "", &e) == 0 ? "valid"
		                  : (k->dates & KEY_FROM) && ring.today < k->valid_from ? "not yet valid"
		                  : "retired";
		printf("%s\t%s\t%s\t%s\t%s\t%s\n", k->office, hex, d[0], d[1], d[2], now);
	}
	free(keys);
	keyring_free(&ring);
	free(kr);
	return 0;
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
		{ "keyring", required_argument, NULL, 'k' },
		{ "date", required_argument, NULL, 'd' },
		{ "home", required_argument, NULL, 3 },
		{ "now", required_argument, NULL, 4 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int npos;

	wgo_setprog(argv[0]);
	secrets_protect(); /* the new secret key and its passphrase */
	char **pos = wgo_getopt(argc, argv, "o:s:p:P:k:d:hV", lo, on_opt, &npos);
	const char *cmd = npos ? pos[0] : "make";
	sign_init();
	wgo_config();
	int rc;
	if (!strcmp(cmd, "make") && npos == 0) {
		rc = cmd_make();
	} else if (!strcmp(cmd, "rotate") && npos == 1) {
		rc = cmd_rotate();
	} else if (!strcmp(cmd, "revoke") && npos == 2) {
		if (opt_office || opt_sec || opt_pub || opt_pass || opt_nopass || opt_nokeyring)
			die_usage("revoke takes a key id, --date and --keyring");
		rc = cmd_revoke(pos[1]);
	} else if (!strcmp(cmd, "list") && npos == 1) {
		if (opt_office || opt_sec || opt_pub || opt_pass || opt_nopass || opt_nokeyring || opt_date)
			die_usage("list takes --keyring only");
		rc = cmd_list();
	} else if (!strcmp(cmd, "revoke")) {
		die_usage("revoke takes one key id");
	} else if (!strcmp(cmd, "rotate") || !strcmp(cmd, "list")) {
		die_usage("%s takes no arguments", cmd);
	} else {
		die_usage("unexpected argument (the commands are rotate, revoke and list)");
	}
	free(pos);
	return wgo_finish(rc);
}
