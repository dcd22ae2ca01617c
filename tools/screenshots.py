"""The README's screenshots, taken from a real run: the Dagster asset graph and the monthly report.

    make screenshots      (= .venv/bin/python -m tools.screenshots [--out docs/img] [--port 3300])

Developer tooling: not part of the runtime package (dagster_project), not installed with it.

Needs a published run in $SVCINDEX_HOME (`svcindex demo`), Chromium and poppler's pdftoppm
(Debian packages chromium and poppler-utils; `make screenshots` installs them).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from dagster_project.reports.render_pages import render_page
from dagster_project.settings import home

APT_PACKAGES = "chromium poppler-utils"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
# The global lineage page of Dagster 1.13 (the "Lineage" tab): every group, laid out left to right.
ASSET_GRAPH_PATH = "/asset-groups"
# Wide and low: the collapsed group graph is a wide strip, and the fixed-width sidebars then take a
# smaller share of the picture.
WINDOW = (2400, 900)
MAX_PNG_BYTES = 400_000


def server_url(port: int, path: str = "/") -> str:
    return f"http://127.0.0.1:{port}{path}"


def answers(url: str) -> bool:
    """True if a GET of `url` returns 200 now."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def wait_for(ready: Callable[[], bool], what: str, *, timeout: float = 180.0,
             alive: Callable[[], bool] = lambda: True, interval: float = 0.5) -> float:
    """Polls `ready()` until true and returns the seconds waited. Fails early if `alive()` turns
    false (the server died) and with TimeoutError after `timeout` seconds."""
    start = time.monotonic()
    while not ready():
        if not alive():
            raise RuntimeError(f"the server exited while waiting for {what}")
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"no {what} within {timeout:.0f} s")
        time.sleep(interval)
    return time.monotonic() - start


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(server_url(port, "/graphql"), json.dumps({"query": query}).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


WORKSPACE_QUERY = """{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus
    locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


def code_loaded(port: int) -> bool:
    """True once every code location has loaded; raises if one failed to (its error, not a timeout)."""
    try:
        entries = graphql(port, WORKSPACE_QUERY)["data"]["workspaceOrError"]["locationEntries"]
    except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError, KeyError, TypeError):
        return False
    for entry in entries:
        error = entry["locationOrLoadError"] or {}
        if error.get("__typename") == "PythonError":
            raise RuntimeError(f"the code location {entry['name']} failed to load: {error['message'].strip()}")
    return bool(entries) and all(e["loadStatus"] == "LOADED" for e in entries)


def required_chromium() -> str:
    """The Chromium executable, once it and pdftoppm are known to be installed; otherwise a
    SystemExit naming the Debian packages."""
    chromium = next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)
    missing = [name for name, path in (("chromium", chromium), ("pdftoppm", shutil.which("pdftoppm"))) if not path]
    if missing:
        raise SystemExit(f"{' and '.join(missing)} not found: install the Debian packages with "
                         f"`apt-get update && apt-get install -y {APT_PACKAGES}` (or run `make screenshots`)")
    return chromium


def require_free_port(port: int) -> None:
    """Another server on the port would answer our polls and end up in the screenshot."""
    with socket.socket() as s:
        # As the server will: connections of the last run lingering in TIME_WAIT don't count.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            raise SystemExit(f"port {port} on 127.0.0.1 is in use: pass another one with --port") from None


def latest_report_pdf(reports: Path) -> Path:
    """The national (not unit-scoped) PDF of the latest month under reports/<YYYY-MM>/."""
    national = [p for p in reports.glob("*/bao-cao-chi-so-*.pdf")
                if re.fullmatch(r"bao-cao-chi-so-\d{4}-\d{2}", p.stem)]
    if not national:
        raise SystemExit(f"no monthly report PDF under {reports}: run `svcindex demo` first")
    return max(national, key=lambda p: p.stem)


def chart_page(pdf: Path) -> int | None:
    """The first page after the title page that holds an image (a chart), from poppler's pdfimages."""
    exe = shutil.which("pdfimages")
    if exe is None:
        return None
    listing = subprocess.run([exe, "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = sorted({int(line.split()[0]) for line in listing.splitlines()[2:] if line.split()})
    return next((p for p in pages if p > 1), None)


# README pictures of the report: the first page (the Decree 30 frame), the method page, the first
# chart, the ranking annex and the communes annex, found by the text that heads them.
REPORT_PAGES = {"report-page1.png": None, "report-method.png": "Cách tính điểm",
                "report-ranking.png": "BẢNG XẾP HẠNG", "report-communes.png": "XÃ, PHƯỜNG, ĐẶC KHU"}


def page_with(pdf: Path, text: str) -> int | None:
    """The first page whose text (poppler's pdftotext) holds `text`."""
    exe = shutil.which("pdftotext")
    if exe is None:
        return None
    pages = subprocess.run([exe, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return next((i for i, page in enumerate(pages.split("\f"), start=1)
                 if text in " ".join(page.split())), None)


def report_screenshots(pdf: Path, out_dir: Path) -> list[Path]:
    """The report pages of the README, rendered with pdftoppm into out_dir."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    shots = [render_page(pdf, out_dir / "report-page1.png", page=1)]
    page = chart_page(pdf)
    if page:
        shots.append(render_page(pdf, out_dir / "report-chart.png", page=page))
    for name, text in REPORT_PAGES.items():
        page = page_with(pdf, text) if text else None
        if page and page != 1:
            shots.append(render_page(pdf, out_dir / name, page=page))
    return shots


@contextmanager
def dagster_ui(port: int, log: Path):
    """The Dagster UI alone (dagster-webserver: unlike `dagster dev`, no daemon, so the landing sensor
    and the schedules do not launch runs on this home while we look) on 127.0.0.1:<port>, in its own
    process group, which is killed on the way out whatever happened."""
    exe = Path(sys.executable).parent / "dagster-webserver"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(exe), "-m", "dagster_project.definitions", "-h", "127.0.0.1", "-p", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield proc
        finally:
            _stop_group(proc)


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM to the group, SIGKILL to whatever is left of it (the code server) after 20 s, and
    return only once the group is gone."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            pass
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        for _ in range(100):
            time.sleep(0.1)
            os.killpg(proc.pid, 0)
    except ProcessLookupError:
        return
    raise RuntimeError(f"the Dagster UI's process group {proc.pid} survived SIGKILL")


def chromium_screenshot(chromium: str, url: str, png: Path, *, window=WINDOW, budget_ms: int = 30000) -> Path:
    """Headless Chromium renders `url` (a client-side app) for `budget_ms` of virtual time into `png`."""
    with tempfile.TemporaryDirectory(prefix="svcindex-chromium-") as profile:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={profile}", f"--window-size={window[0]},{window[1]}",
               f"--virtual-time-budget={budget_ms}", f"--screenshot={png}", url]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=budget_ms / 1000 + 120)
    if done.returncode or not png.exists():
        raise RuntimeError(f"chromium could not screenshot {url} (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return png


def shrink(png: Path, max_bytes: int = MAX_PNG_BYTES) -> Path:
    """Downscales `png` in place, 15 % at a time, until it is under max_bytes (README images stay small)."""
    from PIL import Image

    while png.stat().st_size > max_bytes:
        with Image.open(png) as img:
            smaller = img.resize((int(img.width * 0.85), int(img.height * 0.85)), Image.LANCZOS)
        smaller.save(png, optimize=True)
    return png


def take_screenshots(out_dir: Path, port: int = 3300) -> list[Path]:
    """Screenshots of the asset graph (live Dagster UI over this home's instance) and of the latest
    monthly report's title and chart pages, written into out_dir; returns their paths."""
    h = home()
    if not h.published.exists():
        raise SystemExit(f"no published run in {h.root}: run `svcindex demo` first")
    pdf = latest_report_pdf(h.reports)
    chromium = required_chromium()
    require_free_port(port)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    shots = report_screenshots(pdf, out_dir)

    log = h.root / "dagster" / "screenshots-ui.log"
    with dagster_ui(port, log) as proc:
        alive = lambda: proc.poll() is None  # noqa: E731
        wait_for(lambda: answers(server_url(port, "/server_info")), f"answer from the Dagster UI (log: {log})",
                 alive=alive)
        wait_for(lambda: code_loaded(port), f"loaded code location in the Dagster UI (log: {log})", alive=alive)
        graphql(port, "mutation { setNuxSeen }")  # the "Skip" of the community pop-up, for this instance
        shots.append(chromium_screenshot(chromium, server_url(port, ASSET_GRAPH_PATH),
                                         out_dir / "dagster-asset-graph.png"))
    return [shrink(p) for p in shots]


def main(argv: list[str] | None = None) -> int:
    import argparse

    from dagster_project.cli import prepare_environment

    parser = argparse.ArgumentParser(prog="python -m tools.screenshots", description=(
        "The README's pictures: the Dagster asset graph and the report's pages. Needs a published run "
        "(`svcindex demo`), Chromium and poppler's pdftoppm (`make screenshots` installs them)."))
    parser.add_argument("--out", type=Path, default=Path("docs/img"), help="Folder for the PNG files.")
    parser.add_argument("--port", type=int, default=3300, help="Port of the private Dagster UI on 127.0.0.1.")
    args = parser.parse_args(argv)
    prepare_environment()   # SVCINDEX_HOME absolute, DAGSTER_HOME inside it, as the CLI sets them
    for p in take_screenshots(args.out, args.port):
        print(f"screenshot: {p} ({p.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
