"""Great Expectations' Data Docs served over http on 127.0.0.1, styled offline.

    svcindex datadocs [--port 8081]        (also started by `svcindex ui`)

Dagster's UI cannot open file:// links, so asset checks link the page of their validation as
http://127.0.0.1:<port>/... (SVCINDEX_DATA_DOCS_URL overrides the base, e.g. behind a proxy).
GE's pages load Bootstrap, jQuery and Font Awesome from CDNs, which this network cannot reach:
every HTML page is served with those https:// stylesheets replaced by the project's own
offline.css and the https:// scripts dropped (the pages are static HTML; the scripts only add
sorting and filtering). The files on disk stay as GE wrote them.
"""
from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from pathlib import Path

DEFAULT_PORT = 8081
OFFLINE_CSS = Path(__file__).with_name("static") / "offline.css"
OFFLINE_CSS_PATH = "/static/styles/offline.css"
_REMOTE_STYLESHEET = re.compile(r"<link[^>]*href=\"https?://[^\"]*\"[^>]*>", re.I)
_REMOTE_SCRIPT = re.compile(r"<script[^>]*src=\"https?://[^\"]*\"[^>]*>\s*</script>", re.I | re.S)


def base_url() -> str:
    return os.environ.get("SVCINDEX_DATA_DOCS_URL", f"http://127.0.0.1:{DEFAULT_PORT}").rstrip("/")


def page_url(docs_dir: Path, page: Path | None = None) -> str:
    """The http address of a page of the site (default: its index)."""
    relative = Path(page).resolve().relative_to(Path(docs_dir).resolve()) if page else Path("index.html")
    return f"{base_url()}/{relative.as_posix()}"


def offline_html(html: str) -> str:
    """CDN stylesheets → the project's offline.css (once); CDN scripts removed."""
    html = _REMOTE_STYLESHEET.sub("", html)
    html = _REMOTE_SCRIPT.sub("", html)
    return html.replace("</head>", f'<link rel="stylesheet" href="{OFFLINE_CSS_PATH}"></head>', 1)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == OFFLINE_CSS_PATH:
            return self._send(OFFLINE_CSS.read_bytes(), "text/css; charset=utf-8")
        if path.endswith("/"):
            path += "index.html"
        if path.endswith(".html"):
            # translate_path confines the request to the served directory
            file = Path(self.translate_path(path))
            if file.is_file():
                return self._send(offline_html(file.read_text(encoding="utf-8")).encode(), "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # quiet: the UI's terminal is for Dagster
        pass


def make_server(docs_dir: Path, port: int = DEFAULT_PORT) -> http.server.ThreadingHTTPServer:
    Path(docs_dir).mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_Handler, directory=str(docs_dir))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve_in_background(docs_dir: Path, port: int = DEFAULT_PORT) -> http.server.ThreadingHTTPServer:
    """Starts the server on a daemon thread (it stops with the process); returns it."""
    server = make_server(docs_dir, port)
    threading.Thread(target=server.serve_forever, name="data-docs", daemon=True).start()
    return server
