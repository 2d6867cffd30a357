/* The complaint log reader, through libwgo's complaint module. The input is a log,
 * and after a NUL byte, its head file. cpl_log_verify reads it line by line,
 * folding each event that follows into where its complaint stands (texts kept, as
 * list and show keep them). On one input in 16, chosen by its bytes, the rest,
 * which costs a reader thread, a lock, fsyncs and a rename: the fold as list and
 * stats make it (through the record loop), each complaint's state record and the
 * statistics; and the writer's start (which recovers after a crash), which either
 * takes the log as it finds it, saying what it did, or refuses with a reason,
 * after which appending one complaint must leave a chain that verify accepts from
 * that line on. */
#include <stdio.h>

#include <jansson.h>
#include <sodium.h>

#include "fuzz.h"

static struct calendar cal;
static struct cpl_rules rules;
static wdate as_of;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char logp[160], headp[160], lockp[160];
	if (!logp[0]) {
		const char *dir = fuzz_dir();
		snprintf(logp, sizeof logp, "%s/complaints.jsonl", dir);
		snprintf(headp, sizeof headp, "%s/complaints.jsonl.head", dir);
		snprintf(lockp, sizeof lockp, "%s/complaints.jsonl.lock", dir);
		if (sodium_init() < 0)
			abort();
		cal_init(&cal);
		struct werr e;
		if (cpl_rules_config(&rules, NULL, &cal, &e) < 0)
			abort();
		as_of = date_from_ymd(2026, 11, 22);
	}
	const uint8_t *nul = memchr(data, 0, size);
	size_t ln = nul ? (size_t)(nul - data) : size;
	fuzz_file("complaints.jsonl", data, ln);
	unlink(headp);
	if (nul)
		fuzz_file("complaints.jsonl.head", nul + 1, size - ln - 1);
	char torn[180];
	snprintf(torn, sizeof torn, "%s.torn", logp);
	unlink(torn);
	struct cpl_verify vr;
	long problems = cpl_log_verify(logp, NULL, &rules, &vr);
	FUZZ_CHECK(problems >= 0 && vr.lines >= 0);
	unsigned hash = 0;
	for (size_t k = 0; k < size; k++)
		hash = hash * 31 + data[k];
	if (hash % 16)
		return 0;
	/* The fold reads only a log whose every line is checked: a damaged one is an
	 * error, never a crash. */
	struct cpl_set set;
	struct werr e;
	cpl_set_init(&set, &rules, 1);
	if (cpl_log_read(&set, logp, NULL, NULL, &e) == 0) {
		size_t n;
		struct cpl **v = cpl_sorted(&set, &n);
		for (size_t i = 0; i < n; i++) {
			json_t *r = cpl_state_record(&set, v[i], as_of, i & 1);
			struct werr ve;
			FUZZ_CHECK(rec_validate(r, &ve) == 0);
			json_decref(r);
		}
		free(v);
		struct cpl_filter f = { 0 };
		struct cpl_group *g;
		size_t ng = cpl_stats(&set, &f, as_of, &g);
		long total = 0;
		for (size_t i = 0; i < ng; i++)
			total += g[i].count;
		FUZZ_CHECK(total == (long)n);
		free(g);
	} else {
		FUZZ_CHECK(problems > 0);
	}
	cpl_set_free(&set);
	struct cpl_writer w = { 0 };
	if (cpl_writer_open(&w, logp, lockp, 0, &e) == 0) {
		unsigned long seq = w.s.lines;
		struct cpl_fields cf = { "KHL", "welfare", NULL, "delay", "F", NULL, NULL, "fuzz", "f" };
		json_t *ev = cpl_add_event(&cf, &e);
		FUZZ_CHECK(ev != NULL);
		FUZZ_CHECK(cpl_writer_put(&w, ev) == 0);
		json_decref(ev);
		FUZZ_CHECK(w.s.lines == seq + 1);
		FUZZ_CHECK(cpl_writer_close(&w, &e) == 0);
	}
	return 0;
}
