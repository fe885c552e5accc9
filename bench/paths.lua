-- wrk: cycle through the paths in $PATHS_FILE, one per request.
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do paths[#paths + 1] = line end
local counter = math.random(#paths)

request = function()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end
