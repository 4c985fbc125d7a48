"""Decode FIT files with Garmin's official Python SDK (`pip install garmin-fit-sdk`), the
baseline of the README's performance section: `python3 tests/bench/garmin_sdk.py FILE...`.
Prints the number of files, record messages and errors."""

import sys

from garmin_fit_sdk import Decoder, Stream


def main(paths):
    records = errors = 0
    for path in paths:
        stream = Stream.from_file(path)
        messages, errs = Decoder(stream).read()
        records += len(messages.get("record_mesgs", []))
        errors += len(errs)
    print(f"{len(paths)} files, {records} records, {errors} errors")


if __name__ == "__main__":
    main(sys.argv[1:])
