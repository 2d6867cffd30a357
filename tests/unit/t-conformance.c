/* The public JSON parser conformance corpus through the one-line parser: every n_
 * text refused with a message, every y_ object accepted, nothing crashes or hangs;
 * and what the fast path takes, jansson takes the same. */
#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include "plain-oracle.h"
#include "tap.h"
#include "wgo.h"

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("WGO_JSON_CORPUS");
	if (!dir)
		dir = "tests/data/json-conformance/test_parsing";
	DIR *d = opendir(dir);
	ok(d != NULL, "corpus directory opens (%s)", dir);
	if (!d)
		return done();
	int n_dup = 0, n_y = 0, n_n = 0, n_i = 0, y_obj = 0, bad_y = 0, bad_n = 0, silent = 0;
	int fast_n = 0, fast_bad = 0, fast_y = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char path[1024];
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		struct buf b = { 0 };
		char chunk[4096];
		size_t r;
		while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_add(&b, chunk, r);
		fclose(f);
		struct werr e = { { 0 }, { 0 } };
		json_t *v = rec_parse(b.p ? b.p : "", b.n, &e);
		if (!v && !e.msg[0])
			silent++;
		/* rec_parse's fast path takes only what jansson takes, as jansson reads it. */
		char why[600];
		int agrees = plain_agrees(b.p ? b.p : "", b.n, why, sizeof why);
		if (agrees) {
			fast_n++;
			fast_y += de->d_name[0] == 'y';
		}
		if (agrees < 0) {
			fast_bad++;
			printf("# %s: %s\n", de->d_name, why);
		}
		switch (de->d_name[0]) {
		case 'y': {
			n_y++;
			/* Is the text an object at all?  Ask jansson plainly. */
			json_t *plain = json_loadb(b.p ? b.p : "", b.n, JSON_DECODE_ANY, NULL);
			if (json_is_object(plain)) {
				y_obj++;
				/* The record format forbids duplicate keys, which JSON allows. */
				if (strstr(de->d_name, "duplicated_key")) {
					n_dup++;
					if (v || !strstr(e.msg, "duplicate key"))
						bad_y++;
				} else if (!v) {
					bad_y++;
					printf("# %s refused: %s\n", de->d_name, e.msg);
				}
			}
			json_decref(plain);
			break;
		}
		case 'n':
			n_n++;
			if (v) {
				bad_n++;
				printf("# %s accepted\n", de->d_name);
			}
			break;
		default:
			n_i++;
		}
		json_decref(v);
		buf_free(&b);
	}
	closedir(d);
	ok(n_n > 150 && n_y > 90, "corpus read: %d y_, %d n_, %d i_ texts", n_y, n_n, n_i);
	is_int(bad_n, 0, "every n_ text is refused");
	is_int(bad_y, 0, "every y_ object (%d of them) is accepted, but the %d with a duplicate key, refused as such",
	       y_obj - n_dup, n_dup);
	is_int(n_dup, 2, "two y_ texts have duplicate keys");
	is_int(silent, 0, "every refusal carries a message");
	/* Counted by hand: 12 of the y_ texts are objects. The fast path leaves four to
	 * jansson: the two with a duplicate key, the NUL escape in a key, and the reals of
	 * y_object_extreme_numbers. It takes the other 8, and no n_ or i_ text. */
	is_int(fast_y, 8, "the fast path takes 8 y_ texts");
	is_int(fast_n, 8, "and no other text");
	is_int(fast_bad, 0, "each of the %d texts the fast path took, jansson takes the same", fast_n);
	return done();
}
