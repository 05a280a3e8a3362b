-- Minimal busted-style harness for Lunet's own Lua tests.
-- Usage (any Lua 5.4 with stdlib/ on package.path, or inside lunet):
--   local h = dofile("Tests/lua/harness.lua"); h.run_file("Tests/lua/x_test.lua")
-- Each test file uses describe/it/before_each and assert.*; run_file returns
-- passed, failed, and a list of failure messages carrying file:line.
local H = {}

local function fmt(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

local function deep_equal(a, b, path, seen)
  if a == b then return true end
  if type(a) ~= type(b) then
    return false, string.format("%s: expected %s (%s), got %s (%s)", path, fmt(a), type(a), fmt(b), type(b))
  end
  if type(a) ~= "table" then
    if math.type(a) ~= math.type(b) and type(a) == "number" then
      return false, string.format("%s: expected %s %s, got %s %s", path, math.type(a), fmt(a), math.type(b), fmt(b))
    end
    return false, string.format("%s: expected %s, got %s", path, fmt(a), fmt(b))
  end
  seen = seen or {}
  if seen[a] == b then return true end
  seen[a] = b
  for k, v in pairs(a) do
    local ok, why = deep_equal(v, b[k], path .. "[" .. fmt(k) .. "]", seen)
    if not ok then return false, why end
  end
  for k in pairs(b) do
    if a[k] == nil then return false, string.format("%s[%s]: unexpected key", path, fmt(k)) end
  end
  return true
end

local function fail(msg) error(msg, 3) end

local assert_ = {}
function assert_.equals(expected, actual, msg)
  if expected ~= actual or math.type(expected) ~= math.type(actual) then
    fail((msg and msg .. ": " or "") .. string.format("expected %s, got %s", fmt(expected), fmt(actual)))
  end
end
function assert_.same(expected, actual, msg)
  local ok, why = deep_equal(expected, actual, "value")
  if not ok then fail((msg and msg .. ": " or "") .. why) end
end
function assert_.truthy(v, msg) if not v then fail(msg or ("expected a truthy value, got " .. fmt(v))) end end
function assert_.falsy(v, msg) if v then fail(msg or ("expected a falsy value, got " .. fmt(v))) end end
function assert_.matches(pattern, s, msg)
  if type(s) ~= "string" or not s:find(pattern) then
    fail((msg and msg .. ": " or "") .. string.format("%s does not match %q", fmt(s), pattern))
  end
end
-- has_error(fn, expected): expected is a plain substring of the message.
function assert_.has_error(fn, expected)
  local ok, err = pcall(fn)
  if ok then fail("expected an error" .. (expected and (" containing " .. fmt(expected)) or "")) end
  if expected and not tostring(err):find(expected, 1, true) then
    fail(string.format("error %s does not contain %s", fmt(tostring(err)), fmt(expected)))
  end
  return err
end
assert_.are = { equal = assert_.equals, same = assert_.same }
setmetatable(assert_, { __call = function(_, v, msg, ...) if not v then fail(msg or "assertion failed") end return v, msg, ... end })

function H.run_file(path)
  local passed, failed, failures = 0, 0, {}
  local stack = {}
  local env = setmetatable({}, { __index = _G })
  env.assert = assert_
  function env.describe(name, fn)
    stack[#stack + 1] = { name = name, before = {}, after = {} }
    fn()
    stack[#stack] = nil
  end
  function env.before_each(fn) table.insert(stack[#stack].before, fn) end
  function env.after_each(fn) table.insert(stack[#stack].after, fn) end
  function env.it(name, fn)
    local names = {}
    for _, s in ipairs(stack) do names[#names + 1] = s.name end
    names[#names + 1] = name
    local ok, err = xpcall(function()
      for _, s in ipairs(stack) do for _, b in ipairs(s.before) do b() end end
      fn()
      for i = #stack, 1, -1 do for _, a in ipairs(stack[i].after) do a() end end
    end, debug.traceback)
    if ok then passed = passed + 1
    else
      failed = failed + 1
      failures[#failures + 1] = table.concat(names, " ") .. ": " .. tostring(err)
    end
  end
  -- as `lunet test` does: modules beside the test file can be required
  local dir = path:match("^(.*)/[^/]*$") or "."
  if not package.path:find(dir .. "/?.lua;", 1, true) then package.path = dir .. "/?.lua;" .. package.path end
  local chunk, err = loadfile(path, "t", env)
  if not chunk then return 0, 1, { err } end
  local ok, err2 = xpcall(chunk, debug.traceback)
  if not ok then failed = failed + 1; failures[#failures + 1] = "loading " .. path .. ": " .. tostring(err2) end
  return passed, failed, failures
end

-- Runs fn with os.tmpname giving names in one folder of its own, removed
-- afterwards: the files tests make (state databases, downloads, folders)
-- do not stay in /tmp. Returns fn's results.
function H.with_scratch(fn)
  local mktemp = io.popen("mktemp -d")
  local scratch = mktemp and mktemp:read("l")
  if mktemp then mktemp:close() end
  if not scratch or scratch == "" then return fn() end
  local real, n = os.tmpname, 0
  os.tmpname = function()
    n = n + 1
    local path = scratch .. "/tmp" .. n
    assert(io.open(path, "w")):close() -- created, as the real os.tmpname does
    return path
  end
  local results = table.pack(pcall(fn))
  os.tmpname = real
  os.execute("rm -rf '" .. scratch .. "'")
  if not results[1] then error(results[2], 0) end
  return table.unpack(results, 2, results.n)
end

-- Command line: lua5.4 Tests/lua/harness.lua FILE...
if arg and arg[0] and arg[0]:match("harness%.lua$") then
  local total_p, total_f = H.with_scratch(function()
    local p_sum, f_sum = 0, 0
    for i = 1, #arg do
      local p, f, failures = H.run_file(arg[i])
      p_sum, f_sum = p_sum + p, f_sum + f
      for _, m in ipairs(failures) do io.stderr:write("FAIL ", m, "\n") end
    end
    return p_sum, f_sum
  end)
  print(string.format("%d passed, %d failed", total_p, total_f))
  os.exit(total_f == 0 and 0 or 1)
end
return H
