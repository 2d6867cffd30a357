/* A few TAP helpers for the C unit tests: ok(), is_str(), is_int(), done(). */
#ifndef TAP_H
#define TAP_H
#include <stdio.h>
#include <string.h>

static int tap_n, tap_fail;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
static void tap_ok(int c, const char *f, int l, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#include <stdarg.h>
static void
tap_ok(int c, const char *f, int l, const char *fmt, ...)
{
	va_list ap;
	tap_n++;
	printf("%sok %d - ", c ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!c) {
		tap_fail++;
		printf("#   failed at %s:%d\n", f, l);
	}
}

#define is_str(got, want, ...) do { \
	const char *g_ = (got), *w_ = (want); \
	int c_ = g_ && w_ && !strcmp(g_, w_); \
	ok(c_, __VA_ARGS__); \
	if (!c_) printf("#   got: '%s'\n#   expected: '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

#define is_int(got, want, ...) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	ok(g_ == w_, __VA_ARGS__); \
	if (g_ != w_) printf("#   got: %lld\n#   expected: %lld\n", g_, w_); \
} while (0)

static void __attribute__((unused))
skip(int n, const char *why)
{
	while (n-- > 0)
		printf("ok %d # skip %s\n", ++tap_n, why);
}

static int
done(void)
{
	printf("1..%d\n", tap_n);
	return tap_fail ? 1 : 0;
}
#endif
