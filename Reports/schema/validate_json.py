#!/usr/bin/env python3
"""Validate JSON documents against a JSON Schema (draft-07 or 2020-12).

usage: validate_json.py [--ndjson] SCHEMA FILE...

With --ndjson every non-empty line of each FILE is one document. Works with jsonschema 4.10
(Debian 12's python3-jsonschema) and later. Exit 0 when everything is valid, 1 with one line per
error otherwise, 2 on usage errors.
"""
import json
import sys

import jsonschema
from jsonschema import validators


def documents(path, ndjson):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not ndjson:
        yield path, json.loads(text)
        return
    if text and not text.endswith("\n"):
        raise ValueError(f"{path}: NDJSON must end with a newline")
    for number, line in enumerate(text.split("\n")[:-1], start=1):
        if not line.strip():
            raise ValueError(f"{path}:{number}: empty line in NDJSON")
        yield f"{path}:{number}", json.loads(line)


def main(argv):
    ndjson = "--ndjson" in argv
    args = [a for a in argv if a != "--ndjson"]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as f:
        schema = json.load(f)
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    checker = getattr(cls, "FORMAT_CHECKER", None) or jsonschema.FormatChecker()
    validator = cls(schema, format_checker=checker)
    failures = 0
    count = 0
    for path in args[1:]:
        try:
            for where, doc in documents(path, ndjson):
                count += 1
                for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
                    failures += 1
                    location = "/".join(str(p) for p in error.absolute_path)
                    print(f"{where}: /{location}: {error.message}")
        except ValueError as e:  # json.JSONDecodeError is a ValueError
            failures += 1
            print(f"{path}: {e}")
    print(f"{count} document(s) checked against {args[0]} with {cls.__name__}: {failures} error(s)", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
