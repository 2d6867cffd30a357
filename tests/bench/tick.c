/* Benchmark: what progress costs a record, measured alone. The record loop calls
 * progress_tick once a batch; here it is called once a "record", forced on and
 * drawing to stderr (a line a second, as off a terminal), for SECONDS seconds.
 * Prints the nanoseconds a call took on average, draws included: multiplied by a
 * program's records, it bounds what progress adds to that program's run. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "wgo.h"

static double
now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3;
	struct progress p;
	wgo_prog = "tick";
	progress_set(PROGRESS_ON);
	progress_start(&p, "records", 0, 0);
	uint64_t n = 0;
	double t0 = now(), t;
	do {
		for (int i = 0; i < 100000; i++, n++)
			progress_tick(&p, n, n * 300);
		t = now();
	} while (t - t0 < secs);
	progress_end(&p);
	printf("%.1f\n", (t - t0) * 1e9 / (double)n);
	return 0;
}
