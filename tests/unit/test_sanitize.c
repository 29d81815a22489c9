/* test_sanitize.c: the one gate between outside text and a terminal
 * (src/core/sanitize.c): control characters, invalid UTF-8, bidi controls,
 * display widths and truncation. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "irk/sanitize.h"
#include "helpers/tmpstore.h"

/* sanitize s[0..n) with flags and compare with want. */
static void expect_san(const char *s, size_t n, int flags, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	sanitize_append(&sb, s, n, flags);
	cr_assert_str_eq(strbuf_str(&sb), want, "sanitizing %zu bytes gave '%s', want '%s'",
			 n, strbuf_str(&sb), want);
	strbuf_free(&sb);
}

#define SAN(lit, want) expect_san((lit), sizeof(lit) - 1, 0, (want))

/* Nothing a terminal could act on: valid UTF-8, no C0 (but kept \n \t),
 * no DEL, no C1, no bidi control. */
static int is_inert(const char *s, size_t n, int flags)
{
	if (!utf8_valid(s, n))
		return 0;
	for (size_t i = 0; i < n;) {
		unsigned cp;
		int len = utf8_decode(s + i, n - i, &cp);
		if ((cp < 0x20 && !(cp == '\n' && (flags & SAN_KEEP_NL)) &&
		     !(cp == '\t' && (flags & SAN_KEEP_TAB))) ||
		    (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
		    (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C)
			return 0;
		i += (size_t)len;
	}
	return 1;
}

Test(sanitize, c0_controls_become_visible_escapes)
{
	SAN("a\x1b[2Jb", "a\\x1b[2Jb");
	SAN("bell\x07", "bell\\x07");
	SAN("\x01\x1f", "\\x01\\x1f");
	SAN("nul\0x", "nul\\x00x");
	SAN("cr\rlf\n", "cr\\x0dlf\\x0a");
	SAN("tab\t", "tab\\x09");
	SAN("del\x7f", "del\\x7f");
}

Test(sanitize, newline_and_tab_kept_only_on_request)
{
	expect_san("a\nb\tc", 5, SAN_KEEP_NL, "a\nb\\x09c");
	expect_san("a\nb\tc", 5, SAN_KEEP_TAB, "a\\x0ab\tc");
	expect_san("a\nb\tc\x1b", 6, SAN_KEEP_NL | SAN_KEEP_TAB, "a\nb\tc\\x1b");
}

Test(sanitize, osc_title_sequence_never_survives_raw)
{
	static const char osc[] = "\x1b]0;pwned\x07 and \x1b]2;x\x1b\\";
	char *out = sanitize_dup(osc, 0);

	cr_assert_str_eq(out, "\\x1b]0;pwned\\x07 and \\x1b]2;x\\x1b\\");
	cr_assert_null(strchr(out, 0x1b));
	cr_assert_null(strchr(out, 0x07));
	free(out);
}

Test(sanitize, c1_controls_become_visible)
{
	/* U+009B (CSI) and U+0085 (NEL) encoded as UTF-8 */
	SAN("x\xc2\x9b" "31m", "x\\u009b31m");
	SAN("\xc2\x85", "\\u0085");
	SAN("\xc2\x80\xc2\x9f", "\\u0080\\u009f");
	/* U+00A0 is the first code point after C1: kept */
	SAN("\xc2\xa0", "\xc2\xa0");
	/* a bare 0x9b byte is not UTF-8 at all: U+FFFD, never the raw byte */
	SAN("\x9b" "2J", "\xef\xbf\xbd" "2J");
}

Test(sanitize, invalid_utf8_becomes_replacement_per_byte)
{
#define R "\xef\xbf\xbd"
	SAN("a\x80z", "a" R "z");                        /* lone continuation */
	SAN("\xc0\xaf", R R);                            /* overlong '/' */
	SAN("\xe0\x80\xaf", R R R);                      /* overlong, 3 bytes */
	SAN("\xf0\x80\x80\xaf", R R R R);                /* overlong, 4 bytes */
	SAN("\xed\xa0\x80", R R R);                      /* surrogate U+D800 */
	SAN("\xed\xbf\xbf", R R R);                      /* surrogate U+DFFF */
	SAN("ok\xe2\x82", "ok" R R);                     /* truncated euro sign */
	SAN("\xe2\x82" "A", R R "A");                    /* truncated, then ASCII */
	SAN("\xf4\x90\x80\x80", R R R R);                /* U+110000 */
	SAN("\xf5\x80\x80\x80", R R R R);                /* lead byte past F4 */
	SAN("\xfe\xff", R R);
	SAN("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");     /* U+10FFFF is valid */
#undef R
}

Test(sanitize, bidi_controls_shown_visibly)
{
	SAN("abc\xe2\x80\xae" "fdp.exe", "abc<U+202E>fdp.exe");
	SAN("\xe2\x80\xaa\xe2\x80\xad", "<U+202A><U+202D>");
	SAN("\xe2\x81\xa6\xe2\x81\xa9", "<U+2066><U+2069>");
	SAN("\xe2\x80\x8e\xe2\x80\x8f", "<U+200E><U+200F>");
	SAN("\xd8\x9c", "<U+061C>");
}

Test(sanitize, valid_utf8_untouched)
{
	static const char *const texts[] = {
		"M\xc3\xbcller \xd0\x9f\xd1\x80\xd0\xb8 \xe2\x86\x92",   /* Müller При → */
		"\xe6\xbc\xa2\xe5\xad\x97\xe3\x81\x8b\xe3\x81\xaa",      /* 漢字かな */
		"e\xcc\x81 a\xcc\x8a\xcc\x81",                           /* combining marks */
		"\xf0\x9f\x99\x82 back\\slash",                          /* emoji, backslash */
		"",
	};

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char *out = sanitize_dup(texts[i], 0);
		cr_assert_str_eq(out, texts[i]);
		free(out);
	}
}

Test(sanitize, dup_of_null_is_empty)
{
	char *out = sanitize_dup(NULL, 0);

	cr_assert_str_eq(out, "");
	free(out);
}

Test(sanitize, random_bytes_always_come_out_inert)
{
	uint64_t seed = 42;
	unsigned char in[64];
	static const unsigned char pick[] = { 0x1b, 0x07, 0x9b, 0xc2, 0xe2, 0x80, 0xae,
		0xed, 0xa0, 0xf4, 0x90, 0xff, 0x00, '\n', '\t', 'a', 0x7f, 0xd8, 0x9c };

	for (int round = 0; round < 20000; round++) {
		size_t n = tmp_rand(&seed) % sizeof in;
		int flags = (int)(tmp_rand(&seed) % 4);
		for (size_t i = 0; i < n; i++) {
			uint64_t r = tmp_rand(&seed);
			in[i] = r & 1 ? pick[(r >> 8) % sizeof pick] : (unsigned char)(r >> 16);
		}
		struct strbuf sb = STRBUF_INIT;
		sanitize_append(&sb, (const char *)in, n, flags);
		cr_assert(is_inert(strbuf_str(&sb), sb.len, flags), "round %d: unsafe output", round);
		/* input that is already inert passes through unchanged */
		if (is_inert((const char *)in, n, flags))
			cr_assert(sb.len == n && !memcmp(sb.buf, in, n), "round %d: changed safe text", round);
		strbuf_free(&sb);
	}
}

Test(sanitize, buf_truncates_at_a_character_boundary)
{
	char buf[8];

	/* "ab€" is 5 bytes: 5 do not fit in 4 + NUL, the euro sign goes whole */
	cr_assert_str_eq(sanitize_buf(buf, 5, "ab\xe2\x82\xac", 0), "ab");
	cr_assert_str_eq(sanitize_buf(buf, 6, "ab\xe2\x82\xac", 0), "ab\xe2\x82\xac");
	cr_assert_str_eq(sanitize_buf(buf, 4, "\xf0\x9f\x99\x82", 0), "");
	cr_assert_str_eq(sanitize_buf(buf, sizeof buf, "\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc", 0),
			 "\xc3\xbc\xc3\xbc\xc3\xbc");
	cr_assert_str_eq(sanitize_buf(buf, 1, "abc", 0), "");
	cr_assert_str_eq(sanitize_buf(buf, sizeof buf, NULL, 0), "");
	cr_assert_str_eq(sanitize_buf(buf, sizeof buf, "\x1b]0", 0), "\\x1b]0");
	/* every size gives valid, inert UTF-8 */
	for (size_t n = 1; n <= sizeof buf; n++) {
		sanitize_buf(buf, n, "\xe6\xbc\xa2\x1b\xe2\x80\xae\xc3\xbc", 0);
		cr_assert_lt(strlen(buf), n);
		cr_assert(is_inert(buf, strlen(buf), 0));
	}
	/* size 0 writes nothing */
	buf[0] = 'Z';
	sanitize_buf(buf, 0, "abc", 0);
	cr_assert_eq(buf[0], 'Z');
}

Test(utf8, decode_reports_length_and_code_point)
{
	unsigned cp;

	cr_assert_eq(utf8_decode("A", 1, &cp), 1);
	cr_assert_eq(cp, 'A');
	cr_assert_eq(utf8_decode("\xc3\xbc", 2, &cp), 2);
	cr_assert_eq(cp, 0xFC);
	cr_assert_eq(utf8_decode("\xe2\x86\x92", 3, &cp), 3);
	cr_assert_eq(cp, 0x2192);
	cr_assert_eq(utf8_decode("\xf0\x9f\x99\x82", 4, &cp), 4);
	cr_assert_eq(cp, 0x1F642);
	cr_assert_eq(utf8_decode("\xf0\x9f\x99\x82", 3, &cp), 0, "truncated by n");
	cr_assert_eq(cp, 0xFFFD);
	cr_assert_eq(utf8_decode("\xc3\xbc", 0, &cp), 0);
	cr_assert_eq(utf8_decode("\xed\xa0\x80", 3, &cp), 0);
}

Test(utf8, valid_accepts_and_refuses)
{
	cr_assert(utf8_valid("", 0));
	cr_assert(utf8_valid("M\xc3\xbcller \xd0\x9f\xd1\x80\xd0\xb8 \xe2\x86\x92", 18));
	cr_assert(utf8_valid("\xf4\x8f\xbf\xbf", 4));
	cr_assert_not(utf8_valid("\x80", 1));
	cr_assert_not(utf8_valid("\xc0\xaf", 2));
	cr_assert_not(utf8_valid("\xed\xa0\x80", 3));
	cr_assert_not(utf8_valid("\xf4\x90\x80\x80", 4));
	cr_assert_not(utf8_valid("ab\xe2\x82", 4));
}

Test(utf8, width_counts_columns)
{
	cr_assert_eq(utf8_width("abc", 3), 3);
	cr_assert_eq(utf8_width("M\xc3\xbcller", 7), 6);
	cr_assert_eq(utf8_width("\xe6\xbc\xa2\xe5\xad\x97", 6), 4, "CJK is 2 columns each");
	cr_assert_eq(utf8_width("\xea\xb0\x80", 3), 2, "Hangul syllable");
	cr_assert_eq(utf8_width("\xef\xbc\xa1", 3), 2, "fullwidth A");
	cr_assert_eq(utf8_width("e\xcc\x81", 3), 1, "combining acute adds nothing");
	cr_assert_eq(utf8_width("\xe2\x80\x8b", 3), 0, "zero width space");
	cr_assert_eq(utf8_width("\xf0\x9f\x99\x82", 4), 2, "emoji");
	cr_assert_eq(utf8_width("\xe2\x86\x92", 3), 1, "arrow");
	cr_assert_eq(utf8_width("", 0), 0);
}

Test(utf8, fit_never_splits_a_character)
{
	/* 漢字 (4 columns, 6 bytes) */
	static const char cjk[] = "\xe6\xbc\xa2\xe5\xad\x97";
	/* "e" + combining acute + "x" */
	static const char comb[] = "e\xcc\x81x";

	cr_assert_eq(utf8_fit(cjk, 6, 0), 0);
	cr_assert_eq(utf8_fit(cjk, 6, 1), 0, "half a wide character does not fit");
	cr_assert_eq(utf8_fit(cjk, 6, 2), 3);
	cr_assert_eq(utf8_fit(cjk, 6, 3), 3);
	cr_assert_eq(utf8_fit(cjk, 6, 4), 6);
	cr_assert_eq(utf8_fit(cjk, 6, 80), 6);
	cr_assert_eq(utf8_fit(comb, 4, 1), 3, "the combining mark stays with its base");
	cr_assert_eq(utf8_fit(comb, 4, 2), 4);
	cr_assert_eq(utf8_fit("abc", 3, 2), 2);

	/* every prefix chosen is valid UTF-8 and within the width */
	static const char mixed[] = "a\xe6\xbc\xa2" "b\xcc\x81\xf0\x9f\x99\x82\xd0\x9f!";
	size_t n = sizeof mixed - 1;
	for (int cols = 0; cols <= 12; cols++) {
		size_t fit = utf8_fit(mixed, n, cols);
		cr_assert(utf8_valid(mixed, fit), "cols %d split a character", cols);
		cr_assert_leq(utf8_width(mixed, fit), cols);
		if (fit < n) {
			/* and it is the longest such prefix: the next character overflows */
			unsigned cp;
			int len = utf8_decode(mixed + fit, n - fit, &cp);
			cr_assert_gt(utf8_width(mixed, fit + (size_t)len), cols);
		}
	}
}
