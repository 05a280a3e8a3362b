-- Mirror CoreData files changed since the last run into a local folder.
--
--   lunet run [--sandbox] scripts/examples/coredata_mirror_files.lua DIR [CHECKPOINT]
--
-- Every run downloads the files created or changed since the previous run
-- (the change feed of files, its position kept in lunet.state under
-- CHECKPOINT, default "coredata-files-mirror"), each saved as
-- DIR/<id>-<filename>. A second run only fetches what changed in between.
-- Delete the checkpoint (`lunet state delete checkpoint:NAME`) to mirror
-- everything again.
--
-- Safety: each download goes to a temporary file that is renamed into place
-- when complete, so DIR never holds a half-written file; the checkpoint is
-- saved after every file of a feed page has been written. A run that dies
-- midway downloads at most that page again and never skips a change. A file
-- renamed in CoreData is saved under its new name (the old copy stays).
local coredata = require "lunet.coredata"
local lunet = require "lunet"

local dir, checkpoint = arg[1], arg[2] or "coredata-files-mirror"
if not dir then
  io.stderr:write("usage: lunet run coredata_mirror_files.lua DIR [CHECKPOINT]\n")
  os.exit(2)
end

local cd = coredata.connect()
-- With --sandbox: load the demo data once (the sandbox starts empty).
if lunet.sandbox and cd.spaces:list():total() == 0 then
  require("lunet.http").connect{ url = lunet.sandbox }:request{ method = "POST", path = "/_sandbox/seed/demo" }
end

assert(os.execute("mkdir -p '" .. dir:gsub("'", "'\\''") .. "'"), "cannot create " .. dir)

-- A file name safe on any file system.
local function local_name(file)
  local name = (file.filename or file.title or "file"):gsub("[^%w%.%-_ ]", "_")
  return file.id .. "-" .. name
end

local feed = cd:changes{ resource = "files", checkpoint = checkpoint }
local count, bytes = 0, 0
for file in feed do
  local r = cd.files:download(file, dir .. "/" .. local_name(file))
  count, bytes = count + 1, bytes + r.bytes
end

print(("%d files mirrored into %s (%d bytes)"):format(count, dir, bytes))
print(("checkpoint %q: %s"):format(checkpoint, coredata.dates.show_token(feed.token)))
