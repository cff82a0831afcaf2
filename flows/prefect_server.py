"""The temporary Prefect API server of a `presswork run` made without a configured Prefect server.

Prefect starts such a server itself at a flow's first API call, and the run waits for it (several seconds on
this machine) with nothing else to do. Started here, at the very beginning of the command, it comes up while
the command imports the flow and the worker processes load spaCy. The main process also skips importing
Prefect's server package (about 2.5 s of CPU), which it needs only to start the server Prefect's way.

The server is the one Prefect would start (`SubprocessASGIServer`'s uvicorn command, UI off, the same
settings, the same database under PREFECT_HOME). The run points Prefect at it with PREFECT_API_URL, set in
Prefect's settings (the current and the process-wide context) and in the environment of any process started
meanwhile, and it is stopped when
the command exits. If it does not come up, it is stopped and Prefect starts its own at the flow's first API
call, reporting any failure there.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

API_URL_VARIABLE = "PREFECT_API_URL"
# The server is on this machine: never ask an HTTP proxy from the environment for it.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(slots=True)
class TemporaryServer:
    process: subprocess.Popen[bytes]
    api_url: str

    def wait_until_healthy(self, timeout_s: float) -> bool:
        """Wait for the server to answer its health check; False if it exited or did not answer in time."""
        deadline = time.monotonic() + timeout_s
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

    def stop(self) -> None:
        """Stop the server (terminate, then kill after 5 s) and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def needs_temporary_server() -> bool:
    """Whether Prefect would start a temporary server for a flow run: no API URL is configured."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    return not PREFECT_API_URL.value() and bool(PREFECT_SERVER_EPHEMERAL_ENABLED.value())


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


def launch() -> TemporaryServer:
    """Start the server process on a free local port and point this process's Prefect client at it.

    Returns at once; `wait_until_healthy` waits for the server. It is stopped at this process's exit.
    """
    import prefect
    from prefect.settings import get_current_settings

    port = _free_port()
    env = {
        **os.environ,
        # As Prefect's own temporary server: no UI, marked ephemeral.
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
        **get_current_settings().to_environment_variables(exclude_unset=True),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(Path(prefect.__file__).parent.parent),
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]
    server = TemporaryServer(
        subprocess.Popen(command, env=env, preexec_fn=_die_with_parent), f"http://127.0.0.1:{port}/api"
    )
    atexit.register(server.stop)
    return server


@contextlib.contextmanager
def using(server: TemporaryServer | None) -> Iterator[None]:
    """Inside the block, Prefect talks to `server` once it is healthy; without one, Prefect decides as usual.

    Waits as long as Prefect would for its own (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS).
    """
    from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS

    timeout_s = float(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())
    if server is None or not server.wait_until_healthy(timeout_s):
        if server is not None:
            server.stop()
        yield
        return
    from prefect.context import SettingsContext, _temporary_global_settings_context
    from prefect.settings import PREFECT_API_URL, temporary_settings

    before = os.environ.get(API_URL_VARIABLE)
    os.environ[API_URL_VARIABLE] = server.api_url
    try:
        # The settings context is a context variable: threads Prefect starts without copying it (the process
        # runner's event forwarder) read the process-wide one, made when Prefect was imported, before the URL
        # was known. Replace both, as Prefect's own test harness does, or those threads start a second server.
        with (
            temporary_settings(updates={PREFECT_API_URL: server.api_url}),
            _temporary_global_settings_context(SettingsContext.get()),
        ):
            yield
    finally:
        if before is None:
            os.environ.pop(API_URL_VARIABLE, None)
        else:
            os.environ[API_URL_VARIABLE] = before
