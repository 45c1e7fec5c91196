"""Photos leave the station without their EXIF (camera serial, GPS position of the
patient's home, owner's name): the metadata segments are cut out, the picture is
not re-encoded."""

import struct

_KEEP_APP = {0xE0, 0xE2, 0xEE}  # JFIF, ICC colour profile, Adobe colour transform


def strip_jpeg_metadata(data: bytes) -> bytes:
    """The same JPEG without APP1..APP15 (EXIF, XMP, IPTC...) except colour information."""
    if data[:2] != b"\xff\xd8":
        return data
    out, pos = [b"\xff\xd8"], 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return data  # not a clean marker stream: leave the file as it is
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            out.append(data[pos:])
            return b"".join(out)
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        segment = data[pos:pos + 2 + length]
        if not (0xE1 <= marker <= 0xEF and marker not in _KEEP_APP) and marker != 0xFE:  # 0xFE: comment
            out.append(segment)
        pos += 2 + length
    return data
