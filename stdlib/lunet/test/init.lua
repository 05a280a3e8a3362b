-- lunet.test: the busted-compatible test runner behind `lunet test`.
--
-- `lunet test` runs each test file in a fresh Lua state: it calls
-- run_file(path, options), which installs the test API as globals (describe,
-- it, pending, before_each, after_each, setup, teardown, lazy_setup,
-- strict_setup, finally, assert, spy, stub, match), loads the file (which
-- declares blocks and tests), then runs the tests and returns one record per
-- test:
--   { name = "outer inner test", status = "passed"|"failed"|"error"|"skipped",
--     message = "…", where = "spec/x_spec.lua:12", trace = "…", time = seconds }
-- "failed" is an assertion that did not hold, "error" any other error (also
-- an error loading the file, or in a describe body, setup or teardown).
--
-- options: filter = Lua pattern over the full name ("describe … it"); only
-- matching tests run (and are counted).
local assertions = require "lunet.test.assert"
local spy = require "lunet.test.spy"

local M = {}

local PENDING = setmetatable({}, { __name = "lunet.test.Pending" })

local function new_block(name, parent, where)
  return { name = name, parent = parent, where = where, children = {},
           setup = {}, teardown = {}, before = {}, after = {} }
end

local function full_name(node)
  local parts = {}
  while node and node.parent do
    table.insert(parts, 1, node.name)
    node = node.parent
  end
  return table.concat(parts, " ")
end

-- Why a Lua pattern is malformed (nil when it is fine): string.find only
-- notices some mistakes when the match gets that far.
function M.pattern_error(p)
  local i, depth, n = 1, 0, #p
  while i <= n do
    local c = p:sub(i, i)
    if c == "%" then
      local d = p:sub(i + 1, i + 1)
      if d == "" then return "malformed pattern (ends with '%')" end
      if d == "b" then
        if i + 3 > n then return "missing arguments to '%b'" end
        i = i + 4
      elseif d == "f" then
        if p:sub(i + 2, i + 2) ~= "[" then return "missing '[' after '%f' in pattern" end
        i = i + 2
      else
        i = i + 2
      end
    elseif c == "[" then
      local j = i + 1
      if p:sub(j, j) == "^" then j = j + 1 end
      repeat
        if j > n then return "malformed pattern (missing ']')" end
        local e = p:sub(j, j)
        j = j + (e == "%" and 2 or 1)
      until p:sub(j, j) == "]"
      i = j + 1
    else
      if c == "(" then depth = depth + 1
      elseif c == ")" then
        depth = depth - 1
        if depth < 0 then return "invalid pattern capture (unmatched ')')" end
      end
      i = i + 1
    end
  end
  if depth > 0 then return "unfinished capture (missing ')')" end
  local ok, err = pcall(string.find, "", p)
  if not ok then return (tostring(err):gsub("^.-:%d+: ", "")) end
  return nil
end

function M.run_file(path, options)
  options = options or {}
  local filter = options.filter
  if filter then
    local err = M.pattern_error(filter)
    if err then return { usage_error = "--filter " .. string.format("%q", filter) .. ": " .. err } end
  end
  local source = "@" .. path
  local results = {}
  local root = new_block(path, nil, path)
  local current = root      -- the block being declared
  local running = nil       -- the test being run (nil while declaring)
  local finalizers = nil

  -- The first frame of the test file on the stack, as "path:line".
  local function location(from)
    for level = from or 3, 60 do
      local info = debug.getinfo(level, "Sl")
      if not info then break end
      if info.source == source and info.currentline and info.currentline > 0 then
        return path .. ":" .. info.currentline
      end
    end
  end

  local function clean_trace(trace)
    local kept = {}
    for line in trace:gmatch("[^\n]+") do
      if not (line:find("stdlib/lunet/test/", 1, true) or line:find("in function 'xpcall'", 1, true)
              or line:find("[C]: in ?", 1, true) or line:find("(...tail calls...)", 1, true)) then
        kept[#kept + 1] = line
      end
    end
    if #kept <= 1 then return nil end
    return table.concat(kept, "\n")
  end

  local function handler(e)
    if e == PENDING or (type(e) == "table" and e.pending == PENDING) then return { pending = true, message = type(e) == "table" and e.message or nil } end
    local where = location(3)
    if assertions.is_failure(e) then return { failed = true, message = e.message, where = where } end
    local message = type(e) == "string" and e or (type(e) == "table" and tostring(e.message or e)) or tostring(e)
    if not where and type(message) == "string" then
      local f, l = message:match("^([^\n:]+):(%d+):")
      if f then where = f .. ":" .. l end
    end
    return { failed = false, message = message, where = where,
             trace = clean_trace(debug.traceback("", 3)) }
  end

  -- call fn protected; returns nil on success or the outcome table
  local function protect(fn, ...)
    local ok, outcome = xpcall(fn, handler, ...)
    if ok then return nil end
    return outcome
  end

  local function record(name, status, outcome, where, time)
    results[#results + 1] = {
      name = name, status = status,
      message = outcome and outcome.message or nil,
      where = (outcome and outcome.where) or where,
      trace = outcome and outcome.trace or nil,
      time = time or 0,
    }
  end

  local function status_of(outcome)
    if outcome.pending then return "skipped" end
    return outcome.failed and "failed" or "error"
  end

  local function selected(node)
    if not filter then return true end
    return full_name(node):find(filter) ~= nil
  end

  ------------------------------------------------------------ the API

  local function definition_site() return location(3) or path end

  local function check_declaring(what)
    if running then error(what .. "() cannot be called inside a test (in '" .. running.full .. "')", 3) end
  end

  local api = {}

  function api.describe(name, fn)
    check_declaring("describe")
    if type(name) ~= "string" or type(fn) ~= "function" then
      error("describe(name, function) expected, got " .. type(name) .. ", " .. type(fn), 2)
    end
    local block = new_block(name, current, definition_site())
    table.insert(current.children, block)
    local outer = current
    current = block
    local outcome = protect(fn)
    current = outer
    if outcome then
      block.broken = outcome
    end
  end
  api.context, api.insulate, api.expose = api.describe, api.describe, api.describe

  function api.it(name, fn)
    check_declaring("it")
    if type(name) ~= "string" then error("it(name, function) expected a name, got " .. type(name), 2) end
    if fn ~= nil and type(fn) ~= "function" then error("it('" .. name .. "', …): expected a function, got " .. type(fn), 2) end
    table.insert(current.children, { test = true, name = name, fn = fn, parent = current,
                                     pending = fn == nil, where = definition_site() })
  end
  api.spec, api.test = api.it, api.it

  function api.pending(name, fn)
    if running then
      error({ pending = PENDING, message = name }, 0)
    end
    table.insert(current.children, { test = true, name = tostring(name), parent = current, pending = true,
                                     where = definition_site() })
  end

  local function hook(kind)
    return function(fn)
      check_declaring(kind)
      if type(fn) ~= "function" then error(kind .. "(function) expected, got " .. type(fn), 2) end
      local list = ({ setup = current.setup, teardown = current.teardown, before_each = current.before,
                      after_each = current.after })[kind]
      list[#list + 1] = fn
    end
  end
  api.before_each, api.after_each = hook("before_each"), hook("after_each")
  api.setup, api.teardown = hook("setup"), hook("teardown")
  api.lazy_setup, api.strict_setup = api.setup, api.setup
  api.lazy_teardown, api.strict_teardown = api.teardown, api.teardown

  function api.finally(fn)
    if not running then error("finally() can only be called inside a test", 2) end
    finalizers[#finalizers + 1] = fn
  end

  api.assert = assertions.assert
  api.spy = setmetatable({ new = spy.new, on = spy.on, is_spy = spy.is_spy },
                         { __call = function(_, fn) return spy.new(fn) end })
  api.stub = setmetatable({ new = spy.stub }, { __call = function(_, ...) return spy.stub(...) end })
  api.match = assertions.match

  for k, v in pairs(api) do _G[k] = v end
  package.loaded["busted"] = api
  package.loaded["luassert"] = api.assert
  package.loaded["luassert.spy"] = api.spy
  package.loaded["luassert.stub"] = api.stub
  package.loaded["luassert.match"] = api.match

  ------------------------------------------------------------ declaring

  local chunk, load_error = loadfile(path, "t")
  if not chunk then
    local f, l = tostring(load_error):match("^([^\n:]+):(%d+):")
    record(path, "error", { message = load_error, where = f and (f .. ":" .. l) or path }, path)
    return { tests = results }
  end
  local outcome = protect(chunk, path)
  if outcome then
    if outcome.pending then outcome.message = "pending() outside a test" end
    record(path, "error", { message = "error in " .. path .. " outside any test: " .. tostring(outcome.message),
                            where = outcome.where, trace = outcome.trace }, path)
  end

  ------------------------------------------------------------ running

  local function has_runnable(block)
    for _, child in ipairs(block.children) do
      if child.test then
        if not child.pending and selected(child) then return true end
      elseif has_runnable(child) then return true end
    end
    return false
  end

  local function each_test(block, fn)
    for _, child in ipairs(block.children) do
      if child.test then fn(child) else each_test(child, fn) end
    end
  end

  local function chain_of(block)
    local list = {}
    while block do table.insert(list, 1, block); block = block.parent end
    return list
  end

  local function run_test(test)
    local name = full_name(test)
    if not selected(test) then return end
    if test.pending then record(name, "skipped", nil, test.where); return end
    running = { full = name }
    finalizers = {}
    local started = os.clock()
    local chain = chain_of(test.parent)
    local first = nil
    local entered = 0
    for i, block in ipairs(chain) do
      entered = i
      for _, fn in ipairs(block.before) do
        first = first or protect(fn)
        if first then break end
      end
      if first then break end
    end
    if not first then first = protect(test.fn) end
    for i = entered, 1, -1 do
      for _, fn in ipairs(chain[i].after) do
        local o = protect(fn)
        first = first or o
      end
    end
    for i = #finalizers, 1, -1 do
      local o = protect(finalizers[i])
      first = first or o
    end
    spy.revert_all()
    running, finalizers = nil, nil
    local time = os.clock() - started
    if first then
      record(name, status_of(first), first, test.where, time)
    else
      record(name, "passed", nil, test.where, time)
    end
  end

  local function run_block(block)
    if block.broken then
      record(full_name(block), "error", { message = "error in describe '" .. block.name .. "': "
        .. tostring(block.broken.message), where = block.broken.where or block.where, trace = block.broken.trace }, block.where)
    end
    if not has_runnable(block) then
      each_test(block, function(t) if t.pending and selected(t) then record(full_name(t), "skipped", nil, t.where) end end)
      return
    end
    local broken = nil
    for _, fn in ipairs(block.setup) do
      broken = protect(fn)
      if broken then break end
    end
    if broken then
      local name = full_name(block)
      each_test(block, function(t)
        if selected(t) then
          if t.pending then record(full_name(t), "skipped", nil, t.where)
          else
            record(full_name(t), "error", { message = "setup of '" .. (name ~= "" and name or path) .. "' failed: "
              .. tostring(broken.message), where = broken.where, trace = broken.trace }, t.where)
          end
        end
      end)
    else
      for _, child in ipairs(block.children) do
        if child.test then run_test(child) else run_block(child) end
      end
    end
    for _, fn in ipairs(block.teardown) do
      local o = protect(fn)
      if o then
        local name = full_name(block)
        record((name ~= "" and name .. " " or "") .. "teardown", "error",
          { message = "teardown failed: " .. tostring(o.message), where = o.where, trace = o.trace }, block.where)
      end
    end
  end

  run_block(root)
  return { tests = results }
end

return M
