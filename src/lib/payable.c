/* The one question wgo-scan asks of an order's history: was month M of this order
 * payable on day D, and if not, why. Answered for now from the payment model of
 * sched.c and the order's stop and date of death; when the order history (hist.c)
 * comes, this file is what moves onto it, and nothing that calls it changes.
 *
 * Not payable, in the order the reasons are given:
 *   PAY_DEAD       D is after the date of death, and M after the month of death
 *                  (a lump sum: any time after the death);
 *   PAY_STOPPED    a stop decided on or before D, and M after the stop's last month
 *                  (a lump sum, or a stop without a last month: anything);
 *   PAY_ENDED      M after the order's last month;
 *   PAY_UNVERIFIED no life verification on or before D had released M;
 *   PAY_SUSPENDED  verified before, but M was withheld or forfeited in a lapse
 *                  and not released by D.
 * Months before the order's first month are none of these (reconcile(1) calls
 * them unexpected). */
#include <stdlib.h>
#include <string.h>

#include "wgo.h"

void
payable_free(struct payable *q)
{
	free(q->items);
	q->items = NULL;
	q->nitems = q->cap = 0;
	q->ready = 0;
}

/* What the payment model makes of the order, worked out once for all its payments. */
static void
schedule(struct payable *q, const struct sched_params *p)
{
	size_t n = sched_count(q->so);
	if (n > q->cap) {
		free(q->items);
		q->cap = n;
		q->items = xmalloc(n * sizeof *q->items);
	}
	q->nitems = sched_items(q->so, q->ver, q->nver, p, q->items, n);
	q->ready = 1;
}

int
payable_why(struct payable *q, const struct sched_params *p, wmonth m, wdate d)
{
	int why = 0, lump = q->so->lump;
	if (q->dead && d > q->death && (lump || m > date_month(q->death)))
		why |= PAY_DEAD;
	if (q->stopped && q->stop_date <= d && (lump || !q->stop_has_last || m > q->stop_last))
		why |= PAY_STOPPED;
	if (!lump && m > q->so->last)
		why |= PAY_ENDED;
	if (lump) /* due once, from the first verification */
		return why | (!q->nver || d < q->ver[0] ? PAY_UNVERIFIED : 0);
	if (m < q->so->first || m > q->so->last)
		return why;
	if (!q->ready)
		schedule(q, p);
	if ((size_t)(m - q->so->first) >= q->nitems)
		return why;
	const struct sched_item *it = &q->items[m - q->so->first];
	/* A regular month is payable any time once due; arrears and resumed months
	 * only from the verification that released them. */
	if (it->state == SCHED_DUE && (it->kind == SCHED_REGULAR || d >= it->released))
		return why;
	if (!q->nver || d < q->ver[0])
		why |= PAY_UNVERIFIED;
	else
		why |= PAY_SUSPENDED;
	return why;
}
