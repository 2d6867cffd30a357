/* The push journal reader. Lines without a checksum get a correct one, so that
 * what follows the checksum is fuzzed too; whatever the journal holds, opening
 * it succeeds or says where it is damaged, and an acceptance added afterwards is
 * found again on the next open. */
#include <sodium.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char home[128];
	if (!home[0]) {
		snprintf(home, sizeof home, "%s/home", fuzz_dir());
		wgo_set_home(home);
		if (sodium_init() < 0)
			abort();
	}
	struct buf j = { 0 };
	const char *p = (const char *)data, *end = p + size;
	int seal = size && (data[0] & 1);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (seal && n > 0 && p[n - 1] == '}') {
			uint8_t h[16];
			char sum[17];
			struct buf b = { 0 };
			buf_add(&b, p, n);
			crypto_generichash(h, sizeof h, (const uint8_t *)b.p, b.n, NULL, 0);
			sodium_bin2hex(sum, sizeof sum, h, 8);
			buf_add(&j, p, n - 1);
			buf_printf(&j, ",\"check\":\"%s\"}", sum);
			buf_free(&b);
		} else {
			buf_add(&j, p, n);
		}
		if (nl)
			buf_addc(&j, '\n');
		p += n + (nl ? 1 : 0);
	}
	char dir[160];
	snprintf(dir, sizeof dir, "%s/push", home);
	struct werr e;
	if (mkdirs(dir, &e) < 0)
		abort();
	fuzz_file("home/push/journal.jsonl", (const uint8_t *)j.p, j.n);
	buf_free(&j);
	struct journal jr;
	if (journal_open(&jr, &e) == 0) {
		const char hash[33] = "0123456789abcdef0123456789abcdef";
		journal_add(&jr, "FUZZ-REF-r0", hash, "BANK1");
		FUZZ_CHECK(journal_sync(&jr, &e) == 0);
		journal_close(&jr);
		FUZZ_CHECK(journal_open(&jr, &e) == 0);
		FUZZ_CHECK(journal_accepted(&jr, "FUZZ-REF-r0", hash) != NULL);
	} else {
		FUZZ_CHECK(e.msg[0]);
	}
	journal_close(&jr);
	return 0;
}
