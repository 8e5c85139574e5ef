"""Finding the leader: who receives an employee's report (issue 5).

`Directory` is the port; `GraphDirectory` (Entra ID managers), `FileDirectory` (a CSV/JSON file) and
`ChainedDirectory` (Graph, then the file, else the employee chooses) implement it.
"""

from bot.directory.chained import ChainedDirectory
from bot.directory.file import FileDirectory
from bot.directory.graph import GraphDirectory
from bot.directory.model import (
    Directory,
    DirectoryEntry,
    DirectoryFileError,
    DirectoryUnavailable,
    Person,
    Workplace,
    effective_leader,
)
from bot.directory.token import MsalTokenProvider, TokenProvider

__all__ = [
    "ChainedDirectory",
    "Directory",
    "DirectoryEntry",
    "DirectoryFileError",
    "DirectoryUnavailable",
    "FileDirectory",
    "GraphDirectory",
    "MsalTokenProvider",
    "Person",
    "TokenProvider",
    "Workplace",
    "effective_leader",
]
