-- AutoBangDream job injection: start any task with plain redis-cli (no Python needed).
--
--   redis-cli -e --eval scripts/inject.lua , <module> <task> ['<config overrides as JSON>']
--
-- Prints the job id. Refuses with an error reply (so `redis-cli -e` exits 1) that says
-- why: unknown module/task names (allow-list written by the gateway and workers), config
-- that is not a strict JSON object (as Python's json reads it), unknown config fields,
-- values of the wrong type, outside their range or not one of the allowed choices, and a
-- module (or the device) that is busy. The worker validates the merged config again with
-- the module's pydantic model when the job starts.
-- The gateway enqueues through this same script (ARGV[4] job id, ARGV[5] source,
-- ARGV[6] timestamp), so both paths behave the same.
local P = 'autobang'
local module, task = ARGV[1], ARGV[2]
local raw = ARGV[3]
if raw == nil or raw == '' then raw = '{}' end
local job_id = ARGV[4]
local source = ARGV[5]
if source == nil or source == '' then source = 'redis-cli' end

local function fail(code, msg) return redis.error_reply(code .. ' ' .. msg) end

if module == nil or task == nil then
  return fail('USAGE', "redis-cli --eval scripts/inject.lua , <module> <task> ['<config JSON>']")
end
if redis.call('EXISTS', P .. ':allowed-tasks') == 0 then
  return fail('NO_REGISTRY', 'no AutoBangDream registry in this Redis: start `autobang up`, the gateway or a worker first')
end
-- A unit: the module itself (the first device) or module@device (another device of the
-- device list), with its own queue, state and lease; its module's tasks and config rules.
local base, device = module, ''
local at = string.find(module, '@', 1, true)
if at then
  base, device = string.sub(module, 1, at - 1), string.sub(module, at + 1)
  if not string.match(device, '^[a-z0-9][a-z0-9_-]*$') or #device > 32 then
    return fail('UNKNOWN_TASK', "unknown device in '" .. module .. "': the name after @ must be lower-case letters, digits, - and _")
  end
end
local name = base .. ':' .. task
if redis.call('SISMEMBER', P .. ':allowed-tasks', name) == 0 then
  local allowed = redis.call('SMEMBERS', P .. ':allowed-tasks')
  table.sort(allowed)
  return fail('UNKNOWN_TASK', "unknown task '" .. name .. "'; allowed: " .. table.concat(allowed, ', '))
end

-- Strict JSON (RFC 8259), what Python's json module reads (no NaN/Infinity either): cjson
-- alone accepts more (hex numbers like 0x10), and the worker could then not read the job.
-- Returns nil, or why not and where.
local function json_error(s)
  local pos = 1
  local function ch() return string.sub(s, pos, pos) end
  local function ws() pos = string.find(s, '[^ \t\n\r]', pos) or (#s + 1) end
  local function digits()
    local _, e = string.find(s, '^%d+', pos)
    if not e then return false end
    pos = e + 1
    return true
  end
  local function str()
    pos = pos + 1
    while true do
      local c = ch()
      if c == '' then return 'unterminated string' end
      if c == '"' then pos = pos + 1 return nil end
      if c == '\\' then
        local e = string.sub(s, pos + 1, pos + 1)
        if e == 'u' then
          if not string.find(s, '^%x%x%x%x', pos + 2) then return 'bad \\u escape' end
          pos = pos + 6
        elseif e ~= '' and string.find('"\\/bfnrt', e, 1, true) then
          pos = pos + 2
        else
          return 'bad escape'
        end
      elseif string.byte(c) < 32 then
        return 'control character in a string'
      else
        pos = pos + 1
      end
    end
  end
  local value
  local function members(close, depth, keyed)
    pos = pos + 1
    ws()
    if ch() == close then pos = pos + 1 return nil end
    while true do
      ws()
      if keyed then
        if ch() ~= '"' then return 'expected a quoted name' end
        local err = str()
        if err then return err end
        ws()
        if ch() ~= ':' then return "expected ':'" end
        pos = pos + 1
      end
      local err = value(depth + 1)
      if err then return err end
      ws()
      local c = ch()
      pos = pos + 1
      if c == close then return nil end
      if c ~= ',' then return "expected ',' or '" .. close .. "'" end
    end
  end
  value = function(depth)
    if depth > 32 then return 'nested too deep' end
    ws()
    local c = ch()
    if c == '{' then return members('}', depth, true) end
    if c == '[' then return members(']', depth, false) end
    if c == '"' then return str() end
    for _, word in ipairs({'true', 'false', 'null'}) do
      if string.sub(s, pos, pos + #word - 1) == word then pos = pos + #word return nil end
    end
    if c == '-' then pos = pos + 1 end
    if ch() == '0' then pos = pos + 1 elseif not (string.find(ch(), '^[1-9]') and digits()) then return 'not a JSON value' end
    if ch() == '.' then
      pos = pos + 1
      if not digits() then return 'bad number' end
    end
    if ch() == 'e' or ch() == 'E' then
      pos = pos + 1
      if ch() == '+' or ch() == '-' then pos = pos + 1 end
      if not digits() then return 'bad number' end
    end
    return nil
  end
  local err = value(0)
  if err == nil then
    ws()
    if pos <= #s then err = 'unexpected text after the value' end
  end
  if err then return err .. ' at character ' .. pos end
  return nil
end

-- Config overrides: a JSON object whose fields the module's config declares.
local shown_raw = string.sub(raw, 1, 200)
if not string.match(raw, '^%s*{') then
  return fail('INVALID_CONFIG', 'config must be a JSON object like {"epoch": 5}, got: ' .. shown_raw)
end
local bad_json = json_error(raw)
local ok, cfg = false, nil
if bad_json == nil then ok, cfg = pcall(cjson.decode, raw) end
if not ok or type(cfg) ~= 'table' then
  return fail('INVALID_CONFIG', 'config is not valid JSON (' .. (bad_json or 'unreadable') .. '): ' .. shown_raw)
end
local rules_key = P .. ':config-fields:' .. base
-- cjson reads 1e400 as inf and then refuses to encode it: show values without failing.
local function show(v)
  local shown_ok, s = pcall(cjson.encode, v)
  if shown_ok then return s end
  return tostring(v)
end
for field, value in pairs(cfg) do
  local rule_raw = redis.call('HGET', rules_key, field)
  if not rule_raw then
    local names = redis.call('HKEYS', rules_key)
    table.sort(names)
    return fail('INVALID_CONFIG', tostring(field) .. ': unknown field for ' .. base .. '; fields: ' .. table.concat(names, ', '))
  end
  local rule = cjson.decode(rule_raw)
  local t = rule['type']
  local shown = show(value)
  local bad = nil
  if type(value) == 'number' and (value ~= value or value == math.huge or value == -math.huge) then
    bad = 'must be a finite number'
  elseif value == cjson.null then
    if not rule['nullable'] then bad = 'must not be null' end
  elseif t == 'integer' then
    if type(value) ~= 'number' or math.floor(value) ~= value then bad = 'must be an integer' end
  elseif t == 'number' then
    if type(value) ~= 'number' then bad = 'must be a number' end
  elseif t == 'boolean' then
    if type(value) ~= 'boolean' then bad = 'must be true or false' end
  elseif t == 'string' then
    if type(value) ~= 'string' then bad = 'must be a string' end
  elseif t == 'array' then
    if type(value) ~= 'table' then bad = 'must be a list' end
  end
  if bad == nil and value ~= cjson.null and type(rule['enum']) == 'table' then
    local found = false
    for _, choice in ipairs(rule['enum']) do
      if choice == value then found = true end
    end
    if not found then
      local choices = {}
      for _, choice in ipairs(rule['enum']) do table.insert(choices, tostring(choice)) end
      bad = 'must be one of ' .. table.concat(choices, ', ')
    end
  end
  if bad == nil and type(value) == 'number' then
    if rule['minimum'] ~= nil and value < rule['minimum'] then bad = 'must be >= ' .. tostring(rule['minimum']) end
    if rule['maximum'] ~= nil and value > rule['maximum'] then bad = 'must be <= ' .. tostring(rule['maximum']) end
  end
  if bad ~= nil then
    return fail('INVALID_CONFIG', field .. ': ' .. bad .. ', got ' .. shown)
  end
end

-- One task per module; the device serves one task at a time.
local lease_key = P .. ':lease:' .. module
local state_key = P .. ':state:' .. module
local holder = redis.call('GET', lease_key)
if holder then
  local htask = redis.call('HGET', state_key, 'task') or '?'
  return fail('MODULE_BUSY', 'module ' .. module .. ' is busy: task ' .. htask .. ' (job ' .. holder .. ') holds it')
end
-- One lease per device (keys.device_lease): the first device's, or device's by name.
local device_lease = P .. ':lease:device'
if device ~= '' then device_lease = device_lease .. ':' .. device end
if redis.call('SISMEMBER', P .. ':device-tasks', name) == 1 then
  local dev = redis.call('GET', device_lease)
  local which = 'the device'
  if device ~= '' then which = 'the device ' .. device end
  if dev then return fail('DEVICE_BUSY', which .. ' is in use by ' .. dev) end
elseif device ~= '' then
  return fail('UNKNOWN_TASK', "task '" .. name .. "' does not use a device: start it as " .. base)
end

-- RQ's job hash (JSON serializer, uncompressed data is accepted), queue and registry.
local now = redis.call('TIME')
local secs = tonumber(now[1])
local ts = ARGV[6]
if ts == nil or ts == '' then
  -- UTC civil date from epoch seconds (no os.date inside Redis).
  local days = math.floor(secs / 86400)
  local rem = secs - days * 86400
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400 + (m <= 2 and 1 or 0)
  ts = string.format('%04d-%02d-%02dT%02d:%02d:%02d.%06dZ', y, m, d,
    math.floor(rem / 3600), math.floor(rem % 3600 / 60), rem % 60, tonumber(now[2]))
end
if job_id == nil or job_id == '' then
  job_id = 'inj-' .. now[1] .. '-' .. redis.call('INCR', P .. ':inject-seq')
end
-- RQ's key names, written out because Lua cannot ask RQ: they mirror rq.job.Job.key_for,
-- Queue.key and Queue.redis_queues_keys (a test checks them against the installed RQ).
local job_key = 'rq:job:' .. job_id
if redis.call('EXISTS', job_key) == 1 then
  return fail('DUPLICATE_JOB', 'job ' .. job_id .. ' already exists')
end
local queue = P .. ':' .. module
local data = '["shared.runtime.job.run_task",null,[' .. cjson.encode(module) .. ',' .. cjson.encode(task) ..
  '],{"overrides":' .. raw .. ',"source":' .. cjson.encode(source) .. '}]'
redis.call('HSET', job_key, 'status', 'queued', 'created_at', ts, 'enqueued_at', ts, 'data', data,
  'origin', queue, 'description', name .. ' from ' .. source, 'timeout', '-1', 'result_ttl', '3600',
  'failure_ttl', '86400', 'success_callback_name', '', 'failure_callback_name', '',
  'stopped_callback_name', '', 'started_at', '', 'ended_at', '', 'last_heartbeat', '',
  'worker_name', '', 'group_id', '')
redis.call('SADD', 'rq:queues', 'rq:queue:' .. queue)
redis.call('RPUSH', 'rq:queue:' .. queue, job_id)

-- Reserve the module for this job and tell the dashboard.
redis.call('SET', lease_key, job_id)
local ets = string.format('%d.%06d', secs, tonumber(now[2]))
redis.call('HSET', state_key, 'status', 'queued', 'task', task, 'job_id', job_id, 'error', '',
  'fields', '{}', 'prompt', '', 'updated_at', ets, 'stop_requested_at', '')
local maxlen = redis.call('GET', P .. ':stream-maxlen') or '10000'
local event = '{"status":"queued","task":' .. cjson.encode(task) .. ',"job_id":' .. cjson.encode(job_id) ..
  ',"error":null,"fields":{}}'
redis.call('XADD', P .. ':events:' .. module, 'MAXLEN', '~', maxlen, '*', 'type', 'state', 'ts', ets, 'data', event)
return job_id
