// portico-cache: an embedded, crash-surviving cache engine with a pluggable backend port.
// The umbrella header: includes every public concept.
#pragma once

#include <portico/cache/adapter.hpp>
#include <portico/cache/async.hpp>
#include <portico/cache/cached.hpp>
#include <portico/cache/entry.hpp>
#include <portico/cache/errors.hpp>
#include <portico/cache/events.hpp>
#include <portico/cache/health.hpp>
#include <portico/cache/key.hpp>
#include <portico/cache/limits.hpp>
#include <portico/cache/memory_adapter.hpp>
#include <portico/cache/metered_adapter.hpp>
#include <portico/cache/metrics.hpp>
#include <portico/cache/open_cache.hpp>
#include <portico/cache/pattern.hpp>
#include <portico/cache/rocksdb_adapter.hpp>
#include <portico/cache/service.hpp>
#include <portico/cache/set_options.hpp>
#include <portico/cache/stats.hpp>
#include <portico/cache/time.hpp>
#include <portico/cache/value.hpp>
#include <portico/cache/version.hpp>
