"""Benchmarks and the fuzzer (run as scripts; importable by the tests)."""
