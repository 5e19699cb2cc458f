"""How long ``grade`` takes to read a platform export before grading starts: a Canvas zip
of N students (a solved notebook and a PDF each) unpacked, checked, discovered and copied
to grade, then the same again (the copies kept). Prints seconds; the grading itself takes
about 30 s a notebook, so reading should stay a small share of it.

    .venv/bin/python benchmarks/intake_speed.py [--students 300]
"""
import argparse
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assignment.grade import intake  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    args = parser.parse_args()
    notebook = (ROOT / "tests" / "submissions" / "all_correct.ipynb").read_bytes()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        archive = folder / "canvas.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
            for i in range(args.students):
                handle.writestr(f"student{i}_{1000 + i}_{5000 + i}_Transformer.ipynb", notebook)
                handle.writestr(f"student{i}_{1000 + i}_{6000 + i}_report.pdf", b"%PDF" * 5000)
        print(f"{args.students} students, archive {archive.stat().st_size / 2 ** 20:.1f} MiB, "
              f"notebook {len(notebook) >> 10} KiB")
        for label in ("first read", "second read"):
            started = time.monotonic()
            submissions = intake.collect(archive, folder / "grades")
            print(f"{label}: {time.monotonic() - started:.2f} s for {len(submissions)} submissions")


if __name__ == "__main__":
    main()
