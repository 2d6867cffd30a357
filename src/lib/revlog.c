/* The scan's review log, $WGO_HOME/scan/reviews.jsonl: one signed verdict a line,
 * kept by the store (STORE_SUM) like every other append-only log of the state
 * directory: appended under the log's lock with fsync, a torn tail set aside, and
 * each line checked twice, by the store's checksum and by the verdict's own
 * signature against the keyring. A line that fails either is damage, named by its
 * line: no verdict of a damaged log is trusted. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wgo.h"

struct replay {
	const struct keyring *ring;
	void (*cb)(const json_t *verdict, void *ctx);
	void *ctx;
	json_t **got;
	size_t n, cap;
};

/* A line of the log: a verdict whose signature holds, or damage. */
static int
one(void *ctx, const struct store_rec *r, struct werr *e)
{
	struct replay *R = ctx;
	json_t *v = rec_parse(r->p, r->n, e);
	if (!v)
		return -1;
	const char *k = jstr(v, "kind");
	if (!k || strcmp(k, "verdict")) {
		json_decref(v);
		return werr_set(e, "kind", "not a verdict");
	}
	if (rec_validate(v, e) < 0 || (R->ring && order_verify(v, R->ring, e) < 0)) {
		/* order_verify speaks of orders; this is a verdict. */
		char *o = strstr(e->msg, "the order was changed");
		if (o)
			snprintf(o, sizeof e->msg - (size_t)(o - e->msg), "the verdict was changed after signing");
		json_decref(v);
		return -1;
	}
	/* Held until the whole log is checked: a damaged log gives no verdict at all. */
	if (R->n == R->cap)
		R->got = xrealloc(R->got, (R->cap = R->cap ? R->cap * 2 : 16) * sizeof *R->got);
	R->got[R->n++] = v;
	return 0;
}

int
revlog_open(struct revlog *l, int append, const struct keyring *ring, struct werr *e)
{
	memset(l, 0, sizeof *l);
	l->path = home_path("scan/reviews.jsonl");
	l->append = append;
	if (!append)
		return 0;
	char *dir = home_path("scan");
	int rc = mkdirs(dir, e);
	free(dir);
	if (rc < 0)
		return -1;
	/* The writer checks every line as a reader does: nothing is added to a log
	 * that is damaged. */
	struct replay R = { ring, NULL, NULL, NULL, 0, 0 };
	struct store_opts o = { .check = STORE_SUM, .lock = STORE_WAIT };
	rc = store_open(&l->s, l->path, &o, one, &R, e);
	for (size_t i = 0; i < R.n; i++)
		json_decref(R.got[i]);
	free(R.got);
	if (rc < 0)
		return -1;
	l->open = 1;
	return 0;
}

int
revlog_replay(struct revlog *l, const struct keyring *ring,
              void (*cb)(const json_t *verdict, void *ctx), void *ctx, struct werr *e)
{
	struct replay R = { ring, cb, ctx, NULL, 0, 0 };
	struct store s;
	struct store_opts o = { .check = STORE_SUM, .lock = STORE_READ };
	int rc = store_open(&s, l->path, &o, one, &R, e);
	if (rc == 0) {
		store_close(&s);
		for (size_t i = 0; i < R.n; i++)
			cb(R.got[i], ctx);
	}
	for (size_t i = 0; i < R.n; i++)
		json_decref(R.got[i]);
	free(R.got);
	return rc < 0 ? -1 : 0;
}

int
revlog_append(struct revlog *l, const char *line, size_t n, struct werr *e)
{
	if (n && line[n - 1] == '\n')
		n--;
	if (store_add(&l->s, line, n) < 0)
		return werr_set(e, l->path, "cannot append: the log is read only or broken");
	return store_flush(&l->s, e);
}

void
revlog_close(struct revlog *l)
{
	if (l->open)
		store_close(&l->s);
	free(l->path);
	memset(l, 0, sizeof *l);
}
