-- wrk: cycle through the paths in $PATHS_FILE, one per request.
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do paths[#paths + 1] = line end
local counter = math.random(#paths)
-- $ACCEPT_ENCODING, when set, is sent with every request (bench/tls.sh: gzip, as browsers do).
local headers = {}
if os.getenv("ACCEPT_ENCODING") then headers["Accept-Encoding"] = os.getenv("ACCEPT_ENCODING") end

request = function()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter], headers)
end
