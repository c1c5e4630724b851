/* The fds a monitor is started with, shared by the daemon that spawns it
 * (mon-link.c) and the monitor (monitor.c, mon-root.c). */
#ifndef MD_MON_FDS_H
#define MD_MON_FDS_H

#define MON_CONTROL_FD 3 /* the daemon's control connection */
#define MON_CLIENT_FD 4  /* an attached run's client, if any */
#define MON_SECCOMP_FD 5 /* the default seccomp filter as BPF, if the daemon built it */
#define MON_VOLUME_FD 6  /* the volumes' sources, in config order, from here up */

#endif
