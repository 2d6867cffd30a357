/* The configuration file, the rates and terms in it, and the holiday file: any
 * bytes load or are refused with a place and a reason. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("wgo.conf", data, size);
	struct cfg c = { 0 };
	struct werr e = { { 0 }, { 0 } };
	if (cfg_load(&c, path, &e) == 0) {
		struct rules r;
		memset(&r, 0, sizeof r);
		if (rules_load(&c, &r, &e) == 0)
			rules_free(&r);
		struct sched_params p;
		struct calendar cal;
		cal_init(&cal);
		sched_defaults(&p, &cal);
		(void)sched_params_config(&p, &c, &e);
		sched_params_free(&p);
		cal_free(&cal);
	} else {
		FUZZ_CHECK(e.msg[0]);
	}
	cfg_free(&c);
	path = fuzz_file("holidays", data, size);
	struct calendar cal;
	cal_init(&cal);
	if (cal_load(&cal, path, &e) == 0 && cal.n > 0) {
		wdate d = cal.h[0].d;
		FUZZ_CHECK(!cal_is_workday(&cal, d));
		(void)cal_add_workdays(&cal, d, 30);
		(void)cal_workdays_between(&cal, d, d + 400);
	}
	cal_free(&cal);
	return 0;
}
