#!/usr/bin/env python3
"""Rewrites `#[sqlx::test(...)]` tests to our `#[db_test]` (tests/http/test_db.rs).

`#[sqlx::test]` reads DATABASE_URL (so an exported one for `cargo run` became the test master)
and names databases after the test, so two runs on one server clobber each other. `#[db_test]`
reads TOASOAN_TEST_DATABASE_URL and names databases per run.

    scripts/convert-sqlx-tests.py [FILE_OR_DIR ...]     (default: tests/ and src/)

Idempotent: converted files contain no `sqlx::test`, so a second run changes nothing. Forms:

    #[sqlx::test]                                    -> #[db_test]
    #[sqlx::test(migrator = "toasoan::MIGRATOR")]    -> #[db_test]
    #[sqlx::test(migrations = false)]                -> #[db_test(migrations = false)]

Anything else (fixtures, another migrator or migrations directory) is reported with its file
and line, the file is left untouched, and the exit status is 1: convert those by hand.
"""

import pathlib
import re
import sys

ATTRIBUTE = re.compile(r"#\[\s*sqlx::test\s*(?:\((?P<args>.*?)\))?\s*\]", re.DOTALL)
ARGUMENT = re.compile(r'\s*(?P<key>\w+)\s*=\s*(?P<value>"[^"]*"|\w+)\s*')


def replacement(args):
    """The #[db_test] form for sqlx::test's arguments, or None when we cannot convert them."""
    migrations = True
    for arg in filter(str.strip, (args or "").split(",")):
        match = ARGUMENT.fullmatch(arg)
        if not match:
            return None
        key, value = match["key"], match["value"]
        if key == "migrator" and value == '"toasoan::MIGRATOR"':
            continue
        if key == "migrations" and value in ("false", "true", '"migrations"', '"./migrations"'):
            migrations = value != "false"
            continue
        return None
    return "#[db_test]" if migrations else "#[db_test(migrations = false)]"


def convert(path):
    """Rewrites one file; returns (converted, problems)."""
    text = path.read_text(encoding="utf-8")
    problems = []
    converted = 0

    def substitute(match):
        nonlocal converted
        new = replacement(match["args"])
        if new is None:
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f"{path}:{line}: cannot convert {' '.join(match[0].split())}")
            return match[0]
        converted += 1
        return new

    result = ATTRIBUTE.sub(substitute, text)
    if problems:
        return 0, problems
    if result != text:
        path.write_text(result, encoding="utf-8")
    return converted, []


def main():
    root = pathlib.Path(__file__).resolve().parent.parent
    targets = [pathlib.Path(arg) for arg in sys.argv[1:]] or [root / "tests", root / "src"]
    files = []
    for target in targets:
        if target.is_dir():
            files += sorted(p for p in target.rglob("*.rs") if "node_modules" not in p.parts)
        else:
            files.append(target)
    total, problems = 0, []
    for path in files:
        converted, found = convert(path)
        total += converted
        problems += found
        if converted:
            print(f"{path}: {converted}")
    print(f"converted {total} tests")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
