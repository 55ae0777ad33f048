#!/usr/bin/env python3
"""Check SARIF files against GitHub code scanning's upload rules (beyond the SARIF 2.1.0 schema).

usage: check_sarif_github.py FILE...

From GitHub's "SARIF support for code scanning" page: every result has at least one location with
`physicalLocation.artifactLocation.uri`; results carry `partialFingerprints.primaryLocationLineHash`
(GitHub tracks a result across runs by it); a `region` has a `startLine` >= 1; a `uriBaseId` is one
the run declares in `originalUriBaseIds`; every `ruleId` is a rule of `tool.driver.rules`, at the
`ruleIndex` given. Exit 0 when every file passes, 1 with one line per problem.
"""
import json
import sys


def problems(sarif):
    for r_i, run in enumerate(sarif.get("runs", [])):
        driver = run.get("tool", {}).get("driver", {})
        rules = [r.get("id") for r in driver.get("rules", [])]
        bases = set(run.get("originalUriBaseIds", {}))
        for i, result in enumerate(run.get("results", [])):
            where = f"runs[{r_i}].results[{i}] ({result.get('ruleId')})"
            locations = result.get("locations", [])
            uris = [l.get("physicalLocation", {}).get("artifactLocation", {}).get("uri") for l in locations]
            if not any(uris):
                yield f"{where}: no location with physicalLocation.artifactLocation.uri"
            for l in locations:
                physical = l.get("physicalLocation", {})
                base = physical.get("artifactLocation", {}).get("uriBaseId")
                if base is not None and base not in bases:
                    yield f"{where}: uriBaseId {base} is not declared in originalUriBaseIds"
                region = physical.get("region")
                if region is not None and not (isinstance(region.get("startLine"), int) and region["startLine"] >= 1):
                    yield f"{where}: region without a startLine >= 1"
            if not result.get("partialFingerprints", {}).get("primaryLocationLineHash"):
                yield f"{where}: no partialFingerprints.primaryLocationLineHash"
            rule = result.get("ruleId")
            if rule not in rules:
                yield f"{where}: ruleId {rule} is not in tool.driver.rules"
            elif "ruleIndex" in result and (result["ruleIndex"] >= len(rules) or rules[result["ruleIndex"]] != rule):
                yield f"{where}: ruleIndex {result['ruleIndex']} does not name {rule}"


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    failures = 0
    for path in argv:
        with open(path, encoding="utf-8") as f:
            for p in problems(json.load(f)):
                failures += 1
                print(f"{path}: {p}")
    print(f"{len(argv)} file(s) checked against GitHub's code-scanning rules: {failures} problem(s)", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
