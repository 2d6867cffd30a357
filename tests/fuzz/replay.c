/* Runs a fuzz target over files and directories of inputs, without libFuzzer:
 * make check replays every seed and every regression through the normal (and the
 * sanitizer) build. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long runs;

static void
one(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(2);
	}
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = malloc(cap);
	size_t k;
	while (b && (k = fread(b + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap)
			b = realloc(b, cap *= 2);
	}
	fclose(f);
	if (!b)
		exit(2);
	LLVMFuzzerTestOneInput(b, n);
	free(b);
	runs++;
}

static void
walk(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		perror(path);
		exit(2);
	}
	if (!S_ISDIR(st.st_mode)) {
		one(path);
		return;
	}
	struct dirent **ents;
	int n = scandir(path, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			char p[4096];
			snprintf(p, sizeof p, "%s/%s", path, ents[i]->d_name);
			walk(p);
		}
		free(ents[i]);
	}
	free(ents);
}

int
main(int argc, char **argv)
{
	/* What the targets print is not the point; what the sanitizers say is, on stderr. */
	if (!freopen("/dev/null", "w", stdout))
		return 2;
	for (int i = 1; i < argc; i++)
		walk(argv[i]);
	fprintf(stderr, "replay: %ld inputs\n", runs);
	return 0;
}
