#!/usr/bin/env python3
"""An independent reading of the payment model, for the tests: where an order
stands on a date, and what a month's payments are, written from domain.md (rules 3
and 4a) and the rules lifeverify(1) and reconcile(1) state, not from the C code.
The tests hold lifeverify, reconcile and the sandbox bank against it.

    paymodel.py status --as-of DATE [options] FILE...
        one JSON object per order (in the order first read): order_no, state and
        the counts and sums of a status record
    paymodel.py reconcile --month YYYY-MM --as-of DATE [options] FILE...
        one line per payment of the month and per finding, CLASS<TAB>KEY (KEY: the
        payment_id; ORDER_NO|MONTH for missing; ORDER_NO for card_not_returned),
        then "summary<TAB>PAYMENTS<TAB>POISHA"
    paymodel.py due --month YYYY-MM --as-of DATE [options] FILE...
        what the bank pays in the month: ORDER_NO<TAB>MONTH|lump<TAB>POISHA<TAB>DUE<TAB>REVISION

Options: --holidays FILE, --today DATE (default: the as-of date), --interval N
(10), --window N (1), --pay-days N (3), --due-day N (3), --resume-arrears yes|no.
"""
import argparse
import datetime as dt
import json
import sys

NEVER = dt.date.max
ALWAYS = dt.date.min
ACCOUNT_CODES = {"AC01", "AC03", "AC04", "AC06", "RC01"}


def d(s):
    return dt.date.fromisoformat(s)


def month_of(day):
    return day.year * 12 + day.month - 1


def m(s):
    y, mo = s.split("-")
    return int(y) * 12 + int(mo) - 1


def mfmt(mm):
    return "%04d-%02d" % (mm // 12, mm % 12 + 1)


def first_day(mm):
    return dt.date(mm // 12, mm % 12 + 1, 1)


def last_day(mm):
    return first_day(mm + 1) - dt.timedelta(days=1)


def add_months(day, n):
    """The same day n months on, the end of the month when it has no such day."""
    mm = month_of(day) + n
    y, mo = mm // 12, mm % 12 + 1
    last = (first_day(mm + 1) - dt.timedelta(days=1)).day
    return dt.date(y, mo, min(day.day, last))


class Model:
    def __init__(self, a):
        self.interval = a.interval
        self.window = a.window
        self.pay_days = a.pay_days
        self.due_day = a.due_day
        self.resume = a.resume_arrears == "yes"
        self.holidays = set()
        self.dues = {}
        if a.holidays:
            for line in open(a.holidays, encoding="utf-8"):
                line = line.strip()
                if line and not line.startswith("#"):
                    self.holidays.add(d(line.split()[0]))

    # Working days: Sunday to Thursday, less the holidays.
    def workday(self, day):
        return day.weekday() not in (4, 5) and day not in self.holidays

    def add_workdays(self, day, n):
        """The n-th working day after day."""
        while n > 0:
            day += dt.timedelta(days=1)
            if self.workday(day):
                n -= 1
        return day

    def regular_due(self, mm):
        """Month mm is due on the due_day-th working day of the next month."""
        if mm not in self.dues:
            self.dues[mm] = self.add_workdays(first_day(mm + 1) - dt.timedelta(days=1), self.due_day)
        return self.dues[mm]

    def window_from(self, v):
        return add_months(v, self.interval)

    def window_to(self, v):
        return add_months(v, self.interval + self.window) - dt.timedelta(days=1)


class Order:
    def __init__(self, no, seq):
        self.no = no
        self.seq = seq
        self.revs = {}  # revision -> dict
        self.ver = set()
        self.returns = {}  # revision -> (date, code)
        self.stops = []
        self.cards = []


def read(files, today):
    """Orders and what happened to them, from the records, as the one rule takes
    them: a verification before the order was issued, or after today, does not
    count; one on a day already verified counts once."""
    orders, pays, seq = {}, [], 0
    recs = []
    for f in files:
        for n, line in enumerate(open(f, encoding="utf-8"), 1):
            try:
                r = json.loads(line)
            except ValueError:
                r = None
            recs.append((f, n, r, line))
    for f, n, r, line in recs:
        if isinstance(r, dict) and r.get("kind") == "order":
            o = orders.get(r["order_no"])
            if o is None:
                o = orders[r["order_no"]] = Order(r["order_no"], seq)
                seq += 1
            if r["revision"] in o.revs:
                continue
            rates = [(m(x["from"]), m(x["to"]), x["monthly_poisha"]) for x in r.get("rates", [])]
            o.revs[r["revision"]] = {
                "revision": r["revision"],
                "from": d(r["amendment"]["date"]) if "amendment" in r else d(r["issued"]),
                "issued": d(r["issued"]),
                "lump": r.get("lump_poisha"),
                "first": m(r["first_month"]) if "first_month" in r else None,
                "last": m(r["last_month"]) if "last_month" in r else None,
                "rates": rates,
                "account": (r["account"]["routing"], r["account"]["number"]),
                "office": r["office"],
            }
    for f, n, r, line in recs:
        if not isinstance(r, dict):
            if f and line.strip():
                pays.append({"invalid": True, "file": f, "line": n})
            continue
        k = r.get("kind")
        if k == "payment":
            ok = ("payment_id" in r and isinstance(r.get("amount_poisha"), int)
                  and r["amount_poisha"] >= 0 and "paid" in r and "order_no" in r)
            if not ok:
                pays.append({"invalid": True, "file": f, "line": n})
                continue
            pays.append({"invalid": False, "id": r["payment_id"], "order_no": r["order_no"],
                         "revision": r.get("revision", 0), "office": r.get("office"),
                         "month": m(r["month"]) if "month" in r else -1,
                         "amount": r["amount_poisha"], "paid": d(r["paid"]),
                         "account": (r["account"]["routing"], r["account"]["number"]),
                         "file": f, "line": n})
            continue
        o = orders.get(r.get("order_no"))
        if o is None or k not in ("verification", "return", "stop", "card_return"):
            continue
        issued = min(x["issued"] for x in o.revs.values())
        if k == "verification":
            v = d(r["date"])
            if issued <= v <= today:
                o.ver.add(v)
        elif k == "return":
            if r["revision"] in o.revs:
                cur = o.returns.get(r["revision"])
                new = (d(r["date"]), r["code"])
                if cur is None or new < cur:
                    o.returns[r["revision"]] = new
        elif k == "stop":
            if d(r["date"]) >= issued:
                o.stops.append({"date": d(r["date"]),
                                "last": m(r["last_month"]) if "last_month" in r else None,
                                "death": d(r["death_date"]) if "death_date" in r else None,
                                "reason": r["reason"]})
        else:
            o.cards.append(d(r["returned"]))
    return orders, pays


def stop_last(s):
    """The last payable month a stop leaves: its last_month; without one, the
    month of the death, or the month the board decided in."""
    if s["last"] is not None:
        return s["last"]
    if s["death"] is not None:
        return month_of(s["death"])
    return month_of(s["date"])


def known_stop(o, k):
    ss = [s for s in o.stops if s["date"] <= k]
    if not ss:
        return None
    return min(ss, key=lambda s: (s["date"], stop_last(s)))


def in_force(o, day):
    best = None
    for r in sorted(o.revs):
        if o.revs[r]["from"] <= day:
            best = o.revs[r]
    return best


def schedule_rev(o, k):
    return in_force(o, k) or o.revs[min(o.revs)]


def rate(rev, mm):
    for a, b, v in rev["rates"]:
        if a <= mm <= b:
            return v
    return 0


def correction(o, r, k):
    """When the return of revision r stops holding: the first later revision in
    force by k that corrects it (for a return about the account, one with another
    account)."""
    code = o.returns[r][1]
    best = NEVER
    for x in o.revs.values():
        if x["revision"] <= r or x["from"] > k:
            continue
        if code in ACCOUNT_CODES and x["account"] == o.revs[r]["account"]:
            continue
        best = min(best, x["from"])
    return best


def hold_on(o, t, k):
    """The hold over day t as known on k: (return date, correction) or None. Of
    two, the one that lasts longer."""
    found = None
    for r, (rd, code) in o.returns.items():
        if rd > k or rd > t:
            continue
        c = correction(o, r, k)
        if t >= c:
            continue
        if found is None or c > found[1] or (c == found[1] and rd < found[0]):
            found = (rd, c, r)
    return found


def items(M, o, k):
    """Every payable month (or the lump sum) of the order as known on k."""
    R = schedule_rev(o, k)
    V = sorted(v for v in o.ver if v <= k)
    out = []

    def release_after(day):
        later = [v for v in V if v > day]
        return later[0] if later else None

    if R["lump"] is not None:
        it = {"month": -1, "amount": R["lump"], "kind": "lump", "regular_due": R["issued"]}
        if V:
            it.update(state="due", due=M.add_workdays(V[0], M.pay_days), released=V[0])
        else:
            it.update(state="withheld", due=None, released=None)
        out.append(it)
    else:
        for mm in range(R["first"], R["last"] + 1):
            rd = M.regular_due(mm)
            before = [v for v in V if v <= rd]
            L = before[-1] if before else None
            it = {"month": mm, "amount": rate(R, mm), "regular_due": rd}
            if L is not None and rd <= M.window_to(L):
                it.update(kind="regular", state="due", due=rd, released=None)
            else:
                nxt = release_after(rd)
                it["kind"] = "arrears" if L is None else "resumed"
                if nxt is None:
                    it.update(state="withheld", due=None, released=None)
                elif L is None or M.resume:
                    it.update(state="due", due=M.add_workdays(nxt, M.pay_days), released=nxt)
                else:
                    it.update(state="forfeited", due=None, released=nxt)
            out.append(it)
    for it in out:
        it.update(held=False, held_from=None, held_to=None, stopped=False, stopped_from=None)
        it["rev"] = R
        if it["state"] != "due":
            continue
        t = it["due"]
        while True:
            h = hold_on(o, t, k)
            if h is None:
                break
            it["held"] = True
            it["held_from"] = h[0] if it["held_from"] is None else min(it["held_from"], h[0])
            it["held_to"] = h[1]
            if h[1] == NEVER:
                break
            t = it["due"] = M.add_workdays(h[1], M.pay_days)
    s = known_stop(o, k)
    if s is not None:
        for it in out:
            if it["kind"] == "lump":
                if it["state"] != "due" or it["held_to"] == NEVER or it["due"] >= s["date"]:
                    it["stopped"], it["stopped_from"] = True, s["date"]
            elif it["month"] > stop_last(s):
                it["stopped"], it["stopped_from"] = True, ALWAYS
    for it in out:
        rv = in_force(o, it["due"] if it["state"] == "due" else it["regular_due"])
        if rv is None or rv is R:
            continue
        it["rev"] = rv
        if it["kind"] == "lump":
            if rv["lump"] is not None:
                it["amount"] = rv["lump"]
        elif rv["lump"] is None and rv["first"] <= it["month"] <= rv["last"]:
            it["amount"] = rate(rv, it["month"])
    return out


def payable(it):
    return it["state"] == "due" and not it["stopped"] and it["held_to"] != NEVER


def card_due(o, k):
    R = schedule_rev(o, k)
    if R["lump"] is not None:
        return None
    last = R["last"]
    s = known_stop(o, k)
    if s is not None:
        sm = max(stop_last(s), month_of(s["date"]))
        last = min(last, sm)
    due = first_day(last + 1) + dt.timedelta(days=14)
    return due if due.year <= 2199 else None


def status(M, o, day):
    R = schedule_rev(o, day)
    V = sorted(v for v in o.ver if v <= day)
    its = items(M, o, day)
    st = {"order_no": o.no, "revision": R["revision"]}
    lump = R["lump"] is not None
    wto = None
    if V:
        st["first_verification"] = V[0].isoformat()
        st["last_verification"] = V[-1].isoformat()
        st["first_payment_due"] = M.add_workdays(V[0], M.pay_days).isoformat()
        if not lump:
            wfrom, wto = M.window_from(V[-1]), M.window_to(V[-1])
            st["window_from"], st["window_to"] = wfrom.isoformat(), wto.isoformat()
    c = dict(payable_months=0, payable_poisha=0, arrears_months=0, arrears_poisha=0,
             withheld_months=0, forfeited_months=0, forfeited_poisha=0, held_months=0,
             held_poisha=0)
    needs = False
    for it in its:
        if wto is not None and not it["stopped"] and it["regular_due"] > wto:
            needs = True
        if payable(it) and it["due"] <= day:
            if not lump:
                c["payable_months"] += 1
            c["payable_poisha"] += it["amount"]
            if it["kind"] in ("arrears", "resumed"):
                c["arrears_months"] += 1
                c["arrears_poisha"] += it["amount"]
        elif it["stopped"]:
            pass
        elif it["state"] == "due" and it["held_to"] == NEVER:
            if it["due"] > day:
                continue
            if not lump:
                c["held_months"] += 1
            c["held_poisha"] += it["amount"]
        elif it["state"] == "withheld" and not lump and it["regular_due"] <= day:
            c["withheld_months"] += 1
        elif it["state"] == "forfeited" and it["regular_due"] <= day:
            c["forfeited_months"] += 1
            c["forfeited_poisha"] += it["amount"]
    st.update(c)
    s = known_stop(o, day)
    if lump:
        st["lump_poisha"] = R["lump"]
    else:
        last = R["last"]
        if s is not None and stop_last(s) < last:
            last = stop_last(s)
        st["last_month"] = mfmt(last)
        cd = card_due(o, day)
        if cd is not None:
            st["card_due"] = cd.isoformat()
    hold = hold_on(o, day, day)
    if s is not None:
        state = "stopped"
        st["stopped_from"] = s["date"].isoformat()
        st["stop_reason"] = s["reason"]
    elif hold is not None:
        state = "held"
        st["held_from"] = hold[0].isoformat()
        st["return_code"] = o.returns[hold[2]][1]
    elif lump:
        state = ("awaiting_first" if not V else
                 "active" if payable(its[0]) and day <= its[0]["due"] else "ended")
    elif month_of(day) > R["last"]:
        state = "ended"
    elif not V:
        state = "awaiting_first"
    elif day > wto and needs:
        state = "suspended"
        st["suspended_from"] = (wto + dt.timedelta(days=1)).isoformat()
    elif day >= M.window_from(V[-1]) and needs:
        state = "due"
    else:
        state = "active"
    st["state"] = state
    st["needs_window"] = needs
    return st


def reconcile(M, orders, pays, month, as_of):
    """The classes of the month's payments, in the order of reconcile(1)."""
    lo, hi = first_day(month), last_day(month)
    itemcache = {}

    def its(o):
        if o.no not in itemcache:
            itemcache[o.no] = {it["month"]: it for it in items(M, o, as_of)}
        return itemcache[o.no]

    # The first payment of each month: the earliest by paid date, then id.
    first = {}
    for p in pays:
        if p["invalid"]:
            continue
        o = orders.get(p["order_no"])
        if o is None or p["revision"] not in o.revs or p["month"] not in its(o):
            continue
        key = (p["order_no"], p["month"])
        rank = (p["paid"], p["id"], p["file"], p["line"])
        if key not in first or rank < first[key][0]:
            first[key] = (rank, p)
    out, total, n = [], 0, 0
    for p in pays:
        if not p["invalid"] and not (lo <= p["paid"] <= hi):
            continue
        n += 1
        if p["invalid"]:
            out.append(("invalid", "%s:%d" % (p["file"], p["line"])))
            continue
        total += p["amount"]
        out.append((classify(M, orders, p, its, first, as_of), p["id"]))
    for o in sorted(orders.values(), key=lambda x: x.seq):
        for mm, it in its(o).items():
            if not payable(it) or not (lo <= it["due"] <= hi) or it["due"] >= as_of:
                continue
            f = first.get((o.no, mm))
            if f is not None and f[1]["paid"] <= as_of:
                continue
            out.append(("missing", "%s|%s" % (o.no, "lump" if mm < 0 else mfmt(mm))))
        cd = card_due(o, as_of)
        if (cd is not None and cd < as_of and cd <= hi
                and not any(c <= as_of for c in o.cards)):
            out.append(("card_not_returned", o.no))
    return out, n, total


def classify(M, orders, p, its, first, as_of):
    o = orders.get(p["order_no"])
    if o is None or p["revision"] not in o.revs:
        return "unexpected"
    R = schedule_rev(o, as_of)
    it = its(o).get(p["month"])
    if it is None:
        if R["lump"] is not None or p["month"] < R["first"]:
            return "unexpected"
        return "paid_after_end"
    if it["stopped"] and p["paid"] >= it["stopped_from"]:
        return "paid_after_stop"
    if first[(o.no, p["month"])][1] is not p:
        return "duplicate"
    if it["held"] and it["held_from"] <= p["paid"] < it["held_to"]:
        return "paid_while_held"
    V = sorted(v for v in o.ver if v <= as_of)
    if not V or p["paid"] < V[0]:
        return "paid_before_verification"
    if it["state"] != "due" or (it["kind"] != "regular" and p["paid"] < it["released"]):
        return "paid_while_suspended"
    rv = in_force(o, p["paid"]) or R
    if p["account"] != rv["account"]:
        return "wrong_account"
    if p["amount"] < it["amount"]:
        return "underpaid"
    if p["amount"] > it["amount"]:
        return "overpaid"
    if p["paid"] > it["due"]:
        return "late"
    return "matched"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["status", "reconcile", "due"])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--today")
    ap.add_argument("--month")
    ap.add_argument("--holidays")
    ap.add_argument("--interval", type=int, default=10)
    ap.add_argument("--window", type=int, default=1)
    ap.add_argument("--pay-days", type=int, default=3)
    ap.add_argument("--due-day", type=int, default=3)
    ap.add_argument("--resume-arrears", default="yes")
    a = ap.parse_args()
    M = Model(a)
    as_of = d(a.as_of)
    today = max(d(a.today), as_of) if a.today else as_of
    orders, pays = read(a.files, today)
    if a.what == "status":
        for o in sorted(orders.values(), key=lambda x: x.seq):
            print(json.dumps(status(M, o, as_of), sort_keys=True))
    elif a.what == "reconcile":
        out, n, total = reconcile(M, orders, pays, m(a.month), as_of)
        for c, k in out:
            print("%s\t%s" % (c, k))
        print("summary\t%d\t%d" % (n, total))
    else:
        mm = m(a.month)
        lo, hi = first_day(mm), last_day(mm)
        for o in sorted(orders.values(), key=lambda x: x.no):
            for it in items(M, o, hi):
                if payable(it) and lo <= it["due"] <= hi:
                    print("%s\t%s\t%d\t%s\t%d" % (o.no, "lump" if it["month"] < 0 else mfmt(it["month"]),
                                                  it["amount"], it["due"].isoformat(),
                                                  it["rev"]["revision"]))


if __name__ == "__main__":
    main()
