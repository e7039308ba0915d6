"""Export a generated 1,000-object board to SVG, PNG (~4,000 px wide) and PDF.

Prints wall time and peak memory per format and writes bench/results/export.json.
Peak memory is the process's peak RSS growth during the step (ru_maxrss, which
includes resvg's native buffers) and tracemalloc's peak for Python allocations.
Time is measured without tracemalloc (it slows Python code down); its peak comes
from a second, untimed run. Each step runs in a fresh subprocess so that one
step's peak does not hide another's.
Target: each under 3 s and under 500 MB.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "render"))

TARGET_SECONDS = 3.0
TARGET_MB = 500.0


def _step(fmt: str, queue: mp.Queue) -> None:
    from sample import big_board

    from server.domain import geometry
    from server.domain.render.pdf import render_pdf
    from server.domain.render.png import render_png
    from server.domain.render.svg import render_svg
    from server.files import install_fonts

    install_fonts()  # the font files are read here; parsing them is still in the timed call
    board, assets = big_board(1000)
    x0, _, x1, _ = geometry.bounds(board["objects"])
    scale = 4000 / (x1 - x0 + 80)
    render = {"svg": render_svg, "png": render_png, "pdf": render_pdf}[fmt]
    kw = {"scale": scale} if fmt == "png" else {}
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()  # cold: fonts are parsed inside the timed call
    out = render(board, assets=assets, **kw)
    seconds = time.perf_counter() - start
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()  # a second, untimed run: tracemalloc slows Python code down
    render(board, assets=assets, **kw)
    _, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result = {
        "format": fmt,
        "objects": len(board["objects"]),
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(rss1 / 1024, 1),
        "rss_growth_mb": round((rss1 - rss0) / 1024, 1),
        "python_peak_mb": round(py_peak / 2**20, 1),
        "bytes": len(out),
    }
    if fmt == "png":
        from io import BytesIO

        from PIL import Image

        result["pixels"] = list(Image.open(BytesIO(out)).size)
    queue.put(result)


def main() -> None:
    ctx = mp.get_context("spawn")
    results = []
    for fmt in ("svg", "png", "pdf"):
        queue = ctx.Queue()
        proc = ctx.Process(target=_step, args=(fmt, queue))
        proc.start()
        res = queue.get()
        proc.join()
        res["ok"] = res["seconds"] < TARGET_SECONDS and res["peak_rss_mb"] < TARGET_MB
        results.append(res)
        size = f" {res['pixels'][0]}x{res['pixels'][1]} px" if "pixels" in res else ""
        print(
            f"{fmt:4} {res['seconds']:6.2f} s  peak RSS {res['peak_rss_mb']:6.1f} MB "
            f"(+{res['rss_growth_mb']:.1f} MB during export, Python peak "
            f"{res['python_peak_mb']:.1f} MB)  {res['bytes'] / 1e6:.1f} MB output{size}"
            f"  {'OK' if res['ok'] else 'OVER TARGET'}"
        )
    out = ROOT / "bench" / "results" / "export.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "targets": {"seconds": TARGET_SECONDS, "mb": TARGET_MB},
    }
    out.write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
