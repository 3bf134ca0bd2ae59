"""The notebooks run top to bottom on the tiny configuration (KERAS_STYLEGAN_TINY=1), each in a fresh kernel
in an empty working directory, keep no outputs, and take their Colab badges and install address from
pyproject.toml.

explore.ipynb and serving.ipynb get the quickstart's tiny run as their NETWORK parameter (its directory, its
newest snapshot), as a user fills it in, rather than each training a run of its own: that would train the same
tiny run (train_quickstart of the setup cell, which quickstart.ipynb runs here) twice more.
"""

import glob
import importlib.util
import os
import re

import nbformat
import pytest
from nbclient import NotebookClient

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOTEBOOKS = os.path.join(REPO, "notebooks")
NAMES = ["quickstart.ipynb", "explore.ipynb", "serving.ipynb"]
NETWORK_PARAMETER = 'NETWORK = ""'  # the parameter of explore.ipynb and serving.ipynb
CELL_TIMEOUT = 600  # seconds; a tiny training run takes well under a minute even on a loaded machine


def _sync_urls():
    spec = importlib.util.spec_from_file_location("sync_urls", os.path.join(NOTEBOOKS, "sync_urls.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(name):
    return nbformat.read(os.path.join(NOTEBOOKS, name), as_version=4)


def test_the_notebooks_are_the_three_tested_here():
    assert sorted(os.path.basename(path) for path in glob.glob(os.path.join(NOTEBOOKS, "*.ipynb"))) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_keeps_no_outputs(name):
    for index, cell in enumerate(_read(name).cells):
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name} cell {index}: clear its outputs"


def test_badges_and_install_address_follow_pyproject():
    sync_urls = _sync_urls()
    assert sync_urls.stale() == {}, "run python notebooks/sync_urls.py"
    repository = sync_urls.repository()
    setups = set()
    with open(os.path.join(REPO, "README.md")) as file:
        readme = file.read()
    for name in NAMES:
        notebook = _read(name)
        assert notebook.cells[0].source.startswith(sync_urls.badge(name) + "\n")
        setup = next(cell.source for cell in notebook.cells if cell.cell_type == "code")
        assert f'REPOSITORY = "{repository}"' in setup
        setups.add(setup)
        assert sync_urls.badge(name) in readme, f"the README's Notebooks section lacks {name}'s badge"
    assert len(setups) == 1, "every notebook starts with the same setup cell"


def test_notebook_code_names_no_address_but_the_repository_and_a_local_server():
    """Nothing is downloaded beyond the project: the only address code cells hold is the one Colab clones
    (and localhost in the printed TF Serving commands)."""
    repository = _sync_urls().repository()
    for name in NAMES:
        for cell in _read(name).cells:
            if cell.cell_type == "code":
                for url in re.findall(r"[a-z]+://[^\s\"']+", cell.source):
                    assert url == repository or url.startswith("http://localhost:"), f"{name}: {url}"


def test_sync_urls_rewrites_a_changed_address(monkeypatch):
    sync_urls = _sync_urls()
    monkeypatch.setattr(sync_urls, "repository", lambda: "https://github.com/someone/fork")
    notebook = sync_urls.synced_notebook(os.path.join(NOTEBOOKS, "explore.ipynb"))
    assert "https://colab.research.google.com/github/someone/fork/blob/main/notebooks/explore.ipynb" in notebook
    assert 'REPOSITORY = \\"https://github.com/someone/fork\\"' in notebook
    assert "keras-stylegan/keras-stylegan" not in notebook
    assert "https://colab.research.google.com/github/someone/fork/blob/main/notebooks/serving.ipynb" in (
        sync_urls.synced_readme())


def _execute(name, workdir, home, network=None):
    """Run notebook ``name`` in a fresh kernel in ``workdir`` on the tiny configuration, with its NETWORK parameter
    set to ``network`` as a user fills it in; returns the executed notebook (CellExecutionError on any error)."""
    notebook = _read(name)
    if network is not None:
        cell = next(cell for cell in notebook.cells if cell.source.startswith(NETWORK_PARAMETER))
        cell.source = cell.source.replace(NETWORK_PARAMETER, f"NETWORK = {str(network)!r}", 1)
    env = dict(os.environ, KERAS_STYLEGAN_TINY="1", HOME=home, TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=os.pathsep.join(filter(None, [REPO, os.environ.get("PYTHONPATH")])))
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(workdir)}})
    client.execute(env=env)
    return notebook


def _check(name, notebook, workdir, made):
    for path in made:
        assert os.path.isfile(os.path.join(workdir, path)), f"{name} did not write {path}"
    shown = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
             if {"image/png", "image/gif"} & set(output.get("data", {}))]
    assert shown, f"{name} showed no picture"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """The kernels' home directory (Keras and IPython write their settings there), not the user's."""
    return str(tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory, home):
    """quickstart.ipynb executed (it trains the tiny run the other notebooks take as their NETWORK)."""
    workdir = tmp_path_factory.mktemp("quickstart")
    return _execute("quickstart.ipynb", workdir, home), workdir


def test_quickstart_prepares_trains_generates_and_exports(quickstart):
    notebook, workdir = quickstart
    _check("quickstart.ipynb", notebook, workdir, [
        "datasets/twemoji/manifest.json", "runs/00000-tiny/reals.png", "runs/00000-tiny/fakes-000000.256.png",
        "out/grid.png", "out/seed0035.png", "models/stylegan/1/saved_model.pb"])


def test_explore_draws_every_figure_from_a_run_directory(quickstart, tmp_path, home):
    run = quickstart[1] / "runs" / "00000-tiny"
    notebook = _execute("explore.ipynb", tmp_path, home, network=run)
    _check("explore.ipynb", notebook, tmp_path, [
        "explore/seeds.png", "explore/truncation.png", "explore/style-mixing.png",
        "explore/stochastic-variation.png", "explore/interpolation.gif", "explore/projection.png",
        "explore/projected.npz", "explore/edit.png", "explore/mix.png", "explore/blend.png"])


def test_serving_exports_a_snapshot_and_answers_rest_and_grpc_requests(quickstart, tmp_path, home):
    snapshot = sorted(glob.glob(str(quickstart[1] / "runs" / "00000-tiny" / "network-snapshot-*.keras")))[-1]
    notebook = _execute("serving.ipynb", tmp_path, home, network=snapshot)
    _check("serving.ipynb", notebook, tmp_path, ["models/stylegan/1/saved_model.pb", "body.json", "served.png"])
