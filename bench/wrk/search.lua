-- wrk script: a two-word search with one filter over generated products
-- (salve catalog generate): a kind and a form ("zinc gummies"), one of three
-- filters, and a limit from 10 to 59, walked in an order that repeats only
-- after 76,800 requests per thread (each thread starts elsewhere), so no
-- cache answers a request.
local kinds = {"vitamin", "zinc", "magnesium", "calcium", "omega", "probiotic", "melatonin", "ibuprofen",
  "acetaminophen", "allergy", "glucose", "lancet", "bandage", "thermometer", "compression", "saline",
  "antacid", "sunscreen", "lotion", "electrolyte", "fiber", "iron", "biotin", "turmeric", "elderberry",
  "collagen", "protein", "cough", "nasal", "eye", "sleep", "verdant"}
local forms = {"tablets", "capsules", "gummies", "softgels", "drops", "spray", "cream", "powder",
  "strips", "monitor", "wipes", "patch", "syrup", "gel", "kit", "sleeve"}
local filters = {"in_stock=1", "hsa=1", "rx=none"}
local counter = 0
local threads = 0

function setup(thread)
  thread:set("start", threads * 9973)
  threads = threads + 1
end

function init(args)
  counter = tonumber(wrk.thread:get("start")) or 0
end

function request()
  counter = counter + 1
  local n = counter
  local k = kinds[n % #kinds + 1]; n = math.floor(n / #kinds)
  local f = forms[n % #forms + 1]; n = math.floor(n / #forms)
  local fl = filters[n % #filters + 1]; n = math.floor(n / #filters)
  local limit = 10 + n % 50
  return wrk.format(nil, wrk.path .. "?q=" .. k .. "+" .. f .. "&" .. fl .. "&limit=" .. limit)
end
