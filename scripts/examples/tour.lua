-- A short tour of Lunet: JSON, then each of the four APIs against the built-in
-- emulators. Run with `scripts/demo`
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

----------------------------------------------------------------------------
-- With `lunet run --sandbox` (as scripts/demo runs it): the four APIs
-- against the built-in emulators.
local lunet = require "lunet"
if not lunet.sandbox then
  print("\n(run with --sandbox for the API part of the tour)")
  return
end
local icl = require "lunet.icl"
local state = require "lunet.state"
state.use(os.tmpname() .. ".db") -- a throwaway store, so the tour is repeatable
require("lunet.http").connect{ url = lunet.sandbox }:request{ method = "POST", path = "/_sandbox/seed/demo" }
local portal = icl.connect()

section("iCL Portal: " .. tostring(portal))
local buildings = portal:content("building")
local vienna = buildings:list{ filter = "substringof('wien',tolower(Ort))", orderby = "ExternalId", page_size = 200 }
print(("%d buildings in Vienna; the first three, fetched page by page as the loop asks:"):format(vienna:total()))
for item in buildings:list{ filter = "substringof('wien',tolower(Ort))", orderby = "ExternalId", limit = 3 } do
  print(("  %-9s %-28s %s %s"):format(item.externalId, item.strasse, item.plz, item.ort))
end

section("Batch upsert: one report, every item accounted for")
local items = {
  { externalId = "TOUR-1", buildingname = "Tour 1", strasse = "Ringstraße 1", plz = "1010", ort = "Wien" },
  { externalId = "TOUR-2", buildingname = "Tour 2", plz = "1010", ort = "Wien" }, -- no strasse: invalid
  { externalId = "TOUR-3", buildingname = "Tour 3", strasse = "Ringstraße 3", plz = "1010", ort = "Wien" },
}
local report = buildings:upsert(items, { atomic = false })
print(("%d items in %d batch: %d stored, %d rejected"):format(report.count, report.batches, #report.succeeded, #report.errored))
for _, e in ipairs(report.errored) do print(("  item %d (%s): %s"):format(e.index, e.externalId, e.error)) end

section("A resumable change feed")
local n = 0
for _ in portal:changes{ type = "building", checkpoint = "tour" } do n = n + 1 end
print(("first run: %d changes; checkpoint saved at %s"):format(n, state.get("checkpoint:tour")))
buildings:replace("TOUR-1", { externalId = "TOUR-1", buildingname = "Tour 1 (renamed)", strasse = "Ringstraße 1" })
for item in portal:changes{ type = "building", checkpoint = "tour" } do
  print(("second run sees only the new change: %s → %s"):format(item.externalId, item.buildingname))
end

section("iCONECT: records through a cursor, a batched create with one report")
local ic = require("lunet.iconect").connect()
local project = ic:project(1)
local first = project.records:list{ page_size = 100, field_ids = { 2, 3 } }:first()
print(("project 1 has %d records; the first: %s %q"):format(project.records:count(), first.field_data["2"], first.field_data["3"]))
local created = project.records:create({
  { field_data = { [2] = "TOUR000001", [3] = "A new record" } },
  { field_data = { [2] = "ACME000001", [3] = "Same DocID as an existing one" } },
}, { hash_ids = { 2 } })
print(("%d records: %d created, %d duplicates (record %d already has that DocID)"):format(
  created.count, #created.created, #created.duplicates, created.duplicates[1].id))

section("CoreData: filtered listings and a change feed over modified + snapshot_id")
local cd = require("lunet.coredata").connect()
local boards = cd.projects:list{ title__startswith = "Board" }:collect()
print(("%d projects whose title starts with 'Board'; %d files in all"):format(#boards, cd.files:list():total() or 0))
local changes = 0
for _ in cd:changes{ resource = "files", checkpoint = "tour-files" } do changes = changes + 1 end
print(("the files feed delivered %d changes; a rerun delivers only what changes next"):format(changes))

section("integrator.io: a paged virtual export, its state echoed unchanged")
local celigo = require("lunet.integrator").connect()
local connection = celigo.connections:list():first()
local records, pages = 0, 0
local search = { type = "netsuite", netsuite = { type = "search", searches = { { recordType = "customRecord" } } } }
for page in celigo.connections:export_pages(connection._id, search, { page_size = 100 }):pages() do
  pages, records = pages + 1, records + #page
end
print(("connection %q: %d records in %d pages"):format(connection.name, records, pages))
print(("\nHTTP: %d requests, %d retries"):format(lunet.stats().requests, lunet.stats().retries))
