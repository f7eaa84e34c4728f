# dane-setup.sh: sourced by tests/dns/dane.sh and tests/tui/dane.sh, after
# check-lib.sh ($bin, $tmp, $pids; $dns is this folder).  Starts the demo
# server on 127.0.0.2 (STARTTLS, a certificate made at its start), on
# 127.0.0.3 (no STARTTLS) and on 127.0.0.4 (a throwaway CA's certificate
# and the CA, for DANE-TA) on one port ($port), reads the server's key with
# openssl s_client, writes TLSA records for it (matching, wrong, PKIX
# usages only, a full-certificate SHA-512, a tampered one) into a copy of
# example.test, signs it (sign.sh) and writes $tmp/secure.conf (signed,
# its DS as the trust anchor) and $tmp/insecure.conf (the same unsigned),
# with absolute paths.  Sets $spki (the key's SHA-256) and $wrong.
command -v ldns-signzone >/dev/null || { echo "FAIL: ldns-signzone (ldnsutils) is missing"; exit 1; }
# For DANE-TA (usage 2): a throwaway CA and a certificate it signs for
# mx-ta.example.test; the demo server on 127.0.0.4 sends both (ta-chain.pem).
(
	cd "$tmp" || exit 1
	ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
	openssl req -x509 $ec -keyout ta-ca.key -out ta-ca.pem -days 2 -subj "/CN=smtpscope DANE-TA test CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
	openssl req $ec -keyout ta-leaf.key -out ta-leaf.csr -subj "/CN=mx-ta.example.test"
	printf 'subjectAltName=DNS:mx-ta.example.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >ta-leaf.ext
	openssl x509 -req -in ta-leaf.csr -CA ta-ca.pem -CAkey ta-ca.key -CAcreateserial -out ta-leaf.pem \
		-days 2 -extfile ta-leaf.ext
	cat ta-leaf.pem ta-ca.pem >ta-chain.pem
) >"$tmp/ta-openssl.log" 2>&1 || { echo "FAIL: openssl could not make the DANE-TA certificates"; cat "$tmp/ta-openssl.log"; exit 1; }
ta_spki=$(openssl x509 -in "$tmp/ta-ca.pem" -pubkey -noout | openssl pkey -pubin -outform DER |
	openssl dgst -sha256 -hex | sed 's/.*= //')
start_demos 127.0.0.2:"$dns/dane-mx.scn" 127.0.0.3:"$dns/dane-notls.scn" \
	"127.0.0.4:$dns/dane-mx.scn|--cert $tmp/ta-chain.pem --key $tmp/ta-leaf.key"

# The server's certificate and the TLSA data of its key and of itself.
server_tlsa_data 127.0.0.2 "$port"
wrong=$(printf '%064d' 0)

# The zone: example.test with one MX per case (all at 127.0.0.2 but notls).
{
	cat "$dns/example.test.zone"
	cat <<EOF
; ---- dane.sh, written at test time for port $port ----
ok		IN MX	10 mx-ok.example.test.
mx-ok		IN A	127.0.0.2
_$port._tcp.mx-ok	IN TLSA	3 1 1 $spki
full		IN MX	10 mx-full.example.test.
mx-full		IN A	127.0.0.2
_$port._tcp.mx-full	IN TLSA	3 0 2 $full512
wrong		IN MX	10 mx-wrong.example.test.
mx-wrong	IN A	127.0.0.2
_$port._tcp.mx-wrong	IN TLSA	3 1 1 $wrong
pkix		IN MX	10 mx-pkix.example.test.
mx-pkix		IN A	127.0.0.2
_$port._tcp.mx-pkix	IN TLSA	1 1 1 $spki
_$port._tcp.mx-pkix	IN TLSA	0 0 1 $spki
pair		IN MX	10 mx-wrong.example.test.
pair		IN MX	20 mx-ok.example.test.
bogus		IN MX	10 mx-bogus.example.test.
mx-bogus	IN A	127.0.0.2
_$port._tcp.mx-bogus	IN TLSA	3 1 1 $spki
ta		IN MX	10 mx-ta.example.test.
mx-ta		IN A	127.0.0.4
_$port._tcp.mx-ta	IN TLSA	2 1 1 $ta_spki
; the same CA pinned, but a host name its certificate does not carry
tawrong		IN MX	10 mx-tawrong.example.test.
mx-tawrong	IN A	127.0.0.4
_$port._tcp.mx-tawrong	IN TLSA	2 1 1 $ta_spki
notls		IN MX	10 mx-notls.example.test.
mx-notls	IN A	127.0.0.3
_$port._tcp.mx-notls	IN TLSA	3 1 1 $spki
EOF
} >"$tmp/dane-src.zone"
"$dns/sign.sh" "$tmp/dane-src.zone" "$tmp" >"$tmp/sign.log" 2>&1 ||
	{ echo "FAIL: signing the test zone"; cat "$tmp/sign.log"; exit 1; }
# A bogus TLSA RRset: its data changed after signing, so its RRSIG fails.
sed -i "/^_$port\._tcp\.mx-bogus\.example\.test\..*TLSA/s/$spki/$wrong/" "$tmp/example.test.zone.signed"
grep -q "mx-bogus.example.test.*TLSA.*$wrong" "$tmp/example.test.zone.signed" ||
	{ echo "FAIL: tampering with the bogus TLSA record"; exit 1; }
cp "$tmp/dane-src.zone" "$tmp/unsigned.zone"
cat >"$tmp/secure.conf" <<'EOF'
server:
    local-zone: "test." nodefault
    local-zone: "127.in-addr.arpa." nodefault
    trust-anchor-file: "TMP/ta.ds"
auth-zone:
    name: "example.test."
    zonefile: "TMP/example.test.zone.signed"
    for-upstream: yes
    for-downstream: no
    fallback-enabled: no
auth-zone:
    name: "127.in-addr.arpa."
    zonefile: "TMP/reverse127.zone"
    for-upstream: yes
    for-downstream: no
    fallback-enabled: no
EOF
sed -i "s|TMP/|$tmp/|" "$tmp/secure.conf"
sed -e 's/example.test.zone.signed/unsigned.zone/' -e '/trust-anchor-file/d' \
	"$tmp/secure.conf" >"$tmp/insecure.conf"
# the PTR lookups of 127.0.0.2 and .3 answered here, not by the network
cat >"$tmp/reverse127.zone" <<'EOF'
$ORIGIN 127.in-addr.arpa.
$TTL 3600
@	IN SOA	ns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 3600
@	IN NS	ns1.example.test.
EOF

