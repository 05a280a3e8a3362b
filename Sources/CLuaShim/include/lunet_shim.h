/*
 * The C side of Lunet's Lua bridge.
 *
 * Swift must never be on the stack when Lua raises an error or yields
 * (longjmp would skip Swift's cleanup and leak or corrupt memory). So every
 * Swift function Lua can call goes through ONE C trampoline: the trampoline
 * calls the Swift dispatcher, the dispatcher returns a status code, and only
 * after Swift has returned does C raise the error or yield.
 *
 * Everything Lua keeps the address of (C functions, hooks, the allocator)
 * lives in lunet_shim.c; Lua's function-like macros, which Swift cannot
 * import, are re-exposed here as static inline functions.
 */
#ifndef LUNET_SHIM_H
#define LUNET_SHIM_H

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>

/* ---- Status codes a Swift dispatcher returns to the trampoline ---------- */

/* n >= 0: return the n values on top of the stack. */
/* Raise the value on top of the stack as it is (tables, structured errors). */
#define LUNET_RAISE (-1)
/* Raise the string on top, prefixed with the caller's "chunk:line:". */
#define LUNET_RAISE_WHERE (-2)
/* Yield the n values on top: the dispatcher returns LUNET_YIELD_BASE - n.
   The coroutine is later resumed with (true, results...) or
   (false, error [, add_where]); the C continuation returns the results or
   raises the error (prefixed with the caller's position when add_where). */
#define LUNET_YIELD_BASE (-16)

/* Why the interrupt hook fired. */
#define LUNET_INTERRUPT_NONE 0
#define LUNET_INTERRUPT_SIGNAL 1
#define LUNET_INTERRUPT_TIMEOUT 2

/* Per-state host record; its pointer sits in every thread's extra space. */
typedef struct lunet_host {
    volatile sig_atomic_t interrupt;   /* LUNET_INTERRUPT_* */
    lua_State *main;                   /* the main thread */
    lua_State *volatile running;       /* thread the scheduler is running, or NULL */
    void *owner;                       /* unretained Swift LuaState */
    char interrupt_message[160];
    int warnings;                      /* 0 off, 1 on, 2 on and mid-message */
} lunet_host;

/* Swift callbacks, installed once per process. */
typedef int (*lunet_dispatch_fn)(lua_State *L, void *box);
typedef void (*lunet_release_fn)(void *box);
void lunet_install_callbacks(lunet_dispatch_fn dispatch, lunet_release_fn release);

/* ---- State lifecycle ---------------------------------------------------- */

/* A new state with the standard libraries open, an allocator that aborts on
   exhaustion (so no LUA_ERRMEM longjmp can ever cross a Swift frame: Lua's
   allocation failures behave like Swift's own), a warning function and a
   host record. Returns NULL only if the host record cannot be allocated. */
lua_State *lunet_newstate(void);
void lunet_close(lua_State *L);

static inline lunet_host *lunet_gethost(lua_State *L) {
    return *(lunet_host **)lua_getextraspace(L);
}

/* ---- Calling Lua from Swift (always protected) -------------------------- */

/* lua_pcall with a message handler that leaves the error value untouched and
   stores "stack traceback:\n..." where lunet_pushtraceback finds it. */
int lunet_pcall(lua_State *L, int nargs, int nresults);
/* Push the traceback recorded by the last failing lunet_pcall (or nil). */
void lunet_pushtraceback(lua_State *L);
/* Push tostring(value at idx) computed under protection; a failing
   __tostring yields a description instead of an error. Never raises. */
const char *lunet_safetostring(lua_State *L, int idx, size_t *len);
/* luaL_loadbufferx; never raises. */
int lunet_loadbuffer(lua_State *L, const char *buf, size_t len, const char *name, const char *mode);
/* luaL_traceback of thread co (e.g. a dead coroutine) pushed on L. */
void lunet_traceback(lua_State *L, lua_State *co, const char *msg, int level);

/* ---- Exposing Swift to Lua ---------------------------------------------- */

/* Push a Lua function that calls the Swift dispatcher with `box` (a retained
   Swift object, released when the function is collected). */
void lunet_pushhostfunction(lua_State *L, void *box);
/* Push a full userdata holding the retained Swift object `box`, with the
   metatable stored in the registry under `mtkey` (a unique address). */
void lunet_pushobject(lua_State *L, void *box, const void *mtkey);
/* The Swift object held by the userdata at idx if its metatable is the one
   registered under mtkey, else NULL. Never raises. */
void *lunet_toobject(lua_State *L, int idx, const void *mtkey);
/* Create (or fetch) the metatable registered under mtkey, named `name`
   (used as __name), with __gc releasing the held object. Pushes it; returns
   1 if it was just created. */
int lunet_newclassmetatable(lua_State *L, const void *mtkey, const char *name);

/* The unique value a host yield carries first, so schedulers (and the
   coroutine wrappers in the stdlib) can tell it from a script's own yield. */
void lunet_pushyieldtag(lua_State *L);
int lunet_isyieldtag(lua_State *L, int idx);

/* ---- Interrupts (Ctrl-C, --timeout) -------------------------------------- */

/* Ask the state to stop: sets the reason and installs a hook on the main
   thread and the running thread that raises `message` at the next
   instruction, again and again until lunet_clearinterrupt, so a script's
   own pcall cannot swallow it. Async-signal-safe, callable from any thread. */
void lunet_interrupt(lua_State *L, int reason);
void lunet_setinterruptmessage(lua_State *L, const char *message);
void lunet_clearinterrupt(lua_State *L);
/* SIGINT handler that interrupts `L` (the first Ctrl-C) and restores the
   default action, so a second Ctrl-C still ends a stuck process. */
void lunet_catchsigint(lua_State *L);
void lunet_releasesigint(void);
/* Start with no signal blocked: a mask inherited from the parent (test
   runners, some supervisors) would keep SIGINT and SIGTERM from arriving. */
void lunet_resetsignalmask(void);
/* Mark which thread is executing Lua (for the hook); NULL for the main. */
static inline void lunet_setrunning(lua_State *L, lua_State *co) {
    lunet_gethost(L)->running = co;
}

/* ---- C stdio, which Lua's print and io use (Swift 6 cannot touch the
   stdout/stderr globals); flush before writing diagnostics so output
   stays in order. */
static inline void lunet_flush_stdout(void) { fflush(stdout); }
static inline void lunet_write_stderr(const char *s) { fputs(s, stderr); fflush(stderr); }

/* ---- Lua macros as functions -------------------------------------------- */

static inline int lunet_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int lunet_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline void lunet_pop(lua_State *L, int n) { lua_settop(L, -(n)-1); }
static inline void lunet_newtable(lua_State *L) { lua_createtable(L, 0, 0); }
static inline void lunet_insert(lua_State *L, int idx) { lua_rotate(L, idx, 1); }
static inline void lunet_remove(lua_State *L, int idx) { lua_rotate(L, idx, -1); lua_settop(L, -2); }
static inline void lunet_replace(lua_State *L, int idx) { lua_copy(L, -1, idx); lua_settop(L, -2); }
static inline int lunet_isnoneornil(lua_State *L, int idx) { return lua_type(L, idx) <= 0; }
static inline const char *lunet_typename(lua_State *L, int idx) { return lua_typename(L, lua_type(L, idx)); }
static inline void lunet_pushglobaltable(lua_State *L) { lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS); }
static inline int lunet_gc_stop(lua_State *L) { return lua_gc(L, LUA_GCSTOP); }
static inline int lunet_gc_restart(lua_State *L) { return lua_gc(L, LUA_GCRESTART); }
static inline int lunet_gc_isrunning(lua_State *L) { return lua_gc(L, LUA_GCISRUNNING); }
static inline int lunet_gc_collect(lua_State *L) { return lua_gc(L, LUA_GCCOLLECT); }
static inline int lunet_gc_countkb(lua_State *L) { return lua_gc(L, LUA_GCCOUNT); }
static inline int lunet_gc_countb(lua_State *L) { return lua_gc(L, LUA_GCCOUNTB); }

#endif
