-- wrk's results as one JSON line ("BENCH_JSON {...}") for bench/load.py to read.
-- Used on its own for GET rows; bench/post.lua loads it and adds its own counts.

function bench_report(summary, latency, extra)
  local errors = summary.errors
  local fields = {
    string.format('"requests": %d', summary.requests),
    string.format('"duration_us": %d', summary.duration),
    string.format('"non_2xx_3xx": %d', errors.status),
    string.format('"socket_errors": %d', errors.connect + errors.read + errors.write),
    string.format('"timeouts": %d', errors.timeout),
    string.format('"p50_us": %d', latency:percentile(50)),
    string.format('"p90_us": %d', latency:percentile(90)),
    string.format('"p99_us": %d', latency:percentile(99)),
    string.format('"max_us": %d', latency.max),
  }
  for name, value in pairs(extra or {}) do
    table.insert(fields, string.format('"%s": %d', name, value))
  end
  io.write("BENCH_JSON {" .. table.concat(fields, ", ") .. "}\n")
end

function done(summary, latency, requests)
  bench_report(summary, latency, {})
end
