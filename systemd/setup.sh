#!/bin/sh
# Called by `make setup` after `make install`: create the group, let the
# invoking user in, and start the daemon: through systemd when systemd is
# PID 1, else by hand (containers, CI, VMs without systemd).
set -eu

SBINDIR=${SBINDIR:-/usr/local/sbin}
BINDIR=${BINDIR:-/usr/local/bin}
SOCKET=/run/minidocker/minidocker.sock

getent group minidocker >/dev/null || groupadd --system minidocker
if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
	usermod -aG minidocker "$SUDO_USER"
	echo "setup: added $SUDO_USER to group minidocker (log in again, or run 'newgrp minidocker')"
fi

if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
	systemctl daemon-reload
	systemctl enable --now minidockerd.socket
	systemctl restart minidockerd.service
	echo "setup: minidockerd runs under systemd (systemctl status minidockerd)"
elif "$BINDIR/minidocker" --socket "$SOCKET" version >/dev/null 2>&1; then
	echo "setup: minidockerd is already running"
else
	# No systemd: start it by hand; it forks once it listens.
	"$SBINDIR/minidockerd" 2>>/var/log/minidockerd.log
	echo "setup: minidockerd started (log: /var/log/minidockerd.log)"
fi
