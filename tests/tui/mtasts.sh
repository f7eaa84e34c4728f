#!/usr/bin/env bash
# MTA-STS in the terminal UI: /connect --mx to a domain whose enforce
# policy lists its MX (tests/mtasts/sts-setup.sh: the test CA, the policy
# server on loopback, the sts.test zone in-process), /starttls, and the
# policy applied to the MX in the transcript and on the status bar.
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || { echo "SKIP: the openssl CLI is missing"; exit 77; }
sts=$here/../mtasts
pids=
. "$here/../dns/demo-lib.sh"
. "$sts/sts-setup.sh"
sed "s|\"sts.test.zone\"|\"$sts/sts.test.zone\"|" "$sts/mtasts.conf" >"$tmp/mtasts.conf"
start_demos "127.0.0.2:$sts/sts-mx.scn|--cert $tmp/mx.pem --key $tmp/mx.key"

start 160 45 -p "$port" --dns-config "$tmp/mtasts.conf" --cafile "$tmp/ca.pem" "${routes[@]}"
expect "started" "<-  220 demo.test"
type_line "/connect --mx user@enforce.sts.test"
expect "the policy, looked up beside the MX" "=== MTA-STS of enforce.sts.test: enforce: "
expect "connected to the MX" "MX 1 of 1: mx1.enforce.sts.test [127.0.0.2] answered"
type_line "EHLO me.example"
expect "EHLO answered" "250 STARTTLS"
type_line "/starttls"
expect "the policy applied to the MX" "=== MTA-STS (enforce): mx1.enforce.sts.test matches the policy's mx"
expect "the status bar: authenticated by MTA-STS" "TLSv1.3, MTA-STS-verified"
quit_and_check_restored
finish
