-- A real, accepted booking on every request.
--
-- Each POST needs its own CSRF cookie, matching CSRF token and one-time form token, and wrk
-- can't chain a GET before each POST. So bench/load.py first loads the booking form as that
-- many first-time visitors and writes one line per visitor to the file in BENCH_POST_POOL:
--     <Cookie header>\t<urlencoded form body>
-- Each wrk thread takes its own share of the lines (no token is sent twice) and counts
-- what came back: "accepted" is a 302 to the confirmation page, anything else is not.
-- If a thread runs out of lines it starts again and counts "reused" (the run is then not
-- every-POST-a-new-request, and the bench prints a warning).
-- Each accepted POST's confirmation address (it holds the signed reference) is written to
-- BENCH_ACCEPTED_PREFIX<thread>, so the bench can check each one is a stored row.

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local threads = {}
local thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  items = {}
  local line_number = 0
  for line in io.lines(os.getenv("BENCH_POST_POOL")) do
    if line_number % thread_count == id then
      local cookie, body = line:match("^([^\t]*)\t(.*)$")
      table.insert(items, { cookie = cookie, body = body })
    end
    line_number = line_number + 1
  end
  position = 0
  accepted = 0
  rejected = 0
  reused = 0
  origin = os.getenv("BENCH_ORIGIN")
  accepted_file = io.open(os.getenv("BENCH_ACCEPTED_PREFIX") .. id, "a")
  accepted_file:setvbuf("line")  -- wrk has no per-thread "done": write as we go
end

function request()
  position = position + 1
  if position > #items then
    position = 1
    reused = reused + 1
  end
  local item = items[position]
  return wrk.format("POST", wrk.path, {
    ["Cookie"] = item.cookie,
    ["Origin"] = origin,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, item.body)
end

function response(status, headers, body)
  local location = headers["Location"] or headers["location"] or ""
  if status == 302 and location:find("/book/thank-you/", 1, true) then
    accepted = accepted + 1
    accepted_file:write(location, "\n")
  else
    rejected = rejected + 1
  end
end

function done(summary, latency, requests)
  local totals = { accepted = 0, rejected = 0, reused = 0 }
  for _, thread in ipairs(threads) do
    totals.accepted = totals.accepted + thread:get("accepted")
    totals.rejected = totals.rejected + thread:get("rejected")
    totals.reused = totals.reused + thread:get("reused")
  end
  bench_report(summary, latency, totals)
end
