#!/usr/bin/env python3
"""Parse HTML files with html5lib in strict mode: any HTML5 parse error fails.

usage: validate_html.py FILE...

Debian: python3-html5lib. Exit 0 when every file parses cleanly, 1 otherwise.
"""
import sys

import html5lib


def main(paths):
    failures = 0
    for path in paths:
        parser = html5lib.HTMLParser(strict=True)
        try:
            with open(path, encoding="utf-8") as f:
                parser.parse(f.read())
        except Exception as e:  # html5lib raises ParseError in strict mode
            failures += 1
            print(f"{path}: {e}: {parser.errors[:3]}")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
