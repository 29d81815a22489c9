/* test_strbuf.c: the growable string buffer (src/core/strbuf.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "irk/strbuf.h"

Test(strbuf, grown_but_empty_buffer_is_an_empty_string)
{
	struct strbuf sb = STRBUF_INIT;
	char *p;

	/* room reserved, nothing added: still "" (was uninitialised memory) */
	strbuf_grow(&sb, 100);
	cr_assert_str_eq(strbuf_str(&sb), "");
	p = strbuf_detach(&sb);
	cr_assert_str_eq(p, "");
	free(p);
	cr_assert_null(sb.buf);
}

Test(strbuf, add_printf_reset)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_str_eq(strbuf_str(&sb), "");
	strbuf_puts(&sb, "ab");
	strbuf_addc(&sb, 'c');
	strbuf_add(&sb, "d\0e", 3);
	cr_assert_eq(sb.len, 6);
	cr_assert(!memcmp(sb.buf, "abcd\0e", 7));
	strbuf_reset(&sb);
	cr_assert_str_eq(strbuf_str(&sb), "");
	/* longer than the first guess of 64 bytes */
	strbuf_printf(&sb, "%s-%0100d", "n", 7);
	cr_assert_eq(sb.len, 102);
	cr_assert_eq(sb.buf[101], '7');
	cr_assert_eq(sb.buf[102], '\0');
	strbuf_free(&sb);
	cr_assert_null(sb.buf);
}

Test(strbuf, strlcpy_always_terminates)
{
	char buf[4];

	cr_assert_str_eq(irk_strlcpy(buf, "abcdef", sizeof buf), "abc");
	cr_assert_str_eq(irk_strlcpy(buf, "", sizeof buf), "");
}
