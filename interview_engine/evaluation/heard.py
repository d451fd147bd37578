"""Spoken answers: a term counts as covered only where the transcriber heard it with reasonable confidence.

The service passes `heard`, the transcript with every word heard below a probability blanked out. Terms
the answer names only in such words (tiny.en's "circuit makers" for "circuit breakers", a term the job's
hotwords pulled in) are taken out of the coverage the rules read, and listed as unclear in the evidence.
The rules themselves do not change.
"""
from __future__ import annotations

import re
from typing import List

from ..lexicon import flat_skills
from ..text import content_stems, stem
from .features import Features


def keep_heard(f: Features, heard: str) -> List[str]:
    """Restrict `f`'s skills, targets covered and question terms to what `heard` holds; returns the rest."""
    skills = set(flat_skills(heard))
    stems = set(content_stems(heard))
    lowered = heard.lower()

    def heard_target(t: str) -> bool:
        return t in skills or stem(t) in stems or bool(re.search(r"(?<![a-z])" + re.escape(t) + r"(?![a-z])", lowered))

    unclear: List[str] = []
    for t in [s for s in f.skills if s not in skills] + [t for t in f.targets_covered if not heard_target(t)] + \
            [s for s in f.covered_question_terms if s not in stems]:
        if t not in unclear:
            unclear.append(t)
    f.skills = [s for s in f.skills if s in skills]
    f.targets_covered = [t for t in f.targets_covered if heard_target(t)]
    f.covered_question_terms = [s for s in f.covered_question_terms if s in stems]
    return unclear
