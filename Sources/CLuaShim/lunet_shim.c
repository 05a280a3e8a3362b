/* The C half of the bridge: see include/lunet_shim.h for the contract. */
#include "lunet_shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

static lunet_dispatch_fn g_dispatch;
static lunet_release_fn g_release;

/* Unique addresses used as registry keys and as the yield tag. */
static const char k_traceback = 0;
static const char k_hostfn_mt = 0;
static const char k_yield_tag = 0;

void lunet_install_callbacks(lunet_dispatch_fn dispatch, lunet_release_fn release) {
    g_dispatch = dispatch;
    g_release = release;
}

/* ---- allocator, panic, warnings ------------------------------------------ */

static void *lunet_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    (void)ud; (void)osize;
    if (nsize == 0) { free(ptr); return NULL; }
    void *p = realloc(ptr, nsize);
    if (p == NULL) {
        /* Never hand Lua a NULL: it would raise LUA_ERRMEM, possibly while a
           Swift frame is on the stack. Fail like Swift does on exhaustion. */
        fputs("lunet: out of memory\n", stderr);
        abort();
    }
    return p;
}

static int lunet_panic(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "lunet: unprotected Lua error (a bug in lunet): %s\n", msg ? msg : "?");
    abort();
    return 0;
}

/* Lua's warn(): off until "@on", like the stock interpreter. */
static void lunet_warnf(void *ud, const char *msg, int tocont) {
    lunet_host *h = (lunet_host *)ud;
    if (h->warnings != 2 && !tocont && *msg == '@') {
        if (strcmp(msg, "@off") == 0) h->warnings = 0;
        else if (strcmp(msg, "@on") == 0) h->warnings = 1;
        return;
    }
    if (h->warnings == 0) return;
    if (h->warnings == 1) fputs("Lua warning: ", stderr);
    fputs(msg, stderr);
    if (tocont) h->warnings = 2;
    else { fputs("\n", stderr); fflush(stderr); h->warnings = 1; }
}

/* ---- lifecycle ------------------------------------------------------------ */

static int hostfn_gc(lua_State *L) {
    void **slot = (void **)lua_touserdata(L, 1);
    if (slot != NULL && *slot != NULL) {
        void *box = *slot;
        *slot = NULL;
        g_release(box);
    }
    return 0;
}

lua_State *lunet_newstate(void) {
    lunet_host *h = (lunet_host *)calloc(1, sizeof(lunet_host));
    if (h == NULL) return NULL;
    lua_State *L = lua_newstate(lunet_alloc, NULL);
    if (L == NULL) { free(h); return NULL; }
    h->main = L;
    strcpy(h->interrupt_message, "interrupted");
    *(lunet_host **)lua_getextraspace(L) = h;
    lua_atpanic(L, lunet_panic);
    lua_setwarnf(L, lunet_warnf, h);
    luaL_openlibs(L);
    /* metatable shared by every host function's box */
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, hostfn_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushliteral(L, "lunet.hostfunction");
    lua_setfield(L, -2, "__name");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &k_hostfn_mt);
    return L;
}

void lunet_close(lua_State *L) {
    lunet_host *h = lunet_gethost(L);
    lua_close(L);
    free(h);
}

/* ---- protected calls -------------------------------------------------------- */

/* Keeps the error value as it is (tables stay tables) and records the
   traceback beside it, so the host decides how to show both. */
/* A lunet.Error (a table whose metatable's __name is "lunet.Error") on top
   of the stack gets a `traceback` field, unless it already has one (it was
   re-raised): errors keep where they were raised (lua-api.md). */
static void attach_traceback(lua_State *L, int level) {
    int err = lua_gettop(L);
    if (lua_type(L, err) != LUA_TTABLE || !lua_getmetatable(L, err)) return;
    lua_pushliteral(L, "__name");
    lua_rawget(L, -2);
    int is_error = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "lunet.Error") == 0;
    lua_settop(L, err);
    if (!is_error) return;
    lua_pushliteral(L, "traceback");
    int has = lua_rawget(L, err) != LUA_TNIL;
    lua_settop(L, err);
    if (has) return;
    lua_pushliteral(L, "traceback");
    luaL_traceback(L, L, NULL, level);
    lua_rawset(L, err);
}

/* Keeps the error value as it is (tables stay tables) and records the
   traceback beside it, so the host decides how to show both. */
static int msghandler(lua_State *L) {
    lua_settop(L, 1);
    attach_traceback(L, 1);
    luaL_traceback(L, L, NULL, 1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &k_traceback);
    return 1;
}

int lunet_pcall(lua_State *L, int nargs, int nresults) {
    int base = lua_gettop(L) - nargs;       /* the function's index */
    lua_pushcfunction(L, msghandler);
    lua_rotate(L, base, 1);                 /* handler below the function */
    lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &k_traceback);
    int status = lua_pcall(L, nargs, nresults, base);
    lua_rotate(L, base, -1);                /* drop the handler */
    lua_settop(L, -2);
    return status;
}

void lunet_pushtraceback(lua_State *L) {
    lua_rawgetp(L, LUA_REGISTRYINDEX, &k_traceback);
}

static int tostring_protected(lua_State *L) {
    luaL_tolstring(L, 1, NULL);
    return 1;
}

const char *lunet_safetostring(lua_State *L, int idx, size_t *len) {
    idx = lua_absindex(L, idx);
    /* Strings and numbers need no call: this matters while an interrupt
       hook is still installed, which would fail any call made here. */
    if (lua_type(L, idx) == LUA_TSTRING || lua_type(L, idx) == LUA_TNUMBER) {
        lua_pushvalue(L, idx);
        return lua_tolstring(L, -1, len);
    }
    lua_pushcfunction(L, tostring_protected);
    lua_pushvalue(L, idx);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK || lua_type(L, -1) != LUA_TSTRING) {
        lua_settop(L, -2);
        lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, idx));
    }
    return lua_tolstring(L, -1, len);
}

int lunet_loadbuffer(lua_State *L, const char *buf, size_t len, const char *name, const char *mode) {
    return luaL_loadbufferx(L, buf, len, name, mode);
}

void lunet_traceback(lua_State *L, lua_State *co, const char *msg, int level) {
    luaL_traceback(L, co, msg, level);
}

/* ---- the trampoline ------------------------------------------------------------ */

/* Resumed with (true, results...) or (false, error [, add_where]). */
static int resume_continuation(lua_State *L, int status, lua_KContext base) {
    (void)status;
    int flag = (int)base + 1;               /* first value passed to resume */
    if (!lua_toboolean(L, flag)) {
        int where = lua_toboolean(L, flag + 2);
        lua_settop(L, flag + 1);            /* the error value */
        if (where && lua_type(L, -1) == LUA_TSTRING) {
            luaL_where(L, 1);
            lua_rotate(L, -2, 1);
            lua_concat(L, 2);
        }
        attach_traceback(L, 1);
        return lua_error(L);
    }
    return lua_gettop(L) - flag;            /* the results after the flag */
}

static int finish(lua_State *L, int status) {
    if (status >= 0) return status;
    if (status == LUNET_RAISE) {
        attach_traceback(L, 1);
        return lua_error(L);
    }
    if (status == LUNET_RAISE_WHERE) {
        luaL_where(L, 1);
        lua_rotate(L, -2, 1);
        lua_concat(L, 2);
        return lua_error(L);
    }
    int n = LUNET_YIELD_BASE - status;
    return lua_yieldk(L, n, (lua_KContext)(lua_gettop(L) - n), resume_continuation);
}

static int trampoline(lua_State *L) {
    void **slot = (void **)lua_touserdata(L, lua_upvalueindex(1));
    return finish(L, g_dispatch(L, *slot));
}

void lunet_pushhostfunction(lua_State *L, void *box) {
    void **slot = (void **)lua_newuserdatauv(L, sizeof(void *), 0);
    *slot = box;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &k_hostfn_mt);
    lua_setmetatable(L, -2);
    lua_pushcclosure(L, trampoline, 1);
}

/* ---- Swift objects as userdata ---------------------------------------------------- */

int lunet_newclassmetatable(lua_State *L, const void *mtkey, const char *name) {
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, mtkey) == LUA_TTABLE) return 0;
    lua_settop(L, -2);
    lua_createtable(L, 0, 8);
    lua_pushstring(L, name);
    lua_setfield(L, -2, "__name");
    lua_pushcfunction(L, hostfn_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, mtkey);
    return 1;
}

void lunet_pushobject(lua_State *L, void *box, const void *mtkey) {
    void **slot = (void **)lua_newuserdatauv(L, sizeof(void *), 1);
    *slot = box;
    lua_rawgetp(L, LUA_REGISTRYINDEX, mtkey);
    lua_setmetatable(L, -2);
}

void *lunet_toobject(lua_State *L, int idx, const void *mtkey) {
    void **slot = (void **)lua_touserdata(L, idx);
    if (slot == NULL || lua_islightuserdata(L, idx) || !lua_getmetatable(L, idx)) return NULL;
    lua_rawgetp(L, LUA_REGISTRYINDEX, mtkey);
    int same = lua_rawequal(L, -1, -2);
    lua_settop(L, -3);
    return same ? *slot : NULL;
}

void lunet_pushyieldtag(lua_State *L) {
    lua_pushlightuserdata(L, (void *)&k_yield_tag);
}

int lunet_isyieldtag(lua_State *L, int idx) {
    return lua_islightuserdata(L, idx) && lua_touserdata(L, idx) == (void *)&k_yield_tag;
}

/* ---- interrupts -------------------------------------------------------------------- */

static void interrupt_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lunet_host *h = lunet_gethost(L);
    if (h->interrupt == LUNET_INTERRUPT_NONE) {
        lua_sethook(L, NULL, 0, 0);
        return;
    }
    /* The hook stays installed: a script's pcall that catches this error
       gets it again at its next instruction, until the host clears it. */
    luaL_where(L, 0);                       /* in a hook, level 0 is the running function */
    lua_pushstring(L, h->interrupt_message);
    lua_concat(L, 2);
    lua_error(L);
}

void lunet_interrupt(lua_State *L, int reason) {
    lunet_host *h = lunet_gethost(L);
    int mask = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
    h->interrupt = reason;
    lua_sethook(h->main, interrupt_hook, mask, 1);
    lua_State *running = h->running;
    if (running != NULL) lua_sethook(running, interrupt_hook, mask, 1);
}

void lunet_setinterruptmessage(lua_State *L, const char *message) {
    lunet_host *h = lunet_gethost(L);
    snprintf(h->interrupt_message, sizeof h->interrupt_message, "%s", message);
}

void lunet_clearinterrupt(lua_State *L) {
    lunet_host *h = lunet_gethost(L);
    h->interrupt = LUNET_INTERRUPT_NONE;
    lua_sethook(h->main, NULL, 0, 0);
    lua_State *running = h->running;
    if (running != NULL) lua_sethook(running, NULL, 0, 0);
}

static lua_State *volatile g_sigint_target;

static void on_sigint(int sig) {
    signal(sig, SIG_DFL);                   /* a second Ctrl-C ends the process */
    lua_State *L = g_sigint_target;
    if (L != NULL) lunet_interrupt(L, LUNET_INTERRUPT_SIGNAL);
}

void lunet_catchsigint(lua_State *L) {
    g_sigint_target = L;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    /* A blocked SIGINT is inherited across exec (some supervisors and test
       runners block it): unblock it, or Ctrl-C would never arrive. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

void lunet_resetsignalmask(void) {
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
}

void lunet_releasesigint(void) {
    signal(SIGINT, SIG_DFL);
    g_sigint_target = NULL;
}
