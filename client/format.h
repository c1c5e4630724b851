/* How the client shows containers: Docker's words for durations and
 * states, its column layout. Pure functions of their inputs and "now". */
#ifndef MD_CLIENT_FORMAT_H
#define MD_CLIENT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Docker's HumanDuration: "Less than a second", "1 second", "5 minutes",
 * "About an hour", "3 days", ... */
void format_duration(int64_t ns, char *buf, size_t len);

/* The STATUS column: "Up 3 minutes", "Exited (137) 2 seconds ago", "Created". */
void format_status(const char *state, int exit_code, int64_t started_ns, int64_t finished_ns,
		   int64_t now_ns, char *buf, size_t len);

/* The CREATED column: "5 minutes ago". */
void format_created(int64_t created_ns, int64_t now_ns, char *buf, size_t len);

/* The COMMAND column: the argv joined by spaces, in double quotes,
 * truncated to 20 characters with "…" unless no_trunc. Returns malloc'd. */
char *format_command(const char *const *argv, bool no_trunc);

/* Docker's image SIZE: 3 significant digits, powers of 1000 ("4.26MB",
 * "12.3kB", "999B"). */
void format_size(uint64_t bytes, char *buf, size_t len);

/* A table printed with each column as wide as its widest cell plus 3. */
struct table {
	size_t ncols, nrows;
	char **cells; /* nrows * ncols, malloc'd strings */
};

void table_init(struct table *t, size_t ncols);
/* Add a row of ncols strings (copied). */
void table_add(struct table *t, const char *const *row);
/* Render into a malloc'd string. */
char *table_render(const struct table *t);
void table_free(struct table *t);

#endif
