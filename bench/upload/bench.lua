-- bench/upload: one chunked upload with lunet; prints "lunet\tSECONDS\tSHA256" (the
-- sha256 the sandbox computed over what it received).
local base, path, chunk_mib = ...
local iconect = require "lunet.iconect"
local ic = iconect.connect{
  api_url = base .. "/iconect/api/v1", identity_url = base .. "/iconect/identity", client_id = "lunet-sandbox",
  grant = "password", username = "sandbox", password = "sandbox-password",
}
local p = ic:project(1)
local f = io.open("/proc/uptime"); local t0 = f:read("n"); f:close()
local answer = p.files:upload{ record = 5, field = 9, path = path, chunk_size = tonumber(chunk_mib) * 1024 * 1024, progress_bar = false }
f = io.open("/proc/uptime"); local t1 = f:read("n"); f:close()
assert(answer.complete == true, "the upload did not complete")
print(("lunet\t%.3f\t%s"):format(t1 - t0, answer.sha256))
