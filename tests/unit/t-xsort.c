/* xsort: strings back in memcmp's order (a string before the longer ones it
 * begins), each distinct string once, whether they fit in memory or went to runs
 * in files. The small cases are worked out by hand; the large ones are checked
 * against this test's own sort (every string kept, sorted with a plain byte
 * comparison written below, and its repeats dropped). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "wgo.h"

/* Everything xsort gives back, as "len:bytes" with the bytes in hex, joined by " ". */
static char *
drain(struct xsort *s, size_t *count)
{
	struct buf b = { 0 };
	const unsigned char *p;
	size_t n;
	*count = 0;
	while ((p = xsort_next(s, &n))) {
		buf_printf(&b, "%s%zu:", b.n ? " " : "", n);
		for (size_t i = 0; i < n; i++)
			buf_printf(&b, "%02x", p[i]);
		++*count;
	}
	buf_str(&b);
	return b.p ? b.p : xstrdup("");
}

static void
add(struct xsort *s, const char *hex)
{
	unsigned char b[64];
	size_t n = strlen(hex) / 2;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		b[i] = (unsigned char)v;
	}
	xsort_add(s, b, n);
}

/* The same handful of strings with room for all, and with room for two at a time. */
static void
by_hand(size_t limit, const char *what)
{
	struct xsort s;
	xsort_init(&s, limit, "t-xsort");
	/* In: 0102, "", 01, ff, 0100, 01, 00ff, 0102, 00, ff00. Out in memcmp order,
	 * shorter first where one begins the other, each once:
	 * "" 00 00ff 01 0100 0102 ff ff00 (8 strings). */
	const char *in[] = { "0102", "", "01", "ff", "0100", "01", "00ff", "0102", "00", "ff00" };
	for (size_t i = 0; i < sizeof in / sizeof *in; i++)
		add(&s, in[i]);
	size_t count;
	char *got = drain(&s, &count);
	is_str(got, "0: 1:00 2:00ff 1:01 2:0100 2:0102 1:ff 2:ff00", "%s: in order, each once", what);
	is_int(count, 8, "%s: 8 strings", what);
	free(got);
	/* Empty again: it takes strings anew. */
	add(&s, "02");
	add(&s, "01");
	got = drain(&s, &count);
	is_str(got, "1:01 1:02", "%s: and sorts again after its end", what);
	free(got);
	got = drain(&s, &count);
	is_str(got, "", "%s: nothing added, nothing given", what);
	free(got);
	xsort_free(&s);
}

/* The test's own order: bytes compared one by one, then the shorter first. */
struct str {
	unsigned char *p;
	size_t n;
};

static int
own_cmp(const void *x, const void *y)
{
	const struct str *a = x, *b = y;
	for (size_t i = 0; i < a->n && i < b->n; i++)
		if (a->p[i] != b->p[i])
			return a->p[i] < b->p[i] ? -1 : 1;
	return a->n < b->n ? -1 : a->n > b->n;
}

static unsigned long long rng = 88172645463325252ULL;
static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* n strings, many repeated, some sharing long beginnings, through a sorter of
 * limit bytes; compared with the test's own sort. */
static void
against_own(size_t n, size_t limit, const char *what)
{
	struct xsort s;
	xsort_init(&s, limit, "t-xsort");
	struct str *all = xmalloc(n * sizeof *all);
	for (size_t i = 0; i < n; i++) {
		size_t len = rnd(4) == 0 ? rnd(3) : 8 + rnd(40);
		unsigned char *p = xmalloc(len + 1);
		/* A few first bytes (most strings in a few groups), then a shared middle,
		 * then the rest. */
		for (size_t k = 0; k < len; k++)
			p[k] = k < 2 ? (unsigned char)rnd(3) : k < 20 ? (unsigned char)('a' + k % 3)
			                                           : (unsigned char)rnd(256);
		if (i && rnd(5) == 0) { /* a repeat of an earlier string */
			free(p);
			all[i] = all[rnd((unsigned)i)];
			all[i].p = memcpy(xmalloc(all[i].n + 1), all[i].p, all[i].n);
		} else {
			all[i] = (struct str){ p, len };
		}
		xsort_add(&s, all[i].p, all[i].n);
	}
	qsort(all, n, sizeof *all, own_cmp);
	size_t want = 0, got = 0, bad = 0, len;
	const unsigned char *p;
	for (size_t i = 0; i < n; i++) {
		if (i && !own_cmp(&all[i - 1], &all[i]))
			continue;
		p = xsort_next(&s, &len);
		if (!p || len != all[i].n || (len && memcmp(p, all[i].p, len)))
			bad++;
		want++;
		if (p)
			got++;
		else
			break;
	}
	while (xsort_next(&s, &len))
		got++;
	ok(!bad && got == want, "%s: %zu strings, %zu distinct, given back in order each once%s", what,
	   n, want, bad ? " (some were not)" : "");
	if (bad || got != want)
		printf("#   %zu wrong, %zu given, %zu expected\n", bad, got, want);
	is_int(s.nruns, 0, "%s: no run left after the end", what);
	for (size_t i = 0; i < n; i++)
		free(all[i].p);
	free(all);
	xsort_free(&s);
}

int
main(void)
{
	const char *base = getenv("TMPDIR");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/t-xsort.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir))
		return 2;
	setenv("TMPDIR", dir, 1);
	by_hand(1 << 20, "in memory");
	by_hand(24, "two strings a run");
	against_own(20000, 64u << 20, "in memory");
	against_own(20000, 64 * 1024, "in runs of 64 KiB");
	against_own(3000, 200, "in runs of a few strings");
	/* Left half read: freeing it stops the thread that reads ahead. */
	struct xsort s;
	xsort_init(&s, 4096, "t-xsort");
	for (unsigned i = 0; i < 5000; i++)
		xsort_add(&s, &i, sizeof i);
	size_t n, got = 0;
	while (got < 10 && xsort_next(&s, &n))
		got++;
	xsort_free(&s);
	is_int(got, 10, "left after 10 of 5,000 strings, and freed");
	/* The runs' files were unlinked when made: nothing is left in TMPDIR. */
	is_int(rmdir(dir), 0, "no file left in TMPDIR");
	return done();
}
