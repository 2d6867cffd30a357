/* Benchmark peer: the plainest jansson loop, each line parsed and written back
 * (or, with the argument "parse", only parsed). Reads stdin or the files named. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long count = 0;
	int parse_only = argc > 1 && !strcmp(argv[1], "parse");
	int first = parse_only ? 2 : 1;
	for (int a = first; a <= argc; a++) {
	FILE *in = a < argc ? fopen(argv[a], "r") : (a == first ? stdin : NULL);
	if (!in)
		continue;
	while ((n = getline(&line, &cap, in)) > 0) {
		json_error_t err;
		json_t *v = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, &err);
		if (!v) {
			fprintf(stderr, "jansson-loop: line %ld: %s\n", count + 1, err.text);
			return 1;
		}
		if (!parse_only) {
			char *s = json_dumps(v, JSON_COMPACT);
			puts(s);
			free(s);
		}
		json_decref(v);
		count++;
	}
	if (in != stdin)
		fclose(in);
	if (a == argc - 1 && a >= first)
		break;
	}
	free(line);
	fprintf(stderr, "%ld\n", count);
	return 0;
}
