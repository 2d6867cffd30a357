#!/usr/bin/env python3
"""Hold a program's records against what tests/model/paymodel.py says.

    check.py reconcile GOT.jsonl WANT.tsv   reconcile's discrepancies and summary
    check.py status GOT.jsonl WANT.jsonl    lifeverify's status records

Prints each difference and exits 1 when there is one; the counts compared go to
stdout on the last line (CLASS=N ... or STATE=N ...), for the test to see that
the cases reach every class and state."""
import collections
import json
import re
import sys

# The fields of a status record the model decides.
STATUS_FIELDS = ["revision", "state", "first_verification", "last_verification", "window_from",
                 "window_to", "suspended_from", "first_payment_due", "payable_months",
                 "payable_poisha", "arrears_months", "arrears_poisha", "withheld_months",
                 "forfeited_months", "forfeited_poisha", "held_months", "held_poisha",
                 "held_from", "return_code", "stopped_from", "stop_reason", "lump_poisha",
                 "last_month", "card_due"]
ZERO_IF_ABSENT = {"held_months", "held_poisha"}


def reconcile(got, want):
    g, summary = [], None
    for line in open(got, encoding="utf-8"):
        r = json.loads(line)
        if r["kind"] == "summary":
            summary = r
            continue
        c = r["class"]
        if c == "missing":
            key = "%s|%s" % (r["order_no"], r.get("payable_month", "lump"))
        elif c == "card_not_returned":
            key = r["order_no"]
        elif c == "invalid":
            key = re.match(r"(.*?:\d+):", r["detail"]).group(1)
        else:
            key = r["payment_id"]
        g.append((c, key))
    w, wsum = [], None
    for line in open(want, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if f[0] == "summary":
            wsum = (int(f[1]), int(f[2]))
        elif f[0] != "matched":
            w.append((f[0], f[1]))
    bad = 0
    for x in sorted(set(w) - set(g)):
        print("missing from reconcile: %s %s" % x)
        bad = 1
    for x in sorted(set(g) - set(w)):
        print("reconcile says, the model does not: %s %s" % x)
        bad = 1
    if summary is None:
        print("no summary")
        return 1, {}
    if (summary["payments"], summary["payments_poisha"]) != wsum:
        print("summary: %d payments, %d poisha; the model: %d, %d" % (
            summary["payments"], summary["payments_poisha"], wsum[0], wsum[1]))
        bad = 1
    if not summary["balanced"]:
        print("not balanced")
        bad = 1
    counts = collections.Counter(c for c, _ in w)
    counts["matched"] = summary["matched"]
    return bad, counts


def status(got, want):
    g = [json.loads(l) for l in open(got, encoding="utf-8")]
    w = [json.loads(l) for l in open(want, encoding="utf-8")]
    bad = 0
    if [x["order_no"] for x in g] != [x["order_no"] for x in w]:
        print("orders differ: %d written, the model has %d" % (len(g), len(w)))
        return 1, {}
    for a, b in zip(g, w):
        for f in STATUS_FIELDS:
            x = a.get(f, 0 if f in ZERO_IF_ABSENT else None)
            y = b.get(f, 0 if f in ZERO_IF_ABSENT else None)
            if x != y:
                print("%s %s: lifeverify %r, the model %r" % (a["order_no"], f, x, y))
                bad = 1
    return bad, collections.Counter(x["state"] for x in w)


def main():
    what, got, want = sys.argv[1:4]
    bad, counts = (reconcile if what == "reconcile" else status)(got, want)
    print(" ".join("%s=%d" % kv for kv in sorted(counts.items())))
    sys.exit(bad)


if __name__ == "__main__":
    main()
