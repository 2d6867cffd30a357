/* A failing-write shim for the full-disk tests: LD_PRELOAD=enospc.so makes every
 * write(2), pwrite(2) and writev(2) to a file under $WGO_ENOSPC_DIR fail with
 * ENOSPC once $WGO_ENOSPC_AFTER bytes (default 0) have been written there by the
 * process; the write that crosses the line is cut short, as a real disk does. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static long long written;

static int
under_dir(int fd)
{
	const char *dir = getenv("WGO_ENOSPC_DIR");
	if (!dir || !*dir)
		return 0;
	char link[64], path[4096];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof path - 1);
	if (n < 0)
		return 0;
	path[n] = 0;
	size_t k = strlen(dir);
	return !strncmp(path, dir, k) && (path[k] == '/' || path[k] == 0);
}

/* How many of n bytes may go; -1 (errno set) when none. */
static ssize_t
allow(int fd, size_t n)
{
	if (!under_dir(fd))
		return (ssize_t)n;
	const char *a = getenv("WGO_ENOSPC_AFTER");
	long long budget = a ? atoll(a) : 0;
	long long left = budget - written;
	if (left <= 0) {
		errno = ENOSPC;
		return -1;
	}
	size_t k = (long long)n < left ? n : (size_t)left;
	written += (long long)k;
	return (ssize_t)k;
}

ssize_t
write(int fd, const void *p, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);
	if (!real)
		real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	ssize_t k = allow(fd, n);
	return k < 0 ? -1 : real(fd, p, (size_t)k);
}

ssize_t
pwrite(int fd, const void *p, size_t n, off_t off)
{
	static ssize_t (*real)(int, const void *, size_t, off_t);
	if (!real)
		real = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
	ssize_t k = allow(fd, n);
	return k < 0 ? -1 : real(fd, p, (size_t)k, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int cnt)
{
	static ssize_t (*real)(int, const struct iovec *, int);
	if (!real)
		real = (ssize_t(*)(int, const struct iovec *, int))dlsym(RTLD_NEXT, "writev");
	size_t n = 0;
	for (int i = 0; i < cnt; i++)
		n += iov[i].iov_len;
	ssize_t k = allow(fd, n);
	if (k < 0)
		return -1;
	if ((size_t)k == n)
		return real(fd, iov, cnt);
	/* Cut short: write the first k bytes only. */
	size_t done = 0;
	for (int i = 0; i < cnt && done < (size_t)k; i++) {
		size_t m = iov[i].iov_len < (size_t)k - done ? iov[i].iov_len : (size_t)k - done;
		static ssize_t (*rw)(int, const void *, size_t);
		if (!rw)
			rw = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
		if (rw(fd, iov[i].iov_base, m) < 0)
			return done ? (ssize_t)done : -1;
		done += m;
	}
	return (ssize_t)done;
}
