-- wrk script for tests/bench/run_bench.py (and bench_childplans.py, which uses its helpers, and
-- bench_embedded.py).
--
-- Arguments after "--": the number of wrk threads (-t), then Cookie header values: the
-- requests rotate over the cookies, each wrk thread over its own share, so concurrent requests use different sessions as real users
-- would (one shared session would serialise every request on its django_session row).
-- Without arguments the requests carry no cookie (the anonymous /bench/plain).
-- An argument that starts with "/" is a path: the cookies after it are requested on that path
-- (tests/bench/bench_embedded.py mixes pages and users this way); before any, wrk's URL path.
--
-- Counts responses that are not 200 (wrk itself counts a 302 to the login page as a success),
-- and of those the 5xx, and prints one machine-readable line with the percentiles that wrk's
-- own report leaves out (p95).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  not_ok = 0
  server_errors = 0
  requests_ = {}
  local nthreads = tonumber(args[1]) or 1
  local pairs_ = {} -- {path or nil, cookie}
  local path = nil
  for i = 2, #args do
    if string.sub(args[i], 1, 1) == "/" then
      path = args[i]
    else
      table.insert(pairs_, { path, args[i] })
    end
  end
  for i, pair in ipairs(pairs_) do
    if (i - 1) % nthreads == id % nthreads then
      table.insert(requests_, wrk.format(nil, pair[1], { Cookie = pair[2] }))
    end
  end
  if #requests_ == 0 then
    if #pairs_ > 0 then
      table.insert(requests_, wrk.format(nil, pairs_[1][1], { Cookie = pairs_[1][2] }))
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
  if status >= 500 then
    server_errors = server_errors + 1
  end
end

function done(summary, latency, requests)
  local bad, failed = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_ok")
    failed = failed + thread:get("server_errors")
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {\"requests\": %d, \"duration_us\": %d, \"p50_us\": %d, \"p95_us\": %d, "
      .. "\"p99_us\": %d, \"max_us\": %d, \"not_ok\": %d, \"server_errors\": %d, \"socket_errors\": %d}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, bad, failed, e.connect + e.read + e.write + e.timeout
  ))
end
