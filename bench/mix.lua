-- wrk script for the memory check: cycles through every page of the run
-- (KC_BENCH_PATHS, space-separated) with the benchmark's session cookies and
-- stops each thread after its share of KC_BENCH_REQUESTS responses.

local paths, cookies = {}, {}
for value in string.gmatch(os.getenv("KC_BENCH_PATHS") or "/ping", "%S+") do
  table.insert(paths, value)
end
for value in string.gmatch(os.getenv("KC_BENCH_COOKIES") or "", "%S+") do
  table.insert(cookies, value)
end
local total = tonumber(os.getenv("KC_BENCH_REQUESTS") or "10000")
local threads = tonumber(os.getenv("KC_BENCH_THREADS") or "1")
local limit = math.ceil(total / threads)
local sent, received = 0, 0

request = function()
  sent = sent + 1
  local headers = {}
  if #cookies > 0 then
    headers["Cookie"] = cookies[(sent % #cookies) + 1]
  end
  return wrk.format("GET", paths[(sent % #paths) + 1], headers)
end

response = function(status, headers, body)
  received = received + 1
  if received >= limit then
    wrk.thread:stop()
  end
end

done = function(summary, latency, requests)
  io.write(string.format(
    'KC_BENCH {"requests": %d, "duration_us": %d, "errors_status": %d}\n',
    summary.requests, summary.duration, summary.errors.status
  ))
end
