/* State on disk: directories, file locks, appends that survive a crash, atomic
 * replacement, and counters that never hand out a number twice. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wgo.h"

int
mkdirs(const char *path, struct werr *e)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || !*s) {
			char c = *s;
			*s = 0;
			if (mkdir(p, 0700) < 0 && errno != EEXIST) {
				werr_set(e, p, "cannot make the directory: %s", strerror(errno));
				free(p);
				return -1;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return 0;
}

int
lock_file(const char *path, int nonblock, struct werr *e)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return werr_set(e, path, "%s", strerror(errno)), -1;
	while (flock(fd, LOCK_EX | (nonblock ? LOCK_NB : 0)) < 0) {
		if (errno == EINTR)
			continue;
		int err = errno;
		close(fd);
		if (err == EWOULDBLOCK)
			return werr_set(e, path, "locked by another run"), -1;
		return werr_set(e, path, "cannot lock: %s", strerror(err)), -1;
	}
	return fd;
}

int
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int
append_sync(int fd, const void *p, size_t n)
{
	if (write_all(fd, p, n) < 0 || fdatasync(fd) < 0)
		return -1;
	return 0;
}

static int
sync_dir_of(const char *path)
{
	char *d = xstrdup(path), *s = strrchr(d, '/');
	if (s)
		*s = 0;
	int fd = open(s ? (s == d ? "/" : d) : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(d);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int
atomic_write(const char *path, const void *p, size_t n, mode_t mode, struct werr *e)
{
	char *tmp = xmalloc(strlen(path) + 32);
	sprintf(tmp, "%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		werr_set(e, tmp, "%s", strerror(errno));
		free(tmp);
		return -1;
	}
	if (write_all(fd, p, n) < 0 || fsync(fd) < 0) {
		werr_set(e, path, "write error: %s", strerror(errno));
		close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) < 0 || sync_dir_of(path) < 0) {
		werr_set(e, path, "cannot replace: %s", strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int
counter_read(const char *path, long long *v, struct werr *e)
{
	FILE *f = fopen(path, "r");
	*v = 0;
	if (!f)
		return errno == ENOENT ? 0 : werr_set(e, path, "%s", strerror(errno));
	char line[64];
	int rc = 0;
	if (!fgets(line, sizeof line, f) || sscanf(line, "%lld", v) != 1 || *v < 0)
		rc = werr_set(e, path, "damaged counter: not a number");
	fclose(f);
	return rc;
}

int
counter_write(const char *path, long long v, struct werr *e)
{
	char line[32];
	int n = snprintf(line, sizeof line, "%lld\n", v);
	return atomic_write(path, line, (size_t)n, 0600, e);
}
