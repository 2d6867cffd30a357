/* Shared by the fuzz targets: a scratch directory, a file with given bytes, and a
 * way back from die(). Each target defines LLVMFuzzerTestOneInput. */
#ifndef FUZZ_H
#define FUZZ_H
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wgo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static jmp_buf fuzz_back;
static int fuzz_armed;

static inline _Noreturn void
fuzz_exit(int status)
{
	(void)status;
	if (fuzz_armed)
		longjmp(fuzz_back, 1);
	abort(); /* die() outside a guarded call is a bug */
}

static char fuzz_tmp[64];

static inline void
fuzz_rm(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			size_t n = strlen(path) + strlen(de->d_name) + 2;
			char *p = malloc(n);
			if (!p)
				abort();
			snprintf(p, n, "%s/%s", path, de->d_name);
			fuzz_rm(p);
			free(p);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static inline void
fuzz_cleanup(void)
{
	if (fuzz_tmp[0])
		fuzz_rm(fuzz_tmp);
}

/* A scratch directory, made once per process, removed at exit. */
static inline const char *
fuzz_dir(void)
{
	if (!fuzz_tmp[0]) {
		const char *base = getenv("WGO_FUZZ_TMP");
		snprintf(fuzz_tmp, sizeof fuzz_tmp, "%s/wgo-fuzz.XXXXXX", base ? base : "/tmp");
		if (!mkdtemp(fuzz_tmp))
			abort();
		atexit(fuzz_cleanup);
		wgo_exit_hook = fuzz_exit;
		wgo_setprog("fuzz");
	}
	return fuzz_tmp;
}

/* Write data to dir/name; returns the path (static storage). */
static inline const char *
fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
	FILE *f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
	return path;
}

/* A NUL-terminated copy of the input. */
static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

#define FUZZ_CHECK(cond)                                                                 \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                         \
		}                                                                        \
	} while (0)
#endif
