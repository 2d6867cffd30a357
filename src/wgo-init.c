/* wgo-init: a working office in one command: the state directory, its commented
 * configuration, the holiday and branch files, the signing keypair and keyring,
 * and with --sandbox a sandbox bank beside it that the configuration points at. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "wgo.h"

/* The files of src/etc a new office starts from, built in (etc.inc is made from
 * them by the Makefile), so that wgo-init works from a fresh clone as installed. */
#include "etc.inc"

static const char usage_text[] =
	"Usage: wgo-init --office OFFICE [OPTIONS]\n"
	"Make a working office in the state directory: its configuration (wgo.conf,\n"
	"commented), the holiday file, the branch file, the office's signing keypair\n"
	"(sealed with a passphrase asked on the terminal, or read from a file that the\n"
	"configuration then names) and its keyring; with --sandbox, a sandbox bank's\n"
	"state beside it (its tokens, its keyring), the bank's endpoint and the office's\n"
	"token in the configuration. What is there already is kept: run again, it makes\n"
	"only what is missing.\n"
	"\n"
	"Options:\n"
	"  -o, --office OFFICE        HQ, DHK, CTG, RAJ, KHL, BAR, SYL, RNG or MYM\n"
	"  -P, --passphrase-file FILE seal the key with the passphrase in FILE (mode 0600),\n"
	"                             and name FILE in the configuration\n"
	"      --no-passphrase        do not seal the key (a rehearsal, a test)\n"
	"  -H, --holidays FILE        the holiday file to copy (default: the one shipped)\n"
	"      --branches FILE        the branch file to copy (default: Sonali Bank's, shipped)\n"
	"      --sandbox              make a sandbox bank too, and point the configuration at it\n"
	"  -p, --port N               the sandbox's port in bank.endpoint (default 8470)\n"
	"      --home DIR             the state directory to make (default $WGO_HOME)\n"
	"      --now INSTANT          take this as the current time\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Exit status: 0 the office is complete, 2 usage or operational error.\n";

static const char *o_office, *o_pass, *o_holidays, *o_branches;
static int o_nopass, o_sandbox;
static long o_port = 8470;

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'o': o_office = arg; break;
	case 'P': o_pass = arg; break;
	case 1: o_nopass = 1; break;
	case 'H': o_holidays = arg; break;
	case 2: o_branches = arg; break;
	case 3: o_sandbox = 1; break;
	case 'p':
		if (uint_parse(arg, 65535, &o_port) < 0 || o_port == 0)
			die_usage("--port: a port, 1 to 65535");
		break;
	case 4: wgo_set_home(arg); break;
	case 5: wgo_opt_now(arg); break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

/* One line of the report: what was made or kept, and what it is. */
static void
said(int made, const char *what, const char *fmt, ...) WGO_ATTR_FMT(3, 4);

static void
said(int made, const char *what, const char *fmt, ...)
{
	char d[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d, sizeof d, fmt, ap);
	va_end(ap);
	printf("%-5s %-13s %s\n", made ? "made" : "kept", what, d);
}

static int
exists(const char *rel)
{
	struct stat st;
	char *p = home_path(rel);
	int rc = stat(p, &st) == 0;
	free(p);
	return rc;
}

static void
write_file(const char *rel, const void *p, size_t n, mode_t mode)
{
	struct werr e;
	char *path = home_path(rel);
	if (atomic_write(path, p, n, mode, &e) < 0)
		die("%s: %s", e.field, e.msg);
	free(path);
}

static void
make_dir(const char *rel)
{
	struct werr e;
	char *p = home_path(rel);
	if (mkdirs(p, &e) < 0)
		die("%s: %s", e.field, e.msg);
	free(p);
}

/* A whole file into b (at most 64 MiB: a holiday or branch file is small). */
static void
slurp(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "r");
	if (!f)
		die("%s:", path);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_add(b, chunk, n);
		if (b->n > 64u << 20)
			die("%s: larger than 64 MiB", path);
	}
	if (ferror(f))
		die("%s: read error:", path);
	fclose(f);
}

/* The configuration for the office, from wgo.conf.example: its office, its files
 * named, the passphrase's file and the bank, each where the example has it. */
static void
make_config(const char *passfile, struct buf *out)
{
	const char *s = (const char *)etc_wgo_conf_example;
	char today[11];
	date_fmt(wgo_today(), today);
	buf_printf(out, "# The configuration of the %s office (%s), made by wgo-init on %s from\n"
	           "# wgo.conf.example: edit it to suit the office. \"key = value\" lines; a key\n"
	           "# may repeat where it makes a list. An unknown key is an error, so a misspelt\n"
	           "# setting never goes unnoticed. See wgo(7).\n",
	           o_office, office_name(o_office, 0), today);
	int header = 1;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) + 1 : strlen(s);
		char line[1024];
		snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), s);
		s += n;
		/* The example's own heading gives way to the one above. */
		if (header && line[0] == '#')
			continue;
		header = 0;
		if (!strncmp(line, "office = ", 9))
			buf_printf(out, "office = %s\n", o_office);
		else if (!strncmp(line, "#holidays = ", 12))
			buf_adds(out, "holidays = holidays\n");
		else if (!strncmp(line, "#branches = ", 12))
			buf_adds(out, "branches = branches\n");
		else if (!strncmp(line, "#key.passphrase_file = ", 23) && passfile)
			buf_printf(out, "key.passphrase_file = %s\n", passfile);
		else if (!strncmp(line, "#bank.endpoint = ", 17) && o_sandbox)
			buf_printf(out, "# The sandbox bank made by wgo-init (ddp-sandbox(1)).\n"
			           "bank.endpoint = http://127.0.0.1:%ld\n", o_port);
		else if (!strncmp(line, "#bank.token_file = ", 19) && o_sandbox)
			buf_adds(out, "bank.token_file = token\n");
		else if (!strncmp(line, "officer.KHL.", 12))
			buf_printf(out, "officer.%s.%s", o_office, line + 12);
		else
			buf_adds(out, line);
	}
}

/* A bearer token: 32 random bytes in hex, in secret memory. */
static char *
new_token(void)
{
	uint8_t raw[32];
	char *t = secret_alloc(65);
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(t, 65, raw, sizeof raw);
	sodium_memzero(raw, sizeof raw);
	return t;
}

/* The office's keypair: keys/OFFICE.sec (sealed unless --no-passphrase) and .pub,
 * and its public key in the keyring. A key there already is kept, whatever
 * options are given: wgo-init never replaces a key (wgo-keygen rotate does). */
static struct wkey *
make_keys(const char *passfile, int *made)
{
	struct werr e;
	char sec_rel[32], pub_rel[32];
	snprintf(sec_rel, sizeof sec_rel, "keys/%s.sec", o_office);
	snprintf(pub_rel, sizeof pub_rel, "keys/%s.pub", o_office);
	struct wkey *k = secret_alloc(sizeof *k);
	char *sec = home_path(sec_rel), *pub = home_path(pub_rel);
	*made = !exists(sec_rel);
	if (*made) {
		char *pass = secret_alloc(512);
		if (!o_nopass && read_passphrase(passfile, "Passphrase for the office's new key: ", 1,
		                                 pass, 512, &e) < 0)
			die("%s: %s (or give --passphrase-file FILE, or --no-passphrase)", e.field, e.msg);
		make_dir("keys");
		key_generate(k, o_office);
		if (seckey_write(sec, k, o_nopass ? NULL : pass, &e) < 0)
			die("%s: %s", e.field, e.msg);
		secret_free(pass);
		sodium_memzero(k->sk, sizeof k->sk);
		k->has_sk = 0;
		if (pubkey_write(pub, k, &e) < 0)
			die("%s: %s", e.field, e.msg);
	} else {
		struct buf text = { 0 };
		slurp(pub, &text);
		if (pubkey_parse(buf_str(&text), pub, k, &e) < 0)
			die("%s: %s", e.field, e.msg);
		buf_free(&text);
		if (strcmp(k->office, o_office))
			die("%s: the key is %s's, not %s's", pub, k->office, o_office);
	}
	char hex[17];
	keyid_hex(k->id, hex);
	said(*made, sec_rel, "%s", !*made ? "the office's secret key"
	                           : o_nopass ? "the office's secret key, not sealed"
	                           : passfile ? "the office's secret key, sealed (its passphrase in "
	                                        "key.passphrase_file)"
	                                      : "the office's secret key, sealed with the passphrase given");
	said(*made, pub_rel, "its public key, id %s", hex);
	free(sec);
	free(pub);
	return k;
}

/* Add k to the keyring directory rel unless a key with its id is there. */
static void
keyring_has(const char *rel, const struct wkey *k, const char *what)
{
	struct werr e;
	struct keyring ring;
	char *dir = home_path(rel), hex[17];
	keyid_hex(k->id, hex);
	int have = 0;
	struct stat st;
	if (stat(dir, &st) == 0) {
		if (keyring_load(&ring, dir, &e) < 0)
			die("%s: %s", e.field, e.msg);
		have = keyring_find(&ring, k->id) != NULL;
		keyring_free(&ring);
	}
	if (!have && keyring_add(dir, k, &e) < 0)
		die("%s: %s", e.field, e.msg);
	char label[64];
	snprintf(label, sizeof label, "%s/", rel);
	if (what)
		said(!have, label, "%s %s", what, hex);
	free(dir);
}

static void
make_sandbox(const struct wkey *k)
{
	/* The office's token, in its own file, and the sandbox's list of tokens: the
	 * office's, and ADMIN's for the sandbox's own endpoints (ddp-sandbox(1)). */
	int made = !exists("sandbox/tokens");
	if (made) {
		make_dir("sandbox");
		char *office_tok = new_token(), *admin_tok = new_token();
		struct buf t = { 0 };
		buf_printf(&t, "%s\n", office_tok);
		write_file("token", t.p, t.n, 0600);
		sodium_memzero(t.p, t.n);
		t.n = 0;
		buf_printf(&t, "%s %s\nADMIN %s\n", o_office, office_tok, admin_tok);
		write_file("sandbox/tokens", t.p, t.n, 0600);
		sodium_memzero(t.p, t.n);
		buf_free(&t);
		secret_free(office_tok);
		secret_free(admin_tok);
	} else if (!exists("token")) {
		char *p = home_path("token");
		die("%s: missing, though the sandbox's tokens are there: copy the %s line's token "
		    "of sandbox/tokens into it (mode 0600)", p, o_office);
	}
	said(made, "token", "the office's bearer token for the sandbox bank");
	keyring_has("sandbox/keyring", k, NULL);
	said(made, "sandbox/", "the sandbox bank's state: its tokens (%s's, ADMIN's) and keyring",
	     o_office);
}

/* The settings an existing configuration lacks that this run would write: added
 * at its end, never changing what it holds. */
static void
complete_config(const char *passfile)
{
	struct cfg *c = wgo_config();
	const char *had = cfg_get(c, "office");
	if (had && strcmp(had, o_office))
		die("%s: the configuration is %s's office, not %s's", c->path, had, o_office);
	/* A key sealed with one passphrase and a configuration naming another is an
	 * office that cannot sign: said before anything is made. */
	const char *pf = cfg_get(c, "key.passphrase_file");
	if (passfile && !o_nopass && pf) {
		char *p = home_path(pf), real[PATH_MAX];
		int same = realpath(p, real) && !strcmp(real, passfile);
		if (!same)
			die("%s: key.passphrase_file is %s, not %s: give -P %s, or change the configuration",
			    c->path, p, passfile, p);
		free(p);
	}
	/* With --sandbox, settings that point elsewhere are kept, and said. */
	char want[64];
	snprintf(want, sizeof want, "http://127.0.0.1:%ld", o_port);
	const char *ep = cfg_get(c, "bank.endpoint"), *tf = cfg_get(c, "bank.token_file");
	if (o_sandbox && ep && strncmp(ep, "http://127.0.0.1:", 17))
		warnf("%s: bank.endpoint is %s, kept: the programs reach that bank, not the sandbox at %s",
		      c->path, ep, want);
	if (o_sandbox && tf && strcmp(tf, "token"))
		warnf("%s: bank.token_file is %s, kept: the sandbox's token is in token", c->path, tf);
	struct buf add = { 0 }, keys = { 0 };
	if (!had)
		buf_printf(&add, "office = %s\n", o_office), buf_adds(&keys, ", office");
	if (passfile && !o_nopass && !cfg_get(c, "key.passphrase_file"))
		buf_printf(&add, "key.passphrase_file = %s\n", passfile),
			buf_adds(&keys, ", key.passphrase_file");
	if (o_sandbox && !cfg_get(c, "bank.endpoint"))
		buf_printf(&add, "bank.endpoint = http://127.0.0.1:%ld\n", o_port),
			buf_adds(&keys, ", bank.endpoint");
	if (o_sandbox && !cfg_get(c, "bank.token_file"))
		buf_adds(&add, "bank.token_file = token\n"), buf_adds(&keys, ", bank.token_file");
	if (!add.n) {
		said(0, "wgo.conf", "the configuration of the %s office", o_office);
		buf_free(&keys);
		return;
	}
	struct buf all = { 0 };
	slurp(c->path, &all);
	if (all.n && all.p[all.n - 1] != '\n')
		buf_addc(&all, '\n');
	buf_adds(&all, "\n# Added by wgo-init.\n");
	buf_add(&all, add.p, add.n);
	write_file("wgo.conf", all.p, all.n, 0600);
	said(0, "wgo.conf", "the configuration, completed with %s", buf_str(&keys) + 2);
	buf_free(&all);
	buf_free(&add);
	buf_free(&keys);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "office", required_argument, NULL, 'o' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "no-passphrase", no_argument, NULL, 1 },
		{ "holidays", required_argument, NULL, 'H' },
		{ "branches", required_argument, NULL, 2 },
		{ "sandbox", no_argument, NULL, 3 },
		{ "port", required_argument, NULL, 'p' },
		{ "home", required_argument, NULL, 4 },
		{ "now", required_argument, NULL, 5 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int npos;
	struct werr e;

	wgo_setprog(argv[0]);
	secrets_protect(); /* the new secret key, its passphrase, the sandbox's tokens */
	char **pos = wgo_getopt(argc, argv, "o:P:H:p:hV", lo, on_opt, &npos);
	if (npos)
		die_usage("unexpected argument '%s'", pos[0]);
	if (!o_office)
		die_usage("--office is needed: HQ, DHK, CTG, RAJ, KHL, BAR, SYL, RNG or MYM");
	if (!office_valid(o_office))
		die_usage("--office: unknown office '%s' (HQ, DHK, CTG, RAJ, KHL, BAR, SYL, RNG, MYM)",
		          o_office);
	if (o_nopass && o_pass)
		die_usage("--no-passphrase and --passphrase-file contradict each other");
	sign_init();

	/* The passphrase's file, by its full name (the configuration is read from
	 * any directory), checked as every secret file is before anything is made. */
	char passfile[PATH_MAX] = "", *pass = NULL;
	if (o_pass) {
		pass = secret_alloc(512);
		if (read_passphrase(o_pass, "", 0, pass, 512, &e) < 0)
			die("%s: %s", e.field, e.msg);
		secret_free(pass);
		if (!realpath(o_pass, passfile))
			die("%s:", o_pass);
	}
	/* The files to copy are checked before anything is made, too. */
	struct buf hol = { 0 }, br = { 0 };
	const char *hol_what = "the public holidays of Bangladesh, 2026 (edit it each year)";
	if (o_holidays) {
		struct calendar c;
		cal_init(&c);
		if (cal_load(&c, o_holidays, &e) < 0)
			die("%s: %s", e.field, e.msg);
		cal_free(&c);
		slurp(o_holidays, &hol);
		hol_what = "the holiday file given";
	} else {
		buf_adds(&hol, (const char *)etc_holidays_bd_2026_txt);
	}
	struct branches b;
	if (o_branches) {
		if (branches_load(&b, o_branches, &e) < 0)
			die("%s: %s", e.field, e.msg);
		branches_free(&b);
		slurp(o_branches, &br);
	} else {
		buf_adds(&br, (const char *)etc_branches_sonali_tsv);
	}

	const char *home = wgo_home();
	if (mkdirs(home, &e) < 0)
		die("%s: %s", e.field, e.msg);
	/* Two runs at once make one office. */
	char *lockp = home_path(".wgo-init.lock");
	if (lock_file(lockp, 0, &e) < 0)
		die("%s: %s", e.field, e.msg);
	printf("The %s office (%s) in %s:\n", o_office, office_name(o_office, 0), home);

	if (!exists("wgo.conf")) {
		struct buf conf = { 0 };
		make_config(*passfile && !o_nopass ? passfile : NULL, &conf);
		write_file("wgo.conf", conf.p, conf.n, 0600);
		buf_free(&conf);
		said(1, "wgo.conf", "the configuration of the %s office", o_office);
	} else {
		complete_config(*passfile ? passfile : NULL);
	}
	int made = !exists("holidays");
	if (made)
		write_file("holidays", hol.p, hol.n, 0644);
	said(made, "holidays", "%s", made ? hol_what : "the holiday file");
	made = !exists("branches");
	if (made)
		write_file("branches", br.p, br.n, 0644);
	said(made, "branches", "%s", made && !o_branches ? "Sonali Bank's branches (add Bengali "
	                                                    "names of the office's own)"
	                             : "the branch file");
	buf_free(&hol);
	buf_free(&br);

	/* Everything above is read back the way the programs will read it. */
	struct calendar cal;
	if (wgo_calendar(&cal, NULL, &e) < 0)
		die("%s: %s", e.field, e.msg);
	cal_free(&cal);
	if (wgo_branches(&b, NULL, &e) < 0)
		die("%s: %s", e.field, e.msg);
	branches_free(&b);

	struct wkey *k = make_keys(*passfile ? passfile : NULL, &made);
	keyring_has("keyring", k, "the office's keyring, with key");
	if (o_sandbox)
		make_sandbox(k);
	secret_free(k);

	if (o_sandbox) {
		printf("Start the sandbox bank, and it answers at bank.endpoint:\n"
		       "  ddp-sandbox --state %s/sandbox --keyring %s/sandbox/keyring --port %ld &\n",
		       home, home, o_port);
	} else {
		printf("Set bank.endpoint and bank.token_file in wgo.conf to reach the bank.\n");
	}
	free(lockp);
	free(pos);
	return wgo_finish(0);
}
