/* HTTP to the bank (libcurl): the connection settings, and requests run many at a
 * time on one multi handle, so connections are kept alive and reused. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "wgo.h"

#define MAX_RESPONSE (16 << 20)

static char *
cfg_path(const char *v)
{
	return v ? home_path(v) : NULL;
}

/* Whether a URL's host, as libcurl parsed it, is this machine: localhost, an
 * address of 127.0.0.0/8, ::1 or ::ffff:127.x.x.x. */
static int
host_loopback(const char *host)
{
	unsigned char a[16];
	char h[64];
	size_t n = strlen(host);
	if (!strcasecmp(host, "localhost"))
		return 1;
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	if (n < 3 || n - 2 >= sizeof h || host[0] != '[' || host[n - 1] != ']')
		return 0;
	memcpy(h, host + 1, n - 2);
	h[n - 2] = 0;
	if (inet_pton(AF_INET6, h, a) != 1)
		return 0;
	static const unsigned char lo[16] = { [15] = 1 }, mapped[12] = { [10] = 0xff, [11] = 0xff };
	return !memcmp(a, lo, 16) || (!memcmp(a, mapped, 12) && a[12] == 127);
}

int
bank_url_check(const char *url, int *loopback, char *hostout, size_t hostsz, struct werr *e)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL, *query = NULL, *frag = NULL;
	int rc = 0;
	*loopback = 0;
	if (!u)
		die("out of memory (curl)");
	/* The host is what libcurl will connect to, whatever the string looks like:
	 * http://127.0.0.1@10.255.255.1/ goes to 10.255.255.1. */
	CURLUcode uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (uc != CURLUE_OK)
		rc = werr_set(e, "bank.endpoint", "%s: not a URL (%s)", url, curl_url_strerror(uc));
	else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	         (strcmp(scheme, "http") && strcmp(scheme, "https")))
		rc = werr_set(e, "bank.endpoint", "%s: not an http:// or https:// URL", url);
	else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host[0])
		rc = werr_set(e, "bank.endpoint", "%s: no host", url);
	else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	         curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK)
		rc = werr_set(e, "bank.endpoint", "%s: a user name or password in the URL: the host is "
		              "%s; the bank is reached with its token, never credentials in the URL",
		              url, host);
	else if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK ||
	         curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) == CURLUE_OK)
		rc = werr_set(e, "bank.endpoint", "%s: a query or fragment in the URL: give the bank's "
		              "base URL", url);
	else
		*loopback = host_loopback(host);
	if (rc == 0 && hostout)
		snprintf(hostout, hostsz, "%s", host);
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pass);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(u);
	return rc;
}

const char *
bank_receiver(void)
{
	const char *r = cfg_get(wgo_config(), "bank.receiver_id");
	return r ? r : API_BANK_ID;
}

static int
bank_setup(struct bank *b, const char *endpoint, const char *token_file, int token_fd,
           char *env, struct werr *e)
{
	struct cfg *c = wgo_config();
	memset(b, 0, sizeof *b);
	const char *ep = endpoint ? endpoint : cfg_get(c, "bank.endpoint");
	if (!ep)
		return werr_set(e, "bank.endpoint", "no bank endpoint: set bank.endpoint in wgo.conf or "
		                "give --endpoint");
	int lo;
	char host[256];
	if (bank_url_check(ep, &lo, host, sizeof host, e) < 0)
		return -1;
	if (strncasecmp(ep, "https://", 8) && !lo)
		warnf("WARNING: bank.endpoint %s is plain http to %s, another machine: the token and "
		      "the orders cross the network unencrypted, and the bank is not authenticated. "
		      "Use https://", ep, host);
	b->endpoint = xstrdup(ep);
	size_t n = strlen(b->endpoint);
	while (n && b->endpoint[n - 1] == '/')
		b->endpoint[--n] = 0;
	b->ca_file = cfg_path(cfg_get(c, "bank.ca_file"));
	b->cert = cfg_path(cfg_get(c, "bank.cert"));
	b->cert_key = cfg_path(cfg_get(c, "bank.cert_key"));
	b->receiver = xstrdup(bank_receiver());
	const char *t = cfg_get(c, "bank.timeout");
	long secs = 30;
	if (t && uint_parse(t, 3600, &secs) < 0)
		return werr_set(e, "bank.timeout", "not a number of seconds");
	b->timeout_ms = secs * 1000;
	/* The token: from a descriptor, a file (mode 0600) or the environment, never an
	 * argument. The environment's copy is wiped whichever is used: no child of
	 * ours inherits it, and /proc/PID/environ no longer shows it (bank_load). */
	char *tok = secret_alloc(1024);
	const char *tf = token_file ? token_file : cfg_get(c, "bank.token_file");
	int rc = 0;
	if (token_fd >= 0) {
		rc = secret_read_fd(token_fd, tok, 1024, e);
	} else if (tf) {
		if (token_file) {
			rc = secret_read_opt("--token-file", token_file, tok, 1024, e);
		} else {
			char *p = home_path(tf);
			rc = secret_read(p, tok, 1024, e);
			free(p);
		}
	} else if (env) {
		snprintf(tok, 1024, "%s", env);
	} else {
		rc = werr_set(e, "bank.token_file", "no bank token: give --token-file or --token-fd, "
		              "set bank.token_file in wgo.conf, or set WGO_BANK_TOKEN");
	}
	if (rc == 0) {
		tok[strcspn(tok, "\r\n")] = 0;
		if (!tok[0] || strpbrk(tok, " \t"))
			rc = werr_set(e, token_fd >= 0 ? "--token-fd" : tf ? "bank.token_file" : "WGO_BANK_TOKEN",
			              "the token is empty or holds blanks");
	}
	if (rc == 0) {
		size_t an = strlen(tok) + 32;
		b->auth = secret_alloc(an);
		snprintf(b->auth, an, "Authorization: Bearer %s", tok);
	}
	secret_free(tok);
	return rc;
}

int
bank_load(struct bank *b, const char *endpoint, const char *token_file, int token_fd,
          struct werr *e)
{
	char *env = secret_getenv("WGO_BANK_TOKEN"); /* first, whatever goes wrong next */
	int rc = bank_setup(b, endpoint, token_file, token_fd, env, e);
	secret_free(env);
	return rc;
}

void
bank_free(struct bank *b)
{
	secret_free(b->auth);
	free(b->endpoint);
	free(b->ca_file);
	free(b->cert);
	free(b->cert_key);
	free(b->receiver);
	memset(b, 0, sizeof *b);
}

static size_t
on_body(char *p, size_t sz, size_t nm, void *u)
{
	struct http_req *r = u;
	size_t n = sz * nm;
	if (r->resp.n + n > MAX_RESPONSE)
		return 0; /* too big: curl fails the transfer */
	buf_add(&r->resp, p, n);
	return n;
}

static size_t
on_header(char *p, size_t sz, size_t nm, void *u)
{
	struct http_req *r = u;
	size_t n = sz * nm;
	if (n > 12 && !strncasecmp(p, "Retry-After:", 12)) {
		long v = strtol(p + 12, NULL, 10);
		r->retry_after = v >= 0 && v < 3600 ? v : 60;
	}
	return n;
}

int
http_init(struct http *h, const struct bank *b, int max_conns)
{
	static int global;
	if (!global) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			return -1;
		global = 1;
	}
	memset(h, 0, sizeof *h);
	h->bank = b;
	h->multi = curl_multi_init();
	if (!h->multi)
		return -1;
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)max_conns);
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)max_conns);
	return 0;
}

void
http_free(struct http *h)
{
	for (size_t i = 0; i < h->nidle; i++)
		curl_easy_cleanup(h->idle[i]);
	free(h->idle);
	if (h->multi)
		curl_multi_cleanup(h->multi);
	memset(h, 0, sizeof *h);
}

void
http_start(struct http *h, struct http_req *r, const char *path)
{
	const struct bank *b = h->bank;
	CURL *c = h->nidle ? h->idle[--h->nidle] : curl_easy_init();
	if (!c)
		die("out of memory (curl)");
	curl_easy_reset(c);
	snprintf(r->url, sizeof r->url, "%s%s", b->endpoint, path);
	r->resp.n = 0;
	r->status = 0;
	r->curl_code = 0;
	r->retry_after = -1;
	r->err[0] = 0;
	r->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	r->hdrs = curl_slist_append(r->hdrs, b->auth);
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, r->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, r->hdrs);
	if (r->get) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body.p ? r->body.p : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body.n);
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->err);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, b->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, b->timeout_ms < 10000 ? b->timeout_ms : 10000L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (b->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, b->ca_file);
	if (b->cert)
		curl_easy_setopt(c, CURLOPT_SSLCERT, b->cert);
	if (b->cert_key)
		curl_easy_setopt(c, CURLOPT_SSLKEY, b->cert_key);
	curl_easy_setopt(c, CURLOPT_PRIVATE, r);
	r->easy = c;
	curl_multi_add_handle(h->multi, c);
	h->running++;
}

struct http_req *
http_next(struct http *h, int wait)
{
	return http_next_within(h, wait ? -1 : 0);
}

struct http_req *
http_next_within(struct http *h, long wait_ms)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int still, q;
		CURLMsg *m;
		curl_multi_perform(h->multi, &still);
		while ((m = curl_multi_info_read(h->multi, &q))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			CURL *c = m->easy_handle;
			struct http_req *r;
			curl_easy_getinfo(c, CURLINFO_PRIVATE, (char **)&r);
			r->curl_code = (int)m->data.result;
			if (m->data.result == CURLE_OK)
				curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
			else if (!r->err[0])
				snprintf(r->err, sizeof r->err, "%s", curl_easy_strerror(m->data.result));
			curl_multi_remove_handle(h->multi, c);
			curl_slist_free_all(r->hdrs);
			r->hdrs = NULL;
			r->easy = NULL;
			h->idle = xrealloc(h->idle, (h->nidle + 1) * sizeof *h->idle);
			h->idle[h->nidle++] = c;
			h->running--;
			return r;
		}
		if (!h->running || wait_ms == 0)
			return NULL;
		struct timespec t1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		long spent = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (wait_ms > 0 && spent >= wait_ms)
			return NULL;
		long left = wait_ms < 0 ? 1000 : wait_ms - spent;
		curl_multi_poll(h->multi, NULL, 0, (int)(left < 1000 ? left : 1000), NULL);
	}
}

int
http_post(struct http *h, struct http_req *r, const char *path)
{
	http_start(h, r, path);
	while (!http_next(h, 1))
		;
	return r->curl_code == 0 ? 0 : -1;
}

/* Exponential backoff with jitter: base 0.25 s doubling per attempt, capped, then
 * a random 50-100% of it; a Retry-After from the bank is a floor. Milliseconds. */
long
http_backoff(int attempt, long retry_after, long max_ms)
{
	long ms = 250;
	for (int i = 1; i < attempt && ms < max_ms; i++)
		ms *= 2;
	if (ms > max_ms)
		ms = max_ms;
	ms = ms / 2 + (long)(randombytes_uniform((uint32_t)(ms / 2 + 1)));
	if (retry_after >= 0 && retry_after * 1000 > ms)
		ms = retry_after * 1000;
	return ms;
}

/* Failures that another try cannot mend: a certificate the client does not trust,
 * a bad URL, a client certificate it cannot use. */
int
http_curl_permanent(int code)
{
	switch (code) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return 1;
	default:
		return 0;
	}
}
