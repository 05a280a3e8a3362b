local paging = require "lunet.paging"
local task = require "lunet.task"

local function now()
  local f = assert(io.open("/proc/uptime")); local t = f:read("n"); f:close(); return t
end

-- A fake API: `total` records, offset paging, optional latency, a log of requests.
local function offset_api(total, latency)
  local api = { requests = {} }
  function api.fetch(offset, size)
    api.requests[#api.requests + 1] = { offset = offset, size = size }
    if latency then task.sleep(latency) end
    local items = {}
    for i = offset + 1, math.min(offset + size, total) do items[#items + 1] = { id = i } end
    return { items = items, next = (offset + size < total) and (offset + size) or nil, total = total }
  end
  return api
end

-- Token paging: the next position only comes with the page.
local function token_api(total, size_cap)
  local api = { requests = 0 }
  function api.fetch(token, size)
    api.requests = api.requests + 1
    local start = token and tonumber(token:match("^t(%d+)$")) or 0
    size = math.min(size, size_cap or size)
    local items = {}
    for i = start + 1, math.min(start + size, total) do items[#items + 1] = i end
    return { items = items, next = (start + size < total) and ("t" .. (start + size)) or nil }
  end
  return api
end

local function ids(list) local out = {}; for i, v in ipairs(list) do out[i] = type(v) == "table" and v.id or v end; return out end
local function range(a, b) local out = {}; for i = a, b do out[#out + 1] = i end; return out end

describe("cursors", function()
  it("iterate every item across pages and can run again", function()
    local api = offset_api(23)
    local c = paging.cursor{ name = "things", fetch = api.fetch, start = 0, page_size = 5 }
    local seen = {}
    for item in c do seen[#seen + 1] = item.id end
    assert.same(range(1, 23), seen)
    local again = 0
    for _ in c do again = again + 1 end
    assert.equals(23, again)
  end)

  it("follow the server's next position (token paging)", function()
    local api = token_api(12)
    local c = paging.cursor{ fetch = api.fetch, page_size = 5 }
    assert.same(range(1, 12), c:collect())
    assert.equals(3, api.requests)
  end)

  it("give pages, collect(n), first(), total()", function()
    local api = offset_api(23)
    local c = paging.cursor{ fetch = api.fetch, start = 0, page_size = 10, advance = function(p, s) return p + s end }
    local sizes = {}
    for page in c:pages() do sizes[#sizes + 1] = #page end
    assert.same({ 10, 10, 3 }, sizes)
    assert.same({ 1, 2, 3, 4 }, ids(c:collect(4)))
    assert.equals(1, c:first().id)
    assert.equals(23, c:total())
  end)

  it("total() is nil when the server reports none, and first() of nothing is nil", function()
    local c = paging.cursor{ fetch = function() return { items = {} } end }
    assert.equals(nil, c:total())
    assert.equals(nil, c:first())
    assert.same({}, c:collect())
  end)

  it("stop at limit without fetching more than needed", function()
    local api = offset_api(1000)
    local c = paging.cursor{ fetch = api.fetch, start = 0, page_size = 10, limit = 25, prefetch = 0,
                             advance = function(p, s) return p + s end }
    assert.same(range(1, 25), ids(c:collect()))
    assert.equals(3, #api.requests)
  end)

  it("prefetch the next page while the script works", function()
    -- The same listing with and without prefetch, measured in this run, so a
    -- loaded machine slows both alike.
    local function time_with(prefetch)
      local api = offset_api(60, 0.1)
      local c = paging.cursor{ fetch = api.fetch, start = 0, page_size = 10, prefetch = prefetch }
      local start = now()
      for _ in c:pages() do task.sleep(0.1) end -- the script's own work per page
      return now() - start
    end
    local sequential, overlapped = time_with(0), time_with(1)
    -- ideal: 1.2 s vs 0.7 s
    assert.truthy(overlapped < 0.8 * sequential,
      ("prefetch 1 took %.2f s, prefetch 0 %.2f s: no overlap"):format(overlapped, sequential))
  end)

  it("keep memory bounded: at most prefetch + 1 requests ahead", function()
    local api = offset_api(200, 0.01)
    local c = paging.cursor{ fetch = api.fetch, start = 0, page_size = 10, prefetch = 2,
                             advance = function(p, s) return p + s end }
    local max_ahead = 0
    local seen = 0
    for page in c:pages() do
      seen = seen + #page
      max_ahead = math.max(max_ahead, #api.requests * 10 - seen)
    end
    assert.equals(200, seen)
    assert.truthy(max_ahead <= 30, "requested " .. max_ahead .. " items beyond the consumed ones")
  end)

  it("raise the fetcher's error where the script iterates", function()
    local c = paging.cursor{ caller = "x:list()", fetch = function(p)
      if p == 10 then error({ status = 500, message = "boom" }) end
      return { items = range(p + 1, p + 10), next = p + 10 }
    end, start = 0, page_size = 10, prefetch = 0 }
    local got = 0
    local ok, err = pcall(function() for _ in c do got = got + 1 end end)
    assert.falsy(ok)
    assert.equals(500, err.status)
    assert.equals(10, got)
  end)

  it("check their options and describe themselves", function()
    assert.has_error(function() paging.cursor{ caller = "b:list()", fetch = print, page_size = 0 } end,
      "b:list(): option 'page_size' must be a positive integer, got 0")
    assert.has_error(function() paging.cursor{ caller = "b:list()", fetch = print, prefetch = -1 } end,
      "option 'prefetch' must be a non-negative integer")
    assert.has_error(function() paging.cursor{ caller = "b:list()", fetch = print, page_size = 5000, max_page_size = 1000 } end,
      "option 'page_size' must be at most 1000")
    local c = paging.cursor{ name = "content(building)", fetch = print, page_size = 50, limit = 7 }
    assert.equals("<cursor content(building) page_size=50 limit=7>", tostring(c))
  end)
end)

-- An in-memory stand-in for lunet.state.
local function memory_store()
  local data = {}
  return { data = data, get = function(k) return data[k] end, set = function(k, v) data[k] = v end }
end

-- A change feed like iCL's: pages of `size`, tokens "cN", an empty page at the end.
local function change_api(changes, size)
  local api = { changes = changes, fetches = {} }
  function api.fetch(token)
    api.fetches[#api.fetches + 1] = token or "start"
    local at = token and tonumber(token:match("c(%d+)")) or 0
    local items = {}
    for i = at + 1, math.min(at + size, #api.changes) do items[#items + 1] = api.changes[i] end
    return { items = items, next = "c" .. (at + #items) }
  end
  function api.now() return "c" .. #api.changes end
  return api
end

describe("change feeds", function()
  it("deliver every change, end on an empty page, and keep the token", function()
    local api = change_api(range(1, 7), 3)
    local feed = paging.feed{ fetch = api.fetch, now = api.now }
    local got = {}
    for item in feed do got[#got + 1] = item end
    assert.same(range(1, 7), got)
    assert.equals("c7", feed.token)
  end)

  it("checkpoint after each fully consumed page and resume without gaps", function()
    local api = change_api(range(1, 10), 4)
    local store = memory_store()
    local feed = paging.feed{ fetch = api.fetch, checkpoint = "x", store = store }
    local got = {}
    local ok = pcall(function()
      for item in feed do
        got[#got + 1] = item
        if item == 6 then error("crash while handling 6") end
      end
    end)
    assert.falsy(ok)
    -- page 1 (1..4) was consumed; page 2 (5..8) was not: its start is saved
    assert.equals("c4", store.data["checkpoint:x"])
    local again = paging.feed{ fetch = api.fetch, checkpoint = "x", store = store }
    local rest = {}
    for item in again do rest[#rest + 1] = item end
    assert.same({ 5, 6, 7, 8, 9, 10 }, rest) -- 5 and 6 re-delivered (at least once), none skipped
    assert.equals("c10", store.data["checkpoint:x"])
  end)

  it("start from now, or from an explicit token, and let a checkpoint win over since", function()
    local api = change_api(range(1, 5), 2)
    local store = memory_store()
    local feed = paging.feed{ fetch = api.fetch, now = api.now, since = "now", store = store }
    local n = 0
    for _ in feed do n = n + 1 end
    assert.equals(0, n)
    assert.equals("c5", feed.token)
    local from = paging.feed{ fetch = api.fetch, token = "c3" }
    assert.same({ 4, 5 }, (function() local t = {}; for x in from do t[#t + 1] = x end; return t end)())
    store.set("checkpoint:y", "c1")
    local resumed = paging.feed{ fetch = api.fetch, now = api.now, since = "now", checkpoint = "y", store = store }
    assert.equals(2, resumed())
  end)

  it("commit() covers pages whose items were all delivered", function()
    local api = change_api(range(1, 6), 3)
    local store = memory_store()
    local feed = paging.feed{ fetch = api.fetch, checkpoint = "z", store = store }
    assert.equals(1, feed()); assert.equals(2, feed())
    feed:commit()
    assert.equals(nil, store.data["checkpoint:z"]) -- page 1 not fully delivered yet
    assert.equals(3, feed())
    feed:commit()
    assert.equals("c3", store.data["checkpoint:z"])
  end)

  it("follow: keep polling for new changes", function()
    local api = change_api(range(1, 2), 5)
    local feed = paging.feed{ fetch = api.fetch, follow = true, interval = 0.01 }
    assert.equals(1, feed()); assert.equals(2, feed())
    task.spawn(function() task.sleep(0.05); api.changes[3] = 3 end)
    assert.equals(3, feed())
  end)

  it("check options", function()
    assert.has_error(function() paging.feed{ caller = "p:changes()", fetch = print, since = "yesterday" } end,
      "p:changes(): option 'since' must be \"now\"")
    assert.has_error(function() paging.feed{ caller = "p:changes()", fetch = print, interval = -1 } end,
      "option 'interval' must be a non-negative number")
  end)
end)

describe("batch writes", function()
  -- A fake upsert: odd-numbered "bad" items are rejected.
  local function send_spec(log, opts)
    opts = opts or {}
    return {
      caller = "x:upsert()", lists = { "succeeded", "errored" }, batch_size = 3,
      send = function(items)
        log[#log + 1] = #items
        if opts.latency then task.sleep(opts.latency) end
        if opts.fail_batch and #log == opts.fail_batch then
          error(setmetatable({ status = 503, message = "down" }, { __name = "lunet.Error" }))
        end
        local r = { succeeded = {}, errored = {} }
        for i, item in ipairs(items) do
          if item.bad then r.errored[#r.errored + 1] = { index = i, error = "rejected " .. item.id }
          else r.succeeded[#r.succeeded + 1] = { index = i, id = item.id } end
        end
        return r
      end,
    }
  end

  local function items(n) local t = {}; for i = 1, n do t[i] = { id = i, bad = (i % 4 == 0) } end; return t end

  it("batch an array and merge the reports with input positions", function()
    local log = {}
    local r = paging.batch(items(8), nil, send_spec(log))
    assert.equals(8, r.count); assert.equals(3, r.batches)
    assert.same({ 3, 3, 2 }, log)
    assert.same({ 1, 2, 3, 5, 6, 7 }, (function() local t = {}; for _, e in ipairs(r.succeeded) do t[#t + 1] = e.index end; return t end)())
    assert.same({ { index = 4, error = "rejected 4" }, { index = 8, error = "rejected 8" } }, r.errored)
  end)

  it("take any iterator (a cursor here) and honour batch_size", function()
    local api = offset_api(10)
    local c = paging.cursor{ fetch = api.fetch, start = 0, page_size = 4 }
    local log = {}
    local r = paging.batch(c, { batch_size = 5 }, send_spec(log))
    assert.equals(10, r.count)
    assert.same({ 5, 5 }, log)
  end)

  it("run batches concurrently", function()
    local start = now()
    local r = paging.batch(items(12), { batch_size = 3, concurrency = 4 }, send_spec({}, { latency = 0.2 }))
    assert.equals(12, r.count)
    local elapsed = now() - start
    -- 4 batches × 0.2 s: 0.8 s one after another, 0.2 s at once
    assert.truthy(elapsed < 0.5, "4 batches at concurrency 4 took " .. elapsed .. " s")
  end)

  it("raise a failed request with the report so far", function()
    local ok, err = pcall(paging.batch, items(9), nil, send_spec({}, { fail_batch = 2 }))
    assert.falsy(ok)
    assert.equals(503, err.status)
    assert.equals(3, #err.report.succeeded) -- batch 1 only
    assert.equals(6, err.report.count)
  end)

  it("checkpoint a feed input only up to acknowledged batches", function()
    local api = change_api(items(10), 4)
    local store = memory_store()
    local feed = paging.feed{ fetch = api.fetch, checkpoint = "sync", store = store }
    local ok = pcall(paging.batch, feed, { batch_size = 3 }, send_spec({}, { fail_batch = 3 }))
    assert.falsy(ok)
    -- batches 1-2 (items 1..6) acknowledged: page 1 (items 1..4) is covered, page 2 (5..8) is not
    assert.equals("c4", store.data["checkpoint:sync"])
    local log = {}
    local feed2 = paging.feed{ fetch = api.fetch, checkpoint = "sync", store = store }
    local r = paging.batch(feed2, { batch_size = 3 }, send_spec(log))
    assert.equals(6, r.count) -- items 5..10 again; nothing skipped
    assert.equals("c10", store.data["checkpoint:sync"])
  end)

  it("checkpoint a mapped feed (feed:map) like the feed itself", function()
    local api = change_api(items(10), 4)
    local store = memory_store()
    local function copy(item) return { id = item.id, bad = item.bad, copied = true } end
    local feed = paging.feed{ fetch = api.fetch, checkpoint = "map", store = store }
    local ok = pcall(paging.batch, feed:map(copy), { batch_size = 3 }, send_spec({}, { fail_batch = 3 }))
    assert.falsy(ok)
    assert.equals("c4", store.data["checkpoint:map"]) -- items 1..6 acknowledged: page 1 only
    local sent = {}
    local spec = send_spec({})
    local send = spec.send
    spec.send = function(batch) for _, item in ipairs(batch) do sent[#sent + 1] = item end; return send(batch) end
    local r = paging.batch(paging.feed{ fetch = api.fetch, checkpoint = "map", store = store }:map(copy), { batch_size = 3 }, spec)
    assert.equals(6, r.count)
    assert.same({ 5, 6, 7, 8, 9, 10 }, ids(sent))
    assert.truthy(sent[1].copied)
    assert.equals("c10", store.data["checkpoint:map"])
    local empty = paging.feed{ fetch = api.fetch, checkpoint = "map", store = store }:map(function() return nil end)
    assert.equals(0, paging.batch(empty, nil, send_spec({})).count) -- nothing new: fn never called
    local broken = paging.feed{ fetch = api.fetch, store = store }:map(function() return nil end)
    assert.has_error(function() paging.batch(broken, nil, send_spec({})) end, "returned nil for item 1")
    assert.has_error(function() feed:map(42) end, "feed:map(): bad argument #1 (function expected, got number)")
  end)

  it("check arguments", function()
    assert.has_error(function() paging.batch(42, nil, send_spec({})) end, "x:upsert(): bad argument #1 (array or iterator expected, got number)")
    assert.has_error(function() paging.batch({}, { batch_size = 0 }, send_spec({})) end, "option 'batch_size' must be a positive integer")
  end)
end)
