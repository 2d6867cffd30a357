#!/bin/sh
# wgo-track: golden answers for orders in every state over a small office year, in
# both languages; the complaint deadline as complaint-log gives it; what is masked;
# the index kept up to date as records come.
. "$(dirname "$0")/lib.sh"

golden wgo-track

cd "$SCRATCH" || exit 2
mkdir year && cd year || exit 2
. "$TOP/tests/golden/wgo-track/setup.sh" >/dev/null 2>&1

# The deadline of an open complaint is the one complaint-log lists for it.
want=$(complaint-log list -f records --as-of 2026-12-15 --now 2026-12-15T06:00:00Z | jq -r 'select(.id == "KHL-C-2026-000002") | .deadline')
got=$(track --records 19714384063381352 | jq -r '.complaints[0].deadline')
is "$got" "$want" "a complaint's deadline is the one complaint-log gives ($want)"
want=$(complaint-log list -f records --as-of 2026-12-15 --now 2026-12-15T06:00:00Z | jq -r 'select(.id == "KHL-C-2026-000003") | [.deadline, .overdue] | @tsv')
got=$(track --records 19571297580241465 | jq -r '.complaints[0] | [.deadline, .overdue] | @tsv')
is "$got" "$want" "and so is an escalated one's, overdue"
is "$(track --records 4705392705 | jq '.complaints')" "null" "no complaint, no complaints"

# Before its order was issued (KHL-2025-26-000001: received 2025-11-20, approved
# 2025-11-26, issued 2025-12-10, as setup.sh says), an order is told as its
# application stood that day: no order yet, nothing about life verification or pay.
track --records --as-of 2025-12-01 KHL-2025-26-000001 >ans
is "$(jq -c '[.state, .since, .order_no, [.events[] | .date + " " + .event], .next.action]' ans)" \
	'["approved","2025-11-26",null,["2025-11-20 received","2025-11-26 approved"],"issue"]' \
	"as of a day after its approval and before its issue: approved, no order yet"
track --lang en --as-of 2025-12-01 KHL-2025-26-000001 >ans
like "$(cat ans)" '^Application KHL/APP/2025/0001, Khulna' "told as the application"
like "$(cat ans)" 'Now: approved; no order has been issued yet\.' "approved, no order yet"
is "$(grep -c -e 'life verification' -e 'Tk ' ans)" 0 "and not a word of life verification or of money due"
is "$(track --records --as-of 2025-11-22 KHL-2025-26-000001 | jq -c '[.state, .since]')" '["received","2025-11-20"]' \
	"as of a day before its approval: received"
is "$(track --records --as-of 2025-12-10 KHL-2025-26-000001 | jq -c '[.state, .order_no]')" '["awaiting_first","KHL-2025-26-000001"]' \
	"as of its issue day: the order, waiting for its first verification"

# Masking: only the number asked for is shown whole; no other whole NID or mobile
# of the year appears in any answer (checked against every number the orders hold).
numbers=$(jq -r '.beneficiary.nid, .beneficiary.mobile' orders.jsonl apps.jsonl pending.jsonl | sort -u)
for q in 'Rahima Khatun' 'Shiuli Rani Das' KHL-2025-26-000003 KHL/APP/2026/0102; do
	track --lang en --limit 0 "$q" >"ans"
	track --records --limit 0 "$q" >>"ans"
done
leaked=$(for n in $numbers; do grep -c -- "$n" ans; done | awk '{ s += $1 } END { print s + 0 }')
is "$leaked" 0 "asked by name or number, no whole NID or mobile is shown"
track --records 01874277995 >ans
is "$(jq -r .mobile ans)" "+8801874277995" "asked by mobile, that mobile is shown whole"
like "$(jq -r .nid ans)" '^\*+078$' "and the NID masked but for its last three digits"
# Kept up to date: the next month's records, exported into the same index, are
# told at once; the same files again change nothing.
pay() { echo "{\"kind\":\"payment\",\"v\":1,\"payment_id\":\"P3-$1\",\"reference_id\":\"KHL-2025-26-000003-r1\",\"order_no\":\"KHL-2025-26-000003\",\"revision\":1,\"office\":\"KHL\",\"month\":\"$1\",\"amount_poisha\":300000,\"paid\":\"$2\",\"account\":{\"routing\":\"200472441\",\"number\":\"1111111111\"}}"; }
pay 2026-11 2026-12-14 >late.jsonl
before=$(sqlite3 home/track.sqlite "SELECT count(*) FROM lookup_names")
wgo-export -q -o home/track.sqlite late.jsonl
like "$(track --lang en KHL-2025-26-000003)" 'the payment for December 2026, Tk 3,000.00, is due by 5 January 2027\.' \
	"a payment exported later is told: the next one is December's"
wgo-export -q -o home/track.sqlite apps.jsonl orders.jsonl late.jsonl
is "$(sqlite3 home/track.sqlite "SELECT count(*) FROM lookup_names")" "$before" "the same records again add nothing to the index"
head -1 "$TESTDATA/applications.jsonl" | sed 's/KHL\/APP\/2025\/0001/KHL\/APP\/2026\/0200/; s/"nid":"[0-9]*"/"nid":"9876543210"/; s/রহিমা খাতুন/জাহানারা বেগম/; s/Rahima Khatun/Jahanara Begum/; s/,"sanction":{[^}]*}//' >new.jsonl
wgo-export -q -o home/track.sqlite new.jsonl
like "$(track --lang en Jahan Ara Begum)" 'Application KHL/APP/2026/0200' "an application exported later is found by a name written apart"

# Text from the index goes to the terminal escaped: a backslash in a name cannot
# pass for an escape; a control character (which no valid record holds) leaves the
# record out, said, and nothing of it printed.
sqlite3 home/track.sqlite "UPDATE orders SET beneficiary_name_en = 'Evil\e[2J' WHERE order_no = 'KHL-2025-26-000010'"
like "$(track --lang en 4705392705)" 'For Evil\\\\e\[2J' "a backslash in a name is shown escaped"
sqlite3 home/track.sqlite "UPDATE orders SET beneficiary_name_en = 'Evil' || char(27) || '[2J' WHERE order_no = 'KHL-2025-26-000010'"
expect 1 "an order whose row the schema refuses" wgo-track --now 2026-12-15T06:00:00Z --lang en 4705392705
is "$(printf '%s%s' "$out" "$err" | grep -c "$(printf '\033')")" 0 "an escape sequence never reaches the terminal"
like "$err" 'orders row 1: beneficiary.name_en: control character U\+001B at byte 5: not allowed in a string \(left out\)' \
	"the row is named, and left out"

expect 0 "--help" wgo-track --help
like "$out" '^Usage: wgo-track' "usage on stdout"
# A visitor who only complained (found by the new officer's first hour): on main
# it said "Nothing found" above the complaint it then showed, and exited 1.
complaint-log -q --by desk add --office KHL --service payment --category delay --name "Abul Kalam" \
	--mobile 01812345678 --text "where do I apply?" --now 2026-12-10T04:00:00Z >/dev/null
wgo-export -q -o "$WGO_HOME/track.sqlite" "$WGO_HOME/complaints.jsonl"
expect 0 "a visitor with only a complaint: something was found" track --lang en 01812345678
like "$out" '^No application or order for "01812345678"; its complaints:' "it says there is no grant, not nothing"
like "$out" 'Complaint KHL-C-2026-000004 ' "and shows the complaint"
expect 1 "nothing at all: exit 1" track --lang en 01899999999
like "$out" '^Nothing found for "01899999999"' "and says so"
done_testing
