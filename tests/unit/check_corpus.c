/* The diagnosis measured on real data: every reply of
 * tests/data/real-replies.tsv and every failed recipient of the bounces
 * in tests/data/real-bounces/ (INDEX.tsv) is explained as a user would
 * get it (`explain --reply` with --after, `explain --bounce`), and the
 * share of right diagnoses must be at least 95 %.  The figures and every
 * miss (expected -> got, the text) are printed into the test's log. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "smtpscope/bounce.h"
#include "smtpscope/diagnose.h"
#include "suites.h"

#define CORPUS_DIR SMTPSCOPE_SRC_HELPDIR "/../tests/data"
#define CORPUS_MIN_PERCENT 95.0

struct tally {
	size_t right, total;
};

static void tally_add(struct tally *t, const char *want, const char *got, const char *what)
{
	t->total++;
	if (got && strcmp(want, got) == 0) {
		t->right++;
		return;
	}
	printf("corpus miss: %s -> %s: %.160s\n", want, got ? got : "(none)", what);
}

static double tally_percent(const struct tally *t)
{
	return t->total ? 100.0 * (double)t->right / (double)t->total : 0.0;
}

/* Splits a TSV line in place into at most n fields; returns the count. */
static size_t corpus_fields(char *line, char **f, size_t n)
{
	size_t k = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (k < n) {
		f[k++] = line;
		line = strchr(line, '\t');
		if (line == NULL)
			break;
		*line++ = '\0';
	}
	return k;
}

/* The corpus writes a multiline reply's lines joined with " | ". */
static char *corpus_lines(const char *s)
{
	struct buf b;

	buf_init(&b);
	for (const char *p; (p = strstr(s, " | ")) != NULL; s = p + 3) {
		buf_add(&b, s, (size_t)(p - s));
		buf_addc(&b, '\n');
	}
	buf_adds(&b, s);
	return buf_steal(&b);
}

START_TEST(test_real_replies)
{
	FILE *f = fopen(CORPUS_DIR "/real-replies.tsv", "r");
	char line[8192];
	struct tally t = { 0 };

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f)); /* the header */
	while (fgets(line, sizeof line, f)) {
		char *fld[4], *text;
		struct explain_ctx ctx = { 0 };
		struct paste p;
		struct explanation x;

		if (corpus_fields(line, fld, 4) < 3)
			continue;
		if (strcmp(fld[1], "-") != 0)
			ck_assert_msg(explain_verb_from_name(fld[1], &ctx.verb), "command %s", fld[1]);
		ctx.has_verb = strcmp(fld[1], "-") != 0;
		text = corpus_lines(fld[2]);
		if (diagnose_paste(fixture_kb(), text, &ctx, &p, &x)) {
			tally_add(&t, fld[0], x.diagnosis ? x.diagnosis->id : NULL, fld[2]);
			explain_free(&x);
			paste_free(&p);
		} else {
			tally_add(&t, fld[0], NULL, fld[2]);
		}
		free(text);
	}
	fclose(f);
	printf("corpus: real replies: %zu of %zu diagnosed right (%.1f %%)\n", t.right, t.total,
	       tally_percent(&t));
	ck_assert_uint_ge(t.total, 300);
	ck_assert_msg(tally_percent(&t) >= CORPUS_MIN_PERCENT, "replies: %.1f %% < %.0f %%",
		      tally_percent(&t), CORPUS_MIN_PERCENT);
}
END_TEST

static char *corpus_read(const char *name, size_t *len)
{
	char path[512];
	struct buf b;

	snprintf(path, sizeof path, CORPUS_DIR "/real-bounces/%s", name);
	buf_init(&b);
	if (!util_read_file(path, BOUNCE_MAX_INPUT, &b)) {
		buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return b.data ? buf_steal(&b) : xstrdup("");
}

START_TEST(test_real_bounces)
{
	FILE *f = fopen(CORPUS_DIR "/real-bounces/INDEX.tsv", "r");
	char line[4096];
	struct tally t = { 0 };

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	while (fgets(line, sizeof line, f)) {
		char *fld[5], *data;
		size_t len = 0, i;
		struct bounce b;
		struct explanation x;

		if (corpus_fields(line, fld, 5) < 3)
			continue;
		data = corpus_read(fld[0], &len);
		ck_assert_msg(data != NULL, "%s: unreadable", fld[0]);
		ck_assert_msg(bounce_parse(data, len, &b) == BOUNCE_OK, "%s: not read as a bounce",
			      fld[0]);
		for (i = 0; i < b.nrcpts; i++)
			if (b.rcpts[i].recipient && util_strieq(b.rcpts[i].recipient, fld[1]))
				break;
		ck_assert_msg(i < b.nrcpts, "%s: no recipient %s", fld[0], fld[1]);
		if (diagnose_bounce_rcpt(fixture_kb(), &b.rcpts[i], &x)) {
			tally_add(&t, fld[2], x.diagnosis ? x.diagnosis->id : NULL, fld[0]);
			explain_free(&x);
		} else {
			tally_add(&t, fld[2], NULL, fld[0]);
		}
		bounce_free(&b);
		free(data);
	}
	fclose(f);
	printf("corpus: real bounces: %zu of %zu recipients diagnosed right (%.1f %%)\n", t.right,
	       t.total, tally_percent(&t));
	ck_assert_uint_ge(t.total, 30);
	ck_assert_msg(tally_percent(&t) >= CORPUS_MIN_PERCENT, "bounces: %.1f %% < %.0f %%",
		      tally_percent(&t), CORPUS_MIN_PERCENT);
}
END_TEST

Suite *corpus_suite(void)
{
	Suite *s = suite_create("corpus");
	TCase *tc = tcase_create("real");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_real_replies);
	tcase_add_test(tc, test_real_bounces);
	suite_add_tcase(s, tc);
	return s;
}
