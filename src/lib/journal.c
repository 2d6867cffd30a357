/* The push journal: one line per order revision the bank accepted, kept in the
 * store (checked line by line, appended and synced). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wgo.h"

struct jentry {
	char hash[33];
	char bank_ref[32];
};

static void
remember(struct journal *j, const char *ref, const char *hash, const char *bank_ref)
{
	struct jentry *je = hmap_put(&j->acc, ref, NULL);
	snprintf(je->hash, sizeof je->hash, "%s", hash);
	snprintf(je->bank_ref, sizeof je->bank_ref, "%s", bank_ref);
}

static int
on_line(void *ctx, const struct store_rec *r, struct werr *e)
{
	struct journal *j = ctx;
	json_t *o = json_loadb(r->p, r->n, JSON_REJECT_DUPLICATES, NULL);
	const char *ref = jstr(o, "ref"), *hash = jstr(o, "hash"), *br = jstr(o, "bank_ref");
	int rc = 0;
	if (!ref || !*ref || !hash || strlen(hash) != 32 || (json_object_get(o, "bank_ref") && !br))
		rc = werr_set(e, "", "not an acceptance (ref, hash of 32 hex digits, bank_ref)");
	else
		remember(j, ref, hash, br ? br : "");
	json_decref(o);
	return rc;
}

int
journal_open(struct journal *j, struct werr *e)
{
	memset(j, 0, sizeof *j);
	hmap_init(&j->acc, sizeof(struct jentry));
	char *path = home_path("push/journal.jsonl"), *lock = home_path("push/lock");
	struct store_opts o = { .check = STORE_SUM, .lock = STORE_WAIT, .lockpath = lock };
	int rc = store_open(&j->s, path, &o, on_line, j, e);
	free(path);
	free(lock);
	if (rc < 0 && strstr(e->field, ".jsonl:"))
		snprintf(e->msg + strlen(e->msg), sizeof e->msg - strlen(e->msg),
		         "; the journal is not trusted: repair it, or move it aside to resend everything");
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
	store_add(&j->s, tb.p, tb.n);
	buf_free(&tb);
	remember(j, ref, hash, bank_ref);
}

int
journal_sync(struct journal *j, struct werr *e)
{
	return store_flush(&j->s, e);
}

void
journal_close(struct journal *j)
{
	store_close(&j->s);
	hmap_free(&j->acc);
	memset(j, 0, sizeof *j);
	j->s.fd = j->s.lockfd = -1; /* closing twice closes nothing */
}
