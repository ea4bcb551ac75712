"""The use cases: poll a source, process an entry, reprocess an article, analyse a document.

The CLI, the web app, the in-process runner and the distributed workers all call these.
"""

from broadsheet.pipeline.analysis import (
    MODELS_VERSION,
    CorpusLinker,
    analysis_json,
    analyze_corpus,
    analyze_draft,
    analyze_page,
    analyze_record,
    section_hints,
)
from broadsheet.pipeline.batch import IngestReport, drain, ingest_source
from broadsheet.pipeline.context import Context, make_context, make_fetcher
from broadsheet.pipeline.entries import EntryOutcome, process_entry, reprocess, store_article
from broadsheet.pipeline.polling import PollReport, discover_entries
from broadsheet.pipeline.sources import (
    Added,
    SourceError,
    add_folder,
    add_source,
    export_opml,
    import_opml,
)

__all__ = [
    "MODELS_VERSION",
    "Added",
    "Context",
    "CorpusLinker",
    "EntryOutcome",
    "IngestReport",
    "PollReport",
    "SourceError",
    "add_folder",
    "add_source",
    "analysis_json",
    "analyze_corpus",
    "analyze_draft",
    "analyze_page",
    "analyze_record",
    "discover_entries",
    "drain",
    "export_opml",
    "import_opml",
    "ingest_source",
    "make_context",
    "make_fetcher",
    "process_entry",
    "reprocess",
    "section_hints",
    "store_article",
]
