# postfix-lib.sh — sourced by the tests that run a private Postfix.
#
# A private instance (its own config, queue and data directories, all under
# a temporary directory) listens only on 127.0.0.1 at free high ports and
# delivers mail for scope.test into maildirs under the same directory.  It
# never touches a system Postfix: other config directory, queue, pid lock
# and ports.  Skips (exit 77) when Postfix is not installed.
#
# Before sourcing, a test may set:
#   PF_MAIN_EXTRA    lines appended to main.cf
#   PF_VMAILBOX_EXTRA  more "address maildir/" lines for scope.test
#   PF_MASTER_EXTRA  master.cf lines for more services; "@PORTn@" (n = 1..6)
#                    is replaced by a free port, found in $port1 .. $port5
# After sourcing: $port (the plain smtpd), $tmp, $conf, $log, $mail, $py,
# functions die, show_log, stop_postfix, delivered, and an EXIT trap that
# cleans up.
py=/usr/bin/python3
postfix=/usr/sbin/postfix
daemon_dir=/usr/lib/postfix/sbin
if [ ! -x "$postfix" ] || [ ! -x "$daemon_dir/master" ] || [ ! -x "$daemon_dir/smtpd" ]; then
	echo "SKIP: postfix is not installed"; exit 77
fi
[ -x "$py" ] || { echo "FAIL: /usr/bin/python3 missing (needed to pick a free port)"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "FAIL: this test must run as root (Postfix's master needs it)"; exit 1; }
getent passwd postfix >/dev/null || { echo "FAIL: user postfix missing"; exit 1; }
getent group postdrop >/dev/null || { echo "FAIL: group postdrop missing"; exit 1; }

start=$(date +%s.%N)
tmp=$(mktemp -d /tmp/smtpscope-postfix.XXXXXX)
conf=$tmp/conf queue=$tmp/queue data=$tmp/data mail=$tmp/mail
log=$tmp/maillog
master=

# our_daemons: pids of Postfix daemons of this instance (their working
# directory is our private queue directory), for cleanup by pid.
our_daemons() {
	local d
	for d in /proc/[0-9]*; do
		case $(readlink "$d/cwd" 2>/dev/null) in
		"$queue"|"$queue"/*) echo "${d#/proc/}" ;;
		esac
	done
}
stop_postfix() {
	local i left
	[ -n "$master" ] || return 0
	# SIGTERM makes master stop its own process group (its daemons).
	kill -TERM "$master" 2>/dev/null
	for i in $(seq 1 100); do kill -0 "$master" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$master" 2>/dev/null && kill -KILL "$master" 2>/dev/null
	wait "$master" 2>/dev/null
	master=
	for i in $(seq 1 50); do left=$(our_daemons); [ -z "$left" ] && break; sleep 0.1; done
	[ -n "$left" ] && kill -KILL $left 2>/dev/null
	return 0
}
cleanup() {
	stop_postfix
	kill $(jobs -p) 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

show_log() {
	echo "---- postfix master stderr"; sed 's/^/    /' "$tmp/master.err" 2>/dev/null
	echo "---- postfix maillog"; sed 's/^/    /' "$log" 2>/dev/null
}
die() { echo "FAIL: $*"; show_log; exit 1; }
# delivered DIR TOKEN [TRIES]: waits (bounded: TRIES x 0.1 s, default 100)
# for a maildir file of DIR@scope.test holding TOKEN; prints its path.
delivered() {
	local dir=$mail/scope.test/$1/new token=$2 i f
	for i in $(seq 1 "${3:-100}"); do
		f=$(grep -lF -- "$token" "$dir"/* 2>/dev/null | head -n 1)
		[ -n "$f" ] && { echo "$f"; return 0; }
		sleep 0.1
	done
	return 1
}

free_port() {
	"$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
port=$(free_port)
ports=$port
extra_master=${PF_MASTER_EXTRA:-}
for i in 1 2 3 4 5 6; do
	case $extra_master in
	*"@PORT$i@"*)
		p=$(free_port)
		while case " $ports " in *" $p "*) true;; *) false;; esac; do p=$(free_port); done
		eval "port$i=$p"
		ports="$ports $p"
		extra_master=${extra_master//@PORT$i@/$p}
		;;
	esac
done

mkdir -p "$conf" "$queue" "$data" "$mail"
# Postfix daemons run as postfix and the virtual agent as the mailbox
# owner: they must be able to reach their directories under $tmp.
chmod 755 "$tmp"
chown postfix "$data"
vuid=$(id -u nobody) vgid=$(id -g nobody)
chown "$vuid:$vgid" "$mail"

cat > "$conf/main.cf" <<EOF
compatibility_level = 3.6
config_directory = $conf
queue_directory = $queue
data_directory = $data
command_directory = /usr/sbin
daemon_directory = $daemon_dir
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
# Log to a file of ours through postlogd, not to the system's syslog.
maillog_file = $log
maillog_file_prefixes = $tmp
syslog_name = postfix-smtpscope-test
# Loopback only, IPv4, no DNS.
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.scope.test
mydomain = scope.test
myorigin = scope.test
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
# Nothing is delivered by the local agent; scope.test goes to maildirs.
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
virtual_mailbox_domains = scope.test
virtual_mailbox_base = $mail
virtual_mailbox_maps = texthash:$conf/vmailbox
virtual_uid_maps = static:$vuid
virtual_gid_maps = static:$vgid
virtual_minimum_uid = 1
# No mail ever leaves this machine, not even a bounce.
relay_domains =
default_transport = error:5.7.1 test instance: no outbound mail
relay_transport = error:5.7.1 test instance: no outbound mail
# Relaying refused with 554 5.7.1.  The default smtpd_relay_restrictions
# would let 127.0.0.1 relay (permit_mynetworks), and answer 454 otherwise.
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_banner = \$myhostname ESMTP smtpscope-test Postfix
biff = no
smtputf8_enable = yes
${PF_MAIN_EXTRA:-}
EOF
printf 'user@scope.test scope.test/user/\ndots@scope.test scope.test/dots/\n%s' \
	"${PF_VMAILBOX_EXTRA:+$PF_VMAILBOX_EXTRA
}" > "$conf/vmailbox"

# No chroot anywhere; the inet services are 127.0.0.1:$port and the
# test's own (PF_MASTER_EXTRA), all on 127.0.0.1.
cat > "$conf/master.cf" <<EOF
127.0.0.1:$port inet n - n - - smtpd
$extra_master
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF

export MAIL_CONFIG=$conf
"$postfix" -c "$conf" check > "$tmp/check.out" 2>&1 ||
	die "postfix check failed: $(cat "$tmp/check.out")"
[ -s "$tmp/check.out" ] && { echo "note: postfix check said:"; sed 's/^/    /' "$tmp/check.out"; }

# master in the foreground as our own background job (so $! is master);
# -e makes it stop by itself even if this script is killed with SIGKILL.
"$daemon_dir/master" -c "$conf" -d -e 300 < /dev/null > "$tmp/master.err" 2>&1 &
master=$!
# Ready once our master (not some other program) listens on the port.
ours_listening() {
	local p
	for p in $ports; do
		if command -v ss >/dev/null; then
			ss -Hltnp "sport = :$p" 2>/dev/null | grep -q "pid=$master," || return 1
		else
			"$py" -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.5).close()' "$p" 2>/dev/null || return 1
		fi
	done
}
up=
for i in $(seq 1 100); do
	kill -0 "$master" 2>/dev/null || break
	ours_listening && { up=1; break; }
	sleep 0.1
done
if [ -z "$up" ]; then
	# master logs through postlogd, so a failure before that (e.g. the port
	# taken by someone else) leaves no message: show who holds the port.
	holders=$(ss -Hltnp "sport = :$port" 2>/dev/null)
	if ! kill -0 "$master" 2>/dev/null; then
		wait "$master"; rc=$?; master=
		die "postfix master exited with status $rc before listening on 127.0.0.1:$port${holders:+ (port held by: $holders)}"
	fi
	die "postfix did not listen on 127.0.0.1:$port within 10 s${holders:+ (port held by: $holders)}"
fi
[ "$(sed -n '1s/ //gp' "$queue/pid/master.pid" 2>/dev/null)" = "$master" ] ||
	die "$queue/pid/master.pid does not hold our master's pid $master"
# Only our address: nothing of ours listens on any other address or port.
if command -v ss >/dev/null; then
	bad=$(ss -Hltnp 2>/dev/null | grep "pid=$master," | awk '{print $4}' |
		grep -vxF -f <(for p in $ports; do echo "127.0.0.1:$p"; done))
	[ -z "$bad" ] || die "postfix listens on more than 127.0.0.1:{$ports}: $bad"
fi

