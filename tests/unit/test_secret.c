/* test_secret.c: secrets out of the environment and their encoded forms
 * (src/core/secret.c, issue 9 defect 5). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "irk/secret.h"

struct forms {
	char v[16][256];
	int n;
};

static void collect(const char *form, void *arg)
{
	struct forms *f = arg;

	cr_assert_lt(f->n, 16);
	cr_assert_lt(strlen(form), sizeof f->v[0]);
	strcpy(f->v[f->n++], form);
}

static void base64(const char *in, size_t n, char *out)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *u = (const unsigned char *)in;
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned x = (unsigned)u[i] << 16 | (i + 1 < n ? (unsigned)u[i + 1] << 8 : 0) |
			     (i + 2 < n ? u[i + 2] : 0);
		out[o++] = abc[x >> 18 & 63];
		out[o++] = abc[x >> 12 & 63];
		out[o++] = i + 1 < n ? abc[x >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? abc[x & 63] : '=';
	}
	out[o] = '\0';
}

static int found_in(const struct forms *f, const char *text)
{
	for (int i = 0; i < f->n; i++)
		if (strstr(text, f->v[i]))
			return 1;
	return 0;
}

/* Whatever comes before and after it, the base64 of a text holding the
 * secret holds one of its forms; so do its hex in either case. */
Test(secret, forms_catch_base64_and_hex)
{
	static const char *const secrets[] = { "hunter2!", "S3cr3t-Token_value/+9", "abcd" };
	static const char *const before[] = { "", "x", "xy", "key=" };
	static const char *const after[] = { "", "\n", "ab", "xyz" };

	for (size_t s = 0; s < 3; s++) {
		struct forms f = { .n = 0 };
		secret_forms(secrets[s], collect, &f);
		for (size_t b = 0; b < 4; b++)
			for (size_t a = 0; a < 4; a++) {
				char text[256], enc[400];
				snprintf(text, sizeof text, "%s%s%s", before[b], secrets[s], after[a]);
				base64(text, strlen(text), enc);
				cr_assert(found_in(&f, enc), "'%s' as %s", text, enc);
			}
		char hex[128] = "", HEX[128] = "";
		for (size_t i = 0; secrets[s][i]; i++) {
			sprintf(hex + 2 * i, "%02x", (unsigned char)secrets[s][i]);
			sprintf(HEX + 2 * i, "%02X", (unsigned char)secrets[s][i]);
		}
		cr_assert(found_in(&f, hex) && found_in(&f, HEX), "%s", hex);
		for (int i = 0; i < f.n; i++)
			cr_assert_geq(strlen(f.v[i]), 4);
	}
}

Test(secret, capture_takes_them_out_of_the_environment)
{
	setenv("IRK_SECRET_TOKEN", "hunter2", 1);
	setenv("IRK_NOT_SECRET", "kept", 1);
	cr_assert_eq(prctl(PR_GET_DUMPABLE), 1);
	cr_assert_eq(secret_capture(0), 1);
	cr_assert_null(getenv("IRK_SECRET_TOKEN"), "gone from the environment children inherit");
	cr_assert_str_eq(getenv("IRK_NOT_SECRET"), "kept");
	cr_assert_str_eq(secret_env("IRK_SECRET_TOKEN"), "hunter2");
	cr_assert_null(secret_env("IRK_SECRET_OTHER"));
	cr_assert_eq(prctl(PR_GET_DUMPABLE), 0, "the process holding it cannot be read");
}
