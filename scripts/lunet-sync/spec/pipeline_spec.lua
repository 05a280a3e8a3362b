-- lunet_sync pipelines with in-memory sources and destinations (no network).
local sync = require "lunet_sync"
local paging = require "lunet.paging"

local function people()
  return {
    { id = "p1", name = "ada" }, { id = "p2", name = "bob" }, { id = "p3", name = "cy", inactive = true },
    { id = "p4", name = "dee" }, { id = "p5", name = 5 },
  }
end

local function upper(item)
  if item.inactive then return nil end
  return { id = item.id, name = item.name:upper() }  -- p5: name is a number → error
end

describe("lunet_sync.pipeline", function()
  it("transforms, skips and writes, reporting every item by source position", function()
    local dest, written = sync.destinations.collect()
    local report = sync.pipeline{
      source = sync.sources.array(people(), "people"), transform = upper, destination = dest, batch_size = 2,
    }:run()
    assert.same({ { id = "p1", name = "ADA" }, { id = "p2", name = "BOB" }, { id = "p4", name = "DEE" } }, written)
    assert.equals("people → collect", report.name)
    assert.equals(5, report.read)
    assert.equals(3, report.written)
    assert.equals(1, report.skipped)
    assert.equals(1, report.failed)
    assert.equals(3, report.batches)
    assert.same({ 1, 2, 4 }, { report.succeeded[1].index, report.succeeded[2].index, report.succeeded[3].index })
    assert.same({ { index = 3, key = "p3", reason = "transform returned nil" } }, report.skipped_items)
    local e = report.errored[1]
    assert.equals(5, e.index); assert.equals("p5", e.key); assert.equals("transform", e.stage)
    assert.matches("attempt to index a number value", e.error)
  end)

  it("maps destination rejections back to source positions and never drops an item", function()
    local dest = {
      name = "picky",
      send = function(items)
        -- accepts the first, rejects the second, forgets the rest
        return { succeeded = { { index = 1, id = "new-1" } }, errored = { { index = 2, error = "duplicate" } } }
      end,
    }
    local report = sync.pipeline{ source = sync.sources.array(people()), transform = upper, destination = dest }:run()
    assert.equals(1, report.written)
    assert.equals("new-1", report.succeeded[1].id)
    assert.same({ index = 2, key = "p2", stage = "destination", error = "duplicate" }, report.errored[1])
    assert.same({ index = 4, key = "p4", stage = "destination", error = "not in the destination's report" }, report.errored[2])
    assert.equals("transform", report.errored[3].stage)
    assert.equals(3, report.failed)
  end)

  it("sends batches of batch_size to the destination", function()
    local dest = sync.destinations.collect()
    local send = spy.on(dest, "send")
    sync.pipeline{ source = sync.sources.array(people()), destination = dest, batch_size = 2 }:run()
    assert.spy(send).was.called(3)
    assert.equals(1, #send.calls[3].vals[1])
  end)

  it("stops at limit", function()
    local dest, written = sync.destinations.collect()
    local report = sync.pipeline{ source = sync.sources.array(people()), destination = dest }:run{ limit = 2 }
    assert.equals(2, report.read)
    assert.equals(2, #written)
  end)

  it("raises with the partial report when the destination fails", function()
    local calls = 0
    local dest = sync.destinations.each(function() end)
    local inner = dest.send
    dest.send = function(items)
      calls = calls + 1
      if calls == 2 then error("503 from the destination") end
      return inner(items)
    end
    local p = sync.pipeline{ source = sync.sources.array(people()), destination = dest, batch_size = 2 }
    local ok, e = pcall(p.run, p)
    assert.falsy(ok)
    assert.matches("stopped: .*503 from the destination", tostring(e))
    assert.equals(2, e.report.written)
  end)

  it("checks its options", function()
    local dest = sync.destinations.collect()
    local src = sync.sources.array({})
    assert.has_error(function() sync.pipeline{ source = src, destination = dest, batchsize = 2 } end,
      "lunet_sync.pipeline(): unknown option 'batchsize' (known: batch_size, checkpoint, concurrency, destination, key, name, source, transform)")
    assert.has_error(function() sync.pipeline{ source = src, destination = { name = "x" } } end,
      "lunet_sync.pipeline(): destination 'x' has no send() function")
    assert.has_error(function() sync.pipeline{ source = src, destination = dest, transform = 1 } end,
      "transform must be a function, got number")
    assert.has_error(function() sync.pipeline{ source = src, destination = dest }:run{ limit = -1 } end,
      "limit must be a non-negative integer")
  end)

  it("formats a report", function()
    local report = sync.pipeline{ name = "demo", source = sync.sources.array(people()), transform = upper,
                                  destination = sync.destinations.collect() }:run()
    local text = sync.format(report)
    assert.matches("^demo: read 5, written 3, skipped 1, failed 1 in 1 batches\n", text)
    assert.matches("\n  #5 p5 %(transform%): .*attempt to index", text)
  end)
end)

describe("lunet_sync checkpoints", function()
  -- A feed of 3 pages of 2 items over an in-memory checkpoint store.
  local store
  local function feed_source()
    local pages = { ["0"] = { "a", "b" }, ["1"] = { "c", "d" }, ["2"] = { "e", "f" } }
    return sync.sources.iterator(function(ctx)
      return paging.feed{
        name = "letters", checkpoint = ctx.checkpoint, store = store,
        fetch = function(token)
          token = token or "0"
          local items = {}
          for i, v in ipairs(pages[token] or {}) do items[i] = { id = v } end
          return { items = items, next = pages[token] and tostring(tonumber(token) + 1) or token }
        end,
      }
    end, "letters")
  end
  before_each(function()
    local data = {}
    store = { get = function(k) return data[k] end, set = function(k, v) data[k] = v end, data = data }
  end)

  it("resumes after a failure without losing or repeating items", function()
    local seen, down = {}, true
    local dest = sync.destinations.each(function(item) seen[#seen + 1] = item.id end)
    local inner = dest.send
    dest.send = function(items)   -- the destination is down once, when the second page arrives
      if items[1].id == "c" and down then down = false; error("destination down") end
      return inner(items)
    end
    local p = sync.pipeline{ source = feed_source(), destination = dest, checkpoint = "letters", batch_size = 2 }
    local ok, e = pcall(p.run, p)
    assert.falsy(ok)
    assert.matches("destination down", tostring(e))
    assert.equals("1", store.data["checkpoint:letters"])   -- only the first page is acknowledged
    local report = p:run()
    assert.same({ "a", "b", "c", "d", "e", "f" }, seen)
    assert.equals(4, report.written)
    assert.equals("3", report.checkpoint)
    local again = p:run()
    assert.equals(0, again.read)
  end)

  it("refuses limit on a checkpointed feed", function()
    local p = sync.pipeline{ source = feed_source(), destination = sync.destinations.collect(), checkpoint = "x" }
    assert.has_error(function() p:run{ limit = 1 } end, "limit cannot be used with a checkpointed feed ('x')")
  end)
end)
