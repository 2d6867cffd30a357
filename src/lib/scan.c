/* wgo-scan's rules: integrity and fraud checks over the board's records, each
 * finding with the values that matched, a cluster, a score and a fingerprint that
 * stays the same while the evidence does. The rules, their ids and their
 * thresholds are set out in wgo-scan(1); what an order made payable is asked of
 * payable.c, never worked out here. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "wgo.h"

enum { SEV_LOW, SEV_MEDIUM, SEV_HIGH };
static const char *const sev_names[] = { "low", "medium", "high" };

static const struct {
	const char *id, *en, *bn;
	int severity;
	double weight; /* the risk weight until verdicts teach otherwise */
} rules[SCAN_NRULES] = {
	[SR_SHARED_ACCOUNT] = { "shared-account", "one account, several beneficiaries",
	                        "একই হিসাবে একাধিক সুবিধাভোগী", SEV_HIGH, 2.5 },
	[SR_SHARED_NID] = { "shared-nid", "one NID, several people", "একই এনআইডি, একাধিক ব্যক্তি",
	                    SEV_HIGH, 2.5 },
	[SR_SHARED_MOBILE] = { "shared-mobile", "one mobile, several beneficiaries",
	                       "একই মোবাইলে একাধিক সুবিধাভোগী", SEV_MEDIUM, 1.5 },
	[SR_SAME_PERSON] = { "same-person", "the same person twice", "একই ব্যক্তি দুইবার",
	                     SEV_HIGH, 2.5 },
	[SR_SERVING] = { "serving-employee", "a serving employee", "কর্মরত কর্মচারী", SEV_HIGH, 2.0 },
	[SR_PENSIONER] = { "pensioner", "a pensioner", "পেনশনভোগী", SEV_MEDIUM, 1.0 },
	[SR_AGE] = { "age-terms", "age or term outside the grant's terms",
	             "অনুদানের শর্তের বাইরে বয়স বা মেয়াদ", SEV_MEDIUM, 1.5 },
	[SR_VERIFIED_AFTER_DEATH] = { "verified-after-death", "life verified after death",
	                              "মৃত্যুর পরে লাইফ ভেরিফিকেশন", SEV_HIGH, 3.0 },
	[SR_VERIFICATION_BUNCH] = { "verification-bunch", "many verifications at one branch in a day",
	                            "এক শাখায় এক দিনে অনেক ভেরিফিকেশন", SEV_LOW, 0.5 },
	[SR_PAID_TWICE] = { "paid-twice", "the same month paid twice", "একই মাস দুইবার পরিশোধ",
	                    SEV_HIGH, 2.5 },
	[SR_AMOUNT_NO_RATE] = { "amount-no-rate", "an amount no rate gives", "হারের সাথে অমিল অঙ্ক",
	                        SEV_MEDIUM, 1.5 },
	[SR_ACCOUNT_RETURNED] = { "account-returned", "an account returned again and again",
	                          "বারবার ফেরত আসা হিসাব", SEV_MEDIUM, 1.0 },
	[SR_PAID_AFTER_DEATH] = { "paid-after-death", "paid after the death", "মৃত্যুর পরে পরিশোধ",
	                          SEV_HIGH, 3.0 },
	[SR_PAID_AFTER_STOP] = { "paid-after-stop", "paid after a stop", "আদেশ বন্ধের পরে পরিশোধ",
	                         SEV_HIGH, 2.5 },
	[SR_PAID_AFTER_END] = { "paid-after-end", "paid after the order's end", "মেয়াদ শেষে পরিশোধ",
	                        SEV_HIGH, 2.0 },
	[SR_PAID_UNVERIFIED] = { "paid-before-verification", "paid before the first verification",
	                         "ভেরিফিকেশনের আগে পরিশোধ", SEV_MEDIUM, 1.5 },
	[SR_PAID_SUSPENDED] = { "paid-while-suspended", "paid while suspended",
	                        "স্থগিত অবস্থায় পরিশোধ", SEV_MEDIUM, 1.5 },
};

const char *
scan_rule_name(int r)
{
	return r >= 0 && r < SCAN_NRULES ? rules[r].id : "?";
}

const char *
scan_rule_title(int r, int bn)
{
	return r >= 0 && r < SCAN_NRULES ? (bn ? rules[r].bn : rules[r].en) : "?";
}

int
scan_rule_lookup(const char *id)
{
	for (int r = 0; r < SCAN_NRULES; r++)
		if (!strcmp(rules[r].id, id))
			return r;
	return -1;
}

static const char *const verdict_names[NVERDICTS] = { "confirmed", "false_positive",
	                                              "needs_field_check" };

const char *
verdict_name(int v)
{
	return v >= 0 && v < NVERDICTS ? verdict_names[v] : "?";
}

int
verdict_lookup(const char *s)
{
	char t[32];
	snprintf(t, sizeof t, "%s", s);
	for (char *p = t; *p; p++)
		if (*p == '-')
			*p = '_';
	for (int v = 0; v < NVERDICTS; v++)
		if (!strcmp(t, verdict_names[v]))
			return v;
	return -1;
}

/* ---- what is read ---- */

struct rev {
	int revision;
	const char *account;
};
struct ret {
	int revision;
	char code[5];
	wdate date;
};
struct spay {
	uint32_t order, next; /* next: the order's next payment + 1 */
	wmonth month;         /* -1: a lump sum */
	wdate paid;
	int64_t amount;
	const char *id;
};
struct sver {
	uint32_t branch, order;
	wdate date;
};

enum { DEATH_NONE, DEATH_STOP, DEATH_RETURN, DEATH_REGISTER };
static const char *const death_src[] = { "", "stop", "return MD07", "death register" };

#define VIN 3

/* A subject of the rules: an order (its latest revision), or an application not yet
 * issued as an order. What only a rule that is off would read is not kept: a
 * million orders must fit in a few hundred megabytes. */
struct subj {
	const char *id, *app_no;
	char office[4];
	uint8_t is_app, loaded, grant, funeral_for, event, live, issued_app;
	uint8_t stopped, stop_has_last, card_returned, dead, death_from;
	int revision;
	wdate issued, event_date, retirement, emp_birth, ben_birth;
	uint8_t has_event, has_retirement, has_emp_birth, has_ben_birth;
	wdate stop_date, stop_death, death;
	wmonth stop_last;
	const char *stop_reason, *death_ref;
	struct sched_order so;
	const char *name_bn, *name_en, *key_bn, *key_en, *nid, *mobile, *account, *emp_id;
	/* Verifications, sorted: up to VIN in vin, more in ver (vcap > 0). */
	wdate vin[VIN], *ver;
	uint32_t nver, vcap;
	uint32_t pay_head, npay;
	struct rev *revs; /* the revisions' accounts, for account-returned only */
	uint32_t nrevs;
	struct ret *rets; /* returns, for account-returned only */
	uint32_t nrets;
	wdate md07;       /* the first MD07 return, 0 if none */
	uint8_t lump_paid;
	uint32_t hits;    /* rules this order hit, a bit each */
};

/* An order's verification dates. */
static wdate *
vers(struct subj *o)
{
	return o->vcap ? o->ver : o->vin;
}

struct fnd {
	int rule, review, left_out, score;
	uint32_t *subj, nsubj;
	const char **pay;
	uint32_t npay;
	char *ev, *detail;
	char fp[64];
	uint32_t cluster;
};

struct vmark {
	int8_t verdict, rule;
};

struct scan {
	wdate as_of;
	const struct sched_params *model;
	int on[SCAN_NRULES], sev[SCAN_NRULES];
	double w0[SCAN_NRULES], w[SCAN_NRULES], bias0, bias, prior;
	long examples;
	long min_account, min_mobile, min_people, min_bunch, min_returned, service_age, max_age;
	char return_codes[16][5];
	int nreturn_codes;
	struct name_rules names;
	int have_names;
	struct rules grant;
	int have_rates, have_terms;
	struct hmap lists[2]; /* serving, pensioners: NID -> nothing */
	int have_list[2];
	struct hmap deaths;   /* NID -> struct dreg */
	struct hmap orders, apps, verdicts; /* id -> uint32 index; fingerprint -> vmark */
	struct subj *s;
	uint32_t ns, cs;
	struct spay *p;
	uint32_t np, cp;
	struct sver *v;
	uint32_t nv, cv;
	struct fnd *f;
	size_t nf, cf;
	/* strings that live as long as the scan */
	char *arena;
	size_t arena_left;
	struct chunk {
		struct chunk *next;
	} *chunks;
	long later, unknown, aside, nverif, npays, napps;
	int ran, scored;
	int need, need_set; /* what the rules that are on read (NEED_*) */
};

enum {
	NEED_NAMES = 1, NEED_VER = 2, NEED_BUNCH = 4, NEED_PAY = 8, NEED_RETURNS = 16,
	NEED_ACCOUNT = 32, NEED_MOBILE = 64, NEED_EMPLOYEE = 128, NEED_PERSON = 256,
};

static int
needs(struct scan *s)
{
	if (s->need_set)
		return s->need;
	static const int by_rule[SCAN_NRULES] = {
		[SR_SHARED_ACCOUNT] = NEED_ACCOUNT,
		[SR_SHARED_NID] = NEED_NAMES,
		[SR_SHARED_MOBILE] = NEED_MOBILE,
		[SR_SAME_PERSON] = NEED_NAMES | NEED_EMPLOYEE | NEED_PERSON,
		[SR_AGE] = NEED_PERSON,
		[SR_VERIFIED_AFTER_DEATH] = NEED_VER,
		[SR_VERIFICATION_BUNCH] = NEED_BUNCH,
		[SR_PAID_TWICE] = NEED_PAY,
		[SR_AMOUNT_NO_RATE] = NEED_PAY | NEED_PERSON,
		[SR_ACCOUNT_RETURNED] = NEED_RETURNS | NEED_ACCOUNT,
		[SR_PAID_AFTER_DEATH] = NEED_PAY | NEED_VER,
		[SR_PAID_AFTER_STOP] = NEED_PAY | NEED_VER,
		[SR_PAID_AFTER_END] = NEED_PAY | NEED_VER,
		[SR_PAID_UNVERIFIED] = NEED_PAY | NEED_VER,
		[SR_PAID_SUSPENDED] = NEED_PAY | NEED_VER,
	};
	s->need = 0;
	for (int r = 0; r < SCAN_NRULES; r++)
		if (s->on[r])
			s->need |= by_rule[r];
	s->need_set = 1;
	return s->need;
}

struct dreg {
	wdate date;
	const char *no;
};

static char *
sdup(struct scan *s, const char *p)
{
	if (!p)
		return NULL;
	size_t n = strlen(p) + 1;
	if (s->arena_left < n) {
		size_t sz = n > 1 << 20 ? n : 1 << 20;
		struct chunk *c = xmalloc(sizeof *c + sz);
		c->next = s->chunks;
		s->chunks = c;
		s->arena = (char *)(c + 1);
		s->arena_left = sz;
	}
	char *r = s->arena;
	memcpy(r, p, n);
	s->arena += n;
	s->arena_left -= n;
	return r;
}

struct scan *
scan_new(wdate as_of, const struct sched_params *model)
{
	struct scan *s = xcalloc(1, sizeof *s);
	s->as_of = as_of;
	s->model = model;
	for (int r = 0; r < SCAN_NRULES; r++) {
		s->on[r] = 1;
		s->sev[r] = rules[r].severity;
		s->w0[r] = rules[r].weight;
	}
	s->bias0 = -2.0;
	s->prior = 1.0;
	s->min_account = s->min_mobile = s->min_people = 2;
	s->min_bunch = 20;
	s->min_returned = 2;
	s->service_age = 60;
	s->max_age = 100;
	static const char *const codes[] = { "AC01", "AC04", "AC06" };
	for (int i = 0; i < 3; i++)
		snprintf(s->return_codes[s->nreturn_codes++], 5, "%s", codes[i]);
	hmap_init(&s->lists[0], 1);
	hmap_init(&s->lists[1], 1);
	hmap_init(&s->deaths, sizeof(struct dreg));
	hmap_init(&s->orders, sizeof(uint32_t));
	hmap_init(&s->apps, sizeof(uint32_t));
	hmap_init(&s->verdicts, sizeof(struct vmark));
	return s;
}

void
scan_free(struct scan *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->ns; i++) {
		if (s->s[i].vcap)
			free(s->s[i].ver);
		free(s->s[i].revs);
		free(s->s[i].rets);
	}
	for (size_t i = 0; i < s->nf; i++) {
		free(s->f[i].subj);
		free(s->f[i].pay);
		free(s->f[i].ev);
		free(s->f[i].detail);
	}
	free(s->f);
	free(s->s);
	free(s->p);
	free(s->v);
	while (s->chunks) {
		struct chunk *c = s->chunks;
		s->chunks = c->next;
		free(c);
	}
	if (s->have_names)
		name_rules_free(&s->names);
	rules_free(&s->grant);
	hmap_free(&s->lists[0]);
	hmap_free(&s->lists[1]);
	hmap_free(&s->deaths);
	hmap_free(&s->orders);
	hmap_free(&s->apps);
	hmap_free(&s->verdicts);
	free(s);
}

/* ---- configuration ---- */

static int
num(const char *v, double *out)
{
	char *end;
	double d = strtod(v, &end);
	if (end == v || *end || !isfinite(d) || fabs(d) > 1000)
		return -1;
	*out = d;
	return 0;
}

int
scan_config(struct scan *s, const struct cfg *c, struct werr *e)
{
	static const struct {
		const char *key;
		size_t off;
		long max;
	} limits[] = {
		{ "scan.shared-account.beneficiaries", offsetof(struct scan, min_account), 1000 },
		{ "scan.shared-mobile.beneficiaries", offsetof(struct scan, min_mobile), 1000 },
		{ "scan.shared-nid.people", offsetof(struct scan, min_people), 1000 },
		{ "scan.verification-bunch.min", offsetof(struct scan, min_bunch), 1000000 },
		{ "scan.account-returned.min", offsetof(struct scan, min_returned), 1000 },
		{ "scan.age-terms.service_age", offsetof(struct scan, service_age), 150 },
		{ "scan.age-terms.beneficiary_max_age", offsetof(struct scan, max_age), 150 },
	};
	char where[300];
	for (size_t i = 0; c && i < c->n; i++) {
		const struct cfg_item *it = &c->it[i];
		if (strncmp(it->key, "scan.", 5))
			continue;
		snprintf(where, sizeof where, "%s:%lu", c->path ? c->path : "wgo.conf", it->line);
		const char *k = it->key + 5;
		long n;
		size_t j;
		for (j = 0; j < sizeof limits / sizeof limits[0]; j++)
			if (!strcmp(it->key, limits[j].key))
				break;
		if (j < sizeof limits / sizeof limits[0]) {
			if (uint_parse(it->val, limits[j].max, &n) < 0 || n < 1)
				return werr_set(e, where, "%s: a number 1 to %ld", it->key, limits[j].max);
			*(long *)((char *)s + limits[j].off) = n;
			continue;
		}
		if (!strcmp(it->key, "scan.account-returned.codes")) {
			char *list = xstrdup(it->val), *save = NULL;
			s->nreturn_codes = 0;
			for (char *w = strtok_r(list, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
				if (strlen(w) != 4 || s->nreturn_codes == 16) {
					free(list);
					return werr_set(e, where, "%s: return codes of 4 letters (AC04)", it->key);
				}
				snprintf(s->return_codes[s->nreturn_codes++], 5, "%s", w);
			}
			free(list);
			continue;
		}
		if (!strcmp(k, "risk.bias") || !strcmp(k, "risk.prior")) {
			double d;
			if (num(it->val, &d) < 0 || (k[5] == 'p' && d <= 0))
				return werr_set(e, where, "%s: a number%s", it->key, k[5] == 'p' ? " above 0" : "");
			*(k[5] == 'b' ? &s->bias0 : &s->prior) = d;
			continue;
		}
		/* scan.RULE, scan.RULE.severity, scan.RULE.weight */
		char rule[64];
		const char *dot = strchr(k, '.');
		size_t rl = dot ? (size_t)(dot - k) : strlen(k);
		snprintf(rule, sizeof rule, "%.*s", (int)(rl < 63 ? rl : 63), k);
		int r = scan_rule_lookup(rule);
		if (r < 0)
			return werr_set(e, where, "%s: no rule \"%s\" (wgo-scan rules lists them)", it->key, rule);
		if (!dot) {
			if (strcmp(it->val, "on") && strcmp(it->val, "off"))
				return werr_set(e, where, "%s: on or off", it->key);
			s->on[r] = !strcmp(it->val, "on");
		} else if (!strcmp(dot, ".severity")) {
			int v;
			for (v = 0; v < 3 && strcmp(it->val, sev_names[v]); v++)
				;
			if (v == 3)
				return werr_set(e, where, "%s: low, medium or high", it->key);
			s->sev[r] = v;
		} else if (!strcmp(dot, ".weight")) {
			if (num(it->val, &s->w0[r]) < 0)
				return werr_set(e, where, "%s: a number from -1000 to 1000", it->key);
		} else {
			return werr_set(e, where, "unknown key '%s'", it->key);
		}
	}
	if (c && name_rules_load(&s->names, c, e) < 0)
		return -1;
	s->have_names = !!c;
	if (c && rules_load(c, &s->grant, e) < 0)
		return -1;
	s->have_rates = s->grant.rate[RATE_WELFARE].n > 0;
	s->have_terms = s->grant.term_death_in_service || s->grant.term_death_after_retirement ||
	                s->grant.term_retired_invalid;
	return 0;
}

int
scan_select(struct scan *s, const char *list, int only, struct werr *e)
{
	int want[SCAN_NRULES] = { 0 };
	char *l = xstrdup(list), *save = NULL;
	for (char *w = strtok_r(l, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int r = scan_rule_lookup(w);
		if (r < 0) {
			werr_set(e, only ? "--rules" : "--skip", "no rule \"%s\" (wgo-scan rules lists them)", w);
			free(l);
			return -1;
		}
		want[r] = 1;
	}
	free(l);
	for (int r = 0; r < SCAN_NRULES; r++)
		if (only)
			s->on[r] = want[r];
		else if (want[r])
			s->on[r] = 0;
	return 0;
}

int
scan_enabled(const struct scan *s, int rule)
{
	return s->on[rule];
}

const char *
scan_unmet(const struct scan *s, int rule)
{
	if (!s->on[rule])
		return NULL;
	int names = s->have_names && (s->names.title.n || s->names.equiv.n || s->names.ncut);
	switch (rule) {
	case SR_AMOUNT_NO_RATE:
		return s->have_rates ? NULL : "no rate.welfare in the configuration: not applied";
	case SR_AGE:
		return s->have_terms ? NULL : "no term.* in the configuration: the terms are not checked";
	case SR_SAME_PERSON:
	case SR_SHARED_NID:
		return names ? NULL : "no name.* in the configuration: names are compared without "
		                      "titles, equivalent spellings or descriptors";
	}
	return NULL;
}

int
scan_nid_list(struct scan *s, int rule, const char *path, struct werr *e)
{
	int which = rule == SR_PENSIONER;
	FILE *f = fopen(path, "r");
	if (!f)
		return werr_set(e, path, "cannot open: %s", strerror(errno));
	char *line = NULL, norm[32], where[300];
	size_t cap = 0;
	unsigned long ln = 0;
	int rc = 0;
	while (getline(&line, &cap, f) >= 0) {
		ln++;
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		p[strcspn(p, " \t\r\n")] = 0;
		if (!*p || *p == '#')
			continue;
		const char *why;
		if (nid_check(p, norm, sizeof norm, &why) < 0) {
			snprintf(where, sizeof where, "%s:%lu", path, ln);
			rc = werr_set(e, where, "not an NID: %s", why);
			break;
		}
		hmap_put(&s->lists[which], norm, NULL);
	}
	free(line);
	fclose(f);
	s->have_list[which] = 1;
	return rc;
}

/* ---- reading ---- */

static uint32_t
subject(struct scan *s, struct hmap *m, const char *id, int is_app)
{
	int isnew;
	uint32_t *ix = hmap_put(m, id, &isnew);
	if (!isnew)
		return *ix;
	if (s->ns == s->cs) {
		s->cs = s->cs ? s->cs + s->cs / 2 : 1024;
		s->s = xrealloc(s->s, s->cs * sizeof *s->s);
	}
	struct subj *o = &s->s[s->ns];
	memset(o, 0, sizeof *o);
	o->id = hmap_key(m, ix);
	o->is_app = (uint8_t)is_app;
	*ix = s->ns;
	return s->ns++;
}

static wdate
dget(const json_t *o, const char *path, uint8_t *have)
{
	const char *v = json_string_value(jget(o, path)), *why;
	wdate d = 0;
	*have = v && date_parse(v, &d, &why) == 0;
	return d;
}

static const char *
account_of(struct scan *s, const json_t *r)
{
	const char *rt = json_string_value(jget(r, "account.routing"));
	const char *no = json_string_value(jget(r, "account.number"));
	if (!rt || !no)
		return NULL;
	char b[96];
	snprintf(b, sizeof b, "%s/%s", rt, no);
	return sdup(s, b);
}

static int
grant_code(const char *g)
{
	return !g ? 0 : !strcmp(g, "group_insurance") ? 1 : !strcmp(g, "funeral") ? 2 : 0;
}

/* The beneficiary and the rest that the rules compare, from an order or an
 * application. */
static void
identity(struct scan *s, struct subj *o, const json_t *r)
{
	snprintf(o->office, sizeof o->office, "%s", jstr(r, "office") ? jstr(r, "office") : "");
	o->grant = (uint8_t)grant_code(jstr(r, "grant"));
	const char *ff = jstr(r, "funeral_for");
	o->funeral_for = ff && !strcmp(ff, "family");
	const char *ev = json_string_value(jget(r, "employee.event"));
	o->event = !ev ? 0 : !strcmp(ev, "death_in_service") ? 1 : !strcmp(ev, "death_after_retirement") ? 2 : 3;
	int need = needs(s);
	if (need & NEED_PERSON) {
		o->event_date = dget(r, "employee.event_date", &o->has_event);
		o->retirement = dget(r, "employee.retirement_date", &o->has_retirement);
		o->emp_birth = dget(r, "employee.birth_date", &o->has_emp_birth);
		o->ben_birth = dget(r, "beneficiary.birth_date", &o->has_ben_birth);
	}
	if (need & NEED_NAMES) {
		o->name_bn = sdup(s, json_string_value(jget(r, "beneficiary.name_bn")));
		o->name_en = sdup(s, json_string_value(jget(r, "beneficiary.name_en")));
	}
	o->key_bn = o->key_en = NULL;
	o->nid = sdup(s, json_string_value(jget(r, "beneficiary.nid")));
	if (need & NEED_MOBILE)
		o->mobile = sdup(s, json_string_value(jget(r, "beneficiary.mobile")));
	if (need & NEED_EMPLOYEE)
		o->emp_id = sdup(s, json_string_value(jget(r, "employee.id")));
	if (need & NEED_ACCOUNT)
		o->account = account_of(s, r);
	o->app_no = sdup(s, jstr(r, "application_no"));
}

static int
add_order(struct scan *s, const json_t *r, struct werr *e)
{
	uint32_t ix = subject(s, &s->orders, jstr(r, "order_no"), 0);
	struct subj *o = &s->s[ix];
	int rev = (int)jint(r, "revision", 0);
	if (o->loaded && rev == o->revision)
		return 0; /* read before: the first copy stands */
	for (uint32_t i = 0; i < o->nrevs; i++)
		if (o->revs[i].revision == rev)
			return 0;
	struct sched_order so;
	int latest = !o->loaded || rev > o->revision;
	if (latest && sched_order_load(r, &so, e) < 0)
		return -1;
	if (needs(s) & NEED_RETURNS) {
		o->revs = xrealloc(o->revs, (o->nrevs + 1) * sizeof *o->revs);
		o->revs[o->nrevs].revision = rev;
		o->revs[o->nrevs++].account = account_of(s, r);
	}
	if (!latest)
		return 0;
	/* The payment model asks only which months are payable, never their amounts:
	 * the rates need not be kept. */
	sched_order_free(&so);
	o->so = so;
	o->loaded = 1;
	o->revision = rev;
	o->issued = so.issued;
	identity(s, o, r);
	return 0;
}

static void
add_date(struct subj *o, wdate d, int *isnew)
{
	wdate *v = vers(o);
	uint32_t i = o->nver;
	while (i > 0 && v[i - 1] > d)
		i--;
	*isnew = !(i > 0 && v[i - 1] == d);
	if (!*isnew)
		return;
	if (o->nver == (o->vcap ? o->vcap : VIN)) {
		uint32_t cap = o->nver * 2;
		wdate *nv = xmalloc(cap * sizeof *nv);
		memcpy(nv, v, o->nver * sizeof *nv);
		if (o->vcap)
			free(o->ver);
		o->ver = nv;
		o->vcap = cap;
		v = nv;
	}
	memmove(v + i + 1, v + i, (o->nver - i) * sizeof *v);
	v[i] = d;
	o->nver++;
}

int
scan_add(struct scan *s, const json_t *r, struct werr *e)
{
	const char *kind = jstr(r, "kind"), *why;
	wdate d;
	if (!strcmp(kind, "order"))
		return add_order(s, r, e);
	if (!strcmp(kind, "application")) {
		uint32_t ix = subject(s, &s->apps, jstr(r, "application_no"), 1);
		struct subj *o = &s->s[ix];
		if (o->loaded)
			return 0;
		o->loaded = 1;
		identity(s, o, r);
		s->napps++;
		return 0;
	}
	if (!strcmp(kind, "verification")) {
		date_parse(jstr(r, "date"), &d, &why);
		if (d > s->as_of)
			return s->later++, 2;
		s->nverif++;
		if (!(needs(s) & (NEED_VER | NEED_BUNCH)))
			return 0;
		uint32_t ix = subject(s, &s->orders, jstr(r, "order_no"), 0);
		struct subj *o = &s->s[ix];
		if (!o->office[0] && jstr(r, "office"))
			snprintf(o->office, sizeof o->office, "%s", jstr(r, "office"));
		int isnew;
		add_date(o, d, &isnew);
		if (!isnew || !(needs(s) & NEED_BUNCH))
			return 0;
		if (s->nv == s->cv) {
			s->cv = s->cv ? s->cv + s->cv / 2 : 4096;
			s->v = xrealloc(s->v, s->cv * sizeof *s->v);
		}
		s->v[s->nv].branch = (uint32_t)strtoul(jstr(r, "branch"), NULL, 10);
		s->v[s->nv].order = ix;
		s->v[s->nv++].date = d;
		return 0;
	}
	if (!strcmp(kind, "payment")) {
		date_parse(jstr(r, "paid"), &d, &why);
		if (d > s->as_of)
			return s->later++, 2;
		uint32_t ix = subject(s, &s->orders, jstr(r, "order_no"), 0);
		struct subj *o = &s->s[ix];
		const char *id = jstr(r, "payment_id");
		if (!jstr(r, "month"))
			o->lump_paid = 1;
		if (!(needs(s) & NEED_PAY)) {
			s->npays++;
			return 0;
		}
		/* The same payment in two statements is one payment. */
		for (uint32_t k = o->pay_head; k; k = s->p[k - 1].next)
			if (!strcmp(s->p[k - 1].id, id))
				return 0;
		if (s->np == s->cp) {
			s->cp = s->cp ? s->cp + s->cp / 2 : 4096;
			s->p = xrealloc(s->p, s->cp * sizeof *s->p);
		}
		struct spay *p = &s->p[s->np];
		p->order = ix;
		p->month = -1;
		if (jstr(r, "month"))
			month_parse(jstr(r, "month"), &p->month, &why);
		p->paid = d;
		p->amount = jint(r, "amount_poisha", 0);
		p->id = sdup(s, id);
		p->next = o->pay_head;
		o->pay_head = ++s->np;
		o->npay++;
		s->npays++;
		return 0;
	}
	if (!strcmp(kind, "return")) {
		date_parse(jstr(r, "date"), &d, &why);
		if (d > s->as_of)
			return s->later++, 2;
		struct subj *o = &s->s[subject(s, &s->orders, jstr(r, "order_no"), 0)];
		if (!strcmp(jstr(r, "code"), "MD07") && (!o->md07 || d < o->md07))
			o->md07 = d;
		if (!(needs(s) & NEED_RETURNS))
			return 0;
		o->rets = xrealloc(o->rets, (o->nrets + 1) * sizeof *o->rets);
		struct ret *t = &o->rets[o->nrets++];
		t->revision = (int)jint(r, "revision", 0);
		snprintf(t->code, sizeof t->code, "%s", jstr(r, "code"));
		t->date = d;
		return 0;
	}
	if (!strcmp(kind, "card_return")) {
		date_parse(jstr(r, "returned"), &d, &why);
		if (d > s->as_of)
			return s->later++, 2;
		s->s[subject(s, &s->orders, jstr(r, "order_no"), 0)].card_returned = 1;
		return 0;
	}
	if (!strcmp(kind, "stop")) {
		date_parse(jstr(r, "date"), &d, &why);
		if (d > s->as_of)
			return s->later++, 2;
		struct subj *o = &s->s[subject(s, &s->orders, jstr(r, "order_no"), 0)];
		if (o->stopped && o->stop_date <= d)
			return 0; /* the first stop stands */
		o->stopped = 1;
		o->stop_date = d;
		o->stop_reason = sdup(s, jstr(r, "reason"));
		o->stop_has_last = jstr(r, "last_month") &&
		                   month_parse(jstr(r, "last_month"), &o->stop_last, &why) == 0;
		uint8_t h;
		o->stop_death = dget(r, "death_date", &h);
		if (!h)
			o->stop_death = 0;
		return 0;
	}
	if (!strcmp(kind, "death")) {
		date_parse(jstr(r, "death_date"), &d, &why);
		if (d > s->as_of)
			return s->later++, 2;
		int isnew;
		struct dreg *g = hmap_put(&s->deaths, jstr(r, "nid"), &isnew);
		if (isnew || d < g->date) {
			g->date = d;
			g->no = sdup(s, jstr(r, "register_no"));
		}
		return 0;
	}
	s->aside++;
	return 1;
}

/* ---- findings ---- */

/* Evidence, an object written in a fixed order of keys. */
struct ev {
	struct buf b;
	int n;
};

static void
ev_key(struct ev *v, const char *k)
{
	buf_addc(&v->b, v->n++ ? ',' : '{');
	json_put_string(&v->b, k, strlen(k));
	buf_addc(&v->b, ':');
}

static void
ev_str(struct ev *v, const char *k, const char *s)
{
	ev_key(v, k);
	json_put_string(&v->b, s, strlen(s));
}

static void
ev_int(struct ev *v, const char *k, long long n)
{
	ev_key(v, k);
	buf_printf(&v->b, "%lld", n);
}

static void
ev_date(struct ev *v, const char *k, wdate d)
{
	char t[11];
	date_fmt(d, t);
	ev_str(v, k, t);
}

static void
ev_month(struct ev *v, const char *k, wmonth m)
{
	char t[8];
	if (m < 0)
		snprintf(t, sizeof t, "lump");
	else
		month_fmt(m, t);
	ev_str(v, k, t);
}

/* Nested values: the caller writes the raw JSON after ev_key. */
static char *
ev_done(struct ev *v)
{
	if (!v->n)
		buf_addc(&v->b, '{');
	buf_addc(&v->b, '}');
	return (char *)buf_str(&v->b);
}

static const struct scan *sort_scan;

static int
by_id(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	const struct subj *p = &sort_scan->s[x], *q = &sort_scan->s[y];
	if (p->is_app != q->is_app)
		return p->is_app - q->is_app;
	return strcmp(p->id, q->id);
}

static int
by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
add_finding(struct scan *s, int rule, const uint32_t *subj, size_t n, const char *const *pay,
            size_t np, struct ev *ev, const char *detail)
{
	if (s->nf == s->cf) {
		s->cf = s->cf ? s->cf * 2 : 256;
		s->f = xrealloc(s->f, s->cf * sizeof *s->f);
	}
	struct fnd *f = &s->f[s->nf++];
	memset(f, 0, sizeof *f);
	f->rule = rule;
	f->review = -1;
	f->subj = xmalloc((n ? n : 1) * sizeof *f->subj);
	memcpy(f->subj, subj, n * sizeof *subj);
	f->nsubj = (uint32_t)n;
	sort_scan = s;
	qsort(f->subj, n, sizeof *f->subj, by_id);
	f->pay = xmalloc((np ? np : 1) * sizeof *f->pay);
	if (np)
		memcpy(f->pay, pay, np * sizeof *pay);
	f->npay = (uint32_t)np;
	qsort(f->pay, np, sizeof *f->pay, by_str);
	f->ev = ev_done(ev);
	f->detail = xstrdup(detail);
	/* The fingerprint: the rule and a hash of what it matched. */
	crypto_generichash_state h;
	unsigned char out[10];
	crypto_generichash_init(&h, NULL, 0, sizeof out);
	crypto_generichash_update(&h, (const unsigned char *)rules[rule].id, strlen(rules[rule].id) + 1);
	crypto_generichash_update(&h, (const unsigned char *)f->ev, strlen(f->ev) + 1);
	for (size_t i = 0; i < n; i++) {
		const struct subj *o = &s->s[f->subj[i]];
		crypto_generichash_update(&h, (const unsigned char *)(o->is_app ? "a" : "o"), 1);
		crypto_generichash_update(&h, (const unsigned char *)o->id, strlen(o->id) + 1);
	}
	for (size_t i = 0; i < np; i++)
		crypto_generichash_update(&h, (const unsigned char *)f->pay[i], strlen(f->pay[i]) + 1);
	crypto_generichash_final(&h, out, sizeof out);
	int k = snprintf(f->fp, sizeof f->fp, "%s-", rules[rule].id);
	for (size_t i = 0; i < sizeof out; i++)
		k += snprintf(f->fp + k, sizeof f->fp - (size_t)k, "%02x", out[i]);
	for (size_t i = 0; i < n; i++)
		if (!s->s[f->subj[i]].is_app)
			s->s[f->subj[i]].hits |= 1u << rule;
}

/* ---- identity: shared values, and the same person ---- */

static int
eligible(const struct subj *o)
{
	return o->loaded && (o->is_app ? !o->issued_app : o->live);
}

static const char *
keyof(struct scan *s, struct subj *o, int en)
{
	const char **k = en ? &o->key_en : &o->key_bn;
	const char *name = en ? o->name_en : o->name_bn;
	if (!name)
		return NULL;
	if (!*k) {
		struct buf b = { 0 };
		name_key(s->have_names ? &s->names : NULL, name, &b);
		*k = sdup(s, buf_str(&b));
		buf_free(&b);
	}
	return *k;
}

static int
names_match(struct scan *s, struct subj *a, struct subj *b)
{
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++) {
			const char *x = keyof(s, a, i), *y = keyof(s, b, j);
			if (x && y && name_key_match(x, y))
				return 1;
		}
	return 0;
}

static uint32_t
uf_find(uint32_t *p, uint32_t i)
{
	while (p[i] != i) {
		p[i] = p[p[i]];
		i = p[i];
	}
	return i;
}

static void
uf_union(uint32_t *p, uint32_t a, uint32_t b)
{
	a = uf_find(p, a);
	b = uf_find(p, b);
	if (a != b)
		p[a < b ? b : a] = a < b ? a : b;
}

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h ^ (h >> 31);
}

struct kv {
	uint64_t h;
	uint32_t i;
	const char *v;
};

static int
by_kv(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	int c = strcmp(x->v, y->v);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int
by_nid(const void *a, const void *b)
{
	const struct subj *p = &sort_scan->s[*(const uint32_t *)a], *q = &sort_scan->s[*(const uint32_t *)b];
	return strcmp(p->nid ? p->nid : "", q->nid ? q->nid : "");
}

static void
json_strings(struct buf *b, const char *const *v, size_t n)
{
	buf_addc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ',');
		json_put_string(b, v[i], strlen(v[i]));
	}
	buf_addc(b, ']');
}

enum { F_ACCOUNT, F_NID, F_MOBILE };

static void
shared(struct scan *s, int rule, int field)
{
	struct kv *a = xmalloc((s->ns + 1) * sizeof *a);
	size_t n = 0;
	for (uint32_t i = 0; i < s->ns; i++) {
		struct subj *o = &s->s[i];
		const char *v = field == F_ACCOUNT ? o->account : field == F_NID ? o->nid : o->mobile;
		if (eligible(o) && v && *v)
			a[n++] = (struct kv){ hash_str(v), i, v };
	}
	qsort(a, n, sizeof *a, by_kv);
	uint32_t *g = xmalloc((n + 1) * sizeof *g), *uf = NULL;
	const char **vals = xmalloc((n + 1) * sizeof *vals);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && a[j].h == a[i].h && !strcmp(a[j].v, a[i].v); j++)
			;
		if (j - i < 2)
			continue;
		size_t m = j - i;
		for (size_t k = 0; k < m; k++)
			g[k] = a[i + k].i;
		struct ev ev = { { 0 }, 0 };
		char detail[400];
		const char *what = field == F_ACCOUNT ? "account" : field == F_NID ? "nid" : "mobile";
		size_t nv = 0;
		if (field == F_NID) {
			/* People: the subjects whose names match are one. */
			uf = xrealloc(uf, m * sizeof *uf);
			for (size_t k = 0; k < m; k++)
				uf[k] = (uint32_t)k;
			for (size_t x = 0; x < m; x++)
				for (size_t y = x + 1; y < m; y++)
					if (uf_find(uf, (uint32_t)x) != uf_find(uf, (uint32_t)y) &&
					    names_match(s, &s->s[g[x]], &s->s[g[y]]))
						uf_union(uf, (uint32_t)x, (uint32_t)y);
			for (size_t k = 0; k < m; k++)
				nv += uf_find(uf, (uint32_t)k) == k;
			if ((long)nv < s->min_people)
				continue;
			sort_scan = s;
			qsort(g, m, sizeof *g, by_id);
			for (size_t k = 0; k < m; k++) {
				const struct subj *o = &s->s[g[k]];
				vals[k] = o->name_bn ? o->name_bn : o->name_en;
			}
			ev_str(&ev, what, a[i].v);
			ev_key(&ev, "names");
			json_strings(&ev.b, vals, m);
			snprintf(detail, sizeof detail, "NID %s is on %zu live orders or applications of %zu "
			         "people by their names", a[i].v, m, nv);
		} else {
			sort_scan = s;
			qsort(g, m, sizeof *g, by_nid);
			for (size_t k = 0; k < m; k++) {
				const char *nid = s->s[g[k]].nid ? s->s[g[k]].nid : "";
				if (!nv || strcmp(vals[nv - 1], nid))
					vals[nv++] = nid;
			}
			if ((long)nv < (field == F_ACCOUNT ? s->min_account : s->min_mobile))
				continue;
			ev_str(&ev, what, a[i].v);
			ev_key(&ev, "nids");
			json_strings(&ev.b, vals, nv);
			snprintf(detail, sizeof detail, "%s %s is on %zu live orders or applications of %zu "
			         "beneficiaries", field == F_ACCOUNT ? "account" : "mobile", a[i].v, m, nv);
		}
		add_finding(s, rule, g, m, NULL, 0, &ev, detail);
	}
	free(uf);
	free(vals);
	free(g);
	free(a);
}

/* The grant a duplicate would be a second one of. */
static int
grant_class(const struct subj *o)
{
	return o->grant == 2 ? 2 + o->funeral_for : o->grant;
}

/* What two subjects must share to be compared: one value (type 0 NID, 1 date of
 * birth, 2 employee id) for one grant. */
static int block_type;

static const char *
block_val(const struct subj *o, char t[11])
{
	if (block_type == 1) {
		date_fmt(o->ben_birth, t);
		return t;
	}
	return block_type == 0 ? o->nid : o->emp_id;
}

static int
by_block(const void *a, const void *b)
{
	const struct subj *p = &sort_scan->s[*(const uint32_t *)a], *q = &sort_scan->s[*(const uint32_t *)b];
	int c = grant_class(p) - grant_class(q);
	if (c)
		return c;
	char t1[11], t2[11];
	c = strcmp(block_val(p, t1), block_val(q, t2));
	return c ? c : (*(const uint32_t *)a > *(const uint32_t *)b) - (*(const uint32_t *)a < *(const uint32_t *)b);
}

struct skel {
	uint64_t h;
	uint32_t i;
};

static int
by_skel(const void *a, const void *b)
{
	const struct skel *x = a, *y = b;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	const struct subj *p = &sort_scan->s[x->i], *q = &sort_scan->s[y->i];
	int c = strcmp(p->key_bn ? p->key_bn : "", q->key_bn ? q->key_bn : "");
	if (!c)
		c = strcmp(p->key_en ? p->key_en : "", q->key_en ? q->key_en : "");
	if (!c)
		c = (p->has_ben_birth ? p->ben_birth : -1) - (q->has_ben_birth ? q->ben_birth : -1);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Written alike and born the same day (or neither's day known): one person if
 * either is anyone's. */
static int
same_keys(const struct subj *p, const struct subj *q)
{
	return !strcmp(p->key_bn ? p->key_bn : "", q->key_bn ? q->key_bn : "") &&
	       !strcmp(p->key_en ? p->key_en : "", q->key_en ? q->key_en : "") &&
	       p->has_ben_birth == q->has_ben_birth && (!p->has_ben_birth || p->ben_birth == q->ben_birth);
}

/* Two subjects of one block are one person: names that match, and no two dates
 * of birth that differ. */
static int
try_pair(struct scan *s, uint32_t *uf, uint32_t a, uint32_t b)
{
	struct subj *p = &s->s[a], *q = &s->s[b];
	if (uf_find(uf, a) == uf_find(uf, b))
		return 0;
	if (p->has_ben_birth && q->has_ben_birth && p->ben_birth != q->ben_birth)
		return 0;
	if (!names_match(s, p, q))
		return 0;
	uf_union(uf, a, b);
	return 1;
}

/* The same person on two live orders (or applications) of the same grant: names
 * that match, with the same NID, or the same date of birth, or the same employee
 * id where a date of birth is missing (person_match). Only subjects that share a
 * grant and a value are compared, and in a large block only those that share a
 * word of the name too (name_key_blocks): a million orders need not meet
 * pairwise, nor a name written alike a thousand times be compared a thousand
 * times. */
static void
same_person(struct scan *s)
{
	uint32_t *uf = xmalloc((s->ns + 1) * sizeof *uf), *idx = xmalloc((s->ns + 1) * sizeof *idx);
	for (uint32_t i = 0; i < s->ns; i++)
		uf[i] = i;
	struct skel *sk = NULL;
	size_t skcap = 0;
	int any = 0;
	for (block_type = 0; block_type < 3; block_type++) {
		size_t n = 0;
		for (uint32_t i = 0; i < s->ns; i++) {
			struct subj *o = &s->s[i];
			if (eligible(o) && (block_type == 0 ? o->nid != NULL
			                    : block_type == 1 ? o->has_ben_birth : o->emp_id && *o->emp_id))
				idx[n++] = i;
		}
		sort_scan = s;
		qsort(idx, n, sizeof *idx, by_block);
		for (size_t i = 0, j; i < n; i = j) {
			char t1[11], t2[11];
			for (j = i + 1; j < n && grant_class(&s->s[idx[j]]) == grant_class(&s->s[idx[i]]) &&
			                !strcmp(block_val(&s->s[idx[j]], t1), block_val(&s->s[idx[i]], t2));
			     j++)
				;
			size_t m = j - i;
			if (m < 2)
				continue;
			if (m <= 8) {
				for (size_t x = i; x < j; x++)
					for (size_t y = x + 1; y < j; y++)
						any |= try_pair(s, uf, idx[x], idx[y]);
				continue;
			}
			/* A large block: by the words of the names. */
			size_t k = 0;
			for (size_t x = i; x < j; x++) {
				uint64_t h[64];
				size_t nh = 0;
				for (int en = 0; en < 2; en++) {
					const char *key = keyof(s, &s->s[idx[x]], en);
					if (key)
						nh += name_key_blocks(key, h + nh, 32);
				}
				for (size_t y = 0; y < nh; y++) {
					int dup = 0;
					for (size_t z = 0; z < y; z++)
						dup |= h[z] == h[y];
					if (dup)
						continue;
					if (k == skcap) {
						skcap = skcap ? skcap * 2 : 256;
						sk = xrealloc(sk, skcap * sizeof *sk);
					}
					sk[k++] = (struct skel){ h[y], idx[x] };
				}
			}
			qsort(sk, k, sizeof *sk, by_skel);
			for (size_t a = 0, b; a < k; a = b) {
				for (b = a + 1; b < k && sk[b].h == sk[a].h; b++)
					;
				/* Names written alike are next to each other: compared to the
				 * first of them only. */
				size_t r0 = a;
				for (size_t x = a + 1; x < b; x++) {
					if (same_keys(&s->s[sk[x].i], &s->s[sk[r0].i])) {
						any |= try_pair(s, uf, sk[r0].i, sk[x].i);
						continue;
					}
					for (size_t y = a; y < x; y++)
						if (y == a || !same_keys(&s->s[sk[y].i], &s->s[sk[y - 1].i]))
							any |= try_pair(s, uf, sk[y].i, sk[x].i);
					r0 = x;
				}
			}
		}
	}
	free(sk);
	free(idx);
	if (!any) {
		free(uf);
		return;
	}
	/* One finding a group: the subjects by their group's root. */
	struct kv *m = xmalloc((s->ns + 1) * sizeof *m);
	uint32_t *g = xmalloc((s->ns + 1) * sizeof *g);
	size_t no = 0;
	for (uint32_t i = 0; i < s->ns; i++)
		m[no++] = (struct kv){ uf_find(uf, i), i, "" };
	qsort(m, no, sizeof *m, by_kv);
	for (size_t i = 0, j; i < no; i = j) {
		for (j = i + 1; j < no && m[j].h == m[i].h; j++)
			;
		if (j - i < 2)
			continue;
		size_t gn = 0;
		for (size_t k = i; k < j; k++)
			g[gn++] = m[k].i;
		sort_scan = s;
		qsort(g, gn, sizeof *g, by_id);
		struct ev ev = { { 0 }, 0 };
		static const char *const gn_names[] = { "welfare", "group_insurance", "funeral_employee",
			                                "funeral_family" };
		ev_str(&ev, "grant", gn_names[grant_class(&s->s[g[0]])]);
		ev_key(&ev, "people");
		buf_addc(&ev.b, '[');
		for (size_t k = 0; k < gn; k++) {
			const struct subj *o = &s->s[g[k]];
			struct ev p = { { 0 }, 0 };
			if (k)
				buf_addc(&ev.b, ',');
			if (o->name_bn)
				ev_str(&p, "name_bn", o->name_bn);
			if (o->name_en)
				ev_str(&p, "name_en", o->name_en);
			if (o->nid)
				ev_str(&p, "nid", o->nid);
			if (o->has_ben_birth)
				ev_date(&p, "birth_date", o->ben_birth);
			if (o->emp_id)
				ev_str(&p, "employee_id", o->emp_id);
			buf_adds(&ev.b, ev_done(&p));
			buf_free(&p.b);
		}
		buf_addc(&ev.b, ']');
		char detail[300];
		const struct subj *f0 = &s->s[g[0]];
		snprintf(detail, sizeof detail, "%s is on %zu live orders or applications of the same grant",
		         f0->name_en ? f0->name_en : f0->name_bn ? f0->name_bn : f0->id, gn);
		add_finding(s, SR_SAME_PERSON, g, gn, NULL, 0, &ev, detail);
	}
	free(m);
	free(g);
	free(uf);
}

/* ---- one order at a time ---- */

static void
on_list(struct scan *s, int rule)
{
	int which = rule == SR_PENSIONER;
	if (!s->have_list[which])
		return;
	for (uint32_t i = 0; i < s->ns; i++) {
		struct subj *o = &s->s[i];
		if (!eligible(o) || !o->nid || !hmap_get(&s->lists[which], o->nid))
			continue;
		struct ev ev = { { 0 }, 0 };
		char detail[200];
		ev_str(&ev, "nid", o->nid);
		snprintf(detail, sizeof detail, "the beneficiary's NID %s is on the %s list", o->nid,
		         which ? "pensioners'" : "serving employees'");
		add_finding(s, rule, &i, 1, NULL, 0, &ev, detail);
	}
}

static int
age_years(wdate born, wdate on)
{
	int y1, m1, d1, y2, m2, d2;
	date_to_ymd(born, &y1, &m1, &d1);
	date_to_ymd(on, &y2, &m2, &d2);
	return y2 - y1 - (m2 < m1 || (m2 == m1 && d2 < d1));
}

static void
age_terms(struct scan *s, uint32_t i)
{
	struct subj *o = &s->s[i];
	const struct rules *g = &s->grant;
	char detail[300], m1[8], m2[8];
	if (!o->loaded || o->is_app || !o->live)
		return;
	int monthly = !o->so.lump;
	/* Past the age the grant ends at (retirement on illness: 69). */
	if (monthly && o->event == 3 && o->has_emp_birth && g->retired_invalid_age) {
		wmonth until = date_month(date_add_months(o->emp_birth, 12 * g->retired_invalid_age) - 1);
		if (o->so.last > until) {
			struct ev ev = { { 0 }, 0 };
			ev_str(&ev, "check", "retired_invalid_age");
			ev_date(&ev, "employee_birth_date", o->emp_birth);
			ev_int(&ev, "age", g->retired_invalid_age);
			ev_month(&ev, "age_until", until);
			ev_month(&ev, "last_month", o->so.last);
			month_fmt(o->so.last, m1);
			month_fmt(until, m2);
			snprintf(detail, sizeof detail, "paid until %s, past the employee's age %d in %s", m1,
			         g->retired_invalid_age, m2);
			add_finding(s, SR_AGE, &i, 1, NULL, 0, &ev, detail);
		}
	}
	/* A term longer than the grant's. */
	if (monthly && o->has_event) {
		wmonth first = date_month(o->event_date) + 1, max = -1;
		if (o->event == 1 && g->term_death_in_service)
			max = first + g->term_death_in_service - 1;
		else if (o->event == 2 && o->has_retirement && g->term_death_after_retirement)
			max = date_month(date_add_months(o->retirement, g->term_death_after_retirement) - 1);
		else if (o->event == 3 && g->term_retired_invalid)
			max = first + g->term_retired_invalid - 1;
		if (max >= 0 && o->so.last > max) {
			struct ev ev = { { 0 }, 0 };
			ev_str(&ev, "check", "term_length");
			ev_date(&ev, "event_date", o->event_date);
			ev_month(&ev, "term_until", max);
			ev_month(&ev, "last_month", o->so.last);
			month_fmt(o->so.last, m1);
			month_fmt(max, m2);
			snprintf(detail, sizeof detail, "paid until %s; the grant's term ends in %s", m1, m2);
			add_finding(s, SR_AGE, &i, 1, NULL, 0, &ev, detail);
		}
	}
	/* A death after retirement, but not within the term from it. */
	if (o->event == 2 && o->has_event && o->has_retirement && g->term_death_after_retirement &&
	    o->event_date > date_add_months(o->retirement, g->term_death_after_retirement)) {
		struct ev ev = { { 0 }, 0 };
		ev_str(&ev, "check", "death_after_term");
		ev_date(&ev, "retirement_date", o->retirement);
		ev_date(&ev, "event_date", o->event_date);
		ev_int(&ev, "term_months", g->term_death_after_retirement);
		snprintf(detail, sizeof detail, "the employee died more than %d months after retiring",
		         g->term_death_after_retirement);
		add_finding(s, SR_AGE, &i, 1, NULL, 0, &ev, detail);
	}
	/* Died in service past the age anyone serves to. */
	if (o->event == 1 && o->has_event && o->has_emp_birth &&
	    age_years(o->emp_birth, o->event_date) >= s->service_age) {
		struct ev ev = { { 0 }, 0 };
		ev_str(&ev, "check", "service_age");
		ev_date(&ev, "employee_birth_date", o->emp_birth);
		ev_date(&ev, "event_date", o->event_date);
		ev_int(&ev, "age", age_years(o->emp_birth, o->event_date));
		snprintf(detail, sizeof detail, "a death in service at %d, past the age of service %ld",
		         age_years(o->emp_birth, o->event_date), s->service_age);
		add_finding(s, SR_AGE, &i, 1, NULL, 0, &ev, detail);
	}
	/* A beneficiary older than anyone is, or born long after the employee's death. */
	if (o->has_ben_birth && age_years(o->ben_birth, s->as_of) > s->max_age) {
		struct ev ev = { { 0 }, 0 };
		ev_str(&ev, "check", "beneficiary_age");
		ev_date(&ev, "birth_date", o->ben_birth);
		ev_int(&ev, "age", age_years(o->ben_birth, s->as_of));
		snprintf(detail, sizeof detail, "the beneficiary would be %d", age_years(o->ben_birth, s->as_of));
		add_finding(s, SR_AGE, &i, 1, NULL, 0, &ev, detail);
	}
	if (o->has_ben_birth && o->has_event && o->event != 3 && o->ben_birth > o->event_date + 300) {
		struct ev ev = { { 0 }, 0 };
		ev_str(&ev, "check", "born_after_death");
		ev_date(&ev, "birth_date", o->ben_birth);
		ev_date(&ev, "event_date", o->event_date);
		snprintf(detail, sizeof detail, "the beneficiary was born more than 300 days after the "
		         "employee's death");
		add_finding(s, SR_AGE, &i, 1, NULL, 0, &ev, detail);
	}
}

/* The order's payments, in order of payment id. */
static size_t
payments_of(const struct scan *s, const struct subj *o, uint32_t *out)
{
	size_t n = 0;
	for (uint32_t k = o->pay_head; k; k = s->p[k - 1].next)
		out[n++] = k - 1;
	return n;
}

static int
by_month_id(const void *a, const void *b)
{
	const struct spay *x = &sort_scan->p[*(const uint32_t *)a], *y = &sort_scan->p[*(const uint32_t *)b];
	if (x->month != y->month)
		return x->month < y->month ? -1 : 1;
	return strcmp(x->id, y->id);
}

static void
paid_list(struct scan *s, struct ev *ev, const uint32_t *p, size_t n, int amounts,
          const int64_t *rate)
{
	ev_key(ev, "paid");
	buf_addc(&ev->b, '[');
	for (size_t k = 0; k < n; k++) {
		const struct spay *y = &s->p[p[k]];
		struct ev e = { { 0 }, 0 };
		if (k)
			buf_addc(&ev->b, ',');
		ev_str(&e, "payment", y->id);
		ev_month(&e, "month", y->month);
		ev_date(&e, "paid", y->paid);
		if (amounts)
			ev_int(&e, "amount_poisha", y->amount);
		if (rate && rate[k] >= 0)
			ev_int(&e, "rate_poisha", rate[k]);
		buf_adds(&ev->b, ev_done(&e));
		buf_free(&e.b);
	}
	buf_addc(&ev->b, ']');
}

static void
pay_finding(struct scan *s, int rule, uint32_t i, const uint32_t *p, size_t n, struct ev *ev,
            const char *detail)
{
	const char **ids = xmalloc((n + 1) * sizeof *ids);
	for (size_t k = 0; k < n; k++)
		ids[k] = s->p[p[k]].id;
	add_finding(s, rule, &i, 1, ids, n, ev, detail);
	free(ids);
}

static int64_t
rate_on(const struct ratelist *l, wdate d)
{
	int64_t v = -1;
	for (size_t i = 0; i < l->n && l->r[i].from <= d; i++)
		v = l->r[i].poisha;
	return v;
}

/* The rules that read an order's payments. */
static void
payments(struct scan *s, uint32_t i, uint32_t *buf, uint32_t *tmp)
{
	struct subj *o = &s->s[i];
	if (!o->loaded || o->is_app || !o->npay)
		return;
	size_t n = payments_of(s, o, buf);
	sort_scan = s;
	qsort(buf, n, sizeof *buf, by_month_id);
	char detail[300], ms[8], ds[11];

	/* The same month twice. */
	if (s->on[SR_PAID_TWICE])
		for (size_t a = 0, b; a < n; a = b) {
			for (b = a + 1; b < n && s->p[buf[b]].month == s->p[buf[a]].month; b++)
				;
			if (b - a < 2)
				continue;
			struct ev ev = { { 0 }, 0 };
			ev_month(&ev, "month", s->p[buf[a]].month);
			paid_list(s, &ev, buf + a, b - a, 1, NULL);
			if (s->p[buf[a]].month < 0) {
				snprintf(detail, sizeof detail, "the lump sum was paid %zu times", b - a);
			} else {
				month_fmt(s->p[buf[a]].month, ms);
				snprintf(detail, sizeof detail, "%s was paid %zu times", ms, b - a);
			}
			pay_finding(s, SR_PAID_TWICE, i, buf + a, b - a, &ev, detail);
		}

	/* Amounts that no rate in force gives. */
	if (s->on[SR_AMOUNT_NO_RATE] && s->have_rates) {
		int64_t *rate = xmalloc((n + 1) * sizeof *rate);
		size_t m = 0;
		for (size_t k = 0; k < n; k++) {
			const struct spay *y = &s->p[buf[k]];
			int64_t r;
			if (y->month >= 0) {
				r = rate_on(&s->grant.rate[RATE_WELFARE], month_first(y->month));
			} else {
				int kind = o->grant == 1 ? RATE_GROUP_INSURANCE
				           : o->funeral_for ? RATE_FUNERAL_FAMILY : RATE_FUNERAL_EMPLOYEE;
				r = rate_on(&s->grant.rate[kind], o->has_event ? o->event_date : y->paid);
			}
			if (y->amount != r) {
				tmp[m] = buf[k];
				rate[m++] = r;
			}
		}
		if (m) {
			struct ev ev = { { 0 }, 0 };
			paid_list(s, &ev, tmp, m, 1, rate);
			snprintf(detail, sizeof detail, "%zu payment%s of an amount no rate in force gives", m,
			         m == 1 ? "" : "s");
			pay_finding(s, SR_AMOUNT_NO_RATE, i, tmp, m, &ev, detail);
		}
		free(rate);
	}

	/* Paid when nothing was payable: each payment under the first rule that holds. */
	static const struct {
		int why, rule;
	} order[] = {
		{ PAY_DEAD, SR_PAID_AFTER_DEATH }, { PAY_STOPPED, SR_PAID_AFTER_STOP },
		{ PAY_ENDED, SR_PAID_AFTER_END }, { PAY_UNVERIFIED, SR_PAID_UNVERIFIED },
		{ PAY_SUSPENDED, SR_PAID_SUSPENDED },
	};
	int any = 0;
	for (size_t k = 0; k < 5; k++)
		any |= s->on[order[k].rule];
	if (!any)
		return;
	struct payable q = { 0 };
	q.so = &o->so;
	q.ver = vers(o);
	q.nver = o->nver;
	q.stopped = o->stopped;
	q.stop_date = o->stop_date;
	q.stop_has_last = o->stop_has_last;
	q.stop_last = o->stop_last;
	q.dead = o->dead;
	q.death = o->death;
	int *which = xmalloc((n + 1) * sizeof *which);
	for (size_t k = 0; k < n; k++) {
		const struct spay *y = &s->p[buf[k]];
		int why = payable_why(&q, s->model, y->month, y->paid);
		which[k] = -1;
		for (size_t r = 0; r < 5 && why; r++)
			if ((why & order[r].why) && s->on[order[r].rule]) {
				which[k] = order[r].rule;
				break;
			}
	}
	payable_free(&q);
	for (size_t r = 0; r < 5; r++) {
		int rule = order[r].rule;
		size_t m = 0;
		for (size_t k = 0; k < n; k++)
			if (which[k] == rule)
				tmp[m++] = buf[k];
		if (!m)
			continue;
		struct ev ev = { { 0 }, 0 };
		wdate lastpaid = 0;
		for (size_t k = 0; k < m; k++)
			if (s->p[tmp[k]].paid > lastpaid)
				lastpaid = s->p[tmp[k]].paid;
		switch (rule) {
		case SR_PAID_AFTER_DEATH:
			ev_date(&ev, "death_date", o->death);
			ev_str(&ev, "source", death_src[o->death_from]);
			if (o->death_ref)
				ev_str(&ev, "reference", o->death_ref);
			date_fmt(o->death, ds);
			snprintf(detail, sizeof detail, "%zu payment%s after the death on %s (%s)", m,
			         m == 1 ? "" : "s", ds, death_src[o->death_from]);
			break;
		case SR_PAID_AFTER_STOP:
			ev_date(&ev, "stop_date", o->stop_date);
			ev_str(&ev, "reason", o->stop_reason ? o->stop_reason : "");
			if (o->stop_has_last)
				ev_month(&ev, "last_month", o->stop_last);
			date_fmt(o->stop_date, ds);
			snprintf(detail, sizeof detail, "%zu payment%s after the order was stopped on %s", m,
			         m == 1 ? "" : "s", ds);
			break;
		case SR_PAID_AFTER_END:
			ev_month(&ev, "last_month", o->so.last);
			month_fmt(o->so.last, ms);
			snprintf(detail, sizeof detail, "%zu payment%s for months after the order's last, %s", m,
			         m == 1 ? "" : "s", ms);
			break;
		case SR_PAID_UNVERIFIED:
			if (o->nver)
				ev_date(&ev, "first_verification", vers(o)[0]);
			snprintf(detail, sizeof detail, "%zu payment%s before the first life verification", m,
			         m == 1 ? "" : "s");
			break;
		default: {
			ev_key(&ev, "verified");
			buf_addc(&ev.b, '[');
			int first = 1;
			for (uint32_t k = 0; k < o->nver && vers(o)[k] <= lastpaid; k++) {
				date_fmt(vers(o)[k], ds);
				buf_printf(&ev.b, "%s\"%s\"", first ? "" : ",", ds);
				first = 0;
			}
			buf_addc(&ev.b, ']');
			snprintf(detail, sizeof detail, "%zu payment%s while the beneficiary was suspended", m,
			         m == 1 ? "" : "s");
		}
		}
		paid_list(s, &ev, tmp, m, 0, NULL);
		pay_finding(s, rule, i, tmp, m, &ev, detail);
	}
	free(which);
}

static int
return_code_counts(const struct scan *s, const char *code)
{
	for (int k = 0; k < s->nreturn_codes; k++)
		if (!strcmp(s->return_codes[k], code))
			return 1;
	return 0;
}

static const struct subj *ret_order;

static const char *
ret_account(const struct subj *o, int revision)
{
	for (uint32_t k = 0; k < o->nrevs; k++)
		if (o->revs[k].revision == revision)
			return o->revs[k].account;
	return NULL;
}

static int
by_ret(const void *a, const void *b)
{
	const struct ret *x = a, *y = b;
	const char *p = ret_account(ret_order, x->revision), *q = ret_account(ret_order, y->revision);
	int c = strcmp(p ? p : "", q ? q : "");
	if (c)
		return c;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return x->revision - y->revision;
}

/* An account the bank returned again and again that the order still carries: no
 * correction changed it. */
static void
account_returned(struct scan *s, uint32_t i)
{
	struct subj *o = &s->s[i];
	if (!o->loaded || o->is_app || o->nrets < 2 || !o->account)
		return;
	struct ret *r = xmalloc(o->nrets * sizeof *r);
	size_t n = 0;
	for (uint32_t k = 0; k < o->nrets; k++) {
		const char *a = ret_account(o, o->rets[k].revision);
		if (return_code_counts(s, o->rets[k].code) && a && !strcmp(a, o->account))
			r[n++] = o->rets[k];
	}
	ret_order = o;
	qsort(r, n, sizeof *r, by_ret);
	for (size_t a = 0, b; a < n; a = b) {
		const char *acct = ret_account(o, r[a].revision);
		for (b = a + 1; b < n && !strcmp(ret_account(o, r[b].revision), acct); b++)
			;
		if ((long)(b - a) < s->min_returned)
			continue;
		struct ev ev = { { 0 }, 0 };
		char detail[300], ds[11];
		ev_str(&ev, "account", acct);
		ev_key(&ev, "returns");
		buf_addc(&ev.b, '[');
		for (size_t k = a; k < b; k++) {
			date_fmt(r[k].date, ds);
			buf_printf(&ev.b, "%s{\"revision\":%d,\"code\":", k > a ? "," : "", r[k].revision);
			json_put_string(&ev.b, r[k].code, strlen(r[k].code));
			buf_printf(&ev.b, ",\"date\":\"%s\"}", ds);
		}
		buf_addc(&ev.b, ']');
		snprintf(detail, sizeof detail, "account %s was returned %zu times; no correction changed it",
		         acct, b - a);
		add_finding(s, SR_ACCOUNT_RETURNED, &i, 1, NULL, 0, &ev, detail);
	}
	free(r);
}

static void
verified_after_death(struct scan *s, uint32_t i)
{
	struct subj *o = &s->s[i];
	if (!o->loaded || o->is_app || !o->dead || !o->nver || vers(o)[o->nver - 1] <= o->death)
		return;
	struct ev ev = { { 0 }, 0 };
	char detail[300], ds[11];
	ev_date(&ev, "death_date", o->death);
	ev_str(&ev, "source", death_src[o->death_from]);
	if (o->death_ref)
		ev_str(&ev, "reference", o->death_ref);
	ev_key(&ev, "verified");
	buf_addc(&ev.b, '[');
	size_t m = 0;
	for (uint32_t k = 0; k < o->nver; k++)
		if (vers(o)[k] > o->death) {
			date_fmt(vers(o)[k], ds);
			buf_printf(&ev.b, "%s\"%s\"", m++ ? "," : "", ds);
		}
	buf_addc(&ev.b, ']');
	date_fmt(o->death, ds);
	snprintf(detail, sizeof detail, "verified alive %zu time%s after the death on %s (%s)", m,
	         m == 1 ? "" : "s", ds, death_src[o->death_from]);
	add_finding(s, SR_VERIFIED_AFTER_DEATH, &i, 1, NULL, 0, &ev, detail);
}

static int
by_branch_day(const void *a, const void *b)
{
	const struct sver *x = a, *y = b;
	if (x->branch != y->branch)
		return x->branch < y->branch ? -1 : 1;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

static void
bunches(struct scan *s)
{
	if (s->nv)
		qsort(s->v, s->nv, sizeof *s->v, by_branch_day);
	uint32_t *g = xmalloc((s->nv + 1) * sizeof *g);
	for (size_t a = 0, b; a < s->nv; a = b) {
		for (b = a + 1; b < s->nv && s->v[b].branch == s->v[a].branch && s->v[b].date == s->v[a].date; b++)
			;
		if ((long)(b - a) < s->min_bunch)
			continue;
		size_t n = 0;
		for (size_t k = a; k < b; k++)
			g[n++] = s->v[k].order;
		struct ev ev = { { 0 }, 0 };
		char br[16], ds[11], detail[300];
		snprintf(br, sizeof br, "%09u", s->v[a].branch);
		date_fmt(s->v[a].date, ds);
		ev_str(&ev, "branch", br);
		ev_str(&ev, "date", ds);
		ev_int(&ev, "count", (long long)n);
		snprintf(detail, sizeof detail, "%zu life verifications at branch %s on %s", n, br, ds);
		add_finding(s, SR_VERIFICATION_BUNCH, g, n, NULL, 0, &ev, detail);
	}
	free(g);
}

static int
by_rule_subject(const void *a, const void *b)
{
	const struct fnd *x = a, *y = b;
	if (x->rule != y->rule)
		return x->rule - y->rule;
	if (x->nsubj && y->nsubj) {
		int c = by_id(&x->subj[0], &y->subj[0]);
		if (c)
			return c;
	}
	return strcmp(x->fp, y->fp);
}

void
scan_run(struct scan *s)
{
	/* What each order is now: dead, live, issued. */
	struct hmap issued;
	hmap_init(&issued, 1);
	for (uint32_t i = 0; i < s->ns; i++) {
		struct subj *o = &s->s[i];
		if (!o->loaded || o->is_app)
			continue;
		if (o->app_no)
			hmap_put(&issued, o->app_no, NULL);
		/* The earliest date of death any source gives. */
		if (o->stopped && o->stop_death) {
			o->dead = 1;
			o->death = o->stop_death;
			o->death_from = DEATH_STOP;
			o->death_ref = NULL;
		}
		if (o->md07 && (!o->dead || o->md07 < o->death)) {
			o->dead = 1;
			o->death = o->md07;
			o->death_from = DEATH_RETURN;
			o->death_ref = NULL;
		}
		const struct dreg *d = o->nid ? hmap_get(&s->deaths, o->nid) : NULL;
		if (d && (!o->dead || d->date < o->death)) {
			o->dead = 1;
			o->death = d->date;
			o->death_from = DEATH_REGISTER;
			o->death_ref = d->no;
		}
		o->live = !o->stopped && !o->card_returned &&
		          (o->so.lump ? !o->lump_paid : date_month(s->as_of) <= o->so.last);
	}
	for (uint32_t i = 0; i < s->ns; i++)
		if (s->s[i].is_app && s->s[i].app_no && hmap_get(&issued, s->s[i].app_no))
			s->s[i].issued_app = 1;
	hmap_free(&issued);

	if (s->on[SR_SHARED_ACCOUNT])
		shared(s, SR_SHARED_ACCOUNT, F_ACCOUNT);
	if (s->on[SR_SHARED_NID])
		shared(s, SR_SHARED_NID, F_NID);
	if (s->on[SR_SHARED_MOBILE])
		shared(s, SR_SHARED_MOBILE, F_MOBILE);
	if (s->on[SR_SAME_PERSON])
		same_person(s);
	if (s->on[SR_SERVING])
		on_list(s, SR_SERVING);
	if (s->on[SR_PENSIONER])
		on_list(s, SR_PENSIONER);
	uint32_t maxpay = 0;
	for (uint32_t i = 0; i < s->ns; i++)
		if (s->s[i].npay > maxpay)
			maxpay = s->s[i].npay;
	uint32_t *buf = xmalloc((maxpay + 1) * sizeof *buf), *tmp = xmalloc((maxpay + 1) * sizeof *tmp);
	for (uint32_t i = 0; i < s->ns; i++) {
		if (s->on[SR_AGE])
			age_terms(s, i);
		if (s->on[SR_VERIFIED_AFTER_DEATH])
			verified_after_death(s, i);
		if (s->on[SR_ACCOUNT_RETURNED])
			account_returned(s, i);
		payments(s, i, buf, tmp);
	}
	free(buf);
	free(tmp);
	if (s->on[SR_VERIFICATION_BUNCH])
		bunches(s);

	/* Clusters: the subjects linked by a shared value or as one person, each named
	 * by the smallest id in it. */
	uint32_t *par = xmalloc((s->ns + 1) * sizeof *par), *name = xmalloc((s->ns + 1) * sizeof *name);
	for (uint32_t i = 0; i < s->ns; i++) {
		par[i] = i;
		name[i] = UINT32_MAX;
	}
	for (size_t k = 0; k < s->nf; k++)
		if (s->f[k].rule <= SR_SAME_PERSON)
			for (uint32_t x = 1; x < s->f[k].nsubj; x++)
				uf_union(par, s->f[k].subj[0], s->f[k].subj[x]);
	sort_scan = s;
	for (uint32_t i = 0; i < s->ns; i++) {
		uint32_t r = uf_find(par, i);
		if (name[r] == UINT32_MAX || by_id(&i, &name[r]) < 0)
			name[r] = i;
	}
	for (size_t k = 0; k < s->nf; k++)
		s->f[k].cluster = s->f[k].nsubj ? name[uf_find(par, s->f[k].subj[0])] : UINT32_MAX;
	free(par);
	free(name);
	if (s->nf)
		qsort(s->f, s->nf, sizeof *s->f, by_rule_subject);
	s->ran = 1;
}

/* ---- verdicts and the risk score ---- */

void
scan_verdict(struct scan *s, const char *fp, const char *rule, int verdict)
{
	struct vmark *m = hmap_put(&s->verdicts, fp, NULL);
	m->verdict = (int8_t)verdict;
	m->rule = (int8_t)scan_rule_lookup(rule);
}

static double
sigmoid(double z)
{
	return 1 / (1 + exp(-z));
}

/* A logistic regression of "confirmed" on the rules an example's orders hit,
 * by Newton's method, with a Gaussian prior of strength prior centred on the
 * configured weights: with no verdicts the weights are the configured ones, and
 * a few verdicts move them only a little. Deterministic: a fixed number of steps
 * in a fixed order. */
static void
fit(struct scan *s, const uint32_t *x, const int *y, size_t n)
{
	enum { D = SCAN_NRULES + 1 };
	double w[D], g[D], H[D][D];
	for (int r = 0; r < SCAN_NRULES; r++)
		w[r] = s->w0[r];
	w[SCAN_NRULES] = s->bias0;
	for (int it = 0; it < 50 && n; it++) {
		for (int a = 0; a < D; a++) {
			g[a] = s->prior * (w[a] - (a < SCAN_NRULES ? s->w0[a] : s->bias0));
			for (int b = 0; b < D; b++)
				H[a][b] = a == b ? s->prior : 0;
		}
		for (size_t k = 0; k < n; k++) {
			double z = w[SCAN_NRULES];
			for (int r = 0; r < SCAN_NRULES; r++)
				if (x[k] & (1u << r))
					z += w[r];
			double p = sigmoid(z), d = p - y[k], c = p * (1 - p);
			for (int a = 0; a < D; a++) {
				if (a < SCAN_NRULES && !(x[k] & (1u << a)))
					continue;
				g[a] += d;
				for (int b = 0; b < D; b++)
					if (b == SCAN_NRULES || (x[k] & (1u << b)))
						H[a][b] += c;
			}
		}
		/* Solve H step = g (H is symmetric positive definite). */
		double A[D][D + 1];
		for (int a = 0; a < D; a++) {
			for (int b = 0; b < D; b++)
				A[a][b] = H[a][b];
			A[a][D] = g[a];
		}
		for (int c = 0; c < D; c++) {
			int piv = c;
			for (int r = c + 1; r < D; r++)
				if (fabs(A[r][c]) > fabs(A[piv][c]))
					piv = r;
			for (int k = 0; k <= D; k++) {
				double t = A[c][k];
				A[c][k] = A[piv][k];
				A[piv][k] = t;
			}
			for (int r = 0; r < D; r++) {
				if (r == c || A[r][c] == 0)
					continue;
				double f = A[r][c] / A[c][c];
				for (int k = c; k <= D; k++)
					A[r][k] -= f * A[c][k];
			}
		}
		double big = 0;
		for (int a = 0; a < D; a++) {
			double step = A[a][D] / A[a][a];
			w[a] -= step;
			if (fabs(step) > big)
				big = fabs(step);
		}
		if (big < 1e-12)
			break;
	}
	for (int r = 0; r < SCAN_NRULES; r++)
		s->w[r] = w[r];
	s->bias = w[SCAN_NRULES];
}

static int
score_of(const struct scan *s, uint32_t hits)
{
	double z = s->bias;
	for (int r = 0; r < SCAN_NRULES; r++)
		if (hits & (1u << r))
			z += s->w[r];
	return (int)lround(1000 * sigmoid(z));
}

void
scan_score(struct scan *s)
{
	struct hmap here;
	hmap_init(&here, sizeof(uint32_t));
	for (size_t k = 0; k < s->nf; k++)
		*(uint32_t *)hmap_put(&here, s->f[k].fp, NULL) = (uint32_t)k;
	/* Examples: the latest verdict on each fingerprint, but those waiting for the
	 * field. */
	size_t n = 0, i = 0;
	uint32_t *x = xmalloc((s->verdicts.n + 1) * sizeof *x);
	int *y = xmalloc((s->verdicts.n + 1) * sizeof *y);
	struct vmark *m;
	while ((m = hmap_iter(&s->verdicts, &i))) {
		const char *fp = hmap_key(&s->verdicts, m);
		uint32_t *k = hmap_get(&here, fp);
		if (k) {
			struct fnd *f = &s->f[*k];
			f->review = m->verdict;
			f->left_out = m->verdict == VERDICT_FALSE_POSITIVE;
		}
		if (m->verdict == VERDICT_FIELD_CHECK || m->rule < 0)
			continue;
		uint32_t hits = 1u << m->rule;
		if (k)
			for (uint32_t j = 0; j < s->f[*k].nsubj; j++)
				hits |= s->s[s->f[*k].subj[j]].hits;
		x[n] = hits;
		y[n++] = m->verdict == VERDICT_CONFIRMED;
	}
	/* hmap order is not input order: sort the examples so the sums are made in
	 * one order whatever the table's layout. */
	for (size_t a = 1; a < n; a++)
		for (size_t b = a; b > 0 && (x[b - 1] > x[b] || (x[b - 1] == x[b] && y[b - 1] > y[b])); b--) {
			uint32_t t = x[b];
			x[b] = x[b - 1];
			x[b - 1] = t;
			int u = y[b];
			y[b] = y[b - 1];
			y[b - 1] = u;
		}
	s->examples = (long)n;
	fit(s, x, y, n);
	free(x);
	free(y);
	hmap_free(&here);
	for (size_t k = 0; k < s->nf; k++) {
		struct fnd *f = &s->f[k];
		int best = score_of(s, 1u << f->rule);
		for (uint32_t j = 0; j < f->nsubj; j++)
			if (!s->s[f->subj[j]].is_app && score_of(s, s->s[f->subj[j]].hits) > best)
				best = score_of(s, s->s[f->subj[j]].hits);
		f->score = best;
	}
	s->scored = 1;
}

/* ---- output ---- */

size_t
scan_write(struct scan *s, int all, struct buf *out)
{
	struct rw w = { 0 };
	struct buf arr = { 0 };
	char asof[11];
	date_fmt(s->as_of, asof);
	size_t n = 0;
	for (size_t k = 0; k < s->nf; k++) {
		struct fnd *f = &s->f[k];
		if (f->left_out && !all)
			continue;
		n++;
		rw_begin(&w, "finding");
		rw_str(&w, "rule", rules[f->rule].id);
		rw_str(&w, "severity", sev_names[s->sev[f->rule]]);
		const struct subj *first = f->nsubj ? &s->s[f->subj[0]] : NULL;
		rw_str(&w, "office", first && first->office[0] ? first->office : "HQ");
		rw_str(&w, "as_of", asof);
		rw_str(&w, "cluster", f->cluster != UINT32_MAX ? s->s[f->cluster].id : "-");
		for (int apps = 0; apps < 2; apps++) {
			arr.n = 0;
			buf_addc(&arr, '[');
			int c = 0;
			for (uint32_t j = 0; j < f->nsubj; j++) {
				const struct subj *o = &s->s[f->subj[j]];
				if (o->is_app != apps)
					continue;
				if (c++)
					buf_addc(&arr, ',');
				json_put_string(&arr, o->id, strlen(o->id));
			}
			buf_addc(&arr, ']');
			if (!apps || c)
				rw_raw(&w, apps ? "applications" : "orders", arr.p, arr.n);
		}
		if (f->npay) {
			arr.n = 0;
			json_strings(&arr, f->pay, f->npay);
			rw_raw(&w, "payments", arr.p, arr.n);
		}
		rw_raw(&w, "evidence", f->ev, strlen(f->ev));
		rw_int(&w, "score", f->score);
		rw_str(&w, "fingerprint", f->fp);
		if (f->review >= 0)
			rw_str(&w, "review", verdict_names[f->review]);
		rw_str(&w, "detail", f->detail);
		rw_end(&w, out);
	}
	rw_free(&w);
	buf_free(&arr);
	return n;
}

struct rk {
	uint32_t i;
	int score;
};

static int
by_risk(const void *a, const void *b)
{
	const struct rk *x = a, *y = b;
	if (x->score != y->score)
		return y->score - x->score;
	return by_id(&x->i, &y->i);
}

size_t
scan_write_risk(struct scan *s, struct buf *out)
{
	struct rk *r = xmalloc((s->ns + 1) * sizeof *r);
	size_t n = 0;
	for (uint32_t i = 0; i < s->ns; i++)
		if (!s->s[i].is_app && s->s[i].hits)
			r[n++] = (struct rk){ i, score_of(s, s->s[i].hits) };
	sort_scan = s;
	qsort(r, n, sizeof *r, by_risk);
	struct rw w = { 0 };
	struct buf arr = { 0 };
	char asof[11];
	date_fmt(s->as_of, asof);
	for (size_t k = 0; k < n; k++) {
		const struct subj *o = &s->s[r[k].i];
		rw_begin(&w, "risk");
		rw_str(&w, "order_no", o->id);
		rw_str(&w, "office", o->office[0] ? o->office : "HQ");
		rw_str(&w, "as_of", asof);
		rw_int(&w, "score", r[k].score);
		arr.n = 0;
		buf_addc(&arr, '[');
		int c = 0;
		for (int q = 0; q < SCAN_NRULES; q++)
			if (o->hits & (1u << q)) {
				if (c++)
					buf_addc(&arr, ',');
				json_put_string(&arr, rules[q].id, strlen(rules[q].id));
			}
		buf_addc(&arr, ']');
		rw_raw(&w, "rules", arr.p, arr.n);
		rw_end(&w, out);
	}
	rw_free(&w);
	buf_free(&arr);
	free(r);
	return n;
}

void
scan_stats(const struct scan *s, struct scan_rule_stats st[SCAN_NRULES], double *bias, long *examples)
{
	memset(st, 0, SCAN_NRULES * sizeof *st);
	for (int r = 0; r < SCAN_NRULES; r++) {
		st[r].enabled = s->on[r];
		st[r].weight = s->scored ? s->w[r] : s->w0[r];
	}
	for (size_t k = 0; k < s->nf; k++) {
		st[s->f[k].rule].findings++;
		st[s->f[k].rule].left_out += s->f[k].left_out;
	}
	size_t i = 0;
	struct vmark *m;
	while ((m = hmap_iter(&s->verdicts, &i)))
		if (m->rule >= 0)
			st[m->rule].verdicts[m->verdict]++;
	*bias = s->scored ? s->bias : s->bias0;
	*examples = s->examples;
}

void
scan_counts(const struct scan *s, struct scan_counts *c)
{
	memset(c, 0, sizeof *c);
	for (uint32_t i = 0; i < s->ns; i++) {
		c->orders += !s->s[i].is_app && s->s[i].loaded;
		c->unknown_order += !s->s[i].is_app && !s->s[i].loaded;
	}
	c->applications = s->napps;
	c->verifications = s->nverif;
	c->payments = s->npays;
	c->later = s->later;
	c->left_aside = s->aside;
	for (size_t k = 0; k < s->nf; k++) {
		if (s->f[k].left_out) {
			c->left_out++;
			continue;
		}
		c->findings++;
		c->by_rule[s->f[k].rule]++;
		c->confirmed += s->f[k].review == VERDICT_CONFIRMED;
	}
}
