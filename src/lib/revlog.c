/* The scan's review log, $WGO_HOME/scan/reviews.jsonl: one signed verdict a line,
 * appended, never rewritten. A thin wrapper over store.c's lock_file and
 * append_sync behind four calls (open, replay, append, close), so that it can move
 * onto the store module without its callers changing. Its policies: appends are
 * made under an exclusive lock and fsynced; a last line without its newline is a
 * torn append, left out when read and cut off before the next append; every other
 * line must be a verdict whose signature holds, or it is reported and not used. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "wgo.h"

int
revlog_open(struct revlog *l, int append, struct werr *e)
{
	memset(l, 0, sizeof *l);
	l->fd = -1;
	char *dir = home_path("scan");
	l->path = home_path("scan/reviews.jsonl");
	if (!append) {
		free(dir);
		return 0;
	}
	if (mkdirs(dir, e) < 0) {
		free(dir);
		return -1;
	}
	free(dir);
	/* The log itself is the lock: held from the torn-tail check to the append. */
	l->fd = lock_file(l->path, 0, e);
	if (l->fd < 0)
		return -1;
	struct stat st;
	if (fstat(l->fd, &st) < 0)
		return werr_set(e, l->path, "%s", strerror(errno));
	off_t end = st.st_size;
	/* Cut a torn last line: back to just after the last newline. */
	char c;
	off_t keep = end;
	while (keep > 0 && pread(l->fd, &c, 1, keep - 1) == 1 && c != '\n')
		keep--;
	if (keep < end && ftruncate(l->fd, keep) < 0)
		return werr_set(e, l->path, "cannot cut the torn last line: %s", strerror(errno));
	l->end = keep;
	return 0;
}

int
revlog_replay(struct revlog *l, const struct keyring *ring,
              void (*cb)(const json_t *verdict, void *ctx), void *ctx, long *bad)
{
	*bad = 0;
	FILE *f = fopen(l->path, "r");
	if (!f)
		return errno == ENOENT ? 0 : (warnf("%s:", l->path), -1);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long ln = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		ln++;
		if (line[n - 1] != '\n')
			break; /* a torn append */
		struct werr e = { { 0 }, { 0 } };
		json_t *v = rec_parse(line, (size_t)n - 1, &e);
		const char *k = v ? jstr(v, "kind") : NULL;
		if (v && (!k || strcmp(k, "verdict")))
			werr_set(&e, "kind", "not a verdict");
		else if (v && rec_validate(v, &e) == 0 && order_verify(v, ring, &e) == 0) {
			cb(v, ctx);
			json_decref(v);
			continue;
		}
		/* order_verify speaks of orders; this is a verdict. */
		char *o = strstr(e.msg, "the order was changed");
		if (o)
			snprintf(o, sizeof e.msg - (size_t)(o - e.msg), "the verdict was changed after signing");
		warnf("%s:%lu: %s%s%s", l->path, ln, e.field, e.field[0] ? ": " : "", e.msg);
		(*bad)++;
		json_decref(v);
	}
	free(line);
	int rc = ferror(f) ? (warnf("%s: read error", l->path), -1) : 0;
	fclose(f);
	return rc;
}

int
revlog_append(struct revlog *l, const char *line, size_t n, struct werr *e)
{
	if (lseek(l->fd, l->end, SEEK_SET) < 0 || append_sync(l->fd, line, n) < 0)
		return werr_set(e, l->path, "write error: %s", strerror(errno));
	l->end += (off_t)n;
	return 0;
}

void
revlog_close(struct revlog *l)
{
	if (l->fd >= 0)
		close(l->fd);
	free(l->path);
	memset(l, 0, sizeof *l);
	l->fd = -1;
}
