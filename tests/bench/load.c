/* Benchmark client for ddp-sandbox: send prepared requests (one JSON envelope a
 * line, as wgo-push --dry-run prints them) over N connections at once, and report
 * requests/s and disbursements/s. load URL TOKEN_FILE CONNECTIONS < requests */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct req {
	char *body;
	size_t len;
	long items;
};

static size_t
sink(char *p, size_t s, size_t n, void *u)
{
	return s * n;
}

int
main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: load URL TOKEN_FILE CONNECTIONS < requests\n");
		return 2;
	}
	char tok[512], auth[600];
	FILE *tf = fopen(argv[2], "r");
	if (!tf || !fgets(tok, sizeof tok, tf))
		return 2;
	fclose(tf);
	tok[strcspn(tok, "\r\n")] = 0;
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
	int conns = atoi(argv[3]);
	struct req *r = NULL;
	size_t n = 0, cap = 0;
	char *line = NULL;
	size_t lc = 0;
	ssize_t len;
	while ((len = getline(&line, &lc, stdin)) > 0) {
		if (n == cap)
			r = realloc(r, (cap = cap ? cap * 2 : 256) * sizeof *r);
		r[n].body = malloc((size_t)len);
		memcpy(r[n].body, line, (size_t)len);
		r[n].len = (size_t)len;
		long items = 0;
		for (char *p = line; (p = strstr(p, "\"reference_id\":")); p++)
			items++;
		r[n].items = items;
		n++;
	}
	free(line);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURLM *m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)conns);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Expect:");
	size_t next = 0, done = 0, ok = 0;
	long items = 0;
	int running = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (done < n) {
		while (running < conns && next < n) {
			CURL *c = curl_easy_init();
			curl_easy_setopt(c, CURLOPT_URL, argv[1]);
			curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, r[next].body);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)r[next].len);
			curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
			curl_easy_setopt(c, CURLOPT_PRIVATE, &r[next]);
			curl_multi_add_handle(m, c);
			running++;
			next++;
		}
		int still, q;
		curl_multi_perform(m, &still);
		CURLMsg *msg;
		while ((msg = curl_multi_info_read(m, &q))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			long code = 0;
			struct req *rq;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&rq);
			if (msg->data.result == CURLE_OK && code == 200) {
				ok++;
				items += rq->items;
			}
			curl_multi_remove_handle(m, msg->easy_handle);
			curl_easy_cleanup(msg->easy_handle);
			running--;
			done++;
		}
		curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%zu %zu %ld %.3f\n", n, ok, items, s);
	return ok == n ? 0 : 1;
}
