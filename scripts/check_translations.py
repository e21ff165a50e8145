#!/usr/bin/env python3
"""Fail when the Vietnamese catalogue has untranslated or fuzzy messages.

1. `manage.py makemessages -l vi --no-obsolete` refreshes locale/vi/LC_MESSAGES/*.po from the code.
   If the only change is the POT-Creation-Date header line, the file is put back as it was, so a
   passing check leaves `git status` clean.
2. `msgfmt --statistics -c` validates each catalogue (format strings, header, plural forms).
3. A small .po parser lists every untranslated or fuzzy entry with its line number.

Exit status: 0 all translated, 1 untranslated/fuzzy/invalid entries, 2 a tool is missing.
Run it with the project's virtualenv: `make check-translations` or `.venv/bin/python scripts/check_translations.py`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = "vi"
LC_MESSAGES = ROOT / "locale" / LOCALE / "LC_MESSAGES"
IGNORE = ["--ignore=.venv", "--ignore=staticfiles", "--ignore=bench"]
POT_DATE = re.compile(r'^"POT-Creation-Date: .*\\n"$', re.MULTILINE)


@dataclass
class Entry:
    line: int = 0
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    obsolete: bool = False

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def untranslated(self) -> bool:
        return not self.msgstr or any(value == "" for value in self.msgstr.values())

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(token: str) -> str:
    token = token.strip()
    if len(token) < 2 or not (token.startswith('"') and token.endswith('"')):
        raise ValueError(f"not a quoted string: {token!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), token[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Parse a gettext .po file into entries (enough for msgmerge/makemessages output)."""
    entries: list[Entry] = []
    current = Entry()
    # Which field continuation lines ("...") append to: ("msgid", None) or ("msgstr", index).
    target: tuple[str, int | None] | None = None
    seen_msgstr = False

    def finish() -> None:
        nonlocal current, target, seen_msgstr
        if current.msgid is not None:
            entries.append(current)
        current, target, seen_msgstr = Entry(), None, False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            # Obsolete entry (makemessages --no-obsolete removes them, but be tolerant).
            if seen_msgstr:
                finish()
            current.obsolete = True
            continue
        if line.startswith("#"):
            if seen_msgstr:
                finish()
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            if target is None:
                raise ValueError(f"{path}:{number}: string continuation without a keyword")
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, name, getattr(current, name) + _unquote(line))
            continue
        if keyword in ("msgctxt", "msgid") and seen_msgstr:
            finish()
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            if keyword != "msgid_plural" and current.line == 0:
                current.line = number
            setattr(current, keyword, _unquote(rest))
            target = (keyword, None)
        elif keyword == "msgstr":
            current.msgstr[0] = _unquote(rest)
            target, seen_msgstr = ("msgstr", 0), True
        elif (match := re.fullmatch(r"msgstr\[(\d+)\]", keyword)) is not None:
            index = int(match.group(1))
            current.msgstr[index] = _unquote(rest)
            target, seen_msgstr = ("msgstr", index), True
        else:
            raise ValueError(f"{path}:{number}: cannot parse line: {raw!r}")
    finish()
    return entries


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, text=True, **kwargs)


def refresh_catalogues() -> None:
    before = {path: path.read_text(encoding="utf-8") for path in LC_MESSAGES.glob("*.po")}
    env = dict(os.environ, DEBUG="1")  # settings need no SECRET_KEY with DEBUG on
    domains = ["django"] + (["djangojs"] if (LC_MESSAGES / "djangojs.po").exists() else [])
    for domain in domains:
        cmd = [sys.executable, "manage.py", "makemessages", "-l", LOCALE, "-d", domain, *IGNORE, "--no-obsolete"]
        result = run(cmd, env=env)
        if result.returncode != 0:
            sys.exit(f"makemessages failed for domain {domain!r} (exit {result.returncode}).")
    for path, old in before.items():
        if path.exists():
            new = path.read_text(encoding="utf-8")
            if new != old and POT_DATE.sub("", new) == POT_DATE.sub("", old):
                path.write_text(old, encoding="utf-8")  # only the timestamp moved: keep git clean


def describe(entry: Entry) -> str:
    text = entry.msgid or ""
    if entry.msgid_plural is not None:
        text += f" | plural: {entry.msgid_plural}"
    if entry.msgctxt is not None:
        text = f"[{entry.msgctxt}] {text}"
    text = text.replace("\n", "\\n")
    return text if len(text) <= 160 else text[:157] + "..."


def check_catalogue(path: Path) -> int:
    """Return the number of problems found in one .po file, printing each."""
    problems = 0
    rel = path.relative_to(ROOT)
    result = run(["msgfmt", "--statistics", "-c", "-o", os.devnull, str(rel)], capture_output=True)
    stats = (result.stderr or "").strip()
    print(stats)
    if result.returncode != 0:
        print(f"ERROR: msgfmt -c rejected {rel} (exit {result.returncode}).")
        problems += 1

    try:
        entries = parse_po(path)
    except ValueError as exc:
        print(f"ERROR: {exc}")
        return problems + 1
    live = [entry for entry in entries if not entry.obsolete and not entry.is_header]
    fuzzy = [entry for entry in live if entry.fuzzy]
    untranslated = [entry for entry in live if not entry.fuzzy and entry.untranslated]
    for label, group in (("untranslated", untranslated), ("fuzzy", fuzzy)):
        for entry in group:
            print(f"{rel}:{entry.line}: {label}: {describe(entry)}")
    problems += len(fuzzy) + len(untranslated)

    # Belt and braces: trust msgfmt's own counts too, in case the parser missed a case.
    counted = re.search(r"(\d+) fuzzy translation", stats), re.search(r"(\d+) untranslated message", stats)
    if not (fuzzy or untranslated) and any(match and int(match.group(1)) for match in counted):
        print(f"ERROR: msgfmt reports fuzzy or untranslated messages in {rel}: {stats}")
        problems += 1
    print(f"{rel}: {len(live)} messages, {len(untranslated)} untranslated, {len(fuzzy)} fuzzy.")
    return problems


def main() -> int:
    missing = [tool for tool in ("xgettext", "msgmerge", "msgattrib", "msgfmt") if shutil.which(tool) is None]
    if missing:
        print(f"ERROR: {', '.join(missing)} not found: install gettext (apt-get install gettext).", file=sys.stderr)
        return 2
    refresh_catalogues()
    catalogues = sorted(LC_MESSAGES.glob("*.po"))
    if not (LC_MESSAGES / "django.po").exists():
        print(f"ERROR: {LC_MESSAGES.relative_to(ROOT)}/django.po does not exist after makemessages.")
        return 1
    problems = sum(check_catalogue(path) for path in catalogues)
    if problems:
        print(f"FAILED: {problems} translation problem(s). Translate them in the .po file(s), remove '#, fuzzy'")
        print("        once checked, then run `make messages` to compile.")
        return 1
    print("OK: every message has a Vietnamese translation.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
