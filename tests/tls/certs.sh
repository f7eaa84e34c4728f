# certs.sh DIR — sourced by the TLS tests: makes, with the openssl CLI, a
# test CA and the certificates the tests need, all under DIR:
#   ca.pem ca.key                       the test CA
#   good.pem good.key                   localhost, 127.0.0.1 (signed by the CA)
#   expired.pem expired.key             localhost, valid only in January 2020
#   notyet.pem notyet.key               localhost, valid only from 2099 on
#   wronghost.pem wronghost.key         wrong.example only
#   selfsigned.pem selfsigned.key       localhost, 127.0.0.1, signed by itself
#   client.pem client.key               CN=smtpscope test client (client auth)
# Exits 77 (skip) when the openssl CLI is missing.
command -v openssl >/dev/null || { echo "SKIP: the openssl command is not installed"; exit 77; }

certs_make() {
	local d=$1 n
	mkdir -p "$d/ca-db" || return 1
	: > "$d/ca-db/index.txt"
	echo 1000 > "$d/ca-db/serial"
	cat > "$d/ca.cnf" <<CNF
[ca]
default_ca = test_ca
[test_ca]
dir = $d/ca-db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $d/ca.pem
private_key = $d/ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = copy
[any]
commonName = supplied
[server]
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
CNF
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=smtpscope test CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		-keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null || return 1
	# name CN SAN [extra x509 args]: a CA-signed certificate.
	issue() {
		local name=$1 cn=$2 san=$3; shift 3
		openssl req -new -newkey rsa:2048 -nodes -subj "/CN=$cn" -addext "subjectAltName=$san" \
			-keyout "$d/$name.key" -out "$d/$name.csr" 2>/dev/null &&
		openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
			-CAcreateserial -days 2 -copy_extensions copy -out "$d/$name.pem" "$@" 2>/dev/null
	}
	issue good localhost "DNS:localhost,IP:127.0.0.1" || return 1
	issue wronghost wrong.example "DNS:wrong.example" || return 1
	issue client "smtpscope test client" "email:client@example.org" \
		-extfile <(printf 'extendedKeyUsage=clientAuth\n') || return 1
	# name START END: localhost, CA-signed, valid only from START to END;
	# dates other than "from now" need `openssl ca` (x509 -req cannot).
	dated() {
		openssl req -new -newkey rsa:2048 -nodes -subj "/CN=localhost" \
			-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
			-keyout "$d/$1.key" -out "$d/$1.csr" 2>/dev/null &&
		openssl ca -batch -config "$d/ca.cnf" -extensions server -in "$d/$1.csr" \
			-startdate "$2" -enddate "$3" -out "$d/$1.pem" >/dev/null 2>&1
	}
	dated expired 20200101000000Z 20200201000000Z || return 1
	dated notyet 20990101000000Z 20991231000000Z || return 1
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
		-keyout "$d/selfsigned.key" -out "$d/selfsigned.pem" 2>/dev/null || return 1
	for n in "$d"/*.key "$d"/*.pem; do chmod 644 "$n"; done
}
