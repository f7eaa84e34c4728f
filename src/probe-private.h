/* probe-private: what the files of `smtpscope probe` share: probe.c (the
 * engine: its lines, the DNS steps, the waits, MTA-STS, the blocklist
 * lookups, the verdict), probe-session.c (one client session per
 * attempt), probe-sender.c (--from's SPF and DMARC) and probe-report.c
 * (the table, the blocklist lines, the JSON).  Not part of the probe API
 * (probe.h). */
#ifndef SMTPSCOPE_PROBE_PRIVATE_H
#define SMTPSCOPE_PROBE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtpscope/client.h"
#include "smtpscope/dane.h"
#include "smtpscope/dns.h"
#include "smtpscope/dnsbl.h"
#include "smtpscope/mtasts-fetch.h"
#include "smtpscope/mx.h"
#include "smtpscope/printer.h"
#include "smtpscope/probe.h"
#include "smtpscope/sendpol.h"
#include "smtpscope/session.h"
#include "smtpscope/tls.h"
#include "smtpscope/util.h"
#include "smtpscope/verdict.h"

/* Where an attempt's session is (what each phase waits for: probe_phase_wait, probe.c). */
enum probe_phase {
	PH_CONNECT,   /* waiting for the connection */
	PH_GREETING,  /* connected, waiting for the greeting */
	PH_EHLO,      /* EHLO to send, or its reply awaited */
	PH_HELO,      /* EHLO refused: HELO (RFC 5321 4.1.4) */
	PH_STARTTLS,
	PH_TLS,       /* the handshake and the EHLO after it */
	PH_MAIL,
	PH_RCPT,
	PH_RELAY,     /* --relay-test: RCPT TO a domain never to be accepted */
	PH_RSET,
	PH_QUIT,
	PH_CLOSED,
};

/* The replies whose text an attempt keeps (struct probe_slot's text and enh). */
enum { R_GREETING, R_EHLO, R_MAIL, R_RCPT, R_RELAY, R__COUNT };

struct probe;

/* One (host, address) attempt: its session, client and findings. */
struct probe_slot {
	struct probe *p;
	size_t i;
	struct probe_attempt *pa;  /* p->res_attempts[i] */
	struct session *s;
	struct client *c;
	char *label;               /* "[host address] ", escaped */
	enum probe_phase phase;
	bool sent;                 /* the phase's command is sent */
	bool started, done;
	unsigned timer;            /* the deferred step, or 0 */
	int64_t started_ms, connected_ms, greeted_ms, wait_since_ms;
	int64_t last_report_ms;
	int ehlos;                 /* EHLO replies seen */
	bool tls_broke;            /* the handshake failed: connect again */
	bool plain;                /* the second connection: no STARTTLS */
	/* reverse DNS */
	struct dns_query *q;
	bool ptr_done, ptr_temp;
	char *ptr_name;
	bool matches_ehlo;
	char *banner, *ehlo_name;
	/* --relay-test: the reply to RCPT TO:<p->relay_to>; code 0: not tried */
	struct probe_reply relay;
	char *local_addr;          /* --blocklists: the connection's own address */
	/* the domain's MTA-STS policy applied to this attempt */
	bool sts_checked;
	enum mtasts_mx_verdict sts_verdict;
	/* the handshake's DANE outcome (tls_dane_result) and protocol
	 * version (12 = TLS 1.2), kept past the connection */
	struct tls_dane_result dane_r;
	bool dane_have;
	int tls_version;
	/* strings the attempt points to */
	char *conn_error, *tls_error, *auth_text;
	char *text[R__COUNT];
	char enh[R__COUNT][16];
};

/* An MX host's answers: its addresses and TLSA records. */
struct probe_hostq {
	struct dns_answer *aaaa, *a, *tlsa;
};

/* One run of the probe. */
struct probe {
	const struct probe_options *o;
	struct loop *loop;
	struct dns *dns;
	struct printer_options print;
	char *domain, *address;
	char *rcpt_to;             /* the address, or postmaster@domain */
	char *relay_to;            /* --relay-test's recipient, or NULL */
	struct mx_rng rng;
	struct mx_options mxo;
	struct mx_plan plan;
	bool have_plan;
	struct dns_answer *mx_answer;
	struct probe_hostq *hq;
	struct dane_host *dane;    /* per MX host, once its lookups are in */
	size_t addr_pending;
	struct probe_slot *slots;
	struct probe_attempt *res_attempts;
	size_t n_slots, running, next_slot, n_done;
	size_t parallel;
	const char *waiting;       /* the DNS step waited for, or NULL */
	int64_t wait_since_ms, last_report_ms;
	unsigned ticker;
	struct verdict verdict;
	bool decided;
	/* --blocklists */
	struct dnsbl_list bl_list;
	char *bl_path;
	struct dnsbl_run *bl;
	bool bl_started, bl_done;
	int64_t start_ms;
	struct buf out;
	bool in_result;            /* the table and verdict are being printed */
	/* MTA-STS (RFC 8461) and TLS-RPT of the recipient's domain, looked
	 * up beside the MX; the verdict waits for it */
	struct mtasts_check *sts;
	struct mtasts_result *sts_res;
	bool sts_finish_wanted;
	/* the sender's side (--from): its domain's SPF and DMARC records */
	struct {
		char *domain;             /* ASCII form, or NULL: not looked up */
		struct dns_answer *spf_ans, *dmarc_ans;
		struct spf_check spf;
		struct dmarc_check dmarc;
		size_t pending;           /* lookups still out */
		bool finish_wanted;       /* the verdict waits for them */
	} sender;
};

/* ---- the engine (probe.c) ---- */

/* Writes the pending output to o->out, or hands it to o->line line by line. */
void probe_flush(struct probe *p);
/* A line of our own: the attempt's label, the printer's marker, then the text. */
void probe_mark(struct probe *p, const char *label, const char *mark, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A DANE or MTA-STS finding explained by the kb's matching [tls-error] entry. */
void probe_kb_tls(struct probe *p, const char *label, const char *text);
/* The verdict and the result, once the attempts, MTA-STS, blocklists and sender are in. */
void probe_finish(struct probe *p);

/* ---- the sessions (probe-session.c) ---- */

/* Starts attempts until p->parallel run or none is left. */
void probe_start_slots(struct probe *p);
/* --relay-test: the relay recipient was accepted (the server relays for anyone). */
bool probe_slot_open_relay(const struct probe_slot *sl);

/* ---- the sender's side (probe-sender.c) ---- */

/* Starts the SPF and DMARC lookups of --from's domain, if it has one. */
void probe_sender_start(struct probe *p);
/* The sender's lines of the final table. */
void probe_sender_table(struct probe *p);
/* ,"sender":{...} or ,"sender":null */
void probe_sender_json(struct probe *p, struct buf *b);
/* Frees the sender's answers and checks. */
void probe_sender_free(struct probe *p);

/* ---- the result (probe-report.c) ---- */

/* The table of attempts, one line each, under its heading. */
void probe_table(struct probe *p);
/* Line mode's blocklist lines: one per (address, zone), then the sum. */
void probe_blocklists_say(struct probe *p);
/* --relay-test, after the verdict: how many servers relay, said loudly if any. */
void probe_relay_summary(struct probe *p);
/* ,"KEY":true or ,"KEY":false */
void probe_json_bool(struct buf *b, const char *key, bool v);
/* --json: the whole result as one object on o->out. */
void probe_json(struct probe *p);

#endif
