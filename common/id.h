/* Container IDs and names: generation and validation. */
#ifndef MD_ID_H
#define MD_ID_H

#include <stdbool.h>
#include <stddef.h>

#define ID_LEN 32       /* lowercase hex digits of a random UUID, no dashes */
#define ID_SHORT_LEN 12 /* what tables show */
#define NAME_MAX_LEN 128

/* Fill buf (at least ID_LEN + 1 bytes) with a new random ID. */
void id_generate(char *buf);

/* True for exactly ID_LEN lowercase hex digits. */
bool id_valid(const char *s);

/* True for a non-empty prefix of lowercase hex digits, at most ID_LEN long. */
bool id_prefix_valid(const char *s);

/* True when s matches [a-zA-Z0-9][a-zA-Z0-9_.-]* and is at most NAME_MAX_LEN. */
bool name_valid(const char *s);

/* A Docker-style generated name ("brave_turing"); seed picks the words. */
void name_generate(char *buf, size_t len, unsigned seed);

#endif
