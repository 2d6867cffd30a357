# Sourced by each reconcile case: orders from the first sample application (a
# death on 2025-03-25: Tk 2,000 a month April to August 2025, Tk 3,000 from
# September), verifications, card returns, and helpers to write payments.
export WGO_HOME=$PWD/home
mkdir -p "$WGO_HOME"
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
printf '2025-12-16 Victory Day\n2025-12-25 Christmas Day\n' >"$WGO_HOME/holidays"
app() { head -1 "$TESTDATA/applications.jsonl" | sed "s/\"nid\":\"[0-9]*\"/\"nid\":\"$1\"/; ${2:-}"; }
ended='s/"date":"\(2025-11-[0-9]*\)"}}$/"date":"\1","last_month":"2025-11"}}/'
{
	app 1000000002 "$ended"                  # B: KHL-2025-26-000001, ended in November
	app 1000000004 "$ended"                  # D: KHL-2025-26-000002, ended, card returned
} | wgo-issue --no-sign --date 2025-11-27 >orders.jsonl
{
	app 1000000001                           # A: KHL-2025-26-000003
	app 1000000003                           # C: KHL-2025-26-000004, never verified
} | wgo-issue --no-sign --date 2025-12-10 >>orders.jsonl
# no KHL-2025-26-000009 (Z) was ever issued
num() { case $1 in B) echo 1 ;; D) echo 2 ;; A) echo 3 ;; C) echo 4 ;; Z) echo 9 ;; *) echo "$1" ;; esac; }
ver() { echo "{\"kind\":\"verification\",\"v\":1,\"verification_id\":\"V$1$2\",\"order_no\":\"KHL-2025-26-00000$(num $1)\",\"date\":\"$2\",\"branch\":\"200472441\"}"; }
{ ver A 2025-12-11; ver B 2025-12-11; ver D 2025-12-11; } >verifications.jsonl
echo '{"kind":"card_return","v":1,"order_no":"KHL-2025-26-000002","office":"KHL","last_month":"2025-11","returned":"2025-12-14"}' >cards.jsonl
# pay ID ORDER(A-D, Z) MONTH POISHA PAID [ACCOUNT]
pay() {
	n=$(num $2); m=; [ "$3" = lump ] || m="\"month\":\"$3\","
	echo "{\"kind\":\"payment\",\"v\":1,\"payment_id\":\"$1\",\"reference_id\":\"KHL-2025-26-00000$n-r0\",\"order_no\":\"KHL-2025-26-00000$n\",\"revision\":0,\"office\":\"KHL\",$m\"amount_poisha\":$4,\"paid\":\"$5\",\"account\":{\"routing\":\"200472441\",\"number\":\"${6:-6444357787857}\"}}"
}
