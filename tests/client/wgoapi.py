#!/usr/bin/env python3
"""A client of the bank written from wgo-api(7) alone, in Python with PyNaCl: the
contract checked from outside libwgo. Nothing here comes from wgo's C code; each
rule is the page's, and where this client and the bank disagree, one of them or
the page is wrong.

    wgoapi.py SCENARIO --url URL --token TOKEN --key SECRETKEY [options]

It prints one line a check, "PASS what" or "FAIL what: why", and appends every
answer it gets to --log (one JSON line: label, HTTP status, header status, code),
for the test that walks the code table.
"""
import argparse
import base64
import hashlib
import http.client
import json
import re
import secrets
import socket
import ssl
import sys
import time
import urllib.parse

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.signing

# ---- keys (wgo-api(7), Keys) ----


class Key:
    def __init__(self, path, passphrase=None):
        lines = open(path, encoding="ascii").read().split("\n")
        if not lines[0].startswith("untrusted comment: wgo secret key "):
            raise ValueError(path + ": not a wgo secret key")
        blob = base64.b64decode(lines[1], validate=True)
        if len(blob) != 152 or blob[0:2] != b"Ed":
            raise ValueError(path + ": not 152 bytes starting Ed")
        kdf, ops, mem = blob[2:4], int.from_bytes(blob[4:12], "little"), int.from_bytes(blob[12:20], "little")
        salt, nonce, self.id, office, box = blob[20:36], blob[36:60], blob[60:68], blob[68:72], blob[72:152]
        if kdf == b"A2":
            if passphrase is None:
                raise ValueError(path + ": sealed, and no passphrase")
            boxkey = nacl.pwhash.argon2id.kdf(32, passphrase, salt, opslimit=ops, memlimit=mem)
        elif kdf == b"NO":
            boxkey = bytes(32)
        else:
            raise ValueError(path + ": unknown key derivation")
        sk = nacl.secret.SecretBox(boxkey).decrypt(box, nonce)  # the tag first, then 64 bytes
        self.signing = nacl.signing.SigningKey(sk[:32])
        pk = bytes(self.signing.verify_key)
        if pk != sk[32:]:
            raise ValueError(path + ": the secret key's public half is not its own")
        if hashlib.blake2b(pk, digest_size=16).digest()[:8] != self.id:
            raise ValueError(path + ": the key id is not the key's")
        self.office = office.rstrip(b"\0").decode("ascii")
        self.hex = self.id.hex()

    def sign(self, data):
        return base64.b64encode(self.signing.sign(data).signature).decode("ascii")


def public_key(path):
    """(office, key id, public key) of a public key file."""
    lines = open(path, encoding="ascii").read().split("\n")
    blob = base64.b64decode(lines[1], validate=True)
    assert len(blob) == 46 and blob[:2] == b"Ed"
    pk = blob[14:46]
    return blob[10:14].rstrip(b"\0").decode(), blob[2:10].hex(), pk


# ---- canonical form (RFC 8785), for the numbers and strings these messages hold ----


def jcs(v):
    if isinstance(v, dict):
        items = sorted(v.items(), key=lambda kv: kv[0].encode("utf-16-be"))
        return "{" + ",".join(jcs(k) + ":" + jcs(x) for k, x in items) + "}"
    if isinstance(v, list):
        return "[" + ",".join(jcs(x) for x in v) + "]"
    if isinstance(v, bool) or v is None:
        return json.dumps(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    raise TypeError("no canonical form for %r" % (v,))


def compact(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def sign_record(rec, key):
    """A record signed as wgo-api(7) says: over the canonical form without signature."""
    body = {k: x for k, x in rec.items() if k != "signature"}
    out = dict(body)
    out["signature"] = {"alg": "ed25519", "key_id": key.hex, "value": key.sign(jcs(body).encode())}
    return out


# ---- requests and answers ----


def message_id():
    return secrets.token_hex(16)


def now_ts(offset=0):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + offset))


def envelope(key, act, message, total=0, sender=None, **over):
    h = {"version": "1.0.0", "message_id": message_id(), "message_ts": now_ts(), "action": act,
         "sender_id": sender or key.office, "receiver_id": "sonali-ddp", "total_count": total,
         "key_id": key.hex}
    h.update(over)
    return {"signature": key.sign(jcs({"header": h, "message": message}).encode()), "header": h,
            "message": message}


ACTIONS = {"/disburse/sync/disburse": "disburse", "/disburse/sync/stop": "stop",
           "/disburse/sync/txn/status": "txn-status", "/bank/sync/returns": "returns",
           "/bank/sync/verifications": "verifications", "/bank/sync/payments": "payments",
           "/bank/sync/card-returns": "card-returns"}
ANSWERS = {"disburse": "on-disburse", "stop": "on-stop", "txn-status": "on-txn-status",
           "returns": "on-feed", "verifications": "on-feed", "payments": "on-feed",
           "card-returns": "on-feed"}


class Bank:
    def __init__(self, args):
        self.args = args
        u = urllib.parse.urlsplit(args.url)
        self.host, self.port, self.tls = u.hostname, u.port, u.scheme == "https"
        self.log = open(args.log, "a") if args.log else None
        self.fails = 0

    def check(self, cond, what, why=""):
        print(("PASS %s" % what) if cond else ("FAIL %s: %s" % (what, why)), flush=True)
        if not cond:
            self.fails += 1
        return cond

    def conn(self):
        if self.tls:
            ctx = ssl.create_default_context(cafile=self.args.ca)
            if self.args.cert:
                ctx.load_cert_chain(self.args.cert, self.args.cert_key)
            return http.client.HTTPSConnection(self.host, self.port, context=ctx, timeout=30)
        return http.client.HTTPConnection(self.host, self.port, timeout=30)

    def raw(self, label, method, path, body=b"", token=None, headers=None):
        """One request; the answer checked as an envelope and logged."""
        c = self.conn()
        h = {"Content-Type": "application/json"}
        tok = self.args.token if token is None else token
        if tok:
            h["Authorization"] = "Bearer " + tok
        h.update(headers or {})
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return self.answer(label, r.status, dict(r.getheaders()), data, path)

    def answer(self, label, status, headers, data, path):
        try:
            env = json.loads(data)
        except ValueError:
            env = None
        hd = env.get("header") if isinstance(env, dict) else None
        ok = isinstance(hd, dict)
        why = "not an envelope: %r" % data[:200]
        if ok:
            st = hd.get("status")
            want = {"version": str, "message_id": str, "message_ts": str, "action": str,
                    "status": str, "total_count": int, "completed_count": int,
                    "sender_id": str, "receiver_id": str}
            for k, t in want.items():
                if not isinstance(hd.get(k), t) or isinstance(hd.get(k), bool):
                    ok, why = False, "header.%s missing or not a %s" % (k, t.__name__)
            if ok and not re.fullmatch(r"[0-9a-f]{32}", hd["message_id"]):
                ok, why = False, "header.message_id is not 32 lowercase hex digits"
            if ok and not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", hd["message_ts"]):
                ok, why = False, "header.message_ts is not RFC 3339 UTC"
            if ok and (hd["version"] != "1.0.0" or hd["sender_id"] != "sonali-ddp"):
                ok, why = False, "version or sender_id"
            if ok and st == "succ":
                if status != 200 or not isinstance(env.get("message"), dict):
                    ok, why = False, "succ: HTTP 200 and a message"
                if "status_reason_code" in hd:
                    ok, why = False, "succ with a reason code"
            elif ok and st == "rjct":
                if not isinstance(hd.get("status_reason_code"), str) or \
                   not isinstance(hd.get("status_reason_message"), str) or "message" in env:
                    ok, why = False, "rjct: a code and a message in the header, no message"
            elif ok:
                ok, why = False, "status %r" % st
            action = ACTIONS.get(path)
            if ok and action and hd["action"] not in (ANSWERS[action], "on-request"):
                ok, why = False, "header.action %s for %s" % (hd["action"], path)
        self.check(ok, "%s: the answer is an envelope" % label, why)
        code = hd.get("status_reason_code") if ok else None
        if self.log:
            self.log.write(compact({"label": label, "http": status, "status": hd.get("status") if ok else None,
                                    "code": code}) + "\n")
            self.log.flush()
        return status, headers, env if ok else None

    def post(self, label, path, env, token=None):
        return self.raw(label, "POST", path, compact(env).encode("utf-8"), token)

    def send(self, label, path, message, total=0, key=None, **over):
        env = envelope(key or self.args.key_obj, ACTIONS[path], message, total, **over)
        return self.post(label, path, env)

    def expect(self, label, answer, http_status, code):
        status, _, env = answer
        got = (status, env["header"].get("status_reason_code") if env else None)
        self.check(got == (http_status, code), "%s: HTTP %s %s" % (label, http_status, code),
                   "got %r" % (got,))
        return env


# ---- disbursements (wgo-api(7), Disbursements) ----


def taka(poisha):
    return "%d.%02d" % (poisha // 100, poisha % 100)


GRANT_NOTE = {"welfare": "কল্যাণ অনুদান", "group_insurance": "যৌথবীমা অনুদান",
              "funeral": "দাফন/অন্ত্যেষ্টিক্রিয়া অনুদান"}


def disbursement(order):
    b = order.get("beneficiary", {})
    return {"reference_id": "%s-r%d" % (order["order_no"], order["revision"]),
            "payer_fa": "bkkb:" + order["office"],
            "payee_fa": "account:%s@%s" % (order["account"]["number"], order["account"]["routing"]),
            "amount": taka(order["total_poisha"]), "currency_code": "BDT",
            "payee_name": b.get("name_bn") or b.get("name_en") or "",
            "note": "%s %s" % (GRANT_NOTE[order["grant"]], order["order_no"]), "locale": "ben",
            "order": order}


def batch(items, what="disbursements"):
    return {"transaction_id": secrets.token_hex(16), what: items}


def statuses(env, what="disbursements_status"):
    return {s["reference_id"]: s for s in env["message"][what]}


# ---- scenarios ----


def contract(bank, a):
    key = a.key_obj
    orders = [json.loads(l) for l in open(a.orders, encoding="utf-8")]
    rev1 = [json.loads(l) for l in open(a.rev1, encoding="utf-8")] if a.rev1 else []
    D, S, T = "/disburse/sync/disburse", "/disburse/sync/stop", "/disburse/sync/txn/status"

    # Transport and authentication, before the body.
    bank.expect("no token", bank.raw("no token", "POST", D, b"{}", token=""), 401, "err.auth.invalid")
    bank.expect("a wrong token", bank.raw("a wrong token", "POST", D, b"{}", token="nobody"), 401,
                "err.auth.invalid")
    # A declared body over 16 MiB is answered at the headers: nothing of it is sent.
    c = bank.conn()
    c.putrequest("POST", D)
    c.putheader("Authorization", "Bearer " + a.token)
    c.putheader("Content-Type", "application/json")
    c.putheader("Content-Length", str(17 * 1024 * 1024))
    c.endheaders()
    r = c.getresponse()
    bank.expect("a 17 MiB body, declared", bank.answer("too large", r.status, dict(r.getheaders()),
                                                       r.read(), D), 413, "err.request.too_large")
    c.close()
    st, hdrs, _ = bank.raw("GET on disburse", "GET", D)
    bank.expect("GET on disburse", (st, hdrs, _), 405, "err.method")
    bank.check(hdrs.get("Allow") == "POST", "405 names the method: Allow: POST", repr(hdrs))
    bank.expect("no such endpoint", bank.raw("no such endpoint", "POST", "/disburse/sync/nothing", b"{}"),
                404, "err.not_found")

    # The envelope, field by field.
    bank.expect("not JSON", bank.raw("not JSON", "POST", D, b'{"header":'), 400, "err.request.bad")
    bank.expect("a duplicate key", bank.raw("a duplicate key", "POST", D,
                                            b'{"header":{},"header":{},"message":{},"signature":""}'),
                400, "err.request.bad")
    empty = batch([])
    bank.expect("version 2.0.0", bank.send("version", D, empty, version="2.0.0"), 400,
                "err.version.unsupported")
    bank.expect('message_id "hello"', bank.send("hello", D, empty, message_id="hello"), 400,
                "err.message_id.invalid")
    bank.expect("message_ts an hour old", bank.send("stale", D, empty, message_ts=now_ts(-3600)), 400,
                "err.msg_ts.stale")
    bank.expect("another office as sender", bank.send("sender", D, empty, sender="DHK"), 401,
                "err.sender.unknown")
    env = envelope(key, "disburse", empty)
    env["header"]["total_count"] = 7
    bank.expect("a header changed after signing", bank.post("changed", D, env), 401,
                "err.signature.invalid")
    bank.expect("the wrong action", bank.send("action", D, empty, action="stop"), 400, "err.request.bad")
    bank.expect("total_count not the items'", bank.send("total", D, empty, total=3), 400,
                "err.request.bad")
    bank.expect("1001 disbursements", bank.send("1001", D, batch([{}] * 1001), total=1001), 413,
                "err.batch.too_large")
    env = envelope(key, "txn-status", {"reference_ids": []})
    bank.check(bank.post("once", T, env)[0] == 200, "a txn-status request is answered")
    bank.expect("the same envelope again", bank.post("again", T, env), 409, "err.message_id.duplicate")

    # Disbursements: accepted, the same content again, then each refusal of an item.
    first = orders[:4]
    env = bank.expect("four orders", bank.send("four", D, batch([disbursement(o) for o in first]), 4),
                      200, None)
    refs = {}
    if env:
        s = statuses(env)
        refs = {r: x.get("bank_ref") for r, x in s.items()}
        bank.check(all(x["status"] == "succ" and re.fullmatch(r"[A-Za-z0-9._/-]+", x.get("bank_ref", ""))
                       for x in s.values()), "each accepted, with a bank_ref")
        bank.check(env["header"]["completed_count"] == 4 and env["header"]["total_count"] == 4,
                   "completed_count and total_count count them")
    env = bank.expect("the same content, a new envelope",
                      bank.send("again", D, batch([disbursement(o) for o in first]), 4), 200, None)
    if env:
        bank.check({r: x.get("bank_ref") for r, x in statuses(env).items()} == refs,
                   "the same answers and bank_refs: never a second payment")

    o = orders[0]
    d = disbursement(o)
    items = []
    x = dict(d, reference_id="nonsense")
    items.append(("rjct.reference_id.invalid", x))
    x = dict(d, payee_name="someone else")
    items.append(("rjct.reference_id.duplicate", x))
    x = dict(d)
    del x["order"]
    x["reference_id"] = "%s-r%d" % (orders[4]["order_no"], 0)
    items.append(("rjct.order.invalid", x))
    changed = dict(orders[4], total_poisha=orders[4]["total_poisha"] + 1)
    items.append(("rjct.order.signature", dict(disbursement(orders[4]), order=changed)))
    if a.other_key:
        other = Key(a.other_key)
        theirs = sign_record(dict(orders[5], office=other.office), other)
        items.append(("rjct.order.office", disbursement(theirs)))
    items.append(("rjct.payer_fa.invalid", dict(disbursement(orders[6]), payer_fa="bkkb:DHK")))
    items.append(("rjct.payee_fa.invalid", dict(disbursement(orders[7]), payee_fa="account:12@200270523")))
    items.append(("rjct.amount.invalid", dict(disbursement(orders[8]), amount="1.00")))
    items.append(("rjct.currency_code.invalid", dict(disbursement(orders[9]), currency_code="USD")))
    items.append(("rjct.request.bad", 42))
    if rev1:
        r1 = rev1[0]
        bank.expect("a corrected revision", bank.send("rev1", D, batch([disbursement(r1)]), 1), 200, None)
        r0 = [x for x in orders if x["order_no"] == r1["order_no"]][0]
        items.append(("rjct.revision.superseded", disbursement(r0)))
    env = bank.expect("a batch of refused items", bank.send("refused", D, batch([i[1] for i in items]),
                                                             len(items)), 200, None)
    if env:
        got = env["message"]["disbursements_status"]
        bank.check(env["header"]["status"] == "succ" and env["header"]["completed_count"] == 0,
                   "a batch whose every item was refused: 200, succ, completed_count 0")
        for (code, _), st in zip(items, got):
            bank.check(st.get("status") == "rjct" and st.get("status_reason_code") == code,
                       "item refused: %s" % code, repr(st))
            if bank.log:
                bank.log.write(compact({"label": "item", "http": 200, "status": "rjct",
                                        "code": st.get("status_reason_code")}) + "\n")

    # Stops, signed here.
    def stop(order, date, reason="withdrawal", last=None):
        s = {"kind": "stop", "v": 1, "order_no": order["order_no"], "revision": order["revision"],
             "office": order["office"], "reason": reason, "date": date}
        if last:
            s["last_month"] = last
        s["officer"] = "Deputy Director"
        return sign_record(s, key)

    st1 = stop(first[1], "2026-01-20", last="2025-12")
    env = bank.expect("a stop", bank.send("stop", S, batch([{"reference_id": first[1]["order_no"] + "-stop",
                                                             "stop": st1}], "stops"), 1), 200, None)
    if env:
        s = env["message"]["stops_status"][0]
        bank.check(s["status"] == "succ" and s.get("bank_ref"), "the stop is taken, with a bank_ref")
    sitems = [
        ("rjct.reference_id.invalid", {"reference_id": "x-stop", "stop": stop(first[2], "2026-01-20")}),
        ("rjct.reference_id.duplicate", {"reference_id": first[1]["order_no"] + "-stop",
                                         "stop": stop(first[1], "2026-01-21", last="2025-12")}),
        ("rjct.stop.invalid", {"reference_id": first[2]["order_no"] + "-stop",
                               "stop": stop(first[2], "2025-01-01")}),
        ("rjct.stop.signature", {"reference_id": first[3]["order_no"] + "-stop",
                                 "stop": dict(stop(first[3], "2026-01-20"), date="2026-01-22")}),
        ("rjct.order.unknown", {"reference_id": orders[-1]["order_no"] + "-stop",
                                "stop": stop(orders[-1], "2026-01-20")}),
    ]
    env = bank.expect("refused stops", bank.send("stops", S, batch([i[1] for i in sitems], "stops"),
                                                 len(sitems)), 200, None)
    if env:
        for (code, _), st in zip(sitems, env["message"]["stops_status"]):
            bank.check(st.get("status") == "rjct" and st.get("status_reason_code") == code,
                       "stop refused: %s" % code, repr(st))
            if bank.log:
                bank.log.write(compact({"label": "stop item", "http": 200, "status": "rjct",
                                        "code": st.get("status_reason_code")}) + "\n")

    # The feeds: pages by cursor, and what a cursor may be.
    R = "/bank/sync/returns"
    got, cursor, pages = [], "0", 0
    while True:
        env = bank.expect("returns from %s" % cursor, bank.send("page", R, {"cursor": cursor, "limit": 2}),
                          200, None)
        if not env:
            break
        m = env["message"]
        bank.check(m["feed"] == "returns" and isinstance(m["more"], bool) and
                   re.fullmatch(r"0|[1-9][0-9]{0,14}", m["next_cursor"]), "a page's message, as the page says")
        got += m["records"]
        pages += 1
        bank.check(int(m["next_cursor"]) == int(cursor) + len(m["records"]), "next_cursor follows the page")
        cursor = m["next_cursor"]
        if not m["more"] or pages > 100:
            break
    bank.check(len(got) > 0 and all(r["kind"] == "return" and r["office"] == key.office for r in got),
               "the returns feed holds the office's returns (%d, in %d pages)" % (len(got), pages))
    for bad in ["01", " 1", "১", str(int(cursor) + 1), 3]:
        bank.expect("cursor %r" % (bad,), bank.send("cursor", R, {"cursor": bad}), 400, "err.cursor.invalid")
    bank.expect("a month on the returns feed", bank.send("month", R, {"cursor": "0", "month": "2026-01"}),
                400, "err.request.bad")
    bank.expect("the payments feed without a month", bank.send("nomonth", "/bank/sync/payments",
                                                                {"cursor": "0"}), 400, "err.request.bad")

    # txn-status: taken, returned, unknown.
    returned = got[0]["reference_id"] if got else None
    ask = [first[0]["order_no"] + "-r0", "KHL-2099-00-000001-r0"] + ([returned] if returned else [])
    env = bank.expect("txn-status", bank.send("status", T, {"reference_ids": ask}), 200, None)
    if env:
        s = statuses(env)
        bank.check(s[ask[0]]["status"] == "succ" and s[ask[0]].get("bank_ref") == refs.get(ask[0]),
                   "txn-status: taken, with its bank_ref")
        bank.check(s[ask[1]].get("status_reason_code") == "rjct.reference_id.invalid",
                   "txn-status: unknown, rjct.reference_id.invalid")
        if returned:
            bank.check(s[returned]["status"] == "succ" and
                       s[returned].get("status_reason_code") == "rjct.returned",
                       "txn-status: taken, then returned: succ with rjct.returned")
        if bank.log:
            for x in s.values():
                bank.log.write(compact({"label": "status item", "http": 200, "status": x["status"],
                                        "code": x.get("status_reason_code")}) + "\n")

    # The sandbox's own endpoints.
    V = "/sandbox/verify"
    def sbx(label, path, obj, method="POST"):
        return bank.raw(label, method, path, b"" if obj is None else compact(obj).encode())
    n0 = first[0]["order_no"]
    env = bank.expect("verify", sbx("verify", V, {"order_no": n0, "date": "2025-12-11"}), 200, None)
    if env:
        v = env["message"]
        bank.check(v.get("kind") == "verification" and v.get("order_no") == n0, "verify: the record")
    bank.expect("verify again", sbx("verify again", V, {"order_no": n0, "date": "2025-12-11"}), 409,
                "err.verification.duplicate")
    bank.expect("verify before the order", sbx("verify early", V, {"order_no": n0, "date": "2025-01-01"}),
                400, "err.verification.date")
    bank.expect("verify no order", sbx("verify none", V, {"order_no": "KHL-2099-00-000001",
                                                          "date": "2025-12-11"}), 404, "err.order.unknown")
    env = bank.expect("simulate", sbx("simulate", "/sandbox/simulate", {"through": "2026-02-28",
                                                                        "late": 0.2, "never": 0.1}), 200, None)
    if env:
        bank.check(set(env["message"]) == {"on_time", "late", "never", "verifications"}, "simulate's message")
    env = bank.expect("run-month", sbx("run-month", "/sandbox/run-month", {"month": "2025-12"}), 200, None)
    if env:
        m = env["message"]
        bank.check(set(m) == {"month", "payments", "payments_poisha", "card_returns", "errors"} and
                   set(m["errors"]) == {"wrong_amount", "duplicate", "paid_while_suspended", "wrong_account"},
                   "run-month's message")
    bank.expect("run-month again", sbx("run-month again", "/sandbox/run-month", {"month": "2025-12"}), 409,
                "err.month.done")
    env = bank.expect("state", sbx("state", "/sandbox/state", None, "GET"), 200, None)
    if env:
        m = env["message"]
        bank.check(set(m) == {"accepted", "stops", "orders", "feeds", "months", "today"} and
                   set(m["feeds"]) == {"returns", "verifications", "payments", "card_returns"},
                   "state's message")
    # The statement of December, paged: every payment the month made.
    P = "/bank/sync/payments"
    pays, cursor = [], "0"
    while True:
        env = bank.expect("payments", bank.send("payments", P, {"cursor": cursor, "limit": 3,
                                                                "month": "2025-12"}), 200, None)
        if not env:
            break
        pays += env["message"]["records"]
        cursor = env["message"]["next_cursor"]
        if not env["message"]["more"]:
            break
    bank.check(all(p["kind"] == "payment" and p["paid"].startswith("2025-12") for p in pays),
               "the payments feed: December's payments (%d)" % len(pays))


def expect_only(bank, a):
    """Any request, expected to be answered with one code (a bank set up for it)."""
    key = a.key_obj
    if a.what == "verify":
        ans = bank.raw("verify", "POST", "/sandbox/verify",
                       compact({"order_no": a.order_no, "date": a.date}).encode())
    elif a.what == "run-month":
        ans = bank.raw("run-month", "POST", "/sandbox/run-month", compact({"month": a.month}).encode())
    elif a.what == "disburse":
        orders = [json.loads(l) for l in open(a.orders, encoding="utf-8")]
        ans = bank.send("disburse", "/disburse/sync/disburse", batch([disbursement(o) for o in orders]),
                        len(orders))
    else:
        ans = bank.send("returns", "/bank/sync/returns", {"cursor": "0"})
    bank.expect("%s on a bank set up for it" % a.what, ans, a.http, a.code if a.code != "-" else None)
    if a.code in ("err.rate.limited", "err.server.unavailable"):
        bank.check(re.fullmatch(r"\d+", ans[1].get("Retry-After", "")), "with Retry-After", repr(ans[1]))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("scenario", choices=["contract", "expect"])
    p.add_argument("--url", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--passphrase-file")
    p.add_argument("--other-key")
    p.add_argument("--orders")
    p.add_argument("--rev1")
    p.add_argument("--log")
    p.add_argument("--ca")
    p.add_argument("--cert")
    p.add_argument("--cert-key")
    p.add_argument("--what", default="returns")
    p.add_argument("--http", type=int)
    p.add_argument("--code")
    p.add_argument("--order-no")
    p.add_argument("--date")
    p.add_argument("--month")
    a = p.parse_args()
    pw = open(a.passphrase_file, "rb").read().rstrip(b"\r\n") if a.passphrase_file else None
    a.key_obj = Key(a.key, pw)
    bank = Bank(a)
    {"contract": contract, "expect": expect_only}[a.scenario](bank, a)
    sys.exit(1 if bank.fails else 0)


if __name__ == "__main__":
    main()
