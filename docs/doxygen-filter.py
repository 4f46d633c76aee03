#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Doxygen input filter for the public headers (docs/Doxyfile).

The headers are documented in their own languages' styles: kernel-style
/* */ comments in C, // comments in C++. Doxygen reads only /** and ///
comments, so this filter marks, line for line (line numbers stay):
  - the file's first comment after the SPDX line as the @file comment
    (in C++ the SPDX line itself becomes "/// @file");
  - a comment that starts a line as the comment of what follows it;
  - a comment after code as the comment of that code (/**< and ///<).
Left alone: SPDX lines, section rules (/* ---- x ---- */), comments after
#include, and everything in function bodies of C++ headers that doxygen
does not read anyway.
"""
import re
import sys

path = sys.argv[1]
lines = open(path, encoding="utf-8").read().split("\n")
cxx = path.endswith(".hpp")
out = []
seen_file_doc = False
in_block = False   # inside a /* */ comment of a C header
in_run = False     # inside a run of // lines

for line in lines:
    stripped = line.strip()
    if "SPDX-License-Identifier" in line:
        # C++: the licence line opens the @file comment the // run after it
        # continues; C: the /* */ comment after it becomes the @file one.
        if cxx and not seen_file_doc:
            seen_file_doc = True
            out.append("/// @file")
        else:
            out.append(line)
        continue
    if not cxx:
        if in_block:
            out.append(line)
            if "*/" in line:
                in_block = False
            continue
        m = re.match(r"^(\s*)/\*(?![*])(.*)$", line)
        if m and "----" not in line:
            tag = "/**" if seen_file_doc else "/** @file"
            seen_file_doc = True
            out.append(m.group(1) + tag + m.group(2))
            in_block = "*/" not in m.group(2)
            continue
        m = re.match(r"^(\s*[^/\s#].*?\S)(\s*)/\*(?![*<])(.*\*/\s*)$", line)
        if m and not stripped.startswith("#include"):
            out.append(m.group(1) + m.group(2) + "/**<" + m.group(3))
            continue
        m = re.match(r"^(\s*#\s*define\s.*?\S)(\s*)/\*(?![*<])(.*\*/\s*)$", line)
        if m:
            out.append(m.group(1) + m.group(2) + "/**<" + m.group(3))
            continue
        out.append(line)
        continue
    # C++
    m = re.match(r"^(\s*)//(?![/!])(.*)$", line)
    if m:
        if not seen_file_doc:
            seen_file_doc = True
            out.append(m.group(1) + "/// @file" + m.group(2))
        else:
            out.append(m.group(1) + "///" + m.group(2))
        in_run = True
        continue
    in_run = False
    m = re.match(r"^(.*?\S)(\s*)//(?![/!<])(.*)$", line)
    if m and "IWYU" not in line and '"' not in m.group(1)[-1:]:
        out.append(m.group(1) + m.group(2) + "///<" + m.group(3))
        continue
    out.append(line)

sys.stdout.write("\n".join(out))
