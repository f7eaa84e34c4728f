/* explain: what a reply means, from its digits, its enhanced code, the
 * command it answers and the knowledge base (RFC 5321 4.2.1, RFC 3463,
 * RFC 2034, RFC 4954 for 334's base64). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/auth.h"
#include "smtpscope/explain.h"
#include "smtpscope/i18n.h"

const char *explain_class(int code)
{
	switch (code / 100) {
	case 2: return _("positive completion (done)");
	case 3: return _("positive intermediate (go on, send the rest)");
	case 4: return _("transient negative (not done; try again later)");
	case 5: return _("permanent negative (not done; do not repeat unchanged)");
	default: return NULL;
	}
}

const char *explain_category(int code)
{
	switch (code / 10 % 10) {
	case 0: return _("syntax");
	case 1: return _("information");
	case 2: return _("connections");
	case 3: return _("unspecified");
	case 4: return _("unspecified");
	case 5: return _("mail system");
	default: return NULL;
	}
}

const char *explain_enhanced_subject(int subject)
{
	static const char *const names[] = {
		N_("other or undefined status"), N_("addressing"), N_("mailbox"),
		N_("mail system"), N_("network and routing"), N_("mail delivery protocol"),
		N_("message content or media"), N_("security or policy"),
	};

	if (subject < 0 || subject > 7)
		return NULL;
	return _(names[subject]);
}

/* RFC 5321 4.2: digits 2-5, 0-5, 0-9. */
static bool explain_code_valid(int code)
{
	return code >= 200 && code <= 599 && code / 10 % 10 <= 5;
}

static const char *explain_by_class(int cls)
{
	static const char *const by_class[] = {
		[2] = "accepted", [3] = "intermediate",
		[4] = "temporary-server-error", [5] = "unknown",
	};

	return cls >= 2 && cls <= 5 ? by_class[cls] : "protocol-error";
}

void explain_digits(int code, struct buf *out)
{
	const char *cls, *cat;

	if (code < 0 || code > 999) {
		buf_adds(out, _("no reply code: the line does not start with three digits"));
		return;
	}
	cls = explain_class(code);
	cat = explain_category(code);
	if (cls == NULL) {
		buf_printf(out, _("%03d: first digit %d is not an SMTP reply class (2-5); RFC 5321 says treat it as a failure"),
			   code, code / 100);
		return;
	}
	if (!explain_code_valid(code)) {
		buf_printf(out, _("%03d: second digit %d is not an SMTP reply category (0-5); RFC 5321 says treat it as a failure"),
			   code, code / 10 % 10);
		return;
	}
	buf_printf(out, "%03d: %dyz %s, x%dz %s", code, code / 100, cls,
		   code / 10 % 10, cat ? cat : _("undefined category"));
}

void explain_init(struct explanation *x)
{
	memset(x, 0, sizeof *x);
	x->code = -1;
	x->ctx = KB_CTX_ANY;
}

void explain_free(struct explanation *x)
{
	free(x->text);
	free(x->words);
	free(x->decoded);
	for (size_t i = 0; i < x->nnotes; i++)
		free(x->notes[i]);
	for (size_t i = 0; i < x->nexts; i++) {
		free(x->exts[i].keyword);
		free(x->exts[i].params);
		free(x->exts[i].detail);
	}
	free(x->exts);
	explain_init(x);
}

static void explain_note(struct explanation *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void explain_note(struct explanation *x, const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	if (x->nnotes == EXPLAIN_MAX_NOTES)
		return;
	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	x->notes[x->nnotes++] = buf_steal(&b);
}

void explain_add_note(struct explanation *x, const char *text)
{
	explain_note(x, "%s", text);
}

/* ---- enhanced codes in messy text --------------------------------------- */

/* A number of 1-3 digits without a leading zero (a lone 0 is fine). */
static size_t explain_enh_number(const char *s, int *v)
{
	size_t n = 0;

	while (n < 4 && isdigit((unsigned char)s[n]))
		n++;
	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return 0;
	*v = atoi(s);
	return n;
}

/* "C.S.D" at s, ending at a token boundary; its length or 0. */
static size_t explain_enh_at(const char *s, struct explain_enh *e)
{
	size_t n1, n2;

	if (s[0] != '2' && s[0] != '4' && s[0] != '5')
		return 0;
	e->cls = s[0] - '0';
	if (s[1] != '.' || !(n1 = explain_enh_number(s + 2, &e->subject)) || s[2 + n1] != '.')
		return 0;
	n2 = explain_enh_number(s + 3 + n1, &e->detail);
	if (n2 == 0)
		return 0;
	s += 3 + n1 + n2;
	/* Not part of a longer dotted number (an IP address, a version). */
	if (isalnum((unsigned char)s[0]) || (s[0] == '.' && isdigit((unsigned char)s[1])))
		return 0;
	return 3 + n1 + n2;
}

static void explain_enh_set(struct explain_enh *e, enum explain_enh_source src)
{
	e->source = src;
	snprintf(e->text, sizeof e->text, "%d.%d.%d", e->cls, e->subject, e->detail);
}

bool explain_find_enhanced(const char *text, int code, struct explain_enh *out)
{
	struct explain_enh e;

	memset(&e, 0, sizeof e);
	if (explain_enh_at(text, &e)) {
		*out = e;
		explain_enh_set(out, EXPLAIN_ENH_START);
		return true;
	}
	/* Mid-text codes are a failure-report habit (qmail's "(#5.7.1)",
	 * bounce texts); in a 2xx a dotted number is likelier a version. */
	if (code / 100 == 2 || code / 100 == 3)
		return false;
	for (const char *p = text; *p; p++) {
		bool hash = *p == '#';
		const char *q = hash ? p + 1 : p;

		if (!hash && p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '.' ||
					  p[-1] == '-' || p[-1] == '/' || p[-1] == '='))
			continue;
		if (!explain_enh_at(q, &e))
			continue;
		/* Away from the start, only a class that agrees with the basic
		 * code counts: otherwise it is more likely some other number. */
		if (code >= 200 && code < 600 && e.cls != code / 100)
			continue;
		*out = e;
		explain_enh_set(out, hash ? EXPLAIN_ENH_HASH : EXPLAIN_ENH_TEXT);
		return true;
	}
	return false;
}

/* ---- pasted text to wire form ------------------------------------------- */

static bool explain_line_code(const char *s, int *code)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[2]) || (s[3] != ' ' && s[3] != '-' && s[3] != '\0'))
		return false;
	*code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	return true;
}

/* Splits one pasted line at " CODE-" and " CODE ENH" where a relay joined
 * the lines of a multiline reply.  Appends wire lines (no final marker). */
static void explain_split_joined(const char *line, int code, const char *enh,
				 struct buf *out, size_t *nlines)
{
	char pat[8];
	/* A code alone ("550") ends at line[3]: search from its NUL. */
	const char *start = line, *p = line + (line[3] ? 4 : 3);

	snprintf(pat, sizeof pat, " %03d", code);
	while ((p = strstr(p, pat)) != NULL) {
		const char *after = p + 4;
		bool split = *after == '-' ||
			     (*after == ' ' && enh[0] && strncmp(after + 1, enh, strlen(enh)) == 0);

		if (!split) {
			p++;
			continue;
		}
		buf_add(out, start, (size_t)(p - start));
		buf_adds(out, "\n");
		(*nlines)++;
		start = p + 1;
		p = start + 4;
	}
	buf_adds(out, start);
	buf_adds(out, "\n");
	(*nlines)++;
}

char *explain_text_to_wire(const char *text, bool *rejoined)
{
	struct buf lines, wire;
	const char *p = text;
	int code = -1;
	size_t nlines = 0, pasted = 0;

	*rejoined = false;
	buf_init(&lines);
	while (*p) {
		size_t n = strcspn(p, "\r\n");
		char *line = xmemdup(p, n);
		int c;

		p += n;
		while (*p == '\r' || *p == '\n')
			p++;
		if (n == 0 || !explain_line_code(line, &c)) {
			/* A continuation the user pasted without its code. */
			if (n > 0 && code >= 0)
				buf_printf(&lines, "%03d-%s\n", code, line);
			else if (n > 0)
				buf_printf(&lines, "%s\n", line);
			pasted += n > 0;
			nlines += n > 0;
			free(line);
			continue;
		}
		if (code < 0) {
			struct explain_enh e;
			memset(&e, 0, sizeof e);
			code = c;
			if (line[3] && explain_enh_at(line + 4, &e))
				explain_enh_set(&e, EXPLAIN_ENH_START);
			explain_split_joined(line, code, e.text, &lines, &nlines);
		} else {
			buf_printf(&lines, "%s\n", line);
			nlines++;
		}
		pasted++;
		free(line);
	}
	if (code < 0) {
		buf_free(&lines);
		return NULL;
	}
	*rejoined = nlines > pasted;
	/* Every line but the last gets '-', the last ' ': the parser then
	 * sees one reply whatever separators the paste had. */
	buf_init(&wire);
	for (const char *l = lines.data; *l;) {
		size_t n = strcspn(l, "\n");
		bool last = l[n] == '\n' && l[n + 1] == '\0';

		if (n >= 3)
			buf_printf(&wire, "%.3s%c%.*s\r\n", l, last ? ' ' : '-',
				   (int)(n > 4 ? n - 4 : 0), l + 4);
		l += n + (l[n] == '\n');
	}
	buf_free(&lines);
	return buf_steal(&wire);
}

/* ---- explaining --------------------------------------------------------- */

static void explain_enh_resolve(const struct kb *kb, struct explanation *x)
{
	struct explain_enh *e = &x->enh;

	e->entry = kb_enhanced(kb, e->subject, e->detail);
	e->cls_entry = kb_enhanced_class(kb, e->cls);
	e->subject_entry = kb_enhanced_subject(kb, e->subject);
	if (e->entry == NULL)
		explain_note(x, _("%s is not in the IANA registry of enhanced status codes; its class (%d) and subject (%d) still apply (RFC 3463)"),
			     e->text, e->cls, e->subject);
	else if (e->entry->deprecated)
		explain_note(x, _("X.%d.%d is deprecated: %s"), e->subject, e->detail,
			     e->entry->deprecated);
	if (x->code >= 200 && x->code < 600 && e->cls != x->code / 100)
		explain_note(x, _("the enhanced code's class %d disagrees with the reply's first digit %d; RFC 3463 says they must match, and the basic code wins"),
			     e->cls, x->code / 100);
	if (x->code / 100 == 3)
		explain_note(x, _("RFC 2034: 3xx replies never carry an enhanced code"));
	if (e->source == EXPLAIN_ENH_HASH)
		explain_note(x, _("the enhanced code was found inside the text after '#', not at the start where RFC 2034 puts it"));
	else if (e->source == EXPLAIN_ENH_TEXT)
		explain_note(x, _("the enhanced code was found inside the text, not at its start where RFC 2034 puts it"));
}

static bool explain_mentions(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; *p; p++)
		if (util_strnieq(p, word, n))
			return true;
	return false;
}

/* RFC 3207 4: a server that finds the TLS session too weak answers later
 * commands with 554 "Command refused due to lack of security".  Inside
 * TLS, a 554 that names security (or a bare code, as `explain 554 --tls`
 * gives) is that refusal; a 554 relay or policy refusal is not, and after
 * DATA or the dot a 554 is about the message. */
static bool explain_tls_refusal(const struct explain_ctx *ctx, const struct explanation *x)
{
	static const char *const words[] = { "security", "secure", "TLS", "encrypt", "cipher" };

	if (x->code != 554 || !ctx->tls_active || x->ctx == KB_CTX_DOT || x->ctx == KB_CTX_DATA)
		return false;
	if (x->text == NULL || x->text[0] == '\0')
		return true;
	for (size_t i = 0; i < UTIL_ARRAY_LEN(words); i++)
		if (explain_mentions(x->text, words[i]))
			return true;
	return false;
}

/* The diagnosis of a specific enhanced code (5.1.1, 5.7.26, 4.7.25):
 * registered, not X.Y.0, not one servers give for any cause ("broad:" in
 * help/kb/enhanced.kb, such as 5.7.1), and of the reply's class. */
static const char *explain_specific_enh(const struct explanation *x)
{
	const struct explain_enh *e = &x->enh;

	if (e->entry == NULL || e->detail == 0 || e->entry->broad || e->cls < 4 ||
	    (x->code >= 0 && e->cls != x->code / 100))
		return NULL;
	return e->entry->diagnosis;
}

/* The text rules, tried on the reply as the session saw it. */
static bool explain_rule(const struct kb *kb, const struct explain_ctx *ctx,
			 struct explanation *x)
{
	struct kb_rule_query q = {
		.code = explain_code_valid(x->code) ? x->code : -1,
		.has_enh = x->enh.source != EXPLAIN_ENH_NONE,
		.enh_cls = x->enh.cls, .enh_subject = x->enh.subject, .enh_detail = x->enh.detail,
		.ctx = x->ctx, .tls_active = ctx->tls_active, .text = x->words,
	};

	/* Only failures are classified: 4yz and 5yz, even with a second
	 * digit out of range ("571 ... DMARC verification failed"), which is
	 * noted as malformed but still says why. */
	if (x->code >= 0 ? x->code < 400 || x->code > 599
			 : x->enh.source == EXPLAIN_ENH_NONE || x->enh.cls < 4)
		return false;
	return x->words && x->words[0] && kb_rule_match(kb, &q, &x->rule);
}

/* What the code (and the state) alone say, when no pattern, rule or
 * specific enhanced code decides; sets x->diagnosis_from. */
static const char *explain_by_code(const struct explain_ctx *ctx, struct explanation *x)
{
	const struct kb_code *c = x->entry;

	if (explain_tls_refusal(ctx, x) && c && c->ctx_diagnosis[KB_CTX_STARTTLS]) {
		x->diagnosis_from = N_("554 inside TLS naming security (RFC 3207 4)");
		return c->ctx_diagnosis[KB_CTX_STARTTLS];
	}
	if (x->code == 530) {
		/* RFC 3207 and RFC 4954 share 530 5.7.0: the text and the TLS
		 * state tell which one it is. */
		bool tls = explain_mentions(x->text, "TLS") ||
			   (!ctx->tls_active && !explain_mentions(x->text, "auth"));

		x->diagnosis_from = tls ? N_("530 with TLS not active or named in the text")
					: N_("530 after TLS, or naming authentication");
		return tls ? "tls-required" : "auth-required";
	}
	if (x->enh.entry && x->enh.detail != 0 && x->enh.cls >= 4 &&
	    (x->code < 0 || x->enh.cls == x->code / 100)) {
		x->diagnosis_from = N_("enhanced code");
		return x->enh.entry->diagnosis;
	}
	if (c && c->ctx_diagnosis[x->ctx]) {
		x->diagnosis_from = N_("reply code and command");
		return c->ctx_diagnosis[x->ctx];
	}
	if (c) {
		x->diagnosis_from = N_("reply code");
		return c->diagnosis;
	}
	if (x->enh.source == EXPLAIN_ENH_GIVEN && x->code < 0) {
		x->diagnosis_from = N_("first digit");
		return explain_by_class(x->enh.cls);
	}
	/* A malformed code is a protocol error, never a success. */
	x->diagnosis_from = x->code >= 0 ? N_("first digit") : N_("malformed code");
	return explain_code_valid(x->code) ? explain_by_class(x->code / 100) : "protocol-error";
}

static const char *explain_label(const struct kb *kb, const char *id)
{
	const struct kb_diagnosis *d = kb_diagnosis(kb, id);

	return d ? d->label : id;
}

/* The diagnosis, most specific source first: a provider pattern, then a
 * text rule, then the enhanced code, the code and the state.  Real
 * servers reuse codes ("550 5.1.1 ... sent to too many recipients this
 * hour"), so the words win over a code; a disagreement with a specific
 * enhanced code or the code is noted, since that is the teaching point. */
static void explain_diagnose(const struct kb *kb, const struct explain_ctx *ctx,
			     struct explanation *x)
{
	const char *id, *specific = explain_specific_enh(x);
	bool rule = explain_rule(kb, ctx, x);

	if (x->pattern) {
		id = x->pattern->diagnosis;
		x->diagnosis_from = N_("provider pattern");
	} else if (rule) {
		const char *by_code = explain_by_code(ctx, x);

		id = x->rule.rule->diagnosis;
		if (strcmp(by_code, id) == 0) {
			id = by_code; /* the code says it already; the words agree */
		} else {
			x->rule_decided = true;
			if (specific && strcmp(specific, id) != 0)
				explain_note(x, _("the enhanced code %s says %s, but the text says \"%s\" (rule %s): servers reuse codes, so the words decide"),
					     x->enh.text, explain_label(kb, specific), x->rule.cue,
					     x->rule.rule->id);
			else if (strcmp(by_code, "unknown") != 0)
				explain_note(x, _("the %s alone would say %s; the words of the text decide (rule %s)"),
					     _(x->diagnosis_from), explain_label(kb, by_code),
					     x->rule.rule->id);
			x->diagnosis_from = N_("text rule");
		}
	} else {
		id = explain_by_code(ctx, x);
	}
	if (x->code < 0 && x->enh.source == EXPLAIN_ENH_GIVEN && !x->rule_decided)
		x->diagnosis_from = x->enh.entry ? N_("enhanced code") : N_("enhanced class");
	/* The only address MAIL names is the sender's. */
	if (x->ctx == KB_CTX_MAIL &&
	    (strcmp(id, "mailbox-unknown") == 0 || strcmp(id, "domain-unknown") == 0)) {
		explain_note(x, _("this answers MAIL, so the unknown address is the sender's, not a recipient's"));
		id = "sender-rejected";
	}
	x->diagnosis = kb_diagnosis(kb, id);
}

bool explain_verb_from_name(const char *name, enum smtp_verb *out)
{
	enum smtp_verb v = util_strieq(name, "any") ? SMTP_V_UNKNOWN : verb_from_name(name);

	if (v == SMTP_V__COUNT)
		return false;
	*out = v;
	return true;
}

static void explain_context(const struct explain_ctx *ctx, struct explanation *x)
{
	const struct kb_code *c = x->entry;

	x->ctx = ctx->has_verb ? kb_ctx_from_verb(ctx->verb) : KB_CTX_ANY;
	x->has_ctx = ctx->has_verb;
	if (c == NULL || !x->has_ctx)
		return;
	x->context_meaning = c->context[x->ctx];
	if (x->context_meaning == NULL && x->ctx == KB_CTX_HELO)
		x->context_meaning = c->context[KB_CTX_EHLO];
	if (x->context_meaning == NULL)
		x->context_meaning = c->context[KB_CTX_ANY];
	if (explain_tls_refusal(ctx, x) && c->context[KB_CTX_STARTTLS])
		x->context_meaning = c->context[KB_CTX_STARTTLS];
}

/* match_text: the reply's lines with their codes, joined with spaces, as
 * provider patterns expect; NULL when there is no reply text. */
static void explain_common(const struct kb *kb, const struct explain_ctx *ctx,
			   const char *match_text, struct explanation *x)
{
	int cls = x->code / 100;

	x->entry = kb_code(kb, x->code);
	x->class_meaning = x->code >= 0 ? explain_class(x->code) : NULL;
	x->category_meaning = x->code >= 0 ? explain_category(x->code) : NULL;
	if (x->code < 0) {
		/* An enhanced code given on its own has no reply code to judge. */
		if (x->enh.source != EXPLAIN_ENH_GIVEN)
			explain_note(x, _("malformed reply: it does not start with a three-digit code and a space or '-' (\"2500\" or \"25O\" is no code); RFC 5321 4.2 says treat it as a failure, never a success"));
	} else if (cls < 2 || cls > 5) {
		explain_note(x, _("%03d is not a valid SMTP reply: the first digit must be 2 to 5; RFC 5321 says treat such a reply as a failure"),
			     x->code);
	} else if (x->code / 10 % 10 > 5) {
		explain_note(x, _("%03d is not a valid SMTP reply: the second digit must be 0 to 5 (RFC 5321 4.2.1); treat it as a failure, never a success"),
			     x->code);
	} else if (x->entry == NULL)
		explain_note(x, _("smtpscope has no entry for %03d; as RFC 5321 asks, read it by its digits: %s"),
			     x->code, explain_class(x->code));
	explain_context(ctx, x);
	if (x->enh.source != EXPLAIN_ENH_NONE)
		explain_enh_resolve(kb, x);
	x->pattern = match_text ? kb_pattern_match(kb, x->code, match_text) : NULL;
	explain_diagnose(kb, ctx, x);
}

void explain_reply(const struct kb *kb, const struct reply *r,
		   const struct explain_ctx *ctx, struct explanation *x)
{
	struct buf text, match, words;

	explain_init(x);
	x->code = r->code;
	buf_init(&text);
	buf_init(&match);
	buf_init(&words);
	for (size_t i = 0; i < r->nlines; i++) {
		const struct reply_line *l = &r->lines[i];
		struct explain_enh e;
		size_t skip = explain_enh_at(l->text, &e);

		if (i) {
			buf_addc(&text, ' ');
			buf_addc(&match, ' ');
			buf_addc(&words, ' ');
		}
		util_escape(&text, l->text, l->len);
		while (skip < l->len && l->text[skip] == ' ')
			skip++;
		if (skip <= l->len)
			util_escape(&words, l->text + skip, l->len - skip);
		if (l->code >= 0)
			buf_printf(&match, "%03d%c", l->code, l->sep ? l->sep : ' ');
		util_escape(&match, l->text, l->len);
	}
	x->text = buf_steal(&text);
	x->words = buf_steal(&words);
	if (r->enhanced.present) {
		x->enh.cls = r->enhanced.cls;
		x->enh.subject = r->enhanced.subject;
		x->enh.detail = r->enhanced.detail;
		explain_enh_set(&x->enh, EXPLAIN_ENH_START);
	} else if (r->code / 100 != 3) {
		explain_find_enhanced(x->text, r->code, &x->enh);
	}
	if (r->code == 334 && r->nlines > 0) {
		struct buf dec;

		buf_init(&dec);
		if (auth_b64_decode(r->lines[0].text, r->lines[0].len, &dec))
			x->decoded = util_escape_dup(dec.data, dec.len);
		else
			explain_note(x, _("the 334 text is not valid base64, which RFC 4954 requires"));
		buf_free(&dec);
	}
	explain_common(kb, ctx, match.data, x);
	buf_free(&match);
	if (ctx->has_verb && (ctx->verb == SMTP_V_EHLO || ctx->verb == SMTP_V_LHLO))
		explain_extensions(kb, r, ctx, x);
}

bool explain_text(const struct kb *kb, int code, const char *enhanced, const char *text,
		  const struct explain_ctx *ctx, struct explanation *x)
{
	static const struct explain_ctx none = { 0 };
	struct explain_enh e;

	memset(&e, 0, sizeof e);
	if (code < -1 || code > 999 || (code == -1 && enhanced == NULL))
		return false;
	if (enhanced) {
		size_t n = explain_enh_at(enhanced, &e);

		if (n == 0 || enhanced[n] != '\0')
			return false;
	}
	explain_init(x);
	x->code = code;
	x->text = text ? util_escape_dup(text, strlen(text)) : xstrdup("");
	x->words = xstrdup(x->text);
	if (enhanced) {
		x->enh = e;
		explain_enh_set(&x->enh, EXPLAIN_ENH_GIVEN);
	}
	explain_common(kb, ctx ? ctx : &none, text ? x->text : NULL, x);
	return true;
}

bool explain_code(const struct kb *kb, int code, const char *enhanced,
		  const struct explain_ctx *ctx, struct explanation *x)
{
	return explain_text(kb, code, enhanced, NULL, ctx, x);
}

bool explain_rule_sample(const struct kb *kb, const struct kb_rule *r, size_t i,
			 struct buf *why)
{
	struct explain_ctx ctx = { .tls_active = r->tls == 1 };
	bool rejoined, ok;
	char *wire = i < r->nsamples ? explain_text_to_wire(r->samples[i], &rejoined) : NULL;
	struct reply_parser *p;
	struct reply *reply;
	struct explanation x;

	if (wire == NULL) {
		buf_printf(why, "sample %zu of rule %s does not start with a reply code", i + 1, r->id);
		return false;
	}
	p = reply_parser_new();
	reply_parser_feed(p, wire, strlen(wire));
	reply_parser_finish(p);
	reply = reply_parser_next(p);
	explain_reply(kb, reply, &ctx, &x);
	ok = x.rule.rule == r;
	if (!ok)
		buf_printf(why, "sample %zu of rule %s is %s", i + 1, r->id,
			   x.rule.rule ? "taken first by rule " : "matched by no rule");
	if (!ok && x.rule.rule)
		buf_printf(why, "%s (%s:%d)", x.rule.rule->id, x.rule.rule->file, x.rule.rule->line);
	explain_free(&x);
	reply_free(reply);
	reply_parser_free(p);
	free(wire);
	return ok;
}
