/* cacao.h: OASIS CACAO 2.0 playbooks to irk plays and back (irk-play(5)
 * CACAO).
 *
 * IMPORT walks the workflow from workflow_start and writes one irk play:
 *   start, end          no step (they only shape the flow)
 *   action              one step per command, chained in order: manual ->
 *                       manual (instructions), bash -> exec (argv; a plain
 *                       command line is split into words, anything with
 *                       shell syntax runs as bash -c with the values as
 *                       positional arguments, never inside the script),
 *                       ssh -> exec ssh (only without variables: a value
 *                       would reach the remote shell), http-api and
 *                       openc2-http -> http (content_b64 decoded); an
 *                       action without commands -> manual
 *   if-condition        a when on each branch's steps (the condition
 *                       translated to an irk expression), or, when it
 *                       does not translate, a manual decision step (yes/no)
 *                       whose answer is the when
 *   parallel            each branch needs the steps before it; the step
 *                       after it needs every branch's last step
 *   on_failure          on_failure goto:STEP of the step it names (which
 *                       then runs only when steps.ID.state == 'failed')
 *   playbook_variables  the inputs of a first manual step, "variables";
 *                       __name__ / __name__:value become
 *                       {{steps.variables.inputs.name}}; a step variable an
 *                       action gives (out_args) becomes that step's
 *                       steps.ID.output.stdout
 *   a join              a step reached from several branches runs when any
 *                       leads to it, and moves after what its when reads
 *   while-condition, switch-condition, playbook-action, other commands,
 *   agents and targets
 *                       kept as "x-cacao" data on a manual step, and
 *                       reported
 *   irk's step extension (step_extensions of type irk-step, as export
 *   writes it)          the step's id and stage, and a manual step's
 *                       instructions, checklist and inputs
 * Stages come from each step's position in the walk, spread in order over
 * the stages hint (default identification, containment, eradication,
 * recovery). Everything that is not mapped is reported with its JSON path;
 * nothing is dropped silently.
 *
 * EXPORT writes a CACAO 2.0 playbook of an irk play: one action step per
 * step in play order (manual -> manual command with its instructions,
 * exec -> bash command line, http -> http-api with its target, any other
 * kind -> a manual command describing it, reported), a step with a when
 * behind an if-condition, ids derived from the play (the same play gives
 * the same ids), irk's step extension on every action. Templates stay as
 * written.
 */
#ifndef IRK_CACAO_H
#define IRK_CACAO_H

#include <stddef.h>

#include "irk/err.h"
#include "irk/strbuf.h"

/* What could not be mapped: where (a JSON path into the input, "$.workflow
 * [\"while-condition--...\"]") and what became of it. */
struct cacao_note {
	char *path;
	char *what;
};

struct cacao_report {
	struct cacao_note *v;
	size_t n;
};

void cacao_report_free(struct cacao_report *r);

/* Import the CACAO 2.0 playbook src[0..n) as an irk play (its JSON,
 * pretty, appended to out). stages: a comma-separated list of stage names
 * to spread the steps over, or NULL. Returns 0 (every construct mapped),
 * 1 (some kept as x-cacao data: the report says which), or -1 with err
 * (IRK_INVALID) naming the problem and, for JSON, the line and column
 * ("3:14: unexpected '}'"; "not a CACAO 2.0 playbook: no workflow").
 * Never crashes on any input. */
int cacao_import(const char *src, size_t n, const char *stages, struct strbuf *out,
		struct cacao_report *rep, struct irk_err *err);

struct play;
/* Export play p as a CACAO 2.0 playbook (JSON, pretty) appended to out;
 * now is the time written as created/modified. Returns 0, or 1 when some
 * step was written as a manual description (the report names it by
 * step). */
int cacao_export(const struct play *p, long long now, struct strbuf *out,
		struct cacao_report *rep, struct irk_err *err);

#endif
