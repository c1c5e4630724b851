#include "format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/buf.h"
#include "../common/util.h"

#define TABLE_PAD 3
#define COMMAND_WIDTH 20

void format_duration(int64_t ns, char *buf, size_t len)
{
	int64_t s = ns / 1000000000LL, m = s / 60;
	int64_t h = (ns + 1800000000000LL) / 3600000000000LL; /* rounded, as Docker does */

	if (s < 1)
		snprintf(buf, len, "Less than a second");
	else if (s == 1)
		snprintf(buf, len, "1 second");
	else if (s < 60)
		snprintf(buf, len, "%lld seconds", (long long)s);
	else if (m == 1)
		snprintf(buf, len, "About a minute");
	else if (m < 60)
		snprintf(buf, len, "%lld minutes", (long long)m);
	else if (h == 1)
		snprintf(buf, len, "About an hour");
	else if (h < 48)
		snprintf(buf, len, "%lld hours", (long long)h);
	else if (h < 24 * 7 * 2)
		snprintf(buf, len, "%lld days", (long long)(h / 24));
	else if (h < 24 * 30 * 2)
		snprintf(buf, len, "%lld weeks", (long long)(h / 24 / 7));
	else if (h < 24 * 365 * 2)
		snprintf(buf, len, "%lld months", (long long)(h / 24 / 30));
	else /* Docker counts years in whole hours, not rounded ones */
		snprintf(buf, len, "%lld years", (long long)(ns / 3600000000000LL / 24 / 365));
}

void format_status(const char *state, int exit_code, int64_t started_ns, int64_t finished_ns,
		   int64_t now_ns, char *buf, size_t len)
{
	char d[64];

	if (strcmp(state, "running") == 0) {
		format_duration(now_ns - started_ns, d, sizeof(d));
		snprintf(buf, len, "Up %s", d);
	} else if (strcmp(state, "exited") == 0) {
		format_duration(now_ns - finished_ns, d, sizeof(d));
		snprintf(buf, len, "Exited (%d) %s ago", exit_code, d);
	} else if (strcmp(state, "broken") == 0) {
		snprintf(buf, len, "Broken");
	} else {
		snprintf(buf, len, "Created");
	}
}

void format_created(int64_t created_ns, int64_t now_ns, char *buf, size_t len)
{
	char d[64];

	format_duration(now_ns - created_ns, d, sizeof(d));
	snprintf(buf, len, "%s ago", d);
}

char *format_command(const char *const *argv, bool no_trunc)
{
	struct buf b = { 0 };
	size_t chars = 0, cut = 0;
	bool longer = false;
	char *s;

	for (size_t i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			buf_append(&b, " ", 1);
		buf_append(&b, argv[i], strlen(argv[i]));
	}
	/* Truncate at a character boundary: count UTF-8 lead bytes only. A
	 * command of COMMAND_WIDTH characters fits; a longer one keeps
	 * COMMAND_WIDTH - 1 of them and "…" (Docker's Ellipsis). */
	for (size_t i = 0; i < buf_used(&b); i++) {
		if ((b.data[i] & 0xc0) == 0x80)
			continue;
		if (chars == COMMAND_WIDTH - 1)
			cut = i;
		if (chars++ == COMMAND_WIDTH) {
			longer = true;
			break;
		}
	}
	if (!no_trunc && longer)
		s = xasprintf("\"%.*s…\"", (int)cut, (const char *)buf_head(&b));
	else
		s = xasprintf("\"%.*s\"", (int)buf_used(&b), buf_used(&b) ? (const char *)buf_head(&b) : "");
	buf_free(&b);
	return s;
}

void table_init(struct table *t, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
}

void table_add(struct table *t, const char *const *row)
{
	t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*t->cells));
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = xstrdup(row[c]);
	t->nrows++;
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

char *table_render(const struct table *t)
{
	size_t *width = xcalloc(t->ncols, sizeof(*width));
	struct buf b = { 0 };
	char *s;

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t w = text_width(t->cells[r * t->ncols + c]);

			if (w > width[c])
				width[c] = w;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];

			buf_append(&b, cell, strlen(cell));
			if (c + 1 < t->ncols)
				for (size_t i = text_width(cell); i < width[c] + TABLE_PAD; i++)
					buf_append(&b, " ", 1);
		}
		buf_append(&b, "\n", 1);
	}
	buf_append(&b, "", 1);
	s = xstrdup((const char *)buf_head(&b));
	buf_free(&b);
	free(width);
	return s;
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

void format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 999.5 && u + 1 < ARRAY_SIZE(units)) { /* %.3g would say 1e+03 */
		v /= 1000.0;
		u++;
	}
	snprintf(buf, len, "%.3g%s", v, units[u]);
}
