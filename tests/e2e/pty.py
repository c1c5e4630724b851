#!/usr/bin/python3
"""pty.py: a tiny expect-like driver for the e2e tests (stdlib only).

Usage: pty.py [--size ROWSxCOLS] [--timeout SECS] [--transcript FILE]
              [--script FILE] -- COMMAND [ARG...]

Spawns COMMAND in a new session on a new pty (its stdin, stdout and stderr,
and its controlling terminal), then runs the steps of a script read from
--script FILE or from stdin, one step a line ('#' lines and blank lines are
ignored):

  timeout SECS         default time limit of the steps that wait (10 s)
  send TEXT            write TEXT (escapes: \\n \\r \\t \\\\ \\xHH \\e)
  sendline TEXT        write TEXT then \\r, as Enter does
  expect REGEX         wait until REGEX (Python re, MULTILINE) matches the
                       output after the previous match; the next expect
                       starts after this match
  noexpect REGEX       fail if REGEX matches anywhere in the output so far
  sleep SECS           keep reading output for SECS seconds
  resize ROWS COLS     TIOCSWINSZ on the pty, then SIGWINCH to the child
  wait                 wait until the child exits; print `status N` on stdout
                       (N negative: killed by signal -N)
  status N             wait until the child exits; fail unless with status N
  stty_restored        wait until the child exits; fail unless `stty -g` on
                       the terminal now prints what it printed before spawn

Exit status: 0 when every step passed; 1 when one failed (the step, the
reason and the whole transcript go to stderr); 2 on a usage error. A child
still running after the last step is killed (SIGHUP, then SIGKILL).
"""

import argparse
import errno
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time


class StepFailed(Exception):
    pass


def unescape(text):
    """Turn the escapes of a `send` step into bytes."""
    out = bytearray()
    i = 0
    simple = {"n": b"\n", "r": b"\r", "t": b"\t", "\\": b"\\", "e": b"\x1b",
              "0": b"\x00", "s": b" "}
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            n = text[i + 1]
            if n in simple:
                out += simple[n]
                i += 2
                continue
            if n == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", text[i + 2:i + 4]):
                out.append(int(text[i + 2:i + 4], 16))
                i += 4
                continue
        out += c.encode()
        i += 1
    return bytes(out)


def printable(data):
    """The transcript with control bytes made visible, line breaks kept."""
    s = []
    for b in data:
        if b == 0x0A:
            s.append("\n")
        elif b == 0x0D:
            s.append("\\r")
        elif b == 0x09 or 0x20 <= b < 0x7F:
            s.append(chr(b))
        else:
            s.append("\\x%02x" % b)
    return "".join(s)


class Session:
    def __init__(self, argv, size, transcript):
        self.master, self.slave = os.openpty()
        if size:
            self.set_size(*size)
        self.stty_before = self.stty_g()
        self.out = bytearray()
        self.cursor = 0
        self.status = None
        self.transcript = transcript
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.setsid()
                fcntl.ioctl(self.slave, termios.TIOCSCTTY, 0)
                for fd in (0, 1, 2):
                    os.dup2(self.slave, fd)
                os.closerange(3, 65536)
                signal.signal(signal.SIGPIPE, signal.SIG_DFL)
                os.execvp(argv[0], argv)
            except OSError as e:
                os.write(2, ("pty.py: exec %s: %s\n" % (argv[0], e.strerror)).encode())
            os._exit(127)
        # The parent keeps the slave open: output the child left behind stays
        # readable after it exits, and stty -g can look at the terminal later.

    def set_size(self, rows, cols):
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def stty_g(self):
        r = subprocess.run(["stty", "-g"], stdin=self.slave, capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else "stty failed: " + r.stderr.strip()

    def reap(self, block=False):
        if self.status is None:
            pid, st = os.waitpid(self.pid, 0 if block else os.WNOHANG)
            if pid == self.pid:
                self.status = os.waitstatus_to_exitcode(st)
        return self.status

    def pump(self, wait):
        """Read what output there is, waiting at most `wait` seconds for some."""
        r, _, _ = select.select([self.master], [], [], max(wait, 0))
        if not r:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError as e:
            if e.errno == errno.EIO:
                return False
            raise
        self.out += data
        if self.transcript:
            self.transcript.write(data)
            self.transcript.flush()
        return bool(data)

    def drain(self):
        while self.pump(0.05):
            pass

    def write(self, data):
        end = time.monotonic() + 10
        while data:
            _, w, _ = select.select([self.master], [self.master], [], 0.1)
            if w:
                n = os.write(self.master, data)
                data = data[n:]
            elif time.monotonic() > end:
                raise StepFailed("the terminal takes no more input")
            # Keep reading so a child blocked on output cannot deadlock us.
            self.pump(0)

    def text(self, start=0):
        return self.out[start:].decode("utf-8", "replace")

    def expect(self, regex, timeout):
        rx = re.compile(regex, re.MULTILINE)
        end = time.monotonic() + timeout
        while True:
            # Match on the decoded text; map the end back to a byte offset.
            tail = self.text(self.cursor)
            m = rx.search(tail)
            if m:
                self.cursor += len(tail[:m.end()].encode("utf-8", "replace"))
                return
            left = end - time.monotonic()
            if left <= 0:
                raise StepFailed("timed out after %gs waiting for /%s/" % (timeout, regex))
            if not self.pump(min(left, 0.2)) and self.reap() is not None:
                self.drain()
                if not rx.search(self.text(self.cursor)):
                    raise StepFailed("the child exited (status %s) before /%s/ appeared"
                                     % (self.status, regex))

    def wait(self, timeout):
        end = time.monotonic() + timeout
        while self.reap() is None:
            if time.monotonic() > end:
                raise StepFailed("the child is still running after %gs" % timeout)
            self.pump(0.05)
        self.drain()
        return self.status

    def kill(self):
        if self.reap() is not None:
            return
        for sig in (signal.SIGHUP, signal.SIGKILL):
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
            end = time.monotonic() + 2
            while time.monotonic() < end:
                if self.reap() is not None:
                    return
                time.sleep(0.05)
        self.reap(block=True)


def run_step(s, line, state):
    cmd, _, arg = line.partition(" ")
    if cmd == "timeout":
        state["timeout"] = float(arg)
    elif cmd == "send":
        s.write(unescape(arg))
    elif cmd == "sendline":
        s.write(unescape(arg) + b"\r")
    elif cmd == "expect":
        s.expect(arg, state["timeout"])
    elif cmd == "noexpect":
        s.drain()
        m = re.search(arg, s.text(), re.MULTILINE)
        if m:
            raise StepFailed("/%s/ matched %r" % (arg, m.group(0)))
    elif cmd == "sleep":
        end = time.monotonic() + float(arg)
        while time.monotonic() < end:
            s.pump(end - time.monotonic())
    elif cmd == "resize":
        rows, cols = (int(x) for x in arg.split())
        s.set_size(rows, cols)
        try:
            os.kill(s.pid, signal.SIGWINCH)
        except ProcessLookupError:
            pass
    elif cmd == "wait":
        print("status %d" % s.wait(state["timeout"]), flush=True)
    elif cmd == "status":
        st = s.wait(state["timeout"])
        if st != int(arg):
            how = "killed by signal %d" % -st if st < 0 else "status %d" % st
            raise StepFailed("the child exited with %s, expected status %s" % (how, arg))
    elif cmd == "stty_restored":
        s.wait(state["timeout"])
        after = s.stty_g()
        if after != s.stty_before:
            raise StepFailed("terminal settings not restored:\n  before: %s\n  after:  %s"
                             % (s.stty_before, after))
    else:
        raise StepFailed("unknown step %r" % cmd)


def main():
    ap = argparse.ArgumentParser(description="expect-like pty driver")
    ap.add_argument("--size", help="initial window size ROWSxCOLS")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--transcript", help="also write all output to FILE")
    ap.add_argument("--script", help="read the steps from FILE instead of stdin")
    ap.add_argument("argv", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    argv = a.argv[1:] if a.argv[:1] == ["--"] else a.argv
    if not argv:
        ap.error("no command given")
    size = None
    if a.size:
        m = re.fullmatch(r"(\d+)x(\d+)", a.size)
        if not m:
            ap.error("--size wants ROWSxCOLS")
        size = (int(m.group(1)), int(m.group(2)))
    with open(a.script) if a.script else sys.stdin as f:
        steps = [l.rstrip("\n") for l in f]

    # Killed from outside: still take the child down (in the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    transcript = open(a.transcript, "wb") if a.transcript else None
    s = Session(argv, size, transcript)
    state = {"timeout": a.timeout}
    failed = None
    try:
        for n, line in enumerate(steps, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                run_step(s, line.strip(), state)
            except StepFailed as e:
                failed = "step %d `%s`: %s" % (n, line.strip(), e)
                break
    finally:
        s.drain()
        s.kill()
        s.drain()
        if transcript:
            transcript.close()
    if failed:
        sys.stderr.write("pty.py: %s\n" % failed)
        sys.stderr.write("pty.py: command: %s\n" % " ".join(argv))
        sys.stderr.write("---- transcript ----\n%s\n---- end of transcript ----\n"
                         % printable(s.out))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
