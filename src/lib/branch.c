/* Bank branches by routing number, from a file the office keeps (wgo-apply completes
 * them, wgo-track names them): one branch a line, ROUTING<TAB>NAME[<TAB>NAME_BN],
 * blank lines and lines starting with # skipped. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wgo.h"

static int
bycode(const void *a, const void *b)
{
	return strcmp(((const struct branch *)a)->routing, ((const struct branch *)b)->routing);
}

void
branches_free(struct branches *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->b[i].name);
		free(b->b[i].name_bn);
	}
	free(b->b);
	free(b->path);
	memset(b, 0, sizeof *b);
}

/* A name as the file gives it: one line of text a terminal can show. */
static int
name_ok(const char *s, size_t n)
{
	size_t bad;
	if (!n || !utf8_valid(s, n, &bad))
		return 0;
	for (size_t i = 0; i < n;) {
		uint32_t c;
		int k = utf8_decode((const unsigned char *)s + i, n - i, &c);
		if (!k || term_unsafe(c))
			return 0;
		i += (size_t)k;
	}
	return 1;
}

int
branches_load(struct branches *b, const char *path, struct werr *e)
{
	memset(b, 0, sizeof *b);
	FILE *f = fopen(path, "r");
	if (!f)
		return werr_set(e, path, "cannot open: %s", strerror(errno));
	char *line = NULL;
	size_t cap = 0, have = 0;
	ssize_t len;
	unsigned long ln = 0;
	char where[sizeof e->field];
	b->path = xstrdup(path);
	while ((len = getline(&line, &cap, f)) >= 0) {
		ln++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (!len || line[0] == '#')
			continue;
		snprintf(where, sizeof where, "%s:%lu", path, ln);
		char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		char norm[16];
		const char *why;
		if (!t1) {
			werr_set(e, where, "expected ROUTING<TAB>NAME[<TAB>NAME_BN]");
			goto bad;
		}
		*t1 = 0;
		if (t2)
			*t2 = 0;
		if (routing_check(line, norm, sizeof norm, &why) < 0) {
			werr_set(e, where, "routing number %.20s: %s", line, why);
			goto bad;
		}
		const char *nm = t1 + 1, *bn = t2 ? t2 + 1 : NULL;
		if (!name_ok(nm, strlen(nm)) || (bn && *bn && !name_ok(bn, strlen(bn)))) {
			werr_set(e, where, "a branch name is one line of UTF-8 text");
			goto bad;
		}
		if (have == b->n) {
			have = have ? have * 2 : 256;
			b->b = xrealloc(b->b, have * sizeof *b->b);
		}
		struct branch *x = &b->b[b->n++];
		memcpy(x->routing, norm, sizeof x->routing);
		x->name = xstrdup(nm);
		x->name_bn = bn && *bn ? xstrdup(bn) : NULL;
	}
	if (ferror(f)) {
		werr_set(e, path, "read error");
		goto bad;
	}
	fclose(f);
	free(line);
	if (b->n > 1)
		qsort(b->b, b->n, sizeof *b->b, bycode);
	for (size_t i = 1; i < b->n; i++)
		if (!strcmp(b->b[i].routing, b->b[i - 1].routing)) {
			werr_set(e, path, "routing number %s is listed twice", b->b[i].routing);
			branches_free(b);
			return -1;
		}
	return 0;
bad:
	fclose(f);
	free(line);
	branches_free(b);
	return -1;
}

const struct branch *
branch_find(const struct branches *b, const char *routing)
{
	struct branch key;
	snprintf(key.routing, sizeof key.routing, "%s", routing);
	return b->n ? bsearch(&key, b->b, b->n, sizeof *b->b, bycode) : NULL;
}

int
wgo_branches(struct branches *b, const char *opt_path, struct werr *e)
{
	memset(b, 0, sizeof *b);
	if (opt_path)
		return branches_load(b, opt_path, e);
	const char *v = cfg_get(wgo_config(), "branches");
	char *p = home_path(v ? v : "branches.tsv");
	struct stat st;
	int rc = 0;
	if (v || stat(p, &st) == 0)
		rc = branches_load(b, p, e);
	free(p);
	return rc;
}
