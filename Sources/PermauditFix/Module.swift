// PermauditFix: see the files beside this one.
