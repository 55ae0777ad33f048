#!/usr/bin/env python3
"""Parses PowerShell scripts with the tree-sitter PowerShell grammar (pip install tree-sitter
tree-sitter-powershell); PowerShell itself cannot run on the Linux test machines. Exit 0 when every
file parses with no ERROR or MISSING node; 1 with file:line:column of each one; 3 when the grammar is
not installed."""
import sys

try:
    import tree_sitter_powershell
    from tree_sitter import Language, Parser
except ImportError as e:
    print("tree-sitter-powershell is not installed: %s" % e)
    sys.exit(3)

parser = Parser(Language(tree_sitter_powershell.language()))
bad = 0
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        source = f.read()
    tree = parser.parse(source)
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            bad += 1
            line, col = node.start_point
            text = source[node.start_byte:node.end_byte][:60].decode("utf-8", "replace")
            print("%s:%d:%d: %s node: %r" % (path, line + 1, col + 1, "MISSING" if node.is_missing else "ERROR", text))
        stack.extend(node.children)
print("%d file(s), %d problem(s)" % (len(sys.argv) - 1, bad))
sys.exit(1 if bad else 0)
