/* teststep: give an incident a required step through the store API, so
 * end-to-end tests can close a stage's gate before plays exist.
 *   teststep DB KEY STEP_ID STAGE      a pending, required manual step
 * Exit 0 on success, 1 with a message on failure. */
#include <stdio.h>
#include <string.h>

#include "irk/model.h"
#include "irk/store.h"

int main(int argc, char **argv)
{
	struct store *s = NULL;
	struct irk_err err = { 0 };
	struct step_row r;

	if (argc != 5) {
		fprintf(stderr, "usage: teststep DB KEY STEP_ID STAGE\n");
		return 2;
	}
	memset(&r, 0, sizeof r);
	r.incident_id = incident_key_parse(argv[2]);
	r.step_id = argv[3];
	r.stage = stage_parse(argv[4]);
	r.seq = 1;
	r.kind = "manual";
	r.title = "A step the gate waits for";
	r.required = 1;
	r.def = "{}";
	if (!r.incident_id || r.stage < 0) {
		fprintf(stderr, "teststep: bad key or stage\n");
		return 2;
	}
	if (store_open(&s, argv[1], 0, &err) || store_begin(s, &err) ||
	    store_step_insert(s, &r, NULL, &err) || store_commit(s, &err)) {
		fprintf(stderr, "teststep: %s\n", err.msg);
		return 1;
	}
	store_close(&s);
	return 0;
}
