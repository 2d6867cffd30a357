/* ddp-sandbox: a bank on loopback that speaks wgo-api(7), for rehearsal, demos,
 * tests and measurements; and its back office as commands (verify, simulate,
 * run-month, state) against a running sandbox or its state. The bank itself is
 * bank.c; this is its HTTP server and its command line. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>

#include "wgo.h"

static const char usage_text[] =
	"Usage: ddp-sandbox [OPTIONS]\n"
	"       ddp-sandbox verify ORDER_NO DATE [--branch ROUTING] [--method METHOD]\n"
	"       ddp-sandbox simulate --through DATE [--late R] [--never R] [--first-within DAYS]\n"
	"       ddp-sandbox run-month YYYY-MM [--pay-error-rate R]\n"
	"       ddp-sandbox state | codes\n"
	"Serve the bank's side of wgo-api(7), keeping its state in a directory: print the\n"
	"port it listens on, then serve until stopped (or --exit-after). The commands are\n"
	"the bank's back office, run against the sandbox serving the state directory, or\n"
	"on the state itself when none is; codes prints the codes of wgo-api(7).\n"
	"\n"
	"Serving:\n"
	"  -d, --state DIR          state directory (default $WGO_HOME/sandbox)\n"
	"  -p, --port N             port; 0 picks a free one (default 8470)\n"
	"      --port-file FILE     write the port there once serving (for scripts)\n"
	"  -l, --listen ADDR        address to listen on (default 127.0.0.1)\n"
	"  -k, --keyring PATH       office public keys (default $WGO_HOME/keyring)\n"
	"  -t, --token-file FILE    \"OFFICE TOKEN\" lines, mode 0600 (default STATE/tokens)\n"
	"      --tls                serve HTTPS with --cert and --key (PEM files)\n"
	"      --cert FILE, --key FILE\n"
	"      --client-ca FILE     with --tls: require client certificates signed by FILE\n"
	"      --threads N          worker threads (default 4)\n"
	"      --max-connections N  connections at once (default 256)\n"
	"      --client-header-timeout S  seconds for a request's headers to arrive (default 10)\n"
	"      --client-body-timeout S  seconds for a request's body to arrive (default 60)\n"
	"      --log FILE           one JSON line per request (default STATE/requests.log)\n"
	"      --exit-after SECONDS stop by itself after this long\n"
	"\n"
	"The bank:\n"
	"      --today DATE         the bank's business date (default: today in Bangladesh)\n"
	"      --holidays FILE      holiday file for working days\n"
	"      --seed N             seed for returns, ids, simulations, errors and faults (default 1)\n"
	"      --return-rate R      share of accepted orders sent back as returns (default 0)\n"
	"      --pay-error-rate R   share of payments made with an error by run-month (default 0)\n"
	"      --replay-window S    seconds message_ts may be off the clock (default 300)\n"
	"      --max-batch N        disbursements in one request (default 1000)\n"
	"      --max-body BYTES     request body limit (default 16777216)\n"
	"\n"
	"Faults (each a share of requests, seeded):\n"
	"      --latency MS         added before each request is handled\n"
	"      --fail-rate R        answered 503 before being handled\n"
	"      --throttle-rate R    answered 429 with Retry-After before being handled\n"
	"      --retry-after S      the Retry-After of 429 and 503 (default 1)\n"
	"      --drop-rate R        handled, then the connection is dropped without an answer\n"
	"      --slow-rate R        the answer is sent slowly, a few bytes at a time\n"
	"      --truncate-rate R    the answer is cut off half way\n"
	"\n"
	"The commands:\n"
	"      --branch ROUTING     verify: the branch (default the order's account's)\n"
	"      --method METHOD      verify: how the beneficiary was verified (biometric, ...)\n"
	"      --through DATE       simulate: the last day of appearances\n"
	"      --late R, --never R  simulate: shares of late and never-appearing beneficiaries\n"
	"      --first-within DAYS  simulate: first appearance within so many days (default 10)\n"
	"      --pay-error-rate R   run-month: share of this month's payments made wrong\n"
	"\n"
	"      --home DIR           the wgo state directory (default $WGO_HOME)\n"
	"  -h, --help               show this help\n"
	"  -V, --version            show the version\n"
	"\n"
	"Exit status: 0 stopped cleanly, or the command done; 1 the bank refused the command;\n"
	"75 the sandbox could not be reached; 2 usage or operational error.\n";

/* ---- options ---- */

static struct sbank_opts bo;
static const char *o_listen = "127.0.0.1", *o_cert, *o_key, *o_client_ca, *o_port_file,
                  *o_branch, *o_method, *o_through;
static int o_port = 8470, o_tls, o_threads = 4, o_max_conns = 256, o_header_timeout = 10,
           o_body_timeout = 60;
static long o_exit_after = -1, o_first_within = -1;
static double o_late = -1, o_never = -1, o_pay_error = -1;
/* The bank's options given on this command line, kept in STATE/options by the
 * server for the commands that later run on its state. */
enum { K_TODAY, K_SEED, K_HOLIDAYS, K_KEYRING, K_RETURN_RATE, K_PAY_ERROR_RATE, NKEPT };
static const char *const kept_names[NKEPT] = { "today", "seed", "holidays", "keyring",
	                                       "return-rate", "pay-error-rate" };
static const char *kept[NKEPT];
static volatile sig_atomic_t stop_now;

static double
rate_arg(const char *name, const char *v)
{
	char *end;
	double d = strtod(v, &end);
	if (!*v || *end || !(d >= 0 && d <= 1))
		die_usage("%s: a share from 0 to 1, not '%s'", name, v);
	return d;
}

static long
num_arg(const char *name, const char *v, long max)
{
	long n;
	if (uint_parse(v, max, &n) < 0)
		die_usage("%s: a whole number up to %ld, not '%s'", name, max, v);
	return n;
}

static void
set_today(const char *v)
{
	const char *why;
	if (date_parse(v, &bo.today, &why) < 0)
		die_usage("--today: %s", why);
}

static void
on_opt(int c, char *arg)
{
	switch (c) {
	case 'd': bo.state = arg; break;
	case 'p': o_port = (int)num_arg("--port", arg, 65535); break;
	case 'l': o_listen = arg; break;
	case 'k': bo.keyring = kept[K_KEYRING] = arg; break;
	case 't': bo.tokens = arg; break;
	case 1: o_tls = 1; break;
	case 2: o_cert = arg; break;
	case 3: o_key = arg; break;
	case 4: o_client_ca = arg; break;
	case 5: o_threads = (int)num_arg("--threads", arg, 64); break;
	case 6: bo.log = arg; break;
	case 7: o_exit_after = num_arg("--exit-after", arg, 86400 * 365); break;
	case 8: set_today(kept[K_TODAY] = arg); break;
	case 9: bo.holidays = kept[K_HOLIDAYS] = arg; break;
	case 10: bo.seed = (uint64_t)num_arg("--seed", kept[K_SEED] = arg, 1L << 62); break;
	case 11: bo.return_rate = rate_arg("--return-rate", kept[K_RETURN_RATE] = arg); break;
	case 12: o_pay_error = bo.pay_error_rate = rate_arg("--pay-error-rate", kept[K_PAY_ERROR_RATE] = arg); break;
	case 13: bo.replay_window = (int)num_arg("--replay-window", arg, 86400); break;
	case 14: bo.max_batch = (int)num_arg("--max-batch", arg, 100000); break;
	case 15: bo.max_body = num_arg("--max-body", arg, 1L << 30); break;
	case 16: bo.latency_ms = (int)num_arg("--latency", arg, 60000); break;
	case 17: bo.fail_rate = rate_arg("--fail-rate", arg); break;
	case 18: bo.throttle_rate = rate_arg("--throttle-rate", arg); break;
	case 19: bo.retry_after = (int)num_arg("--retry-after", arg, 3600); break;
	case 20: bo.drop_rate = rate_arg("--drop-rate", arg); break;
	case 21: bo.slow_rate = rate_arg("--slow-rate", arg); break;
	case 22: bo.truncate_rate = rate_arg("--truncate-rate", arg); break;
	case 23: wgo_set_home(arg); break;
	case 24: o_port_file = arg; break;
	case 25:
		o_max_conns = (int)num_arg("--max-connections", arg, 100000);
		if (o_max_conns < 1)
			die_usage("--max-connections: at least 1");
		break;
	case 26:
		o_header_timeout = (int)num_arg("--client-header-timeout", arg, 3600);
		if (o_header_timeout < 1)
			die_usage("--client-header-timeout: at least 1 second");
		break;
	case 27:
		o_body_timeout = (int)num_arg("--client-body-timeout", arg, 3600);
		if (o_body_timeout < 1)
			die_usage("--client-body-timeout: at least 1 second");
		break;
	case 28: o_branch = arg; break;
	case 29: o_method = arg; break;
	case 30: o_through = arg; break;
	case 31: o_late = rate_arg("--late", arg); break;
	case 32: o_never = rate_arg("--never", arg); break;
	case 33:
		o_first_within = num_arg("--first-within", arg, 365);
		if (o_first_within < 1)
			die_usage("--first-within: 1 to 365 days");
		break;
	case 'h': wgo_help(usage_text);
	case 'V': wgo_help(NULL);
	}
}

static char *
state_dir(void)
{
	return bo.state ? xstrdup(bo.state) : home_path("sandbox");
}

static char *
in_state(const char *dir, const char *name)
{
	char *p = xmalloc(strlen(dir) + strlen(name) + 2);
	sprintf(p, "%s/%s", dir, name);
	return p;
}

/* A small file written whole or not at all, for scripts waiting on it. */
static void
put_file(const char *path, const char *text)
{
	struct werr e;
	if (atomic_write(path, text, strlen(text), 0644, &e) < 0)
		die("%s: %s", e.field, e.msg);
}

/* An absolute path, so that a command run from elsewhere finds the same file. */
static char *
absolute(const char *p)
{
	char *r = realpath(p, NULL);
	return r ? r : xstrdup(p);
}

/* ---- the server: connections, their deadlines, and requests ---- */

/* A connection and the phase of its current request: its headers, its body, or
 * its answer. A request must get its headers in within --client-header-timeout
 * (counted from the connection, or from the answer before on a kept-alive one) and
 * its body within --client-body-timeout; past that the connection is shut, so that
 * no client holds a connection by trickling bytes. */
enum { PH_HEADERS, PH_BODY, PH_ANSWER, PH_CUT };
struct track {
	int fd, phase;
	double since;
	struct track *prev, *next;
};
static pthread_mutex_t tmu = PTHREAD_MUTEX_INITIALIZER;
static struct track *tracks;
static unsigned long ncut;

static double
mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
on_connection(void *cls, struct MHD_Connection *c, void **sctx, enum MHD_ConnectionNotificationCode toe)
{
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		struct track *t = xcalloc(1, sizeof *t);
		t->fd = ci ? ci->connect_fd : -1;
		t->since = mono();
		pthread_mutex_lock(&tmu);
		t->next = tracks;
		if (tracks)
			tracks->prev = t;
		tracks = t;
		pthread_mutex_unlock(&tmu);
		*sctx = t;
	} else if (*sctx) {
		/* Before MHD closes the descriptor: the reaper never shuts a reused one. */
		struct track *t = *sctx;
		pthread_mutex_lock(&tmu);
		if (t->prev)
			t->prev->next = t->next;
		else
			tracks = t->next;
		if (t->next)
			t->next->prev = t->prev;
		pthread_mutex_unlock(&tmu);
		free(t);
		*sctx = NULL;
	}
}

static void
set_phase(struct MHD_Connection *c, int phase)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct track *t = ci ? ci->socket_context : NULL;
	if (!t)
		return;
	pthread_mutex_lock(&tmu);
	if (t->phase != PH_CUT) {
		t->phase = phase;
		t->since = mono();
	}
	pthread_mutex_unlock(&tmu);
}

static void *
reaper(void *arg)
{
	while (!stop_now) {
		usleep(100000);
		double now = mono();
		pthread_mutex_lock(&tmu);
		for (struct track *t = tracks; t; t = t->next) {
			double lim = t->phase == PH_HEADERS ? o_header_timeout
			             : t->phase == PH_BODY ? o_body_timeout : -1;
			if (lim > 0 && now - t->since > lim && t->fd >= 0) {
				shutdown(t->fd, SHUT_RDWR);
				t->phase = PH_CUT;
				ncut++;
			}
		}
		pthread_mutex_unlock(&tmu);
	}
	return NULL;
}

struct req {
	struct sbank_answer a;
	struct buf body;
	const char *who;
	int too_big, answered;
	double t0;
};

struct slow {
	struct buf body;
	size_t stop; /* bytes to send before failing; body.n when not truncated */
	int slow;
};

static ssize_t
slow_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct slow *s = cls;
	if (pos >= s->stop)
		return s->stop < s->body.n ? MHD_CONTENT_READER_END_WITH_ERROR
		                           : MHD_CONTENT_READER_END_OF_STREAM;
	size_t n = s->body.n - (size_t)pos;
	if (s->slow) {
		usleep(2000);
		if (n > 256)
			n = 256;
	}
	if (n > max)
		n = max;
	if ((size_t)pos + n > s->stop)
		n = s->stop - (size_t)pos;
	memcpy(buf, s->body.p + pos, n);
	return (ssize_t)n;
}

static void
slow_free(void *cls)
{
	struct slow *s = cls;
	buf_free(&s->body);
	free(s);
}

static int
client_cert_ok(struct MHD_Connection *c)
{
	if (!o_client_ca)
		return 1;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!ci || !ci->tls_session)
		return 0;
	unsigned status = 0;
	if (gnutls_certificate_verify_peers2((gnutls_session_t)ci->tls_session, &status) != 0)
		return 0;
	unsigned n = 0;
	if (!gnutls_certificate_get_peers((gnutls_session_t)ci->tls_session, &n) || n == 0)
		return 0;
	return status == 0;
}

/* The answer, logged, then sent (slowly, cut short or not at all when a fault
 * says so). */
static enum MHD_Result
respond(struct MHD_Connection *c, struct req *rq, const char *method, const char *url)
{
	struct sbank_answer *a = &rq->a;
	rq->answered = 1;
	set_phase(c, PH_ANSWER);
	sbank_log(method, url, a, (mono() - rq->t0) * 1e3);
	if (a->drop)
		return MHD_NO; /* handled, but the client never hears */
	struct MHD_Response *r;
	if (a->slow || a->truncate) {
		struct slow *s = xcalloc(1, sizeof *s);
		s->body = a->body;
		memset(&a->body, 0, sizeof a->body);
		s->stop = a->truncate ? s->body.n / 2 : s->body.n;
		s->slow = a->slow;
		r = MHD_create_response_from_callback(s->body.n, 1024, slow_reader, s, slow_free);
	} else {
		r = MHD_create_response_from_buffer(a->body.n, a->body.p, MHD_RESPMEM_MUST_COPY);
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (a->retry_after >= 0) {
		char ra[24];
		snprintf(ra, sizeof ra, "%ld", a->retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	if (a->allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, a->allow);
	enum MHD_Result rc = MHD_queue_response(c, (unsigned)a->http, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
       const char *version, const char *upload, size_t *upload_size, void **ctx)
{
	struct req *rq = *ctx;
	if (!rq) {
		/* The headers are in; no byte of the body has been read. */
		*ctx = rq = xcalloc(1, sizeof *rq);
		rq->t0 = mono();
		sbank_answer_init(&rq->a);
		set_phase(c, PH_BODY);
		if (!client_cert_ok(c)) {
			sbank_error(&rq->a, -1, API_TLS_CLIENT_CERTIFICATE,
			            "a client certificate the bank trusts is needed");
			return respond(c, rq, method, url);
		}
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
		long long len = -1;
		if (cl) {
			char *end;
			errno = 0;
			len = strtoll(cl, &end, 10);
			if (errno || *end || len < 0)
				len = LLONG_MAX;
		}
		if (sbank_begin(method, url,
		                MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
		                len, &rq->a, &rq->who))
			return respond(c, rq, method, url); /* MHD reads no body after it */
		return MHD_YES;
	}
	if (rq->answered)
		return MHD_YES;
	if (*upload_size) {
		if (rq->too_big || rq->body.n + *upload_size > (size_t)sbank_max_body()) {
			rq->too_big = 1; /* read to its end, kept nowhere */
			buf_free(&rq->body);
		} else {
			buf_add(&rq->body, upload, *upload_size);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->too_big) {
		char m[80];
		snprintf(m, sizeof m, "the body is over %ld bytes", sbank_max_body());
		sbank_error(&rq->a, api_endpoint_find(url), API_REQUEST_TOO_LARGE, m);
	} else {
		sbank_serve(method, url, rq->who, rq->body.p, rq->body.n, &rq->a);
	}
	return respond(c, rq, method, url);
}

static void
done_request(void *cls, struct MHD_Connection *c, void **ctx, enum MHD_RequestTerminationCode tc)
{
	struct req *rq = *ctx;
	if (rq) {
		sbank_answer_free(&rq->a);
		buf_free(&rq->body);
		free(rq);
	}
	*ctx = NULL;
	set_phase(c, PH_HEADERS); /* a kept-alive connection waits for its next request */
}

/* MHD's own messages, at most one a second (a flood of refused connections must
 * not flood the log). */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	static pthread_mutex_t lmu = PTHREAD_MUTEX_INITIALIZER;
	static double last;
	static unsigned long quiet;
	char m[512];
	vsnprintf(m, sizeof m, fmt, ap);
	m[strcspn(m, "\n")] = 0;
	pthread_mutex_lock(&lmu);
	double now = mono();
	if (now - last >= 1) {
		if (quiet)
			warnf("http: %s (and %lu more messages)", m, quiet);
		else
			warnf("http: %s", m);
		quiet = 0;
		last = now;
	} else {
		quiet++;
	}
	pthread_mutex_unlock(&lmu);
}

static void
on_signal(int s)
{
	stop_now = 1;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		die("%s:", path);
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return (char *)buf_str(&b);
}

/* The TLS key, read straight into secret memory. */
static char *
slurp_secret(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		die("%s:", path);
	if (st.st_size > (1 << 20))
		die("%s: too big for a key", path);
	size_t want = (size_t)st.st_size, n = 0;
	char *s = secret_alloc(want + 1);
	ssize_t r = 0;
	while (n < want && (r = read(fd, s + n, want - n)) > 0)
		n += (size_t)r;
	if (r < 0)
		die("%s:", path);
	close(fd);
	return s;
}

/* The bank's options of this command line, for commands run on the state later. */
static void
keep_options(const char *dir)
{
	struct buf b = { 0 };
	for (int i = 0; i < NKEPT; i++) {
		if (!kept[i])
			continue;
		char *v = i == K_HOLIDAYS || i == K_KEYRING ? absolute(kept[i]) : xstrdup(kept[i]);
		buf_printf(&b, "%s %s\n", kept_names[i], v);
		free(v);
	}
	char *p = in_state(dir, "options");
	put_file(p, buf_str(&b));
	free(p);
	buf_free(&b);
}

static int
serve(void)
{
	struct werr e;
	int busy;
	char *dir = state_dir();
	if (o_port_file)
		unlink(o_port_file); /* a script must not read the last run's port */
	char *epath = in_state(dir, "endpoint");
	if (sbank_open(&bo, &busy, &e) < 0)
		die("%s: %s", e.field, e.msg);
	unlink(epath);
	keep_options(dir);
	struct sockaddr_in sa = { 0 };
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)o_port);
	if (inet_pton(AF_INET, o_listen, &sa.sin_addr) != 1)
		die_usage("--listen: not an IPv4 address: %s", o_listen);
	char *cert = o_tls ? slurp(o_cert) : NULL, *key = o_tls ? slurp_secret(o_key) : NULL;
	char *ca = o_client_ca ? slurp(o_client_ca) : NULL;
	/* The handlers before the port is printed: a script that stops the sandbox as
	 * soon as it reads the port stops it cleanly. */
	struct sigaction sg = { 0 };
	sg.sa_handler = on_signal;
	sigemptyset(&sg.sa_mask);
	sigaction(SIGTERM, &sg, NULL);
	sigaction(SIGINT, &sg, NULL);
	signal(SIGPIPE, SIG_IGN);
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | (o_tls ? MHD_USE_TLS : 0);
	int idle = o_header_timeout > o_body_timeout ? o_header_timeout : o_body_timeout;
	struct MHD_OptionItem opts[] = {
		{ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL }, /* first, as MHD asks */
		{ MHD_OPTION_SOCK_ADDR, 0, &sa },
		{ MHD_OPTION_THREAD_POOL_SIZE, o_threads, NULL },
		{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)done_request, NULL },
		{ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, idle, NULL },
		{ MHD_OPTION_CONNECTION_LIMIT, o_max_conns, NULL },
		{ o_tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert },
		{ o_tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key },
		{ ca ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, 0, ca },
		{ MHD_OPTION_END, 0, NULL },
	};
	/* Options after an END are not read: put the optional ones last and compact. */
	struct MHD_OptionItem use[sizeof opts / sizeof opts[0]];
	size_t nu = 0;
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		if (opts[i].option != MHD_OPTION_END)
			use[nu++] = opts[i];
	use[nu].option = MHD_OPTION_END;
	struct MHD_Daemon *d = MHD_start_daemon(flags, 0, NULL, NULL, handle, NULL,
	                                        MHD_OPTION_ARRAY, use, MHD_OPTION_END);
	if (!d)
		die("cannot listen on %s:%d", o_listen, o_port);
	pthread_t rt;
	if (pthread_create(&rt, NULL, reaper, NULL) != 0)
		die("cannot start the connection reaper");
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	unsigned port = di ? (unsigned)di->port : (unsigned)o_port;
	char line[600];
	snprintf(line, sizeof line, "%s://%s:%u\n", o_tls ? "https" : "http", o_listen, port);
	if (o_tls) {
		char *cp = absolute(o_cert);
		snprintf(line + strlen(line), sizeof line - strlen(line), "ca %s\n", cp);
		free(cp);
	}
	if (o_client_ca)
		snprintf(line + strlen(line), sizeof line - strlen(line), "client-certificates\n");
	put_file(epath, line);
	if (o_port_file) {
		snprintf(line, sizeof line, "%u\n", port);
		put_file(o_port_file, line);
	}
	printf("%u\n", port);
	fflush(stdout);
	time_t start = time(NULL);
	while (!stop_now && (o_exit_after < 0 || time(NULL) - start < o_exit_after))
		usleep(100000);
	stop_now = 1;
	unlink(epath);
	if (o_port_file)
		unlink(o_port_file);
	MHD_stop_daemon(d);
	pthread_join(rt, NULL);
	sbank_close();
	free(cert);
	secret_free(key);
	free(ca);
	free(epath);
	free(dir);
	return wgo_finish(0);
}

/* ---- the commands ---- */

/* What state_options read, kept while a command runs. */
static char *opt_held[NKEPT];

/* Defaults from STATE/options, where the server kept what it was started with. */
static void
state_options(const char *dir)
{
	char *p = in_state(dir, "options");
	FILE *f = fopen(p, "r");
	char line[4200], *v;
	while (f && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		if (!(v = strchr(line, ' ')))
			continue;
		*v++ = 0;
		for (int i = 0; i < NKEPT; i++) {
			if (strcmp(line, kept_names[i]) || kept[i])
				continue;
			free(opt_held[i]);
			opt_held[i] = xstrdup(v);
			switch (i) {
			case K_TODAY: set_today(opt_held[i]); break;
			case K_SEED: bo.seed = (uint64_t)num_arg("seed", opt_held[i], 1L << 62); break;
			case K_HOLIDAYS: bo.holidays = opt_held[i]; break;
			case K_KEYRING: bo.keyring = opt_held[i]; break;
			case K_RETURN_RATE: bo.return_rate = rate_arg("return-rate", opt_held[i]); break;
			case K_PAY_ERROR_RATE: bo.pay_error_rate = rate_arg("pay-error-rate", opt_held[i]); break;
			}
		}
	}
	if (f)
		fclose(f);
	free(p);
}

/* The token of the state's ADMIN line, else its first: what the back office uses. */
static char *
admin_token(const char *dir, struct werr *e)
{
	char *path = bo.tokens ? xstrdup(bo.tokens) : in_state(dir, "tokens");
	char *text = secret_alloc(16384), *tok = secret_alloc(300), *save;
	int rc = secret_read(path, text, 16384, e);
	free(path);
	for (char *l = rc ? NULL : strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char of[6], t[256];
		if (l[0] == '#' || sscanf(l, "%5s %255s", of, t) != 2)
			continue;
		if (!tok[0] || !strcmp(of, "ADMIN"))
			snprintf(tok, 300, "%s", t);
		sodium_memzero(t, sizeof t);
	}
	secret_free(text);
	if (rc == 0 && !tok[0])
		rc = werr_set(e, "tokens", "no token to ask the sandbox with");
	if (rc < 0) {
		secret_free(tok);
		return NULL;
	}
	return tok;
}

/* The request to a running sandbox: its endpoint from STATE/endpoint. 0 with r
 * holding the answer, or -1 (e filled) when it cannot be asked. */
static int
ask_running(const char *dir, int ep, const char *body, struct http_req *r, struct werr *e)
{
	char *p = in_state(dir, "endpoint");
	char *text = NULL;
	FILE *f = fopen(p, "r");
	if (!f) {
		werr_set(e, p, "the sandbox holding the state says nowhere where it listens (%s)",
		         strerror(errno));
		free(p);
		return -1;
	}
	fclose(f);
	text = slurp(p);
	free(p);
	struct bank b = { 0 };
	char *save, *l = strtok_r(text, "\n", &save);
	b.endpoint = xstrdup(l ? l : "");
	while ((l = strtok_r(NULL, "\n", &save))) {
		if (!strncmp(l, "ca ", 3))
			b.ca_file = xstrdup(l + 3);
		else if (!strcmp(l, "client-certificates")) {
			free(text);
			bank_free(&b);
			return werr_set(e, dir, "the sandbox serving it asks for client certificates: "
			                "ask it with curl and yours");
		}
	}
	free(text);
	b.timeout_ms = 60000;
	char *tok = admin_token(dir, e);
	if (!tok) {
		bank_free(&b);
		return -1;
	}
	size_t an = strlen(tok) + 32;
	b.auth = secret_alloc(an);
	snprintf(b.auth, an, "Authorization: Bearer %s", tok);
	secret_free(tok);
	struct http h;
	if (http_init(&h, &b, 1) < 0)
		die("cannot start libcurl");
	buf_adds(&r->body, body);
	r->get = !strcmp(api_endpoint(ep)->method, "GET");
	http_post(&h, r, api_endpoint(ep)->path);
	http_free(&h);
	bank_free(&b);
	return 0;
}

/* Whether a sandbox holds the state's lock (it takes it exclusively). */
static int
serving_state(const char *dir)
{
	char *p = in_state(dir, "lock");
	int fd = open(p, O_RDONLY | O_CLOEXEC), held = 0;
	free(p);
	if (fd >= 0) {
		held = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
		close(fd);
	}
	return held;
}

/* A command: the request to the sandbox serving the state, or to the state itself
 * when none is (under its lock, as the server would hold it). */
static int
command(int ep, const char *body)
{
	struct werr e;
	struct http_req r = { 0 };
	int busy, rc;
	char *dir = state_dir();
	state_options(dir);
	bo.state = dir;
	bo.no_tokens = 1;
	bo.no_log = 1;
	if (serving_state(dir)) {
		busy = 1;
		if (ask_running(dir, ep, body, &r, &e) < 0)
			die("%s: %s", e.field, e.msg);
	} else if (sbank_open(&bo, &busy, &e) == 0) {
		struct sbank_answer a;
		sbank_answer_init(&a);
		sbank_serve(api_endpoint(ep)->method, api_endpoint(ep)->path, "ADMIN", body, strlen(body), &a);
		sbank_close();
		r.status = a.http;
		r.resp = a.body;
		snprintf(r.url, sizeof r.url, "%s (the state, no sandbox serving it)", dir);
	} else if (!busy) {
		die("%s: %s", e.field, e.msg);
	} else if (ask_running(dir, ep, body, &r, &e) < 0) {
		die("%s: %s", e.field, e.msg);
	}
	struct api_answer an;
	api_answer_read(&an, ep, &r);
	if (an.outcome == API_ANSWER_OK) {
		if (ep == API_SB_VERIFY) {
			if (rec_write(stdout, an.list) < 0)
				die("<stdout>: write error:");
		} else {
			struct buf b = { 0 };
			json_dump_compact(an.list, &b);
			buf_addc(&b, '\n');
			if (fwrite(b.p, 1, b.n, stdout) != b.n)
				die("<stdout>: write error:");
			buf_free(&b);
		}
		rc = 0;
	} else {
		warnf("%s", an.why);
		/* The bank's refusal of what was asked (any 4xx but a refused token) is a
		 * negative result; a bank that could not be reached, or could not write,
		 * may do it later; the rest is operational. */
		rc = an.outcome == API_ANSWER_RETRY ? WGO_EXIT_TEMP
		     : an.http >= 400 && an.http < 500 && an.http != 401 && an.http != 403
		         ? WGO_EXIT_NEG : WGO_EXIT_USAGE;
	}
	api_answer_free(&an);
	buf_free(&r.body);
	buf_free(&r.resp);
	free(dir);
	for (int i = 0; i < NKEPT; i++)
		free(opt_held[i]), opt_held[i] = NULL;
	return wgo_finish(rc);
}

static void
put_num(json_t *o, const char *k, double v)
{
	if (v >= 0)
		json_object_set_new(o, k, json_real(v));
}

static int
print_codes(void)
{
	for (int i = 0; i < API_NCODES; i++) {
		const struct api_code *c = api_code(i);
		if (c->scope == API_SCOPE_LOCAL)
			continue;
		printf("%s\t%d\t%s\t%s\t%s\n", c->code, c->http, c->retry ? "retry" : "final",
		       c->scope == API_SCOPE_ITEM ? "item" : c->sandbox ? "sandbox" : "request", c->meaning);
	}
	return wgo_finish(0);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "state", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "listen", required_argument, NULL, 'l' },
		{ "keyring", required_argument, NULL, 'k' },
		{ "token-file", required_argument, NULL, 't' },
		{ "tls", no_argument, NULL, 1 },
		{ "cert", required_argument, NULL, 2 },
		{ "key", required_argument, NULL, 3 },
		{ "client-ca", required_argument, NULL, 4 },
		{ "threads", required_argument, NULL, 5 },
		{ "log", required_argument, NULL, 6 },
		{ "exit-after", required_argument, NULL, 7 },
		{ "today", required_argument, NULL, 8 },
		{ "holidays", required_argument, NULL, 9 },
		{ "seed", required_argument, NULL, 10 },
		{ "return-rate", required_argument, NULL, 11 },
		{ "pay-error-rate", required_argument, NULL, 12 },
		{ "replay-window", required_argument, NULL, 13 },
		{ "max-batch", required_argument, NULL, 14 },
		{ "max-body", required_argument, NULL, 15 },
		{ "latency", required_argument, NULL, 16 },
		{ "fail-rate", required_argument, NULL, 17 },
		{ "throttle-rate", required_argument, NULL, 18 },
		{ "retry-after", required_argument, NULL, 19 },
		{ "drop-rate", required_argument, NULL, 20 },
		{ "slow-rate", required_argument, NULL, 21 },
		{ "truncate-rate", required_argument, NULL, 22 },
		{ "home", required_argument, NULL, 23 },
		{ "port-file", required_argument, NULL, 24 },
		{ "max-connections", required_argument, NULL, 25 },
		{ "client-header-timeout", required_argument, NULL, 26 },
		{ "client-body-timeout", required_argument, NULL, 27 },
		{ "branch", required_argument, NULL, 28 },
		{ "method", required_argument, NULL, 29 },
		{ "through", required_argument, NULL, 30 },
		{ "late", required_argument, NULL, 31 },
		{ "never", required_argument, NULL, 32 },
		{ "first-within", required_argument, NULL, 33 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int npos;
	wgo_setprog(argv[0]);
	secrets_protect(); /* the offices' tokens, and the TLS key */
	sbank_defaults(&bo);
	char **pos = wgo_getopt(argc, argv, "d:p:l:k:t:hV", lo, on_opt, &npos);
	const char *cmd = npos ? pos[0] : NULL;
	int serving = !cmd;
	if (!serving && (o_tls || o_port_file || o_cert || o_key || o_client_ca))
		die_usage("--tls, --cert, --key, --client-ca and --port-file go with serving, not %s", cmd);
	if (serving && (o_branch || o_method || o_through || o_late >= 0 || o_never >= 0 ||
	                o_first_within >= 0))
		die_usage("--branch, --method, --through, --late, --never and --first-within go with "
		          "the commands verify and simulate");
	if (serving) {
		if (o_tls && (!o_cert || !o_key))
			die_usage("--tls needs --cert and --key");
		if (!o_tls && (o_cert || o_key || o_client_ca))
			die_usage("--cert, --key and --client-ca go with --tls");
		free(pos);
		return serve();
	}
	json_t *b = json_object();
	int ep, rc;
	if (!strcmp(cmd, "codes")) {
		if (npos != 1)
			die_usage("codes takes no arguments");
		json_decref(b);
		free(pos);
		return print_codes();
	} else if (!strcmp(cmd, "verify")) {
		if (npos != 3)
			die_usage("verify ORDER_NO DATE");
		ep = API_SB_VERIFY;
		json_object_set_new(b, "order_no", json_string(pos[1]));
		json_object_set_new(b, "date", json_string(pos[2]));
		if (o_branch)
			json_object_set_new(b, "branch", json_string(o_branch));
		if (o_method)
			json_object_set_new(b, "method", json_string(o_method));
	} else if (!strcmp(cmd, "simulate")) {
		if (npos != 1 || !o_through)
			die_usage("simulate --through DATE [--late R] [--never R] [--first-within DAYS]");
		ep = API_SB_SIMULATE;
		json_object_set_new(b, "through", json_string(o_through));
		put_num(b, "late", o_late);
		put_num(b, "never", o_never);
		if (o_first_within > 0)
			json_object_set_new(b, "first_within", json_integer(o_first_within));
	} else if (!strcmp(cmd, "run-month")) {
		if (npos != 2)
			die_usage("run-month YYYY-MM");
		ep = API_SB_RUN_MONTH;
		json_object_set_new(b, "month", json_string(pos[1]));
		put_num(b, "pay_error_rate", o_pay_error);
	} else if (!strcmp(cmd, "state")) {
		if (npos != 1)
			die_usage("state takes no arguments");
		ep = API_SB_STATE;
	} else {
		die_usage("unknown command '%s' (verify, simulate, run-month, state, codes)", cmd);
	}
	if (!serving && (o_branch || o_method) && ep != API_SB_VERIFY)
		die_usage("--branch and --method go with verify");
	if ((o_through || o_late >= 0 || o_never >= 0 || o_first_within >= 0) && ep != API_SB_SIMULATE)
		die_usage("--through, --late, --never and --first-within go with simulate");
	struct buf body = { 0 };
	if (ep != API_SB_STATE)
		json_dump_compact(b, &body);
	json_decref(b);
	rc = command(ep, buf_str(&body));
	buf_free(&body);
	free(pos);
	return rc;
}
