/* State on disk: directories, file locks, appends that survive a crash, atomic
 * replacement, counters, and the store: every append-only log, checked line by line. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "wgo.h"

int
mkdirs(const char *path, struct werr *e)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || !*s) {
			char c = *s;
			*s = 0;
			if (mkdir(p, 0700) < 0 && errno != EEXIST) {
				werr_set(e, p, "cannot make the directory: %s", strerror(errno));
				free(p);
				return -1;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return 0;
}

int
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int
append_sync(int fd, const void *p, size_t n)
{
	if (write_all(fd, p, n) < 0 || fdatasync(fd) < 0)
		return -1;
	return 0;
}

static int
sync_dir_of(const char *path)
{
	char *d = xstrdup(path), *s = strrchr(d, '/');
	if (s)
		*s = 0;
	int fd = open(s ? (s == d ? "/" : d) : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(d);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int
atomic_write(const char *path, const void *p, size_t n, mode_t mode, struct werr *e)
{
	char *tmp = xmalloc(strlen(path) + 32);
	sprintf(tmp, "%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		werr_set(e, tmp, "%s", strerror(errno));
		free(tmp);
		return -1;
	}
	if (write_all(fd, p, n) < 0 || fsync(fd) < 0) {
		werr_set(e, path, "write error: %s", strerror(errno));
		close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) < 0 || sync_dir_of(path) < 0) {
		werr_set(e, path, "cannot replace: %s", strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int
counter_read(const char *path, long long *v, struct werr *e)
{
	FILE *f = fopen(path, "r");
	*v = 0;
	if (!f)
		return errno == ENOENT ? 0 : werr_set(e, path, "%s", strerror(errno));
	char line[64];
	int rc = 0;
	if (!fgets(line, sizeof line, f) || sscanf(line, "%lld", v) != 1 || *v < 0)
		rc = werr_set(e, path, "damaged counter: not a number");
	fclose(f);
	return rc;
}

int
counter_write(const char *path, long long v, struct werr *e)
{
	char line[32];
	int n = snprintf(line, sizeof line, "%lld\n", v);
	return atomic_write(path, line, (size_t)n, 0600, e);
}

/* ---- the store: every append-only log ---- */

#define SUM_KEY ",\"check\":\""
#define CHAIN_KEY ",\"prev\":\""
#define SUM_HEX 16
#define CHAIN_HEX 64
#define SUM_TRAILER (sizeof SUM_KEY - 1 + SUM_HEX + 2)     /* ,"check":"…"} */
#define CHAIN_TRAILER (sizeof CHAIN_KEY - 1 + CHAIN_HEX + 2) /* ,"prev":"…"} */
static const char zero_hash[65] =
	"0000000000000000000000000000000000000000000000000000000000000000";

/* The first 8 bytes of BLAKE2b-128, in hex, into out[0..16) (no NUL). */
static void
line_sum(const char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t h[16];
	crypto_generichash(h, sizeof h, (const uint8_t *)p, n, NULL, 0);
	for (int i = 0; i < SUM_HEX / 2; i++) {
		out[2 * i] = digits[h[i] >> 4];
		out[2 * i + 1] = digits[h[i] & 15];
	}
}

void
store_line_hash(const char *p, size_t n, char out[65])
{
	uint8_t h[32];
	crypto_generichash(h, sizeof h, (const uint8_t *)p, n, NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof h);
}

static int
is_hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

/* Where a trailer ,"KEY":"<hex>"} starts in a line, or NULL. */
static const char *
trailer(const char *p, size_t n, const char *key, size_t hex)
{
	size_t k = strlen(key), t = k + hex + 2;
	if (n < t + 1 || p[0] != '{')
		return NULL;
	const char *q = p + n - t;
	if (memcmp(q, key, k) || !is_hex(q + k, hex) || q[k + hex] != '"' || q[k + hex + 1] != '}')
		return NULL;
	return q;
}

int
store_line_prev(const char *p, size_t n, char out[65])
{
	const char *q = trailer(p, n, CHAIN_KEY, CHAIN_HEX);
	if (!q)
		return -1;
	memcpy(out, q + sizeof CHAIN_KEY - 1, CHAIN_HEX);
	out[CHAIN_HEX] = 0;
	return 0;
}

/* ---- reading line by line ---- */

void
store_scan_open(struct store_scan *sc, int fd, off_t from, unsigned long line0)
{
	memset(sc, 0, sizeof *sc);
	sc->fd = fd;
	sc->cap = 64 << 10; /* grows to the longest line */
	sc->b = xmalloc(sc->cap);
	sc->off = from;
	sc->line = line0;
}

int
store_scan_next(struct store_scan *sc, struct store_line *l, struct werr *e)
{
	for (;;) {
		char *nl = memchr(sc->b + sc->start, '\n', sc->have - sc->start);
		if (nl || (sc->eof && sc->start < sc->have)) {
			l->p = sc->b + sc->start;
			l->n = nl ? (size_t)(nl - l->p) : sc->have - sc->start;
			l->complete = nl != NULL;
			l->off = sc->off + (off_t)sc->start;
			l->line = ++sc->line;
			sc->start += l->n + (nl ? 1 : 0);
			return 1;
		}
		if (sc->eof)
			return 0;
		if (sc->start > 0) {
			memmove(sc->b, sc->b + sc->start, sc->have - sc->start);
			sc->have -= sc->start;
			sc->off += (off_t)sc->start;
			sc->start = 0;
		}
		if (sc->have == sc->cap) {
			sc->cap *= 2;
			sc->b = xrealloc(sc->b, sc->cap);
		}
		ssize_t k = pread(sc->fd, sc->b + sc->have, sc->cap - sc->have,
		                  sc->off + (off_t)sc->have);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return werr_set(e, "", "read error: %s", strerror(errno));
		if (k == 0)
			sc->eof = 1;
		sc->have += (size_t)k;
	}
}

void
store_scan_close(struct store_scan *sc)
{
	free(sc->b);
	sc->b = NULL;
}

/* ---- the head of a chain ---- */

static char *
side_path(const char *path, const char *suffix)
{
	char *p = xmalloc(strlen(path) + strlen(suffix) + 1);
	sprintf(p, "%s%s", path, suffix);
	return p;
}

int
store_head_read(const char *path, struct store_head *h, struct buf *extra, struct werr *e)
{
	char *hp = side_path(path, ".head");
	h->seq = 0;
	h->size = 0;
	memcpy(h->hash, zero_hash, 65);
	FILE *f = fopen(hp, "r");
	if (!f) {
		int rc = errno == ENOENT ? 1 : werr_set(e, hp, "%s", strerror(errno));
		free(hp);
		return rc;
	}
	char line[256];
	unsigned long ln = 0;
	int have = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		ln++;
		long long n;
		char hx[80], word[32];
		size_t len = strlen(line);
		if (!len || line[len - 1] != '\n') {
			rc = werr_set(e, hp, "line %lu is cut short or too long", ln);
			break;
		}
		if (sscanf(line, "seq %lld", &n) == 1 && n >= 0) {
			h->seq = (unsigned long)n;
			have |= 1;
		} else if (sscanf(line, "size %lld", &n) == 1 && n >= 0) {
			h->size = n;
			have |= 2;
		} else if (sscanf(line, "hash %79s", hx) == 1 && strlen(hx) == 64 && is_hex(hx, 64)) {
			memcpy(h->hash, hx, 65);
			have |= 4;
		} else if (sscanf(line, "%31s", word) == 1 && strcmp(word, "seq") &&
		           strcmp(word, "size") && strcmp(word, "hash")) {
			if (extra)
				buf_add(extra, line, len);
		} else {
			rc = werr_set(e, hp, "line %lu is not understood", ln);
			break;
		}
	}
	fclose(f);
	if (!rc && have != 7)
		rc = werr_set(e, hp, "incomplete: it needs seq, size and hash");
	free(hp);
	return rc;
}

static int
head_write(struct store *s, struct werr *e)
{
	struct buf b = { 0 };
	buf_printf(&b, "seq %lu\nsize %lld\nhash %s\n", s->wlines, (long long)s->size, s->whash);
	buf_add(&b, s->head.p, s->head.n);
	char *hp = side_path(s->path, ".head");
	int rc = atomic_write(hp, b.p, b.n, 0600, e);
	free(hp);
	buf_free(&b);
	return rc;
}

/* ---- opening ---- */

/* The lock, with our process id in it so that whoever waits is told who holds it. */
static int
store_lock(const char *path, int mode, struct werr *e)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return werr_set(e, path, "%s", strerror(errno)), -1;
	int told = 0;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		int err = errno;
		if (err != EWOULDBLOCK) {
			close(fd);
			return werr_set(e, path, "cannot lock: %s", strerror(err)), -1;
		}
		char pid[32] = "";
		ssize_t k = pread(fd, pid, sizeof pid - 1, 0);
		pid[k > 0 ? k : 0] = 0;
		pid[strcspn(pid, "\n")] = 0;
		if (mode == STORE_TRY) {
			close(fd);
			return werr_set(e, path, "locked by %s%s: it is in use", *pid ? "process " : "another process",
			                pid), -1;
		}
		if (!told++ && isatty(2))
			warnf("%s: waiting for %s%s to finish", path, *pid ? "process " : "another process", pid);
		while (flock(fd, LOCK_EX) < 0)
			if (errno != EINTR) {
				err = errno;
				close(fd);
				return werr_set(e, path, "cannot lock: %s", strerror(err)), -1;
			}
		break;
	}
	char pid[32];
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) < 0) {
		/* only a courtesy to whoever waits */
	}
	return fd;
}

int
lock_file(const char *path, int nonblock, struct werr *e)
{
	return store_lock(path, nonblock ? STORE_TRY : STORE_WAIT, e);
}

/* Move a torn tail [from, end) to PATH.torn, then cut it off the log. */
static int
set_aside(struct store *s, off_t from, off_t end, struct werr *e)
{
	size_t n = (size_t)(end - from);
	char *p = xmalloc(n ? n : 1);
	ssize_t k = pread(s->fd, p, n, from);
	char *tp = side_path(s->path, ".torn");
	int tf = open(tp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	int rc = 0;
	if (k != (ssize_t)n || tf < 0 || append_sync(tf, p, n) < 0 || append_sync(tf, "\n", 1) < 0)
		rc = werr_set(e, tp, "cannot keep the torn line: %s", strerror(errno));
	else if (ftruncate(s->fd, from) < 0 || fsync(s->fd) < 0)
		rc = werr_set(e, s->path, "cannot cut the torn line: %s", strerror(errno));
	else
		warnf("%s: an incomplete last line of %zu bytes (a crash while it was written; it was "
		      "never acknowledged) was moved to %s", s->path, n, tp);
	if (tf >= 0)
		close(tf);
	free(tp);
	free(p);
	return rc;
}

static int
damaged(struct werr *e, const char *path, unsigned long line, const char *fmt, ...)
	WGO_ATTR_FMT(4, 5);

static int
damaged(struct werr *e, const char *path, unsigned long line, const char *fmt, ...)
{
	char where[sizeof e->field];
	snprintf(where, sizeof where, "%s:%lu", path, line);
	va_list ap;
	va_start(ap, fmt);
	char m[sizeof e->msg];
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	return werr_set(e, where, "%s", m);
}

/* The check of a log's lines, one after the other. */
struct checker {
	const char *path;
	int check;
	char hash[65];            /* CHAIN: the hash of the line before */
	unsigned long lines;      /* lines checked */
	off_t off;                /* where the next line starts */
	const struct store_head *hd; /* CHAIN, a full replay: the head to hold the log to */
	int unsealed;             /* SUM, read only: a log of before the store, no checks */
};

/* Check the next line, p[0..*n), complete or not: 0, its record in p[0..*n) (SUM
 * puts the record's } where its check began); 1, a torn tail; -1, damage (e). */
static int
check_line(struct checker *c, char *p, size_t *n, int complete, struct werr *e)
{
	unsigned long line = c->lines + 1;
	size_t len = *n;
	if (!complete) {
		if (c->hd && c->off < c->hd->size)
			return damaged(e, c->path, line, "cut short: the head records %lld bytes, the log "
			               "has %lld (its end was lost)", c->hd->size,
			               (long long)(c->off + (off_t)len));
		return 1;
	}
	if (c->check == STORE_SUM && c->unsealed) {
		if (trailer(p, len, SUM_KEY, SUM_HEX))
			return damaged(e, c->path, line, "damaged: a line with a check in a log whose "
			               "first line has none");
	} else if (c->check == STORE_SUM) {
		char *q = (char *)trailer(p, len, SUM_KEY, SUM_HEX);
		char want[SUM_HEX], had[SUM_HEX];
		if (!q)
			return damaged(e, c->path, line, "damaged: the line does not end with its check "
			               "(\"check\":\"16 hex digits\"})");
		memcpy(had, q + sizeof SUM_KEY - 1, SUM_HEX);
		*q = '}';
		*n = (size_t)(q - p) + 1;
		line_sum(p, *n, want);
		if (memcmp(want, had, SUM_HEX))
			return damaged(e, c->path, line, "damaged: its check does not match its content "
			               "(the line was changed)");
	} else {
		char prev[65];
		if (store_line_prev(p, len, prev) < 0)
			return damaged(e, c->path, line, "damaged: the line does not end with the hash of "
			               "the line before (\"prev\":\"64 hex digits\"})");
		if (strcmp(prev, c->hash)) {
			if (line == 1)
				return damaged(e, c->path, 1, "damaged: the first line's prev is not zero "
				               "(lines were removed before it)");
			return damaged(e, c->path, line - 1, "damaged: line %lu does not follow it (this line "
			               "was changed, or lines were removed, inserted or moved after it)",
			               line);
		}
		store_line_hash(p, len, c->hash);
	}
	c->lines = line;
	c->off += (off_t)len + 1;
	if (c->hd && line == c->hd->seq && (strcmp(c->hash, c->hd->hash) || c->off != c->hd->size))
		return damaged(e, c->path, line, strcmp(c->hash, c->hd->hash)
		               ? "damaged: not the line the head recorded as the last written (it was "
		                 "changed)"
		               : "damaged: the log is not as long here as its head records (lines "
		                 "before it changed their length)");
	return 0;
}

/* After the last line: a head that records more lines than there are. */
static int
check_end(const struct checker *c, struct werr *e)
{
	if (c->hd && c->lines < c->hd->seq)
		return werr_set(e, c->path, "its head records %lu lines, the log has %lu: lines were "
		                "removed from its end", c->hd->seq, c->lines);
	return 0;
}

/* Check each line from offset from (the line before it hashing to s->hash) and
 * hand it to fn; a torn tail a writer sets aside. */
static int
replay(struct store *s, off_t from, const struct store_head *hd, store_fn fn, void *ctx,
       struct werr *e)
{
	struct checker c = { s->path, s->check, { 0 }, s->lines, from, hd, s->unsealed };
	memcpy(c.hash, s->hash, 65);
	struct store_scan sc;
	struct store_line l;
	int rc = 0, got;
	store_scan_open(&sc, s->fd, from, s->lines);
	s->size = from;
	while ((got = store_scan_next(&sc, &l, e)) > 0) {
		size_t n = l.n;
		int k = check_line(&c, (char *)l.p, &n, l.complete, e);
		if (k == 1 && s->writer)
			rc = set_aside(s, l.off, l.off + (off_t)l.n, e);
		if (k != 0) {
			rc = k < 0 ? -1 : rc;
			break;
		}
		struct store_rec r = { l.p, n, l.line, l.off, l.n };
		int took = fn ? fn(ctx, &r, e) : 0;
		if (took == -2) {
			rc = -2;
			break;
		}
		if (took < 0) {
			struct werr why = *e;
			rc = damaged(e, s->path, l.line, "damaged: %.100s%s%.150s", why.field,
			             why.field[0] ? ": " : "", why.msg);
			break;
		}
		memcpy(s->hash, c.hash, 65);
		s->lines = c.lines;
		s->size = c.off;
	}
	store_scan_close(&sc);
	if (got < 0 && !rc) {
		struct werr why = *e;
		rc = werr_set(e, s->path, "%s", why.msg);
	}
	if (!rc)
		rc = check_end(&c, e);
	return rc;
}

static int
loop_check(void *ctx, char *line, size_t *len, int complete, struct werr *e)
{
	struct checker *c = ctx;
	int k = check_line(c, line, len, complete, e);
	return k < 0 ? -1 : k;
}

int
store_loop(const char *path, int check, struct rloop *L)
{
	struct store_head hd;
	struct werr e;
	int hr = check == STORE_CHAIN ? store_head_read(path, &hd, NULL, &e) : 1;
	if (hr < 0) {
		warnf("%s: %s", e.field, e.msg);
		return WGO_EXIT_USAGE;
	}
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return hr == 0 && hd.seq ? (warnf("%s: missing, though its head records %lu lines", path,
		                                  hd.seq), WGO_EXIT_USAGE) : 0;
	struct checker c = { path, check, { 0 }, 0, 0, hr == 0 ? &hd : NULL, 0 };
	memcpy(c.hash, zero_hash, 65);
	L->line_check = loop_check;
	L->line_ctx = &c;
	char *argv[] = { (char *)path };
	int st = rec_loop(L, 1, argv);
	if (!L->stop && check_end(&c, &e) < 0) {
		warnf("%s: %s", e.field, e.msg);
		st = wgo_worse(st, WGO_EXIT_USAGE);
	}
	L->line_check = NULL;
	L->line_ctx = NULL;
	return st;
}

/* The line the head vouches for, its last: it ends where the head says, and
 * hashes to the head's hash. What comes before it, only a full replay checks. */
static int
head_line(struct store *s, const struct store_head *hd, struct werr *e)
{
	if (hd->seq == 0)
		return hd->size == 0 ? 0 : damaged(e, s->path, 1, "damaged: the head records no line "
		                                   "but %lld bytes", hd->size);
	size_t win = 4096, n;
	char *b = NULL, *nl = NULL;
	off_t end = (off_t)hd->size;
	for (;;) {
		n = end < (off_t)win ? (size_t)end : win;
		b = xrealloc(b, n);
		if (pread(s->fd, b, n, end - (off_t)n) != (ssize_t)n) {
			free(b);
			return werr_set(e, s->path, "read error: %s", strerror(errno));
		}
		if (b[n - 1] != '\n') {
			free(b);
			return damaged(e, s->path, hd->seq, "damaged: the head says the log's last line "
			               "ends at byte %lld, and no line ends there", hd->size);
		}
		nl = NULL;
		for (size_t i = n - 1; i > 0 && !nl; i--)
			if (b[i - 1] == '\n')
				nl = b + i - 1;
		if (nl || (off_t)n == end)
			break;
		win *= 4;
	}
	const char *p = nl ? nl + 1 : b;
	char h[65];
	store_line_hash(p, (size_t)(b + n - 1 - p), h);
	free(b);
	if (strcmp(h, hd->hash))
		return damaged(e, s->path, hd->seq, "damaged: not the line the head recorded as the "
		               "last written (it was changed)");
	return 0;
}

/* A log that no line of has a check (written before the store): every whole line
 * sealed, the file replaced, the old one kept beside it. What the lines hold, the
 * replay that follows checks. */
static int
adopt(struct store *s, struct werr *e)
{
	struct store_scan sc;
	struct store_line l;
	struct buf old = { 0 }, sealed = { 0 };
	int rc = 0, got;
	unsigned long n = 0;
	store_scan_open(&sc, s->fd, 0, 0);
	while ((got = store_scan_next(&sc, &l, e)) > 0) {
		buf_add(&old, l.p, l.n);
		if (l.complete)
			buf_addc(&old, '\n');
		if (!l.complete || l.n < 3 || l.p[0] != '{' || l.p[l.n - 1] != '}') {
			buf_add(&sealed, l.p, l.n); /* the replay says what it is */
			if (l.complete)
				buf_addc(&sealed, '\n');
			continue;
		}
		if (trailer(l.p, l.n, SUM_KEY, SUM_HEX)) {
			rc = 1; /* sealed already, at least in part: not a log to adopt */
			break;
		}
		size_t at = sealed.n;
		buf_grow(&sealed, l.n + SUM_TRAILER + 1);
		memcpy(sealed.p + at, l.p, l.n - 1);
		memcpy(sealed.p + at + l.n - 1, SUM_KEY, sizeof SUM_KEY - 1);
		line_sum(l.p, l.n, sealed.p + at + l.n - 1 + sizeof SUM_KEY - 1);
		memcpy(sealed.p + at + l.n - 1 + sizeof SUM_KEY - 1 + SUM_HEX, "\"}\n", 3);
		sealed.n += l.n - 1 + SUM_TRAILER + 1;
		n++;
	}
	store_scan_close(&sc);
	if (got < 0)
		rc = -1;
	if (rc == 0 && n) {
		char *keep = side_path(s->path, ".unsealed");
		rc = atomic_write(keep, old.p, old.n, 0600, e);
		if (rc == 0)
			rc = atomic_write(s->path, sealed.p, sealed.n, 0600, e);
		if (rc == 0) {
			warnf("%s: written before its lines had checks: its %lu lines are sealed now (it "
			      "was kept as %s)", s->path, n, keep);
			close(s->fd);
			if ((s->fd = open(s->path, O_RDWR | O_APPEND | O_CLOEXEC)) < 0)
				rc = werr_set(e, s->path, "%s", strerror(errno));
		}
		free(keep);
	}
	buf_free(&old);
	buf_free(&sealed);
	return rc < 0 ? -1 : 0;
}

int
store_open(struct store *s, const char *path, const struct store_opts *o, store_fn fn, void *ctx,
           struct werr *e)
{
	memset(s, 0, sizeof *s);
	s->fd = s->lockfd = -1;
	s->check = o->check;
	s->writer = o->lock != STORE_READ;
	s->path = xstrdup(path);
	memcpy(s->hash, zero_hash, 65);
	int rc = 0;
	if (s->writer) {
		char *dir = xstrdup(path), *sl = strrchr(dir, '/');
		if (sl && sl != dir) {
			*sl = 0;
			rc = mkdirs(dir, e);
		}
		free(dir);
		s->lockpath = o->lockpath ? xstrdup(o->lockpath) : side_path(path, ".lock");
		if (rc == 0 && (s->lockfd = store_lock(s->lockpath, o->lock, e)) < 0)
			rc = -1;
	}
	if (rc == 0) {
		s->fd = open(path, s->writer ? O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC : O_RDONLY | O_CLOEXEC,
		             0600);
		if (s->fd < 0 && !(errno == ENOENT && !s->writer))
			rc = werr_set(e, path, "%s", strerror(errno));
	}
	struct store_head hd;
	int hr = 1;
	if (rc == 0 && s->check == STORE_CHAIN) {
		hr = store_head_read(path, &hd, &s->head, e);
		if (hr < 0) {
			snprintf(e->msg + strlen(e->msg), sizeof e->msg - strlen(e->msg),
			         " (verify the log, then remove the head to rebuild it from the log)");
			rc = -1;
		}
	}
	if (rc == 0 && s->fd >= 0 && o->adopt && s->writer && s->check == STORE_SUM)
		rc = adopt(s, e);
	if (rc == 0 && s->fd >= 0 && o->adopt && !s->writer && s->check == STORE_SUM) {
		/* A reader takes a log that is still to be sealed as it is. */
		char b[65536];
		ssize_t k = pread(s->fd, b, sizeof b, 0);
		char *nl = k > 0 ? memchr(b, '\n', (size_t)k) : NULL;
		s->unsealed = nl && nl > b && nl[-1] == '}' && !trailer(b, (size_t)(nl - b), SUM_KEY, SUM_HEX);
	}
	if (rc == 0 && s->fd >= 0) {
		struct stat st;
		off_t from = 0;
		if (fstat(s->fd, &st) < 0)
			rc = werr_set(e, path, "%s", strerror(errno));
		else if (hr == 1 && st.st_size > 0 && s->check == STORE_CHAIN && s->writer)
			warnf("%s: no head file: rebuilt from the log", path);
		if (rc == 0 && hr == 0 && o->from_head && s->writer) {
			if (st.st_size < hd.size)
				rc = damaged(e, path, hd.seq, "damaged: cut short: the head records %lld bytes, "
				             "the log has %lld (its end was lost)", hd.size,
				             (long long)st.st_size);
			else
				rc = head_line(s, &hd, e);
			from = (off_t)hd.size;
			s->lines = hd.seq;
			memcpy(s->hash, hd.hash, 65);
		}
		if (rc == 0)
			rc = replay(s, from, hr == 0 && !(o->from_head && s->writer) ? &hd : NULL, fn, ctx, e);
		if (rc == 0 && hr == 0 && s->writer && s->lines > hd.seq)
			warnf("%s: %lu line%s after its head, written before a crash, taken in", path,
			      s->lines - hd.seq, s->lines - hd.seq == 1 ? "" : "s");
	}
	s->wlines = s->lines;
	memcpy(s->whash, s->hash, 65);
	/* A chain gets its head at once, so that a crash after its first append is
	 * told from a head that was removed. */
	if (rc == 0 && s->writer && s->check == STORE_CHAIN && hr == 1)
		rc = head_write(s, e);
	if (rc < 0)
		store_close(s);
	return rc;
}

/* ---- appending ---- */

off_t
store_add(struct store *s, const char *rec, size_t n)
{
	if (!s->writer || s->broken || s->fd < 0)
		return -1;
	if (n < 3 || rec[0] != '{' || rec[n - 1] != '}')
		die("internal error: the store seals JSON objects with a key, not \"%.*s\"", (int)n, rec);
	off_t at = s->size + (off_t)s->pending.n;
	size_t start = s->pending.n;
	/* On every line of a run of millions: copies, not printf. */
	int sum = s->check == STORE_SUM;
	const char *key = sum ? SUM_KEY : CHAIN_KEY;
	size_t kl = strlen(key), hex = sum ? SUM_HEX : CHAIN_HEX;
	buf_grow(&s->pending, n - 1 + kl + hex + 3);
	char *p = s->pending.p + start;
	memcpy(p, rec, n - 1);
	memcpy(p + n - 1, key, kl);
	if (sum)
		line_sum(rec, n, p + n - 1 + kl);
	else
		memcpy(p + n - 1 + kl, s->hash, CHAIN_HEX);
	memcpy(p + n - 1 + kl + hex, "\"}\n", 3);
	s->pending.n += n - 1 + kl + hex + 3;
	if (!sum)
		store_line_hash(p, s->pending.n - start - 1, s->hash);
	s->lines++;
	return at;
}

int
store_write(struct store *s, struct werr *e)
{
	if (s->broken)
		return werr_set(e, s->path, "not written: an earlier write to it failed");
	if (!s->pending.n)
		return 0;
	if (write_all(s->fd, s->pending.p, s->pending.n) < 0) {
		int err = errno;
		/* What was written of it goes, whole lines and all: nothing of it was
		 * acknowledged, and a torn line must not wait for the next start. */
		if (ftruncate(s->fd, s->size) < 0)
			warnf("%s: cannot cut back a failed write:", s->path);
		s->pending.n = 0;
		s->lines = s->wlines;
		memcpy(s->hash, s->whash, 65);
		__atomic_store_n(&s->broken, 1, __ATOMIC_RELAXED);
		return werr_set(e, s->path, "write error: %s", strerror(err));
	}
	s->size += (off_t)s->pending.n;
	s->pending.n = 0;
	s->wlines = s->lines;
	memcpy(s->whash, s->hash, 65);
	return 0;
}

int
store_sync(struct store *s, struct werr *e)
{
	if (fdatasync(s->fd) < 0) {
		__atomic_store_n(&s->broken, 1, __ATOMIC_RELAXED);
		return werr_set(e, s->path, "sync error: %s", strerror(errno));
	}
	if (s->check == STORE_CHAIN && head_write(s, e) < 0) {
		__atomic_store_n(&s->broken, 1, __ATOMIC_RELAXED);
		return -1;
	}
	return 0;
}

int
store_flush(struct store *s, struct werr *e)
{
	if (!s->pending.n && s->check == STORE_SUM)
		return 0;
	int had = s->pending.n > 0;
	if (store_write(s, e) < 0)
		return -1;
	return had ? store_sync(s, e) : 0;
}

int
store_get(struct store *s, off_t off, size_t len, struct buf *out, struct werr *e)
{
	char *line = xmalloc(len + 1);
	const char *p = line;
	if (off >= s->size) {
		size_t at = (size_t)(off - s->size);
		if (at + len + 1 > s->pending.n) {
			free(line);
			return werr_set(e, s->path, "no line at byte %lld", (long long)off);
		}
		p = s->pending.p + at;
	} else if (pread(s->fd, line, len + 1, off) != (ssize_t)len + 1 || line[len] != '\n') {
		free(line);
		return werr_set(e, s->path, "cannot read the line at byte %lld back", (long long)off);
	}
	out->n = 0;
	int rc = 0;
	if (s->unsealed) {
		buf_add(out, p, len); /* read as it is, as replay took it */
	} else if (s->check == STORE_CHAIN) {
		/* Only its neighbours can vouch for a line of a chain: it was checked when
		 * the log was replayed, under the lock. */
		if (trailer(p, len, CHAIN_KEY, CHAIN_HEX))
			buf_add(out, p, len);
		else
			rc = werr_set(e, s->path, "the line at byte %lld was changed since it was read",
			              (long long)off);
	} else {
		const char *q = trailer(p, len, SUM_KEY, SUM_HEX);
		char want[SUM_HEX + 1];
		if (q) {
			buf_add(out, p, (size_t)(q - p));
			buf_addc(out, '}');
			line_sum(out->p, out->n, want);
		}
		if (!q || memcmp(want, q + sizeof SUM_KEY - 1, SUM_HEX))
			rc = werr_set(e, s->path, "the line at byte %lld was changed since it was read",
			              (long long)off);
	}
	free(line);
	buf_str(out);
	return rc;
}

size_t
store_line_len(const struct store *s, size_t n)
{
	return n - 1 + (s->check == STORE_SUM ? SUM_TRAILER : CHAIN_TRAILER) + 1;
}

void
store_close(struct store *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->lockfd >= 0)
		close(s->lockfd);
	free(s->path);
	free(s->lockpath);
	buf_free(&s->pending);
	buf_free(&s->head);
	memset(s, 0, sizeof *s);
	s->fd = s->lockfd = -1;
}
