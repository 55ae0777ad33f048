import PermauditCLI

Permaudit.runMain()
