/* Benchmark peer: the plainest jansson loop, each line parsed and written back. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

int
main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long count = 0;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		json_error_t err;
		json_t *v = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, &err);
		if (!v) {
			fprintf(stderr, "jansson-loop: line %ld: %s\n", count + 1, err.text);
			return 1;
		}
		char *s = json_dumps(v, JSON_COMPACT);
		puts(s);
		free(s);
		json_decref(v);
		count++;
	}
	free(line);
	fprintf(stderr, "%ld\n", count);
	return 0;
}
