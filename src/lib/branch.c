/* The branch file: a bank branch's name, in English and Bengali, by its routing
 * number, for the notices and forms people read (wgo(7) has the file's form). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wgo.h"

static int
byrouting(const void *x, const void *y)
{
	return strcmp((*(const struct branch *const *)x)->routing, (*(const struct branch *const *)y)->routing);
}

void
branches_free(struct branches *b)
{
	size_t i = 0;
	struct branch *v;
	while ((v = hmap_iter(&b->m, &i))) {
		free(v->en);
		free(v->bn);
	}
	hmap_free(&b->m);
	free(b->v);
	free(b->path);
	memset(b, 0, sizeof *b);
}

/* A name as the file gives it: UTF-8, no control character (a name goes into an
 * SMS and onto terminals), not empty, at most BRANCH_NAME_MAX bytes. */
static const char *
name_bad(const char *s)
{
	size_t n = strlen(s);
	if (!n)
		return "the name is empty";
	if (n > BRANCH_NAME_MAX)
		return "the name is longer than 200 bytes";
	if (!utf8_valid(s, n, NULL))
		return "the name is not UTF-8";
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		uint32_t c;
		int k = utf8_decode(p, strlen((const char *)p), &c);
		if (k <= 0 || term_unsafe(c))
			return "the name holds a control character";
		p += k;
	}
	return NULL;
}

static char *
trim(char *s)
{
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

int
branches_load(struct branches *b, const char *path, struct werr *e)
{
	memset(b, 0, sizeof *b);
	hmap_init(&b->m, sizeof(struct branch));
	FILE *f = fopen_file(path);
	if (!f)
		return werr_set(e, path, "cannot open: %s",
		                errno == EINVAL ? "not a regular file" : strerror(errno));
	b->path = xstrdup(path);
	char *line = NULL, where[512];
	size_t cap = 0;
	ssize_t len;
	unsigned long ln = 0;
	int rc = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		ln++;
		snprintf(where, sizeof where, "%s:%lu", path, ln);
		if ((size_t)len != strlen(line)) {
			rc = werr_set(e, where, "a NUL byte");
			break;
		}
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		char *p = trim(line);
		if (!*p || *p == '#')
			continue;
		char *f1 = p, *f2 = strchr(f1, '\t'), *f3 = NULL;
		if (f2) {
			*f2++ = 0;
			if ((f3 = strchr(f2, '\t')))
				*f3++ = 0;
		}
		if (!f2) {
			rc = werr_set(e, where, "expected ROUTING<TAB>NAME[<TAB>BENGALI NAME]");
			break;
		}
		if (f3 && strchr(f3, '\t')) {
			rc = werr_set(e, where, "more than three fields");
			break;
		}
		char norm[16];
		const char *why;
		if (routing_check(trim(f1), norm, sizeof norm, &why) < 0) {
			rc = werr_set(e, where, "routing number %.20s: %s", f1, why);
			break;
		}
		f2 = trim(f2);
		if (f3)
			f3 = trim(f3);
		if ((why = name_bad(f2)) || (f3 && (why = name_bad(f3)))) {
			rc = werr_set(e, where, "%s", why);
			break;
		}
		int isnew;
		struct branch *v = hmap_put(&b->m, norm, &isnew);
		if (!isnew) {
			rc = werr_set(e, where, "routing number %s is given twice", norm);
			break;
		}
		memcpy(v->routing, norm, sizeof v->routing);
		v->en = xstrdup(f2);
		v->bn = f3 ? xstrdup(f3) : NULL;
		b->n++;
	}
	free(line);
	if (!rc && ferror(f))
		rc = werr_set(e, path, "read error: %s", strerror(errno));
	fclose(f);
	if (rc) {
		branches_free(b);
		return rc;
	}
	b->v = xcalloc(b->n + 1, sizeof *b->v);
	size_t i = 0, k = 0;
	const struct branch *v;
	while ((v = hmap_iter(&b->m, &i)))
		b->v[k++] = v;
	if (k)
		qsort(b->v, k, sizeof *b->v, byrouting);
	return 0;
}

int
wgo_branches(struct branches *b, const char *opt_path, struct werr *e)
{
	if (opt_path)
		return branches_load(b, opt_path, e);
	const char *v = cfg_get(wgo_config(), "branches");
	char *p = home_path(v ? v : "branches");
	struct stat st;
	int rc = 0;
	if (v || stat(p, &st) == 0) {
		rc = branches_load(b, p, e);
	} else {
		memset(b, 0, sizeof *b);
		hmap_init(&b->m, sizeof(struct branch));
	}
	free(p);
	return rc;
}

const struct branch *
branch_find(const struct branches *b, const char *routing)
{
	return routing ? hmap_get(&b->m, routing) : NULL;
}

const char *
branch_name(const struct branches *b, const char *routing, int bn)
{
	const struct branch *v = branch_find(b, routing);
	if (!v)
		return NULL;
	return bn && v->bn ? v->bn : v->en;
}
