# An independent reading, in jq, of the figures wgo-report(1) gives: every figure
# worked out from the same records by the rules its man page states, without
# libwgo. tests/t8000-wgo-report.t holds wgo-report's output against it.
# Run as: jq -n -c --slurpfile r ALL-RECORDS.json --argjson hol '["2025-12-16",...]'
#   --arg from 2025-10-01 --arg to 2025-12-31 --argjson charter '[{id,days,measure,grant}]'
#   --argjson deadlines '[30,20,20]' -f report.jq
# and it prints [office or null, measure, by or null, key or null, value] a line, the
# board's (null) and each office's, leaving out zeros.

def day: strptime("%Y-%m-%d") | mktime / 86400 | floor;
def instday: strptime("%Y-%m-%dT%H:%M:%SZ") | mktime | (. + 21600) / 86400 | floor; # Bangladesh
def ymd: . * 86400 | strftime("%Y-%m-%d");
def mon: split("-") | (.[0] | tonumber) * 12 + (.[1] | tonumber) - 1;  # "2025-10" -> month number
def first_of: "\(. / 12 | floor)-\(. % 12 + 1 | tostring | if length < 2 then "0" + . else . end)-01" | day;
def holidays: $hol | map(day);
def isw: (. + 4) % 7 as $w | $w != 5 and $w != 6 and ((holidays | index([.])) | not);
def isw2($h): ((. + 4) % 7) as $w | $w != 5 and $w != 6 and (($h | index([.])) == null);
# working days in (a, b]
def wbetween($a; $b; $h): if $b <= $a then 0 else [range($a + 1; $b + 1) | select(isw2($h))] | length end;
def addw($d; $n; $h): if $n == 0 then $d else ($d + 1) as $x | if ($x | isw2($h)) then addw($x; $n - 1; $h) else addw($x; $n; $h) end end;
# d + n months, the day clamped to the month's end
def addmonths($n): ymd | split("-") | map(tonumber) as [$y, $m, $dd]
	| (($y * 12 + $m - 1) + $n) as $t | ($t | first_of) as $f | ((($t + 1) | first_of) - $f) as $len
	| $f + ([$dd, $len] | min) - 1;
def window_to: addmonths(11) - 1;           # the last day of the window a verification opens
def window_from: addmonths(10);
def regular_due($m; $h): addw(($m + 1 | first_of) - 1; 3; $h);   # 3rd working day of M+1
def rank($q): sort | .[((($q * length) + 99) / 100 | floor) - 1];

($from | day) as $F | ($to | day) as $T | holidays as $H
| def inp: . >= $F and . <= $T;
  [$r[] | select(.kind == "order")] as $orders
| [$orders[] | select(.revision == 0)] as $o0
| ($o0 | map({key: .order_no, value: .}) | from_entries) as $O
| [$r[] | select(.kind == "verification" and (.date | day) <= $T)] as $vers
| ($vers | group_by(.order_no) | map({key: .[0].order_no, value: (map(.date | day) | unique)}) | from_entries) as $V
| [$r[] | select(.kind == "payment" and (.paid | day) <= $T)] as $pays
| ($pays | group_by(.order_no) | map({key: .[0].order_no, value: (map(.paid | day) | min)}) | from_entries) as $FP
| def off($no): $O[$no].office;
  # good standing on d: a verification L on or before d whose window has not closed
  def standing($no; $d): [($V[$no] // [])[] | select(. <= $d and ($d <= window_to))] | length > 0;
[
  # orders
  ([$r[] | select(.kind == "application" and (.sanction.date | day | inp))] | unique_by(.application_no)[]
   | [.office, "applications_approved"]),
  ($o0[] | select(.issued | day | inp) | [.office, "orders_issued"]),
  ([$r[] | select(.kind == "push" and (.status == "accepted" or .status == "rejected")
      and (.at | instday | inp) and $O[.order_no])] | group_by("\(.order_no)-\(.revision)")[]
   | ([off(.[0].order_no), "orders_pushed"]),
     (select(any(.status == "accepted")) | [off(.[0].order_no), "orders_accepted"])),
  ([$r[] | select(.kind == "return")] | group_by("\(.order_no)-\(.revision)")[] | min_by(.date)
   | select(.date | day | inp) | ([.office, "orders_returned"], [.office, "orders_returned", "code", .code])),
  ($orders[] | select(.revision > 0 and (.amendment.date | day | inp)) | [.office, "orders_corrected"]),
  ($r[] | select(.kind == "stop" and (.date | day | inp))
   | ([off(.order_no), "orders_stopped"], [off(.order_no), "orders_stopped", "reason", .reason])),
  # verifications, the first or after the window the one before opened
  ($V | to_entries[] | .key as $no | .value as $v | range(0; $v | length) as $i | select($v[$i] | inp)
   | [off($no), "verifications"],
     (if $i == 0 then [off($no), "verified_first"]
      elif $v[$i] <= ($v[$i - 1] | window_to) then [off($no), "verified_on_time"]
      else [off($no), "verified_resumed"] end)),
  # where they stand at the end: due inside the window; suspended after it closed
  # while a month still falls due after it
  ($o0[] | select(.grant == "welfare") | .order_no as $no | ($V[$no] // []) as $v | select($v | length > 0)
   | ($v[-1]) as $L | select(([$r[] | select(.kind == "stop" and .order_no == $no and (.date | day) <= $T)] | length) == 0)
   | if ($T >= ($L | window_from) and $T <= ($L | window_to)) then [.office, "beneficiaries_due"]
     elif ($T > ($L | window_to) and regular_due(.last_month | mon; $H) > ($L | window_to)) then
       [.office, "beneficiaries_suspended"], (select(($L | window_to) + 1 | inp) | [.office, "suspended_in_period"])
     else empty end),
  # the first payment within 3 working days of the first verification
  ($o0[] | .order_no as $no | select($V[$no]) | addw($V[$no][0]; 3; $H) as $due | select($due | inp)
   | [.office, "first_payments_due"], (select($FP[$no] and $FP[$no] <= $due) | [.office, "first_payments_on_time"])),
  # payments, and the arrears among them: a month not paid on its regular due date
  # because the beneficiary was not in good standing then
  ($pays[] | select(.paid | day | inp) | ($O[.order_no].grant // "unknown") as $g
   | [.office, "payments"], [.office, "payments", "grant", $g],
     [.office, "payments_poisha", null, null, .amount_poisha], [.office, "payments_poisha", "grant", $g, .amount_poisha],
     (select(.month and (standing(.order_no; regular_due(.month | mon; $H)) | not))
      | [.office, "arrears_paid"], [.office, "arrears_paid_poisha", null, null, .amount_poisha])),
  # discrepancies of the quarter's months, with the taka at stake
  ($r[] | select(.kind == "discrepancy" and (.month | mon) >= ($from[0:7] | mon) and (.month | mon) <= ($to[0:7] | mon))
   | (if .class == "underpaid" then .expected_poisha - .paid_poisha elif .class == "overpaid" then .paid_poisha - .expected_poisha
      elif .class == "missing" then .expected_poisha elif .class == "card_not_returned" then 0
      else (.paid_poisha // .expected_poisha // 0) end) as $s
   | [.office, "discrepancies"], [.office, "discrepancies", "class", .class],
     [.office, "discrepancies_poisha", null, null, $s], [.office, "discrepancies_poisha", "class", .class, $s]),
  # cards due back on the 15th after the last month, not back by then
  ($o0[] | select(.grant == "welfare") | .order_no as $no | (((.last_month | mon) + 1 | first_of) + 14) as $due
   | select($due | inp)
   | select(([$r[] | select(.kind == "card_return" and .order_no == $no and (.returned | day) <= $due)] | length) == 0)
   | [.office, "cards_not_returned"]),
  # complaints: the events known at the period's end, folded in the log's order
  ( [$r[] | select(.kind == "complaint" and (.at | instday) <= $T)]
    | (map(select(.event == "escalate" and (.at | instday | inp)) | [.office, "complaints_escalated"])[]),
      (reduce .[] as $e ({}; .[$e.id] as $c |
        if $e.event == "add" then .[$e.id] = {o: $e.office, s: ($e.service // "-"), d: $e.desk, added: ($e.at | instday), st: "open", lv: 0, start: ($e.at | instday)}
        elif $e.event == "ack" then .[$e.id].st = "ack"
        elif $e.event == "resolve" then .[$e.id] += {st: "resolved", res: ($e.at | instday), rlv: $c.lv, rstart: $c.start}
        elif $e.event == "escalate" then .[$e.id] += {st: "open", lv: $e.level, start: ($e.at | instday)}
        else .[$e.id] += {st: "open", start: ($e.at | instday)} end)
       | .[] | . as $c
       | (select(.added | inp) | [.o, "complaints_received"], [.o, "complaints_received", "service", .s],
          (select(.d) | [.o, "complaints_received", "desk", .d])),
         (select(.st == "resolved" and (.res | inp))
          | (.res <= addw(.rstart; $deadlines[.rlv]; $H)) as $ok
          | [.o, "complaints_resolved"], [.o, "complaints_resolved", "service", .s],
            (select(.d) | [.o, "complaints_resolved", "desk", .d]),
            (select($ok) | [.o, "complaints_resolved_in_time"], [.o, "complaints_resolved_in_time", "service", .s],
             (select(.d) | [.o, "complaints_resolved_in_time", "desk", .d]))),
         (select(.st != "resolved") | [.o, "complaints_open"],
          (select($T > addw(.start; $deadlines[.lv]; $H)) | [.o, "complaints_overdue"], [.o, "complaints_overdue", "service", .s]))))
] as $counts
# spans: [office, span, grant, working days]
| [
  ($o0[] | select(.issued | day | inp) | [.office, "approval_to_issue", .grant, wbetween(.sanction.date | day; .issued | day; $H)]),
  ($o0[] | .order_no as $no | select($V[$no] and ($V[$no][0] | inp)) | [.office, "issue_to_verification", .grant, wbetween(.issued | day; $V[$no][0]; $H)]),
  ($o0[] | .order_no as $no | select($FP[$no] and ($FP[$no] | inp) and $V[$no] and $V[$no][0] <= $FP[$no])
   | [.office, "verification_to_payment", .grant, wbetween($V[$no][0]; $FP[$no]; $H)]),
  ([$r[] | select(.kind == "return")] | group_by("\(.order_no)-\(.revision)")[] | min_by(.date) | . as $rt
   | [$orders[] | select(.order_no == $rt.order_no and .revision > $rt.revision and (.amendment.date >= $rt.date))] | min_by(.amendment.date)
   | select(.amendment.date | day | inp) | [.office, "return_to_correction", .grant, wbetween($rt.date | day; .amendment.date | day; $H)]),
  ( [$r[] | select(.kind == "complaint" and (.at | instday) <= $T)]
    | reduce .[] as $e ({}; if $e.event == "add" then .[$e.id] = {o: $e.office, added: ($e.at | instday)}
        elif $e.event == "resolve" then .[$e.id].res = ($e.at | instday) elif $e.event == "reopen" then .[$e.id].res = null else . end)
    | .[] | select(.res and (.res | inp)) | [.o, "complaint_days", null, wbetween(.added; .res; $H)])
] as $spans
# each figure for the board (null) and for its office
| ([$counts[] | [null] + .[1:], .] | map({o: .[0], m: .[1], b: (.[2] // null), k: (.[3] // null), v: (.[4] // 1)})
   | group_by([.o, .m, .b, .k]) | map(.[0] + {v: (map(.v) | add)})) as $figs
| def fig($o; $m): ([$figs[] | select(.o == $o and .m == $m and .b == null) | .v] | add) // 0;
  ([$spans[] | .[0]] | unique) as $offs
| $figs[],
  ( ([null] + $offs)[] as $o | [$spans[] | select($o == null or .[0] == $o)] as $s
    | (["approval_to_issue", "issue_to_verification", "verification_to_payment", "return_to_correction", "complaint_days"][] as $n
       | [$s[] | select(.[1] == $n) | .[3]] | select(length > 0)
       | {o: $o, m: ($n + "_median"), v: rank(50)}, {o: $o, m: ($n + "_p90"), v: rank(90)}),
      (select(fig($o; "first_payments_due") > 0) | {o: $o, m: "paid_within_promise", v: ((fig($o; "first_payments_on_time") * 1000 + (fig($o; "first_payments_due") / 2 | floor)) / fig($o; "first_payments_due") | floor)}),
      (select(fig($o; "complaints_resolved") > 0) | {o: $o, m: "complaints_resolved_in_time_share", v: ((fig($o; "complaints_resolved_in_time") * 1000 + (fig($o; "complaints_resolved") / 2 | floor)) / fig($o; "complaints_resolved") | floor)}),
      ($charter[] as $c | (if $c.measure == "complaint_resolution" then "complaint_days" else $c.measure end) as $n
       | [$s[] | select(.[1] == $n and ($c.grant == null or .[2] == $c.grant)) | .[3]] as $d
       | {o: $o, m: "charter_limit_days", b: "service", k: $c.id, v: $c.days},
         (select($d | length > 0) | ($d | rank(90)) as $p
          | {o: $o, m: "charter_cases", b: "service", k: $c.id, v: ($d | length)},
            {o: $o, m: "charter_median_days", b: "service", k: $c.id, v: ($d | rank(50))},
            {o: $o, m: "charter_p90_days", b: "service", k: $c.id, v: $p},
            {o: $o, m: "charter_within_share", b: "service", k: $c.id, v: ((([$d[] | select(. <= $c.days)] | length) * 1000 + (($d | length) / 2 | floor)) / ($d | length) | floor)},
            {o: $o, m: "charter_kept", b: "service", k: $c.id, v: (if $p <= $c.days then 1 else 0 end)})))
| select(.v != 0) | [.o, .m, .b, .k, .v]
