#!/usr/bin/env bash
# sign.sh ZONEFILE DIR: signs the zone into DIR at test time (fresh keys,
# signatures valid from now) with ldnsutils, and writes DIR/ta.ds (the DS
# of its key-signing key: the trust anchor) and DIR/wrong.ds (the DS of a
# key that signed nothing, for the bogus case).
set -eu
zone=$1 dir=$2
origin=example.test
cp "$zone" "$dir/example.test.zone"
cd "$dir"
ksk=$(ldns-keygen -a ECDSAP256SHA256 -k "$origin")
zsk=$(ldns-keygen -a ECDSAP256SHA256 "$origin")
ldns-signzone -n example.test.zone "$ksk" "$zsk"
ldns-key2ds -n -2 "$ksk.key" > ta.ds
other=$(ldns-keygen -a ECDSAP256SHA256 -k "$origin")
ldns-key2ds -n -2 "$other.key" > wrong.ds
