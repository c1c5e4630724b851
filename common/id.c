#include "id.h"

#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

void id_generate(char *buf)
{
	static const char hex[] = "0123456789abcdef";
	uuid_t u;

	uuid_generate_random(u);
	for (size_t i = 0; i < sizeof(uuid_t); i++) {
		buf[2 * i] = hex[u[i] >> 4];
		buf[2 * i + 1] = hex[u[i] & 0xf];
	}
	buf[ID_LEN] = '\0';
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool id_prefix_valid(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (n >= ID_LEN || !is_lower_hex(s[n]))
			return false;
	return n > 0;
}

bool id_valid(const char *s)
{
	return id_prefix_valid(s) && strlen(s) == ID_LEN;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool name_valid(const char *s)
{
	size_t n;

	if (!is_alnum(s[0]))
		return false;
	for (n = 1; s[n]; n++)
		if (!is_alnum(s[n]) && s[n] != '_' && s[n] != '.' && s[n] != '-')
			return false;
	return n <= NAME_MAX_LEN;
}

void name_generate(char *buf, size_t len, unsigned seed)
{
	static const char *const adjectives[] = {
		"agile", "bold", "brave", "calm", "clever", "eager", "fair", "gentle",
		"happy", "keen", "lucid", "merry", "nimble", "proud", "quiet", "sharp",
		"steady", "swift", "tidy", "vivid", "wise", "witty", "zesty", "jolly",
	};
	static const char *const nouns[] = {
		"babbage", "curie", "dijkstra", "euler", "fermat", "gauss", "hopper",
		"hypatia", "kepler", "knuth", "lamport", "liskov", "lovelace", "noether",
		"pascal", "ritchie", "shannon", "thompson", "torvalds", "turing", "wirth",
	};
	size_t na = sizeof(adjectives) / sizeof(adjectives[0]);
	size_t nn = sizeof(nouns) / sizeof(nouns[0]);

	snprintf(buf, len, "%s_%s", adjectives[seed % na], nouns[(seed / na) % nn]);
}
