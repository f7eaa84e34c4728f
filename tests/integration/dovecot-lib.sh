# dovecot-lib.sh — sourced by tests that need a private Dovecot: its SASL
# authentication service for Postfix (smtpd_sasl_type = dovecot) and,
# with DV_LMTP_PORT set, an LMTP server on 127.0.0.1:$DV_LMTP_PORT.
#
# Everything lives under $dv (its own base_dir, state_dir, log and
# passwd-file); no inet listener except that LMTP port on 127.0.0.1.
# Skips (exit 77) when dovecot-core is not installed.  Set before sourcing:
#   DV_USERS   lines "user:password" for the passwd-file (PLAIN scheme,
#              so every mechanism, CRAM-MD5 and SCRAM included, works)
# After sourcing: $dv, $dv_auth (the auth socket for Postfix),
# stop_dovecot, dv_log.
dovecot_bin=/usr/sbin/dovecot
if [ ! -x "$dovecot_bin" ]; then
	echo "SKIP: dovecot is not installed (Debian package dovecot-core)"; exit 77
fi
getent passwd dovecot >/dev/null && getent passwd dovenull >/dev/null ||
	{ echo "SKIP: users dovecot/dovenull missing (reinstall dovecot-core)"; exit 77; }
dv=$(mktemp -d /tmp/smtpscope-dovecot.XXXXXX)
chmod 755 "$dv"
mkdir -p "$dv/run" "$dv/state" "$dv/home" "$dv/mail"
dv_auth=$dv/auth-postfix
dv_master=
lmtp_conf=
protocols=
if [ -n "${DV_LMTP_PORT:-}" ]; then
	protocols=lmtp
	chown nobody:nogroup "$dv/mail"
	lmtp_conf="service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $DV_LMTP_PORT
  }
  unix_listener lmtp {
    mode = 0600
  }
}
protocol lmtp {
  mail_location = maildir:$dv/mail/%u
}
lmtp_save_to_detail_mailbox = no"
fi
cat > "$dv/dovecot.conf" <<DVEOF
base_dir = $dv/run
state_dir = $dv/state
instance_name = smtpscope-test-$$
protocols = $protocols
listen = 127.0.0.1
log_path = $dv/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dv/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $dv/passwd
  default_fields = uid=nobody gid=nogroup home=$dv/home/%u
}
service auth {
  unix_listener $dv_auth {
    mode = 0666
  }
}
$lmtp_conf
DVEOF
printf '%s\n' ${DV_USERS:-} | sed 's/^\([^:]*\):\(.*\)$/\1:{PLAIN}\2::::::/' > "$dv/passwd"
chmod 644 "$dv/passwd"

dv_log() { echo "---- dovecot log"; sed 's/^/    /' "$dv/dovecot.log" "$dv/master.err" 2>/dev/null; }
stop_dovecot() {
	local i
	if [ -n "$dv_master" ]; then
		kill -TERM "$dv_master" 2>/dev/null
		for i in $(seq 1 50); do kill -0 "$dv_master" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$dv_master" 2>/dev/null
		wait "$dv_master" 2>/dev/null
		dv_master=
	fi
	rm -rf "$dv"
}
# -F: master in the foreground as our own job, so $! is its pid.
"$dovecot_bin" -c "$dv/dovecot.conf" -F < /dev/null > "$dv/master.err" 2>&1 &
dv_master=$!
for i in $(seq 1 100); do
	[ -S "$dv_auth" ] && { [ -z "${DV_LMTP_PORT:-}" ] ||
		ss -Hltn "sport = :$DV_LMTP_PORT" 2>/dev/null | grep -q .; } && break
	kill -0 "$dv_master" 2>/dev/null || break
	sleep 0.1
done
if [ ! -S "$dv_auth" ]; then
	echo "FAIL: dovecot did not start within 10 s"; dv_log; stop_dovecot; exit 1
fi
