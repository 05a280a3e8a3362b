-- bench/iconect_upload: one chunked upload with lunet; prints "lunet\tSECONDS".
local base, path, chunk_mib = ...
local iconect = require "lunet.iconect"
local ic = iconect.connect{
  api_url = base .. "/iconect/api/v1", identity_url = base .. "/iconect/identity", client_id = "lunet-sandbox",
  grant = "password", username = "sandbox", password = "sandbox-password",
}
local p = ic:project(1)
local f = io.open("/proc/uptime"); local t0 = f:read("n"); f:close()
p.files:upload{ record = 5, field = 9, path = path, chunk_size = tonumber(chunk_mib) * 1024 * 1024, progress_bar = false }
f = io.open("/proc/uptime"); local t1 = f:read("n"); f:close()
print(("lunet\t%.3f"):format(t1 - t0))
