-- Wraps coroutine.resume and coroutine.wrap so a script's own coroutines keep
-- working when code inside them waits on the network.
--
-- Such a wait yields the coroutine with the host's yield tag (from C, see
-- LuaCall.await). A plain resume would hand that tag to the script. These
-- wrappers recognise it and yield it further up, to the scheduler's task,
-- then resume the inner coroutine with the scheduler's answer, so the wait
-- is invisible to the script. The same technique OpenResty uses.
local is_host_yield, prepare = ...

local co_resume, co_yield, co_status, co_create = coroutine.resume, coroutine.yield, coroutine.status, coroutine.create
local co_close = coroutine.close
local pack, unpack = table.pack, table.unpack

local function relay(co, r)
  while r[1] and r.n >= 2 and is_host_yield(r[2]) and co_status(co) == "suspended" do
    r = pack(co_resume(co, co_yield(unpack(r, 2, r.n))))
  end
  return r
end

function coroutine.resume(co, ...)
  if type(co) ~= "thread" then
    error("bad argument #1 to 'resume' (coroutine expected, got " .. type(co) .. ")", 2)
  end
  prepare(co)
  local r = relay(co, pack(co_resume(co, ...)))
  return unpack(r, 1, r.n)
end

function coroutine.wrap(f)
  if type(f) ~= "function" then
    error("bad argument #1 to 'wrap' (function expected, got " .. type(f) .. ")", 2)
  end
  local co = co_create(f)
  return function(...)
    prepare(co)
    local r = relay(co, pack(co_resume(co, ...)))
    if r[1] then return unpack(r, 2, r.n) end
    if co_status(co) == "dead" and co_close then co_close(co) end
    local err = r[2]
    -- like Lua's own wrap: a string error gets the caller's position
    if type(err) == "string" then error(err, 2) end
    error(err, 0)
  end
end
