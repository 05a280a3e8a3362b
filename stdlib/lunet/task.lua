-- lunet.task: concurrency for scripts. Tasks are coroutines on the one Lua
-- state; while one waits on the network the others run. The Swift core
-- (spawn, sleep, yield, handle:wait) arrives as this chunk's argument.
local task = ...

local function check_concurrency(opts)
  if opts == nil then return 8 end
  if type(opts) ~= "table" then
    error("task.map(): bad argument #3 (table of options expected, got " .. type(opts) .. ")", 3)
  end
  for k in pairs(opts) do
    if k ~= "concurrency" then
      error("task.map(): bad argument #3 (unknown option '" .. tostring(k) .. "'; known options: concurrency)", 3)
    end
  end
  local c = opts.concurrency
  if c == nil then return 8 end
  if math.type(c) ~= "integer" or c < 1 then
    error("task.map(): option 'concurrency' must be a positive integer, got " .. tostring(c), 3)
  end
  return c
end

--- task.map(list, fn, { concurrency = 8 }) → results
-- Calls fn(item, index) for every item of list, at most `concurrency` at a
-- time, and returns the results in input order (results[i] = fn(list[i], i)).
-- On the first failure no new items start; the running ones finish; then the
-- error is raised (a string gains "task.map(): item N: " in front).
function task.map(list, fn, opts)
  if type(list) ~= "table" then
    error("task.map(): bad argument #1 (table expected, got " .. type(list) .. ")", 2)
  end
  if type(fn) ~= "function" then
    error("task.map(): bad argument #2 (function expected, got " .. type(fn) .. ")", 2)
  end
  local concurrency = check_concurrency(opts)
  local n, results, next_index, failure = #list, {}, 0, nil
  local function worker()
    while failure == nil do
      next_index = next_index + 1
      local i = next_index
      if i > n then return end
      local ok, value = pcall(fn, list[i], i)
      if ok then results[i] = value
      elseif failure == nil then failure = { index = i, error = value } end
    end
  end
  local workers = {}
  for w = 1, math.min(concurrency, n) do workers[w] = task.spawn(worker) end
  for _, handle in ipairs(workers) do handle:wait() end
  if failure then
    if type(failure.error) == "string" then
      error("task.map(): item " .. failure.index .. ": " .. failure.error, 0)
    end
    error(failure.error, 0)
  end
  return results
end

return task
