/*
 * goro inspect — the launcher's compatibility check for a program file,
 * without running it (tools/inspect.c), and the table that says what each
 * threading or blocking import means when libgoro.so does not interpose it
 * (tools/inspect_rules.c). Whether goro interposes a symbol is never in the
 * table: it is read from libgoro.so's own .dynsym, so the answer is what the
 * library really exports.
 */
#ifndef GORO_TOOLS_INSPECT_H
#define GORO_TOOLS_INSPECT_H

/* How much an import matters when libgoro.so does not export it. */
enum severity {
	SEV_FINE,    /* glibc's own code is right for goro threads */
	SEV_NOTE,    /* worth knowing, not counted */
	SEV_WARNING, /* counted in "compatible with warnings (N)" */
};

/* A family of imports that goro treats alike, with what to tell the user. */
struct symbol_group {
	const char *tag;      /* short, shown next to each symbol */
	const char *message;  /* the warning or note, or why nothing is needed */
};

/* What an import of NAME means without interposition, or NULL when it does
 * not matter to goro (memcpy, getenv, ...). *sev is set when non-NULL. */
const struct symbol_group *symbol_rule(const char *name, enum severity *sev);

/* goro inspect [--] FILE; library_path is libgoro.so's expected location
 * (NULL if unknown). Exit status: 0 compatible, 1 compatible with warnings,
 * 2 not compatible or bad input. */
int inspect_main(int argc, char **argv, const char *library_path);

#endif
