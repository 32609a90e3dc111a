"""Our sentence splitter (medora.text.sentences) against pysbd and syntok on real passages (issue #11).

Takes 300 passages as the readers make them (200 MedQuAD answers, 100 NCI PDQ passages, a fixed random
draw), splits each paragraph with the three splitters, and prints the time each takes and where their
sentence boundaries agree. `--show` prints every boundary only one side draws, to judge by eye.

    pip install pysbd==0.3.4 syntok==1.4.4     # only for this measurement; Medora does not depend on them
    python bench/sentence_split.py [--show]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from medora.corpus.medquad import read_medquad
from medora.corpus.nci import read_nci
from medora.errors import MedoraError
from medora.settings import REPO_DIR
from medora.text import PARAGRAPH_BREAK, SENTENCE_END, clean_ws

CORPUS = REPO_DIR.parent / "shared" / "data" / "corpus"


def sample(n_medquad: int = 200, n_nci: int = 100, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    texts: list[str] = []
    for folder, reader, want in ((CORPUS / "medquad", read_medquad, n_medquad), (CORPUS / "nci", read_nci, n_nci)):
        files = sorted(folder.rglob("*.xml" if reader is read_medquad else "*.md"))
        rng.shuffle(files)
        got = 0
        for f in files:
            try:
                passages = [p.text for p in reader(f).passages if len(p.text) > 300]
            except (MedoraError, ValueError):
                continue
            if passages:
                texts.append(rng.choice(passages))
                got += 1
            if got >= want:
                break
    return texts


def ours(p: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(p) if s.strip()]


def splitters() -> dict[str, Callable[[str], list[str]]]:
    import pysbd
    from syntok import segmenter

    seg = pysbd.Segmenter(language="en", clean=False)

    def with_pysbd(p: str) -> list[str]:
        return [s.strip() for s in seg.segment(p) if s.strip()]

    def with_syntok(p: str) -> list[str]:
        out = ["".join(t.spacing + t.value for t in sent).strip() for para in segmenter.analyze(p) for sent in para]
        return [s for s in out if s]

    return {"ours": ours, "pysbd": with_pysbd, "syntok": with_syntok}


def boundaries(p: str, sents: list[str]) -> set[int]:
    """Offsets in p where a sentence other than the first starts."""
    out, pos = set(), 0
    for i, s in enumerate(sents):
        k = p.find(s, pos)
        k = k if k >= 0 else max(p.find(s[:20], pos), pos)
        if i:
            out.add(k)
        pos = k + max(1, len(s) - 5)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", action="store_true", help="print every boundary only one splitter draws")
    args = ap.parse_args()
    texts = sample()
    paras = [q for t in texts for q in (clean_ws(x.replace("\n", " ")) for x in PARAGRAPH_BREAK.split(t)) if q]
    print(f"{len(texts)} passages, {len(paras)} paragraphs, {sum(map(len, paras)):,} characters")
    found = {}
    for name, split in splitters().items():
        t0 = time.perf_counter()
        found[name] = [split(p) for p in paras]
        ms = (time.perf_counter() - t0) * 1000
        print(f"{name:7} {sum(map(len, found[name])):5} sentences  {ms:7.0f} ms")
    ours_b = [boundaries(p, s) for p, s in zip(paras, found["ours"], strict=True)]
    for other in ("pysbd", "syntok"):
        theirs = [boundaries(p, s) for p, s in zip(paras, found[other], strict=True)]
        agree = sum(len(a & b) for a, b in zip(ours_b, theirs, strict=True))
        only_ours = [(i, k) for i, (a, b) in enumerate(zip(ours_b, theirs, strict=True)) for k in sorted(a - b)]
        only_theirs = [(i, k) for i, (a, b) in enumerate(zip(ours_b, theirs, strict=True)) for k in sorted(b - a)]
        print(f"ours vs {other}: {agree} boundaries agree, {len(only_ours)} only ours, {len(only_theirs)} only {other}")
        if args.show:
            for label, cases in (("only ours", only_ours), (f"only {other}", only_theirs)):
                print(f"--- {label}")
                for i, k in cases:
                    print(f"{paras[i][max(0, k - 45) : k]!r} || {paras[i][k : k + 30]!r}")


if __name__ == "__main__":
    main()
