/* The complaint log reader. The input is a log, and after a NUL byte, its head
 * file. verify reads it line by line, folding each event that follows into where
 * its complaint stands (texts kept, as list and show keep them). On one input in
 * 16, chosen by its bytes, the rest, which costs a reader thread, a lock, fsyncs
 * and a rename: the fold as list and stats make it (through the record loop) and
 * each complaint's state record; and the writer's start (which recovers after a
 * crash), which either takes the log as it finds it, saying what it did, or
 * refuses with a reason, after which appending one complaint must leave a chain
 * that verify accepts from that line on. */
#include <stdio.h>
int complaint_log_main(int argc, char **argv);
#define main complaint_log_main
#include "../../src/complaint-log.c"
#undef main

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char logp[160], headp[160], lockp[160];
	if (!logp[0]) {
		const char *dir = fuzz_dir();
		snprintf(logp, sizeof logp, "%s/complaints.jsonl", dir);
		snprintf(headp, sizeof headp, "%s/complaints.jsonl.head", dir);
		snprintf(lockp, sizeof lockp, "%s/complaints.jsonl.lock", dir);
		log_path = logp;
		lock_path = lockp;
		if (sodium_init() < 0)
			abort();
		nlevels = 3, days[0] = 30, days[1] = 20, days[2] = 20;
		cal_init(&cal);
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
	problems = 0;
	ncpls = 0;
	keep_text = 1;
	(void)cmd_verify(0, NULL);
	unsigned hash = 0;
	for (size_t k = 0; k < size; k++)
		hash = hash * 31 + data[k];
	if (hash % 16) {
		keep_text = 0;
		return 0;
	}
	ncpls = 0;
	int base = dup(0); /* the lowest free descriptor: what die() leaves open is closed */
	close(base);
	/* The folding reads only a log whose every line is checked: a damaged one
	 * stops it with a message (die), never a crash. */
	if (setjmp(fuzz_back) == 0) {
		fuzz_armed = 1;
		load_log(NULL);
		size_t i = 0;
		struct cpl *c;
		while ((c = hmap_iter(&cpls, &i)))
			if (c->nevents) {
				json_t *r = state_record(hmap_key(&cpls, c), c);
				json_decref(r);
			}
	}
	fuzz_armed = 0;
	cpls_free();
	keep_text = 0;
	if (setjmp(fuzz_back) == 0) {
		fuzz_armed = 1;
		struct writer w;
		writer_open(&w, 0);
		unsigned long seq = w.s.lines;
		struct werr e;
		json_t *ev = add_event("KHL", "welfare", NULL, "delay", "F", NULL, NULL, "fuzz", "f", &e);
		FUZZ_CHECK(ev != NULL);
		writer_put(&w, ev);
		json_decref(ev);
		FUZZ_CHECK(w.s.lines == seq + 1);
		writer_close(&w);
	}
	fuzz_armed = 0;
	for (int fd = base; fd < base + 8; fd++)
		close(fd); /* the lock and the log, after a die() in writer_open */
	return 0;
}
