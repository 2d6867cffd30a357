#!/bin/sh
# wgo-export: every question of its man page answered in SQL and, independently,
# by jq over the same records; idempotent and incremental loading, conflicts that
# write nothing, leading zeros, integer money, masking, the schema, CSV.
. "$(dirname "$0")/lib.sh"

golden wgo-export

cd "$SCRATCH" || exit 2
export WGO_HOME=$SCRATCH/home
mkdir -p "$WGO_HOME"
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
export SOURCE_DATE_EPOCH=1801440000 # 2027-02-01: every record below is in the past

# ---- a board's records, made by the programs themselves ----
# The sample applications, and one whose NID, account and routing number start
# with zeros (010270525: 5*0+3*1+9*0+5*2+3*7+9*0+5*5+3*2 = 65, check digit 5).
head -1 "$TESTDATA/applications.jsonl" | sed 's/"nid":"[0-9]*"/"nid":"0012345678"/; s/"number":"[0-9]*"/"number":"00012345678"/; s/"routing":"[0-9]*"/"routing":"010270525"/; s/"application_no":"[^"]*"/"application_no":"KHL-A-ZERO"/' >zero-app.jsonl
cat "$TESTDATA/applications.jsonl" zero-app.jsonl | wgo-issue --no-sign --date 2025-12-10 >orders.jsonl
printf '{"kind":"correction","v":1,"order_no":"KHL-2025-26-000003","reason":"bank returned AC01; the beneficiary gave the right account","code":"AC01","changes":{"account":{"number":"0987654321"}}}\n' >corrections.jsonl
wgo-issue --no-sign --amend --date 2025-12-14 corrections.jsonl >revised.jsonl
is "$(wc -l <orders.jsonl) $(wc -l <revised.jsonl)" "37 1" "37 orders issued, one corrected"
# Everyone verified in December 2025; the odd ones again in their window in October
# 2026, the even ones not (suspended by 2027 if monthly).
grep -o '"order_no":"[^"]*"' orders.jsonl | cut -d'"' -f4 | awk '{
	printf "{\"kind\":\"verification\",\"v\":1,\"verification_id\":\"V%d\",\"order_no\":\"%s\",\"date\":\"2025-12-1%d\",\"branch\":\"200270522\"}\n", NR, $1, NR % 8 + 1
	if (NR % 2) printf "{\"kind\":\"verification\",\"v\":1,\"verification_id\":\"W%d\",\"order_no\":\"%s\",\"date\":\"2026-10-20\",\"branch\":\"200270522\"}\n", NR, $1
}' >verifications.jsonl
printf '{"kind":"return","v":1,"return_id":"R1","reference_id":"KHL-2025-26-000003-r0","order_no":"KHL-2025-26-000003","revision":0,"office":"KHL","code":"AC01","reason":"no such account","date":"2025-12-12"}\n' >returns.jsonl
printf '{"kind":"stop","v":1,"order_no":"KHL-2025-26-000010","revision":0,"office":"KHL","reason":"death","date":"2026-08-01","death_date":"2026-07-15","last_month":"2026-07","officer":"Deputy Director"}\n' >stops.jsonl
# December's grant paid to revision 0, January's to the latest revision; the fifth
# order's January is Tk 50 short, the seventh's goes to another account; one
# payment names an order that does not exist.
pay() { # FILE MONTH PAID PREFIX
	awk -v m="$2" -v paid="$3" -v pre="$4" '
	function val(key,    i, r) {
		i = index($0, "\"" key "\":")
		if (!i) return ""
		r = substr($0, i + length(key) + 3)
		if (substr(r, 1, 1) == "\"") { r = substr(r, 2); return substr(r, 1, index(r, "\"") - 1) }
		match(r, /^[0-9]+/); return substr(r, 1, RLENGTH)
	}
	{
		no = val("order_no"); rv = val("revision"); rt = val("routing"); ac = val("number")
		amt = val("lump_poisha"); mm = ""
		if (amt == "") { r = $0; sub(/.*"monthly_poisha":/, "", r); match(r, /^[0-9]+/); amt = substr(r, 1, RLENGTH); mm = "\"month\":\"" m "\"," }
		else if (m != "2025-12") next
		if (pre == "J" && NR == 5) amt -= 5000
		if (pre == "J" && NR == 7) ac = ac "9"
		printf "{\"kind\":\"payment\",\"v\":1,\"payment_id\":\"%s%d\",\"reference_id\":\"%s-r%s\",\"order_no\":\"%s\",\"revision\":%s,\"office\":\"KHL\",%s\"amount_poisha\":%s,\"paid\":\"%s\",\"account\":{\"routing\":\"%s\",\"number\":\"%s\"}}\n", pre, NR, no, rv, no, rv, mm, amt, paid, rt, ac
	}' "$1"
}
pay orders.jsonl 2025-12 2026-01-06 D >payments.jsonl
grep -v '"order_no":"KHL-2025-26-000003"' orders.jsonl | cat - revised.jsonl >latest.jsonl
pay latest.jsonl 2026-01 2026-02-04 J >>payments.jsonl
printf '{"kind":"payment","v":1,"payment_id":"X1","reference_id":"KHL-2025-26-999999-r0","order_no":"KHL-2025-26-999999","revision":0,"office":"KHL","month":"2026-01","amount_poisha":300000,"paid":"2026-02-04","account":{"routing":"200270522","number":"1234567890"}}\n' >>payments.jsonl
reconcile -q --fail-on none --month 2026-01 --as-of 2026-02-20 orders.jsonl revised.jsonl verifications.jsonl payments.jsonl >recon.jsonl
# Fed every record the export holds that the order history reads, as wgo-export feeds it.
lifeverify --as-of 2027-01-31 orders.jsonl revised.jsonl verifications.jsonl returns.jsonl stops.jsonl >status.jsonl
complaint-log add --now 2026-07-01T04:30:00Z -s welfare -c delay -n 'Rahima Khatun' -m 01712345678 --nid 0012345678 -t 'no grant for two months' -b clerk >/dev/null
complaint-log add --now 2026-07-02T05:00:00Z -s payment -c bribe -n 'Abdul Karim' -t 'asked for money' -b clerk >/dev/null
complaint-log add --now 2026-12-01T05:00:00Z -s welfare -c delay -n 'Karim' -t 'late' -b clerk >/dev/null
complaint-log resolve KHL-C-2026-000002 -d upheld --note warned -b Nasrin --now 2026-07-06T05:00:00Z >/dev/null
complaint-log list -f records --as-of 2027-01-31 >complaint-states.jsonl
cp "$WGO_HOME/complaints.jsonl" complaints.jsonl
FILES="orders.jsonl revised.jsonl corrections.jsonl verifications.jsonl returns.jsonl stops.jsonl payments.jsonl recon.jsonl status.jsonl complaint-states.jsonl complaints.jsonl"
cat $FILES >all.jsonl
like "$(jq -r 'select(.kind == "discrepancy") | .class' recon.jsonl | sort -u | tr '\n' ' ')" "late wrong_account" \
	"reconcile found discrepancies of two classes to export"

expect 0 "export every kind" wgo-export --summary -o board.sqlite --as-of 2027-01-31 $FILES
is "$err" "wgo-export: $(wc -l <all.jsonl) read, $(wc -l <all.jsonl) added to board.sqlite, 0 held already, where 37 orders stand on 2027-01-31, 0 rejected" \
	"the summary: every record added, and where the 37 orders stand"
q() { sqlite3 board.sqlite "$1"; }
is "$(q "SELECT count(*) FROM order_status WHERE as_of = '2027-01-31'")" 37 "where each of the 37 orders stands"
cp board.sqlite board0.sqlite

# ---- every documented question, in SQL and in jq ----
# jq's answers, in the order of the man page's examples; each works from the
# records alone.
jqa() { jq -rs "$1" all.jsonl; }
mask='def mk(h; t): .[0:h] + ("*" * (length - h - t)) + .[length - t:];'
n=0
answer() {
	case $1 in
	1) jqa 'map(select(.kind == "payment")) | group_by([.office, .paid[0:7]]) | .[] |
		[.[0].office, .[0].paid[0:7], length, (map(.amount_poisha) | add)] | join("|")' ;;
	2) jqa 'map(select(.kind == "status" and .as_of == "2027-01-31")) | group_by(.state) | .[] |
		[.[0].state, length, (map(.payable_poisha) | add)] | join("|")' ;;
	3) jqa '(map(select(.kind == "order")) | group_by(.order_no) | map(max_by(.revision)) |
		map({key: .order_no, value: .}) | from_entries) as $o |
		map(select(.kind == "status" and .as_of == "2027-01-31" and .state == "suspended")) |
		sort_by(.order_no) | .[] | [.order_no, $o[.order_no].beneficiary.name_en, .window_to] | join("|")' ;;
	4) jqa 'map(select(.kind == "order" and .revision > 0)) | sort_by(.order_no, .revision) | .[] |
		[.order_no, .revision, .amendment.code, (.amendment.changed | tojson)] | join("|")' ;;
	5) jqa '(map(select(.kind == "order")) | group_by(.order_no) | map(max_by(.revision)) |
		map({key: .order_no, value: .account}) | from_entries) as $a |
		map(select(.kind == "payment" and $a[.order_no] != null and
			(.account.number != $a[.order_no].number or .account.routing != $a[.order_no].routing))) |
		sort_by(.payment_id) | .[] | [.payment_id, .order_no, .account.number, $a[.order_no].number] | join("|")' ;;
	6) jqa 'map(select(.kind == "discrepancy")) | group_by(.class) | .[] |
		[.[0].class, length, (map(.paid_poisha // 0) | add)] | join("|")' ;;
	7) jqa '("2027-01-31" | strptime("%Y-%m-%d") | mktime) as $d |
		map(select(.kind == "complaint_state" and .status != "resolved" and .deadline != null)) |
		map(. + {days: (($d - (.deadline | strptime("%Y-%m-%d") | mktime)) / 86400 | floor)}) |
		map(select(.days > 0)) | sort_by(.id) | .[] | [.id, .deadline, .days] | join("|")' ;;
	8) jqa '(map(select(.kind == "order")) | map({key: "\(.order_no) \(.revision)", value: .grant}) |
		from_entries) as $g | map(select(.kind == "payment" and $g["\(.order_no) \(.revision)"] != null)) |
		group_by($g["\(.order_no) \(.revision)"]) | .[] |
		[$g["\(.[0].order_no) \(.[0].revision)"], length, (map(.amount_poisha) | add)] | join("|")' ;;
	9) jqa 'map(select(.kind == "order" and .order_no == "KHL-2025-26-000001" and .revision == 0)) |
		.[0].rates[] | [.from, .to, .monthly_poisha] | join("|")' ;;
	10) jqa "$mask"' map(select(.kind == "order" and .revision == 0)) | sort_by(.order_no) | .[0:3][] |
		[.order_no, (.beneficiary.nid | mk(0; 3)), (.beneficiary.mobile | mk(6; 2)), (.account.number | mk(0; 3))] | join("|")' ;;
	*) echo "no jq answer for question $1" ;;
	esac
}
awk '/^\.Sh EXAMPLES/{on=1} /^\.Sh SEE ALSO/{on=0} on && /^\$ sqlite3 board\.sqlite /' "$TOP/man/man1/wgo-export.1" |
	sed 's/^\$ //; s/\\e/\\/g' >questions
while IFS= read -r cmd; do
	n=$((n + 1))
	got=$(sh -c "$cmd" 2>&1)
	want=$(answer $n)
	[ -n "$want" ] || want="(jq found nothing: the data must answer question $n)"
	is "$got" "$want" "question $n, as jq answers it: ${cmd#sqlite3 board.sqlite }"
done <questions
is "$n" 10 "the man page asks ten questions, and each has its jq answer"
# The README's questions are the man page's, so the test above holds for them too.
grep '^\$ sqlite3 board\.sqlite ' "$TOP/README.md" | sed 's/^\$ //' | while IFS= read -r c; do
	grep -qxF -- "$c" questions || echo "$c"
done >readme-only
is "$(cat readme-only)" "" "every question in the README's tour is one of the man page's"
is "$(grep -c '^\$ sqlite3 board\.sqlite ' "$TOP/README.md")" 3 "the README asks three"
is "$(answer 2 | cut -d'|' -f1 | tr '\n' ' ')" "active ended stopped suspended " "the data has active, ended, stopped and suspended orders"

# ---- order_status is what the payment model says, as lifeverify writes it ----
sqlite3 -json board.sqlite "SELECT * FROM order_status ORDER BY order_no" |
	jq -c '.[] | with_entries(select(.value != null))' >exported-status
jq -c 'del(.kind, .v)' status.jsonl | jq -sc 'sort_by(.order_no) | .[]' >lifeverify-status
ok "order_status holds lifeverify's status records, field for field" cmp exported-status lifeverify-status

# ---- idempotent, incremental, one transaction ----
sqlite3 board.sqlite .dump >dump1
expect 0 "the same records again" wgo-export --summary -o board.sqlite --as-of 2027-01-31 $FILES
like "$err" ": $(wc -l <all.jsonl) read, 0 added to board.sqlite, $(wc -l <all.jsonl) held already," "are all held already"
sqlite3 board.sqlite .dump >dump2
ok "and change nothing (the dumps are the same)" cmp dump1 dump2
total=$(wc -l <all.jsonl)
head -$((total / 2)) all.jsonl >half1.jsonl
tail -n +$((total / 2 + 1)) all.jsonl >half2.jsonl
ok "the first half" wgo-export -q -o halves.sqlite --as-of 2027-01-31 half1.jsonl
ok "then the second" wgo-export -q -o halves.sqlite --as-of 2027-01-31 half2.jsonl
sqlite3 halves.sqlite .dump >dump3
ok "two halves give the database one run gives" cmp dump1 dump3
ok "the second half first" wgo-export -q -o reversed.sqlite --as-of 2027-01-31 half2.jsonl
ok "then the first" wgo-export -q -o reversed.sqlite --as-of 2027-01-31 half1.jsonl
sqlite3 reversed.sqlite .dump | sort >dump4
sort dump1 >dump1s
ok "in the other order, the same rows" cmp dump1s dump4
# Into a new database, the rows of a record not seen yet in the run wait and go in
# many a statement; a record seen already compares with them. Every file twice in
# one run: the second of each is held already, and the database is the one run's.
expect 0 "every file twice in one run, into a new database" wgo-export --summary -o twice.sqlite --as-of 2027-01-31 $FILES $FILES
is "$err" "wgo-export: $((2 * total)) read, $total added to twice.sqlite, $total held already, where 37 orders stand on 2027-01-31, 0 rejected" \
	"the second of each is held already"
sqlite3 twice.sqlite .dump >dump6
ok "and the database is the one the files once make" cmp dump1 dump6

# A record whose key is held with other content: an error at its line, and
# nothing of the run is written, not even its new records.
sed -n 2p payments.jsonl | sed 's/"amount_poisha":[0-9]*/"amount_poisha":1/' >changed.jsonl
printf '{"kind":"payment","v":1,"payment_id":"NEW1","reference_id":"KHL-2025-26-000001-r0","order_no":"KHL-2025-26-000001","revision":0,"office":"KHL","month":"2026-02","amount_poisha":300000,"paid":"2026-03-04","account":{"routing":"200270522","number":"1234567890"}}\n' >new.jsonl
pid=$(sed -n 2p payments.jsonl | grep -o '"payment_id":"[^"]*"' | cut -d'"' -f4)
held=$(sed -n 2p payments.jsonl | grep -o '"amount_poisha":[0-9]*' | cut -d: -f2)
expect 1 "a changed payment" wgo-export -o board.sqlite -r conflicts.jsonl new.jsonl changed.jsonl
like "$err" "^wgo-export: changed.jsonl:1: amount_poisha: the payment payment_id $pid is held with $held; this record has 1 \(a record may be added again, not changed\)" \
	"is a conflict at its file, line and field, with both values"
like "$err" "board.sqlite: 1 record in conflict with what it holds: nothing written" "and nothing is written"
sqlite3 board.sqlite .dump >dump5
ok "not even the new payment read before it" cmp dump1 dump5
# The same into a new database, in one run: the payment's row still waits to be
# written when the changed one comes.
sed -n 2p payments.jsonl >held.jsonl
expect 1 "a changed payment in the run that adds it" wgo-export -o fresh.sqlite held.jsonl new.jsonl changed.jsonl
like "$err" "^wgo-export: changed.jsonl:1: amount_poisha: the payment payment_id $pid is held with $held; this record has 1 " \
	"is the same conflict"
is "$(sqlite3 fresh.sqlite "SELECT count(*) FROM sqlite_schema")" 0 "and nothing is written"
is "$(jq -r '[.source, .line, .field] | join(":")' conflicts.jsonl)" "changed.jsonl:1:amount_poisha" "the conflict goes to --rejects"
# A changed rate, inside an array. The order's total stays what its rates come to
# (or the record would be refused as such, not held as a conflict): rates[0] runs
# 2025-04 to 2025-08, 5 months, 35 poisha more a month; rates[1] 2025-09 to
# 2040-03, 175 months, 1 poisha less: 5 x 35 = 175 x 1.
grep '"order_no":"KHL-2025-26-000001"' orders.jsonl |
	jq -c '.rates[0].monthly_poisha = 200035 | .rates[1].monthly_poisha = 299999' >rate.jsonl
expect 1 "a changed rate" wgo-export -o board.sqlite rate.jsonl
like "$err" "rate.jsonl:1: rates\[0\]\.monthly_poisha: the order order_no KHL-2025-26-000001, revision 0 is held with 200000; this record has 200035" \
	"is a conflict at the item and field"
grep '"order_no":"KHL-2025-26-000001"' orders.jsonl >order1.jsonl
expect 1 "a changed rate in the run that adds the order" wgo-export -o fresh2.sqlite order1.jsonl rate.jsonl
like "$err" "rate.jsonl:1: rates\[0\]\.monthly_poisha: the order order_no KHL-2025-26-000001, revision 0 is held with 200000; this record has 200035" \
	"is the same conflict"
# Bad records are rejected, the rest go in.
{ cat new.jsonl; echo '{"kind":"payment","v":1,"payment_id":"BAD","amount_poisha":1.5}'; echo 'not json'; } >mixed.jsonl
expect 1 "bad records among good" wgo-export -o board.sqlite -r rej.jsonl mixed.jsonl
like "$err" "mixed.jsonl:2: reference_id: missing" "are rejected with file:line: field: reason"
like "$err" "mixed.jsonl:3: invalid JSON" "however bad"
is "$(q "SELECT amount_poisha FROM payments WHERE payment_id = 'NEW1'")" 300000 "and the good one is added"
is "$(jq -r .line rej.jsonl | tr '\n' ' ')" "2 3 " "--rejects has the two bad lines"

# ---- the service corner's index, and its rows through files ----
# Without --index the analysts' database keeps none (the export above).
is "$(sqlite3 board0.sqlite "SELECT (SELECT count(*) FROM lookup_names) + (SELECT count(*) FROM lookup_ids), (SELECT value FROM meta WHERE key = 'lookup_names')")" "0|none" \
	"without --index, no index is kept"
# With it, a row for each of the NIDs, mobiles and application numbers of the 37
# orders' revisions and the applications, and blocks of names: not counted by hand
# here (golden/wgo-export/lookup-index is), only that there are some of each.
expect 0 "--index" wgo-export -q --index -o indexed.sqlite --as-of 2027-01-31 $FILES
is "$(sqlite3 indexed.sqlite "SELECT count(*) > 100 FROM lookup_names; SELECT count(*) > 37 FROM lookup_ids" | tr '\n' ' ')" "1 1 " "with --index, both tables are filled"
# The index made afterwards from what the analysts' database holds is the same.
cp board0.sqlite later.sqlite
expect 0 "--index on a database without it, no files" wgo-export -q --index -o later.sqlite </dev/null
# The same from a terminal, as wgo-track(1) tells a user to: no file and a terminal
# for standard input, nothing is read and the run stops. (It waited for records;
# script's own input, a FIFO held open, never ends, as a user's terminal does not.)
cp board0.sqlite tty.sqlite
mkfifo never
expect 0 "--index from a terminal, no files" timeout 300 script -qec "wgo-export -q --index -o tty.sqlite" /dev/null <>never
is "$(sqlite3 tty.sqlite "SELECT count(*) FROM lookup_names") $(sqlite3 tty.sqlite "SELECT count(*) FROM lookup_ids")" \
	"$(sqlite3 indexed.sqlite "SELECT count(*) FROM lookup_names") $(sqlite3 indexed.sqlite "SELECT count(*) FROM lookup_ids")" "and makes the index"
# With 1 KiB for each table's rows, they go to files in TMPDIR every few rows and
# are merged back: the same index as the export above made in memory, and no file
# left behind.
mkdir sorttmp
expect 0 "the index's rows sorted through files (WGO_SORT_MEM=1)" env WGO_SORT_MEM=1 TMPDIR=$SCRATCH/sorttmp wgo-export --index -o spilled.sqlite --as-of 2027-01-31 $FILES
for t in lookup_names lookup_ids; do
	for db in spilled later; do
		is "$(sqlite3 $db.sqlite "SELECT count(*) FROM $t") $(sqlite3 $db.sqlite "SELECT * FROM $t" | sort | cksum)" \
			"$(sqlite3 indexed.sqlite "SELECT count(*) FROM $t") $(sqlite3 indexed.sqlite "SELECT * FROM $t" | sort | cksum)" "$t: $db: the same rows as sorted in memory at export"
	done
done
is "$(ls -A sorttmp | wc -l | tr -d ' ')" 0 "no file left in TMPDIR"
if [ -n "${VALGRIND:-}" ]; then
	# valgrind keeps its own files in TMPDIR, and its shim is not used under it.
	for i in 1 2 3 4 5 6; do skip "a TMPDIR that is not there, or full, under valgrind"; done
else
	# A TMPDIR that is not there: /var/tmp or /tmp instead, as SQLite does.
	expect 0 "a TMPDIR that is not there" env WGO_SORT_MEM=1 TMPDIR=$SCRATCH/nowhere wgo-export --index -o nowhere.sqlite --as-of 2027-01-31 $FILES
	is "$err" "" "says nothing"
	is "$(sqlite3 nowhere.sqlite "SELECT * FROM lookup_names" | sort | cksum)" "$(sqlite3 indexed.sqlite "SELECT * FROM lookup_names" | sort | cksum)" \
		"and sorts in /var/tmp or /tmp"
	mkdir fulltmp
	expect 2 "a full TMPDIR" env ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0" LD_PRELOAD="$HELPERS/enospc.so" \
		WGO_ENOSPC_DIR=$SCRATCH/fulltmp WGO_SORT_MEM=1 TMPDIR=$SCRATCH/fulltmp wgo-export --index -o full.sqlite --as-of 2027-01-31 $FILES
	is "$err" "wgo-export: lookup_names: cannot write a temporary file in $SCRATCH/fulltmp: No space left on device" "says so"
	is "$(sqlite3 full.sqlite "SELECT count(*) FROM sqlite_schema")" 0 "and nothing is written"
fi
expect 2 "WGO_SORT_MEM that is not a number" env WGO_SORT_MEM=64M wgo-export --index -o nowhere.sqlite orders.jsonl
like "$err" "WGO_SORT_MEM: 64M: not a number of KiB" "says so"

# ---- types ----
is "$(q "SELECT beneficiary_nid, account_number, account_routing, beneficiary_mobile FROM orders WHERE application_no = 'KHL-A-ZERO'")" \
	"0012345678|00012345678|010270525|+8801540245658" "leading zeros of NID, account and routing number survive"
is "$(q "SELECT DISTINCT typeof(beneficiary_nid) || typeof(account_number) || typeof(account_routing) FROM orders")" "texttexttext" "as text"
is "$(q "SELECT typeof(amount_poisha), count(*) FROM payments GROUP BY 1")" "integer|$(($(grep -c '"kind":"payment"' all.jsonl) + 1))" "every amount is an integer"
is "$(q "SELECT sum(amount_poisha) FROM payments WHERE payment_id <> 'NEW1'")" "$(jqa 'map(select(.kind == "payment") | .amount_poisha) | add')" "and they add up as jq adds them"
is "$(q "SELECT count(*) FROM order_rates")" "$(jqa '[.[] | select(.kind == "order") | .rates // [] | .[]] | length')" "one row a rate"
refused() { # DESC SQL: sqlite3 refuses the change with a CHECK
	run sqlite3 board.sqlite "$2"
	like "$status $err" "^[1-9][0-9]* .*CHECK constraint failed" "$1"
}
refused "a CHECK refuses 30 February" "UPDATE payments SET paid = '2026-02-30' WHERE payment_id = 'NEW1'"
refused "and a mobile number that is not one" "UPDATE orders SET beneficiary_mobile = '01712345678' WHERE revision = 1"
refused "and a grant the format does not have" "UPDATE orders SET \"grant\" = 'pension' WHERE revision = 1"
run sqlite3 board.sqlite "UPDATE payments SET amount_poisha = 1.5 WHERE payment_id = 'NEW1'"
like "$status $err" "^[1-9][0-9]* .*cannot store REAL value in INTEGER column payments.amount_poisha" "a STRICT table refuses a fraction of a poisha"

# ---- every record it takes meets every CHECK ----
# wgo-export does not have SQLite check the CHECKs on what it writes: each record
# has passed the schema's own checks, which the CHECKs are made from. That holds
# only if the two agree, so here every field of a record of each kind (a signed
# order too; each shape of record once) is given, in turn, each of these values; whatever wgo-export takes,
# SQLite's own PRAGMA integrity_check then checks against every CHECK. Each line
# gets a key of its own (KEYS: the field each kind's table is keyed by, as
# --schema has it), or the lines would be one record changed, a conflict, and
# nothing would be written; the key itself is given the values in the first
# record of its kind only.
# The kinds not made above are taken from what the programs' golden outputs hold
# (all kinds but push and application_check).
{ head -1 orders.jsonl | jq -c '.signature = {alg: "ed25519", key_id: "0123456789abcdef", value: "AAAA"} | .order_no = "KHL-SIGNED"'; cat all.jsonl
  cat "$TOP"/tests/golden/*/*/stdout "$TESTDATA/examples/deaths.jsonl" "$TESTDATA/applications.jsonl" |
	jq -cR 'fromjson? | objects | select(.kind | IN("application", "card_return", "complaint_stats", "finding", "verdict", "death", "risk", "rule_stats", "figure", "track"))'
} >bases.jsonl
is "$(jq -r .kind bases.jsonl | sort -u | wc -l | tr -d ' ')" 21 "the records to change are of 21 kinds"
python3 - bases.jsonl >mutants.jsonl <<'PY'
import json, sys
VALUES = ["", " ", "0", "00", "-1", "x", "AAAA", "A===", "0123456789abcdef",
          "2024-02-29", "2026-02-29", "0000-01-01", "9999-12-31", "\u09e8\u09e6\u09e8\u09ec-\u09e6\u09e7-\u09e6\u09eb",
          "2026-1-5", "2026-00", "2026-12", "2026-13", "2026-01-01T00:00:00Z",
          "2026-01-01T06:00:00+06:00", "2026-01-01T00:00:00.5Z", "1234567890",
          "\u09e7\u09e8\u09e9\u09ea\u09eb\u09ec\u09ed\u09ee\u09ef\u09e6", "01712345678", "+8801712345678",
          "8801712345678", "010270525", "KHL", "welfare", 0, -1, 1, 999, 1000,
          1000000000000000, 1000000000000001, True, False, None, [], {}]
KEYS = {"order": "order_no", "payment": "payment_id", "verification": "verification_id",
        "return": "return_id", "stop": "order_no", "status": "order_no",
        "card_return": "order_no", "application": "application_no", "complaint": "seq"}
def leaves(v, path=()):
    if isinstance(v, dict):
        for k in v:
            yield from leaves(v[k], path + (k,))
    elif isinstance(v, list):
        for i, m in enumerate(v):
            yield from leaves(m, path + (i,))
    else:
        yield path
def put(v, path, x):
    for k in path[:-1]:
        v = v[k]
    v[path[-1]] = x
seen, kinds, n = set(), set(), 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    shape = (r["kind"], tuple(sorted(leaves(r))))
    if shape in seen:
        continue
    seen.add(shape)
    key = KEYS.get(r["kind"])
    for path in leaves(r):
        if path == (key,) and r["kind"] in kinds:
            continue
        for x in VALUES:
            m = json.loads(line)
            put(m, path, x)
            n += 1
            if key and path != (key,):
                m[key] = 100000 + n if key == "seq" else "%s-M%d" % (r[key], n)
            print(json.dumps(m, ensure_ascii=False))
    kinds.add(r["kind"])
PY
# (the order with an empty signature, for below)
grep -F '"value": ""}' mutants.jsonl | grep -F '"key_id": "0123456789abcdef"' >empty-sig.jsonl
# Under valgrind, every eighth line: it looks for memory errors, not for this.
if [ -n "${VALGRIND:-}" ]; then awk 'NR % 8 == 1' mutants.jsonl >m8.jsonl && mv m8.jsonl mutants.jsonl; fi
run wgo-export -q --summary -o mutants.sqlite -r mutants-rej.jsonl mutants.jsonl
is "$status" 1 "every field of every kind given every kind of value: some taken, some rejected"
nrej=$(wc -l <mutants-rej.jsonl | tr -d ' ')
added=$(printf '%s\n' "$err" | sed -n "s/.* read, \([0-9]*\) added to mutants.sqlite, \([0-9]*\) held already, $nrej rejected (in mutants-rej.jsonl)$/\1 \2/p")
# Taken: added, or held already (a value the schema writes as another held one).
is "$(echo $added | awk '{ print $1 + $2 }')" "$(( $(wc -l <mutants.jsonl) - nrej ))" "what is not rejected is taken (no conflict)"
ok "over 1,000 records added (${added% *})" test "${added% *}" -gt 1000
ok "with signed orders among them" test "$(sqlite3 mutants.sqlite "SELECT count(*) FROM orders WHERE signature_value IS NOT NULL")" -gt 10
is "$(sqlite3 mutants.sqlite "PRAGMA integrity_check")" ok "what it takes meets every CHECK"
# Nor did a free object nested deeper than SQLite's JSON reads (2,000 levels;
# jansson reads 2,048): the schema takes a correction's changes and a finding's
# evidence up to 32 levels deep (worked out here: the object itself is level 1).
deep() { # LEVELS: an object nested LEVELS deep, {"a":{"a":...1...}}
	awk -v n="$1" 'BEGIN { s = "1"; for (i = 0; i < n; i++) s = "{\"a\":" s "}"; print s }'
}
for n in 32 33 2001; do
	printf '{"kind":"correction","v":1,"order_no":"KHL-2025-26-00000%d","reason":"x","changes":%s}\n' $((n % 7 + 1)) "$(deep $n)"
done >deep.jsonl
expect 1 "corrections nested 32, 33 and 2,001 levels deep" wgo-export -o deep.sqlite deep.jsonl
is "$err" "wgo-export: deep.jsonl:2: changes: nested more than 32 levels deep
wgo-export: deep.jsonl:3: changes: nested more than 32 levels deep" "the two deeper are rejected"
is "$(sqlite3 deep.sqlite "SELECT count(*) FROM corrections WHERE json_valid(changes)"; sqlite3 deep.sqlite "PRAGMA integrity_check")" "1
ok" "the one of 32 levels is taken, and is JSON to SQLite"
# As wgo-export(1) says, integrity_check would find a row that does not.
cp mutants.sqlite broken.sqlite
sqlite3 broken.sqlite "PRAGMA ignore_check_constraints = ON; UPDATE payments SET paid = '2026-02-30' WHERE rowid = (SELECT min(rowid) FROM payments)"
is "$(sqlite3 broken.sqlite "PRAGMA integrity_check")" "CHECK constraint failed in payments" "(integrity_check finds a row that does not)"
# The one it did not: an empty signature passed the schema and then stopped the
# export at the CHECK (signature_value <> '').
expect 1 "an order with an empty signature" wgo-export -o mutants.sqlite empty-sig.jsonl
is "$err" "wgo-export: empty-sig.jsonl:1: signature.value: empty" "is rejected by the schema"

# ---- the schema: a table a kind, a column a field ----
expect 0 "--schema" wgo-export --schema
printf '%s\n' "$out" >ddl.sql
ok "loads in sqlite3" sqlite3 ddl.sqlite ".read ddl.sql"
# The columns each kind's fields make, worked out here from wgo-check schema:
# nested objects joined with _, arrays of objects in their own KIND_FIELD table
# after its key and idx, kind and v left out.
wgo-check schema | awk -F'\t' '
	$1 == "reject" || $2 == "kind" || $2 == "v" { next }
	$3 == "object" && $1 "." $2 in nested { next }
	{ print }' >fields
missing=
for kind in $(wgo-check schema | cut -f1 | sort -u | grep -vx reject); do
	t=$(sqlite3 ddl.sqlite "SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN ('${kind}s', '${kind}es', '$(echo "$kind" | sed 's/y$/ies/')', '$kind')")
	[ -n "$t" ] || { missing="$missing table:$kind"; continue; }
	sqlite3 ddl.sqlite "SELECT name FROM pragma_table_info('$t')" >cols
	# every leaf field is a column of the table or of its array's table
	awk -F'\t' -v k="$kind" '$1 == k && $3 != "object" && $3 != "array" { print $2 }' fields | while read -r f; do
		case $f in
		*"[]."*) arr=${f%%\[\]*}; leaf=$(echo "${f#*\[\].}" | tr . _)
			sqlite3 ddl.sqlite "SELECT name FROM pragma_table_info('${kind}_$(echo "$arr" | tr . _)')" | grep -qx "$leaf" || echo "$kind.$f" ;;
		*) grep -qx "$(echo "$f" | tr . _)" cols || echo "$kind.$f" ;;
		esac
	done >>miss
done
is "$missing$(cat miss 2>/dev/null)" "" "every kind has a table, every field a column"
is "$(sqlite3 ddl.sqlite "SELECT group_concat(name, ' ') FROM (SELECT name FROM pragma_table_info('payments') WHERE pk > 0 ORDER BY pk)")" "payment_id" "payments are keyed by payment_id"
is "$(sqlite3 ddl.sqlite "SELECT group_concat(name, ' ') FROM (SELECT name FROM pragma_table_info('orders') WHERE pk > 0 ORDER BY pk)")" "order_no revision" "orders by order_no and revision"
# (the service corner's index tables are WITHOUT ROWID, STRICT)
is "$(sqlite3 ddl.sqlite "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE '%) STRICT' AND sql NOT LIKE '%) WITHOUT ROWID, STRICT'")" 0 "every table is STRICT"
is "$(sqlite3 ddl.sqlite "SELECT type FROM pragma_table_info('payments') WHERE name IN ('amount_poisha', 'account_number', 'paid') ORDER BY name")" \
	"TEXT
INTEGER
TEXT" "money is INTEGER, account numbers and dates TEXT"
expect 0 "--schema duckdb" wgo-export --schema duckdb
is "$(printf '%s\n' "$out" | cut -f1 | tr '\n' ' ')" "$(wgo-check schema | cut -f1 | uniq | grep -vx reject | tr '\n' ' ')" "a line a kind"
like "$(printf '%s\n' "$out" | grep '^order	')" "'rates': 'STRUCT\(\"from\" VARCHAR, \"to\" VARCHAR, \"monthly_poisha\" BIGINT\)\[\]'" "arrays of objects as lists of structs"
like "$(printf '%s\n' "$out" | grep '^payment	')" "^payment	columns=\{'kind': 'VARCHAR', 'v': 'INTEGER', 'payment_id': 'VARCHAR', .*'amount_poisha': 'BIGINT', 'paid': 'DATE', 'account': 'STRUCT\(\"routing\" VARCHAR, \"number\" VARCHAR\)'\}$" \
	"identifiers as VARCHAR, money BIGINT, dates DATE"
expect 2 "--schema of an unknown format" wgo-export --schema csv
like "$err" "sqlite or duckdb" "says which there are"

# ---- personal numbers ----
is "$(q "SELECT beneficiary_nid, beneficiary_mobile, account_number FROM orders_masked WHERE application_no = 'KHL-A-ZERO'")" \
	"*******678|+88015******58|********678" "the masked view hides all but the ends"
is "$(q "SELECT mobile, nid FROM complaints_masked WHERE seq = 1")" \
	"$(jq -r 'select(.id == "KHL-C-2026-000001") | [.mobile, .nid] | join("|")' complaint-states.jsonl)" \
	"as complaint-log masks them"
expect 0 "--no-pii" wgo-export --no-pii -o shared.sqlite $FILES
ok "the database never holds a whole NID, mobile or account number, not even in a correction's changes" sh -c "! grep -a -q -e 0012345678 -e 8801712345678 -e 00012345678 -e 0987654321 shared.sqlite"
is "$(sqlite3 shared.sqlite "SELECT changes FROM corrections")" '{"account":{"number":"*******321"}}' "a correction's changes are masked at the paths the schema marks personal"
like "$(sqlite3 shared.sqlite "SELECT detail FROM discrepancies WHERE class = 'wrong_account'")" '^paid into \*+[0-9]{3}@\*+[0-9]{3}, not revision 1.s \*+321@\*+463$' \
	"and numbers in free text, as accounts"
for t in orders payments complaints applications; do
	a=$(sqlite3 shared.sqlite "SELECT * FROM $t ORDER BY 1, 2")
	b=$(sqlite3 board0.sqlite "SELECT * FROM ${t}_masked ORDER BY 1, 2")
	is "$a" "$b" "--no-pii's $t are the full database's ${t}_masked (libwgo's mask and its SQL agree)"
done
expect 2 "whole numbers into a masked database" wgo-export -o shared.sqlite orders.jsonl
like "$err" "holds personal numbers masked; export with --no-pii" "are refused"

sqlite3 other.sqlite "CREATE TABLE orders (order_no TEXT)"
expect 2 "a database whose tables another schema made" wgo-export -o other.sqlite orders.jsonl
like "$err" "other.sqlite: table orders was made by another version of wgo-export's schema; export into a new database" "is refused"
# A database an earlier wgo-export made (before 2026-11-30 it wrote each allowed-
# values CHECK as an IN list: office IN ('HQ', ...), length(nid) IN (10, 13, 17)) is
# taken, and the new records go in. Its schema is made here from today's, with each
# "x = 'a' OR x = 'b' ..." written back as that IN list.
wgo-export --schema | python3 -c '
import re, sys
s = sys.stdin.read()
s = re.sub(r"\(length\((\w+)\) = 10 OR length\(\1\) = 13 OR length\(\1\) = 17\)", r"length(\1) IN (10, 13, 17)", s)
def inlist(m):
    vals = re.findall(r"= (\x27[^\x27]*\x27)", m.group(0))
    return "%s%s IN (%s)%s" % (m.group(1), m.group(2), ", ".join(vals), m.group(3))
chain = r"(\w+|\"\w+\") = \x27[^\x27]*\x27(?: OR \2 = \x27[^\x27]*\x27)"
s = re.sub(r"(CHECK \()\(" + chain + r"*\)(\))", inlist, s)
s = re.sub(r"(CHECK \()" + chain + r"+(\))", inlist, s)
sys.stdout.write(s)' >earlier.sql
like "$(grep -E '^  office TEXT NOT NULL CHECK' earlier.sql | head -1)" "CHECK \(office IN \('HQ', 'DHK', 'CTG', 'RAJ', 'KHL', 'BAR', 'SYL', 'RNG', 'MYM'\)\)" \
	"(the earlier schema: an office CHECK as an IN list)"
sqlite3 earlier.sqlite <earlier.sql
expect 0 "into the tables an earlier wgo-export made" wgo-export -o earlier.sqlite orders.jsonl
is "$(sqlite3 earlier.sqlite "SELECT count(*) FROM orders")" 37 "are taken: the 37 orders go in"
# A table whose CHECK is neither today's nor an earlier version's is another schema.
sqlite3 edited.sqlite <earlier.sql
sqlite3 edited.sqlite "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (order_no <> '''')', 'CHECK (order_no != '''')') WHERE name = 'orders'"
expect 2 "a table whose CHECK was edited" wgo-export -o edited.sqlite orders.jsonl
like "$err" "edited.sqlite: table orders was made by another version of wgo-export's schema; export into a new database" "is refused"
# The CHECKs name a column's allowed values one by one: SQLite answers an IN list
# of more than two constants from a table it builds again on every insert.
is "$(wgo-export --schema | grep -cE "IN \([^)]*,[^)]*,")" 0 "no CHECK or index holds an IN list of more than two values"
like "$(wgo-export --schema | grep -E '^  office TEXT NOT NULL CHECK' | head -1)" "CHECK \(\(office = 'HQ' OR office = 'DHK' OR office = 'CTG' OR office = 'RAJ' OR office = 'KHL' OR office = 'BAR' OR office = 'SYL' OR office = 'RNG' OR office = 'MYM'\)\)" \
	"an office is one of the nine, each named"

# ---- CSV ----
expect 0 "--csv" wgo-export -q --csv csv $FILES
# Every table of records; not meta, nor the service corner's index (lookup_*).
is "$(ls csv | grep -c '\.csv$')" "$(q "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name <> 'meta' AND name NOT LIKE 'lookup\_%' ESCAPE '\'")" "a file a table"
is "$(ls -A csv | grep -vc '\.csv$')" 0 "and nothing else left in the directory"
is "$(grep -c . csv/payments.csv)" "$(($(grep -c '"kind":"payment"' all.jsonl) + 1))" "a header and a line a payment"
like "$(grep KHL-A-ZERO csv/orders.csv)" ",0012345678,\+8801540245658,.*,010270525,00012345678," "leading zeros in the CSV"
sqlite3 csvback.sqlite ".import --csv csv/orders.csv orders"
is "$(sqlite3 csvback.sqlite "SELECT count(*) FROM orders")" "$(q "SELECT count(*) FROM orders")" "the CSV reads back whole"
is "$(head -1 csv/order_rates.csv | tr -d '\r')" "order_no,revision,idx,from,to,monthly_poisha" "an array's table: its record's key, idx, its fields"

# ---- hostile input: the JSON conformance corpus, as lines and inside a field ----
C=$TESTDATA/json-conformance/test_parsing
for f in "$C"/*.json; do tr '\n\r' '  ' <"$f"; echo; done >corpus.lines
nlines=$(($(wc -l <corpus.lines) - $(sed -n '/^[ \t]*$/p' corpus.lines | wc -l)))
expect 1 "the conformance corpus as lines" wgo-export -q -o corpus.sqlite -r corpus-rej.jsonl corpus.lines
is "$(wc -l <corpus-rej.jsonl | tr -d ' ')" "$nlines" "every line rejected and written out"
head -1 orders.jsonl >one.jsonl
while IFS= read -r t; do
	[ ${#t} -le 8000 ] || continue
	T=$t awk '{ if (match($0, /"number":"[^"]*"/)) print substr($0, 1, RSTART + 8) ENVIRON["T"] substr($0, RSTART + RLENGTH); else print }' one.jsonl
done <corpus.lines >embedded.jsonl
run wgo-export -q -o embedded.sqlite -r embedded-rej.jsonl embedded.jsonl
if [ $crashed = 0 ] && [ $status -le 1 ]; then pass "each text as an account number: no crash (status $status)"
else fail "each text as an account number: no crash" "status $status" "$err"; fi
is "$(( $(sqlite3 embedded.sqlite "SELECT count(*) FROM orders") + $(wc -l <embedded-rej.jsonl) ))" "$(wc -l <embedded.jsonl | tr -d ' ')" \
	"each line is held or rejected"
is "$(sqlite3 embedded.sqlite "PRAGMA integrity_check")" ok "and the database is sound"

# ---- usage ----
expect 2 "no output" wgo-export orders.jsonl
like "$err" "-o DATABASE or --csv DIR" "says where to write"
expect 2 "a bad --as-of" wgo-export -o x.sqlite --as-of 2027-02-30 orders.jsonl
expect 0 "--progress" wgo-export --progress -o p.sqlite orders.jsonl
like "$err" "wgo-export: 37 records, [0-9,]+/s, 100%" "shows the records read, the rate and the share of the input"
is "$(printf '%s\n' "$err" | tail -1)" "wgo-export: 37 read, 37 added to p.sqlite, 0 held already, 0 rejected" "then the summary"
expect 0 "off a terminal, no progress and no summary by default" wgo-export -o p.sqlite orders.jsonl
is "$err" "" "stderr is empty"
expect 0 "--no-progress" wgo-export --no-progress -q -o p.sqlite orders.jsonl
is "$err" "" "shows nothing"
expect 0 "--help" wgo-export --help
like "$out" '^Usage: wgo-export' "usage on stdout"
# Another writer holds the database: try again later.
sqlite3 board.sqlite "BEGIN IMMEDIATE" ".shell sleep 8" "COMMIT" &
lock=$!
sleep 1
expect 75 "a database locked by another writer" wgo-export -o board.sqlite new.jsonl
wait $lock
done_testing
