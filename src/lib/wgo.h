/* libwgo: the one header of the library every wgo program is built on. */
#ifndef WGO_H
#define WGO_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
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
/* A regular file opened for reading; NULL with errno set otherwise (EINVAL for a
 * FIFO, a device or a socket, which would block or never end). */
FILE *fopen_file(const char *path);
void wgo_version(void);

/* Growable byte buffer. */
struct buf {
	char *p;
	size_t n, cap;
};
void buf_grow(struct buf *b, size_t more);
/* The two most called functions of the toolkit (every byte of JSON written): the
 * room check inline, the growing not. */
static inline void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->cap - b->n <= n)
		buf_grow(b, n);
	if (n) /* p may be an empty buffer's NULL */
		memcpy(b->p + b->n, p, n);
	b->n += n;
}
static inline void
buf_addc(struct buf *b, char c)
{
	if (b->cap - b->n <= 1)
		buf_grow(b, 1);
	b->p[b->n++] = c;
}
void buf_adds(struct buf *b, const char *s);
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
/* The largest amount, and the largest sum, a record holds (wgo-record(5)). */
#define MONEY_MAX 1000000000000000LL
/* Add v to a total that a record will carry: 0, or -1 (acc unchanged) when the sum
 * would leave -MONEY_MAX..MONEY_MAX. */
int money_sum(int64_t *acc, int64_t v);
/* A count grouped as amounts are (lakh and crore): "12,34,567"; MONEY_BN for
 * Bengali digits. */
size_t num_fmt(char *out, size_t outsz, int64_t n, int flags);

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
/* As a person says them: "10 December 2025", "১০ ডিসেম্বর ২০২৫"; "December 2025". */
void date_long(wdate d, int bn, struct buf *out);
void month_long(wmonth m, int bn, struct buf *out);
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
/* Holidays from a file into c (made by cal_init). Returns 0, or -1 with
 * e->field = "file:line" and the reason. */
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
/* Gregorian months and dates in English or as Bengali letters write them:
 * "10 December 2025", "১০ ডিসেম্বর ২০২৫". */
const char *greg_month_name(int m, int bn);
void greg_fmt(wdate d, int bn, struct buf *out);

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
/* The settings a program cannot run without: when $WGO_HOME/wgo.conf does not
 * exist, or leaves any of keys (NULL-terminated; NULL: none) unset, one error
 * naming the file, what is missing and what to do, and exit 2. */
void wgo_config_need(const char *const *keys);
/* Open the holiday calendar: --holidays, config "holidays", $WGO_HOME/holidays. */
int wgo_calendar(struct calendar *c, const char *opt_path, struct werr *e);

/* ---- progress.c: progress and the summary of long runs (stderr) ---- */

/* Shown when stderr is a terminal (AUTO), or forced on or off; the summary line
 * also with --summary alone. */
enum { PROGRESS_OFF = 0, PROGRESS_ON = 1, PROGRESS_AUTO = -1 };
void progress_set(int mode);
void summary_set(int on);
int progress_enabled(void);
int summary_enabled(void);
/* --progress, --no-progress or --summary (the name without dashes). */
void progress_option(const char *name);
struct progress {
	int on, drawn;
	const char *unit;
	uint64_t total_bytes, total_items, items, bytes;
	double t0, last;
};
/* total_bytes or total_items 0 when unknown: then no share and no time left. */
void progress_start(struct progress *p, const char *unit, uint64_t total_bytes,
                    uint64_t total_items);
void progress_tick(struct progress *p, uint64_t items, uint64_t bytes);
void progress_end(struct progress *p);
/* "prog: " and the line, on stderr, when summaries are on. */
void summary(const char *fmt, ...) WGO_ATTR_FMT(1, 2);

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
	/* Optional, run like precheck, after it: work on the record that need not wait
	 * for the caller's thread (wgo-export's name keys). What it returns (from
	 * malloc, or NULL) is in prepared during cb, and freed by the loop after. */
	void *(*prepare)(struct json_t *rec, void *ctx);
	void *prepared;
	/* Optional: told of each rejected record, after it is reported. */
	void (*on_reject)(struct rloop *L, const struct rpos *pos, const struct json_t *rec,
	                  const struct werr *e);
	const char *rejects_name; /* set by rec_rejects_to, for the summary */
	const char *unit;         /* what the progress counts (default "records") */
	struct progress progress; /* shown while the loop runs */
	/* Optional, run in the reader thread on every line, in order, before it is
	 * parsed (the store's check, store_loop): it may shorten the line in place;
	 * 1 skips it; -1 (e filled) stops the loop there, e reported, status 2.
	 * complete is 0 for a last line without its newline. */
	int (*line_check)(void *ctx, char *line, size_t *len, int complete, struct werr *e);
	void *line_ctx;
};
/* JSON values made in this thread while an arena is in use are allocated from it,
 * cost no free, and all go when it is freed: nothing made then may be kept after.
 * A key set in one of its objects once the arena is no longer in use is malloc'd:
 * release the tree (json_decref) before the arena is freed. json_arena_use returns
 * the arena that was in use (NULL: none), to be put back after. */
struct json_arena;
struct json_arena *json_arena_new(void);
struct json_arena *json_arena_use(struct json_arena *a);
void json_arena_free(struct json_arena *a);
/* Parse one line (no newline) into an object; NULL with e filled on error. */
struct json_t *rec_parse(const char *line, size_t len, struct werr *e);
/* rec_parse's fast path: the object on a plain line, or NULL when the line is
 * anything it is not sure of (then jansson parses it). Never accepts what
 * jansson refuses, and gives the same tree; tested against jansson. */
struct json_t *json_parse_plain(const char *line, size_t len);
/* Run the loop over files (none or "-": stdin). Returns an exit status. */
int rec_loop(struct rloop *L, int argc, char **argv);
/* Report and write out a rejected record (rec may be NULL: raw is used). */
void rec_reject(struct rloop *L, const struct rpos *pos, const struct json_t *rec,
                const char *raw, size_t rawlen, const struct werr *e);
FILE *rec_open_rejects(const char *path);
/* Open the rejects file (or "-": stderr) for the loop, named in its summary. */
void rec_rejects_to(struct rloop *L, const char *path);
/* The run's summary line: "N read, WHAT, M rejected (in FILE)", when summaries
 * are on (see progress.c). */
void rec_summary(const struct rloop *L, const char *what, ...) WGO_ATTR_FMT(2, 3);

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
/* The fields of a kind, for programs that follow the schema instead of restating it
 * (wgo-export's tables). */
struct rec_field {
	const char *kind, *name;
	const char *path;    /* from the record: "beneficiary.nid", "rates[].from" */
	const char *type;    /* as rec_schema_dump prints it: string, date, poisha, enum,
	                      * object, array (of objects), strings, nid, ... */
	int required;        /* within the object that holds it */
	int depth;           /* 0 for a top-level field */
	int nested;          /* an object or array whose fields are walked next */
	int pii;             /* PII_NID, PII_MOBILE, PII_ACCOUNT, or -1 */
	const char *const *values; /* an enum's (or an office's) values, NULL-terminated */
	long long lo, hi;    /* integer and money bounds; a string's or array's most bytes in hi */
	const struct rec_field *parent; /* the object or array holding it, or NULL */
};
typedef int (*rec_field_fn)(const struct rec_field *f, void *ctx);
/* fn on every field of kind in output order, an object's or array item's fields
 * right after it (the pointers live until fn returns). A non-zero return from fn
 * ends the walk and is returned; -1 for an unknown kind. */
int rec_schema_walk(const char *kind, rec_field_fn fn, void *ctx);
/* The fields naming one record of a kind (NULL-terminated), or NULL where the
 * format has no such key. */
const char *const *rec_kind_key(const char *kind);
/* Office codes. */
int office_valid(const char *code);
const char *const *office_codes(void);
const char *office_name(const char *code, int bn);

/* ---- pii.c: personal numbers masked for sharing ---- */
enum { PII_NID, PII_MOBILE, PII_ACCOUNT };
/* How many characters of each stay visible at the start and at the end. */
void pii_keep(int what, int *head, int *tail);
/* s with the other characters as '*' in out (emptied first): "+88017******78". */
void pii_mask(int what, const char *s, struct buf *out);
/* Free text with every run of PII_TEXT_DIGITS or more digits that stands on its own
 * (not "KHL-2025-26-000003") masked as an account: "paid into ******321". */
#define PII_TEXT_DIGITS 6
void pii_mask_text(const char *s, struct buf *out);

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

/* ---- store.c: the store, every append-only log of the state directory ----
 * The order register, the push journal, the sandbox's ledger, the complaint log
 * (and the scan's review log) are logs of this one kind. A log is a file of lines,
 * each a JSON object whose last key is the store's check on it:
 *   STORE_SUM   ...,"check":"<16 hex>"}  the first 8 bytes of BLAKE2b-128 of the
 *               line with the check taken out (the record);
 *   STORE_CHAIN ...,"prev":"<64 hex>"}   BLAKE2b-256 of the line before (64 zeros
 *               for the first), and a head file PATH.head ("seq N", "size N",
 *               "hash H", then the owner's own lines) vouching for the last line,
 *               so that lines cut from the end are found too.
 * A log is opened under a lock and replayed through a callback. A line that fails
 * its check, or that the callback refuses, is damage: an error naming PATH:LINE,
 * and nothing after it is trusted. A last line without its newline (a torn tail:
 * a crash mid-append, never acknowledged) is moved by a writer to PATH.torn with a
 * message, never appended to; a reader skips it (it may be an append under way).
 * Appends are batched: store_add seals a record in memory, store_write writes what
 * is sealed, store_sync makes it durable. Several threads may each write under the
 * caller's own mutex and sync after releasing it (group commit: every answer waits
 * for a sync that began after its own write, and no request waits for another's). */
enum { STORE_SUM, STORE_CHAIN };
enum {
	STORE_READ, /* no lock, read only: a missing file is an empty log */
	STORE_WAIT, /* take the lock, waiting for whoever holds it */
	STORE_TRY,  /* take the lock, or fail at once naming the process that holds it */
};
struct store_opts {
	int check;            /* STORE_SUM or STORE_CHAIN */
	int lock;             /* STORE_READ, STORE_WAIT or STORE_TRY */
	const char *lockpath; /* the lock file; default PATH.lock */
	int from_head;        /* STORE_CHAIN writers: check the head's last line, and
	                       * replay only what follows it (the rest, a full replay
	                       * checks) */
	int adopt;            /* STORE_SUM: a log written before the store, no line
	                       * with a check, is sealed by a writer (the old one kept
	                       * as PATH.unsealed), then replayed as any other; a
	                       * reader reads it as it is */
};
/* One line as replay hands it over. */
struct store_rec {
	const char *p;      /* the record: SUM, the line without its check; CHAIN, the line */
	size_t n;
	unsigned long line; /* 1 for the file's first line */
	off_t off;          /* where the line starts in the file */
	size_t len;         /* its length in the file, newline excluded */
};
/* 0 to take the line; -1 (e filled: field and reason) to call it damaged; -2 to
 * stop the replay for a reason of the caller's own (e as it was filled; store_open
 * returns -2). A line is handed over before the lines after it are checked: when
 * the replay fails, the caller drops all it was given. */
typedef int (*store_fn)(void *ctx, const struct store_rec *r, struct werr *e);
struct store {
	char *path, *lockpath;
	int check, fd, lockfd, writer;
	int unsealed;          /* read only: a log of before the store, read as it is */
	int broken;            /* a write or sync failed: nothing more is taken */
	off_t size;            /* bytes of whole lines written to the file */
	unsigned long lines;   /* lines written and sealed */
	char hash[65];         /* CHAIN: the hash of the last line sealed */
	struct buf pending;    /* sealed lines not yet written */
	struct buf head;       /* CHAIN: the owner's lines of the head file, "word ...\n" */
	/* private: what was written, to go back to when a write fails */
	unsigned long wlines;
	char whash[65];
};
/* Open (creating it for a writer) and replay the log at path; fn may be NULL.
 * Returns 0, or -1 with e->field "PATH:LINE" (or the file) and the reason (-2 when
 * fn stopped it); the store is then closed. */
int store_open(struct store *s, const char *path, const struct store_opts *o, store_fn fn,
               void *ctx, struct werr *e);
/* Seal a record (one JSON object, no newline) into memory; its offset in the file
 * to be, or -1 when the store is read only or broken. CHAIN: the record has no
 * "prev" yet; it gets s->hash as it was before this call. */
off_t store_add(struct store *s, const char *rec, size_t n);
/* Write what is sealed (no sync). On an error the file is cut back to its last
 * whole line, what was sealed is dropped, and the store is broken. */
int store_write(struct store *s, struct werr *e);
/* Make what is written durable; CHAIN: then write the head. SUM: it may run
 * outside the lock the caller writes under. */
int store_sync(struct store *s, struct werr *e);
int store_flush(struct store *s, struct werr *e); /* write, then sync */
/* The record of the line at off (len as replay gave it, or as store_add made it)
 * into out, replacing what out held: SUM, checked again; CHAIN, the line as it is
 * (its chain was checked when it was replayed). */
int store_get(struct store *s, off_t off, size_t len, struct buf *out, struct werr *e);
/* Release the lock and the file; what is sealed and not written is dropped. */
void store_close(struct store *s);
/* How long, newline included, the line a record of n bytes becomes. */
size_t store_line_len(const struct store *s, size_t n);
/* Replay the log at path, read only, through a record loop, in two threads: the
 * loop's reader checks each line as store_open does (without the lock), then
 * parses it, and L->cb runs in the caller's thread (for logs read whole and
 * often: the complaint log). A damaged line stops the loop, said as FILE:LINE:
 * damaged: ...; the loop's status is then 2. L->line_check is the store's. */
int store_loop(const char *path, int check, struct rloop *L);
/* BLAKE2b-256 of a line, in hex: what the next line's "prev" holds (CHAIN). */
void store_line_hash(const char *p, size_t n, char out[65]);
/* The "prev" a CHAIN line carries, or -1 when it carries none. */
int store_line_prev(const char *p, size_t n, char out[65]);
/* PATH.head: 0 read (seq, size, hash; the owner's lines into extra if not NULL),
 * 1 there is none, -1 it cannot be read (e says why). */
struct store_head {
	unsigned long seq;
	long long size;
	char hash[65];
};
int store_head_read(const char *path, struct store_head *h, struct buf *extra, struct werr *e);
/* Reading a log line by line, whatever the lines hold (complaint-log verify). */
struct store_scan {
	int fd;
	char *b;
	size_t cap, have, start;
	int eof;
	off_t off;          /* file offset of b[0] */
	unsigned long line;
};
struct store_line {
	const char *p;
	size_t n;
	unsigned long line;
	off_t off;
	int complete;       /* 0 for a last line without its newline */
};
/* Scan fd from offset from, the first line numbered line0 + 1. */
void store_scan_open(struct store_scan *sc, int fd, off_t from, unsigned long line0);
/* 1 with the next line, 0 at the end, -1 on a read error (e says so). */
int store_scan_next(struct store_scan *sc, struct store_line *l, struct werr *e);
void store_scan_close(struct store_scan *sc);

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

/* ---- xsort.c: sorting more byte strings than memory should hold ----
 * Strings are added; then xsort_next gives them back in memcmp's order (a string
 * before the longer ones it begins), each distinct string once, and NULL at the
 * end, after which the sorter is empty and can take strings again. Up to limit
 * bytes are kept in memory; beyond it sorted runs go to files in $TMPDIR (or,
 * when that is not a directory it can write to, /var/tmp or /tmp, as SQLite
 * does; made and unlinked at once), merged when read back, by a thread ahead of
 * the caller. No string may be added while they are read. A file error is fatal
 * (die). */
struct xsort_run;
struct xsort {
	size_t limit;
	const char *what, *dir;   /* for messages: what is sorted; the files' directory */
	struct buf mem;           /* [4-byte length][bytes] ... */
	uint32_t *off;            /* where each string is in mem */
	size_t n, cap;
	struct xsort_run *runs;
	size_t nruns;
	int reading, have_last;
	size_t next, lastn;
	const char *lastp;
	struct buf own;           /* the last string given, when it came from a run */
	struct xsort_ahead *ahead; /* the thread that merges ahead of xsort_next */
};
void xsort_init(struct xsort *s, size_t limit, const char *what);
void xsort_add(struct xsort *s, const void *p, size_t n);
/* The next string (valid until the next call), or NULL at the end. */
const void *xsort_next(struct xsort *s, size_t *n);
void xsort_free(struct xsort *s);

/* ---- complaint.c: the complaint model and the complaint log ----
 * A complaint is a chain of events (complaint records of wgo-record(5)): add, ack,
 * resolve, escalate, reopen. Folded in the log's order they say where each
 * complaint stands; deadlines are working days per level (complaint.deadlines,
 * 30 20 20 by default), counted from the day it reached its level. complaint-log
 * and wgo-report both ask here. The log is $WGO_HOME/complaints.jsonl, a
 * STORE_CHAIN log of the store. */
enum { CPL_OPEN, CPL_ACK, CPL_RESOLVED };
#define CPL_MAX_LEVELS 10
struct cpl_rules {
	int days[CPL_MAX_LEVELS]; /* working days each level has */
	int nlevels;
	const struct calendar *cal;
};
/* complaint.deadlines from c (the defaults without it); -1 with e filled. */
int cpl_rules_config(struct cpl_rules *r, const struct cfg *c, const struct calendar *cal,
                     struct werr *e);
/* The day in Bangladesh (UTC+6) of an instant. */
wdate bd_day(int64_t t);
struct cpl {
	uint32_t order;          /* when it was added: the log's order */
	char office[4];
	int status, level, nevents;
	int escalations;
	int64_t added, start, resolved; /* start: when it reached its level */
	int resolved_level;      /* the level it was resolved at */
	int64_t resolved_start;  /* ... and when it had reached it */
	char *service, *desk, *category, *name, *mobile, *nid, *text, *by, *officer,
	     *decision, *note;   /* service and desk always; the rest with keep_text */
};
struct cpl_set {
	struct hmap m;           /* id -> struct cpl */
	uint32_t n;
	int keep_text;
	const struct cpl_rules *r;
};
void cpl_set_init(struct cpl_set *s, const struct cpl_rules *r, int keep_text);
void cpl_set_free(struct cpl_set *s);
/* Apply one valid complaint event; -1 with e filled (the state left as it was)
 * when it does not follow from where its complaint stands. */
int cpl_apply(struct cpl_set *s, const struct json_t *ev, struct werr *e);
struct cpl *cpl_get(const struct cpl_set *s, const char *id);
const char *cpl_id(const struct cpl_set *s, const struct cpl *c);
/* The complaints in the order they were added (free the array). */
struct cpl **cpl_sorted(const struct cpl_set *s, size_t *n);
const char *cpl_status_name(int status);
const char *cpl_status_bn(int status);
const char *cpl_level_name(int level, int bn);
/* The last day of the complaint's level: the day it reached it plus that level's
 * working days (cpl_deadline_from: for a level reached at start). */
wdate cpl_deadline(const struct cpl_set *s, const struct cpl *c);
wdate cpl_deadline_from(const struct cpl_rules *r, int level, int64_t start);
/* Unresolved and past its deadline on as_of. */
int cpl_overdue(const struct cpl_set *s, const struct cpl *c, wdate as_of);
/* Working days from the day it was made to the day it was resolved (or as_of). */
int cpl_working_days(const struct cpl_set *s, const struct cpl *c, wdate as_of);
/* Resolved by the deadline of the level it was resolved at (the grievance action
 * plan's measure). */
int cpl_resolved_in_time(const struct cpl_set *s, const struct cpl *c);
/* Where the complaint stands on as_of, as a complaint_state record: mobile and
 * NID masked unless reveal. */
struct json_t *cpl_state_record(const struct cpl_set *s, const struct cpl *c, wdate as_of,
                                int reveal);
/* The nearest-rank percentile q of v (sorted here): the smallest value with at
 * least q per cent of the values at or below it; n > 0. */
int rank_nearest(int *v, size_t n, int q);
/* Complaints per office, service and month made (complaint-log stats). */
struct cpl_filter {
	const char *office, *service;
	int has_from, has_to;
	wdate from, to;          /* the days they were made */
};
int cpl_match(const struct cpl_set *s, const struct cpl *c, const struct cpl_filter *f);
struct cpl_group {
	char office[4];
	char service[65];
	wmonth month;
	long count, resolved, open, overdue;
	int median, p90;         /* working days to resolve, when resolved > 0 */
};
size_t cpl_stats(const struct cpl_set *s, const struct cpl_filter *f, wdate as_of,
                 struct cpl_group **out);
struct json_t *cpl_stats_record(const struct cpl_group *g);
/* The configuration's lists (service., category.): the ids, NULL-terminated (free
 * with cpl_ids_free), or NULL when it lists none. */
char **cpl_ids(const struct cfg *c, const char *prefix);
void cpl_ids_free(char **ids);
/* The label of an id ("English / বাংলা" in the configuration): the half in the
 * language asked for, or the id when it has none. */
void cpl_label(const struct cfg *c, const char *prefix, const char *id, int bn, struct buf *out);
/* The id an answer names: the id itself, or either half of its label (Bengali
 * spelling variants folded, case ignored); NULL when none or several do. */
const char *cpl_answer(const struct cfg *c, const char *prefix, const char *answer);
/* An id the configuration lists, when it lists any; -1 with e filled (bn: the
 * message in Bengali). */
int cpl_check_listed(const struct cfg *c, const char *prefix, const char *what, const char *id,
                     int bn, struct werr *e);
/* The officer at a level: officer.OFFICE.LEVEL, else officer.LEVEL, else NULL. */
const char *cpl_officer(const struct cfg *c, const char *office, int level);
/* A new complaint's add event, checked (office, service, category and text are
 * needed; services and categories must be listed ones): NULL with e filled. */
struct cpl_fields {
	const char *office, *service, *desk, *category, *name, *mobile, *nid, *text, *by;
};
struct json_t *cpl_add_event(const struct cpl_fields *f, struct werr *e);
/* An ack, resolve, escalate or reopen event of complaint c (id, office, by and the
 * time set; the caller adds decision, note, level, officer). */
struct json_t *cpl_event_new(const char *event, const char *id, const char *office,
                             const char *by);
/* Read the whole log into s, every line checked against the chain and the head; a
 * damaged line stops it: -1, e saying where. Events that do not follow from the
 * state before them are reported (at most 5, "complaint-log verify says more") and
 * skipped. only: fold only that complaint's events; history: if not NULL, its
 * events are appended to it in the log's order. */
int cpl_log_read(struct cpl_set *s, const char *path, const char *only, struct json_t *history,
                 struct werr *e);
/* The writer: the log under its lock, each event chained to the one before. A bulk
 * writer reads the whole log, to know what was logged before; others only what
 * follows the head. Events are told (printed, alerted) once durable, through
 * tell, with again set for one logged before and met again in bulk. */
struct cpl_told;
struct cpl_writer {
	struct store s;
	struct hmap ids;         /* "KHL-2026" -> long long: the last number given */
	int bulk;
	struct hmap given;       /* bulk: what each complaint logged was given -> where */
	struct cpl_told *done;
	size_t ndone, cdone;
	void (*tell)(void *ctx, struct json_t *ev, int again);
	void *ctx;
};
/* -1 with e filled when the log is damaged or cannot be opened: nothing is ever
 * appended after a line that cannot be read. */
int cpl_writer_open(struct cpl_writer *w, const char *path, const char *lockpath, int bulk,
                    struct werr *e);
/* Number it (an add), sequence it, seal it; it is told at the next flush. -1 when
 * the log cannot be written to now. */
int cpl_writer_put(struct cpl_writer *w, struct json_t *ev);
/* Bulk: the event logged before that has what ev gives (and its time, when
 * has_at), as it was logged; NULL when none. It is told again at the next flush. */
struct json_t *cpl_writer_again(struct cpl_writer *w, const struct json_t *ev, int has_at,
                                struct werr *e);
/* Make what is put durable, then tell it; -1 with e filled when it cannot be. */
int cpl_writer_flush(struct cpl_writer *w, struct werr *e);
int cpl_writer_close(struct cpl_writer *w, struct werr *e); /* flush, then release */
/* Run cmd with sh, ev (mobile and NID included) as one JSON line on its input: 0
 * when it succeeded, else its exit status (128 + a signal), -1 when it could not run. */
int cpl_notify(const char *cmd, const struct json_t *ev);
/* Check the whole log line by line as complaint-log verify does: each problem is
 * said with warnf (at most 100, then a count); expect, when not NULL, is a line
 * hash the log must hold. Returns the number of problems; r gets the lines, the
 * complaints, the last line's hash and the events written after the head. */
struct cpl_verify {
	long lines, after;
	uint32_t complaints;
	char last[65];
};
long cpl_log_verify(const char *path, const char *expect, const struct cpl_rules *rules,
                    struct cpl_verify *r);

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
/* The keys every rate and term is set by (NULL-terminated), for wgo_config_need. */
const char *const *rules_config_keys(void);
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
/* Set an order's arrears_months, arrears_poisha and total_poisha from its rates (or
 * lump sum) and the day it is issued; -1 with e filled when past MONEY_MAX. */
int order_totals(struct json_t *order, wdate issued, struct werr *e);

/* ---- reg.c: the order register ----
 * $WGO_HOME/register/orders.jsonl, a STORE_SUM log locked by register/lock: every
 * revision of every order and every stop, one record a line. It is the office's
 * truth: an order's number is the highest registered in its office and fiscal year
 * plus one (a number is taken only by registering its order, so none is skipped);
 * duplicates and what an application was issued as come from it. A line read back
 * to be used (printed again, amended, stopped) is verified first: its check, its
 * form, and its signature against the office's keys ($WGO_HOME/keyring, or the
 * configuration's keyring, and $WGO_HOME/keys/\*.pub). */
#define REG_SERIAL_MAX 999999999LL /* numbers an office has in a fiscal year */
struct keyring;
struct wkey;
enum { REG_UNKNOWN, REG_LIVE, REG_ENDED, REG_STOPPED };
struct reg_pend {
	size_t at, n;     /* the line in pending, newline included */
	const char *no;   /* its order (the key in orders) */
	off_t off;        /* where it goes in the register; -1: printed again, not registered */
};
struct reg {
	struct store s;
	int dry;
	int signing;      /* what is read back to be signed from must be signed */
	struct hmap orders, dups, firsts, series;
	struct buf pending; /* lines to register, then print, in input order */
	struct reg_pend *pend;
	size_t npend, cpend;
	off_t next;         /* where the next line registered goes */
	/* Called on the pending lines before they are written or read back. */
	void (*settle)(void *ctx, struct buf *pending);
	void *settle_ctx;
	struct keyring *ring; /* keys the lines read back are verified against */
	/* Optional: the key of an office whose key signed a line and is in no keyring
	 * (the key this run signs with, when only its secret file is at hand). */
	const struct wkey *(*key_of)(void *ctx, const char *office);
	void *key_ctx;
	int halted;          /* standard output or the register failed: nothing more */
	unsigned long lost;  /* registered, then not printed: standard output failed */
	char lost_first[64];
};
/* Lock (unless dry) and replay the register; damage is an error naming the line. */
int reg_open(struct reg *r, int dry, struct werr *e);
/* Trust k's public half for what is read back (the key signing this run). */
void reg_trust(struct reg *r, const struct wkey *k);
/* What the register holds for an application: 1, it was issued before with the
 * same content (its order as issued is queued to print again, the same bytes, in
 * input order; its number is put in no); 2, a live order has its grant, employee
 * and beneficiary (its number in no); 0, neither; -1 (e filled), that order's line
 * fails verification. */
int reg_lookup(struct reg *r, const struct json_t *app, wmonth now, char *no, size_t n,
               struct werr *e);
/* The live order with the same grant, employee and beneficiary, or NULL. */
const char *reg_duplicate(struct reg *r, const struct json_t *order, wmonth now);
/* REG_UNKNOWN, REG_LIVE, REG_ENDED (its last month is before now) or REG_STOPPED. */
int reg_state(struct reg *r, const char *order_no, wmonth now);
/* The next number of OFFICE-FY (DRYRUN-... in a dry run); -1 when they have run out. */
int reg_number(struct reg *r, const char *office, int fy, char *out, size_t n, struct werr *e);
/* Give back the number just taken, when its order is not issued after all. */
void reg_unnumber(struct reg *r, const char *order_no);
/* Queue an order or stop: it is registered at the next flush, and printed once the
 * register holding it is synced. */
int reg_add(struct reg *r, const struct json_t *rec, FILE *out, struct werr *e);
/* The same, with the record's line already written (newline included). */
int reg_add_line(struct reg *r, const struct json_t *rec, const char *line, size_t n,
                 FILE *out, struct werr *e);
/* Queue a record (no newline) to print, in turn, without registering it. */
void reg_print(struct reg *r, const char *rec, size_t n);
/* Register what is queued, sync, then print it. A failure halts the register: what
 * follows is neither registered nor printed (lost and lost_first count what was
 * registered and not printed). */
int reg_flush(struct reg *r, FILE *out, struct werr *e);
/* The latest revision or the stop of an order, verified (its bytes into raw when
 * raw is not NULL); NULL with e filled, or for reg_stop_of with e->msg empty when
 * the order has no stop. */
struct json_t *reg_latest(struct reg *r, const char *order_no, struct buf *raw, struct werr *e);
struct json_t *reg_stop_of(struct reg *r, const char *order_no, struct buf *raw, struct werr *e);
int reg_close(struct reg *r, FILE *out, struct werr *e);
/* Print, verified, the lines of the register: those of the orders numbered in
 * numbers, of those issued on date (by_date), and every line from since's first on;
 * with none of these, all. A line that fails verification is refused (said, and
 * counted). Returns 0, -1 (e: the register is damaged) or -2 (e: stdout failed). */
struct reg_select {
	char **numbers;
	size_t nnumbers;
	int *found;        /* per number: whether a line of it was met */
	const char *since;
	int since_found;
	wdate date;
	int by_date;
};
int reg_reprint(struct reg_select *sel, FILE *out, unsigned long *printed,
                unsigned long *refused, struct werr *e);

/* ---- sched.c: the payment model (domain.md) ---- */
struct sched_params {
	int interval;       /* months from a verification to its window (10) */
	int window;         /* months the window lasts (1) */
	int pay_days;       /* working days to pay after a verification (3) */
	int due_wd;         /* month M is due on this working day of M+1 (3) */
	int resume_arrears; /* months withheld in a lapse are paid on resumption */
	const struct calendar *cal;
	wdate *due_cache;   /* regular due date by month, filled as asked */
	int first_days;     /* days from an order's issue to the day its first verification
	                     * is expected by (30): the reading the project takes, for
	                     * reminders; it withholds nothing */
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
/* Where the order stands on as_of, knowing the verifications up to that day, by the
 * model alone (no revisions, returns or stops): 0, or -1 when a sum would pass
 * MONEY_MAX (the sums are then short). Programs ask hist_status (hist.c) instead. */
int sched_status(const struct sched_order *so, const wdate *v, size_t nv,
                  const struct sched_params *p, wdate as_of, struct sched_status *st);
const char *sched_state_name(int state);
/* Apply lifeverify.interval, .window, .payment_days, .due_day, .resume_arrears. */
int sched_params_config(struct sched_params *p, const struct cfg *c, struct werr *e);
/* The model's options on a command line: --interval, --window, --resume-arrears
 * (name without the dashes); -1 where not given. A bad value is a usage error. */
struct sched_cli {
	long interval, window;
	int resume;
	long first_days;    /* --first-days */
};
#define SCHED_CLI_INIT { -1, -1, -1, -1 }
void sched_option(struct sched_cli *c, const char *name, const char *arg);
/* The model a program runs: the calendar with its holiday file, the defaults, the
 * configuration, then the options (c may be NULL). Dies on a bad file. */
void sched_setup(struct sched_params *p, struct calendar *cal, const char *holidays,
                 const struct sched_cli *c);

/* ---- hist.c: the order history ---- */
/* Everything known of each order, from records read in any order: its revisions
 * and the day each took force, the bank's returns, a stop, card returns and life
 * verifications (added by one rule); and, by the payment model above, where the
 * order stands on a date and what falls due when. A record dated after the day
 * asked about is not known yet on that day. Every program that asks where an order
 * stands asks here (domain.md, rules 3 and 4a; lifeverify(1) has the rules). */
enum { /* where an order stands: sched's states, then these */
	HIST_HELD = SCHED_ENDED + 1, /* a returned revision waits for its correction */
	HIST_STOPPED,                /* the board stopped the order */
	HIST_NSTATES
};
#define HIST_NEVER INT32_MAX  /* a day that never comes */
#define HIST_ALWAYS INT32_MIN /* a day before every other */
struct hist_rev {
	int revision;
	wdate from;              /* the day it took force: amendment.date, or issued */
	struct sched_order so;
	const char *routing, *number; /* its account */
	struct rpos pos;         /* where it was read */
	int has_return;          /* the bank returned it (the first return known): */
	wdate returned;          /* ... on this day */
	char code[8];            /* ... for this ISO 20022 reason */
};
enum { HIST_STOP_DEATH, HIST_STOP_WITHDRAWAL, HIST_STOP_DUPLICATE, HIST_STOP_BOARD };
struct hist_stop {
	int reason;              /* HIST_STOP_* */
	wdate date;              /* the day the board decided */
	wmonth last;             /* the last payable month as the stop gives it; -1 if not */
	int has_death;
	wdate death_date;
	int revision;
	struct rpos pos;
};
struct hist_order {
	const char *order_no;
	uint32_t seq;            /* when it was first read: the order of output */
	char office[6], grant[16];
	wdate issued;
	struct hist_rev *rev;    /* by revision number */
	uint32_t nrev;
	wdate *ver;              /* verification dates, sorted, each once */
	uint32_t nver, vcap;
	int has_card;            /* a card return: the first known */
	wdate card;
	int has_stop;
	struct hist_stop stop;
	void *user;              /* the program's own */
};
/* One payable month (or the lump sum) as known on a day. state is the payment
 * model's (SCHED_DUE, SCHED_WITHHELD, SCHED_FORFEITED); then a return may have held
 * it (from held_from until the correction took force on held_to, HIST_NEVER while
 * it waits; released, it is due by due), and a stop may end it (nothing of it is
 * payable from stopped_from). rev is the revision in force on its due date: the
 * amount is that revision's, and so is the account. */
struct hist_item {
	wmonth month;            /* -1 for a lump sum */
	int64_t poisha;
	int kind;                /* SCHED_REGULAR, SCHED_ARREARS, SCHED_RESUMED, SCHED_LUMP */
	int state;
	int held, stopped;
	wdate regular_due, due, released, held_from, held_to, stopped_from;
	const struct hist_rev *rev;
};
/* Whether the item is to be paid (by its due date). */
int hist_item_payable(const struct hist_item *it);
struct hist_status {
	int state;               /* SCHED_AWAITING_FIRST ... SCHED_ENDED, HIST_HELD, HIST_STOPPED */
	const struct hist_rev *rev; /* the revision whose schedule counts */
	int lump, has_first, has_window, needs_window, has_card_due;
	wdate first_verification, last_verification, window_from, window_to;
	wdate suspended_from, first_payment_due, card_due;
	wmonth last_month;       /* the last payable month, a stop's if earlier */
	int payable_months, arrears_months, withheld_months, forfeited_months, held_months;
	int64_t payable_poisha, arrears_poisha, forfeited_poisha, held_poisha, lump_poisha;
	const struct hist_rev *held_by; /* HIST_HELD: the returned revision */
	const struct hist_stop *stop;   /* HIST_STOPPED: the stop */
	/* Never verified, neither held nor stopped, and something waits for the first
	 * verification: the day it is expected by (the order's issue plus first_days). */
	int has_first_due;
	wdate first_verification_due;
};
struct hist_pending;
struct hist_chunk;
struct hist {
	const struct sched_params *p;
	wdate horizon;           /* a verification dated after it is refused */
	const char *horizon_name; /* what the horizon is, for the message ("today") */
	int defer;               /* keep records whose order is not read yet, for hist_finish */
	struct rloop *L;         /* refusals after the loop, and notes, go through it */
	struct hmap index;       /* order_no -> struct hist_order * */
	struct hist_order **byseq;
	size_t n, cap;
	struct hist_pending *pend, **pend_tail;
	struct hist_chunk *chunks;
	size_t chunk_left;
	char *chunk_at;
	struct sched_item *sitems;
	struct hist_item *items;
	size_t items_cap;
};
/* horizon: records may carry dates up to it (today, for a tool run on files). */
void hist_init(struct hist *h, const struct sched_params *p, wdate horizon);
void hist_free(struct hist *h);
/* Add one order, verification, return, stop or card_return record (valid by the
 * schema): 0 taken, or kept until its order is read (with defer); -1 refused, e
 * filled. A verification dated before its order was issued or after the horizon
 * is refused; one on a day the order was verified already is dropped with a note. */
int hist_add(struct hist *h, struct json_t *rec, const struct rpos *pos, struct werr *e);
/* After the last record: what waited for its order is added, or refused through
 * h->L (rec_reject) when the order or revision never came. */
void hist_finish(struct hist *h);
/* The one rule for a verification of order o (NULL: not read yet) dated d: 0 to
 * add it, 1 a duplicate (the order was verified that day already), -1 refused
 * (before the order was issued, or after the horizon); e says why for 1 and -1. */
int hist_verification_check(const struct hist *h, const struct hist_order *o, wdate d,
                            struct werr *e);
struct hist_order *hist_find(const struct hist *h, const char *order_no);
/* The orders in the order they were first read; the array is the history's. */
struct hist_order *const *hist_orders(const struct hist *h, size_t *n);
const struct hist_rev *hist_revision(const struct hist_order *o, int revision);
const struct hist_rev *hist_latest(const struct hist_order *o);
/* The revision in force on d: the highest that had taken force by then; NULL
 * before any had. */
const struct hist_rev *hist_in_force(const struct hist_order *o, wdate d);
/* The revision whose schedule counts on d: the one in force, or before any took
 * force, the first. */
const struct hist_rev *hist_schedule(const struct hist_order *o, wdate d);
/* The verifications known on d (dated on or before it): their count. */
size_t hist_known_verifications(const struct hist_order *o, wdate d);
/* The stop, if one is known on d (dated on or before it), and the last payable month
 * it leaves in *last (-1 for a lump sum). */
const struct hist_stop *hist_stop_known(const struct hist_order *o, wdate d, wmonth *last);
/* Every payable month (or the lump sum) as known on the day known, in order; the
 * array is the history's until the next call. */
size_t hist_items(struct hist *h, const struct hist_order *o, wdate known,
                  const struct hist_item **items);
/* The item of month m (-1: the lump sum) among items, or NULL. */
const struct hist_item *hist_item_of(const struct hist_item *items, size_t n, wmonth m);
/* What falls due in from..to (payable, due in that range) as known on known: the
 * count, the items in *items (the history's until the next call). */
size_t hist_due(struct hist *h, const struct hist_order *o, wdate from, wdate to, wdate known,
                const struct hist_item **items);
/* Where the order stands on d, knowing what is dated up to d: 0, or -1 with e
 * filled when a sum would pass MONEY_MAX. */
int hist_status(struct hist *h, const struct hist_order *o, wdate d, struct hist_status *st,
                struct werr *e);
/* The day the order's card is due back from the bank, as known on d: 1 with *due,
 * or 0 (a lump sum, or a day past the record format's range). */
int hist_card_due(const struct hist_order *o, wdate d, wdate *due);
/* Whether the card has come back by d. */
int hist_card_returned(const struct hist_order *o, wdate d);
const char *hist_state_name(int state);
const char *hist_stop_reason_name(int reason);
/* The status record (wgo-record(5)) of where o stands on as_of, as st says, appended
 * to b through w. */
void hist_status_record(const struct hist_order *o, wdate as_of, const struct hist_status *st,
                        struct rw *w, struct buf *b);
/* Whether a return code is about the account (AC01, AC03, AC04, AC06, RC01): such a
 * return holds the order until a revision with another account takes force. */
int hist_account_code(const char *code);

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

/* ---- api.c: the bank protocol of wgo-api(7), one module for both sides ----
 * The endpoints, the codes, the envelope (built, signed, checked), the
 * disbursement and the stop (built from a record, checked against it), the
 * answer (built, read), the feeds and their cursors. wgo-push, wgo-pull and the
 * sandbox bank (bank.c) speak through it; no path or code is written elsewhere. */
#define API_VERSION "1.0.0"
#define API_BANK_ID "sonali-ddp"

enum api_ep {
	API_DISBURSE, API_TXN_STATUS, API_STOP,                      /* the contract */
	API_RETURNS, API_VERIFICATIONS, API_PAYMENTS, API_CARD_RETURNS, /* its feeds */
	API_SB_VERIFY, API_SB_SIMULATE, API_SB_RUN_MONTH, API_SB_STATE,  /* the sandbox's own */
	API_NEP
};
struct api_endpoint {
	const char *path, *method;
	const char *action;   /* header.action of a request (NULL: the sandbox's own,
	                       * whose bodies are plain JSON) */
	const char *answer;   /* header.action of its answer */
	const char *items;    /* the request message's array ("disbursements", ...) */
	const char *statuses; /* the answer message's array ("disbursements_status", ...) */
	const char *feed;     /* a feed's name ("returns", "card-returns") */
	const char *kind;     /* the record kind a feed holds */
};
const struct api_endpoint *api_endpoint(int ep);
int api_endpoint_find(const char *path); /* an enum api_ep, or -1 */
int api_feed_find(const char *name);     /* the endpoint of a feed by name, or -1 */
int api_is_feed(int ep);
int api_is_sandbox(int ep);

/* The codes: every status_reason_code the bank answers, and the client's own. */
enum api_code_id {
	/* refusals of a whole request: the answer's header */
	API_REQUEST_BAD, API_VERSION_UNSUPPORTED, API_MSG_TS_STALE, API_MESSAGE_ID_INVALID,
	API_CURSOR_INVALID, API_VERIFICATION_DATE,
	API_AUTH_INVALID, API_SENDER_UNKNOWN, API_SENDER_KEY_INVALID, API_SIGNATURE_INVALID,
	API_TLS_CLIENT_CERTIFICATE,
	API_NOT_FOUND, API_ORDER_UNKNOWN,
	API_METHOD,
	API_MESSAGE_ID_DUPLICATE, API_MONTH_DONE, API_VERIFICATION_DUPLICATE,
	API_REQUEST_TOO_LARGE, API_BATCH_TOO_LARGE,
	API_MONTH_OVERFLOW,
	API_RATE_LIMITED,
	API_SERVER_STORAGE, API_SERVER_UNAVAILABLE,
	/* refusals of one item: disbursements_status[], stops_status[] */
	API_R_REFERENCE_INVALID, API_R_REFERENCE_DUPLICATE, API_R_REVISION_SUPERSEDED,
	API_R_ORDER_INVALID, API_R_ORDER_SIGNATURE, API_R_ORDER_OFFICE, API_R_ORDER_UNKNOWN,
	API_R_PAYER_FA_INVALID, API_R_PAYEE_FA_INVALID, API_R_AMOUNT_INVALID,
	API_R_CURRENCY_CODE_INVALID, API_R_ITEM_BAD, API_R_STOP_INVALID, API_R_STOP_SIGNATURE,
	API_R_RETURNED, /* txn-status: accepted, then returned (the status stays succ) */
	/* wgo-push's own, in push records; never from the bank */
	API_L_ORDER_SIGNATURE, API_L_TRANSIENT, API_L_NOT_SENT,
	API_NCODES
};
enum { API_SCOPE_REQUEST, API_SCOPE_ITEM, API_SCOPE_LOCAL };
struct api_code {
	const char *code;
	int http;      /* the answer's HTTP status; 200 for an item's */
	int scope;     /* API_SCOPE_* */
	int retry;     /* temporary: the same items may be sent again, in a new envelope */
	int sandbox;   /* answered only by the sandbox's own endpoints */
	const char *meaning;
};
const struct api_code *api_code(int id);
int api_code_find(const char *code); /* an enum api_code_id, or -1 */

struct api_err {
	int id;        /* enum api_code_id */
	int http;
	char code[64];
	char msg[256];
};
/* Fill e with a code and its HTTP status from the table; returns -1. */
int api_err(struct api_err *e, int id, const char *fmt, ...) WGO_ATTR_FMT(3, 4);

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
/* A new message_id: 32 lowercase hex digits, random; and whether s has that form. */
void api_message_id(char out[33]);
int api_message_id_valid(const char *s);
/* A signed request as JSON text (steals message): header (version, message_id,
 * message_ts, action, sender_id, receiver_id, total_count, key_id), the message,
 * and the signature over the canonical form of the two. */
int api_envelope(struct buf *out, const char *action, const char *sender, const char *receiver,
                 long total, struct json_t *message, const struct wkey *k);
/* Parse and check a request: the envelope's form, version, message_id's form, the
 * replay window, the sender's key (valid on ring->today) and the signature. */
int api_open(const char *body, size_t n, const struct keyring *ring, int64_t now, int window,
             struct json_t **env, const struct wkey **key, struct api_err *e);
/* What an opened request must also be for endpoint ep, sent with the token of who
 * (an office, or ADMIN): its sender, action and receiver. */
int api_request_check(const struct json_t *env, int ep, const char *who, struct api_err *e);

/* A disbursement item carrying the signed order. */
struct json_t *api_disbursement(struct json_t *order);
/* A disbursement as the bank checks it, from sender: its order verified against
 * ring, its reference, payer, payee, amount and currency the order's; 0 with the
 * content hash, or -1 with the item's refusal in e. */
int api_disbursement_check(struct json_t *item, const char *sender, const struct keyring *ring,
                           uint8_t hash[16], struct api_err *e);
/* What makes two sendings of a disbursement the same: its fields and the order's
 * signature (which pins the order's content). */
void api_content_hash(struct json_t *item, uint8_t out[16]);
/* A stop sent to the bank: its reference ORDER_NO-stop, the item {"reference_id",
 * "stop"} carrying the signed stop record, its check, and what makes two sendings
 * the same (the item's canonical form, the stop's signature in it). */
const char *api_stop_reference(const struct json_t *stop, char *out, size_t n);
struct json_t *api_stop_item(struct json_t *stop);
int api_stop_check(struct json_t *item, const char *sender, const struct keyring *ring,
                   uint8_t hash[16], struct api_err *e);
void api_stop_hash(struct json_t *item, uint8_t out[16]);
/* The message of a request: a batch of items (steals them), the references whose
 * status is asked, a feed's page. */
struct json_t *api_batch_message(int ep, struct json_t *items);
struct json_t *api_status_message(struct json_t *reference_ids);
struct json_t *api_feed_message(uint64_t cursor, long limit, const char *month);
/* The bank's reading of those messages: a batch's items (transaction_id, the array
 * of the endpoint, total_count its length, at most max of them); the references of
 * a status request; a feed page's cursor (a string the bank gave), limit (1 to
 * 5000, 500 by default) and month (the payments feed's, YYYY-MM, else -1). */
int api_batch_read(const struct json_t *env, int ep, long max, struct json_t **items,
                   struct api_err *e);
int api_status_read(const struct json_t *env, struct json_t **refs, struct api_err *e);
int api_feed_read(const struct json_t *env, int ep, uint64_t *cursor, long *limit, wmonth *month,
                  struct api_err *e);

/* Answers. The bank answers every request with an envelope: header (version,
 * message_id, message_ts, action, status succ or rjct, status_reason_code and
 * status_reason_message when refused, total_count, completed_count, sender_id
 * the bank, receiver_id the office) and, when it was handled, a message. */
void api_answer(struct buf *out, int ep, const char *receiver, const struct api_err *e,
                long total, long done, struct json_t *message);
/* One item's status: succ (with bank_ref) when e is NULL, else rjct with e's code;
 * note, when not NULL, is a reason kept on a succ (API_R_RETURNED). */
struct json_t *api_item_status(const char *ref, const struct api_err *e, const char *bank_ref,
                               const struct api_err *note);
/* A feed's answer message; and a feed page as read back. */
struct json_t *api_feed_answer(int ep, struct json_t *records, uint64_t next, int more);
/* What an answer says, as a client reads it. */
enum { API_ANSWER_OK, API_ANSWER_RETRY, API_ANSWER_STOP };
struct http_req;
struct api_answer {
	int outcome;           /* API_ANSWER_*: handled; worth sending again; refused as
	                        * nothing another try mends (the office's token, key,
	                        * clock or configuration, or the client itself) */
	long http;
	int code;              /* the header's status_reason_code, or -1 */
	struct json_t *env;    /* the answer, when it was one */
	struct json_t *list;   /* OK: the endpoint's statuses, or a feed's records */
	uint64_t next;         /* OK, a feed: next_cursor */
	int more;              /* OK, a feed: more */
	char why[512];         /* not OK: what happened, in the bank's words when it said */
};
/* Read the answer to a request to endpoint ep (r as http.c finished it). */
int api_answer_read(struct api_answer *a, int ep, const struct http_req *r);
void api_answer_free(struct api_answer *a);
/* One item of a batch's answer: 1 accepted (bank_ref), 0 refused (code, msg), -1
 * not an item's status. */
int api_item_read(const struct json_t *st, const char **ref, const char **bank_ref,
                  const char **code, const char **msg);
int api_http_transient(long http);

/* A feed's cursor: ASCII decimal digits without a leading zero ("0" is the start),
 * at most API_CURSOR_MAX; the bank gives it, and takes back only what it gave. */
#define API_CURSOR_MAX 999999999999999ULL
int api_cursor_parse(const char *s, uint64_t *v);
/* A cursor file: one cursor and a newline; a missing file is the start. Anything
 * else is an error naming the file, never a cursor read loosely. */
int api_cursor_load(const char *path, uint64_t *v, struct werr *e);
int api_cursor_save(const char *path, uint64_t v, struct werr *e);

/* ---- http.c: HTTP to the bank (libcurl) ---- */
struct bank {
	char *endpoint, *auth, *ca_file, *cert, *cert_key, *receiver;
	long timeout_ms;
};
/* Endpoint and token from the options or the configuration; TLS is always verified.
 * The endpoint is parsed as a URL (libcurl's URL API): http or https, a host, no
 * user name or password, no query or fragment; plain http to a host that is not
 * this machine (localhost, 127.0.0.0/8, ::1) is warned of.
 * The token: from descriptor token_fd (when >= 0), token_file, bank.token_file in
 * wgo.conf, or WGO_BANK_TOKEN (whose bytes are then wiped from the environment),
 * in that order; b->auth is in secret memory. */
int bank_load(struct bank *b, const char *endpoint, const char *token_file, int token_fd,
              struct werr *e);
void bank_free(struct bank *b);
/* Whether an endpoint URL is well formed (0), whether its host is this machine,
 * and the host (into host, when not NULL). */
int bank_url_check(const char *url, int *loopback, char *host, size_t hostsz, struct werr *e);
/* The bank's receiver_id: bank.receiver_id in wgo.conf, or API_BANK_ID. */
const char *bank_receiver(void);
struct http_req {
	char url[512];
	int get;          /* a GET; else the body is POSTed */
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

/* ---- bank.c: the sandbox bank of ddp-sandbox(1), all of it but the HTTP server ----
 * One bank a process: its state directory (the ledger, a log of the store, locked,
 * replayed into the order history), the offices' tokens and keys, and what it does
 * with a request, through the protocol of api.c. Every answer is an envelope;
 * nothing is answered that is not durable; ids come from the seed and what they
 * name, so the same input and seed give the same bytes at any concurrency. */
struct sbank_opts {
	const char *state;    /* the state directory (default $WGO_HOME/sandbox) */
	const char *keyring, *tokens, *holidays, *log;
	int no_tokens;        /* no STATE/tokens needed (a command on the state) */
	int no_log;           /* no request log */
	wdate today;          /* the bank's business date; -1: today */
	uint64_t seed;
	double return_rate, pay_error_rate;
	double fail_rate, throttle_rate, drop_rate, slow_rate, truncate_rate;
	int replay_window, max_batch, retry_after, latency_ms;
	long max_body;
};
void sbank_defaults(struct sbank_opts *o);
/* Open the bank on its state; -1 with e filled, *busy set when another process
 * holds the state's lock (e names it). */
int sbank_open(const struct sbank_opts *o, int *busy, struct werr *e);
void sbank_close(void);
struct sbank_answer {
	int http;
	struct buf body;       /* an envelope (wgo-api(7)) */
	int drop, slow, truncate; /* faults on the way out */
	long retry_after;      /* seconds, or -1 */
	const char *allow;     /* 405: the method the endpoint takes */
	char code[64];         /* the status_reason_code, if refused */
	char fault[16], sender[8], message_id[40];
	long items;
};
void sbank_answer_init(struct sbank_answer *a);
void sbank_answer_free(struct sbank_answer *a);
/* The office (or "ADMIN") whose bearer token an Authorization header carries. */
const char *sbank_who(const char *authorization);
/* Before a byte of the body is read: injected faults, the token, the endpoint,
 * the method and the declared length (-1: unknown). 1 when a is the answer; 0 to
 * read the body (at most sbank_max_body() bytes), with who set. */
int sbank_begin(const char *method, const char *url, const char *authorization,
                long long length, struct sbank_answer *a, const char **who);
long sbank_max_body(void);
/* The request, its body read, from who: what every endpoint does. */
void sbank_serve(const char *method, const char *url, const char *who, const char *body,
                 size_t n, struct sbank_answer *a);
/* A refusal as an envelope (ep -1 when the endpoint is not known). */
void sbank_error(struct sbank_answer *a, int ep, int code, const char *msg);
/* One JSON line a request in the request log. */
void sbank_log(const char *method, const char *url, const struct sbank_answer *a, double ms);

/* ---- journal.c: what the bank accepted, for wgo-push ---- */
struct journal {
	struct store s; /* $WGO_HOME/push/journal.jsonl, STORE_SUM, locked by push/lock */
	struct hmap acc;
};
/* Lock $WGO_HOME/push and read the journal; damage is an error naming the line (a
 * torn last line is set aside: that acceptance is asked for again). */
int journal_open(struct journal *j, struct werr *e);
/* The bank's reference if ref was accepted with this content hash, else NULL. */
const char *journal_accepted(const struct journal *j, const char *ref, const char hash[33]);
void journal_add(struct journal *j, const char *ref, const char hash[33], const char *bank_ref);
int journal_sync(struct journal *j, struct werr *e);
void journal_close(struct journal *j);

/* ---- opts.c: shared option handling ---- */
struct option;
/* --progress, --no-progress and --summary, handled by wgo_getopt itself: put
 * WGO_PROGRESS_OPTIONS in a program's table (and its usage, page and completions). */
enum { WGO_OPT_PROGRESS = 0x1000, WGO_OPT_NO_PROGRESS, WGO_OPT_SUMMARY };
#define WGO_PROGRESS_OPTIONS                                          \
	{ "progress", no_argument, NULL, WGO_OPT_PROGRESS },          \
	{ "no-progress", no_argument, NULL, WGO_OPT_NO_PROGRESS },    \
	{ "summary", no_argument, NULL, WGO_OPT_SUMMARY }
#define WGO_PROGRESS_USAGE                                                               \
	"      --progress             show progress on stderr even when it is not a terminal\n" \
	"      --no-progress          show no progress or summary, even on a terminal\n"       \
	"      --summary              end with a one-line summary on stderr\n"
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

/* ---- names.c: people's names, Bengali and Latin, to one phonetic key ---- */
/* The words a language uses around names, from the configuration: name.title
 * (dropped when names are compared: Md., Mst., মোঃ), name.equiv (spellings of one
 * word, the first standing for the rest), name.initials (AKM is A. K. M.) and
 * name.cut (where a name ends: s/o, পিতা). */
struct name_rules {
	struct hmap title, equiv, initials;
	char **cut;
	size_t ncut;
};
int name_rules_load(struct name_rules *r, const struct cfg *c, struct werr *e);
void name_rules_free(struct name_rules *r);
/* A digest of the configuration lines the rules are made of (16 hex digits). */
void name_rules_id(const struct cfg *c, char out[17]);
/* A name's key: its words' keys, a space between them, a title marked with a
 * leading '~' and an initial with a trailing '.', then '|' and the key of its
 * letters run together. Returns how many words are not titles. r may be NULL. */
int name_key(const struct name_rules *r, const char *name, struct buf *out);
/* Whether two keys name the same person, and how: NAME_NO, or the words pair off
 * in order, their letters run together agree, the words come in another order, or
 * they pair off with initials. */
enum { NAME_NO, NAME_SAME, NAME_JOINED, NAME_REORDERED, NAME_INITIALS };
int name_key_match(const char *a, const char *b);
/* Blocks for comparing many names: hashes of the consonants of each word that is
 * not a title or an initial, and of the letters run together. Two keys that match
 * share one; the number written to out (at most max). */
size_t name_key_blocks(const char *key, uint64_t *out, size_t max);
/* Of those, the block of the letters run together (the only one two keys matching
 * as NAME_JOINED need share; the others are the words'). */
uint64_t name_key_joined_block(const char *key);
int name_match(const struct name_rules *r, const char *a, const char *b);
const char *name_match_how(int how);
/* A record's person: up to two name keys (Bengali and English), the date of birth
 * and the employee id, where known. One person when a name of each matches and
 * the dates of birth are the same, or, where either date is missing, the employee
 * ids are: PERSON_BIRTH or PERSON_EMPLOYEE, else 0. */
struct person {
	const char *key[2];
	wdate birth;
	int has_birth;
	const char *emp;
};
enum { PERSON_BIRTH = 1, PERSON_EMPLOYEE };
int person_match(const struct person *a, const struct person *b);
/* One word's key from Latin letters a-z; Bengali letters in Latin ones. */
void name_latin_key(const char *letters, size_t n, struct buf *out);
void name_translit(const char *s, struct buf *out);

/* ---- payable.c: was month M of an order payable on day D, and if not, why ---- */
/* The question wgo-scan asks of an order's history, answered in one place (for now
 * from sched.c; later from the order history). The caller fills the facts: the
 * order in force, its verifications (sorted), its stop and its date of death. */
struct payable {
	const struct sched_order *so;
	const wdate *ver;
	size_t nver;
	int stopped, stop_has_last, dead;
	wdate stop_date, death;
	wmonth stop_last;
	/* the payment model's items, worked out on first use */
	struct sched_item *items;
	size_t nitems, cap;
	int ready;
};
enum { PAY_DEAD = 1, PAY_STOPPED = 2, PAY_ENDED = 4, PAY_UNVERIFIED = 8, PAY_SUSPENDED = 16 };
/* 0 when payable, else the PAY_ reasons; m is -1 for a lump sum. */
int payable_why(struct payable *q, const struct sched_params *p, wmonth m, wdate d);
void payable_free(struct payable *q);

/* ---- scan.c: integrity and fraud rules over the board's records (wgo-scan) ---- */
enum {
	SR_SHARED_ACCOUNT, SR_SHARED_NID, SR_SHARED_MOBILE, SR_SAME_PERSON, SR_SERVING,
	SR_PENSIONER, SR_AGE, SR_VERIFIED_AFTER_DEATH, SR_VERIFICATION_BUNCH, SR_PAID_TWICE,
	SR_AMOUNT_NO_RATE, SR_ACCOUNT_RETURNED, SR_PAID_AFTER_DEATH, SR_PAID_AFTER_STOP,
	SR_PAID_AFTER_END, SR_PAID_UNVERIFIED, SR_PAID_SUSPENDED, SCAN_NRULES
};
enum { VERDICT_CONFIRMED, VERDICT_FALSE_POSITIVE, VERDICT_FIELD_CHECK, NVERDICTS };
const char *scan_rule_name(int rule);
int scan_rule_lookup(const char *id); /* -1 when there is none */
const char *scan_rule_title(int rule, int bn);
const char *verdict_name(int v); /* confirmed, false_positive, needs_field_check */
int verdict_lookup(const char *s); /* either spelling (false-positive); -1 if none */
struct json_t;
struct scan;
/* A scan that reasons as of a day, with the payment model given (kept, not copied). */
struct scan *scan_new(wdate as_of, const struct sched_params *model);
void scan_free(struct scan *s);
/* scan.* (rules on or off, thresholds, severities, weights), the name rules, and
 * the rates and terms; an unknown scan.* key is an error. */
int scan_config(struct scan *s, const struct cfg *c, struct werr *e);
/* --rules LIST (only) or --skip LIST: rule ids, comma-separated. */
int scan_select(struct scan *s, const char *list, int only, struct werr *e);
int scan_enabled(const struct scan *s, int rule);
/* Why an enabled rule cannot be applied in full (what the configuration lacks). */
const char *scan_unmet(const struct scan *s, int rule);
/* The serving employees' or pensioners' NIDs: one a line (more fields after a tab
 * or a blank are ignored), blank lines and # comments skipped. */
int scan_nid_list(struct scan *s, int rule, const char *path, struct werr *e);
/* One valid record. Returns 0 when used, 1 when of a kind the scan leaves aside,
 * 2 when dated after the day the scan reasons about, -1 with e filled. */
int scan_add(struct scan *s, const struct json_t *rec, struct werr *e);
/* Apply the rules; then tell the verdicts (the latest per fingerprint last), then
 * score: the weights are fitted on the verdicts. */
void scan_run(struct scan *s);
void scan_verdict(struct scan *s, const char *fingerprint, const char *rule, int verdict);
void scan_score(struct scan *s);
/* The findings as records (all: those left out as false positives too). */
size_t scan_write(struct scan *s, int all, struct buf *out);
/* risk records for the orders that hit a rule, riskiest first. */
size_t scan_write_risk(struct scan *s, struct buf *out);
struct scan_rule_stats {
	int enabled;
	long findings, left_out, verdicts[NVERDICTS];
	double weight;
};
void scan_stats(const struct scan *s, struct scan_rule_stats st[SCAN_NRULES], double *bias,
                long *examples);
/* Counts for the summary. */
struct scan_counts {
	long orders, applications, verifications, payments, later, unknown_order, left_aside;
	long findings, left_out, confirmed;
	long by_rule[SCAN_NRULES];
};
void scan_counts(const struct scan *s, struct scan_counts *c);

/* ---- revlog.c: the scan's review log ---- */
/* $WGO_HOME/scan/reviews.jsonl, signed verdicts kept by the store (STORE_SUM):
 * appended under its lock with fsync; each line checked by the store and by its
 * signature; a damaged line (either check failing) is an error naming it, and no
 * verdict of a damaged log is used. */
struct revlog {
	char *path;
	int append, open;
	struct store s;
};
/* append: lock the log (waiting for another run), check every line as
 * revlog_replay does, and ready it for an append. */
int revlog_open(struct revlog *l, int append, const struct keyring *ring, struct werr *e);
/* Each verdict, in the log's order, once every line is checked (signatures against
 * ring, unless NULL); -1 with e->field "PATH:LINE" when a line is damaged (and cb
 * was called for none) or the log cannot be read. */
int revlog_replay(struct revlog *l, const struct keyring *ring,
                  void (*cb)(const struct json_t *verdict, void *ctx), void *ctx, struct werr *e);
int revlog_append(struct revlog *l, const char *line, size_t n, struct werr *e);
void revlog_close(struct revlog *l);

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

/* ---- branch.c: bank branches by routing number (the branch file) ---- */
/* A branch file (wgo(7)): "ROUTING<TAB>ENGLISH NAME[<TAB>BENGALI NAME]" lines,
 * blank lines and "#" comments skipped; each routing number valid (its check
 * digit) and given once; a name UTF-8, without control characters, at most
 * BRANCH_NAME_MAX bytes. src/etc/branches-sonali.tsv is Sonali Bank's. */
#define BRANCH_NAME_MAX 200
struct branch {
	char routing[10];
	char *en, *bn; /* bn is NULL where the file gives no Bengali name */
};
struct branches {
	struct hmap m; /* routing number -> struct branch */
	size_t n;
	const struct branch **v; /* the n branches, by routing number */
	char *path;
};
/* 0, or -1 with e->field "PATH:LINE" (or PATH) and the reason; nothing is kept
 * of a file with a bad line. */
int branches_load(struct branches *b, const char *path, struct werr *e);
/* The office's branch file: opt_path, else the configuration's "branches", else
 * $WGO_HOME/branches when it exists; with none of these, no branches (0). */
int wgo_branches(struct branches *b, const char *opt_path, struct werr *e);
const struct branch *branch_find(const struct branches *b, const char *routing);
/* The branch's Bengali name when bn is set and the file gives one, else its
 * English name; NULL for a routing number the file does not hold. */
const char *branch_name(const struct branches *b, const char *routing, int bn);
void branches_free(struct branches *b);

/* ---- form.c: the desk's forms on readline (complaint-log add, wgo-apply) ----
 * Programs that call here link readline. */
/* (pii.c) A line not to keep in a form's history: a mobile number or NID, or six digits
 * or more (ASCII or Bengali), but for a branch as completion writes it. */
int form_private(const char *s);
/* Readline set up for the program's form: Tab completes from the choices given
 * (whole_answer: with nothing after it), words broken at word_breaks; the history
 * $WGO_HOME/HISTORY read, what is private dropped. */
void form_open(const char *program, const char *history, const char *word_breaks,
               int whole_answer);
/* The answers Tab offers for the next question (NULL: none), matched whatever their
 * case with nocase. */
void form_choices(char **list, int nocase);
/* An answer into the history, unless private or form_private(). */
void form_remember(const char *answer, int private);
/* The history written back (500 lines at most); a warning unless quiet. */
void form_close(int quiet);

#endif
