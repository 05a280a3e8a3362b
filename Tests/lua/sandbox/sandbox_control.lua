-- The sandbox's control endpoints (docs/sandbox.md), shared by the
-- Tests/lua/sandbox/*_test.lua files: `local sandbox = require "sandbox_control"`
-- (both the harness and `lunet test` put a test file's folder on package.path).
local lunet = require "lunet"
local control = require("lunet.http").connect{ url = lunet.sandbox }

local S = { control = control }

--- Set the fault rules (docs/sandbox.md grammar); "" clears them.
function S.faults(spec) control:request{ method = "PUT", path = "/_sandbox/faults", text = spec or "" } end

--- The request log, oldest first, and clearing it.
function S.log() return control:request{ path = "/_sandbox/requests" }.body.requests end
function S.clear_log() control:request{ method = "DELETE", path = "/_sandbox/requests" } end

--- No faults, every emulator reset and seeded with its demo data, an empty log.
function S.reseed()
  S.faults("")
  control:request{ method = "POST", path = "/_sandbox/reset" }
  control:request{ method = "POST", path = "/_sandbox/seed/demo" }
  S.clear_log()
end

--- Seconds since boot (a monotonic clock for timing checks).
function S.now()
  local f = assert(io.open("/proc/uptime")); local t = f:read("n"); f:close(); return t
end

return S
