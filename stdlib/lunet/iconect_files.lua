-- lunet.iconect_files: native files and file stores of an iCONECT project.
-- PLACEHOLDER: the chunked-upload implementation replaces this file. Until
-- then every method raises "not implemented yet".
local M = {}

local function stub(kind)
  return setmetatable({}, {
    __name = "lunet.iconect." .. kind,
    __index = function(_, name)
      return function()
        error("iconect " .. kind:lower() .. ":" .. tostring(name) .. "(): not implemented yet", 2)
      end
    end,
  })
end

--- files.native(project) → p.files
function M.native(project) return stub("Files") end

--- files.filestores(project) → p.filestores
function M.filestores(project) return stub("FileStores") end

return M
