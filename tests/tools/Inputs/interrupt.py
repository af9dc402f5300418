"""Interrupts a command while it has temporary files open (for lit tests).

  interrupt.py [--check] [--absent PATH] SIGNAL PATTERN... -- COMMAND...

Runs COMMAND with TMPDIR set to a fresh empty directory, waits until that
directory holds a file for each PATTERN (a prefix such as goe-kernels-, so
code generation is under way), sends SIGNAL (INT or TERM) to the command,
waits for it, and prints how it ended and what the directory still holds:

  interrupted when: goe-kernels-ab12cd.o goe-kernels-ef34gh.so ...
  exit: signal SIGINT
  left: (nothing)

Exits 1 if the command ended before the files appeared (nothing was
interrupted) or ran past the time limit; with --check (for a ctest test
without FileCheck) also unless the command was ended by SIGNAL, left nothing
in TMPDIR and did not create PATH (--absent).
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

LIMIT_S = 600


def main(argv):
    args = argv[1:]
    check = absent = None
    while args[0].startswith("--"):
        if args[0] == "--check":
            check, args = True, args[1:]
        elif args[0] == "--absent":
            absent, args = args[1], args[2:]
        else:
            raise SystemExit("unknown option " + args[0])
    split = args.index("--")
    sig = getattr(signal, "SIG" + args[0])
    patterns, command = args[1:split], args[split + 1:]
    tmp = tempfile.mkdtemp(prefix="goe-interrupt-")
    try:
        env = dict(os.environ, TMPDIR=tmp)
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + LIMIT_S
        seen = []
        while proc.poll() is None and time.monotonic() < deadline:
            seen = sorted(os.listdir(tmp))
            if all(any(n.startswith(p) for n in seen) for p in patterns):
                break
            time.sleep(0.005)
        if proc.poll() is not None:
            print("the command ended (exit %d) before %s appeared in TMPDIR" %
                  (proc.returncode, " ".join(patterns)))
            return 1
        if time.monotonic() >= deadline:
            proc.kill()
            print("timed out waiting for %s" % " ".join(patterns))
            return 1
        proc.send_signal(sig)
        code = proc.wait(timeout=LIMIT_S)
        # Shown without their random parts: NAME-XXXXXX.EXT -> NAME.EXT.
        print("interrupted when: " + " ".join(sorted(
            n.rsplit("-", 1)[0] + os.path.splitext(n)[1] for n in seen)))
        if code < 0:
            print("exit: signal " + signal.Signals(-code).name)
        else:
            print("exit: code %d" % code)
        left = sorted(os.listdir(tmp))
        print("left: " + (" ".join(left) if left else "(nothing)"))
        if absent and os.path.exists(absent):
            print("the output %s was written" % absent)
            return 1
        if check and (code != -sig or left):
            return 1
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
