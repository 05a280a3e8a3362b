-- Every binding's `timeout` and `retries` connection options (run with
-- --sandbox), shown on the iCL binding: APIBinding.connect applies them to
-- whichever API the connection is for.
local icl = require "lunet.icl"
local lunet = require "lunet"
local sandbox = require "sandbox_control"
local control = sandbox.control

local faults = sandbox.faults
local now = sandbox.now
local function failure(fn)
  local ok, e = pcall(fn)
  assert.falsy(ok, "expected an error")
  return e
end

describe("connection options timeout and retries", function()
  before_each(function()
    faults("")
    control:request{ method = "POST", path = "/_sandbox/reset" }
    control:request{ method = "POST", path = "/_sandbox/seed/demo" }
    icl.connect():content("building"):get("GB-00001") -- the token is fetched before faults start
  end)
  after_each(function() faults("") end)

  it("retries = 0 sends a failing request once, retries = 2 three times", function()
    local once, thrice = icl.connect{ retries = 0 }, icl.connect{ retries = 2 }
    faults("path=/icl/api,503=1,retry-after=0")
    local e = failure(function() once:content("building"):get("GB-00001") end)
    assert.equals(503, e.status); assert.equals(1, e.attempts)
    e = failure(function() thrice:content("building"):get("GB-00001") end)
    assert.equals(503, e.status); assert.equals(3, e.attempts)
  end)

  it("timeout bounds one attempt", function()
    local quick = icl.connect{ timeout = 0.3, retries = 0 }
    faults("path=/icl/api,latency=2s")
    local start = now()
    local e = failure(function() quick:content("building"):get("GB-00001") end)
    assert.equals(nil, e.status)
    assert.truthy(now() - start < 1.5, ("took %.2f s"):format(now() - start))
    assert.matches("0%.3 ?s", tostring(e))
  end)

  it("rejects values that cannot work, naming the option", function()
    assert.has_error(function() icl.connect{ timeout = 0 } end, "icl: option 'timeout' must be a number of seconds above 0, got integer 0")
    assert.has_error(function() icl.connect{ retries = -1 } end, "icl: option 'retries' must be an integer from 0 to 100, got integer -1")
  end)
end)
