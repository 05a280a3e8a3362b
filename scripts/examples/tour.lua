-- A short tour of what Lunet does today: run with `scripts/demo`
-- (or `lunet run scripts/examples/tour.lua`).
local json = require "lunet.json"
local inspect = require "lunet.inspect"

local function section(title) print(("\n== %s =="):format(title)) end

section("JSON from an API, decoded straight into Lua tables")
local body = [[{
  "result": { "__count": 2, "results": [
    { "_id": 101, "externalId": "HG", "title": "Hauptgebäude", "floors": 7, "area": 1520.5,
      "tags": ["office", "listed"], "manager": null, "access_token": "eyJhbGciOi..." },
    { "_id": 102, "externalId": "NB", "title": "Nebengebäude", "floors": 2, "area": 310.0,
      "tags": [], "manager": "Ines" } ] },
  "success": true, "__abp": true }]]
local page = json.decode(body).result
print(("%d items; first %q has %d floors (a %s) and area %s (a %s)"):format(
  page.__count, page.results[1].title, page.results[1].floors, math.type(page.results[1].floors),
  page.results[1].area, math.type(page.results[1].area)))
print("JSON null stays a value, not a hole:", page.results[1].manager == json.null)

section("The REPL's printer (lunet.inspect): nested, ordered, secrets redacted")
print(inspect(page.results[1]))

section("Encoding back: empty arrays stay arrays, floats stay floats, keys sorted on request")
print(json.encode(page.results[2], { sort_keys = true }))

section("Pretty output")
print(json.encode({ id = 7, tags = json.array(), ok = true, ratio = 0.25 }, { pretty = true, sort_keys = true }))

section("Bad input gets a precise error")
for _, text in ipairs { '{"a": 1,}', '[1, 2', '"\\ud800"', '{"a" 1}' } do
  local ok, err = pcall(json.decode, text)
  print(("%-12s → %s"):format(text, err))
end
local cyclic = {}; cyclic.self = cyclic
print(select(2, pcall(json.encode, { data = cyclic })))
