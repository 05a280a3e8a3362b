rockspec_format = "3.0"
package = "lunet-sync"
version = "0.1-1"
source = { url = "git+https://example.invalid/lunet-sync.git", tag = "v0.1" }
description = {
  summary = "Feed → transform → upsert pipelines between APIs, for lunet",
  detailed = "Reusable pipelines over lunet's API bindings: read a source (change feed, listing, any iterator), transform each item, write batches to a destination, advance a checkpoint only past acknowledged batches, and report every item.",
  license = "MIT",
}
-- lunet.* modules (lunet.paging, lunet.icl, …) are built into the lunet binary.
dependencies = { "lua >= 5.4" }
build = {
  type = "builtin",
  modules = {
    ["lunet_sync"] = "lunet_sync/init.lua",
    ["lunet_sync.sources"] = "lunet_sync/sources.lua",
    ["lunet_sync.destinations"] = "lunet_sync/destinations.lua",
  },
}
test = { type = "command", command = "lunet test --sandbox ." }
