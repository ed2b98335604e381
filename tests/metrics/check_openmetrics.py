#!/usr/bin/python3
"""Parses the OpenMetrics text of to_openmetrics() and of `cache-inspect stats --prometheus`
with prometheus_client's OpenMetrics parser (which rejects malformed exposition text), checks
the values against the calls openmetrics_sample made, and checks that both programs name the
CacheStats metrics alike.

usage: check_openmetrics.py SAMPLE_BINARY CACHE_INSPECT_BINARY INSPECT_FIXTURE_BINARY
"""
import subprocess
import sys
import tempfile

from prometheus_client.openmetrics.parser import text_string_to_metric_families

# The CacheStats part, named alike by both programs (memory usage only where it is known).
STATS_FAMILIES = {
    "entries": "gauge",
    "hits": "counter",
    "misses": "counter",
    "hit_ratio": "gauge",
    "oldest_entry_timestamp_seconds": "gauge",
    "newest_entry_timestamp_seconds": "gauge",
    "evictions": "counter",
    "listener_errors": "counter",
}

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def parse(text, source):
    check(text.endswith("# EOF\n"), f"{source}: does not end with # EOF")
    try:
        return {family.name: family for family in text_string_to_metric_families(text)}
    except ValueError as error:
        sys.exit(f"{source}: not valid OpenMetrics text: {error}")


def value(family, name, **labels):
    found = [s.value for s in family.samples if s.name == name and s.labels == labels]
    check(len(found) == 1, f"{name}{labels}: {len(found)} samples")
    return found[0] if found else None


def check_library(sample_binary, prefix):
    text = run(sample_binary, prefix) if prefix != "portico_cache" else run(sample_binary)
    families = parse(text, f"to_openmetrics (prefix {prefix})")
    p = prefix + "_"

    duration = families.get(p + "operation_duration_seconds")
    check(duration is not None, "no operation_duration_seconds family")
    if duration is not None:
        check(duration.type == "histogram", f"operation_duration_seconds is {duration.type}")
        check(duration.unit == "seconds", f"operation_duration_seconds unit {duration.unit!r}")
        expected_calls = {"set": 4, "get": 5, "get_many": 1, "erase": 1, "erase_by_pattern": 1,
                          "exists": 0, "clear": 0}
        for operation, calls in expected_calls.items():
            buckets = [(s.labels["le"], s.value) for s in duration.samples
                       if s.name.endswith("_bucket") and s.labels["operation"] == operation]
            check(len(buckets) == 26, f"{operation}: {len(buckets)} buckets")
            bounds = [float(le) for le, _ in buckets]
            check(bounds == sorted(bounds) and bounds[0] == 1e-06 and bounds[-1] == float("inf"),
                  f"{operation}: bucket bounds {bounds}")
            counts = [v for _, v in buckets]
            check(counts == sorted(counts), f"{operation}: buckets not cumulative: {counts}")
            check(counts[-1] == calls, f"{operation}: +Inf bucket {counts[-1]}, want {calls}")
            check(value(duration, p + "operation_duration_seconds_count",
                        operation=operation) == calls, f"{operation}: _count")
            total = value(duration, p + "operation_duration_seconds_sum", operation=operation)
            check(total is not None and total >= 0 and (calls > 0 or total == 0),
                  f"{operation}: _sum {total}")

    errors = families.get(p + "operation_errors")
    check(errors is not None and errors.type == "counter", "operation_errors counter")
    if errors is not None:
        check(value(errors, p + "operation_errors_total", operation="get") == 0, "get errors")

    lookups = families.get(p + "lookups")
    check(lookups is not None and lookups.type == "counter", "lookups counter")
    if lookups is not None:
        check(value(lookups, p + "lookups_total", result="hit") == 5, "lookup hits")
        check(value(lookups, p + "lookups_total", result="miss") == 3, "lookup misses")

    for name, kind in STATS_FAMILIES.items():
        family = families.get(p + name)
        check(family is not None and family.type == kind, f"library: {p}{name} {kind}")
    check(value(families[p + "evictions"], p + "evictions_total") == 1, "evictions")
    check(value(families[p + "hits"], p + "hits_total") == 5, "adapter hits")
    check(value(families[p + "entries"], p + "entries") == 1, "entries")
    memory = families.get(p + "memory_usage_bytes")
    check(memory is not None and memory.unit == "bytes", "memory_usage_bytes with unit bytes")
    return {name: family.type for name, family in families.items()}


def check_inspect(inspect_binary, fixture_binary, library_families):
    with tempfile.TemporaryDirectory() as scratch:
        cache = scratch + "/cache"
        run(fixture_binary, "build", cache)
        text = run(inspect_binary, cache, "stats", "--prometheus")
    families = parse(text, "cache-inspect stats --prometheus")
    for name, kind in STATS_FAMILIES.items():
        full = "portico_cache_" + name
        check(full in families, f"cache-inspect lacks {full}")
        if full in families:
            check(families[full].type == kind == library_families.get(full),
                  f"{full}: cache-inspect {families[full].type}, library "
                  f"{library_families.get(full)}")
    # Its own additions stay.
    for extra in ("portico_cache_disk_size_bytes", "portico_cache_family_keys",
                  "portico_cache_format"):
        check(extra in families, f"cache-inspect lacks {extra}")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sample_binary, inspect_binary, fixture_binary = sys.argv[1:]
    library_families = check_library(sample_binary, "portico_cache")
    check_library(sample_binary, "myapp_cache")
    check_inspect(inspect_binary, fixture_binary, library_families)
    for failure in failures:
        print("FAIL:", failure)
    print(f"{len(failures)} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
