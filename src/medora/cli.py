"""The `medora` command: ingest, ask, kb, serve, user, eval, purge, backup, restore."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

from medora import __version__
from medora.errors import MedoraError
from medora.settings import Settings, get_settings


def _settings(args: argparse.Namespace) -> Settings:
    base = get_settings()
    if getattr(args, "data_dir", None):
        return base.model_copy(update={"data_dir": Path(args.data_dir)})
    return base


def ensure_index(settings: Settings, quiet: bool = False) -> None:
    """Build the embedded default index if there is none yet (knowledge base + shared corpora)."""
    from medora.index.store import current_dir
    from medora.ingest import default_paths, ingest

    if current_dir(settings.index_dir) is not None:
        return
    paths = default_paths(settings)
    print(f"No index yet in {settings.index_dir}; building it from: " + ", ".join(map(str, paths)), file=sys.stderr)
    report = ingest(paths, settings, progress=not quiet)
    print(report.summary(), file=sys.stderr)


def cmd_ingest(args: argparse.Namespace) -> int:
    from medora.ingest import default_paths, ingest

    settings = _settings(args)
    paths = [Path(p) for p in args.paths] or default_paths(settings)
    if args.rebuild and args.paths:  # a rebuild is of the whole index: the defaults, these paths, the user's own
        paths = [*default_paths(settings), *paths]
    report = ingest(paths, settings, rebuild=args.rebuild, progress=not args.quiet)
    print(report.summary())
    return 0 if not report.rejected else 3


def cmd_backup(args: argparse.Namespace) -> int:
    from medora.backup import backup

    print(backup(Path(args.file), _settings(args)).summary())
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from medora.backup import restore

    settings = _settings(args)
    manifest = restore(Path(args.file), settings)
    print(
        f"restored {len(manifest['files'])} files from {args.file} (written {manifest['created_at']} "
        f"by medora {manifest['medora_version']}) into {settings.data_dir}"
    )
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from medora.editorial import ask_reviewed
    from medora.render import to_markdown, to_text

    settings = _settings(args)
    question = " ".join(args.question) if args.question else sys.stdin.read()
    ensure_index(settings, quiet=args.quiet)
    answer = ask_reviewed(
        question, audience=args.audience, settings=settings, library=_library(settings), mode=args.mode
    )
    if args.format == "json":
        print(json.dumps(answer.to_json_dict(), indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        print(to_markdown(answer))
    else:
        print(to_text(answer))
    return 0


def _library(settings: Settings):  # noqa: ANN202 - ReviewStore | None
    """The review store, if this installation has a database: approved articles answer directly."""
    from medora.db import database_url

    url = database_url(settings)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None  # nothing was ever reviewed here; do not create a database just to ask
    from medora.review import open_review

    return open_review(settings)


def _read_password(args: argparse.Namespace) -> str:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (12 characters or more): ")
    if getpass.getpass("Again: ") != first:
        raise MedoraError("the two passwords differ", hint="Run the command again.")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    import getpass
    import socket

    from medora.review import open_review

    review = open_review(_settings(args))
    actor = f"cli:{getpass.getuser()}@{socket.gethostname()}"
    if args.action == "add":
        user = review.add_user(args.username, _read_password(args), args.role, args.name, actor=actor)
        print(f"added {user.username} ({user.role.value}): {user.display_name}")
    elif args.action == "passwd":
        review.set_password(args.username, _read_password(args), actor=actor)
        print(f"password changed for {args.username}; their open sessions were ended")
    elif args.action in ("disable", "enable"):
        review.set_active(args.username, args.action == "enable", actor=actor)
        print(f"{args.username} {args.action}d")
    elif args.action == "log":
        for e in review.account_log(args.username):
            print(f"{e['at']:%Y-%m-%d %H:%M:%S}  {e['username']:20} {e['action']:8} {e['actor']}  {e['detail']}")
    else:
        for u in review.list_users():
            print(f"{u.username:20} {u.role.value:9} {'active' if u.active else 'disabled':9} {u.display_name}")
    return 0


def cmd_kb(args: argparse.Namespace) -> int:
    from medora.corpus.kbcheck import check, report, stale

    root = Path(args.dir) if args.dir else get_settings().knowledge_dir
    if args.action == "stale":
        return stale(root, max_age_years=args.max_age)
    if args.action == "check":
        code = check(root)
        print("knowledge base OK" if code == 0 else "knowledge base has problems")
        return code
    report(root)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from medora.eval.run import run_suite

    settings = _settings(args)
    if args.suite != "speed":  # speed times a cold start, which must not include building an index
        ensure_index(settings, quiet=True)
    command = " ".join(
        [
            "medora",
            *(["--data-dir", args.data_dir] if args.data_dir else []),
            "eval",
            args.suite,
            *(["--limit", str(args.limit)] if args.limit else []),
        ]
    )
    result, report = run_suite(
        args.suite, settings, out_root=Path(args.out), limit=args.limit, command=command, progress=not args.quiet
    )
    print(f"{args.suite}:")
    for line in result.summary_lines():
        print(f"  {line}")
    print(f"report: {report}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from medora.web.app import create_app
    from medora.web.serving import REQUESTS_PER_CONNECTION, run_workers, uvicorn_options

    settings = _settings(args)
    ensure_index(settings)
    web = settings.web
    if args.workers > 1 and "MEDORA_THREADS" not in os.environ:
        # one onnxruntime pool per worker, together no more threads than cores (bench/load.py: less CPU per answer)
        os.environ["MEDORA_THREADS"] = str(max(1, (os.cpu_count() or 1) // args.workers))
        settings = settings.model_copy(update={"threads": int(os.environ["MEDORA_THREADS"])})
    if args.workers > 1 and "MEDORA_WEB__REQUESTS_PER_CONNECTION" not in os.environ:
        # keep-alive connections reopened every few requests, so the workers share them (bench/load.py, #14)
        os.environ["MEDORA_WEB__REQUESTS_PER_CONNECTION"] = str(REQUESTS_PER_CONNECTION)
    if args.workers <= 1:
        uvicorn.run(create_app(settings, web), host=args.host, port=args.port, **uvicorn_options(web))
        return 0
    # Several processes over one database and index (#14): each worker builds its own app from the
    # environment, so --data-dir travels to them as MEDORA_DATA_DIR. Migrate once here, before they start:
    # two workers migrating a new database at the same time both try to create its tables.
    from medora.db import open_store

    open_store(settings).engine.dispose()
    os.environ["MEDORA_DATA_DIR"] = str(settings.data_dir)
    run_workers("medora.web.app:create_app", args.workers, args.host, args.port, web)
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    from medora.db import open_store
    from medora.review import ReviewStore

    settings = _settings(args)
    days = args.days if args.days is not None else settings.retention_days
    if not days:
        raise MedoraError(
            "no retention period: nothing was deleted",
            hint="Pass --days N, or set MEDORA_RETENTION_DAYS (e.g. 30) and run `medora purge` daily.",
        )
    store = open_store(settings)
    gone = store.purge(datetime.now(UTC) - timedelta(days=days))
    gone["sign-in records"] = ReviewStore(store.engine).prune_sign_ins()
    print(f"purged (idle for more than {days} days): " + ", ".join(f"{n} {what}" for what, n in gone.items()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="medora", description="Cited, structured answers to clinical questions.")
    p.add_argument("--version", action="version", version=f"medora {__version__}")
    p.add_argument(
        "--data-dir", help="where the index and database live (default: MEDORA_DATA_DIR or ~/.local/share/medora)"
    )
    sub = p.add_subparsers(dest="command", required=True)

    ing = sub.add_parser("ingest", help="read source files into the index (default: knowledge base + shared corpora)")
    ing.add_argument(
        "paths",
        nargs="*",
        help="files or folders (knowledge YAML, NCI Markdown, MedQuAD XML, USPSTF/PubMedQA JSON, PubMed XML, your own .md/.txt/.pdf)",
    )
    ing.add_argument(
        "--rebuild",
        action="store_true",
        help="build a fresh index (defaults and your own documents, read again) beside the current one, which "
        "keeps serving until the swap",
    )
    ing.add_argument("--quiet", action="store_true", help="no progress bars")
    ing.set_defaults(func=cmd_ingest)

    a = sub.add_parser("ask", help="answer a question")
    a.add_argument("question", nargs="*", help="the question (or read it from standard input)")
    a.add_argument("--audience", choices=["clinician", "patient"], default="clinician")
    a.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    a.add_argument(
        "--mode",
        choices=["extractive", "generative"],
        default="extractive",
        help="generative: the configured language model (MEDORA_GENERATION__BASE_URL, __MODEL) writes, Medora verifies",
    )
    a.add_argument("--quiet", action="store_true", help="no progress bars if the index must be built")
    a.set_defaults(func=cmd_ask)

    kb = sub.add_parser("kb", help="check the house knowledge base or print its content report")
    kb.add_argument("action", choices=["check", "report", "stale"])
    kb.add_argument(
        "--max-age", type=int, default=10, help="stale: flag references older than this many years (default 10)"
    )
    kb.add_argument("--dir", help="knowledge folder (default: the repository's knowledge/)")
    kb.set_defaults(func=cmd_kb)

    from medora.eval import DEFAULT_OUT, SUITE_NAMES

    ev = sub.add_parser("eval", help="run an evaluation suite, print its figures and write a Markdown report")
    ev.add_argument("suite", choices=SUITE_NAMES, help="which suite (see README, Evaluation)")
    ev.add_argument("--limit", type=int, help="only the first N questions (a quick look, not a score to publish)")
    ev.add_argument("--out", default=str(DEFAULT_OUT), help="report folder; history.jsonl is appended there")
    ev.add_argument("--quiet", action="store_true", help="no progress lines")
    ev.set_defaults(func=cmd_eval)

    u = sub.add_parser("user", help="accounts for the review workflow: add, list, passwd, disable, enable, log")
    u.add_argument("action", choices=["add", "list", "passwd", "disable", "enable", "log"])
    u.add_argument("username", nargs="?", help="2-64 characters: a-z, 0-9, '.', '_' or '-'")
    u.add_argument(
        "--role",
        choices=["reviewer", "editor", "admin"],
        default="reviewer",
        help="reviewer (advisory board: the only role that approves), editor or admin",
    )
    u.add_argument("--name", help="display name shown on comments and the audit log, e.g. 'Dr Jane Ortiz'")
    u.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    u.set_defaults(func=cmd_user)

    s = sub.add_parser("serve", help="run the web app and REST API")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument(
        "--workers", type=int, default=1, help="worker processes over the same database and index (default 1)"
    )
    s.set_defaults(func=cmd_serve)

    pu = sub.add_parser("purge", help="delete stored questions and answers older than the retention period")
    pu.add_argument(
        "--days", type=int, help="delete threads idle for more than this many days (default: MEDORA_RETENTION_DAYS)"
    )
    pu.set_defaults(func=cmd_purge)

    bk = sub.add_parser("backup", help="write the database and the current index to one archive (with checksums)")
    bk.add_argument("file", help="the archive to write, e.g. medora-backup.tar.gz (.tar: uncompressed)")
    bk.set_defaults(func=cmd_backup)
    rs = sub.add_parser("restore", help="check a backup archive, then put its index and database back (stop serve)")
    rs.add_argument("file", help="an archive written by `medora backup`")
    rs.set_defaults(func=cmd_restore)
    return p


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so an interrupted ingest cleans up its partial version


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "action", None) in ("add", "passwd", "disable", "enable") and not args.username:
        parser.error(f"user {args.action} needs a username")
    try:
        return int(args.func(args) or 0)
    except MedoraError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; the previous index is still in place", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
