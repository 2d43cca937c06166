"""cosmic-ray's test command: ``python -m grader.authoring.mutant_client SOCKET exNN``.

Asks the mutant grading server to grade exercise exNN; prints the checks that failed and exits 1
when the mutant is killed, 0 when it survives every hidden check. Imports nothing heavy.
"""
from __future__ import annotations

import json
import socket
import sys


def main(argv: list[str]) -> int:
    socket_path, key = argv
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(socket_path)
        connection.sendall(f"{key}\n".encode())
        answer = json.loads(connection.makefile("rb").read())
    for name in answer["failed"]:
        print(f"killed by check: {name}")
    if answer["error"]:
        print(f"killed: {answer['error']}")
    return 1 if answer["failed"] or answer["error"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
