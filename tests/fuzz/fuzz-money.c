/* Money: any text either parses to poisha that format back and parse again to the
 * same amount, or is refused with a reason. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	for (int flags = 0; flags <= MONEY_SIGNED; flags++) {
		int64_t v;
		const char *why = NULL;
		if (money_parse(s, flags, &v, &why) < 0) {
			FUZZ_CHECK(why && *why);
			continue;
		}
		FUZZ_CHECK(flags & MONEY_SIGNED || v >= 0);
		for (int ff = 0; ff <= (MONEY_BN | MONEY_PLAIN); ff += MONEY_BN) {
			char out[MONEY_BUFSZ];
			money_fmt(out, sizeof out, v, ff);
			int64_t w;
			FUZZ_CHECK(money_parse(out, MONEY_SIGNED, &w, &why) == 0 && w == v);
		}
		/* A short buffer cuts the text, but never inside a character. */
		char small[8];
		size_t k = money_fmt(small, sizeof small, v, MONEY_BN);
		size_t bad;
		FUZZ_CHECK(k < sizeof small && utf8_valid(small, k, &bad) == 1);
		int64_t acc = v;
		(void)money_add(&acc, v);
		(void)money_mul(&acc, v, 3);
	}
	free(s);
	return 0;
}
