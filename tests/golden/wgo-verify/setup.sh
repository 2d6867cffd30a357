# Sourced by each wgo-verify case: three orders signed with the KHL test key.
export WGO_HOME=$PWD/home
mkdir -p "$WGO_HOME/keys"
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
cp "$TESTDATA/keys/KHL.sec" "$WGO_HOME/keys/"
chmod 600 "$WGO_HOME/keys/KHL.sec"
head -3 "$TESTDATA/applications.jsonl" | wgo-issue --date 2025-12-10 > orders.jsonl
