/* Messages on stderr, exit statuses, checked allocation and a growable buffer. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wgo.h"

const char *wgo_prog = "wgo";

void
wgo_setprog(const char *argv0)
{
	const char *s = strrchr(argv0, '/');
	wgo_prog = s ? s + 1 : argv0;
}

void
vwarnf(const char *fmt, va_list ap)
{
	int saved = errno;
	size_t n = strlen(fmt);
	char m[1024];
	struct buf big = { 0 }, out = { 0 };

	/* A message quotes file names, field names and values from the input: each
	 * reaches the terminal escaped, and the message stays one line. Most fit the
	 * stack; a long one is formatted again in full. */
	va_list aq;
	va_copy(aq, ap);
	int len = vsnprintf(m, sizeof m, fmt, aq);
	va_end(aq);
	const char *msg = m;
	if (len < 0) {
		len = 0, m[0] = 0;
	} else if ((size_t)len >= sizeof m) {
		buf_grow(&big, (size_t)len + 1);
		vsnprintf(big.p, (size_t)len + 1, fmt, ap);
		msg = big.p;
	}
	/* Escaping at most quadruples a byte (\xHH); with room for that, the buffer
	 * never grows, so it may be on the stack. */
	char ob[2048];
	const char *es = n && fmt[n - 1] == ':' ? strerror(saved) : "";
	size_t bound = strlen(wgo_prog) + 2 + 4 * (size_t)len + 1 + strlen(es) + 2;
	if (bound < sizeof ob)
		out.p = ob, out.cap = sizeof ob;
	else
		buf_grow(&out, bound);
	buf_adds(&out, wgo_prog);
	buf_adds(&out, ": ");
	term_escape(&out, msg, (size_t)len);
	if (*es) {
		buf_addc(&out, ' ');
		buf_adds(&out, es);
	}
	buf_addc(&out, '\n');
	fwrite(out.p, 1, out.n, stderr);
	if (out.p != ob)
		free(out.p);
	buf_free(&big);
}

void
warnf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarnf(fmt, ap);
	va_end(ap);
}

void (*wgo_exit_hook)(int status);

static _Noreturn void
die_exit(int status)
{
	if (wgo_exit_hook)
		wgo_exit_hook(status); /* the fuzzers' way back; it does not return */
	exit(status);
}

void
die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarnf(fmt, ap);
	va_end(ap);
	die_exit(WGO_EXIT_USAGE);
}

void
die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarnf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", wgo_prog);
	die_exit(WGO_EXIT_USAGE);
}

int
wgo_finish(int status)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		warnf("<stdout>: write error:");
		return WGO_EXIT_USAGE;
	}
	return status;
}

static int
rank(int s)
{
	switch (s) {
	case WGO_EXIT_OK: return 0;
	case WGO_EXIT_NEG: return 1;
	case WGO_EXIT_TEMP: return 2;
	default: return 3;
	}
}

int
wgo_worse(int a, int b)
{
	return rank(a) >= rank(b) ? a : b;
}

void
wgo_version(void)
{
	printf("%s (wgo) %s\n", wgo_prog, WGO_VERSION);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

void *
xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		die("out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

void
buf_grow(struct buf *b, size_t more)
{
	if (b->cap - b->n > more)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->n <= more) {
		if (cap > SIZE_MAX / 2)
			die("out of memory");
		cap *= 2;
	}
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

const char *
buf_str(struct buf *b)
{
	buf_grow(b, 1);
	b->p[b->n] = 0;
	return b->p;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

int
werr_set(struct werr *e, const char *field, const char *fmt, ...)
{
	va_list ap;
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

void
werr_prefix(struct werr *e, const char *prefix)
{
	struct buf b = { 0 };
	buf_printf(&b, "%s%s%s", prefix, e->field[0] ? "." : "", e->field);
	size_t n = b.n < sizeof e->field - 1 ? b.n : sizeof e->field - 1;
	memcpy(e->field, b.p, n);
	e->field[n] = 0;
	buf_free(&b);
}

FILE *
fopen_file(const char *path)
{
	/* Opened without waiting (a FIFO would block until a writer came), then
	 * refused unless a regular file. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	int err = 0;
	if (fstat(fd, &st) < 0)
		err = errno;
	else if (S_ISDIR(st.st_mode))
		err = EISDIR;
	else if (!S_ISREG(st.st_mode))
		err = EINVAL;
	if (err) {
		close(fd);
		errno = err;
		return NULL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	FILE *f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}
