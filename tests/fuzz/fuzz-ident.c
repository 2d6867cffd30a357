/* Identifiers: NID, mobile, routing and account numbers. A value that passes is
 * normalised, and its normal form passes unchanged. */
#include "fuzz.h"

typedef int (*checker)(const char *, char *, size_t, const char **);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const checker f[] = { nid_check, mobile_check, routing_check, account_check };
	char *s = fuzz_str(data, size);
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		char n[64], n2[64];
		const char *why = NULL;
		if (f[i](s, n, sizeof n, &why) < 0) {
			FUZZ_CHECK(why && *why);
			continue;
		}
		FUZZ_CHECK(f[i](n, n2, sizeof n2, &why) == 0 && !strcmp(n, n2));
	}
	free(s);
	return 0;
}
