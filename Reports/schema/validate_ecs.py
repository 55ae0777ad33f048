#!/usr/bin/env python3
"""Check ECS NDJSON events against Elastic's published field definitions.

usage: validate_ecs.py FIELDS_JSON FILE...

FIELDS_JSON is a trimmed `ecs_flat.yml` as JSON ({"ecs_version": ..., "fields": {name: {type, ...}}}).
Every event must declare `ecs.version` equal to the definitions' version; every field outside the
custom `permaudit.*` namespace must be an ECS field (or sit inside an ECS `object`/`flattened` field),
its value of that field's type (arrays of it too), and within `allowed_values` where ECS lists them;
the `required` fields must be present; `permaudit` itself must not be an ECS name. Exit 0 when every
event passes, 1 with one line per problem, 2 on usage errors.
"""
import json
import re
import sys

CUSTOM = "permaudit"
STRING_TYPES = {"keyword", "wildcard", "constant_keyword", "match_only_text", "text", "ip", "version"}
INTEGER_TYPES = {"long", "integer", "short", "byte", "unsigned_long"}
FLOAT_TYPES = {"float", "double", "scaled_float", "half_float"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def flatten(doc, prefix=""):
    for key, value in doc.items():
        name = prefix + key
        if isinstance(value, dict) and value:
            yield from flatten(value, name + ".")
        else:
            yield name, value


def type_ok(kind, value):
    values = value if isinstance(value, list) else [value]
    for v in values:
        if v is None:
            continue
        if kind in STRING_TYPES and not isinstance(v, str):
            return False
        if kind in INTEGER_TYPES and (isinstance(v, bool) or not isinstance(v, int)):
            return False
        if kind in FLOAT_TYPES and (isinstance(v, bool) or not isinstance(v, (int, float))):
            return False
        if kind == "boolean" and not isinstance(v, bool):
            return False
        if kind == "date" and not (isinstance(v, str) and DATE.match(v)):
            return False
    return True


def problems(doc, fields, version):
    declared = doc.get("ecs", {}).get("version")
    if declared != version:
        yield f"ecs.version is {declared!r}, the definitions are ECS {version}"
    if CUSTOM in fields or any(n.startswith(CUSTOM + ".") for n in fields):
        yield f"the custom namespace {CUSTOM} is an ECS field set"
    for name, spec in fields.items():
        if spec.get("required") and name not in dict(flatten(doc)):
            yield f"{name}: required by ECS, missing"
    for name, value in flatten(doc):
        if name == CUSTOM or name.startswith(CUSTOM + "."):
            continue
        spec = fields.get(name)
        if spec is None:
            parents = [name[:i] for i in range(len(name)) if name[i] == "."]
            if any(fields.get(p, {}).get("type") in ("object", "flattened", "nested") for p in parents):
                continue
            yield f"{name}: not an ECS {version} field"
            continue
        kind = spec.get("type")
        # Any ECS field may hold an array of its type; `normalize: array` says it always does.
        if "array" in spec.get("normalize", []) and not isinstance(value, list):
            yield f"{name}: ECS expects an array"
        if not type_ok(kind, value):
            yield f"{name}: {json.dumps(value)[:60]} is not of ECS type {kind}"
        allowed = spec.get("allowed_values")
        if allowed:
            for v in value if isinstance(value, list) else [value]:
                if v not in allowed:
                    yield f"{name}: {v!r} is not one of ECS's allowed values {allowed}"


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        spec = json.load(f)
    fields, version = spec["fields"], spec["ecs_version"]
    failures = count = 0
    for path in argv[1:]:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        for number, line in enumerate(lines, start=1):
            count += 1
            try:
                doc = json.loads(line)
            except ValueError as e:
                failures += 1
                print(f"{path}:{number}: {e}")
                continue
            for p in problems(doc, fields, version):
                failures += 1
                print(f"{path}:{number}: {p}")
    print(f"{count} event(s) checked against ECS {version} ({len(fields)} fields): {failures} problem(s)", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
