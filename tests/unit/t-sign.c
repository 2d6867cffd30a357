/* Unit tests: keys, order signatures, and that every single-byte change to a signed
 * order, at every position and to every other value, fails verification. */
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tap.h"
#include "wgo.h"

static const char app_text[] =
	"{\"kind\":\"application\",\"v\":1,\"office\":\"KHL\",\"application_no\":\"A-1\",\"grant\":\"welfare\","
	"\"employee\":{\"name\":\"মোঃ আব্দুল করিম\",\"event\":\"death_in_service\",\"event_date\":\"2025-03-15\"},"
	"\"beneficiary\":{\"name_bn\":\"রহিমা খাতুন\",\"relation\":\"wife\",\"nid\":\"1987123456789\",\"mobile\":\"01712345678\"},"
	"\"account\":{\"routing\":\"200270522\",\"number\":\"0123456789012\",\"name\":\"Rahima Khatun\"},"
	"\"sanction\":{\"officer\":\"DD\",\"date\":\"2025-11-20\"}}";

static int
verifies(const char *line, size_t n, const struct keyring *r)
{
	struct werr e;
	json_t *o = rec_parse(line, n, &e);
	if (!o)
		return 0;
	int ok = jstr(o, "kind") && !strcmp(jstr(o, "kind"), "order") && order_verify(o, r, &e) == 0;
	json_decref(o);
	return ok;
}

int
main(void)
{
	struct werr e;
	struct wkey k, k2, loaded;
	sign_init();
	key_generate(&k, "KHL");
	key_generate(&k2, "DHK");

	/* Key files round-trip, sealed and not; loose modes are refused. */
	char dir[] = "/tmp/wgo-t-sign.XXXXXX";
	ok(mkdtemp(dir) != NULL, "scratch directory");
	char sec[256], sec2[256], pub[256];
	snprintf(sec, sizeof sec, "%s/k.sec", dir);
	snprintf(sec2, sizeof sec2, "%s/k2.sec", dir);
	snprintf(pub, sizeof pub, "%s/k.pub", dir);
	ok(seckey_write(sec, &k, NULL, &e) == 0, "unsealed secret key written");
	ok(seckey_write(sec, &k, NULL, &e) < 0, "an existing key file is never overwritten");
	ok(seckey_load(sec, NULL, &loaded, &e) == 0 && !memcmp(loaded.sk, k.sk, 64) &&
	   !strcmp(loaded.office, "KHL"), "unsealed key loads back");
	ok(seckey_write(sec2, &k2, "pass phrase", &e) == 0, "sealed secret key written");
	is_int(seckey_load(sec2, NULL, &loaded, &e), -2, "a sealed key asks for its passphrase");
	ok(seckey_load(sec2, "wrong", &loaded, &e) < 0 && strstr(e.msg, "wrong passphrase"),
	   "a wrong passphrase is refused");
	ok(seckey_load(sec2, "pass phrase", &loaded, &e) == 0 && !memcmp(loaded.sk, k2.sk, 64),
	   "the right one opens it");
	chmod(sec, 0640);
	ok(seckey_load(sec, NULL, &loaded, &e) < 0 && strstr(e.msg, "readable by group or others"),
	   "a secret key readable by the group is refused (%s)", e.msg);
	ok(pubkey_write(pub, &k, &e) == 0, "public key written");
	struct keyring ring;
	ok(keyring_load(&ring, pub, &e) == 0 && ring.n == 1 && !memcmp(ring.k[0].pk, k.pk, 32),
	   "keyring loads the public key");
	unlink(sec);
	unlink(sec2);
	unlink(pub);
	rmdir(dir);

	/* Sign an order. */
	struct rules rules = { 0 };
	struct rate rw[] = { { 0, 300000 } };
	rules.rate[RATE_WELFARE].r = rw;
	rules.rate[RATE_WELFARE].n = 1;
	rules.term_death_in_service = 180;
	json_t *app = json_loads(app_text, 0, NULL);
	ok(app && rec_validate(app, &e) == 0, "the application is valid (%s)", e.msg);
	wdate issued;
	const char *why;
	date_parse("2025-12-10", &issued, &why);
	json_t *order = order_from_application(app, issued, &rules, &e);
	ok(order != NULL, "an order is made");
	json_object_set_new(order, "order_no", json_string("KHL-2025-26-000001"));
	ok(order_sign(order, &k, &e) == 0, "and signed");
	struct buf line = { 0 };
	rec_dump(order, &line);
	line.n--; /* the newline */
	ok(verifies(line.p, line.n, &ring), "the signed order verifies");
	struct keyring other = { &k2, 1, 0 };
	ok(!verifies(line.p, line.n, &other), "not against another office's keyring");

	/* Every position, every other byte value: none verifies. */
	long tried = 0, passed = 0;
	for (size_t i = 0; i < line.n; i++) {
		char orig = line.p[i];
		for (int v = 0; v < 256; v++) {
			if ((char)v == orig)
				continue;
			line.p[i] = (char)v;
			tried++;
			if (verifies(line.p, line.n, &ring)) {
				passed++;
				printf("# still verifies with byte %zu = 0x%02x\n", i, v);
			}
		}
		line.p[i] = orig;
	}
	ok(tried == (long)line.n * 255, "%ld mutations of a %zu-byte order tried", tried, line.n);
	is_int(passed, 0, "not one of them verifies");
	ok(verifies(line.p, line.n, &ring), "the original still does");

	/* Signing on worker threads gives the very bytes order_sign gives, in order, even
	 * when a person typed the placeholder into a field. */
	struct signq *q = signq_new();
	if (!q) {
		skip(3, "one core: wgo-issue signs in place");
	} else {
		struct buf want = { 0 }, got = { 0 }, msg = { 0 }, l = { 0 };
		const char *stars = "****************************************************************************************";
		char tricky[200];
		snprintf(tricky, sizeof tricky, "\"value\":\"%s\"}", stars);
		json_object_set_new(json_object_get(order, "beneficiary"), "name_en", json_string(tricky));
		json_object_set_new(json_object_get(order, "account"), "name", json_string(stars));
		int n = 10000, placed = 1;
		for (int i = 1; i <= n; i++) {
			char no[32];
			snprintf(no, sizeof no, "KHL-2025-26-%06d", i);
			json_object_set_new(order, "order_no", json_string(no));
			order_sign(order, &k, &e);
			rec_dump(order, &want);
			order_sign_later(order, &k, &msg, &e);
			l.n = 0;
			rec_dump(order, &l);
			long at = signq_placeholder(l.p, l.n);
			const char *sig = strstr(l.p, "\"signature\":{");
			placed &= sig && at > sig - l.p;
			if (signq_pending(q) == SIGNQ_CAP)
				signq_settle(q, &got);
			signq_submit(q, &k, &msg, got.n + (size_t)at);
			buf_add(&got, l.p, l.n);
		}
		signq_settle(q, &got);
		ok(placed, "the placeholder is found in the signature, not in the name");
		ok(got.n == want.n && !memcmp(got.p, want.p, want.n),
		   "%d orders signed on workers are byte-identical to order_sign's", n);
		size_t s0 = got.n - 1;
		while (s0 > 0 && got.p[s0 - 1] != '\n')
			s0--;
		ok(verifies(got.p + s0, got.n - 1 - s0, &ring), "and the last one verifies");
		signq_free(q);
		buf_free(&want);
		buf_free(&got);
		buf_free(&msg);
		buf_free(&l);
	}
	buf_free(&line);
	json_decref(order);
	json_decref(app);
	keyring_free(&ring);
	return done();
}
