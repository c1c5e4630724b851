# shellcheck shell=bash
# procs.sh: finding the processes a private daemon of ours left, shared by
# the end-to-end tests (lib.sh) and the bench (tests/bench/lib.sh). Sourced
# with BIN set to the directory of the binaries under test.

# monitors_under DIR: PIDs of monitors of our build whose command line is
# under DIR (a daemon's --root/--run there), the waiting spare included.
monitors_under() {
	local exe p
	find /proc -mindepth 2 -maxdepth 2 -name exe \( -lname "$BIN/minidocker-monitor" \
		-o -lname "$BIN/minidocker-monitor (deleted)" \) 2>/dev/null |
		while read -r exe; do
			p=${exe%/exe}
			{ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF "$1/" && echo "${p#/proc/}"
		done
}

# container_monitors_under DIR: the same without the daemon's spare
# monitor, started ahead for the next container and named
# minidocker-spar(e) while it waits (daemon/mon-spare.c), and without the
# spare factory, minidocker-fact(ory) (daemon/mon-factory.c).
container_monitors_under() {
	local p
	for p in $(monitors_under "$1"); do
		case $(cat "/proc/$p/comm" 2>/dev/null) in
		minidocker-spar | minidocker-fact) ;;
		*) echo "$p" ;;
		esac
	done
}

# _children PID: its direct children (a monitor's child is its container's
# PID 1).
_children() {
	local p line rest
	for p in /proc/[0-9]*; do
		{ read -r line <"$p/stat"; } 2>/dev/null || continue
		rest=${line##*) }
		# shellcheck disable=SC2086
		set -- "$1" $rest
		[ "$3" = "$1" ] && echo "${p#/proc/}"
	done
}
