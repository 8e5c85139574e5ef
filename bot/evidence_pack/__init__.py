"""The evidence pack ("Dokumentationsmappe"): a Word document, a PDF and a ZIP with the originals.

Built from the stored case, its audit log and its evidence; knows nothing of Teams, so a later
edge (or a command-line tool) can build the same pack.
"""

from bot.evidence_pack.builder import BuiltPack, PackFile, PackIntegrityError, build_pack
from bot.evidence_pack.content import PackContent, pack_content

__all__ = ["BuiltPack", "PackContent", "PackFile", "PackIntegrityError", "build_pack", "pack_content"]
