"""The README's screenshots of the web page, from a run directory:

    python docs/web_screenshots.py RUN_DIR [OUTDIR]      (OUTDIR defaults to docs/)

exports the run with ``export.py --format=web`` into a temporary folder, serves it on loopback and takes, in
headless Chromium (benchmarks/browser.py), ``web-page.png`` (a laptop's 1280 x 800 window: seed 85 with the
coarse styles of seed 3, psi 0.7) and ``web-page-phone.png`` (a 390 x 844 phone screen, 3x pixels). Needs
LiteRT.js (npm ci), Playwright and Chromium.
"""

import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from benchmarks.browser import chromium, static_server, view_key, wait_rendered  # noqa: E402

VIEWS = {  # file -> (viewport, device pixels per CSS pixel, page address)
    "web-page.png": ({"width": 1280, "height": 800}, 1, "#seed=85&psi=0.7&band=coarse&seed_b=3"),
    "web-page-phone.png": ({"width": 390, "height": 844}, 3, "#seed=85&psi=0.7"),
}


def main():
    run = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(REPO, "docs")
    with tempfile.TemporaryDirectory() as site:
        subprocess.run([sys.executable, "export.py", f"--network={run}", "--format=web", f"--output={site}"],
                       cwd=REPO, check=True, env={**os.environ, "PYTHONPATH": REPO})
        with static_server(site) as url, chromium() as browser:
            for name, (viewport, scale, address) in VIEWS.items():
                page = browser.new_page(viewport=viewport, device_scale_factor=scale)
                page.goto(url + address)
                mixed = "band=coarse" in address
                wait_rendered(page, view_key(85, 0.7, band="coarse" if mixed else "none", seed_b=3 if mixed else None))
                if mixed:
                    page.wait_for_timeout(500)  # the two source thumbnails are drawn after the main image
                page.screenshot(path=os.path.join(out, name))
                print(f"wrote {os.path.join(out, name)}")
                page.close()


if __name__ == "__main__":
    main()
