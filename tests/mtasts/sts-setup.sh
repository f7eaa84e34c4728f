# sts-setup.sh: sourced by mtasts.sh and probe-sts.sh (after check-lib.sh;
# needs $tmp, $pids): a throwaway CA and, signed by it, good.pem
# (every mta-sts.CASE.sts.test), wrong.pem (another name) and mx.pem (the
# MX hosts of probe-sts.sh), made with the openssl CLI; policy-server.py
# on loopback ($good, $wrong, $six: its ports; $closed: a port nothing
# listens on); routes: the --connect-to rules that take each policy host
# to its listener.
# ---- certificates -----------------------------------------------------
cases="enforce testing modenone nomx badmaxage badmode hostile twotxt noid notfound
redirect html big bigstream wrongcert refused status noaddr six stsbad stscert"
# the probe's MX hosts (probe-sts.sh): the demo server with this one
mxsan=DNS:mx1.enforce.sts.test,DNS:unlisted.stsbad.sts.test,DNS:mx2.testing.sts.test
san=DNS:mta-sts.sts.test
for c in $cases; do san="$san,DNS:mta-sts.$c.sts.test"; done
(
	cd "$tmp" || exit 1
	ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
	openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj "/CN=smtpscope test CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
	for n in good wrong mx; do
		case $n in
		good) cn=mta-sts.sts.test names=$san ;;
		wrong) cn=wrong.sts.test names=DNS:wrong.sts.test ;;
		mx) cn=mx1.enforce.sts.test names=$mxsan ;;
		esac
		openssl req $ec -keyout $n.key -out $n.csr -subj "/CN=$cn"
		printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$names" >$n.ext
		openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $n.pem \
			-days 2 -extfile $n.ext
	done
) >"$tmp/openssl.log" 2>&1 || { echo "FAIL: openssl could not make the certificates"; cat "$tmp/openssl.log"; exit 1; }

# ---- the policy server ------------------------------------------------
stsdir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
/usr/bin/python3 "$stsdir/policy-server.py" "$tmp/good.pem" "$tmp/good.key" "$tmp/wrong.pem" \
	"$tmp/wrong.key" "$tmp/ports" 2>"$tmp/server.log" &
pids="$pids $!"
for i in $(seq 100); do
	[ -s "$tmp/ports" ] && break
	kill -0 $! 2>/dev/null || break
	sleep 0.05
done
[ -s "$tmp/ports" ] || { echo "FAIL: the policy server did not start"; cat "$tmp/server.log"; exit 1; }
read -r good wrong six <"$tmp/ports"
# a port nothing listens on: bound, then closed
closed=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# the routes: each policy host to its listener (enforce and six keep the
# DNS's address, 127.0.0.1 and ::1; noaddr has no rule, so nothing says
# where its policy is)
routes=(--connect-to "mta-sts.wrongcert.sts.test:443:127.0.0.1:$wrong"
	--connect-to "mta-sts.refused.sts.test:443:127.0.0.1:$closed"
	--connect-to "mta-sts.enforce.sts.test:443::$good"
	--connect-to "mta-sts.six.sts.test:443::$six")
for c in $cases; do
	case $c in enforce|six|wrongcert|refused|noaddr) ;;
	*) routes+=(--connect-to "mta-sts.$c.sts.test:443:127.0.0.1:$good") ;;
	esac
done
