/* fuzz_query.c: libFuzzer target for the query language (irk/query.h).
 *
 * Beyond "never crash, never leak": every rejected query has a position
 * and a message "query:LINE:COL: ..."; every accepted one yields the SQL
 * statement the store writes for it (its plan fits its source). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "irk/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *src = malloc(size + 1);
	struct query_error err;
	struct query *q;

	memcpy(src, data, size);
	src[size] = '\0';
	q = query_parse(src, 1800000000, &err);
	if (!q) {
		if (err.line < 1 || err.col < 1 || err.offset < 0 || strncmp(err.msg, "query:", 6))
			abort();
	} else {
		char *sql = query_sql(q);

		if (!sql)
			abort();
		free(sql);
		query_free(&q);
	}
	free(src);
	return 0;
}
