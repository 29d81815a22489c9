/* sanitize.c: make outside text safe for a terminal, and measure it.
 *
 * The contract is in sanitize.h. Width rules are our own small tables
 * (not the C library's wcwidth, which depends on the locale), so layout code
 * gives the same answer in tests as on a UTF-8 terminal. */
#include <stdio.h>
#include <string.h>

#include "irk/sanitize.h"

int utf8_encode(unsigned cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

int utf8_decode(const char *s, size_t n, unsigned *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned c, min;
	int len;

	*cp = 0xFFFD;
	if (!n)
		return 0;
	c = u[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2; c &= 0x1F; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3; c &= 0x0F; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4; c &= 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if ((size_t)len > n)
		return 0;
	for (int i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

int utf8_valid(const char *s, size_t n)
{
	size_t i = 0;
	unsigned cp;

	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		int len = utf8_decode(s + i, n - i, &cp);
		if (!len)
			return 0;
		i += (size_t)len;
	}
	return 1;
}

static int is_bidi(unsigned cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

void sanitize_append(struct strbuf *out, const char *s, size_t n, int flags)
{
	size_t i = 0, run = 0;
	char esc[16];

	if (!s)
		return;
	strbuf_grow(out, n);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		/* Fast path: printable ASCII is copied in runs. */
		if (c >= 0x20 && c < 0x7F) {
			i++;
			run++;
			continue;
		}
		if (run) {
			strbuf_add(out, s + i - run, run);
			run = 0;
		}
		if (c < 0x80) {
			if ((c == '\n' && (flags & SAN_KEEP_NL)) ||
			    (c == '\t' && (flags & SAN_KEEP_TAB))) {
				strbuf_addc(out, (char)c);
			} else {
				snprintf(esc, sizeof esc, "\\x%02x", c);
				strbuf_puts(out, esc);
			}
			i++;
			continue;
		}
		unsigned cp;
		int len = utf8_decode(s + i, n - i, &cp);
		if (!len) {
			strbuf_puts(out, "\xEF\xBF\xBD");   /* U+FFFD */
			i++;
		} else if (cp >= 0x80 && cp <= 0x9F) {
			snprintf(esc, sizeof esc, "\\u%04x", cp);
			strbuf_puts(out, esc);
			i += (size_t)len;
		} else if (is_bidi(cp)) {
			snprintf(esc, sizeof esc, "<U+%04X>", cp);
			strbuf_puts(out, esc);
			i += (size_t)len;
		} else {
			strbuf_add(out, s + i, (size_t)len);
			i += (size_t)len;
		}
	}
	if (run)
		strbuf_add(out, s + i - run, run);
}

char *sanitize_dup(const char *s, int flags)
{
	struct strbuf sb = STRBUF_INIT;

	if (s)
		sanitize_append(&sb, s, strlen(s), flags);
	return strbuf_detach(&sb);
}

char *sanitize_buf(char *buf, size_t bufsize, const char *s, int flags)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = 0;

	if (!bufsize)
		return buf;
	if (s)
		sanitize_append(&sb, s, strlen(s), flags);
	len = sb.len;
	if (len >= bufsize) {
		len = bufsize - 1;
		/* Step back over continuation bytes so no character is split. */
		while (len > 0 && ((unsigned char)sb.buf[len] & 0xC0) == 0x80)
			len--;
	}
	if (len)
		memcpy(buf, sb.buf, len);
	buf[len] = '\0';
	strbuf_free(&sb);
	return buf;
}

struct range {
	unsigned lo, hi;
};

/* Zero-width: combining marks and format characters (a practical subset of
 * Unicode's Mn/Me/Cf classes that covers Latin, Greek, Cyrillic, Hebrew,
 * Arabic, Indic and CJK text). */
static const struct range zero_width[] = {
	{ 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD }, { 0x05BF, 0x05BF },
	{ 0x05C1, 0x05C2 }, { 0x05C4, 0x05C5 }, { 0x05C7, 0x05C7 }, { 0x0610, 0x061A },
	{ 0x064B, 0x065F }, { 0x0670, 0x0670 }, { 0x06D6, 0x06DC }, { 0x06DF, 0x06E4 },
	{ 0x06E7, 0x06E8 }, { 0x06EA, 0x06ED }, { 0x0900, 0x0902 }, { 0x093A, 0x093A },
	{ 0x093C, 0x093C }, { 0x0941, 0x0948 }, { 0x094D, 0x094D }, { 0x0951, 0x0957 },
	{ 0x0E31, 0x0E31 }, { 0x0E34, 0x0E3A }, { 0x0E47, 0x0E4E }, { 0x1AB0, 0x1AFF },
	{ 0x1DC0, 0x1DFF }, { 0x200B, 0x200F }, { 0x202A, 0x202E }, { 0x2060, 0x2064 },
	{ 0x2066, 0x206F }, { 0x20D0, 0x20FF }, { 0x302A, 0x302D }, { 0x3099, 0x309A },
	{ 0xFE00, 0xFE0F }, { 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF }, { 0xE0100, 0xE01EF },
};

/* Double width: East Asian Wide and Fullwidth, and emoji presentation. */
static const struct range wide[] = {
	{ 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A }, { 0x23E9, 0x23EC },
	{ 0x23F0, 0x23F0 }, { 0x23F3, 0x23F3 }, { 0x25FD, 0x25FE }, { 0x2614, 0x2615 },
	{ 0x2648, 0x2653 }, { 0x267F, 0x267F }, { 0x2693, 0x2693 }, { 0x26A1, 0x26A1 },
	{ 0x26AA, 0x26AB }, { 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 }, { 0x26CE, 0x26CE },
	{ 0x26D4, 0x26D4 }, { 0x26EA, 0x26EA }, { 0x26F2, 0x26F3 }, { 0x26F5, 0x26F5 },
	{ 0x26FA, 0x26FA }, { 0x26FD, 0x26FD }, { 0x2705, 0x2705 }, { 0x270A, 0x270B },
	{ 0x2728, 0x2728 }, { 0x274C, 0x274C }, { 0x274E, 0x274E }, { 0x2753, 0x2755 },
	{ 0x2757, 0x2757 }, { 0x2795, 0x2797 }, { 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF },
	{ 0x2B1B, 0x2B1C }, { 0x2B50, 0x2B50 }, { 0x2B55, 0x2B55 }, { 0x2E80, 0x303E },
	{ 0x3041, 0x33FF }, { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF }, { 0xA000, 0xA4CF },
	{ 0xA960, 0xA97F }, { 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF }, { 0xFE10, 0xFE19 },
	{ 0xFE30, 0xFE6F }, { 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x16FE0, 0x16FE4 },
	{ 0x17000, 0x18AFF }, { 0x1B000, 0x1B2FF }, { 0x1F004, 0x1F004 }, { 0x1F0CF, 0x1F0CF },
	{ 0x1F18E, 0x1F18E }, { 0x1F191, 0x1F19A }, { 0x1F200, 0x1F251 }, { 0x1F300, 0x1F64F },
	{ 0x1F680, 0x1F6FF }, { 0x1F7E0, 0x1F7EB }, { 0x1F90C, 0x1F9FF }, { 0x1FA70, 0x1FAFF },
	{ 0x20000, 0x2FFFD }, { 0x30000, 0x3FFFD },
};

static int in_table(unsigned cp, const struct range *t, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cp < t[mid].lo)
			hi = mid;
		else if (cp > t[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

static int cp_width(unsigned cp)
{
	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		return 0;
	if (cp < 0x300)
		return 1;
	if (in_table(cp, zero_width, sizeof zero_width / sizeof zero_width[0]))
		return 0;
	if (in_table(cp, wide, sizeof wide / sizeof wide[0]))
		return 2;
	return 1;
}

int utf8_width(const char *s, size_t n)
{
	int w = 0;
	size_t i = 0;
	unsigned cp;

	while (i < n) {
		int len = utf8_decode(s + i, n - i, &cp);
		if (!len) {
			len = 1;
			cp = 0xFFFD;
		}
		w += cp_width(cp);
		i += (size_t)len;
	}
	return w;
}

size_t utf8_fit(const char *s, size_t n, int cols)
{
	int w = 0;
	size_t i = 0;
	unsigned cp;

	while (i < n) {
		int len = utf8_decode(s + i, n - i, &cp);
		if (!len) {
			len = 1;
			cp = 0xFFFD;
		}
		int cw = cp_width(cp);
		if (w + cw > cols)
			break;
		w += cw;
		i += (size_t)len;
	}
	return i;
}
