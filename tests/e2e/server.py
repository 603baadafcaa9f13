"""A real ``qiao serve`` process on a free loopback port, for end-to-end tests."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

QIAO = Path(sys.executable).parent / "qiao"
PASSWORD_LINE = re.compile(r"Administrator: admin / password: (\S+)")
#: seconds to wait for the first /health answer (a busy machine may need more)
START_TIMEOUT = float(os.environ.get("QIAO_TEST_START_TIMEOUT", "30"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """Stop with SIGTERM and check that the shutdown was a clean one."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # uvicorn shuts down gracefully
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # uvicorn re-raises the signal it handled once it has shut down
        assert self.process.returncode in (0, -signal.SIGTERM), self.output()
        assert "Application shutdown complete" in self.output()


def start(env: dict[str, str], cwd: Path, name: str) -> Server:
    port = free_port()
    log = cwd / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(QIAO), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"qiao serve exited with {process.returncode}:\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise AssertionError(f"qiao serve did not answer within {START_TIMEOUT}s:\n{server.output()}")


def admin_password(server: Server) -> str:
    found = PASSWORD_LINE.findall(server.output())
    assert len(found) == 1, server.output()
    return str(found[0])


def serve_environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QIAO_")}
    env["QIAO_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    env["COLUMNS"] = "200"  # keep Rich from wrapping the password line
    return env
