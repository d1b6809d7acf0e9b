#!/usr/bin/env python3
"""validate_json.py SCHEMA < DOC: check a JSON document against a JSON
Schema (draft 2020-12).  Exit 0 when valid; 1 with one line per error
(path: message) when not; 77 when python3-jsonschema is not installed."""
import json
import sys

try:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match
except ImportError:
    print("python3-jsonschema is not installed")
    sys.exit(77)

with open(sys.argv[1]) as f:
    schema = json.load(f)
Draft202012Validator.check_schema(schema)
try:
    doc = json.load(sys.stdin)
except ValueError as e:
    print(f"not JSON: {e}")
    sys.exit(1)

def explain(schema, doc):
    """One line per error, each oneOf narrowed to its likeliest branch."""
    lines = []
    for e in sorted(Draft202012Validator(schema).iter_errors(doc),
                    key=lambda e: list(e.absolute_path)):
        while e.context:
            e = best_match(e.context)
        path = "/".join(str(p) for p in e.absolute_path) or "(top)"
        lines.append(f"{path}: {e.message}")
    return lines


errors = explain(schema, doc)
if errors and "oneOf" in schema and isinstance(doc, dict):
    # the document's own kind (a lab list has "labs"), for errors that
    # name fields rather than "matches none of the kinds"
    kind = dict(schema)
    del kind["oneOf"]
    kind["$ref"] = "#/$defs/" + ("labList" if "labs" in doc else "lab")
    errors = explain(kind, doc) or errors
for line in errors:
    print(line)
sys.exit(1 if errors else 0)
