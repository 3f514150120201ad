#!/usr/bin/env bash
# (Re)creates tests/fuzz/corpus/, the fuzzer's seed corpus: the example
# programs, the shared benchmark workloads (when $VIGY_SHARED/bench or
# ../shared/bench exists) and program snippets taken from the unit tests
# under tests/lisp and tests/core (every string literal that starts with '(').
# Files are named by content hash, so running it again changes nothing
# unless the sources changed. Needs python3.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
out="$repo/tests/fuzz/corpus"
shared=${VIGY_SHARED:-$repo/../shared}
max_snippets=${MAX_SNIPPETS:-170}

rm -rf "$out"
mkdir -p "$out"

python3 - "$repo" "$out" "$shared/bench" "$max_snippets" <<'PY'
import hashlib, pathlib, re, sys

repo, out, bench, max_snippets = (pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]),
                                  pathlib.Path(sys.argv[3]), int(sys.argv[4]))

def save(text):
    data = text.encode()
    (out / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)

for path in sorted(repo.glob("examples/*.vigy")) + sorted(bench.glob("*.vigy")):
    save(path.read_text())

# A C++ raw string R"(...)" or an ordinary "..." literal.
literal = re.compile(r'R"\((.*?)\)"|"((?:[^"\\\n]|\\.)*)"', re.S)
escapes = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "0": "\0", "r": "\r"}

def unescape(s):
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), s)

snippets = set()
for folder in ("tests/lisp", "tests/core"):
    for path in sorted((repo / folder).glob("*_test.cc")):
        for m in literal.finditer(path.read_text()):
            text = m.group(1) if m.group(1) is not None else unescape(m.group(2))
            if text.lstrip().startswith("(") and len(text) >= 5:
                snippets.add(text)

# Evenly spaced over the sorted set, so the pick is stable and spans every file.
ordered = sorted(snippets)
step = max(1, len(ordered) / max_snippets)
for i in range(min(max_snippets, len(ordered))):
    save(ordered[int(i * step)])
print(f"{len(ordered)} snippets found, corpus has {len(list(out.iterdir()))} files")
PY
