"""Translation catalogues (.qm) read into memory, never mapped from the file.

`QTranslator.load(path)` maps the file and reads every translation from that mapping for as long as the
translator is installed. When the same file is rewritten in place while the station runs (`make translations`
runs `lrelease` over it; an update copies the new catalogue over the old), the next `tr()` reads the new
bytes at the old offsets and the station dies: a segmentation fault, or a bus error while the file is
shorter. A copy in memory cannot change under the station: an edited catalogue is used from the next start.
"""

from pathlib import Path

from PySide6.QtCore import QTranslator

# QTranslator reads the bytes it was given without copying them: each copy stays here until its translator
# is destroyed (keyed by the translator's address, which no other live translator shares).
_kept: dict[int, bytes] = {}


def load_catalogue(translator: QTranslator, path: str | Path) -> bool:
    """Load `path` into `translator` from a copy in memory; False if it is missing or not a catalogue."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return False
    if not data or not translator.load(data):
        return False
    key = _address(translator)
    _kept[key] = data
    translator.destroyed.connect(lambda *_args, key=key: _kept.pop(key, None))
    return True


def _address(translator: QTranslator) -> int:
    import shiboken6

    return shiboken6.getCppPointer(translator)[0]
