#!/usr/bin/python3
"""The benchmark workload through python-diskcache (Debian python3-diskcache).

Run with Debian's /usr/bin/python3. Same keys and value sizes as portico-bench (21-byte str
keys, 100-byte bytes values by default), same op counts per round and the same measuring rule:
per-call latencies from time.perf_counter_ns() around the call, ops/s = calls / measured time,
the median of the rounds; set-up work between calls is not measured.

Python pays its interpreter on every call. To state that cost honestly, the row
diskcache.loop_overhead runs the very same measuring loop around a call of an empty function
taking the key: what it measures is included in every diskcache figure, and bench/compare
reports the diskcache figures both as measured and with that overhead taken out.

Settings: diskcache's defaults (SQLite in WAL mode, synchronous=NORMAL, statistics off,
least-recently-stored eviction: a get writes nothing), plus tag_index=True, which diskcache
recommends for evict(tag) and without which evict scans the whole table. --memory-mb M gives
SQLite's page cache and its memory map M MiB each, for comparisons at an equal memory budget.

Rows: get_hit_uniform, get_miss, set_plain (new key), set_indexed (30-day expire and one tag:
diskcache has one tag per entry and no namespaces), overwrite, erase_by_tags_G (evict(tag) of G
entries), cleanup_expired_E (expire(now) with E expired entries).
"""

import argparse
import fnmatch
import json
import math
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time

import diskcache

ALPHABET = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
POOL = 1024
SQLITE_PAGE_BYTES = 4096  # SQLite's default page size; diskcache keeps it


def make_key(prefix, n, size):
    digits = str(n)
    pad = size - len(prefix) - len(digits)
    return prefix + ("0" * pad if pad > 0 else "") + digits


def make_value(seed, size):
    rng = random.Random(seed * 7919 + 17)
    return bytes(ALPHABET[rng.getrandbits(6)] for _ in range(size))


def quantile_us(ordered, q):
    """Nearest-rank quantile of sorted nanoseconds, in microseconds (as the C++ harness)."""
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), math.ceil(q * len(ordered))))
    return ordered[rank - 1] / 1000.0


def measure(op, duration_ns, setup=None, min_ops=1, max_ops=None):
    """One round: returns (ops, measured_ns, latencies_ns)."""
    clock = time.perf_counter_ns
    latencies = []
    append = latencies.append
    spent = 0
    i = 0
    while (max_ops is None or i < max_ops) and (spent < duration_ns or i < min_ops):
        if setup is not None:
            setup(i)
        begin = clock()
        op(i)
        ns = clock() - begin
        append(ns)
        spent += ns
        i += 1
    return i, spent, latencies


def summarize(rounds):
    rates = [ops * 1e9 / spent for ops, spent, _ in rounds if spent > 0]
    pooled = sorted(ns for _, _, lat in rounds for ns in lat)
    return {
        "ops_per_s": statistics.median(rates) if rates else 0.0,
        "round_ops_per_s": rates,
        "ops": sum(ops for ops, _, _ in rounds),
        "p50_us": quantile_us(pooled, 0.50),
        "p99_us": quantile_us(pooled, 0.99),
        "p999_us": quantile_us(pooled, 0.999),
    }


class Bench:
    def __init__(self, args, directory):
        self.args = args
        self.duration_ns = args.duration_ms * 1_000_000
        settings = {}
        if args.memory_mb:
            # SQLite's page cache (in pages of the database's page size) and its memory map,
            # each given the whole budget.
            settings = {"sqlite_cache_size": args.memory_mb * (1 << 20) // SQLITE_PAGE_BYTES,
                        "sqlite_mmap_size": args.memory_mb << 20}
        self.cache = diskcache.Cache(directory, tag_index=True, **settings)
        self.keys = [make_key("key:", i, args.key_size) for i in range(args.entries)]
        self.values = [make_value(i, args.value_size) for i in range(POOL)]
        self.rows = []
        self.anomalies = 0

    def say(self, message):
        print(f"diskcache_bench: {message}", file=sys.stderr, flush=True)

    def populate(self):
        self.say(f"populating {self.args.entries} entries")
        cache, keys, values = self.cache, self.keys, self.values
        for first in range(0, len(keys), 1000):
            with cache.transact():
                for i in range(first, min(len(keys), first + 1000)):
                    cache.set(keys[i], values[i % POOL])

    def row(self, name, description, run_round):
        rounds = [run_round(r) for r in range(self.args.rounds)]
        result = {
            "name": name,
            "group": "diskcache",
            "description": description,
            "entries": self.args.entries,
            "threads": 1,
            "subject_name": "python-diskcache",
            "subject": summarize(rounds),
            "baseline_name": "",
            "baseline": None,
            "ratio": None,
            "target": None,
            "notes": [f"{self.anomalies} unexpected results"] if self.anomalies else [],
        }
        self.anomalies = 0
        self.rows.append(result)
        self.say(f"{name}: {result['subject']['ops_per_s']:.0f} ops/s, "
                 f"p50 {result['subject']['p50_us']:.1f} us")

    def want(self, name):
        if not self.args.rows:
            return True
        return any(fnmatch.fnmatchcase(name, glob.strip())
                   for glob in self.args.rows.split(",") if glob.strip())

    def run(self):
        args, cache, keys, values = self.args, self.cache, self.keys, self.values
        n = len(keys)
        rng = random.Random(12)
        pick = [0]
        key = [""]

        def pick_uniform(_):
            pick[0] = rng.randrange(n)

        if self.want("diskcache.loop_overhead"):
            def noop(_key):
                return None

            self.row("diskcache.loop_overhead",
                     "the measuring loop around a call of an empty function taking the key",
                     lambda r: measure(lambda i: noop(keys[pick[0]]), self.duration_ns,
                                       setup=pick_uniform))

        if self.want("diskcache.get_hit_uniform"):
            def get_hit(_):
                if cache.get(keys[pick[0]]) is None:
                    self.anomalies += 1

            self.row("diskcache.get_hit_uniform", "get of a present key, uniform",
                     lambda r: measure(get_hit, self.duration_ns, setup=pick_uniform))

        if self.want("diskcache.get_miss"):
            def miss_key(_):
                key[0] = make_key("key:", rng.randrange(n), args.key_size - 1) + "~"

            def get_miss(_):
                if cache.get(key[0]) is not None:
                    self.anomalies += 1

            self.row("diskcache.get_miss", "get of an absent key",
                     lambda r: measure(get_miss, self.duration_ns, setup=miss_key))

        counter = [0]
        if self.want("diskcache.set_plain"):
            def new_key(_):
                key[0] = make_key("new:", counter[0], args.key_size)
                counter[0] += 1

            self.row("diskcache.set_plain", "set of a new key, no expiry or tag",
                     lambda r: measure(lambda i: cache.set(key[0], values[i % POOL]),
                                       self.duration_ns, setup=new_key))

        if self.want("diskcache.set_indexed"):
            tag = [""]

            def indexed_key(_):
                i = counter[0]
                counter[0] += 1
                key[0] = make_key("idx:", i, args.key_size)
                tag[0] = f"tag-a{i % 64}"

            self.row("diskcache.set_indexed",
                     "set of a new key with expire (30 days) and one tag (diskcache's most)",
                     lambda r: measure(lambda i: cache.set(key[0], values[i % POOL], expire=2592000,
                                                           tag=tag[0]),
                                       self.duration_ns, setup=indexed_key))

        if self.want("diskcache.overwrite"):
            self.row("diskcache.overwrite", "set of a present key, uniform",
                     lambda r: measure(lambda i: cache.set(keys[pick[0]], values[(i + 7) % POOL]),
                                       self.duration_ns, setup=pick_uniform))

        group = args.group
        if self.want(f"diskcache.erase_by_tags_{group}"):
            seq = [0]
            tag = [""]

            def tagged_group(_):
                seq[0] += 1
                tag[0] = f"g-{seq[0]}"
                with cache.transact():
                    for j in range(group):
                        cache.set(make_key(f"t{seq[0]}:", j, args.key_size), values[j % POOL],
                                  tag=tag[0])

            def evict(_):
                removed = cache.evict(tag[0])
                if removed != group:
                    self.anomalies += 1

            self.row(f"diskcache.erase_by_tags_{group}",
                     f"evict(tag) of {group} fresh entries (set just before, untimed)",
                     lambda r: measure(evict, self.duration_ns, setup=tagged_group, min_ops=3,
                                       max_ops=200))

        expired = args.expired
        if self.want(f"diskcache.cleanup_expired_{expired}"):
            seq = [0]
            now = [0.0]

            def expiring_group(_):
                seq[0] += 1
                with cache.transact():
                    for j in range(expired):
                        # expire=60: diskcache culls expired items on every set, and must
                        # not remove these before the timed expire() does.
                        cache.set(make_key(f"x{seq[0]}:", j, args.key_size), values[j % POOL],
                                  expire=60)
                now[0] = time.time() + 120  # as if 2 minutes had passed

            def expire(_):
                removed = cache.expire(now=now[0])
                if removed != expired:
                    self.anomalies += 1

            self.row(f"diskcache.cleanup_expired_{expired}",
                     f"expire(now) with {expired} expired entries (set just before with expire=60, "
                     "now = 2 minutes later; untimed)",
                     lambda r: measure(expire, self.duration_ns, setup=expiring_group, min_ops=3,
                                       max_ops=100))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["quick", "full"], default="quick")
    parser.add_argument("--entries", type=int)
    parser.add_argument("--key-size", type=int, default=21)
    parser.add_argument("--value-size", type=int, default=100)
    parser.add_argument("--duration-ms", type=int)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--group", type=int, default=1000)
    parser.add_argument("--expired", type=int, default=10000)
    parser.add_argument("--rows", default="")
    parser.add_argument("--memory-mb", type=int, default=0,
                        help="SQLite page cache and memory map of this many MiB each "
                             "(default: diskcache's own, a 32 MiB cache and a 64 MiB map)")
    parser.add_argument("--dir", default=None, help="parent of the temporary cache directory")
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args()
    if args.entries is None:
        args.entries = 1_000_000 if args.mode == "full" else 20_000
    if args.duration_ms is None:
        args.duration_ms = 1000 if args.mode == "full" else 150

    directory = tempfile.mkdtemp(prefix="portico-bench-diskcache-", dir=args.dir)
    try:
        bench = Bench(args, directory)
        bench.populate()
        bench.run()
        bench.cache.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    report = {
        "program": "diskcache_bench.py",
        "machine": {"python": platform.python_version(), "diskcache": diskcache.__version__},
        "config": {
            "entries": str(args.entries), "key_size": str(args.key_size),
            "value_size": str(args.value_size), "duration_ms": str(args.duration_ms),
            "rounds": str(args.rounds), "group": str(args.group), "expired": str(args.expired),
            "memory_mb": str(args.memory_mb),
            "command": " ".join([sys.executable] + sys.argv),
        },
        "rows": bench.rows,
    }
    if args.json_path:
        with open(args.json_path, "w", encoding="utf-8") as out:
            json.dump(report, out, indent=2)
            out.write("\n")
    for row in bench.rows:
        s = row["subject"]
        print(f"| {row['name']} | {s['ops_per_s']:.0f} ops/s | p50 {s['p50_us']:.1f} us | "
              f"p99 {s['p99_us']:.1f} us | p999 {s['p999_us']:.1f} us |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
