/* fuzz_tickets.c: libFuzzer target for what ticket sources answer (RT's
 * /REST/2.0/tickets, a Jira search page, Cloud's or Data Center's) and for
 * the cache's form of an incident's tickets.
 *
 * The first byte picks the reader. Never crash, never leak; every ticket
 * read has a key; what was read goes through the cache's form and comes
 * back with the same keys, titles and windows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/context/context_impl.h"

static void same(const struct ticket_list *a, const struct ticket_list *b)
{
	if (a->n != b->n)
		abort();
	for (int i = 0; i < a->n; i++) {
		if (!a->v[i].key || strcmp(a->v[i].key, b->v[i].key) ||
		    (a->v[i].title && strcmp(a->v[i].title, b->v[i].title)) ||
		    a->v[i].start != b->v[i].start || a->v[i].end != b->v[i].end)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct context_source src = { .url = "https://tickets.example/" };
	struct ticket_list got = { 0 }, none = { 0 }, back = { 0 }, back2 = { 0 };
	struct jira_page pg = { 0 };
	struct irk_err err = { 0 };
	struct strbuf js = STRBUF_INIT;
	const char *body;
	size_t len;
	char *copy;

	if (size < 1)
		return 0;
	len = size - 1;
	copy = malloc(len + 1);
	memcpy(copy, data + 1, len);
	copy[len] = '\0';
	body = copy;
	switch (data[0] % 4) {
	case 0:
		rt_parse_tickets(&src, body, len, &got, &err);
		break;
	case 1:
		src.start_field = "customfield_10060";
		/* fall through */
	case 2:
		src.api = data[0] % 4 == 2 ? "datacenter" : NULL;
		jira_parse_page(&src, body, len, &got, &pg, &err);
		if (pg.n < 0 || (pg.next && pg.last))
			abort();
		free(pg.next);
		break;
	default:
		tickets_cache_read(body, "fz", 1, &got, &none);
		break;
	}
	for (int i = 0; i < got.n; i++)
		if (!got.v[i].key)
			abort();
	tickets_cache_json(&got, &none, &js);
	if (tickets_cache_read(strbuf_str(&js), "fz", 1, &back, &back2))
		abort();
	same(&got, &back);
	same(&none, &back2);
	strbuf_free(&js);
	ticket_list_clear(&got);
	ticket_list_clear(&none);
	ticket_list_clear(&back);
	ticket_list_clear(&back2);
	free(copy);
	return 0;
}
