"""Running a test program whose helpers may outlive it."""
import os, subprocess


def run_logged(cmd, log, **kw):
    """Runs cmd with its output in the file log (a pipe would stay open as long as any
    process the test left behind holds it); returns (exit status, output)."""
    with open(log, "w") as f:
        code = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, **kw).returncode
    with open(log, errors="replace") as f:
        return code, f.read()


def kill_leftovers(workdir):
    """Kills the processes still working under workdir: those a test started and left
    behind (a hung helper; glibc's skeleton runs the test in its own process group,
    out of the outer `timeout`'s reach; CPython's tests start interpreters)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cwd = os.readlink("/proc/%s/cwd" % pid)
        except OSError:
            continue
        if cwd == workdir or cwd.startswith(workdir + "/"):
            try:
                os.kill(int(pid), 9)
            except OSError:
                pass
