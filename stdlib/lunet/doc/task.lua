return {
  module = "lunet.task",
  doc = "Concurrency for scripts. Tasks are coroutines on the one Lua state: while one waits on the network the others run, so API calls made in separate tasks proceed concurrently.",
  classes = {
    { name = "lunet.Task", doc = "A handle on a spawned task.",
      fields = { { name = "id", type = "integer", doc = "The task's number." },
                 { name = "status", type = "string", doc = "\"running\", \"suspended\", \"done\" or \"failed\"." } } },
  },
  functions = {
    { name = "spawn", params = { { name = "fn", type = "function" }, { name = "...", type = "any", doc = "arguments for fn" } },
      returns = { { type = "lunet.Task" } },
      doc = "Start fn(...) as a new task and return its handle at once. A task that fails with nobody waiting for it is reported at the end and makes the run fail.",
      example = [[local h = task.spawn(function(x) return x * 2 end, 21)
print(h:wait())]] },
    { name = "wait", of = "lunet.Task", params = {}, returns = { { type = "any", name = "..." } },
      doc = "Wait until the task ends and return its results, or raise its error.",
      example = [[local h = task.spawn(task.sleep, 0.1)
h:wait()]] },
    { name = "sleep", params = { { name = "seconds", type = "number" } }, returns = {},
      doc = "Let other tasks run for the given number of seconds (Ctrl-C interrupts it).",
      example = [[task.sleep(0.5)]] },
    { name = "clock", params = {}, returns = { { type = "number" } },
      doc = "Seconds on a monotonic clock, with sub-microsecond resolution: for measuring elapsed time (os.time counts whole seconds and os.clock CPU time).",
      example = [[local t0 = task.clock()
task.sleep(0.1)
print(("%.3f s"):format(task.clock() - t0))]] },
    { name = "yield", params = {}, returns = {},
      doc = "Let the other ready tasks run once, then continue.",
      example = [[for i = 1, 3 do task.yield() end]] },
    { name = "map", params = { { name = "list", type = "any[]" }, { name = "fn", type = "fun(item:any, index:integer):any" },
        { name = "options", type = "{concurrency:integer?}?", doc = "at most this many calls at a time (default 8)" } },
      returns = { { type = "any[]" } },
      doc = "Call fn(item, index) for every item, at most `concurrency` at a time, and return the results in input order. On the first failure no new items start, the running ones finish, then the error is raised.",
      example = [[local squares = task.map({ 1, 2, 3 }, function(x) return x * x end, { concurrency = 2 })]] },
  },
}
