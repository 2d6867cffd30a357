/* libwgo: the one header of the library every wgo program is built on. */
#ifndef WGO_H
#define WGO_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
struct curl_slist;

#define WGO_ATTR_FMT(a, b) __attribute__((format(printf, a, b)))

/* ---- err.c: messages, exit status, output checks ---- */

enum {
	WGO_EXIT_OK = 0,      /* all good */
	WGO_EXIT_NEG = 1,     /* a negative result: rejects, discrepancies, bad signatures */
	WGO_EXIT_USAGE = 2,   /* usage or operational error */
	WGO_EXIT_TEMP = 75,   /* temporary failure worth retrying */
};

extern const char *wgo_prog;
void wgo_setprog(const char *argv0);
/* "prog: message"; a format ending in ':' appends ": strerror(errno)". */
void warnf(const char *fmt, ...) WGO_ATTR_FMT(1, 2);
void vwarnf(const char *fmt, va_list ap) WGO_ATTR_FMT(1, 0);
_Noreturn void die(const char *fmt, ...) WGO_ATTR_FMT(1, 2);
/* Called by die() and die_usage() instead of exit() when set (it must not return):
 * the fuzz targets jump back with it. */
extern void (*wgo_exit_hook)(int status);
_Noreturn void die_usage(const char *fmt, ...) WGO_ATTR_FMT(1, 2);
/* Flush and check stdout; returns status, or WGO_EXIT_USAGE on a write error. */
int wgo_finish(int status);
/* Record the worse of two statuses (75 > 2 > 1 > 0 is not the order: 2 beats 75 beats 1). */
int wgo_worse(int a, int b);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
void wgo_version(void);

/* Growable byte buffer. */
struct buf {
	char *p;
	size_t n, cap;
};
void buf_grow(struct buf *b, size_t more);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) WGO_ATTR_FMT(2, 3);
const char *buf_str(struct buf *b); /* NUL-terminated view */
void buf_free(struct buf *b);

/* An error about one value: which field, and what is wrong. */
struct werr {
	char field[400];
	char msg[256];
};
int werr_set(struct werr *e, const char *field, const char *fmt, ...) WGO_ATTR_FMT(3, 4);
/* field becomes prefix.field */
void werr_prefix(struct werr *e, const char *prefix);

/* ---- text.c: UTF-8 and Bengali digits ---- */

/* Length of the valid UTF-8 prefix; *bad_at gets the byte offset of the first bad byte. */
int utf8_valid(const char *s, size_t n, size_t *bad_at);
/* Decode one code point; returns bytes used (0 on bad input). */
int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
int utf8_encode(uint32_t cp, char out[4]);
/* Columns s takes on a terminal: one a code point, none for combining marks
 * (Bengali signs that sit on a letter, ZWJ/ZWNJ, general combining marks). */
int utf8_width(const char *s);
/* Whether s is all ASCII (no byte at or above 0x80). */
int str_ascii(const char *s);
/* Copy s with Bengali digits (U+09E6..U+09EF) turned into ASCII; trims blanks. */
int bn_digits_to_ascii(const char *s, char *out, size_t outsz);
/* Copy s with ASCII digits turned into Bengali digits. */
void ascii_digits_to_bn(const char *s, struct buf *out);
/* Write s to f, in Bengali digits when bn is set. */
void put_digits(FILE *f, const char *s, int bn);
/* s in a table cell of width terminal columns, padded (right-aligned if right), its
 * digits in Bengali if bn, escaped as by term_escape. */
void put_cell(FILE *f, const char *s, int width, int right, int bn);
/* Text from records, messages or the command line on its way to a person's
 * terminal: term_unsafe says which code points must never reach it raw (C0
 * controls, DEL, C1 controls such as U+009B, the line and paragraph separators
 * U+2028-2029, and the bidirectional controls U+061C, U+200E-200F, U+202A-202E,
 * U+2066-2069). term_escape appends s with each of those, each byte that is not
 * UTF-8, and the backslash escaped (\n \t \r \e \\ \xHH \uHHHH), so that no text can
 * move the cursor, forge a line, or reorder what follows it. Every program prints
 * record text for people through these (and warnf, put_cell). */
int term_unsafe(uint32_t c);
void term_escape(struct buf *out, const char *s, size_t n);
void term_puts(FILE *f, const char *s);
/* Fold Bengali spelling variants (nukta forms, ণ/ন, ৈ/ে, ZWJ/ZWNJ, case) for comparison. */
void bn_fold(const char *s, struct buf *out);
void b64_encode(const unsigned char *p, size_t n, struct buf *out);
int b64_decode(const char *s, size_t n, struct buf *out);

/* ---- money.c: int64 poisha ---- */

#define MONEY_SIGNED 1 /* parse: a sign is allowed */
#define MONEY_BN 2     /* format: Bengali digits */
#define MONEY_PLAIN 4  /* format: no grouping */
int money_parse(const char *s, int flags, int64_t *poisha, const char **why);
/* "1,23,45,678.00"; returns the length written. MONEY_BUFSZ holds any amount in
 * any form; a smaller buffer cuts the text short, never inside a character. */
#define MONEY_BUFSZ 96
size_t money_fmt(char *out, size_t outsz, int64_t poisha, int flags);
/* Checked arithmetic: returns 0, or -1 on overflow. */
int money_add(int64_t *acc, int64_t v);
int money_mul(int64_t *out, int64_t a, int64_t b);

/* ---- date.c: Gregorian dates, months, fiscal years, working days ---- */

/* A date is a day number (1970-01-01 = 0); a month is year*12 + (month-1). */
#define DATE_MIN_YEAR 1900
#define DATE_MAX_YEAR 2199
typedef int32_t wdate;
typedef int32_t wmonth;
wdate date_from_ymd(int y, int m, int d);
void date_to_ymd(wdate d, int *y, int *m, int *dd);
int date_valid_ymd(int y, int m, int d);
int days_in_month(int y, int m);
int is_leap(int y);
int date_weekday(wdate d); /* 0 = Sunday ... 5 = Friday, 6 = Saturday */
int date_parse(const char *s, wdate *d, const char **why);   /* YYYY-MM-DD, Bengali digits too */
int month_parse(const char *s, wmonth *m, const char **why); /* YYYY-MM */
void date_fmt(wdate d, char out[11]);
void month_fmt(wmonth m, char out[8]);
wmonth date_month(wdate d);
wdate month_first(wmonth m);
wdate month_last(wmonth m);
wdate date_add_months(wdate d, int n); /* clamped to the end of the month */
int fiscal_year(wdate d);              /* the year it starts in: 2025 for 2025-26 */
void fiscal_fmt(int fy, char out[8]);  /* "2025-26" */
int fiscal_parse(const char *s, int *fy, const char **why);
int instant_parse(const char *s, int64_t *epoch, const char **why); /* RFC 3339 */
void instant_fmt(int64_t epoch, char out[21]);                      /* UTC, Z */
/* --now, SOURCE_DATE_EPOCH, or the clock. */
int64_t wgo_now(void);
void wgo_set_now(int64_t t);
wdate wgo_today(void);

/* Working days: Friday and Saturday off, plus a holiday file. */
struct holiday {
	wdate d;
	char *name;
};
struct calendar {
	unsigned weekend;  /* bit per weekday, bit 0 = Sunday */
	struct holiday *h; /* sorted by date */
	size_t n;
	char *path;
};
void cal_init(struct calendar *c);
/* Returns 0, or -1 with e->field = "file:line" and the reason. */
int cal_load(struct calendar *c, const char *path, struct werr *e);
void cal_free(struct calendar *c);
const struct holiday *cal_holiday(const struct calendar *c, wdate d);
int cal_is_workday(const struct calendar *c, wdate d);
wdate cal_add_workdays(const struct calendar *c, wdate d, int n);
int cal_workdays_between(const struct calendar *c, wdate a, wdate b); /* working days in (a, b] */

/* ---- bangla.c: the revised (2019) Bangla Academy calendar ---- */

struct bdate {
	int y, m, d; /* m: 1 = Boishakh ... 12 = Chaitra */
};
void bangla_from_date(wdate d, struct bdate *b);
int bangla_to_date(const struct bdate *b, wdate *d, const char **why);
int bangla_month_days(int by, int bm);
const char *bangla_month_name(int m);
/* "২৫ অগ্রহায়ণ ১৪৩২" or "1432-08-25" */
void bangla_fmt(const struct bdate *b, int ascii, struct buf *out);
/* Either form above, with spelling variants, Bengali or ASCII digits, English names. */
int bangla_parse(const char *s, struct bdate *b, const char **why);
int bangla_month_lookup(const char *name);

/* ---- ident.c: NID, mobile, routing and account numbers ---- */

int nid_check(const char *s, char *norm, size_t n, const char **why);
int mobile_check(const char *s, char *norm, size_t n, const char **why);
int routing_check(const char *s, char *norm, size_t n, const char **why);
int routing_check_digit(const char *eight);
int account_check(const char *s, char *norm, size_t n, const char **why);
#define SONALI_BANK_CODE "200"
extern int account_min_len, account_max_len;

/* ---- cfg.c: configuration and the state directory ---- */

/* "key = value" lines; the same key may repeat (lists). */
struct cfg_item {
	char *key, *val;
	unsigned long line;
};
struct cfg {
	char *path;
	struct cfg_item *it;
	size_t n;
};
int cfg_load(struct cfg *c, const char *path, struct werr *e);
void cfg_free(struct cfg *c);
const char *cfg_get(const struct cfg *c, const char *key);
const struct cfg_item *cfg_next(const struct cfg *c, const char *key, const struct cfg_item *after);
const char *wgo_home(void);
void wgo_set_home(const char *dir);
/* Load $WGO_HOME/wgo.conf (if present) and apply library-wide settings. */
struct cfg *wgo_config(void);
/* Path under the state directory; caller frees. */
char *home_path(const char *rel);
/* Open the holiday calendar: --holidays, config "holidays", $WGO_HOME/holidays. */
int wgo_calendar(struct calendar *c, const char *opt_path, struct werr *e);

/* ---- rec.c: the record stream ---- */

#define REC_MAX_LINE (1024 * 1024) /* bytes in one record line, newline excluded */

struct rpos {
	const char *file;
	unsigned long line;
};

struct json_t;
struct rloop;
/* Return 0 to accept, -1 to reject (fill e), -2 to stop: e is reported as
 * "field: msg", the loop reads no further, and its status is 2. */
typedef int (*rec_cb)(struct rloop *L, struct json_t *rec, const struct rpos *pos, struct werr *e);

struct rloop {
	rec_cb cb;
	void *ctx;
	int validate;         /* check each record against its kind's schema */
	int validate_here;    /* ... in the caller's thread, when the reader is the busier */
	int transient;        /* records never outlive their callback: parse into arenas */
	const char *const *kinds; /* kinds the tool consumes (NULL: any) */
	int passthrough;      /* other kinds go to stdout unchanged */
	FILE *rejects;        /* where rejected lines go, or NULL */
	int quiet;            /* do not print each reject */
	size_t maxline;
	unsigned long nread, nok, nrejected, npassed;
	int status;           /* worst status met (I/O errors) */
	int stop;             /* set when a callback returned -2: read no further */
	/* Optional, run in the reader thread on each valid record of a wanted kind (it
	 * must be thread-safe); its error, if any, is in precheck_err during cb. */
	int (*precheck)(struct json_t *rec, struct werr *e, void *ctx);
	const struct werr *precheck_err;
	/* Optional: told of each rejected record, after it is reported. */
	void (*on_reject)(struct rloop *L, const struct rpos *pos, const struct json_t *rec,
	                  const struct werr *e);
};
/* Parse one line (no newline) into an object; NULL with e filled on error. */
struct json_t *rec_parse(const char *line, size_t len, struct werr *e);
/* Run the loop over files (none or "-": stdin). Returns an exit status. */
int rec_loop(struct rloop *L, int argc, char **argv);
/* Report and write out a rejected record (rec may be NULL: raw is used). */
void rec_reject(struct rloop *L, const struct rpos *pos, const struct json_t *rec,
                const char *raw, size_t rawlen, const struct werr *e);
FILE *rec_open_rejects(const char *path);

/* ---- jsonw.c: writing records ---- */

/* Compact JSON with each kind's fixed key order, newline-terminated. */
void rec_dump(const struct json_t *rec, struct buf *out);
int rec_write(FILE *f, const struct json_t *rec);
/* Any JSON value, compact, objects' keys as stored (appended to out). */
void json_dump_compact(const struct json_t *v, struct buf *out);
/* RFC 8785 canonical form (keys sorted by UTF-16 code units). */
int jcs_dump(const struct json_t *v, struct buf *out);
void json_put_string(struct buf *b, const char *s, size_t n);

/* ---- schema.c: the record kinds ---- */

#define WGO_FORMAT_VERSION 1
const char *const *rec_kinds(void);
int rec_kind_known(const char *kind);
/* Validate and normalise (Bengali digits, mobile form) in place. */
int rec_validate(struct json_t *rec, struct werr *e);
/* The same, and an error when any value was not already in its normal form. */
int rec_validate_canonical(struct json_t *rec, struct werr *e);
/* Key order for an object at path ("" = top level) of a kind; NULL if free. */
const char *const *rec_key_order(const char *kind, const char *path);
/* kind<TAB>field<TAB>type<TAB>required|optional[<TAB>values], one line a field. */
int rec_schema_dump(FILE *f, const char *kind);
/* Office codes. */
int office_valid(const char *code);
const char *const *office_codes(void);
const char *office_name(const char *code, int bn);

/* ---- recw.c: writing records through the schema ---- */

/* A new record of a kind with "kind" and "v" set (dies on an unknown kind). */
struct json_t *rec_new(const char *kind);
/* A record line written straight from values, for loops that write millions: the
 * kind's key order and the "v" come from the schema; a key the kind lacks, or one
 * set twice, is a programming error (dies). rw_begin_obj writes an object nested
 * at path (e.g. "account") with no newline, for rw_raw into its parent. */
#define RW_MAX_KEYS 64
struct rw {
	const char *kind, *path;
	const char *const *order;
	size_t nkeys, last;
	uint64_t set;
	uint32_t off[RW_MAX_KEYS], len[RW_MAX_KEYS];
	struct buf vals;
};
void rw_begin(struct rw *w, const char *kind);
void rw_begin_obj(struct rw *w, const char *kind, const char *path);
void rw_str(struct rw *w, const char *key, const char *s);
void rw_int(struct rw *w, const char *key, long long v);
void rw_bool(struct rw *w, const char *key, int v);
void rw_date(struct rw *w, const char *key, wdate d);
void rw_month(struct rw *w, const char *key, wmonth m);
void rw_raw(struct rw *w, const char *key, const char *json, size_t n); /* JSON text */
void rw_json(struct rw *w, const char *key, const struct json_t *v);
int rw_has(const struct rw *w, const char *key);
/* Append the record (a newline after a top-level one) and reset for the next. */
void rw_end(struct rw *w, struct buf *out);
void rw_free(struct rw *w);

/* Small helpers over jansson. */
const char *jstr(const struct json_t *o, const char *key);
long long jint(const struct json_t *o, const char *key, long long dflt);
struct json_t *jget(const struct json_t *o, const char *path); /* "a.b.c" */

/* ---- store.c: state on disk ---- */
int mkdirs(const char *path, struct werr *e);
/* An exclusive flock on path (created 0600); the fd, or -1. */
int lock_file(const char *path, int nonblock, struct werr *e);
int write_all(int fd, const void *p, size_t n);
int append_sync(int fd, const void *p, size_t n);
/* Write to a temporary file, fsync, rename over path, fsync the directory. */
int atomic_write(const char *path, const void *p, size_t n, mode_t mode, struct werr *e);
int counter_read(const char *path, long long *v, struct werr *e);
int counter_write(const char *path, long long v, struct werr *e);

/* ---- hmap.c: string-keyed hash table, fixed-size values ---- */
struct hmap_slot {
	const char *key;
	uint64_t hash;
};
struct hmap_chunk {
	struct hmap_chunk *next;
	char data[];
};
struct hmap {
	size_t cap, n, vsize;
	struct hmap_slot *slots;
	unsigned char *vals;
	struct hmap_chunk *chunks;
	char *arena;
	size_t arena_left;
};
void hmap_init(struct hmap *m, size_t vsize);
void *hmap_get(const struct hmap *m, const char *k);
void *hmap_getn(const struct hmap *m, const char *k, size_t n);
/* The value slot for k, zeroed when new; pointers stay valid until the next put. */
void *hmap_put(struct hmap *m, const char *k, int *isnew);
void *hmap_putn(struct hmap *m, const char *k, size_t n, int *isnew);
const char *hmap_key(const struct hmap *m, const void *val);
void *hmap_iter(const struct hmap *m, size_t *i); /* start with *i = 0 */
void hmap_free(struct hmap *m);

/* ---- grant.c: rates, terms, and what an application makes ---- */
enum { RATE_WELFARE, RATE_GROUP_INSURANCE, RATE_FUNERAL_EMPLOYEE, RATE_FUNERAL_FAMILY, RATE_KINDS };
struct rate {
	wdate from;
	int64_t poisha;
};
struct ratelist {
	struct rate *r;
	size_t n;
};
struct rules {
	struct ratelist rate[RATE_KINDS];
	int term_death_in_service;       /* months */
	int term_death_after_retirement; /* months from retirement */
	int term_retired_invalid;        /* months */
	int retired_invalid_age;         /* years */
};
int rules_load(const struct cfg *c, struct rules *r, struct werr *e);
void rules_free(struct rules *r);
/* Fill an order's term, rates or lump sum, arrears and total from an application. */
int order_terms(const struct json_t *app, wdate issued, const struct rules *r,
                struct json_t *order, struct werr *e);
/* An unnumbered, unsigned order (order_no "-", revision 0), or NULL with e filled. */
/* A new order's head: kind, v, order_no, revision 0, office, issued, issued_bn. */
struct json_t *order_new(const char *order_no, const char *office, wdate issued);
struct json_t *order_from_application(const struct json_t *app, wdate issued,
                                      const struct rules *r, struct werr *e);
struct json_t *order_to_application(const struct json_t *order);

/* ---- reg.c: the order register ---- */
struct reg {
	char *dir, *path;
	int dry, fd, lockfd;
	off_t end; /* bytes synced to the register */
	struct hmap orders, dups, counters;
	struct buf pending;
	size_t npending;
	/* Called on the pending lines before they are written or read back. */
	void (*settle)(void *ctx, struct buf *pending);
	void *settle_ctx;
};
/* Lock (unless dry), load and index the register; a torn last line is dropped. */
int reg_open(struct reg *r, int dry, struct werr *e);
/* The live order with the same grant, employee and beneficiary, or NULL. */
const char *reg_duplicate(struct reg *r, const struct json_t *order, wmonth now);
/* The next number of OFFICE-FY; never one handed out before, even after a crash. */
int reg_number(struct reg *r, const char *office, int fy, char *out, size_t n, struct werr *e);
/* Queue an order: it reaches out only after the register holding it is synced. */
int reg_add(struct reg *r, const struct json_t *order, FILE *out, struct werr *e);
/* The same, with the order's line already written (newline included). */
int reg_add_line(struct reg *r, const struct json_t *order, const char *line, size_t n,
                 FILE *out, struct werr *e);
int reg_flush(struct reg *r, FILE *out, struct werr *e);
struct json_t *reg_latest(struct reg *r, const char *order_no, struct werr *e);
int reg_close(struct reg *r, FILE *out, struct werr *e);

/* ---- sched.c: the payment model (domain.md) ---- */
struct sched_params {
	int interval;       /* months from a verification to its window (10) */
	int window;         /* months the window lasts (1) */
	int pay_days;       /* working days to pay after a verification (3) */
	int due_wd;         /* month M is due on this working day of M+1 (3) */
	int resume_arrears; /* months withheld in a lapse are paid on resumption */
	const struct calendar *cal;
	wdate *due_cache;   /* regular due date by month, filled as asked */
};
#define SCHED_MAX_RATES 64
struct sched_rate {
	wmonth from, to;
	int64_t poisha;
};
struct sched_order {
	wdate issued;
	int lump;
	int64_t lump_poisha;
	wmonth first, last;
	struct sched_rate *rate; /* allocated by sched_order_load */
	size_t nrates;
};
enum { SCHED_REGULAR, SCHED_ARREARS, SCHED_RESUMED, SCHED_LUMP };
enum { SCHED_DUE, SCHED_WITHHELD, SCHED_FORFEITED };
struct sched_item {
	wmonth month;      /* -1 for a lump sum */
	int64_t poisha;
	int kind, state;
	wdate regular_due; /* month: due_wd-th working day of the next month */
	wdate due;         /* when state is DUE: the date it must be paid by */
	wdate released;    /* for arrears: the verification that released it */
};
enum { SCHED_AWAITING_FIRST, SCHED_ACTIVE, SCHED_DUE_STATE, SCHED_SUSPENDED, SCHED_ENDED };
struct sched_status {
	int state;
	int has_first, has_last, has_window;
	int needs_window; /* a month falls due after the window closes */
	wdate first_verification, last_verification, window_from, window_to;
	wdate suspended_from, first_payment_due, card_due;
	int payable_months, arrears_months, withheld_months, forfeited_months;
	int64_t payable_poisha, arrears_poisha, forfeited_poisha;
};
void sched_defaults(struct sched_params *p, const struct calendar *cal);
void sched_params_free(struct sched_params *p);
int sched_order_load(const struct json_t *order, struct sched_order *so, struct werr *e);
void sched_order_free(struct sched_order *so);
int64_t sched_month_amount(const struct sched_order *so, wmonth m);
wdate sched_regular_due(const struct sched_params *p, wmonth m);
wdate sched_window_from(const struct sched_params *p, wdate last_verified);
wdate sched_window_to(const struct sched_params *p, wdate last_verified);
wdate sched_card_due(wmonth last);
size_t sched_count(const struct sched_order *so);
/* One item per payable month (or the lump sum), given sorted verification dates. */
size_t sched_items(const struct sched_order *so, const wdate *v, size_t nv,
                   const struct sched_params *p, struct sched_item *out, size_t cap);
/* Where the order stands on as_of, knowing the verifications up to that day. */
void sched_status(const struct sched_order *so, const wdate *v, size_t nv,
                  const struct sched_params *p, wdate as_of, struct sched_status *st);
const char *sched_state_name(int state);
/* Apply lifeverify.interval, .window, .payment_days, .due_day, .resume_arrears. */
int sched_params_config(struct sched_params *p, const struct cfg *c, struct werr *e);
/* The model's options on a command line: --interval, --window, --resume-arrears
 * (name without the dashes); -1 where not given. A bad value is a usage error. */
struct sched_cli {
	long interval, window;
	int resume;
};
#define SCHED_CLI_INIT { -1, -1, -1 }
void sched_option(struct sched_cli *c, const char *name, const char *arg);
/* The model a program runs: the calendar with its holiday file, the defaults, the
 * configuration, then the options (c may be NULL). Dies on a bad file. */
void sched_setup(struct sched_params *p, struct calendar *cal, const char *holidays,
                 const struct sched_cli *c);

/* ---- sign.c: office keys and signatures (libsodium) ---- */

struct wkey {
	char office[5];
	uint8_t id[8];
	uint8_t pk[32];
	uint8_t sk[64];
	int has_sk;
	/* Validity, from the keyring (wgo-keygen(1)); a date counts only with its bit. */
	unsigned dates;
	wdate valid_from, retired, revoked;
};
#define KEY_FROM 1u
#define KEY_RETIRED 2u
#define KEY_REVOKED 4u
struct keyring {
	struct wkey *k;
	size_t n;
	wdate today; /* revocations are judged on this day: wgo_today() at load */
};
void sign_init(void);
void keyid_hex(const uint8_t id[8], char out[17]);
int key_generate(struct wkey *k, const char *office);
void key_wipe(struct wkey *k);
void pubkey_text(const struct wkey *k, struct buf *b);
int pubkey_write(const char *path, const struct wkey *k, struct werr *e);
int pubkey_parse(const char *text, const char *path, struct wkey *k, struct werr *e);
/* pass NULL: none.  Returns -2 when the key is sealed and no passphrase was given. */
int seckey_write(const char *path, const struct wkey *k, const char *pass, struct werr *e);
int seckey_load(const char *path, const char *pass, struct wkey *k, struct werr *e);
/* Refuse a secret file that is not regular or is readable by group or others. */
int secret_fd_check(int fd, const char *path, struct werr *e);
int secret_read(const char *path, char *out, size_t cap, struct werr *e);
/* The same for a file named on the command line by opt: a name that is no file is
 * not repeated in e (it may be the secret itself, typed in its file's place). */
int secret_read_opt(const char *opt, const char *path, char *out, size_t cap, struct werr *e);
/* The same from an open descriptor (a pipe, or a file of mode 0600), which it
 * closes. */
int secret_read_fd(int fd, char *out, size_t cap, struct werr *e);
/* From a file (mode checked) or, when file is NULL, asked on /dev/tty. */
int read_passphrase(const char *file, const char *prompt, int confirm, char *out, size_t n,
                    struct werr *e);
int keyring_load(struct keyring *r, const char *path, struct werr *e); /* file or directory */
void keyring_free(struct keyring *r);
const struct wkey *keyring_find(const struct keyring *r, const uint8_t id[8]);
/* A keyring entry as written: the public key's two lines and its dates. */
void keyring_entry_text(const struct wkey *k, struct buf *b);
/* Add a key (with its dates) to a keyring: a new OFFICE-KEYID.pub in a directory
 * (made if need be; never over a file), or at the end of a keyring file. */
int keyring_add(const char *path, const struct wkey *k, struct werr *e);
/* Put "valid-from:", "retired:" or "revoked:" (which: KEY_FROM, ...) with date d
 * under key id in the keyring file (or directory) path, replacing one there. */
int keyring_set_date(const char *path, const uint8_t id[8], unsigned which, wdate d,
                     struct werr *e);
/* -1 (e filled) when k is revoked on today: nothing it signed is trusted. */
int key_revoked(const struct wkey *k, wdate today, struct werr *e);
/* -1 (e filled) when k may not sign what is dated day: revoked (on today, or from
 * before day), retired on or before day, or valid only later. what says what the
 * day is in the message ("the order was issued"). */
int key_valid_on(const struct wkey *k, wdate day, wdate today, const char *what,
                 struct werr *e);
void sig_detached(const struct wkey *k, const void *msg, size_t n, uint8_t sig[64]);
int sig_verify(const struct wkey *k, const void *msg, size_t n, const uint8_t sig[64]);
int sig_b64_decode(const char *s, uint8_t sig[64]);
/* An office's secret key: keyfile, or $WGO_HOME/keys/OFFICE.sec; a sealed key's
 * passphrase from passfile or the terminal. office NULL: any office. */
int office_key_load(const char *keyfile, const char *office, const char *passfile,
                    struct wkey *k, struct werr *e);
int order_sign(struct json_t *order, const struct wkey *k, struct werr *e);
/* The bytes an order's signature is over: its canonical form without signature. */
int order_message(struct json_t *order, struct buf *msg);
/* {"alg":"ed25519","key_id":"...","value":"..."} */
void signature_text(const struct wkey *k, const uint8_t sig[64], struct buf *out);
/* Signature, key id, the key's office, the key's validity on the order's issued
 * date (and revocation on r->today), and that the order is in canonical form. */
int order_verify(struct json_t *order, const struct keyring *r, struct werr *e);

/* Signing on worker threads, for a stream of orders that must come out in order and
 * byte-identical to order_sign's. order_sign_later puts the order's canonical form
 * in msg and a placeholder signature (of the real one's length) in the order; once
 * the order's line is in a buffer, signq_submit hands msg (taken over) to a worker
 * with where the line's placeholder value starts; signq_settle waits for every
 * signature submitted and writes each over its placeholder. */
#define SIGNQ_CAP 4096
#define SIG_B64_LEN 88
struct signq;
/* Workers for this machine, or NULL when it has one core: sign in place then. */
struct signq *signq_new(void);
int order_sign_later(struct json_t *order, const struct wkey *k, struct buf *msg,
                     struct werr *e);
/* Where the placeholder value starts in line, or -1. */
long signq_placeholder(const char *line, size_t n);
size_t signq_pending(const struct signq *q);
void signq_submit(struct signq *q, const struct wkey *k, struct buf *msg, size_t off);
void signq_settle(struct signq *q, struct buf *into);
void signq_free(struct signq *q);

/* ---- api.c: the bank API, wgo-api(7) ---- */
#define API_VERSION "1.0.0"
#define API_BANK_ID "sonali-ddp"
struct api_err {
	int http;
	char code[64];
	char msg[256];
};
int api_err(struct api_err *e, int http, const char *code, const char *fmt, ...)
	WGO_ATTR_FMT(4, 5);
/* Envelopes carry the real time in message_ts; a dry run may take --now's. */
void api_use_fixed_clock(int on);
int64_t api_clock(void);
/* ORDER_NO-rREVISION */
const char *api_reference_id(const struct json_t *order, char *out, size_t n);
int api_parse_reference(const char *ref, char *order_no, size_t n, int *revision);
/* account:NUMBER@ROUTING */
void api_payee_fa(const char *number, const char *routing, char *out, size_t n);
int api_parse_payee_fa(const char *fa, char *number, char *routing);
/* A disbursement's amount in its one wire form ("408000.00"); -1 with why if not. */
int api_amount_parse(const char *s, int64_t *poisha, const char **why);
/* A disbursement item carrying the signed order. */
struct json_t *api_disbursement(struct json_t *order);
void api_message_id(char out[33]);
/* A signed envelope as JSON text (steals message). */
int api_envelope(struct buf *out, const char *action, const char *sender, const char *receiver,
                 long total, struct json_t *message, const struct wkey *k);
/* Parse and check an envelope: header, replay window, sender's key, signature. */
int api_open(const char *body, size_t n, const struct keyring *ring, int64_t now, int window,
             struct json_t **env, const struct wkey **key, struct api_err *e);
/* What makes two sendings of a disbursement the same: its fields and the order's
 * signature (which pins the order's content). */
void api_content_hash(struct json_t *item, uint8_t out[16]);
int api_http_transient(long http);

/* ---- http.c: HTTP to the bank (libcurl) ---- */
struct bank {
	char *endpoint, *auth, *ca_file, *cert, *cert_key, *receiver;
	long timeout_ms;
};
/* Endpoint and token from the options or the configuration; TLS is always verified. */
/* The token: from descriptor token_fd (when >= 0), token_file, bank.token_file in
 * wgo.conf, or WGO_BANK_TOKEN (whose bytes are then wiped from the environment),
 * in that order; b->auth is in secret memory. */
int bank_load(struct bank *b, const char *endpoint, const char *token_file, int token_fd,
              struct werr *e);
void bank_free(struct bank *b);
struct http_req {
	char url[512];
	struct buf body, resp;
	long status;      /* HTTP status; 0 when the transfer failed */
	int curl_code;
	char err[256];
	long retry_after; /* seconds, or -1 */
	void *user;
	void *easy;
	struct curl_slist *hdrs;
};
struct http {
	void *multi;
	const struct bank *bank;
	int running;
	void **idle;
	size_t nidle;
};
int http_init(struct http *h, const struct bank *b, int max_conns);
void http_free(struct http *h);
void http_start(struct http *h, struct http_req *r, const char *path);
/* A finished request, or NULL (none running, or none finished and !wait). */
struct http_req *http_next(struct http *h, int wait);
/* The same, waiting at most wait_ms (-1: until one finishes). */
struct http_req *http_next_within(struct http *h, long wait_ms);
/* One request, waited for. */
int http_post(struct http *h, struct http_req *r, const char *path);
int http_curl_permanent(int curl_code);
/* How long to wait before attempt n+1, in ms (jittered; Retry-After is a floor). */
long http_backoff(int attempt, long retry_after, long max_ms);

/* ---- journal.c: what the bank accepted, for wgo-push ---- */
struct journal {
	char *path;
	int fd, lockfd;
	struct hmap acc;
	struct buf pending;
};
/* Lock $WGO_HOME/push and read the journal; damage (but a torn last line) is an error. */
int journal_open(struct journal *j, struct werr *e);
/* The bank's reference if ref was accepted with this content hash, else NULL. */
const char *journal_accepted(const struct journal *j, const char *ref, const char hash[33]);
void journal_add(struct journal *j, const char *ref, const char hash[33], const char *bank_ref);
int journal_sync(struct journal *j, struct werr *e);
void journal_close(struct journal *j);

/* ---- opts.c: shared option handling ---- */
struct option;
/* getopt_long with options anywhere; returns the arguments (free it), count in *npos. */
char **wgo_getopt(int argc, char **argv, const char *shortopts, const struct option *lo,
                  void (*on_opt)(int c, char *arg), int *npos);
/* --now INSTANT: take it as the current time (a usage error if it is not one). */
void wgo_opt_now(const char *arg);
/* --help (usage on stdout) or, with NULL, --version; then exit 0. */
_Noreturn void wgo_help(const char *usage);
/* Parse "--lang": returns 1 for bn, 0 for en, -1 if unknown. */
int lang_parse(const char *s);
/* Parse a non-negative integer with Bengali digits allowed. */
int uint_parse(const char *s, long max, long *out);

/* ---- secret.c: secrets kept out of core dumps and other processes ---- */
/* First thing in a program that holds a key, a bank token or a passphrase: not
 * dumpable (no core file; no ptrace, /proc/PID/mem or /proc/PID/environ for other
 * processes of the user), RLIMIT_CORE 0 and coredump_filter 0. Dies if it cannot. */
void secrets_protect(void);
/* Zeroed memory for a secret (libsodium's guarded allocation: guard pages, mlock
 * where the limit allows, MADV_DONTDUMP); dies when there is none. */
void *secret_alloc(size_t n);
void secret_free(void *p); /* wipes; NULL is fine */
/* An environment variable's value in secret memory (NULL if unset or empty); every
 * copy of it in the environment block is overwritten, so that /proc/PID/environ no
 * longer shows it, and the variable is unset (no child inherits it). */
char *secret_getenv(const char *name);

#endif
