#!/usr/bin/python3
"""phases.py PERF_SCRIPT_OUTPUT CLIENT_PATH DAEMON_PID MDTIME_PATH [SKIP]

Cuts each `minidocker run --rm IMAGE /bin/true` recorded by profile.sh
(`perf record -a` of a few tracepoints, printed by `perf script`) into the
phases of the start path and prints, per phase, the median in ms over the
runs (after the first SKIP runs, default 0), as KEY=VALUE lines. A run is
an exec of CLIENT_PATH by a child of MDTIME_PATH (other clients of the same
binary on the machine, e.g. a test suite, are left out).

Events used (all kernel tracepoints, so the programs run unmodified):
sched_process_exec/exit, cgroup_attach_task, and the enter/exit of
connect, clone3, write, fsync, pivot_root, umount2 and the exit of
recvmsg, filtered by comm in profile.sh. A run whose container went to the
daemon's spare monitor has no monitor spawn: its monitor starts with the
recvmsg that brought it the container, and its clone3 is the first of a
monitor after the client's connect.
"""
import re
import statistics
import sys

LINE = re.compile(r"^\s*(.+?)\s+(\d+)\s+\[\d+\]\s+([\d.]+):\s+(\S+):\s*(.*)$")

PHASES = [
    ("client", "client start to connect (exec, dynamic loading, option parsing)"),
    ("request", "daemon: request, container dirs, config.json and state.json"),
    ("request_fsync", "  of which fsync (4 calls)"),
    ("spawn", "daemon: posix_spawn of the monitor until it execs (0: the spare took it)"),
    ("mon_init", "monitor: exec or take until clone3 (config, cgroup, log, overlay)"),
    ("clone", "clone3 with the new namespaces"),
    ("cgroup_join", "monitor: write the child's PID to cgroup.procs (every hierarchy)"),
    ("setup", "child: mounts, /proc, /dev, /sys, masked paths, until pivot_root"),
    ("finish", "child: pivot_root to execve (old root detached, caps, seccomp, fds)"),
    ("umount", "  of which umount2 of the old root"),
    ("true", "/bin/true itself (execve to exit)"),
    ("mon_exit", "monitor: reap, state.json, exit report (then the cgroup's removal)"),
    ("mon_exit_fsync", "  of which fsync (monitor, whole life: running + exited states, log)"),
    ("client_end", "client: exit report, `wait` for the --rm removal, exit"),
    ("total", "total, client exec to client exit"),
]


def parse(path):
    ev = []
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if m:
                ev.append((float(m.group(3)) * 1000.0, m.group(1), int(m.group(2)),
                           m.group(4), m.group(5)))
    ev.sort(key=lambda e: e[0])
    return ev


def field(text, name):
    m = re.search(r"\b%s=(\S+)" % name, text)
    return m.group(1) if m else None


def main():
    path, client_path, dpid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    mdtime = sys.argv[4]
    skip = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    ev = parse(path)
    # The runs: each exec of the client by a child of mdtime.
    timers = {e[2] for e in ev if e[3] == "sched:sched_process_exec" and
              field(e[4], "filename") == mdtime}
    ours = {int(field(e[4], "child_pid")) for e in ev if e[3] == "sched:sched_process_fork"
            and field(e[4], "pid") is not None and int(field(e[4], "pid")) in timers}
    execs = [e for e in ev if e[3] == "sched:sched_process_exec" and
             field(e[4], "filename") == client_path and e[2] in ours]
    per = {k: [] for k, _ in PHASES}
    for ce in execs[skip:]:
        c = ce[2]
        t = {"exec": ce[0]}
        after = [e for e in ev if e[0] >= ce[0]]
        try:
            t["conn"] = next(e[0] for e in after if e[2] == c and e[3].endswith("sys_enter_connect"))
            t["cexit"] = next(e[0] for e in after if e[2] == c and e[3] == "sched:sched_process_exit")
            win = [e for e in after if e[0] <= t["cexit"]]
            # The container's clone3: the first of a monitor after the
            # connect. Its monitor was spawned for it (an exec after the
            # connect) or was the spare (its take is the last recvmsg).
            mcl = next(e for e in win if e[1].startswith("minidocker-moni")
                       and e[3].endswith("sys_enter_clone3") and e[0] > t["conn"])
            mon = mcl[2]
            mex = next((e for e in win if e[2] == mon and e[3] == "sched:sched_process_exec"
                        and t["conn"] < e[0] < mcl[0]), None)
            if mex is not None:
                t["mexec"] = mex[0]
                t["dclone"] = max(e[0] for e in win if e[2] == dpid and
                                  e[3].endswith("sys_enter_clone3") and e[0] < mex[0])
            else:
                take = [e for e in win if e[2] == mon and e[3].endswith("sys_exit_recvmsg")
                        and e[0] < mcl[0]]
                t["dclone"] = t["mexec"] = take[-1][0] if take else mcl[0]
            mclx = next(e for e in win if e[2] == mon and e[3].endswith("sys_exit_clone3") and e[0] > mcl[0])
            kid = int(mclx[4].split()[-1], 16) if mclx[4].split()[-1].startswith("0x") else int(mclx[4].split()[-1])
            t["mclone"], t["mclonex"] = mcl[0], mclx[0]
            att = [e for e in win if e[3] == "cgroup:cgroup_attach_task" and field(e[4], "pid") == str(kid)]
            t["attached"] = att[-1][0] if att else mclx[0]
            t["pivot"] = next(e[0] for e in win if e[2] == kid and e[3].endswith("sys_enter_pivot_root"))
            t["kexec"] = next(e[0] for e in win if e[2] == kid and e[3] == "sched:sched_process_exec")
            um = next((e[0] for e in win if e[2] == kid and e[3].endswith("sys_enter_umount")), None)
            umx = next((e[0] for e in win if e[2] == kid and e[3].endswith("sys_exit_umount")), None)
            t["umount"] = (umx - um) if um is not None and umx is not None else 0.0
            t["kexit"] = next(e[0] for e in win if e[2] == kid and e[3] == "sched:sched_process_exit")
            # The monitor reports the exit before it removes the cgroup:
            # its own exit may come after the client's.
            t["mexit"] = min(t["cexit"], next(e[0] for e in after if e[2] == mon and
                                               e[3] == "sched:sched_process_exit"))
        except StopIteration:
            continue

        def fsyncs(pid, lo, hi):
            s, start = 0.0, None
            for e in ev:
                if e[0] < lo:
                    continue
                if e[0] > hi:
                    break
                if e[2] != pid:
                    continue
                if e[3].endswith("sys_enter_fsync"):
                    start = e[0]
                elif e[3].endswith("sys_exit_fsync") and start is not None:
                    s += e[0] - start
                    start = None
            return s

        per["client"].append(t["conn"] - t["exec"])
        per["request"].append(t["dclone"] - t["conn"])
        per["request_fsync"].append(fsyncs(dpid, t["conn"], t["dclone"]))
        per["spawn"].append(t["mexec"] - t["dclone"])
        per["mon_init"].append(t["mclone"] - t["mexec"])
        per["clone"].append(t["mclonex"] - t["mclone"])
        per["cgroup_join"].append(t["attached"] - t["mclonex"])
        per["setup"].append(t["pivot"] - t["attached"])
        per["finish"].append(t["kexec"] - t["pivot"])
        per["umount"].append(t["umount"])
        per["true"].append(t["kexit"] - t["kexec"])
        per["mon_exit"].append(t["mexit"] - t["kexit"])
        per["mon_exit_fsync"].append(fsyncs(mon, t["mexec"], t["mexit"]))
        per["client_end"].append(t["cexit"] - t["mexit"])
        per["total"].append(t["cexit"] - t["exec"])
    n = len(per["total"])
    print("runs=%d" % n)
    for k, _ in PHASES:
        v = per[k]
        print("%s=%.2f" % (k, statistics.median(v) if v else float("nan")))


if __name__ == "__main__":
    main()
