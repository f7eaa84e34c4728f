#!/usr/bin/env bash
# DANE in the terminal UI: /connect --mx to an MX whose DNSSEC-signed TLSA
# record matches the server's key (tests/dns/dane-setup.sh), /starttls,
# and the status bar says the peer was authenticated by DANE; then an MX
# whose record does not match: the failure and its explanation, and the
# question whether to go on.
. "$(dirname "$0")/lib.sh"
for t in ldns-keygen ldns-signzone ldns-key2ds openssl; do
	command -v "$t" >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
dns=$here/../dns
pids=
fail=0 checks=0
. "$dns/demo-lib.sh"
. "$dns/dane-setup.sh"

start 160 45 -p "$port" --dns-config "$tmp/secure.conf"
expect "started" "<-  220 demo.test"
type_line "/connect --mx user@ok.example.test"
expect "the plan says DANE applies" "DANE: DANE applies to mx-ok.example.test"
expect "connected to the MX" "MX 1 of 1: mx-ok.example.test [127.0.0.2] answered"
type_line "EHLO me.example"
expect "EHLO answered" "250 STARTTLS"
type_line "/starttls"
expect "the DANE match in the transcript" "~~~ DANE: TLSA 3 1 1 matched the server's key"
expect "the status bar: authenticated by DANE" "TLSv1.3, DANE-verified"
type_line "QUIT"
expect "QUIT answered" "221 2.0.0"
type_line "/connect --mx user@wrong.example.test"
expect "connected to the other MX" "MX 1 of 1: mx-wrong.example.test [127.0.0.2] answered"
type_line "EHLO me.example"
expect "EHLO answered again" "250 STARTTLS"
type_line "/starttls"
expect "the DANE failure" "~~~ DANE: FAILED: no TLSA record matched"
expect "explained from the knowledge base" "DANE: no TLSA record matches the server's certificate chain."
expect "the question, with the DANE reason" "Certificate NOT verified (no matching DANE TLSA records). Continue anyway? (y/N)"
tm send-keys n
quit_and_check_restored
finish
