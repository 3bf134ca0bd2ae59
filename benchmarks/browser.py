"""The web export in a real browser: a static file server on loopback and headless Chromium driven by Playwright.

Used by the web benchmark, the docs' screenshots and tests/export/test_web.py. Chromium is the system's
(Debian's ``chromium`` package: ``$CHROMIUM`` or /usr/bin/chromium), never a browser Playwright downloads. It
starts with a fresh profile, without a GPU and without the background connections (updates, sync, field
trials) a closed network refuses.
"""

import contextlib
import functools
import http.server
import os
import shutil
import threading

import numpy as np

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path():
    """The Chromium executable: $CHROMIUM, else chromium on the PATH; None when there is none."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """``python -m http.server``'s handler without a log line per request."""

    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def static_server(directory):
    """Serve ``directory`` as ``python -m http.server`` does, on 127.0.0.1 and a free port; yields its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_QuietHandler, directory=os.fspath(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextlib.contextmanager
def chromium(executable=None):
    """A headless Chromium (Playwright's browser object), closed at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable or chromium_path(), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_rendered(page, key, timeout_ms=120000):
    """Wait until the page has drawn the view ``key`` (its canvas's data-rendered attribute, see stylegan.js)."""
    page.wait_for_function("key => document.getElementById('image').dataset.rendered === key", arg=key,
                           timeout=timeout_ms)


def view_key(seed, psi, band="none", seed_b=None, class_index=0, weights="float32"):
    """The key stylegan.js writes into the canvas's data-rendered attribute once it has drawn that view."""
    mix = "" if band == "none" else f" {band} from {seed_b}"
    return f"seed {seed}{mix} psi {psi:g} class {class_index} {weights}"


def canvas_pixels(page, canvas_id="image"):
    """uint8 [H, W, 3]: the RGB bytes of a canvas, as drawn (its own size, not the enlarged display)."""
    width, height, data = page.evaluate("""id => {
        const canvas = document.getElementById(id);
        const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        return [canvas.width, canvas.height, Array.from(data)];
    }""", canvas_id)
    return np.asarray(data, np.uint8).reshape(height, width, 4)[..., :3]


def set_view(page, seed=None, psi=None, band=None, seed_b=None, weights=None):
    """Change the page's controls as a person does (typing a seed and Enter, dragging the slider, clicking a
    band), each only when given."""
    for selector, value in (("#seed", seed), ("#seed-b", seed_b)):
        if value is not None:
            page.fill(selector, str(value))
            page.press(selector, "Enter")
    if psi is not None:
        page.eval_on_selector("#psi", "(slider, value) => { slider.value = value; "
                              "slider.dispatchEvent(new Event('input', {bubbles: true})); }", str(psi))
    if band is not None:
        page.click(f"label:has(input[name=band][value={band}])")
    if weights is not None:
        page.select_option("#weights", weights)
