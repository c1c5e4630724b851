/* Options of images, import, load and rmi (pure; see opts.h). */
#include <getopt.h>
#include <string.h>

#include "../common/util.h"
#include "opts.h"

/* What each command takes besides its options: [min, max] operands. */
static const struct {
	const char *cmd;
	const char *shorts;
	size_t min, max;
} image_cmds[] = {
	{ "images", "+:q", 0, 0 },
	{ "import", "+:", 2, 2 },
	{ "load", "+:i:q", 0, 0 },
	{ "rmi", "+:", 1, OPTS_IMAGE_ARGS_MAX },
};

int opts_parse_image(int argc, char **argv, struct image_opts *o, struct md_err *err)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'H' },    { "quiet", no_argument, NULL, 'q' },
		{ "no-trunc", no_argument, NULL, 'T' }, { "input", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	size_t k;
	int c;

	memset(o, 0, sizeof(*o));
	for (k = 0; k < ARRAY_SIZE(image_cmds); k++)
		if (strcmp(argv[0], image_cmds[k].cmd) == 0)
			break;
	if (k == ARRAY_SIZE(image_cmds))
		return md_err_set(err, 0, "unknown command: %.64s", argv[0]);
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, image_cmds[k].shorts, longs, NULL)) != -1) {
		switch (c) {
		case 'H':
			return OPTS_HELP;
		case 'q':
			if (strcmp(argv[0], "import") == 0 || strcmp(argv[0], "rmi") == 0)
				return md_err_set(err, 0, "unknown flag: --quiet");
			o->quiet = true;
			break;
		case 'T':
			if (strcmp(argv[0], "images") != 0)
				return md_err_set(err, 0, "unknown flag: --no-trunc");
			o->no_trunc = true;
			break;
		case 'i':
			if (strcmp(argv[0], "load") != 0)
				return md_err_set(err, 0, "unknown flag: --input");
			o->input = optarg;
			break;
		case ':':
			return md_err_set(err, 0, "flag needs an argument: %.64s", argv[optind - 1]);
		default:
			if (optopt > 0 && optopt < 128)
				return md_err_set(err, 0, "unknown shorthand flag: '%c'", optopt);
			return md_err_set(err, 0, "unknown flag: %.64s", argv[optind - 1]);
		}
	}
	o->args = argv + optind;
	o->nargs = (size_t)(argc - optind);
	if (o->nargs < image_cmds[k].min || o->nargs > image_cmds[k].max) {
		if (image_cmds[k].max == 0)
			return md_err_set(err, 0, "\"%s\" accepts no arguments", argv[0]);
		if (o->nargs > image_cmds[k].max && image_cmds[k].min != image_cmds[k].max)
			return md_err_set(err, 0, "\"%s\" accepts at most %zu arguments", argv[0],
					  image_cmds[k].max);
		if (image_cmds[k].min == image_cmds[k].max)
			return md_err_set(err, 0, "\"%s\" requires exactly %zu arguments", argv[0],
					  image_cmds[k].min);
		return md_err_set(err, 0, "\"%s\" requires at least %zu argument", argv[0],
				  image_cmds[k].min);
	}
	return 0;
}
