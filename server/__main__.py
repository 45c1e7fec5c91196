"""`diemcau-hub`: the name is reserved for the central hub, which is not built yet."""

import sys


def main() -> int:
    print("diemcau-hub: the central hub is not part of this version yet "
          "(the station works offline and keeps every case locally).", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
