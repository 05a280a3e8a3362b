-- lunet._check: argument checks the bindings' Lua surfaces share, so every
-- API words them alike ("<api> <method>: <what is wrong>") and raises them
-- at the script's line: call them directly from the method being checked,
-- or as a tail call (`return check.options(...)`) from a one-line wrapper.
local C = {}

local function sorted_names(t)
  local names = {}
  for n in pairs(t) do names[#names + 1] = tostring(n) end
  table.sort(names)
  return table.concat(names, ", ")
end

--- An options table: nil gives {}; any key not in `allowed` is an error
--- naming it and the known ones. `what` names the table (default "options").
function C.options(api, caller, opts, allowed, what)
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    error(("%s %s: %s must be a table, got %s"):format(api, caller, what or "options", type(opts)), 3)
  end
  for k in pairs(opts) do
    if not allowed[k] then
      error(("%s %s: unknown option '%s' (known: %s)"):format(api, caller, tostring(k), sorted_names(allowed)), 3)
    end
  end
  return opts
end

return C
