#!/bin/sh
# wgo-report: golden figures of a synthetic quarter worked out by hand, every
# figure held against an independent reading in jq (tests/model/report.jq), and
# the HTML page rendered by headless Chromium in Bengali and in English: a
# screenshot each that is not blank, and the figures read back from the DOM.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 2
golden wgo-report

# ---- the synthetic quarter (tests/golden/wgo-report/setup.sh says what it holds),
# 2025-26Q2: 1 October to 31 December 2025. Working days leave out Fridays,
# Saturdays, 16 and 25 December. Each figure below, worked out by hand:
mkdir -p quarter && cd quarter || exit 2
. "$TOP/tests/golden/wgo-report/setup.sh"
wgo-report --quarter 2025-26Q2 q/*.jsonl >fig.jsonl 2>fig.err
is "$?" 0 "wgo-report reads the quarter, exit 0"
expect 0 "every figure is a valid record" wgo-check records fig.jsonl
# The board's figures ("-" for the whole; by and key otherwise):
#  orders_issued 4: O1, O2, O3 (KHL) and O5 (DHK) were issued in the quarter; O4 on 30 Sep.
#  orders_pushed 5: O1, O2, O3 r0, O3 r1, O5 (rejected); O1's failed and repeated
#    pushes and O2's skipped one count once or not at all; O4's was in September.
#  orders_accepted 4: all but O5's.
#  orders_returned 1, code AC01: O3 on 4 December. orders_corrected 1: O3 r1 in force 11 Dec.
#  orders_stopped 1, reason withdrawal: O5 on 22 December.
#  approval_to_issue: O1 Wed 1 -> Wed 8 Oct: Thu 2, Sun 5 to Wed 8 = 5; O2 Sun 5 -> Thu 16:
#    Mon 6 to Thu 9, Sun 12 to Thu 16 = 9; O3 Thu 20 Nov -> Mon 1 Dec: Sun 23 to Thu 27,
#    Sun 30, Mon 1 = 7; O5 Sun 7 -> Sun 14 Dec: Mon 8 to Thu 11, Sun 14 = 5. Sorted 5 5 7 9:
#    the median is the 2nd (nearest rank, ceil(0.5 x 4)) = 5, the 90th percentile the 4th = 9.
#  issue_to_verification: O1 Wed 8 -> Mon 20 Oct = 8; O2 Thu 16 Oct -> Sun 2 Nov = 11;
#    O4 Tue 30 Sep -> Thu 2 Oct = 2. Sorted 2 8 11: median 8, 90th 11.
#  verification_to_payment (the first payment in the quarter): O1 Mon 20 -> Wed 22 Oct = 2;
#    O2 Sun 2 -> Mon 10 Nov = 6; O4 Thu 2 -> Tue 7 Oct = 3; O10 Sat 20 Sep -> Wed 1 Oct = 9.
#    Sorted 2 3 6 9: median 3, 90th 9.
#  return_to_correction: O3 Thu 4 -> Thu 11 Dec = 5: median and 90th 5.
#  first_payments_due 3: the first verification + 3 working days falls in the quarter for
#    O1 (Thu 23 Oct), O2 (Wed 5 Nov), O4 (Tue 7 Oct); first_payments_on_time 2: O1 paid
#    22 Oct, O4 7 Oct; O2 only on 10 Nov. paid_within_promise 2/3 = 667 per mille.
#  verifications 5: O1, O2, O4 (first: 3), O9 on 15 Oct inside its window 10 Oct to 9 Nov
#    (on time: 1), O7 on 14 Oct after its window closed on 9 May (resumed: 1).
#  beneficiaries_due 1: O6, inside its window 20 Dec to 19 Jan on 31 Dec.
#  beneficiaries_suspended 1, suspended_in_period 1: O8, its window closed 19 December.
#  payments 13 (welfare 12, group insurance 1): O1 3, O2 3, O4 3, O7 2, O9 1, O10 1;
#    payments_poisha Tk 3,36,000.00 = 12 x 3,000 + 3,00,000 (33600000 poisha).
#  arrears_paid 3, Tk 9,000: O1's and O2's September (its regular due date, the 3rd
#    working day of October, Sun 5 Oct, came before their first verification) and O7's
#    May (due in June, while suspended); O4's September was due on 5 Oct, after it was
#    verified on 2 Oct: regular.
#  discrepancies 3 (late, missing, underpaid), Tk 6,500 at stake: the underpaid
#    one's Tk 500 short, the late Tk 3,000 and the missing Tk 3,000; September's and
#    January's are outside the quarter.
#  cards_not_returned 1: O11 ended in October, its card due 15 November, never back;
#    O12's came back on 12 October, before its day.
#  complaints_received 5 (welfare 3, payment 1, life_verification 1; desks 1: 2, 2: 1,
#    3: 1): made in the quarter; KHL-C-2025-000002 was made in September, KHL-C-2026-000001
#    in January.
#  complaints_resolved 3: KHL-C-2025-000001 (Sun 5 -> Mon 20 Oct: 11 working days, its
#    deadline 30 working days away: in time), KHL-C-2025-000002 (Wed 10 Sep -> Thu 30 Oct:
#    36; its deadline was Wed 22 Oct: late), DHK-C-2025-000001 (escalated on 25 Nov, after
#    its deadline of 23 Nov, and resolved on 10 Dec, inside level 1's 20 working days to
#    24 Dec: in time; 43 working days from 12 Oct). complaints_resolved_in_time 2, share
#    667. Days sorted 11 36 43: median 36, 90th 43. KHL-C-2025-000005's resolution on
#    3 January is not known at the quarter's end.
#  complaints_escalated 1; complaints_open 3 (KHL-C-2025-000003, -000004, -000005);
#    complaints_overdue 1: KHL-C-2025-000003, made Mon 3 Nov, due Mon 15 Dec (30 working
#    days), open on 31 Dec.
#  The charter (wgo.conf.example): welfare, 15 days from approval to issue for welfare
#    orders: 4 cases (5 5 7 9), median 5, 90th 9, all within: 1000, kept. payment, 3 days
#    from the first verification to the first payment: 4 cases (2 3 6 9), median 3, 90th
#    9, within 2 of 4: 500, not kept. grievance, 30 days to resolve a complaint: 3 cases
#    (11 36 43), median 36, 90th 43, within 1 of 3: 333, not kept. group_insurance and
#    funeral: no case in the quarter.
cat >hand.txt <<'HAND'
- applications_approved - - 1
- orders_issued - - 4
- orders_pushed - - 5
- orders_accepted - - 4
- orders_returned - - 1
- orders_returned code AC01 1
- orders_corrected - - 1
- orders_stopped reason withdrawal 1
- approval_to_issue_median - - 5
- approval_to_issue_p90 - - 9
- issue_to_verification_median - - 8
- issue_to_verification_p90 - - 11
- verification_to_payment_median - - 3
- verification_to_payment_p90 - - 9
- return_to_correction_median - - 5
- first_payments_due - - 3
- first_payments_on_time - - 2
- paid_within_promise - - 667
- verifications - - 5
- verified_first - - 3
- verified_on_time - - 1
- verified_resumed - - 1
- beneficiaries_due - - 1
- beneficiaries_suspended - - 1
- suspended_in_period - - 1
- payments - - 13
- payments grant welfare 12
- payments grant group_insurance 1
- payments_poisha - - 33600000
- arrears_paid - - 3
- arrears_paid_poisha - - 900000
- discrepancies - - 3
- discrepancies_poisha - - 650000
- discrepancies_poisha class underpaid 50000
- cards_not_returned - - 1
- complaints_received - - 5
- complaints_received service welfare 3
- complaints_received desk 1 2
- complaints_resolved - - 3
- complaints_resolved_in_time - - 2
- complaints_resolved_in_time_share - - 667
- complaint_days_median - - 36
- complaint_days_p90 - - 43
- complaints_escalated - - 1
- complaints_open - - 3
- complaints_overdue - - 1
- charter_cases service welfare 4
- charter_kept service welfare 1
- charter_within_share service payment 500
- charter_kept service payment 0
- charter_median_days service grievance 36
- charter_within_share service grievance 333
- charter_cases service funeral 0
KHL orders_issued - - 3
KHL approval_to_issue_median - - 7
KHL paid_within_promise - - 500
KHL complaints_resolved_in_time_share - - 500
DHK orders_issued - - 1
DHK complaint_days_median - - 43
DHK paid_within_promise - - 1000
HAND
jq -r '[(.office // "-"), .measure, (.by // "-"), (.key // "-"), .value] | join(" ")' fig.jsonl >got.txt
missing=$(grep -vxF -f got.txt hand.txt)
is "$missing" "" "the figures worked out by hand ($(wc -l <hand.txt | tr -d ' ') of them) are wgo-report's"

# ---- every figure, as tests/model/report.jq reads the same records without libwgo
charter=$(sed -n 's/^service\.\([a-z_]*\)\.days *= *\([0-9]*\)$/\1 \2/p' home/wgo.conf | while read -r id d; do
	m=$(sed -n "s/^service\.$id\.measure *= *//p" home/wgo.conf)
	g=$(sed -n "s/^service\.$id\.grant *= *//p" home/wgo.conf)
	printf '{"id":"%s","days":%s,"measure":"%s","grant":%s}\n' "$id" "$d" "$m" "$( [ -n "$g" ] && echo "\"$g\"" || echo null)"
done | jq -s -c .)
cat q/*.jsonl >all.jsonl
jq -n -c --slurpfile r all.jsonl --argjson hol '["2025-12-16","2025-12-25"]' --arg from 2025-10-01 \
	--arg to 2025-12-31 --argjson deadlines '[30,20,20]' --argjson charter "$charter" \
	-f "$TOP/tests/model/report.jq" | sort >jq.txt
jq -c 'select(.value != 0) | [.office, .measure, .by, .key, .value]' fig.jsonl | sort >wr.txt
is "$(wc -l <jq.txt | tr -d ' ')" "$(wc -l <wr.txt | tr -d ' ')" "jq and wgo-report find as many figures that are not zero ($(wc -l <wr.txt | tr -d ' '))"
is "$(diff wr.txt jq.txt)" "" "and every one agrees"
# A zero is a figure too: each office and the board has every whole count.
is "$(jq -r 'select(.by == null and (.unit == "count" or .unit == "poisha") and (.measure | startswith("charter") | not)) | .office // "-"' fig.jsonl | sort | uniq -c | awk '{ print $1 }' | sort -u)" \
	"$(jq -n '[ "applications_approved","orders_issued","orders_pushed","orders_accepted","orders_returned","orders_corrected","orders_stopped","first_payments_due","first_payments_on_time","verifications","verified_first","verified_on_time","verified_resumed","suspended_in_period","beneficiaries_due","beneficiaries_suspended","payments","payments_poisha","arrears_paid","arrears_paid_poisha","discrepancies","discrepancies_poisha","cards_not_returned","complaints_received","complaints_resolved","complaints_resolved_in_time","complaints_escalated","complaints_open","complaints_overdue" ] | length')" \
	"the board, KHL and DHK each have all 29 whole counts"

# A payment read twice counts once (the attacker's review: main counted the same
# statement given twice twice over): the figures are those of the quarter read
# once, byte for byte.
cp q/payments.jsonl again.jsonl
expect 0 "the payments given twice" wgo-report --quarter 2025-26Q2 q/*.jsonl again.jsonl
is "$out" "$(cat fig.jsonl)" "the figures are those of the payments read once"
# The same payment_id with another amount: said, counted once, exit 1.
grep -m1 '"paid":"2025-10-22"' q/payments.jsonl | jq -c '.amount_poisha += 100' >other.jsonl
expect 1 "a payment_id given again with another amount" wgo-report --quarter 2025-26Q2 q/*.jsonl other.jsonl
like "$err" 'a payment of order [A-Z]+-2025-26-[0-9]+ is given twice with different contents: counted once' "is said"
is "$(printf '%s\n' "$out" | jq -r 'select(.office == null and .measure == "payments" and .by == null) | .value')" \
	"$(jq -r 'select(.office == null and .measure == "payments" and .by == null) | .value' fig.jsonl)" "and counted once"

# ---- the complaint log of the state directory, checked by its chain (--complaints)
rm -f "$WGO_HOME/complaints.jsonl"*
grep '"event":"add"' q/complaints.jsonl | jq -c '{kind, v, office, service, desk, category, text, at}' |
	sed 's/,"desk":null//' >cadd.jsonl
complaint-log add --now 2026-01-10T04:00:00Z cadd.jsonl >/dev/null 2>&1
expect 0 "--complaints reads the office's log" wgo-report --quarter 2025-26Q2 --complaints
# The log's 7 adds: 5 made in the quarter, 1 in September, 1 in January.
is "$(printf '%s\n' "$out" | jq -r 'select(.office == null and .measure == "complaints_received" and .by == null) | .value')" 5 \
	"the complaints made in the quarter, from the log (it numbers them anew)"
printf 'x' >>"$WGO_HOME/complaints.jsonl"
sed -i '1s/"text":"late"/"text":"LATE"/' "$WGO_HOME/complaints.jsonl"
expect 2 "a damaged log is an error" wgo-report --quarter 2025-26Q2 --complaints
like "$err" "complaints.jsonl: damaged: nothing is read from it" "and says so"

# ---- the page, rendered by headless Chromium (Debian's), in each language
browser=
for b in chromium chromium-browser; do command -v $b >/dev/null && browser=$b && break; done
if [ -z "$browser" ] && command -v apt-get >/dev/null; then
	SUDO=; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-beng \
		>apt.log 2>&1 || { $SUDO apt-get update -qq >>apt.log 2>&1 &&
		$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-beng >>apt.log 2>&1; }
	command -v chromium >/dev/null && browser=chromium
fi
# A PNG's pixels, without a library: how many are not white, and whether the
# board's green (#006a4e) is among them.
cat >png.py <<'PY'
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n'
i, idat, w = 8, b'', 0
while i < len(d):
    n, t = struct.unpack('>I4s', d[i:i + 8]); c = d[i + 8:i + 8 + n]; i += 12 + n
    if t == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', c[:10])
    if t == b'IDAT': idat += c
bpp = {2: 3, 6: 4}[ctype]; raw = zlib.decompress(idat); stride = w * bpp
prev = bytearray(stride); out = 0; green = 0; p = 0
for y in range(h):
    f = raw[p]; line = bytearray(raw[p + 1:p + 1 + stride]); p += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0; b = prev[x]; cc = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            pa, pb, pc = abs(b - cc), abs(a - cc), abs(a + b - 2 * cc)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else cc)) & 255
    for x in range(0, stride, bpp):
        r, g, bl = line[x], line[x + 1], line[x + 2]
        if (r, g, bl) != (255, 255, 255): out += 1
        if abs(r - 0) < 8 and abs(g - 0x6a) < 8 and abs(bl - 0x4e) < 8: green += 1
    prev = line
print(w * h, out, green)
PY
flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"
for lang in bn en; do
	wgo-report --quarter 2025-26Q2 -f html --lang $lang --now 2026-01-10T04:00:00Z q/*.jsonl >report-$lang.html
	if [ -z "$browser" ]; then
		skip "chromium cannot be installed here ($(tail -1 apt.log 2>/dev/null)): the $lang page is not rendered"
		continue
	fi
	grep -Eq '<script|src="http|href="http' report-$lang.html && fail "the $lang page loads nothing" || pass "the $lang page loads nothing: no script, no link out"
	timeout 120 $browser $flags --user-data-dir="$SCRATCH/chr-$lang" --window-size=900,1300 \
		--screenshot="$SCRATCH/quarter/report-$lang.png" "file://$SCRATCH/quarter/report-$lang.html" >chr.log 2>&1
	set -- $(python3 png.py report-$lang.png 2>&1)
	# 900 x 1300 pixels; a blank page has none that is not white.
	if [ "${1:-}" = 1170000 ] && [ "${2:-0}" -gt 50000 ] && [ "${3:-0}" -gt 1000 ]; then
		pass "the $lang screenshot is not blank ($2 of $1 pixels not white, $3 in the board's green)"
	else
		fail "the $lang screenshot is not blank" "$*" "$(tail -5 chr.log)"
	fi
	timeout 120 $browser $flags --user-data-dir="$SCRATCH/chr-$lang" --dump-dom \
		"file://$SCRATCH/quarter/report-$lang.html" >dom-$lang.html 2>chr.log
	# The board's figures, as the table of every figure shows them.
	row() { tr '\n' ' ' <dom-$lang.html | grep -o "data-measure=\"$1\"><td>[^<]*</td><td class=\"n\">[^<]*<" | head -1 | sed 's/.*class="n">//; s/<$//'; }
	if [ $lang = bn ]; then
		is "$(row orders_issued)" "৪" "bn DOM: orders issued, ৪"
		is "$(row payments_poisha)" "৳ ৩,৩৬,০০০.০০" "bn DOM: paid, ৳ ৩,৩৬,০০০.০০ (lakh grouping, Bengali digits)"
		is "$(row paid_within_promise)" "৬৬.৭%" "bn DOM: paid within the promise, ৬৬.৭%"
		is "$(row complaints_resolved_in_time_share)" "৬৬.৭%" "bn DOM: complaints in time, ৬৬.৭%"
		# 10 January 2026: Poush began on 16 December, so it is the 26th of Poush 1432.
		like "$(cat dom-$lang.html)" 'তারিখ: ২৬ পৌষ ১৪৩২ / ১০ জানুয়ারি ২০২৬' "bn DOM: the Bangla and Gregorian dates on its head"
		like "$(cat dom-$lang.html)" '২০২৫-২৬ অর্থবছরের ২য় প্রান্তিকের সেবা প্রদান প্রতিবেদন' "bn DOM: the quarter in the title"
		like "$(cat dom-$lang.html)" '০১ অক্টোবর ২০২৫ – ৩১ ডিসেম্বর ২০২৫' "bn DOM: its months' names in Bengali"
	else
		is "$(row orders_issued)" "4" "en DOM: orders issued, 4"
		is "$(row payments_poisha)" "Tk 3,36,000.00" "en DOM: paid, Tk 3,36,000.00"
		is "$(row paid_within_promise)" "66.7%" "en DOM: paid within the promise, 66.7%"
		like "$(cat dom-$lang.html)" 'Date: ২৬ পৌষ ১৪৩২ / 10 January 2026' "en DOM: the Bangla date beside the Gregorian"
	fi
	case $(cat dom-$lang.html) in *'<svg'*'<svg'*'<svg'*) pass "$lang DOM: the charts, inline SVG" ;; *) fail "$lang DOM: the charts, inline SVG" ;; esac
	# The copy kept for a reviewer under tests/ is this one, when WGO_KEEP_SHOTS is set.
	[ -n "${WGO_KEEP_SHOTS:-}" ] && cp report-$lang.png "$TOP/tests/report-$lang.png"
done
cd "$SCRATCH" || exit 2
expect 0 "--help" wgo-report --help
like "$out" '^Usage: wgo-report --quarter' "usage on stdout"
done_testing
