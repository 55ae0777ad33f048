// PermauditRules: see the files beside this one.
