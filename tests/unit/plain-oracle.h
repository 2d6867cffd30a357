/* The oracle for rec_parse's fast path (json_parse_plain), shared by t-parse,
 * t-conformance and fuzz-record: jansson itself, with rec_parse's flags and its
 * rule (only blanks after the value, and the value an object). */
#ifndef PLAIN_ORACLE_H
#define PLAIN_ORACLE_H
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "wgo.h"

static inline char *
oracle_dump(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Dumps are made with the allocator libwgo gave jansson. */
static inline void
oracle_free(char *s)
{
	json_free_t f;
	json_get_alloc_funcs(NULL, &f);
	if (s)
		f(s);
}

/* 0 when the fast path gives up on the line; 1 when it takes it as jansson does
 * (the same compact dump, key order included); -1 when it takes it otherwise, with
 * what each side gave in why. */
static inline int
plain_agrees(const char *line, size_t len, char *why, size_t whysz)
{
	json_t *f = json_parse_plain(line, len);
	if (!f)
		return 0;
	json_error_t err;
	json_t *j = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY,
	                       &err);
	int blank_after = j != NULL;
	for (size_t i = j ? (size_t)err.position : len; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '\n')
			blank_after = 0;
	char *x = oracle_dump(f), *y = j ? oracle_dump(j) : NULL;
	int same = blank_after && json_is_object(j) && x && y && !strcmp(x, y);
	if (!same && why)
		snprintf(why, whysz, "the fast path reads %s, jansson %s%s", x ? x : "?",
		         y ? y : err.text, j && !blank_after ? " with bytes after it" : "");
	oracle_free(x);
	oracle_free(y);
	json_decref(f);
	json_decref(j);
	return same ? 1 : -1;
}
#endif
