/* Progress and the summary of long runs, on standard error: shown when it is a
 * terminal, forced on or off by --progress / --no-progress, the summary alone by
 * --summary (for logs and tests). A tick costs a clock read at most. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wgo.h"

static int progress_mode = PROGRESS_AUTO, summary_forced;

void
progress_set(int mode)
{
	progress_mode = mode;
}

void
summary_set(int on)
{
	summary_forced = on;
}

static int
tty(void)
{
	static int t = -1;
	if (t < 0)
		t = isatty(2);
	return t;
}

int
progress_enabled(void)
{
	return progress_mode == PROGRESS_AUTO ? tty() : progress_mode;
}

int
summary_enabled(void)
{
	return summary_forced || progress_enabled();
}

static double
now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void
progress_start(struct progress *p, const char *unit, uint64_t total_bytes, uint64_t total_items)
{
	memset(p, 0, sizeof *p);
	p->on = progress_enabled();
	p->unit = unit;
	p->total_bytes = total_bytes;
	p->total_items = total_items;
	if (p->on)
		p->t0 = p->last = now_s();
}

/* "12,34,567": counts grouped the way the board writes them. */
static void
count_fmt(uint64_t n, char *out, size_t sz)
{
	char m[MONEY_BUFSZ];
	money_fmt(m, sizeof m, (int64_t)(n > INT64_MAX / 100 ? INT64_MAX / 100 : n) * 100, 0);
	char *dot = strrchr(m, '.');
	if (dot)
		*dot = 0;
	snprintf(out, sz, "%s", m);
}

static void
draw(struct progress *p, double t, int final)
{
	char n[MONEY_BUFSZ], rate[MONEY_BUFSZ], line[512];
	double el = t - p->t0;
	count_fmt(p->items, n, sizeof n);
	count_fmt(el > 0 ? (uint64_t)((double)p->items / el) : 0, rate, sizeof rate);
	int k = snprintf(line, sizeof line, "%s: %s %s, %s/s", wgo_prog, n, p->unit, rate);
	double frac = p->total_items ? (double)p->items / (double)p->total_items
	              : p->total_bytes ? (double)p->bytes / (double)p->total_bytes : -1;
	if (frac >= 0 && k > 0 && (size_t)k < sizeof line) {
		if (frac > 1)
			frac = 1;
		k += snprintf(line + k, sizeof line - (size_t)k, ", %d%%", (int)(frac * 100));
		if (!final && frac > 0.01 && el > 1 && (size_t)k < sizeof line)
			snprintf(line + k, sizeof line - (size_t)k, ", about %.0f s left",
			         el / frac - el + 0.5);
	}
	/* On a terminal the line is redrawn in place; elsewhere each is a line. */
	fprintf(stderr, tty() ? "\r%s\033[K" : "%s\n", line);
}

void
progress_tick(struct progress *p, uint64_t items, uint64_t bytes)
{
	p->items = items;
	p->bytes = bytes;
	if (!p->on)
		return;
	double t = now_s();
	if (t - p->last < (tty() ? 0.25 : 1.0))
		return;
	p->last = t;
	p->drawn = 1;
	draw(p, t, 0);
}

/* On a terminal the line goes, the summary takes its place; forced on elsewhere,
 * the last state is always written, however short the run. */
void
progress_end(struct progress *p)
{
	if (p->on && tty() && p->drawn)
		fputs("\r\033[K", stderr);
	else if (p->on && !tty())
		draw(p, now_s(), 1);
	p->on = 0;
}

void
summary(const char *fmt, ...)
{
	if (!summary_enabled())
		return;
	va_list ap;
	struct buf b = { 0 };
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	buf_grow(&b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b.p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", wgo_prog, b.p);
	buf_free(&b);
}

void
progress_option(const char *name)
{
	if (!strcmp(name, "progress"))
		progress_set(PROGRESS_ON);
	else if (!strcmp(name, "no-progress"))
		progress_set(PROGRESS_OFF);
	else if (!strcmp(name, "summary"))
		summary_set(1);
}
