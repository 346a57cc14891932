-- A slow page's rows: each wrk thread stops after BENCH_REQUESTS_PER_THREAD answers instead of
-- at the end of -d, so no request is still running on the server when the next row or round
-- starts (wrk never waits for the requests in flight when its time is up). Each thread then
-- writes BENCH_THREAD_DONE, and bench/load.py interrupts wrk, which reports as usual.

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local limit = tonumber(os.getenv("BENCH_REQUESTS_PER_THREAD"))
local answered = 0

function response(status, headers, body)
  answered = answered + 1
  if answered == limit then
    wrk.thread:stop()
    io.stdout:write("BENCH_THREAD_DONE\n")
    io.stdout:flush()
  end
end
