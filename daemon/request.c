#include "request.h"

#include <string.h>

#include "../common/util.h"

static const struct {
	const char *type;
	req_fn fn;
} requests[] = {
	{ "version", req_version },
	{ "run", req_run },
	{ "ps", req_ps },
	{ "stop", req_stop },
	{ "kill", req_kill },
	{ "rm", req_rm },
	{ "wait", req_wait },
	{ "exec", req_exec },
	{ "attach", req_attach },
	{ "inspect", req_inspect },
	{ "logs", req_logs },
	{ "info", req_info },
	{ "import", req_import },
	{ "load", req_load },
	{ "images", req_images },
	{ "rmi", req_rmi },
};

req_fn request_lookup(const char *type)
{
	for (size_t i = 0; i < ARRAY_SIZE(requests); i++)
		if (strcmp(requests[i].type, type) == 0)
			return requests[i].fn;
	return NULL;
}
