"""Write the project's public address (pyproject.toml, ``[project.urls] Repository``) into the notebooks'
"Open in Colab" badges, their setup cell (``REPOSITORY = ...``, what Colab clones) and the README's badges.

    python notebooks/sync_urls.py           # rewrite whatever is out of date
    python notebooks/sync_urls.py --check   # list what is out of date, exit 1 if anything is (the tests run this)

Colab opens a notebook of a GitHub repository at
``https://colab.research.google.com/github/OWNER/NAME/blob/BRANCH/PATH``.
"""

import glob
import os
import re
import sys
import tomllib

import nbformat

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOKS = sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
README = os.path.join(ROOT, "README.md")
BRANCH = "main"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
_COLAB_LINK = re.compile(r"https://colab\.research\.google\.com/github/[^)\s]*?/notebooks/([\w-]+\.ipynb)")
_REPOSITORY_LINE = re.compile(r'^REPOSITORY = "[^"]*"', re.MULTILINE)


def repository():
    """``https://github.com/OWNER/NAME`` from pyproject.toml."""
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as file:
        url = tomllib.load(file)["project"]["urls"]["Repository"]
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise SystemExit(f"sync_urls.py: error: [project.urls] Repository must be https://github.com/OWNER/NAME "
                         f"(Colab opens notebooks of GitHub repositories), got {url!r}.")
    return url


def colab_url(notebook):
    """Where Colab opens ``notebooks/<notebook>`` of the repository."""
    return f"https://colab.research.google.com/github/{repository()[len('https://github.com/'):]}/blob/{BRANCH}/notebooks/{notebook}"


def badge(notebook):
    return f"[![Open In Colab]({BADGE_IMAGE})]({colab_url(notebook)})"


def _links(text):
    return _COLAB_LINK.sub(lambda match: colab_url(match.group(1)), text)


def synced_notebook(path):
    """The notebook at ``path`` with its badge (the first line of its first cell) and setup cell up to date."""
    notebook = nbformat.read(path, as_version=4)
    first = notebook.cells[0]
    lines = first.source.split("\n")
    lines[0] = badge(os.path.basename(path))
    first.source = "\n".join(lines)
    setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
    setup.source = _REPOSITORY_LINE.sub(f'REPOSITORY = "{repository()}"', setup.source)
    return nbformat.writes(notebook) + "\n"


def synced_readme():
    with open(README) as file:
        return _links(file.read())


def _current(path):
    with open(path) as file:
        return file.read()


def stale():
    """{path: its synced text} for every file that differs from what it should hold."""
    wanted = {path: synced_notebook(path) for path in NOTEBOOKS}
    wanted[README] = synced_readme()
    return {path: text for path, text in wanted.items() if _current(path) != text}


def main(argv):
    outdated = stale()
    if "--check" in argv[1:]:
        for path in outdated:
            print(f"{os.path.relpath(path, ROOT)} is out of date: run python notebooks/sync_urls.py")
        return 1 if outdated else 0
    for path, text in outdated.items():
        with open(path, "w") as file:
            file.write(text)
        print(f"updated {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
