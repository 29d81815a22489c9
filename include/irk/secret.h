/* secret.h: the secrets of the environment, held where step programs
 * cannot read them, and the forms a secret takes in a step's output.
 *
 * IRK_SECRET_NAME=value in irk's environment is read once at start-up
 * (secret_capture), then removed: from environ (so no child inherits it)
 * and from the process's original environment block (what
 * /proc/PID/environ shows to anyone who may read it). The process is then
 * made non-dumpable, so another process of the same user (a step's
 * program) can neither read its memory nor its /proc files. */
#ifndef IRK_SECRET_H
#define IRK_SECRET_H

#include <stddef.h>

/* Move every IRK_SECRET_* of the environment into irk's own memory and
 * wipe it from the environment; when hold is set or any was found, the
 * process becomes non-dumpable (prctl PR_SET_DUMPABLE 0). Call once, at
 * start-up, before any thread. Returns how many were taken. */
size_t secret_capture(int hold);

/* The value of environment variable var (an IRK_SECRET_ name): the one
 * taken by secret_capture(), else still in the environment (a process
 * that never called it, as tests). NULL when unset. Borrowed for the
 * life of the process. */
const char *secret_env(const char *var);

/* The forms a secret can take in what a program prints, beside itself:
 * hex (lower and upper case) and base64 (standard and URL alphabet) at
 * each of the three alignments a larger encoded text may put it in (only
 * the characters that depend on the secret alone). fn gets each form
 * (borrowed for the call) four characters or longer. */
void secret_forms(const char *v, void (*fn)(const char *form, void *arg), void *arg);

#endif
