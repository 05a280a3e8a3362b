local task = require "lunet.task"

local function now()
  local f = assert(io.open("/proc/uptime")); local t = f:read("n"); f:close(); return t
end

describe("task.spawn and handle:wait", function()
  it("runs tasks concurrently while they wait", function()
    local start = now()
    task.sleep(0.3); task.sleep(0.3)
    local sequential = now() - start
    start = now()
    local a = task.spawn(function(x) task.sleep(0.3); return x * 2, "a" end, 21)
    local b = task.spawn(function() task.sleep(0.3); return "b" end)
    local x, tag = a:wait()
    assert.equals(42, x); assert.equals("a", tag)
    assert.equals("b", b:wait())
    local overlapped = now() - start
    assert.truthy(overlapped < 0.75 * sequential,
      ("two 0.3 s sleeps took %.2f s in tasks, %.2f s in a row: no overlap"):format(overlapped, sequential))
  end)

  it("runs a new task at once, until it first waits", function()
    local order = {}
    local h = task.spawn(function()
      order[#order + 1] = "task starts"
      task.sleep(0.01)
      order[#order + 1] = "task ends"
    end)
    order[#order + 1] = "spawner continues"
    h:wait()
    assert.same({ "task starts", "spawner continues", "task ends" }, order)
  end)

  it("nests: a task spawned by a task runs at once too", function()
    local order = {}
    local outer = task.spawn(function()
      local inner = task.spawn(function() order[#order + 1] = "inner" end)
      order[#order + 1] = "outer"
      inner:wait()
    end)
    outer:wait()
    assert.same({ "inner", "outer" }, order)
  end)

  it("returns every result, nils included, and can be waited for twice", function()
    local h = task.spawn(function() return 1, nil, 3 end)
    local n = select("#", h:wait())
    assert.equals(3, n)
    assert.equals(3, select(3, h:wait()))
  end)

  it("re-raises a task's error in the waiter with the task's traceback", function()
    local h = task.spawn(function() task.sleep(0.01); error("task broke") end)
    local ok, err = pcall(function() return h:wait() end)
    assert.falsy(ok)
    assert.matches("task_test.lua:%d+: task broke", err)
    assert.matches("%(task %d+%) stack traceback:", err)
    assert.equals("failed", h.status)
  end)

  it("keeps table errors as they are", function()
    local e = setmetatable({ code = 7 }, { __name = "my.Error" })
    local h = task.spawn(function() error(e) end)
    local ok, got = pcall(h.wait, h)
    assert.falsy(ok)
    assert.equals(e, got)
  end)

  it("describes handles", function()
    local h = task.spawn(function() task.sleep(0.01) end)
    assert.equals("waiting", h.status)
    h:wait()
    assert.matches("^<task %d+ done>$", tostring(h))
    assert.equals("integer", math.type(h.id))
  end)

  it("checks its arguments", function()
    assert.has_error(function() task.spawn(42) end, "task.spawn(): bad argument #1 (function expected, got number)")
    assert.has_error(function() task.sleep("x") end, "task.sleep(): bad argument #1 (number expected, got string)")
    assert.has_error(function() task.sleep(-1) end, "task.sleep(): bad argument #1 (seconds must be a non-negative number)")
  end)

  it("refuses a task waiting for itself", function()
    local me
    me = task.spawn(function() task.yield(); return me:wait() end)
    local ok, err = pcall(me.wait, me)
    assert.falsy(ok)
    assert.matches("a task cannot wait for itself", err)
  end)

  it("detects tasks that wait for each other", function()
    local a, b
    a = task.spawn(function() task.sleep(0.01); return b:wait() end)
    b = task.spawn(function() task.sleep(0.01); return a:wait() end)
    local ok, err = pcall(a.wait, a)
    assert.falsy(ok)
    assert.matches("deadlock", err)
  end)

  it("measures elapsed time on a monotonic clock", function()
    local t0 = task.clock()
    assert.equals("float", math.type(t0))
    task.sleep(0.05)
    local elapsed = task.clock() - t0
    assert.truthy(elapsed >= 0.049 and elapsed < 5, tostring(elapsed))
    assert.truthy(task.clock() >= t0 + elapsed)
  end)

  it("lets others run on task.yield()", function()
    local log = {}
    local h = task.spawn(function() task.yield(); log[#log + 1] = "other" end)
    task.yield()
    task.yield()
    log[#log + 1] = "me"
    h:wait()
    assert.same({ "other", "me" }, log)
  end)
end)

describe("host waits inside the script's own coroutines", function()
  it("pass through coroutine.wrap iterators", function()
    local gen = coroutine.wrap(function()
      for i = 1, 3 do task.sleep(0.001); coroutine.yield(i) end
    end)
    assert.same({ 1, 2, 3 }, { gen(), gen(), gen() })
  end)

  it("pass through coroutine.resume and keep the script's own yields", function()
    local co = coroutine.create(function(x)
      task.sleep(0.001)
      local y = coroutine.yield(x + 1)
      task.sleep(0.001)
      return y * 2
    end)
    assert.same({ true, 2 }, { coroutine.resume(co, 1) })
    assert.same({ true, 20 }, { coroutine.resume(co, 10) })
    assert.equals("dead", coroutine.status(co))
  end)

  it("work in nested coroutines", function()
    local outer = coroutine.wrap(function()
      local inner = coroutine.wrap(function() task.sleep(0.001); coroutine.yield("deep") end)
      coroutine.yield(inner())
    end)
    assert.equals("deep", outer())
  end)

  it("keep coroutine.wrap's error behaviour", function()
    local f = coroutine.wrap(function() error("inside") end)
    local ok, err = pcall(f)
    assert.falsy(ok)
    assert.matches("inside", err)
    assert.has_error(function() coroutine.wrap(1) end, "bad argument #1 to 'wrap'")
    assert.has_error(function() coroutine.resume(1) end, "bad argument #1 to 'resume'")
  end)

  it("fall back to blocking where Lua cannot yield (a sort comparator)", function()
    local t = { 3, 1, 2 }
    table.sort(t, function(x, y) task.sleep(0.001); return x < y end)
    assert.same({ 1, 2, 3 }, t)
  end)

  it("work under pcall", function()
    local ok, v = pcall(function() task.sleep(0.001); return "fine" end)
    assert.truthy(ok); assert.equals("fine", v)
  end)
end)

describe("task.map", function()
  it("keeps input order and limits concurrency", function()
    local running, peak = 0, 0
    local start = now()
    local r = task.map({ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, function(v, i)
      running = running + 1; peak = math.max(peak, running)
      task.sleep(0.1)
      running = running - 1
      return v * v + i * 0
    end, { concurrency = 5 })
    assert.same({ 1, 4, 9, 16, 25, 36, 49, 64, 81, 100 }, r)
    assert.equals(5, peak)
    local elapsed = now() - start
    -- 10 × 0.1 s: 1.0 s one at a time, 0.2 s five at a time
    assert.truthy(elapsed < 0.5, "10 items × 0.1 s at concurrency 5 took " .. elapsed .. " s")
  end)

  it("stops starting items after a failure and raises it with the index", function()
    local started = 0
    local ok, err = pcall(task.map, { 1, 2, 3, 4, 5, 6 }, function(v)
      started = started + 1
      task.sleep(0.01)
      if v == 2 then error("two!") end
      return v
    end, { concurrency = 2 })
    assert.falsy(ok)
    assert.matches("^task.map%(%): item 2: .*two!", err)
    assert.truthy(started < 6, "all items started despite the failure")
  end)

  it("handles an empty list and checks arguments", function()
    assert.same({}, task.map({}, function() end))
    assert.has_error(function() task.map(1, print) end, "task.map(): bad argument #1 (table expected, got number)")
    assert.has_error(function() task.map({}, 1) end, "task.map(): bad argument #2 (function expected, got number)")
    assert.has_error(function() task.map({}, print, { concurency = 2 }) end, "unknown option 'concurency'")
    assert.has_error(function() task.map({}, print, { concurrency = 0 }) end, "option 'concurrency' must be a positive integer")
  end)
end)
