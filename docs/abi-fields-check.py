#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare docs/abi-fields.md with include/uapi/linux/mapring.h.

Compiles a file declaring every struct of the header with -g, reads the
layout pahole (dwarves) prints, and checks that the document lists exactly
these structs and fields, at the same offsets and sizes.

    docs/abi-fields-check.py WORKDIR
"""
import pathlib
import re
import subprocess
import sys

top = pathlib.Path(__file__).resolve().parent.parent
work = pathlib.Path(sys.argv[1])
work.mkdir(parents=True, exist_ok=True)
header = top / "include/uapi/linux/mapring.h"
names = re.findall(r"^struct (mapring_\w+) \{", header.read_text(), re.M)
src = work / "abi_layout.c"
src.write_text("#include <linux/mapring.h>\n" + "".join(
    f"struct {n} v_{n};\n" for n in names))
obj = work / "abi_layout.o"
subprocess.run(["gcc", "-g", "-c", f"-I{top}/include/uapi", str(src), "-o",
                str(obj)], check=True)
out = subprocess.run(["pahole", str(obj)], check=True, capture_output=True,
                     text=True).stdout

actual = {}
cur = None
for line in out.splitlines():
    m = re.match(r"^struct (\w+) \{", line)
    if m:
        cur = m.group(1)
        actual[cur] = set()
        continue
    m = re.match(r"^\s+[\w ]+?\s(\w+)(\[\d+\])?;\s+/\*\s+(\d+)\s+(\d+)\s+\*/", line)
    if m and cur:
        actual[cur].add((m.group(1), int(m.group(3)), int(m.group(4))))

documented = {}
cur = None
for line in (top / "docs/abi-fields.md").read_text().splitlines():
    m = re.match(r"^### struct (\w+)", line)
    if m:
        cur = m.group(1)
        documented[cur] = set()
        continue
    m = re.match(r"^\| (\d+) \| (\d+) \| `(\w+)` \|", line)
    if m and cur:
        documented[cur].add((m.group(3), int(m.group(1)), int(m.group(2))))

errors = []
for s in sorted(set(actual) | set(documented)):
    if s not in documented:
        errors.append(f"struct {s}: not in docs/abi-fields.md")
    elif s not in actual:
        errors.append(f"struct {s}: documented, not in the header")
    else:
        for f in sorted(actual[s] - documented[s]):
            errors.append(f"struct {s}: {f[0]} at {f[1]} ({f[2]} bytes) not documented")
        for f in sorted(documented[s] - actual[s]):
            errors.append(f"struct {s}: documented {f[0]} at {f[1]} ({f[2]} bytes) is not the header's")
for e in errors:
    print(e)
print(f"abi-fields: {len(actual)} structs, "
      f"{sum(len(v) for v in actual.values())} fields, {len(errors)} differences")
sys.exit(1 if errors else 0)
