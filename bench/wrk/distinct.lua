-- wrk script: every request gets a query string of its own, as real filters
-- and pages do, so that no cache answers it: the URL's own query plus
-- max_price from 1000.00 up, one cent more each request (each wrk thread
-- counts in its own range). Every demo product costs less than 1000.00, so
-- each page holds the same products as the URL without the filter.
local counter = 0
local offset = 0
local threads = 0

function setup(thread)
  thread:set("offset", threads * 10000000)
  threads = threads + 1
end

function init(args)
  offset = tonumber(wrk.thread:get("offset")) or 0
end

function request()
  counter = counter + 1
  local cents = 100000 + offset + counter
  local sep = "?"
  if string.find(wrk.path, "?", 1, true) then sep = "&" end
  local path = wrk.path .. sep .. "max_price=" .. math.floor(cents / 100) .. "." .. string.format("%02d", cents % 100)
  return wrk.format(nil, path)
end
