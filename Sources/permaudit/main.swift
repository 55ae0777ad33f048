import PermauditCLI
import PermauditHost

Permaudit.runMain(ProcessArguments.fallback)
