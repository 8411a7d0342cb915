"""Generate a Python client from the live schema the way an integrator does, and install it, offline.

The two commands of README.md's "Build a client", with nothing added: ``openapi-python-client generate`` on the
schema the application serves (no configuration file), then ``pip install`` of what it wrote, into a folder
of the test's own. ``--no-build-isolation`` builds with the poetry-core already in the venv and ``--no-index``
keeps pip off the network; the generated package's own dependencies (httpx, attrs) are the venv's.
"""

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import httpx

PACKAGE = "jiangjin_enterprise_service_api_client"
BASE_URL = "http://testserver"
STEP_TIMEOUT = 600


def fetch_schema(transport: httpx.BaseTransport) -> dict:
    with httpx.Client(transport=transport, base_url=BASE_URL) as http:
        response = http.get("/api/schema/", params={"format": "json"})
    response.raise_for_status()
    return response.json()


def _run(command: list[str], *, cwd: Path) -> None:
    bin_dir = str(Path(sys.executable).parent)  # ruff, which the generator runs on its output
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "PIP_NO_INPUT": "1"}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def generate_and_install(schema: dict, workdir: Path) -> Path:
    """Write the schema, generate the client from it (any warning fails), install it; the folder to import from."""
    schema_file = workdir / "schema.json"
    schema_file.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    source = workdir / "client"
    _run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(schema_file),
            "--output-path",
            str(source),
            "--fail-on-warning",
        ],
        cwd=workdir,
    )
    target = workdir / "site"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(source),
        ],
        cwd=workdir,
    )
    return target


def import_every_module(package: ModuleType) -> list[str]:
    names = [info.name for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")]
    for name in names:
        importlib.import_module(name)
    return names
