"""Run the emulator on a port: `python -m sandbox.emulator --port 8790`."""

from __future__ import annotations

import argparse
import os
import sys

import uvicorn

from sandbox.emulator.app import Validate, create_emulator

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")
VALIDATE: dict[str, Validate] = {"all": True, "requests": "requests", "none": False}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument(
        "--api-key",
        default=os.environ.get("EMULATOR_API_KEY", "sandbox-key"),
        help="the Bearer key it accepts (default: $EMULATOR_API_KEY or sandbox-key)",
    )
    parser.add_argument("--no-seed", action="store_true", help="start with an empty organisation")
    parser.add_argument(
        "--validate",
        choices=["all", "requests", "none"],
        default="all",
        help="check requests and responses against the schema (requests: skip responses)",
    )
    parser.add_argument("--rate-capacity", type=int, default=1200)
    parser.add_argument("--rate-refill", type=float, default=20.0, help="tokens per second")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.host not in LOOPBACK_HOSTS:
        print(f"refusing to bind {args.host}: the emulator is for loopback use", file=sys.stderr)
        return 2
    emulator = create_emulator(
        api_key=args.api_key,
        seed=not args.no_seed,
        validate=VALIDATE[args.validate],
        rate_capacity=args.rate_capacity,
        rate_refill_per_second=args.rate_refill,
    )
    uvicorn.run(emulator.app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
