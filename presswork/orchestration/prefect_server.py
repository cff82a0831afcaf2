"""The temporary Prefect API server of a `presswork run` made without a configured Prefect server.

Prefect starts such a server itself at a flow's first API call, and the run waits for it (several seconds on
this machine) with nothing else to do. Started here, at the very beginning of the command, it comes up while
the worker processes load spaCy. Only Prefect's public interfaces are used, so that a Prefect upgrade cannot
make every run fail:

- the server is `prefect server start`, Prefect's CLI (its `prefect` console script, this environment's), in a
  child process, on a free port of 127.0.0.1, UI off and with only the services Prefect's own temporary server
  runs, on the same database under PREFECT_HOME;
- before starting it, that child reads Prefect's settings (`get_current_settings`) and reports whether a
  temporary server is needed at all: no API URL configured anywhere Prefect looks (environment, profile,
  prefect.toml, .env). Only a child may import Prefect this early: see the next point;
- Prefect is pointed at the server with PREFECT_API_URL in the environment, set *before* Prefect is imported
  in this process. Prefect reads its settings when it is imported, into the current and the process-wide
  settings context, so every thread (the process runner's event forwarder reads the process-wide one) and
  every process started afterwards finds the server.

`launch` starts the child and returns at once; `use` waits for it and must run before Prefect is imported. If
the server cannot be started, does not answer in time, or Prefect was already imported, it is stopped and
nothing is set: Prefect starts its own server at the flow's first API call, as without presswork, and reports
any failure there. The server is stopped when the command exits, and dies with it when it is killed outright.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import IO, Any

API_URL_VARIABLE = "PREFECT_API_URL"
# Prefect's CLI: the console script `pip` installs as `prefect`, looked up in this environment's metadata.
PREFECT_CLI = "prefect"
# Prefect's own temporary server runs only the services that record events, task runs and automations; a
# server that lives for one run has no schedules, late runs, workers or pauses to look after.
_SERVICES_OFF = {
    f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false"
    for name in ("FOREMAN", "REPOSSESSOR", "PAUSE_EXPIRATIONS", "CANCELLATION_CLEANUP", "CLEANUP_RECONCILER")
}
# Importing Prefect's settings takes about 1.5 s of CPU; a busy machine gets much longer before giving up.
_SETTINGS_TIMEOUT_S = 120.0
# The server is on this machine: never ask an HTTP proxy from the environment for it.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(slots=True)
class TemporaryServer:
    """The child process that reports Prefect's settings, then runs `prefect server start` if they need it."""

    process: subprocess.Popen[bytes]
    api_url: str
    report: IO[bytes]  # where the child writes its report on Prefect's settings (JSON), then closes
    output: IO[bytes]  # the child's stdout: the CLI's banner, or why it would not start
    started: float = field(default_factory=time.monotonic)

    def read_report(self, timeout_s: float) -> dict[str, Any]:
        """The child's report on Prefect's settings, or {"error": why there is none}."""
        deadline = time.monotonic() + timeout_s
        received = b""
        with self.report:
            while (remaining := deadline - time.monotonic()) > 0:
                if not select.select([self.report], [], [], remaining)[0]:
                    break
                chunk = os.read(self.report.fileno(), 65536)
                if not chunk:  # written and closed, or the child is gone
                    with contextlib.suppress(ValueError):
                        report = json.loads(received)
                        if isinstance(report, dict):
                            return report
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self.process.wait(timeout=5)  # gone: let it be reaped, for its exit code
                    return {"error": self.why_not_running(timeout_s)}
                received += chunk
        return {"error": f"Prefect's settings were not read within {timeout_s:g} s"}

    def wait_until_healthy(self, timeout_s: float) -> bool:
        """Wait until `timeout_s` after the start for the health check; False if it exited or did not answer."""
        deadline = self.started + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with _DIRECT.open(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        return False

    def why_not_running(self, timeout_s: float) -> str:
        """Why the server is not there, in a few words."""
        code = self.process.poll()
        if code is None:
            return f"it did not answer within {timeout_s:g} s"
        said = ""
        with contextlib.suppress(OSError, ValueError):
            self.output.seek(0)
            said = " ".join(self.output.read().decode(errors="replace").split())
        # Before starting, the CLI says on stdout why it will not (a port in use); once its banner is out,
        # errors go to stderr, which the user sees.
        if said and "PREFECT_API_URL=" not in said:
            return f"it exited with code {code}: {said[-300:]}"
        return f"it exited with code {code}"

    def stop(self) -> None:
        """Stop the server (terminate, then kill after 5 s) and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.report, self.output):
            with contextlib.suppress(OSError):
                stream.close()


def _die_with_parent() -> None:
    """In the server process, before it runs: on Linux, be sent SIGTERM when the command dies.

    atexit stops the server at a normal exit or Ctrl-C; this also covers a command killed outright (SIGKILL,
    an out-of-memory kill), which would otherwise leave the server running with nobody to stop it.
    """
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _warn(reason: str) -> None:
    message = f"presswork: could not start the temporary Prefect server early ({reason}); Prefect starts its own"
    print(message, file=sys.stderr)


def launch(cli: str = PREFECT_CLI, port: int | None = None) -> TemporaryServer | None:
    """Start the child that runs `<cli> server start` on `port` (default: a free one) if Prefect needs it.

    Returns at once; None when PREFECT_API_URL names a server already. Imports nothing of Prefect here. The
    server is stopped at this process's exit.
    """
    if os.environ.get(API_URL_VARIABLE):
        return None
    port = port or _free_port()
    output = tempfile.TemporaryFile()  # noqa: SIM115  lives as long as the server; `stop` closes it
    report_read, report_write = os.pipe()
    command = [str(report_write), cli, "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--no-ui", "--no-scheduler", "--no-late-runs", "--no-prompt"]
    try:
        process = subprocess.Popen(
            # -P: this package from where it is installed, never a `presswork` folder in the current directory.
            [sys.executable, "-P", "-m", __name__, *command],
            env={**os.environ, **_SERVICES_OFF},
            stdin=subprocess.DEVNULL,
            stdout=output,
            pass_fds=(report_write,),
            preexec_fn=_die_with_parent,
        )
    except OSError as exc:
        os.close(report_read)
        output.close()
        _warn(f"cannot start a process: {exc}")
        return None
    finally:
        os.close(report_write)  # the child's now: end of file when it has reported or died
    server = TemporaryServer(process, f"http://127.0.0.1:{port}/api", os.fdopen(report_read, "rb"), output)
    atexit.register(server.stop)
    return server


def use(server: TemporaryServer | None, timeout_s: float | None = None) -> bool:
    """Wait for `server`; if Prefect needs it and it is healthy, point Prefect at it and return True.

    Call before Prefect is imported in this process. Otherwise the server is stopped, and Prefect uses the
    server configured for it or starts its own. Waits up to `timeout_s` after the launch, by default as long
    as Prefect waits for its own (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS).
    """
    if server is None:
        return False
    if "prefect" in sys.modules:  # too late: Prefect has read its settings without the URL
        server.stop()
        _warn("Prefect was imported before the server was up")
        return False
    report = server.read_report(_SETTINGS_TIMEOUT_S)
    if "error" in report:
        server.stop()
        _warn(report["error"])
        return False
    if not report["needed"]:  # a server is configured (or temporary ones are off): Prefect does as it is told
        server.stop()
        return False
    timeout_s = float(report["startup_timeout_s"]) if timeout_s is None else timeout_s
    if not server.wait_until_healthy(timeout_s):
        reason = server.why_not_running(timeout_s)
        server.stop()
        _warn(reason)
        return False
    os.environ[API_URL_VARIABLE] = server.api_url
    return True


def _serve(report_fd: int, cli: str, arguments: list[str]) -> int:
    """The child process: report on Prefect's settings to `report_fd`; if they need a server, run the CLI.

    Reading the settings here, not in the command's process, keeps Prefect unimported there until
    PREFECT_API_URL is set; and the CLI then finds Prefect imported already.
    """
    with os.fdopen(report_fd, "w") as report_file:
        try:
            from prefect.settings import get_current_settings

            settings = get_current_settings()
            report: dict[str, Any] = {
                "needed": not settings.api.url and bool(settings.server.ephemeral.enabled),
                "startup_timeout_s": float(settings.server.ephemeral.startup_timeout_seconds),
            }
        except Exception as exc:  # reported, and the command leaves the server to Prefect
            report = {"error": f"Prefect's settings could not be read: {type(exc).__name__}: {exc}"}
        json.dump(report, report_file)
    if not report.get("needed"):
        return 0
    from importlib.metadata import entry_points

    # As the `prefect` executable does: its entry point, with the command line in sys.argv.
    scripts = list(entry_points(group="console_scripts", name=cli))
    if not scripts:
        print(f"no {cli!r} command is installed")
        return 127
    sys.argv = [cli, *arguments]
    return scripts[0].load()() or 0


if __name__ == "__main__":
    sys.exit(_serve(int(sys.argv[1]), sys.argv[2], sys.argv[3:]))
