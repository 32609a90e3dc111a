"""The wording reader: hashed character n-grams scored per head, in any script."""

from __future__ import annotations

import random

import numpy as np
import pytest

from medora.training.triage import fit_ratios, fold_split, stacked_wording, wording_scores
from medora.triage.wording import BUCKETS, Wording, grams, raw_scores

pytestmark = pytest.mark.unit


def test_grams_are_stable_distinct_and_case_blind_in_any_script() -> None:
    a = grams("Sin que se entere")
    assert a.dtype == np.int64 and len(a) == len(set(a.tolist())) and a.min() >= 0 and a.max() < BUCKETS
    assert set(a.tolist()) == set(grams("sin  que se ENTERE").tolist())  # case and spacing do not matter
    assert len(grams("不知不觉地放进他的饮料里")) > 10  # characters, not only words
    assert len(grams("")) == 0 and raw_scores(np.ones((4, BUCKETS)), np.zeros(0, dtype=np.int64)).tolist() == [0] * 4


def test_ratios_favour_the_words_of_the_positives() -> None:
    texts = ["sin que se entere"] * 5 + ["dolor de cabeza"] * 5
    targets = np.array([[1.0]] * 5 + [[0.0]] * 5)
    ratios = fit_ratios([grams(t) for t in texts], targets)
    assert raw_scores(ratios, grams("sin que lo sepa y sin que se entere")) > 0
    assert raw_scores(ratios, grams("me duele la cabeza")) < 0
    wording = Wording(ratios, np.zeros(1), np.ones(1))
    assert wording.scores("que se entere").dtype == np.float32


def test_stacked_scores_never_see_their_own_label() -> None:
    # labels drawn at random: only a row scored by ratios that saw its own label (its own n-grams) can tell the
    # classes apart (fitted on all rows the gap is 2.8; out of fold -0.09)
    rng = random.Random(0)
    texts = [f"unique{i} words" for i in range(40)]
    targets = np.array([[float(rng.random() < 0.5)] for _ in range(40)])
    ids = [grams(t) for t in texts]
    oof = wording_scores(ids, targets, list(range(40)))
    assert oof.shape == (40, 1)
    assert abs(oof[targets[:, 0] == 1].mean() - oof[targets[:, 0] == 0].mean()) < 0.5
    folds = stacked_wording(ids, targets, np.zeros(1), np.ones(1))
    assert [(len(tr), len(te)) for tr, te in folds] == [(len(a), len(b)) for a, b in fold_split(40)]
