/* The push journal: one line per order revision the bank accepted, appended and
 * synced, each line carrying a checksum so that damage is found, not trusted. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "wgo.h"

struct jentry {
	char hash[33];
	char bank_ref[32];
};

static void
checksum(const char *p, size_t n, char out[17])
{
	uint8_t h[16];
	crypto_generichash(h, sizeof h, (const uint8_t *)p, n, NULL, 0);
	sodium_bin2hex(out, 17, h, 8);
}

int
journal_open(struct journal *j, struct werr *e)
{
	memset(j, 0, sizeof *j);
	j->fd = j->lockfd = -1;
	hmap_init(&j->acc, sizeof(struct jentry));
	char *dir = home_path("push");
	if (mkdirs(dir, e) < 0) {
		free(dir);
		return -1;
	}
	j->path = xmalloc(strlen(dir) + 16);
	sprintf(j->path, "%s/journal.jsonl", dir);
	char *lp = xmalloc(strlen(dir) + 8);
	sprintf(lp, "%s/lock", dir);
	free(dir);
	j->lockfd = lock_file(lp, 0, e);
	free(lp);
	if (j->lockfd < 0)
		return -1;
	j->fd = open(j->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (j->fd < 0)
		return werr_set(e, j->path, "%s", strerror(errno));
	FILE *f = fdopen(dup(j->fd), "r");
	if (!f)
		return werr_set(e, j->path, "%s", strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	off_t good = 0;
	unsigned long ln = 0;
	int rc = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		ln++;
		if (line[n - 1] != '\n') {
			/* A crash mid-append: that acceptance was never recorded; the bank
			 * answers a resend with the same result. */
			warnf("%s: dropping an incomplete last line left by a crash", j->path);
			if (ftruncate(j->fd, good) < 0)
				rc = werr_set(e, j->path, "cannot truncate: %s", strerror(errno));
			break;
		}
		/* ... ,"check":"<16 hex>"}\n over everything before it, closed by "}". */
		const char *tag = ",\"check\":\"";
		char *c = n > 29 ? line + n - 29 : NULL;
		char sum[17], want[17];
		if (!c || strncmp(c, tag, 10) || strncmp(line + n - 3, "\"}\n", 3)) {
			rc = werr_set(e, j->path, "damaged at line %lu (no checksum); the journal is not "
			              "trusted: repair it, or move it aside to resend everything", ln);
			break;
		}
		memcpy(want, c + 10, 16);
		want[16] = 0;
		struct buf b = { 0 };
		buf_add(&b, line, (size_t)(c - line));
		buf_addc(&b, '}');
		checksum(b.p, b.n, sum);
		json_t *o = strcmp(sum, want) ? NULL : json_loadb(b.p, b.n, JSON_REJECT_DUPLICATES, NULL);
		buf_free(&b);
		if (!o || !jstr(o, "ref") || !jstr(o, "hash") || strlen(jstr(o, "hash")) != 32) {
			json_decref(o);
			rc = werr_set(e, j->path, "damaged at line %lu (checksum mismatch); the journal is not "
			              "trusted: repair it, or move it aside to resend everything", ln);
			break;
		}
		struct jentry *je = hmap_put(&j->acc, jstr(o, "ref"), NULL);
		snprintf(je->hash, sizeof je->hash, "%s", jstr(o, "hash"));
		snprintf(je->bank_ref, sizeof je->bank_ref, "%s", jstr(o, "bank_ref") ? jstr(o, "bank_ref") : "");
		json_decref(o);
		good += n;
	}
	free(line);
	fclose(f);
	return rc;
}

const char *
journal_accepted(const struct journal *j, const char *ref, const char hash[33])
{
	struct jentry *je = hmap_get(&j->acc, ref);
	return je && !strcmp(je->hash, hash) ? je->bank_ref : NULL;
}

void
journal_add(struct journal *j, const char *ref, const char hash[33], const char *bank_ref)
{
	json_t *o = json_object();
	json_object_set_new(o, "ref", json_string(ref));
	json_object_set_new(o, "hash", json_string(hash));
	json_object_set_new(o, "bank_ref", json_string(bank_ref));
	struct buf tb = { 0 };
	json_dump_compact(o, &tb);
	json_decref(o);
	const char *t = buf_str(&tb);
	size_t n = tb.n;
	char sum[17];
	checksum(t, n, sum);
	buf_add(&j->pending, t, n - 1);
	buf_printf(&j->pending, ",\"check\":\"%s\"}\n", sum);
	buf_free(&tb);
	struct jentry *je = hmap_put(&j->acc, ref, NULL);
	snprintf(je->hash, sizeof je->hash, "%s", hash);
	snprintf(je->bank_ref, sizeof je->bank_ref, "%s", bank_ref);
}

int
journal_sync(struct journal *j, struct werr *e)
{
	if (!j->pending.n)
		return 0;
	if (append_sync(j->fd, j->pending.p, j->pending.n) < 0)
		return werr_set(e, j->path, "write error: %s", strerror(errno));
	j->pending.n = 0;
	return 0;
}

void
journal_close(struct journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	if (j->lockfd >= 0)
		close(j->lockfd);
	hmap_free(&j->acc);
	buf_free(&j->pending);
	free(j->path);
	memset(j, 0, sizeof *j);
	j->fd = j->lockfd = -1; /* closing twice closes nothing */
}
