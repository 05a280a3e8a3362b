-- lunet.test.diff: deep comparison for assert.same and spies' called_with,
-- and the readable difference report a failed assert.same prints:
--
--   Expected objects to be the same.
--   Differences (expected → actual):
--     [2].name: "Ada" → "Bob"
--     .tags: missing (expected {"a"})
--     .extra: unexpected (got true)
--   Expected: { … }
--   Actual:   { … }
local inspect = require "lunet.inspect"

local M = {}

-- match._ (any value) and friends are tables carrying this marker.
M.matcher = setmetatable({}, { __mode = "k" })

local opts = { depth = 6, max_items = 50, max_string = 200, width = 76, redact = false }
function M.show(v) return inspect(v, opts) end

local function key_path(path, k)
  if type(k) == "string" and inspect.is_identifier(k) then return path .. "." .. k end
  return path .. "[" .. M.show(k) .. "]"
end

local function num_equal(a, b) return a == b end

-- same(expected, actual) → true | false, list of differences
-- Matchers (M.matcher[x] = predicate) in expected accept any value they approve.
function M.same(expected, actual, limit)
  local diffs = {}
  limit = limit or 20
  local seen = {}
  local function walk(e, a, path)
    if #diffs >= limit then return end
    if type(e) == "table" and M.matcher[e] then
      if not M.matcher[e](a) then diffs[#diffs + 1] = path .. ": " .. M.show(a) .. " does not match " .. tostring(e) end
      return
    end
    if rawequal(e, a) then return end
    if type(e) ~= "table" or type(a) ~= "table" then
      if type(e) == "number" and type(a) == "number" and num_equal(e, a) then return end
      if type(e) ~= "table" and type(a) ~= "table" and e == a then return end
      diffs[#diffs + 1] = (path == "" and "value" or path) .. ": " .. M.show(e) .. " → " .. M.show(a)
      return
    end
    if seen[e] == a then return end
    seen[e] = a
    local keys = inspect.sorted_keys(e)
    for _, k in ipairs(keys) do
      local av = rawget(a, k)
      if av == nil then
        if #diffs < limit then
          diffs[#diffs + 1] = key_path(path, k) .. ": missing (expected " .. M.show(rawget(e, k)) .. ")"
        end
      else
        walk(rawget(e, k), av, key_path(path, k))
      end
    end
    for _, k in ipairs(inspect.sorted_keys(a)) do
      if rawget(e, k) == nil and #diffs < limit then
        diffs[#diffs + 1] = key_path(path, k) .. ": unexpected (got " .. M.show(rawget(a, k)) .. ")"
      end
    end
  end
  walk(expected, actual, "")
  return #diffs == 0, diffs
end

function M.report(expected, actual, diffs)
  local lines = { "Expected objects to be the same.", "Differences (expected → actual):" }
  for _, d in ipairs(diffs) do lines[#lines + 1] = "  " .. d end
  if #diffs >= 20 then lines[#lines + 1] = "  … (first 20 shown)" end
  lines[#lines + 1] = "Expected: " .. M.show(expected):gsub("\n", "\n          ")
  lines[#lines + 1] = "Actual:   " .. M.show(actual):gsub("\n", "\n          ")
  return table.concat(lines, "\n")
end

return M
