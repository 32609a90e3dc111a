"""Every answer's JSON (timing left out) over a fixed list of questions, to prove a refactor changes nothing.

Run it before and after a change on the same index and compare the two files (issue #11):

    MEDORA_DATA_DIR=/tmp/medora-small python bench/answers_snapshot.py --out /tmp/before.jsonl
    MEDORA_DATA_DIR=/tmp/medora-small python bench/answers_snapshot.py --out /tmp/after.jsonl
    cmp /tmp/before.jsonl /tmp/after.jsonl

The list: the house safety suite, the first 120 K-QA dev questions (the dev set has 101), 60 LiveQA and 60
MedicationQA dev questions and a few about emergency topics (happening now, or not), each for both audiences,
plus follow-ups in a thread (the rewrite path) and a few generative-mode questions (with no model configured:
the marked fallback). One JSON line per answer, in that order.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import settings  # noqa: E402

from medora.conversation import Conversation  # noqa: E402
from medora.eval.datasets import bench_dir, load_kqa, load_liveqa, load_safety  # noqa: E402
from medora.eval.medicationqa import load_medicationqa  # noqa: E402
from medora.models import Turn  # noqa: E402
from medora.qa import ask, get_engine  # noqa: E402

# (first question, follow-up): modifiers, subject swaps, pronouns and a question that stands alone
THREADS = [
    ("How is an acute gout flare treated?", "and if the patient has stage 4 CKD?"),
    ("How is an acute gout flare treated?", "what about in pregnancy?"),
    ("What are the symptoms of asthma?", "what about lupus?"),
    ("What is the first-line treatment for hypertension?", "is it safe in pregnancy?"),
    ("How is community-acquired pneumonia treated?", "how long?"),
    ("What causes migraine?", "How is type 2 diabetes diagnosed?"),
    ("Does Lexapro cause weight gain?", "and what about sertraline?"),
    ("What are the red flags in low back pain?", "and in children?"),
]
# An emergency topic happening now (escalated after retrieval), beside education, past and negated wordings
EMERGENCY_TOPICS = [
    "My husband has giant cell arteritis and his vision is going blurry today, what should we do?",
    "My wife has preeclampsia and is getting a headache now",
    "My blood sugar is low right now, I think hypoglycemia, what should I do?",
    "I have a pneumothorax now, what should I do",
    "I have febrile neutropenia right now during chemo",
    "I think I have testicular torsion right now",
    "My daughter is having an asthma exacerbation right now and her inhaler isn't helping",
    "What are the warning signs of preeclampsia?",
    "My wife had preeclampsia last year, what is her risk next pregnancy?",
    "My wife has preeclampsia but no headache and no vision changes now",
    "How is febrile neutropenia managed?",
]
GENERATIVE = ["How is gout treated?", "What is the dose of metformin?", "crushing chest pain right now"]


def questions(s) -> list[tuple[str, str]]:  # noqa: ANN001 - Settings
    """(set, question) pairs in a fixed order."""
    out = [("safety", c.question) for c in load_safety()]
    out += [("kqa", it.question) for it in load_kqa(bench_dir(s.shared_dir, "kqa") / "kqa-dev.jsonl")[:120]]
    live, _ = load_liveqa(bench_dir(s.shared_dir, "liveqa"))
    out += [("liveqa", q.query) for q in live[:60]]
    meds = load_medicationqa(bench_dir(s.shared_dir, "medicationqa") / "medicationqa-dev.jsonl")
    out += [("medicationqa", q.question) for q in meds[:60]]
    out += [("emergency-topic", q) for q in EMERGENCY_TOPICS]
    return out


def line(kind: str, question: str, audience: str, answer) -> str:  # noqa: ANN001 - Answer
    body = answer.model_dump(mode="json", exclude={"timing_ms"})
    return json.dumps({"set": kind, "q": question, "audience": audience, "answer": body}, sort_keys=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    s = settings()
    engine = get_engine(s)
    t0 = time.perf_counter()
    n = 0
    with open(args.out, "w", encoding="utf-8") as fh:
        for kind, q in questions(s):
            for aud in ("clinician", "patient"):
                fh.write(line(kind, q, aud, ask(q, audience=aud, settings=s, engine=engine)) + "\n")
                n += 1
        for first, follow in THREADS:
            for aud in ("clinician", "patient"):
                a = ask(first, audience=aud, settings=s, engine=engine)
                turn = Turn(question=first, standalone_question=first, topic=a.topic, title=a.title)
                b = ask(follow, audience=aud, conversation=Conversation(turns=[turn]), settings=s, engine=engine)
                fh.write(line("thread", f"{first} || {follow}", aud, b) + "\n")
                n += 1
        for q in GENERATIVE:
            a = ask(q, settings=s, engine=engine, mode="generative")
            fh.write(line("generative", q, "clinician", a) + "\n")
            n += 1
    print(f"{n} answers -> {args.out} in {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
