#!/usr/bin/python3
"""Writes each payload of corpus.json into tests/fuzz/corpus/payload/ as the
compact JSON the unit test reads (jansson's JSON_COMPACT: no spaces)."""
import json
import os

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "..", "fuzz", "corpus", "payload")
cases = json.load(open(os.path.join(here, "corpus.json")))["cases"]
for i, c in enumerate(cases):
    with open(os.path.join(out, "z2m-corpus-%03d.json" % i), "w") as f:
        f.write(json.dumps(c["payload"], separators=(",", ":"), ensure_ascii=False))
print(len(cases), "seeds")
