/* The order register in the state directory: every revision of every order, the
 * per-office fiscal-year counters, and the index that finds duplicates. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "wgo.h"

#define NUMBER_BLOCK 1024     /* numbers reserved on disk at a time */
#define FLUSH_RECORDS 4096    /* orders held before the register is synced */
#define FLUSH_BYTES (4 << 20)

struct reg_order {
	off_t off;      /* latest revision's line in the register */
	uint32_t len;
	int revision;
	wmonth last;    /* last payable month; lump sums never end */
	int lump;
};

struct reg_counter {
	long long used;     /* highest number handed out */
	long long reserved; /* highest number written to the counter file */
};

static char *
reg_file(const struct reg *r, const char *name)
{
	char *p = xmalloc(strlen(r->dir) + strlen(name) + 2);
	sprintf(p, "%s/%s", r->dir, name);
	return p;
}

/* The duplicate key: the same grant for the same employee's event and beneficiary. */
static void
dup_key(const json_t *o, struct buf *k)
{
	const char *parts[] = { "grant", "funeral_for", "employee.event_date", "beneficiary.nid",
		                "employee.name" };
	k->n = 0;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		json_t *s = jget(o, parts[i]);
		const char *v = json_string_value(s);
		size_t n = json_string_length(s);
		buf_grow(k, n + 2);
		if (i)
			k->p[k->n++] = '|';
		for (size_t j = 0; j < n; j++)
			if (v[j] != ' ')
				k->p[k->n++] = (char)(v[j] >= 'A' && v[j] <= 'Z' ? v[j] + 32 : v[j]);
	}
	buf_str(k);
}

static int
parse_number(const char *order_no, char *series, size_t n, long long *num)
{
	/* OFFICE-YYYY-YY-NNNNNN */
	const char *dash = strrchr(order_no, '-');
	if (!dash || (size_t)(dash - order_no) >= n)
		return -1;
	char *end;
	*num = strtoll(dash + 1, &end, 10);
	if (*end || *num <= 0)
		return -1;
	memcpy(series, order_no, (size_t)(dash - order_no));
	series[dash - order_no] = 0;
	return 0;
}

static void
index_order(struct reg *r, const json_t *o, off_t off, size_t len)
{
	const char *no = jstr(o, "order_no");
	int isnew;
	struct reg_order *ro = hmap_put(&r->orders, no, &isnew);
	int rev = (int)jint(o, "revision", 0);
	if (!isnew && rev < ro->revision)
		return;
	ro->off = off;
	ro->len = (uint32_t)len;
	ro->revision = rev;
	ro->lump = !json_object_get(o, "last_month");
	if (!ro->lump) {
		const char *why;
		month_parse(jstr(o, "last_month"), &ro->last, &why);
	}
	struct buf k = { 0 };
	dup_key(o, &k);
	const char **slot = hmap_put(&r->dups, k.p, NULL);
	*slot = hmap_key(&r->orders, hmap_get(&r->orders, no));
	buf_free(&k);
	char series[40];
	long long num;
	if (!jint(o, "legacy", 0) && parse_number(no, series, sizeof series, &num) == 0) {
		struct reg_counter *c = hmap_put(&r->counters, series, NULL);
		if (num > c->used)
			c->used = num;
	}
}

int
reg_open(struct reg *r, int dry, struct werr *e)
{
	memset(r, 0, sizeof *r);
	r->dry = dry;
	r->fd = r->lockfd = -1;
	r->dir = home_path("register");
	hmap_init(&r->orders, sizeof(struct reg_order));
	hmap_init(&r->dups, sizeof(const char *));
	hmap_init(&r->counters, sizeof(struct reg_counter));
	if (!dry) {
		if (mkdirs(r->dir, e) < 0)
			return -1;
		char *lp = reg_file(r, "lock");
		r->lockfd = lock_file(lp, 0, e);
		free(lp);
		if (r->lockfd < 0)
			return -1;
	}
	r->path = reg_file(r, "orders.jsonl");
	int fd = open(r->path, (dry ? O_RDONLY : O_RDWR | O_CREAT) | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (dry && errno == ENOENT)
			return 0;
		return werr_set(e, r->path, "%s", strerror(errno));
	}
	struct stat st;
	fstat(fd, &st);
	size_t size = (size_t)st.st_size;
	char *data = xmalloc(size + 1);
	size_t got = 0;
	while (got < size) {
		ssize_t n = pread(fd, data + got, size - got, (off_t)got);
		if (n <= 0) {
			free(data);
			close(fd);
			return werr_set(e, r->path, "read error: %s", n < 0 ? strerror(errno) : "short");
		}
		got += (size_t)n;
	}
	size_t pos = 0;
	unsigned long ln = 0;
	while (pos < size) {
		char *nl = memchr(data + pos, '\n', size - pos);
		if (!nl) {
			/* A crash mid-append left a torn line: it was never issued to anyone. */
			if (!dry) {
				warnf("%s: dropping an incomplete last line (%zu bytes) left by a crash",
				      r->path, size - pos);
				if (ftruncate(fd, (off_t)pos) < 0 || fsync(fd) < 0) {
					free(data);
					close(fd);
					return werr_set(e, r->path, "cannot truncate: %s", strerror(errno));
				}
			}
			size = pos;
			break;
		}
		ln++;
		size_t len = (size_t)(nl - (data + pos));
		struct werr pe;
		json_t *o = rec_parse(data + pos, len, &pe);
		if (!o || rec_validate(o, &pe) < 0 || strcmp(jstr(o, "kind"), "order")) {
			json_decref(o);
			free(data);
			close(fd);
			return werr_set(e, r->path, "damaged at line %lu: %s%s%s; the register is not "
			                "trusted until it is repaired", ln, pe.field, pe.field[0] ? ": " : "",
			                o ? pe.msg : pe.msg);
		}
		index_order(r, o, (off_t)pos, len);
		json_decref(o);
		pos += len + 1;
	}
	free(data);
	r->end = (off_t)size;
	if (dry) {
		close(fd);
		return 0;
	}
	r->fd = fd;
	if (lseek(fd, 0, SEEK_END) < 0)
		return werr_set(e, r->path, "%s", strerror(errno));
	return 0;
}

const char *
reg_duplicate(struct reg *r, const json_t *order, wmonth now)
{
	struct buf k = { 0 };
	dup_key(order, &k);
	const char **no = hmap_get(&r->dups, k.p);
	buf_free(&k);
	if (!no)
		return NULL;
	struct reg_order *ro = hmap_get(&r->orders, *no);
	if (ro && (ro->lump || ro->last >= now))
		return *no;
	return NULL;
}

int
reg_number(struct reg *r, const char *office, int fy, char *out, size_t n, struct werr *e)
{
	char series[40], fys[8];
	fiscal_fmt(fy, fys);
	snprintf(series, sizeof series, "%s-%s", office, fys);
	int isnew;
	struct reg_counter *c = hmap_put(&r->counters, series, &isnew);
	if (r->dry) {
		snprintf(out, n, "DRYRUN-%s-%06lld", series, ++c->used);
		return 0;
	}
	if (isnew || c->reserved == 0) {
		/* First use this run: the counter file, or the register, whichever is ahead. */
		char *p = reg_file(r, series);
		long long v;
		int rc = counter_read(p, &v, e);
		free(p);
		if (rc < 0)
			return -1;
		if (v > c->used)
			c->used = v;
		c->reserved = c->used;
	}
	if (c->used >= c->reserved) {
		char *p = reg_file(r, series);
		int rc = counter_write(p, c->used + NUMBER_BLOCK, e);
		free(p);
		if (rc < 0)
			return -1;
		c->reserved = c->used + NUMBER_BLOCK;
	}
	snprintf(out, n, "%s-%06lld", series, ++c->used);
	return 0;
}

int
reg_flush(struct reg *r, FILE *out, struct werr *e)
{
	if (!r->pending.n)
		return 0;
	if (r->settle)
		r->settle(r->settle_ctx, &r->pending);
	if (!r->dry && append_sync(r->fd, r->pending.p, r->pending.n) < 0)
		return werr_set(e, r->path, "write error: %s", strerror(errno));
	r->end += (off_t)r->pending.n;
	if (out && fwrite(r->pending.p, 1, r->pending.n, out) != r->pending.n)
		return werr_set(e, "<stdout>", "write error: %s", strerror(errno));
	r->pending.n = 0;
	r->npending = 0;
	return 0;
}

static int
added(struct reg *r, const json_t *order, size_t before, FILE *out, struct werr *e)
{
	index_order(r, order, r->end + (off_t)before, r->pending.n - before - 1);
	if (++r->npending >= FLUSH_RECORDS || r->pending.n >= FLUSH_BYTES)
		return reg_flush(r, out, e);
	return 0;
}

int
reg_add(struct reg *r, const json_t *order, FILE *out, struct werr *e)
{
	size_t before = r->pending.n;
	rec_dump(order, &r->pending);
	return added(r, order, before, out, e);
}

int
reg_add_line(struct reg *r, const json_t *order, const char *line, size_t n, FILE *out,
             struct werr *e)
{
	size_t before = r->pending.n;
	buf_add(&r->pending, line, n);
	return added(r, order, before, out, e);
}

json_t *
reg_latest(struct reg *r, const char *order_no, struct werr *e)
{
	struct reg_order *ro = hmap_get(&r->orders, order_no);
	if (!ro) {
		werr_set(e, "order_no", "no order %s in the register", order_no);
		return NULL;
	}
	char *line = xmalloc(ro->len + 1);
	json_t *o = NULL;
	if (ro->off >= r->end) {
		if (r->settle)
			r->settle(r->settle_ctx, &r->pending);
		memcpy(line, r->pending.p + (ro->off - r->end), ro->len);
	} else {
		int fd = open(r->path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : pread(fd, line, ro->len, ro->off);
		if (fd >= 0)
			close(fd);
		if (n != (ssize_t)ro->len) {
			free(line);
			werr_set(e, "order_no", "cannot read %s from the register", order_no);
			return NULL;
		}
	}
	o = rec_parse(line, ro->len, e);
	free(line);
	return o;
}

int
reg_close(struct reg *r, FILE *out, struct werr *e)
{
	int rc = reg_flush(r, out, e);
	/* Hand back numbers reserved but not used: nobody else could take them while we
	 * held the lock. After a crash they are simply skipped, never reused. */
	size_t i = 0;
	struct reg_counter *c;
	while (!r->dry && rc == 0 && (c = hmap_iter(&r->counters, &i)))
		if (c->reserved > c->used) {
			char *p = reg_file(r, hmap_key(&r->counters, c));
			rc = counter_write(p, c->used, e);
			free(p);
		}
	if (r->fd >= 0)
		close(r->fd);
	if (r->lockfd >= 0)
		close(r->lockfd);
	hmap_free(&r->orders);
	hmap_free(&r->dups);
	hmap_free(&r->counters);
	buf_free(&r->pending);
	free(r->dir);
	free(r->path);
	return rc;
}
