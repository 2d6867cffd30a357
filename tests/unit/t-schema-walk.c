/* Unit tests: walking a kind's fields (what wgo-export builds its tables from) and
 * masking personal numbers. Expectations are read off wgo-record(5) by hand. */
#include <stdlib.h>
#include "tap.h"
#include "wgo.h"

struct seen {
	int n, rates_from, ben_nid_pii, acct_req, enum_vals, poisha_hi;
	char last_path[200];
};

static int
see(const struct rec_field *f, void *ctx)
{
	struct seen *s = ctx;
	s->n++;
	snprintf(s->last_path, sizeof s->last_path, "%s", f->path);
	if (!strcmp(f->path, "rates[].from"))
		s->rates_from = f->depth == 1 && f->parent && !strcmp(f->parent->path, "rates") &&
		                !strcmp(f->type, "month") && f->required;
	if (!strcmp(f->path, "beneficiary.nid"))
		s->ben_nid_pii = f->pii == PII_NID && !strcmp(f->parent->name, "beneficiary");
	if (!strcmp(f->path, "account.routing"))
		s->acct_req = f->required && f->pii == -1 && !strcmp(f->type, "routing");
	if (!strcmp(f->path, "grant")) {
		int k = 0;
		while (f->values && f->values[k])
			k++;
		s->enum_vals = k;
	}
	if (!strcmp(f->path, "total_poisha"))
		s->poisha_hi = f->lo == 0 && f->hi == 1000000000000000LL;
	return 0;
}

static int
stop_at_office(const struct rec_field *f, void *ctx)
{
	(*(int *)ctx)++;
	return strcmp(f->name, "office") ? 0 : 7;
}

int
main(void)
{
	struct seen s = { 0 };
	is_int(rec_schema_walk("order", see, &s), 0, "walk the order kind");
	/* wgo-record(5): 25 fields (received included), 8 of employee (id included), 6 of
	 * beneficiary, 3 of account, 3 of a rate, 5 of sanction, 4 of amendment, 3 of signature. */
	is_int(s.n, 25 + 8 + 6 + 3 + 3 + 5 + 4 + 3, "every field of an order, nested ones too");
	is_str(s.last_path, "signature.value", "in output order");
	ok(s.rates_from, "a rate's from: a required month one level down, inside rates");
	ok(s.ben_nid_pii, "the beneficiary's NID is marked as personal");
	ok(s.acct_req, "the routing number is required and not personal");
	is_int(s.enum_vals, 3, "the grant's three values");
	ok(s.poisha_hi, "money is 0 to 10^15 poisha");
	int n = 0;
	is_int(rec_schema_walk("payment", stop_at_office, &n), 7, "a non-zero return ends the walk");
	is_int(n, 7, "at the field that returned it (office is the seventh)");
	is_int(rec_schema_walk("nonsense", see, &s), -1, "an unknown kind");
	const char *const *k = rec_kind_key("order");
	ok(k && !strcmp(k[0], "order_no") && !strcmp(k[1], "revision") && !k[2],
	   "an order revision is named by order_no and revision");
	ok(rec_kind_key("discrepancy") == NULL, "a discrepancy has no key of its own");

	struct buf b = { 0 };
	pii_mask(PII_MOBILE, "+8801712345678", &b);
	is_str(buf_str(&b), "+88017******78", "a mobile keeps +880, the operator and two digits");
	pii_mask(PII_NID, "0123456789", &b);
	is_str(buf_str(&b), "*******789", "an NID keeps its last three");
	pii_mask(PII_ACCOUNT, "0012345", &b);
	is_str(buf_str(&b), "****345", "an account keeps its last three");
	pii_mask(PII_NID, "12", &b);
	is_str(buf_str(&b), "12", "too short to hide anything");
	pii_mask_text("paid into 4688485994461@200700463, not KHL-2025-26-000003 (+8801712345678), 12345", &b);
	is_str(buf_str(&b), "paid into **********461@******463, not KHL-2025-26-000003 (+**********678), 12345",
	       "free text: runs of six or more digits on their own, not an order number's");
	int h, t;
	pii_keep(PII_MOBILE, &h, &t);
	ok(h == 6 && t == 2, "pii_keep says what pii_mask keeps");
	buf_free(&b);
	return done();
}
