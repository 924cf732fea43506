-- wrk script for tests/bench/run_bench.py (and bench_childplans.py, which uses its helpers).
--
-- Arguments after "--": the number of wrk threads (-t), then Cookie header values: the
-- requests rotate over the cookies, each wrk thread over its own share, so concurrent requests use different sessions as real users
-- would (one shared session would serialise every request on its django_session row).
-- Without arguments the requests carry no cookie (the anonymous /bench/plain).
--
-- Counts responses that are not 200 (wrk itself counts a 302 to the login page as a
-- success) and prints one machine-readable line with the percentiles that wrk's own
-- report leaves out (p95).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  not_ok = 0
  requests_ = {}
  local nthreads = tonumber(args[1]) or 1
  local cookies = {}
  for i = 2, #args do
    table.insert(cookies, args[i])
  end
  for i, cookie in ipairs(cookies) do
    if (i - 1) % nthreads == id % nthreads then
      table.insert(requests_, wrk.format(nil, nil, { Cookie = cookie }))
    end
  end
  if #requests_ == 0 then
    if #cookies > 0 then
      table.insert(requests_, wrk.format(nil, nil, { Cookie = cookies[1] }))
    else
      table.insert(requests_, wrk.format())
    end
  end
  next_ = 0
end

function request()
  next_ = next_ % #requests_ + 1
  return requests_[next_]
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_ok")
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {\"requests\": %d, \"duration_us\": %d, \"p50_us\": %d, \"p95_us\": %d, "
      .. "\"p99_us\": %d, \"max_us\": %d, \"not_ok\": %d, \"socket_errors\": %d}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, bad, e.connect + e.read + e.write + e.timeout
  ))
end
