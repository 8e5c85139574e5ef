"""Stage the bot's runtime files for App Service zip deploy (deployment/build/webapp/ and webapp.zip).

Why a staging folder: App Service's build (Oryx) runs ``pip install -r requirements.txt`` and knows
nothing of our constraints file, so the staged requirements.txt gets a ``-c constraints.txt`` line and
the transitive pins hold in Azure too. Only what the bot needs at run time is staged: no tests, no
test dependencies, no node tools, no local data or .env. Standard library only.

    python deployment/build_webapp.py          # then: az webapp deploy --src-path deployment/build/webapp.zip
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = Path(__file__).resolve().parent / "build"
# What the running bot needs; the Dockerfile copies the same list.
RUNTIME_FILES = ("app.py", "requirements.txt", "constraints.txt")
RUNTIME_DIRS = ("bot", "dialogs", "cards")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", ".pytest_cache")


def stage(root: Path = ROOT, out: Path = BUILD / "webapp") -> Path:
    """Copy the runtime files into `out` (emptied first) and return it."""
    missing = [name for name in (*RUNTIME_FILES, *RUNTIME_DIRS) if not (root / name).exists()]
    if missing:
        raise FileNotFoundError(f"not found in {root}: {', '.join(missing)}")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in RUNTIME_FILES:
        shutil.copy2(root / name, out / name)
    for name in RUNTIME_DIRS:
        shutil.copytree(root / name, out / name, ignore=SKIP)
    requirements = (out / "requirements.txt").read_text(encoding="utf-8").rstrip("\n")
    (out / "requirements.txt").write_text(
        requirements + "\n# Added by deployment/build_webapp.py: the transitive pins.\n-c constraints.txt\n",
        encoding="utf-8",
    )
    return out


def zip_folder(folder: Path, target: Path) -> Path:
    """Zip the folder's contents (not the folder itself) for ``az webapp deploy --type zip``."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
    return target


def main() -> int:
    try:
        folder = stage()
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    archive = zip_folder(folder, BUILD / "webapp.zip")
    print(f"staged {folder}\nwrote {archive}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
