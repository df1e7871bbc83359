-- Drives Neovim (headless) through a run as a user would: after the documented init.lua, with the
-- program open. It observes through the client's own handlers (vim.notify for messages, the
-- executeCommand reply), writes a transcript to $COC_TRANSCRIPT and a last line "RESULT {json}".
local started = vim.uv.hrtime()
local out = assert(io.open(os.getenv("COC_TRANSCRIPT"), "w"))
local result = { notified = {} }

local function elapsed() return (vim.uv.hrtime() - started) / 1e9 end
local function log(kind, text)
  out:write(string.format("%6.2f %s: %s\n", elapsed(), kind, text))
  out:flush()
end

local shown_notify = vim.notify
vim.notify = function(msg, level, opts)
  table.insert(result.notified, { message = msg, level = level })
  log("notify", string.format("[level %s] %s", tostring(level), msg))
  return shown_notify(msg, level, opts)
end

-- window/showMessage lands in the message area and its history, as `:messages` lists it.
local function finished()
  local history = vim.fn.execute("messages")
  local from = history:find("LSP[coc]", 1, true)
  return from and vim.trim(history:sub(from)) or nil
end

local answered = vim.lsp.handlers["workspace/executeCommand"]
vim.lsp.handlers["workspace/executeCommand"] = function(err, res, ctx, config)
  if result.command_seconds == nil then
    result.command_seconds = elapsed() - (result.command_sent or 0)
    result.command_error = err and (err.message or vim.inspect(err)) or vim.NIL
    result.command_result = res == nil and vim.NIL or res
    local seconds, microseconds = vim.uv.gettimeofday()
    result.reply_time = seconds + microseconds / 1e6
  else
    result.keymap_reply = err and (err.message or vim.inspect(err)) or res
  end
  log("executeCommand reply", vim.inspect(err or res))
  return answered(err, res, ctx, config)
end

local function wait(what, seconds, found)
  local ok = vim.wait(seconds * 1000, found, 50)
  log(ok and "seen" or "TIMED OUT", what)
  return ok
end

local function finish(code)
  log("RESULT", "")
  out:write("RESULT " .. vim.json.encode(result) .. "\n")
  out:close()
  vim.cmd(code == 0 and "qall!" or "cquit! " .. code)
end

local function steps()
  local buf = vim.api.nvim_get_current_buf()
  log("buffer", vim.api.nvim_buf_get_name(buf) .. " filetype=" .. vim.bo[buf].filetype)
  local function client() return vim.lsp.get_clients({ bufnr = buf, name = "coc" })[1] end
  if not wait("the coc client attached", 15, function() return client() ~= nil and client().initialized end) then
    return
  end
  result.attached = true

  local function semantic()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.message:find("`is_sarcastic`.*the LM will emulate") then return d end
    end
  end
  wait("a diagnostic on the emulated call", 15, function() return semantic() ~= nil end)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    log("diagnostic", string.format("line %d [%s] %s", d.lnum, tostring(d.code), d.message))
  end
  result.diagnostic = semantic() and { line = semantic().lnum, message = semantic().message } or vim.NIL

  -- The code action, as `vim.lsp.buf.code_action()` offers it, chosen by its title.
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  local offered = {}
  result.command_sent = elapsed()
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(action)
      table.insert(offered, action.title)
      return action.title == "Run as Chain of Code"
    end,
  })
  wait("the command's reply", 15, function() return result.command_seconds ~= nil end)
  result.actions = offered
  log("code actions offered", table.concat(offered, " | "))

  wait("the run's finish message", 35, function() return finished() ~= nil end)
  result.finish_message = finished() or vim.NIL
  log("message", tostring(finished()))

  local function labels()
    local found = {}
    for _, h in ipairs(vim.lsp.inlay_hint.get({ bufnr = buf })) do
      local label = h.inlay_hint.label
      if type(label) == "table" then
        label = table.concat(vim.tbl_map(function(part) return part.value end, label))
      end
      table.insert(found, { line = h.inlay_hint.position.line, label = label })
    end
    return found
  end
  wait("inlay hints", 10, function() return #labels() > 0 end)
  result.hints = labels()
  for _, h in ipairs(result.hints) do log("inlay hint", string.format("line %d %s", h.line, h.label)) end

  -- Hover as `K` shows it: a floating window with the server's text.
  local line = vim.api.nvim_buf_get_lines(buf, tonumber(os.getenv("COC_HOVER_LINE")), -1, false)[1]
  vim.api.nvim_win_set_cursor(0, { tonumber(os.getenv("COC_HOVER_LINE")) + 1, (line:find("is_sarcastic", 1, true)) })
  vim.lsp.buf.hover()
  local function float_text()
    for _, win in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(win).relative ~= "" then
        return table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false), "\n")
      end
    end
  end
  wait("the hover window", 10, function() return float_text() ~= nil end)
  result.hover = float_text() or vim.NIL
  log("hover", tostring(float_text()))

  -- The documented run command, typed: <leader>cr answers at once with the run accepted.
  vim.api.nvim_feedkeys(vim.keycode("<Esc><leader>cr"), "mx", false)
  wait("the reply to <leader>cr", 10, function() return result.keymap_reply ~= nil end)
  result.keymap_reply = result.keymap_reply or vim.NIL
end

local ok, err = pcall(steps)
if not ok then
  result.error = tostring(err)
  log("ERROR", tostring(err))
end
finish(ok and 0 or 1)
