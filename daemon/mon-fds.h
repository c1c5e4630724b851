/* The fds a monitor is started with, shared by the daemon that spawns it
 * (mon-link.c) and the monitor (monitor.c, mon-root.c); a spare forked by
 * the spare factory (mon-factory.c) has them as a spawned one does. */
#ifndef MD_MON_FDS_H
#define MD_MON_FDS_H

#define MON_CONTROL_FD 3 /* the daemon's control connection */
#define MON_CLIENT_FD 4  /* an attached run's client, if any */
#define MON_SECCOMP_FD 5 /* the default seccomp filter as BPF, if the daemon built it */
#define MON_VOLUME_FD 6  /* the volumes' sources, in config order, from here up */
#define MON_VOLUMES_MAX 32 /* RUN_VOLUMES_MAX, which the monitor does not include */
/* The first fd above the slots: a spare holds MON_CLIENT_FD up to here
 * (but MON_SECCOMP_FD) with /dev/null until its take fills them. */
#define MON_SLOTS_END (MON_VOLUME_FD + MON_VOLUMES_MAX)

/* A spare monitor (mon-spare.c) is started with the argv of the monitor
 * of the container the daemon will create next, with this in its
 * environment, and fds 3 and 5 only; it waits in the cgroup
 * PARENT/spare-PID (v1) until the daemon sends it "take". */
#define MON_SPARE_ENV "MINIDOCKER_SPARE"
/* Its name (/proc/PID/comm, `ps -o comm`) while it waits: the kernel keeps
 * 15 bytes of "minidocker-spare". Taken, it is "minidocker-moni" again. */
#define MON_SPARE_COMM "minidocker-spar"
#define MON_COMM "minidocker-moni"
#define MON_SPARE_CGROUP_PREFIX "spare-"

/* In every monitor's environment: this daemon answers an exit report
 * that asks for it ("ack": true) with "exit_recorded" once it has
 * recorded the exit (monitor.c, report_exit). A daemon that reconnects
 * after a restart makes no such promise. */
#define MON_EXIT_ACK_ENV "MINIDOCKER_EXIT_ACK"

/* The spare factory (mon-factory.c) is started as a spare is, with this in
 * its environment instead, and the command line of a monitor for the
 * container MON_FACTORY_ID; it forks the spares. Its name: */
#define MON_FACTORY_ENV "MINIDOCKER_FACTORY"
#define MON_FACTORY_ID "00000000000000000000000000000000"
#define MON_FACTORY_COMM "minidocker-fact"

#endif
