-- wrk script for one page: every request carries one of the benchmark's
-- session cookies (one per simulated user, rotated), and done() prints the
-- figures as one JSON line that bench/run.py reads.
--
--   wrk -t1 -c8 -d15s -s bench/report.lua http://127.0.0.1:PORT/path
--   (cookies come from the KC_BENCH_COOKIES environment variable, space-separated)

local cookies = {}
for value in string.gmatch(os.getenv("KC_BENCH_COOKIES") or "", "%S+") do
  table.insert(cookies, value)
end
local counter = 0

request = function()
  counter = counter + 1
  local headers = {}
  if #cookies > 0 then
    headers["Cookie"] = cookies[(counter % #cookies) + 1]
  end
  return wrk.format("GET", nil, headers)
end

done = function(summary, latency, requests)
  local function ms(q)
    return latency:percentile(q) / 1000.0
  end
  io.write(string.format(
    'KC_BENCH {"requests": %d, "duration_us": %d, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, '
      .. '"max_ms": %.3f, "mean_ms": %.3f, "errors_status": %d, "errors_connect": %d, '
      .. '"errors_read": %d, "errors_write": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration, ms(50), ms(95), ms(99), latency.max / 1000.0,
    latency.mean / 1000.0, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout
  ))
end
