/* Sorting more byte strings than memory should hold: in memory up to a limit,
 * beyond it in sorted runs in temporary files, merged when read back. The order is
 * memcmp's, a prefix before what it begins; each distinct string comes out once. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wgo.h"

struct xsort_run {
	FILE *f;
	struct buf cur;     /* the run's current string */
	int done;
};

static uint32_t
get32(const char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static int
bytes_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	size_t m = na < nb ? na : nb;
	int c = m ? memcmp(a, b, m) : 0;
	return c ? c : (na > nb) - (na < nb);
}

/* qsort has no context: the strings being sorted (one sort at a time, in one thread). */
static _Thread_local const char *sort_base;

static int
off_cmp(const void *x, const void *y)
{
	const char *a = sort_base + *(const uint32_t *)x, *b = sort_base + *(const uint32_t *)y;
	return bytes_cmp(a + 4, get32(a), b + 4, get32(b));
}

/* Strings that share their first two bytes are sorted together: the strings are
 * counted by those bytes, placed, and each group sorted alone. For strings that
 * begin with a hash, as the index's names do, the groups are a few strings each.
 * A group's number: 0 the empty string, then for each first byte x the string x
 * alone, then x followed by each second byte. */
#define NGROUPS (256 * 257 + 1)

static size_t
group(const char *p)
{
	const unsigned char *u = (const unsigned char *)p + 4;
	uint32_t n = get32(p);
	return n == 0 ? 0 : n == 1 ? (size_t)u[0] * 257 + 1 : (size_t)u[0] * 257 + u[1] + 2;
}

static void
sort_mem(struct xsort *s)
{
	size_t *end = xcalloc(NGROUPS, sizeof *end);
	uint32_t *to = xmalloc((s->n ? s->n : 1) * sizeof *to);
	for (size_t i = 0; i < s->n; i++)
		end[group(s->mem.p + s->off[i])]++;
	for (size_t k = 1; k < NGROUPS; k++)
		end[k] += end[k - 1];
	/* end[k] is where group k ends; placed from the back, each group fills up to
	 * where the one before it ends. */
	for (size_t i = s->n; i-- > 0;)
		to[--end[group(s->mem.p + s->off[i])]] = s->off[i];
	/* Now end[k] is where group k begins. */
	sort_base = s->mem.p;
	for (size_t k = 0; k < NGROUPS; k++) {
		size_t from = end[k], to_ = k + 1 < NGROUPS ? end[k + 1] : s->n;
		if (to_ - from > 1)
			qsort(to + from, to_ - from, sizeof *to, off_cmp);
	}
	free(s->off);
	s->off = to;
	s->cap = s->n ? s->n : 1;
	free(end);
}

void
xsort_init(struct xsort *s, size_t limit, const char *what)
{
	memset(s, 0, sizeof *s);
	s->limit = limit;
	s->what = what;
}

/* What memory holds, sorted, to a new run. */
static void
spill(struct xsort *s)
{
	/* As SQLite picks the directory of its own temporary files. */
	const char *d = getenv("TMPDIR");
	const char *dirs[] = { d && *d ? d : "/tmp", "/var/tmp", "/tmp" };
	s->dir = NULL;
	for (size_t i = 0; i < 3 && !s->dir; i++) {
		struct stat st;
		if (stat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode) && access(dirs[i], W_OK | X_OK) == 0)
			s->dir = dirs[i];
	}
	if (!s->dir)
		die("%s: no directory for temporary files: not %s, /var/tmp or /tmp", s->what, dirs[0]);
	struct buf path = { 0 };
	buf_printf(&path, "%s/wgo-sort.XXXXXX", s->dir);
	buf_str(&path); /* NUL-terminated */
	int fd = mkstemp(path.p);
	if (fd < 0)
		die("%s: cannot make a temporary file in %s:", s->what, s->dir);
	unlink(path.p);
	buf_free(&path);
	sort_mem(s);
	/* Written with write(2) in blocks of 1 MiB, each error seen where it happens. */
	struct buf out = { 0 };
	const char *last = NULL;
	for (size_t i = 0; i <= s->n; i++) {
		const char *p = i < s->n ? s->mem.p + s->off[i] : NULL;
		if (p && last && !bytes_cmp(last + 4, get32(last), p + 4, get32(p)))
			continue;
		if (p) {
			buf_add(&out, p, 4 + (size_t)get32(p));
			last = p;
		}
		if ((out.n >= (1 << 20) || !p) && out.n) {
			if (write_all(fd, out.p, out.n) < 0)
				die("%s: cannot write a temporary file in %s:", s->what, s->dir);
			out.n = 0;
		}
	}
	buf_free(&out);
	FILE *f = fdopen(fd, "r");
	if (!f)
		die("%s: temporary file:", s->what);
	s->runs = xrealloc(s->runs, (s->nruns + 1) * sizeof *s->runs);
	s->runs[s->nruns++] = (struct xsort_run){ f, { 0 }, 0 };
	s->mem.n = 0;
	s->n = 0;
}

void
xsort_add(struct xsort *s, const void *p, size_t n)
{
	if (n > UINT32_MAX - 4)
		die("%s: a string of %zu bytes to sort", s->what, n);
	if (s->n && s->mem.n + n + 4 + (s->n + 1) * sizeof *s->off > s->limit)
		spill(s);
	if (s->mem.n + n + 4 > UINT32_MAX)
		die("%s: over 4 GiB to sort in memory", s->what);
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 4096;
		s->off = xrealloc(s->off, s->cap * sizeof *s->off);
	}
	s->off[s->n++] = (uint32_t)s->mem.n;
	uint32_t len = (uint32_t)n;
	buf_add(&s->mem, &len, 4);
	buf_add(&s->mem, p, n);
}

/* The next string of run r into its cur; 0 at its end. */
static int
run_read(struct xsort *s, struct xsort_run *r)
{
	uint32_t n;
	size_t got = fread(&n, 1, 4, r->f);
	if (got == 0 && feof(r->f)) {
		r->done = 1;
		return 0;
	}
	r->cur.n = 0;
	if (got == 4) {
		buf_grow(&r->cur, n);
		got = fread(r->cur.p, 1, n, r->f);
		r->cur.n = got;
	}
	if (got != n || ferror(r->f))
		die("%s: cannot read back a temporary file in %s%s", s->what, s->dir,
		    ferror(r->f) ? ":" : ": it ends early");
	return 1;
}

static void
end_runs(struct xsort *s)
{
	for (size_t i = 0; i < s->nruns; i++) {
		fclose(s->runs[i].f);
		buf_free(&s->runs[i].cur);
	}
	free(s->runs);
	s->runs = NULL;
	s->nruns = 0;
}

static const void *
merge_next(struct xsort *s, size_t *n)
{
	if (!s->reading) {
		s->reading = 1;
		s->next = 0;
		s->have_last = 0;
		if (s->nruns) {
			if (s->n)
				spill(s);
			for (size_t i = 0; i < s->nruns; i++) {
				if (fseek(s->runs[i].f, 0, SEEK_SET) < 0)
					die("%s: temporary file:", s->what);
				run_read(s, &s->runs[i]);
			}
		} else {
			sort_mem(s);
		}
	}
	for (;;) {
		if (!s->nruns) {
			if (s->next == s->n)
				break;
			const char *p = s->mem.p + s->off[s->next++];
			size_t len = get32(p);
			p += 4;
			if (s->have_last && !bytes_cmp(s->lastp, s->lastn, p, len))
				continue;
			/* The last string is in memory still: pointed at, not copied. */
			s->lastp = p;
			s->lastn = len;
			s->have_last = 1;
			*n = len;
			return p;
		}
		/* The least of the runs' current strings (a few runs: looked over in turn). */
		struct xsort_run *min = NULL;
		for (size_t i = 0; i < s->nruns; i++) {
			struct xsort_run *r = &s->runs[i];
			if (!r->done && (!min || bytes_cmp(r->cur.p, r->cur.n, min->cur.p, min->cur.n) < 0))
				min = r;
		}
		if (!min)
			break;
		int same = s->have_last && !bytes_cmp(s->own.p, s->own.n, min->cur.p, min->cur.n);
		if (!same) {
			if (!s->own.p)
				buf_grow(&s->own, 1); /* an empty string is not NULL, the end */
			s->own.n = 0;
			buf_add(&s->own, min->cur.p, min->cur.n);
			s->have_last = 1;
		}
		run_read(s, min);
		if (same)
			continue;
		*n = s->own.n;
		return s->own.p;
	}
	/* The end: empty again. */
	end_runs(s);
	s->reading = 0;
	s->have_last = 0;
	s->mem.n = 0;
	s->n = 0;
	return NULL;
}

/* ---- reading ahead ----
 * A thread merges the strings into chunks while the caller uses the ones before:
 * the merge (reading the runs back, comparing, copying) is then not in the
 * caller's time. A chunk holds [4-byte length][bytes] strings. */
#define AHEAD_CHUNKS 4
#define AHEAD_BYTES (256 * 1024)

struct xsort_ahead {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct buf chunk[AHEAD_CHUNKS];
	int full[AHEAD_CHUNKS], last[AHEAD_CHUNKS]; /* filled; the strings end with it */
	int quit;
	size_t rd, pos;                             /* the caller's chunk, and where in it */
	int have;                                   /* the caller holds chunk rd */
};

static void *
ahead_main(void *arg)
{
	struct xsort *s = arg;
	struct xsort_ahead *a = s->ahead;
	for (size_t k = 0;; k = (k + 1) % AHEAD_CHUNKS) {
		pthread_mutex_lock(&a->mu);
		while (a->full[k] && !a->quit)
			pthread_cond_wait(&a->cv, &a->mu);
		int quit = a->quit;
		pthread_mutex_unlock(&a->mu);
		if (quit)
			return NULL;
		struct buf *b = &a->chunk[k];
		const char *p;
		size_t n;
		int end = 0;
		b->n = 0;
		while (b->n < AHEAD_BYTES) {
			if (!(p = merge_next(s, &n))) {
				end = 1;
				break;
			}
			uint32_t len = (uint32_t)n;
			buf_add(b, &len, 4);
			buf_add(b, p, n);
		}
		pthread_mutex_lock(&a->mu);
		a->full[k] = 1;
		a->last[k] = end;
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
		if (end)
			return NULL;
	}
}

static void
ahead_end(struct xsort *s)
{
	struct xsort_ahead *a = s->ahead;
	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	a->quit = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->th, NULL);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	for (int k = 0; k < AHEAD_CHUNKS; k++)
		buf_free(&a->chunk[k]);
	free(a);
	s->ahead = NULL;
}

const void *
xsort_next(struct xsort *s, size_t *n)
{
	struct xsort_ahead *a = s->ahead;
	if (!a) {
		a = s->ahead = xcalloc(1, sizeof *a);
		pthread_mutex_init(&a->mu, NULL);
		pthread_cond_init(&a->cv, NULL);
		if (pthread_create(&a->th, NULL, ahead_main, s) != 0)
			die("%s: cannot start a thread:", s->what);
	}
	for (;;) {
		if (a->have) {
			struct buf *b = &a->chunk[a->rd];
			if (a->pos < b->n) {
				uint32_t len = get32(b->p + a->pos);
				const char *p = b->p + a->pos + 4;
				a->pos += 4 + (size_t)len;
				*n = len;
				return p;
			}
			int end = a->last[a->rd];
			pthread_mutex_lock(&a->mu);
			a->full[a->rd] = 0;
			pthread_cond_broadcast(&a->cv);
			pthread_mutex_unlock(&a->mu);
			a->have = 0;
			a->rd = (a->rd + 1) % AHEAD_CHUNKS;
			a->pos = 0;
			if (end) {
				ahead_end(s); /* the thread has ended: this only joins it */
				return NULL;
			}
		}
		pthread_mutex_lock(&a->mu);
		while (!a->full[a->rd])
			pthread_cond_wait(&a->cv, &a->mu);
		pthread_mutex_unlock(&a->mu);
		a->have = 1;
	}
}

void
xsort_free(struct xsort *s)
{
	ahead_end(s);
	end_runs(s);
	buf_free(&s->mem);
	buf_free(&s->own);
	free(s->off);
	memset(s, 0, sizeof *s);
}
