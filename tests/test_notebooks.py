"""Every notebook runs top to bottom without error (headless, nbclient), and is committed clean.

A notebook with a papermill ``parameters`` cell runs through papermill, with
the parameters below (a quick run into a temporary folder).
"""

import ast
import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def _parameters(path: Path, tmp_path: Path) -> dict:
    """Papermill parameters of a parameterised notebook in the tests."""
    if path.name == "05_council_report.ipynb":
        return {"lang": "en", "iterations": 200, "output": str(tmp_path / "council.en.html")}
    return {}


def _parameter_cell(nb) -> object | None:
    return next((c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])), None)


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell["outputs"] and cell["execution_count"] is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    if _parameter_cell(nb) is not None:
        import papermill as pm

        out = tmp_path / path.name
        # raises PapermillExecutionError on any error
        pm.execute_notebook(str(path), str(out), parameters=_parameters(path, tmp_path), kernel_name="python3",
                            cwd=str(path.parent), progress_bar=False, execution_timeout=300)
        nb = nbformat.read(out, as_version=4)
    else:
        client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
        client.execute()  # raises CellExecutionError on any error
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]


def test_council_report_notebook_is_parameterised_for_papermill():
    nb = nbformat.read(NOTEBOOKS[0].parent / "05_council_report.ipynb", as_version=4)
    cell = _parameter_cell(nb)
    assert cell is not None, "no cell tagged 'parameters'"
    defaults = {t.id: ast.literal_eval(node.value) for node in ast.parse(cell.source).body
                if isinstance(node, ast.Assign) for t in node.targets}
    assert defaults["case"] is None and defaults["lang"] == "id" and defaults["iterations"] == 10_000


def test_council_report_notebook_renders_the_report(tmp_path):
    import papermill as pm

    path = NOTEBOOKS[0].parent / "05_council_report.ipynb"
    params = {"case": "tests/cases/hand_case.toml", "lang": "id", "iterations": 100, "output": str(tmp_path)}
    pm.execute_notebook(str(path), str(tmp_path / "out.ipynb"), parameters=params, kernel_name="python3",
                        cwd=str(path.parent), progress_bar=False, execution_timeout=300)
    report = tmp_path / "hand_case.id.html"  # a folder given: <case>.<lang>.html in it
    assert report.exists()
    text = report.read_text(encoding="utf-8")
    assert '<meta name="generator" content="feasibility-report' in text and 'lang="id"' in text
