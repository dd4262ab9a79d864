-- tollgate: one throttle decision, atomically, for every scope in KEYS.
--
-- ARGV[1] is the mode: "take" (check every scope; commit all of them only if every one
-- admits), "give" (undo an earlier "take" of these scopes: a compensation used only when
-- scopes live in two Redis Cluster slots) or "peek" (check without committing).
-- Then, per key i, three arguments starting at ARGV[3i-1]:
--   "b", interval_us, burst   -- a GCRA bucket: KEYS[i] holds the TAT in µs (a string)
--   "q", limit, period        -- a quota ("d", "w" or "m"): KEYS[i] is a hash {s, c}
-- Time is Redis's own clock (TIME), so gateways with skewed clocks agree.
-- Returns {now_us, then per key: admitted (0/1), remaining, reset_us, wait_us}.

local t = redis.call('TIME')
local secs = tonumber(t[1])
local now = secs * 1000000 + tonumber(t[2])
local mode = ARGV[1]
local DAY = 86400

-- Howard Hinnant's civil-date algorithms: the first day of a month, in days since 1970.
local function days_from_civil(y, m)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5)
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local function year_month(days)
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524)
    - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return y, m
end

-- The UTC period containing `s` (Unix seconds): start and end in Unix seconds.
local function period(p, s)
  local day = math.floor(s / DAY)
  if p == 'd' then
    return day * DAY, (day + 1) * DAY
  elseif p == 'w' then
    local monday = day - (day + 3) % 7
    return math.max(monday, 0) * DAY, (monday + 7) * DAY
  end
  local y, m = year_month(day)
  local ny, nm = y, m + 1
  if nm == 13 then ny, nm = y + 1, 1 end
  return days_from_civil(y, m) * DAY, days_from_civil(ny, nm) * DAY
end

-- Integers beyond 2^53 are not exact in Lua: write TATs with %.0f, never tostring.
local function int(x) return string.format('%.0f', x) end

local out = {now}
local admitted = true
local pending = {}
for i = 1, #KEYS do
  local kind = ARGV[3 * i - 1]
  local a = tonumber(ARGV[3 * i])
  local key = KEYS[i]
  if kind == 'b' then
    local interval, burst = a, tonumber(ARGV[3 * i + 1])
    if mode == 'give' then
      local v = tonumber(redis.call('GET', key))
      if v then
        local tat = v - interval
        if tat > now then
          redis.call('SET', key, int(tat), 'PXAT', int(math.ceil(tat / 1000)))
        else
          redis.call('DEL', key)
        end
      end
    else
      local tat = tonumber(redis.call('GET', key)) or now
      if tat < now then tat = now end
      local limit = now + interval * burst
      local nxt = tat + interval
      if nxt <= limit then
        pending[i] = nxt
        out[#out + 1] = 1
        out[#out + 1] = math.floor((limit - nxt) / interval)
        out[#out + 1] = nxt - now
        out[#out + 1] = 0
      else
        admitted = false
        local left = limit - tat
        if left < 0 then left = 0 end
        out[#out + 1] = 0
        out[#out + 1] = math.floor(left / interval)
        out[#out + 1] = tat - now
        out[#out + 1] = nxt - limit
      end
    end
  else
    local start, stop = period(ARGV[3 * i + 1], secs)
    local h = redis.call('HMGET', key, 's', 'c')
    local count = 0
    if tonumber(h[1]) == start then count = tonumber(h[2]) or 0 end
    if mode == 'give' then
      if count > 0 then redis.call('HINCRBY', key, 'c', -1) end
    else
      local reset = stop * 1000000 - now
      if count < a then
        pending[i] = {start, stop, count + 1}
        out[#out + 1] = 1
        out[#out + 1] = a - count - 1
        out[#out + 1] = reset
        out[#out + 1] = 0
      else
        admitted = false
        out[#out + 1] = 0
        out[#out + 1] = 0
        out[#out + 1] = reset
        out[#out + 1] = reset
      end
    end
  end
end

if mode == 'take' and admitted then
  for i = 1, #KEYS do
    local p = pending[i]
    if type(p) == 'table' then
      redis.call('HSET', KEYS[i], 's', int(p[1]), 'c', int(p[3]))
      redis.call('EXPIREAT', KEYS[i], int(p[2]))
    else
      -- The bucket's key expires when it would be full again: idle keys cost nothing.
      redis.call('SET', KEYS[i], int(p), 'PXAT', int(math.ceil(p / 1000)))
    end
  end
end
return out
