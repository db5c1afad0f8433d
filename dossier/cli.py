"""The `dossier` command: parses arguments, runs a pipeline, turns problems into exit codes.

Exit codes: 0 success, 1 content errors (printed as `path:line: message`), 2 usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import ContentError, Problem
from .progress import Progress

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130



class UsageError(Exception):
    """A command was called in a way that cannot work (exit 2)."""


def _display(path: str) -> str:
    """A path as the user typed it, made relative to the working folder when possible."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return relative if not relative.startswith("..") else os.path.abspath(path)


def cmd_check(args: argparse.Namespace) -> int:
    from .pipeline import check

    checked = check(Path(args.content), _display(args.content))
    c = checked.content
    print(
        f"{_display(args.content)}: ok — {len(c.articles)} articles, {len(c.sources)} sources, "
        f"{len(c.claims)} claims, {len(c.entities)} entities"
    )
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    import time

    from .pipeline import build

    started = time.perf_counter()
    with Progress(sys.stderr) as progress:
        built = build(Path(args.content), Path(args.out), _display(args.content), stage=progress)
    report = built.report
    elapsed = (time.perf_counter() - started) * 1000
    reused = f"; {built.reused} of {built.pages} pages reused from the last build" if built.reused else ""
    print(
        f"built {_display(args.out)}: {len(report.written)} written, {report.unchanged} unchanged, "
        f"{len(report.removed)} removed in {elapsed:.0f} ms{reused}"
    )
    return EXIT_OK


def cmd_pdf(args: argparse.Namespace) -> int:
    import time

    from .pipeline import build

    try:
        import weasyprint  # noqa: F401  (fails here, not halfway, when WeasyPrint or Pango is missing)
    except (ImportError, OSError) as err:
        raise UsageError(f"WeasyPrint is not usable here ({err}); `pip install -e .` installs it") from err
    from .pdf import link_overview, pdf_document, write_pdf

    started = time.perf_counter()
    out = Path(args.out)
    with Progress(sys.stderr) as progress:  # the PDF needs the checked content: no reuse
        built = build(Path(args.content), out, _display(args.content), reuse=False, stage=progress)
        assert built.checked is not None
        content = built.checked.content
        progress("printing the PDF")
        document = pdf_document(out, content)
        path = write_pdf(out, content, document)
        link_overview(out, built.checked, Path(args.content))
    elapsed = (time.perf_counter() - started) * 1000
    pages = len(document.pages)
    print(f"wrote {_display(str(path))}: {pages} page{'s' if pages != 1 else ''} in {elapsed:.0f} ms")
    return EXIT_OK


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import run_bench, table, write_json

    if args.articles < 10 or not 1 <= args.languages <= 8 or args.repeat < 1:
        raise UsageError("--articles must be at least 10, --languages 1 to 8, --repeat at least 1")
    result = run_bench(args.articles, args.languages, args.seed, args.repeat, Path(args.keep) if args.keep else None)
    print(table(result))
    if args.json:
        write_json(result, Path(args.json))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from .importer import import_capture

    result = import_capture(
        Path(args.capture),
        Path(args.content),
        source=args.source,
        language=args.language,
        story=args.story,
        translation_of=args.translation_of,
        article_id=args.id,
        title=args.title,
        captured=args.captured,
        force=args.force,
    )
    print(f"wrote {_display(str(result.article_path))} and {_display(str(result.capture_path))}")
    for line in result.removed:
        print(f"  removed chrome: {line}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import run

    try:
        return run(
            Path(args.content),
            Path(args.out),
            host=args.host,
            port=args.port,
            base_path=args.base_path,
            open_browser=args.open,
            display=_display(args.content),
        )
    except ValueError as err:
        raise UsageError(str(err)) from err
    except OSError as err:  # the port is taken, the host is not ours, ...
        raise UsageError(f"cannot serve on {args.host}:{args.port}: {err.strerror or err}") from err


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0-65535): {text!r}")
    return int(text)


def cmd_new(args: argparse.Namespace) -> int:
    from .scaffold import CONTENT, ScaffoldError, scaffold

    try:
        made = scaffold(Path(args.dir))
    except ScaffoldError as err:
        raise UsageError(str(err)) from err
    where = _display(args.dir)
    print(f"created {where}/ with an example dossier in {where}/{CONTENT}/:")
    for name in made.files:
        print(f"  {name}")
    print(f"next:\n  cd {where}\n  dossier serve    # build, serve on http://127.0.0.1:8000/, rebuild on every save")
    print(f"then replace the example in {CONTENT}/ with your own, and run `dossier check` after each change")
    return EXIT_OK


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", default="content", metavar="DIR", help="content folder (default: content)")
    parser.add_argument("--out", default="_site", metavar="DIR", help="output folder (default: _site)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dossier",
        description="Build a checkable static site from a curated dossier of news articles.",
    )
    parser.add_argument("--version", action="version", version=f"dossier {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("build", help="build the site into the output folder")
    _common(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("check", help="load, validate and analyse the content; write nothing")
    _common(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("serve", help="build, serve on 127.0.0.1 and rebuild on every change")
    _common(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=_port, default=8000, help="port (default: 8000; 0 picks a free one)")
    p.add_argument("--base-path", default="/", metavar="PATH",
                   help="serve under this path, like a GitHub Pages project site (e.g. /repo/; default: /)")
    p.add_argument("--open", action="store_true", help="open the site in the default web browser")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("pdf", help="render the print page to dossier.pdf in the output folder")
    _common(p)
    p.set_defaults(func=cmd_pdf)

    p = sub.add_parser("import", help="turn a raw captured article into an article skeleton")
    _common(p)
    p.add_argument("capture", metavar="CAPTURE", help="the captured text file")
    p.add_argument("--source", required=True, metavar="ID", help="source id of the outlet")
    p.add_argument("--language", required=True, metavar="LANG", help="language code, e.g. en")
    p.add_argument("--story", metavar="ID", help="story id shared by language versions")
    p.add_argument("--translation-of", metavar="ID", help="article id this one translates")
    p.add_argument("--id", metavar="ID", help="article id (default: from the title)")
    p.add_argument("--title", help="title (default: detected from the capture)")
    p.add_argument("--captured", metavar="DATE", help="capture date (default: today)")
    p.add_argument("--force", action="store_true", help="overwrite an existing article and capture")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("bench", help="benchmark builds on a synthetic dossier",
                       description="Generate a synthetic dossier deterministically and time cold, no-op and "
                       "one-edit builds (medians), peak memory, and Pagefind alone on the same output.")
    p.add_argument("--articles", type=int, default=1000, metavar="N", help="articles to generate (default: 1000)")
    p.add_argument("--languages", type=int, default=3, metavar="L", help="languages, 1-8 (default: 3)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default: 1)")
    p.add_argument("--repeat", type=int, default=3, metavar="R", help="runs per measurement (default: 3)")
    p.add_argument("--keep", metavar="DIR", help="keep the generated content and site in DIR")
    p.add_argument("--json", metavar="FILE", help="also write the medians as JSON")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("new", help="create DIR with a small example dossier to start from",
                       description="Create DIR (new or empty) with an example dossier in DIR/content/: one source, "
                       "one article with its capture, two claims, one entity. Then `cd DIR && dossier serve`.")
    p.add_argument("dir", metavar="DIR", help="the folder to create")
    p.set_defaults(func=cmd_new)
    return parser


def print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
    count = len(problems)
    print(f"{count} problem{'s' if count != 1 else ''} found", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ContentError as err:
        print_problems(err.problems)
        return EXIT_CONTENT
    except UsageError as err:
        print(f"dossier {args.command}: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("dossier: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
