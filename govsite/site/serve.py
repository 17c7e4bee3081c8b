"""`govsite serve`: show the built site on this machine with Python's own HTTP server."""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

from govsite.errors import GovsiteError


class _Handler(http.server.SimpleHTTPRequestHandler):
    verbose = False

    def log_message(self, format: str, *args: object) -> None:
        if self.verbose:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


class _LoggingHandler(_Handler):
    verbose = True


def make_server(out: Path, host: str, port: int, log: bool = False) -> http.server.ThreadingHTTPServer:
    """An HTTP server for the folder `out` (port 0: any free port; see `server.server_address`)."""
    if not (out / "index.html").is_file():
        raise GovsiteError(f"{out} 中没有已生成的网站", "先运行 govsite build。")
    handler = functools.partial(_LoggingHandler if log else _Handler, directory=str(out.resolve()))
    try:
        return http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise GovsiteError(
            f"无法在 {host}:{port} 上提供服务（{exc.strerror}）", "换一个端口：--port 8001。"
        ) from exc


def url_of(server: http.server.ThreadingHTTPServer) -> str:
    address = server.server_address
    host = address[0].decode() if isinstance(address[0], bytes) else str(address[0])
    port = int(address[1])
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(out: Path, host: str, port: int) -> None:
    """Serve `out` until Ctrl-C."""
    server = make_server(out, host, port, log=True)
    print(f"网站预览：{url_of(server)}（按 Ctrl-C 停止）", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\n已停止预览。")
    finally:
        server.server_close()


def serve_in_background(
    out: Path, host: str = "127.0.0.1", port: int = 0
) -> tuple[http.server.ThreadingHTTPServer, threading.Thread]:
    """For tests and tools: serve in a daemon thread; call `server.shutdown()` to stop."""
    server = make_server(out, host, port)
    thread = threading.Thread(target=server.serve_forever, name="govsite-serve", daemon=True)
    thread.start()
    return server, thread
