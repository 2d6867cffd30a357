# Sourced by each wgo-issue case: a fresh state directory in the case's working
# directory, with the example configuration, the test keys (mode 0600, as git does
# not keep it) and a keyring.
export WGO_HOME=$PWD/home
mkdir -p "$WGO_HOME/keys" "$WGO_HOME/keyring"
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
for o in KHL DHK; do
	cp "$TESTDATA/keys/$o.sec" "$TESTDATA/keys/$o.pub" "$WGO_HOME/keys/"
	cp "$TESTDATA/keys/$o.pub" "$WGO_HOME/keyring/$o.pub"
done
chmod 600 "$WGO_HOME"/keys/*.sec
# app FIELD=VALUE ...: one welfare application, edited with jq-free sed.
