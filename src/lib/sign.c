/* Office signing keys (Ed25519, signify-style files), passphrases, and the
 * signature of an order over its RFC 8785 canonical form. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "wgo.h"

#define PUB_LEN (2 + 8 + 4 + 32)
#define SEC_LEN (2 + 2 + 8 + 8 + 16 + 24 + 8 + 4 + 64 + 16)

void
sign_init(void)
{
	if (sodium_init() < 0)
		die("libsodium failed to initialise");
}

void
keyid_hex(const uint8_t id[8], char out[17])
{
	static const char hx[] = "0123456789abcdef";
	for (int i = 0; i < 8; i++) {
		out[2 * i] = hx[id[i] >> 4];
		out[2 * i + 1] = hx[id[i] & 15];
	}
	out[16] = 0;
}

static int
hex_keyid(const char *s, uint8_t id[8])
{
	size_t n;
	if (!s || strlen(s) != 16 || sodium_hex2bin(id, 8, s, 16, NULL, &n, NULL) < 0 || n != 8)
		return -1;
	return 0;
}

static void
derive_id(const uint8_t pk[32], uint8_t id[8])
{
	uint8_t h[16];
	crypto_generichash(h, sizeof h, pk, 32, NULL, 0);
	memcpy(id, h, 8);
}

int
key_generate(struct wkey *k, const char *office)
{
	memset(k, 0, sizeof *k);
	snprintf(k->office, sizeof k->office, "%s", office);
	crypto_sign_keypair(k->pk, k->sk);
	derive_id(k->pk, k->id);
	k->has_sk = 1;
	return 0;
}

void
key_wipe(struct wkey *k)
{
	sodium_memzero(k, sizeof *k);
}

/* ---- files ---- */

int
secret_fd_check(int fd, const char *path, struct werr *e)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return werr_set(e, path, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return werr_set(e, path, "not a regular file");
	if (st.st_mode & 077)
		return werr_set(e, path, "readable by group or others (mode %04o): chmod 600 it",
		                (unsigned)(st.st_mode & 07777));
	return 0;
}

/* The rest of a descriptor (at most cap-1 bytes), NUL-terminated; where is what
 * messages call it. */
static int
read_rest(int fd, const char *where, char *out, size_t cap, struct werr *e)
{
	size_t n = 0;
	ssize_t r;
	while (n + 1 < cap && (r = read(fd, out + n, cap - 1 - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return werr_set(e, where, "%s", strerror(errno));
		}
		n += (size_t)r;
	}
	out[n] = 0;
	if (n + 1 >= cap)
		return werr_set(e, where, "too long for a secret");
	return 0;
}

/* Reads a whole secret file (at most cap-1 bytes) after checking its mode. */
int
secret_read(const char *path, char *out, size_t cap, struct werr *e)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC); /* a FIFO: no wait */
	if (fd < 0) {
		int err = errno;
		struct stat st;
		if (err == ELOOP && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			return werr_set(e, path, "a symbolic link: secrets are read only from the file "
			                "itself, never through a link (give its real path)");
		return werr_set(e, path, "%s", strerror(err));
	}
	int rc = secret_fd_check(fd, path, e);
	if (rc == 0)
		rc = read_rest(fd, path, out, cap, e);
	close(fd);
	return rc;
}

int
secret_read_opt(const char *opt, const char *path, char *out, size_t cap, struct werr *e)
{
	if (secret_read(path, out, cap, e) == 0)
		return 0;
	/* A name that is no file may be the secret itself, typed where its file's
	 * name should have been: it is not repeated. */
	struct stat st;
	if (lstat(path, &st) < 0)
		werr_set(e, opt, "no such file (the name given is not repeated, in case it is the "
		         "secret itself)");
	return -1;
}

int
secret_read_fd(int fd, char *out, size_t cap, struct werr *e)
{
	char where[32];
	struct stat st;
	snprintf(where, sizeof where, "descriptor %d", fd);
	int rc;
	if (fstat(fd, &st) < 0)
		return werr_set(e, where, "%s", strerror(errno)); /* not open: nothing to close */
	/* A pipe or a socket is the caller's own; a file must be as private as a
	 * secret file given by name. */
	if (S_ISREG(st.st_mode))
		rc = secret_fd_check(fd, where, e);
	else if (S_ISDIR(st.st_mode))
		rc = werr_set(e, where, "a directory");
	else
		rc = 0;
	if (rc == 0)
		rc = read_rest(fd, where, out, cap, e);
	close(fd);
	return rc;
}

static int
write_excl(const char *path, const char *text, mode_t mode, struct werr *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return werr_set(e, path, "%s", strerror(errno));
	size_t n = strlen(text);
	if (write(fd, text, n) != (ssize_t)n || fsync(fd) < 0) {
		int err = errno;
		close(fd);
		unlink(path);
		return werr_set(e, path, "write error: %s", strerror(err));
	}
	if (close(fd) < 0)
		return werr_set(e, path, "%s", strerror(errno));
	return 0;
}

static void
b64line(struct buf *b, const uint8_t *p, size_t n)
{
	b64_encode(p, n, b);
	buf_addc(b, '\n');
}

void
pubkey_text(const struct wkey *k, struct buf *b)
{
	uint8_t blob[PUB_LEN];
	char hex[17];
	keyid_hex(k->id, hex);
	memcpy(blob, "Ed", 2);
	memcpy(blob + 2, k->id, 8);
	memset(blob + 10, 0, 4);
	memcpy(blob + 10, k->office, strlen(k->office) < 4 ? strlen(k->office) : 4);
	memcpy(blob + 14, k->pk, 32);
	buf_printf(b, "untrusted comment: wgo public key %s %s\n", k->office, hex);
	b64line(b, blob, sizeof blob);
}

int
pubkey_write(const char *path, const struct wkey *k, struct werr *e)
{
	struct buf b = { 0 };
	pubkey_text(k, &b);
	int rc = write_excl(path, buf_str(&b), 0644, e);
	buf_free(&b);
	return rc;
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void
put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

int
seckey_write(const char *path, const struct wkey *k, const char *pass, struct werr *e)
{
	uint8_t blob[SEC_LEN], key[32] = { 0 };
	uint8_t *p = blob;
	uint64_t ops = crypto_pwhash_OPSLIMIT_INTERACTIVE, mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	memcpy(p, "Ed", 2);
	memcpy(p + 2, pass ? "A2" : "NO", 2);
	put64(p + 4, pass ? ops : 0);
	put64(p + 12, pass ? mem : 0);
	uint8_t *salt = p + 20, *nonce = p + 36, *id = p + 60, *office = p + 68, *box = p + 72;
	randombytes_buf(salt, 16);
	randombytes_buf(nonce, 24);
	memcpy(id, k->id, 8);
	memset(office, 0, 4);
	memcpy(office, k->office, strlen(k->office) < 4 ? strlen(k->office) : 4);
	if (pass && crypto_pwhash(key, sizeof key, pass, strlen(pass), salt, ops, (size_t)mem,
	                          crypto_pwhash_ALG_ARGON2ID13) != 0)
		return werr_set(e, path, "out of memory deriving the key from the passphrase");
	/* Without a passphrase the box still carries a MAC: damage is detected. */
	crypto_secretbox_easy(box, k->sk, 64, nonce, key);
	sodium_memzero(key, sizeof key);
	char hex[17];
	keyid_hex(k->id, hex);
	struct buf b = { 0 };
	buf_printf(&b, "untrusted comment: wgo secret key %s %s%s\n", k->office, hex,
	           pass ? "" : " (no passphrase)");
	b64line(&b, blob, sizeof blob);
	int rc = write_excl(path, buf_str(&b), 0600, e);
	sodium_memzero(b.p, b.n);
	buf_free(&b);
	sodium_memzero(blob, sizeof blob);
	return rc;
}

/* Two lines: a comment, then base64; returns the decoded blob's length. */
static int
key_blob(const char *text, const char *what, uint8_t *out, size_t cap, const char *path,
         struct werr *e)
{
	const char *nl = strchr(text, '\n');
	if (strncmp(text, "untrusted comment: ", 19) || !nl)
		return werr_set(e, path, "not a wgo %s key (no comment line)", what);
	const char *b = nl + 1;
	size_t n = strcspn(b, "\n");
	struct buf d = { 0 };
	int rc;
	if (b64_decode(b, n, &d) < 0 || d.n > cap) {
		rc = werr_set(e, path, "not a wgo %s key (bad base64)", what);
	} else {
		memcpy(out, d.p, d.n);
		rc = (int)d.n;
	}
	if (d.p)
		sodium_memzero(d.p, d.cap);
	buf_free(&d);
	return rc;
}

int
pubkey_parse(const char *text, const char *path, struct wkey *k, struct werr *e)
{
	uint8_t blob[PUB_LEN + 1], id[8];
	int n = key_blob(text, "public", blob, sizeof blob, path, e);
	if (n < 0)
		return -1;
	if (n != PUB_LEN || memcmp(blob, "Ed", 2))
		return werr_set(e, path, "not a wgo public key (wrong length or algorithm)");
	memset(k, 0, sizeof *k);
	memcpy(k->id, blob + 2, 8);
	memcpy(k->office, blob + 10, 4);
	memcpy(k->pk, blob + 14, 32);
	derive_id(k->pk, id);
	if (memcmp(id, k->id, 8))
		return werr_set(e, path, "key id does not match the key");
	if (!office_valid(k->office))
		return werr_set(e, path, "key for an unknown office \"%s\"", k->office);
	return 0;
}

int
seckey_load(const char *path, const char *pass, struct wkey *k, struct werr *e)
{
	/* The file's text, its blob and the box key, in pages kept out of dumps. */
	struct {
		char text[1024];
		uint8_t blob[SEC_LEN + 1], key[32];
	} *w = secret_alloc(sizeof *w);
	uint8_t *blob = w->blob, *key = w->key;
	int rc = 0;
	if (secret_read(path, w->text, sizeof w->text, e) < 0) {
		secret_free(w);
		return -1;
	}
	int n = key_blob(w->text, "secret", blob, sizeof w->blob, path, e);
	if (n < 0) {
		secret_free(w);
		return -1;
	}
	if (n != SEC_LEN || memcmp(blob, "Ed", 2)) {
		rc = werr_set(e, path, "not a wgo secret key (wrong length or algorithm)");
		goto out;
	}
	int sealed = !memcmp(blob + 2, "A2", 2);
	if (!sealed && memcmp(blob + 2, "NO", 2)) {
		rc = werr_set(e, path, "unknown key derivation");
		goto out;
	}
	if (sealed && !pass) {
		rc = -2; /* a passphrase is needed */
		werr_set(e, path, "the key is sealed with a passphrase");
		goto out;
	}
	uint64_t ops = get64(blob + 4), mem = get64(blob + 12);
	if (sealed && (ops > 64 || mem > (1ull << 32) || ops < crypto_pwhash_OPSLIMIT_MIN)) {
		rc = werr_set(e, path, "implausible key derivation limits");
		goto out;
	}
	if (sealed && crypto_pwhash(key, 32, pass, strlen(pass), blob + 20, ops,
	                            (size_t)mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		rc = werr_set(e, path, "out of memory deriving the key from the passphrase");
		goto out;
	}
	memset(k, 0, sizeof *k);
	if (crypto_secretbox_open_easy(k->sk, blob + 72, 80, blob + 36, key) != 0) {
		rc = werr_set(e, path, sealed ? "wrong passphrase, or the key file is damaged"
		                              : "the key file is damaged");
		goto out;
	}
	memcpy(k->id, blob + 60, 8);
	memcpy(k->office, blob + 68, 4);
	crypto_sign_ed25519_sk_to_pk(k->pk, k->sk);
	uint8_t id[8];
	derive_id(k->pk, id);
	if (memcmp(id, k->id, 8)) {
		rc = werr_set(e, path, "key id does not match the key");
		goto out;
	}
	k->has_sk = 1;
out:
	if (rc)
		sodium_memzero(k, sizeof *k);
	secret_free(w);
	return rc;
}

/* ---- passphrases ---- */

int
read_passphrase(const char *file, const char *prompt, int confirm, char *out, size_t n,
                struct werr *e)
{
	if (file) {
		if (secret_read_opt("--passphrase-file", file, out, n, e) < 0)
			return -1;
		out[strcspn(out, "\r\n")] = 0;
		if (!out[0])
			return werr_set(e, file, "empty passphrase");
		return 0;
	}
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return werr_set(e, "passphrase", "no terminal to ask on: give --passphrase-file");
	struct termios old, t;
	int have_tc = tcgetattr(fd, &old) == 0;
	for (int round = 0; round < (confirm ? 2 : 1); round++) {
		char again[512], *dst = round ? again : out;
		size_t cap = round ? sizeof again : n;
		const char *q = round ? "Again: " : prompt;
		if (write(fd, q, strlen(q)) < 0)
			break;
		if (have_tc) {
			t = old;
			t.c_lflag &= (tcflag_t)~ECHO;
			tcsetattr(fd, TCSANOW, &t);
		}
		size_t i = 0;
		char c;
		while (read(fd, &c, 1) == 1 && c != '\n' && c != '\r')
			if (i + 1 < cap)
				dst[i++] = c;
		dst[i] = 0;
		if (have_tc)
			tcsetattr(fd, TCSANOW, &old);
		if (write(fd, "\n", 1) < 0)
			break;
		if (round && strcmp(out, again)) {
			sodium_memzero(again, sizeof again);
			close(fd);
			sodium_memzero(out, n);
			return werr_set(e, "passphrase", "the two passphrases differ");
		}
		if (round)
			sodium_memzero(again, sizeof again);
	}
	close(fd);
	if (!out[0])
		return werr_set(e, "passphrase", "empty passphrase");
	return 0;
}

/* ---- keyrings ----
 * A keyring is a file of keys, or a directory of *.pub files. Each key is the two
 * lines of a public key file, optionally followed by its validity, one date a line:
 *   valid-from: 2026-01-01   orders issued before this day are not its
 *   retired: 2026-07-01      orders issued on or after this day are not its
 *   revoked: 2026-08-15      from this day on, nothing it signed is trusted */

static const char *const date_words[] = { "valid-from", "retired", "revoked" };
static const unsigned date_bits[] = { KEY_FROM, KEY_RETIRED, KEY_REVOKED };

/* Which date word a line starts with (and its value in *d), -1 if none, -2 (e
 * filled) if the word is there but the date is bad. */
static int
date_line(const char *line, wdate *d, const char *where, struct werr *e)
{
	for (int w = 0; w < 3; w++) {
		size_t n = strlen(date_words[w]);
		if (strncmp(line, date_words[w], n) || line[n] != ':')
			continue;
		char v[32];
		const char *why;
		snprintf(v, sizeof v, "%.*s", (int)strcspn(line + n + 1, "\r\n"), line + n + 1);
		size_t b = strspn(v, " \t");
		if (date_parse(v + b, d, &why) < 0)
			return werr_set(e, where, "%s: %s", date_words[w], why), -2;
		return w;
	}
	return -1;
}

static wdate *
key_date(struct wkey *k, int w)
{
	return w == 0 ? &k->valid_from : w == 1 ? &k->retired : &k->revoked;
}

static int
keyring_add_file(struct keyring *r, const char *path, struct werr *e)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return werr_set(e, path, "%s", strerror(errno));
	char line[512], first[512];
	int have = 0, rc = 0, last = 0; /* last: the previous line ended a key */
	unsigned long ln = 0;
	while (fgets(line, sizeof line, f)) {
		ln++;
		char where[sizeof e->field];
		snprintf(where, sizeof where, "%s:%lu", path, ln);
		if (line[0] == '\n' || line[0] == '#')
			continue;
		wdate d;
		int w = date_line(line, &d, where, e);
		if (w == -2) {
			rc = -1;
			break;
		}
		if (w >= 0) {
			if (!last || have) {
				rc = werr_set(e, where, "%s: a date line belongs after a key", date_words[w]);
				break;
			}
			struct wkey *k = &r->k[r->n - 1];
			if (k->dates & date_bits[w]) {
				rc = werr_set(e, where, "%s: given twice for this key", date_words[w]);
				break;
			}
			k->dates |= date_bits[w];
			*key_date(k, w) = d;
			continue;
		}
		last = 0;
		if (!have) {
			snprintf(first, sizeof first, "%s", line);
			have = 1;
			continue;
		}
		struct buf t = { 0 };
		buf_adds(&t, first);
		buf_adds(&t, line);
		r->k = xrealloc(r->k, (r->n + 1) * sizeof *r->k);
		if (pubkey_parse(buf_str(&t), where, &r->k[r->n], e) < 0)
			rc = -1;
		else
			r->n++, last = 1;
		buf_free(&t);
		have = 0;
		if (rc)
			break;
	}
	if (!rc && have)
		rc = werr_set(e, path, "a comment line without its key");
	fclose(f);
	return rc;
}

static int
namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of a keyring: itself, or the *.pub files of a directory, sorted. */
static char **
keyring_files(const char *path, size_t *nn, struct werr *e)
{
	struct stat st;
	char **names = NULL;
	*nn = 0;
	if (stat(path, &st) < 0)
		return werr_set(e, path, "keyring: %s", strerror(errno)), NULL;
	if (!S_ISDIR(st.st_mode)) {
		names = xmalloc(sizeof *names);
		names[(*nn)++] = xstrdup(path);
		return names;
	}
	DIR *d = opendir(path);
	if (!d)
		return werr_set(e, path, "keyring: %s", strerror(errno)), NULL;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 4 && !strcmp(de->d_name + l - 4, ".pub")) {
			names = xrealloc(names, (*nn + 1) * sizeof *names);
			char *p = xmalloc(strlen(path) + l + 2);
			sprintf(p, "%s/%s", path, de->d_name);
			names[(*nn)++] = p;
		}
	}
	closedir(d);
	if (*nn > 1)
		qsort(names, *nn, sizeof *names, namecmp);
	if (!names)
		names = xmalloc(sizeof *names);
	return names;
}

int
keyring_load(struct keyring *r, const char *path, struct werr *e)
{
	memset(r, 0, sizeof *r);
	r->today = wgo_today();
	size_t nn;
	char **names = keyring_files(path, &nn, e);
	if (!names)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < nn; i++) {
		if (!rc)
			rc = keyring_add_file(r, names[i], e);
		free(names[i]);
	}
	free(names);
	return rc;
}

void
keyring_free(struct keyring *r)
{
	free(r->k);
	memset(r, 0, sizeof *r);
}

const struct wkey *
keyring_find(const struct keyring *r, const uint8_t id[8])
{
	for (size_t i = 0; i < r->n; i++)
		if (!memcmp(r->k[i].id, id, 8))
			return &r->k[i];
	return NULL;
}

void
keyring_entry_text(const struct wkey *k, struct buf *b)
{
	pubkey_text(k, b);
	for (int w = 0; w < 3; w++)
		if (k->dates & date_bits[w]) {
			char ds[11];
			date_fmt(*key_date((struct wkey *)k, w), ds);
			buf_printf(b, "%s: %s\n", date_words[w], ds);
		}
}

int
keyring_add(const char *path, const struct wkey *k, struct werr *e)
{
	struct buf b = { 0 };
	struct stat st;
	int rc;
	keyring_entry_text(k, &b);
	if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
		/* One file of keys: the entry goes at its end. */
		struct buf all = { 0 };
		FILE *f = fopen(path, "r");
		char chunk[4096];
		size_t n;
		if (!f) {
			buf_free(&b);
			return werr_set(e, path, "%s", strerror(errno));
		}
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_add(&all, chunk, n);
		fclose(f);
		if (all.n && all.p[all.n - 1] != '\n')
			buf_addc(&all, '\n');
		buf_add(&all, b.p, b.n);
		rc = atomic_write(path, all.p, all.n, st.st_mode & 07777, e);
		buf_free(&all);
	} else {
		char hex[17];
		keyid_hex(k->id, hex);
		char *p = xmalloc(strlen(path) + 32);
		sprintf(p, "%s/%s-%s.pub", path, k->office, hex);
		rc = mkdirs(path, e) < 0 ? -1 : write_excl(p, buf_str(&b), 0644, e);
		free(p);
	}
	buf_free(&b);
	return rc;
}

int
key_revoked(const struct wkey *k, wdate today, struct werr *e)
{
	char hex[17], ds[11];
	if (!(k->dates & KEY_REVOKED) || today < k->revoked)
		return 0;
	keyid_hex(k->id, hex);
	date_fmt(k->revoked, ds);
	return werr_set(e, "signature.key_id", "key %s of %s was revoked on %s: nothing it signed is "
	                "trusted (issue the orders again with the office's new key)", hex, k->office, ds);
}

int
key_valid_on(const struct wkey *k, wdate issued, wdate today, const char *what, struct werr *e)
{
	char hex[17], ds[11], is[11];
	if (key_revoked(k, today, e) < 0)
		return -1;
	keyid_hex(k->id, hex);
	date_fmt(issued, is);
	if ((k->dates & KEY_REVOKED) && issued >= k->revoked) {
		date_fmt(k->revoked, ds);
		return werr_set(e, "signature.key_id", "key %s of %s is revoked from %s; %s on %s",
		                hex, k->office, ds, what, is);
	}
	if ((k->dates & KEY_RETIRED) && issued >= k->retired) {
		date_fmt(k->retired, ds);
		return werr_set(e, "signature.key_id", "key %s of %s was retired on %s; %s on %s, after "
		                "it: the wrong key", hex, k->office, ds, what, is);
	}
	if ((k->dates & KEY_FROM) && issued < k->valid_from) {
		date_fmt(k->valid_from, ds);
		return werr_set(e, "signature.key_id", "key %s of %s is valid from %s; %s on %s, before "
		                "it", hex, k->office, ds, what, is);
	}
	return 0;
}

int
keyring_set_date(const char *path, const uint8_t id[8], unsigned which, wdate d, struct werr *e)
{
	int w = which == KEY_FROM ? 0 : which == KEY_RETIRED ? 1 : 2;
	size_t nn;
	char **names = keyring_files(path, &nn, e);
	if (!names)
		return -1;
	int rc = 1; /* not found yet */
	char hex[17];
	keyid_hex(id, hex);
	for (size_t i = 0; i < nn && rc == 1; i++) {
		/* Find the key's base64 line, then put the date after it (in place of the
		 * same word's line, if there is one); every other line stays as it is. */
		struct keyring one;
		memset(&one, 0, sizeof one);
		if (keyring_add_file(&one, names[i], e) < 0) {
			rc = -1;
			break;
		}
		const struct wkey *k = keyring_find(&one, id);
		if (!k) {
			keyring_free(&one);
			continue;
		}
		size_t nth = (size_t)(k - one.k); /* which key of the file */
		keyring_free(&one);
		FILE *f = fopen(names[i], "r");
		if (!f) {
			rc = werr_set(e, names[i], "%s", strerror(errno));
			break;
		}
		struct buf out = { 0 };
		char line[512], ds[11];
		date_fmt(d, ds);
		size_t keys = 0;
		int have = 0, in = 0;
		while (fgets(line, sizeof line, f)) {
			wdate dd;
			struct werr ig;
			int kind = line[0] == '\n' || line[0] == '#' ? -3 : date_line(line, &dd, "", &ig);
			if (in && kind == w)
				continue; /* the old date of this word: replaced */
			if (in && kind == -1) { /* the next key: the dates of ours end here */
				buf_printf(&out, "%s: %s\n", date_words[w], ds);
				in = 0;
			}
			buf_adds(&out, line);
			if (kind == -1 && (have = !have) == 0 && keys++ == nth)
				in = 1; /* that was our key's base64 line */
		}
		fclose(f);
		if (in) {
			if (out.n && out.p[out.n - 1] != '\n')
				buf_addc(&out, '\n');
			buf_printf(&out, "%s: %s\n", date_words[w], ds);
		}
		rc = atomic_write(names[i], out.p, out.n, 0644, e) < 0 ? -1 : 0;
		buf_free(&out);
	}
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	if (rc == 1)
		rc = werr_set(e, path, "no key %s in the keyring", hex);
	return rc;
}

/* ---- detached signatures ---- */

void
sig_detached(const struct wkey *k, const void *msg, size_t n, uint8_t sig[64])
{
	crypto_sign_detached(sig, NULL, msg, n, k->sk);
}

int
sig_verify(const struct wkey *k, const void *msg, size_t n, const uint8_t sig[64])
{
	return crypto_sign_verify_detached(sig, msg, n, k->pk);
}

int
sig_b64_decode(const char *s, uint8_t sig[64])
{
	struct buf b = { 0 };
	int rc = -1;
	if (s && b64_decode(s, strlen(s), &b) == 0 && b.n == 64) {
		memcpy(sig, b.p, 64);
		rc = 0;
	}
	buf_free(&b);
	return rc;
}

/* ---- orders ---- */

/* The canonical form of the order without its signature. */
int
order_message(json_t *order, struct buf *msg)
{
	json_t *sig = json_object_get(order, "signature");
	json_incref(sig);
	if (sig)
		json_object_del(order, "signature");
	int rc = jcs_dump(order, msg);
	if (sig)
		json_object_set_new(order, "signature", sig);
	return rc;
}

void
signature_text(const struct wkey *k, const uint8_t sig[64], struct buf *out)
{
	char hex[17];
	keyid_hex(k->id, hex);
	buf_printf(out, "{\"alg\":\"ed25519\",\"key_id\":\"%s\",\"value\":\"", hex);
	b64_encode(sig, 64, out);
	buf_add(out, "\"}", 2);
}

int
order_sign(json_t *order, const struct wkey *k, struct werr *e)
{
	struct buf msg = { 0 }, b = { 0 };
	uint8_t sig[64];
	json_object_del(order, "signature");
	if (jcs_dump(order, &msg) < 0) {
		buf_free(&msg);
		return werr_set(e, "", "the order has no canonical form");
	}
	sig_detached(k, msg.p, msg.n, sig);
	signature_text(k, sig, &b);
	json_t *s = json_loadb(b.p, b.n, 0, NULL);
	json_object_set_new(order, "signature", s);
	buf_free(&msg);
	buf_free(&b);
	return 0;
}

int
order_verify(json_t *order, const struct keyring *r, struct werr *e)
{
	json_t *s = json_object_get(order, "signature");
	uint8_t id[8], sig[64];
	if (!s)
		return werr_set(e, "signature", "missing: the order is not signed");
	if (!json_is_object(s) || strcmp(jstr(s, "alg") ? jstr(s, "alg") : "", "ed25519"))
		return werr_set(e, "signature.alg", "not ed25519");
	if (hex_keyid(jstr(s, "key_id"), id) < 0)
		return werr_set(e, "signature.key_id", "not 16 hex digits");
	if (json_object_size(s) != 3)
		return werr_set(e, "signature", "has fields other than alg, key_id and value");
	const struct wkey *k = keyring_find(r, id);
	if (!k)
		return werr_set(e, "signature.key_id", "unknown key %s", jstr(s, "key_id"));
	const char *office = jstr(order, "office");
	if (!office || strcmp(office, k->office))
		return werr_set(e, "office", "signed with %s's key, but the order is %s's", k->office,
		                office ? office : "nobody");
	if (key_revoked(k, r->today, e) < 0)
		return -1; /* outright: its issued date is only what the signer wrote */
	if (sig_b64_decode(jstr(s, "value"), sig) < 0)
		return werr_set(e, "signature.value", "not a base64 Ed25519 signature");
	struct buf msg = { 0 };
	if (order_message(order, &msg) < 0) {
		buf_free(&msg);
		return werr_set(e, "", "the order has no canonical form");
	}
	int bad = sig_verify(k, msg.p, msg.n, sig);
	buf_free(&msg);
	if (bad)
		return werr_set(e, "signature", "does not verify: the order was changed after signing");
	/* What was signed must also be what a reader takes it to be: valid, and with
	 * nothing that validation would rewrite. */
	if (rec_validate_canonical(order, e) < 0)
		return -1;
	/* The day the record was signed for, as its kind says it: an order's issue, a
	 * stop's decision, a verdict's instant (in Bangladesh). */
	const char *kind = jstr(order, "kind"), *why;
	const char *dk = !strcmp(kind, "stop") ? "date" : !strcmp(kind, "verdict") ? "at" : "issued";
	const char *is = jstr(order, dk);
	wdate issued;
	int64_t t;
	if (!is)
		return werr_set(e, dk, "missing");
	if (!strcmp(dk, "at")) {
		if (instant_parse(is, &t, &why) < 0)
			return werr_set(e, dk, "%s", why);
		t += 6 * 3600;
		issued = (wdate)(t / 86400 - (t % 86400 < 0)); /* floored, before 1970 too */
	} else if (date_parse(is, &issued, &why) < 0) {
		return werr_set(e, dk, "%s", why);
	}
	return key_valid_on(k, issued, r->today,
	                    !strcmp(kind, "stop") ? "the stop was decided"
	                    : !strcmp(kind, "verdict") ? "the verdict was given" : "the order was issued", e);
}

int
office_key_load(const char *keyfile, const char *office, const char *passfile, struct wkey *k,
                struct werr *e)
{
	char *path;
	if (keyfile) {
		path = xstrdup(keyfile);
	} else {
		char rel[32];
		snprintf(rel, sizeof rel, "keys/%s.sec", office);
		path = home_path(rel);
	}
	int rc = seckey_load(path, NULL, k, e);
	if (rc == -2) {
		char *pass = secret_alloc(512);
		/* The configuration may name the passphrase's file, so that no everyday
		 * command needs --passphrase-file; an option given still wins. */
		const char *cf = passfile ? NULL : cfg_get(wgo_config(), "key.passphrase_file");
		if (cf) {
			char *pp = home_path(cf);
			rc = secret_read(pp, pass, 512, e);
			if (rc == 0) {
				pass[strcspn(pass, "\r\n")] = 0;
				if (!pass[0])
					rc = werr_set(e, pp, "empty passphrase");
			}
			if (rc < 0)
				werr_prefix(e, "key.passphrase_file");
			free(pp);
		} else {
			rc = read_passphrase(passfile, "Passphrase for the office key: ", 0, pass, 512, e);
		}
		if (rc == 0)
			rc = seckey_load(path, pass, k, e);
		secret_free(pass);
	}
	if (rc < 0 && !keyfile && access(path, F_OK) < 0) {
		size_t n = strlen(e->msg);
		snprintf(e->msg + n, sizeof e->msg - n, " (make one with wgo-keygen --office %s)", office);
	}
	free(path);
	if (rc == 0 && office && strcmp(k->office, office)) {
		werr_set(e, "office", "the key is %s's, not %s's", k->office, office);
		key_wipe(k);
		return -1;
	}
	return rc;
}

/* ---- signing on worker threads ---- */

static const char placeholder_value[SIG_B64_LEN + 1] =
	"****************************************************************************************";

int
order_sign_later(json_t *order, const struct wkey *k, struct buf *msg, struct werr *e)
{
	struct buf b = { 0 };
	json_object_del(order, "signature");
	msg->n = 0;
	if (jcs_dump(order, msg) < 0)
		return werr_set(e, "", "the order has no canonical form");
	char hex[17];
	keyid_hex(k->id, hex);
	buf_printf(&b, "{\"alg\":\"ed25519\",\"key_id\":\"%s\",\"value\":\"%s\"}", hex,
	           placeholder_value);
	json_object_set_new(order, "signature", json_loadb(b.p, b.n, 0, NULL));
	buf_free(&b);
	return 0;
}

long
signq_placeholder(const char *line, size_t n)
{
	/* "value":" cannot occur inside a JSON string (its quotes would be escaped), so
	 * this is the signature's own, whatever a person typed into a field. */
	static const char key[] = "\"value\":\"";
	size_t kl = sizeof key - 1;
	for (size_t at = kl; at + SIG_B64_LEN < n; at++)
		if (line[at + SIG_B64_LEN] == '"' && !memcmp(line + at - kl, key, kl) &&
		    !memcmp(line + at, placeholder_value, SIG_B64_LEN))
			return (long)at;
	return -1;
}

struct sjob {
	const struct wkey *k;
	struct buf msg;
	size_t off;
	uint8_t sig[64];
};

struct signq {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	pthread_t t[8];
	int nt, stop;
	struct sjob jobs[SIGNQ_CAP];
	size_t n, next, ndone; /* submitted, taken by a worker, signed */
};

static void *
signer(void *arg)
{
	struct signq *q = arg;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->stop && q->next == q->n)
			pthread_cond_wait(&q->work, &q->mu);
		if (q->next == q->n)
			break;
		struct sjob *j = &q->jobs[q->next++];
		pthread_mutex_unlock(&q->mu);
		sig_detached(j->k, j->msg.p, j->msg.n, j->sig);
		pthread_mutex_lock(&q->mu);
		if (++q->ndone == q->n)
			pthread_cond_signal(&q->done);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

struct signq *
signq_new(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (cores < 2)
		return NULL;
	struct signq *q = xcalloc(1, sizeof *q);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->done, NULL);
	/* The reading thread keeps a core busy too; signing is the larger share. */
	int want = cores > 8 ? 8 : (int)cores;
	for (int i = 0; i < want; i++)
		if (pthread_create(&q->t[q->nt], NULL, signer, q) == 0)
			q->nt++;
	if (!q->nt) {
		signq_free(q);
		return NULL;
	}
	return q;
}

size_t
signq_pending(const struct signq *q)
{
	return q->n;
}

void
signq_submit(struct signq *q, const struct wkey *k, struct buf *msg, size_t off)
{
	pthread_mutex_lock(&q->mu);
	struct sjob *j = &q->jobs[q->n];
	j->k = k;
	j->off = off;
	struct buf spare = j->msg; /* the slot's last message buffer, for the caller's next */
	j->msg = *msg;
	*msg = spare;
	msg->n = 0;
	q->n++;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
}

void
signq_settle(struct signq *q, struct buf *into)
{
	pthread_mutex_lock(&q->mu);
	while (q->ndone < q->n)
		pthread_cond_wait(&q->done, &q->mu);
	struct buf b = { 0 };
	for (size_t i = 0; i < q->n; i++) {
		b.n = 0;
		b64_encode(q->jobs[i].sig, 64, &b);
		memcpy(into->p + q->jobs[i].off, b.p, SIG_B64_LEN);
		q->jobs[i].msg.n = 0;
	}
	buf_free(&b);
	q->n = q->next = q->ndone = 0;
	pthread_mutex_unlock(&q->mu);
}

void
signq_free(struct signq *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_broadcast(&q->work);
	pthread_mutex_unlock(&q->mu);
	for (int i = 0; i < q->nt; i++)
		pthread_join(q->t[i], NULL);
	for (size_t i = 0; i < SIGNQ_CAP; i++)
		buf_free(&q->jobs[i].msg);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->done);
	free(q);
}
