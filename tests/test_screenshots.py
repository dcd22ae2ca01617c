"""The screenshot script's helpers (the screenshots themselves need Chromium: `make screenshots`)."""
from __future__ import annotations

import http.server
import random
import shutil
import socket
import threading
import time
from functools import partial
from pathlib import Path

import pytest

from tools.screenshots import (answers, chart_page, latest_report_pdf, require_free_port, server_url, shrink,
                                         wait_for)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_wait_for_returns_once_a_late_server_answers(tmp_path):
    port = _free_port()
    url = server_url(port, "/")
    servers = []

    def serve_late() -> None:
        time.sleep(1.0)  # nothing listens until then: connections are refused
        servers.append(http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(_Quiet, directory=str(tmp_path))))
        servers[0].serve_forever()

    thread = threading.Thread(target=serve_late, daemon=True)
    thread.start()
    assert not answers(url)
    try:
        waited = wait_for(lambda: answers(url), "test server", timeout=20, interval=0.1)
        assert 0.9 <= waited < 20
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
        thread.join(5)


def test_wait_for_fails_fast_when_the_server_died_and_times_out_otherwise():
    with pytest.raises(RuntimeError, match="exited while waiting for the UI"):
        wait_for(lambda: False, "the UI", timeout=30, alive=lambda: False)
    start = time.monotonic()
    with pytest.raises(TimeoutError, match="no the UI within 0 s"):
        wait_for(lambda: False, "the UI", timeout=0.3, interval=0.05)
    assert time.monotonic() - start < 5


def test_latest_report_pdf_is_the_national_report_of_the_latest_month(tmp_path):
    for name in ("2026-09/bao-cao-chi-so-2026-09.pdf", "2026-10/bao-cao-chi-so-2026-10.pdf",
                 "2026-11/bao-cao-chi-so-2026-11-H44.pdf", "2026-10/bao-cao-chi-so-2026-10.xlsx"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    assert latest_report_pdf(tmp_path) == tmp_path / "2026-10/bao-cao-chi-so-2026-10.pdf"
    with pytest.raises(SystemExit, match="svcindex demo"):
        latest_report_pdf(tmp_path / "2026-11")


def test_chart_page_is_the_first_page_after_the_title_with_an_image(tmp_path):
    assert shutil.which("pdfimages"), "pdfimages missing: apt-get install poppler-utils (make test does)"
    from fpdf import FPDF
    from PIL import Image

    png = tmp_path / "chart.png"
    Image.new("RGB", (40, 20), (200, 30, 30)).save(png)
    pdf = FPDF()
    for page in range(1, 5):
        pdf.add_page()
        if page in (1, 3, 4):
            pdf.image(str(png), w=40)
    pdf.output(str(tmp_path / "r.pdf"))
    assert chart_page(tmp_path / "r.pdf") == 3


def test_shrink_downscales_until_under_the_limit(tmp_path):
    from PIL import Image

    rng = random.Random(1)
    png = tmp_path / "noise.png"
    Image.frombytes("L", (400, 400), bytes(rng.randrange(256) for _ in range(400 * 400))).save(png)
    assert png.stat().st_size > 100_000
    shrink(png, max_bytes=60_000)
    assert png.stat().st_size <= 60_000
    with Image.open(png) as img:
        assert img.width < 400 and img.width == img.height


def test_require_free_port_refuses_a_port_someone_listens_on():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        with pytest.raises(SystemExit, match="in use"):
            require_free_port(s.getsockname()[1])
    require_free_port(_free_port())
