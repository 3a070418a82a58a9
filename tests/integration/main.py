#!/usr/bin/env python3
"""Run every tests/integration/test_*.py against one throwaway stack.

Usage: tests/integration/main.py BINDIR [MODULE...]
Ends with "N passed, M failed"; exit status 1 when anything failed.
"""
import importlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def main():
    bindir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/bin")
    here = os.path.dirname(os.path.abspath(__file__))
    names = sys.argv[2:] or sorted(f[:-3] for f in os.listdir(here)
                                   if f.startswith("test_") and f.endswith(".py"))
    modules = [importlib.import_module(n) for n in names]
    stack = harness.Stack(bindir)
    try:
        passed, failed = harness.run_modules(stack, modules)
        san = [l for l in stack.log("fcgi.log").splitlines()
               if "ERROR: AddressSanitizer" in l or "runtime error:" in l]
        if san:
            print("FAIL sanitizer reports in the FastCGI log:\n  " + "\n  ".join(san[:20]))
            failed += 1
    finally:
        stack.stop(keep=os.environ.get("KEEP_STACK") == "1")
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
