#include "caps.h"

#include <linux/capability.h>
#include <stdbool.h>
#include <stddef.h>
#include <strings.h>

static const char *const cap_names[] = {
	[CAP_CHOWN] = "CHOWN", [CAP_DAC_OVERRIDE] = "DAC_OVERRIDE",
	[CAP_DAC_READ_SEARCH] = "DAC_READ_SEARCH", [CAP_FOWNER] = "FOWNER",
	[CAP_FSETID] = "FSETID", [CAP_KILL] = "KILL", [CAP_SETGID] = "SETGID",
	[CAP_SETUID] = "SETUID", [CAP_SETPCAP] = "SETPCAP",
	[CAP_LINUX_IMMUTABLE] = "LINUX_IMMUTABLE", [CAP_NET_BIND_SERVICE] = "NET_BIND_SERVICE",
	[CAP_NET_BROADCAST] = "NET_BROADCAST", [CAP_NET_ADMIN] = "NET_ADMIN",
	[CAP_NET_RAW] = "NET_RAW", [CAP_IPC_LOCK] = "IPC_LOCK", [CAP_IPC_OWNER] = "IPC_OWNER",
	[CAP_SYS_MODULE] = "SYS_MODULE", [CAP_SYS_RAWIO] = "SYS_RAWIO",
	[CAP_SYS_CHROOT] = "SYS_CHROOT", [CAP_SYS_PTRACE] = "SYS_PTRACE",
	[CAP_SYS_PACCT] = "SYS_PACCT", [CAP_SYS_ADMIN] = "SYS_ADMIN", [CAP_SYS_BOOT] = "SYS_BOOT",
	[CAP_SYS_NICE] = "SYS_NICE", [CAP_SYS_RESOURCE] = "SYS_RESOURCE",
	[CAP_SYS_TIME] = "SYS_TIME", [CAP_SYS_TTY_CONFIG] = "SYS_TTY_CONFIG",
	[CAP_MKNOD] = "MKNOD", [CAP_LEASE] = "LEASE", [CAP_AUDIT_WRITE] = "AUDIT_WRITE",
	[CAP_AUDIT_CONTROL] = "AUDIT_CONTROL", [CAP_SETFCAP] = "SETFCAP",
	[CAP_MAC_OVERRIDE] = "MAC_OVERRIDE", [CAP_MAC_ADMIN] = "MAC_ADMIN",
	[CAP_SYSLOG] = "SYSLOG", [CAP_WAKE_ALARM] = "WAKE_ALARM",
	[CAP_BLOCK_SUSPEND] = "BLOCK_SUSPEND", [CAP_AUDIT_READ] = "AUDIT_READ",
	[CAP_PERFMON] = "PERFMON", [CAP_BPF] = "BPF", [CAP_CHECKPOINT_RESTORE] = "CHECKPOINT_RESTORE",
};

#define NCAPS ((int)(sizeof(cap_names) / sizeof(cap_names[0])))

uint64_t caps_default_mask(void)
{
	static const int kept[] = {
		CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_NET_BIND_SERVICE,
		CAP_SETFCAP, CAP_SETGID, CAP_SETPCAP, CAP_SETUID, CAP_SYS_CHROOT,
	};
	uint64_t mask = 0;

	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		mask |= 1ULL << kept[i];
	return mask;
}

int caps_from_name(const char *name)
{
	if (strncasecmp(name, "CAP_", 4) == 0)
		name += 4;
	for (int i = 0; i < NCAPS; i++)
		if (cap_names[i] != NULL && strcasecmp(name, cap_names[i]) == 0)
			return i;
	return -1;
}

const char *caps_name(int cap)
{
	return cap >= 0 && cap < NCAPS ? cap_names[cap] : NULL;
}

static bool has_all(const char *const *names)
{
	for (; names != NULL && *names != NULL; names++)
		if (strcasecmp(*names, "ALL") == 0)
			return true;
	return false;
}

/* Set (or clear) the named capabilities in *mask; "ALL" is skipped here. */
static int caps_update(uint64_t *mask, const char *const *names, bool set, const char **bad)
{
	for (; names != NULL && *names != NULL; names++) {
		int cap;

		if (strcasecmp(*names, "ALL") == 0)
			continue;
		cap = caps_from_name(*names);
		if (cap < 0) {
			*bad = *names;
			return -1;
		}
		*mask = set ? (*mask | (1ULL << cap)) : (*mask & ~(1ULL << cap));
	}
	return 0;
}

/* Docker's order: ALL in --cap-drop empties the set and ALL in --cap-add
 * fills it; then single drops, then single adds, so "--cap-drop ALL
 * --cap-add NET_ADMIN" keeps exactly NET_ADMIN. */
int caps_apply(uint64_t mask, const char *const *add, const char *const *drop, uint64_t *out,
	       const char **bad)
{
	if (has_all(drop))
		mask = 0;
	if (has_all(add))
		mask = (1ULL << NCAPS) - 1;
	if (caps_update(&mask, drop, false, bad) < 0 || caps_update(&mask, add, true, bad) < 0)
		return -1;
	*out = mask;
	return 0;
}
