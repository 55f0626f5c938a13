"""``--write-baseline FILE`` / ``--baseline FILE``: known findings recorded by fingerprint
(:meth:`Finding.fingerprint`: never the line), so moving code does not bring them back."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from djstate import __version__
from djstate.findings import Finding


class BaselineError(Exception):
    pass


def write(path: Path, findings: list[Finding]) -> None:
    data = {
        "djstate": __version__,
        "fingerprints": dict(sorted(Counter(f.fingerprint() for f in findings).items())),
        # for people reading the file; only the fingerprints are used
        "findings": [{"fingerprint": f.fingerprint(), "code": f.code, "path": f.path, "message": f.message} for f in findings],
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def read(path: Path) -> Counter:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        counts = data["fingerprints"]
        if not isinstance(counts, dict) or not all(isinstance(v, int) for v in counts.values()):
            raise TypeError("fingerprints must map to counts")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BaselineError(f"{path}: not a djstate baseline ({exc})") from exc
    return Counter(counts)


def subtract(findings: list[Finding], known: Counter) -> tuple[list[Finding], int]:
    """The findings not in the baseline (as many of each fingerprint as it recorded are hidden)."""
    left = Counter(known)
    kept = []
    for f in findings:
        fp = f.fingerprint()
        if left[fp] > 0:
            left[fp] -= 1
        else:
            kept.append(f)
    return kept, len(findings) - len(kept)
