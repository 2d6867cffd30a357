/* Benchmark floor: libsodium's own crypto_sign_verify_detached on one core, over
 * messages the size of an order's canonical form. Prints verifications a second. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 50000;
	size_t len = argc > 2 ? (size_t)atol(argv[2]) : 1000;
	unsigned char pk[32], sk[64], sig[64], *msg = malloc(len);
	if (sodium_init() < 0 || !msg)
		return 1;
	crypto_sign_keypair(pk, sk);
	randombytes_buf(msg, len);
	crypto_sign_detached(sig, NULL, msg, len, sk);
	long good = 0;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		good += crypto_sign_verify_detached(sig, msg, len, pk) == 0;
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%.0f\n", good == n ? (double)n / s : 0.0);
	free(msg);
	return 0;
}
