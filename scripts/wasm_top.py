#!/usr/bin/env python3
"""The biggest contributors to a WASM file, by function and by crate (a small `twiggy top`).

Reads the code section's function bodies and the `name` custom section (function names, as
rustc leaves them in the pre-wasm-bindgen file). Usage:
    python3 scripts/wasm_top.py target/front/wasm32-unknown-unknown/wasm-release/frontend.wasm [N]
"""
import re
import sys
from collections import Counter


def leb(data, i):
    result = shift = 0
    while True:
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, i


def sections(data):
    i = 8
    while i < len(data):
        sid = data[i]
        size, i = leb(data, i + 1)
        yield sid, data[i:i + size]
        i += size


def crate_of(name):
    """The crate of a mangled Rust symbol (legacy `_ZN…` or v0 `_R…`), roughly: for a trait
    impl, the crate of the implementing type."""
    if name.startswith("_R"):
        m = re.search(r"C[sB]?[0-9A-Za-z]*_(\d+)([A-Za-z_][A-Za-z0-9_]*)", name)
        if m:
            return m.group(2)[: int(m.group(1))]
    if name.startswith("_ZN"):
        m = re.match(r"_ZN(\d+)", name)
        if m:
            first = name[m.end(): m.end() + int(m.group(1))]
            if first.startswith("_$LT$") or first[:1].isdigit():
                t = re.search(r"([a-z_][a-z0-9_]*)\.\.", first.replace("$u20$", " ").replace("$RF$", "&"))
                return t.group(1) if t else "(impl)"
            return first
    # A demangled name (wasm-opt -g keeps names after optimising): the first path's crate.
    m = re.search(r"([a-z_][a-z0-9_]*)(?:\[[0-9a-f]+\])?::", name)
    if m:
        return m.group(1)
    return "(other)"


def main(path, n):
    data = open(path, "rb").read()
    imported = 0
    data_bytes = 0
    bodies = []
    names = {}
    for sid, body in sections(data):
        if sid == 2:  # imports: count the imported functions (they come first in the index space)
            count, j = leb(body, 0)
            for _ in range(count):
                for _ in range(2):
                    ln, j = leb(body, j)
                    j += ln
                kind = body[j]
                j += 1
                if kind == 0:
                    imported += 1
                    _, j = leb(body, j)
                elif kind == 1:
                    j += 1
                    flags, j = leb(body, j)
                    _, j = leb(body, j)
                    if flags & 1:
                        _, j = leb(body, j)
                elif kind == 2:
                    flags, j = leb(body, j)
                    _, j = leb(body, j)
                    if flags & 1:
                        _, j = leb(body, j)
                elif kind == 3:
                    j += 2
                else:
                    _, j = leb(body, j)
                    _, j = leb(body, j)
        elif sid == 11:
            data_bytes = len(body)
        elif sid == 10:
            count, j = leb(body, 0)
            for _ in range(count):
                size, k = leb(body, j)
                bodies.append(size + (k - j))
                j = k + size
        elif sid == 0:
            ln, j = leb(body, 0)
            if body[j:j + ln] != b"name":
                continue
            j += ln
            while j < len(body):
                sub = body[j]
                size, j = leb(body, j + 1)
                end = j + size
                if sub == 1:
                    count, k = leb(body, j)
                    for _ in range(count):
                        idx, k = leb(body, k)
                        ln, k = leb(body, k)
                        names[idx] = body[k:k + ln].decode("utf-8", "replace")
                        k += ln
                j = end
    total = len(data)
    code = sum(bodies)
    print(f"{path}: {total} bytes, code {code} bytes in {len(bodies)} functions"
          f", data {data_bytes} bytes"
          f"{'' if names else ' (no name section: build with names to see them)'}")
    funcs = [(size, names.get(imported + i, f"func[{imported + i}]")) for i, size in enumerate(bodies)]
    funcs.sort(reverse=True)
    print(f"\nlargest {n} functions:")
    for size, name in funcs[:n]:
        print(f"{size:>9}  {size * 100 / total:5.2f}%  {name[:110]}")
    crates = Counter()
    for size, name in funcs:
        crates[crate_of(name)] += size
    print(f"\nby crate (code bytes):")
    for crate, size in crates.most_common(n):
        print(f"{size:>9}  {size * 100 / total:5.2f}%  {crate}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20)
