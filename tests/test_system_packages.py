"""`make test` checks the system packages the suite drives before running it (tests/system_packages.sh)."""

from __future__ import annotations

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).parent / "system_packages.sh"


def run_with(tmp_path: Path, commands: list[str], uid: int) -> subprocess.CompletedProcess:
    """The script on a PATH holding only ``commands`` (empty scripts) and an ``id`` that says ``uid``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in commands:
        (bin_dir / name).write_text("#!/bin/sh\n")
        (bin_dir / name).chmod(0o755)
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (bin_dir / "id").chmod(0o755)
    return subprocess.run(
        ["/bin/bash", str(SCRIPT)], env={"PATH": str(bin_dir)}, capture_output=True, text=True, timeout=30
    )


def test_a_machine_without_the_packages_is_told_in_one_line_what_to_install(tmp_path):
    run = run_with(tmp_path, ["dot"], uid=1000)
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "chromium" in lines[0] and "git-lfs" in lines[0] and "graphviz" not in lines[0]
    assert "apt-get install -y" in lines[0]


def test_a_machine_with_every_package_goes_on_silently(tmp_path):
    run = run_with(tmp_path, ["chromium", "dot", "git-lfs"], uid=1000)
    assert (run.returncode, run.stderr) == (0, "")
