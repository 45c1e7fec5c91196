"""Real X key events (the XTEST extension), as a keyboard sends them, for text in any script.

xdotool types a letter its keymap lacks (ễ, ă, Đ, ư, ợ) by binding it to a spare key, pressing it, and binding
that key to the next such letter: a station slower to read its keys than xdotool is to type them (a loaded
machine) reads the key under its next binding, and "Được" came out "ưược". Here every letter of the text gets a
key of its own before the first press, and no binding changes while typing, so the keys mean the same however
late they are read.
"""

import time

from Xlib import X
from Xlib import display as xdisplay
from Xlib.ext import xtest


def _keysym(char: str) -> int:
    code = ord(char)
    return code if 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFF else 0x01000000 | code  # X's Unicode keysyms


class Keyboard:
    def __init__(self, display_name: str, text: str):
        self.display = xdisplay.Display(display_name)
        first = self.display.display.info.min_keycode
        count = self.display.display.info.max_keycode - first + 1
        mapping = self.display.get_keyboard_mapping(first, count)
        spare = [first + i for i, keysyms in enumerate(mapping) if not any(keysyms) and first + i > 8]
        letters = sorted(set(text))
        if len(spare) < len(letters):
            raise RuntimeError(f"the X keymap has {len(spare)} spare keys, {len(letters)} letters are needed")
        self.keys = dict(zip(letters, spare))
        for char, keycode in self.keys.items():  # one keysym at every level: no modifier changes the letter
            self.display.change_keyboard_mapping(keycode, [(_keysym(char),) * 4])
        self.display.sync()

    def type(self, text: str, delay_s: float = 0.04) -> None:
        for char in text:
            keycode = self.keys[char]
            xtest.fake_input(self.display, X.KeyPress, keycode)
            xtest.fake_input(self.display, X.KeyRelease, keycode)
            self.display.sync()
            time.sleep(delay_s)

    def close(self) -> None:
        self.display.close()
