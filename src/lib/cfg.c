/* The configuration file ("key = value" lines) and the state directory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wgo.h"

/* Every key any program reads; a key not here is a typo and is refused. A key
 * ending in '*' is a prefix (rate.*, term.*). */
static const char *const known_keys[] = {
	"office", "holidays", "account.min_length", "account.max_length",
	"rate.*", "term.*", "key", "keyring",
	"bank.endpoint", "bank.token_file", "bank.ca_file", "bank.cert", "bank.cert_key",
	"bank.receiver_id", "bank.timeout",
	"lifeverify.interval", "lifeverify.window", "lifeverify.resume_arrears",
	"lifeverify.payment_days", "lifeverify.due_day", "lifeverify.first_days",
	"complaint.*", "officer.*", "service.*", "category.*",
	"name.title", "name.equiv", "name.initials", "name.cut", "scan.*",
	"branches", "key.passphrase_file",
	NULL,
};

static int
key_known(const char *k)
{
	for (const char *const *p = known_keys; *p; p++) {
		size_t n = strlen(*p);
		if ((*p)[n - 1] == '*' ? !strncmp(k, *p, n - 1) : !strcmp(k, *p))
			return 1;
	}
	return 0;
}

void
cfg_free(struct cfg *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->it[i].key);
		free(c->it[i].val);
	}
	free(c->it);
	free(c->path);
	memset(c, 0, sizeof *c);
}

static char *
trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

int
cfg_load(struct cfg *c, const char *path, struct werr *e)
{
	FILE *f = fopen_file(path);
	if (!f)
		return werr_set(e, path, "cannot open: %s",
		                errno == EINVAL ? "not a regular file" : strerror(errno));
	memset(c, 0, sizeof *c);
	c->path = xstrdup(path);
	char *line = NULL, where[512];
	size_t cap = 0, alloc = 0;
	ssize_t len;
	unsigned long ln = 0;
	int rc = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		ln++;
		snprintf(where, sizeof where, "%s:%lu", path, ln);
		if ((size_t)len != strlen(line) || !utf8_valid(line, (size_t)len, NULL)) {
			rc = werr_set(e, where, "not UTF-8 text");
			break;
		}
		if (len && line[len - 1] == '\n')
			line[len - 1] = 0;
		char *p = trim(line);
		if (!*p || *p == '#')
			continue;
		char *eq = strchr(p, '=');
		if (!eq) {
			rc = werr_set(e, where, "expected key = value");
			break;
		}
		*eq = 0;
		char *k = trim(p), *v = trim(eq + 1);
		if (!*k || strspn(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(k)) {
			rc = werr_set(e, where, "bad key '%s'", k);
			break;
		}
		if (!key_known(k)) {
			rc = werr_set(e, where, "unknown key '%s'", k);
			break;
		}
		if (c->n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			c->it = xrealloc(c->it, alloc * sizeof *c->it);
		}
		c->it[c->n].key = xstrdup(k);
		c->it[c->n].val = xstrdup(v);
		c->it[c->n].line = ln;
		c->n++;
	}
	free(line);
	fclose(f);
	if (rc)
		cfg_free(c);
	return rc;
}

const struct cfg_item *
cfg_next(const struct cfg *c, const char *key, const struct cfg_item *after)
{
	size_t i = after ? (size_t)(after - c->it) + 1 : 0;
	for (; c && i < c->n; i++)
		if (!strcmp(c->it[i].key, key))
			return &c->it[i];
	return NULL;
}

/* The last setting of a key wins. */
const char *
cfg_get(const struct cfg *c, const char *key)
{
	const char *v = NULL;
	for (size_t i = 0; c && i < c->n; i++)
		if (!strcmp(c->it[i].key, key))
			v = c->it[i].val;
	return v;
}

static char *home_dir;

void
wgo_set_home(const char *dir)
{
	free(home_dir);
	home_dir = xstrdup(dir);
}

const char *
wgo_home(void)
{
	if (home_dir)
		return home_dir;
	const char *e = getenv("WGO_HOME");
	if (e && *e)
		return home_dir = xstrdup(e);
	struct buf b = { 0 };
	const char *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");
	if (x && *x)
		buf_printf(&b, "%s/wgo", x);
	else
		buf_printf(&b, "%s/.local/state/wgo", h && *h ? h : ".");
	return home_dir = (char *)buf_str(&b);
}

char *
home_path(const char *rel)
{
	struct buf b = { 0 };
	if (rel[0] == '/')
		buf_adds(&b, rel);
	else
		buf_printf(&b, "%s/%s", wgo_home(), rel);
	return (char *)buf_str(&b);
}

static struct cfg the_cfg;
static int cfg_loaded;

struct cfg *
wgo_config(void)
{
	if (cfg_loaded)
		return &the_cfg;
	cfg_loaded = 1;
	char *path = home_path("wgo.conf");
	struct stat st;
	if (stat(path, &st) == 0) {
		struct werr e;
		if (cfg_load(&the_cfg, path, &e) < 0)
			die("%s: %s", e.field, e.msg);
	}
	free(path);
	const char *v;
	long n;
	if ((v = cfg_get(&the_cfg, "account.min_length"))) {
		if (uint_parse(v, 64, &n) < 0)
			die("%s: account.min_length: not a number 0 to 64", the_cfg.path);
		account_min_len = (int)n;
	}
	if ((v = cfg_get(&the_cfg, "account.max_length"))) {
		if (uint_parse(v, 64, &n) < 0 || n < account_min_len)
			die("%s: account.max_length: not a number from min_length to 64", the_cfg.path);
		account_max_len = (int)n;
	}
	return &the_cfg;
}

void
wgo_config_need(const char *const *keys)
{
	struct cfg *c = wgo_config();
	if (!c->path) {
		char path[4096], *p = home_path("wgo.conf");
		snprintf(path, sizeof path, "%s", p);
		free(p);
		die("%s: no configuration, so this is not an office yet: make one with "
		    "'wgo-init --office CODE' (wgo-init(1)), or point --home or WGO_HOME at the "
		    "office's directory", path);
	}
	struct buf miss = { 0 };
	size_t n = 0;
	for (const char *const *k = keys; k && *k; k++)
		if (!cfg_get(c, *k)) {
			buf_printf(&miss, "%s%s", n++ ? ", " : "", *k);
		}
	if (n)
		die("%s: %s %s not set: add %s (wgo.conf.example has %s; wgo(7) says what %s), or "
		    "make the office again with wgo-init", c->path, buf_str(&miss),
		    n == 1 ? "is" : "are", n == 1 ? "it" : "them", n == 1 ? "it" : "each",
		    n == 1 ? "it means" : "each means");
	buf_free(&miss);
}

int
wgo_calendar(struct calendar *c, const char *opt_path, struct werr *e)
{
	cal_init(c);
	if (opt_path)
		return cal_load(c, opt_path, e);
	const char *v = cfg_get(wgo_config(), "holidays");
	char *p = home_path(v ? v : "holidays");
	struct stat st;
	int rc = 0;
	if (v || stat(p, &st) == 0)
		rc = cal_load(c, p, e);
	free(p);
	return rc;
}
