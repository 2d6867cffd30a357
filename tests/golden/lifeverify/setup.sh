# Sourced by each lifeverify case: a state directory with the example configuration
# and a holiday file (Victory Day, 16 December 2025), and helpers that make orders.
export WGO_HOME=$PWD/home
mkdir -p "$WGO_HOME"
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
printf '2025-12-16 Victory Day\n2026-12-16 Victory Day\n' >"$WGO_HOME/holidays"
# order [SED-SCRIPT]: issue the first sample application (a death in service on
# 2025-03-25), edited by the sed script, on 2025-12-10, unsigned.
order() {
	head -1 "$TESTDATA/applications.jsonl" | sed "${1:-}" | wgo-issue --no-sign --date 2025-12-10
}
# ver ORDER_NO DATE...: verification records.
ver() {
	no=$1; shift
	for d in "$@"; do
		echo "{\"kind\":\"verification\",\"v\":1,\"verification_id\":\"V-$d\",\"order_no\":\"$no\",\"date\":\"$d\",\"branch\":\"200270522\"}"
	done
}
