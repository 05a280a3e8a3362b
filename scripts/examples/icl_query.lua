-- A one-off query of iCL buildings with an OData filter, as an aligned table.
--
--   lunet run [--sandbox] scripts/examples/icl_query.lua [FILTER] [LIMIT]
--
-- FILTER is OData v3 on capitalised property names, e.g.
--   "substringof('graz',tolower(Ort))"   "Baujahr lt 1900 and Plz eq '1010'"
-- (default: buildings in Graz). Prints at most LIMIT rows (default 20) and
-- the total number of matches, which the server counts ($inlinecount).
local icl = require "lunet.icl"
local lunet = require "lunet"

local filter = arg[1] or "substringof('graz',tolower(Ort))"
local limit = math.tointeger(tonumber(arg[2] or "20"))
if not limit or limit < 0 then
  io.stderr:write("usage: lunet run icl_query.lua [FILTER] [LIMIT]\n")
  os.exit(2)
end

local portal = icl.connect()
if lunet.sandbox and not pcall(function() return portal:type("building"):get() end) then
  require("lunet.http").connect{ url = lunet.sandbox }:request{ method = "POST", path = "/_sandbox/seed/demo" }
end

local cursor = portal:content("building"):list{ filter = filter, orderby = "ExternalId", page_size = 100, limit = limit }
local rows = cursor:collect()
local total = cursor:total()

local COLUMNS = { { "externalId", "id" }, { "buildingname", "name" }, { "plz", "plz" }, { "ort", "ort" },
                  { "baujahr", "built" } }
local json_null = require("lunet.json").null
local function text(v) if v == nil or v == json_null then return "" end return tostring(v) end
local function width(s) return utf8.len(s) or #s end -- characters, not bytes (Wörthersee)

local widths = {}
for c, col in ipairs(COLUMNS) do
  widths[c] = width(col[2])
  for _, row in ipairs(rows) do widths[c] = math.max(widths[c], width(text(row[col[1]]))) end
end
local function line(cells)
  local out = {}
  for c, s in ipairs(cells) do
    local pad = (" "):rep(widths[c] - width(s))
    out[c] = COLUMNS[c][1] == "baujahr" and pad .. s or s .. pad -- numbers right-aligned
  end
  print((table.concat(out, "  "):gsub("%s+$", "")))
end

print("filter: " .. filter)
local head, rule = {}, {}
for c, col in ipairs(COLUMNS) do head[c], rule[c] = col[2], ("-"):rep(widths[c]) end
line(head); line(rule)
for _, row in ipairs(rows) do
  local cells = {}
  for c, col in ipairs(COLUMNS) do cells[c] = text(row[col[1]]) end
  line(cells)
end
print(("%d of %d matching buildings shown"):format(#rows, total or #rows))
