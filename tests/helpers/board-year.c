/* board-year: a synthetic board year, seeded, for tests and benchmarks: several
 * offices' orders (some with revisions), applications, life verifications,
 * payments, returns, stops, card returns and a death register, with cases planted
 * for every rule of wgo-scan(1), and an answer key written as each case is
 * planted, never worked out from what wgo-scan does.
 *
 * Usage: board-year [OPTIONS] OUTDIR
 *   --seed N         the random seed (default 1); the same seed, the same files
 *   --orders N       clean orders (default 200)
 *   --offices LIST   office codes, comma-separated (default KHL,DHK,CTG)
 *   --as-of DATE     the last day of the year (default 2026-06-30); every record
 *                    is dated on or before it
 *   --months N       payments of the last N months only (default 12)
 *   --plants N       how many times each case is planted (default 1; 0: none)
 *   --applications N pending applications besides those issued (default orders/10)
 * Writes into OUTDIR: orders.jsonl (every revision), applications.jsonl,
 * verifications.jsonl, payments.jsonl, returns.jsonl, stops.jsonl, cards.jsonl,
 * deaths.jsonl (the death register), serving.txt and pensioners.txt (NID lists),
 * and key.tsv, the planted cases: RULE<TAB>SUBJECT a line, where SUBJECT is what
 * wgo-scan's finding names: the account, NID or mobile shared; the orders and
 * applications of the same person, sorted, comma-separated; BRANCH/DATE of a bunch
 * of verifications; ORDER/MONTH paid twice; or else the order number.
 *
 * How the clean year is made, so that it holds nothing for any rule: every order
 * issued 23 to 29 months before the year's end; its beneficiary verified 3 to 25
 * days after issue and then 10 months and 0 to 20 days after each verification,
 * inside every window; every month paid at its rate (Tk 2,000 a month to August
 * 2025, Tk 3,000 from September, as wgo.conf.example has them) on the 7th of the
 * next month, or a week after the first verification for the months before it;
 * a lump sum paid once, a week after the first verification; each beneficiary a
 * date of birth, an NID, a mobile and an account of their own, though some hold
 * a second grant (group insurance beside the welfare grant) with the same ones;
 * returns corrected by a revision with a new account; stops, MD07 returns and
 * register deaths with nothing paid for a month after the death or the stop,
 * and no verification after a death. Names repeat (people with one name born on
 * different days) as they do in life, but no two people have one name and one
 * date of birth: the dates run through 29000 days from 1940, and each later block
 * of 29000 people has a surname of its own, which keeps them apart for 1,189,000
 * people. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wgo.h"

static unsigned long long rs;
static unsigned long long
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}
static long
between(long lo, long hi)
{
	return lo + (long)(rnd() % (unsigned long long)(hi - lo + 1));
}
static int
chance(int percent)
{
	return (int)(rnd() % 100) < percent;
}

enum { F_ORD, F_APP, F_VER, F_PAY, F_RET, F_STOP, F_CARD, F_DEATH, NF };
static const char *const fname[NF] = { "orders.jsonl", "applications.jsonl", "verifications.jsonl",
	                               "payments.jsonl", "returns.jsonl", "stops.jsonl", "cards.jsonl",
	                               "deaths.jsonl" };
static FILE *fh[NF], *keyf, *servingf, *pensionf;
static struct buf ob[NF];
static struct rw W, N;

static void
emit(int f)
{
	rw_end(&W, &ob[f]);
	if (ob[f].n > 1 << 20) {
		if (fwrite(ob[f].p, 1, ob[f].n, fh[f]) != ob[f].n)
			die("%s: write error:", fname[f]);
		ob[f].n = 0;
	}
}

/* ---- names: Bengali and Latin, written the way one person writes them ---- */

static const char *const male[][2] = {
	{ "আব্দুল করিম", "Abdul Karim" }, { "রফিকুল ইসলাম", "Rafiqul Islam" },
	{ "জাহাঙ্গীর আলম", "Jahangir Alam" }, { "কামরুল হাসান", "Kamrul Hasan" },
	{ "আনোয়ার হোসেন", "Anwar Hossain" }, { "মিজানুর রহমান", "Mizanur Rahman" },
	{ "হাবিবুর রহমান", "Habibur Rahman" }, { "সাইফুল ইসলাম", "Saiful Islam" },
	{ "নজরুল ইসলাম", "Nazrul Islam" }, { "আলমগীর হোসেন", "Alamgir Hossain" },
	{ "মোস্তফা কামাল", "Mostafa Kamal" }, { "শফিকুল ইসলাম", "Shafiqul Islam" },
	{ "আতিকুর রহমান", "Atiqur Rahman" }, { "ফারুক আহমেদ", "Faruk Ahmed" },
	{ "জসিম উদ্দিন", "Jashim Uddin" }, { "রুহুল আমিন", "Ruhul Amin" },
	{ "ইকবাল হোসেন", "Iqbal Hossain" }, { "সাকিব হাসান", "Sakib Hasan" },
	{ "রাকিব হাসান", "Rakib Hasan" }, { "মাসুদ রানা", "Masud Rana" },
	{ "ওমর ফারুক", "Omar Faruk" }, { "রহিম উদ্দিন", "Rahim Uddin" },
	{ "প্রদীপ কুমার বিশ্বাস", "Pradip Kumar Biswas" }, { "নির্মল চন্দ্র দাস", "Nirmal Chandra Das" },
	{ "গৌতম কুমার সাহা", "Goutam Kumar Saha" }, { "আবু তাহের", "Abu Taher" },
};
static const char *const female[][2] = {
	{ "রহিমা খাতুন", "Rahima Khatun" }, { "ফাতেমা আক্তার", "Fatema Akter" },
	{ "নাজমা বেগম", "Najma Begum" }, { "আমেনা খাতুন", "Amena Khatun" },
	{ "আনোয়ারা খাতুন", "Anowara Khatun" }, { "শাহানা পারভীন", "Shahana Parvin" },
	{ "তাহমিনা আক্তার", "Tahmina Akter" }, { "দিলরুবা ইয়াসমিন", "Dilruba Yasmin" },
	{ "কামরুন নাহার", "Kamrun Nahar" }, { "হোসনে আরা বেগম", "Hosne Ara Begum" },
	{ "সালমা বেগম", "Salma Begum" }, { "নাসরিন আক্তার", "Nasrin Akter" },
	{ "রাবেয়া খাতুন", "Rabeya Khatun" }, { "সেলিনা আক্তার", "Selina Akter" },
	{ "শিউলি রানী দাস", "Shiuli Rani Das" }, { "রহিমা উদ্দিন", "Rahima Uddin" },
	{ "হালিমা খাতুন", "Halima Khatun" }, { "খাদিজা আক্তার", "Khadija Akter" },
};
/* Surnames, for the people after the first DOBS: each block of DOBS people gets
 * the next one, so that no two people have one name and one date of birth for
 * the first DOBS * (NSURNAMES + 1) people. No two of them match as names do. */
static const char *const surnames[][2] = {
	{ "সরকার", "Sarkar" }, { "মণ্ডল", "Mondal" }, { "চৌধুরী", "Chowdhury" },
	{ "তালুকদার", "Talukder" }, { "ভূঁইয়া", "Bhuiyan" }, { "মোল্লা", "Molla" }, { "খান", "Khan" },
	{ "মিয়া", "Mia" }, { "হাওলাদার", "Howlader" }, { "শিকদার", "Sikder" }, { "আকন্দ", "Akanda" },
	{ "প্রামানিক", "Pramanik" }, { "মৃধা", "Mridha" }, { "মুন্সী", "Munshi" }, { "পাটোয়ারী", "Patwari" },
	{ "মজুমদার", "Majumder" }, { "কাজী", "Kazi" }, { "গাজী", "Gazi" }, { "মাতুব্বর", "Matubbar" },
	{ "দেওয়ান", "Dewan" }, { "ফকির", "Fakir" }, { "মির্জা", "Mirza" }, { "খন্দকার", "Khandaker" },
	{ "বেপারী", "Bepari" }, { "হাজরা", "Hazra" }, { "লস্কর", "Laskar" }, { "পাল", "Paul" },
	{ "সেন", "Sen" }, { "নাথ", "Nath" }, { "বসু", "Basu" }, { "গুহ", "Guha" }, { "বর্মন", "Barman" },
	{ "তরফদার", "Tarafder" }, { "সওদাগর", "Sawdagar" }, { "মাহাতো", "Mahato" }, { "রক্ষিত", "Rakshit" },
	{ "সাহানী", "Sahani" }, { "ঢালী", "Dhali" }, { "জমাদার", "Jamadar" }, { "পোদ্দার", "Poddar" },
};
#define NSURNAMES (sizeof surnames / sizeof surnames[0])
#define DOBS 29000 /* dates of birth, from 1940 */

#define NMALE (sizeof male / sizeof male[0])
#define NFEMALE (sizeof female / sizeof female[0])

/* One person written two ways that wgo-scan(1) says are one (its name rules), for
 * the same-person cases: titles, script, spelling, spacing. */
static const char *const twice[][2] = {
	{ "মোঃ আব্দুল করিম", "Md. Abdul Karim" }, { "Mohammad Rafiqul Islam", "মোঃ রফিকুল ইসলাম" },
	{ "Mst. Salma Begum", "মোছাঃ সালমা বেগম" }, { "Jahanara Begum", "Jahan Ara Begum" },
	{ "Fatema Akter", "Fatima Akhter" }, { "Anwar Hossain", "Anwar Hossen" },
	{ "মোসাম্মৎ নাসরিন আক্তার", "Nasrin Akter" }, { "Kamrun Nahar", "Kamrunnahar" },
};
#define NTWICE (sizeof twice / sizeof twice[0])

/* ---- the year ---- */

static wdate as_of, pay_from;
static int nplants = 1;
static long seq, nidseq, mobseq, accseq, empseq, payseq, verseq, retseq;
static const char **offices;
static int noffices;

struct ord {
	char no[40], office[4], app_no[48];
	int grant, family, event, revision, female;
	wdate issued, event_date, retirement, emp_birth, ben_birth;
	wmonth first, last;
	int64_t lump;
	char bn[160], en[160], emp[160], relation[12];
	char nid[24], mobile[32], routing[12], account[24], emp_id[32];
	/* what the year does with it */
	wdate ver[16];
	int nver;
	wmonth paid_to; /* pay no month after it */
	int nopay;
	const char *branch0; /* where the first verification was made, if not at home */
};

static const char *
fy_of(wdate d, char out[8])
{
	fiscal_fmt(fiscal_year(d), out);
	return out;
}

static void
routing(char out[12])
{
	char eight[9];
	snprintf(eight, sizeof eight, "200%02ld%03ld", between(10, 99), between(100, 999));
	snprintf(out, 12, "%s%d", eight, routing_check_digit(eight));
}

/* A fresh beneficiary: NID, mobile, account and date of birth of their own. */
static void
fresh_person(struct ord *o, int female_)
{
	o->female = female_;
	const char *const *nm = female_ ? female[rnd() % NFEMALE] : male[rnd() % NMALE];
	snprintf(o->bn, sizeof o->bn, "%s", nm[0]);
	snprintf(o->en, sizeof o->en, "%s", nm[1]);
	snprintf(o->nid, sizeof o->nid, "%010ld", 3000000000L + ++nidseq * 7);
	snprintf(o->mobile, sizeof o->mobile, "+88017%08ld", 10000000L + ++mobseq);
	routing(o->routing);
	snprintf(o->account, sizeof o->account, "%013ld", 1000000000000L + ++accseq * 13);
	/* Unique within each block of DOBS people (7919 is prime to DOBS), and the
	 * blocks after the first have a surname each. */
	o->ben_birth = date_from_ymd(1940, 1, 1) + (wdate)((nidseq * 7919) % DOBS);
	long block = nidseq / DOBS;
	if (block > 0) {
		const char *const *sn = surnames[(block - 1) % NSURNAMES];
		size_t l = strlen(o->bn);
		snprintf(o->bn + l, sizeof o->bn - l, " %s", sn[0]);
		l = strlen(o->en);
		snprintf(o->en + l, sizeof o->en - l, " %s", sn[1]);
	}
}

static int64_t
rate_for(wmonth m)
{
	wmonth sep = date_month(date_from_ymd(2025, 9, 1));
	return m >= sep ? 300000 : 200000;
}

/* A clean order: issued 23 to 29 months before the year's end. */
static void
order_of(struct ord *o, int grant, int event)
{
	memset(o, 0, sizeof *o);
	const char *office = offices[rnd() % (unsigned)noffices];
	snprintf(o->office, sizeof o->office, "%s", office);
	o->issued = date_add_months(as_of, -(int)between(23, 29)) + (wdate)between(0, 20);
	char fy[8];
	snprintf(o->no, sizeof o->no, "%s-%s-%06ld", office, fy_of(o->issued, fy), ++seq);
	snprintf(o->app_no, sizeof o->app_no, "%s/APP/%06ld", office, seq);
	snprintf(o->emp_id, sizeof o->emp_id, "E-%07ld", 1000000 + ++empseq);
	const char *const *en = male[rnd() % NMALE];
	snprintf(o->emp, sizeof o->emp, "%s", en[0]);
	o->grant = grant;
	o->event_date = o->issued - (wdate)between(30, 300);
	o->event = event ? event : chance(75) ? 1 : chance(60) ? 2 : 3;
	int age = (int)between(35, 57);
	o->emp_birth = date_add_months(o->event_date, -12 * age) - (wdate)between(0, 300);
	if (o->event == 2) {
		o->retirement = o->event_date - (wdate)between(200, 3000);
		o->emp_birth = date_add_months(o->retirement, -12 * 59);
	}
	fresh_person(o, chance(70));
	snprintf(o->relation, sizeof o->relation, "%s", o->female ? "wife" : "son");
	o->first = date_month(o->event_date) + 1;
	if (o->event == 1)
		o->last = o->first + 179;
	else if (o->event == 2)
		o->last = date_month(date_add_months(o->retirement, 120) - 1);
	else {
		wmonth age_end = date_month(date_add_months(o->emp_birth, 12 * 69) - 1);
		o->last = o->first + 179 < age_end ? o->first + 179 : age_end;
	}
	if (grant == 1)
		o->lump = o->event_date >= date_from_ymd(2025, 8, 19) ? 30000000 : 20000000;
	else if (grant == 2)
		o->lump = o->event_date >= date_from_ymd(2025, 8, 19) ? 5000000 : 3000000;
	o->paid_to = o->last;
	/* Verifications: inside every window. */
	o->ver[o->nver++] = o->issued + (wdate)between(3, 25);
	for (;;) {
		wdate next = date_add_months(o->ver[o->nver - 1], 10) + (wdate)between(0, 20);
		if (next > as_of || o->nver == 15)
			break;
		o->ver[o->nver++] = next;
	}
}

/* A planted case's order: a death in service, whose 15 years run well past the
 * year, so that only what is planted sets it apart. */
static void
new_order(struct ord *o, int grant)
{
	order_of(o, grant, 1);
}

static void
obj_person(struct ord *o, struct buf *emp, struct buf *ben, struct buf *acc)
{
	char d[11];
	rw_begin_obj(&N, "order", "employee");
	rw_str(&N, "name", o->emp);
	rw_str(&N, "event", o->event == 1 ? "death_in_service" : o->event == 2 ? "death_after_retirement"
	                                                                        : "retired_invalid");
	rw_date(&N, "event_date", o->event_date);
	if (o->event == 2)
		rw_date(&N, "retirement_date", o->retirement);
	rw_date(&N, "birth_date", o->emp_birth);
	rw_str(&N, "id", o->emp_id);
	emp->n = 0;
	rw_end(&N, emp);
	rw_begin_obj(&N, "order", "beneficiary");
	if (o->bn[0])
		rw_str(&N, "name_bn", o->bn);
	if (o->en[0])
		rw_str(&N, "name_en", o->en);
	rw_str(&N, "relation", o->relation);
	rw_str(&N, "nid", o->nid);
	rw_str(&N, "mobile", o->mobile);
	date_fmt(o->ben_birth, d);
	rw_str(&N, "birth_date", d);
	ben->n = 0;
	rw_end(&N, ben);
	rw_begin_obj(&N, "order", "account");
	rw_str(&N, "routing", o->routing);
	rw_str(&N, "number", o->account);
	rw_str(&N, "name", o->en[0] ? o->en : "Beneficiary");
	acc->n = 0;
	rw_end(&N, acc);
}

static const char *const grants[] = { "welfare", "group_insurance", "funeral" };

static void
write_order(struct ord *o, const char *changed, const char *code, wdate amended)
{
	struct buf e = { 0 }, b = { 0 }, a = { 0 }, t = { 0 };
	obj_person(o, &e, &b, &a);
	rw_begin(&W, "order");
	rw_str(&W, "order_no", o->no);
	rw_int(&W, "revision", o->revision);
	rw_str(&W, "office", o->office);
	rw_date(&W, "issued", o->issued);
	struct bdate bd;
	bangla_from_date(o->issued, &bd);
	bangla_fmt(&bd, 0, &t);
	rw_str(&W, "issued_bn", buf_str(&t));
	rw_str(&W, "application_no", o->app_no);
	rw_str(&W, "grant", grants[o->grant]);
	if (o->grant == 2)
		rw_str(&W, "funeral_for", o->family ? "family" : "employee");
	rw_raw(&W, "employee", e.p, e.n);
	rw_raw(&W, "beneficiary", b.p, b.n);
	rw_raw(&W, "account", a.p, a.n);
	int64_t total = 0;
	if (o->grant == 0) {
		rw_month(&W, "first_month", o->first);
		rw_month(&W, "last_month", o->last);
		t.n = 0;
		buf_addc(&t, '[');
		wmonth sep = date_month(date_from_ymd(2025, 9, 1));
		for (wmonth m = o->first; m <= o->last;) {
			wmonth to = m < sep && o->last >= sep ? sep - 1 : o->last;
			char f[8], g[8];
			month_fmt(m, f);
			month_fmt(to, g);
			buf_printf(&t, "%s{\"from\":\"%s\",\"to\":\"%s\",\"monthly_poisha\":%lld}", m == o->first ? "" : ",",
			           f, g, (long long)rate_for(m));
			total += rate_for(m) * (to - m + 1);
			m = to + 1;
		}
		buf_addc(&t, ']');
		rw_raw(&W, "rates", t.p, t.n);
	} else {
		rw_int(&W, "lump_poisha", o->lump);
		total = o->lump;
	}
	rw_int(&W, "arrears_months", 0);
	rw_int(&W, "arrears_poisha", 0);
	rw_int(&W, "total_poisha", total);
	t.n = 0;
	buf_printf(&t, "{\"officer\":\"Deputy Director\",\"date\":\"");
	char d[11];
	date_fmt(o->issued - 3, d);
	buf_printf(&t, "%s\"}", d);
	rw_raw(&W, "sanction", t.p, t.n);
	if (o->revision) {
		date_fmt(amended, d);
		t.n = 0;
		buf_printf(&t, "{\"reason\":\"corrected after a return\",\"code\":\"%s\",\"changed\":[\"%s\"],"
		           "\"date\":\"%s\"}", code, changed, d);
		rw_raw(&W, "amendment", t.p, t.n);
	}
	emit(F_ORD);
	buf_free(&e);
	buf_free(&b);
	buf_free(&a);
	buf_free(&t);
}

static void
application(struct ord *o)
{
	struct buf e = { 0 }, b = { 0 }, a = { 0 }, t = { 0 };
	obj_person(o, &e, &b, &a);
	rw_begin(&W, "application");
	rw_str(&W, "office", o->office);
	rw_str(&W, "application_no", o->app_no);
	rw_str(&W, "grant", grants[o->grant]);
	if (o->grant == 2)
		rw_str(&W, "funeral_for", o->family ? "family" : "employee");
	rw_raw(&W, "employee", e.p, e.n);
	rw_raw(&W, "beneficiary", b.p, b.n);
	rw_raw(&W, "account", a.p, a.n);
	char d[11];
	date_fmt(as_of - 20, d);
	buf_printf(&t, "{\"officer\":\"Deputy Director\",\"date\":\"%s\"}", d);
	rw_raw(&W, "sanction", t.p, t.n);
	emit(F_APP);
	buf_free(&e);
	buf_free(&b);
	buf_free(&a);
	buf_free(&t);
}

static void
verification(const struct ord *o, wdate d, const char *branch)
{
	char id[40];
	snprintf(id, sizeof id, "V%ld", ++verseq);
	rw_begin(&W, "verification");
	rw_str(&W, "verification_id", id);
	rw_str(&W, "order_no", o->no);
	rw_str(&W, "office", o->office);
	rw_date(&W, "date", d);
	rw_str(&W, "branch", branch ? branch : o->routing);
	emit(F_VER);
}

static char last_pay[40];

static void
payment(const struct ord *o, wmonth m, int64_t amount, wdate paid)
{
	char ref[64];
	snprintf(last_pay, sizeof last_pay, "P%ld", ++payseq);
	snprintf(ref, sizeof ref, "%s-r%d", o->no, o->revision);
	rw_begin(&W, "payment");
	rw_str(&W, "payment_id", last_pay);
	rw_str(&W, "reference_id", ref);
	rw_str(&W, "order_no", o->no);
	rw_int(&W, "revision", o->revision);
	rw_str(&W, "office", o->office);
	if (m >= 0)
		rw_month(&W, "month", m);
	rw_int(&W, "amount_poisha", amount);
	rw_date(&W, "paid", paid);
	struct buf a = { 0 };
	buf_printf(&a, "{\"routing\":\"%s\",\"number\":\"%s\"}", o->routing, o->account);
	rw_raw(&W, "account", a.p, a.n);
	buf_free(&a);
	emit(F_PAY);
}

static void
ret(const struct ord *o, const char *code, wdate d)
{
	char id[40], ref[64];
	snprintf(id, sizeof id, "R%ld", ++retseq);
	snprintf(ref, sizeof ref, "%s-r%d", o->no, o->revision);
	rw_begin(&W, "return");
	rw_str(&W, "return_id", id);
	rw_str(&W, "reference_id", ref);
	rw_str(&W, "order_no", o->no);
	rw_int(&W, "revision", o->revision);
	rw_str(&W, "office", o->office);
	rw_str(&W, "code", code);
	rw_date(&W, "date", d);
	emit(F_RET);
}

static void
stop(const struct ord *o, const char *reason, wdate d, wdate death, wmonth last)
{
	rw_begin(&W, "stop");
	rw_str(&W, "order_no", o->no);
	rw_int(&W, "revision", o->revision);
	rw_str(&W, "office", o->office);
	rw_str(&W, "reason", reason);
	rw_date(&W, "date", d);
	if (death)
		rw_date(&W, "death_date", death);
	if (last >= 0 && o->grant == 0)
		rw_month(&W, "last_month", last);
	rw_str(&W, "officer", "Deputy Director");
	emit(F_STOP);
}

static void
death_entry(const char *nid, wdate d)
{
	char no[40];
	static long n;
	snprintf(no, sizeof no, "DR-%06ld", ++n);
	rw_begin(&W, "death");
	rw_str(&W, "nid", nid);
	rw_date(&W, "death_date", d);
	rw_str(&W, "register_no", no);
	rw_str(&W, "source", "civil registration");
	emit(F_DEATH);
}

/* The year's verifications and payments of an order, by the rules in the opening
 * comment. */
static void
activity(struct ord *o)
{
	for (int k = 0; k < o->nver; k++)
		verification(o, o->ver[k], k ? NULL : o->branch0);
	if (o->nopay)
		return;
	wdate v1 = o->nver ? o->ver[0] : 0;
	if (o->grant) {
		wdate p = v1 ? v1 + 7 : o->issued + 10;
		if (p > pay_from && p <= as_of)
			payment(o, -1, o->lump, p);
		return;
	}
	for (wmonth m = o->first; m <= o->last && m <= o->paid_to; m++) {
		wdate p = month_first(m + 1) + 6;
		if (v1 && p < v1 + 7)
			p = v1 + 7;
		if (p > pay_from && p <= as_of)
			payment(o, m, rate_for(m), p);
	}
}

static void
key(const char *rule, const char *subject)
{
	fprintf(keyf, "%s\t%s\n", rule, subject);
}

static void
clean_order(void)
{
	struct ord o;
	int g = chance(85) ? 0 : chance(60) ? 1 : 2;
	order_of(&o, g, 0);
	if (g == 2)
		o.family = chance(50);
	int fate = (int)between(0, 99);
	if (fate < 5) {
		/* Returned with a wrong account, corrected with the right one. */
		write_order(&o, NULL, NULL, 0);
		ret(&o, "AC01", o.issued + 2);
		if (chance(50))
			ret(&o, "AC04", o.issued + 3); /* a second return of the same revision, another code */
		o.revision = 1;
		snprintf(o.account, sizeof o.account, "%013ld", 1000000000000L + ++accseq * 13);
		write_order(&o, "account.number", "AC01", o.issued + 4);
	} else {
		write_order(&o, NULL, NULL, 0);
	}
	if (fate >= 5 && fate < 7 && o.grant == 0) {
		/* Withdrawn: nothing after the stop's month. */
		wdate d = as_of - (wdate)between(60, 200);
		wmonth lm = date_month(d) - 1;
		stop(&o, "withdrawal", d, 0, lm);
		o.paid_to = lm;
	} else if (fate >= 7 && fate < 10 && o.grant == 0) {
		/* Died: a death stop, or an MD07 return then a stop, or the register. */
		int how = (int)between(0, 2);
		wdate died = as_of - (wdate)between(90, 250);
		/* No verification after the death. */
		while (o.nver > 1 && o.ver[o.nver - 1] > died)
			o.nver--;
		if (o.ver[0] > died)
			died = o.ver[o.nver - 1] + 5;
		o.paid_to = date_month(died) - 1; /* months before the death's month */
		if (how == 1)
			ret(&o, "MD07", died + 10);
		if (how == 2)
			death_entry(o.nid, died);
		else
			stop(&o, "death", died + 20, died, date_month(died));
	}
	activity(&o);
	/* Some beneficiaries hold a second grant with the same particulars. */
	if (g == 0 && chance(10) && fate >= 10) {
		struct ord gi = o;
		char fy[8];
		gi.grant = 1;
		gi.lump = gi.event_date >= date_from_ymd(2025, 8, 19) ? 30000000 : 20000000;
		snprintf(gi.no, sizeof gi.no, "%s-%s-%06ld", gi.office, fy_of(gi.issued, fy), ++seq);
		snprintf(gi.app_no, sizeof gi.app_no, "%s/APP/%06ld", gi.office, seq);
		gi.revision = 0;
		write_order(&gi, NULL, NULL, 0);
		activity(&gi);
	}
	/* Most orders' applications are in the year's files too. */
	if (chance(30))
		application(&o);
}

/* ---- the planted cases ---- */

/* A date of birth for a planted person whose name is set by hand: from 1930 on,
 * before every clean person's, so that no clean person shares name and day. */
static wdate
plant_birth(void)
{
	static long k;
	return date_from_ymd(1930, 1, 1) + (wdate)(k++ % 3000);
}

static void
plant_shared(void)
{
	struct ord a, b, c;
	new_order(&a, 0);
	new_order(&b, 0);
	new_order(&c, 0);
	snprintf(b.routing, sizeof b.routing, "%s", a.routing);
	snprintf(b.account, sizeof b.account, "%s", a.account);
	snprintf(c.routing, sizeof c.routing, "%s", a.routing);
	snprintf(c.account, sizeof c.account, "%s", a.account);
	char s[64];
	snprintf(s, sizeof s, "%s/%s", a.routing, a.account);
	key("shared-account", s);
	struct ord *all[] = { &a, &b, &c };
	for (int i = 0; i < 3; i++) {
		write_order(all[i], NULL, NULL, 0);
		activity(all[i]);
	}
	/* One NID on two people of other names. */
	new_order(&a, 0);
	new_order(&b, 0);
	snprintf(b.nid, sizeof b.nid, "%s", a.nid);
	snprintf(a.bn, sizeof a.bn, "মোঃ আব্দুল করিম");
	snprintf(a.en, sizeof a.en, "Md. Abdul Karim");
	snprintf(b.bn, sizeof b.bn, "রহিমা খাতুন");
	snprintf(b.en, sizeof b.en, "Rahima Khatun");
	a.ben_birth = plant_birth();
	b.ben_birth = plant_birth();
	key("shared-nid", a.nid);
	write_order(&a, NULL, NULL, 0);
	activity(&a);
	write_order(&b, NULL, NULL, 0);
	activity(&b);
	/* A chain: A and B one account, B and C one mobile: one cluster. */
	new_order(&a, 0);
	new_order(&b, 0);
	new_order(&c, 0);
	snprintf(b.routing, sizeof b.routing, "%s", a.routing);
	snprintf(b.account, sizeof b.account, "%s", a.account);
	snprintf(c.mobile, sizeof c.mobile, "%s", b.mobile);
	snprintf(s, sizeof s, "%s/%s", a.routing, a.account);
	key("shared-account", s);
	key("shared-mobile", b.mobile);
	for (int i = 0; i < 3; i++) {
		write_order(all[i], NULL, NULL, 0);
		activity(all[i]);
	}
	/* An application for a new beneficiary, with a live order's account. */
	new_order(&a, 0);
	new_order(&b, 0);
	snprintf(b.routing, sizeof b.routing, "%s", a.routing);
	snprintf(b.account, sizeof b.account, "%s", a.account);
	snprintf(s, sizeof s, "%s/%s", a.routing, a.account);
	key("shared-account", s);
	write_order(&a, NULL, NULL, 0);
	activity(&a);
	application(&b);
}

static void
plant_same_person(void)
{
	struct ord a, b;
	new_order(&a, 0);
	new_order(&b, 0);
	const char *const *t = twice[rnd() % NTWICE];
	/* One person: the name written two ways, born the same day. */
	a.bn[0] = a.en[0] = b.bn[0] = b.en[0] = 0;
	snprintf(str_ascii(t[0]) ? a.en : a.bn, sizeof a.en, "%s", t[0]);
	snprintf(str_ascii(t[1]) ? b.en : b.bn, sizeof b.en, "%s", t[1]);
	a.ben_birth = b.ben_birth = plant_birth();
	char s[128];
	snprintf(s, sizeof s, "%s,%s", strcmp(a.no, b.no) < 0 ? a.no : b.no, strcmp(a.no, b.no) < 0 ? b.no : a.no);
	key("same-person", s);
	write_order(&a, NULL, NULL, 0);
	activity(&a);
	write_order(&b, NULL, NULL, 0);
	activity(&b);
	/* And a pending application for a live order's beneficiary: the same name,
	 * date of birth and employee id, another NID, mobile and account. */
	new_order(&a, 0);
	new_order(&b, 0);
	snprintf(b.bn, sizeof b.bn, "%s", a.bn);
	snprintf(b.en, sizeof b.en, "%s", a.en);
	snprintf(b.emp_id, sizeof b.emp_id, "%s", a.emp_id);
	b.ben_birth = a.ben_birth;
	snprintf(s, sizeof s, "%s,%s", a.no, b.app_no);
	key("same-person", s);
	write_order(&a, NULL, NULL, 0);
	activity(&a);
	application(&b);
}

static void
plant_lists(void)
{
	struct ord o;
	new_order(&o, 0);
	fprintf(servingf, "%s\n", o.nid);
	key("serving-employee", o.no);
	write_order(&o, NULL, NULL, 0);
	activity(&o);
	new_order(&o, 0);
	fprintf(pensionf, "%s\tpension book P-%ld\n", o.nid, seq);
	key("pensioner", o.no);
	write_order(&o, NULL, NULL, 0);
	activity(&o);
}

static void
plant_age(void)
{
	struct ord o;
	/* Retired ill, paid for 15 years though 69 comes sooner. */
	new_order(&o, 0);
	o.event = 3;
	o.emp_birth = date_add_months(o.event_date, -12 * 62);
	o.last = o.first + 179;
	key("age-terms", o.no);
	write_order(&o, NULL, NULL, 0);
	activity(&o);
	/* Died in service at 66. */
	new_order(&o, 0);
	o.event = 1;
	o.emp_birth = date_add_months(o.event_date, -12 * 66) - 30;
	o.last = o.first + 179;
	key("age-terms", o.no);
	write_order(&o, NULL, NULL, 0);
	activity(&o);
}

/* Died on a day between two verifications, and after it: a verification and
 * payments, the death known from the register, a stop, or an MD07 return. */
static void
plant_death(void)
{
	for (int how = 0; how < 3; how++) {
		struct ord o;
		new_order(&o, 0);
		o.nver = 2; /* the first two verifications; the death comes after */
		wdate died = o.ver[1] + 30;
		if (how == 0)
			death_entry(o.nid, died);
		else if (how == 1)
			stop(&o, "death", died + 15, died, date_month(died));
		else
			ret(&o, "MD07", died);
		write_order(&o, NULL, NULL, 0);
		/* Verified after the death on one; paid after it on the others. */
		if (how == 0) {
			o.paid_to = date_month(died);
			o.ver[o.nver++] = died + 40;
			key("verified-after-death", o.no);
		} else {
			key("paid-after-death", o.no);
		}
		activity(&o);
	}
}

/* Twenty beneficiaries verified for the first time at one branch on one day. */
static void
plant_bunch(void)
{
	static char br[12];
	char ds[11], s[32];
	routing(br);
	wdate day = date_add_months(as_of, -26);
	while (date_weekday(day) == 5 || date_weekday(day) == 6)
		day++;
	for (int i = 0; i < 20; i++) {
		struct ord o;
		new_order(&o, 0);
		o.issued = day - (wdate)between(3, 20);
		o.event_date = o.issued - 60;
		o.event = 1;
		o.emp_birth = date_add_months(o.event_date, -12 * 45);
		o.first = date_month(o.event_date) + 1;
		o.last = o.first + 179;
		o.paid_to = o.last;
		o.nver = 0;
		o.ver[o.nver++] = day;
		for (;;) {
			wdate next = date_add_months(o.ver[o.nver - 1], 10) + (wdate)between(0, 20);
			if (next > as_of || o.nver == 15)
				break;
			o.ver[o.nver++] = next;
		}
		o.branch0 = br;
		write_order(&o, NULL, NULL, 0);
		activity(&o);
	}
	date_fmt(day, ds);
	snprintf(s, sizeof s, "%s/%s", br, ds);
	key("verification-bunch", s);
}

static void
plant_payments(void)
{
	struct ord o;
	char s[80], ms[8];
	/* The same month twice, in two statements. */
	new_order(&o, 0);
	write_order(&o, NULL, NULL, 0);
	activity(&o);
	wmonth m = date_month(as_of) - 2;
	payment(&o, m, rate_for(m), as_of - 3);
	month_fmt(m, ms);
	snprintf(s, sizeof s, "%s/%s", o.no, ms);
	key("paid-twice", s);
	/* Tk 2,500 where the rate is Tk 3,000. */
	new_order(&o, 0);
	o.paid_to = date_month(as_of) - 3;
	write_order(&o, NULL, NULL, 0);
	activity(&o);
	payment(&o, date_month(as_of) - 2, 250000, as_of - 20);
	key("amount-no-rate", o.no);
	/* Returned closed, and corrected with the same account, returned again. */
	new_order(&o, 0);
	write_order(&o, NULL, NULL, 0);
	ret(&o, "AC04", o.issued + 2);
	o.revision = 1;
	snprintf(o.mobile, sizeof o.mobile, "+88018%08ld", 10000000L + ++mobseq);
	write_order(&o, "beneficiary.mobile", "AC04", o.issued + 5);
	ret(&o, "AC04", o.issued + 7);
	o.nopay = 1;
	activity(&o);
	key("account-returned", o.no);
	/* Withdrawn, and paid on. */
	new_order(&o, 0);
	write_order(&o, NULL, NULL, 0);
	wdate d = as_of - 150;
	stop(&o, "withdrawal", d, 0, date_month(d) - 1);
	activity(&o);
	key("paid-after-stop", o.no);
	/* Paid a month past the order's last. */
	new_order(&o, 0);
	o.event = 2;
	o.retirement = date_add_months(as_of, -120) - 100;
	o.event_date = o.issued - 60;
	o.emp_birth = date_add_months(o.retirement, -12 * 59);
	o.first = date_month(o.event_date) + 1;
	o.last = date_month(date_add_months(o.retirement, 120) - 1);
	write_order(&o, NULL, NULL, 0);
	activity(&o);
	payment(&o, o.last + 1, rate_for(o.last + 1), month_first(o.last + 2) + 6);
	key("paid-after-end", o.no);
	/* Issued lately, never verified, paid. */
	new_order(&o, 0);
	o.issued = as_of - 100;
	o.event_date = o.issued - 40;
	o.emp_birth = date_add_months(o.event_date, -12 * 50);
	o.event = 1;
	o.first = date_month(o.event_date) + 1;
	o.last = o.first + 179;
	o.nver = 0;
	write_order(&o, NULL, NULL, 0);
	activity(&o);
	key("paid-before-verification", o.no);
	/* Verified once, 29 months ago, and paid the whole year. */
	new_order(&o, 0);
	o.issued = date_add_months(as_of, -29);
	o.event_date = o.issued - 60;
	o.emp_birth = date_add_months(o.event_date, -12 * 50);
	o.event = 1;
	o.first = date_month(o.event_date) + 1;
	o.last = o.first + 179;
	o.nver = 1;
	o.ver[0] = o.issued + 5;
	write_order(&o, NULL, NULL, 0);
	activity(&o);
	key("paid-while-suspended", o.no);
}

int
main(int argc, char **argv)
{
	long seed = 1, norders = 200, napps = -1, months = 12;
	const char *office_list = "KHL,DHK,CTG", *asof = "2026-06-30", *dir = NULL, *why;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--seed") && v)
			seed = atol(v), i++;
		else if (!strcmp(a, "--orders") && v)
			norders = atol(v), i++;
		else if (!strcmp(a, "--offices") && v)
			office_list = v, i++;
		else if (!strcmp(a, "--as-of") && v)
			asof = v, i++;
		else if (!strcmp(a, "--months") && v)
			months = atol(v), i++;
		else if (!strcmp(a, "--plants") && v)
			nplants = atoi(v), i++;
		else if (!strcmp(a, "--applications") && v)
			napps = atol(v), i++;
		else if (a[0] != '-' && !dir)
			dir = a;
		else
			die_usage("usage: board-year [--seed N] [--orders N] [--offices LIST] [--as-of DATE] "
			          "[--months N] [--plants N] [--applications N] OUTDIR");
	}
	if (!dir)
		die_usage("board-year: OUTDIR is needed");
	if (date_parse(asof, &as_of, &why) < 0)
		die_usage("--as-of: %s", why);
	pay_from = date_add_months(as_of, -(int)months);
	rs = 0x9E3779B97F4A7C15ull ^ (unsigned long long)seed * 2654435761ull;
	for (int i = 0; i < 8; i++)
		rnd();
	char *ol = xstrdup(office_list);
	offices = xmalloc(16 * sizeof *offices);
	for (char *t = strtok(ol, ","); t && noffices < 16; t = strtok(NULL, ","))
		offices[noffices++] = t;
	mkdir(dir, 0755);
	struct buf p = { 0 };
	for (int f = 0; f < NF; f++) {
		p.n = 0;
		buf_printf(&p, "%s/%s", dir, fname[f]);
		if (!(fh[f] = fopen(buf_str(&p), "w")))
			die("%s:", buf_str(&p));
	}
	const char *other[] = { "key.tsv", "serving.txt", "pensioners.txt" };
	FILE **of[] = { &keyf, &servingf, &pensionf };
	for (int f = 0; f < 3; f++) {
		p.n = 0;
		buf_printf(&p, "%s/%s", dir, other[f]);
		if (!(*of[f] = fopen(buf_str(&p), "w")))
			die("%s:", buf_str(&p));
	}
	fprintf(servingf, "# serving employees' NIDs\n");
	/* NIDs on the lists that no beneficiary has. */
	for (int i = 0; i < 20; i++) {
		fprintf(servingf, "%010ld\n", 5000000000L + between(0, 999999999));
		fprintf(pensionf, "%010ld\n", 6000000000L + between(0, 999999999));
		death_entry(i % 2 ? "19601234567890123" : "7000000001", as_of - between(10, 400));
	}
	for (long i = 0; i < norders; i++)
		clean_order();
	if (napps < 0)
		napps = norders / 10;
	for (long i = 0; i < napps; i++) {
		struct ord o;
		order_of(&o, chance(80) ? 0 : 1, 0);
		application(&o);
	}
	for (int k = 0; k < nplants; k++) {
		plant_shared();
		plant_same_person();
		plant_lists();
		plant_age();
		plant_death();
		plant_bunch();
		plant_payments();
	}
	for (int f = 0; f < NF; f++)
		if ((ob[f].n && fwrite(ob[f].p, 1, ob[f].n, fh[f]) != ob[f].n) || fclose(fh[f]) == EOF)
			die("%s: write error:", fname[f]);
	if (fclose(keyf) == EOF || fclose(servingf) == EOF || fclose(pensionf) == EOF)
		die("write error:");
	for (int f = 0; f < NF; f++)
		buf_free(&ob[f]);
	buf_free(&p);
	rw_free(&W);
	rw_free(&N);
	free(offices);
	free(ol);
	return 0;
}
