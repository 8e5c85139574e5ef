"""Repositories: one per stored thing, each the only code that reads and writes its documents.

They wrap the `Store` (bot/storage/store.py) with the names and tags of `bot.storage.names`, and do
the ETag-merged writes (`bot.repositories.documents.update`) so a service never spells a storage name or
races another writer. Cases keep theirs in `bot/repositories/cases.py`.
"""
