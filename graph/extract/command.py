"""``aikg extract``: an article (a news page saved as text) → a candidate fact file to review."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

EXIT_CODES = (
    "Exit codes: 0 the fact file was written (warnings, such as no facts found or a text cut short, go to stderr); "
    "1 the work failed (cannot read the article or write the output, no store); "
    "2 invalid input (not a text file, a bad option); a fact file holding only the source is still written."
)


def extract(
    article: Annotated[Path, typer.Argument(help="The article: a text file (UTF-8, Shift_JIS or EUC-JP), or - for stdin.")],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="The fact file to write (YAML); default: stdout.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="auto, ja or en.")] = "auto",
    published: Annotated[Optional[str], typer.Option("--published", help="Publication date (YYYY-MM-DD, YYYY-MM, YYYY): relative dates are resolved against it.")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="The headline, if the page's is not the first line.")] = None,
    publisher: Annotated[Optional[str], typer.Option("--publisher", help="The publisher's slug or name (a new one is proposed as new).")] = None,
    url: Annotated[Optional[str], typer.Option("--url", help="Where the article was published.")] = None,
    entities_from: Annotated[list[Path], typer.Option("--entities-from", help="Fact files or folders whose entities are the known ones (repeatable). Default: the store's entities if it exists, else the bundled facts.")] = [],
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON (as POST /extract returns) instead of YAML.")] = False,
    store: Annotated[Optional[str], typer.Option("--store", help="Store whose entities are the known ones. Default: $AIKG_STORE, else $AIKG_HOME/store, else the XDG data dir, if it exists.")] = None,
) -> None:
    """Propose the facts of a news article as a fact file to review, then build with `aikg build --data FILE`.

    Entities (known by slug, new ones marked new), relations and events, each with a confidence and its sentence.
    """
    from graph.cli import _progress, err, fail
    from graph.extract.extractor import LANGUAGES, extract_article
    from graph.extract.reading import NotText, decode_article

    if lang not in LANGUAGES:
        fail(f"--lang {lang!r}: choose auto, ja or en", 2)
    known = _known_entities(entities_from, store)
    name = "stdin" if str(article) == "-" else str(article)
    try:
        data = sys.stdin.buffer.read() if str(article) == "-" else article.read_bytes()
    except OSError as exc:
        fail(f"{name}: cannot read: {exc.strerror or exc}", 1)
    code = 0
    try:
        text = decode_article(data)
    except NotText as exc:
        err.print(f"aikg: {name}: {exc}", markup=False)
        text, code = "", 2
    if code == 0 and not text.strip():
        err.print(f"aikg: {name}: the file is empty: no facts to extract", markup=False)
    try:
        with _progress() as progress:
            task = progress.add_task("read the article", total=4)
            extraction = extract_article(text, lang=lang, published=published, title=title, publisher=publisher, url=url,
                                         known=known, step=lambda s: progress.update(task, advance=1, description=s))
    except ValueError as exc:
        fail(f"--published: {exc}", 2)
    for warning in extraction.warnings:
        if text.strip() or "no facts found" not in warning and "no article body" not in warning:
            err.print(f"aikg: {name}: {warning}", markup=False)
    body = json.dumps(extraction.facts, ensure_ascii=False, indent=2, default=str) + "\n" if as_json else extraction.yaml(name)
    try:
        if output is None:
            sys.stdout.write(body)
        else:
            output.write_text(body, encoding="utf-8")
    except OSError as exc:
        fail(f"{output}: cannot write: {exc.strerror or exc}", 1)
    c = extraction.counts
    if output is not None:
        err.print(f"Wrote {output}: {c['entities']} entities ({c['new']} new), {c['relations']} relations, {c['events']} events.",
                  markup=False, highlight=False)
    raise typer.Exit(code)


def _known_entities(paths: list[Path], store: str | None):  # type: ignore[no-untyped-def]
    """Entities from the given fact files, else the store (if it exists or was named), else the bundled facts (None)."""
    from graph.cli import fail
    from graph.extract.entities import known_from_fact_files, known_from_store
    from graph.facts import FactFileError
    from graph.store import MEMORY, StoreError, open_store, resolve_location

    if paths:
        try:
            return known_from_fact_files(paths)
        except FactFileError as exc:
            fail([str(e) for e in exc.errors], 2)
    location = resolve_location(store)
    if location == MEMORY or (store is None and not Path(location).exists()):
        return None  # the bundled facts
    try:
        s = open_store(location, read_only=True)
    except StoreError as exc:
        fail(str(exc), 1)
    try:
        return known_from_store(s) or None
    finally:
        s.close()


extract.__doc__ = f"{extract.__doc__}\n\n{EXIT_CODES}"
